use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub author_id: Uuid,
    pub recipient_id: Uuid,
    pub goal_id: Option<Uuid>,
    /// `FEEDBACK` or `PRAISE`.
    pub kind: String,
    /// `PRIVATE` (recipient and their managers) or `PUBLIC`.
    pub visibility: String,
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
