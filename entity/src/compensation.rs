use crate::values::*;
use sea_orm::entity::prelude::*;

/// Someone's pay from a date on: one row per change, never edited (the history is the rows).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "compensation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub employee_id: Uuid,
    pub effective_on: Date,
    /// Yearly base salary.
    pub base_salary: DecimalText,
    /// ISO 4217 code.
    pub currency: String,
    /// Bonus target as a percentage of base salary.
    pub bonus_target_pct: DecimalText,
    pub pay_grade_id: Option<Uuid>,
    pub reason: String,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
