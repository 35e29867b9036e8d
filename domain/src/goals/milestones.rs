//! A goal's action plan: ordered milestones ("how will you achieve it"), kept by the people
//! who may record the goal's progress, and ticked off as they are done.

use super::rules::{self, GoalAction};
use crate::audit::{self, Change};
use crate::cycles;
use crate::error::{DomainError, DomainResult};
use crate::query::{find, find_readable, rows_in};
use crate::values::required_text;
use crate::{Ctx, Viewer};
use chrono::NaiveDate;
use entity::{goal, milestone};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Most milestones one goal's plan holds.
pub const MAX_MILESTONES: usize = 20;

/// Longest milestone title, in characters.
const MAX_TITLE: usize = 200;

/// One milestone of a plan as a client sends it.
#[derive(Debug, Clone)]
pub struct MilestoneInput {
    /// The milestone to keep (changed in place); `None` adds one.
    pub id: Option<Uuid>,
    /// What will be done.
    pub title: String,
    /// By when: between the cycle's first day and the goal's due date.
    pub due_on: NaiveDate,
}

/// Makes `goal_id`'s plan the list `plan`, in order: entries with an id change that milestone
/// in place (keeping whether it is done), entries without add one, and milestones left out
/// are removed. Answers the goal.
pub async fn set(
    ctx: &Ctx,
    viewer: &Viewer,
    goal_id: Uuid,
    plan: Vec<MilestoneInput>,
) -> DomainResult<goal::Model> {
    if plan.len() > MAX_MILESTONES {
        return Err(DomainError::bad(
            "milestones",
            format!("a plan holds at most {MAX_MILESTONES} milestones"),
        ));
    }
    let txn = crate::db::begin(&ctx.db).await?;
    let (goal, owner) = find_readable::<goal::Model>(&txn, viewer, goal_id).await?;
    let cycle = cycles::find(&txn, goal.cycle_id).await?;
    rules::check(GoalAction::PlanMilestones, viewer, &goal, &owner, &cycle)?;
    let existing: HashMap<Uuid, milestone::Model> = milestone::Entity::find()
        .filter(milestone::Column::GoalId.eq(goal.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let now = ctx.clock.now();
    let mut kept = HashSet::new();
    for (i, step) in plan.iter().enumerate() {
        let title = required_text(&format!("milestones[{i}].title"), &step.title, MAX_TITLE)?;
        if step.due_on < cycle.starts_on || step.due_on > goal.due_on {
            return Err(DomainError::bad(
                format!("milestones[{i}].dueOn"),
                format!(
                    "a milestone is due between the cycle's start ({}) and the goal's due date ({})",
                    cycle.starts_on, goal.due_on
                ),
            ));
        }
        let position = i32::try_from(i).unwrap_or(i32::MAX);
        match step.id {
            Some(id) => {
                if !existing.contains_key(&id) || !kept.insert(id) {
                    return Err(DomainError::bad(
                        format!("milestones[{i}].id"),
                        "not a milestone of this goal, or named twice",
                    ));
                }
                milestone::ActiveModel {
                    id: sea_orm::ActiveValue::Unchanged(id),
                    position: Set(position),
                    title: Set(title),
                    due_on: Set(step.due_on),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
            }
            None => {
                milestone::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    goal_id: Set(goal.id),
                    position: Set(position),
                    title: Set(title),
                    due_on: Set(step.due_on),
                    done_at: Set(None),
                    done_by: Set(None),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    let removed: Vec<Uuid> = existing
        .keys()
        .filter(|id| !kept.contains(id))
        .copied()
        .collect();
    if !removed.is_empty() {
        milestone::Entity::delete_many()
            .filter(milestone::Column::Id.is_in(removed))
            .exec(&txn)
            .await?;
    }
    let plan: Vec<_> = plan
        .iter()
        .map(|m| json!({ "title": m.title, "dueOn": m.due_on }))
        .collect();
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "goal.plan",
            entity: "goal",
            entity_id: goal.id,
            before: Some(json!({ "milestones": existing.len() })),
            after: Some(json!({ "milestones": plan })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(goal)
}

/// Marks a milestone done (now, by the viewer) or not done again. Answers it.
pub async fn complete(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    done: bool,
) -> DomainResult<milestone::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let current = find::<milestone::Entity>(&txn, id, "milestone").await?;
    let (goal, owner) = find_readable::<goal::Model>(&txn, viewer, current.goal_id)
        .await
        .map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::NotFound("milestone"),
            other => other,
        })?;
    let cycle = cycles::find(&txn, goal.cycle_id).await?;
    rules::check(GoalAction::CompleteMilestone, viewer, &goal, &owner, &cycle)?;
    if current.done_at.is_some() == done {
        // Already so: nothing changes, and a repeated request answers the same.
        txn.commit().await?;
        return Ok(current);
    }
    let now = ctx.clock.now();
    let before = current.done_at;
    let mut model: milestone::ActiveModel = current.into();
    model.done_at = Set(done.then_some(now));
    model.done_by = Set(done.then_some(viewer.id()));
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "goal.milestone",
            entity: "goal",
            entity_id: goal.id,
            before: Some(json!({ "milestoneId": updated.id, "doneAt": before })),
            after: Some(json!({ "milestoneId": updated.id, "doneAt": updated.done_at })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Each goal's milestones in plan order, for batch loading.
pub async fn milestones_of(
    db: &impl ConnectionTrait,
    goal_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<milestone::Model>>> {
    let mut found: HashMap<Uuid, Vec<milestone::Model>> = HashMap::new();
    for m in rows_in(
        db,
        milestone::Entity::find(),
        milestone::Column::GoalId,
        goal_ids,
    )
    .await?
    {
        found.entry(m.goal_id).or_default().push(m);
    }
    for plan in found.values_mut() {
        plan.sort_by_key(|m| m.position);
    }
    Ok(found)
}
