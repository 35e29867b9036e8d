#!/usr/bin/env bash
# Seeds a generated organisation of N employees (default 100 000) into a fresh PostgreSQL
# database and a fresh SQLite file with the release binary, and writes the timings to
# bench/reports/seed-<date>.md. Numbers, not pass/fail.
#
#   bench/seed.sh [N]          (PostgreSQL at $BENCH_PG, default postgres://postgres@127.0.0.1:5432)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=perfcycle_bench_$$
cargo build --release -q -p api
BIN=target/release/perfcycle
work=$(mktemp -d)
trap 'rm -rf "$work"; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql "$PG/postgres" -qc "CREATE DATABASE $DB"

run() { # label, database url
  DATABASE_URL=$2 PERFCYCLE_DATA_DIR=$work "$BIN" migrate >/dev/null
  DATABASE_URL=$2 PERFCYCLE_DATA_DIR=$work "$BIN" seed --employees "$N" | tee "$work/$1.out"
}
run postgres "$PG/$DB"
run sqlite "sqlite://$work/bench.db"

report=bench/reports/seed-$(date -u +%F).md
{
  echo "# perfcycle seed --employees $N"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) cores, $(uname -m), release build; migrations applied before timing."
  echo
  echo "| backend | result |"
  echo "|---|---|"
  echo "| PostgreSQL $(psql "$PG/postgres" -Atc 'SHOW server_version') | $(cat "$work/postgres.out") |"
  echo "| SQLite (file, WAL) | $(cat "$work/sqlite.out") |"
} > "$report"
echo "wrote $report"
