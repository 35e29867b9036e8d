//! HTTP endpoints. `/graphql` follows the GraphQL-over-HTTP specification: it negotiates
//! `application/graphql-response+json` against `application/json`, answers request errors
//! (bad JSON, parse and validation failures) with 400 under the former, and runs only
//! queries over GET. A request is one JSON object (no batches); its nesting, aliases, root
//! fields and directives are bounded (`graphql::limits`) before async-graphql parses it.

use crate::auth::{Auth, Subject, TokenError, Verified};
use crate::config::Config;
use crate::graphql::errors::code;
use crate::graphql::limits::{self, Exceeded};
use crate::graphql::{AppSchema, RequestAuth, RequestLoaders};
use crate::metrics::{Metrics, QueueDepth};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{self, BytesMut};
use actix_web::{HttpRequest, HttpResponse};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Request, Variables};
use futures_util::{FutureExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tracing::Instrument;

/// Everything a handler needs, shared by all workers.
pub struct AppState {
    /// The schema, built once.
    pub schema: AppSchema,
    /// Database and clock.
    pub ctx: domain::Ctx,
    /// Token checks.
    pub auth: Auth,
    /// Redis, when configured.
    pub redis: Option<redis::Client>,
    /// Settings.
    pub config: Arc<Config>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// The live-event bus (its subscriber count is a metric).
    pub bus: Arc<crate::live::Bus>,
    /// This process's rate-limit buckets.
    pub limits: Arc<crate::ratelimit::RateLimits>,
    /// The last readiness check, reused for a second.
    pub readiness: Arc<Readiness>,
}

/// `/readyz` is exempt from rate limits (probes must get through), so its checks are shared:
/// a check runs at most once a second per process, and callers meanwhile get its answer.
#[derive(Default)]
pub struct Readiness {
    last: tokio::sync::Mutex<Option<(std::time::Instant, bool, Value)>>,
}

/// How long one readiness answer is reused.
const READINESS_FRESH: std::time::Duration = std::time::Duration::from_secs(1);
/// How long each dependency may take to answer a readiness check.
const READINESS_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response type from `Accept`; `None` means nothing we can produce.
fn negotiate(req: &HttpRequest) -> Option<Media> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Some(Media::Json);
    };
    let mut best: Option<(f32, Media)> = None;
    for entry in accept.split(',') {
        let mut parts = entry.split(';');
        let media = parts.next().unwrap_or("").trim().to_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let candidate = match media.as_str() {
            GRAPHQL_RESPONSE => Media::GraphqlResponse,
            JSON | "application/*" | "*/*" => Media::Json,
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((bq, bm)) => {
                q > bq || (q == bq && candidate == Media::GraphqlResponse && bm == Media::Json)
            }
        };
        if better {
            best = Some((q, candidate));
        }
    }
    best.map(|(_, m)| m)
}

fn error_body(message: &str, code: &str) -> Value {
    json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
}

fn respond(status: StatusCode, media: Media, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .body(body.to_string())
}

/// The request parameters, from a JSON body or a query string.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

/// POST /graphql.
pub async fn graphql_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> HttpResponse {
    let Some(media) = negotiate(&req) else {
        return not_acceptable(&state, "POST");
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_lowercase());
    if content_type.as_deref() != Some(JSON) {
        state.metrics.graphql_request("POST", 415);
        return respond(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            &error_body(
                "send the request as Content-Type: application/json",
                code::BAD_REQUEST,
            ),
        );
    }
    let limit = state.config.max_body_bytes;
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return bad_request(&state, media, "POST", "the request body could not be read");
        };
        if body.len() + chunk.len() > limit {
            state.metrics.graphql_request("POST", 413);
            return respond(
                StatusCode::PAYLOAD_TOO_LARGE,
                media,
                &error_body(
                    &format!("the request body exceeds {limit} bytes"),
                    code::BAD_REQUEST,
                ),
            );
        }
        body.extend_from_slice(&chunk);
    }
    // serde would read a JSON array into the struct field by field: refuse it first.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return bad_request(
            &state,
            media,
            "POST",
            "the body must be one GraphQL request as a JSON object; batches are not supported",
        );
    }
    // serde_json's recursion limit (128) is in effect here and bounds the variables' depth
    // while they are read; `limits::check_variables` then applies the configured bound.
    let params: Params = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            return bad_request(
                &state,
                media,
                "POST",
                &format!("the body is not a valid GraphQL request: {e}"),
            );
        }
    };
    let checked = match check(&state, media, "POST", params) {
        Ok(c) => c,
        Err(refused) => return *refused,
    };
    execute(&state, &req, media, "POST", checked).await
}

/// GET /graphql: GraphiQL for a browser without a query, else a query (never a mutation).
pub async fn graphql_get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let raw: Vec<(String, String)> = match serde_urlencoded::from_str(req.query_string()) {
        Ok(r) => r,
        Err(_) => return bad_request(&state, Media::Json, "GET", "the query string is malformed"),
    };
    let get = |k: &str| raw.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    if get("query").is_none() {
        let wants_html = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
        if wants_html && state.config.graphiql {
            let page = async_graphql::http::GraphiQLSource::build()
                .endpoint("/graphql")
                .title("perfcycle GraphiQL")
                .finish();
            return HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(page);
        }
    }
    let Some(media) = negotiate(&req) else {
        return not_acceptable(&state, "GET");
    };
    let variables = match get("variables").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match serde_json::from_str(&v) {
            Ok(v) => Some(v),
            Err(_) => {
                return bad_request(&state, media, "GET", "the variables parameter is not JSON");
            }
        },
    };
    let extensions = match get("extensions").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match serde_json::from_str(&v) {
            Ok(v) => Some(v),
            Err(_) => {
                return bad_request(&state, media, "GET", "the extensions parameter is not JSON");
            }
        },
    };
    let params = Params {
        query: get("query"),
        operation_name: get("operationName").filter(|o| !o.is_empty()),
        variables,
        extensions,
    };
    let checked = match check(&state, media, "GET", params) {
        Ok(c) => c,
        Err(refused) => return *refused,
    };
    if let Some(doc) = &checked.document {
        let kind = match &doc.operations {
            DocumentOperations::Single(op) => Some(op.node.ty),
            DocumentOperations::Multiple(ops) => match checked.operation_name.as_deref() {
                Some(name) => ops
                    .iter()
                    .find(|(n, _)| n.as_str() == name)
                    .map(|(_, op)| op.node.ty),
                // One named operation runs without operationName: it is the one selected.
                None if ops.len() == 1 => ops.values().next().map(|op| op.node.ty),
                None => None,
            },
        };
        if kind == Some(OperationType::Mutation) || kind == Some(OperationType::Subscription) {
            state.metrics.graphql_request("GET", 405);
            return HttpResponse::MethodNotAllowed()
                .insert_header((header::ALLOW, HeaderValue::from_static("POST")))
                .insert_header((header::CONTENT_TYPE, media.content_type()))
                .body(
                    error_body(
                        "only queries may be sent with GET; use POST",
                        code::BAD_REQUEST,
                    )
                    .to_string(),
                );
        }
    }
    execute(&state, &req, media, "GET", checked).await
}

fn bad_request(
    state: &AppState,
    media: Media,
    method: &'static str,
    message: &str,
) -> HttpResponse {
    state.metrics.graphql_request(method, 400);
    respond(
        StatusCode::BAD_REQUEST,
        media,
        &error_body(message, code::BAD_REQUEST),
    )
}

fn not_acceptable(state: &AppState, method: &'static str) -> HttpResponse {
    state.metrics.graphql_request(method, 406);
    respond(
        StatusCode::NOT_ACCEPTABLE,
        Media::Json,
        &error_body(
            &format!("accept {GRAPHQL_RESPONSE} or {JSON}"),
            code::BAD_REQUEST,
        ),
    )
}

pub(crate) async fn authenticate(
    state: &AppState,
    req: &HttpRequest,
) -> Result<RequestAuth, domain::DomainError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(RequestAuth::Anonymous);
    };
    let verified = match value
        .to_str()
        .map_err(|_| TokenError::Malformed)
        .and_then(|h| state.auth.verify_header(h))
    {
        Ok(v) => v,
        Err(e) => return Ok(RequestAuth::Refused(e.to_string())),
    };
    viewer_of(state, &verified).await
}

/// The active employee a verified token names, or why there is none (they left, or their
/// tokens were revoked after this one was issued).
pub(crate) async fn viewer_of(
    state: &AppState,
    token: &Verified,
) -> Result<RequestAuth, domain::DomainError> {
    let found = match &token.subject {
        Subject::Employee(id) => domain::employees::authenticate_by_id(&state.ctx.db, *id).await,
        Subject::Email(email) => {
            domain::employees::authenticate_by_email(&state.ctx.db, email).await
        }
    };
    match found {
        Ok(v) if domain::tokens::revoked(&v.employee, token.issued_at) => {
            Ok(RequestAuth::Refused(TokenError::Revoked.to_string()))
        }
        Ok(v) => {
            crate::request_id::record_user(v.id());
            Ok(RequestAuth::Viewer(Box::new(v)))
        }
        Err(domain::DomainError::Unauthenticated) => Ok(RequestAuth::Refused(
            TokenError::UnknownEmployee.to_string(),
        )),
        Err(e) => Err(e),
    }
}

/// A request that passed the checks made before async-graphql sees it.
struct Checked {
    query: String,
    operation_name: Option<String>,
    variables: Variables,
    /// The parsed document, unless it does not parse (async-graphql then reports why).
    document: Option<ExecutableDocument>,
    /// The operation's name for metrics: a bounded label.
    label: String,
}

/// The label of the operation a request selects; unnamed operations and names the
/// document does not define share one.
fn operation_label(doc: &ExecutableDocument, operation_name: Option<&str>) -> String {
    let name = match (&doc.operations, operation_name) {
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.keys().find(|n| n.as_str() == name).map(|n| n.as_str())
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.keys().next().map(|n| n.as_str())
        }
        _ => None,
    };
    name.unwrap_or(crate::metrics::UNNAMED).to_owned()
}

/// Checks the request's shape and bounds before anything recursive reads it.
fn check(
    state: &AppState,
    media: Media,
    method: &'static str,
    params: Params,
) -> Result<Checked, Box<HttpResponse>> {
    let Some(query) = params.query.filter(|q| !q.trim().is_empty()) else {
        return Err(Box::new(bad_request(
            state,
            media,
            method,
            "the request has no query",
        )));
    };
    if !matches!(
        params.extensions,
        None | Some(Value::Null) | Some(Value::Object(_))
    ) {
        return Err(Box::new(bad_request(
            state,
            media,
            method,
            "extensions must be a JSON object",
        )));
    }
    let limits = crate::graphql::limits(&state.config);
    let refuse = |e: Exceeded| {
        state.metrics.graphql_request(method, 400);
        let error = if e.is_cycle() {
            json!({ "message": e.message, "extensions": { "code": code::VALIDATION_FAILED } })
        } else {
            json!({ "message": e.message, "extensions": {
                "code": code::LIMIT_EXCEEDED, "setting": e.setting } })
        };
        Box::new(respond(
            StatusCode::BAD_REQUEST,
            media,
            &json!({ "errors": [error] }),
        ))
    };
    limits::check_text(&query, &limits).map_err(refuse)?;
    let variables = match params.variables {
        None | Some(Value::Null) => Variables::default(),
        Some(v @ Value::Object(_)) => {
            limits::check_variables(&v, &limits).map_err(refuse)?;
            Variables::from_json(v)
        }
        Some(_) => {
            return Err(Box::new(bad_request(
                state,
                media,
                method,
                "variables must be a JSON object",
            )));
        }
    };
    let document = async_graphql::parser::parse_query(&query).ok();
    if let Some(doc) = &document {
        limits::check_document(doc, &limits).map_err(refuse)?;
    }
    let label = match &document {
        Some(doc) => operation_label(doc, params.operation_name.as_deref()),
        None => crate::metrics::UNNAMED.to_owned(),
    };
    crate::request_id::record_operation(&label);
    Ok(Checked {
        query,
        operation_name: params.operation_name,
        variables,
        document,
        label,
    })
}

async fn execute(
    state: &AppState,
    req: &HttpRequest,
    media: Media,
    method: &'static str,
    checked: Checked,
) -> HttpResponse {
    let started = std::time::Instant::now();
    let Checked {
        query,
        operation_name,
        variables,
        document,
        label,
    } = checked;
    let auth = match authenticate(state, req).await {
        Ok(a) => a,
        Err(e) => {
            let err = crate::graphql::errors::internal_error(&e);
            state.metrics.graphql_request(method, 500);
            return respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                &json!({ "errors": [err.into_server_error(async_graphql::Pos::default())] }),
            );
        }
    };
    let mut request = Request::new(query)
        .variables(variables)
        .data(auth)
        .data(RequestLoaders::default());
    // Kept to put the response's fields back in the query's order.
    let shape = document.clone();
    if let Some(doc) = document {
        request.set_parsed_query(doc);
    }
    if let Some(op) = operation_name.clone() {
        request = request.operation_name(op);
    }
    let span = tracing::info_span!("graphql", method, operation = %label);
    // Resolvers' panics are caught field by field (`errors::TagErrors`); this catches one
    // raised anywhere else in execution, so that no request takes its worker thread down.
    let executed = AssertUnwindSafe(state.schema.execute(request).instrument(span))
        .catch_unwind()
        .await;
    state.metrics.operation(&label, started.elapsed());
    let mut response = match executed {
        Ok(response) => response,
        Err(panic) => {
            let err = crate::graphql::errors::internal(&format_args!(
                "panic: {}",
                crate::graphql::errors::panic_message(&*panic)
            ));
            state.metrics.graphql_request(method, 500);
            return respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                &json!({ "errors": [err.into_server_error(async_graphql::Pos::default())] }),
            );
        }
    };
    if let Some(doc) = &shape {
        crate::graphql::order::reorder(&mut response.data, doc, operation_name.as_deref());
    }
    // Errors raised before execution (parse, validation, variables, operation selection)
    // leave no data and point at no field.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
        && response.errors.iter().all(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_none_or(|c| {
                    *c != async_graphql::Value::from(code::UNAUTHENTICATED)
                        && *c != async_graphql::Value::from(code::INTERNAL)
                })
        });
    let status = if media == Media::GraphqlResponse && request_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    state.metrics.graphql_request(method, status.as_u16());
    // A request that failed before execution has no `data` entry at all (GraphQL spec,
    // "Response Format"), under either media type.
    let body = if request_error {
        serde_json::to_string(&json!({ "errors": response.errors }))
    } else {
        serde_json::to_string(&response)
    };
    match body {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, media.content_type()))
            .body(body),
        Err(e) => {
            let _ = crate::graphql::errors::internal_error(&e);
            respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                &error_body("internal error", code::INTERNAL),
            )
        }
    }
}

/// GET /healthz: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// GET /readyz: the database (and Redis, when configured) answer.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let mut last = state.readiness.last.lock().await;
    let (ready, body) = match &*last {
        Some((at, ready, body)) if at.elapsed() < READINESS_FRESH => (*ready, body.clone()),
        _ => {
            let (ready, body) = check_readiness(&state).await;
            *last = Some((std::time::Instant::now(), ready, body.clone()));
            (ready, body)
        }
    };
    drop(last);
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Whether the database and Redis answer, each within [`READINESS_WAIT`], and the body that
/// says which does not.
async fn check_readiness(state: &AppState) -> (bool, Value) {
    let database = matches!(
        tokio::time::timeout(READINESS_WAIT, state.ctx.db.ping()).await,
        Ok(Ok(()))
    );
    let redis = match &state.redis {
        None => None,
        Some(client) => Some(redis_ping(client).await),
    };
    let ready = database && redis.unwrap_or(true);
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": if database { "ok" } else { "unreachable" },
        "redis": redis.map(|ok| if ok { "ok" } else { "unreachable" }).unwrap_or("not configured"),
    });
    (ready, body)
}

/// Whether Redis answers PING within two seconds.
pub async fn redis_ping(client: &redis::Client) -> bool {
    let attempt = async {
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    matches!(
        tokio::time::timeout(READINESS_WAIT, attempt).await,
        Ok(Ok(_))
    )
}

/// GET /metrics: Prometheus text. The e-mail queue's depth is the outbox's unsent rows, the
/// job queue's the background jobs not finished, both counted at scrape time (a scrape does
/// not fail when the database does not answer).
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let depth = queue_depth(&state.ctx.db).await;
    let mut body = state.metrics.render(depth);
    body.push_str(&state.metrics.render_gauges(crate::db::pool_usage(
        &state.ctx.db,
        state.config.db_max_connections,
    )));
    body.push_str(&format!(
        "# HELP perfcycle_live_subscriptions Open GraphQL subscriptions on this server.\n\
         # TYPE perfcycle_live_subscriptions gauge\n\
         perfcycle_live_subscriptions {}\n",
        state.bus.subscribers()
    ));
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}

async fn queue_depth(db: &sea_orm::DatabaseConnection) -> Option<QueueDepth> {
    use entity::background_job;
    use entity::email_outbox::{Column, Entity};
    use entity::values::{JobStatus, OutboxStatus};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let count = |status: OutboxStatus| Entity::find().filter(Column::Status.eq(status)).count(db);
    let pending = count(OutboxStatus::Pending).await.ok()?;
    let sending = count(OutboxStatus::Sending).await.ok()?;
    let jobs = |status: JobStatus| {
        background_job::Entity::find()
            .filter(background_job::Column::Status.eq(status))
            .count(db)
    };
    let jobs_queued = jobs(JobStatus::Queued).await.ok()?;
    let jobs_running = jobs(JobStatus::Running).await.ok()?;
    Some(QueueDepth {
        pending,
        sending,
        jobs_queued,
        jobs_running,
    })
}
