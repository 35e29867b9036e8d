//! A GraphQL-over-WebSocket client for the tests, speaking `graphql-transport-ws` or the
//! legacy `graphql-ws`.

use crate::TestApp;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The current protocol.
pub const TRANSPORT_WS: &str = "graphql-transport-ws";
/// The legacy (subscriptions-transport-ws) protocol.
pub const LEGACY_WS: &str = "graphql-ws";

/// What the server sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A protocol message.
    Message(Value),
    /// The server closed the connection with this code and reason.
    Closed(u16, String),
}

/// One connection.
pub struct Ws {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The protocol it speaks.
    pub protocol: &'static str,
}

/// How long a test waits for one message before failing.
const WAIT: Duration = Duration::from_secs(20);

impl TestApp {
    /// Opens a WebSocket to `/graphql` offering `protocol`.
    pub async fn ws(&self, protocol: &'static str) -> Ws {
        ws_to(&self.address, protocol).await
    }

    /// Waits (up to 20 s) until the server holds `n` subscriptions (its metric says so):
    /// from then on every event reaches them.
    pub async fn wait_subscriptions(&self, n: usize) {
        let started = std::time::Instant::now();
        loop {
            let open = self.metric("perfcycle_live_subscriptions").await as usize;
            if open >= n {
                return;
            }
            assert!(
                started.elapsed() < WAIT,
                "{open} subscriptions open after {WAIT:?}, not {n}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Opens a WebSocket to `address` (`http://host:port`) `/graphql` offering `protocol`.
pub async fn ws_to(address: &str, protocol: &'static str) -> Ws {
    let url = format!("{}/graphql", address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the WebSocket handshake failed");
    Ws { socket, protocol }
}

impl Ws {
    /// Sends a protocol message.
    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("cannot send");
    }

    /// Sends a text frame as it is.
    pub async fn send_raw(&mut self, text: &str) {
        self.socket
            .send(Message::Text(text.to_owned().into()))
            .await
            .expect("cannot send");
    }

    /// The next message or close, skipping keep-alives; fails the test after 20 s.
    pub async fn recv(&mut self) -> Incoming {
        self.recv_within(WAIT)
            .await
            .unwrap_or_else(|| panic!("nothing from the server in {WAIT:?}"))
    }

    /// As [`Ws::recv`], `None` when nothing came within `wait`.
    pub async fn recv_within(&mut self, wait: Duration) -> Option<Incoming> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?;
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).expect("a JSON message");
                    if value["type"] == "ka" || value["type"] == "ping" || value["type"] == "pong" {
                        continue;
                    }
                    return Some(Incoming::Message(value));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Some(match frame {
                        Some(f) => Incoming::Closed(f.code.into(), f.reason.to_string()),
                        None => Incoming::Closed(1005, String::new()),
                    });
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Some(Incoming::Closed(1006, e.to_string())),
                None => return Some(Incoming::Closed(1006, "ended".into())),
            }
        }
    }

    /// Sends `connection_init` with `payload`.
    pub async fn init_with(&mut self, payload: Value) {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
    }

    /// Authenticates with `token` and expects the acknowledgement.
    pub async fn init(&mut self, token: &str) {
        self.init_with(json!({ "Authorization": format!("Bearer {token}") }))
            .await;
        match self.recv().await {
            Incoming::Message(m) if m["type"] == "connection_ack" => {}
            other => panic!("expected connection_ack, got {other:?}"),
        }
    }

    /// Starts subscription `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = if self.protocol == TRANSPORT_WS {
            "subscribe"
        } else {
            "start"
        };
        self.send(json!({ "type": kind, "id": id,
                          "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next payload for subscription `id`: its `data` (`Ok`), or its errors (`Err`).
    /// Fails the test on anything else (a close, a completion).
    pub async fn next(&mut self, id: &str) -> Result<Value, Value> {
        loop {
            match self.recv().await {
                Incoming::Message(m) if m["id"] == id => match m["type"].as_str() {
                    Some("next" | "data") => {
                        let payload = &m["payload"];
                        return match payload.get("errors") {
                            Some(errors) => Err(errors.clone()),
                            None => Ok(payload["data"].clone()),
                        };
                    }
                    Some("error") => return Err(m["payload"].clone()),
                    _ => panic!("subscription {id} ended: {m}"),
                },
                Incoming::Message(_) => continue,
                closed => panic!("the connection closed: {closed:?}"),
            }
        }
    }

    /// Waits for subscription `id` to complete, failing on data.
    pub async fn completed(&mut self, id: &str) {
        match self.recv().await {
            Incoming::Message(m) if m["id"] == id && m["type"] == "complete" => {}
            other => panic!("expected {id} to complete, got {other:?}"),
        }
    }

    /// Waits for the server to close the connection; its code and reason.
    pub async fn closed(&mut self) -> (u16, String) {
        loop {
            match self.recv().await {
                Incoming::Closed(code, reason) => return (code, reason),
                Incoming::Message(_) => continue,
            }
        }
    }

    /// Asserts nothing arrives for `wait`.
    pub async fn quiet_for(&mut self, wait: Duration) {
        if let Some(got) = self.recv_within(wait).await {
            panic!("expected nothing, got {got:?}");
        }
    }
}
