//! `/dashboard`: the reference live dashboard, a page and a script compiled into the binary
//! (no build step, nothing from a CDN). It follows a cycle over the same subscriptions any
//! frontend uses; see `dashboard/dashboard.js`.

use actix_web::HttpResponse;
use actix_web::http::header;

const PAGE: &str = include_str!("dashboard/index.html");
const SCRIPT: &str = include_str!("dashboard/dashboard.js");

/// Scripts from this server only; connections to this server (HTTP and WebSocket).
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                      connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'";

/// GET /dashboard.
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, POLICY))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(PAGE)
}

/// GET /dashboard/dashboard.js.
pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(SCRIPT)
}
