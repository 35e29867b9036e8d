//! Developing over GraphQL: the skill catalogue, job profiles, assessments and skill gaps.

pub mod inputs;
pub mod mutations;
pub mod queries;
pub mod types;

pub use mutations::DevelopMutation;
pub use queries::DevelopQuery;
