//! The reminder path through the real queue: apalis on Redis (PostgreSQL run) or on the
//! embedded SQLite queue (SQLite run), ticks triggered at injected times, e-mail drained to a
//! real SMTP server.

use domain::Clock;
use perfcycle_tests::queue::{queue, start_worker, wait_for_sent};
use perfcycle_tests::smtp::SmtpSink;
use perfcycle_tests::{at, spawn_app};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn the_reminder_path_runs_through_the_queue() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    let sink = SmtpSink::start().await;
    let queue = queue().await;
    let worker = start_worker(&app, &queue, &sink, "worker-a");
    app.clock.set(at("2027-03-01T12:00:00Z"));
    assert!(
        worker::pool::run_scan_tick(&worker, at("2027-03-01T12:00:00Z"))
            .await
            .unwrap()
    );
    app.clock.set(at("2027-03-05T23:00:00Z"));
    assert!(
        worker::pool::run_scan_tick(&worker, at("2027-03-05T23:00:00Z"))
            .await
            .unwrap()
    );
    wait_for_sent(&app, 18).await; // 9 reminders and the 9 e-mails announcing the cycle's start
    // The same tick again is refused; a later one finds nothing new to send.
    assert!(
        !worker::pool::run_scan_tick(&worker, at("2027-03-05T23:00:00Z"))
            .await
            .unwrap()
    );
    assert!(
        worker::pool::run_scan_tick(&worker, at("2027-03-05T23:05:00Z"))
            .await
            .unwrap()
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    let messages = sink.messages();
    assert_eq!(messages.len(), 18);
    let mut ids: Vec<String> = messages.iter().map(|m| m.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 18, "each outbox row is sent once");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_workers_and_repeated_jobs_send_each_email_once() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    let sink = SmtpSink::start().await;
    let queue = queue().await;
    let a = start_worker(&app, &queue, &sink, "worker-a");
    let b = start_worker(&app, &queue, &sink, "worker-b");
    app.scan_check_ins("2027-03-01T12:00:00Z").await;
    app.clock.set(at("2027-03-05T23:00:00Z"));
    // Both processes' schedules fire for the same tick: one runs it.
    let tick = at("2027-03-05T23:00:00Z");
    let (ra, rb) = tokio::join!(
        worker::pool::run_scan_tick(&a, tick),
        worker::pool::run_scan_tick(&b, tick)
    );
    let ran = [ra.unwrap(), rb.unwrap()];
    assert_eq!(ran.iter().filter(|r| **r).count(), 1, "{ran:?}");
    // At-least-once delivery: every row's job arrives three times, on two workers.
    let ids = domain::outbox::sendable(&app.ctx.db, app.clock.now(), 100)
        .await
        .unwrap();
    queue.push(ids.clone()).await.unwrap();
    queue.push(ids).await.unwrap();
    wait_for_sent(&app, 18).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), 18, "no e-mail twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_senders_renewed_claim_is_kept_and_a_dead_senders_rows_are_queued_again_once() {
    use domain::outbox::{LEASE, claim_batch, mark_sent_many, renew, take_for_dispatch};
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    app.scan_check_ins("2027-03-01T12:00:00Z").await;
    app.scan_check_ins("2027-03-05T23:00:00Z").await;
    let t = at("2027-03-05T23:00:00Z");
    let db = &app.ctx.db;
    // 9 reminders and the 9 e-mails announcing the cycle's start.
    let ids = take_for_dispatch(db, t, 100).await.unwrap();
    assert_eq!(ids.len(), 18);
    assert!(take_for_dispatch(db, t, 100).await.unwrap().is_empty());
    let live = claim_batch(db, &ids[..4], t, LEASE).await.unwrap();
    let dead = claim_batch(db, &ids[4..], t, LEASE).await.unwrap();
    assert_eq!((live.len(), dead.len()), (4, 14));
    // Claimed rows belong to their sender.
    assert!(claim_batch(db, &ids, t, LEASE).await.unwrap().is_empty());
    // The live sender's heartbeat; the dead one's lease runs out.
    let beat = t + LEASE / 2;
    assert_eq!(renew(db, &live, beat, LEASE).await.unwrap(), 4);
    let expired = t + LEASE + chrono::Duration::seconds(1);
    let mut again = take_for_dispatch(db, expired, 100).await.unwrap();
    let mut expected: Vec<_> = dead.iter().map(|r| r.id).collect();
    again.sort();
    expected.sort();
    assert_eq!(
        again, expected,
        "only the dead sender's rows are queued again"
    );
    assert!(
        take_for_dispatch(db, expired, 100)
            .await
            .unwrap()
            .is_empty(),
        "and only once"
    );
    let taken = claim_batch(db, &ids, expired, LEASE).await.unwrap();
    assert_eq!(taken.len(), 14, "the live sender keeps its rows");
    assert!(taken.iter().all(|r| r.attempts == 2));
    // The dead sender's claim is no longer current: its heartbeat and its record change nothing.
    assert_eq!(renew(db, &dead, expired, LEASE).await.unwrap(), 0);
    mark_sent_many(db, &dead, expired).await.unwrap();
    assert_eq!(app.count("email_outbox WHERE status = 'SENT'").await, 0);
    mark_sent_many(db, live.iter().chain(&taken), expired)
        .await
        .unwrap();
    assert_eq!(app.count("email_outbox WHERE status = 'SENT'").await, 18);
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_whose_send_job_could_not_be_queued_are_taken_again_by_the_next_dispatch() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let goal = app.goal_id(&org.alice, &cycle, serde_json::json!({})).await;
    app.goal_action(&org.alice, "proposeGoal", &goal)
        .await
        .data();
    let now = app.clock.now();
    let taken = domain::outbox::take_for_dispatch(&app.ctx.db, now, 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1, "the manager's e-mail");
    // Marked as queued: the next round leaves it to the queue.
    let later = now + chrono::Duration::seconds(1);
    assert!(
        domain::outbox::take_for_dispatch(&app.ctx.db, later, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The push failed (Redis away): undone, the next round takes it again at once.
    domain::outbox::undo_dispatch(&app.ctx.db, &taken, now)
        .await
        .unwrap();
    let again = domain::outbox::take_for_dispatch(&app.ctx.db, later, 10)
        .await
        .unwrap();
    assert_eq!(again, taken);
    // Undoing the first round's mark does not undo a later round's.
    domain::outbox::undo_dispatch(&app.ctx.db, &taken, now)
        .await
        .unwrap();
    assert!(
        domain::outbox::take_for_dispatch(&app.ctx.db, later + chrono::Duration::seconds(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
