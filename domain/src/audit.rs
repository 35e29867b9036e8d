//! The audit log: who changed what, before and after, for every change HR may be asked about.

use crate::error::DomainResult;
use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;
use uuid::Uuid;

/// One audited change, written in the same transaction as the change itself.
pub struct Change<'a> {
    /// Who did it (`None` for the command line).
    pub actor: Option<Uuid>,
    /// What was done, e.g. `cycle.advance`.
    pub action: &'a str,
    /// The table of the changed row.
    pub entity: &'a str,
    /// The changed row.
    pub entity_id: Uuid,
    /// State before, if it existed.
    pub before: Option<Value>,
    /// State after, if it still exists.
    pub after: Option<Value>,
}

/// Appends `change` to the log.
pub async fn record(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    change: Change<'_>,
) -> DomainResult<()> {
    audit_log::ActiveModel {
        id: Set(Uuid::new_v4()),
        actor_id: Set(change.actor),
        action: Set(change.action.to_owned()),
        entity: Set(change.entity.to_owned()),
        entity_id: Set(change.entity_id),
        before: Set(change.before),
        after: Set(change.after),
        at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}
