use crate::values::*;
use sea_orm::entity::prelude::*;

/// A manager's recommendation to promote someone to a new title (and job profile), decided by
/// HR.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotion")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub employee_id: Uuid,
    pub recommended_by: Uuid,
    pub job_profile_id: Option<Uuid>,
    pub title: String,
    pub rationale: String,
    pub status: PromotionStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_note: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
