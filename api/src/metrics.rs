//! Prometheus metrics, counted in-process and rendered as text at `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of one process.
#[derive(Default)]
pub struct Metrics {
    db_statements: AtomicU64,
    db_failures: AtomicU64,
    db_micros: AtomicU64,
    graphql: Mutex<BTreeMap<(&'static str, u16), u64>>,
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

    /// SQL statements so far.
    pub fn statements(&self) -> u64 {
        self.db_statements.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
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
        out
    }
}
