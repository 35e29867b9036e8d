//! The develop stage's jobs through the real queue at injected times: dated items reminded
//! a week and a day before at 09:00 local, then overdue to the manager, once each; and the
//! weekly manager digest on Monday from 08:00 in each manager's timezone, once per manager
//! per week however many workers run.

use perfcycle_tests::queue::{queue, start_worker, wait_for_sent};
use perfcycle_tests::smtp::SmtpSink;
use perfcycle_tests::{TestApp, at, spawn_app};
use serde_json::json;
use std::sync::Arc;
use worker::pool::Services;

const ADD: &str = "mutation($i: AddDevelopmentItemInput!) { addDevelopmentItem(input: $i) { id } }";
const AGREE: &str =
    "mutation($id: ID!) { agreeDevelopmentItem(input: { itemId: $id }) { status } }";

/// Runs the scheduled tick at `when` on `worker` (the clock moved there first).
async fn tick(app: &TestApp, worker: &Arc<Services>, when: &str) -> bool {
    app.clock.set(at(when));
    worker::pool::run_scan_tick(worker, at(when)).await.unwrap()
}

async fn due_mails(app: &TestApp, to: &str) -> i64 {
    app.count(&format!(
        "email_outbox WHERE template = 'development_item_due' AND recipient_email = '{to}'"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn dated_items_are_reminded_a_week_and_a_day_before_then_overdue_to_the_manager() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let alice = app.employee("alice@t.io").await.id.to_string();
    let bob = app.employee("bob@t.io").await.id.to_string();
    // Alice (New York): a training due Saturday 20 March. Bob (Kolkata): a check on the 10th.
    let r = app
        .gql(
            Some(&org.alice),
            ADD,
            json!({ "i": { "employeeId": alice, "cycleId": cycle, "kind": "TRAINING",
                "title": "Rust course", "dueOn": "2027-03-20" } }),
        )
        .await;
    let training = r.data()["addDevelopmentItem"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Not agreed yet: nothing is owed, nothing is reminded.
    let sink = SmtpSink::start().await;
    let queue = queue().await;
    let worker = start_worker(&app, &queue, &sink, "worker-a");
    assert!(tick(&app, &worker, "2027-03-16T15:00:00Z").await);
    assert_eq!(due_mails(&app, "alice@t.io").await, 0);
    app.clock.set(at("2027-03-01T12:00:00Z"));
    app.gql(Some(&org.mgr), AGREE, json!({ "id": training }))
        .await;
    app.gql(
        Some(&org.mgr),
        "mutation($i: OpenImprovementPlanInput!) { openImprovementPlan(input: $i) { id } }",
        json!({ "i": { "employeeId": bob, "cycleId": cycle, "objectives": "Answer tickets within a day",
            "checkDates": ["2027-03-10"] } }),
    )
    .await;

    // Friday 5th: Bob's check is within the week (since 09:00 on the 3rd in Kolkata).
    assert!(tick(&app, &worker, "2027-03-05T12:00:00Z").await);
    assert_eq!(
        (
            due_mails(&app, "bob@t.io").await,
            due_mails(&app, "alice@t.io").await
        ),
        (1, 0)
    );
    // Saturday 13th, 08:30 in New York: not yet 09:00 there; 10:00 is.
    assert!(tick(&app, &worker, "2027-03-13T13:30:00Z").await);
    assert_eq!(due_mails(&app, "alice@t.io").await, 0);
    assert!(tick(&app, &worker, "2027-03-13T15:00:00Z").await);
    assert_eq!(due_mails(&app, "alice@t.io").await, 1);
    assert!(tick(&app, &worker, "2027-03-13T15:05:00Z").await);
    assert_eq!(
        due_mails(&app, "alice@t.io").await,
        1,
        "a second run sends nothing"
    );
    // Sunday 21st, late: Alice's training passed its date with the day-before reminder
    // missed (the worker was down): her manager hears it is overdue, once; Bob's check too.
    assert!(tick(&app, &worker, "2027-03-21T14:30:00Z").await);
    assert!(tick(&app, &worker, "2027-03-21T16:30:00Z").await);
    assert_eq!(due_mails(&app, "alice@t.io").await, 1);
    assert_eq!(due_mails(&app, "mgr@t.io").await, 2);
    assert_eq!(due_mails(&app, "bob@t.io").await, 1);
    let total = app.count("email_outbox").await;
    wait_for_sent(&app, total).await;
    let overdue: Vec<String> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to.contains(&"mgr@t.io".to_owned()) && m.subject().starts_with("Overdue"))
        .map(|m| m.subject())
        .collect();
    assert_eq!(overdue.len(), 2, "{overdue:?}");
    assert!(
        overdue
            .iter()
            .any(|s| s.contains("Alice Able's training Rust course")),
        "{overdue:?}"
    );
    // Completed items are not reminded again.
    assert_eq!(
        app.count("development_item WHERE reminder_stage = 3").await,
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_manager_gets_one_digest_on_monday_morning_local_time() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let alice = app.employee("alice@t.io").await.id.to_string();
    let bob = app.employee("bob@t.io").await.id.to_string();
    // An item past its date, and a skill gap, for Mia's team.
    let r = app
        .gql(
            Some(&org.alice),
            ADD,
            json!({ "i": { "employeeId": alice, "cycleId": cycle, "kind": "TRAINING",
                "title": "Rust course", "dueOn": "2027-03-02" } }),
        )
        .await;
    let training = r.data()["addDevelopmentItem"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(Some(&org.mgr), AGREE, json!({ "id": training }))
        .await;
    let r = app
        .gql(
            Some(&org.hr),
            "mutation($i: CreateSkillInput!) { createSkill(input: $i) { id } }",
            json!({ "i": { "name": "Rust", "group": "technical", "levels": ["a", "b", "c", "d", "e"] } }),
        )
        .await;
    let rust = r.data()["createSkill"]["id"].as_str().unwrap().to_owned();
    let r = app
        .gql(
            Some(&org.hr),
            "mutation($i: SetJobProfileInput!) { setJobProfile(input: $i) { id } }",
            json!({ "i": { "name": "Backend", "skills": [{ "skillId": rust, "expectedLevel": 4 }] } }),
        )
        .await;
    let profile = r.data()["setJobProfile"]["id"].clone();
    app.gql(
        Some(&org.hr),
        "mutation($id: ID!, $p: ID) { updateEmployee(input: { id: $id, jobProfileId: $p }) { id } }",
        json!({ "id": bob, "p": profile }),
    )
    .await;
    app.gql(
        Some(&org.mgr),
        "mutation($i: AssessSkillInput!) { assessSkill(input: $i) { level } }",
        json!({ "i": { "employeeId": bob, "skillId": rust, "kind": "MANAGER", "level": 1 } }),
    )
    .await;

    let sink = SmtpSink::start().await;
    let queue = queue().await;
    let a = start_worker(&app, &queue, &sink, "worker-a");
    let b = start_worker(&app, &queue, &sink, "worker-b");
    let digests = || app.count("email_outbox WHERE template = 'manager_digest'");
    // Sunday evening: nobody's Monday 08:00 yet.
    assert!(tick(&app, &a, "2027-03-07T20:00:00Z").await);
    assert_eq!(digests().await, 0);
    // Monday 07:30 UTC: 08:30 in Berlin (Cleo and Mia manage; Hank has nobody), 07:30 in
    // London-on-UTC (Lea, Otto). Both workers fire the tick: one runs it.
    app.clock.set(at("2027-03-08T07:30:00Z"));
    let when = at("2027-03-08T07:30:00Z");
    let (ra, rb) = tokio::join!(
        worker::pool::run_scan_tick(&a, when),
        worker::pool::run_scan_tick(&b, when)
    );
    assert_eq!([ra.unwrap(), rb.unwrap()].iter().filter(|r| **r).count(), 1);
    assert_eq!(digests().await, 2);
    assert!(tick(&app, &b, "2027-03-08T08:05:00Z").await);
    assert_eq!(digests().await, 4);
    // Later that Monday, and Tuesday: nothing more this week.
    assert!(tick(&app, &a, "2027-03-08T16:00:00Z").await);
    assert!(tick(&app, &b, "2027-03-09T09:00:00Z").await);
    assert_eq!(digests().await, 4);
    let total = app.count("email_outbox").await;
    wait_for_sent(&app, total).await;
    let mine: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.subject().starts_with("Your team's week"))
        .collect();
    let mut to: Vec<String> = mine.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["ceo@t.io", "lead@t.io", "mgr@t.io", "other@t.io"]);
    let mia = mine
        .iter()
        .find(|m| m.to.contains(&"mgr@t.io".to_owned()))
        .and_then(|m| m.part("text/plain"))
        .unwrap();
    assert!(mia.contains("your 3 direct reports"), "{mia}");
    assert!(
        mia.contains("Development items past their date (1)"),
        "{mia}"
    );
    assert!(
        mia.contains("Alice Able: Rust course (due 2027-03-02)"),
        "{mia}"
    );
    assert!(
        mia.contains("Bob Baker: Rust (3 below the expected level 4)"),
        "{mia}"
    );
    // The next Monday brings the next week's.
    assert!(tick(&app, &a, "2027-03-15T09:00:00Z").await);
    assert_eq!(digests().await, 8);
}
