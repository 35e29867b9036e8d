//! The HTTP layer: GraphQL-over-HTTP status codes and media types, limits, bad bodies.

use perfcycle_tests::{goal_input, spawn_app};
use serde_json::{Value, json};

const GQL_RESPONSE: &str = "application/graphql-response+json";

#[tokio::test(flavor = "multi_thread")]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz", "/metrics"] {
        let res = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    let ready: Value = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"], "ok");
    if std::env::var("TEST_REDIS_URL").is_ok() {
        assert_eq!(ready["redis"], "ok");
    }
}

async fn post_raw(
    app: &perfcycle_tests::TestApp,
    accept: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String, Value) {
    post_raw_as(app, None, accept, content_type, body).await
}

/// Like [`post_raw`], as `token`'s holder.
async fn post_raw_as(
    app: &perfcycle_tests::TestApp,
    token: Option<&str>,
    accept: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String, Value) {
    let mut req = app
        .http
        .post(format!("{}/graphql", app.address))
        .header("content-type", content_type)
        .body(body);
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, ct, body)
}

/// A mutation HR may run: it writes a cycle whenever the request around it is accepted.
const CREATE_CYCLE: &str = "mutation { createCycle(input: {name: \"FY2027\", startsOn: \"2027-01-01\", endsOn: \"2027-12-31\", reviewOpensOn: \"2027-11-01\", reviewDueOn: \"2027-12-01\"}) { id } }";

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_a_400_and_writes_nothing() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycles = app.count("cycle").await;
    // Each bad body carries a mutation HR may run: only the body itself stands in its way.
    let request = json!({ "query": CREATE_CYCLE }).to_string();
    let truncated = request.as_bytes()[..request.len() - 1].to_vec();
    let (status, _, body) =
        post_raw_as(&app, Some(&org.hr), None, "application/json", truncated).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    let batch = format!("[{request}]").into_bytes();
    let (status, _, body) = post_raw_as(&app, Some(&org.hr), None, "application/json", batch).await;
    assert_eq!(status, 400, "{body}");
    let array_variables = json!({ "query": CREATE_CYCLE, "variables": [1] })
        .to_string()
        .into_bytes();
    let (status, _, body) = post_raw_as(
        &app,
        Some(&org.hr),
        None,
        "application/json",
        array_variables,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(app.count("cycle").await, cycles);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_is_not_json_is_refused_with_415() {
    let app = spawn_app().await;
    let (status, _, body) = post_raw(&app, None, "text/plain", b"{ me { name } }".to_vec()).await;
    assert_eq!(status, 415, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_body_is_refused_with_413_and_writes_nothing() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let goals = app.count("goal").await;
    // A goal Alice may create, pushed past the limit by padding the server ignores.
    let body = json!({
        "query": "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }",
        "variables": { "input": goal_input(&cycle, json!({})) },
        "extensions": { "padding": "x".repeat(200_000) },
    });
    let (status, _, _) = post_raw_as(
        &app,
        Some(&org.alice),
        None,
        "application/json",
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(app.count("goal").await, goals);
}

#[tokio::test(flavor = "multi_thread")]
async fn validation_errors_are_400_with_graphql_response_json_and_200_with_json() {
    let app = spawn_app().await;
    let org = app.org().await;
    let query = json!({ "query": "{ me { nmae } }" })
        .to_string()
        .into_bytes();
    let (status, ct, body) =
        post_raw(&app, Some(GQL_RESPONSE), "application/json", query.clone()).await;
    assert_eq!(status, 400, "{body}");
    assert!(ct.starts_with(GQL_RESPONSE), "{ct}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("nmae")
    );
    let (status, ct, body) =
        post_raw(&app, Some("application/json"), "application/json", query).await;
    assert_eq!(status, 200, "{body}");
    assert!(ct.starts_with("application/json"), "{ct}");
    let (status, _, body) = post_raw(
        &app,
        Some(GQL_RESPONSE),
        "application/json",
        json!({ "query": "{ me { " }).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );
    // Variables of the wrong type are a request error too.
    let bad_vars = json!({ "query": "query($id: ID!) { goal(id: $id) { id } }", "variables": { "id": { "no": 1 } } });
    let (status, _, body) = post_raw(
        &app,
        Some(GQL_RESPONSE),
        "application/json",
        bad_vars.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // An execution error is still a 200: the request was fine.
    let r = app
        .gql(
            Some(&org.alice),
            "{ goal(id: \"00000000-0000-0000-0000-000000000000\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200);
    r.assert_error("NOT_FOUND", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_input_fields_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let r = app
        .create_goal(&org.alice, &cycle, json!({ "priority": "HIGH" }))
        .await;
    r.assert_error("GRAPHQL_VALIDATION_FAILED", None);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("priority"),
        "{}",
        r.body
    );
    assert_eq!(app.count("goal").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unacceptable_accept_header_is_a_406() {
    let app = spawn_app().await;
    let (status, _, _) = post_raw(
        &app,
        Some("application/xml"),
        "application/json",
        json!({ "query": "{ me { name } }" })
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(status, 406);
}

#[tokio::test(flavor = "multi_thread")]
async fn queries_run_over_get_but_mutations_do_not() {
    let app = spawn_app().await;
    let org = app.org().await;
    let res = app
        .http
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "{ me { email } }")])
        .bearer_auth(&org.alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["me"]["email"], "alice@t.io");
    let res = app
        .http
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "mutation { createCycle(input: {name: \"x\", startsOn: \"2027-01-01\", endsOn: \"2027-12-31\", reviewOpensOn: \"2027-11-01\", reviewDueOn: \"2027-12-01\"}) { id } }")])
        .bearer_auth(&org.hr)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(
        res.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    assert_eq!(app.count("cycle").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_gets_graphiql() {
    let app = spawn_app().await;
    let res = app
        .http
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("graphiql"));
}

#[tokio::test(flavor = "multi_thread")]
async fn too_deep_and_too_large_queries_are_refused() {
    let app = spawn_app().await;
    let org = app.org().await;
    let deep = format!(
        "{{ me {} name {} }}",
        "{ manager ".repeat(14),
        "}".repeat(14)
    );
    let r = app.gql(Some(&org.alice), &deep, json!({})).await;
    r.assert_error("GRAPHQL_VALIDATION_FAILED", None);
    let r = app
        .gql(
            Some(&org.alice),
            "{ employees(first: 1000) { totalCount } }",
            json!({}),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("first"));
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_ids_and_cursors_are_bad_input() {
    let app = spawn_app().await;
    let org = app.org().await;
    let r = app
        .gql(Some(&org.alice), "{ goal(id: \"42\") { id } }", json!({}))
        .await;
    r.assert_error("BAD_USER_INPUT", Some("id"));
    let r = app
        .gql(
            Some(&org.alice),
            "{ employees(after: \"bogus\") { totalCount } }",
            json!({}),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("after"));
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_details_never_reach_the_client() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    app.goal_id(&org.alice, &cycle, json!({})).await;
    // Break the database under the app: the client learns only that something failed.
    sea_orm::ConnectionTrait::execute_unprepared(&app.ctx.db, "DROP TABLE goal_revision")
        .await
        .unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(&app.ctx.db, "DROP TABLE key_result")
        .await
        .unwrap();
    let r = app
        .gql(
            Some(&org.hr),
            "{ goals { edges { node { keyResults { id } } } } }",
            json!({}),
        )
        .await;
    let text = r.body.to_string();
    assert_eq!(r.code(), "INTERNAL", "{text}");
    assert!(!text.to_lowercase().contains("key_result"), "{text}");
    assert!(!text.to_lowercase().contains("sql"), "{text}");
    let r = app
        .gql(
            Some(&org.hr),
            "{ goals { edges { node { id } } totalCount } }",
            json!({}),
        )
        .await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
}
