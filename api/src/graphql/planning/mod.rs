//! Planning over GraphQL: goals, key results, target revisions and the alignment tree.

pub mod inputs;
pub mod mutations;
pub mod queries;
pub mod types;

pub use mutations::PlanningMutation;
pub use queries::PlanningQuery;
