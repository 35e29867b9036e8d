//! The planning conversation: in a cycle's PLANNING phase each employee has one with their
//! manager. It is created for everyone when the cycle's move into PLANNING is announced (a
//! batch of people per transaction), reminded to both sides on the last working day before
//! the cycle starts at 09:00 in each one's timezone (or within a week, for a cycle that is
//! planned late), written by both sides (the manager's expectations and notes, the employee's
//! aspirations) and marked as held by the manager.

use crate::audit::{self, Change};
use crate::calendar;
use crate::check_ins::DEFAULT_REMINDER_TIME;
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::permissions::{can_read_work_of, is_manager_side};
use crate::publish;
use crate::query::{IN_CHUNK, Keyset, Owned, find_readable, keyset_page, rows_in};
use crate::values::{ConversationStatus, CyclePhase, optional_text};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{cycle, employee, planning_conversation};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Longest text either side writes, in characters.
const MAX_TEXT: usize = 5000;

impl Owned for planning_conversation::Model {
    type Entity = planning_conversation::Entity;
    const WHAT: &'static str = "planning conversation";
    fn owner_id(&self) -> Uuid {
        self.employee_id
    }
    fn readable_by(&self, viewer: &Viewer, owner: &employee::Model) -> bool {
        can_read_work_of(viewer, owner)
    }
}

/// When someone in `tz` is reminded of a cycle's planning, planned on `today` (local).
fn reminder_at(
    cycle: &cycle::Model,
    person: &employee::Model,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let tz = calendar::zone(person);
    let today = now.with_timezone(&tz).date_naive();
    let before_start = cycle.starts_on - Duration::days(1);
    let last = if before_start >= today {
        before_start
    } else {
        today + Duration::days(6)
    };
    calendar::reminder_at(tz, today, last, DEFAULT_REMINDER_TIME)
}

/// Creates the planning conversations of `people` in `cycle` (each once).
pub(crate) async fn create_for(
    db: &impl ConnectionTrait,
    cycle: &cycle::Model,
    people: &[employee::Model],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if people.is_empty() {
        return Ok(());
    }
    let rows = people.iter().map(|p| planning_conversation::ActiveModel {
        id: Set(Uuid::now_v7()),
        cycle_id: Set(cycle.id),
        employee_id: Set(p.id),
        manager_id: Set(p.manager_id),
        status: Set(ConversationStatus::Open),
        expectations: Set(String::new()),
        aspirations: Set(String::new()),
        manager_notes: Set(String::new()),
        held_on: Set(None),
        held_by: Set(None),
        reminder_at: Set(reminder_at(cycle, p, now)),
        reminded_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    });
    let rows: Vec<_> = rows.collect();
    for chunk in rows.chunks(IN_CHUNK / 16) {
        planning_conversation::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    planning_conversation::Column::CycleId,
                    planning_conversation::Column::EmployeeId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Emits the reminders (to the employee and to their manager) of every OPEN conversation of a
/// cycle still in PLANNING whose reminder time has come, a batch per transaction; returns how
/// many e-mails were queued. Safe to run late and twice.
pub async fn queue_reminders(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<u64> {
    let mut queued = 0;
    loop {
        let txn = crate::db::begin(&ctx.db).await?;
        let planning = sea_orm::sea_query::Query::select()
            .column(cycle::Column::Id)
            .from(cycle::Entity)
            .and_where(cycle::Column::Phase.eq(CyclePhase::Planning))
            .to_owned();
        let batch = planning_conversation::Entity::find()
            .filter(planning_conversation::Column::RemindedAt.is_null())
            .filter(planning_conversation::Column::ReminderAt.lte(now))
            .filter(planning_conversation::Column::Status.eq(ConversationStatus::Open))
            .filter(planning_conversation::Column::CycleId.in_subquery(planning))
            .order_by_asc(planning_conversation::Column::ReminderAt)
            .limit(IN_CHUNK as u64 / 2)
            .lock_exclusive()
            .all(&txn)
            .await?;
        if batch.is_empty() {
            txn.commit().await?;
            return Ok(queued);
        }
        let cycles =
            crate::cycles::by_ids(&txn, &distinct(batch.iter().map(|c| c.cycle_id))).await?;
        let mut events = Vec::new();
        for c in &batch {
            let Some(cycle) = cycles.get(&c.cycle_id) else {
                continue;
            };
            for recipient in std::iter::once(c.employee_id).chain(c.manager_id) {
                events.push(DomainEvent::PlanningConversationDue {
                    conversation_id: c.id,
                    cycle_id: c.cycle_id,
                    cycle_name: cycle.name.clone(),
                    starts_on: cycle.starts_on,
                    employee_id: c.employee_id,
                    recipient_id: recipient,
                });
            }
        }
        queued += publish::emit(&txn, now, None, events).await?;
        planning_conversation::Entity::update_many()
            .col_expr(planning_conversation::Column::RemindedAt, Expr::value(now))
            .filter(planning_conversation::Column::Id.is_in(batch.iter().map(|c| c.id)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
}

fn distinct(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Each (employee, cycle)'s conversation, for batch loading (unfiltered: callers check who
/// may read it).
pub async fn of_employees(
    db: &impl ConnectionTrait,
    keys: &[(Uuid, Uuid)],
) -> DomainResult<HashMap<(Uuid, Uuid), planning_conversation::Model>> {
    let people: Vec<Uuid> = distinct(keys.iter().map(|(e, _)| *e));
    let query = planning_conversation::Entity::find();
    Ok(rows_in(
        db,
        query,
        planning_conversation::Column::EmployeeId,
        &people,
    )
    .await?
    .into_iter()
    .map(|c| ((c.employee_id, c.cycle_id), c))
    .filter(|(key, _)| keys.contains(key))
    .collect())
}

/// Which conversations a list shows.
#[derive(Debug, Clone)]
pub struct ConversationFilter {
    /// The cycle (required: a list spans one cycle).
    pub cycle_id: Uuid,
    /// Only these statuses.
    pub statuses: Vec<ConversationStatus>,
}

/// Oldest first (they are created in one sweep, so this is stable).
const ORDER: Keyset<planning_conversation::Entity> = Keyset {
    key: planning_conversation::Column::CreatedAt,
    id: planning_conversation::Column::Id,
    descending: false,
    position: |c| Position {
        key: SortKey::Time(c.created_at),
        id: c.id,
    },
};

/// A page of the conversations the viewer may read: their own and those of the people below
/// them, or everyone's for HR.
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: &ConversationFilter,
    page: &PageRequest,
) -> DomainResult<Page<planning_conversation::Model>> {
    let mut cond = Condition::all().add(planning_conversation::Column::CycleId.eq(filter.cycle_id));
    if !viewer.is_hr() {
        let backend = ctx.db.get_database_backend();
        cond = cond.add(viewer.covers(r#""planning_conversation"."employee_id""#, backend));
    }
    if !filter.statuses.is_empty() {
        cond =
            cond.add(planning_conversation::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    let query = planning_conversation::Entity::find().filter(cond);
    keyset_page(
        &ctx.db,
        query,
        &ORDER,
        &SortKey::Time(DateTime::UNIX_EPOCH),
        page,
    )
    .await
}

/// One conversation, for the employee, their managers and HR.
pub async fn get(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<planning_conversation::Model> {
    Ok(
        find_readable::<planning_conversation::Model>(&ctx.db, viewer, id)
            .await?
            .0,
    )
}

/// What each side writes; `None` keeps a text.
#[derive(Debug, Clone, Default)]
pub struct ConversationPatch {
    /// The manager's expectations (managers and HR).
    pub expectations: Option<String>,
    /// The employee's career aspirations (the employee).
    pub aspirations: Option<String>,
    /// The manager's notes, never shown to the employee (managers and HR).
    pub manager_notes: Option<String>,
}

/// Checks that the cycle still takes changes to its planning conversations.
fn check_cycle(cycle: &cycle::Model) -> DomainResult<()> {
    if cycle.phase == CyclePhase::Closed {
        return Err(DomainError::conflict(format!(
            "cycle {} is closed; its planning conversations are history",
            cycle.name
        )));
    }
    Ok(())
}

/// Writes one side of a conversation: the employee their aspirations, a manager (or HR) the
/// expectations and notes. A field of the other side is FORBIDDEN.
pub async fn update(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    patch: ConversationPatch,
) -> DomainResult<planning_conversation::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<planning_conversation::Model>(&txn, viewer, id).await?;
    let manager = is_manager_side(viewer, &owner);
    if (patch.expectations.is_some() || patch.manager_notes.is_some()) && !manager {
        return Err(DomainError::forbidden(
            "the expectations and the manager's notes are written by their managers or HR",
        ));
    }
    if patch.aspirations.is_some() && viewer.id() != owner.id {
        return Err(DomainError::forbidden(
            "career aspirations are written by the employee",
        ));
    }
    check_cycle(&crate::cycles::find(&txn, current.cycle_id).await?)?;
    let now = ctx.clock.now();
    let mut model = current.clone().into_active_model();
    if let Some(text) = &patch.expectations {
        model.expectations = Set(optional_text("expectations", text, MAX_TEXT)?);
    }
    if let Some(text) = &patch.aspirations {
        model.aspirations = Set(optional_text("aspirations", text, MAX_TEXT)?);
    }
    if let Some(text) = &patch.manager_notes {
        model.manager_notes = Set(optional_text("managerNotes", text, MAX_TEXT)?);
    }
    if !model.is_changed() {
        txn.commit().await?;
        return Ok(current);
    }
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    // The audit keeps which parts changed, not the words (notes are private).
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "planning_conversation.update",
            entity: "planning_conversation",
            entity_id: id,
            before: None,
            after: Some(json!({
                "expectations": patch.expectations.is_some(),
                "aspirations": patch.aspirations.is_some(),
                "managerNotes": patch.manager_notes.is_some(),
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// A manager (or HR) records that the conversation was held on `held_on` (not in the future).
/// Holding it again is a CONFLICT.
pub async fn hold(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    held_on: NaiveDate,
) -> DomainResult<planning_conversation::Model> {
    let txn = crate::db::begin(&ctx.db).await?;
    let (current, owner) = find_readable::<planning_conversation::Model>(&txn, viewer, id).await?;
    if !is_manager_side(viewer, &owner) {
        return Err(DomainError::forbidden(
            "a planning conversation is marked as held by a manager of the employee or HR",
        ));
    }
    let cycle = crate::cycles::find(&txn, current.cycle_id).await?;
    check_cycle(&cycle)?;
    let now = ctx.clock.now();
    // A day ahead of UTC covers every timezone's today.
    if held_on > now.date_naive() + Duration::days(1) {
        return Err(DomainError::bad(
            "heldOn",
            "the conversation cannot be held in the future",
        ));
    }
    let changed = planning_conversation::Entity::update_many()
        .col_expr(
            planning_conversation::Column::Status,
            Expr::value(ConversationStatus::Held),
        )
        .col_expr(planning_conversation::Column::HeldOn, Expr::value(held_on))
        .col_expr(
            planning_conversation::Column::HeldBy,
            Expr::value(viewer.id()),
        )
        .col_expr(planning_conversation::Column::UpdatedAt, Expr::value(now))
        .filter(planning_conversation::Column::Id.eq(id))
        .filter(planning_conversation::Column::Status.eq(ConversationStatus::Open))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict("the conversation was already held"));
    }
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "planning_conversation.hold",
            entity: "planning_conversation",
            entity_id: id,
            before: Some(json!({ "status": current.status })),
            after: Some(json!({ "status": ConversationStatus::Held, "heldOn": held_on })),
        },
    )
    .await?;
    let updated =
        crate::query::find::<planning_conversation::Entity>(&txn, id, "planning conversation")
            .await?;
    txn.commit().await?;
    Ok(updated)
}
