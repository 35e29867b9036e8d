//! Mixed load for a soak: a steady rate of GraphQL requests spread over several `perfcycle
//! serve` processes (reads of four kinds and a `giveFeedback` write), plus WebSocket
//! subscriptions held open the whole time (`activity` for HR and a manager, `cycleProgress`
//! for HR), for a fixed duration. Per time window it prints each operation's count, errors,
//! p50, p99 and max latency, and the subscription messages received.
//!
//! ```text
//! soak URL[,URL…] HR_TOKEN MANAGER_TOKEN EMPLOYEE_TOKEN RECIPIENT_ID CYCLE_ID
//!      [--duration 600] [--window 60] [--rate 40] [--subscribers 200]
//! ```
//!
//! Requests are sent open-loop: one every 1/rate seconds whatever the answers take (up to
//! 256 in flight; a request that cannot start because of that limit counts as an error), so a
//! slow server shows as latency, not as a lower rate. Output: tab-separated lines
//! `window<TAB>end_s<TAB>operation<TAB>count<TAB>errors<TAB>p50_ms<TAB>p99_ms<TAB>max_ms`,
//! `messages<TAB>end_s<TAB>count<TAB>subscriptions_open`, and at the end `total` lines in the
//! window format over the whole run, and `error<TAB>operation<TAB>first error` for each
//! operation that had one.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

const OWN_GOALS: &str = "query OwnGoals { me { id goals { id title status progress keyResults { id currentValue targetValue progress } } } }";
const TEAM: &str = "query Team { me { reports(first: 100) { nodes { id name goals { id title status progress } } } } }";
const CHECK_INS: &str = "query CheckIns { checkIns(first: 20) { edges { node { id status periodStart employee { id name } } } pageInfo { hasNextPage endCursor } } }";
const OVERVIEW: &str = "query Overview($cycle: ID!) { cycleOverview(cycleId: $cycle) { people goals { total agreementRate } checkInCompliance(weeks: 4) { weekStart rate } } }";
const GIVE: &str =
    "mutation GiveFeedback($i: GiveFeedbackInput!) { giveFeedback(input: $i) { id } }";
const ACTIVITY: &str = "subscription { activity { __typename } }";
const PROGRESS: &str = "subscription($cycle: ID!) { cycleProgress(cycleId: $cycle) { people } }";

/// The mix: each operation's share of the requests (out of 10).
const MIX: [(&str, usize); 5] = [
    ("employee: own goals", 3),
    ("manager: team", 2),
    ("manager: checkIns", 2),
    ("HR: cycleOverview", 1),
    ("employee: giveFeedback", 2),
];

#[derive(Default)]
struct Window {
    latencies: BTreeMap<&'static str, Vec<f64>>,
    errors: BTreeMap<&'static str, usize>,
    first_error: BTreeMap<&'static str, String>,
}

struct Shared {
    window: Mutex<Window>,
    total: Mutex<Window>,
    messages: AtomicUsize,
    open: AtomicUsize,
}

impl Shared {
    fn record(&self, op: &'static str, result: Result<f64, String>) {
        for w in [&self.window, &self.total] {
            let Ok(mut w) = w.lock() else { return };
            match &result {
                Ok(ms) => w.latencies.entry(op).or_default().push(*ms),
                Err(e) => {
                    *w.errors.entry(op).or_default() += 1;
                    w.first_error.entry(op).or_insert_with(|| e.clone());
                }
            }
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn print(label: &str, at: f64, w: &Window) {
    for (op, _) in MIX {
        let mut l = w.latencies.get(op).cloned().unwrap_or_default();
        l.sort_by(f64::total_cmp);
        let errors = w.errors.get(op).copied().unwrap_or_default();
        println!(
            "{label}\t{at:.0}\t{op}\t{}\t{errors}\t{:.1}\t{:.1}\t{:.1}",
            l.len() + errors,
            percentile(&l, 0.5),
            percentile(&l, 0.99),
            l.last().copied().unwrap_or(f64::NAN)
        );
    }
}

async fn request(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<(), String> {
    let res = http
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let body: Value = res.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() || body.get("errors").is_some() {
        return Err(format!("{status}: {body}"));
    }
    Ok(())
}

/// One WebSocket connection holding one subscription until the run ends; counts messages.
async fn subscriber(
    url: String,
    token: String,
    query: &'static str,
    variables: Value,
    shared: Arc<Shared>,
) -> Res<()> {
    let mut request = url.into_client_request()?;
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket.send(Message::Text(init.to_string().into())).await?;
    match socket.next().await {
        Some(Ok(Message::Text(t))) if t.contains("connection_ack") => {}
        other => return Err(format!("no connection_ack: {other:?}").into()),
    }
    let subscribe = json!({ "type": "subscribe", "id": "s",
        "payload": { "query": query, "variables": variables } });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await?;
    shared.open.fetch_add(1, Ordering::Relaxed);
    while let Some(frame) = socket.next().await {
        match frame? {
            Message::Text(t) if t.contains("\"next\"") => {
                shared.messages.fetch_add(1, Ordering::Relaxed);
            }
            Message::Ping(p) => socket.send(Message::Pong(p)).await?,
            Message::Close(c) => {
                shared.open.fetch_sub(1, Ordering::Relaxed);
                return Err(format!("closed: {c:?}").into());
            }
            _ => {}
        }
    }
    shared.open.fetch_sub(1, Ordering::Relaxed);
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 7 {
        return Err("usage: soak URL[,URL…] HR_TOKEN MANAGER_TOKEN EMPLOYEE_TOKEN RECIPIENT_ID CYCLE_ID [--duration S] [--window S] [--rate R] [--subscribers N]".into());
    }
    let urls: Vec<String> = args[1].split(',').map(|u| format!("{u}/graphql")).collect();
    let (hr, manager, employee, recipient, cycle) = (
        args[2].clone(),
        args[3].clone(),
        args[4].clone(),
        args[5].clone(),
        args[6].clone(),
    );
    let flag = |name: &str, default: u64| -> Res<u64> {
        match args.iter().position(|a| a == name) {
            Some(i) => Ok(args.get(i + 1).ok_or("a value")?.parse()?),
            None => Ok(default),
        }
    };
    let duration = Duration::from_secs(flag("--duration", 600)?);
    let window = Duration::from_secs(flag("--window", 60)?.max(1));
    let rate = flag("--rate", 40)?.max(1);
    let subscribers = flag("--subscribers", 200)? as usize;
    let shared = Arc::new(Shared {
        window: Mutex::new(Window::default()),
        total: Mutex::new(Window::default()),
        messages: AtomicUsize::new(0),
        open: AtomicUsize::new(0),
    });

    // Subscriptions, spread over the servers: HR and a manager following `activity`, and one
    // in twenty HR's `cycleProgress`.
    for i in 0..subscribers {
        let url = urls[i % urls.len()].replacen("http", "ws", 1);
        let (token, query, variables) = match i % 20 {
            0 => (hr.clone(), PROGRESS, json!({ "cycle": cycle })),
            n if n % 2 == 0 => (hr.clone(), ACTIVITY, json!({})),
            _ => (manager.clone(), ACTIVITY, json!({})),
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            if let Err(e) = subscriber(url, token, query, variables, shared.clone()).await {
                shared.record("subscription", Err(e.to_string()));
            }
        });
    }

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(30))
        .build()?;
    let slots: Vec<&'static str> = MIX
        .iter()
        .flat_map(|(op, n)| std::iter::repeat_n(*op, *n))
        .collect();
    let in_flight = Arc::new(tokio::sync::Semaphore::new(256));
    let started = Instant::now();
    let mut next_window = started + window;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut i: usize = 0;
    while started.elapsed() < duration {
        tick.tick().await;
        if Instant::now() >= next_window {
            let w = std::mem::take(&mut *shared.window.lock().map_err(|_| "poisoned")?);
            let at = started.elapsed().as_secs_f64();
            print("window", at, &w);
            println!(
                "messages\t{at:.0}\t{}\t{}",
                shared.messages.swap(0, Ordering::Relaxed),
                shared.open.load(Ordering::Relaxed)
            );
            next_window += window;
        }
        let op = slots[i % slots.len()];
        let url = urls[i % urls.len()].clone();
        i += 1;
        let (token, body) = match op {
            "employee: own goals" => (employee.clone(), json!({ "query": OWN_GOALS })),
            "manager: team" => (manager.clone(), json!({ "query": TEAM })),
            "manager: checkIns" => (manager.clone(), json!({ "query": CHECK_INS })),
            "HR: cycleOverview" => (
                hr.clone(),
                json!({ "query": OVERVIEW, "variables": { "cycle": cycle } }),
            ),
            _ => (
                employee.clone(),
                json!({ "query": GIVE, "variables": { "i": {
                    "recipientId": recipient, "kind": "PRAISE", "body": format!("Soak praise {i}") } } }),
            ),
        };
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            shared.record(op, Err("256 requests in flight".into()));
            continue;
        };
        let (http, shared) = (http.clone(), shared.clone());
        tokio::spawn(async move {
            let sent = Instant::now();
            let result = request(&http, &url, &token, &body).await;
            shared.record(op, result.map(|()| sent.elapsed().as_secs_f64() * 1000.0));
            drop(permit);
        });
    }
    // Let the last requests finish, then the last (partial) window and the totals.
    let _ = in_flight.acquire_many(256).await;
    let at = started.elapsed().as_secs_f64();
    let w = std::mem::take(&mut *shared.window.lock().map_err(|_| "poisoned")?);
    print("window", at, &w);
    println!(
        "messages\t{at:.0}\t{}\t{}",
        shared.messages.swap(0, Ordering::Relaxed),
        shared.open.load(Ordering::Relaxed)
    );
    let total = shared.total.lock().map_err(|_| "poisoned")?;
    print("total", at, &total);
    for (op, e) in &total.first_error {
        println!("error\t{op}\t{}", e.chars().take(300).collect::<String>());
    }
    Ok(())
}
