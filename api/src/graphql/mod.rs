//! The GraphQL schema: built once at start, fed per request with the viewer and loaders.

pub mod connection;
pub mod enums;
pub mod errors;
pub mod limits;
pub mod live;
pub mod loaders;
pub mod order;

pub mod cycles;
pub mod develop;
pub mod monitoring;
pub mod organisation;
pub mod planning;
pub mod review;
pub mod reward;

use crate::config::Config;
use crate::live::Bus;
use async_graphql::{Context, ID, MergedObject, Schema};
use domain::{DomainError, Viewer};
use errors::{GqlResult, TagErrors, bad_input, code, to_gql};
use std::sync::Arc;
use uuid::Uuid;

pub use loaders::{Loaders, RequestLoaders};

// Each stage of the cycle is a module of the same shape — `types`, `inputs`, `queries`,
// `mutations` — and adds its own object below. The order here is the order of the fields
// in the schema.

/// Every read, one object per stage of the cycle.
#[derive(MergedObject, Default)]
pub struct Query(
    organisation::OrganisationQuery,
    cycles::CyclesQuery,
    planning::PlanningQuery,
    planning::conversation::ConversationQuery,
    monitoring::MonitoringQuery,
    develop::DevelopQuery,
    develop::PlanQuery,
    develop::ExpectationQuery,
    review::ReviewQuery,
    reward::RewardQuery,
);

/// Every write, one object per stage of the cycle.
#[derive(MergedObject, Default)]
pub struct Mutation(
    organisation::OrganisationMutation,
    cycles::CyclesMutation,
    planning::PlanningMutation,
    planning::conversation::ConversationMutation,
    monitoring::MonitoringMutation,
    develop::DevelopMutation,
    develop::PlanMutation,
    review::ReviewMutation,
    reward::RewardMutation,
);

/// The schema type.
pub type AppSchema = Schema<Query, Mutation, live::Subscription>;

/// Who a request is from, or why that is unknown.
pub enum RequestAuth {
    /// A valid token of an active employee.
    Viewer(Box<Viewer>),
    /// No `Authorization` header.
    Anonymous,
    /// A header that was refused, and why.
    Refused(String),
}

/// Builds the schema with the configured limits.
pub fn build_schema(config: &Config, ctx: domain::Ctx, bus: Arc<Bus>) -> AppSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), live::Subscription)
        .data(ctx)
        .data(bus)
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity)
        .limit_recursive_depth(64)
        .extension(TagErrors);
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    if !config.suggestions {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// The request-shape bounds from the settings.
pub fn limits(config: &Config) -> limits::Limits {
    limits::Limits {
        max_nesting: config.max_nesting,
        max_aliases: config.max_aliases,
        max_root_fields: config.max_root_fields,
        max_directives: config.max_directives,
        max_selections: config.max_complexity,
    }
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), live::Subscription)
        .finish()
        .sdl()
}

/// The viewer, or `UNAUTHENTICATED`.
pub fn viewer<'a>(ctx: &'a Context<'_>) -> GqlResult<&'a Viewer> {
    match ctx.data_opt::<RequestAuth>() {
        Some(RequestAuth::Viewer(v)) => Ok(&**v),
        Some(RequestAuth::Refused(why)) => Err(errors::coded(why.clone(), code::UNAUTHENTICATED)),
        _ => Err(to_gql(DomainError::Unauthenticated)),
    }
}

/// The domain context.
pub fn dctx<'a>(ctx: &'a Context<'_>) -> &'a domain::Ctx {
    ctx.data_unchecked::<domain::Ctx>()
}

/// This request's loaders.
pub fn loaders<'a>(ctx: &'a Context<'_>) -> &'a Loaders {
    ctx.data_unchecked::<RequestLoaders>().get(&dctx(ctx).db)
}

/// Parses a GraphQL `ID` as one of our ids.
pub fn parse_id(field: &str, id: &ID) -> GqlResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| bad_input(field, format!("{field} is not a valid id")))
}

/// Parses an optional GraphQL `ID`.
pub fn parse_opt_id(field: &str, id: Option<&ID>) -> GqlResult<Option<Uuid>> {
    id.map(|id| parse_id(field, id)).transpose()
}
