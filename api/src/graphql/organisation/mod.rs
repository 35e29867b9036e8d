//! The organisation over GraphQL: the viewer, the employee directory and departments.

pub mod inputs;
pub mod queries;
pub mod types;

pub use queries::OrganisationQuery;
