//! A worker process killed with SIGKILL while it holds jobs: another process finishes the
//! work within about a minute under the default settings, every e-mail arrives, and the only
//! repeats are messages the mail server had accepted before the kill, under the same
//! Message-ID; a reward run killed half-way completes with the results of an uninterrupted
//! run, one row per person and kind.

use perfcycle_tests::process::binary;
use perfcycle_tests::queue::queue_emails;
use perfcycle_tests::rewards::run_results as results;
use perfcycle_tests::smtp::{Pace, SmtpSink};
use perfcycle_tests::{TestApp, spawn_app};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn start_worker(
    app: &TestApp,
    sink: &SmtpSink,
    data_dir: &std::path::Path,
    namespace: &str,
    extra: &[(&str, &str)],
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
        // Every other setting (lease, dispatch schedule, concurrency) is the default; the
        // check-in scans are switched off because these tests queue their e-mail directly.
        .env("PERFCYCLE_SCAN_SCHEDULE", "0 0 0 1 1 * 2099")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    if let Ok(redis) = std::env::var("TEST_REDIS_URL") {
        cmd.env("REDIS_URL", redis);
    }
    cmd.spawn().expect("cannot start the worker")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_workers_email_goes_out_from_another_within_a_minute_repeating_only_what_was_accepted()
 {
    const N: usize = 40;
    let app = spawn_app().await;
    app.org().await;
    queue_emails(&app, "crash-test", N).await;
    // A slow mail server keeps the first worker's senders in flight when it dies.
    let sink = SmtpSink::start_paced(Pace(Duration::from_millis(150))).await;
    let data_dir = std::env::temp_dir().join(format!("perfcycle-crash-{}", uuid::Uuid::new_v4()));
    let namespace = format!("crash-{}:", uuid::Uuid::new_v4().simple());
    let mut first = start_worker(&app, &sink, &data_dir, &namespace, &[]);
    let started = Instant::now();
    // The default dispatch runs every ten seconds.
    while sink.messages().len() < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the first worker sent nothing in 40 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill().expect("SIGKILL");
    first.wait().ok();
    let killed = Instant::now();
    // A message whose data reached the sink before the kill is accepted once its pace is over.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let accepted_before: HashSet<String> = sink.messages().iter().map(|m| m.message_id()).collect();
    let claimed = app.count("email_outbox WHERE status = 'SENDING'").await;
    assert!(claimed > 0, "the killed worker held no claimed e-mail");
    let mut second = start_worker(&app, &sink, &data_dir, &namespace, &[]);
    while app.count("email_outbox WHERE status = 'SENT'").await < N as i64 {
        assert!(
            killed.elapsed() < Duration::from_secs(75),
            "{} of {N} e-mails sent 75 s after the kill",
            app.count("email_outbox WHERE status = 'SENT'").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered_in = killed.elapsed();
    second.kill().ok();
    second.wait().ok();
    std::fs::remove_dir_all(&data_dir).ok();
    let messages = sink.messages();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        *copies.entry(m.message_id()).or_default() += 1;
    }
    let repeated: Vec<&String> = copies
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    eprintln!(
        "crash test: {} accepted before SIGKILL with {claimed} rows claimed; all sent {:.1} s after the kill; {} messages for {N} rows, {} repeated",
        accepted_before.len(),
        recovered_in.as_secs_f64(),
        messages.len(),
        repeated.len()
    );
    assert_eq!(copies.len(), N, "every e-mail arrived");
    for id in repeated {
        assert!(
            accepted_before.contains(id),
            "{id} was repeated but had not been accepted before the kill"
        );
        assert_eq!(copies[id], 2, "{id} arrived more than twice");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_jobs_in_flight_finish_then_the_worker_exits() {
    let app = spawn_app().await;
    queue_emails(&app, "sigterm-test", 20).await;
    let sink = SmtpSink::start_paced(Pace(Duration::from_millis(300))).await;
    let data_dir = std::env::temp_dir().join(format!("perfcycle-sigterm-{}", uuid::Uuid::new_v4()));
    let namespace = format!("sigterm-{}:", uuid::Uuid::new_v4().simple());
    let mut worker = start_worker(&app, &sink, &data_dir, &namespace, &[]);
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

/// A run's results, sorted: (employee, kind, proposed amount, amount).
#[tokio::test(flavor = "multi_thread")]
async fn a_reward_run_killed_half_way_completes_with_the_results_of_an_uninterrupted_one() {
    let app = spawn_app().await;
    let made = domain::seed::generate_people(&app.ctx, 3000, 5)
        .await
        .unwrap();
    domain::seed::reward_inputs(&app.ctx, made.cycle_id, 5)
        .await
        .unwrap();
    let hr = app.token(&made.hr_email).await;
    let cycle = made.cycle_id.to_string();
    let run = app.start_run(&hr, &cycle, false).await;
    let sink = SmtpSink::start().await;
    let data_dir = std::env::temp_dir().join(format!("perfcycle-crash-{}", uuid::Uuid::new_v4()));
    let namespace = format!("crash-{}:", uuid::Uuid::new_v4().simple());
    // Small batches and a tick every second: the kill lands between two commits.
    let settings = [
        ("PERFCYCLE_REWARD_BATCH", "100"),
        ("PERFCYCLE_JOB_SCHEDULE", "* * * * * *"),
    ];
    let mut first = start_worker(&app, &sink, &data_dir, &namespace, &settings);
    let started = Instant::now();
    loop {
        let got = app.reward_run(&hr, &run).await;
        let processed = got["processed"].as_i64().unwrap_or_default();
        assert!(
            got["status"] != "DONE",
            "the run finished before it could be killed"
        );
        if processed >= 1000 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no progress in 60 s: {got}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill().expect("SIGKILL");
    first.wait().ok();
    let at_kill = app.reward_run(&hr, &run).await;
    let (processed, total) = (
        at_kill["processed"].as_i64().unwrap(),
        at_kill["total"].as_i64().unwrap(),
    );
    assert!(processed < total, "killed after the end: {at_kill}");
    // Another worker takes the job over once the dead one's lease runs out (60 s).
    let killed = Instant::now();
    let mut second = start_worker(&app, &sink, &data_dir, &namespace, &settings);
    let done = loop {
        let got = app.reward_run(&hr, &run).await;
        if got["status"] == "DONE" {
            break got;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(150),
            "not done 150 s after the kill: {got}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    second.kill().ok();
    second.wait().ok();
    std::fs::remove_dir_all(&data_dir).ok();
    assert_eq!(done["job"]["attempts"], 2, "{done}");
    let crashed = results(&app, &run).await;
    // The same policy over the same people, uninterrupted, in this process.
    let again = app.start_run(&hr, &cycle, false).await;
    app.run_jobs().await;
    let uninterrupted = app.reward_run(&hr, &again).await;
    eprintln!(
        "reward crash test: killed at {processed} of {total}; done {:.1} s after the kill; {} rewards",
        killed.elapsed().as_secs_f64(),
        crashed.len()
    );
    assert_eq!(done["totals"], uninterrupted["totals"]);
    assert_eq!(done["totals"]["people"], 3000);
    assert!(!crashed.is_empty());
    assert_eq!(crashed, results(&app, &again).await);
    let budgets = done["totals"]["budgets"].as_array().unwrap();
    assert!(
        budgets.iter().any(|b| b["before"] != b["after"]),
        "no budget was fitted: {budgets:?}"
    );
}
