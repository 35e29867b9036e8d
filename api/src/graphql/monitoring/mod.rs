//! Monitoring over GraphQL: check-ins, cadences and feedback during the active phase, and
//! the jobs that failed to send its e-mails.

pub mod inputs;
pub mod mutations;
pub mod queries;
pub mod types;

pub use mutations::MonitoringMutation;
pub use queries::MonitoringQuery;
