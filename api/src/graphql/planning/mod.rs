//! Planning over GraphQL: goals, key results, target revisions, the alignment tree and the
//! planning conversation.

pub mod conversation;
pub mod inputs;
pub mod mutations;
pub mod queries;
pub mod types;

pub use mutations::PlanningMutation;
pub use queries::PlanningQuery;
