//! Starting the worker pool from the configuration: inside `perfcycle serve` when there is
//! no Redis, or as `perfcycle worker` processes on Redis.

use crate::config::Config;
use anyhow::Context as _;
use std::sync::Arc;
use std::time::Duration;
use worker::mailer::Mailer;
use worker::pool::{PoolSettings, Queue, Services};

/// The queue, the mailer and the pool's settings from `config`.
pub async fn services(
    config: &Config,
    ctx: domain::Ctx,
) -> anyhow::Result<(Arc<Services>, PoolSettings)> {
    let queue = match &config.redis_url {
        Some(url) => Queue::redis(url, &config.queue_namespace)
            .await
            .map_err(|e| anyhow::anyhow!("REDIS_URL: cannot open the job queue: {e}"))?,
        None => {
            let file = config.data_dir.join("queue.db");
            Queue::sqlite(&file).await.map_err(|e| {
                anyhow::anyhow!("cannot open the embedded job queue {}: {e}", file.display())
            })?
        }
    };
    let mailer = Mailer::new(
        config.smtp_url.as_deref(),
        config.data_dir.join("outbox"),
        &config.email_from,
        &config.app_url,
    )
    .context("e-mail")?
    .with_lease(chrono::Duration::seconds(config.email_lease_seconds));
    domain::reward::run::set_batch_size(config.reward_batch);
    let name = format!("{}-{}", hostname(), std::process::id());
    let services = Arc::new(Services {
        ctx,
        mailer,
        queue,
        reminder_time: config.reminder_time,
        name,
    });
    let settings = PoolSettings {
        scan_schedule: config.scan_schedule.clone(),
        dispatch_schedule: config.dispatch_schedule.clone(),
        job_schedule: config.job_schedule.clone(),
        concurrency: config.worker_concurrency,
        shutdown_timeout: Duration::from_secs(20),
    };
    Ok((services, settings))
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "perfcycle".to_owned())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

/// Runs the pool until a shutdown signal, then lets jobs in flight finish (up to the timeout).
pub async fn run_pool(services: Arc<Services>, settings: PoolSettings) -> anyhow::Result<()> {
    worker::pool::monitor(services, &settings)
        .run_with_signal(shutdown_signal())
        .await
        .map_err(|e| anyhow::anyhow!("worker pool: {e}"))
}
