use crate::values::*;
use sea_orm::entity::prelude::*;

/// A review round of a cycle: its window and settings.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_round")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub kind: RoundKind,
    pub status: RoundStatus,
    pub template_id: Option<Uuid>,
    pub opens_on: Date,
    pub due_on: Date,
    /// The last day a late review is still taken; the round closes after it.
    pub closes_on: Date,
    /// How many peers a reviewee nominates, at least and at most.
    pub peer_min: i32,
    pub peer_max: i32,
    /// Submitted PEER (or UPWARD) reviews needed before any of that kind is shown.
    pub anonymity_threshold: i32,
    /// Eligible: active and hired on or before this day (any hire date when `None`).
    pub hired_on_or_before: Option<Date>,
    /// Component weights of the score.
    pub weight_goals: DecimalText,
    pub weight_manager: DecimalText,
    pub weight_peer: DecimalText,
    pub weight_self: DecimalText,
    /// Whether HR may see who wrote a PEER or UPWARD review (each look audited).
    pub hr_sees_peer_identities: bool,
    /// The target share of each rating point: `[{"rating": 3, "share": "0.5"}, …]`.
    pub target_distribution: Json,
    /// The score function's version this round's scores were computed with.
    pub score_version: String,
    /// Days after the due date when an unsubmitted review is escalated to the reviewer's
    /// manager, and to HR.
    pub escalate_manager_after_days: i32,
    pub escalate_hr_after_days: i32,
    /// Reviews marked EXPIRED when the window closed.
    pub expired: i32,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
