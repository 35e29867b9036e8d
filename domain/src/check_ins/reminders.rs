//! Check-in reminders: each period's reminder on its last working day at a local time
//! (Friday 09:00 by default) in the employee's timezone. The scan can run late (it catches
//! up) or twice (a reminded check-in is marked, and the e-mail's dedupe key holds).

use crate::Ctx;
use crate::error::DomainResult;
use crate::events::{CheckInFacts, DomainEvent};
use crate::publish;
use crate::query::IN_CHUNK;
use crate::values::CheckInStatus;
use chrono::{DateTime, Utc};
use entity::check_in;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Emits `CHECK_IN_REMINDER_DUE` (the employee's reminder e-mail) for every DUE check-in of
/// an ACTIVE cycle whose reminder time has come, whose grace period has not ended and that
/// has not been reminded yet, a batch per transaction (the events, their e-mails and the
/// `reminded_at` marks commit together). Returns how many e-mails were queued.
pub async fn queue_reminders(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<u64> {
    let mut queued = 0;
    loop {
        let txn = crate::db::begin(&ctx.db).await?;
        let active = crate::cycles::active_ids();
        let batch = check_in::Entity::find()
            .filter(check_in::Column::Status.eq(CheckInStatus::Due))
            .filter(check_in::Column::RemindedAt.is_null())
            .filter(check_in::Column::ReminderAt.lte(now))
            .filter(check_in::Column::ClosesAt.gt(now))
            .filter(check_in::Column::CycleId.in_subquery(active))
            .order_by_asc(check_in::Column::ReminderAt)
            .limit(IN_CHUNK as u64)
            .lock_exclusive()
            .all(&txn)
            .await?;
        if batch.is_empty() {
            txn.commit().await?;
            return Ok(queued);
        }
        let events = batch
            .iter()
            .map(|c| DomainEvent::CheckInReminderDue {
                check_in: CheckInFacts::of(c),
                closes_at: c.closes_at,
            })
            .collect();
        queued += publish::emit(&txn, now, None, events).await?;
        check_in::Entity::update_many()
            .col_expr(check_in::Column::RemindedAt, Expr::value(now))
            .filter(check_in::Column::Id.is_in(batch.iter().map(|c| c.id)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
}
