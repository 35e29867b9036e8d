//! Redis stopped and started again under an API server, with e-mail jobs already in its
//! queue: `/readyz` says Redis is unreachable while reads and writes go on (they need only
//! the database); the queued jobs survive the restart (Redis keeps its queue on disk, as
//! `deploy/README.md` asks), every e-mail goes out once, and a subscription opened before the
//! outage receives events again afterwards, the one written during the outage included.
//!
//! Its Redis is a server of its own on a free port, with the append-only file the guide asks
//! for, so that restarting it disturbs nothing else.

use super::*;
use perfcycle_tests::spawn_app_with;
use perfcycle_tests::ws::{TRANSPORT_WS, ws_to};
use std::process::{Command, Stdio};

/// A `redis-server` on `port`, keeping its data in `dir` (append-only file, fsync always).
struct RedisServer {
    port: u16,
    dir: std::path::PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("perfcycle-redis-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            port: free_port(),
            dir,
            child: None,
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn start(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--dir", &self.dir.to_string_lossy()])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is not installed");
        self.child = Some(child);
        let client = ::redis::Client::open(self.url()).unwrap();
        let started = Instant::now();
        loop {
            if let Ok(mut c) = client.get_multiplexed_async_connection().await
                && ::redis::cmd("PING")
                    .query_async::<String>(&mut c)
                    .await
                    .is_ok()
            {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops it the way an orchestrator does (SIGTERM: it finishes writing its file).
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .ok();
            child.wait().ok();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

const FEEDBACK_EVENTS: &str = "subscription { activity(filter: { kinds: [\"FEEDBACK_GIVEN\"] }) { __typename ... on ActivityEvent { kind subjectId } } }";

async fn give(address: &str, token: &str, recipient: &str, body: &str) -> String {
    let res: Value = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": GIVE, "variables": { "i": { "recipientId": recipient, "body": body } } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    res["data"]["giveFeedback"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("giveFeedback was refused: {res}"))
        .to_owned()
}

/// The next `FEEDBACK_GIVEN` event's subject, skipping the notices of a gap.
async fn next_feedback(ws: &mut perfcycle_tests::ws::Ws) -> String {
    loop {
        let item = ws.next("f").await.unwrap_or_else(|e| panic!("{e}"));
        if item["activity"]["__typename"] == "ActivityEvent" {
            return item["activity"]["subjectId"].as_str().unwrap().to_owned();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redis_restart_keeps_queued_jobs_and_subscriptions_receive_again() {
    const QUEUED: usize = 20;
    let _turn = SERIAL.lock().await;
    if !on_postgres_and_redis("redis restart") {
        return;
    }
    let mut redis = RedisServer::new();
    redis.start().await;
    // The test's own server relays events too: it is one more replica on this Redis.
    let app = spawn_app_with(&[("REDIS_URL", &redis.url())]).await;
    let org = app.org().await;
    let bob = app.id_of("bob@t.io").await;

    // E-mails handed to the queue the way the dispatcher hands them over (marked as
    // queued, so nothing would hand them over again for half an hour), no worker yet.
    perfcycle_tests::queue::queue_emails(&app, "redis-fault", QUEUED).await;
    let queue = worker::pool::Queue::redis(&redis.url(), &app.namespace)
        .await
        .unwrap();
    let ids = domain::outbox::take_for_dispatch(&app.ctx.db, chrono::Utc::now(), 100)
        .await
        .unwrap();
    assert_eq!(ids.len(), QUEUED);
    queue.push(ids).await.unwrap();
    drop(queue);

    let sink = SmtpSink::start().await;
    let mut deployment = Deployment::start(&app, &redis.url(), &sink, 0, &[]).await;
    let mut ws = ws_to(&deployment.address, TRANSPORT_WS).await;
    // Bob follows the feedback he receives.
    ws.init(&org.bob).await;
    ws.subscribe("f", FEEDBACK_EVENTS, json!({})).await;
    deployment.wait_subscriptions(1).await;
    let before = give(&deployment.address, &org.alice, &bob, "before the outage").await;
    assert_eq!(next_feedback(&mut ws).await, before);

    redis.stop();
    let body = deployment
        .wait_readiness(503, Duration::from_secs(20))
        .await;
    assert_eq!(body["redis"], "unreachable", "{body}");
    assert_eq!(body["database"], "ok", "{body}");
    // The database is enough for reads and writes.
    let during = give(&deployment.address, &org.alice, &bob, "during the outage").await;
    let r = reqwest::Client::new()
        .post(format!("{}/graphql", deployment.address))
        .bearer_auth(&org.bob)
        .json(&json!({ "query": "{ feedback(first: 10) { totalCount } }" }))
        .send()
        .await
        .unwrap();
    let read: Value = r.json().await.unwrap();
    assert_eq!(read["data"]["feedback"]["totalCount"], 2, "{read}");

    redis.start().await;
    let restarted = Instant::now();
    deployment
        .wait_readiness(200, Duration::from_secs(30))
        .await;
    // The event written during the outage, then a new one, reach the old subscription.
    assert_eq!(next_feedback(&mut ws).await, during);
    let after = give(&deployment.address, &org.alice, &bob, "after the outage").await;
    assert_eq!(next_feedback(&mut ws).await, after);

    // Workers start only now: the queued jobs are still there for them.
    deployment.add_workers(&app, &redis.url(), &sink, 2, &[]);
    let copies = all_sent(&app, &sink, Duration::from_secs(60)).await;
    let took = restarted.elapsed();
    let rows = app.count("email_outbox").await;
    eprintln!(
        "redis restart: {rows} e-mails ({QUEUED} queued before the outage) all sent {:.1} s after \
         Redis came back",
        took.as_secs_f64()
    );
    assert_eq!(copies.len() as i64, rows, "every e-mail arrived");
    assert!(
        copies.values().all(|n| *n == 1),
        "no process died, so nothing may repeat: {copies:?}"
    );
}
