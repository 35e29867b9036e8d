#!/usr/bin/env bash
# The reward run at size: for each case, a fresh database with `perfcycle seed --employees N
# --people-only --rewards` (pay on four grades, a released rating for everyone, a policy with
# tight department budgets, the cycle in REWARDING), `perfcycle serve` (release) and a worker
# claiming jobs every second (a `perfcycle worker` on Redis for PostgreSQL; the embedded one
# for SQLite). Times `startRewardRun` to DONE, and its compute phase (to the last batch's
# progress event); then times ONE set-based SQL statement computing the same bonuses
# (`CREATE TABLE … AS SELECT`, the policy's numbers inlined) and checks the two agree on every
# bonus. Writes bench/reports/reward-<date>.md. Numbers, not pass/fail.
#
#   bench/reward.sh [N_PG] [N_PG_BIG] [N_SQLITE]   defaults 100000 1000000 100000 (0 skips)
#   PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432), Redis at $BENCH_REDIS;
#   $BENCH_BIN runs another perfcycle binary (a quick check of the script with a debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
N_PG=${1:-100000}
N_BIG=${2:-1000000}
N_SQLITE=${3:-100000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}
T=${CARGO_TARGET_DIR:-target}
BIN=${BENCH_BIN:-$T/release/perfcycle}
[ -n "${BENCH_BIN:-}" ] || cargo build --release -q -p api
work=$(mktemp -d)
PIDS=()
DBS=()
stop() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop
  for db in "${DBS[@]}"; do psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc | xargs printf '%.2f'; }
ratio() { # a ÷ b, or n/a when b rounds to nothing
  if [ "$(echo "$2 > 0" | bc)" = 1 ]; then echo "$(echo "scale=3; $1 / $2" | bc | xargs printf '%.1f')×"; else echo "n/a"; fi
}
ROWS=()

# One statement computing every eligible person's bonus, as the policy does: salary × target
# % × 1.1 × the rating's multiplier × days employed in the cycle ÷ its days, rounded half-even
# to the cent (PostgreSQL's round() goes half away from zero, so the half-even step is spelled
# out); 90 days' tenure; active at the cycle's end.
PG_REFERENCE="CREATE TABLE bonus_ref AS
SELECT employee_id,
  (round(x * 100) - CASE WHEN x * 100 - floor(x * 100) = 0.5 AND floor(x * 100)::bigint % 2 = 0
                         THEN 1 ELSE 0 END) / 100 AS bonus
FROM (SELECT e.id AS employee_id,
        c.base_salary::numeric * c.bonus_target_pct::numeric / 100 * 1.1 * m.mult
          * (LEAST(COALESCE(e.left_on, cy.ends_on), cy.ends_on) - GREATEST(e.hired_on, cy.starts_on) + 1)
          / (cy.ends_on - cy.starts_on + 1) AS x
      FROM cycle cy
      JOIN review_round rr ON rr.cycle_id = cy.id AND rr.kind = 'ANNUAL'
      JOIN employee e ON e.hired_on <= cy.ends_on - 89 AND e.active
      JOIN LATERAL (SELECT base_salary, bonus_target_pct FROM compensation c
                    WHERE c.employee_id = e.id AND c.effective_on <= cy.ends_on
                    ORDER BY c.effective_on DESC LIMIT 1) c ON true
      JOIN review_rating r ON r.round_id = rr.id AND r.employee_id = e.id AND r.released_at IS NOT NULL
      JOIN (VALUES (5, 1.5), (4, 1.2), (3, 1.0), (2, 0.5), (1, 0.0)) m(rating, mult) ON m.rating = r.final_rating
      WHERE cy.phase = 'REWARDING') s"
# SQLite has no exact decimals: the same statement in floating point, for its time only.
SQLITE_REFERENCE="CREATE TABLE bonus_ref AS
SELECT e.id AS employee_id,
  round(CAST(c.base_salary AS REAL) * CAST(c.bonus_target_pct AS REAL) / 100 * 1.1 * m.mult
    * (julianday(MIN(COALESCE(e.left_on, cy.ends_on), cy.ends_on)) - julianday(MAX(e.hired_on, cy.starts_on)) + 1)
    / (julianday(cy.ends_on) - julianday(cy.starts_on) + 1), 2) AS bonus
FROM cycle cy
JOIN review_round rr ON rr.cycle_id = cy.id AND rr.kind = 'ANNUAL'
JOIN employee e ON julianday(e.hired_on) <= julianday(cy.ends_on) - 89 AND e.active
JOIN compensation c ON c.employee_id = e.id AND c.effective_on =
  (SELECT MAX(c2.effective_on) FROM compensation c2 WHERE c2.employee_id = e.id AND c2.effective_on <= cy.ends_on)
JOIN review_rating r ON r.round_id = rr.id AND r.employee_id = e.id AND r.released_at IS NOT NULL
JOIN (SELECT 5 AS rating, 1.5 AS mult UNION ALL SELECT 4, 1.2 UNION ALL SELECT 3, 1.0
      UNION ALL SELECT 2, 0.5 UNION ALL SELECT 1, 0.0) m ON m.rating = r.final_rating
WHERE cy.phase = 'REWARDING'"

run_case() { # backend (postgres|sqlite), N
  local backend=$1 n=$2
  local tag=reward_$$_${backend}_$n
  local dir=$work/$tag
  mkdir -p "$dir"
  local port=$((20000 + ($$ + n / 1000 + ${#backend}) % 10000))
  local secret
  secret=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
  local sql
  if [ "$backend" = postgres ]; then
    psql "$PG/postgres" -qc "CREATE DATABASE $tag"
    DBS+=("$tag")
    export DATABASE_URL=$PG/$tag REDIS_URL=$REDIS
    sql() { psql "$PG/$tag" -Atqc "$1"; }
  else
    export DATABASE_URL="sqlite://$dir/perfcycle.db"
    unset REDIS_URL
    sql() { sqlite3 "$dir/perfcycle.db" "$1"; }
  fi
  export PERFCYCLE_JWT_SECRET=$secret PERFCYCLE_PORT=$port PERFCYCLE_QUEUE_NAMESPACE=$tag \
    PERFCYCLE_DATA_DIR=$dir PERFCYCLE_JOB_SCHEDULE="* * * * * *" \
    PERFCYCLE_SCAN_SCHEDULE="0 0 0 1 1 * 2099" RUST_LOG=${RUST_LOG:-warn}
  # The run is polled from one address ten times a second: no rate limits.
  export PERFCYCLE_RATE_LIMIT_IP=0 PERFCYCLE_RATE_LIMIT_USER=0
  "$BIN" migrate >/dev/null
  local t seeded
  t=$(now)
  "$BIN" seed --employees "$n" --people-only --rewards > "$dir/seed.out"
  seeded=$(since "$t")
  # The seed loads every table in bulk; a database in use has had its rows vacuumed since. Without
  # this, whichever of the run and the statement reads the new rows first pays for settling them
  # (hint bits, the visibility map) while autovacuum competes for the same cores.
  [ "$backend" = postgres ] && sql "VACUUM ANALYZE" >/dev/null
  # On SQLite the seed leaves its rows in the write-ahead log (over 100 MB at 100 000 people),
  # which every read then looks through until a checkpoint moves them into the file; a database
  # in use checkpoints as it goes, and the statement, timed after the run, would find it done.
  [ "$backend" = sqlite ] && sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  local hr token cycle
  hr=$(sed -n 's/^HR admin: //p' "$dir/seed.out")
  token=$("$BIN" token --email "$hr")
  cycle=$(sed -n 's/^active cycle id: //p' "$dir/seed.out")
  "$BIN" serve > "$dir/serve.log" 2>&1 &
  PIDS+=($!)
  if [ "$backend" = postgres ]; then
    "$BIN" worker > "$dir/worker.log" 2>&1 &
    PIDS+=($!)
  fi
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  gql() {
    curl -sf "http://127.0.0.1:$port/graphql" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "$(jq -nc --arg q "$1" --argjson v "${2:-{\}}" '{query: $q, variables: $v}')"
  }
  local load_before run state run_s
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  t=$(now)
  run=$(gql 'mutation($c: ID!) { startRewardRun(input: { cycleId: $c }) { id } }' "{\"c\": \"$cycle\"}" |
    jq -r '.data.startRewardRun.id')
  # Polled with curl alone, the request made once: a poll that starts jq twice costs about 50 ms
  # of CPU, which ten polls a second take from the job on a machine of two cores.
  local poll
  poll=$(jq -nc --arg r "$run" '{query: "query($r: ID!) { rewardRun(id: $r) { status } }", variables: {r: $r}}')
  for _ in $(seq 36000); do
    curl -sf "http://127.0.0.1:$port/graphql" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "$poll" | grep -q '"status":"\(DONE\|FAILED\)"' && break
    sleep 0.1
  done
  run_s=$(since "$t")
  state=$(gql 'query($r: ID!) { rewardRun(id: $r) { status processed total } }' "{\"r\": \"$run\"}" |
    jq -r '.data.rewardRun | "\(.status) \(.processed) \(.total)"')
  local totals
  totals=$(gql 'query($r: ID!) { rewardRun(id: $r) { totals { rewarded kinds { kind count amount } budgets { before after } } } }' \
    "{\"r\": \"$run\"}" | jq -c '.data.rewardRun.totals | {rewarded, kinds: [.kinds[] | "\(.kind) \(.count)"], fitted: ([.budgets[] | select(.before != .after)] | length), pools: (.budgets | length)}')
  # The peak memory of the process that ran the job (the worker; on SQLite the server, which
  # runs the embedded one).
  local peak
  peak=$(awk '/^VmHWM/ { printf "%d MiB", $2 / 1024 }' "/proc/${PIDS[-1]}/status")
  stop
  # The job: from its start to its end (the run without the wait for the tick); its compute
  # phase: from its start to its last progress event.
  local compute_s job_s rows
  if [ "$backend" = postgres ]; then
    compute_s=$(sql "SELECT round(extract(epoch FROM (SELECT max(occurred_at) FROM domain_event WHERE kind = 'REWARD_RUN_PROGRESSED'))
      - extract(epoch FROM (SELECT started_at FROM background_job WHERE kind = 'REWARD_RUN')), 2)")
    job_s=$(sql "SELECT round(extract(epoch FROM finished_at) - extract(epoch FROM started_at), 2) FROM background_job WHERE kind = 'REWARD_RUN'")
  else
    compute_s=$(sql "SELECT round((julianday((SELECT max(occurred_at) FROM domain_event WHERE kind = 'REWARD_RUN_PROGRESSED'))
      - julianday((SELECT started_at FROM background_job WHERE kind = 'REWARD_RUN'))) * 86400, 2)")
    job_s=$(sql "SELECT round((julianday(finished_at) - julianday(started_at)) * 86400, 2) FROM background_job WHERE kind = 'REWARD_RUN'")
  fi
  # Reward lines (one per person rewarded) and the rewards they hold (one per kind).
  rows=$(sql "SELECT count(*) || ' lines, ' || coalesce(sum((kinds & 1) + ((kinds >> 1) & 1) + ((kinds >> 2) & 1) + ((kinds >> 3) & 1)), 0) || ' rewards' FROM reward_line")
  # The statement three times (its time varies by a fifth from one to the next): the median.
  local ref_s matching ref_rows refs=()
  for _ in 1 2 3; do
    sql "DROP TABLE IF EXISTS bonus_ref" >/dev/null 2>&1
    t=$(now)
    if [ "$backend" = postgres ]; then sql "$PG_REFERENCE"; else sql "$SQLITE_REFERENCE"; fi
    refs+=("$(since "$t")")
  done
  ref_s=$(printf '%s\n' "${refs[@]}" | sort -n | sed -n 2p)
  ref_rows=$(sql "SELECT count(*) FROM bonus_ref WHERE bonus > 0")
  if [ "$backend" = postgres ]; then
    matching=$(sql "SELECT count(*) FROM bonus_ref b JOIN reward_line w ON w.kinds & 4 <> 0 AND w.employee_id = b.employee_id
      WHERE w.proposed_bonus::numeric = b.bonus")
  else
    matching=$(sql "SELECT count(*) FROM bonus_ref b JOIN reward_line w ON w.kinds & 4 <> 0 AND w.employee_id = b.employee_id
      WHERE abs(CAST(w.proposed_bonus AS REAL) - b.bonus) < 0.0101")
  fi
  local ratio job_ratio
  ratio=$(ratio "$run_s" "$ref_s")
  job_ratio=$(ratio "$job_s" "$ref_s")
  ROWS+=("| $backend | $n | $seeded | $run_s ($state) | **$job_s** | $compute_s | **$ref_s** (${refs[*]}) | **$job_ratio** (run $ratio) | $rows | $matching of $ref_rows | $peak | $load_before → $(cut -d' ' -f1 /proc/loadavg) | \`$totals\` |")
  echo "${ROWS[-1]}"
}

[ "$N_PG" != 0 ] && run_case postgres "$N_PG"
[ "$N_BIG" != 0 ] && run_case postgres "$N_BIG"
[ "$N_SQLITE" != 0 ] && run_case sqlite "$N_SQLITE"

report=${REPORT:-bench/reports/reward-$(date -u +%F).md}
{
  echo "# The reward run at size"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) cores, $(uname -m), release build, PostgreSQL $(psql "$PG/postgres" -Atc 'SHOW server_version');"
  echo "batches of ${PERFCYCLE_REWARD_BATCH:-2000} people (\`PERFCYCLE_REWARD_BATCH\`); the job tick every second."
  echo "\"run\" is from \`startRewardRun\` to DONE as \`rewardRun\` reports it (polled every 0.1 s: up to a"
  echo "second of it is the wait for the tick); \"job\" is the run's job from its start to its end; \"compute\""
  echo "is the job's start to its last batch (people read and priced, their lines inserted); the rest of the"
  echo "job is the budget fit and the finish. The reference is one"
  echo "\`CREATE TABLE … AS SELECT\` computing only the bonuses (no raises, lump sums, days off, budgets);"
  echo "on SQLite in floating point (it has no exact decimals), so its bonuses are compared within a cent."
  echo
  echo "| backend | people | seed (s) | run (s) | job (s) | compute (s) | one statement (s), median of three | job ÷ statement | stored | bonuses equal to the statement's | job's process, peak memory | load (1 min) | totals |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for r in "${ROWS[@]}"; do echo "$r"; done
} > "$report"
cat "$report"
