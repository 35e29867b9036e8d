//! Queries: thin translations to `domain`.

use super::connection::{Conn, connection, page_request};
use super::errors::{GqlResult, OrGql};
use super::inputs::{EmployeeFilter, GoalFilter};
use super::types::{AlignmentNode, Cycle, Department, Employee, Goal};
use super::{dctx, parse_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::{cycles, employees, goals};

/// The root of every read.
#[derive(Default)]
pub struct PlanningQuery;

#[Object]
impl PlanningQuery {
    /// The signed-in employee.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Employee> {
        Ok(Employee(viewer(ctx)?.employee.clone()))
    }

    /// One employee of the directory.
    async fn employee(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Employee>> {
        let id = parse_id("id", &id)?;
        let e = employees::get(&dctx(ctx).db, viewer(ctx)?, id)
            .await
            .gql()?;
        Ok(Some(Employee(e)))
    }

    /// The directory, by name.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn employees(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EmployeeFilter>,
    ) -> GqlResult<Conn<Employee>> {
        let page = page_request(first, after)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let found = employees::list(&dctx(ctx).db, viewer(ctx)?, &filter, page)
            .await
            .gql()?;
        Ok(connection(found, Employee))
    }

    /// All departments, by name.
    async fn departments(&self, ctx: &Context<'_>) -> GqlResult<Vec<Department>> {
        let found = employees::departments(&dctx(ctx).db, viewer(ctx)?)
            .await
            .gql()?;
        Ok(found.into_iter().map(Department).collect())
    }

    /// All cycles, newest first.
    async fn cycles(&self, ctx: &Context<'_>) -> GqlResult<Vec<Cycle>> {
        let found = cycles::list(dctx(ctx), viewer(ctx)?).await.gql()?;
        Ok(found.into_iter().map(Cycle).collect())
    }

    /// One cycle.
    async fn cycle(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Cycle>> {
        let id = parse_id("id", &id)?;
        Ok(Some(Cycle(
            cycles::get(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        )))
    }

    /// Goals the viewer may read, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn goals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<GoalFilter>,
    ) -> GqlResult<Conn<Goal>> {
        let page = page_request(first, after)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let found = goals::list(dctx(ctx), viewer(ctx)?, &filter, page)
            .await
            .gql()?;
        Ok(connection(found, Goal))
    }

    /// One goal, if the viewer may read it.
    async fn goal(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Goal>> {
        let id = parse_id("id", &id)?;
        Ok(Some(Goal(
            goals::get(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        )))
    }

    /// The cycle's goals the viewer may read, depth-first from their roots (at most 5000;
    /// pass `rootGoalId` for one subtree).
    async fn alignment_tree(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        root_goal_id: Option<ID>,
        max_depth: Option<u32>,
    ) -> GqlResult<Vec<AlignmentNode>> {
        let cycle_id = parse_id("cycleId", &cycle_id)?;
        let root = root_goal_id
            .map(|r| parse_id("rootGoalId", &r))
            .transpose()?;
        let nodes = goals::alignment(dctx(ctx), viewer(ctx)?, cycle_id, root, max_depth)
            .await
            .gql()?;
        Ok(nodes
            .into_iter()
            .map(|n| AlignmentNode {
                depth: n.depth,
                goal_model: n.goal,
                parent: n.parent_id,
            })
            .collect())
    }
}
