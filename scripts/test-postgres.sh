#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests (Debian's packages; no Docker) and
# prints the admin URL the tests use: CASEREVIEW_TEST_POSTGRES_URL. Each test creates its
# own fresh database on it. Usage: eval "$(scripts/test-postgres.sh)"
set -euo pipefail
port="${PGPORT_TEST:-54329}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed: apt-get install postgresql" >&2; exit 1; }
data="${PGDATA_TEST:-/tmp/casereview-pg-$port}"
if ! "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
  rm -rf "$data"; mkdir -p "$data"
  run() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$data"; su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
  run "'$bin/initdb' -D '$data' -A trust -U postgres --no-sync" >/dev/null
  run "'$bin/pg_ctl' -D '$data' -l '$data/log' -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" -w start" >/dev/null
fi
echo "export CASEREVIEW_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
