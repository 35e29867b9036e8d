//! Reading goals: one goal, the filtered list and batch loaders for the API's DataLoaders.

use crate::error::DomainResult;
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::query::{Keyset, find_readable, keyset_page, keyset_union, rows_in};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::goal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;
use uuid::Uuid;

/// One goal the viewer may read.
pub async fn get(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<goal::Model> {
    Ok(find_readable::<goal::Model>(&ctx.db, viewer, id).await?.0)
}

/// Goals are listed oldest first.
const ORDER: Keyset<goal::Entity> = Keyset {
    key: goal::Column::CreatedAt,
    id: goal::Column::Id,
    descending: false,
    position: position_of,
};

fn position_of(g: &goal::Model) -> Position {
    Position {
        key: SortKey::Time(g.created_at),
        id: g.id,
    }
}

/// Goals everyone may read (DESIGN §4), written as literals so that the planner matches the
/// partial index `idx_goal_public_created` on both backends.
fn public_team_goal() -> Expr {
    Expr::cust(r#""goal"."visibility" = 'PUBLIC' AND "goal"."level" <> 'INDIVIDUAL'"#)
}

/// The SQL form of [`crate::permissions::can_read_goal`] in one condition, for reads that
/// take a cycle's goals whole (the alignment tree); lists use the two parts of [`list`].
pub(super) fn readable_condition(viewer: &Viewer, backend: DbBackend) -> Option<Condition> {
    if viewer.is_hr() {
        return None;
    }
    Some(
        Condition::any()
            .add(goal::Column::OwnerId.in_subquery(viewer.subtree_ids(backend)))
            .add(public_team_goal()),
    )
}

/// A page of the goals the viewer may read, oldest first.
///
/// For anyone but HR, [`crate::permissions::can_read_goal`] is two disjoint parts read
/// separately, each along its own index: the goals of their subtree, and the public team
/// and company goals of everyone else. The page is the first rows of their merge.
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: &super::GoalFilter,
    page: &PageRequest,
) -> DomainResult<Page<goal::Model>> {
    let mut cond = Condition::all();
    if let Some(o) = filter.owner_id {
        cond = cond.add(goal::Column::OwnerId.eq(o));
    }
    if let Some(c) = filter.cycle_id {
        cond = cond.add(goal::Column::CycleId.eq(c));
    }
    if !filter.levels.is_empty() {
        cond = cond.add(goal::Column::Level.is_in(filter.levels.iter().copied()));
    }
    let backend = ctx.db.get_database_backend();
    if let Some(people) = crate::employees::people_filter(
        &ctx.db,
        "filter.",
        filter.subtree_of,
        filter.department_id,
        None,
    )
    .await?
    {
        cond = cond.add(crate::viewer::column_in(
            r#""goal"."owner_id""#,
            people,
            backend,
        ));
    }
    if !filter.health.is_empty() {
        cond = cond.add(goal::Column::Health.is_in(filter.health.iter().copied()));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(goal::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    let search = filter.search.as_deref();
    if let Some(title) =
        crate::query::contains_text("filter.search", search, &[goal::Column::Title])?
    {
        cond = cond.add(title);
    }
    let sample = SortKey::Time(DateTime::<Utc>::MIN_UTC);
    if viewer.is_hr() {
        let query = goal::Entity::find().filter(cond);
        return keyset_page(&ctx.db, query, &ORDER, &sample, page).await;
    }
    let subtree = || viewer.subtree_ids(backend);
    let parts = [
        goal::Entity::find()
            .filter(cond.clone())
            .filter(viewer.covers(r#""goal"."owner_id""#, backend)),
        goal::Entity::find()
            .filter(cond)
            .filter(public_team_goal())
            .filter(goal::Column::OwnerId.not_in_subquery(subtree())),
    ];
    keyset_union(&ctx.db, parts.into(), &ORDER, &sample, page).await
}

/// Goals by id, for batch loading (unfiltered: callers check read access).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, goal::Model>> {
    crate::query::by_ids::<goal::Entity>(db, goal::Column::Id, ids).await
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
