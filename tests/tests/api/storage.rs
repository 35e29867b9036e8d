//! The embedded default's storage fails: the SQLite file cannot grow (a full disk, as SQLite
//! sees it: `SQLITE_FULL`). A write that does not fit is refused as `INTERNAL` with a
//! reference, leaves nothing half-written, and the server goes on answering; once there is
//! room again the same write succeeds.

use perfcycle_tests::{TestApp, backend, goal_input, spawn_app};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

/// Sets `PRAGMA max_page_count` on every connection of the app's pool (four, in tests): holding
/// them all at once reaches each one.
async fn limit_pages(app: &TestApp, pages: &str) {
    let mut held = Vec::new();
    for _ in 0..4 {
        let txn = app.ctx.db.begin().await.unwrap();
        txn.execute_unprepared(&format!("PRAGMA max_page_count = {pages}"))
            .await
            .unwrap();
        held.push(txn);
    }
    for txn in held {
        txn.commit().await.unwrap();
    }
}

const CREATE: &str = "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_full_database_refuses_the_write_clearly_and_keeps_nothing_of_it() {
    if backend() != "sqlite" {
        // The embedded default's file; PostgreSQL's storage is the operator's.
        return;
    }
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let page_count = app
        .ctx
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.ctx.db.get_database_backend(),
            "PRAGMA page_count",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    // Room for a few more pages.
    limit_pages(&app, &(page_count + 16).to_string()).await;

    // Goals with long descriptions until one no longer fits.
    let description = "x".repeat(4900);
    let mut refused = None;
    for i in 0..500 {
        let input = goal_input(
            &cycle,
            json!({ "title": format!("Goal {i}"), "description": description, "weight": 1 }),
        );
        let r = app
            .gql(Some(&org.alice), CREATE, json!({ "input": input }))
            .await;
        if r.body["errors"].is_array() {
            refused = Some((i, r, input));
            break;
        }
    }
    let (i, r, input) = refused.expect("the database never filled up");
    eprintln!("full database: goal {i} did not fit");
    assert_eq!(r.code(), "INTERNAL", "{}", r.body);
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("reference"), "{message}");
    assert!(
        !message.to_lowercase().contains("sqlite"),
        "details leaked: {message}"
    );
    // Nothing of it: its goal, key results, events, e-mails and audit entries are absent.
    let (goals, key_results) = (app.count("goal").await, app.count("key_result").await);
    assert_eq!(goals, i64::from(i));
    assert!(goals > 0, "not even one goal fitted in 16 pages");
    assert_eq!(key_results, goals);
    assert_eq!(
        app.count(&format!("goal WHERE title = 'Goal {i}'")).await,
        0
    );
    // Reads go on.
    app.assert_still_answers(&org.alice).await;

    // Room again: the same write succeeds.
    limit_pages(&app, "1073741823").await;
    let r = app
        .gql(Some(&org.alice), CREATE, json!({ "input": input }))
        .await;
    assert!(r.data()["createGoal"]["id"].is_string());
    assert_eq!(app.count("goal").await, goals + 1);
}
