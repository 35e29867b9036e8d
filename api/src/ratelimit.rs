//! Rate limits: a token bucket per client address and one per user token (one whose signature
//! checked out: its holder and issue time), each refilling at its per-minute rate up to a
//! burst. A
//! request over either gets `429 Too Many Requests` with `Retry-After` and nothing runs.
//! `/healthz`, `/readyz` and `/metrics` are exempt, so probes and scrapes never starve.
//!
//! The buckets live in each process: with N replicas behind a load balancer a client can
//! make up to N times the rate, which the deployment guide accounts for.

use crate::http::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use serde_json::json;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Paths no limit applies to.
const EXEMPT: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

type Buckets<K> = RateLimiter<K, HashMapStateStore<K>, DefaultClock>;

/// Which limit a request ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Its client address's.
    Address,
    /// Its token holder's.
    User,
}

impl Limit {
    /// The metrics label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::User => "user",
        }
    }
}

/// The buckets of one process.
pub struct RateLimits {
    address: Option<Buckets<IpAddr>>,
    user: Option<Buckets<String>>,
    clock: DefaultClock,
    behind_proxy: bool,
}

fn buckets<K: Hash + Eq + Clone>(per_minute: u32, burst: u32) -> Option<Buckets<K>> {
    let rate = NonZeroU32::new(per_minute)?;
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Some(RateLimiter::hashmap(
        Quota::per_minute(rate).allow_burst(burst),
    ))
}

impl RateLimits {
    /// Buckets at the configured rates (a rate of 0 is no limit).
    pub fn new(config: &crate::config::Config) -> Self {
        Self {
            address: buckets(config.rate_limit_ip, config.rate_limit_burst),
            user: buckets(config.rate_limit_user, config.rate_limit_burst),
            clock: DefaultClock::default(),
            behind_proxy: config.behind_proxy,
        }
    }

    fn check<K: Hash + Eq + Clone>(
        &self,
        buckets: Option<&Buckets<K>>,
        key: &K,
    ) -> Result<(), Duration> {
        match buckets.map(|b| b.check_key(key)) {
            Some(Err(not_until)) => Err(not_until.wait_time_from(self.clock.now())),
            _ => Ok(()),
        }
    }

    /// Takes one request from the client's and (when known) the user's bucket, or says
    /// which limit it hit and how long until a request would be taken again.
    pub fn take(
        &self,
        client: Option<IpAddr>,
        user: Option<&str>,
    ) -> Result<(), (Limit, Duration)> {
        if let Some(ip) = client {
            self.check(self.address.as_ref(), &ip)
                .map_err(|wait| (Limit::Address, wait))?;
        }
        if let Some(user) = user {
            self.check(self.user.as_ref(), &user.to_owned())
                .map_err(|wait| (Limit::User, wait))?;
        }
        Ok(())
    }

    /// Takes one request from a verified token's bucket (a subscription started over a
    /// WebSocket costs what a request over HTTP does), or says how long until one is taken.
    pub fn take_for(&self, token: &crate::auth::Verified) -> Result<(), Duration> {
        self.check(self.user.as_ref(), &bucket_of(token))
    }

    /// Forgets buckets that are full again, so that memory follows the clients of the last
    /// minutes rather than every client ever seen.
    pub fn forget_idle(&self) {
        if let Some(b) = &self.address {
            b.retain_recent();
            b.shrink_to_fit();
        }
        if let Some(b) = &self.user {
            b.retain_recent();
            b.shrink_to_fit();
        }
    }

    /// The client's address: the connection's peer, or behind a proxy the last
    /// `X-Forwarded-For` entry (the one our proxy appended; earlier ones the client wrote).
    fn client(&self, req: &ServiceRequest) -> Option<IpAddr> {
        if self.behind_proxy
            && let Some(ip) = req
                .headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return Some(ip);
        }
        req.peer_addr().map(|a| a.ip())
    }
}

/// The user bucket of a verified token.
fn bucket_of(token: &crate::auth::Verified) -> String {
    match &token.subject {
        crate::auth::Subject::Employee(id) => format!("{id}@{}", token.issued_at),
        crate::auth::Subject::Email(email) => {
            format!("{}@{}", email.trim().to_lowercase(), token.issued_at)
        }
    }
}

/// Forgets idle buckets every minute while the server runs.
pub fn spawn_sweeper(limits: std::sync::Arc<RateLimits>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.forget_idle();
        }
    });
}

/// The middleware: every request but the exempt ones takes from the buckets first.
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    if EXEMPT.contains(&req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    // Only a token whose signature checks out has a bucket, so a forged one cannot spend
    // anyone's; and the bucket is the token's (its holder and issue time), so a revoked token
    // still in a thief's hands cannot starve the fresh one its owner signs in with.
    let user = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| state.auth.verify_header(h).ok())
        .map(|t| bucket_of(&t));
    let client = state.limits.client(&req);
    match state.limits.take(client, user.as_deref()) {
        Ok(()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        Err((limit, wait)) => {
            state.metrics.rate_limited(limit);
            // Whole seconds, rounded up: retrying at once would only be refused again.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let seconds = seconds.max(1);
            let response = HttpResponse::TooManyRequests()
                .insert_header((header::RETRY_AFTER, seconds.to_string()))
                .json(json!({ "errors": [{
                    "message": format!(
                        "too many requests from this {}; try again in {seconds} s",
                        match limit { Limit::Address => "address", Limit::User => "token" }
                    ),
                    "extensions": { "code": "RATE_LIMITED", "retryAfterSeconds": seconds },
                }] }));
            Ok(req.into_response(response).map_into_boxed_body())
        }
    }
}
