//! SMART goals with key results: validation, the workflow
//! `DRAFT → PROPOSED → AGREED → ACHIEVED | MISSED | DROPPED`, target revisions kept as
//! history, and server-side progress.

use crate::audit::{self, Change};
use crate::cycles;
use crate::employees::IN_CHUNK;
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::permissions::{self, can_read_goal};
use crate::progress::{self, Tree};
use crate::values::{
    CyclePhase, Direction, GoalLevel, GoalStatus, Visibility, decimal_text, optional_text,
    required_text, stored_decimal,
};
use crate::{Ctx, Viewer};
use chrono::NaiveDate;
use entity::{cycle, employee, goal, goal_revision, key_result};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Most key results one goal may have.
pub const MAX_KEY_RESULTS: usize = 20;
/// Largest magnitude of a key-result value.
const MAX_VALUE: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0); // 10^15
/// Most goals an alignment tree returns.
pub const MAX_TREE_NODES: usize = 5000;

/// A key result as the client sends it.
#[derive(Debug, Clone)]
pub struct KeyResultInput {
    /// What is measured, e.g. "Weekly active users".
    pub metric: String,
    /// Its unit, e.g. "users" or "%".
    pub unit: String,
    /// Whether up or down is better.
    pub direction: Direction,
    /// Where it starts.
    pub start: Decimal,
    /// Where it should end.
    pub target: Decimal,
    /// Where it is now (defaults to `start`).
    pub current: Option<Decimal>,
    /// Relative weight within the goal (defaults to 1).
    pub weight: Option<i32>,
}

/// A new goal as the client sends it.
#[derive(Debug, Clone)]
pub struct GoalInput {
    /// The cycle it belongs to.
    pub cycle_id: Uuid,
    /// Whose goal it is (defaults to the viewer).
    pub owner_id: Option<Uuid>,
    /// The goal it contributes to.
    pub parent_id: Option<Uuid>,
    /// Company, team or individual.
    pub level: GoalLevel,
    /// Defaults to public for company and team goals, private for individual ones.
    pub visibility: Option<Visibility>,
    /// Specific: what will be achieved.
    pub title: String,
    /// Context and definition of done.
    pub description: Option<String>,
    /// Share of the owner's goals in the cycle, 1–100.
    pub weight: i32,
    /// Timely: inside the cycle, not in the past.
    pub due_on: NaiveDate,
    /// Measurable: at least one.
    pub key_results: Vec<KeyResultInput>,
}

/// Changes to a goal that is not yet agreed; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct GoalPatch {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New weight.
    pub weight: Option<i32>,
    /// New due date.
    pub due_on: Option<NaiveDate>,
    /// `Some(None)` detaches the goal from its parent.
    pub parent_id: Option<Option<Uuid>>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// Replaces every key result.
    pub key_results: Option<Vec<KeyResultInput>>,
}

/// Filters for the goal list.
#[derive(Debug, Clone, Default)]
pub struct GoalFilter {
    /// Only this owner's goals.
    pub owner_id: Option<Uuid>,
    /// Only this cycle.
    pub cycle_id: Option<Uuid>,
    /// Only these statuses.
    pub statuses: Vec<GoalStatus>,
    /// Only this level.
    pub level: Option<GoalLevel>,
}

/// How an agreed goal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Reached.
    Achieved,
    /// Not reached.
    Missed,
    /// Abandoned.
    Dropped,
}

/// One node of an alignment tree.
#[derive(Debug, Clone)]
pub struct AlignmentNode {
    /// The goal.
    pub goal: goal::Model,
    /// Distance from the nearest visible root.
    pub depth: u32,
    /// The parent, when it is in the same tree.
    pub parent_id: Option<Uuid>,
}

struct ValidKeyResult {
    metric: String,
    unit: String,
    direction: Direction,
    start: Decimal,
    target: Decimal,
    current: Decimal,
    weight: i32,
}

/// Most decimal places a key-result value may have.
pub const MAX_SCALE: u32 = 6;

/// Checks a key-result value's size and precision.
pub fn check_value(field: &str, value: Decimal) -> DomainResult<()> {
    if value.abs() > MAX_VALUE {
        return Err(DomainError::bad(
            field,
            format!("{field} must be within ±10^15"),
        ));
    }
    if value.normalize().scale() > MAX_SCALE {
        return Err(DomainError::bad(
            field,
            format!("{field} may have at most {MAX_SCALE} decimal places"),
        ));
    }
    Ok(())
}

fn validate_key_results(inputs: &[KeyResultInput]) -> DomainResult<Vec<ValidKeyResult>> {
    if inputs.is_empty() {
        return Err(DomainError::bad(
            "keyResults",
            "a goal needs at least one measurable key result",
        ));
    }
    if inputs.len() > MAX_KEY_RESULTS {
        return Err(DomainError::bad(
            "keyResults",
            format!("a goal may have at most {MAX_KEY_RESULTS} key results"),
        ));
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, kr)| {
            let f = |name: &str| format!("keyResults[{i}].{name}");
            let metric = required_text(&f("metric"), &kr.metric, 200)?;
            let unit = required_text(&f("unit"), &kr.unit, 40)?;
            check_value(&f("start"), kr.start)?;
            check_value(&f("target"), kr.target)?;
            let current = kr.current.unwrap_or(kr.start);
            check_value(&f("current"), current)?;
            if kr.start == kr.target {
                return Err(DomainError::bad(
                    f("target"),
                    "the target must differ from the start value",
                ));
            }
            check_direction(&f("target"), kr.direction, kr.start, kr.target)?;
            let weight = kr.weight.unwrap_or(1);
            if !(0..=100).contains(&weight) {
                return Err(DomainError::bad(
                    f("weight"),
                    "key-result weight must be 0–100",
                ));
            }
            Ok(ValidKeyResult {
                metric,
                unit,
                direction: kr.direction,
                start: kr.start,
                target: kr.target,
                current,
                weight,
            })
        })
        .collect::<DomainResult<Vec<_>>>()
        .and_then(|krs| {
            if krs.iter().all(|k| k.weight == 0) {
                Err(DomainError::bad(
                    "keyResults",
                    "at least one key result must have a weight above 0",
                ))
            } else {
                Ok(krs)
            }
        })
}

fn check_direction(
    field: &str,
    direction: Direction,
    start: Decimal,
    target: Decimal,
) -> DomainResult<()> {
    match direction {
        Direction::Increase if target <= start => Err(DomainError::bad(
            field,
            "an INCREASE key result needs a target above its start value",
        )),
        Direction::Decrease if target >= start => Err(DomainError::bad(
            field,
            "a DECREASE key result needs a target below its start value",
        )),
        _ => Ok(()),
    }
}

fn check_weight(weight: i32) -> DomainResult<()> {
    if (1..=100).contains(&weight) {
        Ok(())
    } else {
        Err(DomainError::bad(
            "weight",
            "weight must be between 1 and 100",
        ))
    }
}

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
    let tz = owner.timezone.parse().unwrap_or(chrono_tz::UTC);
    let today = ctx.clock.today_in(tz);
    if due_on < today {
        return Err(DomainError::bad(
            "dueOn",
            format!("the due date {due_on} is in the past (today is {today})"),
        ));
    }
    Ok(())
}

fn check_open_cycle(cycle: &cycle::Model) -> DomainResult<()> {
    if cycle.phase == CyclePhase::Planning.as_str() || cycle.phase == CyclePhase::Active.as_str() {
        Ok(())
    } else {
        Err(DomainError::conflict(format!(
            "cycle {} is in {}; goals can change only while it is PLANNING or ACTIVE",
            cycle.name, cycle.phase
        )))
    }
}

fn visibility_for(level: GoalLevel, requested: Option<Visibility>) -> DomainResult<Visibility> {
    match (level, requested) {
        (GoalLevel::Individual, Some(Visibility::Public)) => Err(DomainError::bad(
            "visibility",
            "individual goals are private to the owner, their managers and HR",
        )),
        (GoalLevel::Individual, _) => Ok(Visibility::Private),
        (_, Some(v)) => Ok(v),
        (_, None) => Ok(Visibility::Public),
    }
}

async fn find_goal(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<goal::Model> {
    goal::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("goal"))
}

async fn find_employee(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<employee::Model> {
    employee::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("employee"))
}

/// A goal with its owner, after the viewer's read permission is checked.
async fn readable(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<(goal::Model, employee::Model)> {
    let goal = find_goal(db, id).await?;
    let owner = find_employee(db, goal.owner_id).await?;
    permissions::require_read_goal(viewer, &goal, &owner)?;
    Ok((goal, owner))
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
    let parent_owner = find_employee(db, parent.owner_id).await?;
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
    if parent.status == GoalStatus::Dropped.as_str() {
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
    now: chrono::DateTime<chrono::Utc>,
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
            direction: Set(kr.direction.as_str().to_owned()),
            start_value: Set(decimal_text(kr.start)),
            target_value: Set(decimal_text(kr.target)),
            current_value: Set(decimal_text(kr.current)),
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

async fn audit_goal(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    viewer: &Viewer,
    action: &str,
    before: Option<&goal::Model>,
    after: &goal::Model,
) -> DomainResult<()> {
    audit::record(
        txn,
        ctx.clock.now(),
        Change {
            actor: Some(viewer.id()),
            action,
            entity: "goal",
            entity_id: after.id,
            before: before.map(snapshot),
            after: Some(snapshot(after)),
        },
    )
    .await
}

/// One goal the viewer may read.
pub async fn get(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    Ok(readable(&ctx.db, viewer, id).await?.0)
}

/// The SQL form of [`can_read_goal`], so that lists are filtered by the database.
fn readable_condition(viewer: &Viewer) -> Option<Condition> {
    if viewer.is_hr() {
        return None;
    }
    let subtree = viewer.subtree_ids();
    Some(
        Condition::any()
            .add(goal::Column::OwnerId.in_subquery(subtree))
            .add(
                Condition::all()
                    .add(goal::Column::Visibility.eq(Visibility::Public.as_str()))
                    .add(goal::Column::Level.ne(GoalLevel::Individual.as_str())),
            ),
    )
}

/// A page of the goals the viewer may read, oldest first.
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: &GoalFilter,
    page: PageRequest,
) -> DomainResult<Page<goal::Model>> {
    let mut cond = Condition::all();
    if let Some(c) = readable_condition(viewer) {
        cond = cond.add(c);
    }
    if let Some(o) = filter.owner_id {
        cond = cond.add(goal::Column::OwnerId.eq(o));
    }
    if let Some(c) = filter.cycle_id {
        cond = cond.add(goal::Column::CycleId.eq(c));
    }
    if let Some(l) = filter.level {
        cond = cond.add(goal::Column::Level.eq(l.as_str()));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(goal::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    let query = goal::Entity::find().filter(cond);
    let total = query.clone().count(&ctx.db).await?;
    let items = query
        .order_by_asc(goal::Column::CreatedAt)
        .order_by_asc(goal::Column::Id)
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

/// Creates a goal in `DRAFT`.
pub async fn create(ctx: &Ctx, viewer: &Viewer, input: GoalInput) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let owner = match input.owner_id {
        Some(id) if id != viewer.id() => find_employee(&txn, id)
            .await
            .map_err(|_| DomainError::bad("ownerId", "no such employee"))?,
        _ => viewer.employee.clone(),
    };
    permissions::require_create_goal_for(viewer, &owner)?;
    let cycle = cycles::find(&txn, input.cycle_id)
        .await
        .map_err(|_| DomainError::bad("cycleId", "no such cycle"))?;
    check_open_cycle(&cycle)?;
    if input.level == GoalLevel::Company
        && !(viewer.is_hr() || viewer.employee.manager_id.is_none())
    {
        return Err(DomainError::forbidden(
            "company goals are set by HR or the head of the organisation",
        ));
    }
    let title = required_text("title", &input.title, 200)?;
    let description = optional_text(
        "description",
        input.description.as_deref().unwrap_or(""),
        5000,
    )?;
    check_weight(input.weight)?;
    check_due(ctx, &cycle, &owner, input.due_on)?;
    let visibility = visibility_for(input.level, input.visibility)?;
    let krs = validate_key_results(&input.key_results)?;
    if let Some(parent) = input.parent_id {
        check_parent(&txn, &owner, cycle.id, None, parent).await?;
    }
    let now = ctx.clock.now();
    let created = goal::ActiveModel {
        id: Set(Uuid::new_v4()),
        cycle_id: Set(cycle.id),
        owner_id: Set(owner.id),
        parent_id: Set(input.parent_id),
        level: Set(input.level.as_str().to_owned()),
        visibility: Set(visibility.as_str().to_owned()),
        title: Set(title),
        description: Set(description),
        weight: Set(input.weight),
        due_on: Set(input.due_on),
        status: Set(GoalStatus::Draft.as_str().to_owned()),
        created_by: Set(viewer.id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    insert_key_results(&txn, created.id, krs, now).await?;
    audit_goal(&txn, ctx, viewer, "goal.create", None, &created).await?;
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
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = readable(&txn, viewer, id).await?;
    permissions::require_edit_goal(viewer, GoalStatus::parse_stored(&current.status)?, &owner)?;
    let cycle = cycles::find(&txn, current.cycle_id).await?;
    check_open_cycle(&cycle)?;
    let level = GoalLevel::parse_stored(&current.level)?;
    let mut model: goal::ActiveModel = current.clone().into();
    if let Some(title) = &patch.title {
        model.title = Set(required_text("title", title, 200)?);
    }
    if let Some(description) = &patch.description {
        model.description = Set(optional_text("description", description, 5000)?);
    }
    if let Some(weight) = patch.weight {
        check_weight(weight)?;
        model.weight = Set(weight);
    }
    if let Some(due_on) = patch.due_on {
        check_due(ctx, &cycle, &owner, due_on)?;
        model.due_on = Set(due_on);
    }
    if let Some(visibility) = patch.visibility {
        model.visibility = Set(visibility_for(level, Some(visibility))?.as_str().to_owned());
    }
    if let Some(parent) = patch.parent_id {
        if let Some(parent) = parent {
            check_parent(&txn, &owner, cycle.id, Some(id), parent).await?;
        }
        model.parent_id = Set(parent);
    }
    let now = ctx.clock.now();
    if let Some(krs) = &patch.key_results {
        let krs = validate_key_results(krs)?;
        key_result::Entity::delete_many()
            .filter(key_result::Column::GoalId.eq(id))
            .exec(&txn)
            .await?;
        insert_key_results(&txn, id, krs, now).await?;
    }
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    audit_goal(&txn, ctx, viewer, "goal.update", Some(&current), &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

async fn set_status(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    viewer: &Viewer,
    current: &goal::Model,
    status: GoalStatus,
    action: &str,
) -> DomainResult<goal::Model> {
    // Conditional on the status read earlier: of two racing requests, one wins.
    let now = ctx.clock.now();
    let changed = goal::Entity::update_many()
        .col_expr(
            goal::Column::Status,
            sea_orm::sea_query::Expr::value(status.as_str()),
        )
        .col_expr(
            goal::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(goal::Column::Id.eq(current.id))
        .filter(goal::Column::Status.eq(current.status.as_str()))
        .exec(txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the goal changed meanwhile; reload it and try again",
        ));
    }
    let updated = goal::Model {
        status: status.as_str().to_owned(),
        updated_at: now,
        ..current.clone()
    };
    audit_goal(txn, ctx, viewer, action, Some(current), &updated).await?;
    Ok(updated)
}

/// The owner (or a manager or HR on their behalf) proposes a draft for agreement.
pub async fn propose(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = readable(&txn, viewer, id).await?;
    permissions::require_record_progress(viewer, &owner)?;
    if current.status != GoalStatus::Draft.as_str() {
        return Err(DomainError::conflict(format!(
            "only a DRAFT goal can be proposed; this one is {}",
            current.status
        )));
    }
    check_open_cycle(&cycles::find(&txn, current.cycle_id).await?)?;
    let updated = set_status(
        &txn,
        ctx,
        viewer,
        &current,
        GoalStatus::Proposed,
        "goal.propose",
    )
    .await?;
    if let Some(manager) = owner.manager_id {
        let manager = find_employee(&txn, manager).await?;
        notify(
            &txn,
            ctx,
            Notice {
                to: &manager,
                dedupe_key: format!("goal-proposed:{}", updated.id),
                template: "goal_proposed",
                goal: &updated,
                owner: &owner,
                extra: json!({}),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// A manager of the owner (or HR) agrees a proposed goal. Agreed goals of one owner in a
/// cycle may never exceed 100 in weight, and must total exactly 100 once none is pending.
pub async fn agree(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = readable(&txn, viewer, id).await?;
    permissions::require_manage_goal(viewer, &owner)?;
    // Serialise agreements for one owner (a row lock on PostgreSQL) so that two at once
    // cannot both pass the weight check.
    employee::Entity::find_by_id(owner.id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    if current.status != GoalStatus::Proposed.as_str() {
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
        .filter(|g| g.status == GoalStatus::Agreed.as_str())
        .map(|g| g.weight)
        .sum::<i32>()
        + current.weight;
    let pending = siblings.iter().any(|g| {
        g.status == GoalStatus::Draft.as_str() || g.status == GoalStatus::Proposed.as_str()
    });
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
    let updated = set_status(
        &txn,
        ctx,
        viewer,
        &current,
        GoalStatus::Agreed,
        "goal.agree",
    )
    .await?;
    let extra = json!({ "agreedBy": viewer.employee.name });
    notify(
        &txn,
        ctx,
        Notice {
            to: &owner,
            dedupe_key: format!("goal-agreed:{}", updated.id),
            template: "goal_agreed",
            goal: &updated,
            owner: &owner,
            extra,
        },
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
    let (current, owner) = readable(&txn, viewer, id).await?;
    let status = GoalStatus::parse_stored(&current.status)?;
    let (to, action) = match outcome {
        Outcome::Achieved => (GoalStatus::Achieved, "goal.achieve"),
        Outcome::Missed => (GoalStatus::Missed, "goal.miss"),
        Outcome::Dropped => (GoalStatus::Dropped, "goal.drop"),
    };
    if status.is_closed() {
        return Err(DomainError::conflict(format!(
            "the goal is already {}",
            status.as_str()
        )));
    }
    let owner_drops_draft =
        outcome == Outcome::Dropped && status == GoalStatus::Draft && viewer.id() == owner.id;
    if !owner_drops_draft {
        permissions::require_manage_goal(viewer, &owner)?;
    }
    if outcome != Outcome::Dropped && status != GoalStatus::Agreed {
        return Err(DomainError::conflict(format!(
            "only an AGREED goal can be {}; this one is {}",
            to.as_str(),
            status.as_str()
        )));
    }
    let updated = set_status(&txn, ctx, viewer, &current, to, action).await?;
    txn.commit().await?;
    Ok(updated)
}

async fn key_result_with_goal(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<(key_result::Model, goal::Model, employee::Model)> {
    let kr = key_result::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound("key result"))?;
    let (goal, owner) = readable(txn, viewer, kr.goal_id)
        .await
        .map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::NotFound("key result"),
            other => other,
        })?;
    Ok((kr, goal, owner))
}

/// Records where an agreed goal's key result stands now.
pub async fn record_progress(
    ctx: &Ctx,
    viewer: &Viewer,
    key_result_id: Uuid,
    current: Decimal,
) -> DomainResult<key_result::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (kr, goal, owner) = key_result_with_goal(&txn, viewer, key_result_id).await?;
    permissions::require_record_progress(viewer, &owner)?;
    if goal.status != GoalStatus::Agreed.as_str() {
        return Err(DomainError::conflict(format!(
            "progress is recorded on AGREED goals; this one is {}",
            goal.status
        )));
    }
    let cycle = cycles::find(&txn, goal.cycle_id).await?;
    if cycle.phase != CyclePhase::Active.as_str() {
        return Err(DomainError::conflict(format!(
            "cycle {} is {}; progress is recorded while it is ACTIVE",
            cycle.name, cycle.phase
        )));
    }
    check_value("value", current)?;
    let now = ctx.clock.now();
    let before = kr.current_value.clone();
    let mut model: key_result::ActiveModel = kr.into();
    model.current_value = Set(decimal_text(current));
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
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
    txn.commit().await?;
    Ok(updated)
}

/// Moves an agreed key result's target ("raising expectations"), keeping the old one in
/// the goal's revision history.
pub async fn revise_target(
    ctx: &Ctx,
    viewer: &Viewer,
    key_result_id: Uuid,
    new_target: Decimal,
    reason: &str,
) -> DomainResult<goal_revision::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (kr, goal, owner) = key_result_with_goal(&txn, viewer, key_result_id).await?;
    permissions::require_manage_goal(viewer, &owner)?;
    if goal.status != GoalStatus::Agreed.as_str() {
        return Err(DomainError::conflict(format!(
            "targets are revised on AGREED goals (edit a {} goal directly)",
            goal.status
        )));
    }
    check_open_cycle(&cycles::find(&txn, goal.cycle_id).await?)?;
    let reason = required_text("reason", reason, 2000)?;
    check_value("newTarget", new_target)?;
    let start = stored_decimal(&kr.start_value)?;
    let old_target = stored_decimal(&kr.target_value)?;
    if new_target == old_target {
        return Err(DomainError::bad(
            "newTarget",
            "the new target equals the current target",
        ));
    }
    if new_target == start {
        return Err(DomainError::bad(
            "newTarget",
            "the target must differ from the start value",
        ));
    }
    check_direction(
        "newTarget",
        Direction::parse_stored(&kr.direction)?,
        start,
        new_target,
    )?;
    let now = ctx.clock.now();
    let revision = goal_revision::ActiveModel {
        id: Set(Uuid::new_v4()),
        goal_id: Set(goal.id),
        key_result_id: Set(kr.id),
        old_target: Set(kr.target_value.clone()),
        new_target: Set(decimal_text(new_target)),
        reason: Set(reason),
        revised_by: Set(viewer.id()),
        revised_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let kr_metric = kr.metric.clone();
    let mut model: key_result::ActiveModel = kr.into();
    model.target_value = Set(decimal_text(new_target));
    model.updated_at = Set(now);
    model.update(&txn).await?;
    audit::record(&txn, now, Change {
        actor: Some(viewer.id()),
        action: "goal.revise_target",
        entity: "goal",
        entity_id: goal.id,
        before: Some(json!({ "keyResultId": revision.key_result_id, "target": revision.old_target })),
        after: Some(json!({ "keyResultId": revision.key_result_id, "target": revision.new_target, "reason": revision.reason })),
    })
    .await?;
    let extra = json!({
        "metric": kr_metric, "oldTarget": revision.old_target, "newTarget": revision.new_target,
        "reason": revision.reason, "revisedBy": viewer.employee.name,
    });
    notify(
        &txn,
        ctx,
        Notice {
            to: &owner,
            dedupe_key: format!("goal-revised:{}", revision.id),
            template: "goal_target_revised",
            goal: &goal,
            owner: &owner,
            extra,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(revision)
}

/// An e-mail about a goal.
struct Notice<'a> {
    to: &'a employee::Model,
    dedupe_key: String,
    template: &'static str,
    goal: &'a goal::Model,
    owner: &'a employee::Model,
    extra: serde_json::Value,
}

/// Queues `n`, in the transaction of the change it reports.
async fn notify(txn: &DatabaseTransaction, ctx: &Ctx, n: Notice<'_>) -> DomainResult<()> {
    let Notice {
        to,
        dedupe_key,
        template,
        goal,
        owner,
        extra,
    } = n;
    if !to.active {
        return Ok(());
    }
    let mut data = json!({
        "name": to.name, "goalId": goal.id, "goalTitle": goal.title,
        "ownerName": owner.name, "dueOn": goal.due_on, "weight": goal.weight,
    });
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    crate::outbox::enqueue(
        txn,
        crate::outbox::Email {
            dedupe_key,
            to_email: to.email.clone(),
            to_name: to.name.clone(),
            template,
            data,
        },
        ctx.clock.now(),
    )
    .await?;
    Ok(())
}

/// Key results of each goal, in order, for batch loading.
pub async fn key_results_of(
    db: &impl ConnectionTrait,
    goal_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<key_result::Model>>> {
    let mut found: HashMap<Uuid, Vec<key_result::Model>> = HashMap::new();
    for chunk in goal_ids.chunks(IN_CHUNK) {
        for kr in key_result::Entity::find()
            .filter(key_result::Column::GoalId.is_in(chunk.iter().copied()))
            .order_by_asc(key_result::Column::Position)
            .all(db)
            .await?
        {
            found.entry(kr.goal_id).or_default().push(kr);
        }
    }
    Ok(found)
}

/// Target revisions of each goal, oldest first, for batch loading.
pub async fn revisions_of(
    db: &impl ConnectionTrait,
    goal_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<goal_revision::Model>>> {
    let mut found: HashMap<Uuid, Vec<goal_revision::Model>> = HashMap::new();
    for chunk in goal_ids.chunks(IN_CHUNK) {
        for r in goal_revision::Entity::find()
            .filter(goal_revision::Column::GoalId.is_in(chunk.iter().copied()))
            .order_by_asc(goal_revision::Column::RevisedAt)
            .all(db)
            .await?
        {
            found.entry(r.goal_id).or_default().push(r);
        }
    }
    Ok(found)
}

/// Goals by id, for batch loading (unfiltered: callers check [`can_read_goal`]).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, goal::Model>> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        for g in goal::Entity::find()
            .filter(goal::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            found.insert(g.id, g);
        }
    }
    Ok(found)
}

/// Child goals of each parent, for batch loading (unfiltered: callers check visibility).
pub async fn children_of(
    db: &impl ConnectionTrait,
    parent_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<goal::Model>>> {
    let mut found: HashMap<Uuid, Vec<goal::Model>> = HashMap::new();
    for chunk in parent_ids.chunks(IN_CHUNK) {
        for g in goal::Entity::find()
            .filter(goal::Column::ParentId.is_in(chunk.iter().copied()))
            .order_by_asc(goal::Column::CreatedAt)
            .order_by_asc(goal::Column::Id)
            .all(db)
            .await?
        {
            if let Some(p) = g.parent_id {
                found.entry(p).or_default().push(g);
            }
        }
    }
    Ok(found)
}

/// Progress of one key result row.
pub fn key_result_progress(kr: &key_result::Model) -> DomainResult<Decimal> {
    Ok(progress::key_result(
        stored_decimal(&kr.start_value)?,
        stored_decimal(&kr.target_value)?,
        stored_decimal(&kr.current_value)?,
    ))
}

/// Progress of each goal, rolling up whole subtrees: one query per tree level plus the key
/// results, whatever the number of goals asked for.
pub async fn progress_of(
    db: &impl ConnectionTrait,
    goal_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Decimal>> {
    let mut tree = Tree::default();
    let mut seen: HashSet<Uuid> = goal_ids.iter().copied().collect();
    let mut frontier: Vec<Uuid> = seen.iter().copied().collect();
    while !frontier.is_empty() {
        let children = children_of(db, &frontier).await?;
        frontier = Vec::new();
        for (parent, kids) in children {
            let kept: Vec<(Uuid, i32)> = kids
                .iter()
                .filter(|g| g.status != GoalStatus::Dropped.as_str())
                .map(|g| (g.id, g.weight))
                .collect();
            for (kid, _) in &kept {
                if seen.insert(*kid) {
                    frontier.push(*kid);
                }
            }
            if !kept.is_empty() {
                tree.children.insert(parent, kept);
            }
        }
    }
    let leaves: Vec<Uuid> = seen
        .iter()
        .filter(|id| !tree.children.contains_key(id))
        .copied()
        .collect();
    for (goal_id, krs) in key_results_of(db, &leaves).await? {
        let values = krs
            .iter()
            .map(|kr| Ok((key_result_progress(kr)?, kr.weight)))
            .collect::<DomainResult<Vec<_>>>()?;
        tree.own.insert(goal_id, progress::weighted_mean(values));
    }
    Ok(tree.progress(goal_ids))
}

/// The goals of a cycle the viewer may read, as a forest: each node's depth counts from the
/// nearest ancestor the viewer can see. `root` narrows it to one goal's subtree.
pub async fn alignment(
    ctx: &Ctx,
    viewer: &Viewer,
    cycle_id: Uuid,
    root: Option<Uuid>,
    max_depth: Option<u32>,
) -> DomainResult<Vec<AlignmentNode>> {
    cycles::find(&ctx.db, cycle_id).await?;
    let mut cond = Condition::all()
        .add(goal::Column::CycleId.eq(cycle_id))
        .add(goal::Column::Status.ne(GoalStatus::Dropped.as_str()));
    if let Some(c) = readable_condition(viewer) {
        cond = cond.add(c);
    }
    let goals = match root {
        Some(root) => {
            let (root_goal, _) = readable(&ctx.db, viewer, root).await?;
            if root_goal.cycle_id != cycle_id {
                return Err(DomainError::bad(
                    "rootGoalId",
                    "the goal belongs to another cycle",
                ));
            }
            let mut all = vec![root_goal];
            let mut frontier = vec![root];
            let mut seen: HashSet<Uuid> = HashSet::from([root]);
            while !frontier.is_empty() && all.len() <= MAX_TREE_NODES {
                let mut next = Vec::new();
                for chunk in frontier.chunks(IN_CHUNK) {
                    let kids = goal::Entity::find()
                        .filter(cond.clone())
                        .filter(goal::Column::ParentId.is_in(chunk.iter().copied()))
                        .all(&ctx.db)
                        .await?;
                    for k in kids {
                        if seen.insert(k.id) {
                            next.push(k.id);
                            all.push(k);
                        }
                    }
                }
                frontier = next;
            }
            all
        }
        None => {
            goal::Entity::find()
                .filter(cond)
                .order_by_asc(goal::Column::CreatedAt)
                .limit(MAX_TREE_NODES as u64 + 1)
                .all(&ctx.db)
                .await?
        }
    };
    if goals.len() > MAX_TREE_NODES {
        return Err(DomainError::bad(
            "rootGoalId",
            format!("the tree has more than {MAX_TREE_NODES} goals; ask for one goal's subtree"),
        ));
    }
    Ok(forest(goals, root, max_depth))
}

/// Orders goals depth-first from their visible roots and computes depths.
fn forest(
    goals: Vec<goal::Model>,
    root: Option<Uuid>,
    max_depth: Option<u32>,
) -> Vec<AlignmentNode> {
    let ids: HashSet<Uuid> = goals.iter().map(|g| g.id).collect();
    let mut children: HashMap<Uuid, Vec<goal::Model>> = HashMap::new();
    let mut roots = Vec::new();
    for g in goals {
        match g
            .parent_id
            .filter(|p| ids.contains(p) && Some(g.id) != root)
        {
            Some(p) => children.entry(p).or_default().push(g),
            None => roots.push(g),
        }
    }
    let mut out = Vec::with_capacity(ids.len());
    let mut stack: Vec<(goal::Model, u32, Option<Uuid>)> =
        roots.into_iter().rev().map(|g| (g, 0, None)).collect();
    while let Some((g, depth, parent_id)) = stack.pop() {
        if let Some(kids) = children.remove(&g.id)
            && max_depth.is_none_or(|m| depth < m)
        {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1, Some(g.id))));
        }
        out.push(AlignmentNode {
            goal: g,
            depth,
            parent_id,
        });
    }
    out
}

/// Goals of each owner (optionally in one cycle), oldest first, for batch loading
/// (unfiltered: callers check [`can_read_goal`]).
pub async fn of_owners(
    db: &impl ConnectionTrait,
    keys: &[(Uuid, Option<Uuid>)],
) -> DomainResult<HashMap<(Uuid, Option<Uuid>), Vec<goal::Model>>> {
    let mut by_cycle: HashMap<Option<Uuid>, Vec<Uuid>> = HashMap::new();
    for (owner, cycle) in keys {
        by_cycle.entry(*cycle).or_default().push(*owner);
    }
    let mut found: HashMap<(Uuid, Option<Uuid>), Vec<goal::Model>> = HashMap::new();
    for (cycle, owners) in by_cycle {
        for chunk in owners.chunks(IN_CHUNK) {
            let mut query =
                goal::Entity::find().filter(goal::Column::OwnerId.is_in(chunk.iter().copied()));
            if let Some(c) = cycle {
                query = query.filter(goal::Column::CycleId.eq(c));
            }
            for g in query
                .order_by_asc(goal::Column::CreatedAt)
                .order_by_asc(goal::Column::Id)
                .all(db)
                .await?
            {
                found.entry((g.owner_id, cycle)).or_default().push(g);
            }
        }
    }
    Ok(found)
}
