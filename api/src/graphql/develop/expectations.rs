//! `expectationHistory`: what was expected of someone over cycles (every target revision and
//! follow-up goal) beside what they had achieved when it changed.

use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::cycles::types::Cycle;
use crate::graphql::enums::mirror_enum;
use crate::graphql::errors::{GqlResult, OrGql, internal};
use crate::graphql::organisation::types::Employee;
use crate::graphql::planning::types::{Direction, Goal, ratio, readable_goals};
use crate::graphql::{dctx, loaders, parse_id, viewer};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::expectation_change;
use rust_decimal::Decimal;

mirror_enum!(
    /// A step in what was expected of someone.
    ExpectationKind {
        /// A key result's target moved.
        Revision,
        /// A follow-up goal was set after an achievement.
        FollowUp,
    }
);

async fn goal(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> GqlResult<Option<Goal>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let goal = loaders(ctx).goal.load_one(id).await?;
    Ok(readable_goals(ctx, goal.into_iter().collect()).await?.pop())
}

/// One step of the trajectory.
pub struct ExpectationChange(pub expectation_change::Model);

#[Object]
impl ExpectationChange {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> ExpectationKind {
        self.0.kind.into()
    }
    /// Whether the bar went up: a target moved the harder way (up for an increasing
    /// metric, down for a decreasing one), or a follow-up.
    async fn raised(&self) -> bool {
        domain::goals::raised(&self.0)
    }
    async fn cycle(&self, ctx: &Context<'_>) -> GqlResult<Cycle> {
        loaders(ctx)
            .cycle
            .load_one(self.0.cycle_id)
            .await?
            .map(Cycle)
            .ok_or_else(|| internal(&"a step without its cycle"))
    }
    /// The goal revised or followed up, if the viewer may read it.
    async fn goal(&self, ctx: &Context<'_>) -> GqlResult<Option<Goal>> {
        goal(ctx, Some(self.0.goal_id)).await
    }
    /// A revision's key result.
    async fn key_result_id(&self) -> Option<ID> {
        self.0.key_result_id.map(|id| ID(id.to_string()))
    }
    async fn metric(&self) -> &str {
        &self.0.metric
    }
    async fn direction(&self) -> Option<Direction> {
        self.0.direction.map(Into::into)
    }
    async fn old_target(&self) -> Option<Decimal> {
        self.0.old_target.map(|d| d.0)
    }
    async fn new_target(&self) -> Option<Decimal> {
        self.0.new_target.map(|d| d.0)
    }
    /// The key result's value when its target moved.
    async fn achieved_value(&self) -> Option<Decimal> {
        self.0.achieved.map(|d| d.0)
    }
    /// 0–1.5: the goal's progress when it changed.
    async fn progress(&self) -> f64 {
        ratio(domain::progress::from_ppm(self.0.progress_ppm))
    }
    /// A follow-up's new goal, if the viewer may read it.
    async fn follow_up_goal(&self, ctx: &Context<'_>) -> GqlResult<Option<Goal>> {
        goal(ctx, self.0.follow_up_goal_id).await
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    async fn changed_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.changed_by)
            .await?
            .map(Employee))
    }
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }
}

/// Expectation reads.
#[derive(Default)]
pub struct ExpectationQuery;

#[Object]
impl ExpectationQuery {
    /// What was expected of someone and what they had achieved, oldest first, over every
    /// cycle: target revisions and follow-up goals. For themselves, their managers and HR.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn expectation_history(
        &self,
        ctx: &Context<'_>,
        employee_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<ExpectationChange>> {
        let page = page_request(ctx, "expectationHistory", first, after)?;
        let id = parse_id("employeeId", &employee_id)?;
        let found = domain::goals::expectation_history(dctx(ctx), viewer(ctx)?, id, &page)
            .await
            .gql()?;
        Ok(connection("expectationHistory", found, ExpectationChange))
    }
}
