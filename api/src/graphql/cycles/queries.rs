//! Cycle reads.

use super::overview::CycleOverview;
use super::types::Cycle;
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::cycles;

/// Cycle reads.
#[derive(Default)]
pub struct CyclesQuery;

#[Object]
impl CyclesQuery {
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

    /// A cycle's numbers for HR (everyone, or a department with its sub-departments) and for
    /// managers (the people below them, narrowed to a department if one is given): goals by
    /// status and health, the agreement rate, check-in compliance over the last weeks, and
    /// the people without goals.
    async fn cycle_overview(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        department_id: Option<ID>,
    ) -> GqlResult<CycleOverview> {
        let cycle = parse_id("cycleId", &cycle_id)?;
        let department = parse_opt_id("departmentId", department_id.as_ref())?;
        let found = domain::overview::overview(dctx(ctx), viewer(ctx)?, cycle, department)
            .await
            .gql()?;
        Ok(CycleOverview(found))
    }
}
