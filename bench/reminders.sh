#!/usr/bin/env bash
# Reminder benchmark on both backends: N employees due (default 3 000 and 10 000), one
# scheduled scan, time until a local SMTP server accepted the last reminder. Writes
# bench/reports/reminders-<date>.md. Numbers, not pass/fail.
#
#   bench/reminders.sh [N ...]  (PostgreSQL and Redis from $BENCH_PG / $BENCH_REDIS, as in CI)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(3000 10000)
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}
cargo build --release -q -p perfcycle-bench --bin reminders
BIN=${CARGO_TARGET_DIR:-target}/release/reminders
report=bench/reports/reminders-$(date -u +%F).md
{
  echo "# Check-in reminders"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) cores, release build. From the scheduled scan (open check-ins,"
  echo "mark missed, queue reminders, hand them to the job queue) until a local SMTP server accepted"
  echo "the last reminder. Default pool: 8 send jobs at once per process, each a batch of up to 32"
  echo "e-mails, at most 32 messages in flight over 32 pooled SMTP connections (TCP_NODELAY); the scan"
  echo "hands each committed batch of reminders to the queue every 250 ms. \"sending\" is"
  echo "messages/s after the scan and queueing (which overlap the sending). Load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| backend | employees | check-ins opened | scan + queueing | scan to last message | messages/s end to end | messages/s sending | duplicates |"
  echo "|---|---|---|---|---|---|---|---|"
  for n in "${SIZES[@]}"; do
    "$BIN" "$n"
    TEST_DATABASE_URL="$PG" TEST_REDIS_URL="$REDIS" "$BIN" "$n"
  done
} | tee "$report"
echo "wrote $report"
