#!/usr/bin/env bash
# Soak: a generated organisation of N people (default 100 000) on PostgreSQL + Redis, two
# `perfcycle serve` and two `perfcycle worker` processes (release), and DURATION seconds
# (default 600) of mixed load from src/soak.rs: RATE requests a second (default 40) spread over
# both servers — own goals, a manager's team and check-ins, HR's cycle overview, giveFeedback
# (whose e-mails the workers send) — with SUBSCRIBERS WebSocket subscriptions (default 200:
# activity for HR and a manager, cycleProgress) held open throughout. Every WINDOW seconds
# (default 60): each process's resident memory, and each operation's count, errors, p50 and
# p99. Writes bench/reports/soak-<date>.md. Numbers, not pass/fail.
#
#   bench/soak.sh [N]   PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
#                       Redis at $BENCH_REDIS (default redis://127.0.0.1:6379); NO_BUILD=1
#                       uses the release binaries already built
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
DURATION=${DURATION:-600}
WINDOW=${WINDOW:-60}
RATE=${RATE:-40}
SUBSCRIBERS=${SUBSCRIBERS:-200}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}
T=${CARGO_TARGET_DIR:-target}
BIN=$T/release/perfcycle
# The load generator needs no optimising (40 requests a second): LOAD=path picks a build.
LOAD=${LOAD:-$T/release/soak}
if [ -z "${NO_BUILD:-}" ]; then
  cargo build --release -q -p api
  cargo build --release -q -p perfcycle-bench --bin soak
fi
work=$(mktemp -d)
DB=perfcycle_soak_$$
PIDS=()
cleanup() {
  touch "$work/stop"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

psql "$PG/postgres" -qc "CREATE DATABASE $DB"
export DATABASE_URL=$PG/$DB REDIS_URL=$REDIS PERFCYCLE_QUEUE_NAMESPACE=soak_$$ RUST_LOG=warn \
  PERFCYCLE_EMBEDDED_WORKER=false
PERFCYCLE_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
export PERFCYCLE_JWT_SECRET
# The load comes from one address and three users: no rate limits.
export PERFCYCLE_RATE_LIMIT_IP=0 PERFCYCLE_RATE_LIMIT_USER=0
"$BIN" migrate >/dev/null
started=$SECONDS
"$BIN" seed --employees "$N" >"$work/seed"
SEED_S=$((SECONDS - started))
HR=$(sed -n 's/^HR admin: //p' "$work/seed")
MANAGER=$(sed -n 's/^manager: //p' "$work/seed")
EMPLOYEE=$(sed -n 's/^employee: //p' "$work/seed")
PSQL=(psql "$PG/$DB" -Atq)
"${PSQL[@]}" -c "VACUUM ANALYZE"
RECIPIENT=$("${PSQL[@]}" -c "SELECT id FROM employee WHERE email = '$MANAGER'")
CYCLE=$("${PSQL[@]}" -c "SELECT id FROM cycle ORDER BY starts_on DESC LIMIT 1")
HR_T=$("$BIN" token --email "$HR")
MANAGER_T=$("$BIN" token --email "$MANAGER")
EMPLOYEE_T=$("$BIN" token --email "$EMPLOYEE")

ROLES=()
URLS=()
for i in 1 2; do
  port=$((20000 + ($$ + i) % 10000))
  mkdir -p "$work/serve$i"
  PERFCYCLE_PORT=$port PERFCYCLE_DATA_DIR=$work/serve$i "$BIN" serve >"$work/serve$i.log" 2>&1 &
  PIDS+=($!)
  ROLES+=("serve $i")
  URLS+=("http://127.0.0.1:$port")
done
for i in 1 2; do
  mkdir -p "$work/worker$i"
  PERFCYCLE_DATA_DIR=$work/worker$i "$BIN" worker >"$work/worker$i.log" 2>&1 &
  PIDS+=($!)
  ROLES+=("worker $i")
done
for url in "${URLS[@]}"; do
  for _ in $(seq 1 100); do
    curl -fs "$url/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
done

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# Resident memory of each process every WINDOW seconds, from the load's start.
(
  t=0
  while [ ! -e "$work/stop" ]; do
    for k in "${!PIDS[@]}"; do
      printf '%s\t%s\t%s\n' "$t" "${ROLES[$k]}" "$(rss "${PIDS[$k]}")"
    done
    sleep "$WINDOW"
    t=$((t + WINDOW))
  done
) >"$work/rss.tsv" &
SAMPLER=$!
IFS=, URL_LIST="${URLS[*]}"
unset IFS
flock /tmp/bench.lock "$LOAD" "$URL_LIST" "$HR_T" "$MANAGER_T" "$EMPLOYEE_T" "$RECIPIENT" "$CYCLE" \
  --duration "$DURATION" --window "$WINDOW" --rate "$RATE" --subscribers "$SUBSCRIBERS" \
  >"$work/soak.tsv"
touch "$work/stop"
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
for k in "${!PIDS[@]}"; do
  printf '%s\t%s\t%s\n' "end" "${ROLES[$k]}" "$(rss "${PIDS[$k]}")" >>"$work/rss.tsv"
done
ALIVE=0
for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && ALIVE=$((ALIVE + 1)); done
SENT=$("${PSQL[@]}" -c "SELECT count(*) FILTER (WHERE status = 'SENT') || ' of ' || count(*) FROM email_outbox WHERE template = 'feedback_received'" 2>/dev/null || echo "?")
FEEDBACK=$("${PSQL[@]}" -c "SELECT count(*) FROM feedback WHERE body LIKE 'Soak praise %'")

report=bench/reports/soak-$(date +%F).md
{
  echo "# Soak: $N people, two API servers and two workers, $((DURATION / 60)) minutes"
  echo
  echo "\`bench/soak.sh $N\` on $(date +%F): PostgreSQL $(psql "$PG/postgres" -Atqc 'SHOW server_version' | cut -d' ' -f1) and Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on this machine ($(nproc) cores), release build. Seeded in $SEED_S s. Load: $RATE requests a second, open-loop, spread over both servers (own goals 30 %, a manager's team 20 % and check-ins 20 %, HR's cycle overview 10 %, giveFeedback 20 %), and $SUBSCRIBERS WebSocket subscriptions held open (activity for HR and a manager, one in twenty HR's cycleProgress). $ALIVE of ${#PIDS[@]} processes still running at the end."
  echo
  echo "## Resident memory (MiB)"
  echo
  printf '| process |'; awk -F'\t' '!seen[$1]++ { printf " %s |", ($1 == "end" ? "end" : $1 " s") }' "$work/rss.tsv"; echo
  printf '|---|'; awk -F'\t' '!seen[$1]++ { printf "---|" }' "$work/rss.tsv"; echo
  for role in "${ROLES[@]}"; do
    printf '| %s |' "$role"
    awk -F'\t' -v r="$role" '$2 == r { printf " %.1f |", $3 / 1024 }' "$work/rss.tsv"
    echo
  done
  echo
  echo "## p99 latency per window (ms)"
  echo
  ops=$(awk -F'\t' '$1 == "total" { print $3 }' "$work/soak.tsv")
  printf '| window end |'; while IFS= read -r op; do printf ' %s |' "$op"; done <<<"$ops"; echo ' subscription messages | subscriptions open |'
  printf '|---|'; while IFS= read -r _; do printf -- '---|'; done <<<"$ops"; echo '---|---|'
  # A window's lines come before its messages line; the last window may be a second's tail.
  awk -F'\t' '
    $1 == "window" { row[w] = row[w] " " sprintf("%s (%s", $7, $4) ($5 > 0 ? ", " $5 " errors" : "") ") |"; end[w] = $2 }
    $1 == "messages" { msg[w] = " " $3 " | " $4 " |"; w++ }
    END { for (i = 0; i < w; i++) print "| " end[i] " s |" row[i] msg[i] }' "$work/soak.tsv"
  echo
  echo "Each cell: p99 (requests in the window)."
  echo
  echo "## Whole run"
  echo
  echo "| operation | requests | errors | p50 ms | p99 ms | max ms |"
  echo "|---|---|---|---|---|---|"
  awk -F'\t' '$1 == "total" { printf "| %s | %s | %s | %s | %s | %s |\n", $3, $4, $5, $6, $7, $8 }' "$work/soak.tsv"
  echo
  echo "Feedback written by the load: $FEEDBACK; their e-mails sent by the workers: $SENT."
  if grep -q '^error' "$work/soak.tsv"; then
    echo
    echo "First error per operation:"
    echo
    awk -F'\t' '$1 == "error" { printf "- %s: `%s`\n", $2, $3 }' "$work/soak.tsv"
  fi
} >"$report"
cat "$report"
