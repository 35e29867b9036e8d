//! Reminder benchmark: N employees with a check-in due, one scheduled scan, and the time until
//! a local SMTP server has accepted the last reminder.
//!
//! `cargo run --release -p perfcycle-bench --bin reminders -- [N]` — the backend follows the
//! test harness: SQLite and the embedded queue by default, PostgreSQL with `TEST_DATABASE_URL`
//! and Redis with `TEST_REDIS_URL`. Prints one Markdown table row.

use chrono::{DateTime, Utc};
use perfcycle_tests::smtp::SmtpSink;
use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use worker::mailer::Mailer;
use worker::pool::{PoolSettings, Queue, Services};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.to_utc())
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let app = perfcycle_tests::spawn_app().await;
    let sink = SmtpSink::start().await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (queue, queue_name) = match std::env::var("TEST_REDIS_URL") {
        Ok(url) => (
            Queue::redis(&url, &format!("bench-{id}:"))
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            "Redis",
        ),
        Err(_) => (
            Queue::sqlite(&std::env::temp_dir().join(format!("perfcycle-bench-queue-{id}.db")))
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            "embedded SQLite",
        ),
    };
    let mailer = Mailer::new(
        Some(&sink.url),
        std::env::temp_dir(),
        "noreply@perfcycle.test",
        "https://app.perfcycle.test",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let services = Arc::new(Services {
        ctx: app.ctx.clone(),
        mailer,
        queue,
        reminder_time: domain::check_ins::DEFAULT_REMINDER_TIME,
        name: "bench".into(),
    });
    let never =
        worker::cron::Schedule::from_str("0 0 0 1 1 * 2099").unwrap_or_else(|e| panic!("{e}"));
    let settings = PoolSettings {
        scan_schedule: never.clone(),
        dispatch_schedule: never.clone(),
        job_schedule: never,
        concurrency: std::env::var("BENCH_CONCURRENCY")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(8),
        shutdown_timeout: Duration::from_secs(5),
    };
    tokio::spawn(worker::pool::monitor(services.clone(), &settings).run());

    domain::seed::generate_people(&app.ctx, n, 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app.clock.set(at("2027-03-01T12:00:00Z"));
    let opened = worker::run_check_in_scans(&app.ctx, domain::check_ins::DEFAULT_REMINDER_TIME)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .opened;
    // Friday 23:00 UTC: past 09:00 on Friday in every zone the generator uses.
    app.clock.set(at("2027-03-05T23:00:00Z"));
    let started = Instant::now();
    worker::pool::run_scan_tick(&services, at("2027-03-05T23:00:00Z"))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let queued_in = started.elapsed();
    // The dispatch schedule, once a second as a deployment might run it: it tops the queue up
    // when the scan's dispatch could not hand everything over at once.
    let dispatcher = {
        let services = services.clone();
        tokio::spawn(async move {
            let mut tick = at("2027-03-05T23:00:01Z");
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let _ = worker::pool::run_dispatch_tick(&services, tick).await;
                tick += chrono::Duration::seconds(1);
            }
        })
    };
    while sink.count() < n {
        if started.elapsed() > Duration::from_secs(600) {
            panic!(
                "only {} of {n} reminders arrived in 10 minutes",
                sink.count()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let total = started.elapsed();
    dispatcher.abort();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = sink.messages();
    let unique: HashSet<String> = messages.iter().map(|m| m.message_id()).collect();
    let sending = total.saturating_sub(queued_in);
    println!(
        "| {} + {queue_name} queue | {n} | {opened} | {:.2} s | {:.2} s | {:.0} | {:.0} | {} |",
        perfcycle_tests::backend(),
        queued_in.as_secs_f64(),
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        n as f64 / sending.as_secs_f64().max(0.001),
        messages.len() - unique.len(),
    );
}
