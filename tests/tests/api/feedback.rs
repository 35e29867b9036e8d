use perfcycle_tests::spawn_app;
use serde_json::json;

const GIVE: &str = "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id kind visibility author { email } recipient { email } goal { id } } }";
const LIST: &str = "{ feedback { totalCount edges { node { body kind } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn private_feedback_reaches_the_recipient_and_their_managers_only() {
    let app = spawn_app().await;
    let org = app.org().await;
    let bob = app.employee("bob@t.io").await;
    let r = app.gql(Some(&org.alice), GIVE, json!({ "input": { "recipientId": bob.id.to_string(), "body": "Your review comments are sharp; a little warmer, please." } })).await;
    assert_eq!(r.data()["giveFeedback"]["visibility"], "PRIVATE");
    assert_eq!(r.data()["giveFeedback"]["kind"], "FEEDBACK");
    for (token, n) in [
        (&org.bob, 1),
        (&org.mgr, 1),
        (&org.ceo, 1),
        (&org.hr, 1),
        (&org.alice, 1),
        (&org.carol, 0),
        (&org.lead, 0),
        (&org.other, 0),
    ] {
        let r = app.gql(Some(token), LIST, json!({})).await;
        assert_eq!(r.data()["feedback"]["totalCount"], n);
    }
    let r = app.gql(Some(&org.carol), GIVE, json!({ "input": { "recipientId": bob.id.to_string(), "kind": "PRAISE", "visibility": "PUBLIC", "body": "Saved the demo!" } })).await;
    assert_eq!(r.data()["giveFeedback"]["kind"], "PRAISE");
    let r = app.gql(Some(&org.other), LIST, json!({})).await;
    assert_eq!(r.data()["feedback"]["totalCount"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn feedback_about_a_goal_must_be_about_a_visible_goal_of_the_recipient() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let bobs = app.goal_id(&org.bob, &cycle, json!({})).await;
    let team = app
        .goal_id(&org.mgr, &cycle, json!({ "level": "TEAM" }))
        .await;
    let (bob, mgr, alice) = (
        app.employee("bob@t.io").await,
        app.employee("mgr@t.io").await,
        app.employee("alice@t.io").await,
    );
    let give = |recipient: String, goal: &str, body: &str| json!({ "input": { "recipientId": recipient, "goalId": goal, "body": body } });
    app.gql(Some(&org.alice), GIVE, give(bob.id.to_string(), &bobs, "x"))
        .await
        .assert_error("BAD_USER_INPUT", Some("goalId"));
    app.gql(Some(&org.alice), GIVE, give(bob.id.to_string(), &team, "x"))
        .await
        .assert_error("BAD_USER_INPUT", Some("goalId"));
    let r = app
        .gql(
            Some(&org.alice),
            GIVE,
            give(mgr.id.to_string(), &team, "The roadmap is clear"),
        )
        .await;
    assert_eq!(r.data()["giveFeedback"]["goal"]["id"], team.as_str());
    app.gql(
        Some(&org.alice),
        GIVE,
        give(alice.id.to_string(), &team, "me"),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("recipientId"));
    app.gql(
        Some(&org.alice),
        GIVE,
        json!({ "input": { "recipientId": bob.id.to_string(), "body": "   " } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("body"));
    assert_eq!(app.count("feedback").await, 1);
}
