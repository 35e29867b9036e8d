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

#[tokio::test(flavor = "multi_thread")]
async fn the_feedback_list_shows_each_readable_piece_once_whichever_rule_allows_it() {
    let app = spawn_app().await;
    let org = app.org().await;
    let id = async |email: &str| app.employee(email).await.id.to_string();
    let (alice, bob, carol) = (
        id("alice@t.io").await,
        id("bob@t.io").await,
        id("carol@t.io").await,
    );
    let give = async |token: &str, to: &str, visibility: &str, body: &str| {
        let input =
            json!({ "input": { "recipientId": to, "visibility": visibility, "body": body } });
        app.gql(Some(token), GIVE, input).await.data()["giveFeedback"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // Public, written by the manager and for their report: three reasons, one row.
    let all_three = give(&org.mgr, &alice, "PUBLIC", "Great launch").await;
    // Written by the manager for someone outside their subtree.
    let written = give(&org.mgr, &carol, "PRIVATE", "Thanks for the intro").await;
    // For their report, by someone else.
    let for_report = give(&org.carol, &bob, "PRIVATE", "Helpful call").await;
    // Public between others.
    let public = give(&org.other, &carol, "PUBLIC", "Closed the deal").await;
    // Private between others: not theirs to read.
    give(&org.other, &carol, "PRIVATE", "Let us talk").await;
    let mut expected = vec![all_three, written, for_report, public];
    expected.sort();
    let q = "query($first: Int, $after: String) { feedback(first: $first, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }";
    for first in [1, 3, 100] {
        let mut seen = Vec::new();
        let mut after = serde_json::Value::Null;
        loop {
            let r = app
                .gql(Some(&org.mgr), q, json!({ "first": first, "after": after }))
                .await;
            let page = &r.data()["feedback"];
            assert_eq!(page["totalCount"], 4);
            for e in page["edges"].as_array().into_iter().flatten() {
                seen.push(e["node"]["id"].as_str().unwrap().to_owned());
            }
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        seen.sort();
        assert_eq!(seen, expected, "first {first}");
    }
}
