#!/usr/bin/env bash
# Seeds a generated organisation of N employees (default 100 000) into a fresh PostgreSQL
# database and a fresh SQLite file with the release binary, and writes the timings to
# bench/reports/seed-<date>.md: what each table got, the seconds of each phase of the load and
# the load average around each run. Numbers, not pass/fail.
#
#   bench/seed.sh [N] [SQLITE_N]   (SQLITE_N people on SQLite, default N;
#                        PostgreSQL at $BENCH_PG, default postgres://postgres@127.0.0.1:5432;
#                        the throwaway database is $BENCH_DB, default perfcycle_bench_<pid>)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
SQLITE_N=${2:-$N}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-perfcycle_bench_$$}
cargo build --release -q -p api
BIN=target/release/perfcycle
work=$(mktemp -d)
trap 'rm -rf "$work"; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql "$PG/postgres" -qc "CREATE DATABASE $DB"

run() { # label, database url, employees
  DATABASE_URL=$2 PERFCYCLE_DATA_DIR=$work "$BIN" migrate >/dev/null
  cut -d' ' -f1-3 /proc/loadavg > "$work/$1.load"
  DATABASE_URL=$2 PERFCYCLE_DATA_DIR=$work "$BIN" seed --employees "$3" | tee "$work/$1.out"
  echo "→ $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/$1.load"
}
field() { # label, line prefix: that line of the seed's output, without the prefix
  sed -n "s/^$2//p" "$work/$1.out"
}
run postgres "$PG/$DB" "$N"
run sqlite "sqlite://$work/bench.db" "$SQLITE_N"

report=bench/reports/seed-$(date -u +%F).md
{
  echo "# perfcycle seed --employees $N (SQLite: $SQLITE_N)"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) cores, $(uname -m), release build; migrations applied before timing."
  echo
  echo "| backend | rows | phases | load average (1, 5, 15 min) before → after |"
  echo "|---|---|---|---|"
  echo "| PostgreSQL $(psql "$PG/postgres" -Atc 'SHOW server_version') | $(field postgres 'seeded ') | $(field postgres 'phases: ') | $(tr '\n' ' ' < "$work/postgres.load") |"
  echo "| SQLite (file, WAL) | $(field sqlite 'seeded ') | $(field sqlite 'phases: ') | $(tr '\n' ' ' < "$work/sqlite.load") |"
} > "$report"
echo "wrote $report"
