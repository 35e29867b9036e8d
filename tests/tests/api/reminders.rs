//! The reminder path end to end: schedules run at injected times, the outbox is drained to a
//! real SMTP server, and exactly the expected messages arrive, once.

use perfcycle_tests::smtp::SmtpSink;
use perfcycle_tests::{at, spawn_app};
use serde_json::json;
use std::collections::BTreeMap;
use worker::mailer::Mailer;

fn by_recipient(sink: &SmtpSink) -> BTreeMap<String, Vec<String>> {
    subjects_by_recipient(sink, "")
}

/// Subjects containing `part`, by recipient.
fn subjects_by_recipient(sink: &SmtpSink, part: &str) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in sink
        .messages()
        .into_iter()
        .filter(|m| m.subject().contains(part))
    {
        for to in &m.to {
            map.entry(to.clone()).or_default().push(m.subject());
        }
    }
    map
}

#[tokio::test(flavor = "multi_thread")]
async fn reminders_go_out_on_friday_morning_local_time_exactly_once() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    app.agreed_goal(
        &org.alice,
        &org.mgr,
        &cycle,
        json!({ "weight": 100, "title": "Halve checkout latency" }),
    )
    .await;
    let sink = SmtpSink::start().await;
    let mailer = sink.mailer();
    // The proposal and the agreement were e-mailed too; this test counts the reminders.
    assert_eq!(mailer.deliver_pending(&app.ctx).await.unwrap().sent, 2);
    let reminders = |sink: &SmtpSink| subjects_by_recipient(sink, "check-in for");

    let monday = app.scan_check_ins("2027-03-01T12:00:00Z").await;
    assert_eq!((monday.opened, monday.reminders), (9, 0));
    // The cycle's start is announced to everyone first.
    assert_eq!(monday.announced, 9);
    assert_eq!(mailer.deliver_pending(&app.ctx).await.unwrap().sent, 9);
    assert!(reminders(&sink).is_empty());
    // Friday 08:30 UTC: past 09:00 in Kolkata (Bob) and Berlin (Cleo, Hank, Mia); not yet in
    // London-on-UTC (Lea, Dave, Otto, Carol) or New York (Alice).
    let early = app.scan_check_ins("2027-03-05T08:30:00Z").await;
    assert_eq!(early.reminders, 4);
    assert_eq!(
        app.scan_check_ins("2027-03-05T08:45:00Z").await.reminders,
        0,
        "a second scan queues nothing"
    );
    let sent = mailer.deliver_pending(&app.ctx).await.unwrap();
    assert_eq!(sent.sent, 4);
    let got = reminders(&sink);
    assert_eq!(
        got.keys().cloned().collect::<Vec<_>>(),
        ["bob@t.io", "ceo@t.io", "hr@t.io", "mgr@t.io"]
    );
    // A scan that runs late (afternoon in New York) catches everyone else up.
    let late = app.scan_check_ins("2027-03-05T19:00:00Z").await;
    assert_eq!(late.reminders, 5);
    mailer.deliver_pending(&app.ctx).await.unwrap();
    let got = reminders(&sink);
    assert_eq!(got.len(), 9, "{got:?}");
    assert!(
        got.values().all(|subjects| subjects.len() == 1),
        "duplicates: {got:?}"
    );
    let alices = sink
        .messages()
        .into_iter()
        .find(|m| m.to == ["alice@t.io"] && m.subject().contains("check-in"))
        .expect("no mail for Alice");
    assert_eq!(
        alices.subject(),
        "Your check-in for 2027-03-01 to 2027-03-07 is due"
    );
    let text = alices.part("text/plain").unwrap();
    let html = alices.part("text/html").unwrap();
    assert!(
        text.contains("Alice Able")
            && text.contains("Halve checkout latency")
            && text.contains("https://app.perfcycle.test/check-ins/"),
        "{text}"
    );
    assert!(html.contains("<li>Halve checkout latency</li>"), "{html}");
    assert_eq!(
        app.count("email_outbox WHERE status = 'SENT'").await,
        20,
        "2 about the goal, 9 announcing the cycle's start, 9 reminders"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missed_check_ins_are_marked_once_and_each_manager_is_told() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    let sink = SmtpSink::start().await;
    let mailer = sink.mailer();
    app.scan_check_ins("2027-03-01T12:00:00Z").await;
    // Alice submits; nobody else does.
    let id = app.check_ins_of(&org.alice, "alice@t.io").await[0]["id"].clone();
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!) { submitCheckIn(input: {id: $id, confidence: 4}) { checkIn { status } } }",
        json!({ "id": id }),
    )
    .await
    .data();
    let report = app.scan_check_ins("2027-03-10T12:00:00Z").await;
    assert_eq!(report.missed, 8);
    assert_eq!(app.scan_check_ins("2027-03-10T13:00:00Z").await.missed, 0);
    mailer.deliver_pending(&app.ctx).await.unwrap();
    let got = by_recipient(&sink);
    let notes = |who: &str| {
        got.get(who)
            .map(|s| s.iter().filter(|s| s.contains("missed")).count())
            .unwrap_or(0)
    };
    assert_eq!(notes("mgr@t.io"), 2, "Bob and Lea, not Alice: {got:?}");
    assert_eq!(notes("ceo@t.io"), 3, "Hank, Mia, Otto: {got:?}");
    assert_eq!(notes("lead@t.io"), 1);
    assert_eq!(notes("other@t.io"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_senders_at_once_never_send_the_same_email_twice() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    let sink = SmtpSink::start().await;
    app.scan_check_ins("2027-03-01T12:00:00Z").await;
    assert_eq!(
        app.scan_check_ins("2027-03-05T23:00:00Z").await.reminders,
        9
    );
    let (a, b) = (sink.mailer(), sink.mailer());
    let (ctx_a, ctx_b) = (app.ctx.clone(), app.ctx.clone());
    let (ra, rb) = tokio::join!(async move { a.deliver_pending(&ctx_a).await }, async move {
        b.deliver_pending(&ctx_b).await
    },);
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    eprintln!("sender A sent {}, sender B sent {}", ra.sent, rb.sent);
    // 9 reminders and the 9 e-mails announcing the cycle's start.
    assert_eq!(ra.sent + rb.sent, 18);
    assert_eq!(sink.messages().len(), 18);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_smtp_server_is_retried_later_and_nothing_is_lost() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    app.scan_check_ins("2027-03-01T12:00:00Z").await;
    app.scan_check_ins("2027-03-05T23:00:00Z").await;
    // Nothing listens on this port.
    let dead = Mailer::new(
        Some("smtp://127.0.0.1:9"),
        std::env::temp_dir(),
        "noreply@perfcycle.test",
        "http://x",
    )
    .unwrap();
    // 9 reminders and the 9 e-mails announcing the cycle's start.
    let r = dead.deliver_pending(&app.ctx).await.unwrap();
    assert_eq!((r.sent, r.retrying), (0, 18));
    assert_eq!(
        app.count("email_outbox WHERE status = 'PENDING' AND attempts = 1")
            .await,
        18
    );
    // After the backoff a working server gets every message, once.
    let sink = SmtpSink::start().await;
    app.clock.set(at("2027-03-06T00:00:00Z"));
    let r = sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    assert_eq!(r.sent, 18);
    assert_eq!(sink.messages().len(), 18);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_smtp_emails_are_written_as_eml_files() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    app.scan_check_ins("2027-03-01T12:00:00Z").await;
    app.scan_check_ins("2027-03-05T23:00:00Z").await;
    let dir = std::env::temp_dir().join(format!("perfcycle-outbox-{}", uuid::Uuid::new_v4()));
    let files = Mailer::new(None, dir.clone(), "noreply@perfcycle.test", "http://x").unwrap();
    // 9 reminders and the 9 e-mails announcing the cycle's start.
    assert_eq!(files.deliver_pending(&app.ctx).await.unwrap().sent, 18);
    let written = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|f| f.path().extension().is_some_and(|e| e == "eml"))
        .count();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(written, 18);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_goal_workflow_emails_the_manager_then_the_employee() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let sink = SmtpSink::start().await;
    let mailer = sink.mailer();
    let kr = app
        .agreed_goal(
            &org.alice,
            &org.mgr,
            &cycle,
            json!({ "weight": 100, "title": "Halve checkout latency" }),
        )
        .await
        .key_result_id;
    app.gql(Some(&org.mgr), "mutation($kr: ID!) { reviseTarget(input: {keyResultId: $kr, newTarget: \"250\", reason: \"The cache landed early\"}) { revision { id } } }", json!({ "kr": kr })).await.data();
    // Draining twice sends nothing twice.
    mailer.deliver_pending(&app.ctx).await.unwrap();
    mailer.deliver_pending(&app.ctx).await.unwrap();
    let got = by_recipient(&sink);
    assert_eq!(
        got.get("mgr@t.io").cloned().unwrap_or_default(),
        ["Alice Able proposed a goal: Halve checkout latency"]
    );
    let alice = got.get("alice@t.io").cloned().unwrap_or_default();
    assert_eq!(
        alice,
        [
            "Your goal is agreed: Halve checkout latency",
            // 300 → 250 ms on a decreasing metric asks more.
            "Expectations raised: Halve checkout latency"
        ]
    );
    let revised = sink
        .messages()
        .into_iter()
        .find(|m| m.subject().starts_with("Expectations raised"))
        .expect("no revision mail");
    let text = revised.part("text/plain").unwrap();
    assert!(
        text.contains("from 300 to 250") && text.contains("The cache landed early"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hr_sees_failed_deliveries_and_nobody_else_does() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    app.scan_check_ins("2027-03-01T12:00:00Z").await;
    app.scan_check_ins("2027-03-05T23:00:00Z").await;
    let dead = Mailer::new(
        Some("smtp://127.0.0.1:9"),
        std::env::temp_dir(),
        "noreply@perfcycle.test",
        "http://x",
    )
    .unwrap();
    dead.deliver_pending(&app.ctx).await.unwrap();
    let q = "{ jobFailures(first: 50) { totalCount edges { node { kind key recipient status attempts lastError retryAfter } } } }";
    let r = app.gql(Some(&org.hr), q, json!({})).await;
    let failures = &r.data()["jobFailures"];
    // 9 reminders and the 9 e-mails announcing the cycle's start.
    assert_eq!(failures["totalCount"], 18);
    let first = &failures["edges"][0]["node"];
    assert_eq!(
        (
            first["kind"].as_str(),
            first["status"].as_str(),
            first["attempts"].as_i64()
        ),
        (Some("SEND_EMAIL"), Some("PENDING"), Some(1))
    );
    assert!(first["lastError"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(first["retryAfter"].is_string());
    app.gql(Some(&org.mgr), q, json!({}))
        .await
        .assert_error("FORBIDDEN", None);
}

/// E-mails queued many at a time keep the one-per-key rule: a key already in the outbox and a
/// key repeated within the batch each add one row, and the count says how many were new.
#[tokio::test(flavor = "multi_thread")]
async fn e_mails_queued_in_bulk_are_deduplicated_by_key() {
    use domain::mail::{CheckInMissed, Mail};
    use domain::outbox::{Email, enqueue, enqueue_many};
    let app = spawn_app().await;
    let email = |key: &str, name: &str| Email {
        dedupe_key: key.into(),
        to_email: "mia@t.io".into(),
        to_name: name.into(),
        mail: Mail::CheckinMissed(CheckInMissed {
            name: "Mia".into(),
            employee_name: name.into(),
            employee_id: uuid::Uuid::new_v4(),
            period_start: perfcycle_tests::date("2027-03-01"),
            period_end: perfcycle_tests::date("2027-03-07"),
        }),
    };
    let now = at("2027-03-08T09:00:00Z");
    assert!(
        enqueue(&app.ctx.db, email("bulk:a", "First"), now)
            .await
            .unwrap()
    );
    assert!(
        !enqueue(&app.ctx.db, email("bulk:a", "Again"), now)
            .await
            .unwrap()
    );
    // 1 200 rows: more than one statement's worth.
    let mut batch: Vec<Email> = (0..1200)
        .map(|i| email(&format!("bulk:{i}"), "N"))
        .collect();
    batch.push(email("bulk:a", "Repeat of a stored key"));
    batch.push(email("bulk:7", "Repeat within the batch"));
    let added = enqueue_many(&app.ctx.db, batch, now).await.unwrap();
    assert_eq!(added, 1200);
    assert_eq!(enqueue_many(&app.ctx.db, Vec::new(), now).await.unwrap(), 0);
    use entity::email_outbox;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let stored: Vec<(String, String)> = email_outbox::Entity::find()
        .filter(email_outbox::Column::DedupeKey.is_in(["bulk:a", "bulk:7"]))
        .all(&app.ctx.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.dedupe_key, r.recipient_name))
        .collect();
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert!(
        stored.contains(&("bulk:a".into(), "First".into())),
        "{stored:?}"
    );
    assert!(
        stored.contains(&("bulk:7".into(), "N".into())),
        "{stored:?}"
    );
}
