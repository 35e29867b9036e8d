//! `cycleOverview`: HR's and managers' numbers for a cycle, over the people each may see.

use perfcycle_tests::spawn_app;
use serde_json::{Value, json};

const OVERVIEW: &str =
    "query($c: ID!, $d: ID, $weeks: Int = 4) { cycleOverview(cycleId: $c, departmentId: $d) {
    cycle { id } department { name } people peopleWithoutGoals
    goals { total agreementRate byStatus { status count } byHealth { health count } }
    checkInCompliance(weeks: $weeks) { weekStart submitted missed pending rate }
    withoutGoals(first: 20) { totalCount nodes { email } } } }";

fn emails(o: &Value) -> Vec<&str> {
    o["withoutGoals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["email"].as_str().unwrap())
        .collect()
}

fn status_count(o: &Value, status: &str) -> i64 {
    o["goals"]["byStatus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == status)
        .map_or(0, |s| s["count"].as_i64().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn hr_and_managers_see_their_peoples_numbers_and_nobody_elses() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    app.agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await;
    app.agreed_goal(&org.carol, &org.other, &cycle, json!({ "weight": 100 }))
        .await;
    app.goal_id(&org.bob, &cycle, json!({})).await;
    let daves = app.goal_id(&org.dave, &cycle, json!({})).await;
    app.goal_action(&org.dave, "proposeGoal", &daves)
        .await
        .data();
    let leas = app.goal_id(&org.lead, &cycle, json!({})).await;
    app.gql(
        Some(&org.lead),
        "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: DROPPED}) { status } }",
        json!({ "id": leas }),
    )
    .await
    .data();
    // Week of 1–7 March: Alice submits, nobody else does; by the 10th the rest are missed.
    app.open_check_ins().await;
    let alices = app.check_ins_of(&org.alice, "alice@t.io").await;
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!) { submitCheckIn(input: { id: $id, confidence: 4 }) { checkIn { status } } }",
        json!({ "id": alices[0]["id"] }),
    )
    .await
    .data();
    app.scan_check_ins("2027-03-10T12:00:00Z").await;

    let r = app
        .gql(Some(&org.hr), OVERVIEW, json!({ "c": cycle, "weeks": 2 }))
        .await;
    let o = &r.data()["cycleOverview"];
    assert_eq!(o["people"], 9);
    assert_eq!(o["goals"]["total"], 5);
    assert_eq!(
        (
            status_count(o, "AGREED"),
            status_count(o, "DRAFT"),
            status_count(o, "PROPOSED"),
            status_count(o, "DROPPED")
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(
        o["goals"]["agreementRate"], 0.5,
        "2 agreed of 4 not dropped"
    );
    let healths: i64 = o["goals"]["byHealth"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["count"].as_i64().unwrap())
        .sum();
    assert_eq!(healths, 2, "every agreed goal has a health");
    // A dropped goal is no goal; a draft is one.
    assert_eq!(o["peopleWithoutGoals"], 5);
    assert_eq!(
        emails(o),
        ["ceo@t.io", "hr@t.io", "lead@t.io", "mgr@t.io", "other@t.io"],
        "by name: Cleo, Hank, Lea, Mia, Otto"
    );
    let weeks = o["checkInCompliance"].as_array().unwrap();
    assert_eq!(weeks.len(), 1, "the current week has not ended: {weeks:?}");
    let week = &weeks[0];
    assert_eq!(week["weekStart"], "2027-03-01");
    assert_eq!(week["submitted"], 1);
    assert_eq!(week["missed"], 8);
    assert_eq!(week["pending"], 0);
    assert_eq!(week["rate"], 0.1111, "1 of 9");

    // One department, with its sub-departments.
    let departments = app
        .gql(Some(&org.hr), "{ departments { id name } }", json!({}))
        .await;
    let engineering = departments.data()["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Engineering")
        .unwrap()["id"]
        .clone();
    let r = app
        .gql(
            Some(&org.hr),
            OVERVIEW,
            json!({ "c": cycle, "d": engineering }),
        )
        .await;
    let o = &r.data()["cycleOverview"];
    assert_eq!(o["department"]["name"], "Engineering");
    assert_eq!(o["people"], 5);
    assert_eq!(o["goals"]["total"], 4);
    assert_eq!(o["goals"]["agreementRate"], 0.3333);
    assert_eq!(emails(o), ["lead@t.io", "mgr@t.io"]);

    // A manager: the people below her, never herself.
    let r = app
        .gql(Some(&org.mgr), OVERVIEW, json!({ "c": cycle }))
        .await;
    let o = &r.data()["cycleOverview"];
    assert_eq!(o["people"], 4);
    assert_eq!(o["goals"]["total"], 4);
    assert_eq!(emails(o), ["lead@t.io"]);
    assert_eq!(o["checkInCompliance"][0]["submitted"], 1);
    assert_eq!(o["checkInCompliance"][0]["missed"], 3);
    // Otto sees Carol only; a department outside a manager's people leaves nobody.
    let r = app
        .gql(Some(&org.other), OVERVIEW, json!({ "c": cycle }))
        .await;
    assert_eq!(r.data()["cycleOverview"]["people"], 1);
    assert_eq!(r.data()["cycleOverview"]["goals"]["agreementRate"], 1.0);
    let r = app
        .gql(
            Some(&org.other),
            OVERVIEW,
            json!({ "c": cycle, "d": engineering }),
        )
        .await;
    assert_eq!(r.data()["cycleOverview"]["people"], 0);
    assert_eq!(r.data()["cycleOverview"]["goals"]["total"], 0);
    assert_eq!(
        r.data()["cycleOverview"]["goals"]["agreementRate"],
        Value::Null
    );

    // People without reports are refused, whatever they ask.
    for token in [&org.alice, &org.carol, &org.dave] {
        let r = app.gql(Some(token), OVERVIEW, json!({ "c": cycle })).await;
        r.assert_error("FORBIDDEN", None);
        assert_eq!(r.body["data"], Value::Null);
    }
    app.gql(None, OVERVIEW, json!({ "c": cycle }))
        .await
        .assert_error("UNAUTHENTICATED", None);
    // Bad arguments.
    let nobody = uuid::Uuid::new_v4().to_string();
    app.gql(Some(&org.hr), OVERVIEW, json!({ "c": nobody }))
        .await
        .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.hr), OVERVIEW, json!({ "c": cycle, "d": nobody }))
        .await
        .assert_error("BAD_USER_INPUT", Some("departmentId"));
    app.gql(Some(&org.hr), OVERVIEW, json!({ "c": "nope" }))
        .await
        .assert_error("BAD_USER_INPUT", Some("cycleId"));
    for weeks in [0, 27] {
        app.gql(
            Some(&org.hr),
            OVERVIEW,
            json!({ "c": cycle, "weeks": weeks }),
        )
        .await
        .assert_error("BAD_USER_INPUT", Some("weeks"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kudos_are_counted_per_department_and_person_within_the_cycle_and_the_viewers_scope() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let praise = |to: String, kind: &str, visibility: &str| json!({ "i": { "recipientId": to, "kind": kind, "visibility": visibility, "body": "Thanks!" } });
    let give = "mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { id } }";
    let (alice, bob, carol) = (
        app.id_of("alice@t.io").await,
        app.id_of("bob@t.io").await,
        app.id_of("carol@t.io").await,
    );
    app.clock.set(perfcycle_tests::at("2027-03-01T10:00:00Z"));
    for (token, to, kind, visibility) in [
        (&org.bob, &alice, "PRAISE", "PUBLIC"),
        (&org.dave, &alice, "PRAISE", "PRIVATE"),
        (&org.carol, &alice, "PRAISE", "PUBLIC"),
        (&org.alice, &bob, "PRAISE", "PUBLIC"),
        (&org.alice, &carol, "PRAISE", "PUBLIC"),
        // Feedback that is not praise is not kudos.
        (&org.mgr, &bob, "FEEDBACK", "PRIVATE"),
    ] {
        app.gql(Some(token), give, praise(to.clone(), kind, visibility))
            .await
            .data();
    }
    // After the cycle's last day: not this cycle's kudos.
    app.clock.set(perfcycle_tests::at("2028-01-01T00:00:00Z"));
    app.gql(
        Some(&org.bob),
        give,
        praise(alice.clone(), "PRAISE", "PUBLIC"),
    )
    .await
    .data();
    let q = "query($c: ID!) { cycleOverview(cycleId: $c) { kudosByDepartment { department { name } count } topKudos(first: 2) { employee { email } count } } }";
    let r = app.gql(Some(&org.hr), q, json!({ "c": cycle })).await;
    let o = &r.data()["cycleOverview"];
    assert_eq!(
        o["kudosByDepartment"],
        json!([{ "department": { "name": "Engineering" }, "count": 4 }, { "department": { "name": "Sales" }, "count": 1 }])
    );
    // Bob and Carol tie with one each: the lower id comes first.
    let (bob_id, carol_id) = (
        bob.parse::<uuid::Uuid>().unwrap(),
        carol.parse::<uuid::Uuid>().unwrap(),
    );
    let second = if bob_id < carol_id {
        "bob@t.io"
    } else {
        "carol@t.io"
    };
    assert_eq!(
        o["topKudos"],
        json!([{ "employee": { "email": "alice@t.io" }, "count": 3 }, { "employee": { "email": second }, "count": 1 }])
    );
    // Mia sees her subtree only: nothing of Carol's.
    let r = app.gql(Some(&org.mgr), q, json!({ "c": cycle })).await;
    assert_eq!(
        r.data()["cycleOverview"]["kudosByDepartment"],
        json!([{ "department": { "name": "Engineering" }, "count": 4 }])
    );
    app.gql(Some(&org.alice), q, json!({ "c": cycle }))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(
        Some(&org.hr),
        "query($c: ID!) { cycleOverview(cycleId: $c) { topKudos(first: 0) { count } } }",
        json!({ "c": cycle }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("first"));
}
