//! A goal's rolled-up progress, stored on the goal (`progress_ppm`) so that every read of a
//! goal has it without walking the alignment tree.
//!
//! The rule (see [`crate::progress`]): a goal with children that are not dropped shows the
//! weighted mean of their stored progress; any other goal the weighted mean of its key
//! results. Every write that moves an input of that rule calls [`refresh`] in its own
//! transaction, with the goals whose inputs it moved:
//!
//! | write | refresh |
//! |---|---|
//! | a key result's value or target | its goal |
//! | a goal's key results replaced | the goal |
//! | a goal created, re-weighted or moved under another parent | the goal and its parents, old and new |
//! | a goal dropped | its parent |
//!
//! [`refresh`] walks up from each of them while the stored value changes. On PostgreSQL it
//! locks each goal before reading what its value depends on, so two writes to siblings
//! cannot both compute their parent from the other's old value (SQLite runs one write
//! transaction at a time). [`Rollup`] computes whole trees in memory for the generators and
//! [`rebuild`] recomputes every goal of a database (after the migration that added the
//! column, and to check the stored values in tests).

use super::key_results::key_result_progress;
use crate::error::DomainResult;
use crate::progress::{self, Tree};
use crate::values::{DecimalText, GoalStatus};
use chrono::NaiveDate;
use entity::{goal, key_result};
use rust_decimal::Decimal;
use sea_orm::sea_query::{CaseStatement, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Goals per `CASE` update when many values are written at once.
const UPDATE_CHUNK: usize = 500;

/// Recomputes each of `goals` and then its ancestors, as long as a stored value changes, and
/// the health (on `today`) of each goal whose progress moved. Returns the values it wrote, by
/// goal.
pub async fn refresh(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    goals: &[Option<Uuid>],
) -> DomainResult<HashMap<Uuid, i64>> {
    let mut written = HashMap::new();
    let mut started = HashSet::new();
    for start in goals.iter().flatten() {
        if !started.insert(*start) {
            continue;
        }
        let mut cursor = Some(*start);
        let mut seen = HashSet::new();
        while let Some(id) = cursor {
            // Corrupt data with a parent loop ends the walk instead of spinning.
            if !seen.insert(id) {
                break;
            }
            let Some(row) = goal::Entity::find_by_id(id)
                .lock_exclusive()
                .one(db)
                .await?
            else {
                break;
            };
            let value = compute(db, id).await?;
            if value == row.progress_ppm {
                break;
            }
            goal::Entity::update_many()
                .col_expr(goal::Column::ProgressPpm, Expr::value(value))
                .filter(goal::Column::Id.eq(id))
                .exec(db)
                .await?;
            written.insert(id, value);
            cursor = row.parent_id;
        }
    }
    let moved: Vec<Uuid> = written.keys().copied().collect();
    super::health::refresh(db, today, &moved).await?;
    Ok(written)
}

/// The goals a write moved, for a client's cache: the goals it touched, in order, then every
/// ancestor whose stored progress [`refresh`] rewrote.
pub fn moved(touched: &[Uuid], written: &HashMap<Uuid, i64>) -> Vec<Uuid> {
    let mut moved: Vec<Uuid> = Vec::new();
    for id in touched {
        if !moved.contains(id) {
            moved.push(*id);
        }
    }
    let mut ancestors: Vec<Uuid> = written
        .keys()
        .filter(|id| !touched.contains(id))
        .copied()
        .collect();
    ancestors.sort_unstable();
    moved.extend(ancestors);
    moved
}

/// Gives `goal` the value [`refresh`] wrote for it, if it wrote one.
pub fn apply(goal: &mut goal::Model, written: &HashMap<Uuid, i64>) {
    if let Some(value) = written.get(&goal.id) {
        goal.progress_ppm = *value;
    }
}

/// One goal's progress from what is stored now: its children's values, or its key results.
async fn compute(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<i64> {
    let children: Vec<(i32, i64)> = goal::Entity::find()
        .select_only()
        .column(goal::Column::Weight)
        .column(goal::Column::ProgressPpm)
        .filter(goal::Column::ParentId.eq(id))
        .filter(goal::Column::Status.ne(GoalStatus::Dropped))
        .into_tuple()
        .all(db)
        .await?;
    let mean = if children.is_empty() {
        let krs = key_result::Entity::find()
            .filter(key_result::Column::GoalId.eq(id))
            .all(db)
            .await?;
        progress::weighted_mean(krs.iter().map(|kr| (key_result_progress(kr), kr.weight)))
    } else {
        progress::weighted_mean(
            children
                .into_iter()
                .map(|(weight, ppm)| (progress::from_ppm(ppm), weight)),
        )
    };
    Ok(progress::to_ppm(mean))
}

/// Whole goal trees in memory: fed every goal and key result, it gives each goal the value
/// [`refresh`] would have left stored.
#[derive(Debug, Default)]
pub struct Rollup {
    parents: Vec<(Uuid, Option<Uuid>, i32, GoalStatus)>,
    own: HashMap<Uuid, Vec<(Decimal, i32)>>,
}

impl Rollup {
    /// Adds a goal.
    pub fn goal(&mut self, id: Uuid, parent: Option<Uuid>, weight: i32, status: GoalStatus) {
        self.parents.push((id, parent, weight, status));
    }

    /// Adds a key result of `goal`.
    pub fn key_result(
        &mut self,
        goal: Uuid,
        start: Decimal,
        target: Decimal,
        current: Decimal,
        weight: i32,
    ) {
        self.own
            .entry(goal)
            .or_default()
            .push((progress::key_result(start, target, current), weight));
    }

    /// Each goal's stored value.
    pub fn values(self) -> HashMap<Uuid, i64> {
        let mut tree = Tree::default();
        let mut ids = Vec::with_capacity(self.parents.len());
        for (id, parent, weight, status) in self.parents {
            ids.push(id);
            if let Some(parent) = parent
                && status != GoalStatus::Dropped
            {
                tree.children.entry(parent).or_default().push((id, weight));
            }
        }
        for (goal, krs) in self.own {
            tree.own.insert(goal, progress::weighted_mean(krs));
        }
        tree.progress(&ids)
            .into_iter()
            .map(|(id, p)| (id, progress::to_ppm(p)))
            .collect()
    }
}

/// What [`rebuild`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// Goals looked at.
    pub goals: usize,
    /// `(goal, stored, computed)` for each goal whose stored value was not the computed one
    /// (and is now, unless the rebuild was a dry run).
    pub differed: Vec<(Uuid, i64, i64)>,
}

/// Recomputes every goal's progress from the key results up and stores the values that
/// differ (none with `dry_run`).
pub async fn rebuild(db: &impl ConnectionTrait, dry_run: bool) -> DomainResult<Rebuilt> {
    let goals: Vec<(Uuid, Option<Uuid>, i32, GoalStatus, i64)> = goal::Entity::find()
        .select_only()
        .column(goal::Column::Id)
        .column(goal::Column::ParentId)
        .column(goal::Column::Weight)
        .column(goal::Column::Status)
        .column(goal::Column::ProgressPpm)
        .into_tuple()
        .all(db)
        .await?;
    let krs: Vec<(Uuid, DecimalText, DecimalText, DecimalText, i32)> = key_result::Entity::find()
        .select_only()
        .column(key_result::Column::GoalId)
        .column(key_result::Column::StartValue)
        .column(key_result::Column::TargetValue)
        .column(key_result::Column::CurrentValue)
        .column(key_result::Column::Weight)
        .into_tuple()
        .all(db)
        .await?;
    let mut rollup = Rollup::default();
    for (id, parent, weight, status, _) in &goals {
        rollup.goal(*id, *parent, *weight, *status);
    }
    for (goal, start, target, current, weight) in krs {
        rollup.key_result(goal, start.0, target.0, current.0, weight);
    }
    let values = rollup.values();
    let differed: Vec<(Uuid, i64, i64)> = goals
        .iter()
        .filter_map(|(id, _, _, _, stored)| {
            let computed = values.get(id).copied().unwrap_or(0);
            (computed != *stored).then_some((*id, *stored, computed))
        })
        .collect();
    if !dry_run {
        for chunk in differed.chunks(UPDATE_CHUNK) {
            let mut case = CaseStatement::new();
            for (id, _, computed) in chunk {
                case = case.case(goal::Column::Id.eq(*id), Expr::value(*computed));
            }
            goal::Entity::update_many()
                .col_expr(
                    goal::Column::ProgressPpm,
                    case.finally(Expr::col(goal::Column::ProgressPpm)).into(),
                )
                .filter(goal::Column::Id.is_in(chunk.iter().map(|(id, _, _)| *id)))
                .exec(db)
                .await?;
        }
    }
    Ok(Rebuilt {
        goals: goals.len(),
        differed,
    })
}
