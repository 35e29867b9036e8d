//! Subscriptions: what the live-event bus ([`crate::live`]) tells a dashboard, each event
//! filtered by what its subscriber may see (DESIGN.md §4).

use crate::graphql::cycles::overview::CycleOverview;
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::reward::types::RewardRun;
use crate::graphql::{dctx, parse_id, parse_opt_id, viewer};
use crate::live::{Bus, Live};
use async_graphql::{Context, ID, InputObject, SimpleObject, Subscription, Union};
use chrono::{DateTime, Utc};
use domain::events::DomainEvent;
use domain::live::{ActivityFilter, Scope, audience, moves_overview};
use entity::values::JobStatus;
use futures_util::Stream;
use futures_util::stream;
use std::sync::Arc;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::{Duration, Instant};
use uuid::Uuid;

/// The least time between two pushes of one `cycleProgress` subscription.
const COALESCE: Duration = Duration::from_millis(250);

/// Every subscription.
#[derive(Default)]
pub struct Subscription;

/// Which events `activity` sends.
#[derive(InputObject, Default)]
pub struct ActivityFilterInput {
    /// Event kinds, e.g. `["CHECK_IN_SUBMITTED", "GOAL_AGREED"]` (all when absent or empty).
    pub kinds: Option<Vec<String>>,
    /// Only events about someone in this department.
    pub department_id: Option<ID>,
    /// Only events about this manager or someone below them.
    pub manager_id: Option<ID>,
}

/// Something happened. It names the object and the person it is about, never who did it:
/// read the details with the usual queries, which apply the usual permissions.
#[derive(SimpleObject)]
pub struct ActivityEvent {
    /// The stored event's id.
    pub id: ID,
    /// Its kind, e.g. `CHECK_IN_SUBMITTED`.
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    /// The object it is about: a goal, a check-in, a cycle, a run, a round.
    pub subject_id: ID,
    /// The person it is about, when it is about one.
    pub employee_id: Option<ID>,
}

/// The subscription fell behind (or its server lost the event bus for a while) and events
/// were skipped: refetch what the page shows.
#[derive(SimpleObject)]
pub struct Lagged {
    /// How many events were skipped, when known.
    pub missed: Option<i64>,
}

/// An item of the activity stream.
#[derive(Union)]
pub enum Activity {
    Event(ActivityEvent),
    Lagged(Lagged),
}

fn bus<'a>(ctx: &'a Context<'_>) -> &'a Arc<Bus> {
    ctx.data_unchecked::<Arc<Bus>>()
}

/// The next item for a subscriber: an event, or a gap (`Err` with how many were missed).
async fn next(
    rx: &mut Receiver<Live>,
) -> Option<Result<Arc<domain::live::LiveEvent>, Option<i64>>> {
    match rx.recv().await {
        Ok(Live::Event(e)) => Some(Ok(e)),
        Ok(Live::Gap) => Some(Err(None)),
        Err(RecvError::Lagged(n)) => Some(Err(Some(n as i64))),
        Err(RecvError::Closed) => None,
    }
}

#[Subscription]
impl Subscription {
    /// A reward run as `rewardRun` reads it: now, then after each batch and at the end; the
    /// stream completes when the run is DONE or FAILED (HR).
    async fn reward_run(
        &self,
        ctx: &Context<'_>,
        run_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = GqlResult<RewardRun>> + use<>> {
        let id = parse_id("runId", &run_id)?;
        let viewer = viewer(ctx)?.clone();
        let dctx = dctx(ctx).clone();
        // Listening first, so nothing between the read and the first event is missed.
        let rx = bus(ctx).subscribe();
        let (run, job) = domain::reward::run::get(&dctx, &viewer, id).await.gql()?;
        struct State {
            rx: Receiver<Live>,
            dctx: domain::Ctx,
            viewer: domain::Viewer,
            id: Uuid,
            first: Option<(entity::reward_run::Model, entity::background_job::Model)>,
            ended: bool,
        }
        let state = State {
            rx,
            dctx,
            viewer,
            id,
            first: Some((run, job)),
            ended: false,
        };
        Ok(stream::unfold(state, |mut s| async move {
            if s.ended {
                return None;
            }
            let read = match s.first.take() {
                Some(first) => Ok(first),
                None => {
                    loop {
                        match next(&mut s.rx).await? {
                            Ok(e) if concerns_run(&e.event, s.id) => break,
                            Ok(_) => continue,
                            Err(_) => break,
                        }
                    }
                    settled(&s.dctx, &s.viewer, s.id).await
                }
            };
            let item = match read {
                Ok((run, job)) => {
                    // The status sent and the decision to end come from the same read.
                    s.ended = matches!(job.status, JobStatus::Done | JobStatus::Failed);
                    Ok(RewardRun(run, Some(job)))
                }
                Err(e) => {
                    s.ended = true;
                    Err(e)
                }
            };
            Some((item, s))
        }))
    }

    /// The figures of `cycleOverview(cycleId, departmentId)` (HR: everyone, or a department
    /// with its sub-departments; managers: the people below them): now, then again after
    /// each change in the viewer's scope, at most one push per 250 ms however many changes
    /// come together. After a `Lagged` gap it simply recomputes.
    async fn cycle_progress(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        department_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = GqlResult<CycleOverview>> + use<>> {
        let cycle = parse_id("cycleId", &cycle_id)?;
        let department = parse_opt_id("departmentId", department_id.as_ref())?;
        let viewer = viewer(ctx)?.clone();
        let dctx = dctx(ctx).clone();
        let rx = bus(ctx).subscribe();
        let first = domain::overview::overview(&dctx, &viewer, cycle, department)
            .await
            .gql()?;
        let scope = Scope::new(&dctx, &viewer, ActivityFilter::default())
            .await
            .gql()?;
        struct State {
            rx: Receiver<Live>,
            dctx: domain::Ctx,
            viewer: domain::Viewer,
            scope: Scope,
            cycle: Uuid,
            department: Option<Uuid>,
            first: Option<domain::overview::Overview>,
            pushed: Instant,
        }
        let state = State {
            rx,
            dctx,
            viewer,
            scope,
            cycle,
            department,
            first: Some(first),
            pushed: Instant::now(),
        };
        Ok(stream::unfold(state, |mut s| async move {
            if let Some(first) = s.first.take() {
                s.pushed = Instant::now();
                return Some((Ok(CycleOverview(first)), s));
            }
            // The next item is asked for once the previous one is resolved and on its way, so
            // the interval counts from here: a push that took long to resolve does not shorten
            // the gap its subscriber sees before the next one.
            s.pushed = Instant::now();
            // Until a change in scope, or a gap (which may have hidden one).
            while let Ok(e) = next(&mut s.rx).await? {
                if Scope::moves_people(&e.event)
                    && let Ok(scope) =
                        Scope::new(&s.dctx, &s.viewer, ActivityFilter::default()).await
                {
                    s.scope = scope;
                }
                if moves_overview(&e.event) && s.scope.admits(&s.viewer, &e.event) {
                    break;
                }
            }
            // A burst: wait out the interval, then one recomputation covers all of it.
            tokio::time::sleep_until(s.pushed + COALESCE).await;
            let mut moved = false;
            loop {
                match s.rx.try_recv() {
                    Ok(Live::Event(e)) => moved |= Scope::moves_people(&e.event),
                    Ok(Live::Gap) | Err(TryRecvError::Lagged(_)) => continue,
                    Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
                }
            }
            if moved
                && let Ok(scope) = Scope::new(&s.dctx, &s.viewer, ActivityFilter::default()).await
            {
                s.scope = scope;
            }
            let read = domain::overview::overview(&s.dctx, &s.viewer, s.cycle, s.department)
                .await
                .gql();
            Some((read.map(CycleOverview), s))
        }))
    }

    /// The event stream as the viewer may see it: HR everything; others the events about
    /// themselves and the people below them, and the cycle-wide ones. Review events never
    /// name a reviewer, and the ones that would tell who reviews whom are HR's alone.
    async fn activity(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActivityFilterInput>,
    ) -> async_graphql::Result<impl Stream<Item = Activity> + use<>> {
        let viewer = viewer(ctx)?.clone();
        let dctx = dctx(ctx).clone();
        let input = filter.unwrap_or_default();
        let filter = ActivityFilter {
            kinds: input.kinds.unwrap_or_default(),
            department_id: parse_opt_id("filter.departmentId", input.department_id.as_ref())?,
            manager_id: parse_opt_id("filter.managerId", input.manager_id.as_ref())?,
        };
        let rx = bus(ctx).subscribe();
        let scope = Scope::new(&dctx, &viewer, filter).await.gql()?;
        Ok(stream::unfold(
            (rx, dctx, viewer, scope),
            |(mut rx, dctx, viewer, mut scope)| async move {
                loop {
                    let e = match next(&mut rx).await? {
                        Ok(e) => e,
                        Err(missed) => {
                            return Some((
                                Activity::Lagged(Lagged { missed }),
                                (rx, dctx, viewer, scope),
                            ));
                        }
                    };
                    if Scope::moves_people(&e.event) {
                        // Someone may have joined or left the viewer's or the filter's people.
                        match Scope::new(&dctx, &viewer, scope.filter().clone()).await {
                            Ok(s) => scope = s,
                            Err(err) => {
                                tracing::warn!(error = %err, "activity: re-reading the scope")
                            }
                        }
                    }
                    if scope.admits(&viewer, &e.event) {
                        let item = ActivityEvent {
                            id: ID(e.id.to_string()),
                            kind: e.event.kind().to_owned(),
                            occurred_at: e.occurred_at,
                            subject_id: ID(e.event.subject_id().to_string()),
                            employee_id: audience(&e.event).employee().map(|id| ID(id.to_string())),
                        };
                        return Some((Activity::Event(item), (rx, dctx, viewer, scope)));
                    }
                }
            },
        ))
    }
}

/// A run as it is now. Its last batch commits `REWARD_RUN_COMPLETED` a moment before its job
/// is marked DONE: a completed run is read again until its job says so — a moment normally,
/// up to the job's lease (60 s) when its worker died in between and another takes the job
/// over; after 90 s it is sent as it stands and the next event moves it on.
async fn settled(
    dctx: &domain::Ctx,
    viewer: &domain::Viewer,
    id: Uuid,
) -> GqlResult<(entity::reward_run::Model, entity::background_job::Model)> {
    let mut read = domain::reward::run::get(dctx, viewer, id).await.gql()?;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(90) {
        let (run, job) = &read;
        if run.completed_at.is_none() || matches!(job.status, JobStatus::Done | JobStatus::Failed) {
            break;
        }
        // Every 200 ms at first (the usual moment), then every 2 s (a dead worker's lease).
        let pause = if started.elapsed() < Duration::from_secs(5) {
            200
        } else {
            2000
        };
        tokio::time::sleep(Duration::from_millis(pause)).await;
        read = domain::reward::run::get(dctx, viewer, id).await.gql()?;
    }
    Ok(read)
}

/// Whether `event` moves reward run `run`.
fn concerns_run(event: &DomainEvent, run: Uuid) -> bool {
    match event {
        DomainEvent::RewardRunProgressed { run_id, .. }
        | DomainEvent::RewardRunCompleted { run_id, .. } => *run_id == run,
        DomainEvent::JobFailed { job_subject_id, .. } => *job_subject_id == run,
        _ => false,
    }
}
