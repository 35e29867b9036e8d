//! SMTP client connections of our own, pooled. lettre speaks the protocol; we open the
//! sockets, because lettre's own leave Nagle's algorithm on: it writes a message's end-of-data
//! marker as a second small packet, which then waits for the server's delayed ACK of the body
//! (about 40 ms on Linux), capping each connection at ~25 messages a second. Our sockets set
//! `TCP_NODELAY`, so a connection carries as many messages as the server answers.
//!
//! The URL is read as lettre reads it: `smtp://host` (port 25, no TLS),
//! `smtp://host?tls=required` (STARTTLS, port 587, refused if the server does not offer it),
//! `smtp://host?tls=opportunistic` (STARTTLS when offered), `smtps://host` (TLS from the first
//! byte, port 465); `user:password@` for AUTH PLAIN/LOGIN, a path for the EHLO name.

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// How long opening a connection (TCP, TLS, greeting, EHLO, AUTH) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A pooled connection idle longer than this is closed instead of reused (servers may drop
/// idle clients after a few minutes; RFC 5321 asks them to wait at least five).
const IDLE_MAX: Duration = Duration::from_secs(60);
/// A pooled connection idle longer than this is checked with `NOOP` before it is reused.
const CHECK_AFTER: Duration = Duration::from_secs(5);

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain text.
    None,
    /// STARTTLS when the server offers it, plain text otherwise.
    Opportunistic,
    /// STARTTLS, refused when the server does not offer it.
    Required,
    /// TLS from the first byte (SMTPS).
    Implicit,
}

/// Where and how to connect.
#[derive(Clone)]
pub struct Server {
    /// Host name (also the name the TLS certificate must carry).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS mode.
    pub security: Security,
    /// AUTH credentials.
    credentials: Option<Credentials>,
    /// The EHLO name.
    hello: ClientId,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    /// The server's answer or the protocol failed.
    #[error(transparent)]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// The server could not be reached.
    #[error("cannot connect to {0}: {1}")]
    Connect(String, io::Error),
    /// TLS could not be set up.
    #[error("TLS with {0}: {1}")]
    Tls(String, String),
    /// The server did not answer in time.
    #[error("no answer from {0} within {1} s while connecting")]
    Timeout(String, u64),
}

impl SmtpError {
    /// Whether retrying cannot help (the server refused the message or the recipient for good).
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Smtp(e) if e.is_permanent())
    }
}

impl Server {
    /// Reads an `smtp://` or `smtps://` URL.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (security, port) = match (parsed.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::None, 25),
            ("smtp", Some("required")) => (Security::Required, 587),
            ("smtp", Some("opportunistic")) => (Security::Opportunistic, 587),
            ("smtps", None) => (Security::Implicit, 465),
            (scheme, None) => return Err(format!("unknown scheme {scheme:?}")),
            (_, Some(tls)) => {
                return Err(format!(
                    "tls={tls:?}: use tls=required or tls=opportunistic with smtp://, nothing with smtps://"
                ));
            }
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|e| format!("user name or password: {e}"))
        };
        let credentials = match (parsed.username(), parsed.password()) {
            ("", None) => None,
            (user, password) => Some(Credentials::new(
                decode(user)?,
                decode(password.unwrap_or_default())?,
            )),
        };
        let name = parsed.path().trim_matches('/');
        Ok(Self {
            port: parsed.port().unwrap_or(port),
            host,
            security,
            credentials,
            hello: if name.is_empty() {
                ClientId::default()
            } else {
                ClientId::Domain(name.to_owned())
            },
        })
    }

    fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    async fn tcp(&self) -> Result<TcpStream, SmtpError> {
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| SmtpError::Connect(self.address(), e))?;
        stream
            .set_nodelay(true)
            .map_err(|e| SmtpError::Connect(self.address(), e))?;
        Ok(stream)
    }

    async fn open(&self) -> Result<AsyncSmtpConnection, SmtpError> {
        let tcp = self.tcp().await?;
        let stream: Box<dyn AsyncTokioStream> = if self.security == Security::Implicit {
            Box::new(TlsTcp(self.handshake(tcp).await?))
        } else {
            Box::new(tcp)
        };
        let mut connection =
            AsyncSmtpConnection::connect_with_transport(stream, &self.hello).await?;
        let starttls = match self.security {
            Security::Required => true,
            Security::Opportunistic => connection.can_starttls(),
            Security::None | Security::Implicit => false,
        };
        if starttls {
            let parameters = TlsParameters::new(self.host.clone())?;
            connection.starttls(parameters, &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(connection)
    }

    async fn handshake(
        &self,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, SmtpError> {
        let tls_error = |e: String| SmtpError::Tls(self.address(), e);
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(self.host.clone())
            .map_err(|e| tls_error(e.to_string()))?;
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| tls_error(e.to_string()))
    }
}

/// A TLS stream lettre can talk through.
#[derive(Debug)]
struct TlsTcp(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncRead for TlsTcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsTcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for TlsTcp {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

/// Open connections to one server, reused across messages. Callers bound how many sends run
/// at once; the pool keeps at most `size` idle connections and closes the rest.
pub struct Pool {
    server: Server,
    size: usize,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl Pool {
    /// A pool for `server` keeping up to `size` connections.
    pub fn new(server: Server, size: usize) -> Self {
        Self {
            server,
            size,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// The server this pool sends to.
    pub fn server(&self) -> &Server {
        &self.server
    }

    fn take_idle(&self) -> Option<(AsyncSmtpConnection, Instant)> {
        self.idle.lock().ok()?.pop()
    }

    /// An open connection: an idle one if one is fresh enough (checked with `NOOP` when it
    /// has waited a while), else a new one.
    async fn connection(&self) -> Result<AsyncSmtpConnection, SmtpError> {
        while let Some((mut connection, since)) = self.take_idle() {
            let idle = since.elapsed();
            if idle > IDLE_MAX {
                connection.abort().await;
                continue;
            }
            if idle < CHECK_AFTER || connection.test_connected().await {
                return Ok(connection);
            }
            connection.abort().await;
        }
        tokio::time::timeout(CONNECT_TIMEOUT, self.server.open())
            .await
            .map_err(|_| SmtpError::Timeout(self.server.address(), CONNECT_TIMEOUT.as_secs()))?
    }

    fn give_back(&self, connection: AsyncSmtpConnection) -> Option<AsyncSmtpConnection> {
        if connection.has_broken() {
            return Some(connection);
        }
        match self.idle.lock() {
            Ok(mut idle) if idle.len() < self.size => {
                idle.push((connection, Instant::now()));
                None
            }
            _ => Some(connection),
        }
    }

    /// Sends one message; the connection goes back to the pool unless it broke.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SmtpError> {
        let mut connection = self.connection().await?;
        let result = connection.send(envelope, message).await;
        if let Some(mut surplus) = self.give_back(connection) {
            surplus.abort().await;
        }
        result.map(|_| ()).map_err(SmtpError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_read_as_lettre_reads_them() {
        let plain = Server::from_url("smtp://mail.example.com").unwrap();
        assert_eq!(
            (plain.port, plain.security, plain.host.as_str()),
            (25, Security::None, "mail.example.com")
        );
        assert!(plain.credentials.is_none());
        let required = Server::from_url("smtp://u%40x:p%3Aw@mx.example.com?tls=required").unwrap();
        assert_eq!(
            (required.port, required.security),
            (587, Security::Required)
        );
        assert!(required.credentials == Some(Credentials::new("u@x".into(), "p:w".into())));
        let opportunistic =
            Server::from_url("smtp://mx.example.com:2525/relay.example.com?tls=opportunistic")
                .unwrap();
        assert_eq!(
            (opportunistic.port, opportunistic.security),
            (2525, Security::Opportunistic)
        );
        assert_eq!(
            opportunistic.hello,
            ClientId::Domain("relay.example.com".into())
        );
        let implicit = Server::from_url("smtps://mx.example.com").unwrap();
        assert_eq!(
            (implicit.port, implicit.security),
            (465, Security::Implicit)
        );
        assert!(!format!("{required:?}").contains("p:w"));
    }

    #[test]
    fn refuses_urls_it_cannot_honour() {
        for (url, says) in [
            ("smtp://mx.example.com?tls=sometimes", "tls=\"sometimes\""),
            ("smtps://mx.example.com?tls=required", "tls=\"required\""),
            ("http://mx.example.com", "unknown scheme"),
            ("smtp://", "host"),
            ("not a url", "relative URL"),
        ] {
            let error = Server::from_url(url).unwrap_err();
            assert!(error.contains(says), "{url}: {error}");
        }
    }

    /// A server that greets and answers EHLO without offering STARTTLS, then closes.
    async fn plain_server() -> u16 {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 plain ESMTP\r\n").await;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let answer: &[u8] = if line.starts_with("EHLO") {
                            b"250-plain\r\n250 8BITMIME\r\n"
                        } else {
                            b"502 no\r\n"
                        };
                        if write.write_all(answer).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        port
    }

    #[tokio::test]
    async fn required_starttls_is_refused_by_a_server_without_it() {
        let port = plain_server().await;
        let server = Server::from_url(&format!("smtp://127.0.0.1:{port}?tls=required")).unwrap();
        let error = server.open().await.err().unwrap();
        assert!(error.to_string().contains("STARTTLS"), "{error}");
        // Opportunistic carries on in plain text.
        let server =
            Server::from_url(&format!("smtp://127.0.0.1:{port}?tls=opportunistic")).unwrap();
        server.open().await.unwrap();
    }

    #[tokio::test]
    async fn implicit_tls_fails_clearly_against_a_plain_server() {
        let port = plain_server().await;
        let server = Server::from_url(&format!("smtps://localhost:{port}")).unwrap();
        let error = tokio::time::timeout(Duration::from_secs(10), server.open())
            .await
            .unwrap()
            .err()
            .unwrap();
        assert!(matches!(error, SmtpError::Tls(..)), "{error}");
        assert!(!error.is_permanent());
    }

    #[tokio::test]
    async fn an_unreachable_server_is_a_connect_error() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let server = Server::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
        let error = server.open().await.err().unwrap();
        assert!(matches!(error, SmtpError::Connect(..)), "{error}");
        assert!(!error.is_permanent());
    }
}
