//! Goal negotiation: nobody's goal is agreed without both sides. The owner proposes to their
//! manager, or a manager proposes to the owner; the side asked agrees (or accepts) or returns
//! it with a reason; each step is in the goal's history and e-mailed to the other side.

use perfcycle_tests::smtp::{Received, SmtpSink};
use perfcycle_tests::{TestApp, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const GOAL: &str = "query($id: ID!) { goal(id: $id) { status awaiting createdBy { email } proposedBy { email } agreedBy { email } agreedAt closedAt events { step actor { email } fromStatus toStatus reason at } } }";

async fn goal(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(Some(token), GOAL, json!({ "id": id })).await.data()["goal"].clone()
}

async fn return_goal(app: &TestApp, token: &str, id: &str, reason: &str) -> perfcycle_tests::Gql {
    app.gql(
        Some(token),
        "mutation($id: ID!, $why: String!) { returnGoal(input: {id: $id, reason: $why}) { status } }",
        json!({ "id": id, "why": reason }),
    )
    .await
}

fn steps(goal: &Value) -> Vec<(String, String)> {
    goal["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["step"].as_str().unwrap().to_owned(),
                e["actor"]["email"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Delivers the outbox and answers the messages `to` received since `seen` of them.
async fn mail_to(app: &TestApp, sink: &SmtpSink, to: &str) -> Vec<Received> {
    sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    sink.messages()
        .into_iter()
        .filter(|m| m.to == [to])
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_goal_a_manager_proposes_waits_for_the_owner_who_returns_or_accepts_it() {
    let app = spawn_app().await;
    let org = app.org().await;
    let sink = SmtpSink::start().await;
    let cycle = app.active_cycle(&org.hr).await;
    let alice = app.employee("alice@t.io").await;
    let id = app
        .goal_id(
            &org.mgr,
            &cycle,
            json!({ "ownerId": alice.id.to_string(), "weight": 100, "title": "Own the checkout SLO" }),
        )
        .await;
    app.goal_action(&org.mgr, "proposeGoal", &id).await.data();
    let g = goal(&app, &org.alice, &id).await;
    assert_eq!(
        (
            &g["status"],
            &g["awaiting"],
            &g["createdBy"]["email"],
            &g["proposedBy"]["email"]
        ),
        (
            &json!("PROPOSED"),
            &json!("OWNER"),
            &json!("mgr@t.io"),
            &json!("mgr@t.io")
        )
    );
    let proposed = mail_to(&app, &sink, "alice@t.io").await;
    assert_eq!(proposed.len(), 1);
    assert_eq!(
        proposed[0].subject(),
        "Mia Manager proposes a goal for you: Own the checkout SLO"
    );

    // The manager's side cannot complete it, nor can anyone but Alice answer it.
    for token in [&org.mgr, &org.hr] {
        app.goal_action(token, "agreeGoal", &id)
            .await
            .assert_error("CONFLICT", None);
    }
    app.goal_action(&org.mgr, "acceptGoal", &id)
        .await
        .assert_error("FORBIDDEN", None);
    return_goal(&app, &org.mgr, &id, "withdrawn")
        .await
        .assert_error("FORBIDDEN", None);
    app.goal_action(&org.bob, "acceptGoal", &id)
        .await
        .assert_error("NOT_FOUND", None);
    return_goal(&app, &org.alice, &id, "  ")
        .await
        .assert_error("BAD_USER_INPUT", Some("reason"));
    return_goal(&app, &org.alice, &id, &"x".repeat(2001))
        .await
        .assert_error("BAD_USER_INPUT", Some("reason"));
    assert_eq!(goal(&app, &org.alice, &id).await["status"], "PROPOSED");

    // Alice returns it; the manager hears why.
    let r = return_goal(&app, &org.alice, &id, "Too much for the first quarter").await;
    assert_eq!(r.data()["returnGoal"]["status"], "DRAFT");
    let returned = mail_to(&app, &sink, "mgr@t.io").await;
    assert_eq!(returned.len(), 1);
    assert_eq!(
        returned[0].subject(),
        "Returned for changes: Own the checkout SLO"
    );
    for part in ["text/plain", "text/html"] {
        let body = returned[0].part(part).unwrap();
        assert!(
            body.contains("Alice Able returned") && body.contains("Too much for the first quarter"),
            "{part}: {body}"
        );
    }

    // The manager edits it (Alice hears so) and proposes it again (a second e-mail).
    app.gql(
        Some(&org.mgr),
        "mutation($id: ID!) { updateGoal(input: {id: $id, dueOn: \"2027-09-30\" }) { id } }",
        json!({ "id": id }),
    )
    .await
    .data();
    app.goal_action(&org.mgr, "proposeGoal", &id).await.data();
    let to_alice: Vec<String> = mail_to(&app, &sink, "alice@t.io")
        .await
        .iter()
        .map(Received::subject)
        .collect();
    assert_eq!(
        to_alice,
        [
            "Mia Manager proposes a goal for you: Own the checkout SLO",
            "Your goal was edited: Own the checkout SLO",
            "Mia Manager proposes a goal for you: Own the checkout SLO",
        ]
    );

    let r = app.goal_action(&org.alice, "acceptGoal", &id).await;
    assert_eq!(r.data()["acceptGoal"]["status"], "AGREED");
    let g = goal(&app, &org.mgr, &id).await;
    assert_eq!(g["agreedBy"]["email"], "alice@t.io");
    assert!(g["agreedAt"].is_string());
    assert_eq!(g["awaiting"], Value::Null);
    let accepted = mail_to(&app, &sink, "mgr@t.io").await;
    assert_eq!(accepted.len(), 2);
    assert_eq!(
        accepted[1].subject(),
        "Alice Able accepted Own the checkout SLO"
    );
    return_goal(&app, &org.alice, &id, "changed my mind")
        .await
        .assert_error("CONFLICT", None);

    // The manager closes it; Alice hears how it ended.
    app.gql(
        Some(&org.mgr),
        "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: ACHIEVED}) { closedAt } }",
        json!({ "id": id }),
    )
    .await
    .data();
    let g = goal(&app, &org.alice, &id).await;
    assert!(g["closedAt"].is_string());
    let last = mail_to(&app, &sink, "alice@t.io").await;
    assert_eq!(
        last.last().map(Received::subject).as_deref(),
        Some("Your goal was closed as achieved: Own the checkout SLO")
    );
    assert_eq!(
        steps(&g),
        [
            ("CREATED", "mgr@t.io"),
            ("PROPOSED", "mgr@t.io"),
            ("RETURNED", "alice@t.io"),
            ("EDITED", "mgr@t.io"),
            ("PROPOSED", "mgr@t.io"),
            ("ACCEPTED", "alice@t.io"),
            ("ACHIEVED", "mgr@t.io"),
        ]
        .map(|(s, a)| (s.to_owned(), a.to_owned()))
    );
    let returned = &g["events"][2];
    assert_eq!(
        (
            &returned["fromStatus"],
            &returned["toStatus"],
            &returned["reason"]
        ),
        (
            &json!("PROPOSED"),
            &json!("DRAFT"),
            &json!("Too much for the first quarter")
        )
    );
    assert_eq!(g["events"][0]["fromStatus"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_goal_the_owner_proposes_waits_for_the_manager_who_returns_or_agrees_it() {
    let app = spawn_app().await;
    let org = app.org().await;
    let sink = SmtpSink::start().await;
    let cycle = app.active_cycle(&org.hr).await;
    let id = app
        .goal_id(
            &org.alice,
            &cycle,
            json!({ "weight": 100, "title": "Ship search" }),
        )
        .await;
    app.goal_action(&org.alice, "proposeGoal", &id).await.data();
    assert_eq!(goal(&app, &org.alice, &id).await["awaiting"], "MANAGER");
    assert_eq!(
        mail_to(&app, &sink, "mgr@t.io").await[0].subject(),
        "Alice Able proposed a goal: Ship search"
    );
    // Alice cannot complete or withdraw it herself; people outside her line never see it.
    app.goal_action(&org.alice, "acceptGoal", &id)
        .await
        .assert_error("CONFLICT", None);
    return_goal(&app, &org.alice, &id, "withdrawn")
        .await
        .assert_error("FORBIDDEN", None);
    for token in [&org.bob, &org.lead, &org.other] {
        return_goal(&app, token, &id, "no")
            .await
            .assert_error("NOT_FOUND", None);
    }

    let r = return_goal(&app, &org.mgr, &id, "Make the target measurable").await;
    assert_eq!(r.data()["returnGoal"]["status"], "DRAFT");
    let back = mail_to(&app, &sink, "alice@t.io").await;
    assert_eq!(back.len(), 1);
    assert!(back[0].part("text/plain").unwrap().contains(
        "Mia Manager returned the goal \"Ship search\" to draft: Make the target measurable"
    ));
    // A returned goal is a draft again: it cannot be returned twice or agreed.
    return_goal(&app, &org.mgr, &id, "again")
        .await
        .assert_error("CONFLICT", None);
    app.goal_action(&org.mgr, "agreeGoal", &id)
        .await
        .assert_error("CONFLICT", None);

    app.goal_action(&org.alice, "proposeGoal", &id).await.data();
    app.goal_action(&org.mgr, "agreeGoal", &id).await.data();
    let g = goal(&app, &org.alice, &id).await;
    assert_eq!(g["agreedBy"]["email"], "mgr@t.io");
    assert_eq!(
        steps(&g),
        [
            ("CREATED", "alice@t.io"),
            ("PROPOSED", "alice@t.io"),
            ("RETURNED", "mgr@t.io"),
            ("PROPOSED", "alice@t.io"),
            ("AGREED", "mgr@t.io"),
        ]
        .map(|(s, a)| (s.to_owned(), a.to_owned()))
    );
    let to_mgr: Vec<String> = mail_to(&app, &sink, "mgr@t.io")
        .await
        .iter()
        .map(Received::subject)
        .collect();
    assert_eq!(
        to_mgr.len(),
        2,
        "both proposals reached the manager: {to_mgr:?}"
    );
    assert_eq!(
        mail_to(&app, &sink, "alice@t.io")
            .await
            .last()
            .map(Received::subject)
            .as_deref(),
        Some("Your goal is agreed: Ship search")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_owner_deletes_a_draft_and_only_a_draft() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let team = app
        .goal_id(
            &org.mgr,
            &cycle,
            json!({ "level": "TEAM", "weight": 100, "title": "Fast checkout" }),
        )
        .await;
    let draft = app
        .goal_id(
            &org.alice,
            &cycle,
            json!({ "parentId": team, "weight": 50 }),
        )
        .await;
    let delete = "mutation($id: ID!) { deleteGoal(input: {id: $id}) }";
    // A draft others align to stays; so does one someone else owns.
    app.gql(Some(&org.mgr), delete, json!({ "id": team }))
        .await
        .assert_error("CONFLICT", None);
    app.gql(Some(&org.mgr), delete, json!({ "id": draft }))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.hr), delete, json!({ "id": draft }))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.bob), delete, json!({ "id": draft }))
        .await
        .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.alice), delete, json!({ "id": "not-a-uuid" }))
        .await
        .assert_error("BAD_USER_INPUT", Some("id"));

    let r = app
        .gql(Some(&org.alice), delete, json!({ "id": draft }))
        .await;
    assert_eq!(r.data()["deleteGoal"], draft.as_str());
    app.gql(Some(&org.alice), GOAL, json!({ "id": draft }))
        .await
        .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.alice), delete, json!({ "id": draft }))
        .await
        .assert_error("NOT_FOUND", None);
    let draft_id: uuid::Uuid = draft.parse().unwrap();
    let key_results = entity::key_result::Entity::find()
        .filter(entity::key_result::Column::GoalId.eq(draft_id))
        .count(&app.ctx.db)
        .await
        .unwrap();
    let history = entity::goal_event::Entity::find()
        .filter(entity::goal_event::Column::GoalId.eq(draft_id))
        .count(&app.ctx.db)
        .await
        .unwrap();
    assert_eq!((key_results, history), (0, 0), "rows of the deleted draft");
    assert_eq!(app.count("audit_log WHERE action = 'goal.delete'").await, 1);
    // The team goal has no children left and may go too.
    app.gql(Some(&org.mgr), delete, json!({ "id": team }))
        .await
        .data();

    // A proposed goal is not deleted: it is returned, or dropped.
    let proposed = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 100 }))
        .await;
    app.goal_action(&org.alice, "proposeGoal", &proposed)
        .await
        .data();
    app.gql(Some(&org.alice), delete, json!({ "id": proposed }))
        .await
        .assert_error("CONFLICT", None);

    // A draft that feedback names keeps its record.
    let named = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 100 }))
        .await;
    let alice = app.employee("alice@t.io").await;
    app.gql(
        Some(&org.mgr),
        "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
        json!({ "input": { "recipientId": alice.id.to_string(), "goalId": named, "body": "Good start" } }),
    )
    .await
    .data();
    app.gql(Some(&org.alice), delete, json!({ "id": named }))
        .await
        .assert_error("CONFLICT", None);
}
