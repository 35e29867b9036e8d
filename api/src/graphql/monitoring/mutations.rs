//! Monitoring writes: submitting and acknowledging check-ins, cadences and feedback.

use super::inputs::{
    AcknowledgeCheckInInput, GiveFeedbackInput, SetCheckInCadenceInput, SubmitCheckInInput,
};
use super::types::{CheckIn, Feedback, SubmitCheckInPayload};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::organisation::types::Employee;
use crate::graphql::planning::types::moved_goals;
use crate::graphql::{dctx, parse_id, parse_opt_id, viewer};
use async_graphql::{Context, Object};
use domain::{check_ins, feedback};

/// Monitoring writes.
#[derive(Default)]
pub struct MonitoringMutation;

#[Object]
impl MonitoringMutation {
    /// The employee submits their check-in; its progress moves their key results. Answers
    /// the check-in and the goals it may have changed.
    async fn submit_check_in(
        &self,
        ctx: &Context<'_>,
        input: SubmitCheckInInput,
    ) -> GqlResult<SubmitCheckInPayload> {
        let id = parse_id("id", &input.id)?;
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
        let done = check_ins::submit(dctx(ctx), viewer(ctx)?, id, input)
            .await
            .gql()?;
        Ok(SubmitCheckInPayload {
            check_in: CheckIn(done.check_in),
            moved_goals: moved_goals(ctx, &done.moved_goals).await?,
        })
    }

    /// A manager (or HR) acknowledges a submitted check-in, optionally with a reply.
    async fn acknowledge_check_in(
        &self,
        ctx: &Context<'_>,
        input: AcknowledgeCheckInInput,
    ) -> GqlResult<CheckIn> {
        let id = parse_id("id", &input.id)?;
        Ok(CheckIn(
            check_ins::acknowledge(dctx(ctx), viewer(ctx)?, id, &input.reply)
                .await
                .gql()?,
        ))
    }

    /// A manager (or HR) sets how often an employee checks in during a cycle; answers the
    /// employee, whose `checkInCadence(cycleId)` reads it back.
    async fn set_check_in_cadence(
        &self,
        ctx: &Context<'_>,
        input: SetCheckInCadenceInput,
    ) -> GqlResult<Employee> {
        let employee = parse_id("employeeId", &input.employee_id)?;
        let cycle = parse_id("cycleId", &input.cycle_id)?;
        let cadence = input.cadence.into();
        let person = check_ins::set_cadence(dctx(ctx), viewer(ctx)?, employee, cycle, cadence)
            .await
            .gql()?;
        Ok(Employee(person))
    }

    /// Gives feedback or praise to a colleague.
    async fn give_feedback(
        &self,
        ctx: &Context<'_>,
        input: GiveFeedbackInput,
    ) -> GqlResult<Feedback> {
        let input = feedback::FeedbackInput {
            recipient_id: parse_id("recipientId", &input.recipient_id)?,
            goal_id: parse_opt_id("goalId", input.goal_id.as_ref())?,
            kind: input.kind.into(),
            visibility: input.visibility.into(),
            body: input.body,
        };
        Ok(Feedback(
            feedback::give(dctx(ctx), viewer(ctx)?, input).await.gql()?,
        ))
    }
}
