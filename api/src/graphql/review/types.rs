//! Output types of the review stage: templates, rounds, jobs and reviews. A `Review` object is
//! only ever built from a row the viewer may read (`domain::review::access`); anonymous kinds
//! reach everyone else only as the pooled `AnonymousReviews` (`results.rs`).

use crate::graphql::cycles::types::Cycle;
use crate::graphql::develop::types::Skill;
use crate::graphql::enums::mirror_enum;
use crate::graphql::errors::GqlResult;
use crate::graphql::organisation::types::Employee;
use crate::graphql::{dctx, loaders, viewer};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::review::templates::{Question, Template};
use domain::review::writing::{Answer, answer_of};
use entity::{background_job, review, review_round};
use rust_decimal::Decimal;
use serde_json::Value;

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
    JobKind as "BackgroundJobKind" {
        LaunchReviews, CloseRound, ReleaseRatings, RewardRun, ApproveRewards,
    }
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
