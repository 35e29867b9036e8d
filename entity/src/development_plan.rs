use crate::values::*;
use sea_orm::entity::prelude::*;

/// One employee's plan in one cycle: their development plan, or an improvement plan.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "development_plan")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    pub kind: PlanKind,
    pub status: PlanStatus,
    /// An improvement plan's objectives (empty for a development plan).
    pub objectives: String,
    /// The support an improvement plan offers.
    pub support: String,
    /// How an improvement plan ended (EXTENDED keeps it open).
    pub outcome: Option<PlanOutcome>,
    pub outcome_note: String,
    pub opened_by: Uuid,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
