//! Budget fit inside the compute step: a department with a budget is computed whole, in one
//! transaction, and each of its pools (in the policy's order) scales its proposals to what is
//! left of the pool (earlier approvals come out first) before its lines are written. No line
//! is written twice and none is updated afterwards; a retried step computes the same amounts.

use super::calc::{self, Assessment};
use super::fit::fit;
use super::money::Currency;
use super::policy::{self, Policy};
use super::run::BudgetReport;
use crate::error::DomainResult;
use crate::values::{RewardKind, RewardStatus};
use entity::values::DecimalText;
use entity::{reward, reward_line, reward_run};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// Which amount of a person's a pool fits.
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
}

/// One person of a department being fitted: their calculation and the raise and bonus the
/// pools leave them (the proposals until a pool changes them).
pub(super) struct Fitted<'a> {
    pub employee_id: Uuid,
    pub assessment: &'a Assessment,
    pub raise: Decimal,
    pub bonus: Decimal,
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

/// Fits one pool of `budget` over `people` (the department's), changing their amounts.
async fn fit_pool(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    budget: &policy::Budget,
    pool: Pool,
    amount: Decimal,
    people: &mut [Fitted<'_>],
) -> DomainResult<BudgetReport> {
    let currency = Currency::parse("currency", &budget.currency)?;
    let available = (amount - approved_sum(txn, run, budget, pool).await?).max(Decimal::ZERO);
    let proposed = |p: &Fitted<'_>| match pool {
        Pool::Merit => p.assessment.raise.unwrap_or_default(),
        Pool::Bonus => p.assessment.bonus,
    };
    let mine: Vec<usize> = (0..people.len())
        .filter(|&i| people[i].assessment.currency.code == budget.currency)
        .filter(|&i| proposed(&people[i]) > Decimal::ZERO)
        .collect();
    let items: Vec<(Uuid, Decimal)> = mine
        .iter()
        .map(|&i| (people[i].employee_id, proposed(&people[i])))
        .collect();
    let before: Decimal = items.iter().map(|(_, a)| *a).sum();
    let fitted = fit(&items, available, currency);
    let after: Decimal = fitted.iter().map(|(_, a)| *a).sum();
    for (&i, (_, new)) in mine.iter().zip(fitted) {
        match pool {
            Pool::Merit => people[i].raise = new,
            Pool::Bonus => people[i].bonus = new,
        }
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

/// Every pool of `department`'s budgets in `policy`, in the policy's order, fitted over its
/// people; the reports in that order.
pub(super) async fn fit_department(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    policy: &Policy,
    department: Uuid,
    people: &mut [Fitted<'_>],
) -> DomainResult<Vec<BudgetReport>> {
    let mut reports = Vec::new();
    for budget in policy
        .budgets
        .iter()
        .filter(|b| b.department_id == department)
    {
        if let Some(pool) = &budget.merit_pool {
            reports.push(fit_pool(txn, run, budget, Pool::Merit, pool.0, people).await?);
        }
        if let Some(pool) = &budget.bonus_pool {
            reports.push(fit_pool(txn, run, budget, Pool::Bonus, pool.0, people).await?);
        }
    }
    Ok(reports)
}

/// `reports` in the order of the policy's budgets (merit pool before bonus pool), whatever
/// order the departments were computed in.
pub(super) fn in_policy_order(policy: &Policy, reports: &mut [BudgetReport]) {
    let place = |r: &BudgetReport| {
        let budget = policy
            .budgets
            .iter()
            .position(|b| b.department_id == r.department_id && b.currency == r.currency)
            .unwrap_or(usize::MAX);
        (budget, r.pool != "MERIT")
    };
    reports.sort_by_key(place);
}

/// The amounts a person's rewards end with: the merit increase and lump sum of their fitted
/// raise, and their fitted bonus.
pub(super) fn split(a: &Assessment, raise: Decimal) -> (Decimal, Decimal) {
    match a.raise {
        Some(_) => calc::split_raise(raise, a.salary, a.range_max),
        None => (Decimal::ZERO, Decimal::ZERO),
    }
}
