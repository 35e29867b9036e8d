//! The compute step of a reward run on PostgreSQL as one statement per batch: the batch's
//! people, their pay as of the cycle's end, grade, released rating and earlier approvals are
//! joined, every rule of [`super::calc::compute`] applied in exact `numeric` arithmetic (the
//! same order of operations, one division last, half-even rounding to the currency's minor
//! unit), the rewards inserted, and the batch's counts returned, all in the database. SQLite
//! has no exact decimal type, so it runs the same rules in Rust; a test runs both over one
//! generated organisation and compares every row.
//!
//! Every value written into the statement's text is a validated number, date, id or one of
//! the code's own names: nothing a client typed. The insert has no `ON CONFLICT`: a batch's
//! rows commit with the cursor that moves past them, so a batch never meets its own rows
//! (and the unique index would refuse them if it did).

use super::engine::BatchOf;
use super::money::CURRENCIES;
use super::run::Totals;
use crate::error::DomainResult;
use crate::values::RewardKind;
use entity::values::DecimalText;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

/// `x` (non-negative) rounded half-even to `minor` decimals, in SQL.
fn half_even(x: &str, minor: &str) -> String {
    let scaled = format!("(({x}) * power(10::numeric, {minor}))");
    format!(
        "((round({scaled}) - CASE WHEN {scaled} - floor({scaled}) = 0.5 \
         AND mod(floor({scaled}), 2) = 0 THEN 1 ELSE 0 END) / power(10::numeric, {minor}))"
    )
}

/// The statement for the batch of people with ids after `after` up to `upto` (along the
/// primary key).
fn statement(b: &BatchOf<'_>, after: Option<Uuid>, upto: Uuid) -> String {
    let p = b.policy;
    let (start, end) = (b.span.starts_on, b.span.ends_on);
    let days = b.span.days();
    let currencies: Vec<String> = CURRENCIES
        .iter()
        .map(|(code, minor)| format!("WHEN '{code}' THEN {minor}"))
        .collect();
    let rules: Vec<String> = p
        .ratings
        .iter()
        .map(|r| {
            let pcts: Vec<String> = r.raise_pcts.iter().map(|x| x.0.to_string()).collect();
            format!(
                "({}, ARRAY[{}]::numeric[], {}::numeric, {}::numeric)",
                r.rating,
                pcts.join(", "),
                r.bonus_multiplier.0,
                r.pto_days.0
            )
        })
        .collect();
    let bounds: Vec<String> = p.compa_bands.iter().map(|b| b.0.to_string()).collect();
    let cap = p.raise_cap_pct.map_or_else(
        || "NULL::numeric".to_owned(),
        |c| format!("{}::numeric", c.0),
    );
    let after = after.map_or_else(|| "TRUE".to_owned(), |a| format!("e.id > '{a}'"));
    let round = b
        .round
        .map_or_else(|| "NULL::uuid".to_owned(), |r| format!("'{r}'::uuid"));
    let (run, cycle) = (b.run.id, b.run.cycle_id);
    let company = p.company_multiplier.0;
    let raise = half_even("salary * applied / 100", "minor");
    let bonus = half_even(
        &format!("salary * pct * {company} * mult * employed / (100 * {days})"),
        "minor",
    );
    let compa = half_even("salary / mid", "4");
    let require_active = p.require_active_at_cycle_end;
    let min_tenure = p.min_tenure_days;
    let status = b.status.as_str();
    let effective_on = b.effective_on;
    let now = b.now.to_rfc3339();
    format!(
        "WITH people AS (
  SELECT e.id, e.department_id, e.hired_on, e.active, e.left_on,
         GREATEST(e.hired_on, DATE '{start}') AS first_day,
         LEAST(COALESCE(e.left_on, DATE '{end}'), DATE '{end}') AS last_day,
         (e.left_on IS NOT NULL AND e.left_on < DATE '{end}') AS left_early
  FROM employee e
  WHERE {after} AND e.id <= '{upto}' AND e.hired_on <= DATE '{end}'
    AND (e.left_on IS NULL OR e.left_on >= DATE '{start}')
), inputs AS (
  SELECT p.*, pay.salary, pay.pct, pay.currency, CASE pay.currency {currencies} END AS minor,
         g.range_mid::numeric AS mid,
         g.range_max::numeric AS max, rr.final_rating AS rating,
         EXISTS (SELECT 1 FROM reward a WHERE a.cycle_id = '{cycle}' AND a.employee_id = p.id
                   AND a.status IN ('APPROVED', 'COMMUNICATED') AND a.run_id IS NOT NULL
                   AND a.run_id <> '{run}') AS approved
  FROM people p
  LEFT JOIN LATERAL (SELECT c.base_salary::numeric AS salary, c.bonus_target_pct::numeric AS pct,
                            c.currency, c.pay_grade_id
                     FROM compensation c
                     WHERE c.employee_id = p.id AND c.effective_on <= p.last_day
                     ORDER BY c.effective_on DESC LIMIT 1) pay ON TRUE
  LEFT JOIN pay_grade g ON g.id = pay.pay_grade_id AND g.currency = pay.currency
  -- One index probe per person (a plain join hashed every rating of the round per batch).
  LEFT JOIN LATERAL (SELECT r.final_rating FROM review_rating r
                     WHERE r.round_id = {round} AND r.employee_id = p.id
                       AND r.released_at IS NOT NULL) rr ON TRUE
), judged AS (
  SELECT i.*, CASE
      WHEN approved THEN 'ALREADY_APPROVED'
      WHEN NOT active AND left_on IS NULL THEN 'LEFT_BEFORE_CYCLE_END'
      WHEN {require_active} AND left_early THEN 'LEFT_BEFORE_CYCLE_END'
      WHEN DATE '{end}' - hired_on + 1 < {min_tenure} THEN 'TENURE_TOO_SHORT'
      WHEN salary IS NULL OR minor IS NULL THEN 'NO_COMPENSATION'
      WHEN rating IS NULL THEN 'NO_RATING'
    END AS skip
  FROM inputs i
), priced AS (
  SELECT j.*, r.mult, r.pto, r.pcts[band.n + 1] AS raise_pct,
         LEAST(r.pcts[band.n + 1], {cap}) AS applied, band.n AS band,
         last_day - first_day + 1 AS employed
  FROM judged j
  JOIN (VALUES {rules}) r(rating, pcts, mult, pto) ON r.rating = j.rating
  CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM unnest(ARRAY[{bounds}]::numeric[]) b
                      WHERE CASE WHEN j.mid IS NULL THEN 1 >= b ELSE j.salary >= b * j.mid END) band
  WHERE j.skip IS NULL
), amounts AS (
  SELECT q.*, {raise} AS raise, {bonus} AS bonus,
         CASE WHEN mid IS NULL THEN NULL ELSE {compa} END AS compa
  FROM priced q
), split AS (
  SELECT a.*, CASE WHEN max IS NULL THEN raise ELSE LEAST(raise, GREATEST(max - salary, 0)) END AS merit,
         json_build_object('salary', trim_scale(salary)::text, 'compaRatio', trim_scale(compa)::text,
           'band', band, 'raisePct', trim_scale(raise_pct)::text, 'appliedPct', trim_scale(applied)::text,
           'raise', raise::text, 'rangeMax', trim_scale(max)::text) AS raise_details,
         CASE WHEN applied < raise_pct THEN ' (capped from ' || trim_scale(raise_pct) || '%)' ELSE '' END AS capped_note
  FROM amounts a
), out_rows AS (
  SELECT id, department_id, rating, 'MERIT_INCREASE' AS kind, merit AS amount, currency,
         raise_details AS details,
         'rating ' || rating || ', ' || trim_scale(applied) || '% raise' || capped_note AS rationale
  FROM split WHERE NOT left_early AND merit > 0
  UNION ALL
  SELECT id, department_id, rating, 'LUMP_SUM', raise - merit, currency, raise_details,
         'the part of a ' || trim_scale(applied) || '% raise above the pay range''s maximum, paid once'
  FROM split WHERE NOT left_early AND raise - merit > 0
  UNION ALL
  SELECT id, department_id, rating, 'BONUS', bonus, currency,
         json_build_object('salary', trim_scale(salary)::text, 'targetPct', trim_scale(pct)::text,
           'companyMultiplier', '{company_text}', 'ratingMultiplier', trim_scale(mult)::text,
           'employedDays', employed, 'cycleDays', {days}),
         CASE WHEN employed < {days}
              THEN 'rating ' || rating || '; employed ' || employed || ' of the cycle''s {days} days'
              ELSE 'rating ' || rating END
  FROM split WHERE bonus > 0
  UNION ALL
  SELECT id, department_id, rating, 'PTO', trim_scale(pto), '',
         json_build_object('days', trim_scale(pto)::text), 'rating ' || rating
  FROM split WHERE NOT left_early AND pto > 0
), ins AS (
  INSERT INTO reward (id, run_id, cycle_id, employee_id, department_id, kind, status, amount,
                      proposed_amount, currency, rating, details, rationale, effective_on, given_by,
                      approved_by, approved_at, communicated_at, created_at)
  SELECT gen_random_uuid(), '{run}', '{cycle}', id, department_id, kind, '{status}',
         trim_scale(amount)::text, trim_scale(amount)::text, currency, rating, details, rationale,
         DATE '{effective_on}', NULL, NULL, NULL, NULL, TIMESTAMPTZ '{now}'
  FROM out_rows
  RETURNING employee_id, kind, currency, amount
)
SELECT 'people' AS what, '' AS key, '' AS currency, count(*) AS n, '0' AS total FROM judged
UNION ALL SELECT 'skip', skip, '', count(*), '0' FROM judged WHERE skip IS NOT NULL GROUP BY skip
UNION ALL SELECT 'kind', kind, currency, count(*), sum(amount::numeric)::text FROM ins GROUP BY kind, currency
UNION ALL SELECT 'rewarded', '', '', count(DISTINCT employee_id), '0' FROM ins",
        currencies = currencies.join(" "),
        rules = rules.join(", "),
        bounds = if bounds.is_empty() { "NULL".to_owned() } else { bounds.join(", ") },
        company_text = company.normalize(),
    )
}

/// Computes and inserts the batch after `after` up to `upto` on PostgreSQL, adding its counts
/// to `totals`.
pub async fn compute_batch(
    txn: &impl ConnectionTrait,
    batch: &BatchOf<'_>,
    after: Option<Uuid>,
    upto: Uuid,
    totals: &mut Totals,
) -> DomainResult<()> {
    let sql = statement(batch, after, upto);
    let rows = txn
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?;
    for row in rows {
        let what: String = row.try_get("", "what")?;
        let key: Option<String> = row.try_get("", "key")?;
        let currency: Option<String> = row.try_get("", "currency")?;
        let n: i64 = row.try_get("", "n")?;
        let total: Option<String> = row.try_get("", "total")?;
        let key = key.unwrap_or_default();
        match what.as_str() {
            "people" => totals.people += n,
            "rewarded" => totals.rewarded += n,
            "skip" => *totals.skipped.entry(key).or_default() += n,
            "kind" => {
                let kind: RewardKind = key
                    .parse()
                    .map_err(|e| crate::DomainError::Internal(format!("reward batch: {e}")))?;
                let sum: DecimalText = total
                    .unwrap_or_default()
                    .parse()
                    .map_err(|e| crate::DomainError::Internal(format!("reward batch: {e}")))?;
                let t = totals.kind_mut(kind, &currency.unwrap_or_default());
                t.count += n;
                t.proposed.0 += sum.0;
                t.amount.0 += sum.0;
            }
            other => {
                return Err(crate::DomainError::Internal(format!(
                    "reward batch: unexpected row {other}"
                )));
            }
        }
    }
    Ok(())
}
