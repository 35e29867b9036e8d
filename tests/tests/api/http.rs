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
pub(crate) async fn post_raw_as(
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

/// The raw body of a POST, as text.
async fn raw_text(app: &perfcycle_tests::TestApp, token: &str, query: &str) -> String {
    app.http
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn fields_come_back_in_the_order_the_query_asked_for_them() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    app.goal_id(&org.alice, &cycle, json!({})).await;
    // Not the order of the types' fields, nor alphabetical, and a field named twice.
    let query = "{ goals { totalCount edges { node { status progress keyResults { unit progress metric } title id progress } } } me { title email name } }";
    let text = raw_text(&app, &org.alice, query).await;
    let node = text.find("\"node\"").unwrap();
    let keys = [
        "\"status\"",
        "\"progress\"",
        "\"keyResults\"",
        "\"unit\"",
        "\"metric\"",
        "\"title\"",
        "\"id\"",
    ];
    let at: Vec<usize> = keys
        .iter()
        .map(|k| {
            node + text[node..]
                .find(k)
                .unwrap_or_else(|| panic!("{k} in {text}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    let me = text.find("\"me\"").unwrap();
    let (t, e, n) = (
        me + text[me..].find("\"title\"").unwrap(),
        me + text[me..].find("\"email\"").unwrap(),
        me + text[me..].find("\"name\"").unwrap(),
    );
    assert!(t < e && e < n, "{text}");
    assert!(text.find("\"totalCount\"").unwrap() < text.find("\"edges\"").unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn extensions_that_is_not_an_object_is_a_400() {
    let app = spawn_app().await;
    let org = app.org().await;
    for extensions in [json!("x"), json!([1]), json!(3), json!(true)] {
        let body = json!({ "query": "{ me { name } }", "extensions": extensions });
        let (status, _, body) = post_raw_as(
            &app,
            Some(&org.alice),
            Some(GQL_RESPONSE),
            "application/json",
            serde_json::to_vec(&body).unwrap(),
        )
        .await;
        assert_eq!(status, 400, "{extensions}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
        assert!(body.get("data").is_none(), "{body}");
    }
    let res = app
        .http
        .get(format!(
            "{}/graphql?query=%7B%20me%20%7B%20name%20%7D%20%7D&extensions=%5B1%5D",
            app.address
        ))
        .bearer_auth(&org.alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    // An object, or null, is accepted.
    for extensions in [json!({ "persistedQuery": null }), Value::Null] {
        let body = json!({ "query": "{ me { name } }", "extensions": extensions });
        let (status, _, body) = post_raw_as(
            &app,
            Some(&org.alice),
            Some(GQL_RESPONSE),
            "application/json",
            serde_json::to_vec(&body).unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["me"]["name"], "Alice Able");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_document_that_fails_to_parse_or_validate_has_no_data_entry() {
    let app = spawn_app().await;
    let org = app.org().await;
    for (query, code) in [
        ("{ me { name ", "GRAPHQL_PARSE_FAILED"),
        ("{ me { nickname } }", "GRAPHQL_VALIDATION_FAILED"),
    ] {
        for accept in [GQL_RESPONSE, "application/json"] {
            let (status, _, body) = post_raw_as(
                &app,
                Some(&org.alice),
                Some(accept),
                "application/json",
                serde_json::to_vec(&json!({ "query": query })).unwrap(),
            )
            .await;
            let expected = if accept == GQL_RESPONSE { 400 } else { 200 };
            assert_eq!(status, expected, "{query} as {accept}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
            assert!(body.get("data").is_none(), "{query} as {accept}: {body}");
        }
    }
    // A field error during execution keeps `data`.
    let r = app.gql(None, "{ me { name } }", json!({})).await;
    r.assert_error("UNAUTHENTICATED", None);
    assert!(r.body.get("data").is_some(), "{}", r.body);
}
