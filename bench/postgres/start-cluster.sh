#!/usr/bin/env bash
# Starts a PostgreSQL cluster for the benchmarks with bench/postgres/production.conf.
# Usage: bash bench/postgres/start-cluster.sh [data directory] [port]
#   (defaults /work/benchpg/data and 5434), then
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5434/postgres npm run bench -- mixed
# Creates the cluster on first use (initdb, trust auth, user postgres) and (re)writes its include of
# production.conf, so a change to the settings takes effect on the next start. Run as root or postgres.
set -euo pipefail
data="${1:-/work/benchpg/data}"
port="${2:-5434}"
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }
mkdir -p "$(dirname "$data")"
[ "$(id -u)" = 0 ] && chown postgres "$(dirname "$data")"
if [ ! -f "$data/PG_VERSION" ]; then as_postgres "$bin/initdb -D '$data' -A trust -U postgres" >/dev/null; fi
install -o postgres -m 0644 "$here/production.conf" "$data/tally-bench.conf" 2>/dev/null || cp "$here/production.conf" "$data/tally-bench.conf"
grep -q "^include_if_exists = 'tally-bench.conf'" "$data/postgresql.conf" || echo "include_if_exists = 'tally-bench.conf'" >> "$data/postgresql.conf"
if as_postgres "$bin/pg_ctl -D '$data' status" >/dev/null 2>&1; then as_postgres "$bin/pg_ctl -D '$data' -m fast stop" >/dev/null; fi
as_postgres "$bin/pg_ctl -D '$data' -o '-p $port -k /tmp' -l '$data/../log' -w start" >/dev/null
echo "benchmark cluster on port $port ($data): TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
