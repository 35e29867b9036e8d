//! The real job queue for tests: apalis on Redis (PostgreSQL run) or the embedded SQLite
//! queue (SQLite run), and worker processes whose schedules never fire on their own, so a
//! test triggers each tick at an injected time.

use crate::TestApp;
use crate::smtp::SmtpSink;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use worker::pool::{PoolSettings, Queue, Services};

/// The queue this run uses: Redis when the suite has one, else a fresh SQLite queue file.
pub async fn queue() -> Queue {
    let id = uuid::Uuid::new_v4().simple().to_string();
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) => Queue::redis(&url, &format!("test-{id}:"))
            .await
            .expect("cannot open the Redis queue"),
        Err(_) => Queue::sqlite(
            &std::env::temp_dir()
                .join("perfcycle-tests")
                .join(format!("queue-{id}.db")),
        )
        .await
        .expect("cannot open the SQLite queue"),
    }
}

/// A worker process's services, started; its schedules never fire on their own.
pub fn start_worker(app: &TestApp, queue: &Queue, sink: &SmtpSink, name: &str) -> Arc<Services> {
    let services = Arc::new(Services {
        ctx: app.ctx.clone(),
        mailer: sink.mailer(),
        queue: queue.clone(),
        reminder_time: domain::check_ins::DEFAULT_REMINDER_TIME,
        name: name.to_owned(),
    });
    let never = worker::cron::Schedule::from_str("0 0 0 1 1 * 2099").unwrap();
    let settings = PoolSettings {
        scan_schedule: never.clone(),
        dispatch_schedule: never.clone(),
        job_schedule: never,
        concurrency: 4,
        shutdown_timeout: Duration::from_secs(5),
    };
    tokio::spawn(worker::pool::monitor(services.clone(), &settings).run());
    services
}

/// Waits (up to 15 s) until at least `expected` outbox rows are SENT.
pub async fn wait_for_sent(app: &TestApp, expected: i64) {
    for _ in 0..150 {
        if app.count("email_outbox WHERE status = 'SENT'").await >= expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "only {} of {expected} e-mails were sent in 15 s",
        app.count("email_outbox WHERE status = 'SENT'").await
    );
}

/// Puts `n` missed-check-in notes in the outbox, as a scan would.
pub async fn queue_emails(app: &TestApp, prefix: &str, n: usize) {
    for i in 0..n {
        domain::outbox::enqueue(
            &app.ctx.db,
            domain::outbox::Email {
                dedupe_key: format!("{prefix}:{i}"),
                to_email: format!("person{i}@t.io"),
                to_name: format!("Person {i}"),
                mail: domain::mail::Mail::CheckinMissed(domain::mail::CheckInMissed {
                    name: "Mia".into(),
                    employee_name: format!("Person {i}"),
                    employee_id: uuid::Uuid::new_v4(),
                    period_start: crate::date("2027-03-01"),
                    period_end: crate::date("2027-03-07"),
                }),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
}
