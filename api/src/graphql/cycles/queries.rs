//! Cycle reads.

use super::types::Cycle;
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, viewer};
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
}
