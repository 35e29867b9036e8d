//! HR edits the org chart through the API (hire, change, move with the subtree, mark as left),
//! every edit is audited, and HR reads the audit log.

use perfcycle_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

const CREATE: &str = "mutation($i: CreateEmployeeInput!) { createEmployee(input: $i) { id email manager { email } department { name } role timezone active } }";
const UPDATE: &str = "mutation($i: UpdateEmployeeInput!) { updateEmployee(input: $i) { id title department { name } role timezone email } }";
const MOVE: &str = "mutation($id: ID!, $m: ID) { moveEmployee(input: { id: $id, managerId: $m }) { id manager { email } } }";
const DEACTIVATE: &str =
    "mutation($id: ID!) { deactivateEmployee(input: { id: $id }) { id active } }";
const AUDIT: &str = "query($f: AuditFilter, $first: Int, $after: String) { auditLog(first: $first, after: $after, filter: $f) {
    totalCount pageInfo { hasNextPage endCursor } nodes { action entity entityId actor { email } before after at } } }";

async fn id_of(app: &TestApp, email: &str) -> String {
    app.employee(email).await.id.to_string()
}

async fn engineering(app: &TestApp, hr: &str) -> Value {
    let r = app
        .gql(Some(hr), "{ departments { id name } }", json!({}))
        .await;
    r.data()["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Engineering")
        .unwrap()["id"]
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn hr_hires_changes_and_refuses_bad_input_field_by_field() {
    let app = spawn_app().await;
    let org = app.org().await;
    let mgr = id_of(&app, "mgr@t.io").await;
    let eng = engineering(&app, &org.hr).await;
    let hire = json!({ "email": " New.Person@T.io ", "name": "Nia New", "title": "Engineer",
        "departmentId": eng, "managerId": mgr, "hiredOn": "2027-03-01", "timezone": "Europe/Lisbon" });
    let r = app.gql(Some(&org.hr), CREATE, json!({ "i": hire })).await;
    let nia = r.data()["createEmployee"].clone();
    assert_eq!(nia["email"], "new.person@t.io");
    assert_eq!(nia["manager"]["email"], "mgr@t.io");
    assert_eq!(nia["department"]["name"], "Engineering");
    assert_eq!(nia["role"], "EMPLOYEE");
    assert_eq!(nia["active"], true);
    // She can sign in, and her manager sees her among his reports.
    let token = app.token("new.person@t.io").await;
    let r = app
        .gql(Some(&token), "{ me { manager { email } } }", json!({}))
        .await;
    assert_eq!(r.data()["me"]["manager"]["email"], "mgr@t.io");
    let r = app
        .gql(
            Some(&org.mgr),
            "{ me { reports(first: 10) { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["me"]["reports"]["totalCount"], 4);

    let with = |change: Value| {
        let mut input = hire.clone();
        input["email"] = json!("other.new@t.io");
        for (k, v) in change.as_object().unwrap() {
            input[k] = v.clone();
        }
        json!({ "i": input })
    };
    let nobody = uuid::Uuid::new_v4().to_string();
    for (change, field) in [
        (json!({ "email": "new.person@t.io" }), "email"),
        (json!({ "email": "not-an-address" }), "email"),
        (json!({ "name": "  " }), "name"),
        (json!({ "title": "x".repeat(201) }), "title"),
        (json!({ "timezone": "Mars/Olympus" }), "timezone"),
        (json!({ "departmentId": nobody }), "departmentId"),
        (json!({ "managerId": nobody }), "managerId"),
        (json!({ "managerId": "nope" }), "managerId"),
    ] {
        app.gql(Some(&org.hr), CREATE, with(change))
            .await
            .assert_error("BAD_USER_INPUT", Some(field));
    }
    assert_eq!(app.count("employee").await, 10, "nothing was added");

    // Changes: title, out of the department, a new timezone; omitted fields stay.
    let id = nia["id"].clone();
    let r = app
        .gql(
            Some(&org.hr),
            UPDATE,
            json!({ "i": { "id": id, "title": "Staff Engineer", "departmentId": null, "timezone": "Asia/Tokyo" } }),
        )
        .await;
    let changed = &r.data()["updateEmployee"];
    assert_eq!(changed["title"], "Staff Engineer");
    assert_eq!(changed["department"], Value::Null);
    assert_eq!(changed["timezone"], "Asia/Tokyo");
    assert_eq!(changed["email"], "new.person@t.io");
    app.gql(
        Some(&org.hr),
        UPDATE,
        json!({ "i": { "id": id, "email": "alice@t.io" } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("email"));
    // HR cannot take its own rights away.
    let hr = id_of(&app, "hr@t.io").await;
    app.gql(
        Some(&org.hr),
        UPDATE,
        json!({ "i": { "id": hr, "role": "EMPLOYEE" } }),
    )
    .await
    .assert_error("CONFLICT", None);

    // Nobody else may touch the org chart.
    for token in [&org.mgr, &org.ceo, &org.alice] {
        app.gql(Some(token), CREATE, with(json!({})))
            .await
            .assert_error("FORBIDDEN", None);
        app.gql(
            Some(token),
            UPDATE,
            json!({ "i": { "id": id, "title": "Mine" } }),
        )
        .await
        .assert_error("FORBIDDEN", None);
        app.gql(Some(token), MOVE, json!({ "id": id, "m": null }))
            .await
            .assert_error("FORBIDDEN", None);
        app.gql(Some(token), DEACTIVATE, json!({ "id": id }))
            .await
            .assert_error("FORBIDDEN", None);
    }
    app.gql(None, CREATE, with(json!({})))
        .await
        .assert_error("UNAUTHENTICATED", None);
    let r = app
        .gql(
            Some(&org.hr),
            "query($id: ID!) { employee(id: $id) { title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.data()["employee"]["title"], "Staff Engineer");
}

#[tokio::test(flavor = "multi_thread")]
async fn moving_a_manager_moves_their_subtree_and_what_it_lets_people_see() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let daves = app.goal_id(&org.dave, &cycle, json!({})).await;
    let goal = |token: &str| {
        let token = token.to_owned();
        let daves = daves.clone();
        let app = &app;
        async move {
            app.gql(
                Some(&token),
                "query($id: ID!) { goal(id: $id) { id } }",
                json!({ "id": daves }),
            )
            .await
        }
    };
    goal(&org.mgr).await.data();
    goal(&org.other).await.assert_error("NOT_FOUND", None);

    // Lea (with Dave) moves from Mia to Otto.
    let (lead, other, mgr, dave) = (
        id_of(&app, "lead@t.io").await,
        id_of(&app, "other@t.io").await,
        id_of(&app, "mgr@t.io").await,
        id_of(&app, "dave@t.io").await,
    );
    let r = app
        .gql(Some(&org.hr), MOVE, json!({ "id": lead, "m": other }))
        .await;
    assert_eq!(r.data()["moveEmployee"]["manager"]["email"], "other@t.io");
    goal(&org.other).await.data();
    goal(&org.mgr).await.assert_error("NOT_FOUND", None);
    goal(&org.lead).await.data();
    let r = app
        .gql(
            Some(&org.other),
            "query($m: ID!) { teamCheckIns(managerId: $m, scope: SUBTREE) { counts { people } } }",
            json!({ "m": other }),
        )
        .await;
    assert_eq!(
        r.data()["teamCheckIns"]["counts"]["people"],
        3,
        "Carol, Lea, Dave"
    );

    // A loop is refused: Lea under Dave, who reports to her, or under herself.
    app.gql(Some(&org.hr), MOVE, json!({ "id": lead, "m": dave }))
        .await
        .assert_error("BAD_USER_INPUT", Some("managerId"));
    app.gql(Some(&org.hr), MOVE, json!({ "id": lead, "m": lead }))
        .await
        .assert_error("BAD_USER_INPUT", Some("managerId"));
    // To the top and back.
    let r = app
        .gql(Some(&org.hr), MOVE, json!({ "id": lead, "m": null }))
        .await;
    assert_eq!(r.data()["moveEmployee"]["manager"], Value::Null);
    goal(&org.other).await.assert_error("NOT_FOUND", None);
    app.gql(Some(&org.hr), MOVE, json!({ "id": lead, "m": mgr }))
        .await
        .data();
    goal(&org.mgr).await.data();
    goal(&org.ceo).await.data();

    // Leaving: not while someone still reports to you; never yourself.
    app.gql(Some(&org.hr), DEACTIVATE, json!({ "id": lead }))
        .await
        .assert_error("CONFLICT", None);
    let hr = id_of(&app, "hr@t.io").await;
    app.gql(Some(&org.hr), DEACTIVATE, json!({ "id": hr }))
        .await
        .assert_error("CONFLICT", None);
    let r = app
        .gql(Some(&org.hr), DEACTIVATE, json!({ "id": dave }))
        .await;
    assert_eq!(r.data()["deactivateEmployee"]["active"], false);
    app.gql(Some(&org.dave), "{ me { id } }", json!({}))
        .await
        .assert_error("UNAUTHENTICATED", None);
    // Someone who left is nobody's new manager, and is not moved.
    app.gql(Some(&org.hr), MOVE, json!({ "id": lead, "m": dave }))
        .await
        .assert_error("BAD_USER_INPUT", Some("managerId"));
    app.gql(Some(&org.hr), MOVE, json!({ "id": dave, "m": mgr }))
        .await
        .assert_error("CONFLICT", None);
    // Now Lea may leave.
    app.gql(Some(&org.hr), DEACTIVATE, json!({ "id": lead }))
        .await
        .data();

    // Every step is in the audit log, newest first, with who did it.
    let r = app
        .gql(
            Some(&org.hr),
            AUDIT,
            json!({ "f": { "entityId": lead }, "first": 10 }),
        )
        .await;
    let log = &r.data()["auditLog"];
    let actions: Vec<&str> = log["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "employee.deactivate",
            "employee.move",
            "employee.move",
            "employee.move",
            "employee.import_create"
        ]
    );
    assert_eq!(log["nodes"][0]["actor"]["email"], "hr@t.io");
    assert_eq!(log["nodes"][0]["before"]["active"], true);
    assert_eq!(log["nodes"][0]["after"]["active"], false);
    assert_eq!(log["nodes"][3]["after"]["managerId"], other.as_str());
    assert_eq!(log["nodes"][4]["actor"], Value::Null, "the import");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_is_hrs_filtered_and_paged() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    app.agreed_goal(&org.alice, &org.mgr, &cycle, json!({ "weight": 100 }))
        .await;
    let mgr = id_of(&app, "mgr@t.io").await;
    let count = |filter: Value| {
        let app = &app;
        let hr = org.hr.clone();
        async move {
            let r = app
                .gql(Some(&hr), AUDIT, json!({ "f": filter, "first": 1 }))
                .await;
            r.data()["auditLog"]["totalCount"].as_i64().unwrap()
        }
    };
    let goals = count(json!({ "entity": "goal" })).await;
    assert_eq!(goals, 3, "created, proposed, agreed");
    assert_eq!(count(json!({ "entity": "goal", "actorId": mgr })).await, 1);
    assert_eq!(
        count(json!({ "entity": "cycle" })).await,
        2,
        "created, advanced"
    );
    assert!(count(json!({})).await >= 14, "the import too");
    assert_eq!(
        count(json!({ "from": "2027-03-01T12:00:00Z", "until": "2027-03-01T12:00:01Z", "entity": "goal" })).await,
        3,
        "the test clock stands still"
    );
    assert_eq!(count(json!({ "until": "2020-01-01T00:00:00Z" })).await, 0);
    // Pages, newest first.
    let r = app
        .gql(
            Some(&org.hr),
            AUDIT,
            json!({ "f": { "entity": "goal" }, "first": 2 }),
        )
        .await;
    let page = r.data()["auditLog"].clone();
    assert_eq!(page["nodes"][0]["action"], "goal.agree");
    let r = app
        .gql(
            Some(&org.hr),
            AUDIT,
            json!({ "f": { "entity": "goal" }, "first": 2, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(r.data()["auditLog"]["nodes"][0]["action"], "goal.create");
    assert_eq!(r.data()["auditLog"]["pageInfo"]["hasNextPage"], false);
    // Refusals.
    for token in [&org.mgr, &org.alice, &org.ceo] {
        let r = app.gql(Some(token), AUDIT, json!({})).await;
        r.assert_error("FORBIDDEN", None);
    }
    app.gql(
        Some(&org.hr),
        AUDIT,
        json!({ "f": { "from": "2027-03-02T00:00:00Z", "until": "2027-03-01T00:00:00Z" } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("filter.until"));
    app.gql(Some(&org.hr), AUDIT, json!({ "f": { "actorId": "nope" } }))
        .await
        .assert_error("BAD_USER_INPUT", Some("filter.actorId"));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_moves_at_once_cannot_make_a_loop() {
    let app = spawn_app().await;
    let org = app.org().await;
    let (mgr, other) = (
        id_of(&app, "mgr@t.io").await,
        id_of(&app, "other@t.io").await,
    );
    for _ in 0..3 {
        // Mia under Otto and Otto under Mia, at the same moment: one of them must lose.
        let (a, b) = tokio::join!(
            app.gql(Some(&org.hr), MOVE, json!({ "id": mgr, "m": other })),
            app.gql(Some(&org.hr), MOVE, json!({ "id": other, "m": mgr }))
        );
        let refused = [&a, &b]
            .iter()
            .filter(|r| r.body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT")
            .count();
        assert_eq!(refused, 1, "{} / {}", a.body, b.body);
        // Every path still agrees with the manager chain.
        let ceo = app.employee("ceo@t.io").await;
        for email in ["mgr@t.io", "other@t.io", "alice@t.io", "carol@t.io"] {
            let e = app.employee(email).await;
            assert!(e.path.starts_with(&ceo.path), "{email}: {}", e.path);
            let manager = app.employee_by_id(e.manager_id.unwrap()).await;
            assert!(
                e.path.starts_with(&manager.path),
                "{email} is not below its manager"
            );
        }
        // Back to where they were.
        let ceo_id = ceo.id.to_string();
        for id in [&mgr, &other] {
            app.gql(Some(&org.hr), MOVE, json!({ "id": id, "m": ceo_id }))
                .await
                .data();
        }
    }
}
