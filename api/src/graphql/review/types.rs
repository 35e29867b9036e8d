//! Output types of the review stage. A `Review` object is only ever built from a row the
//! viewer may read (`domain::review::access`); anonymous kinds reach everyone else only as the
//! pooled `AnonymousReviews`.

use crate::graphql::cycles::types::Cycle;
use crate::graphql::develop::types::Skill;
use crate::graphql::enums::mirror_enum;
use crate::graphql::errors::GqlResult;
use crate::graphql::organisation::types::{Department, Employee};
use crate::graphql::{dctx, loaders, viewer};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::review::summary::{AnonymousSection, QuestionAggregate, Summary};
use domain::review::templates::{Question, Template};
use domain::review::writing::{Answer, answer_of};
use domain::review::{calibration, stats};
use entity::{background_job, peer_nomination, review, review_rating, review_round};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

mirror_enum!(
    /// Which review round of a cycle.
    RoundKind as "ReviewRoundKind" { Midyear, Annual }
);
mirror_enum!(
    /// Where a round stands: PLANNED (being set up), LAUNCHED (reviews are written), CLOSED
    /// (the window ended: unsubmitted reviews expired, scores computed).
    RoundStatus as "ReviewRoundStatus" { Planned, Launched, Closed }
);
mirror_enum!(
    /// Who writes a review about whom. PEER and UPWARD reviews are anonymous.
    ReviewKind {
        /// The person about themselves.
        #[graphql(name = "SELF")]
        Own,
        /// Their manager.
        Manager,
        /// A colleague they nominated and their manager approved.
        Peer,
        /// A direct report about their manager.
        Upward,
    }
);
mirror_enum!(
    /// Where a review stands.
    ReviewStatus { Pending, Submitted, Declined, Expired }
);
mirror_enum!(
    /// What a question asks for.
    QuestionKind as "ReviewQuestionKind" {
        /// A point on the template's scale.
        Rating,
        /// Free text.
        Text,
        /// A level (1–5) of a skill from the catalogue.
        Competency,
    }
);
mirror_enum!(
    /// A manager's view of someone's potential (the 9-box's other axis).
    Potential { Low, Medium, High }
);
mirror_enum!(
    /// A peer nomination's state.
    NominationStatus { Nominated, Approved, Rejected }
);
mirror_enum!(
    /// What a background job does.
    JobKind as "BackgroundJobKind" { LaunchReviews, CloseRound, ReleaseRatings }
);
mirror_enum!(
    /// Where a background job stands.
    JobStatus as "BackgroundJobStatus" { Queued, Running, Done, Failed }
);

/// A review form.
pub struct ReviewTemplate(pub Template);

#[Object]
impl ReviewTemplate {
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.row.name
    }
    /// The highest point of the rating scale (the lowest is 1).
    async fn scale_max(&self) -> i32 {
        self.0.scale_max()
    }
    /// One label per point, lowest first.
    async fn scale_labels(&self) -> &[String] {
        &self.0.scale_labels
    }
    async fn questions(&self) -> Vec<ReviewQuestion> {
        self.0
            .questions
            .iter()
            .cloned()
            .map(ReviewQuestion)
            .collect()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.row.created_at
    }
}

/// One question of a template.
pub struct ReviewQuestion(pub Question);

#[Object]
impl ReviewQuestion {
    /// Names the question in answers.
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn section(&self) -> &str {
        &self.0.section
    }
    async fn kind(&self) -> QuestionKind {
        self.0.kind.into()
    }
    async fn prompt(&self) -> &str {
        &self.0.prompt
    }
    /// Whether a review must answer it to be submitted.
    async fn required(&self) -> bool {
        self.0.required
    }
    /// Which kinds of review answer it.
    async fn kinds(&self) -> Vec<ReviewKind> {
        self.0.kinds.iter().map(|k| (*k).into()).collect()
    }
    /// The skill a COMPETENCY question rates.
    async fn skill(&self, ctx: &Context<'_>) -> GqlResult<Option<Skill>> {
        let Some(id) = self.0.skill_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).skill.load_one(id).await?.map(Skill))
    }
}

/// A background job's progress.
pub struct BackgroundJob(pub background_job::Model);

#[Object]
impl BackgroundJob {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> JobKind {
        self.0.kind.into()
    }
    async fn status(&self) -> JobStatus {
        self.0.status.into()
    }
    /// Items done so far.
    async fn processed(&self) -> i64 {
        self.0.processed
    }
    /// Items in all (known once the job started).
    async fn total(&self) -> i64 {
        self.0.total
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Why the last attempt failed (empty when none did).
    async fn last_error(&self) -> &str {
        &self.0.last_error
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

/// The score's component weights.
#[derive(SimpleObject)]
pub struct ScoreWeights {
    pub goals: Decimal,
    pub manager: Decimal,
    pub peer: Decimal,
    #[graphql(name = "self")]
    pub own: Decimal,
}

/// One point's target share.
#[derive(SimpleObject)]
pub struct TargetShare {
    pub rating: i32,
    pub share: Decimal,
}

/// How many of a round's reviews are of a kind and in a state.
#[derive(SimpleObject)]
pub struct ReviewCount {
    pub kind: ReviewKind,
    pub status: ReviewStatus,
    pub count: i64,
}

/// A review round of a cycle: its window and settings.
pub struct ReviewRound(pub review_round::Model);

async fn latest_job(
    ctx: &Context<'_>,
    kind: domain::values::JobKind,
    round: uuid::Uuid,
) -> GqlResult<Option<BackgroundJob>> {
    let found = domain::jobs::latest(&dctx(ctx).db, kind, round).await;
    Ok(crate::graphql::errors::OrGql::gql(found)?.map(BackgroundJob))
}

#[Object]
impl ReviewRound {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn cycle(&self, ctx: &Context<'_>) -> GqlResult<Option<Cycle>> {
        Ok(loaders(ctx)
            .cycle
            .load_one(self.0.cycle_id)
            .await?
            .map(Cycle))
    }
    async fn kind(&self) -> RoundKind {
        self.0.kind.into()
    }
    async fn status(&self) -> RoundStatus {
        self.0.status.into()
    }
    async fn template(&self, ctx: &Context<'_>) -> GqlResult<Option<ReviewTemplate>> {
        let Some(id) = self.0.template_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)
            .review_template
            .load_one(id)
            .await?
            .map(ReviewTemplate))
    }
    /// The first day reviews are written.
    async fn opens_on(&self) -> NaiveDate {
        self.0.opens_on
    }
    /// The day reviews are due (reminders count down to it).
    async fn due_on(&self) -> NaiveDate {
        self.0.due_on
    }
    /// The last day a late review is taken; the round closes when that day has ended
    /// everywhere (12:00 UTC the day after).
    async fn closes_on(&self) -> NaiveDate {
        self.0.closes_on
    }
    async fn peer_min(&self) -> i32 {
        self.0.peer_min
    }
    async fn peer_max(&self) -> i32 {
        self.0.peer_max
    }
    /// Submitted PEER (or UPWARD) reviews needed before anything of that kind is shown.
    async fn anonymity_threshold(&self) -> i32 {
        self.0.anonymity_threshold
    }
    /// Eligible: active and hired on or before this day (anyone active when null).
    async fn hired_on_or_before(&self) -> Option<NaiveDate> {
        self.0.hired_on_or_before
    }
    async fn weights(&self) -> ScoreWeights {
        ScoreWeights {
            goals: self.0.weight_goals.0,
            manager: self.0.weight_manager.0,
            peer: self.0.weight_peer.0,
            own: self.0.weight_self.0,
        }
    }
    /// Whether HR may see who wrote each PEER and UPWARD review (each look audited).
    async fn hr_sees_peer_identities(&self) -> bool {
        self.0.hr_sees_peer_identities
    }
    async fn target_distribution(&self) -> GqlResult<Vec<TargetShare>> {
        let target = domain::review::rounds::target_of(&self.0);
        Ok(crate::graphql::errors::OrGql::gql(target)?
            .into_iter()
            .map(|p| TargetShare {
                rating: p.rating,
                share: p.share,
            })
            .collect())
    }
    /// The score function's version.
    async fn score_version(&self) -> &str {
        &self.0.score_version
    }
    /// Days after the due date an unsubmitted review is escalated to the reviewer's manager.
    async fn escalate_manager_after_days(&self) -> i32 {
        self.0.escalate_manager_after_days
    }
    /// Days after the due date an unsubmitted review is escalated to HR.
    async fn escalate_hr_after_days(&self) -> i32 {
        self.0.escalate_hr_after_days
    }
    /// Reviews marked EXPIRED when the round closed.
    async fn expired(&self) -> i32 {
        self.0.expired
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// The launch's progress (HR only; null before the first launch).
    async fn launch(&self, ctx: &Context<'_>) -> GqlResult<Option<BackgroundJob>> {
        if !viewer(ctx)?.is_hr() {
            return Ok(None);
        }
        latest_job(ctx, domain::values::JobKind::LaunchReviews, self.0.id).await
    }
    /// The close job's progress: expiry and scoring (HR only).
    async fn closing(&self, ctx: &Context<'_>) -> GqlResult<Option<BackgroundJob>> {
        if !viewer(ctx)?.is_hr() {
            return Ok(None);
        }
        latest_job(ctx, domain::values::JobKind::CloseRound, self.0.id).await
    }
    /// The latest release's progress (HR only).
    async fn release(&self, ctx: &Context<'_>) -> GqlResult<Option<BackgroundJob>> {
        if !viewer(ctx)?.is_hr() {
            return Ok(None);
        }
        latest_job(ctx, domain::values::JobKind::ReleaseRatings, self.0.id).await
    }
    /// How many reviews are of each kind and state, across the round (HR only, null for
    /// anyone else; no names).
    async fn progress(&self, ctx: &Context<'_>) -> GqlResult<Option<Vec<ReviewCount>>> {
        if !viewer(ctx)?.is_hr() {
            return Ok(None);
        }
        let rows = domain::review::writing::progress(&dctx(ctx).db, self.0.id).await;
        Ok(Some(
            crate::graphql::errors::OrGql::gql(rows)?
                .into_iter()
                .map(|(kind, status, count)| ReviewCount {
                    kind: kind.into(),
                    status: status.into(),
                    count,
                })
                .collect(),
        ))
    }
}

/// One answer.
#[derive(SimpleObject)]
pub struct ReviewAnswer {
    pub question_key: String,
    pub rating: Option<i32>,
    pub text: Option<String>,
    pub level: Option<i32>,
}

/// A review the viewer may read: their own, or a signed one about someone they may see
/// (or, for HR where the round allows it, an anonymous one; that look is audited).
pub struct Review(pub review::Model);

#[Object]
impl Review {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn round(&self, ctx: &Context<'_>) -> GqlResult<Option<ReviewRound>> {
        Ok(loaders(ctx)
            .review_round
            .load_one(self.0.round_id)
            .await?
            .map(ReviewRound))
    }
    async fn kind(&self) -> ReviewKind {
        self.0.kind.into()
    }
    async fn status(&self) -> ReviewStatus {
        self.0.status.into()
    }
    /// Whom it is about.
    async fn reviewee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.reviewee_id)
            .await?
            .map(Employee))
    }
    /// Who writes it.
    async fn reviewer(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.reviewer_id)
            .await?
            .map(Employee))
    }
    /// The questions this review answers, in the template's order.
    async fn questions(&self, ctx: &Context<'_>) -> GqlResult<Vec<ReviewQuestion>> {
        let l = loaders(ctx);
        let Some(t) = l
            .review_round
            .load_one(self.0.round_id)
            .await?
            .and_then(|r| r.template_id)
        else {
            return Ok(Vec::new());
        };
        let Some(template) = l.review_template.load_one(t).await? else {
            return Ok(Vec::new());
        };
        Ok(template
            .questions
            .into_iter()
            .filter(|q| q.asked_of(self.0.kind))
            .map(ReviewQuestion)
            .collect())
    }
    /// The level the reviewee's job profile expects of each skill a competency question rates.
    async fn expected_levels(&self, ctx: &Context<'_>) -> GqlResult<Vec<ExpectedLevel>> {
        let l = loaders(ctx);
        let Some(person) = l.employee.load_one(self.0.reviewee_id).await? else {
            return Ok(Vec::new());
        };
        let Some(profile) = person.job_profile_id else {
            return Ok(Vec::new());
        };
        Ok(l.profile_skills
            .load_one(profile)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|s| ExpectedLevel {
                skill_id: ID(s.skill_id.to_string()),
                level: s.expected_level,
            })
            .collect())
    }
    async fn answers(&self) -> Vec<ReviewAnswer> {
        let Value::Object(map) = &self.0.answers else {
            return Vec::new();
        };
        map.iter()
            .filter_map(|(key, v)| {
                let mut a = ReviewAnswer {
                    question_key: key.clone(),
                    rating: None,
                    text: None,
                    level: None,
                };
                match answer_of(v)? {
                    Answer::Rating(r) => a.rating = Some(r),
                    Answer::Text(t) => a.text = Some(t),
                    Answer::Level(l) => a.level = Some(l),
                }
                Some(a)
            })
            .collect()
    }
    /// The overall rating on the template's scale.
    async fn overall_rating(&self) -> Option<i32> {
        self.0.overall_rating
    }
    /// A MANAGER review's view of potential.
    async fn potential(&self) -> Option<Potential> {
        self.0.potential.map(Into::into)
    }
    /// Why a peer declined.
    async fn decline_reason(&self) -> &str {
        &self.0.decline_reason
    }
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
}

/// The level a job profile expects of a skill.
#[derive(SimpleObject)]
pub struct ExpectedLevel {
    pub skill_id: ID,
    pub level: i32,
}

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

/// Why a score component is missing.
#[derive(SimpleObject)]
pub struct MissingComponent {
    /// `NO_GOALS`, `NO_MANAGER_REVIEW`, `TOO_FEW_PEER_REVIEWS`, `NO_SELF_REVIEW` or
    /// `ZERO_WEIGHT`.
    pub reason: String,
    /// The anonymity threshold (TOO_FEW_PEER_REVIEWS).
    pub threshold: Option<i32>,
}

/// One component of a score.
#[derive(SimpleObject)]
pub struct ScoreComponent {
    /// `GOALS`, `MANAGER`, `PEER` or `SELF`.
    pub kind: String,
    /// On the rating scale.
    pub value: Option<Decimal>,
    /// As configured on the round.
    pub weight: Decimal,
    /// Its share after missing components were left out (0 when missing).
    pub applied_weight: Decimal,
    pub missing: Option<MissingComponent>,
}

fn decimal(v: Option<&Value>) -> Option<Decimal> {
    v.and_then(Value::as_str)
        .and_then(|s| Decimal::from_str(s).ok())
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
    async fn components(&self) -> Vec<ScoreComponent> {
        let Value::Array(list) = &self.0.components else {
            return Vec::new();
        };
        list.iter()
            .map(|c| ScoreComponent {
                kind: c
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                value: decimal(c.get("value")),
                weight: decimal(c.get("weight")).unwrap_or_default(),
                applied_weight: decimal(c.get("appliedWeight")).unwrap_or_default(),
                missing: c
                    .get("missing")
                    .filter(|m| !m.is_null())
                    .map(|m| MissingComponent {
                        reason: m
                            .get("reason")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        threshold: m.get("threshold").and_then(Value::as_i64).map(|t| t as i32),
                    }),
            })
            .collect()
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

/// A 9-box cell.
#[derive(SimpleObject)]
pub struct NineBoxCell {
    /// LOW, MEDIUM or HIGH performance (the rating's third of the scale).
    pub performance: String,
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
                    stats::Band::Low => "LOW",
                    stats::Band::Medium => "MEDIUM",
                    stats::Band::High => "HIGH",
                }
                .to_owned(),
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
