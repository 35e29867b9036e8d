//! Development and improvement plans over GraphQL: reading a plan or an item, and the verbs
//! (add, update, agree, return, complete, confirm; open an improvement plan, record its
//! outcome).

pub mod inputs;
pub mod types;

use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::develop::{improvement, items, plans};
use inputs::{
    AddDevelopmentItemInput, AnswerDevelopmentItemInput, CompleteDevelopmentItemInput,
    OpenImprovementPlanInput, RecordImprovementOutcomeInput, ReturnDevelopmentItemInput,
    UpdateDevelopmentItemInput,
};
use types::{DevelopmentItem, DevelopmentPlan, PlanKind};

/// Plan reads.
#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// Someone's plan of `kind` in a cycle (null when they have none), for themselves, their
    /// managers and HR (anyone else: FORBIDDEN).
    async fn development_plan(
        &self,
        ctx: &Context<'_>,
        employee_id: ID,
        cycle_id: ID,
        #[graphql(desc = "DEVELOPMENT when omitted or null")] kind: Option<PlanKind>,
    ) -> GqlResult<Option<DevelopmentPlan>> {
        let kind = kind.unwrap_or(PlanKind::Development);
        let employee = parse_id("employeeId", &employee_id)?;
        let cycle = parse_id("cycleId", &cycle_id)?;
        let found = plans::plan(dctx(ctx), viewer(ctx)?, employee, cycle, kind.into())
            .await
            .gql()?;
        Ok(found.map(DevelopmentPlan))
    }

    /// One item (NOT_FOUND unless the viewer may read its plan).
    async fn development_item(&self, ctx: &Context<'_>, id: ID) -> GqlResult<DevelopmentItem> {
        let id = parse_id("id", &id)?;
        Ok(DevelopmentItem(
            plans::get_item(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        ))
    }
}

/// Plan writes.
#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Adds an item to someone's development plan in a cycle (opened on first use) as a
    /// proposal to the other side, or (the manager side) to their open improvement plan,
    /// AGREED.
    async fn add_development_item(
        &self,
        ctx: &Context<'_>,
        input: AddDevelopmentItemInput,
    ) -> GqlResult<DevelopmentItem> {
        let (target, input) = input.into_domain()?;
        Ok(DevelopmentItem(
            items::add(dctx(ctx), viewer(ctx)?, target, input)
                .await
                .gql()?,
        ))
    }

    /// Its proposer changes a PROPOSED or RETURNED item; it is PROPOSED again.
    async fn update_development_item(
        &self,
        ctx: &Context<'_>,
        input: UpdateDevelopmentItemInput,
    ) -> GqlResult<DevelopmentItem> {
        let (id, patch) = input.into_domain()?;
        Ok(DevelopmentItem(
            items::update(dctx(ctx), viewer(ctx)?, id, patch)
                .await
                .gql()?,
        ))
    }

    /// The side a proposal was made to agrees (a manager or HR for the employee's own, the
    /// employee for one a manager made). A stretch assignment's skills join the gaps.
    async fn agree_development_item(
        &self,
        ctx: &Context<'_>,
        input: AnswerDevelopmentItemInput,
    ) -> GqlResult<DevelopmentItem> {
        let id = parse_id("itemId", &input.item_id)?;
        Ok(DevelopmentItem(
            items::agree(dctx(ctx), viewer(ctx)?, id, input.manager_notes)
                .await
                .gql()?,
        ))
    }

    /// Sends an item back with a reason: a PROPOSED one to its proposer (RETURNED), a
    /// COMPLETED one to the employee (AGREED again, by a manager or HR).
    async fn return_development_item(
        &self,
        ctx: &Context<'_>,
        input: ReturnDevelopmentItemInput,
    ) -> GqlResult<DevelopmentItem> {
        let id = parse_id("itemId", &input.item_id)?;
        Ok(DevelopmentItem(
            items::return_item(dctx(ctx), viewer(ctx)?, id, &input.reason)
                .await
                .gql()?,
        ))
    }

    /// The employee marks an AGREED item COMPLETED, with evidence (required for training).
    async fn complete_development_item(
        &self,
        ctx: &Context<'_>,
        input: CompleteDevelopmentItemInput,
    ) -> GqlResult<DevelopmentItem> {
        let id = parse_id("itemId", &input.item_id)?;
        Ok(DevelopmentItem(
            items::complete(dctx(ctx), viewer(ctx)?, id, &input.evidence)
                .await
                .gql()?,
        ))
    }

    /// A manager (or HR) confirms a COMPLETED item. Assessed levels do not move by
    /// themselves: a manager assessment (`assessSkill`) moves them.
    async fn confirm_development_item(
        &self,
        ctx: &Context<'_>,
        input: AnswerDevelopmentItemInput,
    ) -> GqlResult<DevelopmentItem> {
        let id = parse_id("itemId", &input.item_id)?;
        Ok(DevelopmentItem(
            items::confirm(dctx(ctx), viewer(ctx)?, id, input.manager_notes)
                .await
                .gql()?,
        ))
    }

    /// A manager of the employee (or HR) opens an improvement plan (one per employee and
    /// cycle) with objectives, support and check dates; the employee is told.
    async fn open_improvement_plan(
        &self,
        ctx: &Context<'_>,
        input: OpenImprovementPlanInput,
    ) -> GqlResult<DevelopmentPlan> {
        let input = improvement::OpenPlan {
            employee_id: parse_id("employeeId", &input.employee_id)?,
            cycle_id: parse_id("cycleId", &input.cycle_id)?,
            objectives: input.objectives,
            support: input.support,
            check_dates: input.check_dates,
        };
        Ok(DevelopmentPlan(
            improvement::open(dctx(ctx), viewer(ctx)?, input)
                .await
                .gql()?,
        ))
    }

    /// Records an open improvement plan's outcome: SUCCESSFUL or UNSUCCESSFUL close it,
    /// EXTENDED adds a check on `nextCheckOn`. The employee is told.
    async fn record_improvement_outcome(
        &self,
        ctx: &Context<'_>,
        input: RecordImprovementOutcomeInput,
    ) -> GqlResult<DevelopmentPlan> {
        let id = parse_id("planId", &input.plan_id)?;
        let outcome = improvement::Outcome {
            outcome: input.outcome.into(),
            note: input.note,
            next_check_on: input.next_check_on,
        };
        Ok(DevelopmentPlan(
            improvement::record_outcome(dctx(ctx), viewer(ctx)?, id, outcome)
                .await
                .gql()?,
        ))
    }
}
