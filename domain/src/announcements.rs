//! E-mail to everyone in a cycle when it enters a phase (PLANNING when it is created, then each
//! move; with PLANNING each person's planning conversation is created in the same batch). The
//! move itself only
//! records an announcement (in its transaction); the scheduled scans then queue the e-mails a
//! batch of people at a time, each batch in a transaction of its own that also moves the
//! announcement's cursor, so a crash resumes where it stopped and the dedupe keys
//! (`cycle-phase:{cycle}:{phase}:{employee}`) make a repeated batch send nothing twice.

use crate::Ctx;
use crate::error::DomainResult;
use crate::mail::{CyclePhaseMail, Mail};
use crate::outbox::{self, Email};
use crate::values::CyclePhase;
use chrono::{DateTime, Utc};
use entity::{cycle, cycle_announcement, employee};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// People whose e-mails one transaction queues.
pub const BATCH: u64 = 1000;

/// Records that the move of `cycle_id` to `phase` is to be announced (once per move).
pub(crate) async fn start(
    db: &impl ConnectionTrait,
    cycle_id: Uuid,
    phase: CyclePhase,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    cycle_announcement::Entity::insert(cycle_announcement::ActiveModel {
        id: Set(Uuid::now_v7()),
        cycle_id: Set(cycle_id),
        phase: Set(phase),
        after_employee: Set(None),
        queued: Set(0),
        created_at: Set(now),
        done_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([
            cycle_announcement::Column::CycleId,
            cycle_announcement::Column::Phase,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Queues the e-mails of every pending announcement, a batch at a time; returns how many
/// were queued. Safe to run from several workers at once: a batch whose cursor another
/// worker moved first is dropped.
pub async fn run(ctx: &Ctx) -> DomainResult<u64> {
    let mut queued = 0;
    loop {
        let Some(pending) = cycle_announcement::Entity::find()
            .filter(cycle_announcement::Column::DoneAt.is_null())
            .order_by_asc(cycle_announcement::Column::CreatedAt)
            .one(&ctx.db)
            .await?
        else {
            return Ok(queued);
        };
        queued += batch(ctx, &pending).await?;
    }
}

/// Queues the next batch of `announcement`'s e-mails.
async fn batch(ctx: &Ctx, announcement: &cycle_announcement::Model) -> DomainResult<u64> {
    let txn = crate::db::begin(&ctx.db).await?;
    let now = ctx.clock.now();
    let cycle = crate::cycles::find(&txn, announcement.cycle_id).await?;
    if cycle.phase != announcement.phase && announcement.after_employee.is_none() {
        // The cycle moved on before anyone heard of this phase: say nothing of it.
        // Only while nobody has been told: a worker holding an old copy must not end an
        // announcement another one has started.
        cycle_announcement::Entity::update_many()
            .col_expr(cycle_announcement::Column::DoneAt, Expr::value(now))
            .filter(cycle_announcement::Column::Id.eq(announcement.id))
            .filter(cycle_announcement::Column::DoneAt.is_null())
            .filter(cycle_announcement::Column::AfterEmployee.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        return Ok(0);
    }
    let mut people = employee::Entity::find()
        .filter(employee::Column::Active.eq(true))
        .order_by_asc(employee::Column::Id)
        .limit(BATCH);
    if let Some(after) = announcement.after_employee {
        people = people.filter(employee::Column::Id.gt(after));
    }
    let people = people.all(&txn).await?;
    if announcement.phase == CyclePhase::Planning {
        crate::planning::create_for(&txn, &cycle, &people, now).await?;
    }
    let last = people.last().map(|p| p.id);
    let done = (people.len() as u64) < BATCH;
    let emails: Vec<Email> = people
        .into_iter()
        .map(|p| Email {
            dedupe_key: format!("cycle-phase:{}:{}:{}", cycle.id, announcement.phase, p.id),
            to_email: p.email,
            to_name: p.name.clone(),
            mail: Mail::CyclePhaseMoved(mail_for(&cycle, announcement.phase, p.name)),
        })
        .collect();
    let added = outbox::enqueue_many(&txn, emails, now).await?;
    // Conditional on the cursor read: of two workers on the same batch, one moves it.
    let mut update = cycle_announcement::Entity::update_many()
        .col_expr(
            cycle_announcement::Column::AfterEmployee,
            Expr::value(last.or(announcement.after_employee)),
        )
        .col_expr(
            cycle_announcement::Column::Queued,
            Expr::value(announcement.queued + i64::try_from(added).unwrap_or(i64::MAX)),
        )
        .col_expr(
            cycle_announcement::Column::DoneAt,
            Expr::value(done.then_some(now)),
        )
        .filter(cycle_announcement::Column::Id.eq(announcement.id))
        .filter(cycle_announcement::Column::DoneAt.is_null());
    update = match announcement.after_employee {
        Some(after) => update.filter(cycle_announcement::Column::AfterEmployee.eq(after)),
        None => update.filter(cycle_announcement::Column::AfterEmployee.is_null()),
    };
    if update.exec(&txn).await?.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(0);
    }
    txn.commit().await?;
    Ok(added)
}

fn mail_for(cycle: &cycle::Model, phase: CyclePhase, name: String) -> CyclePhaseMail {
    CyclePhaseMail {
        name,
        cycle_id: cycle.id,
        cycle_name: cycle.name.clone(),
        phase,
        review_opens_on: cycle.review_opens_on,
        review_due_on: cycle.review_due_on,
    }
}
