//! The compute step of a reward run, on every backend: a batch's people and their inputs are
//! read with one statement (pay as of the cycle's end, grade, released rating, earlier
//! approvals), [`super::calc::assess`] prices each person here in exact decimals, and their
//! lines are inserted a chunk at a time, the batch's counts added to the run's totals in the
//! batch's transaction.
//!
//! One engine for both backends: a batch costs one read and one multi-row insert per chunk;
//! pricing a person in Rust costs microseconds.

use super::budget::{self, Fitted};
use super::calc::{self, Pay, Person, Range, Span};
use super::lines::{self, LineOf};
use super::money::Currency;
use super::policy::Policy;
use super::run::Totals;
use crate::error::{DomainError, DomainResult};
use crate::values::{RewardKind, RewardStatus};
use chrono::{DateTime, NaiveDate, Utc};
use entity::values::DecimalText;
use entity::{reward_line, reward_run};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, Statement};
use uuid::Uuid;

/// Lines per insert statement at most (25 values each, under SQLite's bind limit).
const INSERT_CHUNK: usize = 1024;

/// `rows` cut into insert statements: full chunks, then the rest in powers of two. Each size
/// is one statement text, prepared once per connection and reused (a 1000-line insert takes
/// PostgreSQL about 20 ms to parse), so a run prepares at most eleven.
fn chunks<T>(rows: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = rows;
    let mut size = INSERT_CHUNK;
    while !rest.is_empty() {
        while size > rest.len() {
            size /= 2;
        }
        let (chunk, tail) = rest.split_at(size);
        out.push(chunk);
        rest = tail;
    }
    out
}

/// What a compute batch needs to know.
pub(super) struct BatchOf<'a> {
    pub run: &'a reward_run::Model,
    pub policy: &'a Policy,
    pub span: Span,
    pub round: Option<Uuid>,
    pub status: RewardStatus,
    pub effective_on: NaiveDate,
    pub now: DateTime<Utc>,
}

/// The statuses of approved rewards.
const APPROVED: &str = "status IN ('APPROVED', 'COMMUNICATED')";

/// Whether any reward of `b`'s cycle from another run is approved.
async fn any_approved(txn: &impl ConnectionTrait, b: &BatchOf<'_>) -> DomainResult<bool> {
    let backend = txn.get_database_backend();
    let (cycle, run) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?1", "?2"),
    };
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM reward_line WHERE cycle_id = {cycle} AND run_id <> {run}
                          AND {APPROVED})
             OR EXISTS (SELECT 1 FROM reward WHERE cycle_id = {cycle} AND run_id IS NOT NULL
                          AND run_id <> {run} AND {APPROVED}) AS found"
    );
    let values = vec![b.run.cycle_id.into(), b.run.id.into()];
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "found")?,
        None => false,
    })
}

/// A batch's person: who they are and what the calculation needs of them.
struct Candidate {
    id: Uuid,
    department_id: Option<Uuid>,
    person: Person,
}

/// Whom a batch takes.
pub(super) enum Scope<'a> {
    /// Everyone in a department with a budget, whose pools are fitted before anything is
    /// written.
    Department(Uuid),
    /// Up to `limit` people after `after` (along the employee id) outside those departments.
    Others {
        after: Option<Uuid>,
        limit: u64,
        budgeted: &'a [Uuid],
    },
}

/// The batch `scope` takes, priced (and fitted to its department's budget) and its lines
/// inserted, its counts added to `totals`. Returns how many people it held and the last one's
/// id (none: nobody).
pub(super) async fn compute_batch(
    txn: &impl ConnectionTrait,
    b: &BatchOf<'_>,
    scope: Scope<'_>,
    totals: &mut Totals,
) -> DomainResult<Option<(usize, Uuid)>> {
    let people = inputs(txn, b, &scope).await?;
    let last = people.last().map(|p| p.id);
    let mut assessed = Vec::new();
    for p in &people {
        totals.people += 1;
        match calc::assess(b.policy, b.span, &p.person) {
            Err(skip) => *totals.skipped.entry(skip.as_str().to_owned()).or_default() += 1,
            Ok(Some(a)) if calc::kinds_of(&a) != 0 => assessed.push((p, a)),
            Ok(_) => {}
        }
    }
    let mut fitted: Vec<Fitted<'_>> = assessed
        .iter()
        .map(|(p, a)| Fitted {
            employee_id: p.id,
            assessment: a,
            raise: a.raise.unwrap_or_default(),
            bonus: a.bonus,
        })
        .collect();
    if let Scope::Department(department) = scope {
        let reports = budget::fit_department(txn, b.run, b.policy, department, &mut fitted).await?;
        totals.budgets.extend(reports);
    }
    let of = LineOf {
        run: b.run,
        status: b.status,
        effective_on: b.effective_on,
        now: b.now,
    };
    let mut rows = Vec::with_capacity(fitted.len());
    for ((p, a), f) in assessed.iter().zip(&fitted) {
        totals.rewarded += 1;
        let kinds = calc::kinds_of(a);
        let proposed = budget::split(a, a.raise.unwrap_or_default());
        let after = budget::split(a, f.raise);
        for (kind, proposed, amount, money) in [
            (
                RewardKind::MeritIncrease,
                proposed.0,
                after.0,
                a.currency.code,
            ),
            (RewardKind::LumpSum, proposed.1, after.1, a.currency.code),
            (RewardKind::Bonus, a.bonus, f.bonus, a.currency.code),
            (RewardKind::Pto, a.pto, a.pto, ""),
        ] {
            if lines::bit(kind).is_some_and(|bit| kinds & bit != 0) {
                let t = totals.kind_mut(kind, money);
                t.count += 1;
                t.proposed.0 += proposed;
                t.amount.0 += amount;
            }
        }
        rows.push(lines::new_line(
            &of,
            p.id,
            p.department_id,
            a,
            (f.raise, f.bonus),
        ));
    }
    insert_lines(txn, &rows).await?;
    Ok(last.map(|l| (people.len(), l)))
}

/// Inserts a batch's lines: on PostgreSQL in one statement, each column an array (25
/// parameters whatever the batch's size; a row of parameters per line cost PostgreSQL 20 ms
/// to bind per thousand lines); on SQLite as multi-row inserts of a few fixed sizes.
async fn insert_lines(txn: &impl ConnectionTrait, rows: &[reward_line::Model]) -> DomainResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if txn.get_database_backend() != DbBackend::Postgres {
        for chunk in chunks(rows) {
            let models = chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model);
            reward_line::Entity::insert_many(models)
                .exec_without_returning(txn)
                .await?;
        }
        return Ok(());
    }
    let text = |d: &DecimalText| Some(d.to_string());
    let columns: [(&str, &str, Vec<Option<String>>); 25] = [
        (
            "id",
            "uuid",
            rows.iter().map(|r| Some(r.id.to_string())).collect(),
        ),
        (
            "run_id",
            "uuid",
            rows.iter().map(|r| Some(r.run_id.to_string())).collect(),
        ),
        (
            "cycle_id",
            "uuid",
            rows.iter().map(|r| Some(r.cycle_id.to_string())).collect(),
        ),
        (
            "employee_id",
            "uuid",
            rows.iter()
                .map(|r| Some(r.employee_id.to_string()))
                .collect(),
        ),
        (
            "department_id",
            "uuid",
            rows.iter()
                .map(|r| r.department_id.map(|d| d.to_string()))
                .collect(),
        ),
        (
            "status",
            "text",
            rows.iter()
                .map(|r| Some(r.status.as_str().to_owned()))
                .collect(),
        ),
        (
            "kinds",
            "smallint",
            rows.iter().map(|r| Some(r.kinds.to_string())).collect(),
        ),
        (
            "currency",
            "text",
            rows.iter().map(|r| Some(r.currency.clone())).collect(),
        ),
        (
            "rating",
            "integer",
            rows.iter().map(|r| Some(r.rating.to_string())).collect(),
        ),
        (
            "band",
            "smallint",
            rows.iter().map(|r| Some(r.band.to_string())).collect(),
        ),
        (
            "salary",
            "text",
            rows.iter().map(|r| text(&r.salary)).collect(),
        ),
        (
            "target_pct",
            "text",
            rows.iter().map(|r| text(&r.target_pct)).collect(),
        ),
        (
            "range_max",
            "text",
            rows.iter()
                .map(|r| r.range_max.as_ref().and_then(text))
                .collect(),
        ),
        (
            "compa_ratio",
            "text",
            rows.iter()
                .map(|r| r.compa_ratio.as_ref().and_then(text))
                .collect(),
        ),
        (
            "employed_days",
            "integer",
            rows.iter()
                .map(|r| Some(r.employed_days.to_string()))
                .collect(),
        ),
        (
            "proposed_raise",
            "text",
            rows.iter()
                .map(|r| r.proposed_raise.as_ref().and_then(text))
                .collect(),
        ),
        (
            "raise",
            "text",
            rows.iter()
                .map(|r| r.raise.as_ref().and_then(text))
                .collect(),
        ),
        (
            "proposed_bonus",
            "text",
            rows.iter().map(|r| text(&r.proposed_bonus)).collect(),
        ),
        (
            "bonus",
            "text",
            rows.iter().map(|r| text(&r.bonus)).collect(),
        ),
        ("pto", "text", rows.iter().map(|r| text(&r.pto)).collect()),
        (
            "effective_on",
            "date",
            rows.iter()
                .map(|r| Some(r.effective_on.to_string()))
                .collect(),
        ),
        (
            "approved_by",
            "uuid",
            rows.iter()
                .map(|r| r.approved_by.map(|u| u.to_string()))
                .collect(),
        ),
        (
            "approved_at",
            "timestamptz",
            rows.iter()
                .map(|r| r.approved_at.map(|t| t.to_rfc3339()))
                .collect(),
        ),
        (
            "communicated_at",
            "timestamptz",
            rows.iter()
                .map(|r| r.communicated_at.map(|t| t.to_rfc3339()))
                .collect(),
        ),
        (
            "created_at",
            "timestamptz",
            rows.iter()
                .map(|r| Some(r.created_at.to_rfc3339()))
                .collect(),
        ),
    ];
    let names: Vec<&str> = columns.iter().map(|(name, _, _)| *name).collect();
    let arrays: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (_, ty, _))| format!("${}::{ty}[]", i + 1))
        .collect();
    let values: Vec<sea_orm::Value> = columns
        .iter()
        .map(|(_, _, items)| array_literal(items).into())
        .collect();
    let sql = format!(
        "INSERT INTO reward_line ({}) SELECT * FROM unnest({})",
        names.join(", "),
        arrays.join(", ")
    );
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
    .await?;
    Ok(())
}

/// `items` as a PostgreSQL array literal: each element quoted (a backslash before `"` and
/// `\`), a missing one `NULL`.
fn array_literal(items: &[Option<String>]) -> String {
    let mut out = String::with_capacity(items.len() * 40 + 2);
    out.push('{');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match item {
            None => out.push_str("NULL"),
            Some(text) => {
                out.push('"');
                for c in text.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            }
        }
    }
    out.push('}');
    out
}

/// The batch's people with their inputs, in one statement: each candidate (hired by the
/// cycle's end, not gone before its start) with their pay as of the cycle's end or their last
/// day (the latest entry by then), its grade's range when in the same currency, their
/// released final rating, and whether an earlier run's rewards for them are approved.
async fn inputs(
    txn: &impl ConnectionTrait,
    b: &BatchOf<'_>,
    scope: &Scope<'_>,
) -> DomainResult<Vec<Candidate>> {
    let backend = txn.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let mut bind = |v: sea_orm::Value| {
        values.push(v);
        match backend {
            DbBackend::Postgres => format!("${}", values.len()),
            _ => format!("?{}", values.len()),
        }
    };
    let (start, end) = (bind(b.span.starts_on.into()), bind(b.span.ends_on.into()));
    let (cycle, run) = (bind(b.run.cycle_id.into()), bind(b.run.id.into()));
    let round = bind(b.round.into());
    let (only, limit) = match scope {
        Scope::Department(d) => (
            format!("AND e.department_id = {}", bind((*d).into())),
            String::new(),
        ),
        Scope::Others {
            after,
            limit,
            budgeted,
        } => {
            let mut only = String::new();
            if let Some(a) = after {
                only = format!("AND e.id > {}", bind((*a).into()));
            }
            if !budgeted.is_empty() {
                let ids: Vec<String> = budgeted.iter().map(|d| bind((*d).into())).collect();
                only.push_str(&format!(
                    " AND (e.department_id IS NULL OR e.department_id NOT IN ({}))",
                    ids.join(", ")
                ));
            }
            let limit = bind(i64::try_from(*limit).unwrap_or(i64::MAX).into());
            (only, format!("LIMIT {limit}"))
        }
    };
    // Earlier approvals in the cycle (other runs' lines, and rows of runs from before
    // lines): looked up per person only when there are any, which is not the usual case.
    let approved = format!(
        "EXISTS (SELECT 1 FROM reward_line a WHERE a.employee_id = e.id
                   AND a.cycle_id = {cycle} AND a.run_id <> {run} AND a.{APPROVED})
         OR EXISTS (SELECT 1 FROM reward a WHERE a.cycle_id = {cycle} AND a.employee_id = e.id
                   AND a.run_id IS NOT NULL AND a.run_id <> {run} AND a.{APPROVED})"
    );
    let approved = if any_approved(txn, b).await? {
        approved
    } else {
        "FALSE".to_owned()
    };
    // The pay as of the day that counts and the released rating: one index probe each per
    // person on PostgreSQL (a plain join would hash the whole table for every batch);
    // SQLite, which has no LATERAL, looks the pay's row up by a correlated subquery.
    let pay_day = format!(
        "CASE WHEN e.left_on IS NOT NULL AND e.left_on < {end} THEN e.left_on ELSE {end} END"
    );
    let (pay, rating) = match backend {
        DbBackend::Postgres => (
            format!(
                "LEFT JOIN LATERAL (SELECT c2.base_salary, c2.bonus_target_pct, c2.currency,
                                           c2.pay_grade_id
                                    FROM compensation c2
                                    WHERE c2.employee_id = e.id AND c2.effective_on <= {pay_day}
                                    ORDER BY c2.effective_on DESC LIMIT 1) c ON TRUE"
            ),
            format!(
                "LEFT JOIN LATERAL (SELECT r2.final_rating FROM review_rating r2
                                    WHERE r2.round_id = {round} AND r2.employee_id = e.id
                                      AND r2.released_at IS NOT NULL) r ON TRUE"
            ),
        ),
        _ => (
            format!(
                "LEFT JOIN compensation c ON c.id = (
                   SELECT c2.id FROM compensation c2
                   WHERE c2.employee_id = e.id AND c2.effective_on <= {pay_day}
                   ORDER BY c2.effective_on DESC LIMIT 1)"
            ),
            format!(
                "LEFT JOIN review_rating r ON r.round_id = {round} AND r.employee_id = e.id
                                          AND r.released_at IS NOT NULL"
            ),
        ),
    };
    // A department is read whole, in no particular order; other batches go along the id.
    let order = if limit.is_empty() {
        ""
    } else {
        "ORDER BY e.id"
    };
    let sql = format!(
        "SELECT e.id, e.department_id, e.hired_on, e.left_on, e.active,
                c.base_salary, c.bonus_target_pct, c.currency,
                g.range_min, g.range_mid, g.range_max, r.final_rating, {approved} AS approved
         FROM employee e
         {pay}
         LEFT JOIN pay_grade g ON g.id = c.pay_grade_id AND g.currency = c.currency
         {rating}
         WHERE e.hired_on <= {end} AND (e.left_on IS NULL OR e.left_on >= {start}) {only}
         {order}
         {limit}"
    );
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let money = |v: Option<String>| -> DomainResult<Option<Decimal>> {
        v.map(|s| {
            s.parse::<Decimal>()
                .map_err(|e| DomainError::Internal(format!("stored amount {s:?}: {e}")))
        })
        .transpose()
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let salary = money(row.try_get("", "base_salary")?)?;
        let pct = money(row.try_get("", "bonus_target_pct")?)?;
        let currency: Option<String> = row.try_get("", "currency")?;
        let (min, mid, max) = (
            money(row.try_get("", "range_min")?)?,
            money(row.try_get("", "range_mid")?)?,
            money(row.try_get("", "range_max")?)?,
        );
        let pay = match (salary, pct, currency.as_deref().and_then(Currency::of)) {
            (Some(salary), Some(bonus_target_pct), Some(currency)) => Some(Pay {
                salary,
                currency,
                bonus_target_pct,
                range: match (min, mid, max) {
                    (Some(min), Some(mid), Some(max)) => Some(Range { min, mid, max }),
                    _ => None,
                },
            }),
            _ => None,
        };
        let left_on: Option<NaiveDate> = row.try_get("", "left_on")?;
        let active: bool = row.try_get("", "active")?;
        out.push(Candidate {
            id: row.try_get("", "id")?,
            department_id: row.try_get("", "department_id")?,
            person: Person {
                hired_on: row.try_get("", "hired_on")?,
                left_on,
                left_undated: !active && left_on.is_none(),
                rating: row.try_get("", "final_rating")?,
                pay,
                already_approved: row.try_get("", "approved")?,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::chunks;

    #[test]
    fn array_literals_quote_every_element() {
        let items = [
            Some("a\"b".to_owned()),
            None,
            Some("c\\d".to_owned()),
            Some(String::new()),
        ];
        assert_eq!(super::array_literal(&items), r#"{"a\"b",NULL,"c\\d",""}"#);
        assert_eq!(super::array_literal(&[]), "{}");
    }

    #[test]
    fn inserts_are_cut_into_a_few_sizes() {
        let sizes =
            |n: usize| -> Vec<usize> { chunks(&vec![0_u8; n]).iter().map(|c| c.len()).collect() };
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), vec![1]);
        assert_eq!(sizes(1024), vec![1024]);
        assert_eq!(sizes(2100), vec![1024, 1024, 32, 16, 4]);
        assert_eq!(sizes(1023), vec![512, 256, 128, 64, 32, 16, 8, 4, 2, 1]);
    }
}
