//! Trust: revoking a person's tokens (HTTP and open WebSockets), a token dated in the future,
//! rate limits per client address and per token with `429` and `Retry-After`, `/metrics` on an
//! address of its own, and the production profile's refusals as a client sees them.

use api::auth::Claims;
use jsonwebtoken::{EncodingKey, Header, encode};
use perfcycle_tests::ws::{LEGACY_WS, TRANSPORT_WS};
use perfcycle_tests::{Gql, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::time::Duration;

const ME: &str = "{ me { email } }";
const REVOKE: &str = "mutation($e: ID!) { revokeTokens(employeeId: $e) { id email } }";
const ACTIVITY: &str = "subscription { activity { __typename } }";

async fn revoke(app: &TestApp, token: &str, email: &str) -> Gql {
    let id = app.employee(email).await.id;
    app.gql(Some(token), REVOKE, json!({ "e": id.to_string() }))
        .await
}

fn message(r: &Gql) -> String {
    r.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Waits until the wall clock is in a later second than now: tokens are dated in seconds.
async fn next_second() {
    let now = chrono::Utc::now();
    let ms = 1000 - now.timestamp_subsec_millis() as u64;
    tokio::time::sleep(Duration::from_millis(ms + 50)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hr_revokes_every_token_one_person_holds_and_a_later_token_works() {
    let app = spawn_app().await;
    let org = app.org().await;
    let first = org.alice.clone();
    let second = app.token("alice@t.io").await;
    assert_eq!(
        app.gql(Some(&first), ME, json!({})).await.data()["me"]["email"],
        "alice@t.io"
    );

    let r = revoke(&app, &org.hr, "alice@t.io").await;
    assert_eq!(r.data()["revokeTokens"]["email"], "alice@t.io");
    for token in [&first, &second] {
        let r = app.gql(Some(token), ME, json!({})).await;
        r.assert_error("UNAUTHENTICATED", None);
        assert_eq!(message(&r), "the token was revoked; sign in again");
    }
    // Nobody else's tokens are touched.
    assert_eq!(
        app.gql(Some(&org.bob), ME, json!({})).await.data()["me"]["email"],
        "bob@t.io"
    );
    // A token issued after the revocation's second is taken.
    next_second().await;
    let fresh = app.token("alice@t.io").await;
    assert_eq!(
        app.gql(Some(&fresh), ME, json!({})).await.data()["me"]["email"],
        "alice@t.io"
    );

    // Audited, with who did it.
    let alice = app.employee("alice@t.io").await;
    let log = app
        .gql(
            Some(&org.hr),
            "query($f: AuditFilter) { auditLog(filter: $f) { edges { node { action actor { email } } } } }",
            json!({ "f": { "entityId": alice.id.to_string() } }),
        )
        .await;
    let actions: Vec<(String, String)> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["action"].as_str().unwrap_or_default().to_owned(),
                e["node"]["actor"]["email"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert!(
        actions.contains(&("employee.revoke_tokens".to_owned(), "hr@t.io".to_owned())),
        "{actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_hr_revokes_someone_elses_tokens_and_everyone_may_revoke_their_own() {
    let app = spawn_app().await;
    let org = app.org().await;
    // A colleague, and a manager for their own report: refused, and nothing changes.
    revoke(&app, &org.alice, "bob@t.io")
        .await
        .assert_error("FORBIDDEN", None);
    revoke(&app, &org.mgr, "bob@t.io")
        .await
        .assert_error("FORBIDDEN", None);
    revoke(&app, &org.ceo, "bob@t.io")
        .await
        .assert_error("FORBIDDEN", None);
    assert!(app.employee("bob@t.io").await.tokens_revoked_at.is_none());
    assert_eq!(
        app.gql(Some(&org.bob), ME, json!({})).await.data()["me"]["email"],
        "bob@t.io"
    );
    // Without a token, with a bad or an unknown id.
    let bob = app.employee("bob@t.io").await.id.to_string();
    app.gql(None, REVOKE, json!({ "e": bob }))
        .await
        .assert_error("UNAUTHENTICATED", None);
    app.gql(Some(&org.hr), REVOKE, json!({ "e": "not-an-id" }))
        .await
        .assert_error("BAD_USER_INPUT", Some("employeeId"));
    app.gql(
        Some(&org.hr),
        REVOKE,
        json!({ "e": uuid::Uuid::new_v4().to_string() }),
    )
    .await
    .assert_error("NOT_FOUND", None);
    // Signing out everywhere: one's own tokens, this one included.
    let r = revoke(&app, &org.bob, "bob@t.io").await;
    assert_eq!(r.data()["revokeTokens"]["email"], "bob@t.io");
    app.gql(Some(&org.bob), ME, json!({}))
        .await
        .assert_error("UNAUTHENTICATED", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn someone_who_leaves_and_is_imported_again_needs_a_new_token() {
    let app = spawn_app().await;
    let org = app.org().await;
    let id = app.employee("carol@t.io").await.id.to_string();
    app.gql(
        Some(&org.hr),
        "mutation($i: DeactivateEmployeeInput!) { deactivateEmployee(input: $i) { active } }",
        json!({ "i": { "id": id } }),
    )
    .await
    .data();
    // Rehired by the next import: active again, but not through a token from before.
    app.import("carol@t.io,Carol Closer,Account Executive,Sales,other@t.io,,2021-01-01,UTC\n")
        .await;
    assert!(app.employee("carol@t.io").await.active);
    let r = app.gql(Some(&org.carol), ME, json!({})).await;
    r.assert_error("UNAUTHENTICATED", None);
    assert_eq!(message(&r), "the token was revoked; sign in again");
    next_second().await;
    let fresh = app.token("carol@t.io").await;
    assert_eq!(
        app.gql(Some(&fresh), ME, json!({})).await.data()["me"]["email"],
        "carol@t.io"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_open_websocket_is_closed_once_its_tokens_are_revoked_or_its_holder_leaves() {
    let app = spawn_app_with(&[("PERFCYCLE_WS_RECHECK_SECONDS", "1")]).await;
    let org = app.org().await;
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let token = app.token("alice@t.io").await;
        let mut ws = app.ws(protocol).await;
        ws.init(&token).await;
        ws.subscribe("a", ACTIVITY, json!({})).await;
        app.wait_subscriptions(1).await;
        revoke(&app, &org.hr, "alice@t.io").await.data();
        let (code, reason) = ws.closed().await;
        assert_eq!(
            (code, reason.as_str()),
            (4403, "the token was revoked; sign in again")
        );
        // A token from before the revocation cannot open another.
        let mut again = app.ws(protocol).await;
        again
            .init_with(json!({ "Authorization": format!("Bearer {token}") }))
            .await;
        assert_eq!(again.closed().await.0, 4403);
        next_second().await;
    }
    // Someone who leaves is closed out too.
    let carol = app.token("carol@t.io").await;
    let mut ws = app.ws(TRANSPORT_WS).await;
    ws.init(&carol).await;
    ws.subscribe("a", ACTIVITY, json!({})).await;
    app.wait_subscriptions(1).await;
    let id = app.employee("carol@t.io").await.id.to_string();
    app.gql(
        Some(&org.hr),
        "mutation($i: DeactivateEmployeeInput!) { deactivateEmployee(input: $i) { active } }",
        json!({ "i": { "id": id } }),
    )
    .await
    .data();
    let (code, reason) = ws.closed().await;
    assert_eq!(
        (code, reason.as_str()),
        (
            4403,
            "the token's employee does not exist or is no longer active"
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_started_over_a_websocket_spend_the_tokens_bucket() {
    let app = spawn_app_with(&[
        ("PERFCYCLE_RATE_LIMIT_USER", "6"),
        ("PERFCYCLE_RATE_LIMIT_BURST", "2"),
    ])
    .await;
    app.org().await;
    for (protocol, email) in [(TRANSPORT_WS, "alice@t.io"), (LEGACY_WS, "bob@t.io")] {
        let token = app.token(email).await;
        let mut ws = app.ws(protocol).await;
        ws.init(&token).await;
        ws.subscribe("a", ACTIVITY, json!({})).await;
        ws.subscribe("b", ACTIVITY, json!({})).await;
        app.wait_subscriptions(2).await;
        ws.subscribe("c", ACTIVITY, json!({})).await;
        let refused = ws.next("c").await.unwrap_err();
        let error = if protocol == TRANSPORT_WS {
            &refused[0]
        } else {
            &refused
        };
        assert_eq!(error["extensions"]["code"], "RATE_LIMITED", "{refused}");
        assert!(error["extensions"]["retryAfterSeconds"].as_u64() >= Some(1));
        // The connection and its two subscriptions stay; the token's bucket is the one
        // HTTP requests take from too.
        assert_eq!(ask(&app, Some(&token), &[]).await.0, 429);
        ws.quiet_for(Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.metric("perfcycle_rate_limited_total{limit=\"user\"}")
            .await,
        4
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_dated_beyond_the_allowed_clock_skew_is_refused() {
    let app = spawn_app().await;
    app.org().await;
    let alice = app.employee("alice@t.io").await;
    let now = chrono::Utc::now().timestamp();
    let signed = |iat: i64| {
        let claims = Claims {
            sub: alice.id.to_string(),
            email: Some(alice.email.clone()),
            email_verified: None,
            iat,
            exp: now + 3600,
        };
        encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(app.jwt_secret.as_bytes()),
        )
        .unwrap_or_default()
    };
    // Ten seconds ahead: a clock that runs a little fast, taken.
    let r = app.gql(Some(&signed(now + 10)), ME, json!({})).await;
    assert_eq!(r.data()["me"]["email"], "alice@t.io");
    // Two minutes ahead: refused, so that no token outlives a revocation by being post-dated.
    let r = app.gql(Some(&signed(now + 120)), ME, json!({})).await;
    r.assert_error("UNAUTHENTICATED", None);
    assert_eq!(message(&r), "the token is not valid yet");
}

/// POSTs `{ me { email } }` with extra headers; the status, `Retry-After` and body.
async fn ask(
    app: &TestApp,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, Option<u64>, Value) {
    let mut req = app
        .http
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": ME }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry, res.json().await.unwrap_or(Value::Null))
}

async fn get_status(app: &TestApp, path: &str) -> u16 {
    app.http
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_address_over_its_rate_gets_429_with_retry_after_and_probes_are_exempt() {
    let app = spawn_app_with(&[
        ("PERFCYCLE_RATE_LIMIT_IP", "6"),
        ("PERFCYCLE_RATE_LIMIT_BURST", "3"),
    ])
    .await;
    let org = app.org().await;
    for _ in 0..3 {
        assert_eq!(ask(&app, Some(&org.alice), &[]).await.0, 200);
    }
    // Another user from the same address shares the address's bucket.
    let (status, retry, body) = ask(&app, Some(&org.bob), &[]).await;
    assert_eq!(status, 429, "{body}");
    // One request every ten seconds refills it.
    assert!(retry.is_some_and(|s| (1..=10).contains(&s)), "{retry:?}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(
        body["errors"][0]["extensions"]["retryAfterSeconds"].as_u64(),
        retry
    );
    // Refused before anything ran: no statement beyond those of reading the metrics.
    let before = app.statements().await;
    let read = app.statements().await - before;
    let mid = app.statements().await;
    assert_eq!(ask(&app, Some(&org.carol), &[]).await.0, 429);
    assert_eq!(app.statements().await - mid, read);
    // Probes and scrapes are never limited; the dashboard page and exports are.
    for _ in 0..5 {
        assert_eq!(get_status(&app, "/healthz").await, 200);
        assert_eq!(get_status(&app, "/readyz").await, 200);
        assert_eq!(get_status(&app, "/metrics").await, 200);
    }
    assert_eq!(get_status(&app, "/dashboard").await, 429);
    assert_eq!(get_status(&app, "/exports/rewards.csv").await, 429);
    let refused = app
        .metric("perfcycle_rate_limited_total{limit=\"address\"}")
        .await;
    assert_eq!(refused, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_over_its_rate_gets_429_while_others_and_forgers_are_unaffected() {
    let app = spawn_app_with(&[
        ("PERFCYCLE_RATE_LIMIT_USER", "6"),
        ("PERFCYCLE_RATE_LIMIT_BURST", "2"),
    ])
    .await;
    let org = app.org().await;
    for _ in 0..2 {
        assert_eq!(ask(&app, Some(&org.alice), &[]).await.0, 200);
    }
    let (status, retry, _) = ask(&app, Some(&org.alice), &[]).await;
    assert_eq!((status, retry.is_some()), (429, true));
    // A bucket is a token's: once HR revokes a stolen one that was hammering away, the token
    // its owner signs in with afterwards is not starved by it.
    revoke(&app, &org.hr, "alice@t.io").await.data();
    next_second().await;
    let fresh = app.token("alice@t.io").await;
    assert_eq!(ask(&app, Some(&fresh), &[]).await.0, 200);
    assert_eq!(ask(&app, Some(&org.alice), &[]).await.0, 429);
    // Others have their own buckets, and requests without a token none (nor is there an
    // address limit here).
    for _ in 0..2 {
        assert_eq!(ask(&app, Some(&org.bob), &[]).await.0, 200);
    }
    for _ in 0..4 {
        let (status, _, body) = ask(&app, None, &[]).await;
        assert_eq!(status, 200, "{body}");
    }
    // A token signed with another secret cannot spend Carol's bucket: it is no one's.
    let carol = app.employee("carol@t.io").await;
    let forged = encode(
        &Header::default(),
        &Claims {
            sub: carol.id.to_string(),
            email: None,
            email_verified: None,
            iat: chrono::Utc::now().timestamp(),
            exp: chrono::Utc::now().timestamp() + 600,
        },
        &EncodingKey::from_secret(b"not-the-servers-secret-but-long-enough"),
    )
    .unwrap_or_default();
    for _ in 0..4 {
        let (status, _, body) = ask(&app, Some(&forged), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
    assert_eq!(ask(&app, Some(&org.carol), &[]).await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_proxy_the_client_is_the_last_forwarded_address_and_otherwise_the_peer() {
    let limits = [
        ("PERFCYCLE_RATE_LIMIT_IP", "1"),
        ("PERFCYCLE_RATE_LIMIT_BURST", "1"),
    ];
    let mut behind = limits.to_vec();
    behind.push(("PERFCYCLE_BEHIND_PROXY", "true"));
    let app = spawn_app_with(&behind).await;
    let xff = |v: &'static str| [("x-forwarded-for", v)];
    assert_eq!(ask(&app, None, &xff("203.0.113.1")).await.0, 200);
    assert_eq!(ask(&app, None, &xff("203.0.113.2")).await.0, 200);
    assert_eq!(ask(&app, None, &xff("203.0.113.1")).await.0, 429);
    // What the client wrote before the proxy's entry does not make it someone else.
    assert_eq!(
        ask(&app, None, &xff("198.51.100.7, 203.0.113.2")).await.0,
        429
    );

    // Not behind a proxy, the header is the client's to write and is ignored.
    let app = spawn_app_with(&limits).await;
    assert_eq!(ask(&app, None, &xff("203.0.113.1")).await.0, 200);
    assert_eq!(ask(&app, None, &xff("203.0.113.2")).await.0, 429);
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_can_move_to_an_address_of_their_own() {
    let app = spawn_app_with(&[("PERFCYCLE_METRICS_ADDRESS", "127.0.0.1:0")]).await;
    app.org().await;
    assert_eq!(get_status(&app, "/metrics").await, 404);
    let other = app.metrics_address.clone().unwrap_or_default();
    assert_ne!(other, app.address);
    let text = app.metrics_text().await;
    assert!(text.contains("perfcycle_db_statements_total"), "{text}");
    // Only metrics there: the API is not reachable through the metrics address.
    let api = app
        .http
        .post(format!("{other}/graphql"))
        .json(&json!({ "query": ME }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn production_answers_without_introspection_graphiql_or_suggestions() {
    let typo = "{ me { emai } }";
    let introspect = "{ __schema { queryType { name } } }";
    let dev = spawn_app().await;
    let org = dev.org().await;
    let hint = message(&dev.gql(Some(&org.alice), typo, json!({})).await);
    assert!(hint.contains("Did you mean \"email\""), "{hint}");
    let r = dev.gql(Some(&org.alice), introspect, json!({})).await;
    assert_eq!(r.data()["__schema"]["queryType"]["name"], "Query");

    let prod = spawn_app_with(&[("PERFCYCLE_ENV", "production")]).await;
    let org = prod.org().await;
    let r = prod.gql(Some(&org.alice), typo, json!({})).await;
    assert!(
        !message(&r).is_empty() && !message(&r).contains("Did you mean"),
        "{}",
        r.body
    );
    // The schema is not told (async-graphql answers null rather than an error).
    let r = prod.gql(Some(&org.alice), introspect, json!({})).await;
    assert!(r.data()["__schema"].is_null(), "{}", r.body);
    let page = prod
        .http
        .get(format!("{}/graphql", prod.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = page.status().as_u16();
    let body = page.text().await.unwrap_or_default();
    assert!(!body.contains("GraphiQL"), "{status}: {body}");
    // The API itself works as ever.
    assert_eq!(
        prod.gql(Some(&org.alice), ME, json!({})).await.data()["me"]["email"],
        "alice@t.io"
    );
}
