use crate::values::*;
use sea_orm::entity::prelude::*;

/// A reward run's result for one person: one line per person per run, holding each of their
/// rewards (`kinds`, a bit per kind) with its amount before and after the budget fit, and the
/// calculation's inputs the rewards' details and rationales are written from. The API lists
/// one reward per kind; their ids are this line's id with the kind in the last four bits.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_line")]
pub struct Model {
    /// The last four bits are zero.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub run_id: Uuid,
    pub cycle_id: Uuid,
    pub employee_id: Uuid,
    /// Their department when the run computed it (budget pools group by it).
    pub department_id: Option<Uuid>,
    pub status: RewardStatus,
    /// Which rewards the line holds: 1 merit increase, 2 lump sum, 4 bonus, 8 days off.
    pub kinds: i16,
    pub currency: String,
    pub rating: i32,
    /// The compa-ratio band of the merit matrix.
    pub band: i16,
    pub salary: DecimalText,
    pub target_pct: DecimalText,
    pub range_max: Option<DecimalText>,
    pub compa_ratio: Option<DecimalText>,
    /// Days employed in the cycle.
    pub employed_days: i32,
    /// The raise (merit increase and lump sum together) before the budget fit; none for
    /// someone who left before the cycle's end.
    pub proposed_raise: Option<DecimalText>,
    /// After it.
    pub raise: Option<DecimalText>,
    pub proposed_bonus: DecimalText,
    pub bonus: DecimalText,
    /// Days off.
    pub pto: DecimalText,
    pub effective_on: Date,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
    pub communicated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
