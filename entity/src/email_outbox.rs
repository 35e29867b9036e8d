use crate::values::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique: the same logical e-mail is enqueued once, whoever enqueues it how often.
    #[sea_orm(unique)]
    pub dedupe_key: String,
    pub recipient_email: String,
    pub recipient_name: String,
    /// Which template renders it, e.g. `checkin_reminder`.
    pub template: String,
    /// What the template needs.
    pub data: Json,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub last_error: String,
    /// A sender holds the row until then; after it, another may take it over.
    pub locked_until: Option<DateTimeUtc>,
    /// When a send job was last queued for the row (so queues are not flooded with repeats).
    pub dispatched_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
