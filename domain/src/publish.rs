//! Where events leave a use-case: stored in `domain_event` and handed, in the same
//! transaction, to the consumers that must never miss one: today the e-mail outbox
//! ([`crate::mail`]), which sends after commit. Live subscriptions read the committed stream
//! through the relay ([`crate::live`]).

use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::query::IN_CHUNK;
use chrono::{DateTime, Utc};
use entity::domain_event;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

/// Records `events`, caused by `actor` at `at`, in the caller's transaction, and hands them
/// to the e-mail outbox in the same transaction: the change, its events and its e-mails
/// commit together or not at all. Returns how many e-mails were queued.
pub async fn emit(
    txn: &impl ConnectionTrait,
    at: DateTime<Utc>,
    actor: Option<Uuid>,
    events: Vec<DomainEvent>,
) -> DomainResult<u64> {
    if events.is_empty() {
        return Ok(0);
    }
    for chunk in events.chunks(IN_CHUNK / 4) {
        let rows = chunk
            .iter()
            .map(|e| {
                Ok(domain_event::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    kind: Set(e.kind().to_owned()),
                    subject_id: Set(e.subject_id()),
                    actor_id: Set(actor),
                    payload: Set(serde_json::to_value(e).map_err(|err| {
                        DomainError::Internal(format!("event {}: {err}", e.kind()))
                    })?),
                    occurred_at: Set(at),
                    relayed_at: Set(None),
                })
            })
            .collect::<DomainResult<Vec<_>>>()?;
        domain_event::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    crate::mail::project(txn, &events, at).await
}
