use sea_orm::entity::prelude::*;

/// The mark that a manager's weekly digest for the week starting `week_start` was queued.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "manager_digest")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub manager_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub week_start: Date,
    pub queued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
