//! The check-in schedule: opening each period's check-in in every employee's calendar, and
//! marking overdue ones MISSED (which tells their manager). Both scans are safe to run late
//! and twice.

use crate::Ctx;
use crate::calendar;
use crate::error::DomainResult;
use crate::events::{CheckInFacts, DomainEvent};
use crate::publish;
use crate::query::{IN_CHUNK, rows_in};
use crate::values::{Cadence, CheckInStatus, CyclePhase};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use entity::{cadence_override, check_in, cycle, employee};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TryInsertResult,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Days after a period ends during which its check-in may still be submitted.
pub const GRACE_DAYS: i64 = 2;

/// When reminders go out by default, in each employee's local time.
pub const DEFAULT_REMINDER_TIME: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// When a check-in for a period ending on `period_end` becomes MISSED.
pub fn closes_at(tz: Tz, period_end: NaiveDate) -> DateTime<Utc> {
    calendar::local_midnight(tz, period_end + Duration::days(1 + GRACE_DAYS))
}

/// Each employee's cadence override in a cycle.
async fn overrides(
    db: &impl ConnectionTrait,
    cycle_id: Uuid,
) -> DomainResult<HashMap<Uuid, Cadence>> {
    let mut map = HashMap::new();
    for o in cadence_override::Entity::find()
        .filter(cadence_override::Column::CycleId.eq(cycle_id))
        .all(db)
        .await?
    {
        map.insert(o.employee_id, o.cadence);
    }
    Ok(map)
}

/// Opens the current period's check-in for every active employee of every ACTIVE cycle,
/// each in their own timezone. Safe to run any number of times and late: an existing
/// check-in is left alone, and a period is opened whenever the scan first runs inside it.
/// Returns how many were opened.
pub async fn open_due(
    ctx: &Ctx,
    now: DateTime<Utc>,
    reminder_time: NaiveTime,
) -> DomainResult<u64> {
    let mut opened = 0;
    let active = cycle::Entity::find()
        .filter(cycle::Column::Phase.eq(CyclePhase::Active))
        .all(&ctx.db)
        .await?;
    for cycle in active {
        let before = opened;
        let overrides = overrides(&ctx.db, cycle.id).await?;
        let default = cycle.check_in_cadence;
        let mut pages = employee::Entity::find()
            .filter(employee::Column::Active.eq(true))
            .order_by_asc(employee::Column::Id)
            .paginate(&ctx.db, IN_CHUNK as u64);
        while let Some(people) = pages.fetch_and_next().await? {
            // The last period each already has in this cycle: a new one starts after it, so a
            // cadence changed mid-period takes effect from the next period, without overlap.
            let latest: HashMap<Uuid, NaiveDate> = check_in::Entity::find()
                .select_only()
                .column(check_in::Column::EmployeeId)
                .column_as(check_in::Column::PeriodEnd.max(), "latest")
                .filter(check_in::Column::CycleId.eq(cycle.id))
                .filter(check_in::Column::EmployeeId.is_in(people.iter().map(|e| e.id)))
                .group_by(check_in::Column::EmployeeId)
                .into_tuple::<(Uuid, NaiveDate)>()
                .all(&ctx.db)
                .await?
                .into_iter()
                .collect();
            let rows: Vec<check_in::ActiveModel> = people
                .iter()
                .filter_map(|e| {
                    let tz = calendar::zone(e);
                    let today = now.with_timezone(&tz).date_naive();
                    if today < cycle.starts_on || today > cycle.ends_on {
                        return None;
                    }
                    if latest.get(&e.id).is_some_and(|end| *end >= today) {
                        return None;
                    }
                    let cadence = overrides.get(&e.id).copied().unwrap_or(default);
                    let (start, end) = calendar::period_containing(cadence, today, cycle.starts_on);
                    // Periods stay inside the cycle and after the previous one.
                    let start = [
                        Some(start),
                        Some(cycle.starts_on),
                        latest.get(&e.id).map(|d| *d + Duration::days(1)),
                    ]
                    .into_iter()
                    .flatten()
                    .max()
                    .unwrap_or(start);
                    let end = end.min(cycle.ends_on);
                    // Someone who joins after the period's last working day starts with the next.
                    if e.hired_on > calendar::last_working_day(start, end) {
                        return None;
                    }
                    Some(check_in::ActiveModel {
                        id: Set(Uuid::new_v4()),
                        employee_id: Set(e.id),
                        cycle_id: Set(cycle.id),
                        cadence: Set(cadence),
                        period_start: Set(start),
                        period_end: Set(end),
                        closes_at: Set(closes_at(tz, end)),
                        reminder_at: Set(calendar::reminder_at(tz, start, end, reminder_time)),
                        reminded_at: Set(None),
                        status: Set(CheckInStatus::Due),
                        confidence: Set(None),
                        wins: Set(String::new()),
                        blockers: Set(String::new()),
                        next_steps: Set(String::new()),
                        submitted_at: Set(None),
                        manager_reply: Set(String::new()),
                        acknowledged_by: Set(None),
                        acknowledged_at: Set(None),
                        created_at: Set(now),
                        updated_at: Set(now),
                    })
                })
                .collect();
            for chunk in rows.chunks(IN_CHUNK / 2) {
                let result = check_in::Entity::insert_many(chunk.to_vec())
                    .on_conflict_do_nothing_on([
                        check_in::Column::EmployeeId,
                        check_in::Column::CycleId,
                        check_in::Column::PeriodStart,
                    ])
                    .exec_without_returning(&ctx.db)
                    .await?;
                if let TryInsertResult::Inserted(n) = result {
                    opened += n;
                }
            }
        }
        if opened > before {
            let event = crate::events::DomainEvent::CheckInsOpened {
                cycle_id: cycle.id,
                opened: opened - before,
            };
            crate::publish::emit(&ctx.db, now, None, vec![event]).await?;
        }
    }
    Ok(opened)
}

/// Marks every DUE check-in of an ACTIVE cycle whose grace period ended by `now` as MISSED,
/// a batch per transaction, each with its `CHECK_IN_MISSED` event (the manager's e-mail).
/// Returns them; a second run finds nothing left to mark.
pub async fn mark_missed(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<Vec<check_in::Model>> {
    let mut all = Vec::new();
    loop {
        let txn = crate::db::begin(&ctx.db).await?;
        let batch = mark_missed_in(&txn, now, IN_CHUNK as u64).await?;
        let mut events: Vec<DomainEvent> = batch
            .iter()
            .map(|c| DomainEvent::CheckInMissed {
                check_in: CheckInFacts::of(c),
            })
            .collect();
        events.extend(missed_in_a_row(&txn, &batch).await?);
        publish::emit(&txn, now, None, events).await?;
        txn.commit().await?;
        if batch.is_empty() {
            return Ok(all);
        }
        all.extend(batch);
    }
}

/// For each check-in just marked missed that ends a run of two or more missed periods in a
/// row (in its cycle), the run's event. The run is keyed by its first period, so a third or
/// fourth miss of the same run tells the manager nothing new (the outbox dedupes it).
async fn missed_in_a_row(
    txn: &DatabaseTransaction,
    missed: &[check_in::Model],
) -> DomainResult<Vec<DomainEvent>> {
    let people: Vec<Uuid> = missed.iter().map(|c| c.employee_id).collect();
    let query = check_in::Entity::find()
        .order_by_asc(check_in::Column::PeriodStart)
        .order_by_asc(check_in::Column::Id);
    let mut history: HashMap<(Uuid, Uuid), Vec<check_in::Model>> = HashMap::new();
    for c in rows_in(txn, query, check_in::Column::EmployeeId, &people).await? {
        history
            .entry((c.employee_id, c.cycle_id))
            .or_default()
            .push(c);
    }
    let mut events = Vec::new();
    for c in missed {
        let Some(theirs) = history.get(&(c.employee_id, c.cycle_id)) else {
            continue;
        };
        // Walk back from this period over the misses before it.
        let run: Vec<&check_in::Model> = theirs
            .iter()
            .filter(|p| p.period_start <= c.period_start)
            .rev()
            .take_while(|p| p.status == CheckInStatus::Missed)
            .collect();
        if let Some(first) = run.last().filter(|_| run.len() >= 2) {
            events.push(DomainEvent::CheckInsMissedInARow {
                employee_id: c.employee_id,
                cycle_id: c.cycle_id,
                first_period_start: first.period_start,
                missed: run.len() as u32,
            });
        }
    }
    Ok(events)
}

/// At most `limit` overdue rows, locked first (PostgreSQL), so that a submission racing the
/// scan either lands before it (and is not marked) or finds the check-in MISSED.
async fn mark_missed_in(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    limit: u64,
) -> DomainResult<Vec<check_in::Model>> {
    let overdue = check_in::Entity::find()
        .filter(check_in::Column::Status.eq(CheckInStatus::Due))
        .filter(check_in::Column::ClosesAt.lte(now))
        .filter(check_in::Column::CycleId.in_subquery(crate::cycles::active_ids()))
        .order_by_asc(check_in::Column::ClosesAt)
        .limit(limit)
        .lock_exclusive()
        .all(txn)
        .await?;
    for chunk in overdue.chunks(IN_CHUNK) {
        check_in::Entity::update_many()
            .col_expr(check_in::Column::Status, Expr::value(CheckInStatus::Missed))
            .col_expr(check_in::Column::UpdatedAt, Expr::value(now))
            .filter(check_in::Column::Id.is_in(chunk.iter().map(|c| c.id)))
            .filter(check_in::Column::Status.eq(CheckInStatus::Due))
            .exec(txn)
            .await?;
    }
    Ok(overdue
        .into_iter()
        .map(|c| check_in::Model {
            status: CheckInStatus::Missed,
            updated_at: now,
            ..c
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_grace_period_ends_at_local_midnight() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap_or(chrono_tz::UTC);
        // A week ending Sunday 7 March closes at Wednesday 10 March 00:00 in Berlin (23:00 UTC).
        assert_eq!(
            closes_at(berlin, d("2027-03-07")).to_rfc3339(),
            "2027-03-09T23:00:00+00:00"
        );
    }
}
