//! Sending outbox rows: SMTP with pooled connections in production, `.eml` files in the
//! embedded default. Whatever the transport, a row is claimed before it is sent and its
//! outcome recorded after.
//!
//! A send job works on a batch: one statement claims it, its messages go out several at a
//! time over the pooled connections ([`crate::smtp`]), the lease is renewed while they do,
//! and successes are recorded a group at a time. Sends in flight are capped at the pool's
//! size across the whole process, so every send finds a pooled connection once they are open.

use crate::smtp;
use crate::templates;
use domain::mail::Mail;
use domain::values::OutboxStatus;
use domain::{Ctx, DomainError, outbox};
use entity::email_outbox;
use futures_util::StreamExt;
use lettre::message::{Mailbox, MultiPart, header::MessageId};
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Semaphore;
use uuid::Uuid;

/// SMTP connections kept open, and messages in flight per process (32 stays under common
/// per-client limits of mail servers).
pub const CONNECTIONS: usize = 32;
/// Successful sends recorded in one statement (also the most a crash can repeat per batch).
const RECORD_EVERY: usize = 16;

/// Where e-mail goes.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server.
    Smtp(Arc<smtp::Pool>),
    /// `.eml` files in a folder.
    Files(PathBuf),
}

/// Renders and sends outbox rows.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    app_url: String,
    lease: chrono::Duration,
    in_flight: Arc<Semaphore>,
}

/// Why a mailer could not be built.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    /// The SMTP URL is unusable.
    #[error("SMTP_URL: {0}")]
    Smtp(String),
    /// The sender address is not an address.
    #[error("sender address: {0}")]
    From(String),
    /// The outbox folder cannot be created.
    #[error("cannot create {0}: {1}")]
    Folder(String, std::io::Error),
}

/// What one delivery pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Rows sent.
    pub sent: usize,
    /// Rows that failed and will be retried.
    pub retrying: usize,
    /// Rows given up.
    pub failed: usize,
}

impl Mailer {
    /// SMTP when `smtp_url` is set, else files under `outbox_dir`.
    pub fn new(
        smtp_url: Option<&str>,
        outbox_dir: PathBuf,
        from: &str,
        app_url: &str,
    ) -> Result<Self, MailerError> {
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(Arc::new(smtp::Pool::new(
                smtp::Server::from_url(url).map_err(MailerError::Smtp)?,
                CONNECTIONS,
            ))),
            None => {
                std::fs::create_dir_all(&outbox_dir)
                    .map_err(|e| MailerError::Folder(outbox_dir.display().to_string(), e))?;
                Transport::Files(outbox_dir)
            }
        };
        Ok(Self {
            transport,
            from: from
                .parse()
                .map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?,
            app_url: app_url.to_owned(),
            lease: outbox::LEASE,
            in_flight: Arc::new(Semaphore::new(CONNECTIONS)),
        })
    }

    /// How long a claimed row stays with this sender before another may take it.
    pub fn with_lease(mut self, lease: chrono::Duration) -> Self {
        self.lease = lease;
        self
    }

    fn message(&self, row: &email_outbox::Model) -> Result<Message, String> {
        let mail = Mail::from_stored(&row.template, &row.data)
            .map_err(|e| format!("cannot render {}: {e}", row.dedupe_key))?;
        let rendered = templates::render(&mail, &self.app_url);
        let to = Mailbox::new(
            Some(row.recipient_name.clone()),
            row.recipient_email
                .parse()
                .map_err(|e| format!("recipient {}: {e}", row.recipient_email))?,
        );
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .header(MessageId::from(format!("<{}@perfcycle>", row.id)))
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| e.to_string())
    }

    async fn transmit(&self, message: Message) -> Result<(), (String, bool)> {
        match &self.transport {
            Transport::Smtp(pool) => pool
                .send(message.envelope(), &message.formatted())
                .await
                .map_err(|e| (e.to_string(), e.is_permanent())),
            Transport::Files(dir) => AsyncFileTransport::<Tokio1Executor>::new(dir)
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| (e.to_string(), false)),
        }
    }

    /// How long one message may take: a third of the lease, the interval at which the lease
    /// is renewed, so a live sender's claim always has time left and is never taken over.
    fn renew_every(&self) -> std::time::Duration {
        (self.lease / 3)
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(15))
            .max(std::time::Duration::from_secs(1))
    }

    async fn send_row(&self, row: &email_outbox::Model) -> Result<(), (String, bool)> {
        let message = self.message(row).map_err(|e| (e, true))?;
        let limit = self.renew_every();
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|e| (e.to_string(), false))?;
        match tokio::time::timeout(limit, self.transmit(message)).await {
            Ok(r) => r,
            Err(_) => Err((
                format!(
                    "no answer from the mail server within {} s",
                    limit.as_secs()
                ),
                false,
            )),
        }
    }

    /// Sends those of `ids` this caller can claim (the "send e-mail" job): claims them in one
    /// statement, sends them several at a time while renewing the lease, and records each
    /// outcome only if its claim is still current. Rows another sender holds are skipped.
    pub async fn deliver_batch(&self, ctx: &Ctx, ids: &[Uuid]) -> Result<Delivery, DomainError> {
        let rows = outbox::claim_batch(&ctx.db, ids, ctx.clock.now(), self.lease).await?;
        let mut report = Delivery::default();
        if rows.is_empty() {
            return Ok(report);
        }
        let mut held: HashMap<Uuid, email_outbox::Model> =
            rows.iter().map(|r| (r.id, r.clone())).collect();
        let mut sent: Vec<email_outbox::Model> = Vec::new();
        // Different people's e-mail goes out at once; one person's goes out in the order it
        // was queued (a goal's agreement before its revision).
        let position: HashMap<Uuid, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut rows = rows;
        rows.sort_by_key(|r| position.get(&r.id).copied().unwrap_or(usize::MAX));
        let mut groups: Vec<Vec<email_outbox::Model>> = Vec::new();
        let mut group_of: HashMap<String, usize> = HashMap::new();
        for row in rows {
            let next = groups.len();
            let g = *group_of.entry(row.recipient_email.clone()).or_insert(next);
            if g == next {
                groups.push(Vec::new());
            }
            groups[g].push(row);
        }
        let mut sends = futures_util::stream::iter(groups)
            .map(|group| async move {
                let mut done = Vec::with_capacity(group.len());
                for row in group {
                    let result = self.send_row(&row).await;
                    done.push((row, result));
                }
                futures_util::stream::iter(done)
            })
            .buffer_unordered(CONNECTIONS)
            .flatten();
        let mut heartbeat = tokio::time::interval(self.renew_every());
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        heartbeat.tick().await;
        loop {
            tokio::select! {
                next = sends.next() => {
                    let Some((row, result)) = next else { break };
                    held.remove(&row.id);
                    match result {
                        Ok(()) => {
                            tracing::info!(email.id = %row.id, email.key = %row.dedupe_key, "e-mail sent");
                            crate::job_stats::record_email(|e| e.sent += 1);
                            sent.push(row);
                            if sent.len() >= RECORD_EVERY {
                                outbox::mark_sent_many(&ctx.db, &sent, ctx.clock.now()).await?;
                                report.sent += sent.len();
                                sent.clear();
                            }
                        }
                        Err((error, permanent)) => {
                            let status = outbox::mark_failed(&ctx.db, &row, &error, permanent, ctx.clock.now()).await?;
                            tracing::warn!(email.id = %row.id, email.key = %row.dedupe_key, attempts = row.attempts, %error, %status, "e-mail not sent");
                            if status == OutboxStatus::Failed {
                                report.failed += 1;
                                crate::job_stats::record_email(|e| e.failed += 1);
                            } else {
                                report.retrying += 1;
                                crate::job_stats::record_email(|e| e.retry += 1);
                            }
                        }
                    }
                }
                _ = heartbeat.tick() => {
                    outbox::renew(&ctx.db, held.values().chain(sent.iter()), ctx.clock.now(), self.lease).await?;
                }
            }
        }
        outbox::mark_sent_many(&ctx.db, &sent, ctx.clock.now()).await?;
        report.sent += sent.len();
        Ok(report)
    }

    /// Sends everything sendable now, a batch at a time.
    pub async fn deliver_pending(&self, ctx: &Ctx) -> Result<Delivery, DomainError> {
        let mut report = Delivery::default();
        loop {
            let ids = outbox::sendable(&ctx.db, ctx.clock.now(), 200).await?;
            if ids.is_empty() {
                return Ok(report);
            }
            let batch = self.deliver_batch(ctx, &ids).await?;
            report.sent += batch.sent;
            report.retrying += batch.retrying;
            report.failed += batch.failed;
            if batch.sent == 0 {
                return Ok(report);
            }
        }
    }
}
