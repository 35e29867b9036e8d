use chrono::Duration;
use perfcycle_tests::spawn_app;
use serde_json::json;

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
