//! Release (HR; everyone, or one department): a background job fixes each unreleased rating
//! of a closed round (the calibrated rating, else the proposed one) and releases it, a batch
//! per transaction, each person told by e-mail. Only then does a person see their rating,
//! their manager's review and the anonymous aggregates; they may acknowledge it once, with a
//! comment their manager hears.

use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::jobs::{self, Claim};
use crate::permissions::require_hr;
use crate::publish;
use crate::values::{JobKind, JobStatus, RoundStatus, optional_text};
use crate::{Ctx, Viewer};
use entity::{background_job, review_rating};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

/// Ratings released per transaction.
const BATCH: u64 = 500;

/// HR releases a closed round's ratings (all, or one department's): the release job is
/// queued, or the one already queued or running is returned.
pub async fn release(
    ctx: &Ctx,
    viewer: &Viewer,
    round_id: Uuid,
    department_id: Option<Uuid>,
) -> DomainResult<background_job::Model> {
    require_hr(viewer, "release ratings")?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let round = super::rounds::get_locked(&txn, round_id).await?;
    if round.status != RoundStatus::Closed {
        return Err(DomainError::conflict(
            "ratings are released once the round has closed and been calibrated",
        ));
    }
    match jobs::latest(&txn, JobKind::CloseRound, round.id).await? {
        Some(j) if j.status == JobStatus::Failed => {
            return Err(DomainError::conflict(format!(
                "the round's scoring failed ({}); nothing can be released",
                j.last_error
            )));
        }
        Some(j) if j.status != JobStatus::Done => {
            return Err(DomainError::conflict(
                "the round's scores are still being computed",
            ));
        }
        _ => {}
    }
    let (job, _) = jobs::request(
        &txn,
        jobs::Request {
            kind: JobKind::ReleaseRatings,
            subject_id: round.id,
            department_id,
            viewer,
            action: "review_round.release",
            entity: "review_round",
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(job)
}

fn unreleased(round_id: Uuid, department_id: Option<Uuid>) -> Select<review_rating::Entity> {
    let mut q = review_rating::Entity::find()
        .filter(review_rating::Column::RoundId.eq(round_id))
        .filter(review_rating::Column::ReleasedAt.is_null());
    if let Some(d) = department_id {
        q = q.filter(review_rating::Column::DepartmentId.eq(d));
    }
    q
}

/// The release job: whatever is still unreleased in its scope, a batch at a time (a batch
/// repeated after a crash finds its people released and skips them; the e-mails' dedupe keys
/// keep a person from hearing twice).
pub async fn run(ctx: &Ctx, claim: &mut Claim) -> DomainResult<()> {
    let round_id = claim.job.subject_id;
    let scope = claim.job.scope_id;
    let mut processed = claim.job.processed;
    let total = processed + unreleased(round_id, scope).count(&ctx.db).await? as i64;
    // On from the cursor along the primary key: the released rows behind it are never read
    // again (filtering them out from the start each time made every batch slower).
    let mut cursor = claim.cursor_id();
    loop {
        let mut page = unreleased(round_id, scope);
        if let Some(after) = cursor {
            page = page.filter(review_rating::Column::EmployeeId.gt(after));
        }
        let ids: Vec<Uuid> = page
            .select_only()
            .column(review_rating::Column::EmployeeId)
            .order_by_asc(review_rating::Column::EmployeeId)
            .limit(BATCH)
            .into_tuple()
            .all(&ctx.db)
            .await?;
        let Some(&last) = ids.last() else { break };
        cursor = Some(last);
        let now = ctx.clock.now();
        let txn = crate::db::begin(&ctx.db).await?;
        // This batch's rows still unreleased, locked: another release (a department's and the
        // whole round's may run at once) neither releases nor announces them twice.
        let ids: Vec<Uuid> = unreleased(round_id, scope)
            .select_only()
            .column(review_rating::Column::EmployeeId)
            .filter(review_rating::Column::EmployeeId.is_in(ids.clone()))
            .lock_exclusive()
            .into_tuple()
            .all(&txn)
            .await?;
        review_rating::Entity::update_many()
            .col_expr(
                review_rating::Column::FinalRating,
                Expr::col(review_rating::Column::FinalRating)
                    .if_null(Expr::col(review_rating::Column::ProposedRating)),
            )
            .col_expr(review_rating::Column::ReleasedAt, Some(now).into())
            .filter(review_rating::Column::RoundId.eq(round_id))
            .filter(review_rating::Column::EmployeeId.is_in(ids.clone()))
            .filter(review_rating::Column::ReleasedAt.is_null())
            .exec(&txn)
            .await?;
        let released = review_rating::Entity::find()
            .filter(review_rating::Column::RoundId.eq(round_id))
            .filter(review_rating::Column::EmployeeId.is_in(ids.clone()))
            .all(&txn)
            .await?;
        let events = released
            .iter()
            .map(|r| DomainEvent::RatingReleased {
                round_id,
                employee_id: r.employee_id,
                rating: r.final_rating,
            })
            .collect();
        publish::emit(&txn, now, claim.job.requested_by, events).await?;
        processed += ids.len() as i64;
        claim
            .advance(
                &txn,
                processed,
                Ord::max(total, processed),
                Some(last.to_string()),
                now,
            )
            .await?;
        txn.commit().await?;
    }
    Ok(())
}

/// The employee acknowledges their released rating, once, with an optional comment.
pub async fn acknowledge(
    ctx: &Ctx,
    viewer: &Viewer,
    round_id: Uuid,
    comment: &str,
) -> DomainResult<review_rating::Model> {
    let comment = optional_text("comment", comment, 2000)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let current = review_rating::Entity::find_by_id((round_id, viewer.id()))
        .one(&txn)
        .await?
        .filter(|r| r.released_at.is_some())
        .ok_or(DomainError::NotFound("rating"))?;
    if current.acknowledged_at.is_some() {
        return Err(DomainError::conflict(
            "you acknowledged this rating already",
        ));
    }
    let changed = review_rating::Entity::update_many()
        .col_expr(review_rating::Column::AcknowledgedAt, Some(now).into())
        .col_expr(
            review_rating::Column::Acknowledgement,
            comment.clone().into(),
        )
        .filter(review_rating::Column::RoundId.eq(round_id))
        .filter(review_rating::Column::EmployeeId.eq(viewer.id()))
        .filter(review_rating::Column::AcknowledgedAt.is_null())
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "you acknowledged this rating already",
        ));
    }
    let event = DomainEvent::RatingAcknowledged {
        round_id,
        employee_id: viewer.id(),
        with_comment: !comment.is_empty(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    let updated = review_rating::Entity::find_by_id((round_id, viewer.id()))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("rating"))?;
    txn.commit().await?;
    Ok(updated)
}
