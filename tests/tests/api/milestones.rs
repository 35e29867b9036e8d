//! A goal's action plan: ordered milestones written and changed in place, ticked off, and
//! refused to everyone who may not keep the goal's progress.

use perfcycle_tests::spawn_app;
use serde_json::{Value, json};

const SET: &str = "mutation($input: SetMilestonesInput!) { setMilestones(input: $input) {
    id milestones { id title dueOn done doneAt doneBy { email } } } }";
const COMPLETE: &str = "mutation($id: ID!, $done: Boolean!) { completeMilestone(input: {id: $id, done: $done}) { id done doneAt doneBy { email } } }";

fn plan(goal: &str, steps: Value) -> Value {
    json!({ "input": { "goalId": goal, "milestones": steps } })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_is_written_reordered_and_ticked_off_keeping_its_ids() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let goal = app
        .agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await
        .goal_id;
    let r = app
        .gql(
            Some(&org.alice),
            SET,
            plan(
                &goal,
                json!([
                    { "title": "Profile the slow endpoints", "dueOn": "2027-04-15" },
                    { "title": "Cache pricing", "dueOn": "2027-05-15" }
                ]),
            ),
        )
        .await;
    let steps = r.data()["setMilestones"]["milestones"].clone();
    assert_eq!(steps.as_array().unwrap().len(), 2);
    let (profile, cache) = (steps[0]["id"].clone(), steps[1]["id"].clone());
    assert_eq!(steps[0]["done"], false);

    // Done by the manager; repeating it changes nothing.
    let r = app
        .gql(
            Some(&org.mgr),
            COMPLETE,
            json!({ "id": profile, "done": true }),
        )
        .await;
    let done = r.data()["completeMilestone"].clone();
    assert_eq!(done["done"], true);
    assert_eq!(done["doneBy"]["email"], "mgr@t.io");
    let again = app
        .gql(
            Some(&org.alice),
            COMPLETE,
            json!({ "id": profile, "done": true }),
        )
        .await;
    assert_eq!(again.data()["completeMilestone"], done);

    // Reordered, one renamed, one added: ids and the done state stay.
    let r = app
        .gql(
            Some(&org.alice),
            SET,
            plan(
                &goal,
                json!([
                    { "id": cache, "title": "Cache pricing and tax", "dueOn": "2027-05-20" },
                    { "id": profile, "title": "Profile the slow endpoints", "dueOn": "2027-04-15" },
                    { "title": "Load test", "dueOn": "2027-06-01" }
                ]),
            ),
        )
        .await;
    let steps = r.data()["setMilestones"]["milestones"].clone();
    assert_eq!(steps[0]["id"], cache);
    assert_eq!(steps[0]["title"], "Cache pricing and tax");
    assert_eq!(steps[0]["dueOn"], "2027-05-20");
    assert_eq!(steps[1]["id"], profile);
    assert_eq!(steps[1]["done"], true);
    assert_eq!(steps[2]["title"], "Load test");

    // Not done again; then one left out is removed.
    let r = app
        .gql(
            Some(&org.alice),
            COMPLETE,
            json!({ "id": profile, "done": false }),
        )
        .await;
    assert_eq!(r.data()["completeMilestone"]["doneAt"], Value::Null);
    let r = app
        .gql(
            Some(&org.hr),
            SET,
            plan(
                &goal,
                json!([{ "id": profile, "title": "Profile", "dueOn": "2027-04-15" }]),
            ),
        )
        .await;
    assert_eq!(
        r.data()["setMilestones"]["milestones"],
        json!([{ "id": profile, "title": "Profile", "dueOn": "2027-04-15", "done": false, "doneAt": null, "doneBy": null }])
    );
    assert_eq!(app.count("milestone").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_plans_are_refused_field_by_field_and_change_nothing() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let goal = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 100 }))
        .await;
    let other = app
        .goal_id(
            &org.alice,
            &cycle,
            json!({ "weight": 100, "title": "Another goal" }),
        )
        .await;
    let r = app
        .gql(
            Some(&org.alice),
            SET,
            plan(
                &other,
                json!([{ "title": "Theirs", "dueOn": "2027-04-01" }]),
            ),
        )
        .await;
    let foreign = r.data()["setMilestones"]["milestones"][0]["id"].clone();
    let r = app
        .gql(
            Some(&org.alice),
            SET,
            plan(&goal, json!([{ "title": "Mine", "dueOn": "2027-04-01" }])),
        )
        .await;
    let mine = r.data()["setMilestones"]["milestones"][0]["id"].clone();
    let twenty_one: Vec<Value> = (0..21)
        .map(|i| json!({ "title": format!("Step {i}"), "dueOn": "2027-04-01" }))
        .collect();
    let cases = [
        (
            json!([{ "title": "  ", "dueOn": "2027-04-01" }]),
            "milestones[0].title",
        ),
        (
            json!([{ "title": "x".repeat(201), "dueOn": "2027-04-01" }]),
            "milestones[0].title",
        ),
        (
            json!([{ "title": "Before the cycle", "dueOn": "2026-12-31" }]),
            "milestones[0].dueOn",
        ),
        (
            json!([{ "title": "After the goal is due", "dueOn": "2027-07-01" }]),
            "milestones[0].dueOn",
        ),
        (
            json!([{ "id": mine, "title": "A", "dueOn": "2027-04-01" }, { "id": foreign, "title": "B", "dueOn": "2027-04-01" }]),
            "milestones[1].id",
        ),
        (
            json!([{ "id": mine, "title": "A", "dueOn": "2027-04-01" }, { "id": mine, "title": "B", "dueOn": "2027-04-01" }]),
            "milestones[1].id",
        ),
        (
            json!([{ "id": "not-an-id", "title": "A", "dueOn": "2027-04-01" }]),
            "milestones[0].id",
        ),
        (json!(twenty_one), "milestones"),
    ];
    for (steps, field) in cases {
        app.gql(Some(&org.alice), SET, plan(&goal, steps))
            .await
            .assert_error("BAD_USER_INPUT", Some(field));
    }
    let r = app
        .gql(
            Some(&org.alice),
            "query($id: ID!) { goal(id: $id) { milestones { id title } } }",
            json!({ "id": goal }),
        )
        .await;
    assert_eq!(
        r.data()["goal"]["milestones"],
        json!([{ "id": mine, "title": "Mine" }])
    );
    // A draft's milestone cannot be done yet; a deleted draft takes its plan with it.
    app.gql(
        Some(&org.alice),
        COMPLETE,
        json!({ "id": mine, "done": true }),
    )
    .await
    .assert_error("CONFLICT", None);
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!) { deleteGoal(input: {id: $id}) }",
        json!({ "id": goal }),
    )
    .await
    .data();
    assert_eq!(app.count("milestone").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_owner_their_managers_and_hr_keep_a_plan() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let goal = app
        .agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await
        .goal_id;
    let r = app
        .gql(
            Some(&org.alice),
            SET,
            plan(&goal, json!([{ "title": "Mine", "dueOn": "2027-04-01" }])),
        )
        .await;
    let step = r.data()["setMilestones"]["milestones"][0]["id"].clone();
    // Alice's goal is private: a peer, another team and a report of someone else do not see it.
    for token in [&org.bob, &org.carol, &org.other, &org.dave] {
        app.gql(
            Some(token),
            SET,
            plan(&goal, json!([{ "title": "Theirs", "dueOn": "2027-04-01" }])),
        )
        .await
        .assert_error("NOT_FOUND", None);
        app.gql(Some(token), COMPLETE, json!({ "id": step, "done": true }))
            .await
            .assert_error("NOT_FOUND", None);
    }
    app.gql(None, COMPLETE, json!({ "id": step, "done": true }))
        .await
        .assert_error("UNAUTHENTICATED", None);
    for token in [&org.mgr, &org.ceo, &org.hr] {
        app.gql(Some(token), COMPLETE, json!({ "id": step, "done": true }))
            .await
            .data();
    }
    // A closed goal's plan is history.
    app.gql(
        Some(&org.mgr),
        "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: ACHIEVED}) { status } }",
        json!({ "id": goal }),
    )
    .await
    .data();
    app.gql(Some(&org.alice), SET, plan(&goal, json!([])))
        .await
        .assert_error("CONFLICT", None);
    app.gql(
        Some(&org.alice),
        COMPLETE,
        json!({ "id": step, "done": false }),
    )
    .await
    .assert_error("CONFLICT", None);
}
