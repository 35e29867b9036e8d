use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "key_result")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub goal_id: Uuid,
    pub position: i32,
    pub metric: String,
    pub unit: String,
    /// `INCREASE` or `DECREASE`.
    pub direction: String,
    /// Decimal text.
    pub start_value: String,
    /// Decimal text.
    pub target_value: String,
    /// Decimal text.
    pub current_value: String,
    pub weight: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
