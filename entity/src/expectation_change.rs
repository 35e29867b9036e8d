use crate::values::*;
use sea_orm::entity::prelude::*;

/// A step in what was expected of someone: a key result's target revised, or a follow-up
/// goal set after one they achieved; with what they had achieved at that moment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expectation_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    /// The goal revised, or the goal followed up.
    pub goal_id: Uuid,
    pub kind: ExpectationKind,
    pub key_result_id: Option<Uuid>,
    pub metric: String,
    pub direction: Option<Direction>,
    pub old_target: Option<DecimalText>,
    pub new_target: Option<DecimalText>,
    /// The key result's value when its target moved.
    pub achieved: Option<DecimalText>,
    /// The goal's progress then, in parts per million.
    pub progress_ppm: i64,
    pub follow_up_goal_id: Option<Uuid>,
    pub reason: String,
    pub changed_by: Uuid,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
