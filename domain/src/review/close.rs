//! Closing a round: once its last day (`closes_on`) has ended everywhere (12:00 UTC the day
//! after), the schedule queues the close job. The job marks the round CLOSED and its
//! unsubmitted reviews EXPIRED (counted on the round) in one transaction, then scores every
//! reviewee with the round's versioned score function, a batch per transaction with its
//! cursor. A released rating is never scored again; a calibrated one keeps its final rating.

use super::rounds;
use super::score::{self, ComponentKind, GoalInput, GoalState, Missing, ScoreInput, Weights};
use crate::Ctx;
use crate::error::DomainResult;
use crate::events::DomainEvent;
use crate::jobs::{self, Claim};
use crate::progress::from_ppm;
use crate::publish;
use crate::query::rows_in;
use crate::values::{
    DecimalText, GoalStatus, JobKind, JobStatus, ReviewKind, ReviewStatus, RoundStatus,
};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use entity::{goal, review, review_rating, review_round};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Reviewees scored per transaction.
const BATCH: u64 = 1000;

/// When a round closes: noon UTC after its last day, when that day has ended in every
/// timezone.
pub fn closes_at(round: &review_round::Model) -> DateTime<Utc> {
    (round.closes_on + Duration::days(1))
        .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
        .and_utc()
}

/// Queues the close job of every launched round whose time has come; returns how many were
/// queued (a job already queued or running counts as none).
pub async fn queue_closes(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<u64> {
    let launched = review_round::Entity::find()
        .filter(review_round::Column::Status.eq(RoundStatus::Launched))
        .filter(review_round::Column::ClosesOn.lt(now.date_naive()))
        .all(&ctx.db)
        .await?;
    let mut queued = 0;
    for round in launched.iter().filter(|r| closes_at(r) <= now) {
        // A launch still running closes after it, so that no review arrives after expiry.
        let launching = jobs::latest(&ctx.db, JobKind::LaunchReviews, round.id).await?;
        if launching.is_some_and(|j| matches!(j.status, JobStatus::Queued | JobStatus::Running)) {
            continue;
        }
        let txn = crate::db::begin(&ctx.db).await?;
        let (_, new) = jobs::queue(&txn, JobKind::CloseRound, round.id, None, None, now).await?;
        txn.commit().await?;
        queued += u64::from(new);
    }
    Ok(queued)
}

/// The close job.
pub async fn run(ctx: &Ctx, claim: &mut Claim) -> DomainResult<()> {
    let round = rounds::get(&ctx.db, claim.job.subject_id).await?;
    if round.status != RoundStatus::Closed {
        expire(ctx, &round).await?;
    }
    let round = rounds::get(&ctx.db, round.id).await?;
    let scale = scale_of(&ctx.db, &round).await?;
    let total = reviewees(&round).count(&ctx.db).await? as i64;
    let mut processed = claim.job.processed;
    let mut cursor = claim.cursor_id();
    loop {
        let mut page = reviewees(&round)
            .select_only()
            .column(review::Column::RevieweeId)
            .order_by_asc(review::Column::RevieweeId)
            .limit(BATCH);
        if let Some(after) = cursor {
            page = page.filter(review::Column::RevieweeId.gt(after));
        }
        let ids: Vec<Uuid> = page.into_tuple().all(&ctx.db).await?;
        let Some(&last) = ids.last() else { break };
        let now = ctx.clock.now();
        let txn = crate::db::begin(&ctx.db).await?;
        score_people(&txn, &round, scale, &ids, now).await?;
        processed += ids.len() as i64;
        claim
            .advance(
                &txn,
                processed,
                total.max(processed),
                Some(last.to_string()),
                now,
            )
            .await?;
        txn.commit().await?;
        cursor = Some(last);
    }
    Ok(())
}

/// The people a round reviews: those with a SELF review in it.
fn reviewees(round: &review_round::Model) -> sea_orm::Select<review::Entity> {
    review::Entity::find()
        .filter(review::Column::RoundId.eq(round.id))
        .filter(review::Column::Kind.eq(ReviewKind::Own))
}

async fn expire(ctx: &Ctx, round: &review_round::Model) -> DomainResult<()> {
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let expired = review::Entity::update_many()
        .col_expr(review::Column::Status, ReviewStatus::Expired.into())
        .col_expr(review::Column::UpdatedAt, now.into())
        .filter(review::Column::RoundId.eq(round.id))
        .filter(review::Column::Status.eq(ReviewStatus::Pending))
        .exec(&txn)
        .await?
        .rows_affected;
    let closed = review_round::Entity::update_many()
        .col_expr(review_round::Column::Status, RoundStatus::Closed.into())
        .col_expr(review_round::Column::Expired, (expired as i32).into())
        .col_expr(review_round::Column::ClosedAt, Some(now).into())
        .col_expr(review_round::Column::UpdatedAt, now.into())
        .filter(review_round::Column::Id.eq(round.id))
        .filter(review_round::Column::Status.eq(round.status))
        .exec(&txn)
        .await?;
    if closed.rows_affected == 0 {
        return Ok(());
    }
    let event = DomainEvent::ReviewRoundClosed {
        round_id: round.id,
        cycle_id: round.cycle_id,
        expired: expired as i64,
    };
    publish::emit(&txn, now, None, vec![event]).await?;
    txn.commit().await?;
    Ok(())
}

async fn scale_of(db: &impl ConnectionTrait, round: &review_round::Model) -> DomainResult<u8> {
    Ok(match round.template_id {
        Some(t) => super::templates::get(db, t).await?.scale_max() as u8,
        None => 5,
    })
}

fn state_of(status: GoalStatus) -> GoalState {
    match status {
        GoalStatus::Agreed => GoalState::Agreed,
        GoalStatus::Achieved => GoalState::Achieved,
        GoalStatus::Missed => GoalState::Missed,
        GoalStatus::Dropped => GoalState::Dropped,
        GoalStatus::Draft | GoalStatus::Proposed => GoalState::Other,
    }
}

fn component_json(c: &score::Component) -> Value {
    let kind = match c.kind {
        ComponentKind::Goals => "GOALS",
        ComponentKind::Manager => "MANAGER",
        ComponentKind::Peer => "PEER",
        ComponentKind::Own => "SELF",
    };
    let missing = c.missing.as_ref().map(|m| match m {
        Missing::NoGoals => json!({ "reason": "NO_GOALS" }),
        Missing::NoManagerReview => json!({ "reason": "NO_MANAGER_REVIEW" }),
        Missing::TooFewPeerReviews { threshold, .. } => {
            // How many were submitted is left out: below the threshold it is not shown.
            json!({ "reason": "TOO_FEW_PEER_REVIEWS", "threshold": threshold })
        }
        Missing::NoSelfReview => json!({ "reason": "NO_SELF_REVIEW" }),
        Missing::ZeroWeight => json!({ "reason": "ZERO_WEIGHT" }),
    });
    json!({
        "kind": kind,
        "value": c.value.map(|v| v.to_string()),
        "weight": c.weight.to_string(),
        "appliedWeight": c.applied_weight.to_string(),
        "missing": missing,
    })
}

/// Scores `ids` in `round` and writes their rating rows (a released one is left alone).
pub async fn score_people(
    txn: &impl ConnectionTrait,
    round: &review_round::Model,
    scale: u8,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let released: HashSet<Uuid> = rows_in(
        txn,
        review_rating::Entity::find()
            .filter(review_rating::Column::RoundId.eq(round.id))
            .filter(review_rating::Column::ReleasedAt.is_not_null()),
        review_rating::Column::EmployeeId,
        ids,
    )
    .await?
    .into_iter()
    .map(|r| r.employee_id)
    .collect();
    let ids: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| !released.contains(id))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let people = crate::employees::by_ids(txn, &ids).await?;
    let mut goals: HashMap<Uuid, Vec<GoalInput>> = HashMap::new();
    let cycle_goals = goal::Entity::find().filter(goal::Column::CycleId.eq(round.cycle_id));
    for g in rows_in(txn, cycle_goals, goal::Column::OwnerId, &ids).await? {
        goals.entry(g.owner_id).or_default().push(GoalInput {
            weight: g.weight,
            state: state_of(g.status),
            progress: from_ppm(g.progress_ppm),
        });
    }
    let submitted = review::Entity::find()
        .filter(review::Column::RoundId.eq(round.id))
        .filter(review::Column::Status.eq(ReviewStatus::Submitted));
    let mut reviews: HashMap<Uuid, Vec<review::Model>> = HashMap::new();
    for r in rows_in(txn, submitted, review::Column::RevieweeId, &ids).await? {
        reviews.entry(r.reviewee_id).or_default().push(r);
    }
    let weights = Weights {
        goals: round.weight_goals.0,
        manager: round.weight_manager.0,
        peer: round.weight_peer.0,
        self_: round.weight_self.0,
    };
    let rows: Vec<review_rating::ActiveModel> = ids
        .iter()
        .map(|id| {
            let theirs = reviews.remove(id).unwrap_or_default();
            let rating_of = |kind: ReviewKind| {
                theirs
                    .iter()
                    .find(|r| r.kind == kind)
                    .and_then(|r| r.overall_rating)
                    .map(Decimal::from)
            };
            let manager_review = theirs.iter().find(|r| r.kind == ReviewKind::Manager);
            let s = score::compute(&ScoreInput {
                scale_max: scale,
                weights,
                goals: goals.remove(id).unwrap_or_default(),
                manager_rating: rating_of(ReviewKind::Manager),
                peer_ratings: theirs
                    .iter()
                    .filter(|r| r.kind == ReviewKind::Peer)
                    .filter_map(|r| r.overall_rating.map(Decimal::from))
                    .collect(),
                anonymity_threshold: round.anonymity_threshold.max(0) as u32,
                self_rating: rating_of(ReviewKind::Own),
            });
            let person = people.get(id);
            review_rating::ActiveModel {
                round_id: Set(round.id),
                employee_id: Set(*id),
                manager_id: Set(person.and_then(|p| p.manager_id)),
                department_id: Set(person.and_then(|p| p.department_id)),
                score: Set(s.value.map(DecimalText)),
                score_version: Set(s.version.to_owned()),
                components: Set(Value::Array(
                    s.components.iter().map(component_json).collect(),
                )),
                proposed_rating: Set(s.proposed_rating.map(i32::from)),
                final_rating: Set(None),
                potential: Set(manager_review.and_then(|r| r.potential)),
                calibrated_by: Set(None),
                calibration_reason: Set(String::new()),
                calibrated_at: Set(None),
                released_at: Set(None),
                acknowledged_at: Set(None),
                acknowledgement: Set(String::new()),
                computed_at: Set(now),
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        review_rating::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    review_rating::Column::RoundId,
                    review_rating::Column::EmployeeId,
                ])
                .update_columns([
                    review_rating::Column::ManagerId,
                    review_rating::Column::DepartmentId,
                    review_rating::Column::Score,
                    review_rating::Column::ScoreVersion,
                    review_rating::Column::Components,
                    review_rating::Column::ProposedRating,
                    review_rating::Column::Potential,
                    review_rating::Column::ComputedAt,
                ])
                // A rating released meanwhile keeps the score it was released with.
                .action_and_where(sea_orm::sea_query::ExprTrait::is_null(Expr::col((
                    review_rating::Entity,
                    review_rating::Column::ReleasedAt,
                ))))
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Scores one person again (a review reopened or resubmitted after the round closed).
pub async fn rescore(
    txn: &impl ConnectionTrait,
    round: &review_round::Model,
    employee_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let scale = scale_of(txn, round).await?;
    score_people(txn, round, scale, &[employee_id], now).await
}
