//! Tables and relations, nothing else. Rules live in `domain`.
//!
//! Enumerations are stored as short upper-case text and decimal quantities as canonical
//! decimal text: SQLite has no exact decimal type, and one schema serves both backends.

pub mod audit_log;
pub mod cadence_override;
pub mod check_in;
pub mod check_in_update;
pub mod cycle;
pub mod department;
pub mod email_outbox;
pub mod employee;
pub mod feedback;
pub mod goal;
pub mod goal_revision;
pub mod key_result;
pub mod scheduler_tick;
