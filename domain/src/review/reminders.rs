//! Deadline e-mails of launched rounds, at 09:00 in the recipient's timezone:
//!
//! - each reviewer with reviews still PENDING hears 7, 3 and 1 days before the due date and
//!   on the day: one e-mail per reviewer per day, however many reviews are due;
//! - a round's `escalateManagerAfterDays` after the due date, each manager hears which of
//!   their direct reports still owe reviews (one e-mail per manager);
//! - `escalateHrAfterDays` after it, each HR admin hears how many people still owe how many.
//!
//! A mark per round, recipient and stage is written with the e-mail, so a second scan sends
//! nothing and a late one (the same day) catches up. A stage whose whole day was missed is not
//! sent later: the next stage comes instead.

use super::access::anonymous;
use crate::Ctx;
use crate::calendar;
use crate::check_ins::DEFAULT_REMINDER_TIME;
use crate::error::DomainResult;
use crate::events::{DomainEvent, OverdueReviewer};
use crate::publish;
use crate::values::{ReviewKind, ReviewStatus, Role, RoundStatus};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{employee, review, review_notice, review_round};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Days before the due date a reviewer hears.
pub const REVIEWER_STAGES: [i32; 4] = [7, 3, 1, 0];
/// The stage mark of the managers' escalation.
pub const MANAGER_STAGE: i32 = -100;
/// The stage mark of HR's escalation.
pub const HR_STAGE: i32 = -200;
/// Reviewers per transaction.
const BATCH: u64 = 500;
/// Names an HR escalation lists; the rest are counted.
const HR_NAMES: usize = 20;

/// Whether 09:00 on `day` has come at `now` for someone in `tz`.
fn due(tz: chrono_tz::Tz, day: NaiveDate, now: DateTime<Utc>) -> bool {
    calendar::reminder_at(tz, day, day, DEFAULT_REMINDER_TIME) <= now
        // The day has not ended there yet: a missed day is not sent late.
        && now < calendar::local_midnight(tz, day + Duration::days(1))
}

/// Whether `day` is today somewhere on earth at `now`.
fn today_somewhere(day: NaiveDate, now: DateTime<Utc>) -> bool {
    (day - now.date_naive()).num_days().abs() <= 1
}

/// Queues the deadline e-mails whose time has come; returns how many were queued.
pub async fn queue_reminders(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<u64> {
    let today = now.date_naive();
    let rounds = review_round::Entity::find()
        .filter(review_round::Column::Status.eq(RoundStatus::Launched))
        .filter(review_round::Column::DueOn.lte(today + Duration::days(8)))
        .filter(review_round::Column::ClosesOn.gte(today - Duration::days(1)))
        .all(&ctx.db)
        .await?;
    let mut queued = 0;
    for round in &rounds {
        for stage in REVIEWER_STAGES {
            let day = round.due_on - Duration::days(i64::from(stage));
            if today_somewhere(day, now) {
                queued += remind_reviewers(ctx, round, stage, day, now).await?;
            }
        }
        let day = round.due_on + Duration::days(i64::from(round.escalate_manager_after_days));
        if today_somewhere(day, now) {
            queued += escalate(ctx, round, false, day, now).await?;
        }
        let day = round.due_on + Duration::days(i64::from(round.escalate_hr_after_days));
        if today_somewhere(day, now) {
            queued += escalate(ctx, round, true, day, now).await?;
        }
    }
    Ok(queued)
}

async fn mark(
    db: &impl ConnectionTrait,
    round: Uuid,
    recipients: &[Uuid],
    stage: i32,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if recipients.is_empty() {
        return Ok(());
    }
    let rows = recipients.iter().map(|r| review_notice::ActiveModel {
        round_id: Set(round),
        recipient_id: Set(*r),
        stage: Set(stage),
        queued_at: Set(now),
    });
    // A scan overlapping another may mark the same; the e-mail's dedupe key keeps it single.
    review_notice::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                review_notice::Column::RoundId,
                review_notice::Column::RecipientId,
                review_notice::Column::Stage,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Pending reviews in `round` by reviewer not yet marked for `stage` (only reviewers after
/// `after`, up to `limit`).
async fn pending_by_reviewer(
    db: &impl ConnectionTrait,
    round: Uuid,
    stage: i32,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Vec<(Uuid, i64)>> {
    let marked = Query::select()
        .column(review_notice::Column::RecipientId)
        .from(review_notice::Entity)
        .and_where(review_notice::Column::RoundId.eq(round))
        .and_where(review_notice::Column::Stage.eq(stage))
        .to_owned();
    let mut query = review::Entity::find()
        .select_only()
        .column(review::Column::ReviewerId)
        .column_as(review::Column::Id.count(), "n")
        .filter(review::Column::RoundId.eq(round))
        .filter(review::Column::Status.eq(ReviewStatus::Pending))
        .filter(review::Column::ReviewerId.not_in_subquery(marked))
        .group_by(review::Column::ReviewerId)
        .order_by_asc(review::Column::ReviewerId)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(review::Column::ReviewerId.gt(after));
    }
    Ok(query.into_tuple().all(db).await?)
}

async fn remind_reviewers(
    ctx: &Ctx,
    round: &review_round::Model,
    stage: i32,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    let mut queued = 0;
    let mut after = None;
    loop {
        let batch = pending_by_reviewer(&ctx.db, round.id, stage, after, BATCH).await?;
        let Some(&(last, _)) = batch.last() else {
            return Ok(queued);
        };
        after = Some(last);
        let ids: Vec<Uuid> = batch.iter().map(|(r, _)| *r).collect();
        let people = crate::employees::by_ids(&ctx.db, &ids).await?;
        let mut marked = Vec::new();
        let mut events = Vec::new();
        for (reviewer, pending) in batch {
            let Some(person) = people.get(&reviewer).filter(|p| p.active) else {
                continue;
            };
            if !due(calendar::zone(person), day, now) {
                continue;
            }
            marked.push(reviewer);
            events.push(DomainEvent::ReviewsDue {
                round_id: round.id,
                reviewer_id: reviewer,
                due_on: round.due_on,
                pending,
                stage,
                day,
            });
        }
        let txn = crate::db::begin(&ctx.db).await?;
        mark(&txn, round.id, &marked, stage, now).await?;
        queued += publish::emit(&txn, now, None, events).await?;
        txn.commit().await?;
    }
}

/// Tells each manager (or each HR admin) who still owes reviews in `round`.
async fn escalate(
    ctx: &Ctx,
    round: &review_round::Model,
    to_hr: bool,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    let stage = if to_hr { HR_STAGE } else { MANAGER_STAGE };
    // Everyone who owes, whatever was sent before: an escalation lists them all.
    let pending: Vec<(Uuid, Uuid, ReviewKind)> = review::Entity::find()
        .select_only()
        .column(review::Column::ReviewerId)
        .column(review::Column::RevieweeId)
        .column(review::Column::Kind)
        .filter(review::Column::RoundId.eq(round.id))
        .filter(review::Column::Status.eq(ReviewStatus::Pending))
        .into_tuple()
        .all(&ctx.db)
        .await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let mut reviewers: Vec<Uuid> = pending.iter().map(|(r, ..)| *r).collect();
    reviewers.sort_unstable();
    reviewers.dedup();
    let people = crate::employees::by_ids(&ctx.db, &reviewers).await?;
    // Recipient → reviewer → reviews owed. An anonymous review about the recipient is never
    // counted: it would tell them who has not written about them yet.
    let mut counts: BTreeMap<Uuid, BTreeMap<Uuid, i64>> = BTreeMap::new();
    let mut count = |recipient: Uuid, (reviewer, reviewee, kind): &(Uuid, Uuid, ReviewKind)| {
        if !(anonymous(*kind) && *reviewee == recipient) {
            *counts
                .entry(recipient)
                .or_default()
                .entry(*reviewer)
                .or_default() += 1;
        }
    };
    if to_hr {
        let admins: Vec<Uuid> = employee::Entity::find()
            .select_only()
            .column(employee::Column::Id)
            .filter(employee::Column::Role.eq(Role::HrAdmin))
            .filter(employee::Column::Active.eq(true))
            .into_tuple()
            .all(&ctx.db)
            .await?;
        for admin in admins {
            pending.iter().for_each(|p| count(admin, p));
        }
    } else {
        for p in &pending {
            if let Some(manager) = people.get(&p.0).and_then(|e| e.manager_id) {
                count(manager, p);
            }
        }
    }
    let lists: BTreeMap<Uuid, Vec<OverdueReviewer>> = counts
        .into_iter()
        .map(|(recipient, owed)| {
            let list = owed
                .into_iter()
                .map(|(reviewer_id, pending)| OverdueReviewer {
                    reviewer_id,
                    pending,
                })
                .collect();
            (recipient, list)
        })
        .collect();
    let recipients: Vec<Uuid> = lists.keys().copied().collect();
    let already: Vec<Uuid> = review_notice::Entity::find()
        .select_only()
        .column(review_notice::Column::RecipientId)
        .filter(review_notice::Column::RoundId.eq(round.id))
        .filter(review_notice::Column::Stage.eq(stage))
        .filter(review_notice::Column::RecipientId.is_in(recipients.clone()))
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let recipients_rows = crate::employees::by_ids(&ctx.db, &recipients).await?;
    let mut queued = 0;
    let mut marked = Vec::new();
    let mut events = Vec::new();
    for (recipient, mut list) in lists {
        if already.contains(&recipient) {
            continue;
        }
        let Some(person) = recipients_rows.get(&recipient).filter(|p| p.active) else {
            continue;
        };
        if !due(calendar::zone(person), day, now) {
            continue;
        }
        let people_owing = list.len() as i64;
        let reviews: i64 = list.iter().map(|r| r.pending).sum();
        list.sort_by_key(|r| std::cmp::Reverse(r.pending));
        if to_hr {
            list.truncate(HR_NAMES);
        }
        marked.push(recipient);
        events.push(DomainEvent::ReviewsOverdue {
            round_id: round.id,
            recipient_id: recipient,
            to_hr,
            due_on: round.due_on,
            people: people_owing,
            reviews,
            reviewers: list,
        });
    }
    for (chunk_marks, chunk_events) in marked.chunks(200).zip(events.chunks(200)) {
        let txn = crate::db::begin(&ctx.db).await?;
        mark(&txn, round.id, chunk_marks, stage, now).await?;
        queued += publish::emit(&txn, now, None, chunk_events.to_vec()).await?;
        txn.commit().await?;
    }
    Ok(queued)
}
