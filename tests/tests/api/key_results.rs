//! A key result's value history (`KeyResult.updates`) and what the writes that move values
//! answer for a client's cache (`movedGoals`).

use perfcycle_tests::spawn_app;
use serde_json::{Value, json};

const RECORD: &str = "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(input: {keyResultId: $id, value: $v}) {
    keyResult { id currentValue }
    update { previousValue newValue recordedBy { email } checkIn { id } }
    movedGoals { id progress } } }";

const HISTORY: &str = "query($id: ID!, $first: Int, $after: String) { keyResult(id: $id) { updates(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { previousValue newValue recordedAt recordedBy { email } checkIn { id } keyResult { id } } } } } }";

fn ids(goals: &Value) -> Vec<&str> {
    goals
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_change_of_a_value_is_kept_with_who_when_and_which_check_in() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let team = app
        .goal_id(
            &org.mgr,
            &cycle,
            json!({ "level": "TEAM", "weight": 100, "title": "Fast checkout" }),
        )
        .await;
    let alice = app
        .agreed_goal(
            &org.alice,
            &org.mgr,
            &cycle,
            json!({ "parentId": team, "weight": 100 }),
        )
        .await;
    let kr = alice.key_result_id.clone();

    // Recorded directly: the payload carries the change and both goals whose progress moved.
    let r = app
        .gql(Some(&org.alice), RECORD, json!({ "id": kr, "v": "550" }))
        .await;
    let done = &r.data()["updateKeyResultValue"];
    assert_eq!(done["keyResult"]["currentValue"], "550");
    assert_eq!(done["update"]["previousValue"], "800");
    assert_eq!(done["update"]["newValue"], "550");
    assert_eq!(done["update"]["recordedBy"]["email"], "alice@t.io");
    assert_eq!(done["update"]["checkIn"], Value::Null);
    assert_eq!(
        ids(&done["movedGoals"]),
        [alice.goal_id.as_str(), team.as_str()]
    );
    assert_eq!(done["movedGoals"][1]["progress"], 0.5);
    // The same value again moves no progress: only its own goal comes back.
    let r = app
        .gql(Some(&org.alice), RECORD, json!({ "id": kr, "v": "550" }))
        .await;
    assert_eq!(
        ids(&r.data()["updateKeyResultValue"]["movedGoals"]),
        [alice.goal_id.as_str()]
    );

    // Carried by a check-in: kept with the check-in, newest first.
    app.clock.set(perfcycle_tests::at("2027-03-03T12:00:00Z"));
    app.open_check_ins().await;
    let check_in = app.check_ins_of(&org.alice, "alice@t.io").await[0]["id"].clone();
    let r = app
        .gql(
            Some(&org.alice),
            "mutation($id: ID!, $kr: ID!) { submitCheckIn(input: { id: $id, confidence: 4,
                progress: [{ keyResultId: $kr, value: \"300\" }] }) { checkIn { status } movedGoals { id progress } } }",
            json!({ "id": check_in, "kr": kr }),
        )
        .await;
    let done = &r.data()["submitCheckIn"];
    assert_eq!(done["checkIn"]["status"], "SUBMITTED");
    assert_eq!(
        ids(&done["movedGoals"]),
        [alice.goal_id.as_str(), team.as_str()]
    );
    assert_eq!(done["movedGoals"][0]["progress"], 1.0);

    let r = app
        .gql(Some(&org.mgr), HISTORY, json!({ "id": kr, "first": 10 }))
        .await;
    let updates = &r.data()["keyResult"]["updates"];
    assert_eq!(updates["totalCount"], 3);
    let nodes: Vec<&Value> = updates["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    let values: Vec<(&str, &str)> = nodes
        .iter()
        .map(|n| {
            (
                n["previousValue"].as_str().unwrap(),
                n["newValue"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(values, [("550", "300"), ("550", "550"), ("800", "550")]);
    assert_eq!(nodes[0]["checkIn"]["id"], check_in, "the manager sees it");
    assert_eq!(nodes[0]["keyResult"]["id"], kr.as_str());
    assert!(
        nodes[0]["recordedAt"]
            .as_str()
            .unwrap()
            .starts_with("2027-03-03T12:00:00"),
        "{}",
        nodes[0]["recordedAt"]
    );
    assert_eq!(nodes[2]["checkIn"], Value::Null);

    // Pages: one at a time, in the same order.
    let r = app
        .gql(Some(&org.alice), HISTORY, json!({ "id": kr, "first": 1 }))
        .await;
    let page = &r.data()["keyResult"]["updates"];
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let r = app
        .gql(
            Some(&org.alice),
            HISTORY,
            json!({ "id": kr, "first": 2, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest = &r.data()["keyResult"]["updates"];
    assert_eq!(rest["edges"][0]["node"]["newValue"], "550");
    assert_eq!(rest["edges"][1]["node"]["previousValue"], "800");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // A peer cannot read Alice's (private) goal, so neither its key result nor its history.
    let r = app
        .gql(Some(&org.bob), HISTORY, json!({ "id": kr, "first": 1 }))
        .await;
    r.assert_error("NOT_FOUND", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_public_goals_history_shows_no_check_in_to_those_who_may_not_read_it() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let company = app
        .agreed_goal(
            &org.ceo,
            &org.hr,
            &cycle,
            json!({ "level": "COMPANY", "visibility": "PUBLIC", "weight": 100 }),
        )
        .await;
    app.clock.set(perfcycle_tests::at("2027-03-03T12:00:00Z"));
    app.open_check_ins().await;
    let check_in = app.check_ins_of(&org.ceo, "ceo@t.io").await[0]["id"].clone();
    app.gql(
        Some(&org.ceo),
        "mutation($id: ID!, $kr: ID!) { submitCheckIn(input: { id: $id, confidence: 3,
            progress: [{ keyResultId: $kr, value: \"700\" }] }) { checkIn { id } } }",
        json!({ "id": check_in, "kr": company.key_result_id }),
    )
    .await
    .data();
    let history = |token: &str| {
        let token = token.to_owned();
        let kr = company.key_result_id.clone();
        let app = &app;
        async move {
            let r = app
                .gql(Some(&token), HISTORY, json!({ "id": kr, "first": 5 }))
                .await;
            r.data()["keyResult"]["updates"]["edges"][0]["node"].clone()
        }
    };
    // Everyone reads a public goal and its history; only those who may read the CEO's
    // check-ins see which check-in carried it.
    let seen_by_alice = history(&org.alice).await;
    assert_eq!(seen_by_alice["newValue"], "700");
    assert_eq!(seen_by_alice["recordedBy"]["email"], "ceo@t.io");
    assert_eq!(seen_by_alice["checkIn"], Value::Null);
    assert_eq!(history(&org.mgr).await["checkIn"], Value::Null);
    assert_eq!(history(&org.hr).await["checkIn"]["id"], check_in);
    assert_eq!(history(&org.ceo).await["checkIn"]["id"], check_in);
}

#[tokio::test(flavor = "multi_thread")]
async fn set_check_in_cadence_answers_the_employee_and_refuses_the_wrong_people() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let bob = app.employee("bob@t.io").await.id.to_string();
    let set = "mutation($e: ID!, $c: ID!) { setCheckInCadence(input: {employeeId: $e, cycleId: $c, cadence: BIWEEKLY}) { email checkInCadence(cycleId: $c) } }";
    let vars = json!({ "e": bob, "c": cycle });
    for token in [&org.bob, &org.alice, &org.other, &org.carol] {
        app.gql(Some(token), set, vars.clone())
            .await
            .assert_error("FORBIDDEN", None);
    }
    let r = app.gql(Some(&org.mgr), set, vars.clone()).await;
    assert_eq!(r.data()["setCheckInCadence"]["email"], "bob@t.io");
    assert_eq!(r.data()["setCheckInCadence"]["checkInCadence"], "BIWEEKLY");
}

#[tokio::test(flavor = "multi_thread")]
async fn values_recorded_before_the_history_table_are_carried_into_it() {
    use migration::MigratorTrait;
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let kr = app
        .agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await
        .key_result_id;
    app.gql(Some(&org.mgr), RECORD, json!({ "id": kr, "v": "600" }))
        .await
        .data();
    app.clock.set(perfcycle_tests::at("2027-03-03T12:00:00Z"));
    app.open_check_ins().await;
    let check_in = app.check_ins_of(&org.alice, "alice@t.io").await[0]["id"].clone();
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!, $kr: ID!) { submitCheckIn(input: { id: $id, confidence: 4,
            progress: [{ keyResultId: $kr, value: \"450\" }] }) { checkIn { status } } }",
        json!({ "id": check_in, "kr": kr }),
    )
    .await
    .data();
    let history = || async {
        let r = app
            .gql(Some(&org.hr), HISTORY, json!({ "id": kr, "first": 10 }))
            .await;
        r.data()["keyResult"]["updates"]["edges"].clone()
    };
    let before = history().await;
    assert_eq!(before.as_array().unwrap().len(), 2);
    // Back to the schema before the table (the check-in's change goes back to
    // check_in_update; the direct one stays in the audit log), and forward again.
    let all = migration::Migrator::migrations();
    let at = all
        .iter()
        .position(|m| m.name() == "m20261127_000011_key_result_updates")
        .unwrap();
    migration::Migrator::down(&app.ctx.db, Some((all.len() - at) as u32))
        .await
        .unwrap();
    assert_eq!(app.count("check_in_update").await, 1);
    api::db::migrate(&app.ctx.db).await.unwrap();
    assert_eq!(history().await, before, "the same history, newest first");
    assert_eq!(before[0]["node"]["checkIn"]["id"], check_in);
    assert_eq!(before[1]["node"]["recordedBy"]["email"], "mgr@t.io");
    assert_eq!(before[1]["node"]["previousValue"], "800");
}
