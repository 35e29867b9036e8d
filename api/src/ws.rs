//! GraphQL subscriptions over WebSocket at `/graphql`: the `graphql-transport-ws` protocol and
//! the legacy `graphql-ws` (subscriptions-transport-ws) one, whichever the client offers.
//!
//! The bearer token travels in `connection_init` (`{"Authorization": "Bearer …"}`, or
//! `{"token": "…"}`); until it is accepted nothing runs. Close codes:
//! - `4403` the token is missing, invalid, expired or names no active employee;
//! - `4401` a subscription was sent before `connection_init` was accepted, or the token
//!   expired while the connection was open (it is closed then: reconnect with a fresh one);
//! - `4408` no `connection_init` within ten seconds;
//! - `4400` a frame that is not protocol text (binary, or larger than the request limit), a
//!   subscription beyond the request limits, or a query or mutation (those go over HTTP).
//!
//! While the connection is open its employee is looked up again every
//! `PERFCYCLE_WS_RECHECK_SECONDS` (a minute by default): one who has left, or whose tokens
//! were revoked after this one was issued, is closed with `4403`.

use crate::auth::{LEEWAY_SECONDS, TokenError, Verified};
use crate::graphql::{RequestAuth, RequestLoaders, limits};
use crate::http::{AppState, viewer_of};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use async_graphql::http::{WebSocket, WebSocketProtocols as Protocols, WsMessage};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{Data, Error};
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a connection may stay without an accepted `connection_init`.
const INIT_WITHIN: Duration = Duration::from_secs(10);

/// Close codes (the protocol's own, and ours in the 4400 range).
const BAD_FRAME: u16 = 4400;
const UNAUTHORIZED: u16 = 4401;
const FORBIDDEN: u16 = 4403;
const INIT_TIMEOUT: u16 = 4408;

/// Whether the request asks to become a WebSocket (the route guard for `/graphql`).
pub fn is_upgrade(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// What `connection_init` decided, shared with the connection's loop.
#[derive(Default)]
struct Init {
    /// Refused: the close code and reason.
    refused: Option<(u16, String)>,
    /// Accepted: when the token stops being valid.
    expires: Option<DateTime<Utc>>,
    /// Accepted: the token, its holder looked up again while the connection lasts.
    token: Option<Verified>,
}

/// GET /graphql with `Upgrade: websocket`.
pub async fn graphql_ws(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let offered = req
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(protocol) = offered
        .split(',')
        .find_map(|p| p.trim().parse::<Protocols>().ok())
    else {
        return Ok(HttpResponse::BadRequest().json(json!({ "errors": [{
            "message": "offer the graphql-transport-ws (or the legacy graphql-ws) subprotocol",
            "extensions": { "code": "BAD_REQUEST" } }] })));
    };
    let (response, session, messages) =
        actix_ws::handle_with_protocols(&req, body, &[protocol.sec_websocket_protocol()])?;
    let limit = state.config.max_body_bytes;
    let messages = messages
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    actix_web::rt::spawn(serve(state.into_inner(), protocol, session, messages));
    Ok(response)
}

/// Checks the token in `connection_init` and gives the connection its viewer and loaders.
async fn accept(
    state: Arc<AppState>,
    payload: Value,
    init: Arc<Mutex<Init>>,
) -> Result<Data, Error> {
    let decided = decide(&state, &payload).await;
    let mut shared = init.lock().map_err(|_| Error::new("internal error"))?;
    match decided {
        Ok((viewer, expires, token)) => {
            shared.expires = Some(expires);
            shared.token = Some(token);
            let mut data = Data::default();
            data.insert(RequestAuth::Viewer(Box::new(viewer)));
            data.insert(RequestLoaders::default());
            Ok(data)
        }
        Err((code, reason)) => {
            shared.refused = Some((code, reason.clone()));
            Err(Error::new(reason))
        }
    }
}

async fn decide(
    state: &AppState,
    payload: &Value,
) -> Result<(domain::Viewer, DateTime<Utc>, Verified), (u16, String)> {
    let field = |k: &str| payload.get(k).and_then(Value::as_str);
    let token = match (
        field("Authorization").or(field("authorization")),
        field("token"),
    ) {
        (Some(h), _) => h
            .strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| (FORBIDDEN, TokenError::Malformed.to_string()))?,
        (None, Some(t)) => t.trim(),
        (None, None) => {
            return Err((
                FORBIDDEN,
                "connection_init must carry the token: {\"Authorization\": \"Bearer <token>\"}"
                    .to_owned(),
            ));
        }
    };
    let verified = state
        .auth
        .verify(token)
        .map_err(|e| (FORBIDDEN, e.to_string()))?;
    let expires =
        DateTime::from_timestamp(verified.expires.saturating_add(LEEWAY_SECONDS as i64), 0)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
    match viewer_of(state, &verified).await {
        Ok(RequestAuth::Viewer(v)) => Ok((*v, expires, verified)),
        Ok(RequestAuth::Refused(why)) => Err((FORBIDDEN, why)),
        Ok(RequestAuth::Anonymous) => Err((FORBIDDEN, TokenError::Invalid.to_string())),
        Err(e) => {
            tracing::error!(error = %e, "websocket connection_init");
            Err((1011, "internal error".to_owned()))
        }
    }
}

fn reason(code: u16, text: impl Into<String>) -> Option<CloseReason> {
    Some(CloseReason {
        code: CloseCode::from(code),
        description: Some(text.into()),
    })
}

/// Reads the client's frames into `to_graphql` until the client goes: answers pings, and
/// refuses what is not a protocol message or a subscription within the request limits. Its
/// own task, so that a client sending faster than async-graphql reads waits on the channel
/// without stopping the connection's loop. Returns the close to send, if any.
async fn read(
    reader: Reader,
    mut session: Session,
    mut messages: actix_ws::AggregatedMessageStream,
    to_graphql: mpsc::Sender<String>,
) -> Option<CloseReason> {
    while let Some(frame) = messages.next().await {
        match frame {
            Ok(AggregatedMessage::Text(text)) => {
                let subscription = match admit(&reader.state, &text) {
                    Err(why) => return reason(BAD_FRAME, why),
                    Ok(subscription) => subscription,
                };
                if let Some(refusal) = subscription.and_then(|id| reader.over_limit(&id)) {
                    if session.text(refusal).await.is_err() {
                        return None;
                    }
                    continue;
                }
                if to_graphql.send(text.to_string()).await.is_err() {
                    return None;
                }
            }
            Ok(AggregatedMessage::Ping(bytes)) => {
                if session.pong(&bytes).await.is_err() {
                    return None;
                }
            }
            Ok(AggregatedMessage::Pong(_)) => {}
            Ok(AggregatedMessage::Binary(_)) => {
                return reason(BAD_FRAME, "binary frames are not part of the protocol");
            }
            Err(e) => return reason(BAD_FRAME, e.to_string()),
            Ok(AggregatedMessage::Close(_)) => return None,
        }
    }
    None
}

/// What the reading task needs besides the socket.
struct Reader {
    state: Arc<AppState>,
    protocol: Protocols,
    init: Arc<Mutex<Init>>,
}

impl Reader {
    /// When the connection's token has no request left in its bucket, the protocol's error
    /// message for subscription `id` (the subscription does not start; the connection stays).
    fn over_limit(&self, id: &Value) -> Option<String> {
        let token = self.init.lock().ok()?.token.clone()?;
        let wait = self.state.limits.take_for(&token).err()?;
        self.state
            .metrics
            .rate_limited(crate::ratelimit::Limit::User);
        let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let error = json!({
            "message": format!("too many requests from this token; try again in {seconds} s"),
            "extensions": { "code": "RATE_LIMITED", "retryAfterSeconds": seconds },
        });
        let payload = match self.protocol {
            Protocols::GraphQLWS => json!([error]),
            _ => error,
        };
        Some(json!({ "id": id, "type": "error", "payload": payload }).to_string())
    }
}

/// A client message the server will hand on: a subscription must be one, within the limits
/// HTTP requests have (checked before anything recursive reads it). Gives a subscription's
/// id.
fn admit(state: &AppState, text: &str) -> Result<Option<Value>, String> {
    let Ok(message) = serde_json::from_str::<Value>(text) else {
        return Err("messages are JSON objects".to_owned());
    };
    if !matches!(message["type"].as_str(), Some("subscribe" | "start")) {
        return Ok(None);
    }
    let payload = &message["payload"];
    let query = payload["query"].as_str().unwrap_or_default();
    let limits = crate::graphql::limits(&state.config);
    limits::check_text(query, &limits).map_err(|e| e.message)?;
    if let Some(v @ Value::Object(_)) = payload.get("variables") {
        limits::check_variables(v, &limits).map_err(|e| e.message)?;
    }
    if let Ok(doc) = async_graphql::parser::parse_query(query) {
        limits::check_document(&doc, &limits).map_err(|e| e.message)?;
        let subscriptions_only = match &doc.operations {
            DocumentOperations::Single(op) => op.node.ty == OperationType::Subscription,
            DocumentOperations::Multiple(ops) => ops
                .values()
                .all(|op| op.node.ty == OperationType::Subscription),
        };
        if !subscriptions_only {
            return Err(
                "only subscriptions go over the WebSocket; send queries and mutations over HTTP"
                    .to_owned(),
            );
        }
    }
    Ok(Some(message["id"].clone()))
}

/// One connection, until either side closes it.
async fn serve(
    state: Arc<AppState>,
    protocol: Protocols,
    mut session: Session,
    messages: actix_ws::AggregatedMessageStream,
) {
    let _open = state.metrics.websocket_opened();
    let (to_graphql, from_client) = mpsc::channel::<String>(16);
    let incoming = stream::unfold(from_client, |mut rx| async move {
        rx.recv().await.map(|m| (m, rx))
    });
    // The loop keeps a sender too: the client's side ends through the reader's result, never
    // by async-graphql seeing its input end first.
    let init = Arc::new(Mutex::new(Init::default()));
    let mut reader = actix_web::rt::spawn(read(
        Reader {
            state: state.clone(),
            protocol,
            init: init.clone(),
        },
        session.clone(),
        messages,
        to_graphql.clone(),
    ));
    let (st, shared) = (state.clone(), init.clone());
    let graphql = WebSocket::new(state.schema.clone(), incoming, protocol)
        .on_connection_init(move |payload| accept(st, payload, shared));
    let mut graphql = std::pin::pin!(graphql);
    let opened = tokio::time::Instant::now();
    let mut checked = opened;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let close = loop {
        tokio::select! {
            ended = &mut reader => break ended.unwrap_or(None),
            out = graphql.next() => match out {
                Some(WsMessage::Text(text)) => {
                    if session.text(text).await.is_err() {
                        break None;
                    }
                }
                Some(WsMessage::Close(code, text)) => break closing(&init, code, text),
                // The legacy protocol refuses with a message, then ends.
                None => break closing(&init, 1000, String::new()),
            },
            _ = tick.tick() => {
                let (refused, expires, token) = match init.lock() {
                    Ok(i) => (i.refused.is_some(), i.expires, i.token.clone()),
                    Err(_) => break reason(1011, "internal error"),
                };
                match expires {
                    Some(at) if at <= Utc::now() => {
                        break reason(UNAUTHORIZED, TokenError::Expired.to_string());
                    }
                    None if !refused && opened.elapsed() >= INIT_WITHIN => {
                        break reason(INIT_TIMEOUT, "Connection initialisation timeout");
                    }
                    _ => {}
                }
                if let Some(token) = token
                    && checked.elapsed() >= state.config.ws_recheck
                {
                    checked = tokio::time::Instant::now();
                    match viewer_of(&state, &token).await {
                        Ok(RequestAuth::Viewer(_)) | Err(_) => {}
                        Ok(RequestAuth::Refused(why)) => break reason(FORBIDDEN, why),
                        Ok(RequestAuth::Anonymous) => {
                            break reason(FORBIDDEN, TokenError::UnknownEmployee.to_string());
                        }
                    }
                }
            }
        }
    };
    reader.abort();
    drop(to_graphql);
    let _ = session.close(close).await;
}

/// The close to send when async-graphql ends the connection: a refused `connection_init`
/// gets our code, a subscription before it `4401`.
fn closing(init: &Mutex<Init>, code: u16, text: String) -> Option<CloseReason> {
    if let Some((code, why)) = init.lock().ok().and_then(|i| i.refused.clone()) {
        return reason(code, why);
    }
    match code {
        1011 if text.contains("handshake") => reason(UNAUTHORIZED, "Unauthorized"),
        1000 => reason(1000, "done"),
        _ => reason(code, text),
    }
}
