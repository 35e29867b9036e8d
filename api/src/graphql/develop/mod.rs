//! Developing over GraphQL: the skill catalogue, job profiles, assessments and skill gaps;
//! development and improvement plans (`plans/`); the expectation history (`expectations.rs`).

pub mod expectations;
pub mod inputs;
pub mod mutations;
pub mod plans;
pub mod queries;
pub mod types;

pub use expectations::ExpectationQuery;
pub use mutations::DevelopMutation;
pub use plans::{PlanMutation, PlanQuery};
pub use queries::DevelopQuery;
