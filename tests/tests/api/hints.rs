//! Permission hints: `viewerCan` on goals, key results, check-ins, cycles and development items
//! answers what the mutations would do.
//! For every role and every state a goal can be in, each hint is checked against its mutation:
//! a `false` hint's mutation must be refused (FORBIDDEN, NOT_FOUND or CONFLICT) and change
//! nothing; a `true` hint's mutation, tried on a fresh goal in the same state, must go through.

use perfcycle_tests::{Org, TestApp, spawn_app};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The states a goal is put in before the hints are read.
#[derive(Debug, Clone, Copy)]
enum State {
    Draft,
    ProposedByOwner,
    ProposedByManager,
    Agreed,
    Achieved,
    AgreedCycleInReview,
}

const ACTIONS: [&str; 12] = [
    "edit",
    "propose",
    "agree",
    "accept",
    "return",
    "close",
    "drop",
    "delete",
    "reviseTarget",
    "recordProgress",
    "planMilestones",
    "completeMilestone",
];

const HINTS: &str = "query($id: ID!) { goal(id: $id) { status viewerCan { edit propose agree accept return close drop delete reviseTarget recordProgress planMilestones completeMilestone } keyResults { viewerCan { reviseTarget recordProgress } } milestones { title done } } }";

static CYCLES: AtomicUsize = AtomicUsize::new(0);

/// A team goal of Lea Lead (manager Mia, who reports to Cleo; Lea manages Dave) in a cycle of
/// its own, with a one-step plan, put in `state`; answers the ids of the goal, its key result
/// and its milestone.
async fn goal_in(app: &TestApp, org: &Org, state: State) -> (String, String, String) {
    let n = CYCLES.fetch_add(1, Ordering::Relaxed);
    let cycle = app.planning_cycle(&org.hr, &format!("Hints {n}")).await;
    app.advance_cycle(&org.hr, &cycle, "ACTIVE").await;
    let lead = app.employee("lead@t.io").await.id.to_string();
    let by_manager = matches!(state, State::ProposedByManager);
    let author = if by_manager { &org.mgr } else { &org.lead };
    let goal = app
        .goal_id(
            author,
            &cycle,
            json!({ "ownerId": lead, "level": "TEAM", "weight": 100, "title": "Team goal" }),
        )
        .await;
    app.gql(
        Some(author),
        "mutation($id: ID!) { setMilestones(input: { goalId: $id, milestones: [{ title: \"Spike\", dueOn: \"2027-05-01\" }] }) { id } }",
        json!({ "id": goal }),
    )
    .await
    .data();
    if !matches!(state, State::Draft) {
        app.goal_action(author, "proposeGoal", &goal).await.data();
    }
    if matches!(
        state,
        State::Agreed | State::Achieved | State::AgreedCycleInReview
    ) {
        app.goal_action(&org.mgr, "agreeGoal", &goal).await.data();
    }
    if matches!(state, State::Achieved) {
        app.gql(
            Some(&org.mgr),
            "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: ACHIEVED}) { status } }",
            json!({ "id": goal }),
        )
        .await
        .data();
    }
    if matches!(state, State::AgreedCycleInReview) {
        app.advance_cycle(&org.hr, &cycle, "REVIEW").await;
    }
    let r = app
        .gql(
            Some(&org.lead),
            "query($id: ID!) { goal(id: $id) { keyResults { id } milestones { id } } }",
            json!({ "id": goal }),
        )
        .await;
    let id_of = |list: &str| r.data()["goal"][list][0]["id"].as_str().unwrap().to_owned();
    (goal, id_of("keyResults"), id_of("milestones"))
}

/// Runs `action`'s mutation as `token`; answers the error code, or `None` if it went through.
async fn attempt(
    app: &TestApp,
    token: &str,
    action: &str,
    (goal, kr, milestone): (&str, &str, &str),
) -> Option<String> {
    let (query, variables) = match action {
        "edit" => (
            "mutation($id: ID!) { updateGoal(input: {id: $id, title: \"Renamed\" }) { id } }",
            json!({ "id": goal }),
        ),
        "propose" => (
            "mutation($id: ID!) { proposeGoal(input: {id: $id}) { id } }",
            json!({ "id": goal }),
        ),
        "agree" => (
            "mutation($id: ID!) { agreeGoal(input: {id: $id}) { id } }",
            json!({ "id": goal }),
        ),
        "accept" => (
            "mutation($id: ID!) { acceptGoal(input: {id: $id}) { id } }",
            json!({ "id": goal }),
        ),
        "return" => (
            "mutation($id: ID!) { returnGoal(input: {id: $id, reason: \"Needs a sharper target\"}) { id } }",
            json!({ "id": goal }),
        ),
        "close" => (
            "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: ACHIEVED}) { id } }",
            json!({ "id": goal }),
        ),
        "drop" => (
            "mutation($id: ID!) { closeGoal(input: {id: $id, outcome: DROPPED}) { id } }",
            json!({ "id": goal }),
        ),
        "delete" => (
            "mutation($id: ID!) { deleteGoal(input: {id: $id}) }",
            json!({ "id": goal }),
        ),
        "reviseTarget" => (
            "mutation($kr: ID!) { reviseTarget(input: {keyResultId: $kr, newTarget: \"250\", reason: \"Going well\"}) { revision { id } } }",
            json!({ "kr": kr }),
        ),
        "recordProgress" => (
            "mutation($kr: ID!) { updateKeyResultValue(input: {keyResultId: $kr, value: \"500\"}) { keyResult { id } } }",
            json!({ "kr": kr }),
        ),
        "planMilestones" => (
            "mutation($id: ID!) { setMilestones(input: { goalId: $id, milestones: [{ title: \"Pilot\", dueOn: \"2027-05-02\" }] }) { id } }",
            json!({ "id": goal }),
        ),
        "completeMilestone" => (
            "mutation($m: ID!) { completeMilestone(input: { id: $m }) { done } }",
            json!({ "m": milestone }),
        ),
        other => panic!("no mutation for {other}"),
    };
    let r = app.gql(Some(token), query, variables).await;
    r.body["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_hint_answers_what_its_mutation_does_for_every_role_and_state() {
    let app = spawn_app().await;
    let org = app.org().await;
    let roles: [(&str, &String); 7] = [
        ("owner", &org.lead),
        ("manager", &org.mgr),
        ("manager's manager", &org.ceo),
        ("HR", &org.hr),
        ("the owner's report", &org.dave),
        ("a peer", &org.bob),
        ("someone in another team", &org.carol),
    ];
    let states = [
        State::Draft,
        State::ProposedByOwner,
        State::ProposedByManager,
        State::Agreed,
        State::Achieved,
        State::AgreedCycleInReview,
    ];
    let mut allowed_somewhere = std::collections::BTreeSet::new();
    for state in states {
        for (role, token) in roles {
            let (goal, kr, milestone) = goal_in(&app, &org, state).await;
            let r = app.gql(Some(token), HINTS, json!({ "id": goal })).await;
            let hints = r.data()["goal"]["viewerCan"].clone();
            assert!(hints.is_object(), "{state:?}, {role}: {}", r.body);
            for action in ["reviseTarget", "recordProgress"] {
                assert_eq!(
                    r.data()["goal"]["keyResults"][0]["viewerCan"][action],
                    hints[action],
                    "{state:?}, {role}: the key result's {action} hint is its goal's"
                );
            }
            let before = app
                .gql(Some(&org.hr), HINTS, json!({ "id": goal }))
                .await
                .body;
            for action in ACTIONS {
                let hint = hints[action].as_bool().unwrap();
                if hint {
                    allowed_somewhere.insert(action);
                    let (fresh, fresh_kr, fresh_m) = goal_in(&app, &org, state).await;
                    let outcome = attempt(&app, token, action, (&fresh, &fresh_kr, &fresh_m)).await;
                    assert_eq!(
                        outcome, None,
                        "{state:?}, {role}: viewerCan.{action} is true but the mutation was refused"
                    );
                } else {
                    let outcome = attempt(&app, token, action, (&goal, &kr, &milestone)).await;
                    assert!(
                        matches!(
                            outcome.as_deref(),
                            Some("FORBIDDEN" | "NOT_FOUND" | "CONFLICT")
                        ),
                        "{state:?}, {role}: viewerCan.{action} is false but the mutation answered {outcome:?}"
                    );
                }
            }
            let after = app
                .gql(Some(&org.hr), HINTS, json!({ "id": goal }))
                .await
                .body;
            assert_eq!(
                before, after,
                "{state:?}, {role}: a refused mutation changed the goal"
            );
        }
    }
    // Every action is possible for someone in some state: the test exercised both answers.
    assert_eq!(
        allowed_somewhere.len(),
        ACTIONS.len(),
        "{allowed_somewhere:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hints_of_a_goal_the_viewer_cannot_read_are_never_shown() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let private = app
        .goal_id(&org.alice, &cycle, json!({ "weight": 100 }))
        .await;
    app.gql(Some(&org.carol), HINTS, json!({ "id": private }))
        .await
        .assert_error("NOT_FOUND", None);
    let r = app
        .gql(Some(&org.alice), HINTS, json!({ "id": private }))
        .await;
    let can = &r.data()["goal"]["viewerCan"];
    assert_eq!(
        (&can["edit"], &can["propose"], &can["delete"], &can["agree"]),
        (&json!(true), &json!(true), &json!(true), &json!(false))
    );
}

/// States a check-in is put in before its hints are read.
#[derive(Debug, Clone, Copy)]
enum CheckInState {
    Due,
    Submitted,
    Acknowledged,
    /// Still DUE, but its grace period has ended (the scan has not marked it yet).
    Closed,
    Missed,
}

/// Alice's check-in for a week of its own (the clock moves on a week each time), put in
/// `state`.
async fn check_in_in(app: &TestApp, org: &Org, state: CheckInState) -> String {
    use chrono::{Datelike, Timelike};
    use domain::Clock;
    // Noon on the next Monday after the clock.
    let now = app.clock.now();
    let ahead = 7 - i64::from(now.weekday().num_days_from_monday());
    let monday = (now + chrono::Duration::days(ahead))
        .with_hour(12)
        .and_then(|t| t.with_minute(0))
        .unwrap();
    app.clock.set(monday);
    app.open_check_ins().await;
    let due = app
        .check_ins_of(&org.alice, "alice@t.io")
        .await
        .into_iter()
        .filter(|c| c["status"] == "DUE")
        .max_by_key(|c| c["periodStart"].as_str().unwrap_or_default().to_owned())
        .unwrap();
    let id = due["id"].as_str().unwrap().to_owned();
    if matches!(state, CheckInState::Submitted | CheckInState::Acknowledged) {
        app.gql(
            Some(&org.alice),
            "mutation($id: ID!) { submitCheckIn(input: {id: $id, confidence: 3 }) { checkIn { id } } }",
            json!({ "id": id }),
        )
        .await
        .data();
    }
    if matches!(state, CheckInState::Acknowledged) {
        app.gql(
            Some(&org.mgr),
            "mutation($id: ID!) { acknowledgeCheckIn(input: {id: $id}) { id } }",
            json!({ "id": id }),
        )
        .await
        .data();
    }
    if matches!(state, CheckInState::Closed | CheckInState::Missed) {
        // Past its grace period, ten days on.
        app.clock.set(monday + chrono::Duration::days(10));
        if matches!(state, CheckInState::Missed) {
            domain::check_ins::mark_missed(&app.ctx, app.clock.now())
                .await
                .unwrap();
        }
    }
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn every_check_in_hint_answers_what_its_mutation_does() {
    let app = spawn_app().await;
    let org = app.org().await;
    // Each setup takes a week or two of the calendar: a cycle long enough for all of them.
    let r = app
        .gql(
            Some(&org.hr),
            "mutation($input: CreateCycleInput!) { createCycle(input: $input) { id } }",
            json!({ "input": {
                "name": "Long", "startsOn": "2027-01-01", "endsOn": "2028-12-31",
                "reviewOpensOn": "2028-11-15", "reviewDueOn": "2028-12-15"
            }}),
        )
        .await;
    let cycle = r.data()["createCycle"]["id"].as_str().unwrap().to_owned();
    app.advance_cycle(&org.hr, &cycle, "ACTIVE").await;
    let roles: [(&str, &String); 6] = [
        ("the employee", &org.alice),
        ("manager", &org.mgr),
        ("manager's manager", &org.ceo),
        ("HR", &org.hr),
        ("a peer", &org.bob),
        ("someone in another team", &org.carol),
    ];
    let q = "query($id: ID!) { checkIn(id: $id) { status viewerCan { submit acknowledge } } }";
    let mutation = |action: &str| match action {
        "submit" => {
            "mutation($id: ID!) { submitCheckIn(input: {id: $id, confidence: 4 }) { checkIn { id } } }"
        }
        _ => {
            "mutation($id: ID!) { acknowledgeCheckIn(input: {id: $id, reply: \"Thanks\"}) { id } }"
        }
    };
    let mut allowed = std::collections::BTreeSet::new();
    for state in [
        CheckInState::Due,
        CheckInState::Submitted,
        CheckInState::Acknowledged,
        CheckInState::Closed,
        CheckInState::Missed,
    ] {
        for (role, token) in roles {
            let id = check_in_in(&app, &org, state).await;
            let r = app.gql(Some(token), q, json!({ "id": id })).await;
            let hints = match r.body["errors"][0]["extensions"]["code"].as_str() {
                // Not readable: nothing is possible, and the mutations must say NOT_FOUND.
                Some("NOT_FOUND") => json!({ "submit": false, "acknowledge": false }),
                _ => r.data()["checkIn"]["viewerCan"].clone(),
            };
            let before = app.gql(Some(&org.hr), q, json!({ "id": id })).await.body;
            for action in ["submit", "acknowledge"] {
                if hints[action].as_bool().unwrap() {
                    allowed.insert(action);
                    let fresh = check_in_in(&app, &org, state).await;
                    let r = app
                        .gql(Some(token), mutation(action), json!({ "id": fresh }))
                        .await;
                    assert!(
                        r.body["errors"].is_null(),
                        "{state:?}, {role}: viewerCan.{action} is true but: {}",
                        r.body
                    );
                } else {
                    let r = app
                        .gql(Some(token), mutation(action), json!({ "id": id }))
                        .await;
                    let code = r.body["errors"][0]["extensions"]["code"].as_str();
                    assert!(
                        matches!(code, Some("FORBIDDEN" | "NOT_FOUND" | "CONFLICT")),
                        "{state:?}, {role}: viewerCan.{action} is false but: {}",
                        r.body
                    );
                }
            }
            let after = app.gql(Some(&org.hr), q, json!({ "id": id })).await.body;
            assert_eq!(
                before, after,
                "{state:?}, {role}: a refused mutation changed it"
            );
        }
    }
    assert_eq!(allowed.len(), 2, "{allowed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_cycle_hint_answers_what_its_mutation_does() {
    let app = spawn_app().await;
    let org = app.org().await;
    const PHASES: [&str; 6] = [
        "PLANNING",
        "ACTIVE",
        "REVIEW",
        "CALIBRATION",
        "REWARDING",
        "CLOSED",
    ];
    // A cycle of its own moved on to `phase`.
    let cycle_in = |phase: &'static str| {
        let (app, hr) = (&app, &org.hr);
        async move {
            let n = CYCLES.fetch_add(1, Ordering::Relaxed);
            let id = app.planning_cycle(hr, &format!("Cycle hints {n}")).await;
            for next in PHASES.iter().skip(1).take_while(|_| phase != "PLANNING") {
                app.advance_cycle(hr, &id, next).await;
                if *next == phase {
                    break;
                }
            }
            id
        }
    };
    let q = "query($id: ID!) { cycle(id: $id) { phase nextPhase viewerCan { update advance } } }";
    let attempt = |action: &str, token: &String, id: &str, next: &serde_json::Value| {
        let (app, token, id, next) = (&app, token.clone(), id.to_owned(), next.clone());
        let query = match action {
            "update" => {
                "mutation($id: ID!) { updateCycle(input: {id: $id, name: \"Renamed\" }) { id } }"
            }
            _ => {
                "mutation($id: ID!, $to: CyclePhase!) { advanceCyclePhase(input: {id: $id, to: $to}) { id } }"
            }
        };
        async move {
            // A closed cycle has no next phase: ask for CLOSED again.
            let to = if next.is_null() {
                json!("CLOSED")
            } else {
                next
            };
            app.gql(Some(&token), query, json!({ "id": id, "to": to }))
                .await
                .body
        }
    };
    let mut allowed = std::collections::BTreeSet::new();
    for phase in ["PLANNING", "ACTIVE", "CLOSED"] {
        for (role, token) in [
            ("HR", &org.hr),
            ("a manager", &org.mgr),
            ("an employee", &org.alice),
        ] {
            let id = cycle_in(phase).await;
            let r = app.gql(Some(token), q, json!({ "id": id })).await;
            let c = r.data()["cycle"].clone();
            assert_eq!(c["phase"], phase);
            for action in ["update", "advance"] {
                let hint = c["viewerCan"][action].as_bool().unwrap();
                let body = if hint {
                    allowed.insert(action);
                    let fresh = cycle_in(phase).await;
                    attempt(action, token, &fresh, &c["nextPhase"]).await
                } else {
                    attempt(action, token, &id, &c["nextPhase"]).await
                };
                let code = body["errors"][0]["extensions"]["code"].as_str();
                if hint {
                    assert_eq!(
                        code, None,
                        "{phase}, {role}: viewerCan.{action} is true but {body}"
                    );
                } else {
                    assert!(
                        matches!(code, Some("FORBIDDEN" | "CONFLICT")),
                        "{phase}, {role}: viewerCan.{action} is false but {body}"
                    );
                }
            }
            let after = app.gql(Some(token), q, json!({ "id": id })).await;
            assert_eq!(after.data()["cycle"]["phase"], phase, "{phase}, {role}");
        }
    }
    assert_eq!(allowed.len(), 2, "{allowed:?}");
}

/// The states a development item is put in before its hints are read.
#[derive(Debug, Clone, Copy)]
enum ItemState {
    ProposedByEmployee,
    ProposedByManager,
    Returned,
    Agreed,
    Completed,
    Confirmed,
    OnClosedPlan,
}

/// A training of Alice's (manager Mia, who reports to Cleo) in `state`; answers its id.
async fn item_in(app: &TestApp, org: &Org, cycle: &str, state: ItemState) -> String {
    let alice = app.employee("alice@t.io").await.id.to_string();
    let step = |token: &str, mutation: &'static str, input: serde_json::Value| {
        let token = token.to_owned();
        async move {
            let r = app
                .gql(
                    Some(&token),
                    &format!(
                        "mutation($i: {}Input!) {{ {}(input: $i) {{ id }} }}",
                        upper(mutation),
                        mutation
                    ),
                    json!({ "i": input }),
                )
                .await;
            r.data()[mutation]["id"].as_str().unwrap().to_owned()
        }
    };
    if let ItemState::OnClosedPlan = state {
        app.gql(
            Some(&org.mgr),
            "mutation($i: OpenImprovementPlanInput!) { openImprovementPlan(input: $i) { id } }",
            json!({ "i": { "employeeId": alice, "cycleId": cycle, "objectives": "o", "checkDates": ["2027-05-01"] } }),
        )
        .await;
        let r = app
            .gql(
                Some(&org.mgr),
                "query($e: ID!, $c: ID!) { developmentPlan(employeeId: $e, cycleId: $c, kind: IMPROVEMENT) { id items { id } } }",
                json!({ "e": alice, "c": cycle }),
            )
            .await;
        let plan = r.data()["developmentPlan"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let item = r.data()["developmentPlan"]["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        step(
            &org.mgr,
            "recordImprovementOutcome",
            json!({ "planId": plan, "outcome": "SUCCESSFUL" }),
        )
        .await;
        return item;
    }
    let proposer = if matches!(state, ItemState::ProposedByManager) {
        &org.mgr
    } else {
        &org.alice
    };
    let id = step(
        proposer,
        "addDevelopmentItem",
        json!({ "employeeId": alice, "cycleId": cycle, "kind": "TRAINING", "title": "Course" }),
    )
    .await;
    let on = json!({ "itemId": id });
    match state {
        ItemState::Returned => {
            step(
                &org.mgr,
                "returnDevelopmentItem",
                json!({ "itemId": id, "reason": "r" }),
            )
            .await;
        }
        ItemState::Agreed | ItemState::Completed | ItemState::Confirmed => {
            app.gql(
                Some(&org.mgr),
                "mutation($i: AnswerDevelopmentItemInput!) { agreeDevelopmentItem(input: $i) { id } }",
                json!({ "i": on }),
            )
            .await
            .data();
            if !matches!(state, ItemState::Agreed) {
                step(
                    &org.alice,
                    "completeDevelopmentItem",
                    json!({ "itemId": id, "evidence": "e" }),
                )
                .await;
            }
            if matches!(state, ItemState::Confirmed) {
                app.gql(
                    Some(&org.mgr),
                    "mutation($i: AnswerDevelopmentItemInput!) { confirmDevelopmentItem(input: $i) { id } }",
                    json!({ "i": on }),
                )
                .await
                .data();
            }
        }
        _ => {}
    }
    id
}

/// `addDevelopmentItem` → `AddDevelopmentItem`.
fn upper(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_development_item_hint_answers_what_its_mutation_does() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let actions: [(&str, &str, &str, serde_json::Value); 5] = [
        (
            "update",
            "updateDevelopmentItem",
            "UpdateDevelopmentItemInput",
            json!({ "title": "New" }),
        ),
        (
            "agree",
            "agreeDevelopmentItem",
            "AnswerDevelopmentItemInput",
            json!({}),
        ),
        (
            "return",
            "returnDevelopmentItem",
            "ReturnDevelopmentItemInput",
            json!({ "reason": "r" }),
        ),
        (
            "complete",
            "completeDevelopmentItem",
            "CompleteDevelopmentItemInput",
            json!({ "evidence": "e" }),
        ),
        (
            "confirm",
            "confirmDevelopmentItem",
            "AnswerDevelopmentItemInput",
            json!({}),
        ),
    ];
    let hints = "query($id: ID!) { developmentItem(id: $id) { status viewerCan { update agree return complete confirm } } }";
    let mut allowed = 0;
    for state in [
        ItemState::ProposedByEmployee,
        ItemState::ProposedByManager,
        ItemState::Returned,
        ItemState::Agreed,
        ItemState::Completed,
        ItemState::Confirmed,
        ItemState::OnClosedPlan,
    ] {
        let shared = item_in(&app, &org, &cycle, state).await;
        for (who, token) in [
            ("alice", &org.alice),
            ("mgr", &org.mgr),
            ("ceo", &org.ceo),
            ("hr", &org.hr),
            ("bob", &org.bob),
            ("lead", &org.lead),
        ] {
            let r = app.gql(Some(token), hints, json!({ "id": shared })).await;
            let readable = r.body["errors"].is_null();
            let status = r.body["data"]["developmentItem"]["status"].clone();
            for (hint, mutation, input_type, values) in &actions {
                let can = readable && r.data()["developmentItem"]["viewerCan"][hint] == true;
                let target = if can {
                    item_in(&app, &org, &cycle, state).await
                } else {
                    shared.clone()
                };
                let mut input = values.clone();
                input["itemId"] = json!(target);
                let attempt = app
                    .gql(
                        Some(token),
                        &format!(
                            "mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ status }} }}"
                        ),
                        json!({ "i": input }),
                    )
                    .await;
                let code = attempt.body["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or("none");
                if can {
                    allowed += 1;
                    assert_eq!(code, "none", "{state:?} {who} {hint}: {}", attempt.body);
                } else {
                    assert!(
                        ["FORBIDDEN", "NOT_FOUND", "CONFLICT"].contains(&code),
                        "{state:?} {who} {hint} was hinted false: {}",
                        attempt.body
                    );
                    if readable {
                        let after = app.gql(Some(&org.hr), hints, json!({ "id": shared })).await;
                        assert_eq!(
                            after.data()["developmentItem"]["status"],
                            status,
                            "{state:?} {who} {hint}"
                        );
                    }
                }
            }
        }
    }
    // Proposed by Alice: she updates, Mia, Cleo and HR agree or return (7); proposed by Mia:
    // she updates, Alice agrees or returns (3); returned: Alice updates (1); agreed: Alice
    // completes (1); completed: Mia, Cleo and HR confirm or return (6); confirmed, or on a
    // closed plan: nothing.
    assert_eq!(allowed, 18);
}
