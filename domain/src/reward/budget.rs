//! The reward run's fit phase, one transaction: the lines of every department with a budget
//! are read once, each budget in the policy's order scales its department's proposals to what
//! is left of its pool (earlier approvals come out first), and the amounts that changed are
//! written back with one `UPDATE … FROM (VALUES …)` per chunk. A retried fit starts again from
//! the proposals, so it writes the same amounts.

use super::calc;
use super::fit::fit;
use super::money::Currency;
use super::policy::{self, Policy};
use super::run::{BudgetReport, Totals};
use crate::error::DomainResult;
use crate::query::rows_in;
use crate::values::{RewardKind, RewardStatus};
use entity::values::DecimalText;
use entity::{reward, reward_line, reward_run};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Lines per amount update: two values each.
const UPDATE_CHUNK: usize = 5000;

/// Which amount of a line a pool fits.
#[derive(Clone, Copy)]
enum Pool {
    /// The raise (merit increase and lump sum together).
    Merit,
    Bonus,
}

impl Pool {
    fn name(self) -> &'static str {
        match self {
            Pool::Merit => "MERIT",
            Pool::Bonus => "BONUS",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Pool::Merit => "raise",
            Pool::Bonus => "bonus",
        }
    }

    /// The line's amount before the fit, if it has one in this pool.
    fn proposed(self, line: &reward_line::Model) -> Option<Decimal> {
        match self {
            Pool::Merit => line.proposed_raise.map(|r| r.0),
            Pool::Bonus => Some(line.proposed_bonus.0),
        }
        .filter(|a| *a > Decimal::ZERO)
    }
}

/// Writes fitted amounts of `pool` back (both backends take this form; PostgreSQL needs the
/// id's type spelled out).
async fn update_amounts(
    txn: &impl ConnectionTrait,
    pool: Pool,
    rows: &[(Uuid, Decimal)],
) -> DomainResult<()> {
    let backend = txn.get_database_backend();
    for chunk in rows.chunks(UPDATE_CHUNK) {
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 2);
        let mut tuples = Vec::with_capacity(chunk.len());
        for (id, amount) in chunk {
            let (a, b) = (values.len() + 1, values.len() + 2);
            tuples.push(match backend {
                DbBackend::Postgres => format!("(${a}::uuid, ${b})"),
                _ => format!("(?{a}, ?{b})"),
            });
            values.push((*id).into());
            values.push(amount.to_string().into());
        }
        let column = pool.column();
        let sql = format!(
            "UPDATE reward_line SET {column} = v.amount FROM (SELECT column1 AS id, column2 AS amount \
             FROM (VALUES {}) AS t) AS v WHERE reward_line.id = v.id",
            tuples.join(", ")
        );
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

/// What is already approved in the cycle for a department and currency in `pool` (earlier
/// runs' lines, and rows of runs from before lines): it comes out of the pool first.
async fn approved_sum(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    budget: &policy::Budget,
    pool: Pool,
) -> DomainResult<Decimal> {
    let approved = [RewardStatus::Approved, RewardStatus::Communicated];
    let lines: Vec<(Option<DecimalText>, DecimalText)> = reward_line::Entity::find()
        .select_only()
        .column(reward_line::Column::Raise)
        .column(reward_line::Column::Bonus)
        .filter(reward_line::Column::CycleId.eq(run.cycle_id))
        .filter(reward_line::Column::RunId.ne(run.id))
        .filter(reward_line::Column::DepartmentId.eq(budget.department_id))
        .filter(reward_line::Column::Currency.eq(budget.currency.as_str()))
        .filter(reward_line::Column::Status.is_in(approved))
        .into_tuple()
        .all(txn)
        .await?;
    let kinds = match pool {
        Pool::Merit => vec![RewardKind::MeritIncrease, RewardKind::LumpSum],
        Pool::Bonus => vec![RewardKind::Bonus],
    };
    let older: Vec<DecimalText> = reward::Entity::find()
        .select_only()
        .column(reward::Column::Amount)
        .filter(reward::Column::CycleId.eq(run.cycle_id))
        .filter(reward::Column::RunId.is_not_null())
        .filter(reward::Column::RunId.ne(run.id))
        .filter(reward::Column::DepartmentId.eq(budget.department_id))
        .filter(reward::Column::Currency.eq(budget.currency.as_str()))
        .filter(reward::Column::Kind.is_in(kinds))
        .filter(reward::Column::Status.is_in(approved))
        .into_tuple()
        .all(txn)
        .await?;
    let from_lines: Decimal = lines
        .into_iter()
        .map(|(raise, bonus)| match pool {
            Pool::Merit => raise.map_or(Decimal::ZERO, |r| r.0),
            Pool::Bonus => bonus.0,
        })
        .sum();
    Ok(from_lines + older.into_iter().map(|a| a.0).sum::<Decimal>())
}

/// Fits one pool of `budget` over its department's `lines`, updating the lines, the totals
/// and returning the report.
async fn fit_pool(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    budget: &policy::Budget,
    pool: Pool,
    amount: Decimal,
    lines: &[&reward_line::Model],
    totals: &mut Totals,
) -> DomainResult<BudgetReport> {
    let currency = Currency::parse("currency", &budget.currency)?;
    let available = (amount - approved_sum(txn, run, budget, pool).await?).max(Decimal::ZERO);
    let mine: Vec<(&reward_line::Model, Decimal)> = lines
        .iter()
        .filter(|l| l.currency == budget.currency)
        .filter_map(|l| pool.proposed(l).map(|p| (*l, p)))
        .collect();
    let items: Vec<(Uuid, Decimal)> = mine.iter().map(|(l, p)| (l.employee_id, *p)).collect();
    let before: Decimal = items.iter().map(|(_, a)| *a).sum();
    let fitted: HashMap<Uuid, Decimal> = fit(&items, available, currency).into_iter().collect();
    let after: Decimal = fitted.values().copied().sum();
    if after != before {
        let mut changed = Vec::new();
        for (line, proposed) in &mine {
            let new = fitted.get(&line.employee_id).copied().unwrap_or_default();
            if new == *proposed {
                continue;
            }
            changed.push((line.id, new));
            match pool {
                Pool::Bonus => {
                    totals.kind_mut(RewardKind::Bonus, &line.currency).amount.0 += new - proposed
                }
                Pool::Merit => {
                    let (salary, max) = (line.salary.0, line.range_max.map(|m| m.0));
                    let (m0, l0) = calc::split_raise(*proposed, salary, max);
                    let (m1, l1) = calc::split_raise(new, salary, max);
                    if m0 > Decimal::ZERO {
                        let t = totals.kind_mut(RewardKind::MeritIncrease, &line.currency);
                        t.amount.0 += m1 - m0;
                    }
                    if l0 > Decimal::ZERO {
                        let t = totals.kind_mut(RewardKind::LumpSum, &line.currency);
                        t.amount.0 += l1 - l0;
                    }
                }
            }
        }
        update_amounts(txn, pool, &changed).await?;
    }
    Ok(BudgetReport {
        department_id: budget.department_id,
        currency: budget.currency.clone(),
        pool: pool.name().to_owned(),
        pool_amount: DecimalText(amount),
        available: DecimalText(available),
        before: DecimalText(before),
        after: DecimalText(after),
        people: items.len() as i64,
    })
}

/// Every budget of `policy` fitted over `run`'s lines, in the policy's order; the reports are
/// added to `totals`.
pub(super) async fn fit_all(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    policy: &Policy,
    totals: &mut Totals,
) -> DomainResult<()> {
    let mut departments: Vec<Uuid> = policy.budgets.iter().map(|b| b.department_id).collect();
    departments.sort();
    departments.dedup();
    let in_run = reward_line::Entity::find().filter(reward_line::Column::RunId.eq(run.id));
    let lines = rows_in(txn, in_run, reward_line::Column::DepartmentId, &departments).await?;
    let mut by_department: HashMap<Uuid, Vec<&reward_line::Model>> = HashMap::new();
    for line in &lines {
        if let Some(d) = line.department_id {
            by_department.entry(d).or_default().push(line);
        }
    }
    for budget in &policy.budgets {
        let theirs = by_department
            .get(&budget.department_id)
            .map_or(&[][..], Vec::as_slice);
        if let Some(pool) = &budget.merit_pool {
            let report = fit_pool(txn, run, budget, Pool::Merit, pool.0, theirs, totals).await?;
            totals.budgets.push(report);
        }
        if let Some(pool) = &budget.bonus_pool {
            let report = fit_pool(txn, run, budget, Pool::Bonus, pool.0, theirs, totals).await?;
            totals.budgets.push(report);
        }
    }
    Ok(())
}
