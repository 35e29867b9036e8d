//! The review stage's results: what someone's reviews add up to (the pooled anonymous kinds,
//! the rating and its score), peer nominations, and HR's calibration view.

use super::types::{NominationStatus, Potential, Review, ReviewKind, ReviewQuestion, ReviewRound};
use crate::graphql::errors::{GqlResult, internal};
use crate::graphql::organisation::types::{Department, Employee};
use crate::graphql::{dctx, loaders, viewer};
use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::review::summary::{AnonymousSection, QuestionAggregate, Summary};
use domain::review::{calibration, stats};
use entity::{peer_nomination, review_rating};
use rust_decimal::Decimal;

/// How many gave a point.
#[derive(SimpleObject)]
pub struct PointCount {
    pub point: i32,
    pub count: i32,
}

/// One question's answers pooled (numbers only with enough answers; comments without names,
/// sorted by their text).
pub struct QuestionSummary(pub QuestionAggregate);

#[Object]
impl QuestionSummary {
    async fn question(&self) -> ReviewQuestion {
        ReviewQuestion(self.0.question.clone())
    }
    /// Whether enough answered for the numbers to be shown.
    async fn shown(&self) -> bool {
        self.0.shown
    }
    async fn count(&self) -> Option<i32> {
        self.0.count.map(|c| c as i32)
    }
    async fn mean(&self) -> Option<Decimal> {
        self.0.mean
    }
    async fn distribution(&self) -> Vec<PointCount> {
        self.0
            .distribution
            .iter()
            .map(|(point, count)| PointCount {
                point: *point,
                count: *count as i32,
            })
            .collect()
    }
    async fn comments(&self) -> &[String] {
        &self.0.comments
    }
}

/// The anonymous reviews of one kind about someone, pooled: nothing unless at least the
/// round's threshold were submitted (not even how many were).
pub struct AnonymousReviews(pub AnonymousSection);

#[Object]
impl AnonymousReviews {
    async fn kind(&self) -> ReviewKind {
        self.0.kind.into()
    }
    async fn shown(&self) -> bool {
        self.0.shown
    }
    async fn threshold(&self) -> i32 {
        self.0.threshold
    }
    /// How many were submitted (only when shown).
    async fn submitted(&self) -> Option<i32> {
        self.0.submitted.map(|c| c as i32)
    }
    /// The overall ratings, pooled.
    async fn overall(&self) -> Option<QuestionSummary> {
        self.0.overall.clone().map(QuestionSummary)
    }
    async fn questions(&self) -> Vec<QuestionSummary> {
        self.0
            .questions
            .iter()
            .cloned()
            .map(QuestionSummary)
            .collect()
    }
}

/// A part of a score.
#[derive(async_graphql::Enum, serde::Deserialize, Copy, Clone, Eq, PartialEq, Debug)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoreComponentKind {
    /// Goal attainment, mapped onto the rating scale.
    Goals,
    /// The manager review's overall rating.
    Manager,
    /// The mean of the peer reviews' overall ratings.
    Peer,
    /// The self review's overall rating.
    #[graphql(name = "SELF")]
    #[serde(rename = "SELF")]
    Own,
}

/// Why a score component has no value.
#[derive(async_graphql::Enum, serde::Deserialize, Copy, Clone, Eq, PartialEq, Debug)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MissingReason {
    /// No agreed, achieved or missed goal with a weight.
    NoGoals,
    NoManagerReview,
    /// Fewer peer reviews than the anonymity threshold (how many is not said).
    TooFewPeerReviews,
    NoSelfReview,
    /// Every weight of the round is 0.
    ZeroWeight,
}

/// Why a score component is missing.
#[derive(SimpleObject, serde::Deserialize)]
pub struct MissingComponent {
    pub reason: MissingReason,
    /// The anonymity threshold (TOO_FEW_PEER_REVIEWS).
    pub threshold: Option<i32>,
}

/// One component of a score.
#[derive(SimpleObject, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreComponent {
    pub kind: ScoreComponentKind,
    /// On the rating scale.
    pub value: Option<Decimal>,
    /// As configured on the round.
    pub weight: Decimal,
    /// Its share after missing components were left out (0 when missing).
    pub applied_weight: Decimal,
    pub missing: Option<MissingComponent>,
}

/// Someone's rating in a round: the computed score (with its version and components), the
/// final rating after calibration, release and acknowledgement.
pub struct Rating(pub review_rating::Model);

#[Object]
impl Rating {
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.employee_id)
            .await?
            .map(Employee))
    }
    /// The computed score, two places (null when every component was missing).
    async fn score(&self) -> Option<Decimal> {
        self.0.score.map(|s| {
            let mut score = s.0;
            score.rescale(2);
            score
        })
    }
    /// The score function's version, so the score can be reproduced.
    async fn score_version(&self) -> &str {
        &self.0.score_version
    }
    async fn components(&self) -> GqlResult<Vec<ScoreComponent>> {
        serde_json::from_value(self.0.components.clone()).map_err(|e| internal(&e))
    }
    /// The score rounded to the scale.
    async fn proposed_rating(&self) -> Option<i32> {
        self.0.proposed_rating
    }
    /// The calibrated rating, or once released the rating given.
    async fn final_rating(&self) -> Option<i32> {
        self.0.final_rating
    }
    async fn potential(&self) -> Option<Potential> {
        self.0.potential.map(Into::into)
    }
    /// Why HR calibrated it (HR and the person's managers).
    async fn calibration_reason(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        let v = viewer(ctx)?;
        Ok(
            (v.id() != self.0.employee_id && self.0.calibrated_at.is_some())
                .then(|| self.0.calibration_reason.clone()),
        )
    }
    async fn calibrated_at(&self) -> Option<DateTime<Utc>> {
        self.0.calibrated_at
    }
    async fn released_at(&self) -> Option<DateTime<Utc>> {
        self.0.released_at
    }
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }
    /// The person's comment when acknowledging.
    async fn acknowledgement(&self) -> &str {
        &self.0.acknowledgement
    }
}

/// A peer someone nominated (or their manager added).
pub struct PeerNomination(pub peer_nomination::Model);

#[Object]
impl PeerNomination {
    async fn peer(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.peer_id)
            .await?
            .map(Employee))
    }
    async fn status(&self) -> NominationStatus {
        self.0.status.into()
    }
    async fn nominated_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.nominated_by)
            .await?
            .map(Employee))
    }
}

/// Someone's reviews in a round, as the viewer may see them.
pub struct ReviewSummary(pub Summary);

#[Object]
impl ReviewSummary {
    async fn round(&self) -> ReviewRound {
        ReviewRound(self.0.round.clone())
    }
    async fn employee(&self) -> Employee {
        Employee(self.0.employee.clone())
    }
    /// Whether their rating is released (before that they see only their own self review).
    async fn released(&self) -> bool {
        self.0.released
    }
    async fn self_review(&self) -> Option<Review> {
        self.0.self_review.clone().map(Review)
    }
    async fn manager_review(&self) -> Option<Review> {
        self.0.manager_review.clone().map(Review)
    }
    async fn peer(&self) -> AnonymousReviews {
        AnonymousReviews(self.0.peer.clone())
    }
    async fn upward(&self) -> AnonymousReviews {
        AnonymousReviews(self.0.upward.clone())
    }
    async fn rating(&self) -> Option<Rating> {
        self.0.rating.clone().map(Rating)
    }
    /// Who wrote each PEER and UPWARD review: HR only, where the round allows it; every
    /// review listed is audited as a look (FORBIDDEN otherwise).
    async fn anonymous_reviews(&self, ctx: &Context<'_>) -> GqlResult<Vec<Review>> {
        let found = domain::review::summary::identities(
            dctx(ctx),
            viewer(ctx)?,
            &self.0.round,
            self.0.employee.id,
        )
        .await;
        Ok(crate::graphql::errors::OrGql::gql(found)?
            .into_iter()
            .map(Review)
            .collect())
    }
}

/// How many of a group got each point.
#[derive(SimpleObject)]
pub struct RatingBucket {
    pub rating: i32,
    pub count: i32,
    /// Of the rated people in the group.
    pub share: Decimal,
    /// The round's target share.
    pub target_share: Decimal,
}

/// A distribution of ratings.
#[derive(SimpleObject)]
pub struct RatingDistribution {
    pub rated: i32,
    pub unrated: i32,
    pub buckets: Vec<RatingBucket>,
}

impl From<&stats::Distribution> for RatingDistribution {
    fn from(d: &stats::Distribution) -> Self {
        Self {
            rated: d.rated as i32,
            unrated: d.unrated as i32,
            buckets: d
                .buckets
                .iter()
                .map(|b| RatingBucket {
                    rating: i32::from(b.rating),
                    count: b.count as i32,
                    share: b.share,
                    target_share: b.target_share,
                })
                .collect(),
        }
    }
}

/// A manager's people's ratings.
pub struct ManagerDistribution(pub stats::GroupDistribution);

#[Object]
impl ManagerDistribution {
    async fn manager(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.id)
            .await?
            .map(Employee))
    }
    async fn distribution(&self) -> RatingDistribution {
        (&self.0.distribution).into()
    }
}

/// A department's ratings.
pub struct DepartmentDistribution(pub stats::GroupDistribution);

#[Object]
impl DepartmentDistribution {
    async fn department(&self, ctx: &Context<'_>) -> GqlResult<Option<Department>> {
        Ok(loaders(ctx)
            .department
            .load_one(self.0.id)
            .await?
            .map(Department))
    }
    async fn distribution(&self) -> RatingDistribution {
        (&self.0.distribution).into()
    }
}

/// How a manager rates against the organisation.
pub struct Leniency(pub stats::Leniency);

#[Object]
impl Leniency {
    async fn manager(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.manager_id)
            .await?
            .map(Employee))
    }
    /// Manager ratings they gave.
    async fn ratings(&self) -> i32 {
        self.0.ratings as i32
    }
    async fn mean(&self) -> Decimal {
        self.0.mean
    }
    /// (their mean − the organisation's) ÷ the organisation's standard deviation.
    async fn z_score(&self) -> Option<Decimal> {
        self.0.z_score
    }
}

/// Someone's self rating against their manager's.
pub struct SelfGap(pub stats::SelfGap);

#[Object]
impl SelfGap {
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.employee_id)
            .await?
            .map(Employee))
    }
    async fn self_rating(&self) -> Decimal {
        self.0.self_rating
    }
    async fn manager_rating(&self) -> Decimal {
        self.0.manager_rating
    }
    /// Self − manager.
    async fn gap(&self) -> Decimal {
        self.0.gap
    }
}

/// A rating's third of the scale: below its middle, the middle, above it.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum PerformanceBand {
    Low,
    Medium,
    High,
}

/// A 9-box cell.
#[derive(SimpleObject)]
pub struct NineBoxCell {
    pub performance: PerformanceBand,
    pub potential: Potential,
    pub count: i32,
}

/// HR's calibration view of a round.
pub struct Calibration(pub calibration::CalibrationView);

#[Object]
impl Calibration {
    async fn round(&self) -> ReviewRound {
        ReviewRound(self.0.round.clone())
    }
    async fn scale_max(&self) -> i32 {
        i32::from(self.0.scale_max)
    }
    async fn overall(&self) -> RatingDistribution {
        (&self.0.stats.overall).into()
    }
    async fn by_manager(&self) -> Vec<ManagerDistribution> {
        self.0
            .stats
            .by_manager
            .iter()
            .cloned()
            .map(ManagerDistribution)
            .collect()
    }
    async fn by_department(&self) -> Vec<DepartmentDistribution> {
        self.0
            .stats
            .by_department
            .iter()
            .cloned()
            .map(DepartmentDistribution)
            .collect()
    }
    /// Each manager's mean manager rating and z-score against the whole organisation.
    async fn leniency(&self) -> Vec<Leniency> {
        self.0
            .stats
            .leniency
            .iter()
            .cloned()
            .map(Leniency)
            .collect()
    }
    async fn organisation_mean(&self) -> Option<Decimal> {
        self.0.stats.org_manager_mean
    }
    async fn organisation_std_dev(&self) -> Option<Decimal> {
        self.0.stats.org_manager_std_dev
    }
    /// Self − manager rating, largest first.
    async fn self_gaps(&self) -> Vec<SelfGap> {
        self.0
            .stats
            .self_gaps
            .iter()
            .cloned()
            .map(SelfGap)
            .collect()
    }
    async fn mean_self_gap(&self) -> Option<Decimal> {
        self.0.stats.mean_self_gap
    }
    async fn nine_box(&self) -> Vec<NineBoxCell> {
        self.0
            .stats
            .nine_box
            .iter()
            .map(|c| NineBoxCell {
                performance: match c.performance {
                    stats::Band::Low => PerformanceBand::Low,
                    stats::Band::Medium => PerformanceBand::Medium,
                    stats::Band::High => PerformanceBand::High,
                },
                potential: match c.potential {
                    stats::Potential::Low => Potential::Low,
                    stats::Potential::Medium => Potential::Medium,
                    stats::Potential::High => Potential::High,
                },
                count: c.count as i32,
            })
            .collect()
    }
    /// People without a rating or a potential (outside the 9-box).
    async fn unboxed(&self) -> i32 {
        self.0.stats.unboxed as i32
    }
}
