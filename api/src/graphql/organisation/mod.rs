//! The organisation over GraphQL: the viewer, the employee directory and departments, HR's
//! edits to the org chart, and the audit log.

pub mod inputs;
pub mod mutations;
pub mod queries;
pub mod types;

pub use mutations::OrganisationMutation;
pub use queries::OrganisationQuery;
