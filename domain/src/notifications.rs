//! What the schedules put in the outbox: check-in reminders on the last working day of each
//! period at a local time (Friday 09:00 by default) in each employee's timezone, and a note to
//! the manager when a check-in is missed. Every scan can run late (it catches up) or twice
//! (the dedupe keys make the second one a no-op).

use crate::Ctx;
use crate::check_ins;
use crate::employees::{self, IN_CHUNK};
use crate::error::DomainResult;
use crate::outbox::{self, Email};
use crate::values::{CheckInStatus, GoalStatus};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use entity::{check_in, goal};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// When reminders go out by default, in each employee's local time.
pub const DEFAULT_REMINDER_TIME: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// The last Monday-to-Friday day of a period.
pub fn last_working_day(period_start: NaiveDate, period_end: NaiveDate) -> NaiveDate {
    let mut day = period_end;
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && day > period_start {
        day -= Duration::days(1);
    }
    day
}

/// The instant a period's reminder is due for someone in `tz`.
pub fn reminder_at(
    tz: Tz,
    period_start: NaiveDate,
    period_end: NaiveDate,
    local: NaiveTime,
) -> DateTime<Utc> {
    let day = last_working_day(period_start, period_end);
    let at = day.and_time(local);
    tz.from_local_datetime(&at)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // The local time does not exist that day (a daylight-saving jump): count from midnight.
        .unwrap_or_else(|| {
            check_ins::local_midnight(tz, day) + local.signed_duration_since(NaiveTime::MIN)
        })
}

/// Titles of each employee's agreed goals in a cycle, for the e-mails.
async fn goal_titles(
    db: &impl sea_orm::ConnectionTrait,
    cycle_id: Uuid,
    owners: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<String>>> {
    let mut titles: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in owners.chunks(IN_CHUNK) {
        for g in goal::Entity::find()
            .filter(goal::Column::CycleId.eq(cycle_id))
            .filter(goal::Column::OwnerId.is_in(chunk.iter().copied()))
            .filter(goal::Column::Status.eq(GoalStatus::Agreed.as_str()))
            .order_by_asc(goal::Column::CreatedAt)
            .all(db)
            .await?
        {
            titles.entry(g.owner_id).or_default().push(g.title);
        }
    }
    Ok(titles)
}

/// Queues a reminder for every DUE check-in of an ACTIVE cycle whose reminder time has come,
/// whose grace period has not ended and that has not been reminded yet, a batch per
/// transaction (the e-mails and the `reminded_at` marks commit together). Returns how many
/// were queued.
pub async fn queue_check_in_reminders(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<u64> {
    let mut queued = 0;
    loop {
        let txn = crate::db::begin(&ctx.db).await?;
        let active = crate::cycles::active_ids();
        let batch = check_in::Entity::find()
            .filter(check_in::Column::Status.eq(CheckInStatus::Due.as_str()))
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
        let ids: Vec<Uuid> = batch.iter().map(|c| c.employee_id).collect();
        let people = employees::by_ids(&txn, &ids).await?;
        let mut by_cycle: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for c in &batch {
            by_cycle.entry(c.cycle_id).or_default().push(c.employee_id);
        }
        let mut titles: HashMap<(Uuid, Uuid), Vec<String>> = HashMap::new();
        for (cycle, owners) in by_cycle {
            for (owner, t) in goal_titles(&txn, cycle, &owners).await? {
                titles.insert((cycle, owner), t);
            }
        }
        for c in &batch {
            let Some(person) = people.get(&c.employee_id).filter(|p| p.active) else {
                continue;
            };
            let email = Email {
                dedupe_key: format!("checkin-reminder:{}:{}", person.id, c.period_start),
                to_email: person.email.clone(),
                to_name: person.name.clone(),
                template: "checkin_reminder",
                data: json!({
                    "name": person.name,
                    "checkInId": c.id,
                    "periodStart": c.period_start,
                    "periodEnd": c.period_end,
                    "closesAt": c.closes_at,
                    "goals": titles.get(&(c.cycle_id, c.employee_id)).cloned().unwrap_or_default(),
                }),
            };
            if outbox::enqueue(&txn, email, now).await? {
                queued += 1;
            }
        }
        check_in::Entity::update_many()
            .col_expr(check_in::Column::RemindedAt, Expr::value(now))
            .filter(check_in::Column::Id.is_in(batch.iter().map(|c| c.id)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
}

/// Marks overdue check-ins MISSED and, in the same transaction, queues a note to each one's
/// manager, a batch at a time. Returns how many check-ins were marked.
pub async fn mark_missed_and_notify(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<usize> {
    let mut marked = 0;
    loop {
        let txn = crate::db::begin(&ctx.db).await?;
        let missed = check_ins::mark_missed_in(&txn, now, IN_CHUNK as u64).await?;
        if missed.is_empty() {
            txn.commit().await?;
            return Ok(marked);
        }
        marked += missed.len();
        let ids: Vec<Uuid> = missed.iter().map(|c| c.employee_id).collect();
        let people = employees::by_ids(&txn, &ids).await?;
        let manager_ids: Vec<Uuid> = people.values().filter_map(|p| p.manager_id).collect();
        let managers = employees::by_ids(&txn, &manager_ids).await?;
        for c in &missed {
            let Some(person) = people.get(&c.employee_id) else {
                continue;
            };
            let Some(manager) = person
                .manager_id
                .and_then(|m| managers.get(&m))
                .filter(|m| m.active)
            else {
                continue;
            };
            outbox::enqueue(
                &txn,
                Email {
                    dedupe_key: format!("checkin-missed:{}", c.id),
                    to_email: manager.email.clone(),
                    to_name: manager.name.clone(),
                    template: "checkin_missed",
                    data: json!({
                        "name": manager.name,
                        "employeeName": person.name,
                        "employeeId": person.id,
                        "periodStart": c.period_start,
                        "periodEnd": c.period_end,
                    }),
                },
                now,
            )
            .await?;
        }
        txn.commit().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_last_working_day_of_a_week_is_friday() {
        assert_eq!(
            last_working_day(d("2027-03-01"), d("2027-03-07")),
            d("2027-03-05")
        );
        // A month ending on a Saturday.
        assert_eq!(
            last_working_day(d("2027-07-01"), d("2027-07-31")),
            d("2027-07-30")
        );
    }

    #[test]
    fn reminders_follow_local_time() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap_or(chrono_tz::UTC);
        let at = reminder_at(
            kolkata,
            d("2027-03-01"),
            d("2027-03-07"),
            DEFAULT_REMINDER_TIME,
        );
        assert_eq!(at.to_rfc3339(), "2027-03-05T03:30:00+00:00");
    }
}
