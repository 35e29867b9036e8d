//! Reading development and improvement plans: who may see them (the employee, their manager
//! chain and HR, for both kinds), their items and a stretch assignment's required skills.

use crate::error::{DomainError, DomainResult};
use crate::permissions::can_read_work_of;
use crate::query::{Owned, find, find_readable, rows_in};
use crate::values::{CyclePhase, ItemKind, ItemStatus, PlanKind, PlanStatus};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::{cycle, development_item, development_item_skill, development_plan, employee};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// Most items one plan holds.
pub const MAX_ITEMS: u64 = 50;

impl Owned for development_plan::Model {
    type Entity = development_plan::Entity;
    const WHAT: &'static str = "development plan";
    fn owner_id(&self) -> Uuid {
        self.employee_id
    }
    fn readable_by(&self, viewer: &Viewer, owner: &employee::Model) -> bool {
        can_read_work_of(viewer, owner)
    }
}

impl Owned for development_item::Model {
    type Entity = development_item::Entity;
    const WHAT: &'static str = "development item";
    fn owner_id(&self) -> Uuid {
        self.employee_id
    }
    fn readable_by(&self, viewer: &Viewer, owner: &employee::Model) -> bool {
        can_read_work_of(viewer, owner)
    }
}

/// Refuses to read someone's plans unless the viewer is them, one of their managers or HR.
pub(super) fn require_read_plans(viewer: &Viewer, person: &employee::Model) -> DomainResult<()> {
    if can_read_work_of(viewer, person) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "someone's development and improvement plans are for them, their managers and HR",
        ))
    }
}

/// Plans change until their cycle is CLOSED.
pub(super) fn check_cycle(cycle: &cycle::Model) -> DomainResult<()> {
    if cycle.phase == CyclePhase::Closed {
        return Err(DomainError::conflict(format!(
            "cycle {} is closed; its plans are history",
            cycle.name
        )));
    }
    Ok(())
}

/// Whether a plan's items still move: the plan is open and its cycle not closed.
pub fn accepts_changes(plan: &development_plan::Model, cycle: &cycle::Model) -> bool {
    plan.status == PlanStatus::Open && cycle.phase != CyclePhase::Closed
}

/// Someone's plan of `kind` in a cycle, if they have one.
pub async fn plan(
    ctx: &Ctx,
    viewer: &Viewer,
    employee_id: Uuid,
    cycle_id: Uuid,
    kind: PlanKind,
) -> DomainResult<Option<development_plan::Model>> {
    let person = find::<employee::Entity>(&ctx.db, employee_id, "employee").await?;
    require_read_plans(viewer, &person)?;
    find::<cycle::Entity>(&ctx.db, cycle_id, "cycle").await?;
    Ok(development_plan::Entity::find()
        .filter(development_plan::Column::EmployeeId.eq(employee_id))
        .filter(development_plan::Column::CycleId.eq(cycle_id))
        .filter(development_plan::Column::Kind.eq(kind))
        .one(&ctx.db)
        .await?)
}

/// Every plan of someone, newest cycle first.
pub async fn plans_of(
    ctx: &Ctx,
    viewer: &Viewer,
    person: &employee::Model,
) -> DomainResult<Vec<development_plan::Model>> {
    require_read_plans(viewer, person)?;
    Ok(development_plan::Entity::find()
        .filter(development_plan::Column::EmployeeId.eq(person.id))
        .order_by_desc(development_plan::Column::CreatedAt)
        .order_by_asc(development_plan::Column::Id)
        .all(&ctx.db)
        .await?)
}

/// One plan by id (not found unless the viewer may read it).
pub async fn get_plan(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<development_plan::Model> {
    Ok(
        find_readable::<development_plan::Model>(&ctx.db, viewer, id)
            .await?
            .0,
    )
}

/// One item by id (not found unless the viewer may read it).
pub async fn get_item(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<development_item::Model> {
    Ok(
        find_readable::<development_item::Model>(&ctx.db, viewer, id)
            .await?
            .0,
    )
}

/// The items of each plan, oldest first, for batch loading.
pub async fn items_of(
    db: &impl ConnectionTrait,
    plan_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<development_item::Model>>> {
    let query = development_item::Entity::find()
        .order_by_asc(development_item::Column::CreatedAt)
        .order_by_asc(development_item::Column::Id);
    let mut found: HashMap<Uuid, Vec<development_item::Model>> = HashMap::new();
    for item in rows_in(db, query, development_item::Column::PlanId, plan_ids).await? {
        found.entry(item.plan_id).or_default().push(item);
    }
    Ok(found)
}

/// The skills each stretch assignment requires, for batch loading.
pub async fn required_skills_of(
    db: &impl ConnectionTrait,
    item_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<development_item_skill::Model>>> {
    let mut found: HashMap<Uuid, Vec<development_item_skill::Model>> = HashMap::new();
    let query = development_item_skill::Entity::find();
    for row in rows_in(db, query, development_item_skill::Column::ItemId, item_ids).await? {
        found.entry(row.item_id).or_default().push(row);
    }
    Ok(found)
}

/// Plans by id, for batch loading.
pub async fn plans_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, development_plan::Model>> {
    crate::query::by_ids::<development_plan::Entity>(db, development_plan::Column::Id, ids).await
}

/// What the running stretch assignments (AGREED or COMPLETED, not yet confirmed) of each of
/// `people` ask: the highest level per skill.
pub async fn stretch_requirements(
    db: &impl ConnectionTrait,
    people: &[Uuid],
) -> DomainResult<HashMap<Uuid, HashMap<Uuid, i32>>> {
    let query = development_item::Entity::find()
        .filter(development_item::Column::Kind.eq(ItemKind::StretchAssignment))
        .filter(
            development_item::Column::Status.is_in([ItemStatus::Agreed, ItemStatus::Completed]),
        );
    let running = rows_in(db, query, development_item::Column::EmployeeId, people).await?;
    let owner: HashMap<Uuid, Uuid> = running.iter().map(|i| (i.id, i.employee_id)).collect();
    let ids: Vec<Uuid> = owner.keys().copied().collect();
    let mut wanted: HashMap<Uuid, HashMap<Uuid, i32>> = HashMap::new();
    for rows in required_skills_of(db, &ids).await?.into_values() {
        for r in rows {
            let Some(person) = owner.get(&r.item_id) else {
                continue;
            };
            let level = wanted
                .entry(*person)
                .or_default()
                .entry(r.skill_id)
                .or_insert(0);
            *level = (*level).max(r.target_level);
        }
    }
    Ok(wanted)
}

/// The plan of `kind` for `person` in `cycle`, opened now by `by` if there is none yet.
pub(super) async fn open_plan(
    db: &impl ConnectionTrait,
    person: &employee::Model,
    cycle: &cycle::Model,
    kind: PlanKind,
    by: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<(development_plan::Model, bool)> {
    let inserted = development_plan::Entity::insert(development_plan::ActiveModel {
        id: Set(Uuid::now_v7()),
        employee_id: Set(person.id),
        cycle_id: Set(cycle.id),
        kind: Set(kind),
        status: Set(PlanStatus::Open),
        objectives: Set(String::new()),
        support: Set(String::new()),
        outcome: Set(None),
        outcome_note: Set(String::new()),
        opened_by: Set(by),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            development_plan::Column::EmployeeId,
            development_plan::Column::CycleId,
            development_plan::Column::Kind,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let plan = development_plan::Entity::find()
        .filter(development_plan::Column::EmployeeId.eq(person.id))
        .filter(development_plan::Column::CycleId.eq(cycle.id))
        .filter(development_plan::Column::Kind.eq(kind))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("development plan"))?;
    Ok((plan, inserted > 0))
}
