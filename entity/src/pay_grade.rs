use crate::values::*;
use sea_orm::entity::prelude::*;

/// A pay grade: the salary range (minimum, midpoint, maximum) of the jobs in it, in one
/// currency. Compa-ratio is salary ÷ midpoint.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pay_grade")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub currency: String,
    pub range_min: DecimalText,
    pub range_mid: DecimalText,
    pub range_max: DecimalText,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
