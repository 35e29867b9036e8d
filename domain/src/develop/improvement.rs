//! Improvement plans for poor performance: opened by a manager of the employee or HR (from
//! the health signals, say) with objectives, the support offered and check dates (items of
//! kind CHECK, reminded like training); ended with an outcome (SUCCESSFUL or UNSUCCESSFUL
//! close it, EXTENDED adds a later check). Seen only by the employee, their manager chain
//! and HR; every step audited and told to the employee.

use super::input::MAX_TEXT;
use super::plans::{check_cycle, open_plan};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::permissions::is_manager_side;
use crate::publish;
use crate::query::{find, find_readable};
use crate::values::{
    ItemKind, ItemStatus, PlanKind, PlanOutcome, PlanStatus, optional_text, required_text,
};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{cycle, development_item, development_plan, employee};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

/// Most check dates a plan is opened with.
pub const MAX_CHECKS: usize = 12;

/// An improvement plan as it is opened.
#[derive(Debug, Clone)]
pub struct OpenPlan {
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    pub objectives: String,
    pub support: String,
    pub check_dates: Vec<NaiveDate>,
}

/// Refuses a date that has passed (today in any timezone is fine).
fn check_future(field: &str, day: NaiveDate, now: DateTime<Utc>) -> DomainResult<()> {
    if day < now.date_naive() - Duration::days(1) {
        return Err(DomainError::bad(field, "the date has passed"));
    }
    Ok(())
}

/// Adds a CHECK item on `day`, AGREED from the start.
async fn add_check(
    db: &impl ConnectionTrait,
    plan: &development_plan::Model,
    day: NaiveDate,
    title: String,
    by: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    development_item::Entity::insert(development_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_id: Set(plan.id),
        employee_id: Set(plan.employee_id),
        kind: Set(ItemKind::Check),
        status: Set(ItemStatus::Agreed),
        title: Set(title),
        description: Set(String::new()),
        provider: Set(String::new()),
        link: Set(String::new()),
        hours: Set(None),
        due_on: Set(Some(day)),
        mentor_id: Set(None),
        cadence: Set(None),
        goal_id: Set(None),
        aspirations: Set(String::new()),
        manager_notes: Set(String::new()),
        evidence: Set(String::new()),
        return_reason: Set(String::new()),
        proposed_by: Set(by),
        agreed_by: Set(Some(by)),
        agreed_at: Set(Some(now)),
        completed_at: Set(None),
        confirmed_by: Set(None),
        confirmed_at: Set(None),
        reminder_stage: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A manager of the employee (or HR) opens an improvement plan: one per employee and cycle.
pub async fn open(
    ctx: &Ctx,
    viewer: &Viewer,
    input: OpenPlan,
) -> DomainResult<development_plan::Model> {
    let objectives = required_text("objectives", &input.objectives, MAX_TEXT)?;
    let support = optional_text("support", &input.support, MAX_TEXT)?;
    let now = ctx.clock.now();
    if input.check_dates.is_empty() || input.check_dates.len() > MAX_CHECKS {
        return Err(DomainError::bad(
            "checkDates",
            format!("an improvement plan has 1 to {MAX_CHECKS} check dates"),
        ));
    }
    let mut dates = input.check_dates.clone();
    for (i, day) in dates.iter().enumerate() {
        check_future(&format!("checkDates[{i}]"), *day, now)?;
    }
    dates.sort();
    dates.dedup();
    let txn = crate::db::begin(&ctx.db).await?;
    let person = find::<employee::Entity>(&txn, input.employee_id, "employee").await?;
    if !is_manager_side(viewer, &person) {
        return Err(DomainError::forbidden(
            "an improvement plan is opened by one of the employee's managers or HR",
        ));
    }
    if !person.active {
        return Err(DomainError::conflict(format!("{} has left", person.name)));
    }
    let cycle = find::<cycle::Entity>(&txn, input.cycle_id, "cycle").await?;
    check_cycle(&cycle)?;
    let (plan, new) = open_plan(
        &txn,
        &person,
        &cycle,
        PlanKind::Improvement,
        viewer.id(),
        now,
    )
    .await?;
    if !new {
        return Err(DomainError::conflict(format!(
            "{} already has an improvement plan in {}",
            person.name, cycle.name
        )));
    }
    development_plan::Entity::update_many()
        .col_expr(
            development_plan::Column::Objectives,
            Expr::value(objectives),
        )
        .col_expr(development_plan::Column::Support, Expr::value(support))
        .filter(development_plan::Column::Id.eq(plan.id))
        .exec(&txn)
        .await?;
    for (i, day) in dates.iter().enumerate() {
        add_check(
            &txn,
            &plan,
            *day,
            format!("Check {}", i + 1),
            viewer.id(),
            now,
        )
        .await?;
    }
    let plan = find::<development_plan::Entity>(&txn, plan.id, "development plan").await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "improvement_plan.open",
            entity: "development_plan",
            entity_id: plan.id,
            before: None,
            after: Some(json!({
                "employeeId": person.id, "cycleId": cycle.id, "checkDates": dates,
            })),
        },
    )
    .await?;
    let event = DomainEvent::ImprovementPlanChanged {
        plan_id: plan.id,
        employee_id: person.id,
        outcome: None,
        next_check_on: dates.first().copied(),
        by: viewer.id(),
        change_id: Uuid::now_v7(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(plan)
}

/// The outcome as it is recorded.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub outcome: PlanOutcome,
    pub note: String,
    /// EXTENDED only: the next check date.
    pub next_check_on: Option<NaiveDate>,
}

/// A manager of the employee (or HR) records an open improvement plan's outcome.
pub async fn record_outcome(
    ctx: &Ctx,
    viewer: &Viewer,
    plan_id: Uuid,
    input: Outcome,
) -> DomainResult<development_plan::Model> {
    let note = optional_text("note", &input.note, MAX_TEXT)?;
    let now = ctx.clock.now();
    match (input.outcome, input.next_check_on) {
        (PlanOutcome::Extended, None) => {
            return Err(DomainError::bad(
                "nextCheckOn",
                "an EXTENDED plan needs its next check date",
            ));
        }
        (PlanOutcome::Extended, Some(day)) => check_future("nextCheckOn", day, now)?,
        (_, Some(_)) => {
            return Err(DomainError::bad(
                "nextCheckOn",
                "only an EXTENDED plan has a next check date",
            ));
        }
        (_, None) => {}
    }
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<development_plan::Model>(&txn, viewer, plan_id).await?;
    if current.kind != PlanKind::Improvement {
        return Err(DomainError::bad(
            "planId",
            "outcomes are recorded on improvement plans",
        ));
    }
    if !is_manager_side(viewer, &owner) {
        return Err(DomainError::forbidden(
            "an improvement plan's outcome is recorded by the employee's managers or HR",
        ));
    }
    check_cycle(&find::<cycle::Entity>(&txn, current.cycle_id, "cycle").await?)?;
    let closes = input.outcome != PlanOutcome::Extended;
    let changed = development_plan::Entity::update_many()
        .col_expr(
            development_plan::Column::Outcome,
            Expr::value(Some(input.outcome)),
        )
        .col_expr(development_plan::Column::OutcomeNote, Expr::value(note))
        .col_expr(
            development_plan::Column::Status,
            Expr::value(if closes {
                PlanStatus::Closed
            } else {
                PlanStatus::Open
            }),
        )
        .col_expr(
            development_plan::Column::ClosedAt,
            Expr::value(closes.then_some(now)),
        )
        .col_expr(development_plan::Column::UpdatedAt, Expr::value(now))
        .filter(development_plan::Column::Id.eq(plan_id))
        .filter(development_plan::Column::Status.eq(PlanStatus::Open))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the plan is closed: its outcome is recorded",
        ));
    }
    if let Some(day) = input.next_check_on {
        add_check(
            &txn,
            &current,
            day,
            "Extended check".into(),
            viewer.id(),
            now,
        )
        .await?;
    }
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "improvement_plan.outcome",
            entity: "development_plan",
            entity_id: plan_id,
            before: Some(json!({ "status": current.status, "outcome": current.outcome })),
            after: Some(json!({ "outcome": input.outcome, "nextCheckOn": input.next_check_on })),
        },
    )
    .await?;
    let event = DomainEvent::ImprovementPlanChanged {
        plan_id,
        employee_id: owner.id,
        outcome: Some(input.outcome),
        next_check_on: input.next_check_on,
        by: viewer.id(),
        change_id: Uuid::now_v7(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    let plan = find::<development_plan::Entity>(&txn, plan_id, "development plan").await?;
    txn.commit().await?;
    Ok(plan)
}
