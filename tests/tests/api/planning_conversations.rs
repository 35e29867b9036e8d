//! The planning conversation: set up for everyone when a cycle is in PLANNING, reminded to
//! both sides before the cycle starts, written by each side, held by the manager.

use perfcycle_tests::smtp::SmtpSink;
use perfcycle_tests::{Org, TestApp, at, spawn_app};
use serde_json::{Value, json};

const MINE: &str = "query($c: ID!) { me { planningConversation(cycleId: $c) {
    id status manager { email } expectations aspirations managerNotes heldOn heldBy { email }
    reminderAt goals { title } } } }";
const UPDATE: &str = "mutation($i: UpdatePlanningConversationInput!) { updatePlanningConversation(input: $i) { id expectations aspirations managerNotes } }";
const HOLD: &str = "mutation($id: ID!, $on: NaiveDate!) { holdPlanningConversation(input: { id: $id, heldOn: $on }) { status heldOn heldBy { email } } }";
const LIST: &str = "query($c: ID!, $s: [ConversationStatus!]) { planningConversations(cycleId: $c, status: $s, first: 50) { totalCount nodes { employee { email } } } }";

/// A cycle starting on 1 April, in PLANNING, with everyone's conversation set up.
async fn planned(app: &TestApp, org: &Org) -> String {
    let r = app
        .gql(
            Some(&org.hr),
            "mutation($input: CreateCycleInput!) { createCycle(input: $input) { id } }",
            json!({ "input": {
                "name": "FY2028", "startsOn": "2027-04-01", "endsOn": "2028-03-31",
                "reviewOpensOn": "2028-03-01", "reviewDueOn": "2028-03-20"
            }}),
        )
        .await;
    let cycle = r.data()["createCycle"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.count("planning_conversation").await,
        0,
        "set up after commit"
    );
    let report = app.scan_check_ins("2027-03-01T12:05:00Z").await;
    assert_eq!(
        report.announced, 9,
        "everyone hears the cycle is in planning"
    );
    assert_eq!(app.count("planning_conversation").await, 9);
    cycle
}

async fn conversation_of(app: &TestApp, token: &str, cycle: &str) -> Value {
    let r = app.gql(Some(token), MINE, json!({ "c": cycle })).await;
    r.data()["me"]["planningConversation"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn everyone_gets_one_and_both_sides_are_reminded_before_the_cycle_starts() {
    let app = spawn_app().await;
    let org = app.org().await;
    let sink = SmtpSink::start().await;
    let cycle = planned(&app, &org).await;
    app.goal_id(
        &org.alice,
        &cycle,
        json!({ "title": "Learn the billing domain", "dueOn": "2027-12-31" }),
    )
    .await;
    let alices = conversation_of(&app, &org.alice, &cycle).await;
    assert_eq!(alices["status"], "OPEN");
    assert_eq!(alices["manager"]["email"], "mgr@t.io");
    assert_eq!(
        alices["goals"],
        json!([{ "title": "Learn the billing domain" }])
    );
    // The last working day before 1 April (a Thursday), 09:00 in New York.
    assert_eq!(alices["reminderAt"], "2027-03-31T13:00:00+00:00");
    // The same setup again creates nothing twice.
    app.scan_check_ins("2027-03-01T12:10:00Z").await;
    assert_eq!(app.count("planning_conversation").await, 9);

    // Bob's was held early: nobody is reminded of it.
    let bobs = conversation_of(&app, &org.bob, &cycle).await;
    app.clock.set(at("2027-03-10T12:00:00Z"));
    app.gql(
        Some(&org.mgr),
        HOLD,
        json!({ "id": bobs["id"], "on": "2027-03-10" }),
    )
    .await
    .data();
    let before = app.scan_check_ins("2027-03-30T23:00:00Z").await;
    assert_eq!(before.planning_reminders, 0, "not yet anywhere");
    let due = app.scan_check_ins("2027-03-31T23:00:00Z").await;
    // 8 open conversations; everyone but Cleo has a manager to remind too.
    assert_eq!(due.planning_reminders, 8 + 7);
    assert_eq!(
        app.scan_check_ins("2027-04-01T08:00:00Z")
            .await
            .planning_reminders,
        0
    );
    sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    let to = |email: &str| -> Vec<String> {
        sink.messages()
            .into_iter()
            .filter(|m| m.to == [email] && m.subject().starts_with("Plan "))
            .map(|m| m.subject())
            .collect()
    };
    assert_eq!(to("alice@t.io"), ["Plan FY2028 with your manager"]);
    let mut mias = to("mgr@t.io");
    mias.sort();
    assert_eq!(
        mias,
        [
            "Plan FY2028 with Alice Able",
            "Plan FY2028 with Lea Lead",
            "Plan FY2028 with your manager"
        ],
        "not Bob's: it was held"
    );
    let alice_mail = sink
        .messages()
        .into_iter()
        .find(|m| m.to == ["alice@t.io"] && m.subject().starts_with("Plan "))
        .unwrap();
    let text = alice_mail.part("text/plain").unwrap();
    assert!(
        text.contains("2027-04-01") && text.contains("/planning/"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_side_writes_its_part_and_nobody_else_reads_it() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = planned(&app, &org).await;
    let id = conversation_of(&app, &org.alice, &cycle).await["id"].clone();
    let write = |token: &str, fields: Value| {
        let mut input = fields;
        input["id"] = id.clone();
        let token = token.to_owned();
        let app = &app;
        async move { app.gql(Some(&token), UPDATE, json!({ "i": input })).await }
    };
    write(
        &org.alice,
        json!({ "aspirations": "Lead a project next year" }),
    )
    .await
    .data();
    write(&org.mgr, json!({ "expectations": "Own the billing rewrite", "managerNotes": "Ready for more scope" }))
        .await
        .data();
    write(
        &org.ceo,
        json!({ "expectations": "Own the billing rewrite end to end" }),
    )
    .await
    .data();
    // The other side's fields are refused, and change nothing.
    write(&org.alice, json!({ "expectations": "None" }))
        .await
        .assert_error("FORBIDDEN", None);
    write(&org.alice, json!({ "managerNotes": "Mine" }))
        .await
        .assert_error("FORBIDDEN", None);
    write(&org.mgr, json!({ "aspirations": "Theirs" }))
        .await
        .assert_error("FORBIDDEN", None);
    write(&org.hr, json!({ "aspirations": "Theirs" }))
        .await
        .assert_error("FORBIDDEN", None);
    // Peers and other teams do not see it at all.
    for token in [&org.bob, &org.carol, &org.other, &org.dave] {
        write(token, json!({ "expectations": "x" }))
            .await
            .assert_error("NOT_FOUND", None);
        app.gql(
            Some(token),
            "query($id: ID!) { planningConversation(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await
        .assert_error("NOT_FOUND", None);
    }
    write(&org.alice, json!({ "aspirations": "x".repeat(5001) }))
        .await
        .assert_error("BAD_USER_INPUT", Some("aspirations"));

    // Alice never sees the manager's notes; her managers and HR do.
    let mine = conversation_of(&app, &org.alice, &cycle).await;
    assert_eq!(mine["aspirations"], "Lead a project next year");
    assert_eq!(mine["expectations"], "Own the billing rewrite end to end");
    assert_eq!(mine["managerNotes"], Value::Null);
    for token in [&org.mgr, &org.ceo, &org.hr] {
        let r = app
            .gql(
                Some(token),
                "query($id: ID!) { planningConversation(id: $id) { managerNotes } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            r.data()["planningConversation"]["managerNotes"],
            "Ready for more scope"
        );
    }
    // Through the directory, a peer sees nothing of it.
    let alice = app.employee("alice@t.io").await.id.to_string();
    let r = app
        .gql(
            Some(&org.bob),
            "query($e: ID!, $c: ID!) { employee(id: $e) { planningConversation(cycleId: $c) { id } } }",
            json!({ "e": alice, "c": cycle }),
        )
        .await;
    assert_eq!(r.data()["employee"]["planningConversation"], Value::Null);

    // Held by a manager, once, on a day that has come.
    app.gql(
        Some(&org.alice),
        HOLD,
        json!({ "id": id, "on": "2027-03-01" }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    app.gql(
        Some(&org.mgr),
        HOLD,
        json!({ "id": id, "on": "2027-03-09" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("heldOn"));
    let r = app
        .gql(
            Some(&org.mgr),
            HOLD,
            json!({ "id": id, "on": "2027-03-01" }),
        )
        .await;
    assert_eq!(
        r.data()["holdPlanningConversation"],
        json!({ "status": "HELD", "heldOn": "2027-03-01", "heldBy": { "email": "mgr@t.io" } })
    );
    app.gql(Some(&org.hr), HOLD, json!({ "id": id, "on": "2027-03-01" }))
        .await
        .assert_error("CONFLICT", None);

    // Lists: what each may read.
    let count = |token: &str, status: Value| {
        let token = token.to_owned();
        let cycle = cycle.clone();
        let app = &app;
        async move {
            let r = app
                .gql(Some(&token), LIST, json!({ "c": cycle, "s": status }))
                .await;
            r.data()["planningConversations"]["totalCount"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(count(&org.hr, Value::Null).await, 9);
    assert_eq!(
        count(&org.mgr, Value::Null).await,
        5,
        "Mia and the four below her"
    );
    assert_eq!(count(&org.alice, Value::Null).await, 1);
    assert_eq!(count(&org.hr, json!(["HELD"])).await, 1);
    assert_eq!(count(&org.carol, json!(["HELD"])).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cycle_that_left_planning_before_the_scan_sets_up_no_conversations() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    let report = app.scan_check_ins("2027-03-01T12:05:00Z").await;
    assert_eq!(report.announced, 9, "only the start");
    assert_eq!(app.count("planning_conversation").await, 0);
    assert_eq!(
        app.count("email_outbox WHERE template = 'cycle_phase_moved'")
            .await,
        9
    );
}
