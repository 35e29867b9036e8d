//! `perfcycle` processes beside a test's app: the same database, secret and queue namespace
//! (so the same Redis queues and live-event channel).

use crate::TestApp;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `perfcycle` binary cargo built for this workspace's tests.
pub fn binary() -> std::path::PathBuf {
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

/// Starts `perfcycle <command>` on `app`'s database, secret, namespace and (when the suite
/// has one) Redis, with `extra` settings; its output is discarded.
pub fn start(app: &TestApp, command: &str, extra: &[(&str, &str)]) -> Child {
    start_logged(app, command, extra, None)
}

/// [`start`], with the process's log (its standard error) written to `log` when given.
pub fn start_logged(
    app: &TestApp,
    command: &str,
    extra: &[(&str, &str)],
    log: Option<&std::path::Path>,
) -> Child {
    let data_dir = std::env::temp_dir().join(format!("perfcycle-process-{}", uuid::Uuid::new_v4()));
    let mut cmd = Command::new(binary());
    cmd.arg(command)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.database_url)
        .env("PERFCYCLE_DATA_DIR", data_dir)
        .env("PERFCYCLE_QUEUE_NAMESPACE", &app.namespace)
        .env("PERFCYCLE_JWT_SECRET", &app.jwt_secret)
        .env("PERFCYCLE_SCAN_SCHEDULE", "0 0 0 1 1 * 2099")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // PERFCYCLE_TEST_PROCESS_LOGS=DIR keeps each process's log there, for a failing test.
    if let Ok(dir) = std::env::var("PERFCYCLE_TEST_PROCESS_LOGS")
        && let Ok(file) = std::fs::File::create(
            std::path::Path::new(&dir).join(format!("{command}-{}.log", uuid::Uuid::new_v4())),
        )
    {
        cmd.stderr(file);
    }
    if let Some(file) = log.and_then(|path| std::fs::File::create(path).ok()) {
        cmd.stderr(file);
    }
    if let Ok(redis) = std::env::var("TEST_REDIS_URL") {
        cmd.env("REDIS_URL", redis);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().expect("cannot start perfcycle")
}

/// Waits (up to 30 s) until the server at `address` answers `/healthz`.
pub async fn wait_healthy(address: &str) {
    let started = Instant::now();
    let client = reqwest::Client::new();
    loop {
        if let Ok(r) = client.get(format!("{address}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{address} did not start in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
