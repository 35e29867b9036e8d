//! The goal workflow, progress and revisions.

use perfcycle_tests::{AgreedGoal, spawn_app};
use serde_json::json;

const GOAL: &str = "query($id: ID!) { goal(id: $id) { id title status progress weight owner { email } parent { id } children { id } keyResults { id currentValue targetValue progress } revisions { oldTarget newTarget reason revisedBy { email } keyResult { id } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_goal_goes_from_draft_to_achieved() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let r = app
        .create_goal(&org.alice, &cycle, json!({ "weight": 100 }))
        .await;
    let goal = &r.data()["createGoal"];
    assert_eq!(goal["status"], "DRAFT");
    assert_eq!(goal["level"], "INDIVIDUAL");
    assert_eq!(goal["visibility"], "PRIVATE");
    let id = goal["id"].as_str().unwrap().to_owned();
    let r = app.goal_action(&org.alice, "proposeGoal", &id).await;
    assert_eq!(r.data()["proposeGoal"]["status"], "PROPOSED");
    let r = app.goal_action(&org.mgr, "agreeGoal", &id).await;
    assert_eq!(r.data()["agreeGoal"]["status"], "AGREED");
    let r = app
        .gql(
            Some(&org.mgr),
            "mutation($id: ID!) { closeGoal(id: $id, outcome: ACHIEVED) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.data()["closeGoal"]["status"], "ACHIEVED");
    let changes = app.count("audit_log WHERE entity = 'goal'").await;
    assert_eq!(changes, 4, "create, propose, agree, achieve");
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_is_computed_on_the_server_for_decreasing_metrics() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let id = app.agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100, "keyResults": [
        { "metric": "p95 latency", "unit": "ms", "direction": "DECREASE", "startValue": "800", "targetValue": "300", "weight": 3 },
        { "metric": "Error budget burn", "unit": "%", "direction": "DECREASE", "startValue": "40", "targetValue": "10", "weight": 1 }
    ] })).await.goal_id;
    let r = app.gql(Some(&org.alice), GOAL, json!({ "id": id })).await;
    let krs = r.data()["goal"]["keyResults"].as_array().cloned().unwrap();
    let update = "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(id: $id, value: $v) { currentValue progress } }";
    let r = app
        .gql(
            Some(&org.alice),
            update,
            json!({ "id": krs[0]["id"], "v": "550" }),
        )
        .await;
    assert_eq!(r.data()["updateKeyResultValue"]["progress"], 0.5);
    assert_eq!(r.data()["updateKeyResultValue"]["currentValue"], "550");
    let r = app
        .gql(
            Some(&org.alice),
            update,
            json!({ "id": krs[1]["id"], "v": "45" }),
        )
        .await;
    assert_eq!(
        r.data()["updateKeyResultValue"]["progress"],
        0.0,
        "worse than the start counts as 0"
    );
    let r = app.gql(Some(&org.alice), GOAL, json!({ "id": id })).await;
    assert_eq!(r.data()["goal"]["progress"], 0.375, "(0.5×3 + 0×1) / 4");
}

#[tokio::test(flavor = "multi_thread")]
async fn parents_roll_up_their_childrens_progress_by_weight() {
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
    // Bob's other 75 is still to be planned, Alice's 25 too: agreeing below 100 is fine.
    app.goal_id(&org.alice, &cycle, json!({ "weight": 25 }))
        .await;
    app.goal_id(&org.bob, &cycle, json!({ "weight": 75 })).await;
    let a = app
        .agreed_goal(
            &org.alice,
            &org.mgr,
            &cycle,
            json!({ "parentId": team, "weight": 75 }),
        )
        .await;
    let b = app.agreed_goal(&org.bob, &org.mgr, &cycle, json!({ "parentId": team, "weight": 25, "keyResults": [
        { "metric": "Tests", "unit": "tests", "direction": "INCREASE", "startValue": "0", "targetValue": "10" }
    ] })).await;
    let (ka, kb) = (a.key_result_id, b.key_result_id);
    let update = "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(id: $id, value: $v) { progress } }";
    app.gql(Some(&org.alice), update, json!({ "id": ka, "v": "300" }))
        .await
        .data();
    app.gql(Some(&org.bob), update, json!({ "id": kb, "v": "2" }))
        .await
        .data();
    let r = app.gql(Some(&org.mgr), GOAL, json!({ "id": team })).await;
    let g = &r.data()["goal"];
    assert_eq!(g["progress"], 0.8, "(1×75 + 0.2×25) / 100");
    assert_eq!(g["children"].as_array().map(Vec::len), Some(2));
    // A dropped child no longer counts.
    app.gql(
        Some(&org.mgr),
        "mutation($id: ID!) { closeGoal(id: $id, outcome: DROPPED) { status } }",
        json!({ "id": b.goal_id }),
    )
    .await
    .data();
    let r = app.gql(Some(&org.mgr), GOAL, json!({ "id": team })).await;
    assert_eq!(r.data()["goal"]["progress"], 1.0);
    // The alignment tree shows the same structure.
    let r = app
        .gql(
            Some(&org.mgr),
            "query($c: ID!, $root: ID) { alignmentTree(cycleId: $c, rootGoalId: $root) { depth parentId parent { id } goal { id progress } } }",
            json!({ "c": cycle, "root": team }),
        )
        .await;
    let nodes = r.data()["alignmentTree"].as_array().cloned().unwrap();
    assert_eq!(
        nodes.len(),
        2,
        "dropped goals are not in the tree: {nodes:?}"
    );
    assert_eq!(nodes[0]["goal"]["id"], team.as_str());
    assert_eq!(nodes[1]["depth"], 1);
    assert_eq!(nodes[1]["parentId"], team.as_str());
    assert_eq!(nodes[1]["parent"]["id"], team.as_str());
    assert!(
        nodes[0]["parent"].is_null(),
        "the root's parent is not in this tree"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn raising_a_target_is_kept_as_history() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let AgreedGoal {
        goal_id: id,
        key_result_id: kr,
    } = app
        .agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await;
    let revise = "mutation($kr: ID!, $t: Decimal!, $why: String!) { reviseTarget(keyResultId: $kr, newTarget: $t, reason: $why) { oldTarget newTarget goal { id } } }";
    let r = app
        .gql(
            Some(&org.mgr),
            revise,
            json!({ "kr": kr, "t": "200", "why": "The new cache makes 200 ms realistic" }),
        )
        .await;
    assert_eq!(r.data()["reviseTarget"]["oldTarget"], "300");
    assert_eq!(r.data()["reviseTarget"]["newTarget"], "200");
    let r = app.gql(Some(&org.alice), GOAL, json!({ "id": id })).await;
    let g = &r.data()["goal"];
    assert_eq!(g["keyResults"][0]["targetValue"], "200");
    assert_eq!(
        g["revisions"][0]["reason"],
        "The new cache makes 200 ms realistic"
    );
    assert_eq!(g["revisions"][0]["revisedBy"]["email"], "mgr@t.io");
    assert_eq!(g["revisions"][0]["keyResult"]["id"], kr);
    // A target that contradicts the direction, or no reason, is refused.
    let r = app
        .gql(
            Some(&org.mgr),
            revise,
            json!({ "kr": kr, "t": "900", "why": "x" }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("newTarget"));
    let r = app
        .gql(
            Some(&org.mgr),
            revise,
            json!({ "kr": kr, "t": "150", "why": " " }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("reason"));
    assert_eq!(app.count("goal_revision").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn agreed_goals_must_weigh_exactly_one_hundred_once_the_last_is_agreed() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let a = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 60 }))
        .await;
    let b = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 30 }))
        .await;
    app.goal_action(&org.alice, "proposeGoal", &a).await.data();
    app.goal_action(&org.alice, "proposeGoal", &b).await.data();
    app.goal_action(&org.mgr, "agreeGoal", &a).await.data();
    let r = app.goal_action(&org.mgr, "agreeGoal", &b).await;
    r.assert_error("BAD_USER_INPUT", Some("weight"));
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("90"),
        "{}",
        r.body
    );
    // Fix the weight while it is proposed (the manager may), then agree.
    let r = app
        .gql(
            Some(&org.mgr),
            "mutation($id: ID!) { updateGoal(id: $id, input: {weight: 40}) { weight } }",
            json!({ "id": b }),
        )
        .await;
    assert_eq!(r.data()["updateGoal"]["weight"], 40);
    app.goal_action(&org.mgr, "agreeGoal", &b).await.data();
    // Above 100 is refused even while other goals are pending.
    let c = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 10 }))
        .await;
    let d = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 10 }))
        .await;
    app.goal_action(&org.alice, "proposeGoal", &c).await.data();
    let r = app.goal_action(&org.mgr, "agreeGoal", &c).await;
    r.assert_error("BAD_USER_INPUT", Some("weight"));
    let _ = d;
}

#[tokio::test(flavor = "multi_thread")]
async fn workflow_steps_out_of_order_are_conflicts() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let id = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 100 }))
        .await;
    app.goal_action(&org.mgr, "agreeGoal", &id)
        .await
        .assert_error("CONFLICT", None);
    let r = app
        .gql(
            Some(&org.mgr),
            "mutation($id: ID!) { closeGoal(id: $id, outcome: ACHIEVED) { status } }",
            json!({ "id": id }),
        )
        .await;
    r.assert_error("CONFLICT", None);
    app.goal_action(&org.alice, "proposeGoal", &id).await.data();
    app.goal_action(&org.alice, "proposeGoal", &id)
        .await
        .assert_error("CONFLICT", None);
    app.goal_action(&org.mgr, "agreeGoal", &id).await.data();
    let r = app
        .gql(
            Some(&org.alice),
            "mutation($id: ID!) { updateGoal(id: $id, input: {title: \"Other\"}) { id } }",
            json!({ "id": id }),
        )
        .await;
    r.assert_error("CONFLICT", None);
    // Progress only on agreed goals; a closed cycle freezes goals.
    let draft = app.goal_id(&org.bob, &cycle, json!({})).await;
    let kr = app
        .gql(Some(&org.bob), GOAL, json!({ "id": draft }))
        .await
        .data()["goal"]["keyResults"][0]["id"]
        .clone();
    let r = app
        .gql(
            Some(&org.bob),
            "mutation($id: ID!) { updateKeyResultValue(id: $id, value: \"1\") { id } }",
            json!({ "id": kr }),
        )
        .await;
    r.assert_error("CONFLICT", None);
    app.advance_cycle(&org.hr, &cycle, "REVIEW").await;
    app.goal_action(&org.bob, "proposeGoal", &draft)
        .await
        .assert_error("CONFLICT", None);
    app.create_goal(&org.bob, &cycle, json!({}))
        .await
        .assert_error("CONFLICT", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_owner_may_drop_their_own_draft_but_not_close_it_otherwise() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let id = app.goal_id(&org.alice, &cycle, json!({})).await;
    let close =
        "mutation($id: ID!, $o: GoalOutcome!) { closeGoal(id: $id, outcome: $o) { status } }";
    let r = app
        .gql(
            Some(&org.alice),
            close,
            json!({ "id": id, "o": "ACHIEVED" }),
        )
        .await;
    r.assert_error("FORBIDDEN", None);
    let r = app
        .gql(Some(&org.alice), close, json!({ "id": id, "o": "DROPPED" }))
        .await;
    assert_eq!(r.data()["closeGoal"]["status"], "DROPPED");
}
