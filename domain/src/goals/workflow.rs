//! The goal workflow: create and edit drafts, propose, agree (weights add up to 100), close.
//! Every step is audited and emits its event in the step's transaction.

use super::input::{NewGoal, ValidKeyResult, ValidPatch, visibility_for};
use super::rollup;
use super::{GoalInput, GoalPatch, Outcome, is_closed};
use crate::audit::{self, Change};
use crate::calendar;
use crate::cycles;
use crate::error::{DomainError, DomainResult};
use crate::events::{DomainEvent, GoalFacts};
use crate::permissions::{self, can_read_goal};
use crate::publish;
use crate::query::{find, find_readable};
use crate::values::{CyclePhase, DecimalText, GoalLevel, GoalStatus};
use crate::{Ctx, Viewer};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{cycle, employee, goal, key_result};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

/// Goals change only while their cycle is PLANNING or ACTIVE.
pub(super) fn check_open_cycle(cycle: &cycle::Model) -> DomainResult<()> {
    if matches!(cycle.phase, CyclePhase::Planning | CyclePhase::Active) {
        Ok(())
    } else {
        Err(DomainError::conflict(format!(
            "cycle {} is in {}; goals can change only while it is PLANNING or ACTIVE",
            cycle.name, cycle.phase
        )))
    }
}

/// Timely: due inside the cycle, and not before today in the owner's timezone.
fn check_due(
    ctx: &Ctx,
    cycle: &cycle::Model,
    owner: &employee::Model,
    due_on: NaiveDate,
) -> DomainResult<()> {
    if due_on < cycle.starts_on || due_on > cycle.ends_on {
        return Err(DomainError::bad(
            "dueOn",
            format!(
                "the due date must be inside the cycle ({} to {})",
                cycle.starts_on, cycle.ends_on
            ),
        ));
    }
    let today = ctx.clock.today_in(calendar::zone(owner));
    if due_on < today {
        return Err(DomainError::bad(
            "dueOn",
            format!("the due date {due_on} is in the past (today is {today})"),
        ));
    }
    Ok(())
}

/// Checks a parent goal: same cycle, visible to the owner, and not the goal itself or one
/// of its descendants.
async fn check_parent(
    db: &impl ConnectionTrait,
    owner: &employee::Model,
    cycle_id: Uuid,
    goal_id: Option<Uuid>,
    parent_id: Uuid,
) -> DomainResult<()> {
    let not_found = || DomainError::bad("parentId", "no such parent goal visible to the owner");
    let parent = goal::Entity::find_by_id(parent_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let parent_owner = find::<employee::Entity>(db, parent.owner_id, "employee").await?;
    let as_owner = Viewer {
        employee: owner.clone(),
    };
    if !can_read_goal(&as_owner, &parent, &parent_owner) {
        return Err(not_found());
    }
    if parent.cycle_id != cycle_id {
        return Err(DomainError::bad(
            "parentId",
            "the parent goal belongs to another cycle",
        ));
    }
    if parent.status == GoalStatus::Dropped {
        return Err(DomainError::bad("parentId", "the parent goal was dropped"));
    }
    if let Some(goal_id) = goal_id {
        // Walk up from the parent: meeting the goal itself would close a loop.
        let mut cursor = Some(parent);
        let mut seen = HashSet::new();
        while let Some(g) = cursor {
            if g.id == goal_id {
                return Err(DomainError::bad(
                    "parentId",
                    "a goal cannot be aligned under itself or one of its own sub-goals",
                ));
            }
            if !seen.insert(g.id) {
                break;
            }
            cursor = match g.parent_id {
                Some(p) => goal::Entity::find_by_id(p).one(db).await?,
                None => None,
            };
        }
    }
    Ok(())
}

async fn insert_key_results(
    txn: &DatabaseTransaction,
    goal_id: Uuid,
    krs: Vec<ValidKeyResult>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let models = krs
        .into_iter()
        .enumerate()
        .map(|(i, kr)| key_result::ActiveModel {
            id: Set(Uuid::new_v4()),
            goal_id: Set(goal_id),
            position: Set(i as i32),
            metric: Set(kr.metric),
            unit: Set(kr.unit),
            direction: Set(kr.direction),
            start_value: Set(DecimalText(kr.start)),
            target_value: Set(DecimalText(kr.target)),
            current_value: Set(DecimalText(kr.current)),
            weight: Set(kr.weight),
            updated_at: Set(now),
        });
    key_result::Entity::insert_many(models)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

fn snapshot(g: &goal::Model) -> serde_json::Value {
    json!({
        "title": g.title, "status": g.status, "weight": g.weight, "dueOn": g.due_on,
        "parentId": g.parent_id, "visibility": g.visibility, "level": g.level,
    })
}

/// Audits a change to a goal and emits its event, in the change's transaction.
async fn record(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    viewer: &Viewer,
    action: &str,
    before: Option<&goal::Model>,
    after: &goal::Model,
    event: DomainEvent,
) -> DomainResult<()> {
    let now = ctx.clock.now();
    audit::record(
        txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action,
            entity: "goal",
            entity_id: after.id,
            before: before.map(snapshot),
            after: Some(snapshot(after)),
        },
    )
    .await?;
    publish::emit(txn, now, Some(viewer.id()), vec![event]).await?;
    Ok(())
}

/// Creates a goal in `DRAFT`.
pub async fn create(ctx: &Ctx, viewer: &Viewer, input: GoalInput) -> DomainResult<goal::Model> {
    let valid = NewGoal::try_from(&input)?;
    let txn = crate::db::begin(&ctx.db).await?;
    let owner = match input.owner_id {
        Some(id) if id != viewer.id() => employee::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::bad("ownerId", "no such employee"))?,
        _ => viewer.employee.clone(),
    };
    permissions::require_create_goal_for(viewer, &owner)?;
    let cycle = cycle::Entity::find_by_id(input.cycle_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::bad("cycleId", "no such cycle"))?;
    check_open_cycle(&cycle)?;
    if input.level == GoalLevel::Company
        && !(viewer.is_hr() || viewer.employee.manager_id.is_none())
    {
        return Err(DomainError::forbidden(
            "company goals are set by HR or the head of the organisation",
        ));
    }
    check_due(ctx, &cycle, &owner, input.due_on)?;
    if let Some(parent) = input.parent_id {
        check_parent(&txn, &owner, cycle.id, None, parent).await?;
    }
    let now = ctx.clock.now();
    let mut created = goal::ActiveModel {
        id: Set(Uuid::new_v4()),
        cycle_id: Set(cycle.id),
        owner_id: Set(owner.id),
        parent_id: Set(input.parent_id),
        level: Set(input.level),
        visibility: Set(valid.visibility),
        title: Set(valid.title.into_inner()),
        description: Set(valid.description),
        weight: Set(valid.weight.get()),
        due_on: Set(input.due_on),
        status: Set(GoalStatus::Draft),
        created_by: Set(viewer.id()),
        progress_ppm: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    insert_key_results(&txn, created.id, valid.key_results, now).await?;
    // The parent may have had no children until now: it rolls up this one from here on.
    let written = rollup::refresh(&txn, &[Some(created.id), created.parent_id]).await?;
    rollup::apply(&mut created, &written);
    let event = DomainEvent::GoalCreated {
        goal_id: created.id,
        owner_id: owner.id,
        cycle_id: cycle.id,
    };
    record(&txn, ctx, viewer, "goal.create", None, &created, event).await?;
    txn.commit().await?;
    Ok(created)
}

/// Edits a goal that is not yet agreed.
pub async fn update(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    patch: GoalPatch,
) -> DomainResult<goal::Model> {
    let valid = ValidPatch::try_from(&patch)?;
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<goal::Model>(&txn, viewer, id).await?;
    permissions::require_edit_goal(viewer, current.status, &owner)?;
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    check_open_cycle(&cycle)?;
    let mut model: goal::ActiveModel = current.clone().into();
    if let Some(title) = valid.title {
        model.title = Set(title.into_inner());
    }
    if let Some(description) = valid.description {
        model.description = Set(description);
    }
    if let Some(weight) = valid.weight {
        model.weight = Set(weight.get());
    }
    if let Some(due_on) = patch.due_on {
        check_due(ctx, &cycle, &owner, due_on)?;
        model.due_on = Set(due_on);
    }
    if let Some(visibility) = patch.visibility {
        model.visibility = Set(visibility_for(current.level, Some(visibility))?);
    }
    if let Some(parent) = patch.parent_id {
        if let Some(parent) = parent {
            check_parent(&txn, &owner, cycle.id, Some(id), parent).await?;
        }
        model.parent_id = Set(parent);
    }
    let now = ctx.clock.now();
    if let Some(krs) = valid.key_results {
        key_result::Entity::delete_many()
            .filter(key_result::Column::GoalId.eq(id))
            .exec(&txn)
            .await?;
        insert_key_results(&txn, id, krs, now).await?;
    }
    model.updated_at = Set(now);
    let mut updated = model.update(&txn).await?;
    let mut touched = vec![Some(id)];
    if updated.weight != current.weight || updated.parent_id != current.parent_id {
        touched.extend([current.parent_id, updated.parent_id]);
    }
    let written = rollup::refresh(&txn, &touched).await?;
    rollup::apply(&mut updated, &written);
    let event = DomainEvent::GoalUpdated {
        goal_id: updated.id,
        owner_id: owner.id,
    };
    record(
        &txn,
        ctx,
        viewer,
        "goal.update",
        Some(&current),
        &updated,
        event,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Moves a goal to `status`, conditional on the status read earlier: of two racing
/// requests, one wins and the other hears CONFLICT.
async fn set_status(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    current: &goal::Model,
    status: GoalStatus,
) -> DomainResult<goal::Model> {
    let now = ctx.clock.now();
    let changed = goal::Entity::update_many()
        .col_expr(goal::Column::Status, Expr::value(status))
        .col_expr(goal::Column::UpdatedAt, Expr::value(now))
        .filter(goal::Column::Id.eq(current.id))
        .filter(goal::Column::Status.eq(current.status))
        .exec(txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the goal changed meanwhile; reload it and try again",
        ));
    }
    if current.status == GoalStatus::Dropped || status == GoalStatus::Dropped {
        // The parent stops (or starts) counting this goal.
        rollup::refresh(txn, &[current.parent_id]).await?;
    }
    Ok(goal::Model {
        status,
        updated_at: now,
        ..current.clone()
    })
}

/// The owner (or a manager or HR on their behalf) proposes a draft for agreement; the
/// owner's manager is told.
pub async fn propose(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<goal::Model>(&txn, viewer, id).await?;
    permissions::require_record_progress(viewer, &owner)?;
    if current.status != GoalStatus::Draft {
        return Err(DomainError::conflict(format!(
            "only a DRAFT goal can be proposed; this one is {}",
            current.status
        )));
    }
    check_open_cycle(&cycles::find(&txn, current.cycle_id).await?)?;
    let updated = set_status(&txn, ctx, &current, GoalStatus::Proposed).await?;
    let event = DomainEvent::GoalProposed {
        goal: GoalFacts::of(&updated),
    };
    record(
        &txn,
        ctx,
        viewer,
        "goal.propose",
        Some(&current),
        &updated,
        event,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// A manager of the owner (or HR) agrees a proposed goal. Agreed goals of one owner in a
/// cycle may never exceed 100 in weight, and must total exactly 100 once none is pending.
pub async fn agree(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<goal::Model>(&txn, viewer, id).await?;
    permissions::require_manage_goal(viewer, &owner)?;
    // Serialise agreements for one owner (a row lock on PostgreSQL) so that two at once
    // cannot both pass the weight check.
    employee::Entity::find_by_id(owner.id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    if current.status != GoalStatus::Proposed {
        return Err(DomainError::conflict(format!(
            "only a PROPOSED goal can be agreed; this one is {}",
            current.status
        )));
    }
    check_open_cycle(&cycles::find(&txn, current.cycle_id).await?)?;
    let siblings = goal::Entity::find()
        .filter(goal::Column::OwnerId.eq(current.owner_id))
        .filter(goal::Column::CycleId.eq(current.cycle_id))
        .filter(goal::Column::Id.ne(current.id))
        .all(&txn)
        .await?;
    let agreed: i32 = siblings
        .iter()
        .filter(|g| g.status == GoalStatus::Agreed)
        .map(|g| g.weight)
        .sum::<i32>()
        + current.weight;
    let pending = siblings
        .iter()
        .any(|g| matches!(g.status, GoalStatus::Draft | GoalStatus::Proposed));
    if agreed > 100 || (!pending && agreed != 100) {
        return Err(DomainError::bad(
            "weight",
            format!(
                "{}'s agreed goals in this cycle would weigh {agreed} in total; they must add up to 100{}",
                owner.name,
                if pending {
                    ""
                } else {
                    " once the last goal is agreed"
                }
            ),
        ));
    }
    let updated = set_status(&txn, ctx, &current, GoalStatus::Agreed).await?;
    let event = DomainEvent::GoalAgreed {
        goal: GoalFacts::of(&updated),
        agreed_by: viewer.id(),
    };
    record(
        &txn,
        ctx,
        viewer,
        "goal.agree",
        Some(&current),
        &updated,
        event,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Ends a goal. Achieved and missed need an agreed goal and a manager or HR; a draft can
/// also be dropped by its owner.
pub async fn close(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    outcome: Outcome,
) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<goal::Model>(&txn, viewer, id).await?;
    let status = current.status;
    let (to, action) = match outcome {
        Outcome::Achieved => (GoalStatus::Achieved, "goal.achieve"),
        Outcome::Missed => (GoalStatus::Missed, "goal.miss"),
        Outcome::Dropped => (GoalStatus::Dropped, "goal.drop"),
    };
    if is_closed(status) {
        return Err(DomainError::conflict(format!(
            "the goal is already {status}"
        )));
    }
    let owner_drops_draft =
        outcome == Outcome::Dropped && status == GoalStatus::Draft && viewer.id() == owner.id;
    if !owner_drops_draft {
        permissions::require_manage_goal(viewer, &owner)?;
    }
    if outcome != Outcome::Dropped && status != GoalStatus::Agreed {
        return Err(DomainError::conflict(format!(
            "only an AGREED goal can be {to}; this one is {status}"
        )));
    }
    let updated = set_status(&txn, ctx, &current, to).await?;
    let event = DomainEvent::GoalClosed {
        goal_id: updated.id,
        owner_id: owner.id,
        status: to,
    };
    record(&txn, ctx, viewer, action, Some(&current), &updated, event).await?;
    txn.commit().await?;
    Ok(updated)
}
