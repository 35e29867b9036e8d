//! List filters a team or HR view needs: goals by subtree, department and levels; check-ins
//! by manager and department; feedback by kind. Each keeps the read rules of its list.

use perfcycle_tests::{TestApp, spawn_app};
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn owners(app: &TestApp, token: &str, filter: Value) -> BTreeSet<String> {
    let r = app
        .gql(
            Some(token),
            "query($f: GoalFilter) { goals(first: 100, filter: $f) { nodes { owner { email } } } }",
            json!({ "f": filter }),
        )
        .await;
    r.data()["goals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["owner"]["email"].as_str().unwrap().to_owned())
        .collect()
}

fn set(emails: &[&str]) -> BTreeSet<String> {
    emails.iter().map(|e| (*e).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn goals_filter_by_subtree_department_and_levels_within_the_read_rules() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    for token in [
        &org.ceo, &org.mgr, &org.alice, &org.lead, &org.dave, &org.carol,
    ] {
        app.goal_id(token, &cycle, json!({})).await;
    }
    app.goal_id(&org.mgr, &cycle, json!({ "level": "TEAM" }))
        .await;
    let id = |email: &str| {
        let app = &app;
        let email = email.to_owned();
        async move { app.employee(&email).await.id.to_string() }
    };
    let (mgr, lead) = (id("mgr@t.io").await, id("lead@t.io").await);
    let engineering = app
        .employee("mgr@t.io")
        .await
        .department_id
        .unwrap()
        .to_string();
    assert_eq!(
        owners(&app, &org.hr, json!({ "subtreeOf": mgr })).await,
        set(&["alice@t.io", "dave@t.io", "lead@t.io", "mgr@t.io"])
    );
    assert_eq!(
        owners(&app, &org.hr, json!({ "subtreeOf": lead })).await,
        set(&["dave@t.io", "lead@t.io"])
    );
    assert_eq!(
        owners(&app, &org.hr, json!({ "departmentId": engineering })).await,
        set(&["alice@t.io", "dave@t.io", "lead@t.io", "mgr@t.io"])
    );
    // Levels: one or several.
    assert_eq!(
        owners(&app, &org.hr, json!({ "level": "TEAM" })).await,
        set(&["mgr@t.io"])
    );
    assert_eq!(
        owners(
            &app,
            &org.hr,
            json!({ "level": ["TEAM", "INDIVIDUAL"], "subtreeOf": lead })
        )
        .await,
        set(&["dave@t.io", "lead@t.io"])
    );
    // The read rules still apply: Alice sees her own goal and Mia's team goal, not Dave's.
    assert_eq!(
        owners(&app, &org.alice, json!({ "subtreeOf": mgr })).await,
        set(&["alice@t.io", "mgr@t.io"])
    );
    // Ids that name nobody, or are not ids.
    let nobody = uuid::Uuid::new_v4().to_string();
    for (filter, field) in [
        (json!({ "subtreeOf": nobody }), "filter.subtreeOf"),
        (json!({ "subtreeOf": "x" }), "filter.subtreeOf"),
        (json!({ "departmentId": nobody }), "filter.departmentId"),
    ] {
        app.gql(
            Some(&org.hr),
            "query($f: GoalFilter) { goals(filter: $f) { nodes { id } } }",
            json!({ "f": filter }),
        )
        .await
        .assert_error("BAD_USER_INPUT", Some(field));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn check_ins_filter_by_manager_and_department_and_feedback_by_kind() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    app.open_check_ins().await;
    let check_ins = |token: String, filter: Value| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    Some(&token),
                    "query($f: CheckInFilter) { checkIns(first: 100, filter: $f) { nodes { employee { email } } } }",
                    json!({ "f": filter }),
                )
                .await;
            r.data()["checkIns"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["employee"]["email"].as_str().unwrap().to_owned())
                .collect::<BTreeSet<String>>()
        }
    };
    let mgr = app.employee("mgr@t.io").await.id.to_string();
    let sales = app
        .employee("carol@t.io")
        .await
        .department_id
        .unwrap()
        .to_string();
    assert_eq!(
        check_ins(org.hr.clone(), json!({ "managerId": mgr })).await,
        set(&["alice@t.io", "bob@t.io", "lead@t.io"])
    );
    assert_eq!(
        check_ins(org.hr.clone(), json!({ "departmentId": sales })).await,
        set(&["carol@t.io", "other@t.io"])
    );
    assert_eq!(
        check_ins(org.alice.clone(), json!({ "managerId": mgr })).await,
        set(&["alice@t.io"]),
        "Alice reads only her own"
    );
    app.gql(
        Some(&org.hr),
        "query($f: CheckInFilter) { checkIns(filter: $f) { nodes { id } } }",
        json!({ "f": { "departmentId": uuid::Uuid::new_v4().to_string() } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("filter.departmentId"));

    let alice = app.employee("alice@t.io").await.id.to_string();
    for (kind, body) in [("PRAISE", "Great demo"), ("FEEDBACK", "Shorter slides")] {
        app.gql(
            Some(&org.mgr),
            "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            json!({ "input": { "recipientId": alice, "kind": kind, "body": body } }),
        )
        .await
        .data();
    }
    let r = app
        .gql(
            Some(&org.alice),
            "{ feedback(filter: { kind: [PRAISE] }) { nodes { kind body } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.data()["feedback"]["nodes"],
        json!([{ "kind": "PRAISE", "body": "Great demo" }])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn goals_are_searched_by_title_within_the_read_rules() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    app.goal_id(
        &org.alice,
        &cycle,
        json!({ "title": "Cut checkout LATENCY by half" }),
    )
    .await;
    app.goal_id(
        &org.bob,
        &cycle,
        json!({ "title": "Latency budget for search" }),
    )
    .await;
    app.goal_id(
        &org.carol,
        &cycle,
        json!({ "title": "Close 100% of renewals_early" }),
    )
    .await;
    let search = |token: &str, text: &str| {
        let (token, text) = (token.to_owned(), text.to_owned());
        let app = &app;
        async move { owners(app, &token, json!({ "search": text })).await }
    };
    assert_eq!(
        search(&org.hr, "latency").await,
        set(&["alice@t.io", "bob@t.io"])
    );
    assert_eq!(
        search(&org.hr, "  Checkout latency ").await,
        set(&["alice@t.io"])
    );
    // Wildcards are text: `%` and `_` match only themselves.
    assert_eq!(search(&org.hr, "100%").await, set(&["carol@t.io"]));
    assert_eq!(search(&org.hr, "s_e").await, set(&["carol@t.io"]));
    assert_eq!(search(&org.hr, "%").await, set(&["carol@t.io"]));
    // Alice's goal is private: her peer finds only his own.
    assert_eq!(search(&org.bob, "latency").await, set(&["bob@t.io"]));
    assert_eq!(
        search(&org.mgr, "latency").await,
        set(&["alice@t.io", "bob@t.io"])
    );
    assert_eq!(search(&org.carol, "latency").await, set(&[]));
    // An empty search is no search; a long one is refused.
    assert_eq!(search(&org.hr, " ").await.len(), 3);
    app.gql(
        Some(&org.hr),
        "query($f: GoalFilter) { goals(filter: $f) { totalCount } }",
        json!({ "f": { "search": "x".repeat(201) } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("filter.search"));
}
