//! Prometheus metrics, counted in-process and rendered as text at `/metrics`.
//!
//! Request latency is labelled by operation name. Names come from clients, so the label set
//! is bounded: unnamed operations and names the document does not define share
//! [`UNNAMED`], and once [`MAX_OPERATIONS`] names are known any new one counts as [`OTHER`].

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The label of unnamed operations and of names the document does not define.
pub const UNNAMED: &str = "_unnamed";
/// The label of operation names beyond [`MAX_OPERATIONS`].
pub const OTHER: &str = "_other";
/// Distinct operation names labelled before new ones count as [`OTHER`].
pub const MAX_OPERATIONS: usize = 100;

/// Upper bounds (seconds) of the request latency buckets.
const BUCKETS: [f64; 11] = worker::job_stats::BUCKETS;

/// One latency histogram: counts per bucket (not cumulative; the last is above every bound).
#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len() + 1],
    seconds: f64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        let slot = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.buckets[slot] += 1;
        self.seconds += secs;
    }
}

/// Writes a histogram in the exposition format: cumulative buckets, sum, count.
fn write_histogram(out: &mut String, name: &str, labels: &str, buckets: &[u64], seconds: f64) {
    let mut cumulative = 0;
    for (bound, n) in BUCKETS.iter().zip(buckets) {
        cumulative += n;
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
    }
    let count: u64 = buckets.iter().sum();
    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {count}");
    let _ = writeln!(out, "{name}_sum{{{labels}}} {seconds:.6}");
    let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
}

/// Outbox rows waiting to be sent, read when `/metrics` is scraped.
#[derive(Clone, Copy, Debug, Default)]
pub struct QueueDepth {
    /// Rows waiting for a sender.
    pub pending: u64,
    /// Rows a sender holds under a lease.
    pub sending: u64,
    /// Background jobs (reward runs, review launches, …) waiting for a worker.
    pub jobs_queued: u64,
    /// Background jobs a worker holds under a lease.
    pub jobs_running: u64,
}

/// Counters of one process.
#[derive(Default)]
pub struct Metrics {
    db_statements: AtomicU64,
    db_failures: AtomicU64,
    db_micros: AtomicU64,
    graphql: Mutex<BTreeMap<(&'static str, u16), u64>>,
    operations: Mutex<BTreeMap<String, Histogram>>,
    /// Requests refused by the address limit, and by the user limit.
    rate_limited: [AtomicU64; 2],
    /// Open WebSocket connections.
    websockets: AtomicU64,
}

/// Counts one open WebSocket connection for as long as it lives.
pub struct OpenWebSocket(std::sync::Arc<Metrics>);

impl Drop for OpenWebSocket {
    fn drop(&mut self) {
        self.0.websockets.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The database pool of one process, read when `/metrics` is scraped.
#[derive(Clone, Copy, Debug, Default)]
pub struct PoolUsage {
    /// Connections open.
    pub open: u32,
    /// Of those, idle.
    pub idle: u32,
    /// The most it may open.
    pub max: u32,
}

impl Metrics {
    /// Counts one SQL statement.
    pub fn statement(&self, elapsed: std::time::Duration, failed: bool) {
        self.db_statements.fetch_add(1, Ordering::Relaxed);
        self.db_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        if failed {
            self.db_failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts one GraphQL HTTP request.
    pub fn graphql_request(&self, method: &'static str, status: u16) {
        let mut map = self.graphql.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((method, status)).or_default() += 1;
    }

    /// Times one executed GraphQL operation under its (bounded) name.
    pub fn operation(&self, name: &str, elapsed: std::time::Duration) {
        let mut map = self.operations.lock().unwrap_or_else(|e| e.into_inner());
        let known = map.contains_key(name) || map.len() < MAX_OPERATIONS;
        let key = if known { name } else { OTHER };
        if let Some(h) = map.get_mut(key) {
            h.observe(elapsed.as_secs_f64());
        } else {
            let mut h = Histogram::default();
            h.observe(elapsed.as_secs_f64());
            map.insert(key.to_owned(), h);
        }
    }

    /// Counts a WebSocket connection until the returned guard is dropped.
    pub fn websocket_opened(self: &std::sync::Arc<Self>) -> OpenWebSocket {
        self.websockets.fetch_add(1, Ordering::Relaxed);
        OpenWebSocket(self.clone())
    }

    /// The gauges read at scrape time: WebSockets, the database pool.
    pub fn render_gauges(&self, pool: PoolUsage) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP perfcycle_websocket_connections Open WebSocket connections on this server.\n\
             # TYPE perfcycle_websocket_connections gauge\n\
             perfcycle_websocket_connections {}",
            self.websockets.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP perfcycle_db_pool_connections Database connections of this process, by state.\n\
             # TYPE perfcycle_db_pool_connections gauge\n\
             perfcycle_db_pool_connections{{state=\"busy\"}} {}\n\
             perfcycle_db_pool_connections{{state=\"idle\"}} {}",
            pool.open.saturating_sub(pool.idle),
            pool.idle
        );
        let _ = writeln!(
            out,
            "# HELP perfcycle_db_pool_max_connections The most connections this process opens.\n\
             # TYPE perfcycle_db_pool_max_connections gauge\n\
             perfcycle_db_pool_max_connections {}",
            pool.max
        );
        out
    }

    /// Counts one request refused by a rate limit.
    pub fn rate_limited(&self, limit: crate::ratelimit::Limit) {
        let slot = match limit {
            crate::ratelimit::Limit::Address => 0,
            crate::ratelimit::Limit::User => 1,
        };
        self.rate_limited[slot].fetch_add(1, Ordering::Relaxed);
    }

    /// SQL statements so far.
    pub fn statements(&self) -> u64 {
        self.db_statements.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition; `depth` is the outbox's, when it could be read.
    pub fn render(&self, depth: Option<QueueDepth>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP perfcycle_db_statements_total SQL statements executed."
        );
        let _ = writeln!(out, "# TYPE perfcycle_db_statements_total counter");
        let _ = writeln!(out, "perfcycle_db_statements_total {}", self.statements());
        let _ = writeln!(
            out,
            "# HELP perfcycle_db_statement_failures_total SQL statements that failed."
        );
        let _ = writeln!(out, "# TYPE perfcycle_db_statement_failures_total counter");
        let _ = writeln!(
            out,
            "perfcycle_db_statement_failures_total {}",
            self.db_failures.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP perfcycle_db_statement_seconds_total Time spent in SQL statements."
        );
        let _ = writeln!(out, "# TYPE perfcycle_db_statement_seconds_total counter");
        let _ = writeln!(
            out,
            "perfcycle_db_statement_seconds_total {:.6}",
            self.db_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "# HELP perfcycle_graphql_requests_total GraphQL HTTP requests by method and status."
        );
        let _ = writeln!(out, "# TYPE perfcycle_graphql_requests_total counter");
        for ((method, status), n) in self
            .graphql
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "perfcycle_graphql_requests_total{{method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP perfcycle_graphql_operation_seconds GraphQL execution time by operation name."
        );
        let _ = writeln!(out, "# TYPE perfcycle_graphql_operation_seconds histogram");
        for (name, h) in self
            .operations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            write_histogram(
                &mut out,
                "perfcycle_graphql_operation_seconds",
                &format!("operation=\"{name}\""),
                &h.buckets,
                h.seconds,
            );
        }
        let _ = writeln!(
            out,
            "# HELP perfcycle_rate_limited_total Requests refused with 429, by the limit they hit."
        );
        let _ = writeln!(out, "# TYPE perfcycle_rate_limited_total counter");
        for (limit, n) in [
            crate::ratelimit::Limit::Address,
            crate::ratelimit::Limit::User,
        ]
        .into_iter()
        .zip(&self.rate_limited)
        {
            let _ = writeln!(
                out,
                "perfcycle_rate_limited_total{{limit=\"{}\"}} {}",
                limit.label(),
                n.load(Ordering::Relaxed)
            );
        }
        let jobs = worker::job_stats::snapshot();
        for (metric, help, pick) in [
            (
                "perfcycle_jobs_total",
                "Jobs run by this process, by kind.",
                (|s: &worker::job_stats::KindStats| s.runs) as fn(&_) -> u64,
            ),
            (
                "perfcycle_job_failures_total",
                "Jobs that failed (returned an error or panicked), by kind.",
                |s| s.failures,
            ),
            (
                "perfcycle_job_panics_total",
                "Jobs that panicked, by kind.",
                |s| s.panics,
            ),
        ] {
            let _ = writeln!(out, "# HELP {metric} {help}");
            let _ = writeln!(out, "# TYPE {metric} counter");
            for (kind, s) in &jobs {
                let _ = writeln!(out, "{metric}{{kind=\"{kind}\"}} {}", pick(s));
            }
        }
        let _ = writeln!(out, "# HELP perfcycle_job_seconds Job run time by kind.");
        let _ = writeln!(out, "# TYPE perfcycle_job_seconds histogram");
        for (kind, s) in &jobs {
            write_histogram(
                &mut out,
                "perfcycle_job_seconds",
                &format!("kind=\"{kind}\""),
                &s.buckets,
                s.seconds,
            );
        }
        let emails = worker::job_stats::emails();
        let mut families = vec![(
            "perfcycle_emails_total",
            "E-mails this process handed to the mail server, by outcome: sent, retry (refused \
             for now, tried again later), failed (given up).",
            "counter",
            "outcome",
            vec![
                ("sent", emails.sent),
                ("retry", emails.retry),
                ("failed", emails.failed),
            ],
        )];
        if let Some(depth) = depth {
            families.push((
                "perfcycle_email_queue_depth",
                "E-mails in the outbox not yet sent, by status.",
                "gauge",
                "status",
                vec![("PENDING", depth.pending), ("SENDING", depth.sending)],
            ));
            families.push((
                "perfcycle_job_queue_depth",
                "Background jobs not finished, by status.",
                "gauge",
                "status",
                vec![
                    ("QUEUED", depth.jobs_queued),
                    ("RUNNING", depth.jobs_running),
                ],
            ));
        }
        for (metric, help, kind, label, values) in families {
            let _ = writeln!(out, "# HELP {metric} {help}");
            let _ = writeln!(out, "# TYPE {metric} {kind}");
            for (value, n) in values {
                let _ = writeln!(out, "{metric}{{{label}=\"{value}\"}} {n}");
            }
        }
        out
    }
}
