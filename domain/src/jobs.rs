//! Background jobs: long work a request asks for (a review launch, a release of ratings) is a
//! row first, written in the request's transaction. Every worker process's job tick claims
//! queued rows with a lease, works in batches (each batch commits its work, its progress and
//! its cursor together, renewing the lease), and finishes the row. A process that dies leaves
//! its lease to run out; the next claim resumes from the cursor. Each batch is idempotent, so
//! a batch repeated after a crash changes nothing twice.

use crate::Ctx;
use crate::error::{DomainError, DomainResult};
use crate::values::{JobKind, JobStatus};
use chrono::{DateTime, Duration, Utc};
use entity::background_job;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use tracing::Instrument;
use uuid::Uuid;

/// How long a claim lasts without a batch renewing it.
pub const LEASE: Duration = Duration::seconds(60);
/// Attempts before a job that keeps failing is marked FAILED.
pub const MAX_ATTEMPTS: i32 = 5;

tokio::task_local! {
    /// The id of the HTTP request being served, for the jobs it queues.
    static REQUEST_ID: String;
}

/// Runs `work` as part of the request `id`: jobs it queues record the id, and their logs
/// carry it in the `job` span.
pub async fn in_request<F: std::future::Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The job of `kind` for `subject` (and `scope`) that is queued or running, or a new queued
/// one. Returns the row and whether it is new.
pub async fn queue(
    txn: &impl ConnectionTrait,
    kind: JobKind,
    subject_id: Uuid,
    scope_id: Option<Uuid>,
    requested_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> DomainResult<(background_job::Model, bool)> {
    let mut active = background_job::Entity::find()
        .filter(background_job::Column::Kind.eq(kind))
        .filter(background_job::Column::SubjectId.eq(subject_id))
        .filter(background_job::Column::Status.is_in([JobStatus::Queued, JobStatus::Running]));
    active = match scope_id {
        Some(scope) => active.filter(background_job::Column::ScopeId.eq(scope)),
        None => active.filter(background_job::Column::ScopeId.is_null()),
    };
    if let Some(job) = active.one(txn).await? {
        return Ok((job, false));
    }
    let job = background_job::ActiveModel {
        id: Set(Uuid::new_v4()),
        kind: Set(kind),
        subject_id: Set(subject_id),
        scope_id: Set(scope_id),
        status: Set(JobStatus::Queued),
        processed: Set(0),
        total: Set(0),
        cursor: Set(None),
        attempts: Set(0),
        lease_owner: Set(None),
        lease_until: Set(None),
        last_error: Set(String::new()),
        requested_by: Set(requested_by),
        request_id: Set(current_request_id()),
        created_at: Set(now),
        started_at: Set(None),
        finished_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok((job, true))
}

/// What HR asks a job to do over everyone, or over one department (which must exist).
pub struct Request<'a> {
    pub kind: JobKind,
    pub subject_id: Uuid,
    pub department_id: Option<Uuid>,
    pub viewer: &'a crate::Viewer,
    /// The audit log's action and entity for a new job (`review_round.release`).
    pub action: &'static str,
    pub entity: &'static str,
}

/// [`queue`]s `request`'s job, checking its department first and auditing a new job with its
/// scope. Returns the job and whether it is new.
pub async fn request(
    txn: &impl ConnectionTrait,
    request: Request<'_>,
    now: DateTime<Utc>,
) -> DomainResult<(background_job::Model, bool)> {
    if let Some(d) = request.department_id {
        crate::employees::departments_by_ids(txn, &[d])
            .await?
            .get(&d)
            .ok_or_else(|| DomainError::bad("departmentId", "no such department"))?;
    }
    let (job, new) = queue(
        txn,
        request.kind,
        request.subject_id,
        request.department_id,
        Some(request.viewer.id()),
        now,
    )
    .await?;
    if new {
        crate::audit::record(
            txn,
            now,
            crate::audit::Change {
                actor: Some(request.viewer.id()),
                action: request.action,
                entity: request.entity,
                entity_id: request.subject_id,
                before: None,
                after: Some(serde_json::json!({
                    "departmentId": request.department_id, "jobId": job.id
                })),
            },
        )
        .await?;
    }
    Ok((job, new))
}

/// The latest job of `kind` for `subject`, if any.
pub async fn latest(
    db: &impl ConnectionTrait,
    kind: JobKind,
    subject_id: Uuid,
) -> DomainResult<Option<background_job::Model>> {
    Ok(background_job::Entity::find()
        .filter(background_job::Column::Kind.eq(kind))
        .filter(background_job::Column::SubjectId.eq(subject_id))
        .order_by_desc(background_job::Column::CreatedAt)
        .order_by_desc(background_job::Column::Id)
        .one(db)
        .await?)
}

/// A claim on a running job: batches commit through it, and stop when it is lost.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The job as claimed.
    pub job: background_job::Model,
    /// Who holds it.
    pub owner: String,
}

/// Claims the oldest job that is queued or whose lease ran out, if any. Each claim has a
/// token of its own, so a runner whose lease was taken over (even by a later tick of the same
/// process) finds out at its next batch. A job whose runner died `MAX_ATTEMPTS` times is
/// FAILED rather than claimed again.
pub async fn claim(ctx: &Ctx, worker: &str) -> DomainResult<Option<Claim>> {
    let now = ctx.clock.now();
    let owner = format!("{worker}/{}", Uuid::new_v4().simple());
    let dead = background_job::Entity::find()
        .filter(background_job::Column::Status.eq(JobStatus::Running))
        .filter(background_job::Column::LeaseUntil.lt(now))
        .filter(background_job::Column::Attempts.gte(MAX_ATTEMPTS))
        .all(&ctx.db)
        .await?;
    for job in dead {
        const DIED: &str = "its worker stopped before finishing it too many times";
        let txn = crate::db::begin(&ctx.db).await?;
        let failed = background_job::Entity::update_many()
            .col_expr(
                background_job::Column::Status,
                Expr::value(JobStatus::Failed),
            )
            .col_expr(background_job::Column::LastError, Expr::value(DIED))
            .col_expr(background_job::Column::FinishedAt, Expr::value(now))
            .filter(background_job::Column::Id.eq(job.id))
            .filter(background_job::Column::Status.eq(JobStatus::Running))
            .filter(background_job::Column::LeaseUntil.lt(now))
            .exec(&txn)
            .await?;
        if failed.rows_affected == 1 {
            let event = crate::events::DomainEvent::JobFailed {
                job_id: job.id,
                job_kind: job.kind.to_string(),
                job_subject_id: job.subject_id,
                error: DIED.to_owned(),
            };
            crate::publish::emit(&txn, now, None, vec![event]).await?;
        }
        txn.commit().await?;
    }
    let claimable = Condition::any()
        .add(background_job::Column::Status.eq(JobStatus::Queued))
        .add(
            Condition::all()
                .add(background_job::Column::Status.eq(JobStatus::Running))
                .add(background_job::Column::LeaseUntil.lt(now)),
        );
    let candidates = background_job::Entity::find()
        .filter(claimable)
        .order_by_asc(background_job::Column::CreatedAt)
        .all(&ctx.db)
        .await?;
    for job in candidates {
        let mut taken = background_job::Entity::update_many()
            .col_expr(
                background_job::Column::Status,
                Expr::value(JobStatus::Running),
            )
            .col_expr(
                background_job::Column::LeaseOwner,
                Expr::value(owner.as_str()),
            )
            .col_expr(background_job::Column::LeaseUntil, Expr::value(now + LEASE))
            .col_expr(
                background_job::Column::Attempts,
                Expr::value(job.attempts + 1),
            )
            .col_expr(
                background_job::Column::StartedAt,
                Expr::value(job.started_at.unwrap_or(now)),
            )
            .filter(background_job::Column::Id.eq(job.id))
            .filter(background_job::Column::Status.eq(job.status))
            .filter(background_job::Column::Attempts.eq(job.attempts));
        if job.status == JobStatus::Running {
            taken = taken.filter(background_job::Column::LeaseUntil.lt(now));
        }
        if taken.exec(&ctx.db).await?.rows_affected == 1 {
            let job = crate::query::find::<background_job::Entity>(&ctx.db, job.id, "job").await?;
            return Ok(Some(Claim { job, owner }));
        }
    }
    Ok(None)
}

impl Claim {
    /// The cursor as the id of the last row a batch finished, when the job has one.
    pub fn cursor_id(&self) -> Option<Uuid> {
        self.job
            .cursor
            .as_deref()
            .and_then(|c| Uuid::parse_str(c).ok())
    }

    /// Records a batch's progress in the batch's transaction and renews the lease; a claim
    /// that was lost (another process took the job over) rolls the batch back.
    pub async fn advance(
        &mut self,
        txn: &impl ConnectionTrait,
        processed: i64,
        total: i64,
        cursor: Option<String>,
        now: DateTime<Utc>,
    ) -> DomainResult<()> {
        let kept = background_job::Entity::update_many()
            .col_expr(background_job::Column::Processed, Expr::value(processed))
            .col_expr(background_job::Column::Total, Expr::value(total))
            .col_expr(background_job::Column::Cursor, Expr::value(cursor.clone()))
            .col_expr(background_job::Column::LeaseUntil, Expr::value(now + LEASE))
            .filter(background_job::Column::Id.eq(self.job.id))
            .filter(background_job::Column::Status.eq(JobStatus::Running))
            .filter(background_job::Column::LeaseOwner.eq(self.owner.as_str()))
            .exec(txn)
            .await?;
        if kept.rows_affected == 0 {
            return Err(DomainError::conflict(
                "the job was taken over by another worker",
            ));
        }
        self.job.processed = processed;
        self.job.total = total;
        self.job.cursor = cursor;
        Ok(())
    }

    /// Marks the job DONE (or FAILED with `error`), if the claim is still held.
    pub async fn finish(
        &self,
        db: &impl ConnectionTrait,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> DomainResult<bool> {
        let status = if error.is_some() {
            JobStatus::Failed
        } else {
            JobStatus::Done
        };
        let done = background_job::Entity::update_many()
            .col_expr(background_job::Column::Status, Expr::value(status))
            .col_expr(
                background_job::Column::LastError,
                Expr::value(error.unwrap_or_default()),
            )
            .col_expr(background_job::Column::FinishedAt, Expr::value(now))
            .col_expr(
                background_job::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .filter(background_job::Column::Id.eq(self.job.id))
            .filter(background_job::Column::Status.eq(JobStatus::Running))
            .filter(background_job::Column::LeaseOwner.eq(self.owner.as_str()))
            .exec(db)
            .await?;
        if let (Some(error), 1) = (error, done.rows_affected) {
            let event = crate::events::DomainEvent::JobFailed {
                job_id: self.job.id,
                job_kind: self.job.kind.to_string(),
                job_subject_id: self.job.subject_id,
                error: error.to_owned(),
            };
            crate::publish::emit(db, now, None, vec![event]).await?;
        }
        Ok(done.rows_affected == 1)
    }

    /// Gives a failed attempt back: a later claim retries it (after the lease would have run
    /// out), until [`MAX_ATTEMPTS`], when it is marked FAILED.
    async fn give_back(&self, ctx: &Ctx, error: &str) -> DomainResult<()> {
        let now = ctx.clock.now();
        if self.job.attempts >= MAX_ATTEMPTS {
            self.finish(&ctx.db, Some(error), now).await?;
            return Ok(());
        }
        background_job::Entity::update_many()
            .col_expr(background_job::Column::LastError, Expr::value(error))
            .col_expr(
                background_job::Column::LeaseUntil,
                Expr::value(now + Duration::seconds(5 << self.job.attempts.clamp(0, 6))),
            )
            .filter(background_job::Column::Id.eq(self.job.id))
            .filter(background_job::Column::LeaseOwner.eq(self.owner.as_str()))
            .exec(&ctx.db)
            .await?;
        Ok(())
    }
}

/// Runs one claimed job to its end.
async fn run(ctx: &Ctx, claim: &mut Claim) -> DomainResult<()> {
    match claim.job.kind {
        JobKind::LaunchReviews => crate::review::launch::run(ctx, claim).await,
        JobKind::CloseRound => crate::review::close::run(ctx, claim).await,
        JobKind::ReleaseRatings => crate::review::release::run(ctx, claim).await,
        JobKind::RewardRun => crate::reward::run::run(ctx, claim).await,
        JobKind::ApproveRewards => crate::reward::approve::run(ctx, claim).await,
    }
}

/// Claims and runs every job that is waiting, one after another; returns how many finished.
/// Every worker process calls this on its job tick; the claims keep them apart.
pub async fn run_due(ctx: &Ctx, owner: &str) -> DomainResult<usize> {
    let mut finished = 0;
    while let Some(mut claim) = claim(ctx, owner).await? {
        // Every line logged while the job runs names it.
        let span = tracing::info_span!(
            "job",
            job.id = %claim.job.id,
            job.kind = %claim.job.kind,
            attempt = claim.job.attempts,
            request_id = claim.job.request_id.as_deref().unwrap_or(""),
        );
        let done = async {
            match run(ctx, &mut claim).await {
                Ok(()) => {
                    let finished = claim.finish(&ctx.db, None, ctx.clock.now()).await?;
                    if finished {
                        tracing::info!("background job finished");
                    }
                    Ok::<bool, DomainError>(finished)
                }
                // Another process holds it now: leave it to them.
                Err(DomainError::Conflict(_)) => Ok(false),
                Err(e) => {
                    tracing::error!(error = %e, "background job failed");
                    claim.give_back(ctx, &e.to_string()).await?;
                    Ok(false)
                }
            }
        }
        .instrument(span)
        .await?;
        finished += usize::from(done);
    }
    Ok(finished)
}
