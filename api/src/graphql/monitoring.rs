//! The monitoring stage over GraphQL: check-ins, cadences and feedback.

use super::connection::{Conn, connection, page_request};
use super::errors::{GqlResult, OrGql, internal};
use super::types::{Cadence, Employee, Goal, Visibility, mirror_enum, readable_goals};
use super::{dctx, loaders, parse_id, viewer};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{check_ins, feedback};
use entity::{check_in, check_in_update, email_outbox, feedback as feedback_row};
use rust_decimal::Decimal;

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
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Employee> {
        let e = loaders(ctx).employee.load_one(self.0.employee_id).await?;
        e.map(Employee)
            .ok_or_else(|| internal(&"check-in without its employee"))
    }
    async fn cycle_id(&self) -> ID {
        ID(self.0.cycle_id.to_string())
    }
    async fn cadence(&self) -> GqlResult<Cadence> {
        Cadence::stored(&self.0.cadence)
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
    async fn status(&self) -> GqlResult<CheckInStatus> {
        CheckInStatus::stored(&self.0.status)
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

/// A key result's value before and after a check-in.
pub struct ProgressUpdate(pub check_in_update::Model);

#[Object]
impl ProgressUpdate {
    async fn key_result_id(&self) -> ID {
        ID(self.0.key_result_id.to_string())
    }
    async fn previous_value(&self) -> GqlResult<Decimal> {
        Ok(check_ins::update_values(&self.0).gql()?.0)
    }
    async fn new_value(&self) -> GqlResult<Decimal> {
        Ok(check_ins::update_values(&self.0).gql()?.1)
    }
}

/// A report and their check-in for the period asked about.
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
    async fn kind(&self) -> GqlResult<FeedbackKind> {
        FeedbackKind::stored(&self.0.kind)
    }
    async fn visibility(&self) -> GqlResult<Visibility> {
        Visibility::stored(&self.0.visibility)
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
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
    async fn kind(&self) -> &str {
        "send_email"
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
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn last_error(&self) -> &str {
        &self.0.last_error
    }
    /// When the next attempt may start, while retrying.
    async fn retry_after(&self) -> Option<DateTime<Utc>> {
        (self.0.status != "FAILED")
            .then_some(self.0.locked_until)
            .flatten()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Progress on one key result, reported with a check-in.
#[derive(InputObject)]
pub struct KeyResultProgressInput {
    pub key_result_id: ID,
    pub value: Decimal,
}

/// What an employee reports in a check-in.
#[derive(InputObject)]
pub struct SubmitCheckInInput {
    /// How sure they are of reaching their goals, 1–5.
    pub confidence: i32,
    #[graphql(default)]
    pub wins: String,
    #[graphql(default)]
    pub blockers: String,
    #[graphql(default)]
    pub next_steps: String,
    /// Current values of key results of their AGREED goals in this cycle.
    #[graphql(default)]
    pub progress: Vec<KeyResultProgressInput>,
}

/// Filters for `checkIns`.
#[derive(InputObject, Default)]
pub struct CheckInFilter {
    pub employee_id: Option<ID>,
    pub cycle_id: Option<ID>,
    pub status: Option<Vec<CheckInStatus>>,
    /// Only the periods that contain this day.
    pub period: Option<NaiveDate>,
}

/// Feedback to give.
#[derive(InputObject)]
pub struct GiveFeedbackInput {
    pub recipient_id: ID,
    /// One of the recipient's goals it is about.
    pub goal_id: Option<ID>,
    #[graphql(default_with = "FeedbackKind::Feedback")]
    pub kind: FeedbackKind,
    /// PRIVATE: the recipient, their managers and HR; PUBLIC: everyone.
    #[graphql(default_with = "Visibility::Private")]
    pub visibility: Visibility,
    pub body: String,
}

/// Filters for `feedback`.
#[derive(InputObject, Default)]
pub struct FeedbackFilter {
    pub recipient_id: Option<ID>,
    pub author_id: Option<ID>,
    pub goal_id: Option<ID>,
}

/// Monitoring reads.
#[derive(Default)]
pub struct MonitoringQuery;

#[Object]
impl MonitoringQuery {
    /// Check-ins the viewer may read (their own, their teams', or all for HR), newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<CheckInFilter>,
    ) -> GqlResult<Conn<CheckIn>> {
        let page = page_request(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = check_ins::CheckInFilter {
            employee_id: f
                .employee_id
                .map(|e| parse_id("filter.employeeId", &e))
                .transpose()?,
            cycle_id: f
                .cycle_id
                .map(|c| parse_id("filter.cycleId", &c))
                .transpose()?,
            statuses: f
                .status
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            on: f.period,
        };
        let found = check_ins::list(dctx(ctx), viewer(ctx)?, &filter, page)
            .await
            .gql()?;
        Ok(connection(found, CheckIn))
    }

    /// One check-in.
    async fn check_in(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<CheckIn>> {
        let id = parse_id("id", &id)?;
        Ok(Some(CheckIn(
            check_ins::get(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        )))
    }

    /// A manager's direct reports with their check-in for the period containing `period`
    /// (default: today in UTC).
    async fn team_check_ins(
        &self,
        ctx: &Context<'_>,
        manager_id: ID,
        period: Option<NaiveDate>,
    ) -> GqlResult<Vec<TeamCheckIn>> {
        let manager = parse_id("managerId", &manager_id)?;
        let on = period.unwrap_or_else(|| dctx(ctx).clock.now().date_naive());
        let rows = check_ins::team(dctx(ctx), viewer(ctx)?, manager, on)
            .await
            .gql()?;
        Ok(rows
            .into_iter()
            .map(|(e, c)| TeamCheckIn {
                employee: Employee(e),
                check_in: c.map(CheckIn),
            })
            .collect())
    }

    /// Jobs that failed or are being retried, newest first (HR).
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn job_failures(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<JobFailure>> {
        let page = page_request(first, after)?;
        let found = domain::outbox::failures(&dctx(ctx).db, viewer(ctx)?, page)
            .await
            .gql()?;
        Ok(connection(found, JobFailure))
    }

    /// Feedback the viewer may read, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn feedback(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<FeedbackFilter>,
    ) -> GqlResult<Conn<Feedback>> {
        let page = page_request(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = feedback::FeedbackFilter {
            recipient_id: f
                .recipient_id
                .map(|r| parse_id("filter.recipientId", &r))
                .transpose()?,
            author_id: f
                .author_id
                .map(|a| parse_id("filter.authorId", &a))
                .transpose()?,
            goal_id: f
                .goal_id
                .map(|g| parse_id("filter.goalId", &g))
                .transpose()?,
        };
        let found = feedback::list(dctx(ctx), viewer(ctx)?, &filter, page)
            .await
            .gql()?;
        Ok(connection(found, Feedback))
    }
}

/// Monitoring writes.
#[derive(Default)]
pub struct MonitoringMutation;

#[Object]
impl MonitoringMutation {
    /// The employee submits their check-in; its progress moves their key results.
    async fn submit_check_in(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: SubmitCheckInInput,
    ) -> GqlResult<CheckIn> {
        let id = parse_id("id", &id)?;
        let progress = input
            .progress
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                Ok(check_ins::ProgressInput {
                    key_result_id: parse_id(
                        &format!("progress[{i}].keyResultId"),
                        &p.key_result_id,
                    )?,
                    value: p.value,
                })
            })
            .collect::<GqlResult<Vec<_>>>()?;
        let input = check_ins::SubmitInput {
            confidence: input.confidence,
            wins: input.wins,
            blockers: input.blockers,
            next_steps: input.next_steps,
            progress,
        };
        Ok(CheckIn(
            check_ins::submit(dctx(ctx), viewer(ctx)?, id, input)
                .await
                .gql()?,
        ))
    }

    /// A manager (or HR) acknowledges a submitted check-in, optionally with a reply.
    async fn acknowledge_check_in(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default)] reply: String,
    ) -> GqlResult<CheckIn> {
        let id = parse_id("id", &id)?;
        Ok(CheckIn(
            check_ins::acknowledge(dctx(ctx), viewer(ctx)?, id, &reply)
                .await
                .gql()?,
        ))
    }

    /// A manager (or HR) sets how often an employee checks in during a cycle.
    async fn set_check_in_cadence(
        &self,
        ctx: &Context<'_>,
        employee_id: ID,
        cycle_id: ID,
        cadence: Cadence,
    ) -> GqlResult<Cadence> {
        let employee = parse_id("employeeId", &employee_id)?;
        let cycle = parse_id("cycleId", &cycle_id)?;
        let c = check_ins::set_cadence(dctx(ctx), viewer(ctx)?, employee, cycle, cadence.into())
            .await
            .gql()?;
        Ok(c.into())
    }

    /// Gives feedback or praise to a colleague.
    async fn give_feedback(
        &self,
        ctx: &Context<'_>,
        input: GiveFeedbackInput,
    ) -> GqlResult<Feedback> {
        let input = feedback::FeedbackInput {
            recipient_id: parse_id("recipientId", &input.recipient_id)?,
            goal_id: input.goal_id.map(|g| parse_id("goalId", &g)).transpose()?,
            kind: input.kind.into(),
            visibility: input.visibility.into(),
            body: input.body,
        };
        Ok(Feedback(
            feedback::give(dctx(ctx), viewer(ctx)?, input).await.gql()?,
        ))
    }
}
