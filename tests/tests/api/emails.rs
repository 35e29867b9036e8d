//! E-mail for the monitoring changes people should hear about: a check-in acknowledged (with
//! the reply), feedback or praise received (by the recipient only), a cadence changed by
//! someone else. Each goes through the outbox once and reaches the SMTP sink with text and
//! HTML parts.

use perfcycle_tests::smtp::{Received, SmtpSink};
use perfcycle_tests::{TestApp, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

async fn delivered(app: &TestApp, sink: &SmtpSink, to: &str) -> Vec<Received> {
    sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    sink.messages()
        .into_iter()
        .filter(|m| m.to == [to])
        .collect()
}

fn parts(m: &Received) -> (String, String) {
    (
        m.part("text/plain").unwrap_or_default(),
        m.part("text/html").unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_acknowledged_check_in_tells_the_employee_with_the_reply() {
    let app = spawn_app().await;
    let org = app.org().await;
    let sink = SmtpSink::start().await;
    app.active_cycle(&org.hr).await;
    app.open_check_ins().await;
    let mine = app.check_ins_of(&org.alice, "alice@t.io").await;
    let id = mine[0]["id"].clone();
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!) { submitCheckIn(input: {id: $id, confidence: 4 }) { checkIn { status } } }",
        json!({ "id": id }),
    )
    .await
    .data();
    let ack = "mutation($id: ID!, $r: String!) { acknowledgeCheckIn(input: {id: $id, reply: $r}) { status } }";
    app.gql(
        Some(&org.mgr),
        ack,
        json!({ "id": id, "r": "Good week <3, keep going" }),
    )
    .await
    .data();
    let got = delivered(&app, &sink, "alice@t.io").await;
    let acks: Vec<&Received> = got
        .iter()
        .filter(|m| m.subject().contains("read your check-in"))
        .collect();
    assert_eq!(acks.len(), 1);
    assert_eq!(
        acks[0].subject(),
        "Mia Manager read your check-in for 2027-03-01 to 2027-03-07"
    );
    let (text, html) = parts(acks[0]);
    assert!(text.contains("Good week <3, keep going"), "{text}");
    assert!(html.contains("Good week &lt;3, keep going"), "{html}");
    // A second acknowledgement is refused and sends nothing more.
    app.gql(Some(&org.mgr), ack, json!({ "id": id, "r": "again" }))
        .await
        .assert_error("CONFLICT", None);
    let again = delivered(&app, &sink, "alice@t.io").await;
    assert_eq!(
        again
            .iter()
            .filter(|m| m.subject().contains("read your check-in"))
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn feedback_reaches_its_recipient_only_and_a_cadence_change_its_employee() {
    let app = spawn_app().await;
    let org = app.org().await;
    let sink = SmtpSink::start().await;
    let cycle = app.active_cycle(&org.hr).await;
    let alice = app.employee("alice@t.io").await.id.to_string();
    let give = "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }";
    app.gql(
        Some(&org.bob),
        give,
        json!({ "input": { "recipientId": alice, "kind": "PRAISE", "body": "Thanks for the pairing session" } }),
    )
    .await
    .data();
    let got = delivered(&app, &sink, "alice@t.io").await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].subject(), "Bob Baker gave you praise");
    let (text, html) = parts(&got[0]);
    assert!(
        text.contains("Thanks for the pairing session")
            && text.contains("only you, your managers and HR can see it"),
        "{text}"
    );
    assert!(html.contains("Thanks for the pairing session"), "{html}");
    // Nobody else gets the private words: not the author, not her manager.
    for other in ["bob@t.io", "mgr@t.io"] {
        assert!(
            delivered(&app, &sink, other)
                .await
                .iter()
                .all(|m| !parts(m).0.contains("pairing")),
            "{other}"
        );
    }

    let set = "mutation($e: ID!, $c: ID!, $k: Cadence!) { setCheckInCadence(input: {employeeId: $e, cycleId: $c, cadence: $k}) { id } }";
    app.gql(
        Some(&org.mgr),
        set,
        json!({ "e": alice, "c": cycle, "k": "BIWEEKLY" }),
    )
    .await
    .data();
    let got = delivered(&app, &sink, "alice@t.io").await;
    let cadence: Vec<&Received> = got
        .iter()
        .filter(|m| m.subject().starts_with("You now check in"))
        .collect();
    assert_eq!(cadence.len(), 1);
    assert_eq!(cadence[0].subject(), "You now check in every two weeks");
    assert!(
        parts(cadence[0])
            .0
            .contains("Mia Manager set your check-ins")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cycle_phase_move_is_announced_to_everyone_once() {
    let app = spawn_app().await;
    let org = app.org().await;
    let sink = SmtpSink::start().await;
    let cycle = app.active_cycle(&org.hr).await;
    // Nothing goes out in the move's own transaction; the scheduled scan queues it.
    let announcements = "email_outbox WHERE template = 'cycle_phase_moved'";
    assert_eq!(app.count(announcements).await, 0);
    let report = app.scan_check_ins("2027-03-01T12:05:00Z").await;
    assert_eq!(report.announced, 9, "everyone active");
    // A second scan, or a crash before the cursor moved, queues nothing twice.
    assert_eq!(
        app.scan_check_ins("2027-03-01T12:10:00Z").await.announced,
        0
    );
    assert_eq!(app.count(announcements).await, 9);
    let got = delivered(&app, &sink, "carol@t.io").await;
    let started: Vec<&Received> = got
        .iter()
        .filter(|m| m.subject() == "FY2027 has started")
        .collect();
    assert_eq!(started.len(), 1);
    let (text, html) = parts(started[0]);
    assert!(text.starts_with("Hi Carol Closer,"), "{text}");
    assert!(text.contains(&format!("/cycles/{cycle}")), "{text}");
    assert!(html.contains("check in on them"), "{html}");

    // People who left hear nothing of the next move; the review dates are in its e-mail.
    let dave = app.employee("dave@t.io").await.id.to_string();
    app.gql(
        Some(&org.hr),
        "mutation($id: ID!) { deactivateEmployee(input: { id: $id }) { active } }",
        json!({ "id": dave }),
    )
    .await
    .data();
    app.advance_cycle(&org.hr, &cycle, "REVIEW").await;
    assert_eq!(
        app.scan_check_ins("2027-03-01T12:15:00Z").await.announced,
        8
    );
    sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    let reviews: Vec<Received> = sink
        .messages()
        .into_iter()
        .filter(|m| m.subject() == "Reviews for FY2027 are open")
        .collect();
    assert_eq!(reviews.len(), 8);
    assert!(reviews.iter().all(|m| m.to != ["dave@t.io"]));
    let (text, _) = parts(&reviews[0]);
    assert!(text.contains("due by"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_organisation_hears_of_a_move_a_batch_at_a_time() {
    let app = spawn_app().await;
    domain::seed::generate_people(&app.ctx, 2500, 7)
        .await
        .unwrap();
    let hr = app
        .token(
            &entity::employee::Entity::find()
                .filter(entity::employee::Column::Role.eq(entity::values::Role::HrAdmin))
                .one(&app.ctx.db)
                .await
                .unwrap()
                .unwrap()
                .email,
        )
        .await;
    let cycle = app.planning_cycle(&hr, "Big").await;
    app.advance_cycle(&hr, &cycle, "ACTIVE").await;
    let queued = domain::announcements::run(&app.ctx).await.unwrap();
    assert_eq!(queued, 2500);
    assert_eq!(
        app.count("cycle_announcement WHERE done_at IS NOT NULL AND queued = 2500")
            .await,
        1
    );
}
