//! Hostile requests: each is answered with a 4xx or a GraphQL error with a known code, and
//! the server still answers afterwards. (Another person's ids on every ID argument: `foreign_ids.rs`.)

use perfcycle_tests::{TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

const GQL_RESPONSE: &str = "application/graphql-response+json";
const ME: &str = "{ me { name } }";

/// POSTs raw bytes as JSON; returns the status and the body (`Null` if it is not JSON).
async fn post(app: &TestApp, token: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut req = app
        .http
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .header("accept", GQL_RESPONSE)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// POSTs a query (and variables) as JSON.
async fn post_query(app: &TestApp, token: &str, query: &str, variables: Value) -> (u16, Value) {
    let body = serde_json::to_vec(&json!({ "query": query, "variables": variables })).unwrap();
    post(app, Some(token), body).await
}

/// Asserts a 400 whose first error has `code`, and no `data` entry.
fn assert_refused(status: u16, body: &Value, code: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
    assert!(body.get("data").is_none(), "{body}");
}

fn nested_list(depth: usize) -> String {
    format!("{}PROPOSED{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test(flavor = "multi_thread")]
async fn argument_values_nested_thousands_deep_are_refused_and_the_server_lives() {
    let app = spawn_app().await;
    let org = app.org().await;
    for depth in [33, 5_000, 30_000] {
        let query = format!(
            "{{ goals(filter: {{status: {}}}) {{ totalCount }} }}",
            nested_list(depth)
        );
        let (status, body) = post_query(&app, &org.alice, &query, json!({})).await;
        assert_refused(status, &body, "LIMIT_EXCEEDED");
        assert_eq!(body["errors"][0]["extensions"]["setting"], "max_nesting");
        app.assert_still_answers(&org.alice).await;
    }
    // The same over GET.
    let query = format!(
        "{{ goals(filter: {{status: {}}}) {{ totalCount }} }}",
        nested_list(5_000)
    );
    let res = app
        .http
        .get(format!("{}/graphql", app.address))
        .query(&[("query", query.as_str())])
        .bearer_auth(&org.alice)
        .header("accept", GQL_RESPONSE)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");
    app.assert_still_answers(&org.alice).await;
    // Brackets inside a string are not nesting.
    let query = format!(
        "{{ employees(filter: {{search: \"{}\"}}) {{ totalCount }} }}",
        "[".repeat(200)
    );
    let (status, body) = post_query(&app, &org.alice, &query, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["employees"]["totalCount"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn variables_nested_deep_are_refused_and_the_server_lives() {
    let app = spawn_app().await;
    let org = app.org().await;
    let query = "query($v: [GoalStatus!]) { goals(filter: {status: $v}) { totalCount } }";
    // Within serde_json's own recursion limit (128): our bound answers.
    let mut v = json!("PROPOSED");
    for _ in 0..100 {
        v = json!([v]);
    }
    let (status, body) = post_query(&app, &org.alice, query, json!({ "v": v })).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    // Far beyond it: the JSON reader refuses it before anything recursive builds it.
    let deep = format!(
        "{{\"query\": \"{query}\", \"variables\": {{\"v\": {}1{}}}}}",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let (status, body) = post(&app, Some(&org.alice), deep.into_bytes()).await;
    assert_refused(status, &body, "BAD_REQUEST");
    app.assert_still_answers(&org.alice).await;
    // A variable of the right shape still works.
    let (status, body) = post_query(&app, &org.alice, query, json!({ "v": ["PROPOSED"] })).await;
    assert_eq!(
        (status, &body["data"]["goals"]["totalCount"]),
        (200, &json!(0))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn thousands_of_aliases_or_root_fields_are_refused() {
    let app = spawn_app().await;
    let org = app.org().await;
    let aliases: String = (0..2_000).map(|i| format!("a{i}: name ")).collect();
    let (status, body) = post_query(
        &app,
        &org.alice,
        &format!("{{ me {{ {aliases} }} }}"),
        json!({}),
    )
    .await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(body["errors"][0]["extensions"]["setting"], "max_aliases");
    app.assert_still_answers(&org.alice).await;
    let roots = "me { name } ".repeat(2_000);
    let (status, body) = post_query(&app, &org.alice, &format!("{{ {roots} }}"), json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(
        body["errors"][0]["extensions"]["setting"],
        "max_root_fields"
    );
    app.assert_still_answers(&org.alice).await;
    // Twenty of each are fine.
    let aliases: String = (0..20).map(|i| format!("a{i}: name ")).collect();
    let (status, body) = post_query(
        &app,
        &org.alice,
        &format!("{{ me {{ {aliases} }} }}"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["a19"], "Alice Able");
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_directives_are_refused() {
    let app = spawn_app().await;
    let org = app.org().await;
    let query = format!(
        "{{ me {{ name {} }} }}",
        "@include(if: true) ".repeat(1_000)
    );
    let (status, body) = post_query(&app, &org.alice, &query, json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(body["errors"][0]["extensions"]["setting"], "max_directives");
    app.assert_still_answers(&org.alice).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fragment_cycles_bombs_and_chains_are_refused() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = "{ me { ...A } } fragment A on Employee { name ...B } fragment B on Employee { email ...A }";
    let (status, body) = post_query(&app, &org.alice, cycle, json!({})).await;
    assert_refused(status, &body, "GRAPHQL_VALIDATION_FAILED");
    app.assert_still_answers(&org.alice).await;
    // Each fragment spreads the next twice: 2^25 selections if expanded.
    let mut bomb = String::from("{ me { ...F0 } }");
    for i in 0..25 {
        bomb.push_str(&format!(
            " fragment F{i} on Employee {{ ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    bomb.push_str(" fragment F25 on Employee { name }");
    let (status, body) = post_query(&app, &org.alice, &bomb, json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(body["errors"][0]["extensions"]["setting"], "max_complexity");
    app.assert_still_answers(&org.alice).await;
    // A chain of a thousand fragments, each spreading the next.
    let mut chain = String::from("{ me { ...F0 } }");
    for i in 0..1_200 {
        chain.push_str(&format!(" fragment F{i} on Employee {{ ...F{} }}", i + 1));
    }
    chain.push_str(" fragment F1200 on Employee { name }");
    let (status, body) = post_query(&app, &org.alice, &chain, json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(body["errors"][0]["extensions"]["setting"], "max_nesting");
    app.assert_still_answers(&org.alice).await;
    // The same chain, used by no operation (validation would still walk it).
    let unused = chain.replacen("{ me { ...F0 } }", "{ me { name } }", 1);
    let (status, body) = post_query(&app, &org.alice, &unused, json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    app.assert_still_answers(&org.alice).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_is_refused_and_runs_nothing() {
    let app = spawn_app().await;
    let org = app.org().await;
    let before = app.count("cycle").await;
    let mutation = "mutation { createCycle(input: {name: \"FY2027\", startsOn: \"2027-01-01\", endsOn: \"2027-12-31\", reviewOpensOn: \"2027-11-01\", reviewDueOn: \"2027-12-01\"}) { id } }";
    for body in [
        json!([mutation, null, null]),
        json!([{ "query": mutation }, { "query": ME }]),
        json!([]),
    ] {
        let (status, answer) = post(&app, Some(&org.hr), serde_json::to_vec(&body).unwrap()).await;
        assert_refused(status, &answer, "BAD_REQUEST");
        app.assert_still_answers(&org.hr).await;
    }
    assert_eq!(app.count("cycle").await, before, "a batch wrote a cycle");
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_malformed_and_non_utf8_bodies_are_refused() {
    let app = spawn_app_with(&[("PERFCYCLE_MAX_BODY_BYTES", "65536")]).await;
    let org = app.org().await;
    let huge = format!(
        "{{\"query\": \"{{ me {{ name }} }}\", \"pad\": \"{}\"}}",
        "x".repeat(200_000)
    );
    let (status, _) = post(&app, Some(&org.alice), huge.into_bytes()).await;
    assert_eq!(status, 413);
    app.assert_still_answers(&org.alice).await;
    let malformed: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"{\"query\": ".to_vec(),
        b"null".to_vec(),
        b"42".to_vec(),
        b"\"{ me { name } }\"".to_vec(),
        b"{\"query\": 42}".to_vec(),
        b"{\"query\": \"{ me { name } }\"} trailing".to_vec(),
        b"{\"query\": \"{ me { name } }\", \"variables\": [1]}".to_vec(),
        b"{\"query\": \"{ me { name } }\", \"extensions\": \"x\"}".to_vec(),
        b"{\"query\": \"{ me { name } }\", \"extensions\": [1]}".to_vec(),
        b"{\"query\": \"{ me { \xff\xfe } }\"}".to_vec(),
        b"\xef\xbb\xbf\xff{\"query\": \"{ me { name } }\"}".to_vec(),
        b"{\"query\": \"{ me { name } }\\ud800\"}".to_vec(),
    ];
    for body in malformed {
        let shown = String::from_utf8_lossy(&body).into_owned();
        let (status, answer) = post(&app, Some(&org.alice), body).await;
        assert_eq!(status, 400, "{shown}: {answer}");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{shown}"
        );
        app.assert_still_answers(&org.alice).await;
    }
    // Not GraphQL at all, and bad UTF-8 in a GET query string.
    let (status, answer) = post_query(&app, &org.alice, "{ me { name ", json!({})).await;
    assert_refused(status, &answer, "GRAPHQL_PARSE_FAILED");
    let res = app
        .http
        .get(format!(
            "{}/graphql?query=%7B%20me%20%7B%20%FF%20%7D%20%7D",
            app.address
        ))
        .bearer_auth(&org.alice)
        .header("accept", GQL_RESPONSE)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    app.assert_still_answers(&org.alice).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_and_expired_tokens_are_unauthenticated() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let public = fixtures.join("idp-public.pem");
    let app = spawn_app_with(&[("PERFCYCLE_JWT_PUBLIC_KEY_FILE", public.to_str().unwrap())]).await;
    let org = app.org().await;
    let alice = app.employee("alice@t.io").await;
    let valid = org.alice.clone();
    let mut parts = valid.split('.');
    let (header, claims) = (parts.next().unwrap(), parts.next().unwrap());
    use base64::Engine;
    let b64 = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    };
    let none = format!("{}.{claims}.", b64(&json!({ "alg": "none", "typ": "JWT" })));
    let bad_signature = format!("{header}.{claims}.{}", "A".repeat(43));
    let now = chrono::Utc::now().timestamp();
    // The classic key confusion: HS256 "signed" with the RS256 public key as the secret.
    let confused = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({ "sub": "idp|alice", "email": "alice@t.io", "email_verified": true, "iat": now, "exp": now + 600 }),
        &jsonwebtoken::EncodingKey::from_secret(&std::fs::read(&public).unwrap()),
    )
    .unwrap();
    let expired = app
        .auth
        .issue(alice.id, &alice.email, Some(chrono::Duration::hours(-2)))
        .unwrap();
    for token in [none, bad_signature, confused, expired] {
        let r = app.gql(Some(&token), ME, json!({})).await;
        r.assert_error("UNAUTHENTICATED", None);
        assert!(r.body["data"].is_null(), "{}", r.body);
        app.assert_still_answers(&valid).await;
    }
}
