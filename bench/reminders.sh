#!/usr/bin/env bash
# Reminder benchmark on both backends: N employees due (default 10 000), one scheduled scan,
# time until a local SMTP server accepted the last reminder. Writes
# bench/reports/reminders-<date>.md. Numbers, not pass/fail.
#
#   bench/reminders.sh [N]     (PostgreSQL and Redis from $BENCH_PG / $BENCH_REDIS, as in CI)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}
cargo build --release -q -p perfcycle-bench --bin reminders
BIN=target/release/reminders
report=bench/reports/reminders-$(date -u +%F).md
{
  echo "# Check-in reminders for $N employees"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) cores, release build. From the scheduled scan (open check-ins,"
  echo "mark missed, queue reminders, hand them to the job queue) until a local SMTP server accepted"
  echo "the last reminder; 16 send jobs at once, 8 pooled SMTP connections."
  echo
  echo "| backend | employees | check-ins opened | scan + queueing | scan to last message | messages/s | duplicates |"
  echo "|---|---|---|---|---|---|---|"
  "$BIN" "$N"
  TEST_DATABASE_URL="$PG" TEST_REDIS_URL="$REDIS" "$BIN" "$N"
} | tee "$report"
echo "wrote $report"
