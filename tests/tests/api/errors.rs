//! What a client learns when a request fails: its own mistakes in detail, ours only as
//! `INTERNAL` with a reference to the logs.

use perfcycle_tests::{Gql, TestApp, spawn_app};
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;
use uuid::Uuid;

/// Drops `table` under the running app, as a failing database would look to a resolver.
async fn drop_table(app: &TestApp, table: &str) {
    let sql = match app.ctx.db.get_database_backend() {
        DbBackend::Postgres => format!("DROP TABLE {table} CASCADE"),
        _ => format!("DROP TABLE {table}"),
    };
    app.ctx
        .db
        .execute_unprepared(&sql)
        .await
        .unwrap_or_else(|e| panic!("cannot drop {table}: {e}"));
}

/// Asserts the first error is INTERNAL and its message is a reference and nothing else.
fn assert_masked_internal(r: &Gql) {
    r.assert_error("INTERNAL", None);
    let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    let reference = message
        .strip_prefix("internal error (reference ")
        .and_then(|m| m.strip_suffix(')'));
    assert!(
        reference.is_some_and(|id| Uuid::parse_str(id).is_ok()),
        "{}",
        r.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn argument_values_that_do_not_coerce_are_bad_user_input() {
    let app = spawn_app().await;
    let org = app.org().await;
    let mgr = app.employee("mgr@t.io").await;
    let r = app
        .gql(
            Some(&org.mgr),
            r#"query($m: ID!) { teamCheckIns(managerId: $m, day: "2027-02-30") { day } }"#,
            json!({ "m": mgr.id.to_string() }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", None);
    assert!(r.body.to_string().contains("NaiveDate"), "{}", r.body);
    let r = app
        .gql(
            Some(&org.alice),
            "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(input: {keyResultId: $id, value: $v}) { keyResult { id } } }",
            json!({ "id": Uuid::new_v4().to_string(), "v": "a lot" }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", None);
    assert!(r.body.to_string().contains("Decimal"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_whose_table_is_gone_answers_internal_with_only_a_reference() {
    let app = spawn_app().await;
    let org = app.org().await;
    drop_table(&app, "cycle").await;
    let r = app
        .gql(Some(&org.hr), "{ cycles { id name } }", json!({}))
        .await;
    assert_masked_internal(&r);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["errors"][0]["path"], json!(["cycles"]), "{}", r.body);
    let create = "mutation($input: CreateCycleInput!) { createCycle(input: $input) { id } }";
    let input = json!({ "input": { "name": "FY", "startsOn": "2027-01-01", "endsOn": "2027-12-31", "reviewOpensOn": "2027-11-01", "reviewDueOn": "2027-12-01" } });
    let r = app.gql(Some(&org.hr), create, input).await;
    assert_masked_internal(&r);
}
