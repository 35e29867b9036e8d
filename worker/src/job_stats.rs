//! What the job handlers did, per kind of job, for `/metrics`; and the guard every handler
//! runs in, which times the job and turns a panic into a failure of that job alone.
//!
//! The counts are per process, like every Prometheus counter: a `perfcycle worker` and the
//! embedded workers of `perfcycle serve` each count their own jobs.

use futures_util::FutureExt;
use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds (seconds) of the latency histogram's buckets.
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Counts of one kind of job.
#[derive(Clone, Debug, Default)]
pub struct KindStats {
    /// Jobs that finished, whatever the outcome.
    pub runs: u64,
    /// Jobs that returned an error or panicked.
    pub failures: u64,
    /// Of the failures, the panics.
    pub panics: u64,
    /// Jobs per latency bucket (not cumulative); the last slot is above every bound.
    pub buckets: [u64; BUCKETS.len() + 1],
    /// Total run time.
    pub seconds: f64,
}

static STATS: Mutex<BTreeMap<&'static str, KindStats>> = Mutex::new(BTreeMap::new());

/// What the mail server answered this process, by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmailStats {
    /// Accepted.
    pub sent: u64,
    /// Refused for now: the row goes back to the outbox and is tried again later.
    pub retry: u64,
    /// Refused for good, or too many attempts: the row is FAILED.
    pub failed: u64,
}

static EMAILS: Mutex<EmailStats> = Mutex::new(EmailStats {
    sent: 0,
    retry: 0,
    failed: 0,
});

/// Counts one e-mail's outcome.
pub fn record_email(outcome: impl FnOnce(&mut EmailStats)) {
    outcome(&mut EMAILS.lock().unwrap_or_else(|e| e.into_inner()));
}

/// The e-mail counts so far.
pub fn emails() -> EmailStats {
    *EMAILS.lock().unwrap_or_else(|e| e.into_inner())
}

fn record(kind: &'static str, elapsed: Duration, failed: bool, panicked: bool) {
    let mut stats = STATS.lock().unwrap_or_else(|e| e.into_inner());
    let s = stats.entry(kind).or_default();
    let secs = elapsed.as_secs_f64();
    s.runs += 1;
    s.failures += u64::from(failed || panicked);
    s.panics += u64::from(panicked);
    s.seconds += secs;
    let slot = BUCKETS
        .iter()
        .position(|b| secs <= *b)
        .unwrap_or(BUCKETS.len());
    s.buckets[slot] += 1;
}

/// The counts so far, by kind.
pub fn snapshot() -> BTreeMap<&'static str, KindStats> {
    STATS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// A job handler panicked.
#[derive(Debug, thiserror::Error)]
#[error("the {kind} job panicked: {message}")]
pub struct Panicked {
    /// The kind of job.
    pub kind: &'static str,
    /// The panic's text.
    pub message: String,
}

/// Runs one job: times it, counts its outcome under `kind`, and fails it (logged) instead
/// of unwinding into the worker if it panics.
pub async fn guard<T, E>(
    kind: &'static str,
    job: impl Future<Output = Result<T, E>>,
) -> Result<T, E>
where
    E: From<Panicked>,
{
    let started = Instant::now();
    let outcome = AssertUnwindSafe(job).catch_unwind().await;
    let elapsed = started.elapsed();
    match outcome {
        Ok(result) => {
            record(kind, elapsed, result.is_err(), false);
            result
        }
        Err(panic) => {
            record(kind, elapsed, true, true);
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned());
            tracing::error!(job.kind = kind, panic = %message, "job panicked");
            Err(Panicked { kind, message }.into())
        }
    }
}

impl From<Panicked> for crate::pool::JobError {
    fn from(p: Panicked) -> Self {
        crate::pool::JobError::Transient(p.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_is_counted() {
        let failed: Result<(), Box<dyn std::error::Error + Send + Sync>> =
            guard("test_panics", async {
                let empty: Vec<u8> = Vec::new();
                let _ = empty[usize::from(empty.is_empty())];
                Ok(())
            })
            .await;
        let err = failed.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("test_panics job panicked"), "{err}");
        let ok: Result<u8, Box<dyn std::error::Error + Send + Sync>> =
            guard("test_panics", async { Ok(3) }).await;
        assert_eq!(ok.ok(), Some(3));
        let stats = snapshot().remove("test_panics").unwrap_or_default();
        assert_eq!((stats.runs, stats.failures, stats.panics), (2, 1, 1));
        assert_eq!(stats.buckets.iter().sum::<u64>(), 2);
    }
}
