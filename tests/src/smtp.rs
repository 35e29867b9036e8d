//! A real SMTP server for tests: it speaks the protocol over TCP on a free port and keeps
//! every accepted message, so tests read back what a mail server would have received.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// Envelope sender.
    pub from: String,
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The message as transmitted (dot-stuffing undone).
    pub raw: String,
}

impl Received {
    /// The Message-ID header (perfcycle uses the outbox row's id).
    pub fn message_id(&self) -> String {
        self.parsed()
            .map(|m| {
                use mailparse::MailHeaderMap;
                m.headers.get_first_value("Message-ID").unwrap_or_default()
            })
            .unwrap_or_default()
    }

    /// The decoded subject.
    pub fn subject(&self) -> String {
        self.parsed()
            .map(|m| {
                use mailparse::MailHeaderMap;
                m.headers.get_first_value("Subject").unwrap_or_default()
            })
            .unwrap_or_default()
    }

    /// The decoded bodies of the parts with this MIME type.
    pub fn part(&self, mime: &str) -> Option<String> {
        let parsed = self.parsed()?;
        let mut stack = vec![parsed];
        while let Some(p) = stack.pop() {
            if p.ctype.mimetype == mime {
                return p.get_body().ok();
            }
            stack.extend(p.subparts);
        }
        None
    }

    fn parsed(&self) -> Option<mailparse::ParsedMail<'_>> {
        mailparse::parse_mail(self.raw.as_bytes()).ok()
    }
}

/// A running sink.
#[derive(Clone)]
pub struct SmtpSink {
    /// `smtp://127.0.0.1:PORT`.
    pub url: String,
    messages: Arc<Mutex<Vec<Received>>>,
}

/// How long the sink takes to accept each message (a slow server holds senders in flight).
#[derive(Clone, Copy, Default)]
pub struct Pace(pub std::time::Duration);

impl SmtpSink {
    /// Starts a sink on a free port.
    pub async fn start() -> Self {
        Self::start_paced(Pace::default()).await
    }

    /// Starts a sink that waits `pace` before accepting each message.
    pub async fn start_paced(pace: Pace) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the SMTP sink cannot listen");
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(socket, store, pace).await;
                });
            }
        });
        Self {
            url: format!("smtp://127.0.0.1:{port}"),
            messages,
        }
    }

    /// A mailer that delivers to this sink, with the sender and links the tests expect.
    pub fn mailer(&self) -> worker::mailer::Mailer {
        worker::mailer::Mailer::new(
            Some(&self.url),
            std::env::temp_dir(),
            "perfcycle <noreply@perfcycle.test>",
            "https://app.perfcycle.test",
        )
        .unwrap()
    }

    /// How many messages were accepted so far (without copying them).
    pub fn count(&self) -> usize {
        self.messages.lock().unwrap().len()
    }

    /// Everything accepted so far.
    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<Received>>>,
    pace: Pace,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write
        .write_all(b"220 perfcycle-test-sink ESMTP\r\n")
        .await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-perfcycle-test-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = line[10..]
                .trim()
                .trim_matches(|c| c == '<' || c == '>')
                .split('>')
                .next()
                .unwrap_or("")
                .to_owned();
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(
                line[8..]
                    .trim()
                    .trim_matches(|c| c == '<' || c == '>')
                    .to_owned(),
            );
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut raw = String::new();
            while let Some(l) = lines.next_line().await? {
                if l == "." {
                    break;
                }
                raw.push_str(
                    l.strip_prefix('.')
                        .filter(|_| l.starts_with(".."))
                        .unwrap_or(&l),
                );
                raw.push_str("\r\n");
            }
            if !pace.0.is_zero() {
                tokio::time::sleep(pace.0).await;
            }
            if let Ok(mut m) = store.lock() {
                m.push(Received {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    raw,
                });
            }
            b"250 OK queued\r\n"
        } else if upper.starts_with("RSET") {
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}
