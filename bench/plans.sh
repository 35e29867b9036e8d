#!/usr/bin/env bash
# The SQL of the everyday reads at scale on PostgreSQL, before and after the read indexes and
# keyset rewrite: plans (EXPLAIN ANALYZE) and execution times, written to
# bench/reports/plans-<date>.md. Numbers, not pass/fail.
#
#   bench/plans.sh [N]     N employees (default 100 000), PostgreSQL at $BENCH_PG
#                          (default postgres://postgres@127.0.0.1:5432); $BIN overrides the
#                          perfcycle binary used to migrate and seed (default: a release build).
#
# "Before" is the statements the offset/LIKE/OR version issued (page and totalCount, always),
# run in a transaction that drops the new indexes; "after" is the statements issued now (the
# page; the counts only when totalCount is selected, listed separately). Each statement runs 7
# times (warm cache) and its time is the median of the last 5. Values are inlined, so these
# are custom plans; the server binds them, which can only make the old LIKE and OR forms worse
# (a bound LIKE pattern cannot use an index in a generic plan).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=perfcycle_plans_$$
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p api
  BIN=target/release/perfcycle
fi
work=$(mktemp -d)
trap 'rm -rf "$work"; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql "$PG/postgres" -qc "CREATE DATABASE $DB"
URL="$PG/$DB"
DATABASE_URL=$URL PERFCYCLE_DATA_DIR=$work "$BIN" migrate >/dev/null
DATABASE_URL=$URL PERFCYCLE_DATA_DIR=$work "$BIN" seed --employees "$N" >/dev/null
psql "$URL" -q -f bench/plans/fill.sql >/dev/null
q() { psql "$URL" -Atc "$1"; }

# The people the reads are made as: the manager three levels down with the largest subtree
# (hundreds of people), a person without reports, and a day inside the check-in weeks.
MGR_PATH=$(q "SELECT substr(path, 1, 4 * 33 + 1) FROM employee WHERE length(path) >= 4 * 33 + 1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
MGR_ID=$(q "SELECT id FROM employee WHERE path = '$MGR_PATH'")
MGR_SIZE=$(q "SELECT count(*) FROM employee WHERE path LIKE '$MGR_PATH%'")
LEAF_PATH=$(q "SELECT path FROM employee e WHERE NOT EXISTS (SELECT 1 FROM employee r WHERE r.manager_id = e.id) ORDER BY path LIMIT 1")
LEAF_ID=$(q "SELECT id FROM employee WHERE path = '$LEAF_PATH'")
MGR_HI="${MGR_PATH%/}0"
LEAF_HI="${LEAF_PATH%/}0"
# Page 200 of 20: the cursor is the 3 980th row's key.
G200=$(q "SELECT created_at || '|' || id FROM goal ORDER BY created_at, id OFFSET 3979 LIMIT 1")
G200_AT=${G200%%|*}; G200_ID=${G200##*|}
C200=$(q "SELECT period_start || '|' || id FROM check_in ORDER BY period_start DESC, id DESC OFFSET 3979 LIMIT 1")
C200_ON=${C200%%|*}; C200_ID=${C200##*|}
DAY=2027-02-03
SEARCH='%berg%'
GOAL=$(q "SELECT string_agg(quote_literal(id), ',') FROM goal WHERE owner_id = '$LEAF_ID'")
REPORTS=$(q "SELECT string_agg(quote_literal(id), ',') FROM employee WHERE manager_id = '$MGR_ID'")

NEW_INDEXES="idx_goal_created, idx_goal_owner_created, idx_goal_public_created, idx_check_in_period,
  idx_check_in_employee_period, idx_employee_name_id, idx_employee_manager_name, idx_feedback_created,
  idx_feedback_author_created, idx_feedback_public_created,
  idx_employee_path_c, idx_employee_name_trgm, idx_employee_email_trgm, idx_employee_title_trgm"

SUB_MGR="SELECT employee.id FROM employee WHERE employee.path COLLATE \"C\" >= '$MGR_PATH' AND employee.path COLLATE \"C\" < '$MGR_HI'"
SUB_LEAF="SELECT employee.id FROM employee WHERE employee.path COLLATE \"C\" >= '$LEAF_PATH' AND employee.path COLLATE \"C\" < '$LEAF_HI'"
PUBLIC="goal.visibility = 'PUBLIC' AND goal.level <> 'INDIVIDUAL'"
LIKE_SEARCH="employee.active AND (lower(employee.name) LIKE '$SEARCH' ESCAPE '\\' OR lower(employee.email) LIKE '$SEARCH' ESCAPE '\\' OR lower(employee.title) LIKE '$SEARCH' ESCAPE '\\')"

# measure <drop: 0|1> <sql> → "<median ms>" on stdout, the last plan in $work/plan
measure() {
  local f=$work/q.sql out=$work/out
  {
    echo "\\set ON_ERROR_STOP 1"
    echo "BEGIN;"
    [ "$1" = 1 ] && echo "DROP INDEX IF EXISTS $NEW_INDEXES;"
    echo "PREPARE q AS $2;"
    for _ in 1 2 3 4 5 6 7; do echo "\\echo @@run"; echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE q;"; done
    echo "ROLLBACK;"
  } > "$f"
  psql "$URL" -Aqt -f "$f" > "$out"
  awk '/^@@run/{n++; plan=""; next} {plan = plan $0 "\n"} END{printf "%s", plan}' "$out" > "$work/plan"
  grep -o 'Execution Time: [0-9.]*' "$out" | awk '{print $3}' | tail -5 | sort -n | sed -n 3p
}

report=bench/reports/plans-$(date -u +%F).md
rows() { q "SELECT string_agg(relname || ' ' || n_live_tup, ', ' ORDER BY n_live_tup DESC) FROM pg_stat_user_tables WHERE n_live_tup > 1000"; }
{
  echo "# The everyday reads at scale: plans and times"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) cores, PostgreSQL $(q 'SHOW server_version'), collation $(q 'SELECT datcollate FROM pg_database WHERE datname = current_database()')."
  echo "Rows: $(rows). A manager $(( ${#MGR_PATH} / 33 - 1 )) levels below the top with $MGR_SIZE people at or below them; a person without reports."
  echo
  echo "Made by \`bench/plans.sh $N\`. Times are PostgreSQL's execution time of each statement (median of"
  echo "runs 3-7, warm cache, values inlined), summed per read. Before: the"
  echo "statements of the offset version (page + totalCount every time) without the new indexes."
  echo "After: the statements issued now; totalCount is counted only when selected (last column)."
  echo
  echo "| read | before: page + count (ms) | after: page (ms) | after: count, when asked (ms) |"
  echo "|---|---:|---:|---:|"
} > "$report"
plans=$work/plans.md
: > "$plans"

# read <name> <before statements, ;; separated> <after page statements> <after count statements>
read_row() {
  local name=$1 total sum s t
  local -a cols=()
  for spec in "0:$2" "1:$3" "1:$4"; do
    local after=${spec%%:*} stmts=${spec#*:}
    sum=0
    if [ -n "$stmts" ]; then
      IFS=$'\x1e' read -r -d '' -a list < <(printf '%s\x1e' "${stmts//;;/$'\x1e'}") || true
      for s in "${list[@]}"; do
        [ -z "${s// }" ] && continue
        t=$(measure "$([ "$after" = 1 ] && echo 0 || echo 1)" "$s")
        sum=$(awk -v a="$sum" -v b="$t" 'BEGIN{printf "%.2f", a + b}')
        {
          echo "### $name — $([ "$after" = 1 ] && echo after || echo before)"
          echo
          echo '```sql'
          echo "$s"
          echo '```'
          echo '```'
          cat "$work/plan"
          echo '```'
          echo
        } >> "$plans"
      done
      cols+=("$sum")
    else
      cols+=("—")
    fi
  done
  echo "| $name | ${cols[0]} | ${cols[1]} | ${cols[2]} |" >> "$report"
}

# A manager's goals (subtree + public team goals), page 1.
read_row "manager: goals page 1" \
  "SELECT * FROM goal WHERE (goal.owner_id IN (SELECT employee.id FROM employee WHERE employee.path LIKE '$MGR_PATH%') OR (goal.visibility = 'PUBLIC' AND goal.level <> 'INDIVIDUAL')) ORDER BY goal.created_at, goal.id LIMIT 20 OFFSET 0;;SELECT COUNT(*) FROM goal WHERE (goal.owner_id IN (SELECT employee.id FROM employee WHERE employee.path LIKE '$MGR_PATH%') OR (goal.visibility = 'PUBLIC' AND goal.level <> 'INDIVIDUAL'))" \
  "SELECT * FROM goal WHERE goal.owner_id = ANY(ARRAY ($SUB_MGR)) ORDER BY goal.created_at, goal.id LIMIT 21;;SELECT * FROM goal WHERE ($PUBLIC) AND goal.owner_id NOT IN ($SUB_MGR) ORDER BY goal.created_at, goal.id LIMIT 21" \
  "SELECT COUNT(*) FROM goal WHERE goal.owner_id = ANY(ARRAY ($SUB_MGR));;SELECT COUNT(*) FROM goal WHERE ($PUBLIC) AND goal.owner_id NOT IN ($SUB_MGR)"

# An employee's own goals with their key results.
read_row "employee: own goals + key results" \
  "SELECT * FROM goal WHERE (goal.owner_id IN (SELECT employee.id FROM employee WHERE employee.path LIKE '$LEAF_PATH%') OR (goal.visibility = 'PUBLIC' AND goal.level <> 'INDIVIDUAL')) AND goal.owner_id = '$LEAF_ID' ORDER BY goal.created_at, goal.id LIMIT 20 OFFSET 0;;SELECT COUNT(*) FROM goal WHERE (goal.owner_id IN (SELECT employee.id FROM employee WHERE employee.path LIKE '$LEAF_PATH%') OR (goal.visibility = 'PUBLIC' AND goal.level <> 'INDIVIDUAL')) AND goal.owner_id = '$LEAF_ID';;SELECT * FROM key_result WHERE goal_id IN ($GOAL)" \
  "SELECT * FROM goal WHERE goal.owner_id = '$LEAF_ID' AND goal.owner_id = ANY(ARRAY ($SUB_LEAF)) ORDER BY goal.created_at, goal.id LIMIT 21;;SELECT * FROM goal WHERE goal.owner_id = '$LEAF_ID' AND ($PUBLIC) AND goal.owner_id NOT IN ($SUB_LEAF) ORDER BY goal.created_at, goal.id LIMIT 21;;SELECT * FROM key_result WHERE goal_id IN ($GOAL)" \
  ""

# HR's goals, pages 1 and 200.
read_row "HR: goals page 1" \
  "SELECT * FROM goal ORDER BY goal.created_at, goal.id LIMIT 20 OFFSET 0;;SELECT COUNT(*) FROM goal" \
  "SELECT * FROM goal ORDER BY goal.created_at, goal.id LIMIT 21" \
  "SELECT COUNT(*) FROM goal"
read_row "HR: goals page 200" \
  "SELECT * FROM goal ORDER BY goal.created_at, goal.id LIMIT 20 OFFSET 3980;;SELECT COUNT(*) FROM goal" \
  "SELECT * FROM goal WHERE (goal.created_at, goal.id) > ('$G200_AT', '$G200_ID') ORDER BY goal.created_at, goal.id LIMIT 21" \
  ""

# A manager's check-ins (subtree), HR's page 200, and a manager's team for one day.
read_row "manager: checkIns page 1" \
  "SELECT * FROM check_in WHERE check_in.employee_id IN (SELECT employee.id FROM employee WHERE employee.path LIKE '$MGR_PATH%') ORDER BY check_in.period_start DESC, check_in.id LIMIT 20 OFFSET 0;;SELECT COUNT(*) FROM check_in WHERE check_in.employee_id IN (SELECT employee.id FROM employee WHERE employee.path LIKE '$MGR_PATH%')" \
  "SELECT * FROM check_in WHERE check_in.employee_id = ANY(ARRAY ($SUB_MGR)) ORDER BY check_in.period_start DESC, check_in.id DESC LIMIT 21" \
  "SELECT COUNT(*) FROM check_in WHERE check_in.employee_id = ANY(ARRAY ($SUB_MGR))"
read_row "HR: checkIns page 200" \
  "SELECT * FROM check_in ORDER BY check_in.period_start DESC, check_in.id LIMIT 20 OFFSET 3980;;SELECT COUNT(*) FROM check_in" \
  "SELECT * FROM check_in WHERE (check_in.period_start, check_in.id) < ('$C200_ON', '$C200_ID') ORDER BY check_in.period_start DESC, check_in.id DESC LIMIT 21" \
  "SELECT COUNT(*) FROM check_in"
read_row "manager: teamCheckIns" \
  "SELECT * FROM employee WHERE employee.active AND employee.manager_id IN ('$MGR_ID') ORDER BY employee.name, employee.id;;SELECT * FROM check_in WHERE check_in.period_start <= '$DAY' AND check_in.period_end >= '$DAY' AND check_in.employee_id IN ($REPORTS) ORDER BY check_in.period_start" \
  "SELECT * FROM employee WHERE employee.active AND employee.manager_id IN ('$MGR_ID') ORDER BY employee.name, employee.id;;SELECT * FROM check_in WHERE check_in.period_start <= '$DAY' AND check_in.period_end >= '$DAY' AND check_in.employee_id IN ($REPORTS) ORDER BY check_in.period_start" \
  ""
read_row "manager: team with goals" \
  "SELECT * FROM employee WHERE employee.active AND employee.manager_id IN ('$MGR_ID') ORDER BY employee.name, employee.id;;SELECT * FROM goal WHERE goal.owner_id IN ($REPORTS) ORDER BY goal.created_at, goal.id" \
  "SELECT * FROM employee WHERE employee.active AND employee.manager_id IN ('$MGR_ID') ORDER BY employee.name, employee.id;;SELECT * FROM goal WHERE goal.owner_id IN ($REPORTS) ORDER BY goal.created_at, goal.id" \
  ""

# HR's directory search.
read_row "HR: employees search" \
  "SELECT * FROM employee WHERE $LIKE_SEARCH ORDER BY employee.name, employee.id LIMIT 20 OFFSET 0;;SELECT COUNT(*) FROM employee WHERE $LIKE_SEARCH" \
  "SELECT * FROM employee WHERE $LIKE_SEARCH ORDER BY employee.name, employee.id LIMIT 21" \
  "SELECT COUNT(*) FROM employee WHERE $LIKE_SEARCH"

# Feedback an employee may read.
read_row "employee: feedback page 1" \
  "SELECT * FROM feedback WHERE (feedback.visibility = 'PUBLIC' OR feedback.author_id = '$LEAF_ID' OR feedback.recipient_id IN (SELECT employee.id FROM employee WHERE employee.path LIKE '$LEAF_PATH%')) ORDER BY feedback.created_at DESC, feedback.id LIMIT 20 OFFSET 0;;SELECT COUNT(*) FROM feedback WHERE (feedback.visibility = 'PUBLIC' OR feedback.author_id = '$LEAF_ID' OR feedback.recipient_id IN (SELECT employee.id FROM employee WHERE employee.path LIKE '$LEAF_PATH%'))" \
  "SELECT * FROM feedback WHERE feedback.recipient_id = ANY(ARRAY ($SUB_LEAF)) ORDER BY feedback.created_at DESC, feedback.id DESC LIMIT 21;;SELECT * FROM feedback WHERE feedback.author_id = '$LEAF_ID' AND feedback.recipient_id NOT IN ($SUB_LEAF) ORDER BY feedback.created_at DESC, feedback.id DESC LIMIT 21;;SELECT * FROM feedback WHERE feedback.visibility = 'PUBLIC' AND feedback.author_id <> '$LEAF_ID' AND feedback.recipient_id NOT IN ($SUB_LEAF) ORDER BY feedback.created_at DESC, feedback.id DESC LIMIT 21" \
  "SELECT COUNT(*) FROM feedback WHERE feedback.recipient_id = ANY(ARRAY ($SUB_LEAF));;SELECT COUNT(*) FROM feedback WHERE feedback.author_id = '$LEAF_ID' AND feedback.recipient_id NOT IN ($SUB_LEAF);;SELECT COUNT(*) FROM feedback WHERE feedback.visibility = 'PUBLIC' AND feedback.author_id <> '$LEAF_ID' AND feedback.recipient_id NOT IN ($SUB_LEAF)"

{
  echo
  echo "## Plans"
  echo
  echo "The last execution of each statement (values inlined here; the server binds them)."
  echo
  cat "$plans"
} >> "$report"
echo "wrote $report"
