#!/usr/bin/env bash
# Every check `make test` runs. Uses PostgreSQL and Redis on 127.0.0.1 when they answer (always
# under CI, where their absence is an error); otherwise SQLite, and the Redis tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
export DJANGO_SETTINGS_MODULE=config.settings.test

if [ -z "${DATABASE_URL:-}" ]; then
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
  elif [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is not answering on 127.0.0.1:5432 and CI=true: refusing to fall back" >&2
    exit 1
  else
    echo "PostgreSQL not found on 127.0.0.1:5432: the Django tests run on SQLite" >&2
  fi
fi
if [ -z "${TEST_REDIS_URL:-}" ] && (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  export TEST_REDIS_URL="redis://127.0.0.1:6379/15"
fi

echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

echo "== manage.py check"
"$PY" manage.py check --fail-level WARNING
"$PY" manage.py makemigrations --check --dry-run

echo "== manage.py check --deploy (production settings)"
DJANGO_SETTINGS_MODULE=config.settings.production \
  DJANGO_SECRET_KEY="check-deploy-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  DJANGO_ALLOWED_HOSTS=advisor.example.com \
  DATABASE_URL="sqlite:///:memory:" CELERY_BROKER_URL="redis://127.0.0.1:6379/0" \
  "$PY" manage.py check --deploy --fail-level WARNING

echo "== docker-compose.yml"
if command -v docker-compose >/dev/null 2>&1; then
  ADVISOR_ENV_FILE=.env.example docker-compose --env-file .env.example -f docker-compose.yml config --quiet
elif [ "${CI:-}" = "true" ]; then
  echo "docker-compose is not installed (apt-get install docker-compose)" >&2
  exit 1
else
  echo "docker-compose not installed: compose file not validated" >&2
fi

echo "== pytest"
"$PY" -m pytest "$@"
