//! Check-ins: opened per period in each employee's calendar, submitted with progress,
//! acknowledged, or missed after the grace period.

use domain::Clock;
use perfcycle_tests::{TestApp, at, spawn_app};
use serde_json::{Value, json};

/// Alice with one agreed goal (weight 100) and her first check-in open; returns (check-in
/// id, key result id).
async fn alice_ready(app: &TestApp, org: &perfcycle_tests::Org) -> (String, String) {
    let cycle = app.active_cycle(&org.hr).await;
    let goal = app
        .agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await;
    app.open_check_ins().await;
    let mine = app.check_ins_of(&org.alice, "alice@t.io").await;
    (
        mine[0]["id"].as_str().unwrap().to_owned(),
        goal.key_result_id,
    )
}

const SUBMIT: &str = "mutation($input: SubmitCheckInInput!) { submitCheckIn(input: $input) { checkIn { status confidence submittedAt updates { previousValue newValue } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn opening_check_ins_is_idempotent_and_follows_each_calendar() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    // Monday 1 March 2027, noon UTC: everyone's week is 1–7 March.
    assert_eq!(app.open_check_ins().await, 9);
    assert_eq!(app.open_check_ins().await, 0, "a second scan opens nothing");
    let alice = app.check_ins_of(&org.alice, "alice@t.io").await;
    assert_eq!(
        (
            alice[0]["periodStart"].as_str(),
            alice[0]["periodEnd"].as_str()
        ),
        (Some("2027-03-01"), Some("2027-03-07"))
    );
    assert_eq!(alice[0]["status"], "DUE");
    // Sunday 23:30 UTC is already Monday in Kolkata (Bob) but still Sunday in New York (Alice).
    app.clock.set(at("2027-03-07T23:30:00Z"));
    app.open_check_ins().await;
    assert_eq!(app.check_ins_of(&org.bob, "bob@t.io").await.len(), 2);
    assert_eq!(app.check_ins_of(&org.alice, "alice@t.io").await.len(), 1);
    // A scan that runs late (Wednesday) still opens the week it is in.
    app.clock.set(at("2027-03-10T12:00:00Z"));
    app.open_check_ins().await;
    assert_eq!(app.check_ins_of(&org.alice, "alice@t.io").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_submitted_check_in_moves_progress_and_the_manager_acknowledges_it() {
    let app = spawn_app().await;
    let org = app.org().await;
    let (id, kr) = alice_ready(&app, &org).await;
    let r = app
        .gql(Some(&org.alice), SUBMIT, json!({ "input": { "id": id, "confidence": 4, "wins": "Cache in front of pricing", "blockers": "", "nextSteps": "Load test",
            "progress": [{ "keyResultId": kr, "value": "550" }]
        } }))
        .await;
    let c = &r.data()["submitCheckIn"]["checkIn"];
    assert_eq!(c["status"], "SUBMITTED");
    assert_eq!(c["updates"][0]["previousValue"], "800");
    assert_eq!(c["updates"][0]["newValue"], "550");
    let r = app.gql(Some(&org.mgr), "query($id: ID!) { keyResults: checkIn(id: $id) { employee { goals { progress keyResults { currentValue } } } } }", json!({ "id": id })).await;
    assert_eq!(
        r.data()["keyResults"]["employee"]["goals"][0]["keyResults"][0]["currentValue"],
        "550"
    );
    assert_eq!(
        r.data()["keyResults"]["employee"]["goals"][0]["progress"],
        0.5
    );
    let ack = "mutation($id: ID!) { acknowledgeCheckIn(input: {id: $id, reply: \"Nice work\"}) { status managerReply acknowledgedBy { email } } }";
    app.gql(Some(&org.alice), ack, json!({ "id": id }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app.gql(Some(&org.mgr), ack, json!({ "id": id })).await;
    assert_eq!(r.data()["acknowledgeCheckIn"]["status"], "ACKNOWLEDGED");
    assert_eq!(
        r.data()["acknowledgeCheckIn"]["acknowledgedBy"]["email"],
        "mgr@t.io"
    );
    app.gql(Some(&org.mgr), ack, json!({ "id": id }))
        .await
        .assert_error("CONFLICT", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_check_ins_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let org = app.org().await;
    let (id, kr) = alice_ready(&app, &org).await;
    let cycle = app
        .gql(Some(&org.hr), "{ cycles { id } }", json!({}))
        .await
        .data()["cycles"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bobs_key_result = app
        .agreed_goal(&org.bob, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await
        .key_result_id;
    let input = |progress: Value, confidence: i32| json!({ "input": { "id": id, "confidence": confidence, "progress": progress } });
    // Someone else's check-in: a peer cannot see it, the manager cannot submit it.
    app.gql(Some(&org.bob), SUBMIT, input(json!([]), 3))
        .await
        .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.mgr), SUBMIT, input(json!([]), 3))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.alice), SUBMIT, input(json!([]), 9))
        .await
        .assert_error("BAD_USER_INPUT", Some("confidence"));
    app.gql(Some(&org.alice), SUBMIT, input(json!([]), 0))
        .await
        .assert_error("BAD_USER_INPUT", Some("confidence"));
    app.gql(
        Some(&org.alice),
        SUBMIT,
        input(json!([{ "keyResultId": bobs_key_result, "value": "1" }]), 3),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("progress[0].keyResultId"));
    app.gql(
        Some(&org.alice),
        SUBMIT,
        input(
            json!([{ "keyResultId": kr, "value": "1" }, { "keyResultId": kr, "value": "2" }]),
            3,
        ),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("progress[1].keyResultId"));
    let mine = app.check_ins_of(&org.alice, "alice@t.io").await;
    assert_eq!(mine[0]["status"], "DUE");
    assert_eq!(app.count("key_result_update").await, 0);
    let r = app.gql(Some(&org.alice), "query($id: ID!) { goal: checkIn(id: $id) { employee { goals { keyResults { currentValue } } } } }", json!({ "id": id })).await;
    assert_eq!(
        r.data()["goal"]["employee"]["goals"][0]["keyResults"][0]["currentValue"],
        "800"
    );
    // A cycle that moved on to REVIEW takes no more check-ins.
    app.advance_cycle(&org.hr, &cycle, "REVIEW").await;
    app.gql(Some(&org.alice), SUBMIT, input(json!([]), 3))
        .await
        .assert_error("CONFLICT", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn late_is_fine_until_the_grace_period_ends_then_it_is_missed_once() {
    let app = spawn_app().await;
    let org = app.org().await;
    let (id, _) = alice_ready(&app, &org).await;
    let bob_id = app.check_ins_of(&org.bob, "bob@t.io").await[0]["id"].clone();
    // Alice's week ended Sunday 7 March; she may submit until Wednesday 00:00 New York time.
    app.clock.set(at("2027-03-10T04:59:00Z"));
    app.gql(
        Some(&org.alice),
        SUBMIT,
        json!({ "input": { "id": id, "confidence": 3 } }),
    )
    .await
    .data();
    // Bob (Kolkata) is past his grace period: his check-in closed at 9 March 18:30 UTC.
    app.gql(
        Some(&org.bob),
        SUBMIT,
        json!({ "input": { "id": bob_id, "confidence": 3 } }),
    )
    .await
    .assert_error("CONFLICT", None);
    let missed = domain::check_ins::mark_missed(&app.ctx, app.clock.now())
        .await
        .unwrap();
    let emails: Vec<String> = {
        let mut v = Vec::new();
        for c in &missed {
            v.push(
                domain::employees::by_ids(&app.ctx.db, &[c.employee_id])
                    .await
                    .unwrap()
                    .remove(&c.employee_id)
                    .unwrap()
                    .email,
            );
        }
        v
    };
    assert!(emails.contains(&"bob@t.io".to_owned()), "{emails:?}");
    assert!(
        !emails.contains(&"alice@t.io".to_owned()),
        "Alice submitted: {emails:?}"
    );
    let again = domain::check_ins::mark_missed(&app.ctx, app.clock.now())
        .await
        .unwrap();
    assert!(again.is_empty(), "a second scan marks nothing");
    assert_eq!(
        app.check_ins_of(&org.bob, "bob@t.io").await[0]["status"],
        "MISSED"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn managers_set_a_cadence_per_employee_and_see_their_team_at_a_glance() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let bob = app.employee("bob@t.io").await;
    let set = "mutation($e: ID!, $c: ID!, $k: Cadence!) { setCheckInCadence(input: {employeeId: $e, cycleId: $c, cadence: $k}) { checkInCadence(cycleId: $c) } }";
    let vars = json!({ "e": bob.id.to_string(), "c": cycle, "k": "MONTHLY" });
    app.gql(Some(&org.alice), set, vars.clone())
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.other), set, vars.clone())
        .await
        .assert_error("FORBIDDEN", None);
    assert_eq!(
        app.gql(Some(&org.mgr), set, vars).await.data()["setCheckInCadence"]["checkInCadence"],
        "MONTHLY"
    );
    app.clock.set(at("2027-04-07T12:00:00Z"));
    app.open_check_ins().await;
    let bobs = app.check_ins_of(&org.mgr, "bob@t.io").await;
    assert_eq!(
        (
            bobs[0]["periodStart"].as_str(),
            bobs[0]["periodEnd"].as_str(),
            bobs[0]["cadence"].as_str()
        ),
        (Some("2027-04-01"), Some("2027-04-30"), Some("MONTHLY"))
    );
    let alices = app.check_ins_of(&org.mgr, "alice@t.io").await;
    assert_eq!(alices[0]["periodStart"], "2027-04-05");
    let mgr = app.employee("mgr@t.io").await;
    let team = "query($m: ID!) { teamCheckIns(managerId: $m, day: \"2027-04-07\") { people { edges { node { employee { email } checkIn { status cadence } } } } } }";
    let r = app
        .gql(Some(&org.mgr), team, json!({ "m": mgr.id.to_string() }))
        .await;
    let rows = r.data()["teamCheckIns"]["people"]["edges"]
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter().all(|r| r["node"]["checkIn"]["status"] == "DUE"),
        "{rows:?}"
    );
    app.gql(Some(&org.carol), team, json!({ "m": mgr.id.to_string() }))
        .await
        .assert_error("FORBIDDEN", None);
    // Peers never see each other's check-ins.
    assert!(app.check_ins_of(&org.alice, "bob@t.io").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cadence_changed_mid_period_applies_from_the_next_period_without_overlap() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    app.open_check_ins().await; // Bob: the week of 1–7 March.
    let bob = app.employee("bob@t.io").await;
    let set = "mutation($e: ID!, $c: ID!) { setCheckInCadence(input: {employeeId: $e, cycleId: $c, cadence: MONTHLY}) { id } }";
    app.gql(
        Some(&org.mgr),
        set,
        json!({ "e": bob.id.to_string(), "c": cycle }),
    )
    .await
    .data();
    app.clock.set(at("2027-03-03T12:00:00Z"));
    app.open_check_ins().await;
    assert_eq!(
        app.check_ins_of(&org.mgr, "bob@t.io").await.len(),
        1,
        "no second check-in inside the week"
    );
    app.clock.set(at("2027-03-08T12:00:00Z"));
    app.open_check_ins().await;
    let bobs = app.check_ins_of(&org.mgr, "bob@t.io").await;
    assert_eq!(bobs.len(), 2);
    assert_eq!(
        (
            bobs[0]["periodStart"].as_str(),
            bobs[0]["periodEnd"].as_str()
        ),
        (Some("2027-03-08"), Some("2027-03-31"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn someone_who_joins_after_the_periods_last_working_day_starts_with_the_next_period() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    app.import("new@t.io,Nia New,Engineer,Engineering,mgr@t.io,,2027-03-06,UTC\n")
        .await;
    app.clock.set(at("2027-03-06T12:00:00Z"));
    app.open_check_ins().await;
    assert!(app.check_ins_of(&org.mgr, "new@t.io").await.is_empty());
    app.clock.set(at("2027-03-08T12:00:00Z"));
    app.open_check_ins().await;
    assert_eq!(app.check_ins_of(&org.mgr, "new@t.io").await.len(), 1);
}

/// Ids that stand for objects can be followed: a check-in's cycle, an update's key result and
/// that key result's goal; `keyResult(id)` answers those who may read the goal and no one else.
#[tokio::test(flavor = "multi_thread")]
async fn linked_objects_follow_the_read_rules_of_what_they_link_to() {
    let app = spawn_app().await;
    let org = app.org().await;
    let (id, kr) = alice_ready(&app, &org).await;
    app.gql(
        Some(&org.alice),
        SUBMIT,
        json!({ "input": { "id": id, "confidence": 3, "wins": "Cache", "blockers": "", "nextSteps": "More",
        "progress": [{ "keyResultId": kr, "value": "550" }]
    } }),
    )
    .await
    .data();
    let linked = "query($id: ID!) { checkIn(id: $id) { cycleId cycle { id phase } updates { keyResultId keyResult { id currentValue goal { id owner { email } } } } } }";
    for token in [&org.alice, &org.mgr, &org.hr] {
        let r = app.gql(Some(token), linked, json!({ "id": id })).await;
        let c = &r.data()["checkIn"];
        assert_eq!(c["cycle"]["id"], c["cycleId"]);
        assert_eq!(c["cycle"]["phase"], "ACTIVE");
        let update = &c["updates"][0];
        assert_eq!(update["keyResult"]["id"], kr.as_str());
        assert_eq!(update["keyResult"]["currentValue"], "550");
        assert_eq!(update["keyResult"]["goal"]["owner"]["email"], "alice@t.io");
    }
    let one = "query($id: ID!) { keyResult(id: $id) { id goalId goal { id } } }";
    for token in [&org.alice, &org.mgr, &org.ceo, &org.hr] {
        let r = app.gql(Some(token), one, json!({ "id": kr })).await;
        assert_eq!(
            r.data()["keyResult"]["goal"]["id"],
            r.data()["keyResult"]["goalId"]
        );
    }
    // A peer, another branch and a report below someone else cannot read Alice's individual
    // goal: its key result does not exist for them.
    for token in [&org.bob, &org.carol, &org.other, &org.dave] {
        app.gql(Some(token), one, json!({ "id": kr }))
            .await
            .assert_error("NOT_FOUND", None);
    }
    app.gql(
        Some(&org.alice),
        one,
        json!({ "id": uuid::Uuid::new_v4().to_string() }),
    )
    .await
    .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.alice), one, json!({ "id": "not-a-uuid" }))
        .await
        .assert_error("BAD_USER_INPUT", Some("id"));
    app.gql(None, one, json!({ "id": kr }))
        .await
        .assert_error("UNAUTHENTICATED", None);
}
