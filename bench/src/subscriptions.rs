//! Subscription load for a running `perfcycle serve`: N WebSocket connections, each holding S
//! `activity` subscriptions (graphql-transport-ws) as HR, idle; the server's resident memory
//! before, once connected and once subscribed (from /proc); then E events, one at a time, and
//! for each the time from the write's response to its arrival at every subscription.
//!
//! ```text
//! subscriptions ADDRESS SERVER_PID HR_TOKEN WRITER_TOKEN CYCLE_ID [--subscribers 10000] [--per-connection 1] [--events 5]
//! ```
//!
//! `--subscribers` counts subscriptions; they are spread over subscribers ÷ per-connection
//! connections. Prints `key<TAB>value` lines: connections and subscriptions, RSS (KiB), KiB
//! per connection and per subscription, then per event and over all events the p50, p99 and
//! max delivery in ms and how many subscriptions got it.

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

const ACTIVITY: &str =
    "subscription { activity(filter: { kinds: [\"GOAL_CREATED\"] }) { __typename } }";
const CREATE_GOAL: &str = "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }";

fn rss_kib(pid: u32) -> Res<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("no VmRSS value")?
        .parse()?)
}

/// Arrival times, one list per subscription.
type Arrivals = Arc<Mutex<Vec<Vec<Instant>>>>;

/// One connection: connects and authenticates, opens `per` subscriptions (ids 0..per) once
/// `go` says so, then records when each event arrives at each (slots `first..first + per`).
async fn subscriber(
    url: String,
    token: String,
    first: usize,
    per: usize,
    arrivals: Arrivals,
    mut go: tokio::sync::watch::Receiver<bool>,
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
    go.wait_for(|go| *go).await?;
    for id in 0..per {
        let subscribe =
            json!({ "type": "subscribe", "id": id.to_string(), "payload": { "query": ACTIVITY } });
        socket
            .send(Message::Text(subscribe.to_string().into()))
            .await?;
    }
    while let Some(frame) = socket.next().await {
        match frame? {
            Message::Text(t) if t.contains("\"next\"") => {
                let at = Instant::now();
                // One subscription: its id is known, and the client spends no time parsing.
                let id: usize = if per == 1 {
                    0
                } else {
                    let message: serde_json::Value = serde_json::from_str(&t)?;
                    message["id"].as_str().ok_or("no id")?.parse()?
                };
                if id >= per {
                    return Err(format!("an unknown subscription id {id}").into());
                }
                arrivals.lock().map_err(|_| "poisoned")?[first + id].push(at);
            }
            Message::Ping(p) => socket.send(Message::Pong(p)).await?,
            Message::Close(_) => break,
            _ => {}
        }
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 6 {
        return Err("usage: subscriptions ADDRESS SERVER_PID HR_TOKEN WRITER_TOKEN CYCLE_ID [--subscribers N] [--per-connection S] [--events E]".into());
    }
    let (address, pid, hr, writer, cycle) = (
        args[1].clone(),
        args[2].parse::<u32>()?,
        args[3].clone(),
        args[4].clone(),
        args[5].clone(),
    );
    let flag = |name: &str, default: usize| -> Res<usize> {
        match args.iter().position(|a| a == name) {
            Some(i) => Ok(args.get(i + 1).ok_or("a value")?.parse()?),
            None => Ok(default),
        }
    };
    let per = flag("--per-connection", 1)?.max(1);
    let connections = flag("--subscribers", 10_000)?.div_ceil(per);
    let n = connections * per;
    let events = flag("--events", 5)?;
    let ws_url = format!("{}/graphql", address.replacen("http", "ws", 1));
    let arrivals: Arrivals = Arc::new(Mutex::new(vec![Vec::new(); n]));

    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(pid)?;
    let mut tasks = Vec::with_capacity(n);
    let (go, wait) = tokio::sync::watch::channel(false);
    // Connect in waves so the listen backlog never overflows.
    for wave in (0..connections).collect::<Vec<_>>().chunks(250) {
        for &c in wave {
            tasks.push(tokio::spawn(subscriber(
                ws_url.clone(),
                hr.clone(),
                c * per,
                per,
                arrivals.clone(),
                wait.clone(),
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Every connection open and authenticated, idle: the server's memory; then each
    // subscribes, idle again: its memory once more.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let connected_kib = rss_kib(pid)?;
    go.send(true)?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let failed = tasks.iter().filter(|t| t.is_finished()).count();
    let after = rss_kib(pid)?;
    let open = connections - failed;
    let connected = open * per;
    let each = |kib: u64, count: usize| kib as f64 / count.max(1) as f64;
    println!("connections\t{open}");
    println!("subscribers\t{connected}");
    println!("failed_to_connect\t{failed}");
    println!("rss_before_kib\t{before}");
    println!("rss_connected_kib\t{connected_kib}");
    println!("rss_after_kib\t{after}");
    println!(
        "kib_per_connection\t{:.1}",
        each(connected_kib.saturating_sub(before), open)
    );
    println!(
        "kib_per_subscription\t{:.1}",
        each(after.saturating_sub(connected_kib), connected)
    );
    // Everything, the connections included, shared out over the subscriptions they carry.
    println!(
        "kib_per_subscription_all_in\t{:.1}",
        each(after.saturating_sub(before), connected)
    );

    let http = reqwest::Client::new();
    let ends: serde_json::Value = http
        .post(format!("{address}/graphql"))
        .bearer_auth(&writer)
        .json(&json!({ "query": "query($id: ID!) { cycle(id: $id) { endsOn } }", "variables": { "id": cycle } }))
        .send()
        .await?
        .json()
        .await?;
    let due = ends["data"]["cycle"]["endsOn"]
        .as_str()
        .ok_or("the writer cannot read the cycle")?
        .to_owned();
    let mut all = Vec::new();
    for e in 0..events {
        let input = json!({ "i": perfcycle_tests::goal_input(&cycle, json!({
            "title": format!("Bench goal {e}"), "weight": 10, "dueOn": due })) });
        let response = http
            .post(format!("{address}/graphql"))
            .bearer_auth(&writer)
            .json(&json!({ "query": CREATE_GOAL, "variables": input }))
            .send()
            .await?
            .text()
            .await?;
        let committed = Instant::now();
        if !response.contains("\"createGoal\"") || response.contains("\"errors\"") {
            return Err(format!("createGoal failed: {response}").into());
        }
        // Wait until every connected subscriber has this event, or 10 s.
        let deadline = committed + Duration::from_secs(10);
        loop {
            let got = arrivals
                .lock()
                .map_err(|_| "poisoned")?
                .iter()
                .filter(|a| a.len() > e)
                .count();
            if got >= connected || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut ms: Vec<f64> = arrivals
            .lock()
            .map_err(|_| "poisoned")?
            .iter()
            .filter_map(|a| a.get(e))
            .map(|at| at.saturating_duration_since(committed).as_secs_f64() * 1000.0)
            .collect();
        ms.sort_by(f64::total_cmp);
        println!(
            "event_{e}\treceived {} p50 {:.0} p99 {:.0} max {:.0} ms",
            ms.len(),
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            ms.last().copied().unwrap_or(f64::NAN)
        );
        all.extend(ms);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    all.sort_by(f64::total_cmp);
    println!(
        "all_events\treceived {} p50 {:.0} p99 {:.0} max {:.0} ms",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all.last().copied().unwrap_or(f64::NAN)
    );
    for t in tasks {
        t.abort();
    }
    Ok(())
}
