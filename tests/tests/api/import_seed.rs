//! Importing the org chart and seeding, on whichever backend this run uses.

use domain::import::ImportError;
use perfcycle_tests::spawn_app;
use serde_json::json;

const HEADER: &str = "email,name,title,department,manager_email,role,hired_on,timezone\n";

async fn import(
    app: &perfcycle_tests::TestApp,
    rows: &str,
) -> Result<domain::import::ImportReport, ImportError> {
    domain::import::employees(&app.ctx, format!("{HEADER}{rows}").as_bytes()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_row_imports_nothing_and_is_reported_by_line_and_column() {
    let app = spawn_app().await;
    let r = import(
        &app,
        "a@t.io,Ann,CEO,Exec,,,2020-01-01,UTC\nb@t.io,Ben,Eng,Eng,a@t.io,,2020-01-01,Moon/Base\n",
    )
    .await;
    match r {
        Err(ImportError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!((errors[0].line, errors[0].column.as_str()), (3, "timezone"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(app.count("employee").await, 0);
    assert_eq!(app.count("department").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_loop_or_an_unknown_manager_is_refused() {
    let app = spawn_app().await;
    let r = import(&app, "a@t.io,A,,,c@t.io,,2020-01-01,\nb@t.io,B,,,a@t.io,,2020-01-01,\nc@t.io,C,,,b@t.io,,2020-01-01,\n").await;
    match r {
        Err(ImportError::Invalid(errors)) => {
            assert!(errors[0].message.contains("loop"), "{errors:?}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let r = import(&app, "a@t.io,A,,,nobody@t.io,,2020-01-01,\n").await;
    match r {
        Err(ImportError::Invalid(errors)) => assert_eq!(
            (errors[0].line, errors[0].column.as_str()),
            (2, "manager_email")
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(app.count("employee").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn reimporting_upserts_by_email_and_moves_whole_subtrees() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let daves = app.goal_id(&org.dave, &cycle, json!({})).await;
    let read = "query($id: ID!) { goal(id: $id) { id } }";
    app.gql(Some(&org.other), read, json!({ "id": daves }))
        .await
        .assert_error("NOT_FOUND", None);
    // Mia (and everyone below her) now reports to Otto; Bob changes title; a new hire joins.
    let report = import(
        &app,
        "mgr@t.io,Mia Manager,Engineering Manager,Engineering,other@t.io,,2017-01-01,Europe/Berlin\n\
         bob@t.io,Bob Baker,Senior Engineer,Engineering,mgr@t.io,,2019-01-01,Asia/Kolkata\n\
         new@t.io,Nia New,Engineer,Platform,lead@t.io,,2027-02-01,UTC\n\
         alice@t.io,Alice Able,Engineer,Engineering,mgr@t.io,,2018-01-01,America/New_York\n",
    )
    .await
    .unwrap();
    assert_eq!(
        (
            report.created,
            report.updated,
            report.unchanged,
            report.departments_created
        ),
        (1, 2, 1, 1)
    );
    app.gql(Some(&org.other), read, json!({ "id": daves }))
        .await
        .data();
    let r = app.gql(Some(&org.bob), "{ me { title } }", json!({})).await;
    assert_eq!(r.data()["me"]["title"], "Senior Engineer");
    assert_eq!(app.count("employee").await, 10);
    assert_eq!(
        app.count("audit_log WHERE action = 'employee.import_update'")
            .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_organisation_is_believable_and_seeding_twice_changes_nothing() {
    let app = spawn_app().await;
    let people = domain::seed::demo(&app.ctx).await.unwrap();
    assert!(people.created);
    let employees = app.count("employee").await;
    assert!((55..=65).contains(&employees), "{employees} employees");
    let hr = app.token(&people.hr_email).await;
    let r = app
        .gql(Some(&hr), "query($c: ID!) { cycle(id: $c) { phase } alignmentTree(cycleId: $c) { depth goal { level progress } } me { role } }", json!({ "c": people.cycle_id.to_string() }))
        .await;
    let data = r.data();
    assert_eq!(data["cycle"]["phase"], "ACTIVE");
    assert_eq!(data["me"]["role"], "HR_ADMIN");
    let nodes = data["alignmentTree"].as_array().cloned().unwrap();
    let deepest = nodes
        .iter()
        .filter_map(|n| n["depth"].as_u64())
        .max()
        .unwrap_or(0);
    assert!(
        deepest >= 3,
        "company → VP → manager → individual goals, got depth {deepest}"
    );
    assert!(nodes.iter().any(|n| n["goal"]["level"] == "COMPANY"));
    // The manager and the employee it names can sign in and see each other's work.
    let mgr = app.token(&people.manager_email).await;
    let r = app
        .gql(
            Some(&mgr),
            "{ me { reports { email goals { status } } } }",
            json!({}),
        )
        .await;
    let reports = r.data()["me"]["reports"].as_array().cloned().unwrap();
    assert!(
        reports
            .iter()
            .any(|e| e["email"] == people.employee_email.as_str())
    );
    let again = domain::seed::demo(&app.ctx).await.unwrap();
    assert!(!again.created);
    assert_eq!(app.count("employee").await, employees);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generated_organisation_is_a_proper_tree() {
    let app = spawn_app().await;
    let made = domain::seed::generate(&app.ctx, 1500).await.unwrap();
    assert_eq!(app.count("employee").await, 1500);
    let head = app.employee(&made.head_email).await;
    let token = app.token(&made.hr_email).await;
    let r = app
        .gql(
            Some(&token),
            "query($m: ID!) { employees(filter: {managerId: $m}) { totalCount } me { role } }",
            json!({ "m": head.id.to_string() }),
        )
        .await;
    assert_eq!(r.data()["employees"]["totalCount"], 8);
    assert_eq!(r.data()["me"]["role"], "HR_ADMIN");
    // Every path starts with the head's: one tree, no orphans.
    let outside = app
        .count(&format!("employee WHERE path NOT LIKE '{}%'", head.path))
        .await;
    assert_eq!(outside, 0);
}
