//! Cycle writes (HR): each returns the cycle it changed.

use super::inputs::{AdvanceCyclePhaseInput, CreateCycleInput, UpdateCycleInput};
use super::types::Cycle;
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, viewer};
use async_graphql::{Context, Object};
use domain::cycles;

/// Cycle writes.
#[derive(Default)]
pub struct CyclesMutation;

#[Object]
impl CyclesMutation {
    /// Creates a cycle in PLANNING (HR).
    async fn create_cycle(&self, ctx: &Context<'_>, input: CreateCycleInput) -> GqlResult<Cycle> {
        let c = cycles::create(dctx(ctx), viewer(ctx)?, input.into())
            .await
            .gql()?;
        Ok(Cycle(c))
    }

    /// Changes a cycle's name, dates or cadence (HR).
    async fn update_cycle(&self, ctx: &Context<'_>, input: UpdateCycleInput) -> GqlResult<Cycle> {
        let id = parse_id("id", &input.id)?;
        let c = cycles::update(dctx(ctx), viewer(ctx)?, id, input.into())
            .await
            .gql()?;
        Ok(Cycle(c))
    }

    /// Moves a cycle to its next phase (HR). `to` must be `nextPhase`, so a repeated
    /// request is a CONFLICT rather than a second move.
    async fn advance_cycle_phase(
        &self,
        ctx: &Context<'_>,
        input: AdvanceCyclePhaseInput,
    ) -> GqlResult<Cycle> {
        let id = parse_id("id", &input.id)?;
        let c = cycles::advance(dctx(ctx), viewer(ctx)?, id, input.to.into())
            .await
            .gql()?;
        Ok(Cycle(c))
    }
}
