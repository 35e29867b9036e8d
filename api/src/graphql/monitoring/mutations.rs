//! Monitoring writes: submitting and acknowledging check-ins, cadences and feedback.

use super::inputs::{GiveFeedbackInput, SubmitCheckInInput};
use super::types::{CheckIn, Feedback};
use crate::graphql::enums::Cadence;
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::{check_ins, feedback};

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
