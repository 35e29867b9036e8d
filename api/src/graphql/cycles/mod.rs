//! Cycles over GraphQL: the yearly frame every stage runs in, and its phases (HR).

pub mod inputs;
pub mod mutations;
pub mod overview;
pub mod queries;
pub mod types;

pub use mutations::CyclesMutation;
pub use queries::CyclesQuery;
