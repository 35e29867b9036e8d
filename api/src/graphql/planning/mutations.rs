//! Planning writes: each returns the goal, key result or revision it changed.

use super::inputs::{CreateGoalInput, UpdateGoalInput};
use super::types::{Goal, GoalOutcome, GoalRevision, KeyResult};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::goals;
use rust_decimal::Decimal;

/// Planning writes.
#[derive(Default)]
pub struct PlanningMutation;

#[Object]
impl PlanningMutation {
    /// Creates a goal as a DRAFT.
    async fn create_goal(&self, ctx: &Context<'_>, input: CreateGoalInput) -> GqlResult<Goal> {
        let input = input.into_domain()?;
        Ok(Goal(
            goals::create(dctx(ctx), viewer(ctx)?, input).await.gql()?,
        ))
    }

    /// Edits a goal that is not yet agreed.
    async fn update_goal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateGoalInput,
    ) -> GqlResult<Goal> {
        let id = parse_id("id", &id)?;
        let patch = input.into_domain()?;
        Ok(Goal(
            goals::update(dctx(ctx), viewer(ctx)?, id, patch)
                .await
                .gql()?,
        ))
    }

    /// DRAFT → PROPOSED. The owner asks their manager to agree; a manager of the owner (or
    /// HR) asks the owner to accept. `Goal.awaiting` tells which side has to answer.
    async fn propose_goal(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Goal> {
        let id = parse_id("id", &id)?;
        Ok(Goal(
            goals::propose(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        ))
    }

    /// PROPOSED → AGREED, by a manager of the owner or HR, for a goal the owner proposed.
    async fn agree_goal(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Goal> {
        let id = parse_id("id", &id)?;
        Ok(Goal(goals::agree(dctx(ctx), viewer(ctx)?, id).await.gql()?))
    }

    /// PROPOSED → AGREED, by the owner, for a goal a manager or HR proposed to them.
    async fn accept_goal(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Goal> {
        let id = parse_id("id", &id)?;
        Ok(Goal(
            goals::accept(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        ))
    }

    /// PROPOSED → DRAFT, by the side the goal waits for, with a reason (1–2000 characters)
    /// that whoever proposed it receives by e-mail and `Goal.events` keeps.
    async fn return_goal(&self, ctx: &Context<'_>, id: ID, reason: String) -> GqlResult<Goal> {
        let id = parse_id("id", &id)?;
        Ok(Goal(
            goals::return_goal(dctx(ctx), viewer(ctx)?, id, &reason)
                .await
                .gql()?,
        ))
    }

    /// Deletes a DRAFT, by its owner, with its key results and history; answers the id. A
    /// draft that other goals align to or that feedback names is a CONFLICT: drop it instead.
    async fn delete_goal(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let id = parse_id("id", &id)?;
        let gone = goals::delete(dctx(ctx), viewer(ctx)?, id).await.gql()?;
        Ok(ID(gone.id.to_string()))
    }

    /// Ends a goal: ACHIEVED or MISSED (agreed goals), or DROPPED.
    async fn close_goal(&self, ctx: &Context<'_>, id: ID, outcome: GoalOutcome) -> GqlResult<Goal> {
        let id = parse_id("id", &id)?;
        Ok(Goal(
            goals::close(dctx(ctx), viewer(ctx)?, id, outcome.into())
                .await
                .gql()?,
        ))
    }

    /// Records where an agreed goal's key result stands now.
    async fn update_key_result_value(
        &self,
        ctx: &Context<'_>,
        id: ID,
        value: Decimal,
    ) -> GqlResult<KeyResult> {
        let id = parse_id("id", &id)?;
        Ok(KeyResult(
            goals::record_progress(dctx(ctx), viewer(ctx)?, id, value)
                .await
                .gql()?,
        ))
    }

    /// Moves an agreed key result's target, keeping the old one in the goal's history.
    async fn revise_target(
        &self,
        ctx: &Context<'_>,
        key_result_id: ID,
        new_target: Decimal,
        reason: String,
    ) -> GqlResult<GoalRevision> {
        let id = parse_id("keyResultId", &key_result_id)?;
        let r = goals::revise_target(dctx(ctx), viewer(ctx)?, id, new_target, &reason)
            .await
            .gql()?;
        Ok(GoalRevision(r))
    }
}
