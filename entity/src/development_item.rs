use crate::values::*;
use sea_orm::entity::prelude::*;

/// One item of a plan. Which fields mean something depends on `kind`: a training's provider,
/// link, hours and evidence; a stretch assignment's mentor, linked goal and required skills
/// (`development_item_skill`); a mentoring's mentor and cadence; a career conversation's
/// aspirations and the manager's notes; an improvement plan's check date (`due_on`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "development_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub plan_id: Uuid,
    pub employee_id: Uuid,
    pub kind: ItemKind,
    pub status: ItemStatus,
    pub title: String,
    pub description: String,
    pub provider: String,
    pub link: String,
    pub hours: Option<DecimalText>,
    pub due_on: Option<Date>,
    pub mentor_id: Option<Uuid>,
    pub cadence: Option<Cadence>,
    pub goal_id: Option<Uuid>,
    pub aspirations: String,
    pub manager_notes: String,
    /// What the employee shows for completing it.
    pub evidence: String,
    /// Why it was last returned (a proposal, or a completion not yet confirmed).
    pub return_reason: String,
    pub proposed_by: Uuid,
    pub agreed_by: Option<Uuid>,
    pub agreed_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTimeUtc>,
    /// How far its due-date reminders have gone: 0 none, 1 a week before, 2 a day before,
    /// 3 overdue (to the manager).
    pub reminder_stage: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
