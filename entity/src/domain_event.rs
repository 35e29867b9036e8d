use sea_orm::entity::prelude::*;

/// Every state change, as a typed event (see `domain::events`), written in the change's
/// transaction.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The event's name, e.g. `GOAL_AGREED`.
    pub kind: String,
    /// The object it is about (a goal, a check-in, a cycle).
    pub subject_id: Uuid,
    /// Who caused it (`None` for schedules and the command line).
    pub actor_id: Option<Uuid>,
    /// The whole event.
    pub payload: Json,
    pub occurred_at: DateTimeUtc,
    /// When the relay handed it to the live-event bus (`None` until then).
    pub relayed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
