//! The compute step of a reward run, on every backend, in three stages that can run side by
//! side for different steps: [`read`] takes a step's people and their inputs with one
//! statement (pay as of the cycle's end, grade, released rating, earlier approvals);
//! [`prepare`] prices each of them in exact decimals ([`super::calc::assess`]), fits a
//! department's budget, makes their lines and binds them for the insert, and counts the step;
//! [`write`] inserts the lines in the step's transaction, where the run adds the step's counts
//! to its totals.
//!
//! One engine for both backends: a step costs one read and one insert (on SQLite one per
//! chunk); pricing a person in Rust costs microseconds.

use super::budget::{self, Fitted};
use super::calc::{self, Assessment, Pay, Person, Range, Skip, Span};
use super::lines::{self, LineOf};
use super::money::Currency;
use super::policy::Policy;
use super::run::Totals;
use crate::Clock;
use crate::error::{DomainError, DomainResult};
use crate::values::{RewardKind, RewardStatus};
use chrono::NaiveDate;
use entity::values::DecimalText;
use entity::{reward_line, reward_run};
use rust_decimal::Decimal;
use sea_orm::sea_query::{ArrayType, Value};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, QueryTrait,
    Statement, TransactionTrait,
};
use std::collections::BTreeMap;
use std::sync::Arc;
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

/// The statuses of approved rewards.
const APPROVED: &str = "status IN ('APPROVED', 'COMMUNICATED')";

/// Whether any reward of `b`'s cycle from another run is approved.
async fn any_approved(db: &impl ConnectionTrait, b: &RunOf) -> DomainResult<bool> {
    let backend = db.get_database_backend();
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
    let row = db
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
#[derive(Clone, PartialEq)]
pub(super) enum Scope {
    /// Everyone in a department with a budget, whose pools are fitted before anything is
    /// written.
    Department(Uuid),
    /// Up to `limit` people after `after` (along the employee id) outside those departments.
    Others {
        after: Option<Uuid>,
        limit: u64,
        budgeted: Arc<[Uuid]>,
    },
}

/// What computing a step needs to know of its run, owned so that steps can be read and
/// prepared on tasks of their own while an earlier one is written.
#[derive(Clone)]
pub(super) struct RunOf {
    pub run: Arc<reward_run::Model>,
    pub policy: Arc<Policy>,
    pub span: Span,
    /// The cycle's annual review round, whose released ratings count.
    pub round: Option<Uuid>,
    /// What the lines are: PROPOSED, or PREVIEW for a preview.
    pub status: RewardStatus,
    pub effective_on: NaiveDate,
    /// When a step's lines are made.
    pub clock: Arc<dyn Clock>,
}

/// A step's people with their inputs, along the employee id.
pub(super) struct People(Vec<Candidate>);

impl People {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The last one's id: where the next step along the id starts.
    pub fn last(&self) -> Option<Uuid> {
        self.0.last().map(|p| p.id)
    }
}

/// A step ready to be written: the last one's id of the people it took, its counts (how many
/// people among them; added to the run's totals when it is written), and the insert of its
/// lines.
pub(super) struct Prepared {
    pub last: Option<Uuid>,
    pub totals: Totals,
    insert: Vec<Statement>,
}

/// Someone who gets something, with the kinds of reward it holds.
struct Assessed {
    id: Uuid,
    department_id: Option<Uuid>,
    assessment: Assessment,
    kinds: i16,
}

/// The people the step `scope` takes ([`inputs`]), read in a transaction of their own. On
/// PostgreSQL without just-in-time compilation: a large department's read crosses its cost
/// threshold, and compiling (tens of milliseconds of CPU in each process of a parallel plan)
/// cost more than it saved.
pub(super) async fn read(
    db: &DatabaseConnection,
    r: &RunOf,
    scope: &Scope,
) -> DomainResult<People> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL jit = off").await?;
    }
    let people = inputs(&txn, r, scope).await?;
    txn.commit().await?;
    Ok(People(people))
}

/// The step `scope`, whose `people` were read, made ready to write: each priced in exact
/// decimals, a department's pools fitted (what other runs had approved is read from `db`),
/// the lines made and bound for the insert.
pub(super) async fn prepare(
    db: &impl ConnectionTrait,
    r: &RunOf,
    scope: &Scope,
    people: People,
) -> DomainResult<Prepared> {
    let mut totals = Totals {
        people: people.len() as i64,
        ..Totals::default()
    };
    let last = people.last();
    let mut skipped: BTreeMap<Skip, i64> = BTreeMap::new();
    let mut assessed = Vec::new();
    for p in people.0 {
        match calc::assess(&r.policy, r.span, &p.person) {
            Err(skip) => *skipped.entry(skip).or_default() += 1,
            Ok(Some(assessment)) => {
                let kinds = calc::kinds_of(&assessment);
                if kinds != 0 {
                    assessed.push(Assessed {
                        id: p.id,
                        department_id: p.department_id,
                        assessment,
                        kinds,
                    });
                }
            }
            Ok(None) => {}
        }
    }
    for (skip, n) in skipped {
        totals.skipped.insert(skip.as_str().to_owned(), n);
    }
    let mut fitted: Vec<Fitted<'_>> = assessed
        .iter()
        .map(|p| Fitted {
            employee_id: p.id,
            assessment: &p.assessment,
            raise: p.assessment.raise.unwrap_or_default(),
            bonus: p.assessment.bonus,
        })
        .collect();
    if let Scope::Department(department) = *scope {
        totals.budgets =
            budget::fit_department(db, &r.run, &r.policy, department, &mut fitted).await?;
    }
    let of = LineOf {
        run: &r.run,
        status: r.status,
        effective_on: r.effective_on,
        now: r.clock.now(),
    };
    let mut rows = Vec::with_capacity(fitted.len());
    for (p, f) in assessed.iter().zip(&fitted) {
        let (a, kinds) = (&p.assessment, p.kinds);
        totals.rewarded += 1;
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
            kinds,
            (f.raise, f.bonus),
        ));
    }
    Ok(Prepared {
        last,
        insert: insert_statements(db.get_database_backend(), &rows)?,
        totals,
    })
}

/// Inserts a prepared step's lines, in the step's transaction `txn`.
pub(super) async fn write(txn: &impl ConnectionTrait, step: &mut Prepared) -> DomainResult<()> {
    for statement in std::mem::take(&mut step.insert) {
        txn.execute_raw(statement).await?;
    }
    Ok(())
}

/// A column of the PostgreSQL insert: its name, its SQL type, and a line's value for it.
struct Column {
    name: &'static str,
    ty: &'static str,
    value: fn(&reward_line::Model) -> Value,
}

/// A column whose value differs from line to line, bound as a binary array of `array`
/// elements; binary arrays have no NULL elements, so a missing value is bound as `missing`
/// (the SQL of its stand-in), which the insert turns back into NULL.
struct Varying {
    column: Column,
    array: ArrayType,
    missing: Option<&'static str>,
}

const fn varying(
    name: &'static str,
    ty: &'static str,
    array: ArrayType,
    missing: Option<&'static str>,
    value: fn(&reward_line::Model) -> Value,
) -> Varying {
    Varying {
        column: Column { name, ty, value },
        array,
        missing,
    }
}

fn text(d: &DecimalText) -> Value {
    Value::from(d.to_string())
}

fn text_or_empty(d: &Option<DecimalText>) -> Value {
    Value::from(d.as_ref().map_or_else(String::new, |d| d.to_string()))
}

/// The columns of a line that differ from line to line, in the order the insert binds them.
const VARYING: [Varying; 17] = [
    varying("id", "uuid", ArrayType::Uuid, None, |r| r.id.into()),
    varying("employee_id", "uuid", ArrayType::Uuid, None, |r| {
        r.employee_id.into()
    }),
    varying(
        "department_id",
        "uuid",
        ArrayType::Uuid,
        Some("'00000000-0000-0000-0000-000000000000'"),
        |r| r.department_id.unwrap_or_else(Uuid::nil).into(),
    ),
    varying("kinds", "smallint", ArrayType::SmallInt, None, |r| {
        r.kinds.into()
    }),
    varying("currency", "text", ArrayType::String, None, |r| {
        r.currency.clone().into()
    }),
    varying("rating", "integer", ArrayType::Int, None, |r| {
        r.rating.into()
    }),
    varying("band", "smallint", ArrayType::SmallInt, None, |r| {
        r.band.into()
    }),
    varying("salary", "text", ArrayType::String, None, |r| {
        text(&r.salary)
    }),
    varying("target_pct", "text", ArrayType::String, None, |r| {
        text(&r.target_pct)
    }),
    varying("range_max", "text", ArrayType::String, Some("''"), |r| {
        text_or_empty(&r.range_max)
    }),
    varying("compa_ratio", "text", ArrayType::String, Some("''"), |r| {
        text_or_empty(&r.compa_ratio)
    }),
    varying("employed_days", "integer", ArrayType::Int, None, |r| {
        r.employed_days.into()
    }),
    varying(
        "proposed_raise",
        "text",
        ArrayType::String,
        Some("''"),
        |r| text_or_empty(&r.proposed_raise),
    ),
    varying("raise", "text", ArrayType::String, Some("''"), |r| {
        text_or_empty(&r.raise)
    }),
    varying("proposed_bonus", "text", ArrayType::String, None, |r| {
        text(&r.proposed_bonus)
    }),
    varying("bonus", "text", ArrayType::String, None, |r| text(&r.bonus)),
    varying("pto", "text", ArrayType::String, None, |r| text(&r.pto)),
];

/// The columns every line of a batch shares, bound once each after the arrays.
const SHARED: [Column; 5] = [
    Column {
        name: "run_id",
        ty: "uuid",
        value: |r| r.run_id.into(),
    },
    Column {
        name: "cycle_id",
        ty: "uuid",
        value: |r| r.cycle_id.into(),
    },
    Column {
        name: "status",
        ty: "text",
        value: |r| r.status.as_str().into(),
    },
    Column {
        name: "effective_on",
        ty: "date",
        value: |r| r.effective_on.into(),
    },
    Column {
        name: "created_at",
        ty: "timestamptz",
        value: |r| r.created_at.into(),
    },
];

/// The PostgreSQL insert of a batch's lines: the varying columns unnested from arrays, the
/// shared ones bound once; a new line is never approved nor communicated. The arrays are
/// unnested side by side in a select list, not as `unnest(a, b, …)` in FROM, which stores each
/// array's rows before joining them up (95 000 lines: about 400 ms against 600 ms).
fn insert_sql() -> String {
    let names: Vec<&str> = VARYING
        .iter()
        .map(|v| &v.column)
        .chain(&SHARED)
        .map(|c| c.name)
        .collect();
    let selected: Vec<String> = VARYING
        .iter()
        .map(|v| match v.missing {
            Some(m) => format!("NULLIF(t.{}, {m})", v.column.name),
            None => format!("t.{}", v.column.name),
        })
        .chain(
            SHARED
                .iter()
                .enumerate()
                .map(|(i, c)| format!("${}::{}", VARYING.len() + i + 1, c.ty)),
        )
        .collect();
    let unnested: Vec<String> = VARYING
        .iter()
        .enumerate()
        .map(|(i, v)| format!("unnest(${}::{}[]) AS {}", i + 1, v.column.ty, v.column.name))
        .collect();
    format!(
        "INSERT INTO reward_line ({}) SELECT {} FROM (SELECT {}) AS t",
        names.join(", "),
        selected.join(", "),
        unnested.join(", ")
    )
}

/// The insert of a step's lines: on PostgreSQL one statement whose parameters are the columns
/// as binary arrays (a row of parameters per line cost PostgreSQL 20 ms to bind per thousand
/// lines, and text arrays half as much again to parse); on SQLite multi-row inserts of a few
/// fixed sizes.
fn insert_statements(
    backend: DbBackend,
    rows: &[reward_line::Model],
) -> DomainResult<Vec<Statement>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    if backend != DbBackend::Postgres {
        return Ok(chunks(rows)
            .into_iter()
            .map(|chunk| {
                let models = chunk
                    .iter()
                    .cloned()
                    .map(IntoActiveModel::into_active_model);
                reward_line::Entity::insert_many(models).build(backend)
            })
            .collect());
    }
    let differs = |r: &reward_line::Model| SHARED.iter().any(|c| (c.value)(r) != (c.value)(first));
    let approved = |r: &reward_line::Model| {
        r.approved_by.is_some() || r.approved_at.is_some() || r.communicated_at.is_some()
    };
    if rows.iter().any(|r| differs(r) || approved(r)) {
        return Err(DomainError::Internal(
            "a batch's reward lines differ in their run, status or dates, or one is approved"
                .into(),
        ));
    }
    // The arrays in the order of VARYING, then the shared values in the order of SHARED.
    let values: Vec<Value> = VARYING
        .iter()
        .map(|v| {
            let items: Vec<Value> = rows.iter().map(v.column.value).collect();
            Value::Array(v.array.clone(), Some(Box::new(items)))
        })
        .chain(SHARED.iter().map(|c| (c.value)(first)))
        .collect();
    Ok(vec![Statement::from_sql_and_values(
        DbBackend::Postgres,
        insert_sql(),
        values,
    )])
}

/// The step's people with their inputs, in one statement: each candidate (hired by the
/// cycle's end, not gone before its start) with their pay as of the cycle's end or their last
/// day (the latest entry by then), its grade's range when in the same currency, their
/// released final rating, and whether an earlier run's rewards for them are approved; along
/// the employee id, so that their lines go into the indexes in order.
async fn inputs(
    db: &impl ConnectionTrait,
    b: &RunOf,
    scope: &Scope,
) -> DomainResult<Vec<Candidate>> {
    let backend = db.get_database_backend();
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
    let approved = if any_approved(db, b).await? {
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
    let sql = format!(
        "SELECT e.id, e.department_id, e.hired_on, e.left_on, e.active,
                c.base_salary, c.bonus_target_pct, c.currency,
                g.range_min, g.range_mid, g.range_max, r.final_rating, {approved} AS approved
         FROM employee e
         {pay}
         LEFT JOIN pay_grade g ON g.id = c.pay_grade_id AND g.currency = c.currency
         {rating}
         WHERE e.hired_on <= {end} AND (e.left_on IS NULL OR e.left_on >= {start}) {only}
         ORDER BY e.id
         {limit}"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let money = |v: Option<String>| -> DomainResult<Option<Decimal>> {
        v.map(|s| {
            s.parse::<Decimal>()
                .map_err(|e| DomainError::Internal(format!("stored amount {s:?}: {e}")))
        })
        .transpose()
    };
    // By position, in the order the statement selects them.
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let salary = money(row.try_get_by_index(5)?)?;
        let pct = money(row.try_get_by_index(6)?)?;
        let currency: Option<String> = row.try_get_by_index(7)?;
        let (min, mid, max) = (
            money(row.try_get_by_index(8)?)?,
            money(row.try_get_by_index(9)?)?,
            money(row.try_get_by_index(10)?)?,
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
        let left_on: Option<NaiveDate> = row.try_get_by_index(3)?;
        let active: bool = row.try_get_by_index(4)?;
        out.push(Candidate {
            id: row.try_get_by_index(0)?,
            department_id: row.try_get_by_index(1)?,
            person: Person {
                hired_on: row.try_get_by_index(2)?,
                left_on,
                left_undated: !active && left_on.is_none(),
                rating: row.try_get_by_index(11)?,
                pay,
                already_approved: row.try_get_by_index(12)?,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::chunks;

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
