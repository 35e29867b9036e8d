//! The compute step's two engines: PostgreSQL computes a batch in one statement
//! ([`super::sql`]); elsewhere (SQLite, which has no exact decimals) the batch's inputs are read
//! with a few set-based queries and [`super::calc::compute`] prices each person here. Both add
//! the batch's counts to the run's totals in the batch's transaction.

use super::calc::{self, Pay, Person, Range, Span};
use super::money::Currency;
use super::policy::Policy;
use super::run::Totals;
use crate::error::DomainResult;
use crate::query::rows_in;
use crate::values::{RewardKind, RewardStatus};
use chrono::{DateTime, NaiveDate, Utc};
use entity::values::DecimalText;
use entity::{compensation, employee, pay_grade, review_rating, reward, reward_run};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Reward rows per insert statement (20 values each, under SQLite's bind limit).
const INSERT_CHUNK: usize = 1000;

/// What a compute batch needs to know, whichever engine runs it.
pub(super) struct BatchOf<'a> {
    pub run: &'a reward_run::Model,
    pub policy: &'a Policy,
    pub span: Span,
    pub round: Option<Uuid>,
    pub status: RewardStatus,
    pub effective_on: NaiveDate,
    pub now: DateTime<Utc>,
}

/// A batch's people: their ids (the database computes them), or their rows (Rust does).
pub(super) enum Batch {
    Ids(Vec<Uuid>),
    People(Vec<employee::Model>),
}

impl Batch {
    pub(super) fn last(&self) -> Option<Uuid> {
        match self {
            Batch::Ids(ids) => ids.last().copied(),
            Batch::People(people) => people.last().map(|p| p.id),
        }
    }
}

/// Where a run's compute step runs: in PostgreSQL, one statement per batch
/// ([`super::sql`]), or here, with [`calc::compute`] (SQLite, which has no exact decimals;
/// and a test's comparison of the two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sql,
    Rust,
}

impl Engine {
    /// The engine for `db`'s backend.
    pub fn of(db: &impl ConnectionTrait) -> Engine {
        match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => Engine::Sql,
            _ => Engine::Rust,
        }
    }
}

/// One batch computed by [`calc::compute`] and inserted, its counts added to `totals`.
pub(super) async fn compute_in_rust(
    txn: &impl ConnectionTrait,
    b: &BatchOf<'_>,
    people: &[employee::Model],
    totals: &mut Totals,
) -> DomainResult<()> {
    let (policy, span, status, effective_on, now, run) =
        (b.policy, b.span, b.status, b.effective_on, b.now, b.run);
    let persons = inputs(txn, b.run, b.round, b.span, people).await?;
    let mut rows = Vec::new();
    for (p, input) in people.iter().zip(&persons) {
        totals.people += 1;
        match calc::compute(policy, span, input) {
            Err(skip) => *totals.skipped.entry(skip.as_str().to_owned()).or_default() += 1,
            Ok(proposals) => {
                if !proposals.is_empty() {
                    totals.rewarded += 1;
                }
                let currency = input
                    .pay
                    .as_ref()
                    .map(|p| p.currency.code)
                    .unwrap_or_default();
                for proposal in proposals {
                    let money = if proposal.kind == RewardKind::Pto {
                        ""
                    } else {
                        currency
                    };
                    let t = totals.kind_mut(proposal.kind, money);
                    t.count += 1;
                    t.proposed.0 += proposal.amount;
                    t.amount.0 += proposal.amount;
                    rows.push(reward::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        run_id: Set(Some(run.id)),
                        cycle_id: Set(run.cycle_id),
                        employee_id: Set(p.id),
                        department_id: Set(p.department_id),
                        kind: Set(proposal.kind),
                        status: Set(status),
                        amount: Set(DecimalText(proposal.amount)),
                        proposed_amount: Set(DecimalText(proposal.amount)),
                        currency: Set(money.to_owned()),
                        rating: Set(input.rating),
                        details: Set(proposal.details),
                        rationale: Set(proposal.rationale),
                        effective_on: Set(effective_on),
                        given_by: Set(None),
                        approved_by: Set(None),
                        approved_at: Set(None),
                        communicated_at: Set(None),
                        created_at: Set(now),
                    });
                }
            }
        }
    }
    insert_rewards(txn, rows).await?;
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
    let approved: HashSet<Uuid> = rows_in(txn, approved, reward::Column::EmployeeId, &ids)
        .await?
        .into_iter()
        .map(|r| r.employee_id)
        .collect();
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

/// Inserts a batch's rewards; a row already there (the batch ran before) is left as it is.
async fn insert_rewards(
    txn: &impl ConnectionTrait,
    rows: Vec<reward::ActiveModel>,
) -> DomainResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        reward::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([
                reward::Column::RunId,
                reward::Column::EmployeeId,
                reward::Column::Kind,
            ])
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
