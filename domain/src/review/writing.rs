//! Writing reviews: the author saves drafts and submits (final: only HR reopens, audited); a
//! peer may decline with a reason. Answers are checked against the round's template: each
//! question the review's kind answers, on the template's scale (or 1–5 for a competency).
//! Events about anonymous reviews never name their author.

use super::access::{self, anonymous};
use super::templates::{LEVELS, Template};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::permissions::require_hr;
use crate::publish;
use crate::query::{Keyset, keyset_page};
use crate::values::{Potential, QuestionKind, ReviewKind, ReviewStatus, RoundStatus};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::{review, review_round};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// The longest text answer.
pub const MAX_ANSWER: usize = 5000;

/// One answer as a reviewer writes it: a rating, a text or a level, as the question asks.
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    pub question_key: String,
    pub rating: Option<i32>,
    pub text: Option<String>,
    pub level: Option<i32>,
}

/// A draft as its author saves it: the whole set of answers (replacing the last draft's),
/// the overall rating and, in a MANAGER review, the person's potential.
#[derive(Debug, Clone, Default)]
pub struct DraftInput {
    pub answers: Vec<AnswerInput>,
    pub overall_rating: Option<i32>,
    pub potential: Option<Potential>,
}

/// An answer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Rating(i32),
    Text(String),
    Level(i32),
}

/// Reads a stored answer.
pub fn answer_of(v: &Value) -> Option<Answer> {
    if let Some(n) = v.get("rating").and_then(Value::as_i64) {
        return Some(Answer::Rating(n as i32));
    }
    if let Some(n) = v.get("level").and_then(Value::as_i64) {
        return Some(Answer::Level(n as i32));
    }
    v.get("text")
        .and_then(Value::as_str)
        .map(|t| Answer::Text(t.to_owned()))
}

fn check_answers(t: &Template, kind: ReviewKind, answers: &[AnswerInput]) -> DomainResult<Value> {
    let mut stored = Map::new();
    for (i, a) in answers.iter().enumerate() {
        let at = |field: &str| format!("answers[{i}].{field}");
        let q = t
            .question(&a.question_key)
            .filter(|q| q.asked_of(kind))
            .ok_or_else(|| {
                DomainError::bad(at("questionKey"), "no such question in this review")
            })?;
        if stored.contains_key(&q.key) {
            return Err(DomainError::bad(
                at("questionKey"),
                "this question is answered twice",
            ));
        }
        let given = [a.rating.is_some(), a.text.is_some(), a.level.is_some()];
        let wanted = match q.kind {
            QuestionKind::Rating => 0,
            QuestionKind::Text => 1,
            QuestionKind::Competency => 2,
        };
        if let Some(other) = (0..3).find(|&k| k != wanted && given[k]) {
            let field = ["rating", "text", "level"][other];
            return Err(DomainError::bad(
                at(field),
                format!("a {} question takes no {field}", q.kind),
            ));
        }
        let value = match (q.kind, a.rating, a.text.as_deref(), a.level) {
            (QuestionKind::Rating, Some(r), _, _) => {
                if !(1..=t.scale_max()).contains(&r) {
                    return Err(DomainError::bad(
                        at("rating"),
                        format!("a rating is from 1 to {}", t.scale_max()),
                    ));
                }
                json!({ "rating": r })
            }
            (QuestionKind::Text, _, Some(text), _) => {
                let text = text.trim();
                if text.chars().count() > MAX_ANSWER {
                    return Err(DomainError::bad(
                        at("text"),
                        format!("at most {MAX_ANSWER} characters"),
                    ));
                }
                if text.is_empty() {
                    continue;
                }
                json!({ "text": text })
            }
            (QuestionKind::Competency, _, _, Some(level)) => {
                if !LEVELS.contains(&level) {
                    return Err(DomainError::bad(at("level"), "a level is from 1 to 5"));
                }
                json!({ "level": level })
            }
            _ => continue,
        };
        stored.insert(q.key.clone(), value);
    }
    Ok(Value::Object(stored))
}

fn check_draft(t: &Template, kind: ReviewKind, d: &DraftInput) -> DomainResult<Value> {
    let answers = check_answers(t, kind, &d.answers)?;
    if let Some(r) = d.overall_rating
        && !(1..=t.scale_max()).contains(&r)
    {
        return Err(DomainError::bad(
            "overallRating",
            format!("a rating is from 1 to {}", t.scale_max()),
        ));
    }
    if d.potential.is_some() && kind != ReviewKind::Manager {
        return Err(DomainError::bad(
            "potential",
            "only a manager review rates potential",
        ));
    }
    Ok(answers)
}

/// What a review still lacks to be submitted: the first missing field.
fn check_complete(t: &Template, r: &review::Model) -> DomainResult<()> {
    for q in t
        .questions
        .iter()
        .filter(|q| q.asked_of(r.kind) && q.required)
    {
        if r.answers.get(&q.key).is_none() {
            return Err(DomainError::bad(
                "answers",
                format!("question {} ({}) needs an answer", q.key, q.prompt),
            ));
        }
    }
    if r.overall_rating.is_none() {
        return Err(DomainError::bad(
            "overallRating",
            "give an overall rating before submitting",
        ));
    }
    if r.kind == ReviewKind::Manager && r.potential.is_none() {
        return Err(DomainError::bad(
            "potential",
            "a manager review rates potential",
        ));
    }
    Ok(())
}

/// Reviews are written from the window's first day in the reviewer's timezone until the round
/// closes (a review HR reopened after that, while it is PENDING on a closed round, too).
fn check_window(
    round: &review_round::Model,
    reviewer: &entity::employee::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if now < crate::calendar::local_midnight(crate::calendar::zone(reviewer), round.opens_on) {
        return Err(DomainError::conflict(format!(
            "the review window opens on {}",
            round.opens_on
        )));
    }
    if round.status != RoundStatus::Closed && now >= super::close::closes_at(round) {
        return Err(DomainError::conflict(format!(
            "the round closed after {}",
            round.closes_on
        )));
    }
    Ok(())
}

async fn template_of(
    db: &impl ConnectionTrait,
    round: &review_round::Model,
) -> DomainResult<Template> {
    let id = round
        .template_id
        .ok_or_else(|| DomainError::Internal(format!("round {} has no template", round.id)))?;
    super::templates::get(db, id).await
}

/// Writes `next` over `current` if it is still in the state that was read.
async fn write(
    txn: &impl ConnectionTrait,
    current: &review::Model,
    next: review::ActiveModel,
) -> DomainResult<review::Model> {
    let changed = review::Entity::update_many()
        .set(next)
        .filter(review::Column::Id.eq(current.id))
        .filter(review::Column::Status.eq(current.status))
        .filter(review::Column::UpdatedAt.eq(current.updated_at))
        .exec(txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the review changed meanwhile; reload it and try again",
        ));
    }
    crate::query::find::<review::Entity>(txn, current.id, access::REVIEW).await
}

/// The author saves a draft of a PENDING review.
pub async fn save(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    draft: DraftInput,
) -> DomainResult<review::Model> {
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, _, round) = access::own(&txn, viewer, id).await?;
    require_pending(&current)?;
    check_window(&round, &viewer.employee, now)?;
    let t = template_of(&txn, &round).await?;
    let answers = check_draft(&t, current.kind, &draft)?;
    let next = review::ActiveModel {
        answers: sea_orm::Set(answers),
        overall_rating: sea_orm::Set(draft.overall_rating),
        potential: sea_orm::Set(draft.potential),
        updated_at: sea_orm::Set(now),
        ..Default::default()
    };
    let saved = write(&txn, &current, next).await?;
    txn.commit().await?;
    Ok(saved)
}

fn require_pending(r: &review::Model) -> DomainResult<()> {
    match r.status {
        ReviewStatus::Pending => Ok(()),
        ReviewStatus::Submitted => Err(DomainError::conflict(
            "a submitted review is final; HR can reopen it",
        )),
        ReviewStatus::Declined => Err(DomainError::conflict("this review was declined")),
        ReviewStatus::Expired => Err(DomainError::conflict(
            "the round closed before this review was submitted",
        )),
    }
}

/// The author submits a PENDING review (with the draft in `draft`, if given): final. A review
/// HR reopened after the round closed is scored again when resubmitted.
pub async fn submit(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    draft: Option<DraftInput>,
) -> DomainResult<review::Model> {
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, _, round) = access::own(&txn, viewer, id).await?;
    require_pending(&current)?;
    check_window(&round, &viewer.employee, now)?;
    let t = template_of(&txn, &round).await?;
    let mut complete = current.clone();
    if let Some(d) = &draft {
        complete.answers = check_draft(&t, current.kind, d)?;
        complete.overall_rating = d.overall_rating;
        complete.potential = d.potential;
    }
    check_complete(&t, &complete)?;
    let next = review::ActiveModel {
        answers: sea_orm::Set(complete.answers),
        overall_rating: sea_orm::Set(complete.overall_rating),
        potential: sea_orm::Set(complete.potential),
        status: sea_orm::Set(ReviewStatus::Submitted),
        submitted_at: sea_orm::Set(Some(now)),
        updated_at: sea_orm::Set(now),
        ..Default::default()
    };
    let submitted = write(&txn, &current, next).await?;
    if round.status == RoundStatus::Closed {
        super::close::rescore(&txn, &round, submitted.reviewee_id, now).await?;
    }
    let event = DomainEvent::ReviewSubmitted {
        round_id: round.id,
        reviewee_id: submitted.reviewee_id,
        kind: submitted.kind,
    };
    // An anonymous review's events carry no actor.
    let actor = (!anonymous(submitted.kind)).then(|| viewer.id());
    publish::emit(&txn, now, actor, vec![event]).await?;
    txn.commit().await?;
    Ok(submitted)
}

/// A peer declines to review, saying why (only its author, and HR where the round shows
/// identities, read the reason).
pub async fn decline(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    reason: &str,
) -> DomainResult<review::Model> {
    let reason = crate::values::required_text("reason", reason, 1000)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, _, round) = access::own(&txn, viewer, id).await?;
    if current.kind != ReviewKind::Peer {
        return Err(DomainError::conflict("only a peer review can be declined"));
    }
    require_pending(&current)?;
    let next = review::ActiveModel {
        status: sea_orm::Set(ReviewStatus::Declined),
        decline_reason: sea_orm::Set(reason),
        updated_at: sea_orm::Set(now),
        ..Default::default()
    };
    let declined = write(&txn, &current, next).await?;
    let event = DomainEvent::ReviewDeclined {
        round_id: round.id,
        reviewee_id: declined.reviewee_id,
    };
    publish::emit(&txn, now, None, vec![event]).await?;
    txn.commit().await?;
    Ok(declined)
}

/// HR reopens a submitted, declined or expired review (audited with the reason; an anonymous
/// review's entry does not name its author). Its author hears by e-mail. A released rating
/// is final: its reviews stay closed.
pub async fn reopen(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    reason: &str,
) -> DomainResult<review::Model> {
    require_hr(viewer, "reopen reviews")?;
    let reason = crate::values::required_text("reason", reason, 1000)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, _, round) = access::load(&txn, id).await?;
    if anonymous(current.kind) && !access::hr_sees_identities(viewer, &round, current.reviewee_id) {
        return Err(DomainError::NotFound(access::REVIEW));
    }
    if !access::hr_about(viewer, current.reviewee_id) {
        return Err(DomainError::forbidden(
            "HR reopens reviews about others, not about themselves",
        ));
    }
    if current.status == ReviewStatus::Pending {
        return Err(DomainError::conflict("the review is open already"));
    }
    if access::released(&txn, round.id, current.reviewee_id).await? {
        return Err(DomainError::conflict(
            "the rating this review counts towards is released",
        ));
    }
    let next = review::ActiveModel {
        status: sea_orm::Set(ReviewStatus::Pending),
        submitted_at: sea_orm::Set(None),
        decline_reason: sea_orm::Set(String::new()),
        updated_at: sea_orm::Set(now),
        ..Default::default()
    };
    let reopened = write(&txn, &current, next).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "review.reopen",
            entity: "review",
            entity_id: id,
            before: Some(json!({ "status": current.status, "kind": current.kind })),
            after: Some(json!({ "status": reopened.status, "reason": reason })),
        },
    )
    .await?;
    if round.status == RoundStatus::Closed {
        super::close::rescore(&txn, &round, reopened.reviewee_id, now).await?;
    }
    let event = DomainEvent::ReviewReopened {
        review_id: id,
        round_id: round.id,
        reviewee_id: reopened.reviewee_id,
        kind: reopened.kind,
        reviewer_id: reopened.reviewer_id,
        reason,
        change_id: Uuid::new_v4(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(reopened)
}

/// Which of their reviews a reviewer lists.
#[derive(Debug, Clone, Default)]
pub struct MyReviewsFilter {
    pub round_id: Option<Uuid>,
    pub status: Option<ReviewStatus>,
}

fn by_created() -> Keyset<review::Entity> {
    Keyset {
        key: review::Column::CreatedAt,
        id: review::Column::Id,
        descending: false,
        position: |r| Position {
            key: SortKey::Time(r.created_at),
            id: r.id,
        },
    }
}

/// The reviews the viewer writes, oldest assignment first.
pub async fn mine(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: MyReviewsFilter,
    page: &PageRequest,
) -> DomainResult<Page<review::Model>> {
    let mut query = review::Entity::find().filter(review::Column::ReviewerId.eq(viewer.id()));
    if let Some(round) = filter.round_id {
        query = query.filter(review::Column::RoundId.eq(round));
    }
    if let Some(status) = filter.status {
        query = query.filter(review::Column::Status.eq(status));
    }
    keyset_page(
        &ctx.db,
        query,
        &by_created(),
        &SortKey::Time(DateTime::<Utc>::MIN_UTC),
        page,
    )
    .await
}

/// Counts of a round's reviews by kind and status (HR's progress view; no names).
pub async fn progress(
    db: &impl ConnectionTrait,
    round_id: Uuid,
) -> DomainResult<Vec<(ReviewKind, ReviewStatus, i64)>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(ReviewKind, ReviewStatus, i64)> = review::Entity::find()
        .select_only()
        .column(review::Column::Kind)
        .column(review::Column::Status)
        .column_as(review::Column::Id.count(), "n")
        .filter(review::Column::RoundId.eq(round_id))
        .group_by(review::Column::Kind)
        .group_by(review::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows)
}
