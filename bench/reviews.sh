#!/usr/bin/env bash
# The review stage's background jobs at size: a generated organisation of N people (default
# 100 000) on PostgreSQL, `perfcycle serve` (release) and one `perfcycle worker` on Redis
# claiming jobs every second. Times the launch (every eligible person's SELF, MANAGER and
# UPWARD reviews), a second launch (which must create nothing), the close (expiry and every
# reviewee scored), HR's calibration view and the release (every rating released and its
# e-mail queued). Writes bench/reports/reviews-<date>.md. Numbers, not pass/fail.
#
#   bench/reviews.sh [N]   PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
#                          Redis at $BENCH_REDIS (default redis://127.0.0.1:6379)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}
DB=perfcycle_reviews_$$
T=${CARGO_TARGET_DIR:-target}
BIN=$T/release/perfcycle
cargo build --release -q -p api
work=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
PORT=$((20000 + $$ % 10000))
URL=http://127.0.0.1:$PORT/graphql
export DATABASE_URL=$PG/$DB REDIS_URL=$REDIS PERFCYCLE_JWT_SECRET=$SECRET PERFCYCLE_PORT=$PORT \
  PERFCYCLE_QUEUE_NAMESPACE=$DB PERFCYCLE_DATA_DIR=$work PERFCYCLE_JOB_SCHEDULE="* * * * * *" \
  PERFCYCLE_SCAN_SCHEDULE="*/10 * * * * *" RUST_LOG=${RUST_LOG:-warn}
# The load comes from one address and a few users: no rate limits.
export PERFCYCLE_RATE_LIMIT_IP=0 PERFCYCLE_RATE_LIMIT_USER=0

psql "$PG/postgres" -qc "CREATE DATABASE $DB"
"$BIN" migrate >/dev/null
started=$SECONDS
"$BIN" seed --employees "$N" > "$work/seed.out"
seeded=$((SECONDS - started))
HR=$(sed -n 's/^HR admin: //p' "$work/seed.out")
TOKEN=$("$BIN" token --email "$HR")
"$BIN" serve > "$work/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

gql() { # query, variables (JSON) → response body
  curl -sf "$URL" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "$(jq -nc --arg q "$1" --argjson v "${2:-{\}}" '{query: $q, variables: $v}')"
}
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc | xargs printf '%.1f'; }
job() { # field of reviewRound: launch | closing | release → "STATUS processed total"
  gql "query(\$r: ID!) { reviewRound(id: \$r) { $1 { status processed total } } }" "{\"r\": \"$ROUND\"}" |
    jq -r ".data.reviewRound.$1 | \"\(.status) \(.processed) \(.total)\""
}
wait_done() { # field, seconds allowed
  for _ in $(seq $(($2 * 10))); do
    state=$(job "$1")
    case $state in DONE*|FAILED*) echo "$state"; return;; esac
    sleep 0.1
  done
  echo "TIMEOUT $state"
}
count() { psql "$PG/$DB" -Atc "SELECT count(*) FROM $1"; }

CYCLE=$(gql '{ cycles { id } }' | jq -r '.data.cycles[0].id')
ROUND=$(gql 'query($c: ID!) { reviewRounds(cycleId: $c) { id kind } }' "{\"c\": \"$CYCLE\"}" |
  jq -r '.data.reviewRounds[] | select(.kind == "ANNUAL") | .id')
TEMPLATE=$(gql 'mutation($i: CreateReviewTemplateInput!) { createReviewTemplate(input: $i) { id } }' \
  '{"i": {"name": "Annual", "scaleLabels": ["1","2","3","4","5"], "questions": [
     {"kind": "RATING", "prompt": "Delivers", "required": true, "kinds": ["SELF","MANAGER","PEER","UPWARD"]},
     {"kind": "TEXT", "prompt": "Keep doing", "kinds": ["SELF","MANAGER","PEER","UPWARD"]}]}}' |
  jq -r '.data.createReviewTemplate.id')
gql 'mutation($r: ID!, $t: ID!) { updateReviewRound(id: $r, settings: { templateId: $t }) { id } }' \
  "{\"r\": \"$ROUND\", \"t\": \"$TEMPLATE\"}" >/dev/null

# The worker starts after the launch is queued, so the timing covers the whole job.
t=$(now)
gql 'mutation($r: ID!) { launchReviews(roundId: $r) { id } }' "{\"r\": \"$ROUND\"}" >/dev/null
"$BIN" worker > "$work/worker.log" 2>&1 &
PIDS+=($!)
launch=$(wait_done launch 600)
launch_s=$(since "$t")
reviews=$(count review)
t=$(now)
gql 'mutation($r: ID!) { launchReviews(roundId: $r) { id } }' "{\"r\": \"$ROUND\"}" >/dev/null
sleep 1.5
relaunch=$(wait_done launch 600)
relaunch_s=$(since "$t")
reviews_again=$(count review)

# A third of the self and manager reviews submitted straight in the database (the API's
# path is measured by the tests; this is about the close job's scoring at size).
psql "$PG/$DB" -qc "UPDATE review SET status = 'SUBMITTED', overall_rating = 1 + (abs(hashtext(id::text)) % 5),
  potential = 'MEDIUM', submitted_at = now() WHERE kind IN ('OWN', 'MANAGER') AND abs(hashtext(id::text)) % 3 = 0"
# The window ends: the schedule queues the close job within ten seconds.
psql "$PG/$DB" -qc "UPDATE review_round SET opens_on = current_date - 40, due_on = current_date - 30,
  closes_on = current_date - 20 WHERE id = '$ROUND'"
t=$(now)
for _ in $(seq 300); do [ "$(job closing)" != "null null null" ] && break; sleep 0.1; done
closing=$(wait_done closing 900)
closing_s=$(since "$t")
ratings=$(count "review_rating WHERE score IS NOT NULL")
expired=$(count "review WHERE status = 'EXPIRED'")
t=$(now)
calibration=$(gql 'query($r: ID!) { calibration(roundId: $r) { overall { rated unrated } leniency { mean } } }' \
  "{\"r\": \"$ROUND\"}" | jq -c '.data.calibration | {rated: .overall.rated, unrated: .overall.unrated, managers: (.leniency | length)}')
calibration_s=$(since "$t")
t=$(now)
gql 'mutation($r: ID!) { releaseRatings(input: { roundId: $r }) { id } }' "{\"r\": \"$ROUND\"}" >/dev/null
release=$(wait_done release 900)
release_s=$(since "$t")
letters=$(count "email_outbox WHERE dedupe_key LIKE 'rating-released:%'")

report=bench/reports/reviews-$(date -u +%F).md
{
  echo "# Review jobs at $N people (PostgreSQL + Redis)"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) cores, $(uname -m), release build, PostgreSQL $(psql "$PG/postgres" -Atc 'SHOW server_version');"
  echo "one \`perfcycle serve\` and one \`perfcycle worker\` (job tick every second); seeded in ${seeded} s."
  echo "Times are from the request to the job's DONE as \`reviewRound\` reports it (polled every 0.1 s),"
  echo "so they include up to a second of waiting for the worker's tick."
  echo
  echo "| step | time (s) | job (status processed total) | result |"
  echo "|---|---|---|---|"
  echo "| launchReviews | $launch_s | $launch | $reviews reviews |"
  echo "| launchReviews again | $relaunch_s | $relaunch | $reviews_again reviews (nothing new) |"
  echo "| close: expiry + scoring | $closing_s (from the window's end, incl. the 10 s schedule) | $closing | $ratings scores, $expired expired |"
  echo "| calibration (whole organisation, one request) | $calibration_s | | $calibration |"
  echo "| releaseRatings | $release_s | $release | $letters release e-mails queued |"
  echo
  echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
} > "$report"
cat "$report"
