//! Check-ins: one per employee and period of their own calendar, opened on a cadence
//! (weekly by default, overridable per employee), submitted with progress on their key
//! results, acknowledged by a manager, or MISSED once the grace period is over.

use crate::audit::{self, Change};
use crate::employees::IN_CHUNK;
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::permissions::{self, can_read_work_of};
use crate::values::{
    Cadence, CheckInStatus, CyclePhase, GoalStatus, decimal_text, optional_text, stored_decimal,
};
use crate::{Ctx, Viewer, cycles};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use entity::{cadence_override, check_in, check_in_update, cycle, employee, goal, key_result};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TryInsertResult,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Days after a period ends during which its check-in may still be submitted.
pub const GRACE_DAYS: i64 = 2;

/// The period of `cadence` that contains `day`. Weeks start on Monday; fortnights are
/// counted from the week `anchor` (the cycle's first day) falls in; months are calendar months.
pub fn period_containing(
    cadence: Cadence,
    day: NaiveDate,
    anchor: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let monday = |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday() as i64);
    match cadence {
        Cadence::Weekly => {
            let start = monday(day);
            (start, start + Duration::days(6))
        }
        Cadence::Biweekly => {
            let (week, first) = (monday(day), monday(anchor));
            let weeks = (week - first).num_days().div_euclid(7);
            let start = if weeks.rem_euclid(2) == 1 {
                week - Duration::days(7)
            } else {
                week
            };
            (start, start + Duration::days(13))
        }
        Cadence::Monthly => {
            let start = day.with_day(1).unwrap_or(day);
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
            };
            (start, next.map_or(start, |n| n - Duration::days(1)))
        }
    }
}

/// Local midnight at the start of `day` in `tz`, in UTC (the first valid instant when a
/// daylight-saving jump skips midnight).
pub fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut at = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&at).earliest() {
            return t.with_timezone(&Utc);
        }
        at += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&at)
}

/// When a check-in for a period ending on `period_end` becomes MISSED.
pub fn closes_at(tz: Tz, period_end: NaiveDate) -> DateTime<Utc> {
    local_midnight(tz, period_end + Duration::days(1 + GRACE_DAYS))
}

fn zone(e: &employee::Model) -> Tz {
    e.timezone.parse().unwrap_or(chrono_tz::UTC)
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
        map.insert(o.employee_id, Cadence::parse_stored(&o.cadence)?);
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
        .filter(cycle::Column::Phase.eq(CyclePhase::Active.as_str()))
        .all(&ctx.db)
        .await?;
    for cycle in active {
        let overrides = overrides(&ctx.db, cycle.id).await?;
        let default = Cadence::parse_stored(&cycle.check_in_cadence)?;
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
                    let tz = zone(e);
                    let today = now.with_timezone(&tz).date_naive();
                    if today < cycle.starts_on || today > cycle.ends_on {
                        return None;
                    }
                    if latest.get(&e.id).is_some_and(|end| *end >= today) {
                        return None;
                    }
                    let cadence = overrides.get(&e.id).copied().unwrap_or(default);
                    let (start, end) = period_containing(cadence, today, cycle.starts_on);
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
                    if e.hired_on > crate::notifications::last_working_day(start, end) {
                        return None;
                    }
                    Some(check_in::ActiveModel {
                        id: Set(Uuid::new_v4()),
                        employee_id: Set(e.id),
                        cycle_id: Set(cycle.id),
                        cadence: Set(cadence.as_str().to_owned()),
                        period_start: Set(start),
                        period_end: Set(end),
                        closes_at: Set(closes_at(tz, end)),
                        reminder_at: Set(crate::notifications::reminder_at(
                            tz,
                            start,
                            end,
                            reminder_time,
                        )),
                        reminded_at: Set(None),
                        status: Set(CheckInStatus::Due.as_str().to_owned()),
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
    }
    Ok(opened)
}

/// Marks every DUE check-in whose grace period ended by `now` as MISSED and returns them.
/// A second run finds nothing left to mark.
pub async fn mark_missed(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<Vec<check_in::Model>> {
    let mut all = Vec::new();
    loop {
        let txn = crate::db::begin(&ctx.db).await?;
        let batch = mark_missed_in(&txn, now, IN_CHUNK as u64).await?;
        txn.commit().await?;
        if batch.is_empty() {
            return Ok(all);
        }
        all.extend(batch);
    }
}

/// [`mark_missed`] inside the caller's transaction.
///
/// At most `limit` rows, locked first (PostgreSQL), so that a submission racing the scan either
/// lands before it (and is not marked) or finds the check-in MISSED. Only ACTIVE cycles' rows.
pub async fn mark_missed_in(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    limit: u64,
) -> DomainResult<Vec<check_in::Model>> {
    let active = crate::cycles::active_ids();
    let overdue = check_in::Entity::find()
        .filter(check_in::Column::Status.eq(CheckInStatus::Due.as_str()))
        .filter(check_in::Column::ClosesAt.lte(now))
        .filter(check_in::Column::CycleId.in_subquery(active))
        .order_by_asc(check_in::Column::ClosesAt)
        .limit(limit)
        .lock_exclusive()
        .all(txn)
        .await?;
    for chunk in overdue.chunks(IN_CHUNK) {
        check_in::Entity::update_many()
            .col_expr(
                check_in::Column::Status,
                Expr::value(CheckInStatus::Missed.as_str()),
            )
            .col_expr(check_in::Column::UpdatedAt, Expr::value(now))
            .filter(check_in::Column::Id.is_in(chunk.iter().map(|c| c.id)))
            .filter(check_in::Column::Status.eq(CheckInStatus::Due.as_str()))
            .exec(txn)
            .await?;
    }
    Ok(overdue
        .into_iter()
        .map(|c| check_in::Model {
            status: CheckInStatus::Missed.as_str().to_owned(),
            updated_at: now,
            ..c
        })
        .collect())
}

/// Progress on one key result, reported in a check-in.
#[derive(Debug, Clone)]
pub struct ProgressInput {
    /// A key result of one of the employee's AGREED goals in the check-in's cycle.
    pub key_result_id: Uuid,
    /// Where it stands now.
    pub value: Decimal,
}

/// What an employee reports.
#[derive(Debug, Clone)]
pub struct SubmitInput {
    /// How sure they are of reaching their goals, 1–5.
    pub confidence: i32,
    /// What went well.
    pub wins: String,
    /// What is in the way.
    pub blockers: String,
    /// What comes next.
    pub next_steps: String,
    /// Key-result updates.
    pub progress: Vec<ProgressInput>,
}

async fn find(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<check_in::Model> {
    check_in::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("check-in"))
}

async fn readable(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<(check_in::Model, employee::Model)> {
    let c = find(db, id).await?;
    let owner = employee::Entity::find_by_id(c.employee_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("check-in"))?;
    if !can_read_work_of(viewer, &owner) {
        return Err(DomainError::NotFound("check-in"));
    }
    Ok((c, owner))
}

/// One check-in, for its employee, their managers and HR.
pub async fn get(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<check_in::Model> {
    Ok(readable(&ctx.db, viewer, id).await?.0)
}

/// The employee submits their check-in (late is fine until the grace period ends), moving
/// their key results' current values.
pub async fn submit(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    input: SubmitInput,
) -> DomainResult<check_in::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = readable(&txn, viewer, id).await?;
    if owner.id != viewer.id() {
        return Err(DomainError::forbidden(
            "only the employee may submit their own check-in",
        ));
    }
    let now = ctx.clock.now();
    let status = CheckInStatus::parse_stored(&current.status)?;
    if status != CheckInStatus::Due {
        return Err(DomainError::conflict(format!(
            "the check-in is already {}",
            status.as_str()
        )));
    }
    if now >= current.closes_at {
        return Err(DomainError::conflict(format!(
            "the check-in for {} to {} closed at {}; it counts as missed",
            current.period_start, current.period_end, current.closes_at
        )));
    }
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    if cycle.phase != CyclePhase::Active.as_str() {
        return Err(DomainError::conflict(format!(
            "cycle {} is {}; check-ins are closed",
            cycle.name, cycle.phase
        )));
    }
    if !(1..=5).contains(&input.confidence) {
        return Err(DomainError::bad(
            "confidence",
            "confidence must be between 1 and 5",
        ));
    }
    let wins = optional_text("wins", &input.wins, 5000)?;
    let blockers = optional_text("blockers", &input.blockers, 5000)?;
    let next_steps = optional_text("nextSteps", &input.next_steps, 5000)?;
    // Key results of the employee's agreed goals in this cycle, the only ones a check-in moves.
    let goals: HashMap<Uuid, goal::Model> = goal::Entity::find()
        .filter(goal::Column::OwnerId.eq(owner.id))
        .filter(goal::Column::CycleId.eq(current.cycle_id))
        .filter(goal::Column::Status.eq(GoalStatus::Agreed.as_str()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut updates = Vec::new();
    for (i, p) in input.progress.iter().enumerate() {
        let field = format!("progress[{i}].keyResultId");
        let kr = key_result::Entity::find_by_id(p.key_result_id)
            .one(&txn)
            .await?
            .filter(|kr| goals.contains_key(&kr.goal_id))
            .ok_or_else(|| {
                DomainError::bad(
                    &field,
                    "not a key result of one of your agreed goals in this cycle",
                )
            })?;
        if !seen.insert(kr.id) {
            return Err(DomainError::bad(field, "this key result appears twice"));
        }
        crate::goals::check_value(&format!("progress[{i}].value"), p.value)?;
        updates.push((kr, p.value));
    }
    // Conditional on DUE: a submission racing the missed scan (or a second submission) loses
    // cleanly instead of overwriting.
    let changed = check_in::Entity::update_many()
        .col_expr(
            check_in::Column::Status,
            Expr::value(CheckInStatus::Submitted.as_str()),
        )
        .col_expr(check_in::Column::Confidence, Expr::value(input.confidence))
        .col_expr(check_in::Column::Wins, Expr::value(wins))
        .col_expr(check_in::Column::Blockers, Expr::value(blockers))
        .col_expr(check_in::Column::NextSteps, Expr::value(next_steps))
        .col_expr(check_in::Column::SubmittedAt, Expr::value(now))
        .col_expr(check_in::Column::UpdatedAt, Expr::value(now))
        .filter(check_in::Column::Id.eq(current.id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Due.as_str()))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the check-in changed meanwhile; reload it",
        ));
    }
    for (kr, value) in updates {
        check_in_update::ActiveModel {
            id: Set(Uuid::new_v4()),
            check_in_id: Set(current.id),
            key_result_id: Set(kr.id),
            previous_value: Set(kr.current_value.clone()),
            new_value: Set(decimal_text(value)),
        }
        .insert(&txn)
        .await?;
        let mut model: key_result::ActiveModel = kr.into();
        model.current_value = Set(decimal_text(value));
        model.updated_at = Set(now);
        model.update(&txn).await?;
    }
    let updated = find(&txn, current.id).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "check_in.submit",
            entity: "check_in",
            entity_id: updated.id,
            before: Some(json!({ "status": "DUE" })),
            after: Some(json!({ "status": updated.status, "confidence": updated.confidence })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// A manager of the employee (or HR) acknowledges a submitted check-in, with a reply.
pub async fn acknowledge(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    reply: &str,
) -> DomainResult<check_in::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = readable(&txn, viewer, id).await?;
    permissions::require_manage_goal(viewer, &owner)?;
    if current.status != CheckInStatus::Submitted.as_str() {
        return Err(DomainError::conflict(format!(
            "only a SUBMITTED check-in can be acknowledged; this one is {}",
            current.status
        )));
    }
    let reply = optional_text("reply", reply, 5000)?;
    let now = ctx.clock.now();
    let changed = check_in::Entity::update_many()
        .col_expr(
            check_in::Column::Status,
            Expr::value(CheckInStatus::Acknowledged.as_str()),
        )
        .col_expr(check_in::Column::ManagerReply, Expr::value(reply))
        .col_expr(check_in::Column::AcknowledgedBy, Expr::value(viewer.id()))
        .col_expr(check_in::Column::AcknowledgedAt, Expr::value(now))
        .col_expr(check_in::Column::UpdatedAt, Expr::value(now))
        .filter(check_in::Column::Id.eq(current.id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Submitted.as_str()))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the check-in changed meanwhile; reload it",
        ));
    }
    let updated = find(&txn, current.id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A manager of the employee (or HR) sets how often the employee checks in during a cycle;
/// it applies from the next period opened.
pub async fn set_cadence(
    ctx: &Ctx,
    viewer: &Viewer,
    employee_id: Uuid,
    cycle_id: Uuid,
    cadence: Cadence,
) -> DomainResult<Cadence> {
    let txn = crate::db::begin(&ctx.db).await?;
    let person = employee::Entity::find_by_id(employee_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("employee"))?;
    permissions::require_manage_goal(viewer, &person)?;
    let cycle = cycles::find(&txn, cycle_id).await?;
    if cycle.phase == CyclePhase::Closed.as_str() {
        return Err(DomainError::conflict("the cycle is closed"));
    }
    let now = ctx.clock.now();
    cadence_override::Entity::insert(cadence_override::ActiveModel {
        id: Set(Uuid::new_v4()),
        employee_id: Set(employee_id),
        cycle_id: Set(cycle_id),
        cadence: Set(cadence.as_str().to_owned()),
        set_by: Set(viewer.id()),
        set_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            cadence_override::Column::EmployeeId,
            cadence_override::Column::CycleId,
        ])
        .update_columns([
            cadence_override::Column::Cadence,
            cadence_override::Column::SetBy,
            cadence_override::Column::SetAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "check_in.set_cadence",
            entity: "employee",
            entity_id: employee_id,
            before: None,
            after: Some(json!({ "cycleId": cycle_id, "cadence": cadence.as_str() })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(cadence)
}

/// The cadence an employee checks in at during a cycle.
pub async fn cadence_of(
    db: &impl ConnectionTrait,
    employee_id: Uuid,
    cycle: &cycle::Model,
) -> DomainResult<Cadence> {
    let o = cadence_override::Entity::find()
        .filter(cadence_override::Column::EmployeeId.eq(employee_id))
        .filter(cadence_override::Column::CycleId.eq(cycle.id))
        .one(db)
        .await?;
    match o {
        Some(o) => Cadence::parse_stored(&o.cadence),
        None => Cadence::parse_stored(&cycle.check_in_cadence),
    }
}

/// Filters for the check-in list.
#[derive(Debug, Clone, Default)]
pub struct CheckInFilter {
    /// Only this employee's.
    pub employee_id: Option<Uuid>,
    /// Only this cycle's.
    pub cycle_id: Option<Uuid>,
    /// Only these statuses.
    pub statuses: Vec<CheckInStatus>,
    /// Only the periods that contain this day.
    pub on: Option<NaiveDate>,
}

/// A page of the check-ins the viewer may read, newest period first.
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: &CheckInFilter,
    page: PageRequest,
) -> DomainResult<Page<check_in::Model>> {
    let mut cond = Condition::all();
    if !viewer.is_hr() {
        let subtree = viewer.subtree_ids();
        cond = cond.add(check_in::Column::EmployeeId.in_subquery(subtree));
    }
    if let Some(e) = filter.employee_id {
        cond = cond.add(check_in::Column::EmployeeId.eq(e));
    }
    if let Some(c) = filter.cycle_id {
        cond = cond.add(check_in::Column::CycleId.eq(c));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(check_in::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(on) = filter.on {
        cond = cond
            .add(check_in::Column::PeriodStart.lte(on))
            .add(check_in::Column::PeriodEnd.gte(on));
    }
    let query = check_in::Entity::find().filter(cond);
    let total = query.clone().count(&ctx.db).await?;
    let items = query
        .order_by_desc(check_in::Column::PeriodStart)
        .order_by_asc(check_in::Column::Id)
        .offset(page.offset)
        .limit(page.limit)
        .all(&ctx.db)
        .await?;
    Ok(Page {
        items,
        offset: page.offset,
        total,
    })
}

/// A manager's direct reports and their check-in for the period containing `on` (none if
/// it was not opened), in one query each.
pub async fn team(
    ctx: &Ctx,
    viewer: &Viewer,
    manager_id: Uuid,
    on: NaiveDate,
) -> DomainResult<Vec<(employee::Model, Option<check_in::Model>)>> {
    let manager = employee::Entity::find_by_id(manager_id)
        .one(&ctx.db)
        .await?
        .ok_or(DomainError::NotFound("employee"))?;
    if !can_read_work_of(viewer, &manager) {
        return Err(DomainError::forbidden(
            "you may see the check-ins of your own teams only",
        ));
    }
    let reports = crate::employees::reports_of(&ctx.db, &[manager_id])
        .await?
        .remove(&manager_id)
        .unwrap_or_default();
    let ids: Vec<Uuid> = reports.iter().map(|e| e.id).collect();
    let mut found: HashMap<Uuid, check_in::Model> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        for c in check_in::Entity::find()
            .filter(check_in::Column::EmployeeId.is_in(chunk.iter().copied()))
            .filter(check_in::Column::PeriodStart.lte(on))
            .filter(check_in::Column::PeriodEnd.gte(on))
            .order_by_asc(check_in::Column::PeriodStart)
            .all(&ctx.db)
            .await?
        {
            found.insert(c.employee_id, c);
        }
    }
    Ok(reports
        .into_iter()
        .map(|e| {
            let c = found.remove(&e.id);
            (e, c)
        })
        .collect())
}

/// Key-result updates of each check-in, for batch loading.
pub async fn updates_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<check_in_update::Model>>> {
    let mut found: HashMap<Uuid, Vec<check_in_update::Model>> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        for u in check_in_update::Entity::find()
            .filter(check_in_update::Column::CheckInId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            found.entry(u.check_in_id).or_default().push(u);
        }
    }
    Ok(found)
}

/// Reads a stored update's values.
pub fn update_values(u: &check_in_update::Model) -> DomainResult<(Decimal, Decimal)> {
    Ok((
        stored_decimal(&u.previous_value)?,
        stored_decimal(&u.new_value)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        let anchor = d("2027-01-01");
        assert_eq!(
            period_containing(Cadence::Weekly, d("2027-03-03"), anchor),
            (d("2027-03-01"), d("2027-03-07"))
        );
        assert_eq!(
            period_containing(Cadence::Weekly, d("2027-03-07"), anchor),
            (d("2027-03-01"), d("2027-03-07"))
        );
    }

    #[test]
    fn fortnights_count_from_the_cycles_first_week() {
        // 2027-01-01 is a Friday: fortnights start on Mondays 2026-12-28, 2027-01-11, …
        let anchor = d("2027-01-01");
        assert_eq!(
            period_containing(Cadence::Biweekly, d("2027-01-05"), anchor),
            (d("2026-12-28"), d("2027-01-10"))
        );
        assert_eq!(
            period_containing(Cadence::Biweekly, d("2027-01-11"), anchor),
            (d("2027-01-11"), d("2027-01-24"))
        );
        assert_eq!(
            period_containing(Cadence::Biweekly, d("2027-01-24"), anchor),
            (d("2027-01-11"), d("2027-01-24"))
        );
    }

    #[test]
    fn months_are_calendar_months() {
        let anchor = d("2027-01-01");
        assert_eq!(
            period_containing(Cadence::Monthly, d("2027-02-14"), anchor),
            (d("2027-02-01"), d("2027-02-28"))
        );
        assert_eq!(
            period_containing(Cadence::Monthly, d("2027-12-31"), anchor),
            (d("2027-12-01"), d("2027-12-31"))
        );
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

    #[test]
    fn a_skipped_local_midnight_moves_to_the_first_valid_instant() {
        // Santiago skips from 00:00 to 01:00 when summer time starts (first Sunday of September).
        let santiago: Tz = "America/Santiago".parse().unwrap_or(chrono_tz::UTC);
        let t = local_midnight(santiago, d("2027-09-05"));
        assert_eq!(t.with_timezone(&santiago).date_naive(), d("2027-09-05"));
    }
}
