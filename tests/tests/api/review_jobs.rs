//! The review deadline e-mails through the real queue at injected times: reviewers reminded
//! 7, 3 and 1 days before and on the day at 09:00 in their timezone, one e-mail a day however
//! many rounds and reviews are due; overdue reviews escalated to each manager, then to HR;
//! each once.

use perfcycle_tests::queue::{queue, start_worker, wait_for_sent};
use perfcycle_tests::reviews::LAUNCH;
use perfcycle_tests::smtp::SmtpSink;
use perfcycle_tests::{TestApp, at, spawn_app};
use serde_json::{Value, json};
use std::sync::Arc;
use worker::pool::Services;

/// Runs the scheduled tick at `when` on `worker` (the clock moved there first).
async fn tick(app: &TestApp, worker: &Arc<Services>, when: &str) {
    app.clock.set(at(when));
    assert!(worker::pool::run_scan_tick(worker, at(when)).await.unwrap());
}

async fn mails(app: &TestApp, key: &str) -> i64 {
    app.count(&format!("email_outbox WHERE dedupe_key LIKE '{key}%'"))
        .await
}

async fn data_of(app: &TestApp, key: &str) -> Value {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::email_outbox::Entity::find()
        .filter(entity::email_outbox::Column::DedupeKey.eq(key))
        .one(&app.ctx.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no e-mail {key}"))
        .data
}

#[tokio::test(flavor = "multi_thread")]
async fn reviewers_are_reminded_daily_at_nine_and_overdue_reviews_escalate_once() {
    let app = spawn_app().await;
    let s = app.review_setup(json!({})).await;
    let org = &s.org;
    // A midyear round due the same day: still one e-mail a day per reviewer.
    let r = app
        .gql(
            Some(&org.hr),
            "mutation($c: ID!, $s: ReviewRoundSettingsInput!) { createReviewRound(cycleId: $c, settings: $s) { id } }",
            json!({ "c": s.cycle, "s": { "opensOn": "2027-11-01", "dueOn": "2027-12-15", "templateId": s.template } }),
        )
        .await;
    let midyear = r.data()["createReviewRound"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(Some(&org.hr), LAUNCH, json!({ "r": midyear }))
        .await
        .data();
    app.run_jobs().await;

    let sink = SmtpSink::start().await;
    let queue = queue().await;
    let worker = start_worker(&app, &queue, &sink, "worker-a");
    // Due Wednesday 15 December. A week before, 08:30 UTC: 09:30 in Berlin (Cleo, Hank,
    // Mia) and 14:00 in Kolkata (Bob); not yet 09:00 in UTC or New York.
    tick(&app, &worker, "2027-12-08T08:30:00Z").await;
    assert_eq!(mails(&app, "review-due:").await, 4);
    tick(&app, &worker, "2027-12-08T14:00:00Z").await;
    assert_eq!(mails(&app, "review-due:").await, 9);
    let alice = app.employee("alice@t.io").await.id;
    let reminder = data_of(&app, &format!("review-due:{alice}:2027-12-08")).await;
    assert_eq!(
        (reminder["notice"].clone(), reminder["daysLeft"].clone()),
        (json!("REVIEWS_DUE"), json!(7))
    );
    // Her self and upward reviews in the round whose e-mail went first.
    assert_eq!(reminder["pending"], 2);
    tick(&app, &worker, "2027-12-08T16:00:00Z").await;
    assert_eq!(mails(&app, "review-due:").await, 9, "once a day");

    // Alice submits everything she owes in both rounds: no more reminders for her.
    for kind in ["SELF", "UPWARD"] {
        let about = if kind == "SELF" {
            "alice@t.io"
        } else {
            "mgr@t.io"
        };
        let id = app.review_id(&org.alice, &s.round, kind, about).await;
        app.submit_review(&org.alice, &id, 4, None, false)
            .await
            .data();
        let id = app.review_id(&org.alice, &midyear, kind, about).await;
        app.submit_review(&org.alice, &id, 4, None, false)
            .await
            .data();
    }
    tick(&app, &worker, "2027-12-12T14:00:00Z").await;
    assert_eq!(
        mails(&app, "review-due:").await,
        17,
        "3 days before: everyone but Alice"
    );
    tick(&app, &worker, "2027-12-15T14:00:00Z").await;
    assert_eq!(mails(&app, "review-due:").await, 25, "on the day");
    let bob = app.employee("bob@t.io").await.id;
    let on_the_day = data_of(&app, &format!("review-due:{bob}:2027-12-15")).await;
    assert_eq!(on_the_day["daysLeft"], 0);

    // Two days after: each manager hears about their direct reports at 09:00 their time.
    tick(&app, &worker, "2027-12-17T08:30:00Z").await;
    let mgr = app.employee("mgr@t.io").await.id;
    let escalation = data_of(&app, &format!("reviews-overdue:{}:manager:{mgr}", s.round)).await;
    // Lea owes her self review and her manager review of Dave, Bob his self review; their
    // upward reviews of Mia herself are not counted, or she would know who has not written.
    assert_eq!(
        escalation["lines"],
        json!(["Lea Lead (2)", "Bob Baker (1)"])
    );
    assert_eq!(escalation["pending"], 3);
    // Berlin's managers (Cleo, Mia) in both rounds; Lea and Otto (UTC) not yet.
    assert_eq!(mails(&app, "reviews-overdue:").await, 4);
    tick(&app, &worker, "2027-12-17T09:00:00Z").await;
    assert_eq!(mails(&app, "reviews-overdue:").await, 8);
    tick(&app, &worker, "2027-12-17T18:00:00Z").await;
    assert_eq!(mails(&app, "reviews-overdue:").await, 8);
    // Five days after: HR hears how many owe how many.
    tick(&app, &worker, "2027-12-20T08:00:00Z").await;
    let hr = app.employee("hr@t.io").await.id;
    let to_hr = data_of(&app, &format!("reviews-overdue:{}:hr:{hr}", s.round)).await;
    assert_eq!(to_hr["notice"], "REVIEWS_OVERDUE_HR");
    assert_eq!(to_hr["lines"].as_array().unwrap().len(), 8);
    assert_eq!(mails(&app, "reviews-overdue:").await, 10);
    // Every one of them reached the mail server.
    let total = app.count("email_outbox").await;
    wait_for_sent(&app, total).await;
}
