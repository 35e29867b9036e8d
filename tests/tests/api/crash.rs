//! A worker process killed with SIGKILL while it holds jobs: another process finishes the
//! work, every e-mail arrives, and repeats are limited to what the killed one had in flight.

use domain::mail::{CheckInMissed, Mail};
use perfcycle_tests::smtp::{Pace, SmtpSink};
use perfcycle_tests::{TestApp, spawn_app};
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `perfcycle` binary cargo built for this workspace's tests.
fn binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("the test binary is not in a target directory");
    let bin = dir.join("perfcycle");
    assert!(
        bin.exists(),
        "{} is missing: run the suite with `cargo test --workspace`",
        bin.display()
    );
    bin
}

fn start_worker(
    app: &TestApp,
    sink: &SmtpSink,
    data_dir: &std::path::Path,
    namespace: &str,
) -> Child {
    let mut cmd = Command::new(binary());
    cmd.arg("worker")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.database_url)
        .env("SMTP_URL", &sink.url)
        .env("PERFCYCLE_DATA_DIR", data_dir)
        .env("PERFCYCLE_QUEUE_NAMESPACE", namespace)
        .env("PERFCYCLE_JWT_SECRET", &app.jwt_secret)
        .env("PERFCYCLE_DISPATCH_SCHEDULE", "* * * * * *")
        .env("PERFCYCLE_SCAN_SCHEDULE", "0 0 0 1 1 * 2099")
        .env("PERFCYCLE_EMAIL_LEASE_SECONDS", "3")
        .env("PERFCYCLE_WORKER_CONCURRENCY", "4")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Ok(redis) = std::env::var("TEST_REDIS_URL") {
        cmd.env("REDIS_URL", redis);
    }
    cmd.spawn().expect("cannot start the worker")
}

/// Puts `n` missed-check-in notes in the outbox, as a scan would.
async fn queue_emails(app: &TestApp, prefix: &str, n: usize) {
    for i in 0..n {
        domain::outbox::enqueue(
            &app.ctx.db,
            domain::outbox::Email {
                dedupe_key: format!("{prefix}:{i}"),
                to_email: format!("person{i}@t.io"),
                to_name: format!("Person {i}"),
                mail: Mail::CheckinMissed(CheckInMissed {
                    name: "Mia".into(),
                    employee_name: format!("Person {i}"),
                    employee_id: uuid::Uuid::new_v4(),
                    period_start: perfcycle_tests::date("2027-03-01"),
                    period_end: perfcycle_tests::date("2027-03-07"),
                }),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_worker_loses_no_email_and_repeats_at_most_what_it_had_in_flight() {
    const N: usize = 40;
    let app = spawn_app().await;
    app.org().await;
    queue_emails(&app, "crash-test", N).await;
    // A slow mail server keeps the first worker's senders in flight when it dies.
    let sink = SmtpSink::start_paced(Pace(Duration::from_millis(150))).await;
    let data_dir = std::env::temp_dir().join(format!("perfcycle-crash-{}", uuid::Uuid::new_v4()));
    let namespace = format!("crash-{}:", uuid::Uuid::new_v4().simple());
    let mut first = start_worker(&app, &sink, &data_dir, &namespace);
    let started = Instant::now();
    while sink.messages().len() < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the first worker sent nothing in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill().expect("SIGKILL");
    first.wait().ok();
    let at_kill = sink.messages().len();
    let in_flight = app.count("email_outbox WHERE status = 'SENDING'").await;
    let mut second = start_worker(&app, &sink, &data_dir, &namespace);
    let restarted = Instant::now();
    while app.count("email_outbox WHERE status = 'SENT'").await < N as i64 {
        assert!(
            restarted.elapsed() < Duration::from_secs(60),
            "the second worker did not finish in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered_in = restarted.elapsed();
    second.kill().ok();
    second.wait().ok();
    std::fs::remove_dir_all(&data_dir).ok();
    let messages = sink.messages();
    let unique: HashSet<String> = messages.iter().map(|m| m.message_id()).collect();
    let repeats = messages.len() - unique.len();
    eprintln!(
        "crash test: {at_kill} accepted before SIGKILL with {in_flight} rows in flight; the second worker finished in {:.1} s; {} messages for {N} rows, {repeats} repeated",
        recovered_in.as_secs_f64(),
        messages.len()
    );
    assert_eq!(unique.len(), N, "every e-mail arrived");
    assert!(
        repeats as i64 <= in_flight.max(0),
        "{repeats} repeats but only {in_flight} were in flight"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_jobs_in_flight_finish_then_the_worker_exits() {
    let app = spawn_app().await;
    queue_emails(&app, "sigterm-test", 20).await;
    let sink = SmtpSink::start_paced(Pace(Duration::from_millis(300))).await;
    let data_dir = std::env::temp_dir().join(format!("perfcycle-sigterm-{}", uuid::Uuid::new_v4()));
    let namespace = format!("sigterm-{}:", uuid::Uuid::new_v4().simple());
    let mut worker = start_worker(&app, &sink, &data_dir, &namespace);
    let started = Instant::now();
    while app.count("email_outbox WHERE status = 'SENDING'").await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the worker took nothing in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let stopping = Instant::now();
    let exit = loop {
        if let Some(exit) = worker.try_wait().unwrap() {
            break exit;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(30),
            "the worker did not stop within 30 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    std::fs::remove_dir_all(&data_dir).ok();
    eprintln!(
        "sigterm test: stopped in {:.1} s, {} e-mails sent",
        stopping.elapsed().as_secs_f64(),
        sink.messages().len()
    );
    assert!(exit.success(), "exit status {exit:?}");
    assert_eq!(
        app.count("email_outbox WHERE status = 'SENDING'").await,
        0,
        "no e-mail left half-sent"
    );
}
