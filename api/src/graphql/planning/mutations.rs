//! Planning writes: each takes one input object and returns what it changed.

use super::inputs::{
    AcceptGoalInput, AgreeGoalInput, CloseGoalInput, CompleteMilestoneInput, CreateGoalInput,
    DeleteGoalInput, ProposeGoalInput, ReturnGoalInput, ReviseTargetInput, SetMilestonesInput,
    UpdateGoalInput, UpdateKeyResultValueInput,
};
use super::types::{
    Goal, GoalRevision, KeyResult, Milestone, ReviseTargetPayload, UpdateKeyResultValuePayload,
    moved_goals,
};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::monitoring::types::ProgressUpdate;
use crate::graphql::{dctx, parse_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::goals;

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
    async fn update_goal(&self, ctx: &Context<'_>, input: UpdateGoalInput) -> GqlResult<Goal> {
        let id = parse_id("id", &input.id)?;
        let patch = input.into_domain()?;
        Ok(Goal(
            goals::update(dctx(ctx), viewer(ctx)?, id, patch)
                .await
                .gql()?,
        ))
    }

    /// DRAFT → PROPOSED. The owner asks their manager to agree; a manager of the owner (or
    /// HR) asks the owner to accept. `Goal.awaiting` tells which side has to answer.
    async fn propose_goal(&self, ctx: &Context<'_>, input: ProposeGoalInput) -> GqlResult<Goal> {
        let id = parse_id("id", &input.id)?;
        Ok(Goal(
            goals::propose(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        ))
    }

    /// PROPOSED → AGREED, by a manager of the owner or HR, for a goal the owner proposed.
    async fn agree_goal(&self, ctx: &Context<'_>, input: AgreeGoalInput) -> GqlResult<Goal> {
        let id = parse_id("id", &input.id)?;
        Ok(Goal(goals::agree(dctx(ctx), viewer(ctx)?, id).await.gql()?))
    }

    /// PROPOSED → AGREED, by the owner, for a goal a manager or HR proposed to them.
    async fn accept_goal(&self, ctx: &Context<'_>, input: AcceptGoalInput) -> GqlResult<Goal> {
        let id = parse_id("id", &input.id)?;
        Ok(Goal(
            goals::accept(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        ))
    }

    /// PROPOSED → DRAFT, by the side the goal waits for, with a reason (1–2000 characters)
    /// that whoever proposed it receives by e-mail and `Goal.events` keeps.
    async fn return_goal(&self, ctx: &Context<'_>, input: ReturnGoalInput) -> GqlResult<Goal> {
        let id = parse_id("id", &input.id)?;
        Ok(Goal(
            goals::return_goal(dctx(ctx), viewer(ctx)?, id, &input.reason)
                .await
                .gql()?,
        ))
    }

    /// Deletes a DRAFT, by its owner, with its key results and history; answers the id. A
    /// draft that other goals align to or that feedback names is a CONFLICT: drop it instead.
    async fn delete_goal(&self, ctx: &Context<'_>, input: DeleteGoalInput) -> GqlResult<ID> {
        let id = parse_id("id", &input.id)?;
        let gone = goals::delete(dctx(ctx), viewer(ctx)?, id).await.gql()?;
        Ok(ID(gone.id.to_string()))
    }

    /// Ends a goal: ACHIEVED or MISSED (agreed goals), or DROPPED.
    async fn close_goal(&self, ctx: &Context<'_>, input: CloseGoalInput) -> GqlResult<Goal> {
        let id = parse_id("id", &input.id)?;
        Ok(Goal(
            goals::close(dctx(ctx), viewer(ctx)?, id, input.outcome.into())
                .await
                .gql()?,
        ))
    }

    /// Records where an agreed goal's key result stands now; answers it, the change as its
    /// history keeps it, and the goals whose progress moved.
    async fn update_key_result_value(
        &self,
        ctx: &Context<'_>,
        input: UpdateKeyResultValueInput,
    ) -> GqlResult<UpdateKeyResultValuePayload> {
        let id = parse_id("keyResultId", &input.key_result_id)?;
        let done = goals::record_progress(dctx(ctx), viewer(ctx)?, id, input.value)
            .await
            .gql()?;
        Ok(UpdateKeyResultValuePayload {
            key_result: KeyResult(done.key_result),
            update: ProgressUpdate(done.update),
            moved_goals: moved_goals(ctx, &done.moved_goals).await?,
        })
    }

    /// Moves an agreed key result's target, keeping the old one in the goal's history;
    /// answers the revision, the key result and the goals whose progress moved.
    async fn revise_target(
        &self,
        ctx: &Context<'_>,
        input: ReviseTargetInput,
    ) -> GqlResult<ReviseTargetPayload> {
        let id = parse_id("keyResultId", &input.key_result_id)?;
        let done =
            goals::revise_target(dctx(ctx), viewer(ctx)?, id, input.new_target, &input.reason)
                .await
                .gql()?;
        Ok(ReviseTargetPayload {
            revision: GoalRevision(done.revision),
            key_result: KeyResult(done.key_result),
            moved_goals: moved_goals(ctx, &done.moved_goals).await?,
        })
    }

    /// Writes or changes a goal's action plan (the owner, their managers or HR, until the
    /// goal closes); answers the goal.
    async fn set_milestones(
        &self,
        ctx: &Context<'_>,
        input: SetMilestonesInput,
    ) -> GqlResult<Goal> {
        let (goal, plan) = input.into_domain()?;
        Ok(Goal(
            goals::set_milestones(dctx(ctx), viewer(ctx)?, goal, plan)
                .await
                .gql()?,
        ))
    }

    /// Marks a milestone of an AGREED goal done, or not done again (`done: false`);
    /// repeating it changes nothing.
    async fn complete_milestone(
        &self,
        ctx: &Context<'_>,
        input: CompleteMilestoneInput,
    ) -> GqlResult<Milestone> {
        let id = parse_id("id", &input.id)?;
        Ok(Milestone(
            goals::complete_milestone(dctx(ctx), viewer(ctx)?, id, input.done)
                .await
                .gql()?,
        ))
    }
}
