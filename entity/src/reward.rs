use crate::values::*;
use sea_orm::entity::prelude::*;

/// A spot award (no run), or a run's result for one person and kind from a run computed
/// before reward lines (`reward_line` holds a run's results since). The API lists both kinds
/// of rewards in this shape. Money in `currency`'s minor unit; PTO in days.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub run_id: Option<Uuid>,
    pub cycle_id: Uuid,
    pub employee_id: Uuid,
    /// Their department when the run computed it (budget pools group by it).
    pub department_id: Option<Uuid>,
    pub kind: RewardKind,
    pub status: RewardStatus,
    /// After the budget fit.
    pub amount: DecimalText,
    /// Before the budget fit.
    pub proposed_amount: DecimalText,
    /// Empty for PTO.
    pub currency: String,
    pub rating: Option<i32>,
    /// The inputs and steps of the calculation (salary, compa-ratio, percentages, proration).
    pub details: Json,
    pub rationale: String,
    pub effective_on: Date,
    pub given_by: Option<Uuid>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
    pub communicated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
