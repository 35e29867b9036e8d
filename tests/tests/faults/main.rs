//! Faults, with real processes: PostgreSQL restarted under load while an API server and two
//! workers run (`postgres.rs`), and Redis restarted under them (`redis.rs`). Both need the
//! PostgreSQL + Redis backend; the PostgreSQL one restarts the suite's own server, so the
//! tests of this binary take turns, and no other test binary runs meanwhile (cargo runs test
//! binaries one after another).

// All of this crate is test code; see tests/api/main.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod postgres;
mod redis;

use perfcycle_tests::TestApp;
use perfcycle_tests::smtp::SmtpSink;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The tests of this binary run one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Whether this run is on PostgreSQL + Redis; a CI run on PostgreSQL must be.
fn on_postgres_and_redis(test: &str) -> bool {
    let ready = perfcycle_tests::backend() == "postgres" && std::env::var("TEST_REDIS_URL").is_ok();
    if !ready {
        eprintln!("{test}: skipped, it needs the PostgreSQL + Redis backend");
    }
    ready
}

/// A free TCP port on the loopback interface.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An API server (no embedded worker, no rate limits: the load comes from one address and
/// one token) and two workers on `app`'s database, with `redis` as their Redis and `sink` as
/// their mail server. Killed when dropped.
struct Deployment {
    address: String,
    processes: Vec<Child>,
}

impl Deployment {
    async fn start(
        app: &TestApp,
        redis: &str,
        sink: &SmtpSink,
        workers: usize,
        extra: &[(&str, &str)],
    ) -> Self {
        let port = free_port();
        let port_text = port.to_string();
        let mut serve_env = vec![
            ("PERFCYCLE_PORT", port_text.as_str()),
            ("PERFCYCLE_EMBEDDED_WORKER", "false"),
            ("PERFCYCLE_RATE_LIMIT_IP", "0"),
            ("PERFCYCLE_RATE_LIMIT_USER", "0"),
            ("REDIS_URL", redis),
        ];
        serve_env.extend_from_slice(extra);
        let serve = perfcycle_tests::process::start(app, "serve", &serve_env);
        let address = format!("http://127.0.0.1:{port}");
        perfcycle_tests::process::wait_healthy(&address).await;
        let mut deployment = Self {
            address,
            processes: vec![serve],
        };
        deployment.add_workers(app, redis, sink, workers, extra);
        deployment
    }

    /// Starts `n` more `perfcycle worker` processes: dispatch and job ticks every second.
    fn add_workers(
        &mut self,
        app: &TestApp,
        redis: &str,
        sink: &SmtpSink,
        n: usize,
        extra: &[(&str, &str)],
    ) {
        let mut env = vec![
            ("REDIS_URL", redis),
            ("SMTP_URL", sink.url.as_str()),
            ("PERFCYCLE_DISPATCH_SCHEDULE", "* * * * * *"),
            ("PERFCYCLE_JOB_SCHEDULE", "* * * * * *"),
            ("PERFCYCLE_REWARD_BATCH", "100"),
        ];
        env.extend_from_slice(extra);
        for _ in 0..n {
            self.processes
                .push(perfcycle_tests::process::start(app, "worker", &env));
        }
    }

    /// Waits (up to 10 s) until the API server has `n` open subscriptions.
    async fn wait_subscriptions(&self, n: u64) {
        let started = Instant::now();
        loop {
            let text = reqwest::get(format!("{}/metrics", self.address))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let open = text
                .lines()
                .find_map(|l| l.strip_prefix("perfcycle_live_subscriptions "))
                .and_then(|v| v.trim().parse::<u64>().ok());
            if open >= Some(n) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{open:?} subscriptions open"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `/readyz`: its status and body.
    async fn readiness(&self) -> (u16, Value) {
        let res = reqwest::Client::new()
            .get(format!("{}/readyz", self.address))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .expect("/readyz did not answer");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Waits (up to `within`) until `/readyz` answers `status`; its body then.
    async fn wait_readiness(&self, status: u16, within: Duration) -> Value {
        let started = Instant::now();
        loop {
            let (got, body) = self.readiness().await;
            if got == status {
                return body;
            }
            assert!(
                started.elapsed() < within,
                "/readyz still {got} {body} after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        for p in &mut self.processes {
            p.kill().ok();
            p.wait().ok();
        }
    }
}

/// What one request of the load got.
#[derive(Debug, Clone)]
enum Outcome {
    /// Answered with data; for a write, the feedback's id.
    Done(Option<String>),
    /// Refused: HTTP status, error code, message.
    Refused(u16, String, String),
    /// No HTTP answer at all.
    Transport(String),
}

/// A steady light load on the API: one `giveFeedback` (whose e-mail goes through the outbox)
/// and one read every 100 ms, until stopped; every outcome, in order.
struct Load {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<(&'static str, Outcome)>>,
}

const GIVE: &str = "mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { id } }";
const READ: &str = "{ me { email } feedback(first: 5) { totalCount } }";

impl Load {
    fn start(address: &str, token: String, recipient: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, address) = (stop.clone(), address.to_owned());
        let task = tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let mut outcomes = Vec::new();
            let mut i = 0;
            while !flag.load(Ordering::Relaxed) {
                i += 1;
                let body = json!({ "query": GIVE, "variables": { "i": {
                    "recipientId": recipient, "body": format!("fault load {i}") } } });
                outcomes.push(("write", ask(&http, &address, &token, body).await));
                let body = json!({ "query": READ });
                outcomes.push(("read", ask(&http, &address, &token, body).await));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            outcomes
        });
        Self { stop, task }
    }

    async fn finish(self) -> Vec<(&'static str, Outcome)> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap()
    }
}

async fn ask(http: &reqwest::Client, address: &str, token: &str, body: Value) -> Outcome {
    let res = match http
        .post(format!("{address}/graphql"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return Outcome::Transport(e.to_string()),
    };
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    match body["errors"].get(0) {
        None if status == 200 => Outcome::Done(
            body["data"]["giveFeedback"]["id"]
                .as_str()
                .map(str::to_owned),
        ),
        error => Outcome::Refused(
            status,
            error
                .and_then(|e| e["extensions"]["code"].as_str())
                .unwrap_or_default()
                .to_owned(),
            error
                .and_then(|e| e["message"].as_str())
                .unwrap_or_default()
                .to_owned(),
        ),
    }
}

/// Every refusal is the clear kind: `503`, or `INTERNAL` with a reference id to quote. Returns
/// how many there were.
fn assert_refusals_are_clear(outcomes: &[(&'static str, Outcome)]) -> usize {
    let mut refused = 0;
    for (what, o) in outcomes {
        match o {
            Outcome::Done(_) => {}
            Outcome::Refused(status, code, message) => {
                refused += 1;
                assert!(
                    *status == 503 || (code == "INTERNAL" && message.contains("reference")),
                    "a {what} was refused unclearly: {status} {code} {message}"
                );
            }
            Outcome::Transport(e) => panic!("a {what} got no answer: {e}"),
        }
    }
    refused
}

/// The feedback ids the load's writes were told were saved.
fn acknowledged(outcomes: &[(&'static str, Outcome)]) -> Vec<String> {
    outcomes
        .iter()
        .filter_map(|(_, o)| match o {
            Outcome::Done(Some(id)) => Some(id.clone()),
            _ => None,
        })
        .collect()
}

/// Waits (up to `within`) until every outbox row is SENT; the sink's messages by Message-ID.
async fn all_sent(app: &TestApp, sink: &SmtpSink, within: Duration) -> HashMap<String, usize> {
    let started = Instant::now();
    loop {
        let unsent = app.count("email_outbox WHERE status <> 'SENT'").await;
        if unsent == 0 {
            break;
        }
        assert!(
            started.elapsed() < within,
            "{unsent} e-mails unsent after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut copies = HashMap::new();
    for m in sink.messages() {
        *copies.entry(m.message_id()).or_default() += 1;
    }
    copies
}
