use crate::values::*;
use sea_orm::entity::prelude::*;

/// One step in a goal's life: who did what, when, and why.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub goal_id: Uuid,
    pub actor_id: Uuid,
    pub step: GoalStep,
    pub from_status: Option<GoalStatus>,
    pub to_status: GoalStatus,
    pub reason: Option<String>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
