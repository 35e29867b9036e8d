//! Org-chart writes (HR), and revoking tokens: each returns the employee it changed.

use super::inputs::{
    CreateEmployeeInput, DeactivateEmployeeInput, MoveEmployeeInput, UpdateEmployeeInput,
};
use super::types::Employee;
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::org;

/// Org-chart writes.
#[derive(Default)]
pub struct OrganisationMutation;

#[Object]
impl OrganisationMutation {
    /// Adds someone to the organisation (HR).
    async fn create_employee(
        &self,
        ctx: &Context<'_>,
        input: CreateEmployeeInput,
    ) -> GqlResult<Employee> {
        let input = input.into_domain()?;
        Ok(Employee(
            org::create(dctx(ctx), viewer(ctx)?, input).await.gql()?,
        ))
    }

    /// Changes someone's details (HR).
    async fn update_employee(
        &self,
        ctx: &Context<'_>,
        input: UpdateEmployeeInput,
    ) -> GqlResult<Employee> {
        let (id, patch) = input.into_domain()?;
        Ok(Employee(
            org::update(dctx(ctx), viewer(ctx)?, id, patch)
                .await
                .gql()?,
        ))
    }

    /// Moves someone, with everyone below them, under another manager (HR). A manager who
    /// reports to them is refused: the org chart would loop.
    async fn move_employee(
        &self,
        ctx: &Context<'_>,
        input: MoveEmployeeInput,
    ) -> GqlResult<Employee> {
        let id = parse_id("id", &input.id)?;
        let manager = parse_opt_id("managerId", input.manager_id.as_ref())?;
        Ok(Employee(
            org::move_employee(dctx(ctx), viewer(ctx)?, id, manager)
                .await
                .gql()?,
        ))
    }

    /// Marks someone as having left (HR): they can no longer sign in and leave lists and
    /// schedules. Someone with active reports is a CONFLICT until they are moved.
    async fn deactivate_employee(
        &self,
        ctx: &Context<'_>,
        input: DeactivateEmployeeInput,
    ) -> GqlResult<Employee> {
        let id = parse_id("id", &input.id)?;
        Ok(Employee(
            org::deactivate(dctx(ctx), viewer(ctx)?, id, input.left_on)
                .await
                .gql()?,
        ))
    }

    /// Makes every token `employeeId` holds worthless, on every replica and every open
    /// WebSocket (closed within `PERFCYCLE_WS_RECHECK_SECONDS`): HR for anyone (a lost
    /// laptop), everyone for themselves (sign out everywhere). A token issued in the same
    /// second is revoked too; tokens issued afterwards work. Audited.
    async fn revoke_tokens(&self, ctx: &Context<'_>, employee_id: ID) -> GqlResult<Employee> {
        let id = parse_id("employeeId", &employee_id)?;
        Ok(Employee(
            domain::tokens::revoke(dctx(ctx), viewer(ctx)?, id, chrono::Utc::now())
                .await
                .gql()?,
        ))
    }

    /// Erases the personal data of someone who has left (HR; GDPR): name, e-mail, title and
    /// timezone are replaced, every text about them is blanked (ratings, amounts and pay stay,
    /// anonymous), e-mails to them lose their content, and events, audit entries and e-mails
    /// that quote them are scrubbed. What they wrote about others stays with those records,
    /// attributed to the anonymous row, so their peer reviews stay anonymous. Someone still
    /// employed is a CONFLICT; erasing twice changes nothing. Audited with counts only.
    async fn erase_person(&self, ctx: &Context<'_>, employee_id: ID) -> GqlResult<Employee> {
        let id = parse_id("employeeId", &employee_id)?;
        Ok(Employee(
            domain::privacy::erase(dctx(ctx), viewer(ctx)?, id)
                .await
                .gql()?,
        ))
    }
}
