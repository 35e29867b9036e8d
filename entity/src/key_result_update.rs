use crate::values::*;
use sea_orm::entity::prelude::*;

/// One change of a key result's current value: what it was and became, who recorded it when,
/// and the check-in that carried it (none when recorded directly).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "key_result_update")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub key_result_id: Uuid,
    pub check_in_id: Option<Uuid>,
    pub previous_value: DecimalText,
    pub new_value: DecimalText,
    /// `None` only for changes the command line made before this table existed.
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
