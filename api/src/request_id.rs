//! Request ids: every HTTP request gets one — the caller's `X-Request-Id` when it is a sane
//! token (a load balancer's, say), else a fresh time-ordered UUID — returned in the
//! response's `X-Request-Id`, and every log line written while serving it carries it in a
//! `request` span (method, path, the GraphQL operation's name, and once the token is checked,
//! the user). A background job the request queues records the id, and its `job` span carries
//! it.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

/// The header, both ways.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// A caller's id is kept when it is 1–64 characters of letters, digits, `-`, `_`, `.`.
fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The middleware: the id, the span around everything that serves the request, the header.
pub async fn assign(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
        operation = tracing::field::Empty,
        user = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let mut response = domain::jobs::in_request(id.clone(), next.call(req))
        .instrument(span.clone())
        .await?;
    // The access log: one line per request, in its span.
    tracing::info!(
        parent: &span,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request served"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    Ok(response)
}

/// Names the GraphQL operation in the request's span (the bounded label metrics use).
pub fn record_operation(label: &str) {
    tracing::Span::current().record("operation", label);
}

/// Names the request's user in its span, once the token named one.
pub fn record_user(id: uuid::Uuid) {
    tracing::Span::current().record("user", tracing::field::display(id));
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn a_callers_id_is_kept_only_when_it_is_a_short_plain_token() {
        assert!(acceptable("0190f7c2-7a1b-7cde-8f00-123456789abc"));
        assert!(acceptable("lb.trace_42"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("two words"));
        assert!(!acceptable("line\nbreak"));
        assert!(!acceptable("<script>"));
    }
}
