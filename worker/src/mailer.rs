//! Sending outbox rows: SMTP with pooled connections in production, `.eml` files in the
//! embedded default. Whatever the transport, a row is claimed before it is sent and its
//! outcome recorded after.

use crate::templates;
use chrono::{DateTime, Utc};
use domain::mail::Mail;
use domain::values::OutboxStatus;
use domain::{Ctx, DomainError, outbox};
use entity::email_outbox;
use lettre::message::{Mailbox, MultiPart, header::MessageId};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use uuid::Uuid;

/// Where e-mail goes.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
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
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailerError::Smtp(e.to_string()))?
                    .pool_config(PoolConfig::new().max_size(8))
                    .build(),
            ),
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
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                let permanent = e.is_permanent();
                (e.to_string(), permanent)
            }),
            Transport::Files(dir) => AsyncFileTransport::<Tokio1Executor>::new(dir)
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| (e.to_string(), false)),
        }
    }

    /// Sends one row if this caller can claim it (the "send e-mail" job). Returns the row's
    /// status after this call's attempt, or `None` if another sender had it.
    pub async fn deliver(&self, ctx: &Ctx, id: Uuid) -> Result<Option<OutboxStatus>, DomainError> {
        let now: DateTime<Utc> = ctx.clock.now();
        let Some(row) = outbox::claim(&ctx.db, id, now, self.lease).await? else {
            return Ok(None);
        };
        // A send may not outlive its lease, or another sender could take the row over.
        let limit = (self.lease - chrono::Duration::seconds(30))
            .max(chrono::Duration::seconds(5))
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(30));
        let result = match self.message(&row) {
            Ok(m) => match tokio::time::timeout(limit, self.transmit(m)).await {
                Ok(r) => r,
                Err(_) => Err((
                    format!(
                        "no answer from the mail server within {} s",
                        limit.as_secs()
                    ),
                    false,
                )),
            },
            Err(e) => Err((e, true)),
        };
        match result {
            Ok(()) => {
                outbox::mark_sent(&ctx.db, &row, ctx.clock.now()).await?;
                tracing::info!(email.id = %row.id, email.key = %row.dedupe_key, "e-mail sent");
                Ok(Some(OutboxStatus::Sent))
            }
            Err((error, permanent)) => {
                let status =
                    outbox::mark_failed(&ctx.db, &row, &error, permanent, ctx.clock.now()).await?;
                tracing::warn!(email.id = %row.id, email.key = %row.dedupe_key, attempts = row.attempts, %error, %status, "e-mail not sent");
                Ok(Some(status))
            }
        }
    }

    /// Sends everything sendable now, a batch at a time.
    pub async fn deliver_pending(&self, ctx: &Ctx) -> Result<Delivery, DomainError> {
        let mut report = Delivery::default();
        loop {
            let ids = outbox::sendable(&ctx.db, ctx.clock.now(), 200).await?;
            if ids.is_empty() {
                return Ok(report);
            }
            let mut progressed = false;
            for id in ids {
                match self.deliver(ctx, id).await? {
                    Some(OutboxStatus::Sent) => {
                        report.sent += 1;
                        progressed = true;
                    }
                    Some(OutboxStatus::Failed) => report.failed += 1,
                    Some(_) => report.retrying += 1,
                    None => {}
                }
            }
            if !progressed {
                return Ok(report);
            }
        }
    }
}
