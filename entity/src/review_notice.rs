use sea_orm::entity::prelude::*;

/// A deadline e-mail queued for a round: to a reviewer (a stage in days before the due date),
/// to a manager or to HR (an escalation). Written with the e-mail, so a scan sends each once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_notice")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub round_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub recipient_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stage: i32,
    pub queued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
