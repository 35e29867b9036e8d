//! A goal's history: each step of its negotiation and life (created, edited, proposed,
//! returned with a reason, agreed or accepted, closed), who took it and when.

use crate::error::DomainResult;
use crate::query::rows_in;
use entity::goal_event;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// Adds a step, in the caller's transaction.
pub(super) async fn record(
    txn: &impl ConnectionTrait,
    step: goal_event::Model,
) -> DomainResult<()> {
    step.into_active_model().insert(txn).await?;
    Ok(())
}

/// The steps of each goal, oldest first, for batch loading (unfiltered: callers check read
/// access on the goal).
pub async fn events_of(
    db: &impl ConnectionTrait,
    goal_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<goal_event::Model>>> {
    let query = goal_event::Entity::find()
        .order_by_asc(goal_event::Column::At)
        .order_by_asc(goal_event::Column::Id);
    let mut found: HashMap<Uuid, Vec<goal_event::Model>> = HashMap::new();
    for e in rows_in(db, query, goal_event::Column::GoalId, goal_ids).await? {
        found.entry(e.goal_id).or_default().push(e);
    }
    Ok(found)
}
