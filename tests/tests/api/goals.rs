//! The goal workflow, progress and revisions.

use perfcycle_tests::{AgreedGoal, TestApp, spawn_app};
use serde_json::json;

const GOAL: &str = "query($id: ID!) { goal(id: $id) { id title status progress weight owner { email } parent { id } children { nodes { id } } keyResults { id currentValue targetValue progress } revisions { nodes { oldTarget newTarget reason revisedBy { email } keyResult { id } } } } }";

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
            "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: ACHIEVED}) { status } }",
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
    let update = "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(input: {keyResultId: $id, value: $v}) { keyResult { currentValue progress } } }";
    let r = app
        .gql(
            Some(&org.alice),
            update,
            json!({ "id": krs[0]["id"], "v": "550" }),
        )
        .await;
    assert_eq!(
        r.data()["updateKeyResultValue"]["keyResult"]["progress"],
        0.5
    );
    assert_eq!(
        r.data()["updateKeyResultValue"]["keyResult"]["currentValue"],
        "550"
    );
    let r = app
        .gql(
            Some(&org.alice),
            update,
            json!({ "id": krs[1]["id"], "v": "45" }),
        )
        .await;
    assert_eq!(
        r.data()["updateKeyResultValue"]["keyResult"]["progress"],
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
    let (team, a, b) = team_of_two(&app, &org, &cycle, 75).await;
    let (ka, kb) = (a.key_result_id, b.key_result_id);
    let update = "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(input: {keyResultId: $id, value: $v}) { keyResult { progress } } }";
    app.gql(Some(&org.alice), update, json!({ "id": ka, "v": "300" }))
        .await
        .data();
    app.gql(Some(&org.bob), update, json!({ "id": kb, "v": "2" }))
        .await
        .data();
    let r = app.gql(Some(&org.mgr), GOAL, json!({ "id": team })).await;
    let g = &r.data()["goal"];
    assert_eq!(g["progress"], 0.8, "(1×75 + 0.2×25) / 100");
    assert_eq!(g["children"]["nodes"].as_array().map(Vec::len), Some(2));
    // A dropped child no longer counts.
    app.gql(
        Some(&org.mgr),
        "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: DROPPED}) { status } }",
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
    let revise = "mutation($kr: ID!, $t: Decimal!, $why: String!) { reviseTarget(input: {keyResultId: $kr, newTarget: $t, reason: $why}) { revision { oldTarget newTarget goal { id } } } }";
    let r = app
        .gql(
            Some(&org.mgr),
            revise,
            json!({ "kr": kr, "t": "200", "why": "The new cache makes 200 ms realistic" }),
        )
        .await;
    assert_eq!(r.data()["reviseTarget"]["revision"]["oldTarget"], "300");
    assert_eq!(r.data()["reviseTarget"]["revision"]["newTarget"], "200");
    let r = app.gql(Some(&org.alice), GOAL, json!({ "id": id })).await;
    let g = &r.data()["goal"];
    assert_eq!(g["keyResults"][0]["targetValue"], "200");
    assert_eq!(
        g["revisions"]["nodes"][0]["reason"],
        "The new cache makes 200 ms realistic"
    );
    assert_eq!(g["revisions"]["nodes"][0]["revisedBy"]["email"], "mgr@t.io");
    assert_eq!(g["revisions"]["nodes"][0]["keyResult"]["id"], kr);
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
            "mutation($id: ID!) { updateGoal(input: {id: $id, weight: 40}) { weight } }",
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
            "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: ACHIEVED}) { status } }",
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
            "mutation($id: ID!) { updateGoal(input: {id: $id, title: \"Other\"}) { id } }",
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
            "mutation($id: ID!) { updateKeyResultValue(input: {keyResultId: $id, value: \"1\"}) { keyResult { id } } }",
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
    let close = "mutation($id: ID!, $o: GoalOutcome!) { closeGoal(input: {id: $id, outcome: $o}) { status } }";
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

/// Mia's team goal with two agreed children: Alice's (the default decreasing key result) of
/// weight `a` and Bob's (tests, 0 → 10) of weight `100 - a`; the rest of each one's weight is a
/// draft still to be planned, so that agreeing below 100 is fine.
async fn team_of_two(
    app: &TestApp,
    org: &perfcycle_tests::Org,
    cycle: &str,
    a: i32,
) -> (String, AgreedGoal, AgreedGoal) {
    let team = app
        .goal_id(
            &org.mgr,
            cycle,
            json!({ "level": "TEAM", "weight": 100, "title": "Fast checkout" }),
        )
        .await;
    app.goal_id(&org.alice, cycle, json!({ "weight": 100 - a }))
        .await;
    app.goal_id(&org.bob, cycle, json!({ "weight": a })).await;
    let alice = app
        .agreed_goal(
            &org.alice,
            &org.mgr,
            cycle,
            json!({ "parentId": team, "weight": a }),
        )
        .await;
    let bob = app.agreed_goal(&org.bob, &org.mgr, cycle, json!({ "parentId": team, "weight": 100 - a, "keyResults": [
        { "metric": "Tests", "unit": "tests", "direction": "INCREASE", "startValue": "0", "targetValue": "10" }
    ] })).await;
    (team, alice, bob)
}

/// Fails when a goal's stored progress is not what recomputing every goal from its key
/// results gives.
async fn assert_progress_is_consistent(app: &TestApp, after: &str) {
    let found = domain::goals::rebuild_progress(&app.ctx.db, true)
        .await
        .unwrap();
    assert!(found.goals > 0);
    assert_eq!(
        found.differed,
        Vec::new(),
        "stored progress differs from a recomputation after {after}"
    );
}

async fn progress_of(app: &TestApp, token: &str, id: &str) -> f64 {
    let r = app
        .gql(
            Some(token),
            "query($id: ID!) { goal(id: $id) { progress } }",
            json!({ "id": id }),
        )
        .await;
    r.data()["goal"]["progress"].as_f64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_write_that_moves_progress_keeps_the_stored_roll_up_true() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let (team, a, b) = team_of_two(&app, &org, &cycle, 60).await;
    assert_progress_is_consistent(&app, "creating and agreeing children").await;

    let update = "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(input: {keyResultId: $id, value: $v}) { keyResult { progress } } }";
    app.gql(
        Some(&org.alice),
        update,
        json!({ "id": a.key_result_id, "v": "550" }),
    )
    .await
    .data();
    assert_eq!(
        progress_of(&app, &org.mgr, &team).await,
        0.3,
        "0.5×60 / 100"
    );
    assert_progress_is_consistent(&app, "updateKeyResultValue").await;

    app.open_check_ins().await;
    let bobs = app.check_ins_of(&org.bob, "bob@t.io").await;
    app.gql(
        Some(&org.bob),
        "mutation($input: SubmitCheckInInput!) { submitCheckIn(input: $input) { checkIn { status } } }",
        json!({ "input": { "id": bobs[0]["id"], "confidence": 3, "wins": "", "blockers": "", "nextSteps": "",
            "progress": [{ "keyResultId": b.key_result_id, "value": "5" }]
        } }),
    )
    .await
    .data();
    assert_eq!(
        progress_of(&app, &org.mgr, &team).await,
        0.5,
        "(0.5×60 + 0.5×40) / 100"
    );
    assert_progress_is_consistent(&app, "submitCheckIn").await;

    app.gql(
        Some(&org.mgr),
        "mutation($kr: ID!) { reviseTarget(input: {keyResultId: $kr, newTarget: \"20\", reason: \"stretch\"}) { revision { newTarget } } }",
        json!({ "kr": b.key_result_id }),
    )
    .await
    .data();
    assert_eq!(progress_of(&app, &org.bob, &b.goal_id).await, 0.25);
    assert_eq!(
        progress_of(&app, &org.mgr, &team).await,
        0.4,
        "(0.5×60 + 0.25×40) / 100"
    );
    assert_progress_is_consistent(&app, "reviseTarget").await;

    // A draft joins the team goal at 0, is re-weighted, moved out, given other key results
    // and moved back.
    let r = app
        .create_goal(
            &org.alice,
            &cycle,
            json!({ "parentId": team, "weight": 100 }),
        )
        .await;
    let d = r.data()["createGoal"]["id"].as_str().unwrap().to_owned();
    assert_eq!(progress_of(&app, &org.alice, &d).await, 0.0);
    assert_eq!(progress_of(&app, &org.mgr, &team).await, 0.2, "40 / 200");
    assert_progress_is_consistent(&app, "createGoal under a parent").await;
    let edit = "mutation($input: UpdateGoalInput!) { updateGoal(input: $input) { progress } }";
    app.gql(
        Some(&org.alice),
        edit,
        json!({ "input": { "id": d, "weight": 50 } }),
    )
    .await
    .data();
    assert_eq!(progress_of(&app, &org.mgr, &team).await, 0.2667, "40 / 150");
    assert_progress_is_consistent(&app, "updateGoal weight").await;
    app.gql(
        Some(&org.alice),
        edit,
        json!({ "input": { "id": d, "parentId": null } }),
    )
    .await
    .data();
    assert_eq!(progress_of(&app, &org.mgr, &team).await, 0.4);
    assert_progress_is_consistent(&app, "updateGoal to no parent").await;
    let r = app
        .gql(
            Some(&org.alice),
            edit,
            json!({ "input": { "id": d, "keyResults": [
                { "metric": "Pages", "unit": "pages", "direction": "INCREASE", "startValue": "0", "targetValue": "4", "currentValue": "3" }
            ] } }),
        )
        .await;
    assert_eq!(
        r.data()["updateGoal"]["progress"],
        0.75,
        "the mutation answers with the new value"
    );
    app.gql(
        Some(&org.alice),
        edit,
        json!({ "input": { "id": d, "parentId": team } }),
    )
    .await
    .data();
    assert_eq!(
        progress_of(&app, &org.mgr, &team).await,
        0.5167,
        "(30 + 10 + 0.75×50) / 150"
    );
    assert_progress_is_consistent(&app, "updateGoal key results and parent").await;

    // Dropping a child takes it out of its parent's mean.
    app.gql(
        Some(&org.mgr),
        "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: DROPPED}) { status } }",
        json!({ "id": b.goal_id }),
    )
    .await
    .data();
    assert_eq!(
        progress_of(&app, &org.mgr, &team).await,
        0.6136,
        "(30 + 37.5) / 110"
    );
    assert_progress_is_consistent(&app, "closeGoal DROPPED").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn goals_stored_before_progress_was_kept_get_it_when_the_column_is_added() {
    use migration::MigratorTrait;
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let (team, a, _) = team_of_two(&app, &org, &cycle, 60).await;
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(input: {keyResultId: $id, value: $v}) { keyResult { progress } } }",
        json!({ "id": a.key_result_id, "v": "550" }),
    )
    .await
    .data();
    // Back to the schema before the column, and forward again as an upgrade would.
    let all = migration::Migrator::migrations();
    let at = all
        .iter()
        .position(|m| m.name() == migration::GOAL_PROGRESS)
        .unwrap();
    migration::Migrator::down(&app.ctx.db, Some((all.len() - at) as u32))
        .await
        .unwrap();
    assert_eq!(app.count("goal").await, 5, "the goals are still there");
    api::db::migrate(&app.ctx.db).await.unwrap();
    assert_eq!(
        progress_of(&app, &org.mgr, &team).await,
        0.3,
        "0.5×60 / 100"
    );
    assert_eq!(progress_of(&app, &org.alice, &a.goal_id).await, 0.5);
    let r = app
        .gql(
            Some(&org.alice),
            "query($id: ID!) { goal(id: $id) { health } }",
            json!({ "id": a.goal_id }),
        )
        .await;
    assert_eq!(
        r.data()["goal"]["health"],
        "ON_TRACK",
        "health filled in too"
    );
    assert_progress_is_consistent(&app, "the upgrade").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_recorded_at_once_on_sibling_goals_all_reaches_the_parent() {
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
    // Five children of the team goal, 20 each, all Alice's.
    let mut drafts = Vec::new();
    for _ in 0..5 {
        drafts.push(
            app.goal_id(
                &org.alice,
                &cycle,
                json!({ "parentId": team, "weight": 20, "keyResults": [
                    { "metric": "Done", "unit": "items", "direction": "INCREASE", "startValue": "0", "targetValue": "100" }
                ] }),
            )
            .await,
        );
    }
    let mut krs = Vec::new();
    for id in &drafts {
        app.goal_action(&org.alice, "proposeGoal", id).await.data();
        app.goal_action(&org.mgr, "agreeGoal", id).await.data();
        let r = app
            .gql(
                Some(&org.alice),
                "query($id: ID!) { goal(id: $id) { keyResults { id } } }",
                json!({ "id": id }),
            )
            .await;
        krs.push(r.data()["goal"]["keyResults"][0]["id"].clone());
    }
    let update = "mutation($id: ID!, $v: Decimal!) { updateKeyResultValue(input: {keyResultId: $id, value: $v}) { keyResult { progress } } }";
    // Rounds of five writes at the same moment: each one's parent update must see the others'.
    for (round, expected) in [(1, 0.2), (2, 0.4), (3, 0.6), (4, 0.8)] {
        let value = format!("{}", round * 20);
        let send = |kr: serde_json::Value| {
            let value = value.clone();
            let app = &app;
            let token = &org.alice;
            async move {
                app.gql(Some(token), update, json!({ "id": kr, "v": value }))
                    .await
                    .data()
                    .clone()
            }
        };
        tokio::join!(
            send(krs[0].clone()),
            send(krs[1].clone()),
            send(krs[2].clone()),
            send(krs[3].clone()),
            send(krs[4].clone()),
        );
        assert_eq!(
            progress_of(&app, &org.mgr, &team).await,
            expected,
            "round {round}"
        );
        assert_progress_is_consistent(&app, &format!("round {round}")).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn editing_key_results_keeps_the_ids_of_the_ones_kept() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let kr = |metric: &str| json!({ "metric": metric, "unit": "items", "direction": "INCREASE", "startValue": "0", "targetValue": "10" });
    let r = app
        .create_goal(
            &org.alice,
            &cycle,
            json!({ "weight": 100, "keyResults": [kr("Shipped"), kr("Reviewed")] }),
        )
        .await;
    let goal = r.data()["createGoal"]["id"].as_str().unwrap().to_owned();
    let ids: Vec<String> = r.data()["createGoal"]["keyResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect();
    let edit = "mutation($id: ID!, $krs: [KeyResultInput!]) { updateGoal(input: {id: $id, keyResults: $krs }) { keyResults { id metric targetValue } } }";
    // Keep the second (renamed, new target) first, drop the first, add one.
    let mut renamed = kr("Reviewed in time");
    renamed["id"] = json!(ids[1]);
    renamed["targetValue"] = json!("20");
    let r = app
        .gql(
            Some(&org.alice),
            edit,
            json!({ "id": goal, "krs": [renamed, kr("Documented")] }),
        )
        .await;
    let krs = r.data()["updateGoal"]["keyResults"]
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(krs.len(), 2);
    assert_eq!(
        (&krs[0]["id"], &krs[0]["metric"], &krs[0]["targetValue"]),
        (&json!(ids[1]), &json!("Reviewed in time"), &json!("20"))
    );
    assert_eq!(krs[1]["metric"], "Documented");
    assert!(!ids.contains(&krs[1]["id"].as_str().unwrap().to_owned()));
    app.gql(
        Some(&org.alice),
        "query($id: ID!) { keyResult(id: $id) { id } }",
        json!({ "id": ids[0] }),
    )
    .await
    .assert_error("NOT_FOUND", None);

    // Ids that are not this goal's, twice the same, malformed, or on a new goal: refused.
    let other = app
        .agreed_goal(&org.bob, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await;
    let with_id = |id: &str| {
        let mut k = kr("Any");
        k["id"] = json!(id);
        k
    };
    for (krs, field) in [
        (json!([with_id(&other.key_result_id)]), "keyResults[0].id"),
        (
            json!([with_id(&ids[1]), with_id(&ids[1])]),
            "keyResults[1].id",
        ),
        (json!([kr("New"), with_id("nope")]), "keyResults[1].id"),
    ] {
        app.gql(Some(&org.alice), edit, json!({ "id": goal, "krs": krs }))
            .await
            .assert_error("BAD_USER_INPUT", Some(field));
    }
    app.create_goal(
        &org.alice,
        &cycle,
        json!({ "weight": 100, "keyResults": [with_id(&ids[1])] }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("keyResults[0].id"));
    // Nothing of the refused edits stuck.
    let r = app
        .gql(
            Some(&org.alice),
            "query($id: ID!) { goal(id: $id) { keyResults { id metric } } }",
            json!({ "id": goal }),
        )
        .await;
    assert_eq!(r.data()["goal"]["keyResults"][0]["id"], json!(ids[1]));
    assert_eq!(
        r.data()["goal"]["keyResults"].as_array().map(Vec::len),
        Some(2)
    );
}
