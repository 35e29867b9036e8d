//! Input types of monitoring: check-ins, feedback and their filters.

use super::types::{CheckInStatus, FeedbackKind};
use crate::graphql::enums::{Cadence, Visibility};
use async_graphql::{ID, InputObject};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Progress on one key result, reported with a check-in.
#[derive(InputObject)]
pub struct KeyResultProgressInput {
    pub key_result_id: ID,
    pub value: Decimal,
}

/// What an employee reports in a check-in.
#[derive(InputObject)]
pub struct SubmitCheckInInput {
    /// The check-in to submit.
    pub id: ID,
    /// How sure they are of reaching their goals, 1–5.
    pub confidence: i32,
    #[graphql(default)]
    pub wins: String,
    #[graphql(default)]
    pub blockers: String,
    #[graphql(default)]
    pub next_steps: String,
    /// Current values of key results of their AGREED goals in this cycle.
    #[graphql(default)]
    pub progress: Vec<KeyResultProgressInput>,
}

/// A submitted check-in a manager (or HR) acknowledges.
#[derive(InputObject)]
pub struct AcknowledgeCheckInInput {
    pub id: ID,
    /// Their reply (up to 5000 characters), sent to the employee by e-mail.
    #[graphql(default)]
    pub reply: String,
}

/// How often an employee checks in during a cycle.
#[derive(InputObject)]
pub struct SetCheckInCadenceInput {
    pub employee_id: ID,
    pub cycle_id: ID,
    pub cadence: Cadence,
}

/// Filters for `checkIns`.
#[derive(InputObject, Default)]
pub struct CheckInFilter {
    pub employee_id: Option<ID>,
    /// Only the check-ins of this manager's direct reports.
    pub manager_id: Option<ID>,
    /// Only the check-ins of people in this department or its sub-departments.
    pub department_id: Option<ID>,
    pub cycle_id: Option<ID>,
    pub status: Option<Vec<CheckInStatus>>,
    /// Only the periods that contain this day.
    pub period: Option<NaiveDate>,
}

/// Feedback to give.
#[derive(InputObject)]
pub struct GiveFeedbackInput {
    pub recipient_id: ID,
    /// One of the recipient's goals it is about.
    pub goal_id: Option<ID>,
    #[graphql(default_with = "FeedbackKind::Feedback")]
    pub kind: FeedbackKind,
    /// PRIVATE: the recipient, their managers and HR; PUBLIC: everyone.
    #[graphql(default_with = "Visibility::Private")]
    pub visibility: Visibility,
    pub body: String,
}

/// Filters for `feedback`.
#[derive(InputObject, Default)]
pub struct FeedbackFilter {
    pub recipient_id: Option<ID>,
    pub author_id: Option<ID>,
    pub goal_id: Option<ID>,
    /// Only these kinds.
    pub kind: Option<Vec<FeedbackKind>>,
}
