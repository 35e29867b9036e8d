//! Development plans: items with the goal verbs (the employee proposes, the manager agrees
//! or returns; the employee completes, the manager confirms), each kind's own fields,
//! stretch assignments' requirements in the gaps, and improvement plans seen by the
//! employee, their manager chain and HR only.

use perfcycle_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

const ADD: &str = "mutation($i: AddDevelopmentItemInput!) { addDevelopmentItem(input: $i) {
    id status kind proposedBy { email } agreedBy { email } } }";
const UPDATE: &str = "mutation($i: UpdateDevelopmentItemInput!) { updateDevelopmentItem(input: $i) { id status title } }";
const AGREE: &str = "mutation($i: AnswerDevelopmentItemInput!) { agreeDevelopmentItem(input: $i) { id status managerNotes agreedBy { email } } }";
const RETURN: &str = "mutation($i: ReturnDevelopmentItemInput!) { returnDevelopmentItem(input: $i) { id status returnReason } }";
const COMPLETE: &str = "mutation($i: CompleteDevelopmentItemInput!) { completeDevelopmentItem(input: $i) { id status evidence } }";
const CONFIRM: &str = "mutation($i: AnswerDevelopmentItemInput!) { confirmDevelopmentItem(input: $i) { id status confirmedBy { email } } }";
const PLAN: &str = "query($e: ID!, $c: ID!, $k: DevelopmentPlanKind) { developmentPlan(employeeId: $e, cycleId: $c, kind: $k) {
    id kind status objectives support outcome items { id kind status title dueOn } } }";
const ITEM: &str = "query($id: ID!) { developmentItem(id: $id) { id status } }";
const OPEN: &str = "mutation($i: OpenImprovementPlanInput!) { openImprovementPlan(input: $i) { id kind status items { kind status dueOn } } }";
const OUTCOME: &str =
    "mutation($i: RecordImprovementOutcomeInput!) { recordImprovementOutcome(input: $i) {
    id status outcome items { kind dueOn } } }";
const GAPS: &str = "query($e: ID) { skillGaps(employeeId: $e) { nodes { skill { name } expectedLevel source managerLevel gap unassessed } } }";

async fn id_of(app: &TestApp, email: &str) -> String {
    app.employee(email).await.id.to_string()
}

/// An item input for `employee` in `cycle` with `fields` merged in.
fn item(employee: &str, cycle: &str, fields: Value) -> Value {
    let mut i = json!({ "employeeId": employee, "cycleId": cycle });
    for (k, v) in fields.as_object().into_iter().flatten() {
        i[k] = v.clone();
    }
    json!({ "i": i })
}

async fn add(app: &TestApp, token: &str, input: Value) -> String {
    let r = app.gql(Some(token), ADD, input).await;
    r.data()["addDevelopmentItem"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no item: {:?}", r.data()))
        .to_owned()
}

async fn step(app: &TestApp, token: &str, mutation: &str, input: Value) -> perfcycle_tests::Gql {
    app.gql(Some(token), mutation, json!({ "i": input })).await
}

/// Someone's gap rows as `skillGaps` lists them: (skill, expected level, source, gap).
async fn gaps(
    app: &TestApp,
    token: &str,
    employee: &str,
) -> Vec<(String, i64, String, Option<i64>)> {
    let r = app.gql(Some(token), GAPS, json!({ "e": employee })).await;
    r.data()["skillGaps"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["skill"]["name"].as_str().unwrap().to_owned(),
                n["expectedLevel"].as_i64().unwrap(),
                n["source"].as_str().unwrap().to_owned(),
                n["gap"].as_i64(),
            )
        })
        .collect()
}

fn status(r: &perfcycle_tests::Gql, field: &str) -> String {
    r.data()[field]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn items_move_like_goals_and_each_side_keeps_to_its_verbs() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let alice = id_of(&app, "alice@t.io").await;
    let training = json!({
        "kind": "TRAINING", "title": "Rust in depth", "provider": "Acme", "hours": "12.5",
        "link": "https://acme.test/rust", "dueOn": "2027-04-30",
    });
    let r = app
        .gql(
            Some(&org.alice),
            ADD,
            item(&alice, &cycle, training.clone()),
        )
        .await;
    assert_eq!(r.data()["addDevelopmentItem"]["status"], "PROPOSED");
    assert_eq!(
        r.data()["addDevelopmentItem"]["proposedBy"]["email"],
        "alice@t.io"
    );
    let id = r.data()["addDevelopmentItem"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let on = |extra: Value| {
        let mut i = json!({ "itemId": id });
        for (k, v) in extra.as_object().into_iter().flatten() {
            i[k] = v.clone();
        }
        i
    };

    // Someone else's plan: not theirs to read, not theirs to move.
    app.gql(Some(&org.bob), PLAN, json!({ "e": alice, "c": cycle }))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.bob), ITEM, json!({ "id": id }))
        .await
        .assert_error("NOT_FOUND", None);
    step(&app, &org.bob, AGREE, on(json!({})))
        .await
        .assert_error("NOT_FOUND", None);
    step(&app, &org.other, AGREE, on(json!({})))
        .await
        .assert_error("NOT_FOUND", None);
    // The proposer does not agree to their own proposal.
    step(&app, &org.alice, AGREE, on(json!({})))
        .await
        .assert_error("FORBIDDEN", None);
    // Returned with a reason, changed by its proposer only, proposed again.
    step(&app, &org.mgr, RETURN, on(json!({ "reason": " " })))
        .await
        .assert_error("BAD_USER_INPUT", Some("reason"));
    let r = step(
        &app,
        &org.mgr,
        RETURN,
        on(json!({ "reason": "Take the advanced one" })),
    )
    .await;
    assert_eq!(status(&r, "returnDevelopmentItem"), "RETURNED");
    step(&app, &org.mgr, UPDATE, on(json!({ "title": "Mine now" })))
        .await
        .assert_error("FORBIDDEN", None);
    step(&app, &org.alice, COMPLETE, on(json!({ "evidence": "x" })))
        .await
        .assert_error("CONFLICT", None);
    step(&app, &org.alice, UPDATE, on(json!({ "hours": "0" })))
        .await
        .assert_error("BAD_USER_INPUT", Some("hours"));
    let r = step(
        &app,
        &org.alice,
        UPDATE,
        on(json!({ "title": "Advanced Rust" })),
    )
    .await;
    assert_eq!(status(&r, "updateDevelopmentItem"), "PROPOSED");
    assert_eq!(r.data()["updateDevelopmentItem"]["title"], "Advanced Rust");
    // Agreed by the manager (notes are the manager side's only).
    step(&app, &org.alice, CONFIRM, on(json!({})))
        .await
        .assert_error("FORBIDDEN", None);
    let r = step(
        &app,
        &org.mgr,
        AGREE,
        on(json!({ "managerNotes": "Good pick" })),
    )
    .await;
    assert_eq!(status(&r, "agreeDevelopmentItem"), "AGREED");
    assert_eq!(
        r.data()["agreeDevelopmentItem"]["managerNotes"],
        "Good pick"
    );
    step(&app, &org.mgr, AGREE, on(json!({})))
        .await
        .assert_error("CONFLICT", None);
    // Completed by the employee with evidence; a completion can be sent back.
    step(&app, &org.mgr, COMPLETE, on(json!({ "evidence": "seen" })))
        .await
        .assert_error("FORBIDDEN", None);
    step(&app, &org.alice, COMPLETE, on(json!({})))
        .await
        .assert_error("BAD_USER_INPUT", Some("evidence"));
    let r = step(
        &app,
        &org.alice,
        COMPLETE,
        on(json!({ "evidence": "https://acme.test/cert/1" })),
    )
    .await;
    assert_eq!(status(&r, "completeDevelopmentItem"), "COMPLETED");
    let r = step(
        &app,
        &org.mgr,
        RETURN,
        on(json!({ "reason": "The certificate is missing" })),
    )
    .await;
    assert_eq!(status(&r, "returnDevelopmentItem"), "AGREED");
    step(
        &app,
        &org.alice,
        COMPLETE,
        on(json!({ "evidence": "https://acme.test/cert/2" })),
    )
    .await;
    // Confirmed by a manager of the chain (the skip-level one here), once.
    step(&app, &org.alice, CONFIRM, on(json!({})))
        .await
        .assert_error("FORBIDDEN", None);
    step(&app, &org.bob, CONFIRM, on(json!({})))
        .await
        .assert_error("NOT_FOUND", None);
    let r = step(&app, &org.ceo, CONFIRM, on(json!({}))).await;
    assert_eq!(status(&r, "confirmDevelopmentItem"), "CONFIRMED");
    assert_eq!(
        r.data()["confirmDevelopmentItem"]["confirmedBy"]["email"],
        "ceo@t.io"
    );
    step(&app, &org.mgr, CONFIRM, on(json!({})))
        .await
        .assert_error("CONFLICT", None);

    // A manager proposes to the employee: the employee answers, not the manager.
    let lead = id_of(&app, "lead@t.io").await;
    let mentoring = add(
        &app,
        &org.mgr,
        item(&alice, &cycle, json!({ "kind": "MENTORING", "title": "Pair with Lea", "mentorId": lead, "cadence": "BIWEEKLY" })),
    )
    .await;
    step(&app, &org.mgr, AGREE, json!({ "itemId": mentoring }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = step(&app, &org.alice, AGREE, json!({ "itemId": mentoring })).await;
    assert_eq!(status(&r, "agreeDevelopmentItem"), "AGREED");
    step(
        &app,
        &org.alice,
        AGREE,
        json!({ "itemId": mentoring, "managerNotes": "x" }),
    )
    .await
    .assert_error("CONFLICT", None);

    // One plan holds both, in order; the other side heard of each move by e-mail.
    let r = app
        .gql(Some(&org.mgr), PLAN, json!({ "e": alice, "c": cycle }))
        .await;
    let plan = &r.data()["developmentPlan"];
    assert_eq!(plan["kind"], "DEVELOPMENT");
    let kinds: Vec<&str> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["TRAINING", "MENTORING"]);
    assert_eq!(
        app.count(
            "email_outbox WHERE template = 'development_item' AND recipient_email = 'mgr@t.io'"
        )
        .await,
        5
    );
    assert!(
        app.count(
            "email_outbox WHERE template = 'development_item' AND recipient_email = 'alice@t.io'"
        )
        .await
            >= 5
    );
    assert_eq!(app.count("development_plan").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn each_kind_takes_its_own_fields_and_refuses_the_rest() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let (alice, lead) = (
        id_of(&app, "alice@t.io").await,
        id_of(&app, "lead@t.io").await,
    );
    let nobody = uuid::Uuid::new_v4().to_string();
    for (fields, field) in [
        (json!({ "kind": "TRAINING", "title": " " }), "title"),
        (
            json!({ "kind": "TRAINING", "title": "t", "hours": "0" }),
            "hours",
        ),
        (
            json!({ "kind": "TRAINING", "title": "t", "hours": "1001" }),
            "hours",
        ),
        (
            json!({ "kind": "TRAINING", "title": "t", "link": "ftp://acme.test" }),
            "link",
        ),
        (
            json!({ "kind": "TRAINING", "title": "t", "dueOn": "2027-01-10" }),
            "dueOn",
        ),
        (
            json!({ "kind": "TRAINING", "title": "t", "mentorId": lead }),
            "mentorId",
        ),
        (
            json!({ "kind": "MENTORING", "title": "t", "cadence": "WEEKLY" }),
            "mentorId",
        ),
        (
            json!({ "kind": "MENTORING", "title": "t", "mentorId": lead }),
            "cadence",
        ),
        (
            json!({ "kind": "MENTORING", "title": "t", "mentorId": alice, "cadence": "WEEKLY" }),
            "mentorId",
        ),
        (
            json!({ "kind": "MENTORING", "title": "t", "mentorId": nobody, "cadence": "WEEKLY" }),
            "mentorId",
        ),
        (
            json!({ "kind": "MENTORING", "title": "t", "mentorId": lead, "cadence": "WEEKLY", "provider": "x" }),
            "provider",
        ),
        (
            json!({ "kind": "CAREER_CONVERSATION", "title": "t", "cadence": "WEEKLY" }),
            "cadence",
        ),
        (
            json!({ "kind": "STRETCH_ASSIGNMENT", "title": "t", "description": "Lead it" }),
            "requiredSkills",
        ),
        (
            json!({ "kind": "STRETCH_ASSIGNMENT", "title": "t", "requiredSkills": [{ "skillId": nobody, "targetLevel": 3 }] }),
            "description",
        ),
        (
            json!({ "kind": "STRETCH_ASSIGNMENT", "title": "t", "description": "d", "requiredSkills": [{ "skillId": nobody, "targetLevel": 3 }] }),
            "requiredSkills[0].skillId",
        ),
        (
            json!({ "kind": "STRETCH_ASSIGNMENT", "title": "t", "description": "d", "requiredSkills": [{ "skillId": nobody, "targetLevel": 6 }] }),
            "requiredSkills[0].targetLevel",
        ),
        (
            json!({ "kind": "STRETCH_ASSIGNMENT", "title": "t", "description": "d", "goalId": nobody, "requiredSkills": [{ "skillId": nobody, "targetLevel": 3 }] }),
            "goalId",
        ),
        (
            json!({ "kind": "CHECK", "title": "t", "dueOn": "2027-04-01" }),
            "kind",
        ),
        (json!({ "kind": "CHECK", "title": "t" }), "dueOn"),
    ] {
        let r = app
            .gql(Some(&org.alice), ADD, item(&alice, &cycle, fields.clone()))
            .await;
        r.assert_error("BAD_USER_INPUT", Some(field));
    }
    // Someone else's plan, an improvement plan that is not open, a cycle that does not exist.
    let bob = id_of(&app, "bob@t.io").await;
    let ok = json!({ "kind": "TRAINING", "title": "t" });
    app.gql(Some(&org.alice), ADD, item(&bob, &cycle, ok.clone()))
        .await
        .assert_error("FORBIDDEN", None);
    let mut improvement = ok.clone();
    improvement["plan"] = json!("IMPROVEMENT");
    app.gql(
        Some(&org.alice),
        ADD,
        item(&alice, &cycle, improvement.clone()),
    )
    .await
    .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.mgr), ADD, item(&alice, &cycle, improvement))
        .await
        .assert_error("CONFLICT", None);
    app.gql(Some(&org.alice), ADD, item(&alice, &nobody, ok))
        .await
        .assert_error("NOT_FOUND", None);
    assert_eq!(
        app.count("development_item").await,
        0,
        "nothing was written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_stretch_assignment_raises_the_expected_level_and_confirming_leaves_levels_alone()
{
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let alice = id_of(&app, "alice@t.io").await;
    let levels = json!(["Aware", "Practising", "Independent", "Leading", "Shaping"]);
    let mut skills = Vec::new();
    for name in ["Rust", "Go"] {
        let r = app
            .gql(
                Some(&org.hr),
                "mutation($i: CreateSkillInput!) { createSkill(input: $i) { id } }",
                json!({ "i": { "name": name, "group": "technical", "levels": levels } }),
            )
            .await;
        skills.push(r.data()["createSkill"]["id"].as_str().unwrap().to_owned());
    }
    let (rust, go) = (&skills[0], &skills[1]);
    let r = app
        .gql(
            Some(&org.hr),
            "mutation($i: SetJobProfileInput!) { setJobProfile(input: $i) { id } }",
            json!({ "i": { "name": "Backend", "skills": [{ "skillId": rust, "expectedLevel": 3 }] } }),
        )
        .await;
    let profile = r.data()["setJobProfile"]["id"].clone();
    app.gql(
        Some(&org.hr),
        "mutation($id: ID!, $p: ID) { updateEmployee(input: { id: $id, jobProfileId: $p }) { id } }",
        json!({ "id": alice, "p": profile }),
    )
    .await;
    app.gql(
        Some(&org.mgr),
        "mutation($i: AssessSkillInput!) { assessSkill(input: $i) { level } }",
        json!({ "i": { "employeeId": alice, "skillId": rust, "kind": "MANAGER", "level": 2 } }),
    )
    .await;
    let profile_only = vec![("Rust".to_owned(), 3, "PROFILE".to_owned(), Some(1))];
    assert_eq!(gaps(&app, &org.mgr, &alice).await, profile_only);
    let stretch = add(
        &app,
        &org.alice,
        item(
            &alice,
            &cycle,
            json!({
                "kind": "STRETCH_ASSIGNMENT", "title": "Lead the payments rewrite",
                "description": "Own the design and the rollout",
                "mentorId": id_of(&app, "lead@t.io").await,
                "requiredSkills": [{ "skillId": rust, "targetLevel": 5 }, { "skillId": go, "targetLevel": 4 }],
            }),
        ),
    )
    .await;
    // Proposed is not yet asked of anyone.
    assert_eq!(gaps(&app, &org.mgr, &alice).await, profile_only);
    let r = step(&app, &org.mgr, AGREE, json!({ "itemId": stretch })).await;
    assert_eq!(status(&r, "agreeDevelopmentItem"), "AGREED");
    // Agreed: Rust is asked above the profile; Go, never assessed, is unassessed (not zero).
    assert_eq!(
        gaps(&app, &org.alice, &alice).await,
        vec![
            (
                "Rust".to_owned(),
                5,
                "STRETCH_ASSIGNMENT".to_owned(),
                Some(3)
            ),
            ("Go".to_owned(), 4, "STRETCH_ASSIGNMENT".to_owned(), None),
        ]
    );
    step(
        &app,
        &org.alice,
        COMPLETE,
        json!({ "itemId": stretch, "evidence": "Shipped" }),
    )
    .await;
    step(&app, &org.mgr, CONFIRM, json!({ "itemId": stretch })).await;
    // Confirmed: back to the profile; the assessed level did not move by itself.
    assert_eq!(gaps(&app, &org.mgr, &alice).await, profile_only);
    assert_eq!(app.count("skill_assessment").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_improvement_plan_is_seen_by_the_employee_their_manager_chain_and_hr_only() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let alice = id_of(&app, "alice@t.io").await;
    let open = json!({
        "employeeId": alice, "cycleId": cycle, "objectives": "Ship reviews within two days",
        "support": "Weekly pairing with Lea", "checkDates": ["2027-04-15", "2027-03-31"],
    });
    // Not the employee, not a peer, not a manager of another branch.
    for token in [&org.alice, &org.bob, &org.other, &org.lead] {
        step(&app, token, OPEN, open.clone())
            .await
            .assert_error("FORBIDDEN", None);
    }
    let mut bad = open.clone();
    bad["checkDates"] = json!([]);
    step(&app, &org.mgr, OPEN, bad.clone())
        .await
        .assert_error("BAD_USER_INPUT", Some("checkDates"));
    bad["checkDates"] = json!(["2027-01-02"]);
    step(&app, &org.mgr, OPEN, bad.clone())
        .await
        .assert_error("BAD_USER_INPUT", Some("checkDates[0]"));
    bad = open.clone();
    bad["objectives"] = json!("");
    step(&app, &org.mgr, OPEN, bad)
        .await
        .assert_error("BAD_USER_INPUT", Some("objectives"));
    let r = step(&app, &org.mgr, OPEN, open.clone()).await;
    let plan = r.data()["openImprovementPlan"].clone();
    assert_eq!(plan["kind"], "IMPROVEMENT");
    let checks: Vec<&str> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["dueOn"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["2027-03-31", "2027-04-15"], "check dates in order");
    assert!(
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == "CHECK" && i["status"] == "AGREED")
    );
    step(&app, &org.hr, OPEN, open)
        .await
        .assert_error("CONFLICT", None);
    let plan_id = plan["id"].as_str().unwrap().to_owned();
    let vars = json!({ "e": alice, "c": cycle, "k": "IMPROVEMENT" });
    // Read: the employee, their manager, the manager's manager, HR.
    for token in [&org.alice, &org.mgr, &org.ceo, &org.hr] {
        let r = app.gql(Some(token), PLAN, vars.clone()).await;
        assert_eq!(r.data()["developmentPlan"]["id"], plan_id.as_str());
        assert_eq!(
            r.data()["developmentPlan"]["objectives"],
            "Ship reviews within two days"
        );
    }
    // Nobody else: peers, a report of the manager's, managers elsewhere.
    let check_id = app
        .gql(Some(&org.mgr), PLAN, vars.clone())
        .await
        .data()["developmentPlan"]["items"][0]["id"]
        .clone();
    for token in [&org.bob, &org.lead, &org.dave, &org.other, &org.carol] {
        app.gql(Some(token), PLAN, vars.clone())
            .await
            .assert_error("FORBIDDEN", None);
        app.gql(Some(token), ITEM, json!({ "id": check_id }))
            .await
            .assert_error("NOT_FOUND", None);
        step(
            &app,
            token,
            OUTCOME,
            json!({ "planId": plan_id, "outcome": "SUCCESSFUL" }),
        )
        .await
        .assert_error("NOT_FOUND", None);
    }
    // The employee reads it but does not decide its outcome.
    step(
        &app,
        &org.alice,
        OUTCOME,
        json!({ "planId": plan_id, "outcome": "SUCCESSFUL" }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    step(
        &app,
        &org.mgr,
        OUTCOME,
        json!({ "planId": plan_id, "outcome": "EXTENDED" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("nextCheckOn"));
    step(
        &app,
        &org.mgr,
        OUTCOME,
        json!({ "planId": plan_id, "outcome": "SUCCESSFUL", "nextCheckOn": "2027-05-01" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("nextCheckOn"));
    let r = step(
        &app,
        &org.mgr,
        OUTCOME,
        json!({ "planId": plan_id, "outcome": "EXTENDED", "nextCheckOn": "2027-05-15" }),
    )
    .await;
    assert_eq!(r.data()["recordImprovementOutcome"]["status"], "OPEN");
    assert_eq!(
        r.data()["recordImprovementOutcome"]["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let r = step(
        &app,
        &org.hr,
        OUTCOME,
        json!({ "planId": plan_id, "outcome": "SUCCESSFUL", "note": "Met" }),
    )
    .await;
    assert_eq!(r.data()["recordImprovementOutcome"]["status"], "CLOSED");
    assert_eq!(
        r.data()["recordImprovementOutcome"]["outcome"],
        "SUCCESSFUL"
    );
    step(
        &app,
        &org.mgr,
        OUTCOME,
        json!({ "planId": plan_id, "outcome": "UNSUCCESSFUL" }),
    )
    .await
    .assert_error("CONFLICT", None);
    // A development plan is not an improvement plan.
    let dev = add(
        &app,
        &org.alice,
        item(&alice, &cycle, json!({ "kind": "TRAINING", "title": "t" })),
    )
    .await;
    let dev_plan = app
        .gql(Some(&org.alice), PLAN, json!({ "e": alice, "c": cycle }))
        .await
        .data()["developmentPlan"]["id"]
        .clone();
    assert!(!dev.is_empty());
    step(
        &app,
        &org.mgr,
        OUTCOME,
        json!({ "planId": dev_plan, "outcome": "SUCCESSFUL" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("planId"));
    // Every step is audited, and the employee heard of each.
    assert_eq!(
        app.count("audit_log WHERE action = 'improvement_plan.open'")
            .await,
        1
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'improvement_plan.outcome'")
            .await,
        2
    );
    assert_eq!(
        app.count(
            "email_outbox WHERE template = 'improvement_plan' AND recipient_email = 'alice@t.io'"
        )
        .await,
        3
    );
}
