//! PostgreSQL stopped for a few seconds and started again while an API server and two
//! workers carry a light load and a reward run: during the outage requests are refused
//! clearly and `/readyz` says the database is unreachable; afterwards everything recovers
//! without a restart of perfcycle, every acknowledged write is there, every e-mail goes out
//! (a repeat only for one the mail server took while its SENT mark could not be written), and
//! the reward run ends with the results of an uninterrupted one.

use super::*;
use perfcycle_tests::rewards::run_results as results;
use perfcycle_tests::spawn_app;
use std::collections::HashSet;
use std::process::Command;

/// The suite's PostgreSQL server as `pg_ctlcluster` knows it (Debian's tools, as root).
struct Cluster {
    version: String,
}

impl Cluster {
    fn find() -> Option<Self> {
        let version = std::fs::read_dir("/etc/postgresql")
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .max()?;
        let usable = Command::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect", &version, "main", "status"])
            .output()
            .is_ok_and(|o| o.status.success());
        usable.then_some(Self { version })
    }

    fn run(&self, action: &str) {
        let mut cmd = Command::new("pg_ctlcluster");
        cmd.args(["--skip-systemctl-redirect", &self.version, "main", action]);
        if action == "stop" {
            cmd.args(["-m", "fast"]);
        }
        let out = cmd.output().expect("pg_ctlcluster did not run");
        assert!(
            out.status.success(),
            "pg_ctlcluster {action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Starts the server again if a failed test left it stopped.
struct StartOnDrop<'a>(&'a Cluster);

impl Drop for StartOnDrop<'_> {
    fn drop(&mut self) {
        let status = Command::new("pg_ctlcluster")
            .args([
                "--skip-systemctl-redirect",
                &self.0.version,
                "main",
                "status",
            ])
            .output();
        if !status.is_ok_and(|o| o.status.success()) {
            self.0.run("start");
        }
    }
}

async fn wait_done(app: &TestApp, hr: &str, run: &str, within: Duration) -> Value {
    let started = Instant::now();
    loop {
        let got = app.reward_run(hr, run).await;
        if got["status"] == "DONE" {
            return got;
        }
        assert!(
            started.elapsed() < within,
            "the run is not done after {within:?}: {got}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postgres_restart_under_load_loses_no_acknowledged_write_email_or_reward() {
    let _turn = SERIAL.lock().await;
    if !on_postgres_and_redis("postgres restart") {
        return;
    }
    let Some(cluster) = Cluster::find() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must be able to restart PostgreSQL with pg_ctlcluster"
        );
        eprintln!("postgres restart: skipped, pg_ctlcluster cannot manage the server here");
        return;
    };
    let _restart = StartOnDrop(&cluster);
    let app = spawn_app().await;
    let made = domain::seed::generate_people(&app.ctx, 3000, 11)
        .await
        .unwrap();
    domain::seed::reward_inputs(&app.ctx, made.cycle_id, 11)
        .await
        .unwrap();
    let hr = app.token(&made.hr_email).await;
    let cycle = made.cycle_id.to_string();
    let author = app.token(&made.employee_email).await;
    let recipient = app.id_of(&made.manager_email).await;
    let sink = SmtpSink::start().await;
    let redis = std::env::var("TEST_REDIS_URL").unwrap();
    let deployment = Deployment::start(&app, &redis, &sink, 2, &[]).await;
    let load = Load::start(&deployment.address, author, recipient);
    tokio::time::sleep(Duration::from_secs(2)).await;

    let run = app.start_run(&hr, &cycle, false).await;
    let started = Instant::now();
    let at_stop = loop {
        let got = app.reward_run(&hr, &run).await;
        if got["processed"].as_i64() >= Some(300) || got["status"] == "DONE" {
            break got;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run made no progress: {got}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    let sent_before_stop = sink.count();
    cluster.run("stop");
    let stopped = Instant::now();
    let body = deployment
        .wait_readiness(503, Duration::from_secs(20))
        .await;
    assert_eq!(body["database"], "unreachable", "{body}");
    assert_eq!(body["redis"], "ok", "{body}");
    // Longer than a request waits for a connection (10 s): requests are refused, not only
    // delayed.
    tokio::time::sleep(Duration::from_secs(12)).await;
    cluster.run("start");
    let outage = stopped.elapsed();
    deployment
        .wait_readiness(200, Duration::from_secs(60))
        .await;
    let recovered = stopped.elapsed();
    let sent_when_ready = sink.count();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let outcomes = load.finish().await;

    // Refused clearly while it was down, answered again afterwards without a restart.
    let refused = assert_refusals_are_clear(&outcomes);
    assert!(refused > 0, "nothing was refused while PostgreSQL was down");
    let tail = &outcomes[outcomes.len().saturating_sub(4)..];
    assert!(
        tail.iter().all(|(_, o)| matches!(o, Outcome::Done(_))),
        "still failing after recovery: {tail:?}"
    );
    // Every write that was acknowledged is stored.
    let acked = acknowledged(&outcomes);
    let stored: HashSet<String> = {
        use sea_orm::EntityTrait;
        entity::feedback::Entity::find()
            .all(&app.ctx.db)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.id.to_string())
            .collect()
    };
    for id in &acked {
        assert!(stored.contains(id), "acknowledged feedback {id} is missing");
    }

    let done = wait_done(&app, &hr, &run, Duration::from_secs(180)).await;
    let copies = all_sent(&app, &sink, Duration::from_secs(120)).await;
    let rows = app.count("email_outbox").await;
    assert_eq!(copies.len() as i64, rows, "every e-mail arrived");
    let repeated = copies.values().filter(|n| **n > 1).count();
    assert!(
        copies.values().all(|n| *n <= 2),
        "an e-mail arrived more than twice"
    );
    drop(deployment);
    let crashed = results(&app, &run).await;

    // The same policy over the same people, uninterrupted, in this process.
    let again = app.start_run(&hr, &cycle, false).await;
    app.run_jobs().await;
    let uninterrupted = app.reward_run(&hr, &again).await;
    eprintln!(
        "postgres restart: stopped at {} of {} processed; down {:.1} s, ready again {:.1} s after \
         the stop; {} of {} requests refused, {} writes acknowledged; {rows} e-mails, {repeated} \
         repeated; run attempts {}",
        at_stop["processed"],
        at_stop["total"],
        outage.as_secs_f64(),
        recovered.as_secs_f64(),
        refused,
        outcomes.len(),
        acked.len(),
        done["job"]["attempts"],
    );
    // A repeat is an e-mail the mail server took while its SENT mark could not be written:
    // its first copy arrived around the outage, within what senders hold unmarked (they mark
    // every 16 messages and at the end of a batch).
    let mut first_copy: HashMap<String, usize> = HashMap::new();
    for (i, m) in sink.messages().iter().enumerate() {
        first_copy.entry(m.message_id()).or_insert(i);
    }
    for (id, n) in &copies {
        if *n > 1 {
            let at = first_copy[id];
            assert!(
                at + 32 >= sent_before_stop && at <= sent_when_ready,
                "{id} was repeated, but its first copy (message {at}) was not in flight during \
                 the outage (messages {sent_before_stop}..{sent_when_ready})"
            );
        }
    }
    assert_eq!(done["totals"], uninterrupted["totals"]);
    assert_eq!(done["totals"]["people"], 3000);
    assert_eq!(crashed, results(&app, &again).await);
}
