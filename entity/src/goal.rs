use crate::values::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub owner_id: Uuid,
    pub parent_id: Option<Uuid>,
    /// The goal this one follows up (a raised expectation), apart from the alignment parent.
    pub follows_goal_id: Option<Uuid>,
    pub level: GoalLevel,
    pub visibility: Visibility,
    pub title: String,
    pub description: String,
    pub weight: i32,
    pub due_on: Date,
    pub status: GoalStatus,
    pub created_by: Uuid,
    /// Who put the goal up for agreement, while it is (or since it was last) proposed: the
    /// owner asks their manager; anyone else asks the owner.
    pub proposed_by: Option<Uuid>,
    /// Whose agreement completed it: a manager (or HR), or the owner accepting.
    pub agreed_by: Option<Uuid>,
    pub agreed_at: Option<DateTimeUtc>,
    /// When it was achieved, missed or dropped.
    pub closed_at: Option<DateTimeUtc>,
    /// Rolled-up progress in parts per million (1 000 000 = on target, at most 1 500 000),
    /// kept true by every write that moves it.
    pub progress_ppm: i64,
    /// For an AGREED goal, how its progress compares with where it should be by now and its
    /// owner's latest check-in confidence; `None` in any other status. Refreshed by the
    /// writes that move its inputs and once a day for the calendar.
    pub health: Option<GoalHealth>,
    /// The day `health` took its current value.
    pub health_since: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
