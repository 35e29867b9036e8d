//! The worker pool on apalis: a queue of send-e-mail jobs (Redis in production, a SQLite file
//! otherwise) shared by every worker process, and two schedules that every process carries
//! but only one runs per tick (the tick is claimed in the database first).

use crate::mailer::Mailer;
use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use apalis_redis::RedisStorage;
use apalis_sqlite::{SqlitePool, SqliteStorage};
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use cron::Schedule;
use domain::{Ctx, DomainError, outbox};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Send a batch of outbox rows. The rows carry everything; the job carries only their ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendEmail {
    /// The outbox rows.
    #[serde(default)]
    pub outbox_ids: Vec<Uuid>,
    /// One row, as jobs queued before batches carried it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox_id: Option<Uuid>,
}

/// Outbox rows per send job: one claim statement and a few outcome statements per batch
/// instead of three statements per e-mail.
pub const BATCH: usize = 32;

/// Where send jobs wait.
#[derive(Clone)]
pub enum Queue {
    /// apalis-redis: shared by any number of worker processes.
    Redis {
        /// The apalis storage.
        storage: RedisStorage<SendEmail>,
        /// A connection for looking at the backlog.
        conn: apalis_redis::ConnectionManager,
        /// The sorted set where pushed jobs wait to be promoted.
        scheduled: String,
    },
    /// apalis-sqlite: a persistent queue in a local file.
    Sqlite(SqliteStorage<SendEmail>),
}

/// The queue's name (and Redis namespace).
pub const QUEUE: &str = "perfcycle::send_email";
/// Most jobs left waiting for promotion in Redis (see [`Queue::room`]).
const MAX_REDIS_BACKLOG: usize = 5000;
/// Most rows handed to the queue per dispatch round.
const DISPATCH_ROUND: usize = 20_000;
/// While a scan runs, how often the e-mail its committed batches produced is queued, so
/// sending overlaps the rest of the scan.
const FEED_DURING_SCAN: Duration = Duration::from_millis(250);

impl Queue {
    /// A Redis queue (`namespace` separates deployments and tests).
    pub async fn redis(url: &str, namespace: &str) -> Result<Self, BoxDynError> {
        let conn = apalis_redis::connect(url).await?;
        let config = apalis_redis::Config::default()
            .queue(format!("{namespace}{QUEUE}"))
            .heartbeat_interval(Duration::from_secs(2))
            .missed_heartbeats(3);
        let scheduled = config.scheduled_jobs_set();
        Ok(Self::Redis {
            storage: RedisStorage::new(conn.clone()).with_config(config),
            conn,
            scheduled,
        })
    }

    /// A SQLite queue in `file`, created if needed.
    pub async fn sqlite(file: &std::path::Path) -> Result<Self, BoxDynError> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let options = apalis_sqlite::SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = apalis_sqlite::SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        SqliteStorage::setup(&pool).await?;
        Ok(Self::from_sqlite_pool(&pool))
    }

    /// A SQLite queue on an existing pool.
    pub fn from_sqlite_pool(pool: &SqlitePool) -> Self {
        let config = apalis_sqlite::Config::default()
            .queue(QUEUE)
            .heartbeat_interval(Duration::from_secs(2));
        Self::Sqlite(SqliteStorage::new(pool).with_config(config))
    }

    /// How many more jobs (of up to [`BATCH`] rows) the queue should take now. apalis-redis moves every due pushed job
    /// to the active list in one Lua call, which fails beyond about 8 000 jobs (Lua's unpack
    /// limit) and would stall the queue: the backlog stays below that, and rows not queued
    /// now are queued by a later dispatch.
    pub async fn room(&self) -> Result<usize, BoxDynError> {
        match self {
            Queue::Redis {
                conn, scheduled, ..
            } => {
                let waiting: usize = redis::cmd("ZCARD")
                    .arg(scheduled)
                    .query_async(&mut conn.clone())
                    .await?;
                Ok(MAX_REDIS_BACKLOG.saturating_sub(waiting))
            }
            Queue::Sqlite(_) => Ok(usize::MAX),
        }
    }

    /// Queues send jobs for these rows.
    pub async fn push(&self, ids: Vec<Uuid>) -> Result<(), BoxDynError> {
        if ids.is_empty() {
            return Ok(());
        }
        let jobs: Vec<SendEmail> = ids
            .chunks(BATCH)
            .map(|chunk| SendEmail {
                outbox_ids: chunk.to_vec(),
                outbox_id: None,
            })
            .collect();
        match self {
            Queue::Redis { storage, .. } => storage
                .clone()
                .push_bulk(jobs)
                .await
                .map_err(|e| Box::new(e) as BoxDynError),
            Queue::Sqlite(s) => s
                .clone()
                .push_bulk(jobs)
                .await
                .map_err(|e| Box::new(e) as BoxDynError),
        }
    }
}

/// What the pool needs.
pub struct Services {
    /// Database and clock.
    pub ctx: Ctx,
    /// The mailer.
    pub mailer: Mailer,
    /// The send queue.
    pub queue: Queue,
    /// Reminder time in each employee's zone.
    pub reminder_time: NaiveTime,
    /// This process, for logs and tick claims.
    pub name: String,
}

/// Settings of the pool.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// When the check-in scans run (cron with seconds).
    pub scan_schedule: Schedule,
    /// When pending e-mail is handed to the queue.
    pub dispatch_schedule: Schedule,
    /// When queued background jobs (review launches, closes, releases) are claimed.
    pub job_schedule: Schedule,
    /// Send jobs in flight per process.
    pub concurrency: usize,
    /// How long shutdown waits for jobs in flight.
    pub shutdown_timeout: Duration,
}

/// Why a job failed; the retry layer retries only transient failures.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth retrying (the database was unavailable, say).
    #[error("{0}")]
    Transient(String),
}

impl From<DomainError> for JobError {
    fn from(e: DomainError) -> Self {
        JobError::Transient(e.to_string())
    }
}

/// The send job: claims, sends and records its rows (skipping any another sender has).
pub async fn send_email(job: SendEmail, svc: Data<Arc<Services>>) -> Result<(), JobError> {
    let mut ids = job.outbox_ids;
    ids.extend(job.outbox_id);
    crate::job_stats::guard("send_email", async {
        match svc.mailer.deliver_batch(&svc.ctx, &ids).await {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(job.kind = "send_email", outbox.ids = ids.len(), error = %e, "send job failed");
                Err(e.into())
            }
        }
    })
    .await
}

/// Hands every sendable, not recently queued row to the queue.
pub async fn dispatch(svc: &Services) -> Result<usize, BoxDynError> {
    let mut total = 0;
    loop {
        let room = svc
            .queue
            .room()
            .await?
            .saturating_mul(BATCH)
            .min(DISPATCH_ROUND);
        if room == 0 {
            return Ok(total);
        }
        let now = svc.ctx.clock.now();
        let ids = outbox::take_for_dispatch(&svc.ctx.db, now, room as u64).await?;
        if ids.is_empty() {
            return Ok(total);
        }
        total += ids.len();
        if let Err(e) = svc.queue.push(ids.clone()).await {
            // The rows were marked as queued; they are not. Unmarked, the next dispatch
            // round takes them again instead of leaving them for the re-dispatch interval
            // (while Redis is down, say).
            outbox::undo_dispatch(&svc.ctx.db, &ids, now).await?;
            return Err(e);
        }
    }
}

/// Runs the scheduled check-in work for the tick at `at` unless another process already did,
/// then queues the e-mails it produced. Returns whether this call ran it.
pub async fn run_scan_tick(svc: &Services, at: DateTime<Utc>) -> Result<bool, BoxDynError> {
    if !outbox::claim_tick(&svc.ctx.db, "check-in-scans", at, &svc.name).await? {
        return Ok(false);
    }
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let scanning = async {
        let report = crate::run_check_in_scans(&svc.ctx, svc.reminder_time).await;
        let _ = stop.send(());
        report
    };
    // Reminders commit a batch at a time: the senders start on the first batches while the
    // scan writes the rest.
    let feeding = async {
        let mut queued = 0;
        loop {
            tokio::select! {
                _ = &mut stopped => return Ok::<_, BoxDynError>(queued),
                _ = tokio::time::sleep(FEED_DURING_SCAN) => queued += dispatch(svc).await?,
            }
        }
    };
    let (report, fed) = tokio::join!(scanning, feeding);
    let report = report?;
    let queued = fed? + dispatch(svc).await?;
    tracing::info!(job.kind = "check_in_scans", tick = %at, opened = report.opened, missed = report.missed, reminders = report.reminders, queued, "scheduled scans ran");
    Ok(true)
}

/// Runs the dispatch tick at `at` unless another process already did.
pub async fn run_dispatch_tick(svc: &Services, at: DateTime<Utc>) -> Result<bool, BoxDynError> {
    if !outbox::claim_tick(&svc.ctx.db, "dispatch-email", at, &svc.name).await? {
        return Ok(false);
    }
    let queued = dispatch(svc).await?;
    outbox::prune_ticks(&svc.ctx.db, at).await?;
    if queued > 0 {
        tracing::info!(job.kind = "dispatch_email", tick = %at, queued, "pending e-mail queued");
    }
    Ok(true)
}

fn tick_time(tick: &Tick) -> DateTime<Utc> {
    Utc.timestamp_opt(tick.get_timestamp() as i64, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

async fn on_scan_tick(tick: Tick, svc: Data<Arc<Services>>) -> Result<(), BoxDynError> {
    crate::job_stats::guard("check_in_scans", run_scan_tick(&svc, tick_time(&tick)))
        .await
        .map(|_| ())
}

/// Claims and runs every background job that is waiting (each process's tick; the claims in
/// the database keep processes apart), then queues the e-mail they produced.
pub async fn run_job_tick(svc: &Services) -> Result<usize, BoxDynError> {
    let finished = domain::jobs::run_due(&svc.ctx, &svc.name).await?;
    if finished > 0 {
        let queued = dispatch(svc).await?;
        tracing::info!(
            job.kind = "background_jobs",
            finished,
            queued,
            "background jobs finished"
        );
    }
    Ok(finished)
}

async fn on_job_tick(_tick: Tick, svc: Data<Arc<Services>>) -> Result<(), BoxDynError> {
    crate::job_stats::guard("background_jobs", run_job_tick(&svc))
        .await
        .map(|_| ())
}

async fn on_dispatch_tick(tick: Tick, svc: Data<Arc<Services>>) -> Result<(), BoxDynError> {
    crate::job_stats::guard("dispatch_email", run_dispatch_tick(&svc, tick_time(&tick)))
        .await
        .map(|_| ())
}

/// Send jobs that fail (the database was unreachable, say) are retried five times with
/// exponential backoff from one second to a minute; a row whose job gave up is queued again
/// by the dispatcher. Delivery failures themselves are retried by the outbox.
fn retry_policy()
-> apalis::layers::retry::BackoffRetryPolicy<apalis::layers::retry::backoff::ExponentialBackoff> {
    use apalis::layers::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
    let mut maker = ExponentialBackoffMaker::new(
        Duration::from_secs(1),
        Duration::from_secs(60),
        0.25,
        apalis::layers::retry::HasherRng::default(),
    )
    .unwrap_or_default();
    RetryPolicy::retries(5).with_backoff(maker.make_backoff())
}

/// A monitor with the send workers and both schedules; run it with a shutdown signal.
pub fn monitor(svc: Arc<Services>, settings: &PoolSettings) -> Monitor {
    let suffix = format!(
        "{}-{}",
        std::process::id(),
        &Uuid::new_v4().simple().to_string()[..8]
    );
    let (s1, s2, s3, s4) = (svc.clone(), svc.clone(), svc.clone(), svc.clone());
    let jobs_schedule = settings.job_schedule.clone();
    let scan = settings.scan_schedule.clone();
    let dispatch_schedule = settings.dispatch_schedule.clone();
    let concurrency = settings.concurrency;
    let queue = svc.queue.clone();
    let name = format!("send-email-{suffix}");
    let mut monitor = Monitor::new().shutdown_timeout(settings.shutdown_timeout);
    monitor = match queue {
        Queue::Redis { storage, .. } => monitor.register(move |_| {
            WorkerBuilder::new(name.clone())
                .backend(storage.clone())
                // Concurrency first: a retry then waits in its job's slot instead of taking
                // another one (apalis warns about the other order).
                .concurrency(concurrency)
                .retry(retry_policy())
                .data(s1.clone())
                .build(send_email)
        }),
        Queue::Sqlite(storage) => monitor.register(move |_| {
            WorkerBuilder::new(name.clone())
                .backend(
                    storage
                        .clone()
                        .poll_with_interval(Duration::from_millis(250)),
                )
                .concurrency(concurrency)
                .data(s1.clone())
                .build(send_email)
        }),
    };
    let scan_name = format!("check-in-scans-{suffix}");
    let dispatch_name = format!("dispatch-email-{suffix}");
    let jobs_name = format!("background-jobs-{suffix}");
    monitor
        .register(move |_| {
            WorkerBuilder::new(scan_name.clone())
                .backend(CronScheduler::new(scan.clone()))
                .data(s2.clone())
                .build(on_scan_tick)
        })
        .register(move |_| {
            WorkerBuilder::new(dispatch_name.clone())
                .backend(CronScheduler::new(dispatch_schedule.clone()))
                .data(s3.clone())
                .build(on_dispatch_tick)
        })
        .register(move |_| {
            WorkerBuilder::new(jobs_name.clone())
                .backend(CronScheduler::new(jobs_schedule.clone()))
                .data(s4.clone())
                .build(on_job_tick)
        })
}
