//! Launching a round: HR's request queues a background job; the job creates, for every
//! eligible person (active, hired on or before the round's cut-off), a SELF review and, when
//! they have a manager, a MANAGER review by that manager and an UPWARD review of that manager
//! by them. It works through the eligible people in id order, a batch per transaction with its
//! progress and cursor; assignments are unique per round, reviewee, reviewer and kind, so a
//! launch repeated or resumed creates nothing twice. Peer nomination opens with the launch.

use super::rounds;
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::jobs::{self, Claim};
use crate::permissions::require_hr;
use crate::publish;
use crate::values::{JobKind, ReviewKind, ReviewStatus, RoundStatus};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::{background_job, employee, review, review_round};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};
use serde_json::json;
use uuid::Uuid;

/// People per batch: each commits its assignments, progress and cursor together.
pub const BATCH: u64 = 2000;
/// Assignments per INSERT statement (13 values each, under SQLite's bound-parameter limit).
const ROWS_PER_INSERT: usize = 500;

/// HR launches a round: the launch job is queued (or, if one is already queued or running,
/// that one is returned) and the round is LAUNCHED. A launch after a finished one creates
/// only what is missing (people who became eligible since).
pub async fn launch(
    ctx: &Ctx,
    viewer: &Viewer,
    round_id: Uuid,
) -> DomainResult<(review_round::Model, background_job::Model)> {
    require_hr(viewer, "launch reviews")?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let round = rounds::get_locked(&txn, round_id).await?;
    if round.status == RoundStatus::Closed {
        return Err(DomainError::conflict("the round is closed"));
    }
    if round.template_id.is_none() {
        return Err(DomainError::conflict(
            "choose the round's template before launching it",
        ));
    }
    let (job, new) = jobs::queue(
        &txn,
        JobKind::LaunchReviews,
        round.id,
        None,
        Some(viewer.id()),
        now,
    )
    .await?;
    if new {
        review_round::Entity::update_many()
            .col_expr(review_round::Column::Status, RoundStatus::Launched.into())
            .col_expr(review_round::Column::UpdatedAt, now.into())
            .filter(review_round::Column::Id.eq(round.id))
            .filter(review_round::Column::Status.ne(RoundStatus::Closed))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            now,
            Change {
                actor: Some(viewer.id()),
                action: "review_round.launch",
                entity: "review_round",
                entity_id: round.id,
                before: Some(json!({ "status": round.status })),
                after: Some(json!({ "status": RoundStatus::Launched, "jobId": job.id })),
            },
        )
        .await?;
    }
    let round = rounds::get(&txn, round_id).await?;
    txn.commit().await?;
    Ok((round, job))
}

/// The people a round reviews.
pub fn eligible(round: &review_round::Model) -> Select<employee::Entity> {
    let mut query = employee::Entity::find().filter(employee::Column::Active.eq(true));
    if let Some(cut) = round.hired_on_or_before {
        query = query.filter(employee::Column::HiredOn.lte(cut));
    }
    query
}

fn assignment(
    round: Uuid,
    reviewee: Uuid,
    reviewer: Uuid,
    kind: ReviewKind,
    now: DateTime<Utc>,
) -> review::ActiveModel {
    review::ActiveModel {
        // Random, never time-ordered: an id must not tell when a review was written.
        id: Set(Uuid::new_v4()),
        round_id: Set(round),
        reviewee_id: Set(reviewee),
        reviewer_id: Set(reviewer),
        kind: Set(kind),
        status: Set(ReviewStatus::Pending),
        answers: Set(json!({})),
        overall_rating: Set(None),
        potential: Set(None),
        decline_reason: Set(String::new()),
        submitted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Inserts assignments, skipping any that exist.
pub async fn insert_assignments(
    txn: &impl ConnectionTrait,
    rows: Vec<review::ActiveModel>,
) -> DomainResult<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(ROWS_PER_INSERT).collect();
        review::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    review::Column::RoundId,
                    review::Column::RevieweeId,
                    review::Column::ReviewerId,
                    review::Column::Kind,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The launch job: every eligible person from the cursor on, a batch per transaction.
pub async fn run(ctx: &Ctx, claim: &mut Claim) -> DomainResult<()> {
    let round = rounds::get(&ctx.db, claim.job.subject_id).await?;
    let total = eligible(&round).count(&ctx.db).await? as i64;
    let mut processed = claim.job.processed;
    let mut cursor = claim.cursor_id();
    loop {
        let mut page = eligible(&round)
            .select_only()
            .column(employee::Column::Id)
            .column(employee::Column::ManagerId)
            .order_by_asc(employee::Column::Id)
            .limit(BATCH);
        if let Some(after) = cursor {
            page = page.filter(employee::Column::Id.gt(after));
        }
        let people: Vec<(Uuid, Option<Uuid>)> = page.into_tuple().all(&ctx.db).await?;
        let Some(&(last, _)) = people.last() else {
            break;
        };
        let managers: Vec<Uuid> = people.iter().filter_map(|(_, m)| *m).collect();
        let active = crate::employees::by_ids(&ctx.db, &managers).await?;
        let now = ctx.clock.now();
        let mut rows = Vec::with_capacity(people.len() * 3);
        for &(person, manager) in &people {
            rows.push(assignment(round.id, person, person, ReviewKind::Own, now));
            // A manager who has left neither reviews nor is reviewed.
            if let Some(m) = manager.filter(|m| active.get(m).is_some_and(|e| e.active)) {
                rows.push(assignment(round.id, person, m, ReviewKind::Manager, now));
                rows.push(assignment(round.id, m, person, ReviewKind::Upward, now));
            }
        }
        let txn = crate::db::begin(&ctx.db).await?;
        // A round that closed meanwhile takes no new reviews: the launch stops there.
        if rounds::get_locked(&txn, round.id).await?.status == RoundStatus::Closed {
            return Ok(());
        }
        insert_assignments(&txn, rows).await?;
        processed += people.len() as i64;
        // People who left since the count was taken could make the count smaller.
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
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    claim
        .advance(
            &txn,
            processed,
            processed,
            cursor.map(|c| c.to_string()),
            now,
        )
        .await?;
    let reviews = review::Entity::find()
        .filter(review::Column::RoundId.eq(round.id))
        .count(&txn)
        .await? as i64;
    let event = DomainEvent::ReviewsLaunched {
        round_id: round.id,
        cycle_id: round.cycle_id,
        people: processed,
        reviews,
    };
    publish::emit(&txn, now, None, vec![event]).await?;
    txn.commit().await?;
    Ok(())
}
