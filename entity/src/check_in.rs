use crate::values::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "check_in")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    /// The cadence the period was cut with.
    pub cadence: Cadence,
    /// First day of the period, in the employee's calendar.
    pub period_start: Date,
    /// Last day of the period, in the employee's calendar.
    pub period_end: Date,
    /// When an unsubmitted check-in becomes MISSED: the period's end plus the grace period,
    /// in the employee's timezone, stored in UTC.
    pub closes_at: DateTimeUtc,
    /// When the reminder is due: the period's last working day at the reminder time, local.
    pub reminder_at: DateTimeUtc,
    /// When the reminder was queued (once).
    pub reminded_at: Option<DateTimeUtc>,
    pub status: CheckInStatus,
    pub confidence: Option<i32>,
    pub wins: String,
    pub blockers: String,
    pub next_steps: String,
    pub submitted_at: Option<DateTimeUtc>,
    pub manager_reply: String,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
