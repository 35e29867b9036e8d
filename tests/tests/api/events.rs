//! The domain event stream: every state change is one typed event written with the change,
//! and the e-mails an event causes are queued in the same transaction.

use domain::events::DomainEvent;
use domain::mail::Mail;
use domain::values::CyclePhase;
use entity::{domain_event, email_outbox};
use perfcycle_tests::{TestApp, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

async fn events_of(app: &TestApp, kind: &str) -> Vec<(domain_event::Model, DomainEvent)> {
    domain_event::Entity::find()
        .filter(domain_event::Column::Kind.eq(kind))
        .order_by_asc(domain_event::Column::OccurredAt)
        .all(&app.ctx.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            let event: DomainEvent = serde_json::from_value(row.payload.clone()).unwrap();
            assert_eq!(event.kind(), row.kind);
            assert_eq!(event.subject_id(), row.subject_id);
            (row, event)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_cycle_phase_move_is_one_typed_event_with_its_actor() {
    let app = spawn_app().await;
    let org = app.org().await;
    let hr = app.employee("hr@t.io").await;
    let id = app.active_cycle(&org.hr).await;
    // A refused move writes no event.
    app.gql(
        Some(&org.hr),
        "mutation($id: ID!) { advanceCyclePhase(input: {id: $id, to: CLOSED}) { phase } }",
        json!({ "id": id }),
    )
    .await
    .assert_error("CONFLICT", None);
    app.gql(
        Some(&org.mgr),
        "mutation($id: ID!) { advanceCyclePhase(input: {id: $id, to: REVIEW}) { phase } }",
        json!({ "id": id }),
    )
    .await
    .assert_error("FORBIDDEN", None);

    let moves = events_of(&app, "CYCLE_PHASE_CHANGED").await;
    assert_eq!(moves.len(), 1, "{moves:?}");
    let (row, event) = &moves[0];
    assert_eq!(row.actor_id, Some(hr.id));
    assert_eq!(row.subject_id.to_string(), id);
    match event {
        DomainEvent::CyclePhaseChanged { from, to, name, .. } => {
            assert_eq!((*from, *to), (CyclePhase::Planning, CyclePhase::Active));
            assert_eq!(name, "FY2027");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(events_of(&app, "CYCLE_CREATED").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn agreeing_a_goal_records_its_event_and_queues_the_owners_email_with_it() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let id = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 100 }))
        .await;
    // A second apart each, so the stored events have an order to read them back in.
    app.clock.set(perfcycle_tests::at("2027-03-01T12:00:01Z"));
    app.goal_action(&org.alice, "proposeGoal", &id).await.data();
    app.clock.set(perfcycle_tests::at("2027-03-01T12:00:02Z"));
    // The owner cannot agree her own goal: no event, no e-mail.
    app.goal_action(&org.alice, "agreeGoal", &id)
        .await
        .assert_error("FORBIDDEN", None);
    assert!(events_of(&app, "GOAL_AGREED").await.is_empty());
    app.goal_action(&org.mgr, "agreeGoal", &id).await.data();

    let mgr = app.employee("mgr@t.io").await;
    let agreed = events_of(&app, "GOAL_AGREED").await;
    assert_eq!(agreed.len(), 1);
    match &agreed[0].1 {
        DomainEvent::GoalAgreed {
            goal, agreed_by, ..
        } => {
            assert_eq!(goal.goal_id.to_string(), id);
            assert_eq!(*agreed_by, mgr.id);
            assert_eq!(goal.weight, 100);
        }
        other => panic!("unexpected {other:?}"),
    }
    let kinds: Vec<String> = domain_event::Entity::find()
        .filter(domain_event::Column::SubjectId.eq(agreed[0].0.subject_id))
        .order_by_asc(domain_event::Column::OccurredAt)
        .all(&app.ctx.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["GOAL_CREATED", "GOAL_PROPOSED", "GOAL_AGREED"]);

    let row = email_outbox::Entity::find()
        .filter(email_outbox::Column::Template.eq("goal_agreed"))
        .one(&app.ctx.db)
        .await
        .unwrap()
        .expect("the agreement e-mail is queued with the event");
    assert_eq!(row.recipient_email, "alice@t.io");
    match Mail::from_stored(&row.template, &row.data).unwrap() {
        Mail::GoalAgreed(m) => {
            assert_eq!(m.agreed_by, "Mia Manager");
            assert_eq!(m.goal.name, "Alice Able");
            assert_eq!(m.goal.goal_id.to_string(), id);
        }
        other => panic!("unexpected {other:?}"),
    }
}
