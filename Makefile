# Lambda Advisor. `make run` brings the product up locally; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: install run test chaos lint format bench lock clean

## The runtime dependencies plus the demo extra (the AWS emulator) and the dev tools, pinned in
## requirements-dev.lock. The production image installs only requirements.lock.
$(VENV)/.installed: requirements-dev.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

## The whole product on the embedded default: SQLite, filesystem broker, AWS emulator.
run: install
	$(PY) scripts/run_local.py

## Lint, Django checks, compose validation and the test suite (PostgreSQL and Redis when up).
test: install
	bash scripts/test.sh

## Only the fault tests (also part of `make test`): real PostgreSQL, Redis and worker processes
## with a fault injected (README "Operations").
chaos: install
	bash scripts/test.sh -m chaos

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Benchmarks (results in BENCHMARKS.md): a region scan against the emulator at 1,000 and 5,000
## functions, the dashboard's server time at 10,000 functions and 50,000 findings (in 1, 5 and
## 200 accounts: the fleet overview at 200), and a fleet scan of an emulated organisation by real
## workers on Redis and PostgreSQL (1, 2 and 4 worker processes).
bench: install
	$(PY) -m bench.region_scan --functions 1000 5000
	$(PY) -m bench.region_scan --functions 1000 --aliased 0.4
	bash scripts/with_database.sh $(PY) -m bench.dashboard --functions 10000 --findings 50000
	bash scripts/with_database.sh $(PY) -m bench.dashboard --functions 10000 --findings 50000 --accounts 5
	bash scripts/with_database.sh $(PY) -m bench.dashboard --functions 10000 --findings 50000 --accounts 200 --pages overview fleet
	TEST_REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} bash scripts/with_database.sh $(PY) -m bench.fleet_scan --accounts 200 --functions 50 --workers 1 2 4

## Re-pin both locks from pyproject.toml (run after changing dependencies): requirements-dev.lock
## holds runtime + demo + dev; requirements.lock (the image's) is its runtime part, same versions.
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet --upgrade pip
	.lockenv/bin/pip install --quiet ".[demo,dev]"
	.lockenv/bin/pip freeze --exclude lambda-advisor > requirements-dev.lock
	.lockenv/bin/python scripts/runtime_lock.py requirements-dev.lock > requirements.lock
	rm -rf .lockenv build *.egg-info

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache
