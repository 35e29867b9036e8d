//! On-track signals. An agreed goal is expected to move linearly from its start (the cycle's
//! first day, or the day the goal was written if later) to its due date; its health compares
//! its progress with that and with its owner's latest check-in confidence. The thresholds
//! are here and nowhere else:
//!
//! - behind = expected − progress; more than [`OFF_TRACK_BEHIND`] is OFF_TRACK, more than
//!   [`AT_RISK_BEHIND`] is AT_RISK, anything else ON_TRACK;
//! - a latest confidence of [`LOW_CONFIDENCE`] or less lowers that by one step (ON_TRACK to
//!   AT_RISK, AT_RISK to OFF_TRACK): the owner knows something the numbers do not show yet.
//!
//! A goal OFF_TRACK for [`OFF_TRACK_PERIODS`] of its owner's check-in periods in a row is
//! announced to their manager by the daily pass, once per episode (keyed by the day it went
//! off track).
//!
//! "Today" is the clock's date in UTC, for the stored health and for `expectedProgress` alike,
//! so that a filter and the fields it filters on agree. A goal's health is stored on it
//! (`goal.health`, `None` unless AGREED) and refreshed by the writes that move an input
//! (progress, agreement, closing, a check-in's confidence) and once a day for the calendar
//! ([`refresh_all`]).

use super::key_results::key_result_progress;
use crate::error::DomainResult;
use crate::events::{DomainEvent, GoalFacts};
use crate::progress;
use crate::query::rows_in;
use crate::values::{Cadence, GoalHealth, GoalStatus};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{cadence_override, check_in, cycle, goal, key_result};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Behind the expected progress by more than this (a fraction of the whole goal): AT_RISK.
pub const AT_RISK_BEHIND: Decimal = Decimal::from_parts(10, 0, 0, false, 2);
/// Behind by more than this: OFF_TRACK.
pub const OFF_TRACK_BEHIND: Decimal = Decimal::from_parts(25, 0, 0, false, 2);
/// A latest check-in confidence (1–5) at or below this lowers the health by one step.
pub const LOW_CONFIDENCE: i32 = 2;

/// Goals per batch of the daily pass.
const BATCH: u64 = 5000;

/// A goal OFF_TRACK for this many of its owner's check-in periods in a row is announced to
/// their manager, once per episode.
pub const OFF_TRACK_PERIODS: i64 = 3;

/// Days in one check-in period of `cadence`, for counting how long an episode has lasted.
fn period_days(cadence: Cadence) -> i64 {
    match cadence {
        Cadence::Weekly => 7,
        Cadence::Biweekly => 14,
        Cadence::Monthly => 30,
    }
}

/// Where a goal should be on `today`: 0 at its start, 1 on its due date, linear between.
pub fn expected_progress(
    cycle_starts_on: NaiveDate,
    created_at: DateTime<Utc>,
    due_on: NaiveDate,
    today: NaiveDate,
) -> Decimal {
    let start = cycle_starts_on.max(created_at.date_naive());
    let span = (due_on - start).num_days();
    if span <= 0 {
        return if today >= due_on {
            Decimal::ONE
        } else {
            Decimal::ZERO
        };
    }
    let done = (today - start).num_days().clamp(0, span);
    Decimal::from(done) / Decimal::from(span)
}

/// The health of `progress` against `expected`, given the owner's latest confidence.
pub fn health_of(progress: Decimal, expected: Decimal, confidence: Option<i32>) -> GoalHealth {
    let behind = expected - progress;
    let by_numbers = if behind > OFF_TRACK_BEHIND {
        GoalHealth::OffTrack
    } else if behind > AT_RISK_BEHIND {
        GoalHealth::AtRisk
    } else {
        GoalHealth::OnTrack
    };
    match (by_numbers, confidence) {
        (GoalHealth::OnTrack, Some(c)) if c <= LOW_CONFIDENCE => GoalHealth::AtRisk,
        (GoalHealth::AtRisk, Some(c)) if c <= LOW_CONFIDENCE => GoalHealth::OffTrack,
        (h, _) => h,
    }
}

/// [`expected_progress`] of `goal` (in `cycle`) on `today`.
pub fn expected_progress_of(goal: &goal::Model, cycle: &cycle::Model, today: NaiveDate) -> Decimal {
    expected_progress(cycle.starts_on, goal.created_at, goal.due_on, today)
}

/// A goal's health on `today`, or `None` when it is not AGREED.
pub fn goal_health(
    goal: &goal::Model,
    cycle: &cycle::Model,
    confidence: Option<i32>,
    today: NaiveDate,
) -> Option<GoalHealth> {
    (goal.status == GoalStatus::Agreed).then(|| {
        let expected = expected_progress_of(goal, cycle, today);
        health_of(progress::from_ppm(goal.progress_ppm), expected, confidence)
    })
}

/// A key result's health: its own progress against its goal's expected progress.
pub fn key_result_health(
    kr: &key_result::Model,
    goal: &goal::Model,
    cycle: &cycle::Model,
    confidence: Option<i32>,
    today: NaiveDate,
) -> Option<GoalHealth> {
    (goal.status == GoalStatus::Agreed).then(|| {
        let expected = expected_progress_of(goal, cycle, today);
        health_of(key_result_progress(kr), expected, confidence)
    })
}

/// The latest check-in confidence of each `(employee, cycle)`, for batch loading; pairs
/// without a submitted check-in are absent.
pub async fn latest_confidences(
    db: &impl ConnectionTrait,
    pairs: &[(Uuid, Uuid)],
) -> DomainResult<HashMap<(Uuid, Uuid), i32>> {
    let mut by_cycle: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (employee, cycle) in pairs {
        by_cycle.entry(*cycle).or_default().push(*employee);
    }
    let mut found = HashMap::new();
    for (cycle, employees) in by_cycle {
        for chunk in employees.chunks(crate::query::IN_CHUNK) {
            // Oldest first: the last one read for a person is their latest.
            let rows: Vec<(Uuid, Option<i32>)> = check_in::Entity::find()
                .select_only()
                .column(check_in::Column::EmployeeId)
                .column(check_in::Column::Confidence)
                .filter(check_in::Column::CycleId.eq(cycle))
                .filter(check_in::Column::Confidence.is_not_null())
                .filter(check_in::Column::EmployeeId.is_in(chunk.iter().copied()))
                .order_by_asc(check_in::Column::PeriodStart)
                .order_by_asc(check_in::Column::Id)
                .into_tuple()
                .all(db)
                .await?;
            for (employee, confidence) in rows {
                if let Some(confidence) = confidence {
                    found.insert((employee, cycle), confidence);
                }
            }
        }
    }
    Ok(found)
}

/// Recomputes the health of `goals` (any status) in the caller's transaction and stores what
/// changed. Returns how many changed.
pub async fn refresh(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    goals: &[Uuid],
) -> DomainResult<usize> {
    let rows = rows_in(db, goal::Entity::find(), goal::Column::Id, goals).await?;
    Ok(store(db, today, rows).await?.0)
}

/// The daily pass: recomputes every goal's health once per UTC day, in whichever process
/// claims the day first. Returns how many changed, or `None` if the day's pass already ran.
pub async fn refresh_daily(ctx: &crate::Ctx, run_by: &str) -> DomainResult<Option<usize>> {
    let now = ctx.clock.now();
    let today = now.date_naive();
    let midnight = today.and_time(chrono::NaiveTime::MIN).and_utc();
    if !crate::outbox::claim_tick(&ctx.db, "goal-health", midnight, run_by).await? {
        return Ok(None);
    }
    Ok(Some(refresh_all(&ctx.db, today).await?))
}

/// Recomputes every goal's health on `today`, a batch at a time (the daily pass; also after
/// the migration that added the column). Returns how many changed.
pub async fn refresh_all(db: &impl ConnectionTrait, today: NaiveDate) -> DomainResult<usize> {
    // Goals that are no longer AGREED lose their health in one statement.
    let cleared = goal::Entity::update_many()
        .col_expr(
            goal::Column::Health,
            Expr::value(Option::<GoalHealth>::None),
        )
        .col_expr(
            goal::Column::HealthSince,
            Expr::value(Option::<NaiveDate>::None),
        )
        .filter(goal::Column::Status.ne(GoalStatus::Agreed))
        .filter(goal::Column::Health.is_not_null())
        .exec(db)
        .await?
        .rows_affected as usize;
    let mut changed = cleared;
    let cycles: HashMap<Uuid, cycle::Model> = cycle::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let confidences = all_latest_confidences(db).await?;
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = goal::Entity::find()
            .filter(goal::Column::Status.eq(GoalStatus::Agreed))
            .order_by_asc(goal::Column::Id)
            .limit(BATCH);
        if let Some(last) = after {
            query = query.filter(goal::Column::Id.gt(last));
        }
        let rows = query.all(db).await?;
        let Some(last) = rows.last().map(|g| g.id) else {
            break;
        };
        after = Some(last);
        let (n, rows) = store_with(db, today, rows, &cycles, &confidences).await?;
        changed += n;
        announce_off_track(db, today, &rows).await?;
    }
    Ok(changed)
}

/// Tells the managers of the owners of goals OFF_TRACK for [`OFF_TRACK_PERIODS`] of the
/// owner's periods; the outbox's dedupe key (goal and the day the episode began) makes it
/// once per episode however many daily passes see it.
async fn announce_off_track(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    rows: &[goal::Model],
) -> DomainResult<()> {
    let long: Vec<&goal::Model> = rows
        .iter()
        .filter(|g| g.health == Some(GoalHealth::OffTrack))
        .filter(|g| {
            g.health_since
                .is_some_and(|s| (today - s).num_days() >= 7 * OFF_TRACK_PERIODS)
        })
        .collect();
    if long.is_empty() {
        return Ok(());
    }
    let mut cycle_ids: Vec<Uuid> = long.iter().map(|g| g.cycle_id).collect();
    cycle_ids.sort_unstable();
    cycle_ids.dedup();
    let cycles = crate::query::by_ids::<cycle::Entity>(db, cycle::Column::Id, &cycle_ids).await?;
    let owners: Vec<Uuid> = long.iter().map(|g| g.owner_id).collect();
    let overrides: HashMap<(Uuid, Uuid), Cadence> = rows_in(
        db,
        cadence_override::Entity::find(),
        cadence_override::Column::EmployeeId,
        &owners,
    )
    .await?
    .into_iter()
    .map(|o| ((o.employee_id, o.cycle_id), o.cadence))
    .collect();
    let events: Vec<DomainEvent> = long
        .into_iter()
        .filter_map(|g| {
            let since = g.health_since?;
            let cycle = cycles.get(&g.cycle_id)?;
            let cadence = overrides
                .get(&(g.owner_id, g.cycle_id))
                .copied()
                .unwrap_or(cycle.check_in_cadence);
            let periods = (today - since).num_days() / period_days(cadence);
            (periods >= OFF_TRACK_PERIODS).then(|| DomainEvent::GoalOffTrack {
                goal: GoalFacts::of(g),
                since,
                periods: periods as u32,
            })
        })
        .collect();
    let now = today.and_time(chrono::NaiveTime::MIN).and_utc();
    crate::publish::emit(db, now, None, events).await?;
    Ok(())
}

/// Computes the health of `rows` and writes the ones that differ from what is stored (with
/// the day they changed); answers how many did, with the rows as they are now.
async fn store(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    rows: Vec<goal::Model>,
) -> DomainResult<(usize, Vec<goal::Model>)> {
    let mut cycle_ids: Vec<Uuid> = rows.iter().map(|g| g.cycle_id).collect();
    cycle_ids.sort_unstable();
    cycle_ids.dedup();
    let cycles = crate::query::by_ids::<cycle::Entity>(db, cycle::Column::Id, &cycle_ids).await?;
    let pairs: Vec<(Uuid, Uuid)> = rows
        .iter()
        .filter(|g| g.status == GoalStatus::Agreed)
        .map(|g| (g.owner_id, g.cycle_id))
        .collect();
    let confidences = latest_confidences(db, &pairs).await?;
    store_with(db, today, rows, &cycles, &confidences).await
}

/// [`store`] with the cycles and confidences already read.
async fn store_with(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    mut rows: Vec<goal::Model>,
    cycles: &HashMap<Uuid, cycle::Model>,
    confidences: &HashMap<(Uuid, Uuid), i32>,
) -> DomainResult<(usize, Vec<goal::Model>)> {
    // The new values, grouped by value: a handful of statements per batch whatever its size.
    let mut changes: HashMap<Option<GoalHealth>, Vec<Uuid>> = HashMap::new();
    let mut changed = 0;
    for g in &mut rows {
        let health = cycles.get(&g.cycle_id).and_then(|cycle| {
            let confidence = confidences.get(&(g.owner_id, g.cycle_id)).copied();
            goal_health(g, cycle, confidence, today)
        });
        if health != g.health {
            changes.entry(health).or_default().push(g.id);
            g.health = health;
            g.health_since = health.map(|_| today);
            changed += 1;
        }
    }
    for (health, ids) in changes {
        for chunk in ids.chunks(crate::query::IN_CHUNK) {
            goal::Entity::update_many()
                .col_expr(goal::Column::Health, Expr::value(health))
                .col_expr(
                    goal::Column::HealthSince,
                    Expr::value(health.map(|_| today)),
                )
                .filter(goal::Column::Id.is_in(chunk.iter().copied()))
                .exec(db)
                .await?;
        }
    }
    Ok((changed, rows))
}

/// The latest check-in confidence of everyone in every cycle, in one statement.
async fn all_latest_confidences(
    db: &impl ConnectionTrait,
) -> DomainResult<HashMap<(Uuid, Uuid), i32>> {
    let sql = "SELECT employee_id, cycle_id, confidence FROM (\
                 SELECT employee_id, cycle_id, confidence, ROW_NUMBER() OVER (\
                   PARTITION BY employee_id, cycle_id ORDER BY period_start DESC, id DESC) AS n \
                 FROM check_in WHERE confidence IS NOT NULL) latest \
               WHERE n = 1";
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        let employee: Uuid = row.try_get("", "employee_id")?;
        let cycle: Uuid = row.try_get("", "cycle_id")?;
        let confidence: i32 = row.try_get("", "confidence")?;
        found.insert((employee, cycle), confidence);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_else(|_| panic!("bad decimal {s}"))
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap_or_else(|_| panic!("bad date {s}"))
    }

    #[test]
    fn expected_progress_is_linear_from_the_later_of_cycle_start_and_creation() {
        let jan = Utc.with_ymd_and_hms(2027, 1, 1, 9, 0, 0).unwrap();
        let (start, due) = (day("2027-01-01"), day("2027-01-11"));
        assert_eq!(
            expected_progress(start, jan, due, day("2026-12-01")),
            d("0")
        );
        assert_eq!(
            expected_progress(start, jan, due, day("2027-01-06")),
            d("0.5")
        );
        assert_eq!(
            expected_progress(start, jan, due, day("2027-03-01")),
            d("1")
        );
        // Written on 6 January: it starts then, not at the cycle's start.
        let later = Utc.with_ymd_and_hms(2027, 1, 6, 9, 0, 0).unwrap();
        assert_eq!(
            expected_progress(start, later, due, day("2027-01-06")),
            d("0")
        );
        // Due the day it starts (or before): nothing expected until then, all of it after.
        assert_eq!(
            expected_progress(start, jan, start, day("2026-12-31")),
            d("0")
        );
        assert_eq!(expected_progress(start, jan, start, start), d("1"));
    }

    #[test]
    fn health_thresholds_and_low_confidence_lower_it_by_one_step() {
        assert_eq!(health_of(d("0.5"), d("0.6"), None), GoalHealth::OnTrack);
        assert_eq!(health_of(d("0.49"), d("0.6"), None), GoalHealth::AtRisk);
        assert_eq!(health_of(d("0.35"), d("0.6"), None), GoalHealth::AtRisk);
        assert_eq!(health_of(d("0.34"), d("0.6"), None), GoalHealth::OffTrack);
        assert_eq!(health_of(d("1.5"), d("1"), Some(5)), GoalHealth::OnTrack);
        assert_eq!(health_of(d("0.6"), d("0.6"), Some(3)), GoalHealth::OnTrack);
        assert_eq!(health_of(d("0.6"), d("0.6"), Some(2)), GoalHealth::AtRisk);
        assert_eq!(health_of(d("0.4"), d("0.6"), Some(1)), GoalHealth::OffTrack);
        assert_eq!(health_of(d("0"), d("0.6"), Some(1)), GoalHealth::OffTrack);
    }
}
