//! Raised expectations: a target raised the harder way on an increasing and on a decreasing
//! metric, an early achievement reopened by raising its target, follow-up goals, and the
//! history of all of it over cycles.

use perfcycle_tests::{TestApp, goal_input, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const REVISE: &str = "mutation($kr: ID!, $t: Decimal!) { reviseTarget(input: {keyResultId: $kr, newTarget: $t, reason: \"You are ahead\"}) {
    keyResult { targetValue } } }";
const RECORD: &str = "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(input: {keyResultId: $id, value: $v}) { keyResult { currentValue } } }";
const HISTORY: &str = "query($e: ID!) { expectationHistory(employeeId: $e) { totalCount nodes {
    kind raised metric direction oldTarget newTarget achievedValue goal { title } followUpGoal { title } changedBy { email } } } }";
const GOAL: &str =
    "query($id: ID!) { goal(id: $id) { status followsGoal { id } events { step } } }";

async fn revise(app: &TestApp, token: &str, kr: &str, target: &str) -> perfcycle_tests::Gql {
    app.gql(Some(token), REVISE, json!({ "kr": kr, "t": target }))
        .await
}

async fn first_key_result(app: &TestApp, token: &str, goal: &str) -> String {
    app.gql(
        Some(token),
        "query($id: ID!) { goal(id: $id) { keyResults { id } } }",
        json!({ "id": goal }),
    )
    .await
    .data()["goal"]["keyResults"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The subject the owner's latest target e-mail renders with.
async fn latest_revision_subject(app: &TestApp) -> String {
    let rows = entity::email_outbox::Entity::find()
        .filter(entity::email_outbox::Column::Template.eq("goal_target_revised"))
        .all(&app.ctx.db)
        .await
        .unwrap();
    let row = rows.iter().max_by_key(|r| r.created_at).unwrap();
    let mail = domain::mail::Mail::from_stored(&row.template, &row.data).unwrap();
    worker::templates::render(&mail, "https://app.test").subject
}

#[tokio::test(flavor = "multi_thread")]
async fn targets_are_raised_the_harder_way_and_followed_up_and_the_history_keeps_it_all() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let alice = app.employee("alice@t.io").await.id.to_string();
    // Two goals of 50 each, agreed together.
    let deals_id = app
        .goal_id(
            &org.alice,
            &cycle,
            json!({ "title": "Close deals", "keyResults": [{ "metric": "Deals", "unit": "deals",
                "direction": "INCREASE", "startValue": "0", "targetValue": "10" }] }),
        )
        .await;
    let latency_id = app
        .goal_id(&org.alice, &cycle, json!({ "title": "Faster checkout" }))
        .await;
    for id in [&deals_id, &latency_id] {
        app.goal_action(&org.alice, "proposeGoal", id).await.data();
    }
    for id in [&deals_id, &latency_id] {
        app.goal_action(&org.mgr, "agreeGoal", id).await.data();
    }
    let deals_kr = first_key_result(&app, &org.alice, &deals_id).await;
    let latency_kr = first_key_result(&app, &org.alice, &latency_id).await;
    app.gql(
        Some(&org.alice),
        RECORD,
        json!({ "id": deals_kr, "v": "12" }),
    )
    .await;
    app.gql(
        Some(&org.alice),
        RECORD,
        json!({ "id": latency_kr, "v": "250" }),
    )
    .await;

    // Increasing: raised means up. The employee does not raise their own bar.
    revise(&app, &org.alice, &deals_kr, "15")
        .await
        .assert_error("FORBIDDEN", None);
    let r = revise(&app, &org.mgr, &deals_kr, "15").await;
    assert_eq!(r.data()["reviseTarget"]["keyResult"]["targetValue"], "15");
    assert_eq!(
        latest_revision_subject(&app).await,
        "Expectations raised: Close deals"
    );
    // Decreasing: raised means down; moving it up is a revision that lowers the bar.
    revise(&app, &org.mgr, &latency_kr, "200").await;
    assert_eq!(
        latest_revision_subject(&app).await,
        "Expectations raised: Faster checkout"
    );
    revise(&app, &org.mgr, &latency_kr, "260").await;
    assert_eq!(
        latest_revision_subject(&app).await,
        "New target for Faster checkout"
    );

    // Achieved before its due date: only a raise, which reopens it.
    app.gql(
        Some(&org.alice),
        RECORD,
        json!({ "id": deals_kr, "v": "16" }),
    )
    .await;
    let close = "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: ACHIEVED}) { status } }";
    app.gql(Some(&org.mgr), close, json!({ "id": deals_id }))
        .await;
    let status = |v: Value| v["goal"]["status"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        status(
            app.gql(Some(&org.mgr), GOAL, json!({ "id": deals_id }))
                .await
                .data()
                .clone()
        ),
        "ACHIEVED"
    );
    revise(&app, &org.mgr, &deals_kr, "14")
        .await
        .assert_error("BAD_USER_INPUT", Some("newTarget"));
    revise(&app, &org.mgr, &deals_kr, "20").await;
    let r = app
        .gql(Some(&org.alice), GOAL, json!({ "id": deals_id }))
        .await;
    assert_eq!(status(r.data().clone()), "AGREED");
    let steps: Vec<&str> = r.data()["goal"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["step"].as_str())
        .collect();
    assert!(steps.contains(&"REOPENED"), "{steps:?}");

    // A follow-up: after an achievement, distinct from the alignment parent.
    app.gql(
        Some(&org.alice),
        RECORD,
        json!({ "id": deals_kr, "v": "21" }),
    )
    .await;
    app.gql(Some(&org.mgr), close, json!({ "id": deals_id }))
        .await;
    let draft = app
        .goal_id(&org.alice, &cycle, json!({ "title": "A draft" }))
        .await;
    let bobs = app
        .goal_id(&org.bob, &cycle, json!({ "title": "Bob's" }))
        .await;
    let create =
        "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id followsGoal { id } } }";
    for follows in [&draft, &bobs, &uuid::Uuid::new_v4().to_string()] {
        let input = goal_input(
            &cycle,
            json!({ "ownerId": alice, "title": "Next", "followsGoalId": follows }),
        );
        app.gql(Some(&org.mgr), create, json!({ "i": input }))
            .await
            .assert_error("BAD_USER_INPUT", Some("followsGoalId"));
    }
    let input = goal_input(
        &cycle,
        json!({ "ownerId": alice, "title": "Close bigger deals", "followsGoalId": deals_id }),
    );
    let r = app.gql(Some(&org.mgr), create, json!({ "i": input })).await;
    assert_eq!(
        r.data()["createGoal"]["followsGoal"]["id"],
        deals_id.as_str()
    );
    assert_eq!(
        app.count(
            "email_outbox WHERE template = 'goal_follow_up' AND recipient_email = 'alice@t.io'"
        )
        .await,
        1
    );

    // The trajectory, oldest first, for her, her managers and HR only.
    let r = app
        .gql(Some(&org.mgr), HISTORY, json!({ "e": alice }))
        .await;
    let nodes = r.data()["expectationHistory"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let seen: Vec<(String, bool, String)> = nodes
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["raised"].as_bool().unwrap(),
                n["newTarget"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, bool, String)> = [
        ("REVISION", true, "15"),
        ("REVISION", true, "200"),
        ("REVISION", false, "260"),
        ("REVISION", true, "20"),
        ("FOLLOW_UP", true, "-"),
    ]
    .into_iter()
    .map(|(k, r, t)| (k.to_owned(), r, t.to_owned()))
    .collect();
    assert_eq!(seen, expected);
    assert_eq!(
        nodes[0]["achievedValue"], "12",
        "what she had achieved when it moved"
    );
    assert_eq!(nodes[4]["followUpGoal"]["title"], "Close bigger deals");
    assert_eq!(nodes[4]["goal"]["title"], "Close deals");
    for token in [&org.alice, &org.ceo, &org.hr] {
        let r = app.gql(Some(token), HISTORY, json!({ "e": alice })).await;
        assert_eq!(r.data()["expectationHistory"]["totalCount"], 5);
    }
    for token in [&org.bob, &org.lead, &org.other] {
        app.gql(Some(token), HISTORY, json!({ "e": alice }))
            .await
            .assert_error("FORBIDDEN", None);
    }
}
