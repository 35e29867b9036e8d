//! The reward run: HR starts one (or the cycle's move to REWARDING does), a background job
//! computes it. The job works in three phases, each step committing its rows together with
//! the job's cursor (which also carries the running totals), so a step repeated after a crash
//! writes nothing twice and the totals count each person once:
//!
//! 1. **budgeted departments**, one whole department a step: its people and their inputs
//!    read with one statement (pay as of the cycle's end, grade, released rating, earlier
//!    approvals), each priced in exact decimals, each of its pools in the policy's order
//!    scaling its proposals to what is left of the pool (less what is already approved), and
//!    a reward line per person (every kind in it) inserted with the final amounts.
//! 2. **everyone else**, a batch at a time along the employee id, the same way without a fit.
//! 3. **finish**, in the step that finds nobody left: earlier runs' PROPOSED rewards are
//!    superseded (not for a preview), and the totals are written on the run.
//!
//! The budgeted departments go largest first (the order is fixed in the cursor when the run
//! starts). While a step writes, the steps after it are read on a task and a connection of
//! their own and prepared (priced, fitted, their lines made and bound) on two others (when
//! the pool has a second connection), so the database reads one step while it writes another
//! and the worker prepares the ones between; each step's people are read outside its
//! transaction.

use super::calc::Span;
use super::engine::{People, Prepared, RunOf, Scope, prepare, read, write};
use super::policy::{self, Policy};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::jobs::{self, Claim};
use crate::permissions::require_hr;
use crate::publish;
use crate::query::{find, rows_in};
use crate::values::{CyclePhase, JobKind, JobStatus, RewardKind, RewardStatus, RoundKind};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Duration, Utc};
use entity::values::DecimalText;
use entity::{background_job, cycle, employee, review_round, reward, reward_line, reward_run};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// People per compute batch unless configured ([`set_batch_size`]).
pub const DEFAULT_BATCH: u64 = 2000;

static BATCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(DEFAULT_BATCH);

/// Sets how many people a compute batch takes (the process's configuration, read at start;
/// each batch is one transaction).
pub fn set_batch_size(people: u64) {
    BATCH.store(people.max(1), std::sync::atomic::Ordering::Relaxed);
}

fn batch_size() -> u64 {
    BATCH.load(std::sync::atomic::Ordering::Relaxed)
}

/// A run's totals for one kind of reward in one currency (PTO has none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindTotal {
    pub kind: RewardKind,
    pub currency: String,
    pub count: i64,
    /// Before any budget fit.
    pub proposed: DecimalText,
    /// After it.
    pub amount: DecimalText,
}

/// What a budget fit did to one department's pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetReport {
    pub department_id: Uuid,
    pub currency: String,
    /// `MERIT` (raises and lump sums) or `BONUS`.
    pub pool: String,
    /// The pool as the policy sets it.
    pub pool_amount: DecimalText,
    /// What was left of it after rewards already approved in the cycle.
    pub available: DecimalText,
    pub before: DecimalText,
    pub after: DecimalText,
    pub people: i64,
}

/// A run's totals: how many people were considered, how many got something, why the others
/// did not, and the sums.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub people: i64,
    pub rewarded: i64,
    pub skipped: BTreeMap<String, i64>,
    pub kinds: Vec<KindTotal>,
    pub budgets: Vec<BudgetReport>,
}

impl Totals {
    /// The kinds in a fixed order (kind, then currency), whatever order the batches met them.
    fn sorted(mut self) -> Totals {
        self.kinds
            .sort_by(|a, b| (a.kind.as_str(), &a.currency).cmp(&(b.kind.as_str(), &b.currency)));
        self
    }

    /// Adds a step's counts.
    fn add(&mut self, step: &Totals) {
        self.people += step.people;
        self.rewarded += step.rewarded;
        for (skip, n) in &step.skipped {
            *self.skipped.entry(skip.clone()).or_default() += n;
        }
        for k in &step.kinds {
            let t = self.kind_mut(k.kind, &k.currency);
            t.count += k.count;
            t.proposed.0 += k.proposed.0;
            t.amount.0 += k.amount.0;
        }
        self.budgets.extend(step.budgets.iter().cloned());
    }

    pub(super) fn kind_mut(&mut self, kind: RewardKind, currency: &str) -> &mut KindTotal {
        let i = match self
            .kinds
            .iter()
            .position(|k| k.kind == kind && k.currency == currency)
        {
            Some(i) => i,
            None => {
                self.kinds.push(KindTotal {
                    kind,
                    currency: currency.to_owned(),
                    count: 0,
                    proposed: DecimalText::default(),
                    amount: DecimalText::default(),
                });
                self.kinds.len() - 1
            }
        };
        &mut self.kinds[i]
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Phase {
    /// The departments with a budget, one whole department a step.
    #[default]
    Budgeted,
    /// Everyone else, a batch at a time along the employee id.
    Others,
    Done,
}

/// The job's cursor: where it is and what it has counted so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct State {
    phase: Phase,
    /// The budgeted departments in the order the run takes them, fixed when it starts (none
    /// in the cursor of a run from before the order was kept: those take them by id).
    #[serde(default)]
    departments: Option<Vec<Uuid>>,
    /// Budgeted: how many of the budgeted departments are done.
    departments_done: usize,
    /// Others: the last employee done.
    after: Option<Uuid>,
    totals: Totals,
}

/// The totals of a run: final once it completed, so far while it runs.
pub fn totals_of(run: &reward_run::Model, job: &background_job::Model) -> Option<Totals> {
    if let Some(t) = &run.totals {
        return serde_json::from_value::<Totals>(t.clone())
            .ok()
            .map(Totals::sorted);
    }
    let state: State = serde_json::from_str(job.cursor.as_deref()?).ok()?;
    Some(state.totals.sorted())
}

/// The active real run of a cycle, if one is queued or running.
pub(super) async fn active_real_run(
    db: &impl ConnectionTrait,
    cycle_id: Uuid,
) -> DomainResult<Option<reward_run::Model>> {
    let runs = reward_run::Entity::find()
        .filter(reward_run::Column::CycleId.eq(cycle_id))
        .filter(reward_run::Column::Preview.eq(false))
        .filter(reward_run::Column::CompletedAt.is_null())
        .all(db)
        .await?;
    for run in runs {
        let job = find::<background_job::Entity>(db, run.job_id, "job").await?;
        if matches!(job.status, JobStatus::Queued | JobStatus::Running) {
            return Ok(Some(run));
        }
    }
    Ok(None)
}

/// Queues a run of `cycle` under `policy` in `txn`; a real run already queued or running is
/// returned instead of a second one.
pub async fn queue(
    txn: &impl ConnectionTrait,
    cycle: &cycle::Model,
    policy: &Policy,
    preview: bool,
    requested_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> DomainResult<(reward_run::Model, bool)> {
    if !preview && let Some(run) = active_real_run(txn, cycle.id).await? {
        return Ok((run, false));
    }
    let id = Uuid::now_v7();
    let (job, _) = jobs::queue(
        txn,
        JobKind::RewardRun,
        id,
        Some(cycle.id),
        requested_by,
        now,
    )
    .await?;
    let run = reward_run::Entity::insert(reward_run::ActiveModel {
        id: Set(id),
        cycle_id: Set(cycle.id),
        preview: Set(preview),
        policy: Set(serde_json::to_value(policy)
            .map_err(|e| DomainError::Internal(format!("reward policy: {e}")))?),
        job_id: Set(job.id),
        totals: Set(None),
        requested_by: Set(requested_by),
        created_at: Set(now),
        completed_at: Set(None),
    })
    .exec_with_returning(txn)
    .await?;
    let event = DomainEvent::RewardRunStarted {
        run_id: id,
        cycle_id: cycle.id,
        preview,
    };
    publish::emit(txn, now, requested_by, vec![event]).await?;
    Ok((run, true))
}

/// The run the cycle's move to REWARDING starts, when the cycle has a policy (without one
/// there is nothing to compute: HR starts the run once the policy is set).
pub async fn on_rewarding(
    txn: &impl ConnectionTrait,
    cycle: &cycle::Model,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if let Some(policy) = policy::of_cycle(txn, cycle.id).await? {
        queue(txn, cycle, &policy, false, actor, now).await?;
    }
    Ok(())
}

/// HR starts a run. A real run uses the cycle's policy and needs the cycle in REWARDING; a
/// preview may use another policy (a what-if), in any phase, and changes nothing.
pub async fn start(
    ctx: &Ctx,
    viewer: &Viewer,
    cycle_id: Uuid,
    preview: bool,
    what_if: Option<Policy>,
) -> DomainResult<reward_run::Model> {
    require_hr(viewer, "start reward runs")?;
    if let Some(p) = &what_if {
        if !preview {
            return Err(DomainError::bad(
                "policy",
                "a real run uses the cycle's policy (setRewardPolicy); another policy is for previews",
            ));
        }
        p.check()?;
    }
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let cycle = find::<cycle::Entity>(&txn, cycle_id, "cycle").await?;
    if !preview && cycle.phase != CyclePhase::Rewarding {
        return Err(DomainError::conflict(format!(
            "the cycle is in {}; real reward runs happen in REWARDING (a preview works in any phase)",
            cycle.phase
        )));
    }
    let policy = match what_if {
        Some(p) => {
            policy::check_departments(&txn, &p).await?;
            p
        }
        None => policy::of_cycle(&txn, cycle_id).await?.ok_or_else(|| {
            DomainError::conflict("the cycle has no reward policy yet; set it first")
        })?,
    };
    let (run, new) = queue(&txn, &cycle, &policy, preview, Some(viewer.id()), now).await?;
    if new {
        audit::record(
            &txn,
            now,
            Change {
                actor: Some(viewer.id()),
                action: "reward_run.start",
                entity: "reward_run",
                entity_id: run.id,
                before: None,
                after: Some(json!({ "cycleId": cycle_id, "preview": preview })),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(run)
}

/// A run (HR).
pub async fn get(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<(reward_run::Model, background_job::Model)> {
    require_hr(viewer, "read reward runs")?;
    let run = find::<reward_run::Entity>(&ctx.db, id, "reward run").await?;
    let job = find::<background_job::Entity>(&ctx.db, run.job_id, "job").await?;
    Ok((run, job))
}

/// A cycle's runs, newest first (HR).
pub async fn of_cycle(
    ctx: &Ctx,
    viewer: &Viewer,
    cycle_id: Uuid,
) -> DomainResult<Vec<reward_run::Model>> {
    require_hr(viewer, "read reward runs")?;
    Ok(reward_run::Entity::find()
        .filter(reward_run::Column::CycleId.eq(cycle_id))
        .order_by_desc(reward_run::Column::CreatedAt)
        .order_by_desc(reward_run::Column::Id)
        .all(&ctx.db)
        .await?)
}

/// The latest completed real run of a cycle, if any: what a preview compares with.
pub async fn last_real(
    db: &impl ConnectionTrait,
    cycle_id: Uuid,
) -> DomainResult<Option<reward_run::Model>> {
    Ok(reward_run::Entity::find()
        .filter(reward_run::Column::CycleId.eq(cycle_id))
        .filter(reward_run::Column::Preview.eq(false))
        .filter(reward_run::Column::CompletedAt.is_not_null())
        .order_by_desc(reward_run::Column::CompletedAt)
        .order_by_desc(reward_run::Column::Id)
        .one(db)
        .await?)
}

/// Jobs by id, for batch loading.
pub async fn jobs_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, background_job::Model>> {
    Ok(rows_in(
        db,
        background_job::Entity::find(),
        background_job::Column::Id,
        ids,
    )
    .await?
    .into_iter()
    .map(|j| (j.id, j))
    .collect())
}

/// Whom a run considers: hired by the cycle's end, not gone before its start.
fn candidates(span: Span) -> sea_orm::Select<employee::Entity> {
    employee::Entity::find()
        .filter(employee::Column::HiredOn.lte(span.ends_on))
        .filter(
            sea_orm::Condition::any()
                .add(employee::Column::LeftOn.is_null())
                .add(employee::Column::LeftOn.gte(span.starts_on)),
        )
}

fn span_of(cycle: &cycle::Model) -> Span {
    Span {
        starts_on: cycle.starts_on,
        ends_on: cycle.ends_on,
    }
}

/// How many people a run considers in each department (and outside any): the run takes the
/// budgeted departments largest first, so that the last steps, whose writing nothing else
/// overlaps, are the smallest.
async fn sizes(db: &impl ConnectionTrait, span: Span) -> DomainResult<HashMap<Option<Uuid>, i64>> {
    let counted: Vec<(Option<Uuid>, i64)> = candidates(span)
        .select_only()
        .column(employee::Column::DepartmentId)
        .column_as(employee::Column::Id.count(), "n")
        .group_by(employee::Column::DepartmentId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counted.into_iter().collect())
}

/// The reward run job.
pub async fn run(ctx: &Ctx, claim: &mut Claim) -> DomainResult<()> {
    let run = find::<reward_run::Entity>(&ctx.db, claim.job.subject_id, "reward run").await?;
    let policy = policy::of_json(&run.policy)?;
    let cycle = find::<cycle::Entity>(&ctx.db, run.cycle_id, "cycle").await?;
    let span = span_of(&cycle);
    let round = review_round::Entity::find()
        .filter(review_round::Column::CycleId.eq(cycle.id))
        .filter(review_round::Column::Kind.eq(RoundKind::Annual))
        .one(&ctx.db)
        .await?
        .map(|r| r.id);
    let mut state: State = match claim.job.cursor.as_deref() {
        Some(c) => serde_json::from_str(c)
            .map_err(|e| DomainError::Internal(format!("reward run cursor: {e}")))?,
        None => State::default(),
    };
    // Departments with a budget, in the order the run fixed when it started: each is computed
    // whole and fitted to its pools before its lines are written.
    let mut total = claim.job.total;
    let budgeted: Arc<[Uuid]> = match &state.departments {
        Some(order) => order.as_slice().into(),
        None => {
            let mut ids: Vec<Uuid> = policy.budgets.iter().map(|b| b.department_id).collect();
            ids.sort();
            ids.dedup();
            if claim.job.cursor.is_none() {
                let sizes = sizes(&ctx.db, span).await?;
                total = sizes.values().sum();
                ids.sort_by_key(|d| {
                    (
                        std::cmp::Reverse(sizes.get(&Some(*d)).copied().unwrap_or(0)),
                        *d,
                    )
                });
                state.departments = Some(ids.clone());
            }
            ids.into()
        }
    };
    if total == 0 {
        total = candidates(span).count(&ctx.db).await? as i64;
    }
    let r = RunOf {
        effective_on: policy
            .effective_on
            .unwrap_or(span.ends_on + Duration::days(1)),
        status: if run.preview {
            RewardStatus::Preview
        } else {
            RewardStatus::Proposed
        },
        run: Arc::new(run),
        policy: Arc::new(policy),
        span,
        round,
        clock: Arc::clone(&ctx.clock),
    };
    // While a step writes, the next steps' people are read on a task and a connection of
    // their own, and prepared on two others: their inputs do not depend on this run's lines, and
    // a step repeated after a crash reads them again.
    let mut ahead = (crate::db::pool_size(&ctx.db) > 1)
        .then(|| Ahead::start(&ctx.db, &r, &budgeted, scope_of(&state, &budgeted)));
    while state.phase != Phase::Done {
        let scope = scope_of(&state, &budgeted);
        let mut step = match &mut ahead {
            Some(ahead) => ahead.next(&scope).await?,
            None => {
                let people = read(&ctx.db, &r, &scope).await?;
                prepare(&ctx.db, &r, &scope, people).await?
            }
        };
        let now = ctx.clock.now();
        let txn = crate::db::begin(&ctx.db).await?;
        let count = step.totals.people;
        if count == 0 && matches!(scope, Scope::Others { .. }) {
            super::budget::in_policy_order(&r.policy, &mut state.totals.budgets);
            finish(&txn, &r.run, &state.totals, now).await?;
            state.phase = Phase::Done;
        } else {
            match scope {
                Scope::Department(_) => state.departments_done += 1,
                Scope::Others { .. } => {
                    state.phase = Phase::Others;
                    state.after = step.last;
                }
            }
            write(&txn, &mut step).await?;
            state.totals.add(&step.totals);
        }
        let processed = claim.job.processed + count;
        claim
            .advance(
                &txn,
                processed,
                Ord::max(total, processed),
                Some(encode(&state)?),
                now,
            )
            .await?;
        if count > 0 {
            let event = DomainEvent::RewardRunProgressed {
                run_id: r.run.id,
                cycle_id: r.run.cycle_id,
                processed,
                total: Ord::max(total, processed),
            };
            publish::emit(&txn, now, None, vec![event]).await?;
        }
        txn.commit().await?;
    }
    Ok(())
}

/// The steps ahead of the one being written: read in order on one task and prepared on two
/// others, taking turns (preparing a step costs the worker about as much as reading or writing
/// it costs the database), each at most a step ahead of the next stage (a department is held
/// whole); dropping it (the job stopped) stops all three.
struct Ahead {
    tasks: [tokio::task::JoinHandle<()>; 3],
    steps: [tokio::sync::mpsc::Receiver<(Scope, DomainResult<Prepared>)>; 2],
    /// How many steps were taken: the next comes from `steps[taken % 2]`.
    taken: usize,
}

impl Ahead {
    fn start(db: &DatabaseConnection, r: &RunOf, budgeted: &Arc<[Uuid]>, first: Scope) -> Ahead {
        let (send_a, reads_a) = tokio::sync::mpsc::channel::<(Scope, DomainResult<People>)>(1);
        let (send_b, reads_b) = tokio::sync::mpsc::channel::<(Scope, DomainResult<People>)>(1);
        let reader = {
            let (db, r, budgeted) = (db.clone(), r.clone(), Arc::clone(budgeted));
            tokio::spawn(async move {
                let sends = [send_a, send_b];
                let mut scope = first;
                for turn in 0.. {
                    let people = read(&db, &r, &scope).await;
                    let next = match &people {
                        Ok(people) => next_scope(&scope, people, &budgeted),
                        Err(_) => None,
                    };
                    if sends[turn % 2].send((scope, people)).await.is_err() {
                        return;
                    }
                    match next {
                        Some(n) => scope = n,
                        None => return,
                    }
                }
            })
        };
        let preparer = |mut reads: tokio::sync::mpsc::Receiver<(Scope, DomainResult<People>)>| {
            let (db, r) = (db.clone(), r.clone());
            let (send, steps) = tokio::sync::mpsc::channel(1);
            let task = tokio::spawn(async move {
                while let Some((scope, people)) = reads.recv().await {
                    let prepared = match people {
                        Ok(people) => prepare(&db, &r, &scope, people).await,
                        Err(e) => Err(e),
                    };
                    if send.send((scope, prepared)).await.is_err() {
                        return;
                    }
                }
            });
            (task, steps)
        };
        let (task_a, steps_a) = preparer(reads_a);
        let (task_b, steps_b) = preparer(reads_b);
        Ahead {
            tasks: [reader, task_a, task_b],
            steps: [steps_a, steps_b],
            taken: 0,
        }
    }

    /// The step `scope`, once read and prepared.
    async fn next(&mut self, scope: &Scope) -> DomainResult<Prepared> {
        let turn = self.taken % 2;
        self.taken += 1;
        match self.steps[turn].recv().await {
            Some((read, prepared)) if read == *scope => prepared,
            Some(_) => Err(DomainError::Internal(
                "the reward run read a step other than the one it writes".into(),
            )),
            None => Err(DomainError::Internal(
                "the reward run's reading stopped before its last step".into(),
            )),
        }
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The step after `scope`, which took `people`, as the job's cursor will move: the next
/// budgeted department, then along the id until a step finds nobody.
fn next_scope(scope: &Scope, people: &People, budgeted: &Arc<[Uuid]>) -> Option<Scope> {
    match scope {
        Scope::Department(d) => {
            let done = budgeted.iter().position(|b| b == d).map_or(0, |i| i + 1);
            Some(match budgeted.get(done) {
                Some(&department) => Scope::Department(department),
                None => Scope::Others {
                    after: None,
                    limit: batch_size(),
                    budgeted: Arc::clone(budgeted),
                },
            })
        }
        Scope::Others { .. } if people.is_empty() => None,
        Scope::Others { limit, .. } => Some(Scope::Others {
            after: people.last(),
            limit: *limit,
            budgeted: Arc::clone(budgeted),
        }),
    }
}

/// Whom the step at `state` takes: the next budgeted department, then batches of everyone
/// else.
fn scope_of(state: &State, budgeted: &Arc<[Uuid]>) -> Scope {
    match budgeted.get(state.departments_done) {
        Some(&department) if state.phase == Phase::Budgeted => Scope::Department(department),
        _ => Scope::Others {
            after: state.after,
            limit: batch_size(),
            budgeted: Arc::clone(budgeted),
        },
    }
}

fn encode(state: &State) -> DomainResult<String> {
    serde_json::to_string(state).map_err(|e| DomainError::Internal(format!("reward cursor: {e}")))
}

/// The last step: a real run supersedes what earlier runs proposed; the totals are written.
async fn finish(
    txn: &impl ConnectionTrait,
    run: &reward_run::Model,
    totals: &Totals,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if !run.preview {
        // Along the earlier runs' ids: lines have no index by cycle.
        let earlier: Vec<Uuid> = reward_run::Entity::find()
            .select_only()
            .column(reward_run::Column::Id)
            .filter(reward_run::Column::CycleId.eq(run.cycle_id))
            .filter(reward_run::Column::Id.ne(run.id))
            .filter(reward_run::Column::Preview.eq(false))
            .into_tuple()
            .all(txn)
            .await?;
        for chunk in earlier.chunks(crate::query::IN_CHUNK) {
            reward_line::Entity::update_many()
                .col_expr(
                    reward_line::Column::Status,
                    Expr::value(RewardStatus::Superseded),
                )
                .filter(reward_line::Column::RunId.is_in(chunk.iter().copied()))
                .filter(reward_line::Column::Status.eq(RewardStatus::Proposed))
                .exec(txn)
                .await?;
        }
        // Runs from before reward lines wrote a row per kind.
        reward::Entity::update_many()
            .col_expr(
                reward::Column::Status,
                Expr::value(RewardStatus::Superseded),
            )
            .filter(reward::Column::CycleId.eq(run.cycle_id))
            .filter(reward::Column::RunId.is_not_null())
            .filter(reward::Column::RunId.ne(run.id))
            .filter(reward::Column::Status.eq(RewardStatus::Proposed))
            .exec(txn)
            .await?;
    }
    let value = serde_json::to_value(totals)
        .map_err(|e| DomainError::Internal(format!("reward totals: {e}")))?;
    reward_run::Entity::update_many()
        .col_expr(reward_run::Column::Totals, Expr::value(value))
        .col_expr(reward_run::Column::CompletedAt, Expr::value(now))
        .filter(reward_run::Column::Id.eq(run.id))
        .exec(txn)
        .await?;
    let event = DomainEvent::RewardRunCompleted {
        run_id: run.id,
        cycle_id: run.cycle_id,
        preview: run.preview,
        rewarded: totals.rewarded,
    };
    publish::emit(txn, now, None, vec![event]).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::{KindTotal, Phase, State, Totals};
    use crate::values::RewardKind;
    use entity::values::DecimalText;
    use rust_decimal::Decimal;
    use uuid::Uuid;

    fn kind(kind: RewardKind, currency: &str, count: i64, proposed: i64, amount: i64) -> KindTotal {
        KindTotal {
            kind,
            currency: currency.to_owned(),
            count,
            proposed: DecimalText(Decimal::new(proposed, 2)),
            amount: DecimalText(Decimal::new(amount, 2)),
        }
    }

    #[test]
    fn a_steps_counts_add_to_the_runs_by_kind_and_currency() {
        let mut run = Totals {
            people: 3,
            rewarded: 2,
            skipped: [("NO_RATING".to_owned(), 1)].into(),
            kinds: vec![kind(RewardKind::Bonus, "EUR", 2, 1000, 900)],
            budgets: Vec::new(),
        };
        let step = Totals {
            people: 4,
            rewarded: 3,
            skipped: [
                ("NO_RATING".to_owned(), 1),
                ("TENURE_TOO_SHORT".to_owned(), 2),
            ]
            .into(),
            kinds: vec![
                kind(RewardKind::Pto, "", 1, 200, 200),
                kind(RewardKind::Bonus, "USD", 1, 50, 50),
                kind(RewardKind::Bonus, "EUR", 3, 1, 1),
            ],
            budgets: Vec::new(),
        };
        run.add(&step);
        assert_eq!((run.people, run.rewarded), (7, 5));
        assert_eq!(
            run.skipped,
            [
                ("NO_RATING".to_owned(), 2),
                ("TENURE_TOO_SHORT".to_owned(), 2)
            ]
            .into()
        );
        assert_eq!(
            run.sorted().kinds,
            vec![
                kind(RewardKind::Bonus, "EUR", 5, 1001, 901),
                kind(RewardKind::Bonus, "USD", 1, 50, 50),
                kind(RewardKind::Pto, "", 1, 200, 200),
            ]
        );
    }

    #[test]
    fn a_cursor_keeps_the_department_order_and_one_from_before_it_has_none()
    -> Result<(), serde_json::Error> {
        let order = vec![Uuid::from_u128(2), Uuid::from_u128(1)];
        let state = State {
            departments: Some(order.clone()),
            departments_done: 1,
            ..State::default()
        };
        let back: State = serde_json::from_str(&serde_json::to_string(&state)?)?;
        assert_eq!(back.departments, Some(order));
        assert_eq!(back.departments_done, 1);
        // A run queued before the order was kept resumes along the department id.
        let old = r#"{"phase":"BUDGETED","departmentsDone":2,"after":null,
                      "totals":{"people":5,"rewarded":3,"skipped":{},"kinds":[],"budgets":[]}}"#;
        let old: State = serde_json::from_str(old)?;
        assert_eq!(old.departments, None);
        assert_eq!((old.phase, old.departments_done), (Phase::Budgeted, 2));
        assert_eq!(old.totals.people, 5);
        Ok(())
    }
}
