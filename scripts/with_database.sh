#!/usr/bin/env bash
# Run a command with DATABASE_URL set as `make test` sets it: PostgreSQL on 127.0.0.1 when it
# answers, SQLite otherwise.
set -euo pipefail
if [ -z "${DATABASE_URL:-}" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
fi
export DJANGO_SETTINGS_MODULE=config.settings.test
exec "$@"
