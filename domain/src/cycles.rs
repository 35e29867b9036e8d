//! Performance cycles: dates, cadence, and the phase state machine (forward only, HR only,
//! every move audited).

use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::permissions::require_hr;
use crate::publish;
use crate::values::{Cadence, CyclePhase, required_text};
use crate::{Ctx, Viewer};
use chrono::NaiveDate;
use entity::{cycle, goal};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};
use serde_json::json;
use uuid::Uuid;

/// The fields of a new cycle.
#[derive(Debug, Clone)]
pub struct CycleInput {
    /// e.g. "FY2027".
    pub name: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Default check-in cadence.
    pub check_in_cadence: Cadence,
    /// When reviews may start.
    pub review_opens_on: NaiveDate,
    /// When reviews are due.
    pub review_due_on: NaiveDate,
}

/// Changes to a cycle; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct CyclePatch {
    /// New name.
    pub name: Option<String>,
    /// New first day.
    pub starts_on: Option<NaiveDate>,
    /// New last day.
    pub ends_on: Option<NaiveDate>,
    /// New default cadence.
    pub check_in_cadence: Option<Cadence>,
    /// New review opening.
    pub review_opens_on: Option<NaiveDate>,
    /// New review due date.
    pub review_due_on: Option<NaiveDate>,
}

fn check_dates(input: &CycleInput) -> DomainResult<()> {
    if input.ends_on <= input.starts_on {
        return Err(DomainError::bad(
            "endsOn",
            "a cycle must end after it starts",
        ));
    }
    if (input.ends_on - input.starts_on).num_days() > 731 {
        return Err(DomainError::bad(
            "endsOn",
            "a cycle may last at most two years",
        ));
    }
    if input.review_opens_on < input.starts_on {
        return Err(DomainError::bad(
            "reviewOpensOn",
            "the review window cannot open before the cycle starts",
        ));
    }
    if input.review_due_on < input.review_opens_on {
        return Err(DomainError::bad(
            "reviewDueOn",
            "reviews cannot be due before the review window opens",
        ));
    }
    Ok(())
}

fn snapshot(c: &cycle::Model) -> serde_json::Value {
    json!({
        "name": c.name, "startsOn": c.starts_on, "endsOn": c.ends_on,
        "checkInCadence": c.check_in_cadence, "reviewOpensOn": c.review_opens_on,
        "reviewDueOn": c.review_due_on, "phase": c.phase,
    })
}

/// Every cycle, newest first; visible to everyone (they frame everyone's goals).
pub async fn list(ctx: &Ctx, _viewer: &Viewer) -> DomainResult<Vec<cycle::Model>> {
    Ok(cycle::Entity::find()
        .order_by_desc(cycle::Column::StartsOn)
        .order_by_asc(cycle::Column::Id)
        .all(&ctx.db)
        .await?)
}

/// One cycle.
pub async fn get(ctx: &Ctx, _viewer: &Viewer, id: Uuid) -> DomainResult<cycle::Model> {
    find(&ctx.db, id).await
}

pub(crate) async fn find(
    db: &impl sea_orm::ConnectionTrait,
    id: Uuid,
) -> DomainResult<cycle::Model> {
    crate::query::find::<cycle::Entity>(db, id, "cycle").await
}

/// The phase after `phase`, if any: cycles only move forward, one phase at a time.
pub fn next_phase(phase: CyclePhase) -> Option<CyclePhase> {
    let at = CyclePhase::ALL.iter().position(|p| *p == phase)?;
    CyclePhase::ALL.get(at + 1).copied()
}

/// Creates a cycle in `PLANNING` (HR only).
pub async fn create(ctx: &Ctx, viewer: &Viewer, input: CycleInput) -> DomainResult<cycle::Model> {
    require_hr(viewer, "create cycles")?;
    let name = required_text("name", &input.name, 120)?;
    check_dates(&input)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let created = cycle::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        check_in_cadence: Set(input.check_in_cadence),
        review_opens_on: Set(input.review_opens_on),
        review_due_on: Set(input.review_due_on),
        phase: Set(CyclePhase::Planning),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "cycle.create",
            entity: "cycle",
            entity_id: created.id,
            before: None,
            after: Some(snapshot(&created)),
        },
    )
    .await?;
    let event = DomainEvent::CycleCreated {
        cycle_id: created.id,
        name: created.name.clone(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    crate::review::rounds::annual_for(&created, now)
        .insert(&txn)
        .await?;
    // Everyone hears the cycle is in planning, and gets a planning conversation with their
    // manager, a batch at a time once it commits.
    crate::announcements::start(&txn, created.id, CyclePhase::Planning, now).await?;
    txn.commit().await?;
    Ok(created)
}

/// Something a viewer may do to a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleAction {
    /// `updateCycle`: HR, until the cycle is CLOSED.
    Update,
    /// `advanceCyclePhase`: HR, while there is a next phase.
    Advance,
}

/// Whether `viewer` may take `action` on `cycle` now: the check the mutations make first
/// and the API's `viewerCan` hints share. FORBIDDEN for anyone but HR, then CONFLICT for a
/// state that does not allow it.
pub fn check_action(
    action: CycleAction,
    viewer: &Viewer,
    cycle: &cycle::Model,
) -> DomainResult<()> {
    match action {
        CycleAction::Update => {
            require_hr(viewer, "change cycles")?;
            if cycle.phase == CyclePhase::Closed {
                return Err(DomainError::conflict("a closed cycle cannot be changed"));
            }
        }
        CycleAction::Advance => {
            require_hr(viewer, "move cycles between phases")?;
            if next_phase(cycle.phase).is_none() {
                return Err(DomainError::conflict("cycle is CLOSED; it cannot move"));
            }
        }
    }
    Ok(())
}

/// Changes a cycle's name, dates or cadence (HR only, not once closed). Dates may not move
/// so that an existing goal would fall outside the cycle.
pub async fn update(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    patch: CyclePatch,
) -> DomainResult<cycle::Model> {
    require_hr(viewer, "change cycles")?;
    let txn = crate::db::begin(&ctx.db).await?;
    let current = find(&txn, id).await?;
    check_action(CycleAction::Update, viewer, &current)?;
    let merged = CycleInput {
        name: patch.name.unwrap_or_else(|| current.name.clone()),
        starts_on: patch.starts_on.unwrap_or(current.starts_on),
        ends_on: patch.ends_on.unwrap_or(current.ends_on),
        check_in_cadence: patch.check_in_cadence.unwrap_or(current.check_in_cadence),
        review_opens_on: patch.review_opens_on.unwrap_or(current.review_opens_on),
        review_due_on: patch.review_due_on.unwrap_or(current.review_due_on),
    };
    let name = required_text("name", &merged.name, 120)?;
    check_dates(&merged)?;
    let outside = goal::Entity::find()
        .filter(goal::Column::CycleId.eq(id))
        .filter(
            Condition::any()
                .add(goal::Column::DueOn.lt(merged.starts_on))
                .add(goal::Column::DueOn.gt(merged.ends_on)),
        )
        .count(&txn)
        .await?;
    if outside > 0 {
        return Err(DomainError::conflict(format!(
            "{outside} goal(s) are due outside the new dates; move them first"
        )));
    }
    let now = ctx.clock.now();
    let mut model: cycle::ActiveModel = current.clone().into();
    model.name = Set(name);
    model.starts_on = Set(merged.starts_on);
    model.ends_on = Set(merged.ends_on);
    model.check_in_cadence = Set(merged.check_in_cadence);
    model.review_opens_on = Set(merged.review_opens_on);
    model.review_due_on = Set(merged.review_due_on);
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    crate::review::rounds::follow_cycle(&txn, &updated, now).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "cycle.update",
            entity: "cycle",
            entity_id: id,
            before: Some(snapshot(&current)),
            after: Some(snapshot(&updated)),
        },
    )
    .await?;
    let event = DomainEvent::CycleUpdated {
        cycle_id: id,
        name: updated.name.clone(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Moves a cycle to `to`, which must be the phase right after the current one: naming the
/// target makes a repeated click a conflict instead of a second move.
pub async fn advance(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    to: CyclePhase,
) -> DomainResult<cycle::Model> {
    require_hr(viewer, "move cycles between phases")?;
    let txn = crate::db::begin(&ctx.db).await?;
    let current = find(&txn, id).await?;
    check_action(CycleAction::Advance, viewer, &current)?;
    let phase = current.phase;
    if let Some(next) = next_phase(phase).filter(|next| *next != to) {
        return Err(DomainError::conflict(format!(
            "cycle is in {phase}; it can only move to {next}"
        )));
    }
    let now = ctx.clock.now();
    // Conditional on the phase read above: of two racing requests, one moves the cycle.
    let moved = cycle::Entity::update_many()
        .col_expr(cycle::Column::Phase, sea_orm::sea_query::Expr::value(to))
        .col_expr(
            cycle::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(cycle::Column::Id.eq(id))
        .filter(cycle::Column::Phase.eq(current.phase))
        .exec(&txn)
        .await?;
    if moved.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the cycle moved meanwhile; reload it",
        ));
    }
    let updated = cycle::Model {
        phase: to,
        updated_at: now,
        ..current.clone()
    };
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "cycle.advance",
            entity: "cycle",
            entity_id: id,
            before: Some(json!({ "phase": current.phase })),
            after: Some(json!({ "phase": updated.phase })),
        },
    )
    .await?;
    let event = DomainEvent::CyclePhaseChanged {
        cycle_id: id,
        name: updated.name.clone(),
        from: phase,
        to,
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    // Everyone hears of the move, a batch at a time once it commits.
    crate::announcements::start(&txn, id, to, now).await?;
    if to == CyclePhase::Rewarding {
        crate::reward::run::on_rewarding(&txn, &updated, Some(viewer.id()), now).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Cycles by id, for batch loading.
pub async fn by_ids(
    db: &impl sea_orm::ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<std::collections::HashMap<Uuid, cycle::Model>> {
    crate::query::by_ids::<cycle::Entity>(db, cycle::Column::Id, ids).await
}

/// A subquery of the ids of ACTIVE cycles, the only ones whose schedules run.
pub fn active_ids() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(cycle::Column::Id)
        .from(cycle::Entity)
        .and_where(cycle::Column::Phase.eq(CyclePhase::Active))
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_only_move_forward_one_step() {
        assert_eq!(next_phase(CyclePhase::Planning), Some(CyclePhase::Active));
        assert_eq!(next_phase(CyclePhase::Rewarding), Some(CyclePhase::Closed));
        assert_eq!(next_phase(CyclePhase::Closed), None);
    }
}
