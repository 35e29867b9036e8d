//! The audit log: who changed what, before and after, for every change HR may be asked about.

use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::query::{Keyset, keyset_page};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
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
        // Time-ordered, so that changes made in the same instant list in the order made.
        id: Set(Uuid::now_v7()),
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

/// Which changes HR asks for; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only changes of this kind of row (`goal`, `employee`, `cycle`, `check_in`, …).
    pub entity: Option<String>,
    /// Only changes of this row.
    pub entity_id: Option<Uuid>,
    /// Only changes this person made.
    pub actor_id: Option<Uuid>,
    /// Only changes at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only changes before this instant.
    pub until: Option<DateTime<Utc>>,
}

/// The audit log is read newest first.
const ORDER: Keyset<audit_log::Entity> = Keyset {
    key: audit_log::Column::At,
    id: audit_log::Column::Id,
    descending: true,
    position: |a| Position {
        key: SortKey::Time(a.at),
        id: a.id,
    },
};

/// A page of the audit log, newest first (HR only).
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: &AuditFilter,
    page: &PageRequest,
) -> DomainResult<Page<audit_log::Model>> {
    crate::permissions::require_hr(viewer, "read the audit log")?;
    if let (Some(from), Some(until)) = (filter.from, filter.until)
        && from >= until
    {
        return Err(DomainError::bad("filter.until", "until must be after from"));
    }
    let mut query = audit_log::Entity::find();
    if let Some(entity) = filter
        .entity
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        query = query.filter(audit_log::Column::Entity.eq(entity));
    }
    if let Some(id) = filter.entity_id {
        query = query.filter(audit_log::Column::EntityId.eq(id));
    }
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_log::Column::ActorId.eq(actor));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::Column::At.gte(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::Column::At.lt(until));
    }
    keyset_page(
        &ctx.db,
        query,
        &ORDER,
        &SortKey::Time(DateTime::UNIX_EPOCH),
        page,
    )
    .await
}
