use crate::values::*;
use sea_orm::entity::prelude::*;

/// A peer someone nominated (or their manager added) to review them in a round.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "peer_nomination")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub round_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub reviewee_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub peer_id: Uuid,
    pub status: NominationStatus,
    pub nominated_by: Uuid,
    pub decided_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
