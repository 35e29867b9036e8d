use crate::values::*;
use sea_orm::entity::prelude::*;

/// One person's rating for a round: the computed score (with the function's version and its
/// components), the final rating after calibration, release and acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_rating")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub round_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub employee_id: Uuid,
    /// Their manager and department when the score was computed (calibration groups by them).
    pub manager_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub score: Option<DecimalText>,
    pub score_version: String,
    /// Each component: value, weight, applied weight, why it is missing.
    pub components: Json,
    pub proposed_rating: Option<i32>,
    pub final_rating: Option<i32>,
    /// The manager review's view of potential.
    pub potential: Option<Potential>,
    pub calibrated_by: Option<Uuid>,
    pub calibration_reason: String,
    pub calibrated_at: Option<DateTimeUtc>,
    pub released_at: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledgement: String,
    pub computed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
