#!/usr/bin/env bash
# The test command: sets up what the tests need on a fresh machine, then lint, layer contracts, tests.
#   bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# 1. System packages the tests use (PostgreSQL server, Chromium, CJK fonts, poppler), when missing.
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need+=(fonts-noto-cjk)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing system packages: ${need[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
fi

# 2. The project and its test dependencies in a virtual environment.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test,all]"
export PATH="$ROOT/.venv/bin:$PATH"

# 3. A throwaway PostgreSQL server on loopback for the database tests.
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
PGDIR=$(mktemp -d /tmp/lantian-pg.XXXXXX)
PGPORT=${LANTIAN_TEST_PGPORT:-54329}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$PGDIR"; fi
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1" -l "$PGDIR/log" -w start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"' EXIT
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres lantian_test
export LANTIAN_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/lantian_test"

# 4. Lint, import-layer contracts, tests.
echo "== ruff"; ruff check src tests benchmarks
echo "== import-linter"; lint-imports
echo "== pytest"; python -m pytest -q "$@"
