//! The goal workflow: create and edit drafts, propose, agree (weights add up to 100), close.
//! Every step is audited and emits its event in the step's transaction.

use super::input::{NewGoal, ValidKeyResult, ValidPatch, visibility_for};
use super::rollup;
use super::rules::{self, GoalAction, check_open_cycle};
use super::{GoalInput, GoalPatch, Outcome, Side};
use crate::audit::{self, Change};
use crate::calendar;
use crate::cycles;
use crate::error::{DomainError, DomainResult};
use crate::events::{DomainEvent, GoalFacts};
use crate::permissions::{self, can_read_goal};
use crate::publish;
use crate::query::{find, find_readable};
use crate::values::{DecimalText, GoalHealth, GoalLevel, GoalStatus, GoalStep, required_text};
use crate::{Ctx, Viewer};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{cycle, employee, feedback, goal, goal_event, key_result, milestone};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

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

/// Inserts new key results, each at its place in the goal's list.
async fn insert_key_results(
    txn: &DatabaseTransaction,
    goal_id: Uuid,
    krs: Vec<(usize, ValidKeyResult)>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if krs.is_empty() {
        return Ok(());
    }
    let models = krs.into_iter().map(|(i, kr)| key_result::ActiveModel {
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

/// Makes a goal's key results the list `krs`: those with an id are changed in place (the id
/// must be one of the goal's), those without are added, and the goal's others are removed.
async fn replace_key_results(
    txn: &DatabaseTransaction,
    goal_id: Uuid,
    krs: Vec<ValidKeyResult>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let existing: HashSet<Uuid> = key_result::Entity::find()
        .filter(key_result::Column::GoalId.eq(goal_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|kr| kr.id)
        .collect();
    let mut kept = HashSet::new();
    let mut added = Vec::new();
    for (i, kr) in krs.into_iter().enumerate() {
        let Some(id) = kr.id else {
            added.push((i, kr));
            continue;
        };
        if !existing.contains(&id) {
            return Err(DomainError::bad(
                format!("keyResults[{i}].id"),
                "not a key result of this goal",
            ));
        }
        kept.insert(id);
        key_result::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(id),
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
        }
        .update(txn)
        .await?;
    }
    let removed: Vec<Uuid> = existing.difference(&kept).copied().collect();
    if !removed.is_empty() {
        key_result::Entity::delete_many()
            .filter(key_result::Column::Id.is_in(removed))
            .exec(txn)
            .await?;
    }
    insert_key_results(txn, goal_id, added, now).await
}

fn snapshot(g: &goal::Model) -> serde_json::Value {
    json!({
        "title": g.title, "status": g.status, "weight": g.weight, "dueOn": g.due_on,
        "parentId": g.parent_id, "visibility": g.visibility, "level": g.level,
    })
}

/// One step of a goal's history, recorded with the change it describes.
struct Step {
    id: Uuid,
    kind: GoalStep,
    /// The audit log's name for it.
    action: &'static str,
    reason: Option<String>,
}

impl Step {
    fn new(kind: GoalStep, action: &'static str) -> Self {
        Self {
            // Time-ordered, so that steps taken within one clock tick keep their order.
            id: Uuid::now_v7(),
            kind,
            action,
            reason: None,
        }
    }
}

/// Audits a change to a goal, adds the step to its history and emits its event, in the
/// change's transaction.
async fn record(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    viewer: &Viewer,
    step: Step,
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
            action: step.action,
            entity: "goal",
            entity_id: after.id,
            before: before.map(snapshot),
            after: Some(snapshot(after)),
        },
    )
    .await?;
    super::history::record(
        txn,
        goal_event::Model {
            id: step.id,
            goal_id: after.id,
            actor_id: viewer.id(),
            step: step.kind,
            from_status: before.map(|b| b.status),
            to_status: after.status,
            reason: step.reason,
            at: now,
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
    let followed = match input.follows_goal_id {
        Some(id) => Some(
            super::expectations::check_follow_up(&txn, &owner, &cycle, id, input.parent_id).await?,
        ),
        None => None,
    };
    let now = ctx.clock.now();
    let mut created = goal::ActiveModel {
        id: Set(Uuid::new_v4()),
        cycle_id: Set(cycle.id),
        owner_id: Set(owner.id),
        parent_id: Set(input.parent_id),
        follows_goal_id: Set(input.follows_goal_id),
        level: Set(input.level),
        visibility: Set(valid.visibility),
        title: Set(valid.title.into_inner()),
        description: Set(valid.description),
        weight: Set(valid.weight.get()),
        due_on: Set(input.due_on),
        status: Set(GoalStatus::Draft),
        created_by: Set(viewer.id()),
        proposed_by: Set(None),
        agreed_by: Set(None),
        agreed_at: Set(None),
        closed_at: Set(None),
        progress_ppm: Set(0),
        health: Set(None),
        health_since: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let krs = valid.key_results.into_iter().enumerate().collect();
    insert_key_results(&txn, created.id, krs, now).await?;
    // The parent may have had no children until now: it rolls up this one from here on.
    let written = rollup::refresh(
        &txn,
        ctx.clock.today(),
        &[Some(created.id), created.parent_id],
    )
    .await?;
    rollup::apply(&mut created, &written);
    let event = DomainEvent::GoalCreated {
        goal_id: created.id,
        owner_id: owner.id,
        cycle_id: cycle.id,
    };
    let step = Step::new(GoalStep::Created, "goal.create");
    record(&txn, ctx, viewer, step, None, &created, event).await?;
    if let Some(followed) = &followed {
        let event =
            super::expectations::record_follow_up(&txn, now, viewer.id(), followed, &created)
                .await?;
        publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    }
    txn.commit().await?;
    Ok(created)
}

/// Puts an ACHIEVED goal back to AGREED because its target was raised before its due date
/// (in the caller's transaction).
pub(super) async fn reopen(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    viewer: &Viewer,
    current: &goal::Model,
) -> DomainResult<goal::Model> {
    let next = goal::Model {
        status: GoalStatus::Agreed,
        closed_at: None,
        ..current.clone()
    };
    let updated = transition(txn, ctx, current, next).await?;
    let step = Step::new(GoalStep::Reopened, "goal.reopen");
    let event = DomainEvent::GoalReopened {
        goal: GoalFacts::of(&updated),
        step_id: step.id,
        reopened_by: viewer.id(),
    };
    record(txn, ctx, viewer, step, Some(current), &updated, event).await?;
    Ok(updated)
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
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    rules::check(GoalAction::Edit, viewer, &current, &owner, &cycle)?;
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
        replace_key_results(&txn, id, krs, now).await?;
    }
    model.updated_at = Set(now);
    let mut updated = model.update(&txn).await?;
    let mut touched = vec![Some(id)];
    if updated.weight != current.weight || updated.parent_id != current.parent_id {
        touched.extend([current.parent_id, updated.parent_id]);
    }
    let written = rollup::refresh(&txn, ctx.clock.today(), &touched).await?;
    rollup::apply(&mut updated, &written);
    let step = Step::new(GoalStep::Edited, "goal.update");
    let event = DomainEvent::GoalUpdated {
        goal: GoalFacts::of(&updated),
        step_id: step.id,
        edited_by: Some(viewer.id()),
    };
    record(&txn, ctx, viewer, step, Some(&current), &updated, event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Moves a goal from `current` to `next` (its status and who/when of the step), conditional
/// on the status read earlier: of two racing requests, one wins and the other hears CONFLICT.
async fn transition(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    current: &goal::Model,
    next: goal::Model,
) -> DomainResult<goal::Model> {
    let now = ctx.clock.now();
    let changed = goal::Entity::update_many()
        .col_expr(goal::Column::Status, Expr::value(next.status))
        .col_expr(goal::Column::ProposedBy, Expr::value(next.proposed_by))
        .col_expr(goal::Column::AgreedBy, Expr::value(next.agreed_by))
        .col_expr(goal::Column::AgreedAt, Expr::value(next.agreed_at))
        .col_expr(goal::Column::ClosedAt, Expr::value(next.closed_at))
        // Only an agreed goal has a health; it is computed below once the row says AGREED.
        .col_expr(
            goal::Column::Health,
            Expr::value(Option::<GoalHealth>::None),
        )
        .col_expr(
            goal::Column::HealthSince,
            Expr::value(Option::<NaiveDate>::None),
        )
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
    if current.status == GoalStatus::Dropped || next.status == GoalStatus::Dropped {
        // The parent stops (or starts) counting this goal.
        rollup::refresh(txn, ctx.clock.today(), &[current.parent_id]).await?;
    }
    if next.status == GoalStatus::Agreed {
        super::health::refresh(txn, ctx.clock.today(), &[current.id]).await?;
        return find::<goal::Entity>(txn, current.id, "goal").await;
    }
    Ok(goal::Model {
        updated_at: now,
        health: None,
        health_since: None,
        ..next
    })
}

/// Puts a draft up for agreement. The owner proposes to their manager; a manager of the
/// owner (or HR) proposes to the owner, who accepts it or returns it. The side asked is told.
pub async fn propose(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<goal::Model>(&txn, viewer, id).await?;
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    rules::check(GoalAction::Propose, viewer, &current, &owner, &cycle)?;
    let next = goal::Model {
        status: GoalStatus::Proposed,
        proposed_by: Some(viewer.id()),
        ..current.clone()
    };
    let updated = transition(&txn, ctx, &current, next).await?;
    let step = Step::new(GoalStep::Proposed, "goal.propose");
    let event = DomainEvent::GoalProposed {
        goal: GoalFacts::of(&updated),
        step_id: step.id,
        proposed_by: Some(viewer.id()),
    };
    record(&txn, ctx, viewer, step, Some(&current), &updated, event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A manager of the owner (or HR) agrees a goal the owner proposed. Agreed goals of one
/// owner in a cycle may never exceed 100 in weight, and must total exactly 100 once none is
/// pending.
pub async fn agree(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    complete_agreement(ctx, viewer, id, Side::Manager).await
}

/// The owner accepts a goal their manager (or HR) proposed to them; the same weight rules as
/// [`agree`].
pub async fn accept(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    complete_agreement(ctx, viewer, id, Side::Owner).await
}

async fn complete_agreement(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    side: Side,
) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<goal::Model>(&txn, viewer, id).await?;
    let action = match side {
        Side::Manager => GoalAction::Agree,
        Side::Owner => GoalAction::Accept,
    };
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    rules::check(action, viewer, &current, &owner, &cycle)?;
    // Serialise agreements for one owner (a row lock on PostgreSQL) so that two at once
    // cannot both pass the weight check.
    employee::Entity::find_by_id(owner.id)
        .lock_exclusive()
        .one(&txn)
        .await?;
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
    let next = goal::Model {
        status: GoalStatus::Agreed,
        agreed_by: Some(viewer.id()),
        agreed_at: Some(ctx.clock.now()),
        ..current.clone()
    };
    let updated = transition(&txn, ctx, &current, next).await?;
    let (kind, action) = match side {
        Side::Manager => (GoalStep::Agreed, "goal.agree"),
        Side::Owner => (GoalStep::Accepted, "goal.accept"),
    };
    let step = Step::new(kind, action);
    let event = DomainEvent::GoalAgreed {
        goal: GoalFacts::of(&updated),
        agreed_by: viewer.id(),
        step_id: step.id,
        proposed_by: current.proposed_by,
    };
    record(&txn, ctx, viewer, step, Some(&current), &updated, event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The side a goal was proposed to sends it back to DRAFT with a reason; whoever proposed it
/// is told why.
pub async fn return_goal(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    reason: &str,
) -> DomainResult<goal::Model> {
    let reason = required_text("reason", reason, 2000)?;
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<goal::Model>(&txn, viewer, id).await?;
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    rules::check(GoalAction::Return, viewer, &current, &owner, &cycle)?;
    let next = goal::Model {
        status: GoalStatus::Draft,
        ..current.clone()
    };
    let updated = transition(&txn, ctx, &current, next).await?;
    let step = Step {
        reason: Some(reason.clone()),
        ..Step::new(GoalStep::Returned, "goal.return")
    };
    let event = DomainEvent::GoalReturned {
        goal: GoalFacts::of(&updated),
        step_id: step.id,
        returned_by: viewer.id(),
        proposed_by: current.proposed_by.unwrap_or(owner.id),
        reason,
    };
    record(&txn, ctx, viewer, step, Some(&current), &updated, event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Ends a goal. Achieved and missed need an agreed goal and a manager or HR; a draft can
/// also be dropped by its owner. The owner is told when someone else closed it.
pub async fn close(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    outcome: Outcome,
) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<goal::Model>(&txn, viewer, id).await?;
    let (to, action, kind) = match outcome {
        Outcome::Achieved => (GoalStatus::Achieved, "goal.achieve", GoalStep::Achieved),
        Outcome::Missed => (GoalStatus::Missed, "goal.miss", GoalStep::Missed),
        Outcome::Dropped => (GoalStatus::Dropped, "goal.drop", GoalStep::Dropped),
    };
    let rule = match outcome {
        Outcome::Dropped => GoalAction::Drop,
        Outcome::Achieved | Outcome::Missed => GoalAction::Close,
    };
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    rules::check(rule, viewer, &current, &owner, &cycle)?;
    let next = goal::Model {
        status: to,
        closed_at: Some(ctx.clock.now()),
        ..current.clone()
    };
    let updated = transition(&txn, ctx, &current, next).await?;
    let step = Step::new(kind, action);
    let event = DomainEvent::GoalClosed {
        goal: GoalFacts::of(&updated),
        status: to,
        step_id: step.id,
        closed_by: Some(viewer.id()),
    };
    record(&txn, ctx, viewer, step, Some(&current), &updated, event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The owner deletes a draft with everything it holds (key results, history). A draft other
/// goals are aligned to, or that feedback names, is kept: drop it instead.
pub async fn delete(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<goal::Model>(&txn, viewer, id).await?;
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    rules::check(GoalAction::Delete, viewer, &current, &owner, &cycle)?;
    let children = goal::Entity::find()
        .filter(goal::Column::ParentId.eq(id))
        .count(&txn)
        .await?;
    if children > 0 {
        return Err(DomainError::conflict(format!(
            "{children} goal(s) are aligned to this draft; move them or drop the draft instead"
        )));
    }
    let feedback = feedback::Entity::find()
        .filter(feedback::Column::GoalId.eq(id))
        .count(&txn)
        .await?;
    if feedback > 0 {
        return Err(DomainError::conflict(
            "feedback was given about this draft; drop it instead, so the feedback keeps its goal",
        ));
    }
    key_result::Entity::delete_many()
        .filter(key_result::Column::GoalId.eq(id))
        .exec(&txn)
        .await?;
    goal_event::Entity::delete_many()
        .filter(goal_event::Column::GoalId.eq(id))
        .exec(&txn)
        .await?;
    milestone::Entity::delete_many()
        .filter(milestone::Column::GoalId.eq(id))
        .exec(&txn)
        .await?;
    super::expectations::forget_follow_up(&txn, id).await?;
    let deleted = goal::Entity::delete_many()
        .filter(goal::Column::Id.eq(id))
        .filter(goal::Column::Status.eq(GoalStatus::Draft))
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the goal changed meanwhile; reload it and try again",
        ));
    }
    rollup::refresh(&txn, ctx.clock.today(), &[current.parent_id]).await?;
    let now = ctx.clock.now();
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "goal.delete",
            entity: "goal",
            entity_id: id,
            before: Some(snapshot(&current)),
            after: None,
        },
    )
    .await?;
    let event = DomainEvent::GoalDeleted {
        goal: GoalFacts::of(&current),
        deleted_by: viewer.id(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(current)
}
