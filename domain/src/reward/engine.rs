//! The compute step of a reward run, on every backend: a batch's inputs are read with a few
//! set-based queries (people, pay as of the cycle's end, grades, released ratings, earlier
//! approvals), [`super::calc::assess`] prices each person here in exact decimals, and their
//! lines are inserted a chunk at a time, the batch's counts added to the run's totals in the
//! batch's transaction.
//!
//! One engine for both backends: a batch costs its reads and one multi-row insert per chunk;
//! pricing a person in Rust costs microseconds.

use super::calc::{self, Pay, Person, Range, Span};
use super::lines::{self, LineOf};
use super::money::Currency;
use super::policy::Policy;
use super::run::Totals;
use crate::error::DomainResult;
use crate::query::rows_in;
use crate::values::{RewardKind, RewardStatus};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{compensation, employee, pay_grade, review_rating, reward, reward_line, reward_run};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Lines per insert statement (25 values each, under SQLite's bind limit).
const INSERT_CHUNK: usize = 1000;

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

/// One batch priced and its lines inserted, its counts added to `totals`.
pub(super) async fn compute_batch(
    txn: &impl ConnectionTrait,
    b: &BatchOf<'_>,
    people: &[employee::Model],
    totals: &mut Totals,
) -> DomainResult<()> {
    let persons = inputs(txn, b.run, b.round, b.span, people).await?;
    let of = LineOf {
        run: b.run,
        status: b.status,
        effective_on: b.effective_on,
        now: b.now,
    };
    let mut rows = Vec::new();
    for (p, input) in people.iter().zip(&persons) {
        totals.people += 1;
        let a = match calc::assess(b.policy, b.span, input) {
            Err(skip) => {
                *totals.skipped.entry(skip.as_str().to_owned()).or_default() += 1;
                continue;
            }
            Ok(None) => continue,
            Ok(Some(a)) => a,
        };
        let kinds = calc::kinds_of(&a);
        if kinds == 0 {
            continue;
        }
        totals.rewarded += 1;
        let (merit, lump) = match a.raise {
            Some(r) => calc::split_raise(r, a.salary, a.range_max),
            None => (Decimal::ZERO, Decimal::ZERO),
        };
        for (kind, amount, money) in [
            (RewardKind::MeritIncrease, merit, a.currency.code),
            (RewardKind::LumpSum, lump, a.currency.code),
            (RewardKind::Bonus, a.bonus, a.currency.code),
            (RewardKind::Pto, a.pto, ""),
        ] {
            if lines::bit(kind).is_some_and(|bit| kinds & bit != 0) {
                let t = totals.kind_mut(kind, money);
                t.count += 1;
                t.proposed.0 += amount;
                t.amount.0 += amount;
            }
        }
        rows.push(lines::new_line(&of, p.id, p.department_id, &a));
    }
    for chunk in rows.chunks(INSERT_CHUNK) {
        reward_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The day whose pay counts: the cycle's last, or the person's last if earlier.
fn pay_day(person: &employee::Model, span: Span) -> NaiveDate {
    person.left_on.map_or(span.ends_on, |l| l.min(span.ends_on))
}

/// Each person's inputs for a batch: four set-based reads, whatever the batch's size.
async fn inputs(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    round: Option<Uuid>,
    span: Span,
    people: &[employee::Model],
) -> DomainResult<Vec<Person>> {
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let history = compensation::Entity::find()
        .filter(compensation::Column::EffectiveOn.lte(span.ends_on))
        .order_by_asc(compensation::Column::EffectiveOn);
    let mut pays: HashMap<Uuid, Vec<compensation::Model>> = HashMap::new();
    for c in rows_in(txn, history, compensation::Column::EmployeeId, &ids).await? {
        pays.entry(c.employee_id).or_default().push(c);
    }
    let grade_ids: Vec<Uuid> = pays
        .values()
        .flatten()
        .filter_map(|c| c.pay_grade_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let grades: HashMap<Uuid, pay_grade::Model> = rows_in(
        txn,
        pay_grade::Entity::find(),
        pay_grade::Column::Id,
        &grade_ids,
    )
    .await?
    .into_iter()
    .map(|g| (g.id, g))
    .collect();
    let ratings: HashMap<Uuid, i32> = match round {
        Some(round) => {
            let released = review_rating::Entity::find()
                .filter(review_rating::Column::RoundId.eq(round))
                .filter(review_rating::Column::ReleasedAt.is_not_null());
            rows_in(txn, released, review_rating::Column::EmployeeId, &ids)
                .await?
                .into_iter()
                .filter_map(|r| r.final_rating.map(|f| (r.employee_id, f)))
                .collect()
        }
        None => HashMap::new(),
    };
    let approved = reward::Entity::find()
        .filter(reward::Column::CycleId.eq(run.cycle_id))
        .filter(reward::Column::RunId.is_not_null())
        .filter(reward::Column::RunId.ne(run.id))
        .filter(reward::Column::Status.is_in([RewardStatus::Approved, RewardStatus::Communicated]));
    let mut approved: HashSet<Uuid> = rows_in(txn, approved, reward::Column::EmployeeId, &ids)
        .await?
        .into_iter()
        .map(|r| r.employee_id)
        .collect();
    let approved_lines = reward_line::Entity::find()
        .filter(reward_line::Column::CycleId.eq(run.cycle_id))
        .filter(reward_line::Column::RunId.ne(run.id))
        .filter(
            reward_line::Column::Status.is_in([RewardStatus::Approved, RewardStatus::Communicated]),
        );
    approved.extend(
        rows_in(txn, approved_lines, reward_line::Column::EmployeeId, &ids)
            .await?
            .into_iter()
            .map(|l| l.employee_id),
    );
    Ok(people
        .iter()
        .map(|p| {
            let day = pay_day(p, span);
            let pay = pays
                .get(&p.id)
                .and_then(|h| h.iter().rev().find(|c| c.effective_on <= day))
                .and_then(|c| {
                    let currency = Currency::of(&c.currency)?;
                    let range = c
                        .pay_grade_id
                        .and_then(|g| grades.get(&g))
                        .filter(|g| g.currency == c.currency)
                        .map(|g| Range {
                            min: g.range_min.0,
                            mid: g.range_mid.0,
                            max: g.range_max.0,
                        });
                    Some(Pay {
                        salary: c.base_salary.0,
                        currency,
                        bonus_target_pct: c.bonus_target_pct.0,
                        range,
                    })
                });
            Person {
                hired_on: p.hired_on,
                left_on: p.left_on,
                left_undated: !p.active && p.left_on.is_none(),
                rating: ratings.get(&p.id).copied(),
                pay,
                already_approved: approved.contains(&p.id),
            }
        })
        .collect())
}
