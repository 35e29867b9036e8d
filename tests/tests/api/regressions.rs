//! Defects found in review, each pinned by a test.

use perfcycle_tests::spawn_app;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_single_named_mutation_over_get_is_refused() {
    let app = spawn_app().await;
    let org = app.org().await;
    let res = app
        .http
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "mutation Make { createCycle(input: {name: \"x\", startsOn: \"2027-01-01\", endsOn: \"2027-12-31\", reviewOpensOn: \"2027-11-01\", reviewDueOn: \"2027-12-01\"}) { id } }")])
        .bearer_auth(&org.hr)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(app.count("cycle").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_operation_name_is_a_request_error() {
    let app = spawn_app().await;
    let org = app.org().await;
    let res = app
        .http
        .post(format!("{}/graphql", app.address))
        .header("accept", "application/graphql-response+json")
        .bearer_auth(&org.alice)
        .json(&json!({ "query": "query A { me { name } }", "operationName": "B" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_cursor_is_bad_input_not_a_crash() {
    let app = spawn_app().await;
    let org = app.org().await;
    use base64::Engine;
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("o:18446744073709551615");
    let r = app
        .gql(
            Some(&org.alice),
            "query($a: String) { employees(after: $a) { totalCount } }",
            json!({ "a": cursor }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("after"));
}

#[tokio::test(flavor = "multi_thread")]
async fn key_result_values_are_limited_in_precision_so_progress_cannot_overflow() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let r = app
        .create_goal(&org.alice, &cycle, json!({ "keyResults": [{ "metric": "m", "unit": "u", "direction": "INCREASE", "startValue": "0", "targetValue": "0.0000000000000000000000000001" }] }))
        .await;
    r.assert_error("BAD_USER_INPUT", Some("keyResults[0].targetValue"));
    app.create_goal(&org.alice, &cycle, json!({ "keyResults": [{ "metric": "m", "unit": "u", "direction": "INCREASE", "startValue": "0", "targetValue": "0.000001" }] }))
        .await
        .data();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_hr_admin_cannot_agree_or_revise_their_own_goal() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let id = app.goal_id(&org.hr, &cycle, json!({ "weight": 100 })).await;
    app.goal_action(&org.hr, "proposeGoal", &id).await.data();
    app.goal_action(&org.hr, "agreeGoal", &id)
        .await
        .assert_error("FORBIDDEN", None);
    // Their manager can.
    app.goal_action(&org.ceo, "agreeGoal", &id).await.data();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_who_may_not_edit_hears_forbidden_not_conflict() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let team = app
        .agreed_goal(
            &org.mgr,
            &org.ceo,
            &cycle,
            json!({ "level": "TEAM", "weight": 100 }),
        )
        .await
        .goal_id;
    let r = app
        .gql(
            Some(&org.carol),
            "mutation($id: ID!) { updateGoal(input: {id: $id, title: \"mine now\"}) { id } }",
            json!({ "id": team }),
        )
        .await;
    r.assert_error("FORBIDDEN", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_is_frozen_once_the_cycle_leaves_active() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let kr = app
        .agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await
        .key_result_id;
    app.advance_cycle(&org.hr, &cycle, "REVIEW").await;
    let r = app
        .gql(
            Some(&org.alice),
            "mutation($id: ID!) { updateKeyResultValue(input: {keyResultId: $id, value: \"100\"}) { keyResult { id } } }",
            json!({ "id": kr }),
        )
        .await;
    r.assert_error("CONFLICT", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn reimport_can_move_someone_under_a_new_hire_and_blank_roles_keep_hr() {
    let app = spawn_app().await;
    let org = app.org().await;
    let csv = "email,name,title,department,manager_email,role,hired_on,timezone\n\
               newlead@t.io,Nova Lead,Team Lead,Engineering,mgr@t.io,,2027-02-01,UTC\n\
               bob@t.io,Bob Baker,Engineer,Engineering,newlead@t.io,,2019-01-01,Asia/Kolkata\n\
               hr@t.io,Hank Hr,HR,People,ceo@t.io,,2016-01-01,Europe/Berlin\n";
    domain::import::employees(&app.ctx, csv.as_bytes())
        .await
        .unwrap();
    let r = app
        .gql(Some(&org.bob), "{ me { manager { email } } }", json!({}))
        .await;
    assert_eq!(r.data()["me"]["manager"]["email"], "newlead@t.io");
    let r = app.gql(Some(&org.hr), "{ me { role } }", json!({})).await;
    assert_eq!(r.data()["me"]["role"], "HR_ADMIN");
}
