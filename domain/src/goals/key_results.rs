//! Key results after agreement: recording where they stand, and revising a target
//! ("raising expectations") with the old one kept in the goal's revision history.

use super::input::{check_direction, check_value};
use super::rules::{self, GoalAction};
use crate::audit::{self, Change};
use crate::cycles;
use crate::error::{DomainError, DomainResult};
use crate::events::{DomainEvent, GoalFacts};
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::progress;
use crate::publish;
use crate::query::{Keyset, keyset_page};
use crate::query::{find, find_readable, rows_in};
use crate::values::{DecimalText, Direction, GoalStatus, required_text};
use crate::{Ctx, Viewer};
use entity::{employee, goal, goal_revision, key_result, key_result_update};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// A key result with its goal and the goal's owner, if the viewer may read the goal.
async fn readable_key_result(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<(key_result::Model, goal::Model, employee::Model)> {
    let kr = find::<key_result::Entity>(db, id, "key result").await?;
    let (goal, owner) = find_readable::<goal::Model>(db, viewer, kr.goal_id)
        .await
        .map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::NotFound("key result"),
            other => other,
        })?;
    Ok((kr, goal, owner))
}

/// One key result, if the viewer may read its goal (else `NOT_FOUND`, as for the goal).
pub async fn get_key_result(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<key_result::Model> {
    Ok(readable_key_result(&ctx.db, viewer, id).await?.0)
}

/// Key results by id, for batch loading (unfiltered: callers check read access on the goal).
pub async fn key_results_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, key_result::Model>> {
    crate::query::by_ids::<key_result::Entity>(db, key_result::Column::Id, ids).await
}

/// What recording a key result's value changed.
pub struct ProgressRecorded {
    /// The key result, with its new value.
    pub key_result: key_result::Model,
    /// The change, as its history keeps it.
    pub update: key_result_update::Model,
    /// Its goal, then each ancestor whose rolled-up progress moved.
    pub moved_goals: Vec<Uuid>,
}

/// Records where an agreed goal's key result stands now.
pub async fn record_progress(
    ctx: &Ctx,
    viewer: &Viewer,
    key_result_id: Uuid,
    current: Decimal,
) -> DomainResult<ProgressRecorded> {
    check_value("value", current)?;
    let txn = crate::db::begin(&ctx.db).await?;
    let (_, goal, owner) = readable_key_result(&txn, viewer, key_result_id).await?;
    let cycle = cycles::find(&txn, goal.cycle_id).await?;
    rules::check(GoalAction::RecordProgress, viewer, &goal, &owner, &cycle)?;
    // Read again under a lock (PostgreSQL): the history's previous value must be the one
    // this write replaces, not one a concurrent write already replaced.
    let kr = key_result::Entity::find_by_id(key_result_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("key result"))?;
    let now = ctx.clock.now();
    let before = kr.current_value;
    let mut model: key_result::ActiveModel = kr.into();
    model.current_value = Set(DecimalText(current));
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    let update = record_update(&txn, &updated, before, Some(viewer.id()), None, now).await?;
    let written = super::rollup::refresh(&txn, ctx.clock.today(), &[Some(goal.id)]).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "key_result.progress",
            entity: "key_result",
            entity_id: updated.id,
            before: Some(json!({ "current": before })),
            after: Some(json!({ "current": updated.current_value })),
        },
    )
    .await?;
    publish::emit(
        &txn,
        now,
        Some(viewer.id()),
        vec![DomainEvent::KeyResultProgressed {
            goal_id: goal.id,
            owner_id: owner.id,
            key_result_id: updated.id,
            previous: before,
            current: updated.current_value,
        }],
    )
    .await?;
    txn.commit().await?;
    Ok(ProgressRecorded {
        key_result: updated,
        update,
        moved_goals: super::rollup::moved(&[goal.id], &written),
    })
}

/// Keeps one change of a key result's current value in its history.
pub(crate) async fn record_update(
    db: &impl ConnectionTrait,
    kr: &key_result::Model,
    previous: DecimalText,
    by: Option<Uuid>,
    check_in_id: Option<Uuid>,
    at: chrono::DateTime<chrono::Utc>,
) -> DomainResult<key_result_update::Model> {
    Ok(key_result_update::ActiveModel {
        id: Set(Uuid::now_v7()),
        key_result_id: Set(kr.id),
        check_in_id: Set(check_in_id),
        previous_value: Set(previous),
        new_value: Set(kr.current_value),
        recorded_by: Set(by),
        recorded_at: Set(at),
    }
    .insert(db)
    .await?)
}

/// Newest first, the order of `KeyResult.updates`.
const UPDATES: Keyset<key_result_update::Entity> = Keyset {
    key: key_result_update::Column::RecordedAt,
    id: key_result_update::Column::Id,
    descending: true,
    position: |u| Position {
        key: SortKey::Time(u.recorded_at),
        id: u.id,
    },
};

/// A page of one key result's value history, newest first, if the viewer may read its goal.
pub async fn updates(
    ctx: &Ctx,
    viewer: &Viewer,
    key_result_id: Uuid,
    page: &PageRequest,
) -> DomainResult<Page<key_result_update::Model>> {
    readable_key_result(&ctx.db, viewer, key_result_id).await?;
    let query = key_result_update::Entity::find()
        .filter(key_result_update::Column::KeyResultId.eq(key_result_id));
    let sample = SortKey::Time(chrono::DateTime::UNIX_EPOCH);
    keyset_page(&ctx.db, query, &UPDATES, &sample, page).await
}

/// What revising a target changed.
pub struct TargetRevised {
    /// The revision, as the goal's history keeps it.
    pub revision: goal_revision::Model,
    /// The key result, with its new target.
    pub key_result: key_result::Model,
    /// Its goal, then each ancestor whose rolled-up progress moved.
    pub moved_goals: Vec<Uuid>,
}

/// Moves an agreed key result's target ("raising expectations"), keeping the old one in
/// the goal's revision history and telling the owner.
pub async fn revise_target(
    ctx: &Ctx,
    viewer: &Viewer,
    key_result_id: Uuid,
    new_target: Decimal,
    reason: &str,
) -> DomainResult<TargetRevised> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (kr, goal, owner) = readable_key_result(&txn, viewer, key_result_id).await?;
    let cycle = cycles::find(&txn, goal.cycle_id).await?;
    rules::check(GoalAction::ReviseTarget, viewer, &goal, &owner, &cycle)?;
    let reason = required_text("reason", reason, 2000)?;
    check_value("newTarget", new_target)?;
    if new_target == kr.target_value.0 {
        return Err(DomainError::bad(
            "newTarget",
            "the new target equals the current target",
        ));
    }
    if new_target == kr.start_value.0 {
        return Err(DomainError::bad(
            "newTarget",
            "the target must differ from the start value",
        ));
    }
    check_direction("newTarget", kr.direction, kr.start_value.0, new_target)?;
    let raised = super::expectations::is_raise(kr.direction, kr.target_value.0, new_target);
    let goal = if goal.status == GoalStatus::Agreed {
        goal
    } else if raised {
        // Achieved before its due date: raising the target reopens it.
        super::workflow::reopen(&txn, ctx, viewer, &goal).await?
    } else {
        return Err(DomainError::bad(
            "newTarget",
            format!(
                "the goal is {}: its target can only be raised ({} for this key result)",
                goal.status,
                match kr.direction {
                    Direction::Increase => "higher",
                    Direction::Decrease => "lower",
                }
            ),
        ));
    };
    let now = ctx.clock.now();
    let revision = goal_revision::ActiveModel {
        id: Set(Uuid::new_v4()),
        goal_id: Set(goal.id),
        key_result_id: Set(kr.id),
        old_target: Set(kr.target_value),
        new_target: Set(DecimalText(new_target)),
        reason: Set(reason),
        revised_by: Set(viewer.id()),
        revised_at: Set(now),
    }
    .insert(&txn)
    .await?;
    super::expectations::record_revision(&txn, &goal, &kr, &revision).await?;
    let metric = kr.metric.clone();
    let mut model: key_result::ActiveModel = kr.into();
    model.target_value = Set(DecimalText(new_target));
    model.updated_at = Set(now);
    let key_result = model.update(&txn).await?;
    let written = super::rollup::refresh(&txn, ctx.clock.today(), &[Some(goal.id)]).await?;
    audit::record(&txn, now, Change {
        actor: Some(viewer.id()),
        action: "goal.revise_target",
        entity: "goal",
        entity_id: goal.id,
        before: Some(json!({ "keyResultId": revision.key_result_id, "target": revision.old_target })),
        after: Some(json!({ "keyResultId": revision.key_result_id, "target": revision.new_target, "reason": revision.reason })),
    })
    .await?;
    publish::emit(
        &txn,
        now,
        Some(viewer.id()),
        vec![DomainEvent::GoalTargetRevised {
            goal: GoalFacts::of(&goal),
            revision_id: revision.id,
            key_result_id: revision.key_result_id,
            metric,
            old_target: revision.old_target,
            new_target: revision.new_target,
            reason: revision.reason.clone(),
            revised_by: viewer.id(),
            raised,
        }],
    )
    .await?;
    txn.commit().await?;
    Ok(TargetRevised {
        revision,
        key_result,
        moved_goals: super::rollup::moved(&[goal.id], &written),
    })
}

/// Key results of each goal, in order, for batch loading.
pub async fn key_results_of(
    db: &impl ConnectionTrait,
    goal_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<key_result::Model>>> {
    let query = key_result::Entity::find().order_by_asc(key_result::Column::Position);
    let mut found: HashMap<Uuid, Vec<key_result::Model>> = HashMap::new();
    for kr in rows_in(db, query, key_result::Column::GoalId, goal_ids).await? {
        found.entry(kr.goal_id).or_default().push(kr);
    }
    Ok(found)
}

/// Target revisions of each goal, oldest first, for batch loading.
pub async fn revisions_of(
    db: &impl ConnectionTrait,
    goal_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<goal_revision::Model>>> {
    let query = goal_revision::Entity::find().order_by_asc(goal_revision::Column::RevisedAt);
    let mut found: HashMap<Uuid, Vec<goal_revision::Model>> = HashMap::new();
    for r in rows_in(db, query, goal_revision::Column::GoalId, goal_ids).await? {
        found.entry(r.goal_id).or_default().push(r);
    }
    Ok(found)
}

/// Progress of one key result row.
pub fn key_result_progress(kr: &key_result::Model) -> Decimal {
    progress::key_result(kr.start_value.0, kr.target_value.0, kr.current_value.0)
}
