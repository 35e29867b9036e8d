//! Reading goals: one goal, the filtered list, batch loaders for the API's DataLoaders, and
//! progress rolled up through the alignment tree.

use super::key_results::{key_result_progress, key_results_of};
use crate::error::DomainResult;
use crate::page::{Page, PageRequest};
use crate::progress::{self, Tree};
use crate::query::{find_readable, page_of, rows_in};
use crate::values::{GoalLevel, GoalStatus, Visibility};
use crate::{Ctx, Viewer};
use entity::goal;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One goal the viewer may read.
pub async fn get(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    Ok(find_readable::<goal::Model>(&ctx.db, viewer, id).await?.0)
}

/// The SQL form of [`crate::permissions::can_read_goal`], so that lists are filtered by the
/// database.
pub(super) fn readable_condition(viewer: &Viewer) -> Option<Condition> {
    if viewer.is_hr() {
        return None;
    }
    Some(
        Condition::any()
            .add(goal::Column::OwnerId.in_subquery(viewer.subtree_ids()))
            .add(
                Condition::all()
                    .add(goal::Column::Visibility.eq(Visibility::Public))
                    .add(goal::Column::Level.ne(GoalLevel::Individual)),
            ),
    )
}

/// A page of the goals the viewer may read, oldest first.
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: &super::GoalFilter,
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
        cond = cond.add(goal::Column::Level.eq(l));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(goal::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    let query = goal::Entity::find()
        .filter(cond)
        .order_by_asc(goal::Column::CreatedAt)
        .order_by_asc(goal::Column::Id);
    page_of(&ctx.db, query, page).await
}

/// Goals by id, for batch loading (unfiltered: callers check read access).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, goal::Model>> {
    Ok(rows_in(db, goal::Entity::find(), goal::Column::Id, ids)
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect())
}

/// Child goals of each parent, oldest first, for batch loading (unfiltered: callers check
/// visibility).
pub async fn children_of(
    db: &impl ConnectionTrait,
    parent_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<goal::Model>>> {
    let query = goal::Entity::find()
        .order_by_asc(goal::Column::CreatedAt)
        .order_by_asc(goal::Column::Id);
    let mut found: HashMap<Uuid, Vec<goal::Model>> = HashMap::new();
    for g in rows_in(db, query, goal::Column::ParentId, parent_ids).await? {
        if let Some(p) = g.parent_id {
            found.entry(p).or_default().push(g);
        }
    }
    Ok(found)
}

/// Goals of each owner (optionally in one cycle), oldest first, for batch loading
/// (unfiltered: callers check read access).
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
        let mut query = goal::Entity::find()
            .order_by_asc(goal::Column::CreatedAt)
            .order_by_asc(goal::Column::Id);
        if let Some(c) = cycle {
            query = query.filter(goal::Column::CycleId.eq(c));
        }
        for g in rows_in(db, query, goal::Column::OwnerId, &owners).await? {
            found.entry((g.owner_id, cycle)).or_default().push(g);
        }
    }
    Ok(found)
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
                .filter(|g| g.status != GoalStatus::Dropped)
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
        let values = krs.iter().map(|kr| (key_result_progress(kr), kr.weight));
        tree.own.insert(goal_id, progress::weighted_mean(values));
    }
    Ok(tree.progress(goal_ids))
}
