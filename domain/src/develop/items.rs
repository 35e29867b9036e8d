//! Development items with the verbs of goals: one side proposes (the employee for their own
//! plan; a manager or HR for a report's), the other agrees or returns it with a reason; the
//! employee completes it (with evidence), a manager confirms it or returns it to AGREED. An
//! improvement plan's items are set by the manager side and start AGREED. Every state change
//! is a conditional update on the state that was read, audited, and told to the other side.
//! Confirming an item never changes an assessed level: a manager assessment does.

use super::input::{ItemInput, ItemPatch, MAX_TEXT, NewItem};
use super::plans::{MAX_ITEMS, check_cycle, open_plan, require_read_plans};
use super::rules::{self, ItemAction};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::permissions::is_manager_side;
use crate::publish;
use crate::query::{find, find_readable};
use crate::values::{
    DecimalText, ItemKind, ItemStatus, PlanKind, PlanStatus, optional_text, required_text,
};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Duration, Utc};
use entity::{cycle, development_item, development_item_skill, development_plan, employee, goal};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

/// Where a new item goes.
#[derive(Debug, Clone, Copy)]
pub struct ItemTarget {
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    pub plan: PlanKind,
}

/// Checks the rows an item names: its mentor (someone else, still here), its goal (the
/// employee's own) and its required skills (in the catalogue, not retired).
async fn check_references(
    db: &impl ConnectionTrait,
    person: &employee::Model,
    item: &NewItem,
) -> DomainResult<()> {
    if let Some(id) = item.mentor_id {
        match employee::Entity::find_by_id(id).one(db).await? {
            Some(m) if m.active && m.id != person.id => {}
            Some(m) if m.id == person.id => {
                return Err(DomainError::bad("mentorId", "nobody mentors themselves"));
            }
            _ => return Err(DomainError::bad("mentorId", "no such colleague")),
        }
    }
    if let Some(id) = item.goal_id {
        let owned = goal::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|g| g.owner_id == person.id);
        if !owned {
            return Err(DomainError::bad(
                "goalId",
                "a stretch assignment serves one of the employee's own goals",
            ));
        }
    }
    let ids: Vec<Uuid> = item.required_skills.iter().map(|(s, _)| *s).collect();
    let known = super::skills::skills_by_ids(db, &ids).await?;
    for (i, (id, _)) in item.required_skills.iter().enumerate() {
        match known.get(id) {
            None => {
                return Err(DomainError::bad(
                    format!("requiredSkills[{i}].skillId"),
                    "no such skill",
                ));
            }
            Some(s) if s.retired_at.is_some() => {
                return Err(DomainError::bad(
                    format!("requiredSkills[{i}].skillId"),
                    format!("{} is retired", s.name),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A due date may be today (in any timezone) or later.
fn check_due(item: &NewItem, now: DateTime<Utc>) -> DomainResult<()> {
    if let Some(due) = item.due_on
        && due < now.date_naive() - Duration::days(1)
    {
        return Err(DomainError::bad("dueOn", "the due date has passed"));
    }
    Ok(())
}

/// Replaces a stretch assignment's required skills.
async fn write_required_skills(
    db: &impl ConnectionTrait,
    item_id: Uuid,
    skills: &[(Uuid, i32)],
) -> DomainResult<()> {
    development_item_skill::Entity::delete_many()
        .filter(development_item_skill::Column::ItemId.eq(item_id))
        .exec(db)
        .await?;
    if !skills.is_empty() {
        development_item_skill::Entity::insert_many(skills.iter().map(|(skill_id, level)| {
            development_item_skill::ActiveModel {
                item_id: Set(item_id),
                skill_id: Set(*skill_id),
                target_level: Set(*level),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Whether a stretch assignment in `status` asks for its skills now.
fn stretch_runs(kind: ItemKind, status: ItemStatus) -> bool {
    kind == ItemKind::StretchAssignment
        && matches!(status, ItemStatus::Agreed | ItemStatus::Completed)
}

/// Audits a move of an item and tells the other side, in the move's transaction.
async fn record_move(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    viewer: &Viewer,
    action: &'static str,
    before: Option<ItemStatus>,
    item: &development_item::Model,
    reason: &str,
) -> DomainResult<()> {
    audit::record(
        txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action,
            entity: "development_item",
            entity_id: item.id,
            before: before.map(|s| json!({ "status": s })),
            after: Some(
                json!({ "status": item.status, "kind": item.kind, "planId": item.plan_id }),
            ),
        },
    )
    .await?;
    let event = DomainEvent::DevelopmentItemMoved {
        item_id: item.id,
        plan_id: item.plan_id,
        employee_id: item.employee_id,
        kind: item.kind,
        title: item.title.clone(),
        status: item.status,
        by: viewer.id(),
        reason: reason.to_owned(),
        change_id: Uuid::now_v7(),
    };
    publish::emit(txn, now, Some(viewer.id()), vec![event]).await?;
    Ok(())
}

/// Adds an item: to the employee's development plan in the cycle (opened on first use), or
/// to their open improvement plan (the manager side only; the item starts AGREED).
pub async fn add(
    ctx: &Ctx,
    viewer: &Viewer,
    target: ItemTarget,
    input: ItemInput,
) -> DomainResult<development_item::Model> {
    let valid = NewItem::try_from(&input)?;
    let now = ctx.clock.now();
    check_due(&valid, now)?;
    let txn = crate::db::begin(&ctx.db).await?;
    let person = find::<employee::Entity>(&txn, target.employee_id, "employee").await?;
    require_read_plans(viewer, &person)?;
    let manager = is_manager_side(viewer, &person);
    if target.plan == PlanKind::Improvement && !manager {
        return Err(DomainError::forbidden(
            "an improvement plan's items are set by the employee's managers or HR",
        ));
    }
    if valid.kind == ItemKind::Check && target.plan != PlanKind::Improvement {
        return Err(DomainError::bad(
            "kind",
            "check dates belong to improvement plans",
        ));
    }
    let cycle = find::<cycle::Entity>(&txn, target.cycle_id, "cycle").await?;
    check_cycle(&cycle)?;
    let plan = match target.plan {
        PlanKind::Development => {
            open_plan(
                &txn,
                &person,
                &cycle,
                PlanKind::Development,
                viewer.id(),
                now,
            )
            .await?
            .0
        }
        PlanKind::Improvement => development_plan::Entity::find()
            .filter(development_plan::Column::EmployeeId.eq(person.id))
            .filter(development_plan::Column::CycleId.eq(cycle.id))
            .filter(development_plan::Column::Kind.eq(PlanKind::Improvement))
            .filter(development_plan::Column::Status.eq(PlanStatus::Open))
            .one(&txn)
            .await?
            .ok_or_else(|| {
                DomainError::conflict("there is no open improvement plan for them in this cycle")
            })?,
    };
    let held = development_item::Entity::find()
        .filter(development_item::Column::PlanId.eq(plan.id))
        .count(&txn)
        .await?;
    if held >= MAX_ITEMS {
        return Err(DomainError::conflict(format!(
            "a plan holds at most {MAX_ITEMS} items"
        )));
    }
    check_references(&txn, &person, &valid).await?;
    let agreed = target.plan == PlanKind::Improvement;
    let item = development_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_id: Set(plan.id),
        employee_id: Set(person.id),
        kind: Set(valid.kind),
        status: Set(if agreed {
            ItemStatus::Agreed
        } else {
            ItemStatus::Proposed
        }),
        title: Set(valid.title),
        description: Set(valid.description),
        provider: Set(valid.provider),
        link: Set(valid.link),
        hours: Set(valid.hours.map(DecimalText)),
        due_on: Set(valid.due_on),
        mentor_id: Set(valid.mentor_id),
        cadence: Set(valid.cadence),
        goal_id: Set(valid.goal_id),
        aspirations: Set(valid.aspirations),
        manager_notes: Set(String::new()),
        evidence: Set(String::new()),
        return_reason: Set(String::new()),
        proposed_by: Set(viewer.id()),
        agreed_by: Set(agreed.then(|| viewer.id())),
        agreed_at: Set(agreed.then_some(now)),
        completed_at: Set(None),
        confirmed_by: Set(None),
        confirmed_at: Set(None),
        reminder_stage: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    write_required_skills(&txn, item.id, &valid.required_skills).await?;
    if stretch_runs(item.kind, item.status) {
        super::skills::refresh_gaps(&txn, &[person.id], now).await?;
    }
    record_move(&txn, now, viewer, "development_item.add", None, &item, "").await?;
    txn.commit().await?;
    Ok(item)
}

/// The input an item was written from, to apply a patch to.
async fn input_of(
    db: &impl ConnectionTrait,
    item: &development_item::Model,
) -> DomainResult<ItemInput> {
    let skills = super::plans::required_skills_of(db, &[item.id])
        .await?
        .remove(&item.id)
        .unwrap_or_default();
    Ok(ItemInput {
        kind: item.kind,
        title: item.title.clone(),
        description: item.description.clone(),
        provider: item.provider.clone(),
        link: item.link.clone(),
        hours: item.hours.map(|h| h.0),
        due_on: item.due_on,
        mentor_id: item.mentor_id,
        cadence: item.cadence,
        goal_id: item.goal_id,
        required_skills: skills
            .iter()
            .map(|s| (s.skill_id, s.target_level))
            .collect(),
        aspirations: item.aspirations.clone(),
    })
}

/// Whether an item's plan is open and its cycle not closed.
pub async fn is_open(
    db: &impl ConnectionTrait,
    item: &development_item::Model,
) -> DomainResult<bool> {
    let plan = find::<development_plan::Entity>(db, item.plan_id, "development plan").await?;
    let cycle = find::<cycle::Entity>(db, plan.cycle_id, "cycle").await?;
    Ok(super::plans::accepts_changes(&plan, &cycle))
}

/// Loads an item the viewer may read, with its owner, and checks `action` on it.
async fn load(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: Uuid,
    action: ItemAction,
) -> DomainResult<(development_item::Model, employee::Model)> {
    let (item, owner) = find_readable::<development_item::Model>(txn, viewer, id).await?;
    let open = is_open(txn, &item).await?;
    rules::check(action, viewer, &item, &owner, open)?;
    Ok((item, owner))
}

/// Finishes a move read in `txn`: writes `next` if the item is still in the state `current`
/// was read in (else CONFLICT), refreshes the owner's gaps when a stretch assignment starts
/// or stops asking for its skills, audits the move as `action`, tells the other side, and
/// commits.
async fn finish_move(
    txn: DatabaseTransaction,
    viewer: &Viewer,
    action: &'static str,
    current: &development_item::Model,
    mut next: development_item::ActiveModel,
    reason: &str,
    now: DateTime<Utc>,
) -> DomainResult<development_item::Model> {
    next.updated_at = Set(now);
    let changed = development_item::Entity::update_many()
        .set(next)
        .filter(development_item::Column::Id.eq(current.id))
        .filter(development_item::Column::Status.eq(current.status))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the item changed meanwhile; reload it and try again",
        ));
    }
    let updated = find::<development_item::Entity>(&txn, current.id, "development item").await?;
    if stretch_runs(current.kind, current.status) != stretch_runs(updated.kind, updated.status) {
        super::skills::refresh_gaps(&txn, &[updated.employee_id], now).await?;
    }
    record_move(
        &txn,
        now,
        viewer,
        action,
        Some(current.status),
        &updated,
        reason,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Its proposer changes a PROPOSED or RETURNED item; it is PROPOSED again.
pub async fn update(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    patch: ItemPatch,
) -> DomainResult<development_item::Model> {
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = load(&txn, viewer, id, ItemAction::Update).await?;
    let valid = NewItem::try_from(&input_of(&txn, &current).await?.patched(patch))?;
    check_due(&valid, now)?;
    check_references(&txn, &owner, &valid).await?;
    let mut next = current.clone().into_active_model();
    next.title = Set(valid.title);
    next.description = Set(valid.description);
    next.provider = Set(valid.provider);
    next.link = Set(valid.link);
    next.hours = Set(valid.hours.map(DecimalText));
    next.due_on = Set(valid.due_on);
    next.mentor_id = Set(valid.mentor_id);
    next.cadence = Set(valid.cadence);
    next.goal_id = Set(valid.goal_id);
    next.aspirations = Set(valid.aspirations);
    next.status = Set(ItemStatus::Proposed);
    write_required_skills(&txn, id, &valid.required_skills).await?;
    finish_move(
        txn,
        viewer,
        "development_item.update",
        &current,
        next,
        "",
        now,
    )
    .await
}

/// The side a proposal was made to agrees to it; a manager may add their notes (a career
/// conversation's). A stretch assignment's skills join the employee's gaps.
pub async fn agree(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    manager_notes: Option<String>,
) -> DomainResult<development_item::Model> {
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = load(&txn, viewer, id, ItemAction::Agree).await?;
    let mut next = current.clone().into_active_model();
    set_notes(&mut next, viewer, &owner, manager_notes)?;
    next.status = Set(ItemStatus::Agreed);
    next.agreed_by = Set(Some(viewer.id()));
    next.agreed_at = Set(Some(now));
    next.return_reason = Set(String::new());
    finish_move(
        txn,
        viewer,
        "development_item.agree",
        &current,
        next,
        "",
        now,
    )
    .await
}

/// Sets the manager's notes, which only the manager side writes.
fn set_notes(
    next: &mut development_item::ActiveModel,
    viewer: &Viewer,
    owner: &employee::Model,
    notes: Option<String>,
) -> DomainResult<()> {
    if let Some(text) = notes {
        if !is_manager_side(viewer, owner) {
            return Err(DomainError::forbidden(
                "the manager's notes are written by the employee's managers or HR",
            ));
        }
        next.manager_notes = Set(optional_text("managerNotes", &text, MAX_TEXT)?);
    }
    Ok(())
}

/// Sends an item back with a reason: a proposal to its proposer (RETURNED, by the side it
/// was made to), or a completion to the employee (AGREED again, by the manager side).
pub async fn return_item(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    reason: &str,
) -> DomainResult<development_item::Model> {
    let reason = required_text("reason", reason, 2000)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, _) = load(&txn, viewer, id, ItemAction::Return).await?;
    let to = if current.status == ItemStatus::Proposed {
        ItemStatus::Returned
    } else {
        ItemStatus::Agreed
    };
    let mut next = current.clone().into_active_model();
    next.status = Set(to);
    next.return_reason = Set(reason.clone());
    if to == ItemStatus::Agreed {
        next.completed_at = Set(None);
    }
    finish_move(
        txn,
        viewer,
        "development_item.return",
        &current,
        next,
        &reason,
        now,
    )
    .await
}

/// The employee marks an AGREED item done, with evidence (a training's is required).
pub async fn complete(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    evidence: &str,
) -> DomainResult<development_item::Model> {
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, _) = load(&txn, viewer, id, ItemAction::Complete).await?;
    let evidence = if current.kind == ItemKind::Training {
        required_text("evidence", evidence, MAX_TEXT)?
    } else {
        optional_text("evidence", evidence, MAX_TEXT)?
    };
    let mut next = current.clone().into_active_model();
    next.status = Set(ItemStatus::Completed);
    next.evidence = Set(evidence);
    next.completed_at = Set(Some(now));
    finish_move(
        txn,
        viewer,
        "development_item.complete",
        &current,
        next,
        "",
        now,
    )
    .await
}

/// A manager (or HR) confirms a COMPLETED item. A stretch assignment's skills leave the
/// gaps; assessed levels stay as they are (a manager assessment moves them).
pub async fn confirm(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    manager_notes: Option<String>,
) -> DomainResult<development_item::Model> {
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = load(&txn, viewer, id, ItemAction::Confirm).await?;
    let mut next = current.clone().into_active_model();
    set_notes(&mut next, viewer, &owner, manager_notes)?;
    next.status = Set(ItemStatus::Confirmed);
    next.confirmed_by = Set(Some(viewer.id()));
    next.confirmed_at = Set(Some(now));
    finish_move(
        txn,
        viewer,
        "development_item.confirm",
        &current,
        next,
        "",
        now,
    )
    .await
}
