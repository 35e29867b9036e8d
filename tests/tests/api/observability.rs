//! What operators see: request ids on responses and in logs (and on the jobs a request
//! queues), JSON log lines, `/metrics` (requests by operation, jobs, queue depths, e-mails,
//! WebSockets, the database pool) and the Grafana dashboard built on it.

use crate::http::post_raw_as;
use perfcycle_tests::spawn_app;
use serde_json::{Value, json};

/// The value of the metric line that starts with `series `, if there is one.
fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_time_requests_by_operation_name_with_a_bounded_label_set() {
    let app = spawn_app().await;
    let org = app.org().await;
    for _ in 0..3 {
        app.gql(Some(&org.alice), "query Mine { me { name } }", json!({}))
            .await
            .data();
    }
    app.gql(Some(&org.alice), "{ me { name } }", json!({}))
        .await
        .data();
    // An operationName the document does not define shares the unnamed label.
    let body = json!({ "query": "query Mine { me { name } }", "operationName": "Nope" });
    post_raw_as(
        &app,
        Some(&org.alice),
        None,
        "application/json",
        serde_json::to_vec(&body).unwrap(),
    )
    .await;
    let text = app.metrics_text().await;
    assert_eq!(
        metric(
            &text,
            "perfcycle_graphql_operation_seconds_count{operation=\"Mine\"}"
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "perfcycle_graphql_operation_seconds_bucket{operation=\"Mine\",le=\"+Inf\"}"
        ),
        Some(3.0)
    );
    assert_eq!(
        metric(
            &text,
            "perfcycle_graphql_operation_seconds_count{operation=\"_unnamed\"}"
        ),
        Some(2.0),
        "{text}"
    );
    // A client inventing names cannot grow the label set without bound.
    for i in 0..120 {
        app.gql(
            Some(&org.alice),
            &format!("query Op{i} {{ me {{ name }} }}"),
            json!({}),
        )
        .await
        .data();
    }
    let text = app.metrics_text().await;
    let labels = text
        .lines()
        .filter(|l| l.starts_with("perfcycle_graphql_operation_seconds_count{"))
        .count();
    assert_eq!(labels, 101, "{text}");
    assert!(
        metric(
            &text,
            "perfcycle_graphql_operation_seconds_count{operation=\"_other\"}"
        )
        .is_some_and(|n| n >= 22.0),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_jobs_by_kind_and_show_the_email_queue_depth() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let goal = app.goal_id(&org.alice, &cycle, json!({})).await;
    app.goal_action(&org.alice, "proposeGoal", &goal)
        .await
        .data();
    // The job guard the worker pool runs every handler in, in this process.
    let kind = "metrics_test_job";
    let _: Result<(), worker::pool::JobError> =
        worker::job_stats::guard(kind, async { Ok(()) }).await;
    let _: Result<(), worker::pool::JobError> = worker::job_stats::guard(kind, async {
        Err(worker::pool::JobError::Transient("smtp refused".into()))
    })
    .await;
    let text = app.metrics_text().await;
    let series = |m: &str| metric(&text, &format!("{m}{{kind=\"{kind}\"}}"));
    assert_eq!(series("perfcycle_jobs_total"), Some(2.0), "{text}");
    assert_eq!(series("perfcycle_job_failures_total"), Some(1.0));
    assert_eq!(series("perfcycle_job_panics_total"), Some(0.0));
    assert_eq!(series("perfcycle_job_seconds_count"), Some(2.0));
    // The manager's "goal proposed" e-mail waits in the outbox.
    assert_eq!(
        metric(&text, "perfcycle_email_queue_depth{status=\"PENDING\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "perfcycle_email_queue_depth{status=\"SENDING\"}"),
        Some(0.0)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_response_carries_a_request_id_the_caller_may_supply() {
    let app = spawn_app().await;
    let id_of = |res: &reqwest::Response| {
        res.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let send = |id: Option<&'static str>| {
        let mut req = app
            .http
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ me { email } }" }));
        if let Some(id) = id {
            req = req.header("x-request-id", id);
        }
        req.send()
    };
    // Fresh ids: time-ordered UUIDs, one per request.
    let first = id_of(&send(None).await.unwrap());
    let second = id_of(&send(None).await.unwrap());
    let parsed = uuid::Uuid::parse_str(&first).map(|u| u.get_version_num());
    assert_eq!(parsed, Ok(7), "{first}");
    assert_ne!(first, second);
    // A load balancer's id is kept; one that is not a plain short token is replaced.
    assert_eq!(
        id_of(&send(Some("lb-7f3a.trace_1")).await.unwrap()),
        "lb-7f3a.trace_1"
    );
    for bad in ["two words", "<script>", "ünïcode"] {
        let res = app
            .http
            .post(format!("{}/graphql", app.address))
            .header(
                "x-request-id",
                reqwest::header::HeaderValue::from_bytes(bad.as_bytes()).unwrap(),
            )
            .json(&json!({ "query": "{ me { email } }" }))
            .send()
            .await
            .unwrap();
        let id = id_of(&res);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{bad:?} gave {id:?}");
    }
    // Probes and refusals carry one too.
    for path in ["/healthz", "/nowhere"] {
        let res = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert!(uuid::Uuid::parse_str(&id_of(&res)).is_ok(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_records_the_request_that_queued_it_and_counts_in_the_job_queue() {
    use perfcycle_tests::reviews::LAUNCH;
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let (_, round) = app.prepared_round(&org.hr, &cycle, json!({})).await;
    let res = app
        .http
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&org.hr)
        .header("x-request-id", "launch-from-ui-42")
        .json(&json!({ "query": LAUNCH, "variables": { "r": round } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let jobs = entity::background_job::Entity::find()
        .all(&app.ctx.db)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].request_id.as_deref(), Some("launch-from-ui-42"));

    let text = app.metrics_text().await;
    let depth = |text: &str, status: &str| {
        metric(
            text,
            &format!("perfcycle_job_queue_depth{{status=\"{status}\"}}"),
        )
    };
    assert_eq!(depth(&text, "QUEUED"), Some(1.0), "{text}");
    assert_eq!(depth(&text, "RUNNING"), Some(0.0));
    for outcome in ["sent", "retry", "failed"] {
        let series = format!("perfcycle_emails_total{{outcome=\"{outcome}\"}}");
        assert!(metric(&text, &series).is_some(), "no {series} in {text}");
    }
    app.run_jobs().await;
    let text = app.metrics_text().await;
    assert_eq!(depth(&text, "QUEUED"), Some(0.0), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_jobs_log_lines_name_the_request_that_queued_it() {
    use perfcycle_tests::process::{start_logged, wait_healthy};
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let (_, round) = app.prepared_round(&org.hr, &cycle, json!({})).await;
    let dir = std::env::temp_dir().join(format!("perfcycle-logs-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let json_logs = [("PERFCYCLE_LOG_FORMAT", "json"), ("RUST_LOG", "info")];
    let mut serve_env = vec![
        ("PERFCYCLE_PORT", port.as_str()),
        ("PERFCYCLE_EMBEDDED_WORKER", "false"),
    ];
    serve_env.extend(json_logs);
    let mut serve = start_logged(&app, "serve", &serve_env, Some(&dir.join("serve.log")));
    let address = format!("http://127.0.0.1:{port}");
    wait_healthy(&address).await;
    let res = app
        .http
        .post(format!("{address}/graphql"))
        .bearer_auth(&org.hr)
        .header("x-request-id", "trace-launch-7")
        .json(&json!({
            "query": "mutation Launch($r: ID!) { launchReviews(roundId: $r) { id } }",
            "variables": { "r": round },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut worker_env = vec![("PERFCYCLE_JOB_SCHEDULE", "* * * * * *")];
    worker_env.extend(json_logs);
    let mut worker = start_logged(&app, "worker", &worker_env, Some(&dir.join("worker.log")));
    let started = std::time::Instant::now();
    while app.count("background_job WHERE status = 'DONE'").await < 1 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the worker did not finish the launch in 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for p in [&mut serve, &mut worker] {
        p.kill().ok();
        p.wait().ok();
    }
    let lines = |file: &str| -> Vec<Value> {
        std::fs::read_to_string(dir.join(file))
            .unwrap()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    };
    let (served, worked) = (lines("serve.log"), lines("worker.log"));
    std::fs::remove_dir_all(&dir).ok();
    let hr = app.id_of("hr@t.io").await;
    let access = served
        .iter()
        .find(|l| {
            l["fields"]["message"] == "request served"
                && l["span"]["request_id"] == "trace-launch-7"
        })
        .unwrap_or_else(|| panic!("no access line for the request in {served:#?}"));
    assert_eq!(access["span"]["operation"], "Launch", "{access}");
    assert_eq!(access["span"]["user"], hr.as_str(), "{access}");
    assert_eq!(access["fields"]["status"], 200, "{access}");
    let done = worked
        .iter()
        .find(|l| l["fields"]["message"] == "background job finished")
        .unwrap_or_else(|| panic!("no job line in {worked:#?}"));
    assert_eq!(done["span"]["request_id"], "trace-launch-7", "{done}");
    assert!(done["span"]["job.kind"].is_string(), "{done}");
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_show_open_websockets_and_the_database_pool() {
    let app = spawn_app().await;
    let org = app.org().await;
    assert_eq!(app.metric("perfcycle_websocket_connections").await, 0);
    // The tests' pool holds four connections.
    assert_eq!(app.metric("perfcycle_db_pool_max_connections").await, 4);
    // Both from one scrape: connections move between busy and idle from one to the next.
    let text = app.metrics_text().await;
    let busy = metric(&text, "perfcycle_db_pool_connections{state=\"busy\"}").unwrap();
    let idle = metric(&text, "perfcycle_db_pool_connections{state=\"idle\"}").unwrap();
    assert!(busy + idle <= 4.0, "{busy} busy, {idle} idle");
    let mut ws = app.ws(perfcycle_tests::ws::TRANSPORT_WS).await;
    ws.init(&org.hr).await;
    assert_eq!(app.metric("perfcycle_websocket_connections").await, 1);
    // A connection that ends is no longer counted.
    ws.send_raw("not json").await;
    assert_eq!(ws.closed().await.0, 4400);
    let started = std::time::Instant::now();
    while app.metric("perfcycle_websocket_connections").await != 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_grafana_dashboard_graphs_only_metrics_the_server_exposes() {
    let app = spawn_app().await;
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/grafana-dashboard.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let exposition = app.metrics_text().await;
    let mut graphed = std::collections::BTreeSet::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            let mut rest = expr;
            while let Some(at) = rest.find("perfcycle_") {
                let name: String = rest[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                rest = &rest[at + name.len()..];
                graphed.insert(name.trim_end_matches("_bucket").to_owned());
            }
        }
    }
    assert!(graphed.len() >= 10, "{graphed:?}");
    for name in &graphed {
        assert!(
            exposition.contains(&format!("# TYPE {name} ")),
            "the dashboard graphs {name}, which /metrics does not expose"
        );
    }
}
