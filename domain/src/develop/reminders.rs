//! Dated development items (a training's due date, an improvement plan's check date, …):
//! the employee hears a week before and a day before, at 09:00 in their timezone; once the
//! date has passed, their manager hears. Each AGREED item's `reminder_stage` records how far
//! it has gone, written in the transaction that queues the e-mail, so a late run catches up
//! with the latest stage only and a second run sends nothing.

use crate::Ctx;
use crate::calendar;
use crate::check_ins::DEFAULT_REMINDER_TIME;
use crate::error::DomainResult;
use crate::events::DomainEvent;
use crate::publish;
use crate::query::IN_CHUNK;
use crate::values::{CyclePhase, ItemStatus, PlanStatus};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{cycle, development_item, development_plan, employee};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// The last stage: overdue, told to the manager.
pub const OVERDUE: i32 = 3;

/// The stage an item due on `due_on` has reached at `now` for someone in `tz`: 1 from 09:00
/// a week before, 2 from 09:00 the day before, 3 from 09:00 the day after.
pub fn stage_at(tz: chrono_tz::Tz, due_on: NaiveDate, now: DateTime<Utc>) -> i32 {
    let at = |day: NaiveDate| calendar::reminder_at(tz, day, day, DEFAULT_REMINDER_TIME);
    [
        (OVERDUE, due_on + Duration::days(1)),
        (2, due_on - Duration::days(1)),
        (1, due_on - Duration::days(7)),
    ]
    .into_iter()
    .find(|(_, day)| at(*day) <= now)
    .map_or(0, |(stage, _)| stage)
}

/// Queues the reminders whose time has come, a batch per transaction; returns how many
/// e-mails were queued. Safe to run late and twice.
pub async fn queue_reminders(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<u64> {
    // A week ahead of UTC's today, plus a day for the timezones ahead of it.
    let horizon = now.date_naive() + Duration::days(8);
    let mut after: Option<(NaiveDate, Uuid)> = None;
    let mut queued = 0;
    loop {
        let txn = crate::db::begin(&ctx.db).await?;
        let running_cycles = Query::select()
            .column(cycle::Column::Id)
            .from(cycle::Entity)
            .and_where(cycle::Column::Phase.ne(CyclePhase::Closed))
            .to_owned();
        let open_plans = Query::select()
            .column(development_plan::Column::Id)
            .from(development_plan::Entity)
            .and_where(development_plan::Column::Status.eq(PlanStatus::Open))
            .and_where(development_plan::Column::CycleId.in_subquery(running_cycles))
            .to_owned();
        let mut query = development_item::Entity::find()
            .filter(development_item::Column::ReminderStage.lt(OVERDUE))
            .filter(development_item::Column::DueOn.lte(horizon))
            .filter(development_item::Column::Status.eq(ItemStatus::Agreed))
            .filter(development_item::Column::PlanId.in_subquery(open_plans));
        if let Some((due, id)) = after {
            query = query.filter(
                Condition::any()
                    .add(development_item::Column::DueOn.gt(due))
                    .add(
                        Condition::all()
                            .add(development_item::Column::DueOn.eq(due))
                            .add(development_item::Column::Id.gt(id)),
                    ),
            );
        }
        let batch = query
            .order_by_asc(development_item::Column::DueOn)
            .order_by_asc(development_item::Column::Id)
            .limit(IN_CHUNK as u64 / 2)
            .lock_exclusive()
            .all(&txn)
            .await?;
        let Some(last) = batch.last() else {
            txn.commit().await?;
            return Ok(queued);
        };
        after = last.due_on.map(|d| (d, last.id));
        let people: Vec<Uuid> = batch.iter().map(|i| i.employee_id).collect();
        let people: HashMap<Uuid, employee::Model> =
            crate::query::by_ids::<employee::Entity>(&txn, employee::Column::Id, &people).await?;
        let mut events = Vec::new();
        let mut moved: HashMap<i32, Vec<Uuid>> = HashMap::new();
        for item in &batch {
            let (Some(due_on), Some(person)) = (item.due_on, people.get(&item.employee_id)) else {
                continue;
            };
            let stage = stage_at(calendar::zone(person), due_on, now);
            if stage <= item.reminder_stage {
                continue;
            }
            moved.entry(stage).or_default().push(item.id);
            events.push(DomainEvent::DevelopmentItemDue {
                item_id: item.id,
                employee_id: item.employee_id,
                kind: item.kind,
                title: item.title.clone(),
                due_on,
                stage,
            });
        }
        queued += publish::emit(&txn, now, None, events).await?;
        for (stage, ids) in moved {
            development_item::Entity::update_many()
                .col_expr(development_item::Column::ReminderStage, Expr::value(stage))
                .filter(development_item::Column::Id.is_in(ids))
                .filter(development_item::Column::ReminderStage.lt(stage))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
    }
}
