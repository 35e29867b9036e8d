#!/usr/bin/env bash
# The everyday reads (and submitCheckIn) under load through the real server: a generated
# organisation of N_PG people on PostgreSQL (default 100 000) and N_SQLITE on SQLite (default
# 10 000), `perfcycle serve` (release), 16 keep-alive HTTP/1.1 connections per scenario
# (src/reads.rs), and on PostgreSQL the ceiling of the same SQL run by pgbench. Writes
# bench/reports/reads-<date>.md. Numbers, not pass/fail.
#
#   bench/reads.sh [N_PG] [N_SQLITE]   PostgreSQL at $BENCH_PG (default
#                                      postgres://postgres@127.0.0.1:5432), Redis at $BENCH_REDIS;
#                                      WARMUP / DURATION seconds (default 3 / 12), CONNECTIONS (16);
#                                      KEEP=dir keeps the work files (captured SQL, runs), KEEP_DB=1
#                                      leaves the PostgreSQL database for EXPLAIN (drop it after);
#                                      RENDER_FROM=dir writes the report again from a KEEP dir
#
# Each measured run is wrapped in `flock /tmp/bench.lock` so benchmarks on a shared machine do
# not overlap. The SQL of a request is captured once from the server log
# (log_min_duration_statement = 0 on the throwaway database only, with its bound parameters
# inlined) and replayed by `pgbench -n -c 16 -j 2 -T 10`: one pgbench transaction = the
# statements of one request.
set -euo pipefail
cd "$(dirname "$0")/.."
N_PG=${1:-100000}
N_SQLITE=${2:-10000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}
WARMUP=${WARMUP:-3}
DURATION=${DURATION:-12}
CONNECTIONS=${CONNECTIONS:-16}
PG_LOG=${PG_LOG:-$(ls -t /var/log/postgresql/postgresql-*.log | head -1)}
DB=perfcycle_reads_$$
T=${CARGO_TARGET_DIR:-target}
BIN=$T/release/perfcycle
READS=$T/release/reads
if [ -n "${RENDER_FROM:-}" ]; then
  work=$RENDER_FROM
else
  cargo build --release -q -p api
  cargo build --release -q -p perfcycle-bench --bin reads
  work=$(mktemp -d)
fi
SERVER=
stop_server() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=
  fi
}
cleanup() {
  stop_server
  [ -n "${RENDER_FROM:-}" ] && return
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp -r "$work"/. "$KEEP"/; fi
  rm -rf "$work"
  [ -n "${KEEP_DB:-}" ] || psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
PORT=$((20000 + $$ % 10000))
URL=http://127.0.0.1:$PORT/graphql
export PERFCYCLE_JWT_SECRET=$SECRET PERFCYCLE_PORT=$PORT PERFCYCLE_EMBEDDED_WORKER=false \
  PERFCYCLE_QUEUE_NAMESPACE=$DB PERFCYCLE_DATA_DIR=$work RUST_LOG=${RUST_LOG:-warn}
# The load comes from one address and a few users: no rate limits.
export PERFCYCLE_RATE_LIMIT_IP=0 PERFCYCLE_RATE_LIMIT_USER=0

SCENARIOS=(
  "employee: own goals + key results"
  "manager: team with goals"
  "manager: goals page 1"
  "manager: checkIns page 1"
  "manager: teamCheckIns"
  "manager: teamCheckIns SUBTREE"
  "manager: cycleOverview"
  "HR: cycleOverview"
  "HR: goals search"
  "HR: goals page 1"
  "HR: goals page 1 + totalCount"
  "HR: goals page 200"
  "HR: employees search"
  "manager: skillGaps SUBTREE"
  "HR: skillGaps department"
  "employee: own skillGaps"
  "employee: submitCheckIn"
)

start_server() { # database url, log file
  "$BIN" serve >"$2" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "the server did not start:" >&2
  cat "$2" >&2
  return 1
}

# cpu <pids…> → clock ticks of user + system time
cpu() {
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# prepare <label> <database url> <n>: migrate, seed, tokens, the DUE check-ins to submit
prepare() {
  local label=$1 url=$2 n=$3
  export DATABASE_URL=$url
  "$BIN" migrate >/dev/null
  local started=$SECONDS
  "$BIN" seed --employees "$n" | tee "$work/$label.seed"
  echo "seeded in $((SECONDS - started)) s" >>"$work/$label.seed"
  HR=$(sed -n 's/^HR admin: //p' "$work/$label.seed")
  MANAGER=$(sed -n 's/^manager: //p' "$work/$label.seed")
  EMPLOYEE=$(sed -n 's/^employee: //p' "$work/$label.seed")
  HR_T=$("$BIN" token --email "$HR")
  MANAGER_T=$("$BIN" token --email "$MANAGER")
  EMPLOYEE_T=$("$BIN" token --email "$EMPLOYEE")
}

# measure <label> <scenario…>: one line per scenario in $work/<label>.runs: the generator's
# line, then CPU ticks of the server and of its database backends, wall seconds, load
measure() {
  local label=$1 name extra pids s0 s1 b0 b1 started load
  shift
  : >"$work/$label.runs"
  for name in "$@"; do
    extra=()
    [ "$name" = "employee: submitCheckIn" ] && extra=(--due "$work/$label.due.run" --secret "$SECRET")
    pids=($(backends))
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    s0=$(cpu "$SERVER")
    b0=$(cpu "${pids[@]}")
    started=$(date +%s.%N)
    line=$(flock /tmp/bench.lock "$READS" run "$URL" "$work/$label.json" "$name" \
      --connections "$CONNECTIONS" --warmup "$WARMUP" --duration "$DURATION" "${extra[@]}")
    s1=$(cpu "$SERVER")
    b1=$(cpu "${pids[@]}")
    load="$load → $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%s\t%s\t%s\t%s\t%s\n' "$line" "$((s1 - s0))" "$((b1 - b0))" \
      "$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e - s}')" "$load" >>"$work/$label.runs"
    echo "$label: $line"
  done
}
backends() { :; }

W=$(printf '%s\n' "${SCENARIOS[@]}" | grep -n submitCheckIn | cut -d: -f1)
if [ -z "${RENDER_FROM:-}" ]; then
# ---------------------------------------------------------------- PostgreSQL
psql "$PG/postgres" -qc "CREATE DATABASE $DB"
export REDIS_URL=$REDIS
prepare postgres "$PG/$DB" "$N_PG"
PSQL=(psql "$PG/$DB" -Atq)
SEARCH=${SEARCH:-berg}
# DUE check-ins still open for an hour, one per person, other than the people signed in as.
"${PSQL[@]}" -F $'\t' -c "SELECT c.employee_id, c.id FROM check_in c JOIN employee e ON e.id = c.employee_id
  WHERE c.status = 'DUE' AND c.closes_at > now() + interval '1 hour' AND e.active
    AND e.email NOT IN ('$HR', '$MANAGER', '$EMPLOYEE') ORDER BY md5(c.id::text)" >"$work/postgres.due"
head -2 "$work/postgres.due" >"$work/postgres.due.once"
tail -n +3 "$work/postgres.due" >"$work/postgres.due.run"
"${PSQL[@]}" -c "CREATE TABLE perfcycle_reads_due (n serial PRIMARY KEY, employee_id uuid, check_in_id uuid)"
"${PSQL[@]}" -c "\\copy perfcycle_reads_due (employee_id, check_in_id) FROM '$work/postgres.due.run'"
DUE_N=$(wc -l <"$work/postgres.due.run")
"${PSQL[@]}" -c "VACUUM ANALYZE"

# Capture: a server whose connections log every statement with its parameters.
psql "$PG/postgres" -qc "ALTER DATABASE $DB SET log_min_duration_statement = 0"
start_server "$PG/$DB" "$work/serve-capture.log"
"$READS" setup "$URL" "$HR_T" "$MANAGER_T" "$EMPLOYEE_T" "$SEARCH" >"$work/postgres.json"
i=0
for name in "${SCENARIOS[@]}"; do
  i=$((i + 1))
  extra=()
  [ "$name" = "employee: submitCheckIn" ] && extra=(--due "$work/postgres.due.once" --secret "$SECRET")
  # once to warm the pool's connections and statement caches, then once between markers
  if [ "$name" = "employee: submitCheckIn" ]; then
    tail -1 "$work/postgres.due.once" >"$work/postgres.due.warm"
    "$READS" run "$URL" "$work/postgres.json" "$name" --once --due "$work/postgres.due.warm" --secret "$SECRET" >/dev/null
  else
    "$READS" run "$URL" "$work/postgres.json" "$name" --once >/dev/null
  fi
  sleep 0.3
  from=$(wc -l <"$PG_LOG")
  "$READS" run "$URL" "$work/postgres.json" "$name" --once "${extra[@]}" >"$work/once-$i.json"
  sleep 0.5
  tail -n +"$((from + 1))" "$PG_LOG" | "$READS" sql "$DB" >"$work/q$i.sql"
done
stop_server
psql "$PG/postgres" -qc "ALTER DATABASE $DB RESET log_min_duration_statement"

# The write, replayed by pgbench: the captured check-in and employee become a random DUE one
# from perfcycle_reads_due and inserted rows get fresh ids; a check-in drawn twice is no longer
# DUE, so its UPDATE changes nothing, as the server's second submission would.
read -r W_EMP W_CI <"$work/postgres.due.once"
{
  echo "\\set n random(1, $DUE_N)"
  sed -e "s/'$W_CI'/(SELECT check_in_id FROM perfcycle_reads_due WHERE n = :n)/g" \
    -e "s/'$W_EMP'/(SELECT employee_id FROM perfcycle_reads_due WHERE n = :n)/g" \
    -e "s/ VALUES ('[0-9a-f-]\{36\}'/ VALUES (gen_random_uuid()/" "$work/q$W.sql"
} >"$work/q$W.pgbench.sql"

backends() { psql "$PG/postgres" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$DB' AND backend_type = 'client backend' AND application_name <> 'psql'"; }
start_server "$PG/$DB" "$work/serve-postgres.log"
# open the pool's connections before counting their CPU
for _ in 1 2 3; do "$READS" run "$URL" "$work/postgres.json" "HR: goals page 1" --connections 16 --warmup 0 --duration 1 >/dev/null; done
measure postgres "${SCENARIOS[@]}"

: >"$work/postgres.pgbench"
i=0
for name in "${SCENARIOS[@]}"; do
  i=$((i + 1))
  f=$work/q$i.sql
  [ "$i" = "$W" ] && f=$work/q$W.pgbench.sql
  tps=$(flock /tmp/bench.lock pgbench -n -c 16 -j 2 -T 10 -f "$f" "$PG/$DB" 2>"$work/pgbench-$i.err" |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1) || true
  failed=$(grep -c 'ERROR' "$work/pgbench-$i.err") || true
  echo -e "$tps\t$failed" >>"$work/postgres.pgbench"
  echo "pgbench $name: $tps tps ($failed errors)"
done
stop_server
backends() { :; }
unset REDIS_URL

# ---------------------------------------------------------------- SQLite
SQLITE_FILE=$work/reads.db
prepare sqlite "sqlite://$SQLITE_FILE" "$N_SQLITE"
# uuids are 16-byte blobs in SQLite: print them in their usual form
uuid() { echo "lower(substr(hex($1),1,8)||'-'||substr(hex($1),9,4)||'-'||substr(hex($1),13,4)||'-'||substr(hex($1),17,4)||'-'||substr(hex($1),21))"; }
sqlite3 -separator $'\t' "$SQLITE_FILE" "SELECT $(uuid c.employee_id), $(uuid c.id) FROM check_in c
  JOIN employee e ON e.id = c.employee_id WHERE c.status = 'DUE' AND e.active
    AND e.email NOT IN ('$HR', '$MANAGER', '$EMPLOYEE') ORDER BY random()" >"$work/sqlite.due.run"
start_server "sqlite://$SQLITE_FILE" "$work/serve-sqlite.log"
"$READS" setup "$URL" "$HR_T" "$MANAGER_T" "$EMPLOYEE_T" "$SEARCH" >"$work/sqlite.json"
measure sqlite "${SCENARIOS[@]}"
stop_server
fi

# ---------------------------------------------------------------- report
report=bench/reports/reads-$(date -u +%F).md
HZ=$(getconf CLK_TCK)
MEASURED=$(awk -v a="$WARMUP" -v b="$DURATION" 'BEGIN{print a + b}')
row() { # a line of <label>.runs, the matching line of postgres.pgbench or empty
  local run=$1 pg=$2 name req err rps p50 p99 max first server db wall load tps failed ratio cpu
  # fields may be empty (no error): split on a separator that `read` does not collapse
  IFS=$'\x1f' read -r name req err rps p50 p99 max first server db wall load <<<"${run//$'\t'/$'\x1f'}"
  IFS=$'\x1f' read -r tps failed <<<"${pg//$'\t'/$'\x1f'}"
  ratio=—
  [ -n "$tps" ] && ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN{printf "%.2f", a / b}')
  tps=${tps:+$(printf '%.0f' "$tps")}
  cpu=$(awk -v s="$server" -v d="$db" -v hz="$HZ" -v w="$MEASURED" \
    'BEGIN{ if (d == "-") printf "%.0f %% together", 100 * s / hz / w; else printf "%.0f %% + %.0f %%", 100 * s / hz / w, 100 * d / hz / w }')
  [ "$failed" = 0 ] && failed=
  echo "| $name | $rps | $p50 | $p99 | $max | $err${first:+ ($first)} | ${tps:-—}${failed:+ ($failed failed)} | $ratio | $cpu | $load |"
}
{
  echo "# The everyday reads under load"
  echo
  echo "$(date -u -r "$work/sqlite.runs" +%FT%TZ), $(nproc) cores shared with other work, release build, PostgreSQL $(psql "$PG/postgres" -Atc 'SHOW server_version')."
  echo "Made by \`bench/reads.sh $N_PG $N_SQLITE\`: $CONNECTIONS keep-alive HTTP/1.1 connections per scenario, ${WARMUP} s warm-up,"
  echo "${DURATION} s measured (\`src/reads.rs\`); server pool of ${PERFCYCLE_DB_MAX_CONNECTIONS:-10} database connections."
  echo "pgbench: \`pgbench -n -c 16 -j 2 -T 10 -f <the request's statements>\` on the same database, one"
  echo "transaction = the statements one request issued (captured from the server log, parameters"
  echo "inlined). ratio = req/s ÷ pgbench tps. CPU: the server + its PostgreSQL backends over the"
  echo "run's ${MEASURED} s (warm-up included), 100 % = one core of $(nproc). Load: the 1/5/15-minute load average"
  echo "before → after each run (before includes any wait for /tmp/bench.lock)."
  echo
  echo "## PostgreSQL, $N_PG employees"
  echo
  echo "$(tr '\n' ' ' <"$work/postgres.seed")"
  echo
  echo "| scenario | req/s | p50 ms | p99 ms | max ms | errors | pgbench tps | ratio | CPU server + PostgreSQL | load |"
  echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---|"
  paste -d'\n' "$work/postgres.runs" "$work/postgres.pgbench" | while IFS= read -r a && IFS= read -r b; do row "$a" "$b"; done
  echo
  echo "## SQLite, $N_SQLITE employees"
  echo
  echo "No pgbench ceiling on SQLite."
  echo
  echo "$(tr '\n' ' ' <"$work/sqlite.seed")"
  echo
  echo "| scenario | req/s | p50 ms | p99 ms | max ms | errors | pgbench tps | ratio | CPU server + PostgreSQL | load |"
  echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---|"
  while IFS= read -r a; do row "$a" ""; done <"$work/sqlite.runs"
  echo
  echo "## The SQL of each request (PostgreSQL)"
  echo
  i=0
  for name in "${SCENARIOS[@]}"; do
    i=$((i + 1))
    echo "### $name — $(grep -c ';$' "$work/q$i.sql") statements"
    echo
    echo '```sql'
    cat "$work/q$i.sql"
    echo '```'
    echo
  done
  echo "The write's pgbench script (a random DUE check-in per transaction, fresh ids for new rows):"
  echo
  echo '```sql'
  cat "$work/q$W.pgbench.sql"
  echo '```'
} >"$report"
echo "wrote $report"
