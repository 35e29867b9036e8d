//! Output types of monitoring: check-ins and their progress, feedback, and the jobs that
//! failed to send monitoring's e-mails.

use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::cycles::types::Cycle;
use crate::graphql::enums::{Cadence, Visibility, mirror_enum};
use crate::graphql::errors::{GqlResult, OrGql, internal};
use crate::graphql::organisation::types::Employee;
use crate::graphql::planning::types::{Goal, KeyResult, readable_goals};
use crate::graphql::{dctx, loaders, viewer};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::check_ins::{self, CheckInAction};
use domain::values::OutboxStatus;
use entity::{check_in, email_outbox, feedback as feedback_row, key_result_update};
use rust_decimal::Decimal;

/// Which check-in mutations the viewer may call now (see `CheckIn.viewerCan`).
#[derive(SimpleObject)]
pub struct CheckInViewerCan {
    /// `submitCheckIn`.
    pub submit: bool,
    /// `acknowledgeCheckIn`.
    pub acknowledge: bool,
}

mirror_enum!(
    /// Where a check-in stands.
    CheckInStatus {
        /// Open for the employee to submit (late is fine until `closesAt`).
        Due,
        /// Submitted, waiting for the manager.
        Submitted,
        /// The manager has read and answered it.
        Acknowledged,
        /// Not submitted before `closesAt`.
        Missed,
    }
);
mirror_enum!(
    /// Feedback or praise.
    FeedbackKind {
        /// Something to keep or change.
        Feedback,
        /// Recognition.
        Praise,
    }
);

/// One period's check-in of one employee.
pub struct CheckIn(pub check_in::Model);

#[Object]
impl CheckIn {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What the viewer may do to this check-in now, by the rules its mutations apply (who
    /// they are, its status, its grace period, its cycle's phase). A `true` submit can still
    /// refuse the values sent (a confidence outside 1–5, a key result not theirs).
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<CheckInViewerCan> {
        let owner = loaders(ctx)
            .employee
            .load_one(self.0.employee_id)
            .await?
            .ok_or_else(|| internal(&"check-in without its employee"))?;
        let cycle = loaders(ctx)
            .cycle
            .load_one(self.0.cycle_id)
            .await?
            .ok_or_else(|| internal(&"check-in without its cycle"))?;
        let (viewer, now) = (viewer(ctx)?, dctx(ctx).clock.now());
        let can = |action| {
            check_ins::check_check_in_action(action, viewer, &self.0, &owner, &cycle, now).is_ok()
        };
        Ok(CheckInViewerCan {
            submit: can(CheckInAction::Submit),
            acknowledge: can(CheckInAction::Acknowledge),
        })
    }
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Employee> {
        let e = loaders(ctx).employee.load_one(self.0.employee_id).await?;
        e.map(Employee)
            .ok_or_else(|| internal(&"check-in without its employee"))
    }
    async fn cycle_id(&self) -> ID {
        ID(self.0.cycle_id.to_string())
    }
    async fn cycle(&self, ctx: &Context<'_>) -> GqlResult<Cycle> {
        let cycle = loaders(ctx).cycle.load_one(self.0.cycle_id).await?;
        cycle
            .map(Cycle)
            .ok_or_else(|| internal(&"check-in without its cycle"))
    }
    async fn cadence(&self) -> Cadence {
        self.0.cadence.into()
    }
    /// First day of the period, in the employee's calendar.
    async fn period_start(&self) -> NaiveDate {
        self.0.period_start
    }
    /// Last day of the period, in the employee's calendar.
    async fn period_end(&self) -> NaiveDate {
        self.0.period_end
    }
    /// After this instant an unsubmitted check-in is MISSED.
    async fn closes_at(&self) -> DateTime<Utc> {
        self.0.closes_at
    }
    async fn status(&self) -> CheckInStatus {
        self.0.status.into()
    }
    /// 1–5, once submitted.
    async fn confidence(&self) -> Option<i32> {
        self.0.confidence
    }
    async fn wins(&self) -> &str {
        &self.0.wins
    }
    async fn blockers(&self) -> &str {
        &self.0.blockers
    }
    async fn next_steps(&self) -> &str {
        &self.0.next_steps
    }
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    async fn manager_reply(&self) -> &str {
        &self.0.manager_reply
    }
    async fn acknowledged_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        let Some(id) = self.0.acknowledged_by else {
            return Ok(None);
        };
        Ok(loaders(ctx).employee.load_one(id).await?.map(Employee))
    }
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }
    /// Key-result values this check-in moved.
    async fn updates(&self, ctx: &Context<'_>) -> GqlResult<Vec<ProgressUpdate>> {
        let ups = loaders(ctx).check_in_updates.load_one(self.0.id).await?;
        Ok(ups
            .unwrap_or_default()
            .into_iter()
            .map(ProgressUpdate)
            .collect())
    }
}

/// One change of a key result's current value: recorded directly
/// (`updateKeyResultValue`) or carried by a check-in.
pub struct ProgressUpdate(pub key_result_update::Model);

#[Object]
impl ProgressUpdate {
    async fn key_result_id(&self) -> ID {
        ID(self.0.key_result_id.to_string())
    }
    /// The key result it moved (null if it has since been removed from its goal).
    async fn key_result(&self, ctx: &Context<'_>) -> GqlResult<Option<KeyResult>> {
        let Some(kr) = loaders(ctx)
            .key_result
            .load_one(self.0.key_result_id)
            .await?
        else {
            return Ok(None);
        };
        let goal = loaders(ctx).goal.load_one(kr.goal_id).await?;
        Ok(readable_goals(ctx, goal.into_iter().collect())
            .await?
            .pop()
            .map(|_| KeyResult(kr)))
    }
    async fn previous_value(&self) -> Decimal {
        self.0.previous_value.0
    }
    async fn new_value(&self) -> Decimal {
        self.0.new_value.0
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
    /// Who recorded it (null only for changes made from the command line).
    async fn recorded_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        let Some(by) = self.0.recorded_by else {
            return Ok(None);
        };
        Ok(loaders(ctx).employee.load_one(by).await?.map(Employee))
    }
    /// The check-in that carried it; null when it was recorded directly, and for viewers who
    /// may read the goal but not its owner's check-ins.
    async fn check_in(&self, ctx: &Context<'_>) -> GqlResult<Option<CheckIn>> {
        let Some(id) = self.0.check_in_id else {
            return Ok(None);
        };
        let Some(check_in) = loaders(ctx).check_in.load_one(id).await? else {
            return Ok(None);
        };
        let owner = loaders(ctx).employee.load_one(check_in.employee_id).await?;
        let viewer = viewer(ctx)?;
        Ok(owner
            .filter(|o| domain::permissions::can_read_work_of(viewer, o))
            .map(|_| CheckIn(check_in)))
    }
}

/// What `submitCheckIn` changed.
#[derive(SimpleObject)]
pub struct SubmitCheckInPayload {
    /// The check-in, now SUBMITTED.
    pub check_in: CheckIn,
    /// The goals it may have changed, for a client's cache: the employee's agreed goals in
    /// the cycle (the confidence counts toward their health), then each ancestor whose
    /// rolled-up progress moved (those the viewer may read).
    pub moved_goals: Vec<Goal>,
}

/// Whose check-ins a team view covers.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TeamScope {
    /// The manager's direct reports.
    Direct,
    /// Everyone below the manager, at any depth.
    Subtree,
}

impl From<TeamScope> for check_ins::TeamScope {
    fn from(s: TeamScope) -> Self {
        match s {
            TeamScope::Direct => Self::Direct,
            TeamScope::Subtree => Self::Subtree,
        }
    }
}

impl From<check_ins::TeamScope> for TeamScope {
    fn from(s: check_ins::TeamScope) -> Self {
        match s {
            check_ins::TeamScope::Direct => Self::Direct,
            check_ins::TeamScope::Subtree => Self::Subtree,
        }
    }
}

/// How many people of a team stand where for the day asked about.
#[derive(SimpleObject)]
pub struct CheckInCounts {
    /// Active people in the team.
    pub people: u64,
    /// With a check-in still DUE.
    pub due: u64,
    /// SUBMITTED, waiting for a manager.
    pub submitted: u64,
    pub acknowledged: u64,
    pub missed: u64,
    /// Without a check-in for the period: not opened yet, or outside the cycle.
    pub not_opened: u64,
}

/// A manager's team for a day: each person with the check-in of the period containing that
/// day in their own calendar, and the counts by status.
pub struct TeamCheckIns(pub check_ins::Team);

#[Object]
impl TeamCheckIns {
    async fn manager(&self) -> Employee {
        Employee(self.0.manager().clone())
    }
    async fn scope(&self) -> TeamScope {
        self.0.scope().into()
    }
    /// The day asked about; null when each person's own today was used.
    async fn day(&self) -> Option<NaiveDate> {
        self.0.day()
    }
    /// Counts of people by status over the whole team (three aggregate queries, whatever its
    /// size). Someone in two overlapping cycles counts in each status they hold that day.
    async fn counts(&self, ctx: &Context<'_>) -> GqlResult<CheckInCounts> {
        let c = self.0.counts(dctx(ctx)).await.gql()?;
        Ok(CheckInCounts {
            people: c.people,
            due: c.due,
            submitted: c.submitted,
            acknowledged: c.acknowledged,
            missed: c.missed,
            not_opened: c.not_opened,
        })
    }
    /// The team's people by name, each with their check-in for the day (if one was opened).
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn people(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<TeamCheckIn>> {
        let page = page_request(ctx, "teamCheckIns", first, after)?;
        let found = self.0.page(dctx(ctx), &page).await.gql()?;
        Ok(connection("teamCheckIns", found, |(e, c)| TeamCheckIn {
            employee: Employee(e),
            check_in: c.map(CheckIn),
        }))
    }
}

/// A person and their check-in for the period asked about.
#[derive(SimpleObject)]
pub struct TeamCheckIn {
    /// The report.
    pub employee: Employee,
    /// Their check-in for the period, if one was opened.
    pub check_in: Option<CheckIn>,
}

/// Feedback or praise between colleagues.
pub struct Feedback(pub feedback_row::Model);

#[Object]
impl Feedback {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn author(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.author_id)
            .await?
            .map(Employee))
    }
    async fn recipient(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.recipient_id)
            .await?
            .map(Employee))
    }
    /// The goal it is about, if the viewer may read it.
    async fn goal(&self, ctx: &Context<'_>) -> GqlResult<Option<Goal>> {
        let Some(id) = self.0.goal_id else {
            return Ok(None);
        };
        let g = loaders(ctx).goal.load_one(id).await?;
        Ok(readable_goals(ctx, g.into_iter().collect()).await?.pop())
    }
    async fn kind(&self) -> FeedbackKind {
        self.0.kind.into()
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// What kind of job a failure belongs to.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum JobKind {
    /// Sending one e-mail of the outbox.
    SendEmail,
}

/// Where a failed job stands.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum JobStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Being attempted now.
    Sending,
    /// Sent after all (it leaves the list).
    Sent,
    /// Given up: a permanent error, or out of attempts.
    Failed,
}

impl From<OutboxStatus> for JobStatus {
    fn from(s: OutboxStatus) -> Self {
        match s {
            OutboxStatus::Pending => Self::Pending,
            OutboxStatus::Sending => Self::Sending,
            OutboxStatus::Sent => Self::Sent,
            OutboxStatus::Failed => Self::Failed,
        }
    }
}

/// A job that failed: today, e-mails that could not be sent (for good, or not yet).
pub struct JobFailure(pub email_outbox::Model);

#[Object]
impl JobFailure {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The job's kind.
    async fn kind(&self) -> JobKind {
        JobKind::SendEmail
    }
    /// What the job was for, e.g. `checkin-reminder:{employee}:{period}`.
    async fn key(&self) -> &str {
        &self.0.dedupe_key
    }
    async fn recipient(&self) -> &str {
        &self.0.recipient_email
    }
    async fn template(&self) -> &str {
        &self.0.template
    }
    /// FAILED (given up) or PENDING/SENDING (will be retried).
    async fn status(&self) -> JobStatus {
        self.0.status.into()
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn last_error(&self) -> &str {
        &self.0.last_error
    }
    /// When the next attempt may start, while retrying.
    async fn retry_after(&self) -> Option<DateTime<Utc>> {
        (self.0.status != OutboxStatus::Failed)
            .then_some(self.0.locked_until)
            .flatten()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
