//! The live-event bus: how committed domain events reach GraphQL subscriptions.
//!
//! One interface, two transports. Embedded, events go straight to an in-process broadcast.
//! With Redis, every event is published on one pub/sub channel per deployment
//! (`{PERFCYCLE_QUEUE_NAMESPACE}:live-events`) and each API process forwards that channel into
//! its own broadcast, so an event relayed by a `perfcycle worker` or by any replica reaches the
//! subscribers of every replica.
//!
//! The relay ([`spawn_relay`]) runs in each process that can reach subscribers: it claims
//! committed, unrelayed events from `domain_event` and publishes them, marking them relayed
//! in the same transaction (a failed publish leaves them for the next round). A subscriber
//! that falls behind the broadcast, or whose process lost Redis for a while, receives
//! [`Live::Gap`]: it cannot know what it missed and refetches.

use domain::live::{LiveEvent, claim, pending};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Events the relay claims per transaction.
const CLAIM: u64 = 500;
/// How often the relay looks for new events when it found none.
const IDLE: Duration = Duration::from_millis(100);
/// The pause after a database or Redis error.
const BACKOFF: Duration = Duration::from_secs(1);

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum Live {
    /// A committed event.
    Event(Arc<LiveEvent>),
    /// Events may have been missed (the subscriber lagged, or Redis was away): refetch.
    Gap,
}

/// The bus of one process.
pub struct Bus {
    local: broadcast::Sender<Live>,
    redis: Option<RedisOut>,
}

struct RedisOut {
    client: redis::Client,
    /// Opened again after an error (a Redis restart drops it).
    conn: tokio::sync::Mutex<Option<redis::aio::MultiplexedConnection>>,
    channel: String,
}

/// The channel name for a deployment's queue namespace.
pub fn channel(namespace: &str) -> String {
    format!("{namespace}:live-events")
}

impl Bus {
    /// An in-process bus (the embedded mode) holding `buffer` events for a slow subscriber
    /// before telling it that it lagged.
    pub fn local(buffer: usize) -> Arc<Bus> {
        let (local, _) = broadcast::channel(buffer.max(1));
        Arc::new(Bus { local, redis: None })
    }

    /// A bus on Redis pub/sub. With `listen`, this process also forwards the channel to its
    /// own subscribers (an API process); without, it only publishes (a worker).
    pub async fn redis(
        client: &redis::Client,
        channel: String,
        listen: bool,
        buffer: usize,
    ) -> anyhow::Result<Arc<Bus>> {
        let conn = client.get_multiplexed_async_connection().await?;
        let (local, _) = broadcast::channel(buffer.max(1));
        if listen {
            tokio::spawn(forward(client.clone(), channel.clone(), local.clone()));
        }
        Ok(Arc::new(Bus {
            local,
            redis: Some(RedisOut {
                client: client.clone(),
                conn: tokio::sync::Mutex::new(Some(conn)),
                channel,
            }),
        }))
    }

    /// Receives every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Live> {
        self.local.subscribe()
    }

    /// Subscribers in this process now.
    pub fn subscribers(&self) -> usize {
        self.local.receiver_count()
    }

    /// Publishes `events` to every subscriber of the deployment.
    pub async fn publish(&self, events: &[LiveEvent]) -> anyhow::Result<()> {
        match &self.redis {
            None => {
                for e in events {
                    // No subscriber at the moment is not an error.
                    let _ = self.local.send(Live::Event(Arc::new(e.clone())));
                }
            }
            Some(out) => {
                let mut pipe = redis::pipe();
                for e in events {
                    pipe.publish(&out.channel, serde_json::to_string(e)?)
                        .ignore();
                }
                let mut held = out.conn.lock().await;
                let mut conn = match held.take() {
                    Some(c) => c,
                    None => out.client.get_multiplexed_async_connection().await?,
                };
                pipe.query_async::<()>(&mut conn).await?;
                // Kept only after it worked: an error drops it, and the next round reconnects.
                *held = Some(conn);
            }
        }
        Ok(())
    }
}

/// Forwards the Redis channel into the local broadcast for as long as the process runs,
/// reconnecting after a loss (and telling subscribers they may have missed something).
async fn forward(client: redis::Client, channel: String, local: broadcast::Sender<Live>) {
    let mut lost = false;
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    if lost {
                        let _ = local.send(Live::Gap);
                        tracing::info!(channel, "live events: Redis is back");
                    }
                    let mut messages = pubsub.into_on_message();
                    while let Some(message) = messages.next().await {
                        let Ok(text) = message.get_payload::<String>() else {
                            continue;
                        };
                        match serde_json::from_str::<LiveEvent>(&text) {
                            Ok(e) => {
                                let _ = local.send(Live::Event(Arc::new(e)));
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "live events: unreadable message")
                            }
                        }
                    }
                    tracing::warn!(channel, "live events: the Redis subscription ended");
                }
                Err(e) => tracing::warn!(error = %e, "live events: cannot subscribe"),
            },
            Err(e) => tracing::warn!(error = %e, "live events: cannot reach Redis"),
        }
        lost = true;
        let _ = local.send(Live::Gap);
        tokio::time::sleep(BACKOFF).await;
    }
}

/// Relays committed events to `bus` for as long as the process runs.
pub fn spawn_relay(ctx: domain::Ctx, bus: Arc<Bus>) {
    tokio::spawn(async move {
        loop {
            match relay_once(&ctx, &bus).await {
                Ok(n) if n as u64 == CLAIM => {}
                Ok(_) => tokio::time::sleep(IDLE).await,
                Err(e) => {
                    tracing::warn!(error = %e, "live events: relay failed; retrying");
                    tokio::time::sleep(BACKOFF).await;
                }
            }
        }
    });
}

/// One round of the relay: how many events it published.
pub async fn relay_once(ctx: &domain::Ctx, bus: &Bus) -> anyhow::Result<usize> {
    if !pending(&ctx.db).await? {
        return Ok(0);
    }
    let txn = domain::db::begin(&ctx.db).await?;
    let events = claim(&txn, ctx.clock.now(), CLAIM).await?;
    if events.is_empty() {
        txn.rollback().await?;
        return Ok(0);
    }
    bus.publish(&events).await?;
    txn.commit().await?;
    Ok(events.len())
}
