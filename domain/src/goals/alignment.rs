//! The alignment tree: a cycle's goals as a forest from company to team to individual,
//! showing each viewer only the goals they may read.

use super::queries::readable_condition;
use crate::cycles;
use crate::error::{DomainError, DomainResult};
use crate::query::{find_readable, rows_in};
use crate::values::GoalStatus;
use crate::{Ctx, Viewer};
use entity::goal;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Most goals an alignment tree returns.
pub const MAX_TREE_NODES: usize = 5000;

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
        .add(goal::Column::Status.ne(GoalStatus::Dropped));
    if let Some(c) = readable_condition(viewer, ctx.db.get_database_backend()) {
        cond = cond.add(c);
    }
    let goals = match root {
        Some(root) => {
            let (root_goal, _) = find_readable::<goal::Model>(&ctx.db, viewer, root).await?;
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
                let query = goal::Entity::find().filter(cond.clone());
                let kids = rows_in(&ctx.db, query, goal::Column::ParentId, &frontier).await?;
                frontier = Vec::new();
                for k in kids {
                    if seen.insert(k.id) {
                        frontier.push(k.id);
                        all.push(k);
                    }
                }
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
