use sea_orm::entity::prelude::*;

/// One calculation of a cycle's rewards, with the policy it used (fixed when it was queued) and,
/// once complete, its totals. Its lifecycle and progress are its background job's.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_run")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cycle_id: Uuid,
    /// A what-if: its rewards are PREVIEW rows that supersede nothing and cannot be approved.
    pub preview: bool,
    pub policy: Json,
    pub job_id: Uuid,
    pub totals: Option<Json>,
    pub requested_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
