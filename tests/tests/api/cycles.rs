use perfcycle_tests::spawn_app;
use serde_json::json;

const ADVANCE: &str = "mutation($id: ID!, $to: CyclePhase!) { advanceCyclePhase(input: {id: $id, to: $to}) { phase nextPhase } }";

#[tokio::test(flavor = "multi_thread")]
async fn hr_runs_a_cycle_through_every_phase_and_each_move_is_audited() {
    let app = spawn_app().await;
    let org = app.org().await;
    let id = app.planning_cycle(&org.hr, "FY2027").await;
    for to in ["ACTIVE", "REVIEW", "CALIBRATION", "REWARDING", "CLOSED"] {
        let r = app
            .gql(Some(&org.hr), ADVANCE, json!({ "id": id, "to": to }))
            .await;
        assert_eq!(r.data()["advanceCyclePhase"]["phase"], to);
    }
    let r = app
        .gql(
            Some(&org.hr),
            &format!("{{ cycle(id: \"{id}\") {{ phase nextPhase }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(r.data()["cycle"]["nextPhase"], serde_json::Value::Null);
    let audited = app.count("audit_log WHERE action = 'cycle.advance'").await;
    assert_eq!(audited, 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn phases_move_forward_one_step_only() {
    let app = spawn_app().await;
    let org = app.org().await;
    let id = app.planning_cycle(&org.hr, "FY2027").await;
    let r = app
        .gql(Some(&org.hr), ADVANCE, json!({ "id": id, "to": "REVIEW" }))
        .await;
    r.assert_error("CONFLICT", None);
    app.gql(Some(&org.hr), ADVANCE, json!({ "id": id, "to": "ACTIVE" }))
        .await
        .data();
    // A repeated click is a conflict, not a second move; backwards is refused too.
    let r = app
        .gql(Some(&org.hr), ADVANCE, json!({ "id": id, "to": "ACTIVE" }))
        .await;
    r.assert_error("CONFLICT", None);
    let r = app
        .gql(
            Some(&org.hr),
            ADVANCE,
            json!({ "id": id, "to": "PLANNING" }),
        )
        .await;
    r.assert_error("CONFLICT", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_hr_may_create_change_or_advance_cycles() {
    let app = spawn_app().await;
    let org = app.org().await;
    let id = app.planning_cycle(&org.hr, "FY2027").await;
    for token in [&org.mgr, &org.alice, &org.ceo] {
        let r = app
            .gql(
                Some(token),
                "mutation { createCycle(input: {name: \"x\", startsOn: \"2027-01-01\", endsOn: \"2027-12-31\", reviewOpensOn: \"2027-11-01\", reviewDueOn: \"2027-12-01\"}) { id } }",
                json!({}),
            )
            .await;
        r.assert_error("FORBIDDEN", None);
        let r = app
            .gql(Some(token), ADVANCE, json!({ "id": id, "to": "ACTIVE" }))
            .await;
        r.assert_error("FORBIDDEN", None);
        let r = app
            .gql(
                Some(token),
                "mutation($id: ID!) { updateCycle(input: {id: $id, name: \"y\"}) { id } }",
                json!({ "id": id }),
            )
            .await;
        r.assert_error("FORBIDDEN", None);
    }
    assert_eq!(app.count("cycle").await, 1);
    let r = app
        .gql(Some(&org.alice), "{ cycles { name phase } }", json!({}))
        .await;
    assert_eq!(r.data()["cycles"][0]["phase"], "PLANNING");
}

#[tokio::test(flavor = "multi_thread")]
async fn cycle_dates_are_checked() {
    let app = spawn_app().await;
    let org = app.org().await;
    let create = "mutation($input: CreateCycleInput!) { createCycle(input: $input) { id } }";
    let base = json!({ "name": "FY", "startsOn": "2027-01-01", "endsOn": "2027-12-31", "reviewOpensOn": "2027-11-01", "reviewDueOn": "2027-12-01" });
    let cases = [
        ("endsOn", json!({ "endsOn": "2026-12-31" })),
        ("reviewOpensOn", json!({ "reviewOpensOn": "2026-11-01" })),
        ("reviewDueOn", json!({ "reviewDueOn": "2027-10-01" })),
        ("name", json!({ "name": "   " })),
        ("name", json!({ "name": "n".repeat(121) })),
    ];
    for (field, change) in cases {
        let mut input = base.clone();
        for (k, v) in change.as_object().into_iter().flatten() {
            input[k] = v.clone();
        }
        let r = app
            .gql(Some(&org.hr), create, json!({ "input": input }))
            .await;
        r.assert_error("BAD_USER_INPUT", Some(field));
    }
    let r = app.gql(Some(&org.hr), create, json!({ "input": { "name": "FY", "startsOn": "2027-02-30", "endsOn": "2027-12-31", "reviewOpensOn": "2027-11-01", "reviewDueOn": "2027-12-01" } })).await;
    r.assert_error("BAD_USER_INPUT", None);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("NaiveDate"),
        "{}",
        r.body
    );
    assert_eq!(app.count("cycle").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cycle_cannot_shrink_past_its_goals() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    app.goal_id(&org.alice, &cycle, json!({ "dueOn": "2027-09-30" }))
        .await;
    let update =
        "mutation($input: UpdateCycleInput!) { updateCycle(input: $input) { name endsOn } }";
    let r = app.gql(Some(&org.hr), update, json!({ "input": { "id": cycle, "endsOn": "2027-08-31", "reviewOpensOn": "2027-08-01", "reviewDueOn": "2027-08-20" } })).await;
    r.assert_error("CONFLICT", None);
    let r = app
        .gql(
            Some(&org.hr),
            update,
            json!({ "input": { "id": cycle, "name": "FY27" } }),
        )
        .await;
    assert_eq!(r.data()["updateCycle"]["name"], "FY27");
    assert_eq!(r.data()["updateCycle"]["endsOn"], "2027-12-31");
}
