#!/usr/bin/env bash
# Live subscriptions at size: `perfcycle serve` (release) with the demo organisation, then
# N idle `activity` subscriptions as HR (src/subscriptions.rs), twice: one per WebSocket
# connection (N connections), and PER to a connection (N/PER connections, as a dashboard page
# multiplexes its subscriptions over one socket). The server's resident memory before, once
# connected and once subscribed (KiB per connection, per subscription, and everything shared
# out over the subscriptions), then E events (a goal created), each timed from the write's
# response to its arrival at every subscription. On PostgreSQL + Redis (events through Redis pub/sub) and on
# SQLite (the in-process bus). Writes bench/reports/subscriptions-<date>.md. Numbers, not
# pass/fail.
#
#   bench/subscriptions.sh [N] [E] [PER]   defaults 10000 subscriptions, 5 events, 100 a
#                                    connection in the second case; PostgreSQL at
#                                    $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
#                                    Redis at $BENCH_REDIS; BACKENDS="postgres sqlite"
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
E=${2:-5}
PER=${3:-100}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}
BACKENDS=${BACKENDS:-postgres sqlite}
T=${CARGO_TARGET_DIR:-target}
BIN=$T/release/perfcycle
LOAD=$T/release/subscriptions
if [ -z "${NO_BUILD:-}" ]; then
  cargo build --release -q -p api
  cargo build --release -q -p perfcycle-bench --bin subscriptions
fi
# Each connection is a file descriptor on both sides.
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
SERVER=
DB=perfcycle_subs_$$
cleanup() {
  [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
ROWS=()
run_case() { # backend
  local backend=$1 dir=$work/$1
  mkdir -p "$dir"
  local port=$((20000 + ($$ + ${#backend}) % 10000))
  export PERFCYCLE_JWT_SECRET
  PERFCYCLE_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
  export PERFCYCLE_PORT=$port PERFCYCLE_DATA_DIR=$dir PERFCYCLE_EMBEDDED_WORKER=false \
    PERFCYCLE_QUEUE_NAMESPACE=subs_$$ PERFCYCLE_SCAN_SCHEDULE="0 0 0 1 1 * 2099" RUST_LOG=warn
  # Ten thousand connections from one address: no rate limits.
  export PERFCYCLE_RATE_LIMIT_IP=0 PERFCYCLE_RATE_LIMIT_USER=0
  if [ "$backend" = postgres ]; then
    psql "$PG/postgres" -qc "CREATE DATABASE $DB"
    export DATABASE_URL=$PG/$DB REDIS_URL=$REDIS
  else
    export DATABASE_URL="sqlite://$dir/perfcycle.db"
    unset REDIS_URL
  fi
  "$BIN" migrate >/dev/null
  "$BIN" seed --demo > "$dir/seed.out"
  local cycle hr_email writer_email hr writer
  cycle=$(sed -n 's/^active cycle id: //p' "$dir/seed.out")
  hr_email=$(sed -n 's/^HR admin (\(.*\)):$/\1/p' "$dir/seed.out")
  writer_email=$(sed -n 's/^employee (\(.*\)):$/\1/p' "$dir/seed.out")
  hr=$("$BIN" token --email "$hr_email")
  writer=$("$BIN" token --email "$writer_email")
  # A fresh server for each shape, so that memory freed by one is not reused by the next.
  local per load
  for per in 1 "$PER"; do
    "$BIN" serve > "$dir/serve-$per.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
    "$LOAD" "http://127.0.0.1:$port" "$SERVER" "$hr" "$writer" "$cycle" --subscribers "$N" \
      --per-connection "$per" --events "$E" | tee "$dir/result-$per.tsv"
    load=$(cut -d' ' -f1 /proc/loadavg)
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
    val() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$dir/result-$per.tsv"; }
    ROWS+=("| $backend | $(val connections) × $per ($(val failed_to_connect) failed) | $(val rss_before_kib) → $(val rss_connected_kib) → $(val rss_after_kib) | $(val kib_per_connection) KiB | $(val kib_per_subscription) KiB | **$(val kib_per_subscription_all_in) KiB** | $(val all_events) | $load |")
    for e in $(seq 0 $((E - 1))); do ROWS+=("| | | | | | | event $e: $(val "event_$e") | |"); done
  done
}
for b in $BACKENDS; do run_case "$b"; done

report=bench/reports/subscriptions-$(date -u +%F).md
{
  echo "# Live subscriptions at size"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) cores, $(uname -m), release build; the demo organisation;"
  echo "one \`perfcycle serve\` (PostgreSQL + Redis: every event through Redis pub/sub; SQLite: the"
  echo "in-process bus). $N idle \`activity(filter: { kinds: [GOAL_CREATED] })\` subscriptions as HR"
  echo "(graphql-transport-ws) from one client process on the same machine, in two shapes, each"
  echo "against a freshly started server: one subscription per connection, and $PER subscriptions"
  echo "multiplexed over each connection as a dashboard page does. Memory is the server's resident"
  echo "set (/proc VmRSS): before the first connection, 5 s after the last connection was open and"
  echo "authenticated (idle, no subscription), and 5 s after every subscription was open. Per"
  echo "connection is the first step over the connections; per subscription the second step over the"
  echo "subscriptions; all-in is everything (connections included) over the subscriptions. Delivery"
  echo "is from \`createGoal\`'s response (the write committed) to the event's arrival at each"
  echo "subscription; it includes the relay's poll (up to 100 ms) and, on PostgreSQL, the trip"
  echo "through Redis. Targets: ≤ 25 KB per idle subscription, p99 < 500 ms to 10 000 subscribers."
  echo
  echo "| backend | connections × subscriptions | server RSS (KiB): none → connected → subscribed | per connection | per subscription | all-in per subscription | delivery (all events) | load (1 min) |"
  echo "|---|---|---|---|---|---|---|---|"
  for r in "${ROWS[@]}"; do echo "$r"; done
} > "$report"
cat "$report"
