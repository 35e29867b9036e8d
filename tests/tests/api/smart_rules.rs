//! Every SMART rule is a BAD_USER_INPUT naming the field, and nothing is written.

use perfcycle_tests::{at, spawn_app};
use serde_json::{Value, json};

fn kr(overrides: Value) -> Value {
    let mut kr = json!({ "metric": "Signups", "unit": "users", "direction": "INCREASE", "startValue": "100", "targetValue": "150" });
    for (k, v) in overrides.as_object().into_iter().flatten() {
        kr[k] = v.clone();
    }
    kr
}

#[tokio::test(flavor = "multi_thread")]
async fn every_smart_rule_names_its_field_and_writes_nothing() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let other_cycle = app.planning_cycle(&org.hr, "FY2028").await;
    let foreign_parent = app
        .goal_id(&org.hr, &other_cycle, json!({ "level": "TEAM" }))
        .await;
    let private_parent = app.goal_id(&org.carol, &cycle, json!({})).await;
    let goals_before = app.count("goal").await;
    let krs_before = app.count("key_result").await;
    let cases: Vec<(&str, Value)> = vec![
        ("title", json!({ "title": "" })),
        ("title", json!({ "title": "   " })),
        ("title", json!({ "title": "t".repeat(201) })),
        ("description", json!({ "description": "d".repeat(5001) })),
        ("keyResults", json!({ "keyResults": [] })),
        (
            "keyResults",
            json!({ "keyResults": vec![kr(json!({})); 21] }),
        ),
        (
            "keyResults[0].metric",
            json!({ "keyResults": [kr(json!({ "metric": " " }))] }),
        ),
        (
            "keyResults[1].unit",
            json!({ "keyResults": [kr(json!({})), kr(json!({ "unit": "" }))] }),
        ),
        (
            "keyResults[0].targetValue",
            json!({ "keyResults": [kr(json!({ "targetValue": "100" }))] }),
        ),
        (
            "keyResults[0].targetValue",
            json!({ "keyResults": [kr(json!({ "direction": "DECREASE" }))] }),
        ),
        (
            "keyResults[0].targetValue",
            json!({ "keyResults": [kr(json!({ "targetValue": "1e16" }))] }),
        ),
        (
            "keyResults[0].weight",
            json!({ "keyResults": [kr(json!({ "weight": 101 }))] }),
        ),
        (
            "keyResults",
            json!({ "keyResults": [kr(json!({ "weight": 0 }))] }),
        ),
        ("weight", json!({ "weight": 0 })),
        ("weight", json!({ "weight": 101 })),
        ("dueOn", json!({ "dueOn": "2028-01-15" })),
        ("dueOn", json!({ "dueOn": "2026-12-31" })),
        ("dueOn", json!({ "dueOn": "2027-02-01" })),
        ("parentId", json!({ "parentId": foreign_parent })),
        ("parentId", json!({ "parentId": private_parent })),
        (
            "parentId",
            json!({ "parentId": uuid::Uuid::new_v4().to_string() }),
        ),
        ("visibility", json!({ "visibility": "PUBLIC" })),
        (
            "cycleId",
            json!({ "cycleId": uuid::Uuid::new_v4().to_string() }),
        ),
        ("cycleId", json!({ "cycleId": "not-an-id" })),
    ];
    for (field, input) in cases {
        let r = app.create_goal(&org.alice, &cycle, input.clone()).await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{input}: {}", r.body);
        assert_eq!(r.field(), field, "{input}: {}", r.body);
    }
    assert_eq!(app.count("goal").await, goals_before);
    assert_eq!(app.count("key_result").await, krs_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn today_is_the_owners_today() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    // 2027-03-01 23:30 UTC is already 2 March in Kolkata (Bob) but still 1 March in New York (Alice).
    app.clock.set(at("2027-03-01T23:30:00Z"));
    let r = app
        .create_goal(&org.bob, &cycle, json!({ "dueOn": "2027-03-01" }))
        .await;
    r.assert_error("BAD_USER_INPUT", Some("dueOn"));
    let r = app
        .create_goal(&org.alice, &cycle, json!({ "dueOn": "2027-03-01" }))
        .await;
    r.data();
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_are_held_to_the_same_rules() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let id = app.goal_id(&org.alice, &cycle, json!({})).await;
    let child = app
        .goal_id(&org.alice, &cycle, json!({ "parentId": id }))
        .await;
    let update = "mutation($input: UpdateGoalInput!) { updateGoal(input: $input) { title parent { id } keyResults { metric } } }";
    for (field, input) in [
        ("title", json!({ "id": id, "title": "" })),
        ("weight", json!({ "id": id, "weight": -5 })),
        ("dueOn", json!({ "id": id, "dueOn": "2025-01-01" })),
        ("keyResults", json!({ "id": id, "keyResults": [] })),
        ("parentId", json!({ "id": id, "parentId": child })),
        ("parentId", json!({ "id": id, "parentId": id })),
    ] {
        let r = app
            .gql(Some(&org.alice), update, json!({ "input": input }))
            .await;
        r.assert_error("BAD_USER_INPUT", Some(field));
    }
    let r = app
        .gql(Some(&org.alice), update, json!({ "input": { "id": child, "parentId": null, "keyResults": [kr(json!({ "metric": "Activations" }))] } }))
        .await;
    assert_eq!(r.data()["updateGoal"]["parent"], Value::Null);
    assert_eq!(
        r.data()["updateGoal"]["keyResults"][0]["metric"],
        "Activations"
    );
}
