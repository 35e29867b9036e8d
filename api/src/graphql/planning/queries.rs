//! Planning reads: goals and the alignment tree.

use super::inputs::GoalFilter;
use super::types::{AlignmentNode, Goal, KeyResult};
use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::goals;

/// Planning reads.
#[derive(Default)]
pub struct PlanningQuery;

#[Object]
impl PlanningQuery {
    /// Goals the viewer may read, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn goals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<GoalFilter>,
    ) -> GqlResult<Conn<Goal>> {
        let page = page_request(ctx, "goals", first, after)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let found = goals::list(dctx(ctx), viewer(ctx)?, &filter, &page)
            .await
            .gql()?;
        Ok(connection("goals", found, Goal))
    }

    /// One goal, if the viewer may read it.
    async fn goal(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Goal>> {
        let id = parse_id("id", &id)?;
        Ok(Some(Goal(
            goals::get(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        )))
    }

    /// One key result, if the viewer may read its goal (`NOT_FOUND` otherwise, as for `goal`).
    async fn key_result(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<KeyResult>> {
        let id = parse_id("id", &id)?;
        Ok(Some(KeyResult(
            goals::get_key_result(dctx(ctx), viewer(ctx)?, id)
                .await
                .gql()?,
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
        let root = parse_opt_id("rootGoalId", root_goal_id.as_ref())?;
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
