//! perfcycle's background work: the mailer that drains the outbox, and the scans that the
//! schedules run. Each is an idempotent function over the database; the queue that triggers
//! them only decides when.

pub mod job_stats;
pub mod mailer;
pub mod pool;
pub mod smtp;
pub mod templates;

/// The cron schedule type the pool takes.
pub use cron;

use chrono::NaiveTime;
use domain::{Ctx, DomainResult};

/// What one pass of the schedules did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    /// Check-ins opened.
    pub opened: u64,
    /// Reminders newly queued.
    pub reminders: u64,
    /// Check-ins marked missed (each with a note to the manager).
    pub missed: usize,
    /// Goals whose health the day's pass changed; `None` when today's pass had already run.
    pub health_changed: Option<usize>,
    /// E-mails announcing cycle phases queued.
    pub announced: u64,
    /// Planning-conversation reminders queued (one to each side).
    pub planning_reminders: u64,
    /// Development-item date reminders queued (a week and a day before; overdue to managers).
    pub development_reminders: u64,
    /// Weekly manager digests queued.
    pub digests: u64,
    /// Review deadline e-mails queued (reminders to reviewers, escalations).
    pub review_reminders: u64,
    /// Review rounds whose close job was queued (their window has ended everywhere).
    pub rounds_closing: u64,
}

/// One pass of every check-in schedule at the clock's "now": open due check-ins, mark missed
/// ones (notifying managers), queue reminders, once a day recompute goal health, queue the
/// e-mails announcing cycle phases (creating planning conversations with PLANNING's), and
/// remind both sides of planning conversations, remind dated development items, on Monday
/// mornings queue the managers' weekly digests, remind reviewers of their reviews' due date
/// and escalate overdue ones, and queue the close job of review rounds whose window has ended.
/// Safe to run late and to run twice.
pub async fn run_check_in_scans(ctx: &Ctx, reminder_time: NaiveTime) -> DomainResult<ScanReport> {
    let now = ctx.clock.now();
    let opened = domain::check_ins::open_due(ctx, now, reminder_time).await?;
    let missed = domain::check_ins::mark_missed(ctx, now).await?.len();
    let reminders = domain::check_ins::queue_reminders(ctx, now).await?;
    let health_changed = domain::goals::refresh_daily_health(ctx, "check-in-scans").await?;
    let announced = domain::announcements::run(ctx).await?;
    let planning_reminders = domain::planning::queue_reminders(ctx, now).await?;
    let development_reminders = domain::develop::reminders::queue_reminders(ctx, now).await?;
    let digests = domain::develop::digest::queue_digests(ctx, now).await?;
    let review_reminders = domain::review::reminders::queue_reminders(ctx, now).await?;
    let rounds_closing = domain::review::close::queue_closes(ctx, now).await?;
    Ok(ScanReport {
        opened,
        reminders,
        missed,
        health_changed,
        announced,
        planning_reminders,
        development_reminders,
        digests,
        review_reminders,
        rounds_closing,
    })
}
