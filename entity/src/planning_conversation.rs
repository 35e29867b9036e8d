use crate::values::*;
use sea_orm::entity::prelude::*;

/// An employee's planning conversation with their manager in one cycle.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "planning_conversation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub employee_id: Uuid,
    /// Their manager when it was created.
    pub manager_id: Option<Uuid>,
    pub status: ConversationStatus,
    /// What the manager expects this cycle (written by managers or HR).
    pub expectations: String,
    /// Where the employee wants to grow (written by the employee).
    pub aspirations: String,
    /// The manager's notes: never shown to the employee.
    pub manager_notes: String,
    pub held_on: Option<Date>,
    pub held_by: Option<Uuid>,
    /// When the reminder is due: the last working day before the cycle starts, 09:00 local.
    pub reminder_at: DateTimeUtc,
    pub reminded_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
