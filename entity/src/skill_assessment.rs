use crate::values::*;
use sea_orm::entity::prelude::*;

/// One assessment of an employee's level in a skill, by themselves or a manager; all kept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "skill_assessment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub employee_id: Uuid,
    pub skill_id: Uuid,
    pub kind: AssessmentKind,
    pub level: i32,
    pub note: String,
    pub assessed_by: Uuid,
    pub assessed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
