//! The reward run's fit phase: one department budget at a time, its proposals scaled to what
//! is left of its pool (earlier approvals come out first), amounts written back with one
//! upsert per chunk, and a before/after report for the run's totals.

use super::calc;
use super::fit::fit;
use super::money::Currency;
use super::policy;
use super::run::{BudgetReport, Totals};
use crate::error::DomainResult;
use crate::values::{RewardKind, RewardStatus};
use entity::values::DecimalText;
use entity::{reward, reward_run};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Rows per amount update: two values each.
const UPDATE_CHUNK: usize = 5000;

/// Writes fitted amounts back: one `UPDATE … FROM (VALUES …)` per chunk, setting the amount
/// column alone (both backends take this form; PostgreSQL needs the id's type spelled out).
async fn update_amounts(txn: &impl ConnectionTrait, rows: Vec<PoolRow>) -> DomainResult<()> {
    let backend = txn.get_database_backend();
    for chunk in rows.chunks(UPDATE_CHUNK) {
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 2);
        let mut tuples = Vec::with_capacity(chunk.len());
        for r in chunk {
            let (a, b) = (values.len() + 1, values.len() + 2);
            tuples.push(match backend {
                DbBackend::Postgres => format!("(${a}::uuid, ${b})"),
                _ => format!("(?{a}, ?{b})"),
            });
            values.push(r.id.into());
            values.push(r.amount.to_string().into());
        }
        let sql = format!(
            "UPDATE reward SET amount = v.amount FROM (SELECT column1 AS id, column2 AS amount \
             FROM (VALUES {}) AS t) AS v WHERE reward.id = v.id",
            tuples.join(", ")
        );
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

/// What is already approved in the cycle for a department, currency and kinds (earlier runs
/// and awards): it comes out of the pool first.
async fn approved_sum(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    budget: &policy::Budget,
    kinds: &[RewardKind],
) -> DomainResult<Decimal> {
    let amounts: Vec<DecimalText> = reward::Entity::find()
        .select_only()
        .column(reward::Column::Amount)
        .filter(reward::Column::CycleId.eq(run.cycle_id))
        .filter(reward::Column::RunId.is_not_null())
        .filter(reward::Column::RunId.ne(run.id))
        .filter(reward::Column::DepartmentId.eq(budget.department_id))
        .filter(reward::Column::Currency.eq(budget.currency.as_str()))
        .filter(reward::Column::Kind.is_in(kinds.iter().copied()))
        .filter(reward::Column::Status.is_in([RewardStatus::Approved, RewardStatus::Communicated]))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(amounts.into_iter().map(|a| a.0).sum())
}

/// What the fit reads of a reward: the salary and range maximum its raise is split at come
/// from the calculation's details.
struct PoolRow {
    id: Uuid,
    employee_id: Uuid,
    kind: RewardKind,
    currency: String,
    amount: DecimalText,
    proposed_amount: DecimalText,
    salary: Option<String>,
    range_max: Option<String>,
}

async fn pool_rows(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    budget: &policy::Budget,
    kinds: &[RewardKind],
) -> DomainResult<Vec<PoolRow>> {
    type Row = (
        Uuid,
        Uuid,
        RewardKind,
        String,
        DecimalText,
        DecimalText,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = reward::Entity::find()
        .select_only()
        .column(reward::Column::Id)
        .column(reward::Column::EmployeeId)
        .column(reward::Column::Kind)
        .column(reward::Column::Currency)
        .column(reward::Column::Amount)
        .column(reward::Column::ProposedAmount)
        // `->>` reads a JSON member as text on PostgreSQL and on SQLite (3.38 on).
        .column_as(Expr::cust(r#""reward"."details" ->> 'salary'"#), "salary")
        .column_as(
            Expr::cust(r#""reward"."details" ->> 'rangeMax'"#),
            "range_max",
        )
        .filter(reward::Column::RunId.eq(run.id))
        .filter(reward::Column::DepartmentId.eq(budget.department_id))
        .filter(reward::Column::Currency.eq(budget.currency.as_str()))
        .filter(reward::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(reward::Column::EmployeeId)
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, employee_id, kind, currency, amount, proposed_amount, salary, range_max)| {
                PoolRow {
                    id,
                    employee_id,
                    kind,
                    currency,
                    amount,
                    proposed_amount,
                    salary,
                    range_max,
                }
            },
        )
        .collect())
}

fn report(
    budget: &policy::Budget,
    pool: &str,
    pool_amount: Decimal,
    available: Decimal,
    before: Decimal,
    after: Decimal,
    people: usize,
) -> BudgetReport {
    BudgetReport {
        department_id: budget.department_id,
        currency: budget.currency.clone(),
        pool: pool.to_owned(),
        pool_amount: DecimalText(pool_amount),
        available: DecimalText(available),
        before: DecimalText(before),
        after: DecimalText(after),
        people: people as i64,
    }
}

/// A department's raises into its merit pool: each person's raise (merit increase and lump
/// sum together) scaled, then split again at their range maximum.
pub(super) async fn fit_merit(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    budget: &policy::Budget,
    pool: Decimal,
    totals: &mut Totals,
) -> DomainResult<BudgetReport> {
    let kinds = [RewardKind::MeritIncrease, RewardKind::LumpSum];
    let currency = Currency::parse("currency", &budget.currency)?;
    let available = (pool - approved_sum(txn, run, budget, &kinds).await?).max(Decimal::ZERO);
    let rows = pool_rows(txn, run, budget, &kinds).await?;
    let mut raises: BTreeMap<Uuid, Decimal> = BTreeMap::new();
    for r in &rows {
        *raises.entry(r.employee_id).or_default() += r.proposed_amount.0;
    }
    let items: Vec<(Uuid, Decimal)> = raises.into_iter().collect();
    let before: Decimal = items.iter().map(|(_, a)| *a).sum();
    let fitted: HashMap<Uuid, Decimal> = fit(&items, available, currency).into_iter().collect();
    let after: Decimal = fitted.values().copied().sum();
    if after != before {
        let mut by_person: HashMap<Uuid, Vec<PoolRow>> = HashMap::new();
        for r in rows {
            by_person.entry(r.employee_id).or_default().push(r);
        }
        let mut changed = Vec::new();
        for (employee, mut theirs) in by_person {
            let raise = fitted.get(&employee).copied().unwrap_or_default();
            let salary = theirs[0]
                .salary
                .as_deref()
                .and_then(|s| s.parse().ok())
                .unwrap_or_default();
            let range_max = theirs[0].range_max.as_deref().and_then(|m| m.parse().ok());
            let (merit, lump) = calc::split_raise(raise, salary, range_max);
            for r in theirs.iter_mut() {
                let new = if r.kind == RewardKind::MeritIncrease {
                    merit
                } else {
                    lump
                };
                let t = totals.kind_mut(r.kind, &r.currency);
                t.amount.0 += new - r.amount.0;
                r.amount = DecimalText(new);
            }
            changed.extend(theirs);
        }
        update_amounts(txn, changed).await?;
    }
    Ok(report(
        budget,
        "MERIT",
        pool,
        available,
        before,
        after,
        items.len(),
    ))
}

/// A department's bonuses into its bonus pool.
pub(super) async fn fit_bonus(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    budget: &policy::Budget,
    pool: Decimal,
    totals: &mut Totals,
) -> DomainResult<BudgetReport> {
    let kinds = [RewardKind::Bonus];
    let currency = Currency::parse("currency", &budget.currency)?;
    let available = (pool - approved_sum(txn, run, budget, &kinds).await?).max(Decimal::ZERO);
    let rows = pool_rows(txn, run, budget, &kinds).await?;
    let items: Vec<(Uuid, Decimal)> = rows
        .iter()
        .map(|r| (r.employee_id, r.proposed_amount.0))
        .collect();
    let before: Decimal = items.iter().map(|(_, a)| *a).sum();
    let fitted: HashMap<Uuid, Decimal> = fit(&items, available, currency).into_iter().collect();
    let after: Decimal = fitted.values().copied().sum();
    if after != before {
        let mut changed = Vec::new();
        for mut r in rows {
            let new = fitted.get(&r.employee_id).copied().unwrap_or_default();
            let t = totals.kind_mut(r.kind, &r.currency);
            t.amount.0 += new - r.amount.0;
            r.amount = DecimalText(new);
            changed.push(r);
        }
        update_amounts(txn, changed).await?;
    }
    Ok(report(
        budget,
        "BONUS",
        pool,
        available,
        before,
        after,
        items.len(),
    ))
}
