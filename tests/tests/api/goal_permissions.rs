//! DESIGN §4 for goals: who may read and do what. Invisible is NOT_FOUND, visible but not
//! allowed is FORBIDDEN.

use perfcycle_tests::spawn_app;
use serde_json::json;

const READ: &str = "query($id: ID!) { goal(id: $id) { id title } }";

#[tokio::test(flavor = "multi_thread")]
async fn an_employee_cannot_read_a_peers_individual_goal() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let bobs = app.goal_id(&org.bob, &cycle, json!({})).await;
    let r = app.gql(Some(&org.alice), READ, json!({ "id": bobs })).await;
    r.assert_error("NOT_FOUND", None);
    let r = app.gql(Some(&org.carol), READ, json!({ "id": bobs })).await;
    r.assert_error("NOT_FOUND", None);
    // Nor see it in lists or on Bob's profile.
    let r = app
        .gql(Some(&org.alice), "{ goals { totalCount } }", json!({}))
        .await;
    assert_eq!(r.data()["goals"]["totalCount"], 0);
    let bob = app.employee("bob@t.io").await;
    let r = app
        .gql(
            Some(&org.alice),
            &format!("{{ employee(id: \"{}\") {{ goals {{ id }} }} }}", bob.id),
            json!({}),
        )
        .await;
    assert_eq!(r.data()["employee"]["goals"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn managers_read_their_whole_subtree_but_not_other_teams() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let daves = app.goal_id(&org.dave, &cycle, json!({})).await;
    let carols = app.goal_id(&org.carol, &cycle, json!({})).await;
    for token in [&org.lead, &org.mgr, &org.ceo, &org.hr, &org.dave] {
        app.gql(Some(token), READ, json!({ "id": daves }))
            .await
            .data();
    }
    for token in [&org.other, &org.alice, &org.carol] {
        app.gql(Some(token), READ, json!({ "id": daves }))
            .await
            .assert_error("NOT_FOUND", None);
    }
    app.gql(Some(&org.mgr), READ, json!({ "id": carols }))
        .await
        .assert_error("NOT_FOUND", None);
    let r = app
        .gql(Some(&org.mgr), "{ goals { totalCount } }", json!({}))
        .await;
    assert_eq!(r.data()["goals"]["totalCount"], 1);
    let r = app
        .gql(Some(&org.hr), "{ goals { totalCount } }", json!({}))
        .await;
    assert_eq!(r.data()["goals"]["totalCount"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn public_company_and_team_goals_are_visible_to_everyone_private_ones_are_not() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let company = app
        .goal_id(
            &org.ceo,
            &cycle,
            json!({ "level": "COMPANY", "weight": 100 }),
        )
        .await;
    let team = app
        .goal_id(
            &org.mgr,
            &cycle,
            json!({ "level": "TEAM", "parentId": company }),
        )
        .await;
    let secret_team = app
        .goal_id(
            &org.mgr,
            &cycle,
            json!({ "level": "TEAM", "visibility": "PRIVATE" }),
        )
        .await;
    for id in [&company, &team] {
        app.gql(Some(&org.carol), READ, json!({ "id": id }))
            .await
            .data();
    }
    app.gql(Some(&org.carol), READ, json!({ "id": secret_team }))
        .await
        .assert_error("NOT_FOUND", None);
    // A private parent is hidden from the child's readers who may not see it.
    let alices = app
        .goal_id(&org.alice, &cycle, json!({ "parentId": team }))
        .await;
    let r = app
        .gql(
            Some(&org.alice),
            "query($id: ID!) { goal(id: $id) { parent { id parent { id } } } }",
            json!({ "id": alices }),
        )
        .await;
    assert_eq!(r.data()["goal"]["parent"]["id"], team.as_str());
    assert_eq!(r.data()["goal"]["parent"]["parent"]["id"], company.as_str());
    let r = app
        .gql(
            Some(&org.carol),
            "query($id: ID!) { goal(id: $id) { children { totalCount nodes { id } } } }",
            json!({ "id": team }),
        )
        .await;
    assert_eq!(
        r.data()["goal"]["children"],
        json!({ "totalCount": 0, "nodes": [] }),
        "Alice's individual goal stays private"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_hr_or_the_head_of_the_organisation_set_company_goals() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let r = app
        .create_goal(&org.mgr, &cycle, json!({ "level": "COMPANY" }))
        .await;
    r.assert_error("FORBIDDEN", None);
    app.create_goal(&org.hr, &cycle, json!({ "level": "COMPANY" }))
        .await
        .data();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_employee_cannot_create_goals_for_a_peer_but_a_manager_can_for_a_report() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let bob = app.employee("bob@t.io").await;
    let r = app
        .create_goal(&org.alice, &cycle, json!({ "ownerId": bob.id.to_string() }))
        .await;
    r.assert_error("FORBIDDEN", None);
    let r = app
        .create_goal(&org.other, &cycle, json!({ "ownerId": bob.id.to_string() }))
        .await;
    r.assert_error("FORBIDDEN", None);
    assert_eq!(app.count("goal").await, 0);
    let r = app.gql(Some(&org.mgr), "mutation($input: CreateGoalInput!) { createGoal(input: $input) { owner { email } } }", json!({ "input": {
        "cycleId": cycle, "ownerId": bob.id.to_string(), "title": "Mentor a new hire", "weight": 20, "dueOn": "2027-09-01",
        "keyResults": [{ "metric": "Onboarding checklist", "unit": "items", "direction": "INCREASE", "startValue": "0", "targetValue": "12" }]
    } })).await;
    assert_eq!(r.data()["createGoal"]["owner"]["email"], "bob@t.io");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_employee_cannot_agree_their_own_goal_or_edit_it_once_proposed() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let id = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 100 }))
        .await;
    app.goal_action(&org.alice, "proposeGoal", &id).await.data();
    app.goal_action(&org.alice, "agreeGoal", &id)
        .await
        .assert_error("FORBIDDEN", None);
    let edit = "mutation($id: ID!) { updateGoal(input: {id: $id, title: \"Changed\"}) { title } }";
    app.gql(Some(&org.alice), edit, json!({ "id": id }))
        .await
        .assert_error("FORBIDDEN", None);
    // A peer and a manager of another team cannot agree it either (for them it does not exist).
    app.goal_action(&org.bob, "agreeGoal", &id)
        .await
        .assert_error("NOT_FOUND", None);
    app.goal_action(&org.other, "agreeGoal", &id)
        .await
        .assert_error("NOT_FOUND", None);
    // A skip-level manager can.
    app.goal_action(&org.ceo, "agreeGoal", &id).await.data();
}

#[tokio::test(flavor = "multi_thread")]
async fn only_managers_and_hr_revise_targets_and_only_the_chain_records_progress() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let kr = app
        .agreed_goal(&org.alice, &org.hr, &cycle, json!({ "weight": 100 }))
        .await
        .key_result_id;
    let revise = "mutation($kr: ID!) { reviseTarget(input: {keyResultId: $kr, newTarget: \"250\", reason: \"stretch\"}) { revision { newTarget } } }";
    app.gql(Some(&org.alice), revise, json!({ "kr": kr }))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.bob), revise, json!({ "kr": kr }))
        .await
        .assert_error("NOT_FOUND", None);
    let progress = "mutation($kr: ID!) { updateKeyResultValue(input: {keyResultId: $kr, value: \"500\"}) { keyResult { currentValue } } }";
    app.gql(Some(&org.bob), progress, json!({ "kr": kr }))
        .await
        .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.carol), progress, json!({ "kr": kr }))
        .await
        .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.alice), progress, json!({ "kr": kr }))
        .await
        .data();
    app.gql(Some(&org.hr), revise, json!({ "kr": kr }))
        .await
        .data();
    assert_eq!(app.count("goal_revision").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_goal_list_shows_the_own_subtree_and_everyones_public_team_goals_only() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let team = |visibility: &str| json!({ "level": "TEAM", "visibility": visibility });
    let mgr_public = app.goal_id(&org.mgr, &cycle, team("PUBLIC")).await;
    let mgr_private = app.goal_id(&org.mgr, &cycle, team("PRIVATE")).await;
    let other_public = app.goal_id(&org.other, &cycle, team("PUBLIC")).await;
    let carol_private = app.goal_id(&org.carol, &cycle, json!({})).await;
    let alice_private = app.goal_id(&org.alice, &cycle, json!({})).await;
    let listed = async |token: &str, first: i32| {
        let mut ids = Vec::new();
        let mut after = serde_json::Value::Null;
        loop {
            let r = app
                .gql(
                    Some(token),
                    "query($first: Int, $after: String) { goals(first: $first, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }",
                    json!({ "first": first, "after": after }),
                )
                .await;
            let page = &r.data()["goals"];
            for e in page["edges"].as_array().into_iter().flatten() {
                ids.push(e["node"]["id"].as_str().unwrap().to_owned());
            }
            let total = page["totalCount"].as_u64().unwrap() as usize;
            if page["pageInfo"]["hasNextPage"] != true {
                assert_eq!(total, ids.len(), "totalCount");
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        ids.sort();
        ids
    };
    let expect = |ids: &[&String]| {
        let mut ids: Vec<String> = ids.iter().map(|s| (*s).clone()).collect();
        ids.sort();
        ids
    };
    // Her own goal and the public team goals of other subtrees; not her manager's private
    // team goal, and not a colleague's individual goal.
    let alices = expect(&[&alice_private, &mgr_public, &other_public]);
    // The manager of Sales: his subtree and the other public team goal.
    let others = expect(&[&other_public, &carol_private, &mgr_public]);
    let all = expect(&[
        &mgr_public,
        &mgr_private,
        &other_public,
        &carol_private,
        &alice_private,
    ]);
    for first in [1, 2, 100] {
        assert_eq!(listed(&org.alice, first).await, alices, "first {first}");
        assert_eq!(listed(&org.other, first).await, others, "first {first}");
        assert_eq!(listed(&org.hr, first).await, all, "first {first}");
    }
}
