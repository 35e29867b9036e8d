//! Monitoring reads: check-ins, a manager's team, failed jobs and feedback.

use super::inputs::{CheckInFilter, FeedbackFilter};
use super::types::{CheckIn, Feedback, JobFailure, TeamCheckIns, TeamScope};
use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;
use domain::{check_ins, feedback};

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
        let page = page_request(ctx, "checkIns", first, after)?;
        let f = filter.unwrap_or_default();
        let filter = check_ins::CheckInFilter {
            employee_id: parse_opt_id("filter.employeeId", f.employee_id.as_ref())?,
            manager_id: parse_opt_id("filter.managerId", f.manager_id.as_ref())?,
            department_id: parse_opt_id("filter.departmentId", f.department_id.as_ref())?,
            cycle_id: parse_opt_id("filter.cycleId", f.cycle_id.as_ref())?,
            statuses: f
                .status
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            on: f.period,
        };
        let found = check_ins::list(dctx(ctx), viewer(ctx)?, &filter, &page)
            .await
            .gql()?;
        Ok(connection("checkIns", found, CheckIn))
    }

    /// One check-in.
    async fn check_in(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<CheckIn>> {
        let id = parse_id("id", &id)?;
        Ok(Some(CheckIn(
            check_ins::get(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        )))
    }

    /// A manager's team (`DIRECT` reports, or everyone below them with `SUBTREE`) for a day:
    /// each person with the check-in of the period containing `day` in their own calendar
    /// (default: each person's today in their timezone), and counts by status. For the
    /// manager, anyone above them, and HR.
    async fn team_check_ins(
        &self,
        ctx: &Context<'_>,
        manager_id: ID,
        #[graphql(default_with = "TeamScope::Direct")] scope: TeamScope,
        day: Option<NaiveDate>,
    ) -> GqlResult<TeamCheckIns> {
        let manager = parse_id("managerId", &manager_id)?;
        let team = check_ins::team(dctx(ctx), viewer(ctx)?, manager, scope.into(), day)
            .await
            .gql()?;
        Ok(TeamCheckIns(team))
    }

    /// Jobs that failed or are being retried, newest first (HR).
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn job_failures(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<JobFailure>> {
        let page = page_request(ctx, "jobFailures", first, after)?;
        let found = domain::outbox::failures(&dctx(ctx).db, viewer(ctx)?, &page)
            .await
            .gql()?;
        Ok(connection("jobFailures", found, JobFailure))
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
        let page = page_request(ctx, "feedback", first, after)?;
        let f = filter.unwrap_or_default();
        let filter = feedback::FeedbackFilter {
            recipient_id: parse_opt_id("filter.recipientId", f.recipient_id.as_ref())?,
            author_id: parse_opt_id("filter.authorId", f.author_id.as_ref())?,
            goal_id: parse_opt_id("filter.goalId", f.goal_id.as_ref())?,
            kinds: f
                .kind
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        let found = feedback::list(dctx(ctx), viewer(ctx)?, &filter, &page)
            .await
            .gql()?;
        Ok(connection("feedback", found, Feedback))
    }
}
