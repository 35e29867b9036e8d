//! What a person's reviews in a round add up to, for each viewer.
//!
//! PEER and UPWARD reviews reach the reviewee and their managers only as aggregates per
//! question (count, mean, distribution), only once the round has closed (so two looks never
//! differ by one new answer), and only when at least the round's threshold of that kind were
//! submitted (not counting the viewer's own, which they could subtract); below it nothing of
//! that kind is shown, not even how many there are. A
//! question's numbers also need that many answers (an optional question answered once would
//! otherwise show one person's rating). Text comments carry no author and are sorted by their
//! own text, so their order says nothing about who wrote them or when. The reviewee sees
//! anything only once their rating is released.

use super::access::{self, may_see_results_of};
use super::score::round_half_even;
use super::templates::{LEVELS, Question, Template};
use super::writing::{Answer, answer_of};
use crate::error::{DomainError, DomainResult};
use crate::values::{QuestionKind, ReviewKind, ReviewStatus, RoundStatus};
use crate::{Ctx, Viewer};
use entity::{employee, review, review_rating, review_round};
use rust_decimal::Decimal;
use sea_orm::EntityTrait;
use uuid::Uuid;

/// One question's answers, pooled.
#[derive(Debug, Clone)]
pub struct QuestionAggregate {
    pub question: Question,
    /// Whether enough answers were given to show the numbers.
    pub shown: bool,
    /// How many answered (when shown).
    pub count: Option<u32>,
    pub mean: Option<Decimal>,
    /// (point, how many) for every point of the scale, lowest first (when shown).
    pub distribution: Vec<(i32, u32)>,
    /// Text answers, sorted by their text.
    pub comments: Vec<String>,
}

/// One anonymous kind's reviews about a person, pooled.
#[derive(Debug, Clone)]
pub struct AnonymousSection {
    pub kind: ReviewKind,
    /// Whether at least `threshold` are submitted; nothing else is filled in otherwise.
    pub shown: bool,
    pub threshold: i32,
    pub submitted: Option<u32>,
    /// The overall ratings, pooled.
    pub overall: Option<QuestionAggregate>,
    pub questions: Vec<QuestionAggregate>,
}

/// A person's reviews in a round, as the viewer may see them.
#[derive(Debug, Clone)]
pub struct Summary {
    pub round: review_round::Model,
    pub employee: employee::Model,
    /// Whether their rating is released (the reviewee sees nothing else before).
    pub released: bool,
    pub self_review: Option<review::Model>,
    pub manager_review: Option<review::Model>,
    pub peer: AnonymousSection,
    pub upward: AnonymousSection,
    pub rating: Option<review_rating::Model>,
}

fn hidden(kind: ReviewKind, threshold: i32) -> AnonymousSection {
    AnonymousSection {
        kind,
        shown: false,
        threshold,
        submitted: None,
        overall: None,
        questions: Vec::new(),
    }
}

fn pool(
    question: Question,
    values: Vec<i32>,
    texts: Vec<String>,
    points: i32,
    threshold: i32,
) -> QuestionAggregate {
    if question.kind == QuestionKind::Text {
        let mut comments = texts;
        comments.sort();
        return QuestionAggregate {
            question,
            shown: true,
            count: Some(comments.len() as u32),
            mean: None,
            distribution: Vec::new(),
            comments,
        };
    }
    if (values.len() as i32) < threshold {
        return QuestionAggregate {
            question,
            shown: false,
            count: None,
            mean: None,
            distribution: Vec::new(),
            comments: Vec::new(),
        };
    }
    let sum: i64 = values.iter().map(|v| i64::from(*v)).sum();
    let mean = round_half_even(Decimal::from(sum) / Decimal::from(values.len() as i64), 2);
    QuestionAggregate {
        question,
        shown: true,
        count: Some(values.len() as u32),
        mean: Some(mean),
        distribution: (1..=points)
            .map(|p| (p, values.iter().filter(|v| **v == p).count() as u32))
            .collect(),
        comments: Vec::new(),
    }
}

/// Pools the submitted reviews of one anonymous kind.
pub fn section(
    kind: ReviewKind,
    template: &Template,
    threshold: i32,
    reviews: &[review::Model],
) -> AnonymousSection {
    let submitted: Vec<&review::Model> = reviews
        .iter()
        .filter(|r| r.kind == kind && r.status == ReviewStatus::Submitted)
        .collect();
    if (submitted.len() as i32) < threshold {
        return hidden(kind, threshold);
    }
    let questions = template
        .questions
        .iter()
        .filter(|q| q.asked_of(kind))
        .map(|q| {
            let mut values = Vec::new();
            let mut texts = Vec::new();
            for r in &submitted {
                match r.answers.get(&q.key).and_then(answer_of) {
                    Some(Answer::Rating(v) | Answer::Level(v)) => values.push(v),
                    Some(Answer::Text(t)) => texts.push(t),
                    None => {}
                }
            }
            let points = match q.kind {
                QuestionKind::Competency => *LEVELS.end(),
                _ => template.scale_max(),
            };
            pool(q.clone(), values, texts, points, threshold)
        })
        .collect();
    let overall = Question {
        key: "overall".to_owned(),
        section: String::new(),
        kind: QuestionKind::Rating,
        prompt: "Overall rating".to_owned(),
        required: true,
        kinds: vec![kind],
        skill_id: None,
    };
    let overall_values = submitted.iter().filter_map(|r| r.overall_rating).collect();
    AnonymousSection {
        kind,
        shown: true,
        threshold,
        submitted: Some(submitted.len() as u32),
        overall: Some(pool(
            overall,
            overall_values,
            Vec::new(),
            template.scale_max(),
            threshold,
        )),
        questions,
    }
}

/// A person's reviews in a round: HR and their managers at any time, themselves once their
/// rating is released; `NotFound` for anyone else.
pub async fn summary(
    ctx: &Ctx,
    viewer: &Viewer,
    round_id: Uuid,
    employee_id: Uuid,
) -> DomainResult<Summary> {
    const NOT_FOUND: DomainError = DomainError::NotFound("review summary");
    let db = &ctx.db;
    let person = crate::employees::get(db, viewer, employee_id).await?;
    if !may_see_results_of(viewer, &person) {
        return Err(NOT_FOUND);
    }
    let round = super::rounds::get(db, round_id).await?;
    let threshold = round.anonymity_threshold;
    let rating = review_rating::Entity::find_by_id((round.id, person.id))
        .one(db)
        .await?;
    let released = rating.as_ref().is_some_and(|r| r.released_at.is_some());
    let reviews = access::about(
        db,
        round.id,
        person.id,
        &[
            ReviewKind::Own,
            ReviewKind::Manager,
            ReviewKind::Peer,
            ReviewKind::Upward,
        ],
    )
    .await?;
    let mut readable = Vec::new();
    for r in reviews.iter().filter(|r| !access::anonymous(r.kind)) {
        if access::may_read(db, viewer, r, &person, &round).await? {
            readable.push(r.clone());
        }
    }
    let of_kind = |kind| readable.iter().find(|r| r.kind == kind).cloned();
    let self_review = of_kind(ReviewKind::Own);
    let manager_review = of_kind(ReviewKind::Manager);
    if viewer.id() == person.id && !released {
        return Ok(Summary {
            round,
            employee: person,
            released,
            self_review,
            manager_review: None,
            peer: hidden(ReviewKind::Peer, threshold),
            upward: hidden(ReviewKind::Upward, threshold),
            rating: None,
        });
    }
    // A viewer who wrote one of them could subtract their own answers: for them the
    // threshold counts the others only.
    let threshold_for = |kind: ReviewKind| {
        let own = reviews.iter().any(|r| {
            r.kind == kind && r.reviewer_id == viewer.id() && r.status == ReviewStatus::Submitted
        });
        threshold + i32::from(own)
    };
    let (peer, upward) = match round.template_id {
        // Pooled only once the round is closed: answers that keep arriving would show each new
        // one as the difference between two looks.
        Some(t) if round.status == RoundStatus::Closed => {
            let template = super::templates::get(db, t).await?;
            (
                section(
                    ReviewKind::Peer,
                    &template,
                    threshold_for(ReviewKind::Peer),
                    &reviews,
                ),
                section(
                    ReviewKind::Upward,
                    &template,
                    threshold_for(ReviewKind::Upward),
                    &reviews,
                ),
            )
        }
        _ => (
            hidden(ReviewKind::Peer, threshold),
            hidden(ReviewKind::Upward, threshold),
        ),
    };
    Ok(Summary {
        round,
        employee: person,
        released,
        self_review,
        manager_review,
        peer,
        upward,
        rating,
    })
}

/// HR's look at who wrote each anonymous review about a person, where the round allows it;
/// every review shown is audited as a look.
pub async fn identities(
    ctx: &Ctx,
    viewer: &Viewer,
    round: &review_round::Model,
    employee_id: Uuid,
) -> DomainResult<Vec<review::Model>> {
    if !access::hr_sees_identities(viewer, round, employee_id) {
        return Err(DomainError::forbidden(
            "this round keeps peer and upward reviewers anonymous",
        ));
    }
    let reviews = access::about(
        &ctx.db,
        round.id,
        employee_id,
        &[ReviewKind::Peer, ReviewKind::Upward],
    )
    .await?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    for r in &reviews {
        access::audit_identity_look(&txn, viewer, r, now).await?;
    }
    txn.commit().await?;
    Ok(reviews)
}
