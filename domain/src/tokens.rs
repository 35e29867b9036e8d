//! Token revocation. Tokens are checked by signature and expiry where they arrive; this is
//! the part that needs the database: every token one person holds can be made worthless at
//! once, by HR (a lost laptop, a compromise) or by the person themselves (sign out
//! everywhere). Tokens carry their issue time (`iat`, whole seconds of the wall clock), so
//! revoking stores an instant and refuses every token issued at or before that second;
//! one issued later is taken again.

use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::query::find;
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::employee;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::json;
use uuid::Uuid;

/// Whether a token issued at `issued_at` (seconds since the epoch) was revoked.
pub fn revoked(employee: &employee::Model, issued_at: i64) -> bool {
    employee
        .tokens_revoked_at
        .is_some_and(|at| issued_at <= at.timestamp())
}

/// Revokes every token `id` holds that was issued up to `at`, the wall-clock now (tokens
/// are dated by the wall clock, not the domain's). HR may do it to anyone, everyone to
/// themselves; audited.
pub async fn revoke(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    at: DateTime<Utc>,
) -> DomainResult<employee::Model> {
    if id != viewer.id() && !viewer.is_hr() {
        return Err(DomainError::forbidden(
            "only HR admins may revoke someone else's tokens",
        ));
    }
    let txn = crate::db::begin(&ctx.db).await?;
    // The lock every org-chart write takes: an import running meanwhile (it rewrites whole
    // employee rows) cannot put back the value read before this revocation.
    crate::db::lock_org_chart(&txn).await?;
    let current = find::<employee::Entity>(&txn, id, "employee").await?;
    let mut model = current.clone().into_active_model();
    model.tokens_revoked_at = Set(Some(at));
    let updated = model.update(&txn).await?;
    audit::record(
        &txn,
        ctx.clock.now(),
        Change {
            actor: Some(viewer.id()),
            action: "employee.revoke_tokens",
            entity: "employee",
            entity_id: id,
            before: Some(json!({ "tokensRevokedAt": current.tokens_revoked_at })),
            after: Some(json!({ "tokensRevokedAt": updated.tokens_revoked_at })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
