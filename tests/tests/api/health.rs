//! On-track signals: expected progress from the calendar, a health from progress against it
//! and the owner's latest confidence, kept current by writes and by the daily pass, and a
//! goal filter on it.

use perfcycle_tests::smtp::SmtpSink;
use perfcycle_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

const GOAL: &str = "query($id: ID!) { goal(id: $id) { status progress expectedProgress health keyResults { progress expectedProgress health } } }";

async fn goal(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(Some(token), GOAL, json!({ "id": id })).await.data()["goal"].clone()
}

async fn ids_with(app: &TestApp, token: &str, health: &str) -> Vec<String> {
    let r = app
        .gql(
            Some(token),
            "query($h: [GoalHealth!]) { goals(first: 50, filter: { health: $h }) { nodes { id health } } }",
            json!({ "h": [health] }),
        )
        .await;
    r.data()["goals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            assert_eq!(g["health"], health, "the filter and the field agree");
            g["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn health_follows_progress_the_calendar_and_confidence_and_filters_goals() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    // Written and agreed on Monday 1 March 2027, due 30 June: 121 days to go from 0 to 1.
    let g = app
        .agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await;
    let fresh = goal(&app, &org.alice, &g.goal_id).await;
    assert_eq!(
        (&fresh["expectedProgress"], &fresh["health"]),
        (&json!(0.0), &json!("ON_TRACK"))
    );
    let draft = app
        .goal_id(&org.bob, &cycle, json!({ "weight": 100 }))
        .await;
    assert_eq!(goal(&app, &org.bob, &draft).await["health"], Value::Null);

    // A month later nothing moved: the daily pass finds it more than 0.25 behind.
    let report = app.scan_check_ins("2027-04-01T12:00:00Z").await;
    assert!(report.health_changed.is_some_and(|n| n >= 1), "{report:?}");
    let late = goal(&app, &org.alice, &g.goal_id).await;
    assert_eq!(late["expectedProgress"], 0.2562, "31 / 121");
    assert_eq!(late["health"], "OFF_TRACK");
    assert_eq!(late["keyResults"][0]["health"], "OFF_TRACK");
    assert_eq!(late["keyResults"][0]["expectedProgress"], 0.2562);
    assert_eq!(
        ids_with(&app, &org.mgr, "OFF_TRACK").await,
        vec![g.goal_id.clone()]
    );
    assert!(ids_with(&app, &org.mgr, "ON_TRACK").await.is_empty());
    // The filter keeps the read rules: Bob sees none of Alice's private goals.
    assert!(ids_with(&app, &org.bob, "OFF_TRACK").await.is_empty());
    // Once a day: a second scan the same day does not run the pass again.
    let again = app.scan_check_ins("2027-04-01T13:00:00Z").await;
    assert_eq!(again.health_changed, None);

    // Progress moves it at once, without waiting for the pass: 0.2 is 0.056 behind.
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!) { updateKeyResultValue(input: {keyResultId: $id, value: \"700\"}) { keyResult { id } } }",
        json!({ "id": g.key_result_id }),
    )
    .await
    .data();
    assert_eq!(
        goal(&app, &org.alice, &g.goal_id).await["health"],
        "ON_TRACK"
    );
    assert_eq!(
        ids_with(&app, &org.mgr, "ON_TRACK").await,
        vec![g.goal_id.clone()]
    );

    // A check-in with low confidence lowers it by a step, the key result's too.
    let due = app
        .check_ins_of(&org.alice, "alice@t.io")
        .await
        .into_iter()
        .find(|c| c["status"] == "DUE")
        .unwrap();
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!) { submitCheckIn(input: {id: $id, confidence: 2 }) { checkIn { status } } }",
        json!({ "id": due["id"] }),
    )
    .await
    .data();
    let worried = goal(&app, &org.alice, &g.goal_id).await;
    assert_eq!(worried["health"], "AT_RISK");
    assert_eq!(worried["keyResults"][0]["health"], "AT_RISK");
    assert_eq!(
        ids_with(&app, &org.hr, "AT_RISK").await,
        vec![g.goal_id.clone()]
    );

    // A closed goal has no health and leaves the filter.
    app.gql(
        Some(&org.mgr),
        "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: MISSED}) { health } }",
        json!({ "id": g.goal_id }),
    )
    .await
    .data();
    assert_eq!(
        goal(&app, &org.alice, &g.goal_id).await["health"],
        Value::Null
    );
    assert!(ids_with(&app, &org.hr, "AT_RISK").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_goal_off_track_for_three_periods_is_announced_to_the_manager_once() {
    let app = spawn_app().await;
    let org = app.org().await;
    let sink = SmtpSink::start().await;
    let cycle = app.active_cycle(&org.hr).await;
    let g = app
        .agreed_goal(
            &org.alice,
            &org.mgr,
            &cycle,
            json!({ "weight": 100, "title": "Cut p95 latency" }),
        )
        .await;
    let off_track = |sink: &SmtpSink| {
        sink.messages()
            .into_iter()
            .filter(|m| m.to == ["mgr@t.io"] && m.subject().contains("off track"))
            .collect::<Vec<_>>()
    };
    // Off track from the pass of 1 April; two weeks later it is not yet three periods.
    for day in ["2027-04-01", "2027-04-15"] {
        app.scan_check_ins(&format!("{day}T12:00:00Z")).await;
        sink.mailer().deliver_pending(&app.ctx).await.unwrap();
        assert_eq!(
            goal(&app, &org.alice, &g.goal_id).await["health"],
            "OFF_TRACK"
        );
        assert!(off_track(&sink).is_empty(), "{day}");
    }
    // Three weekly periods on, the manager hears of it, once, however many days it lasts.
    for day in ["2027-04-22", "2027-04-23", "2027-04-30"] {
        app.scan_check_ins(&format!("{day}T12:00:00Z")).await;
        sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    }
    let told = off_track(&sink);
    assert_eq!(told.len(), 1);
    assert_eq!(
        told[0].subject(),
        "Alice Able's goal is off track: Cut p95 latency"
    );
    let text = told[0].part("text/plain").unwrap();
    assert!(
        text.contains("off track since 2027-04-01 (3 check-in periods)"),
        "{text}"
    );
    // Back on track and off again: a new episode, a new note.
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!) { updateKeyResultValue(input: {keyResultId: $id, value: \"500\"}) { keyResult { id } } }",
        json!({ "id": g.key_result_id }),
    )
    .await
    .data();
    assert_eq!(
        goal(&app, &org.alice, &g.goal_id).await["health"],
        "ON_TRACK"
    );
    // At risk by 31 May, off track from 21 June, announced three weeks later.
    for day in ["2027-05-31", "2027-06-21", "2027-07-12"] {
        app.scan_check_ins(&format!("{day}T12:00:00Z")).await;
        sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    }
    let told = off_track(&sink);
    assert_eq!(told.len(), 2);
    assert!(
        told[1]
            .part("text/plain")
            .unwrap()
            .contains("off track since 2027-06-21")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_missed_check_ins_in_a_row_are_announced_once_per_run() {
    let app = spawn_app().await;
    let org = app.org().await;
    let sink = SmtpSink::start().await;
    app.active_cycle(&org.hr).await;
    let in_a_row = |sink: &SmtpSink, who: &str| {
        sink.messages()
            .into_iter()
            .filter(|m| {
                m.to == ["mgr@t.io"]
                    && m.subject().starts_with(who)
                    && m.subject().contains("in a row")
            })
            .collect::<Vec<_>>()
    };
    // Weeks of 1, 8 and 15 March: Alice misses all three; Bob submits the second.
    app.scan_check_ins("2027-03-01T12:00:00Z").await;
    app.scan_check_ins("2027-03-08T12:00:00Z").await;
    let bobs = app.check_ins_of(&org.bob, "bob@t.io").await;
    let due = bobs.iter().find(|c| c["status"] == "DUE").unwrap();
    app.gql(
        Some(&org.bob),
        "mutation($id: ID!) { submitCheckIn(input: {id: $id, confidence: 4 }) { checkIn { status } } }",
        json!({ "id": due["id"] }),
    )
    .await
    .data();
    for day in ["2027-03-15", "2027-03-22", "2027-03-29"] {
        app.scan_check_ins(&format!("{day}T12:00:00Z")).await;
        sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    }
    let alice = in_a_row(&sink, "Alice Able");
    assert_eq!(alice.len(), 1, "one note for the run, not one per miss");
    assert_eq!(alice[0].subject(), "Alice Able missed 2 check-ins in a row");
    let text = alice[0].part("text/plain").unwrap();
    assert!(
        text.contains("since the period starting 2027-03-01"),
        "{text}"
    );
    assert!(
        in_a_row(&sink, "Bob Baker").is_empty(),
        "Bob's misses were not in a row"
    );
}
