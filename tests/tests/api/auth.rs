use api::auth::TokenError;
use chrono::Duration;
use perfcycle_tests::{Gql, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

const ME: &str = "{ me { email } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_valid_token_identifies_the_employee() {
    let app = spawn_app().await;
    let org = app.org().await;
    let r = app.gql(Some(&org.alice), ME, json!({})).await;
    assert_eq!(r.data()["me"]["email"], "alice@t.io");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_token_is_unauthenticated() {
    let app = spawn_app().await;
    app.org().await;
    let r = app.gql(None, ME, json!({})).await;
    r.assert_error("UNAUTHENTICATED", None);
    let r = app.gql(None, "{ goals { totalCount } }", json!({})).await;
    r.assert_error("UNAUTHENTICATED", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_unauthenticated() {
    let app = spawn_app().await;
    app.org().await;
    let alice = app.employee("alice@t.io").await;
    let token = app
        .auth
        .issue(alice.id, &alice.email, Some(Duration::hours(-2)))
        .unwrap_or_default();
    let r = app.gql(Some(&token), ME, json!({})).await;
    r.assert_error("UNAUTHENTICATED", None);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("expired")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_token_is_unauthenticated() {
    let app = spawn_app().await;
    app.org().await;
    let alice = app.employee("alice@t.io").await;
    // Same claims, signed with another secret.
    let mut env = std::collections::BTreeMap::new();
    env.insert(
        "PERFCYCLE_JWT_SECRET".to_owned(),
        "another-secret-that-is-long-enough-to-pass".to_owned(),
    );
    let file = std::env::temp_dir().join("perfcycle-tests-no-config.toml");
    std::fs::write(&file, "").ok();
    let other = api::Config::from_sources(Some(&file), &env).unwrap_or_else(|e| panic!("{e}"));
    let forger = api::auth::Auth::from_config(&other).unwrap_or_else(|e| panic!("{e}"));
    let forged = forger
        .issue(alice.id, &alice.email, None)
        .unwrap_or_default();
    for token in [
        forged.as_str(),
        "not.a.jwt",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
    ] {
        let r = app.gql(Some(token), ME, json!({})).await;
        r.assert_error("UNAUTHENTICATED", None);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_of_an_unknown_employee_is_unauthenticated() {
    let app = spawn_app().await;
    app.org().await;
    let token = app
        .auth
        .issue(uuid::Uuid::new_v4(), "ghost@t.io", None)
        .unwrap_or_default();
    let r = app.gql(Some(&token), ME, json!({})).await;
    r.assert_error("UNAUTHENTICATED", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_authorization_header_is_unauthenticated() {
    let app = spawn_app().await;
    app.org().await;
    let res = app
        .http
        .post(format!("{}/graphql", app.address))
        .header("authorization", "Basic YWxpY2U6c2VjcmV0")
        .json(&json!({ "query": ME }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
}

/// The identity provider of the RS256 tests: signs with `fixtures/idp-private.pem`.
struct IdentityProvider {
    key: jsonwebtoken::EncodingKey,
}

impl IdentityProvider {
    fn new() -> Self {
        let private = std::fs::read(fixtures().join("idp-private.pem")).unwrap_or_default();
        let key =
            jsonwebtoken::EncodingKey::from_rsa_pem(&private).unwrap_or_else(|e| panic!("{e}"));
        Self { key }
    }

    fn sign(&self, claims: Value) -> String {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
            &claims,
            &self.key,
        )
        .unwrap_or_default()
    }

    /// A token for Alice with her verified e-mail, plus `extra` claims (e.g. `iss`, `aud`).
    fn alice(&self, extra: Value) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({ "sub": "idp|alice", "email": "alice@t.io", "email_verified": true, "iat": now, "exp": now + 600 });
        if let (Some(claims), Value::Object(extra)) = (claims.as_object_mut(), extra) {
            claims.extend(extra);
        }
        self.sign(claims)
    }
}

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// An app with the organisation that trusts the identity provider's key, with `settings`.
async fn app_trusting_the_identity_provider(settings: &[(&str, &str)]) -> TestApp {
    let public = fixtures().join("idp-public.pem");
    let mut all = vec![(
        "PERFCYCLE_JWT_PUBLIC_KEY_FILE",
        public.to_str().unwrap_or_default(),
    )];
    all.extend_from_slice(settings);
    let app = spawn_app_with(&all).await;
    app.org().await;
    app
}

const ISSUER: (&str, &str) = ("PERFCYCLE_JWT_ISSUER", "https://idp.test");
const AUDIENCE: (&str, &str) = ("PERFCYCLE_JWT_AUDIENCE", "perfcycle");

fn assert_refused(r: &Gql, why: TokenError) {
    r.assert_error("UNAUTHENTICATED", None);
    assert_eq!(
        r.body["errors"][0]["message"],
        why.to_string(),
        "{}",
        r.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identity_providers_rs256_token_is_matched_by_email() {
    let app = app_trusting_the_identity_provider(&[ISSUER]).await;
    let idp = IdentityProvider::new();
    let now = chrono::Utc::now().timestamp();
    let token = idp.sign(
        json!({ "sub": "idp|12345", "email": "Alice@T.io", "email_verified": true, "iss": "https://idp.test", "iat": now, "exp": now + 600 }),
    );
    let r = app.gql(Some(&token), ME, json!({})).await;
    assert_eq!(r.data()["me"]["email"], "alice@t.io");
    // An unverified address, another issuer, or an employee id in `sub` are not enough.
    let hr_id = app.employee("hr@t.io").await.id.to_string();
    for claims in [
        json!({ "sub": "idp|1", "email": "hr@t.io", "iss": "https://idp.test", "iat": now, "exp": now + 600 }),
        json!({ "sub": "idp|1", "email": "hr@t.io", "email_verified": false, "iss": "https://idp.test", "iat": now, "exp": now + 600 }),
        json!({ "sub": "idp|1", "email": "hr@t.io", "email_verified": true, "iss": "https://evil.test", "iat": now, "exp": now + 600 }),
        json!({ "sub": hr_id, "iss": "https://idp.test", "iat": now, "exp": now + 600 }),
    ] {
        app.gql(Some(&idp.sign(claims)), ME, json!({}))
            .await
            .assert_error("UNAUTHENTICATED", None);
    }
    // RS256 with a key the app does not trust is refused.
    let other = perfcycle_tests::spawn_app().await;
    other.org().await;
    other
        .gql(Some(&token), ME, json!({}))
        .await
        .assert_error("UNAUTHENTICATED", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identity_providers_token_for_our_issuer_and_audience_signs_in() {
    let app = app_trusting_the_identity_provider(&[ISSUER, AUDIENCE]).await;
    let idp = IdentityProvider::new();
    for aud in [json!("perfcycle"), json!(["another-app", "perfcycle"])] {
        let token = idp.alice(json!({ "iss": "https://idp.test", "aud": aud }));
        let r = app.gql(Some(&token), ME, json!({})).await;
        assert_eq!(r.data()["me"]["email"], "alice@t.io", "aud {aud}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identity_providers_token_for_another_audience_is_refused() {
    let app = app_trusting_the_identity_provider(&[ISSUER, AUDIENCE]).await;
    let token =
        IdentityProvider::new().alice(json!({ "iss": "https://idp.test", "aud": "another-app" }));
    let r = app.gql(Some(&token), ME, json!({})).await;
    assert_refused(&r, TokenError::WrongAudience);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identity_providers_token_whose_audience_list_lacks_ours_is_refused() {
    let app = app_trusting_the_identity_provider(&[ISSUER, AUDIENCE]).await;
    let idp = IdentityProvider::new();
    for aud in [json!(["another-app", "perfcycle-staging"]), json!([])] {
        let token = idp.alice(json!({ "iss": "https://idp.test", "aud": aud }));
        let r = app.gql(Some(&token), ME, json!({})).await;
        assert_refused(&r, TokenError::WrongAudience);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identity_providers_token_without_an_audience_is_refused_when_one_is_configured() {
    let app = app_trusting_the_identity_provider(&[ISSUER, AUDIENCE]).await;
    let idp = IdentityProvider::new();
    for extra in [
        json!({ "iss": "https://idp.test" }),
        json!({ "iss": "https://idp.test", "aud": null }),
    ] {
        let r = app.gql(Some(&idp.alice(extra)), ME, json!({})).await;
        assert_refused(&r, TokenError::MissingAudience);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identity_providers_token_from_another_issuer_is_refused() {
    let app = app_trusting_the_identity_provider(&[ISSUER, AUDIENCE]).await;
    let token =
        IdentityProvider::new().alice(json!({ "iss": "https://evil.test", "aud": "perfcycle" }));
    let r = app.gql(Some(&token), ME, json!({})).await;
    assert_refused(&r, TokenError::WrongIssuer);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identity_providers_token_without_an_issuer_is_refused_when_one_is_configured() {
    let app = app_trusting_the_identity_provider(&[ISSUER, AUDIENCE]).await;
    let idp = IdentityProvider::new();
    for extra in [
        json!({ "aud": "perfcycle" }),
        json!({ "iss": null, "aud": "perfcycle" }),
    ] {
        let r = app.gql(Some(&idp.alice(extra)), ME, json!({})).await;
        assert_refused(&r, TokenError::MissingIssuer);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_issuer_or_audience_configured_neither_claim_is_checked() {
    let app = app_trusting_the_identity_provider(&[]).await;
    let idp = IdentityProvider::new();
    for extra in [
        json!({}),
        json!({ "iss": "https://anyone.test", "aud": "another-app" }),
        json!({ "aud": ["another-app"] }),
    ] {
        let r = app
            .gql(Some(&idp.alice(extra.clone())), ME, json!({}))
            .await;
        assert_eq!(r.data()["me"]["email"], "alice@t.io", "{extra}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_only_an_issuer_configured_a_tokens_audience_is_not_checked() {
    let app = app_trusting_the_identity_provider(&[ISSUER]).await;
    let idp = IdentityProvider::new();
    for extra in [
        json!({ "iss": "https://idp.test" }),
        json!({ "iss": "https://idp.test", "aud": "another-app" }),
    ] {
        let r = app
            .gql(Some(&idp.alice(extra.clone())), ME, json!({}))
            .await;
        assert_eq!(r.data()["me"]["email"], "alice@t.io", "{extra}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_only_an_audience_configured_a_tokens_issuer_is_not_checked() {
    let app = app_trusting_the_identity_provider(&[AUDIENCE]).await;
    let idp = IdentityProvider::new();
    for extra in [
        json!({ "aud": "perfcycle" }),
        json!({ "iss": "https://anyone.test", "aud": "perfcycle" }),
    ] {
        let r = app
            .gql(Some(&idp.alice(extra.clone())), ME, json!({}))
            .await;
        assert_eq!(r.data()["me"]["email"], "alice@t.io", "{extra}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn our_own_tokens_need_no_issuer_or_audience_when_those_are_configured() {
    let app = app_trusting_the_identity_provider(&[ISSUER, AUDIENCE]).await;
    let alice = app.token("alice@t.io").await;
    let r = app.gql(Some(&alice), ME, json!({})).await;
    assert_eq!(r.data()["me"]["email"], "alice@t.io");
}

#[test]
fn a_bad_public_key_file_stops_the_start_naming_the_setting() {
    let err = api::Config::from_sources(
        None,
        &[(
            "PERFCYCLE_JWT_PUBLIC_KEY_FILE".to_owned(),
            "/nonexistent/key.pem".to_owned(),
        )]
        .into_iter()
        .collect(),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("PERFCYCLE_JWT_PUBLIC_KEY_FILE"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identity_providers_token_is_refused_before_its_not_before_time() {
    let app = app_trusting_the_identity_provider(&[ISSUER, AUDIENCE]).await;
    let idp = IdentityProvider::new();
    let now = chrono::Utc::now().timestamp();
    let early =
        idp.alice(json!({ "iss": "https://idp.test", "aud": "perfcycle", "nbf": now + 600 }));
    let r = app.gql(Some(&early), ME, json!({})).await;
    assert_refused(&r, TokenError::NotYetValid);
    // Within the clock-skew leeway, or already past, it signs in.
    for nbf in [now + 10, now - 60] {
        let token = idp.alice(json!({ "iss": "https://idp.test", "aud": "perfcycle", "nbf": nbf }));
        let r = app.gql(Some(&token), ME, json!({})).await;
        assert_eq!(r.data()["me"]["email"], "alice@t.io", "nbf {nbf}");
    }
}
