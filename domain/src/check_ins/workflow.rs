//! The check-in workflow: the employee submits (moving their key results), a manager
//! acknowledges with a reply, and managers set an employee's cadence.

use super::rules::CheckInAction;
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::goals::check_value;
use crate::permissions;
use crate::publish;
use crate::query::{find, find_readable};
use crate::values::{Cadence, CheckInStatus, CyclePhase, DecimalText, GoalStatus, optional_text};
use crate::{Ctx, Viewer, cycles};
use entity::{cadence_override, check_in, cycle, employee, goal, key_result};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

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

/// What a submission changed.
pub struct Submitted {
    /// The check-in, now SUBMITTED.
    pub check_in: check_in::Model,
    /// The goals it may have changed: the employee's agreed goals in the cycle (the confidence
    /// counts toward their health), then each ancestor whose rolled-up progress moved.
    pub moved_goals: Vec<Uuid>,
}

/// The employee submits their check-in (late is fine until the grace period ends), moving
/// their key results' current values.
pub async fn submit(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    input: SubmitInput,
) -> DomainResult<Submitted> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<check_in::Model>(&txn, viewer, id).await?;
    let now = ctx.clock.now();
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    let submit = CheckInAction::Submit;
    super::rules::check(submit, viewer, &current, &owner, &cycle, now)?;
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
        .filter(goal::Column::Status.eq(GoalStatus::Agreed))
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
        check_value(&format!("progress[{i}].value"), p.value)?;
        updates.push((kr, p.value));
    }
    // Conditional on DUE: a submission racing the missed scan (or a second submission) loses
    // cleanly instead of overwriting.
    let changed = check_in::Entity::update_many()
        .col_expr(
            check_in::Column::Status,
            Expr::value(CheckInStatus::Submitted),
        )
        .col_expr(check_in::Column::Confidence, Expr::value(input.confidence))
        .col_expr(check_in::Column::Wins, Expr::value(wins))
        .col_expr(check_in::Column::Blockers, Expr::value(blockers))
        .col_expr(check_in::Column::NextSteps, Expr::value(next_steps))
        .col_expr(check_in::Column::SubmittedAt, Expr::value(now))
        .col_expr(check_in::Column::UpdatedAt, Expr::value(now))
        .filter(check_in::Column::Id.eq(current.id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Due))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the check-in changed meanwhile; reload it",
        ));
    }
    let mut moved: Vec<Uuid> = updates.iter().map(|(kr, _)| kr.goal_id).collect();
    moved.sort_unstable();
    moved.dedup();
    for (kr, value) in updates {
        let previous = kr.current_value;
        let mut model: key_result::ActiveModel = kr.into();
        model.current_value = Set(DecimalText(value));
        model.updated_at = Set(now);
        let kr = model.update(&txn).await?;
        let by = Some(viewer.id());
        crate::goals::record_update(&txn, &kr, previous, by, Some(current.id), now).await?;
    }
    let moved: Vec<Option<Uuid>> = moved.into_iter().map(Some).collect();
    let today = ctx.clock.today();
    let written = crate::goals::refresh_progress(&txn, today, &moved).await?;
    // The confidence just given counts toward the health of all their agreed goals.
    let mut agreed: Vec<Uuid> = goals.keys().copied().collect();
    agreed.sort_unstable();
    crate::goals::refresh_health(&txn, today, &agreed).await?;
    let updated = find::<check_in::Entity>(&txn, current.id, "check-in").await?;
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
    let event = DomainEvent::CheckInSubmitted {
        check_in_id: updated.id,
        employee_id: owner.id,
        confidence: input.confidence,
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(Submitted {
        check_in: updated,
        moved_goals: crate::goals::moved_goals(&agreed, &written),
    })
}

/// A manager of the employee (or HR) acknowledges a submitted check-in, with a reply.
pub async fn acknowledge(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    reply: &str,
) -> DomainResult<check_in::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<check_in::Model>(&txn, viewer, id).await?;
    let now = ctx.clock.now();
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    let acknowledge = CheckInAction::Acknowledge;
    super::rules::check(acknowledge, viewer, &current, &owner, &cycle, now)?;
    let reply = optional_text("reply", reply, 5000)?;
    let changed = check_in::Entity::update_many()
        .col_expr(
            check_in::Column::Status,
            Expr::value(CheckInStatus::Acknowledged),
        )
        .col_expr(check_in::Column::ManagerReply, Expr::value(reply))
        .col_expr(check_in::Column::AcknowledgedBy, Expr::value(viewer.id()))
        .col_expr(check_in::Column::AcknowledgedAt, Expr::value(now))
        .col_expr(check_in::Column::UpdatedAt, Expr::value(now))
        .filter(check_in::Column::Id.eq(current.id))
        .filter(check_in::Column::Status.eq(CheckInStatus::Submitted))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the check-in changed meanwhile; reload it",
        ));
    }
    let updated = find::<check_in::Entity>(&txn, current.id, "check-in").await?;
    let event = DomainEvent::CheckInAcknowledged {
        check_in_id: updated.id,
        employee_id: owner.id,
        by: viewer.id(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A manager of the employee (or HR) sets how often the employee checks in during a cycle;
/// it applies from the next period opened. Answers the employee.
pub async fn set_cadence(
    ctx: &Ctx,
    viewer: &Viewer,
    employee_id: Uuid,
    cycle_id: Uuid,
    cadence: Cadence,
) -> DomainResult<employee::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let person = find::<employee::Entity>(&txn, employee_id, "employee").await?;
    permissions::require_manage_goal(viewer, &person)?;
    let cycle = cycles::find(&txn, cycle_id).await?;
    if cycle.phase == CyclePhase::Closed {
        return Err(DomainError::conflict("the cycle is closed"));
    }
    let now = ctx.clock.now();
    cadence_override::Entity::insert(cadence_override::ActiveModel {
        id: Set(Uuid::new_v4()),
        employee_id: Set(employee_id),
        cycle_id: Set(cycle_id),
        cadence: Set(cadence),
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
            after: Some(json!({ "cycleId": cycle_id, "cadence": cadence })),
        },
    )
    .await?;
    let event = DomainEvent::CheckInCadenceSet {
        employee_id,
        cycle_id,
        cadence,
        set_by: Some(viewer.id()),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(person)
}

/// The cadence of each `(employee, cycle)` (the cycle's own unless a manager set theirs),
/// for batch loading; pairs whose cycle does not exist are absent (unfiltered: callers check
/// who may see the work).
pub async fn cadences_of(
    db: &impl ConnectionTrait,
    keys: &[(Uuid, Uuid)],
) -> DomainResult<HashMap<(Uuid, Uuid), Cadence>> {
    let mut cycle_ids: Vec<Uuid> = keys.iter().map(|(_, c)| *c).collect();
    cycle_ids.sort_unstable();
    cycle_ids.dedup();
    let cycles = crate::query::by_ids::<cycle::Entity>(db, cycle::Column::Id, &cycle_ids).await?;
    let people: Vec<Uuid> = keys.iter().map(|(e, _)| *e).collect();
    let overrides: HashMap<(Uuid, Uuid), Cadence> = crate::query::rows_in(
        db,
        cadence_override::Entity::find().filter(cadence_override::Column::CycleId.is_in(cycle_ids)),
        cadence_override::Column::EmployeeId,
        &people,
    )
    .await?
    .into_iter()
    .map(|o| ((o.employee_id, o.cycle_id), o.cadence))
    .collect();
    Ok(keys
        .iter()
        .filter_map(|key| {
            let cycle = cycles.get(&key.1)?;
            Some((
                *key,
                overrides
                    .get(key)
                    .copied()
                    .unwrap_or(cycle.check_in_cadence),
            ))
        })
        .collect())
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
    Ok(o.map_or(cycle.check_in_cadence, |o| o.cadence))
}
