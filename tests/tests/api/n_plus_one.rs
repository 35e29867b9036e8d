//! A manager's team view costs the same number of SQL statements for 3 reports as for 30.

use perfcycle_tests::{TestApp, date, spawn_app};
use serde_json::json;

const TEAM: &str =
    "query($m: ID!) { employees(first: 40, filter: {managerId: $m}) { totalCount edges { node {
    name department { name } manager { name } reports(first: 5) { nodes { name } }
    goals { title status progress owner { name } cycle { name } parent { title }
            keyResults { metric progress } children(first: 5) { nodes { id } } revisions(first: 5) { nodes { reason } } } } } } }";

async fn team_of(app: &TestApp, manager: &str, size: usize, cycle: uuid::Uuid) -> uuid::Uuid {
    let mut rows =
        format!("{manager}@t.io,Manager {manager},Manager,Engineering,ceo@t.io,,2020-01-01,UTC\n");
    for i in 0..size {
        rows.push_str(&format!("{manager}.r{i}@t.io,Report {i} of {manager},Engineer,Engineering,{manager}@t.io,,2021-01-01,UTC\n"));
    }
    app.import(&rows).await;
    let hr = domain::employees::authenticate_by_email(&app.ctx.db, "hr@t.io")
        .await
        .unwrap();
    for i in 0..size {
        let owner = app.employee(&format!("{manager}.r{i}@t.io")).await;
        for w in [60, 40] {
            domain::goals::create(
                &app.ctx,
                &hr,
                domain::goals::GoalInput {
                    cycle_id: cycle,
                    owner_id: Some(owner.id),
                    parent_id: None,
                    follows_goal_id: None,
                    level: domain::values::GoalLevel::Individual,
                    visibility: None,
                    title: format!("Goal {w}"),
                    description: None,
                    weight: w,
                    due_on: date("2027-06-30"),
                    key_results: vec![domain::goals::KeyResultInput {
                        id: None,
                        metric: "Things".into(),
                        unit: "things".into(),
                        direction: domain::values::Direction::Increase,
                        start: 0.into(),
                        target: 10.into(),
                        current: Some(3.into()),
                        weight: None,
                    }],
                },
            )
            .await
            .unwrap();
        }
    }
    app.employee(&format!("{manager}@t.io")).await.id
}

/// The same team with what a dashboard of it shows: check-ins, cadences, on-track signals,
/// history and permission hints.
const TEAM_SIGNALS: &str =
    "query($m: ID!, $c: ID!) { employees(first: 100, filter: {managerId: $m}) { edges { node {
    name checkInCadence(cycleId: $c) currentCheckIn { status viewerCan { submit acknowledge } }
    goals { title health expectedProgress agreedBy { name } createdBy { name } events { step }
            viewerCan { edit agree close } cycle { viewerCan { update } }
            keyResults { health expectedProgress viewerCan { recordProgress } } } } } } }";

async fn statements_for(app: &TestApp, manager: uuid::Uuid, token: &str, expected: usize) -> u64 {
    statements_of(app, TEAM, manager, None, token, expected).await
}

/// The fewest statements one query took over three runs. A loader waits a moment for the rest of
/// its batch; on a busy machine a slow poll can split one batch into two, which says nothing about
/// the query's shape. A statement per report shows in every run.
async fn statements_of(
    app: &TestApp,
    query: &str,
    manager: uuid::Uuid,
    cycle: Option<uuid::Uuid>,
    token: &str,
    expected: usize,
) -> u64 {
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = app.statements().await;
        let r = app
            .gql(
                Some(token),
                query,
                json!({ "m": manager.to_string(), "c": cycle.map(|c| c.to_string()) }),
            )
            .await;
        let edges = r.data()["employees"]["edges"].as_array().cloned().unwrap();
        assert_eq!(edges.len(), expected);
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["goals"].as_array().map(Vec::len) == Some(2))
        );
        fewest = fewest.min(app.statements().await - before);
    }
    fewest
}

#[tokio::test(flavor = "multi_thread")]
async fn a_managers_team_query_does_not_grow_with_the_team() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let cycle = uuid::Uuid::parse_str(&cycle).unwrap();
    let small = team_of(&app, "small", 3, cycle).await;
    let large = team_of(&app, "large", 30, cycle).await;
    let small_token = app.token("small@t.io").await;
    let large_token = app.token("large@t.io").await;
    // Warm nothing: each request has its own loaders, so both pay full price.
    let for_small = statements_for(&app, small, &small_token, 3).await;
    let for_large = statements_for(&app, large, &large_token, 30).await;
    eprintln!("team query: {for_small} statements for 3 reports, {for_large} for 30");
    assert_eq!(
        for_small, for_large,
        "the statement count grew with the team: N+1"
    );
    assert!(
        for_large <= 16,
        "{for_large} statements is more than one per relation"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_team_dashboards_signals_and_hints_do_not_grow_with_the_team() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let cycle = uuid::Uuid::parse_str(&cycle).unwrap();
    let small = team_of(&app, "small", 3, cycle).await;
    let large = team_of(&app, "large", 30, cycle).await;
    app.open_check_ins().await;
    let small_token = app.token("small@t.io").await;
    let large_token = app.token("large@t.io").await;
    let for_small = statements_of(&app, TEAM_SIGNALS, small, Some(cycle), &small_token, 3).await;
    let for_large = statements_of(&app, TEAM_SIGNALS, large, Some(cycle), &large_token, 30).await;
    eprintln!("team signals: {for_small} statements for 3 reports, {for_large} for 30");
    // A loader asked from two depths of the query may still be dispatched in two batches, so
    // either count may be a little higher; a statement per report would add 27.
    assert!(
        for_large <= for_small + 3 && for_small <= for_large + 3,
        "the statement count grew with the team: {for_small} for 3, {for_large} for 30"
    );
    // 20 when every loader is dispatched once; the same split may add up to 3 on a loaded
    // machine (22 was seen in CI).
    assert!(for_large <= 23, "{for_large} statements");
}
