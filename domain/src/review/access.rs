//! Who may see a review and what of it (DESIGN §4, and the anonymity rules).
//!
//! - Its author (the reviewer) always sees and writes their own review.
//! - SELF and MANAGER reviews are signed: the reviewee's managers and HR read them once
//!   submitted; the reviewee reads the MANAGER review about them once their rating is released.
//! - PEER and UPWARD reviews are anonymous: nobody but the author reads one; the reviewee and
//!   their managers get only aggregates ([`super::summary`]). HR reads them one by one only
//!   where the round allows it, and each look is audited.
//!
//! Any review the viewer may not read is `NotFound`, exactly like a missing one, so an error
//! never tells whether someone was asked to review.

use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::values::{ReviewKind, ReviewStatus};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::{employee, review, review_rating, review_round};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

/// The name every refusal to show a review uses.
pub const REVIEW: &str = "review";

/// Whether reviews of `kind` are anonymous.
pub fn anonymous(kind: ReviewKind) -> bool {
    matches!(kind, ReviewKind::Peer | ReviewKind::Upward)
}

/// Whether the viewer acts as HR about `person`: an HR admin, but never about themselves (an
/// HR admin's own reviews and rating are theirs like anyone's).
pub fn hr_about(viewer: &Viewer, person: Uuid) -> bool {
    viewer.is_hr() && viewer.id() != person
}

/// Whether HR may read this round's anonymous reviews about `reviewee` one by one.
pub fn hr_sees_identities(viewer: &Viewer, round: &review_round::Model, reviewee: Uuid) -> bool {
    hr_about(viewer, reviewee) && round.hr_sees_peer_identities
}

/// Whether the reviewee's rating in the round is released.
pub async fn released(
    db: &impl ConnectionTrait,
    round_id: Uuid,
    employee_id: Uuid,
) -> DomainResult<bool> {
    Ok(review_rating::Entity::find_by_id((round_id, employee_id))
        .one(db)
        .await?
        .is_some_and(|r| r.released_at.is_some()))
}

/// Whether `viewer` may read `r` (about `reviewee`) in `round`. Reading an anonymous review
/// as HR is not decided here: see [`read`], which audits it.
pub async fn may_read(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    r: &review::Model,
    reviewee: &employee::Model,
    round: &review_round::Model,
) -> DomainResult<bool> {
    if r.reviewer_id == viewer.id() {
        return Ok(true);
    }
    if anonymous(r.kind) {
        return Ok(hr_sees_identities(viewer, round, reviewee.id));
    }
    let submitted = r.status == ReviewStatus::Submitted;
    if hr_about(viewer, reviewee.id) || viewer.manages(reviewee) {
        return Ok(submitted);
    }
    if viewer.id() == reviewee.id && r.kind == ReviewKind::Manager && submitted {
        return released(db, r.round_id, reviewee.id).await;
    }
    Ok(false)
}

/// Records HR's look at an anonymous review (who wrote it is what they saw).
pub async fn audit_identity_look(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    r: &review::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    audit::record(
        db,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "review.identity_read",
            entity: "review",
            entity_id: r.id,
            before: None,
            after: Some(
                json!({ "roundId": r.round_id, "revieweeId": r.reviewee_id, "kind": r.kind }),
            ),
        },
    )
    .await
}

/// A review, its reviewee and round, if the viewer may read it (an HR look at an anonymous
/// review is audited); otherwise `NotFound`.
pub async fn read(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<(review::Model, employee::Model, review_round::Model)> {
    let (r, reviewee, round) = load(&ctx.db, id).await?;
    if !may_read(&ctx.db, viewer, &r, &reviewee, &round).await? {
        return Err(DomainError::NotFound(REVIEW));
    }
    if anonymous(r.kind) && r.reviewer_id != viewer.id() {
        audit_identity_look(&ctx.db, viewer, &r, ctx.clock.now()).await?;
    }
    Ok((r, reviewee, round))
}

/// A review with its reviewee and round, unchecked.
pub async fn load(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<(review::Model, employee::Model, review_round::Model)> {
    let r = review::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(REVIEW))?;
    let reviewee = employee::Entity::find_by_id(r.reviewee_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(REVIEW))?;
    let round = super::rounds::get(db, r.round_id).await?;
    Ok((r, reviewee, round))
}

/// The review `id` for its author to write: `NotFound` for anyone who may not read it,
/// `Forbidden` for a reader who is not its author.
pub async fn own(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<(review::Model, employee::Model, review_round::Model)> {
    let (r, reviewee, round) = load(db, id).await?;
    if r.reviewer_id == viewer.id() {
        return Ok((r, reviewee, round));
    }
    if may_read(db, viewer, &r, &reviewee, &round).await? {
        return Err(DomainError::forbidden("only its author writes a review"));
    }
    Err(DomainError::NotFound(REVIEW))
}

/// Who may see a person's review results in a round: HR, their managers, and (after release)
/// themselves.
pub fn may_see_results_of(viewer: &Viewer, person: &employee::Model) -> bool {
    viewer.is_hr() || viewer.is_self_or_manager_of(person)
}

/// The reviews of `kind` about `reviewee` in a round.
pub async fn about(
    db: &impl ConnectionTrait,
    round_id: Uuid,
    reviewee_id: Uuid,
    kinds: &[ReviewKind],
) -> DomainResult<Vec<review::Model>> {
    Ok(review::Entity::find()
        .filter(review::Column::RoundId.eq(round_id))
        .filter(review::Column::RevieweeId.eq(reviewee_id))
        .filter(review::Column::Kind.is_in(kinds.iter().copied()))
        .all(db)
        .await?)
}
