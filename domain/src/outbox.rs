//! The e-mail outbox. Every e-mail is a row first, under a unique dedupe key (e.g.
//! `checkin-reminder:{employee}:{period}`), written in the same transaction as the change it
//! reports. Senders claim a row with a lease, send it, and record the outcome, so a retry, a
//! re-scan or a second worker never sends the same key twice; only a sender that dies between
//! the SMTP server's acceptance and the record can cause a repeat, after its lease expires.
//!
//! Senders work in batches: one conditional statement claims a batch, a live sender renews
//! its lease while it works (so a slow send is never taken over), and outcomes are recorded
//! a group at a time. A dead sender stops renewing, so its rows are claimable again one lease
//! later, and the next dispatch hands them to the queue again at once.

use crate::error::DomainResult;
use crate::mail::Mail;
use crate::values::OutboxStatus;
use chrono::{DateTime, Duration, Utc};
use entity::email_outbox;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TryInsertResult,
};
use uuid::Uuid;

/// How long a sender holds a claimed row by default; a live sender renews it every third of
/// it, so this bounds how long a dead sender's rows wait.
pub const LEASE: Duration = Duration::seconds(45);
/// How long after queueing a send job for a still unclaimed row the dispatcher leaves it
/// alone (the job is in the queue). A row whose sender's lease ran out is queued again at once.
pub const REDISPATCH_AFTER: Duration = Duration::minutes(30);
/// Attempts before a row is given up as FAILED.
pub const MAX_ATTEMPTS: i32 = 8;

/// An e-mail to send.
#[derive(Debug, Clone)]
pub struct Email {
    /// Unique per logical e-mail.
    pub dedupe_key: String,
    /// Recipient address.
    pub to_email: String,
    /// Recipient name.
    pub to_name: String,
    /// Template and data.
    pub mail: Mail,
}

/// Adds `email` unless its key is already there; returns whether it was new.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    email: Email,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    Ok(enqueue_many(db, vec![email], now).await? > 0)
}

/// Rows per insert: 13 values each, well under SQLite's bind-parameter limit.
const ENQUEUE_CHUNK: usize = 500;

/// Adds each of `emails` whose key is not already there, a few hundred per statement;
/// returns how many were new.
pub async fn enqueue_many(
    db: &impl ConnectionTrait,
    emails: Vec<Email>,
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    let mut added = 0;
    let mut rows = emails.into_iter().map(|email| email_outbox::ActiveModel {
        id: Set(Uuid::new_v4()),
        dedupe_key: Set(email.dedupe_key),
        recipient_email: Set(email.to_email),
        recipient_name: Set(email.to_name),
        template: Set(email.mail.template().to_owned()),
        data: Set(email.mail.data()),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        last_error: Set(String::new()),
        locked_until: Set(None),
        dispatched_at: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    });
    loop {
        let chunk: Vec<_> = rows.by_ref().take(ENQUEUE_CHUNK).collect();
        if chunk.is_empty() {
            return Ok(added);
        }
        let result = email_outbox::Entity::insert_many(chunk)
            .on_conflict_do_nothing_on([email_outbox::Column::DedupeKey])
            .exec_without_returning(db)
            .await?;
        if let TryInsertResult::Inserted(n) = result {
            added += n;
        }
    }
}

/// Rows waiting to be sent (or whose sender's lease ran out), oldest first.
pub async fn sendable(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> DomainResult<Vec<Uuid>> {
    Ok(email_outbox::Entity::find()
        .select_only()
        .column(email_outbox::Column::Id)
        .filter(claimable(now))
        .order_by_asc(email_outbox::Column::CreatedAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(email_outbox::Column::Status.eq(OutboxStatus::Pending))
                .add(
                    Condition::any()
                        .add(email_outbox::Column::LockedUntil.is_null())
                        .add(email_outbox::Column::LockedUntil.lte(now)),
                ),
        )
        .add(
            Condition::all()
                .add(email_outbox::Column::Status.eq(OutboxStatus::Sending))
                .add(email_outbox::Column::LockedUntil.lte(now)),
        )
}

/// Takes the row for one sender: a conditional update, so of two senders racing for it
/// exactly one wins. Returns the row if this caller won.
pub async fn claim(
    db: &sea_orm::DatabaseConnection,
    id: Uuid,
    now: DateTime<Utc>,
    lease: Duration,
) -> DomainResult<Option<email_outbox::Model>> {
    Ok(claim_batch(db, &[id], now, lease).await?.pop())
}

/// Takes those of `ids` that are claimable for one sender, in one transaction: the rows are
/// read under a lock (PostgreSQL skips rows another claimer holds; SQLite's write
/// transaction serialises claimers) and updated by one conditional statement, so of senders
/// racing for a row exactly one gets it. Returns the rows this caller won, as now stored.
pub async fn claim_batch(
    db: &sea_orm::DatabaseConnection,
    ids: &[Uuid],
    now: DateTime<Utc>,
    lease: Duration,
) -> DomainResult<Vec<email_outbox::Model>> {
    use sea_orm::sea_query::{LockBehavior, LockType};
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let txn = crate::db::begin(db).await?;
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::query::IN_CHUNK) {
        let found = email_outbox::Entity::find()
            .filter(email_outbox::Column::Id.is_in(chunk.iter().copied()))
            .filter(claimable(now))
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        if found.is_empty() {
            continue;
        }
        email_outbox::Entity::update_many()
            .col_expr(
                email_outbox::Column::Status,
                Expr::value(OutboxStatus::Sending),
            )
            .col_expr(email_outbox::Column::LockedUntil, Expr::value(now + lease))
            .col_expr(
                email_outbox::Column::Attempts,
                Expr::col(email_outbox::Column::Attempts).add(1),
            )
            .filter(email_outbox::Column::Id.is_in(found.iter().map(|r| r.id)))
            .filter(claimable(now))
            .exec(&txn)
            .await?;
        rows.extend(found.into_iter().map(|mut r| {
            r.status = OutboxStatus::Sending;
            r.locked_until = Some(now + lease);
            r.attempts += 1;
            r
        }));
    }
    txn.commit().await?;
    Ok(rows)
}

/// `rows` grouped by their attempt number: a claim is identified by (id, attempts), so each
/// group is one conditional statement that touches only claims that are still current.
fn by_attempt<'a>(
    rows: impl IntoIterator<Item = &'a email_outbox::Model>,
) -> std::collections::BTreeMap<i32, Vec<Uuid>> {
    let mut groups = std::collections::BTreeMap::<i32, Vec<Uuid>>::new();
    for r in rows {
        groups.entry(r.attempts).or_default().push(r.id);
    }
    groups
}

/// Extends this sender's lease on `rows` (its heartbeat while it works on them). Claims that
/// another sender has taken over since are left alone. Returns how many rows were renewed.
pub async fn renew<'a>(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = &'a email_outbox::Model>,
    now: DateTime<Utc>,
    lease: Duration,
) -> DomainResult<u64> {
    let mut renewed = 0;
    for (attempts, ids) in by_attempt(rows) {
        for chunk in ids.chunks(crate::query::IN_CHUNK) {
            renewed += email_outbox::Entity::update_many()
                .col_expr(email_outbox::Column::LockedUntil, Expr::value(now + lease))
                .filter(email_outbox::Column::Id.is_in(chunk.iter().copied()))
                .filter(email_outbox::Column::Status.eq(OutboxStatus::Sending))
                .filter(email_outbox::Column::Attempts.eq(attempts))
                .exec(db)
                .await?
                .rows_affected;
        }
    }
    Ok(renewed)
}

/// Records successful sends of `rows`, a statement per attempt number; as with
/// [`mark_sent`], only claims that are still current are recorded.
pub async fn mark_sent_many<'a>(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = &'a email_outbox::Model>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let rows: Vec<&email_outbox::Model> = rows.into_iter().collect();
    for (attempts, ids) in by_attempt(rows.iter().copied()) {
        for chunk in ids.chunks(crate::query::IN_CHUNK) {
            email_outbox::Entity::update_many()
                .col_expr(
                    email_outbox::Column::Status,
                    Expr::value(OutboxStatus::Sent),
                )
                .col_expr(email_outbox::Column::SentAt, Expr::value(now))
                .col_expr(
                    email_outbox::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(email_outbox::Column::Id.is_in(chunk.iter().copied()))
                .filter(email_outbox::Column::Status.eq(OutboxStatus::Sending))
                .filter(email_outbox::Column::Attempts.eq(attempts))
                .exec(db)
                .await?;
        }
    }
    // What a sent letter communicates is communicated.
    crate::reward::approve::mark_communicated(db, &rows, now).await
}

/// Records a successful send.
/// Only the claim that is still current is recorded: a sender whose lease ran out and whose
/// row another sender took over (a later attempt) changes nothing.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    row: &email_outbox::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    mark_sent_many(db, [row], now).await
}

/// Records a failed attempt: back to PENDING after an exponential backoff, or FAILED for
/// good when the error is permanent or the attempts are used up. Returns the new status.
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    row: &email_outbox::Model,
    error: &str,
    permanent: bool,
    now: DateTime<Utc>,
) -> DomainResult<OutboxStatus> {
    let give_up = permanent || row.attempts >= MAX_ATTEMPTS;
    let status = if give_up {
        OutboxStatus::Failed
    } else {
        OutboxStatus::Pending
    };
    let backoff = Duration::seconds(15 * 2_i64.pow(row.attempts.clamp(0, 10) as u32));
    email_outbox::Entity::update_many()
        .col_expr(email_outbox::Column::Status, Expr::value(status))
        .col_expr(
            email_outbox::Column::LastError,
            Expr::value(error.chars().take(2000).collect::<String>()),
        )
        .col_expr(
            email_outbox::Column::LockedUntil,
            Expr::value(if give_up { None } else { Some(now + backoff) }),
        )
        .col_expr(
            email_outbox::Column::DispatchedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(email_outbox::Column::Id.eq(row.id))
        .filter(email_outbox::Column::Status.eq(OutboxStatus::Sending))
        .filter(email_outbox::Column::Attempts.eq(row.attempts))
        .exec(db)
        .await?;
    Ok(status)
}

/// Rows that need a send job: sendable now, and either not handed to the queue in the last
/// [`REDISPATCH_AFTER`] or claimed by a sender whose lease ran out since they were last
/// handed over (a dead sender's rows go back at once, once). They are marked as dispatched
/// in the same transaction.
pub async fn take_for_dispatch(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
) -> DomainResult<Vec<Uuid>> {
    let txn = crate::db::begin(db).await?;
    let ids: Vec<Uuid> = email_outbox::Entity::find()
        .select_only()
        .column(email_outbox::Column::Id)
        .filter(claimable(now))
        .filter(
            Condition::any()
                .add(email_outbox::Column::DispatchedAt.is_null())
                .add(email_outbox::Column::DispatchedAt.lte(now - REDISPATCH_AFTER))
                .add(
                    Condition::all()
                        .add(email_outbox::Column::Status.eq(OutboxStatus::Sending))
                        .add(
                            Expr::col(email_outbox::Column::DispatchedAt)
                                .lt(Expr::col(email_outbox::Column::LockedUntil)),
                        ),
                ),
        )
        .order_by_asc(email_outbox::Column::CreatedAt)
        .limit(limit)
        .into_tuple()
        .all(&txn)
        .await?;
    for chunk in ids.chunks(crate::query::IN_CHUNK) {
        email_outbox::Entity::update_many()
            .col_expr(email_outbox::Column::DispatchedAt, Expr::value(now))
            .filter(email_outbox::Column::Id.is_in(chunk.iter().copied()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(ids)
}

/// Undoes [`take_for_dispatch`] for rows whose send job could not be queued: they are
/// taken again by the next dispatch round. Rows dispatched again since (`at` changed) stay.
pub async fn undo_dispatch(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> DomainResult<()> {
    for chunk in ids.chunks(crate::query::IN_CHUNK) {
        email_outbox::Entity::update_many()
            .col_expr(
                email_outbox::Column::DispatchedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(email_outbox::Column::Id.is_in(chunk.iter().copied()))
            .filter(email_outbox::Column::DispatchedAt.eq(at))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Failures are listed newest first.
const FAILURE_ORDER: crate::query::Keyset<email_outbox::Entity> = crate::query::Keyset {
    key: email_outbox::Column::CreatedAt,
    id: email_outbox::Column::Id,
    descending: true,
    position: |m| crate::page::Position {
        key: crate::page::SortKey::Time(m.created_at),
        id: m.id,
    },
};

/// Rows that failed for good or are waiting to retry, newest first, for HR.
pub async fn failures(
    db: &impl ConnectionTrait,
    viewer: &crate::Viewer,
    page: &crate::page::PageRequest,
) -> DomainResult<crate::page::Page<email_outbox::Model>> {
    crate::permissions::require_hr(viewer, "see delivery failures")?;
    let query = email_outbox::Entity::find().filter(
        Condition::any()
            .add(email_outbox::Column::Status.eq(OutboxStatus::Failed))
            .add(
                Condition::all()
                    .add(email_outbox::Column::Status.ne(OutboxStatus::Sent))
                    .add(email_outbox::Column::LastError.ne("")),
            ),
    );
    let sample = crate::page::SortKey::Time(DateTime::<Utc>::MIN_UTC);
    crate::query::keyset_page(db, query, &FAILURE_ORDER, &sample, page).await
}

/// Claims a scheduled tick for `run_by`; false when another worker already ran it.
pub async fn claim_tick(
    db: &impl ConnectionTrait,
    name: &str,
    at: DateTime<Utc>,
    run_by: &str,
) -> DomainResult<bool> {
    let result = entity::scheduler_tick::Entity::insert(entity::scheduler_tick::ActiveModel {
        name: Set(name.to_owned()),
        at: Set(at),
        run_by: Set(run_by.to_owned()),
    })
    .on_conflict_do_nothing_on([
        entity::scheduler_tick::Column::Name,
        entity::scheduler_tick::Column::At,
    ])
    .exec_without_returning(db)
    .await?;
    Ok(matches!(result, TryInsertResult::Inserted(n) if n > 0))
}

/// Forgets tick claims older than a week.
pub async fn prune_ticks(db: &impl ConnectionTrait, now: DateTime<Utc>) -> DomainResult<u64> {
    Ok(entity::scheduler_tick::Entity::delete_many()
        .filter(entity::scheduler_tick::Column::At.lt(now - Duration::days(7)))
        .exec(db)
        .await?
        .rows_affected)
}
