//! Inputs of the review stage.

use super::types::{Potential, QuestionKind, ReviewKind, ReviewStatus};
use crate::graphql::errors::GqlResult;
use crate::graphql::{parse_id, parse_opt_id};
use async_graphql::{ID, InputObject, MaybeUndefined};
use chrono::NaiveDate;
use domain::review::rounds::{RoundSettings, TargetShare};
use domain::review::templates::{QuestionInput, TemplateInput};
use domain::review::writing::{AnswerInput, DraftInput};
use rust_decimal::Decimal;

/// A question of a new template.
#[derive(InputObject)]
pub struct ReviewQuestionInput {
    #[graphql(default)]
    pub section: String,
    pub kind: QuestionKind,
    pub prompt: String,
    #[graphql(default)]
    pub required: bool,
    /// Which kinds of review answer it.
    pub kinds: Vec<ReviewKind>,
    /// COMPETENCY: the skill it rates.
    pub skill_id: Option<ID>,
}

/// A new review template (templates never change once written).
#[derive(InputObject)]
pub struct CreateReviewTemplateInput {
    pub name: String,
    /// One label per point of the rating scale, lowest first (3 to 10).
    pub scale_labels: Vec<String>,
    pub questions: Vec<ReviewQuestionInput>,
}

impl CreateReviewTemplateInput {
    pub fn into_domain(self) -> GqlResult<TemplateInput> {
        let questions = self
            .questions
            .into_iter()
            .enumerate()
            .map(|(i, q)| {
                Ok(QuestionInput {
                    section: q.section,
                    kind: q.kind.into(),
                    prompt: q.prompt,
                    required: q.required,
                    kinds: q.kinds.into_iter().map(Into::into).collect(),
                    skill_id: parse_opt_id(
                        &format!("questions[{i}].skillId"),
                        q.skill_id.as_ref(),
                    )?,
                })
            })
            .collect::<GqlResult<_>>()?;
        Ok(TemplateInput {
            name: self.name,
            scale_labels: self.scale_labels,
            questions,
        })
    }
}

/// A rating point's target share.
#[derive(InputObject)]
pub struct TargetShareInput {
    pub rating: i32,
    /// A fraction; the shares add up to 1.
    pub share: Decimal,
}

/// The score's component weights (0–100 each; missing components re-normalise).
#[derive(InputObject)]
pub struct ScoreWeightsInput {
    pub goals: Option<Decimal>,
    pub manager: Option<Decimal>,
    pub peer: Option<Decimal>,
    #[graphql(name = "self")]
    pub own: Option<Decimal>,
}

/// A round's settings; omitted fields keep their value.
#[derive(InputObject, Default)]
pub struct ReviewRoundSettingsInput {
    /// Before launch only.
    pub template_id: Option<ID>,
    pub opens_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    /// The last day late reviews are taken (default: a week after the due date).
    pub closes_on: Option<NaiveDate>,
    pub peer_min: Option<i32>,
    pub peer_max: Option<i32>,
    /// At least 2 (default 3).
    pub anonymity_threshold: Option<i32>,
    /// Before launch only; null clears it.
    #[graphql(default)]
    pub hired_on_or_before: MaybeUndefined<NaiveDate>,
    pub weights: Option<ScoreWeightsInput>,
    pub hr_sees_peer_identities: Option<bool>,
    pub target_distribution: Option<Vec<TargetShareInput>>,
    pub escalate_manager_after_days: Option<i32>,
    pub escalate_hr_after_days: Option<i32>,
}

impl ReviewRoundSettingsInput {
    pub fn into_domain(self) -> GqlResult<RoundSettings> {
        let weights = self.weights;
        Ok(RoundSettings {
            template_id: parse_opt_id("templateId", self.template_id.as_ref())?,
            opens_on: self.opens_on,
            due_on: self.due_on,
            closes_on: self.closes_on,
            peer_min: self.peer_min,
            peer_max: self.peer_max,
            anonymity_threshold: self.anonymity_threshold,
            hired_on_or_before: match self.hired_on_or_before {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(d)),
            },
            weight_goals: weights.as_ref().and_then(|w| w.goals),
            weight_manager: weights.as_ref().and_then(|w| w.manager),
            weight_peer: weights.as_ref().and_then(|w| w.peer),
            weight_self: weights.as_ref().and_then(|w| w.own),
            hr_sees_peer_identities: self.hr_sees_peer_identities,
            target_distribution: self.target_distribution.map(|t| {
                t.into_iter()
                    .map(|p| TargetShare {
                        rating: p.rating,
                        share: p.share,
                    })
                    .collect()
            }),
            escalate_manager_after_days: self.escalate_manager_after_days,
            escalate_hr_after_days: self.escalate_hr_after_days,
        })
    }
}

/// One answer: `rating` for a RATING question, `text` for TEXT, `level` for COMPETENCY.
#[derive(InputObject)]
pub struct ReviewAnswerInput {
    pub question_key: String,
    pub rating: Option<i32>,
    pub text: Option<String>,
    pub level: Option<i32>,
}

/// A draft: the whole set of answers (replacing the last draft's), the overall rating and,
/// in a MANAGER review, potential.
#[derive(InputObject)]
pub struct ReviewDraftInput {
    #[graphql(default)]
    pub answers: Vec<ReviewAnswerInput>,
    pub overall_rating: Option<i32>,
    pub potential: Option<Potential>,
}

impl ReviewDraftInput {
    pub fn into_domain(self) -> DraftInput {
        DraftInput {
            answers: self
                .answers
                .into_iter()
                .map(|a| AnswerInput {
                    question_key: a.question_key,
                    rating: a.rating,
                    text: a.text,
                    level: a.level,
                })
                .collect(),
            overall_rating: self.overall_rating,
            potential: self.potential.map(Into::into),
        }
    }
}

/// Saves a draft of a review.
#[derive(InputObject)]
pub struct SaveReviewInput {
    pub id: ID,
    pub draft: ReviewDraftInput,
}

/// Submits a review (final), with a last draft if given.
#[derive(InputObject)]
pub struct SubmitReviewInput {
    pub id: ID,
    pub draft: Option<ReviewDraftInput>,
}

/// Declines a peer review, saying why.
#[derive(InputObject)]
pub struct DeclineReviewInput {
    pub id: ID,
    pub reason: String,
}

/// HR reopens a review, saying why.
#[derive(InputObject)]
pub struct ReopenReviewInput {
    pub id: ID,
    pub reason: String,
}

/// The reviewee names their peers.
#[derive(InputObject)]
pub struct NominatePeersInput {
    pub round_id: ID,
    pub peer_ids: Vec<ID>,
}

/// A manager (or HR) approves someone's final list of peers.
#[derive(InputObject)]
pub struct ApprovePeersInput {
    pub round_id: ID,
    pub employee_id: ID,
    pub peer_ids: Vec<ID>,
}

/// Parses a list of peer ids.
pub fn peer_ids(ids: &[ID]) -> GqlResult<Vec<uuid::Uuid>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| parse_id(&format!("peerIds[{i}]"), id))
        .collect()
}

/// HR sets someone's final rating.
#[derive(InputObject)]
pub struct CalibrateRatingInput {
    pub round_id: ID,
    pub employee_id: ID,
    pub rating: i32,
    /// Why (required, audited).
    pub reason: String,
}

/// HR releases ratings: the whole round, or one department.
#[derive(InputObject)]
pub struct ReleaseRatingsInput {
    pub round_id: ID,
    pub department_id: Option<ID>,
}

/// The employee acknowledges their released rating.
#[derive(InputObject)]
pub struct AcknowledgeRatingInput {
    pub round_id: ID,
    #[graphql(default)]
    pub comment: String,
}

/// Which of the viewer's reviews to list.
#[derive(InputObject, Default)]
pub struct MyReviewsFilter {
    pub round_id: Option<ID>,
    pub status: Option<ReviewStatus>,
}
