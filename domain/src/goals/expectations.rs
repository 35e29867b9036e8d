//! Raised expectations: when someone achieves a goal (or passes a key result's target) the
//! manager raises the target, or sets a follow-up goal (`follows_goal_id`, apart from the
//! alignment parent). Every target revision and every follow-up is a step in
//! `expectation_change`, the trajectory over cycles of what was expected and what had been
//! achieved when it changed.

use crate::error::{DomainError, DomainResult};
use crate::events::{DomainEvent, GoalFacts};
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::permissions::can_read_work_of;
use crate::query::{Keyset, find, keyset_page};
use crate::values::{DecimalText, Direction, ExpectationKind, GoalStatus};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::{cycle, employee, expectation_change, goal, goal_revision, key_result};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// Whether moving a target from `old` to `new` asks more: up for an increasing metric, down
/// for a decreasing one.
pub fn is_raise(direction: Direction, old: Decimal, new: Decimal) -> bool {
    match direction {
        Direction::Increase => new > old,
        Direction::Decrease => new < old,
    }
}

/// Whether a key result has reached its target.
pub fn passed_target(kr: &key_result::Model) -> bool {
    let (current, target) = (kr.current_value.0, kr.target_value.0);
    match kr.direction {
        Direction::Increase => current >= target,
        Direction::Decrease => current <= target,
    }
}

/// Whether a goal closed ACHIEVED before its due date (its target may still be raised).
pub fn achieved_early(goal: &goal::Model) -> bool {
    goal.status == GoalStatus::Achieved
        && goal
            .closed_at
            .is_some_and(|at| at.date_naive() < goal.due_on)
}

/// Records a target revision in the owner's expectation history.
pub(super) async fn record_revision(
    db: &impl ConnectionTrait,
    goal: &goal::Model,
    kr: &key_result::Model,
    revision: &goal_revision::Model,
) -> DomainResult<()> {
    expectation_change::ActiveModel {
        // Time-ordered, so that steps within one clock tick keep their order.
        id: Set(Uuid::now_v7()),
        employee_id: Set(goal.owner_id),
        cycle_id: Set(goal.cycle_id),
        goal_id: Set(goal.id),
        kind: Set(ExpectationKind::Revision),
        key_result_id: Set(Some(kr.id)),
        metric: Set(kr.metric.clone()),
        direction: Set(Some(kr.direction)),
        old_target: Set(Some(revision.old_target)),
        new_target: Set(Some(revision.new_target)),
        achieved: Set(Some(kr.current_value)),
        progress_ppm: Set(goal.progress_ppm),
        follow_up_goal_id: Set(None),
        reason: Set(revision.reason.clone()),
        changed_by: Set(revision.revised_by),
        changed_at: Set(revision.revised_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Checks that `followed_id` may be followed up by a new goal of `owner` in `cycle`: the
/// owner's own goal, ACHIEVED or AGREED with a key result past its target, in this cycle or
/// an earlier one, and not also the new goal's alignment parent.
pub(super) async fn check_follow_up(
    db: &impl ConnectionTrait,
    owner: &employee::Model,
    cycle: &cycle::Model,
    followed_id: Uuid,
    parent_id: Option<Uuid>,
) -> DomainResult<goal::Model> {
    const FIELD: &str = "followsGoalId";
    let followed = goal::Entity::find_by_id(followed_id)
        .one(db)
        .await?
        .filter(|g| g.owner_id == owner.id)
        .ok_or_else(|| DomainError::bad(FIELD, "no goal of this owner has that id"))?;
    if parent_id == Some(followed_id) {
        return Err(DomainError::bad(
            FIELD,
            "a goal follows up another goal, or aligns to it as its parent, not both",
        ));
    }
    let passed = match followed.status {
        GoalStatus::Achieved => true,
        GoalStatus::Agreed => key_result::Entity::find()
            .filter(key_result::Column::GoalId.eq(followed.id))
            .all(db)
            .await?
            .iter()
            .any(passed_target),
        _ => false,
    };
    if !passed {
        return Err(DomainError::bad(
            FIELD,
            format!(
                "a follow-up comes after an achievement: the goal is {} and no key result has \
                 reached its target",
                followed.status
            ),
        ));
    }
    let followed_cycle = find::<cycle::Entity>(db, followed.cycle_id, "cycle").await?;
    if followed_cycle.starts_on > cycle.starts_on {
        return Err(DomainError::bad(
            FIELD,
            "a follow-up belongs to the same cycle as the goal it follows or a later one",
        ));
    }
    Ok(followed)
}

/// Records a follow-up in the owner's expectation history and tells the owner.
pub(super) async fn record_follow_up(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    by: Uuid,
    followed: &goal::Model,
    created: &goal::Model,
) -> DomainResult<DomainEvent> {
    expectation_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        employee_id: Set(created.owner_id),
        cycle_id: Set(created.cycle_id),
        goal_id: Set(followed.id),
        kind: Set(ExpectationKind::FollowUp),
        key_result_id: Set(None),
        metric: Set(String::new()),
        direction: Set(None),
        old_target: Set(None),
        new_target: Set(None),
        achieved: Set(None),
        progress_ppm: Set(followed.progress_ppm),
        follow_up_goal_id: Set(Some(created.id)),
        reason: Set(String::new()),
        changed_by: Set(by),
        changed_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(DomainEvent::FollowUpGoalSet {
        goal: GoalFacts::of(created),
        follows_goal_id: followed.id,
        follows_title: followed.title.clone(),
        set_by: by,
    })
}

/// Forgets the follow-up steps of a draft that is deleted.
pub(super) async fn forget_follow_up(
    db: &impl ConnectionTrait,
    deleted_goal: Uuid,
) -> DomainResult<()> {
    expectation_change::Entity::delete_many()
        .filter(expectation_change::Column::FollowUpGoalId.eq(deleted_goal))
        .exec(db)
        .await?;
    Ok(())
}

/// Oldest first: the trajectory in the order it happened.
const TRAJECTORY: Keyset<expectation_change::Entity> = Keyset {
    key: expectation_change::Column::ChangedAt,
    id: expectation_change::Column::Id,
    descending: false,
    position: |c| Position {
        key: SortKey::Time(c.changed_at),
        id: c.id,
    },
};

/// A page of someone's expectation history over every cycle, for themselves, their managers
/// and HR.
pub async fn history(
    ctx: &Ctx,
    viewer: &Viewer,
    employee_id: Uuid,
    page: &PageRequest,
) -> DomainResult<Page<expectation_change::Model>> {
    let person = find::<employee::Entity>(&ctx.db, employee_id, "employee").await?;
    if !can_read_work_of(viewer, &person) {
        return Err(DomainError::forbidden(
            "what is expected of someone is for them, their managers and HR",
        ));
    }
    let query = expectation_change::Entity::find()
        .filter(expectation_change::Column::EmployeeId.eq(employee_id));
    keyset_page(
        &ctx.db,
        query,
        &TRAJECTORY,
        &SortKey::Time(DateTime::UNIX_EPOCH),
        page,
    )
    .await
}

/// Whether a history step raised the bar: a revision the harder way, or any follow-up.
pub fn raised(change: &expectation_change::Model) -> bool {
    match (
        change.kind,
        change.direction,
        change.old_target,
        change.new_target,
    ) {
        (ExpectationKind::FollowUp, ..) => true,
        (_, Some(d), Some(DecimalText(old)), Some(DecimalText(new))) => is_raise(d, old, new),
        _ => false,
    }
}
