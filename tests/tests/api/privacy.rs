//! GDPR: HR's export of one person's data (`/exports/person.json`) and the erasure of
//! someone who has left (`erasePerson`). The erasure test reads every column of every table
//! afterwards: nothing about Carol survives anywhere, what she wrote about others does, and
//! her peer review is byte for byte what it was.

use perfcycle_tests::reviews::LAUNCH;
use perfcycle_tests::{Org, TestApp, at, backend, spawn_app};
use sea_orm::{EntityTrait, FromQueryResult, JsonValue, Statement};
use serde_json::{Value, json};

const ERASE: &str =
    "mutation($id: ID!) { erasePerson(employeeId: $id) { id name email title erasedAt active } }";
const GIVE: &str = "mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { id } }";

/// Texts about Carol: none may survive her erasure, in any table.
const ABOUT_CAROL: &[&str] = &[
    "Carol",
    "Closer",
    "carol@t.io",
    "Account Executive",
    "Quokka pipeline",
    "Closed the Quokka deal",
    "Lost the Emu renewal",
    "Carol's demo was superb",
    "learned Quechua",
    "sharpen her forecasting",
];

/// Texts Carol wrote about others: they stay with those people's records.
const BY_CAROL: &[&str] = &["Wombat runbook", "Numbat churn", "Axolotl refactor"];

struct Story {
    org: Org,
    carol: String,
    peer_review: String,
}

/// The standard organisation, where Carol has a goal, a check-in, feedback both ways, a
/// self review, her manager's review, an upward review of Otto and a peer review of Bob;
/// then she leaves.
async fn carols_story(app: &TestApp) -> Story {
    let org = app.org().await;
    let carol = app.id_of("carol@t.io").await;
    let bob = app.id_of("bob@t.io").await;
    let cycle = app.active_cycle(&org.hr).await;
    let goal = app
        .agreed_goal(
            &org.carol,
            &org.other,
            &cycle,
            json!({ "weight": 100, "title": "Grow the Quokka pipeline" }),
        )
        .await;
    app.open_check_ins().await;
    let check_in = app.check_ins_of(&org.carol, "carol@t.io").await[0]["id"].clone();
    app.gql(
        Some(&org.carol),
        "mutation($i: SubmitCheckInInput!) { submitCheckIn(input: $i) { checkIn { status } } }",
        json!({ "i": { "id": check_in, "confidence": 4, "wins": "Closed the Quokka deal",
            "blockers": "Lost the Emu renewal", "nextSteps": "",
            "progress": [{ "keyResultId": goal.key_result_id, "value": "500" }] } }),
    )
    .await
    .data();
    app.gql(
        Some(&org.alice),
        GIVE,
        json!({ "i": { "recipientId": carol, "body": "Carol's demo was superb" } }),
    )
    .await
    .data();
    app.gql(
        Some(&org.carol),
        GIVE,
        json!({ "i": { "recipientId": bob, "body": "Your Wombat runbook saved the launch" } }),
    )
    .await
    .data();

    let (_, round) = app.prepared_round(&org.hr, &cycle, json!({})).await;
    app.gql(Some(&org.hr), LAUNCH, json!({ "r": round }))
        .await
        .data();
    app.run_jobs().await;
    app.clock.set(at("2027-11-20T10:00:00Z"));
    let (alice, lead) = (app.id_of("alice@t.io").await, app.id_of("lead@t.io").await);
    app.approve_peers(&org.mgr, &round, &bob, &[&carol, &alice, &lead])
        .await;
    for (token, kind, about, text) in [
        (
            &org.carol,
            "SELF",
            "carol@t.io",
            "I learned Quechua for the Lima deal",
        ),
        (
            &org.other,
            "MANAGER",
            "carol@t.io",
            "She should sharpen her forecasting",
        ),
        (
            &org.carol,
            "UPWARD",
            "other@t.io",
            "Otto kept us calm through the Numbat churn",
        ),
        (
            &org.carol,
            "PEER",
            "bob@t.io",
            "The Axolotl refactor was careful work",
        ),
    ] {
        let id = app.review_id(token, &round, kind, about).await;
        app.submit_review(token, &id, 4, Some(text), kind == "MANAGER")
            .await
            .data();
    }
    let peer_review = app.review_id(&org.carol, &round, "PEER", "bob@t.io").await;
    app.gql(
        Some(&org.hr),
        "mutation($id: ID!) { deactivateEmployee(input: { id: $id }) { active } }",
        json!({ "id": carol }),
    )
    .await
    .data();
    Story {
        org,
        carol,
        peer_review,
    }
}

/// Every row of every table, as (table, the row's JSON text).
async fn every_row(app: &TestApp) -> Vec<(String, String)> {
    let db = &app.ctx.db;
    let list = if backend() == "postgres" {
        "SELECT table_name AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    };
    let tables =
        JsonValue::find_by_statement(Statement::from_string(db.get_database_backend(), list))
            .all(db)
            .await
            .unwrap();
    assert!(tables.len() > 30, "{tables:?}");
    let mut rows = Vec::new();
    for t in tables {
        let name = t["name"].as_str().unwrap().to_owned();
        let all = JsonValue::find_by_statement(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT * FROM \"{name}\""),
        ))
        .all(db)
        .await
        .unwrap();
        rows.extend(all.into_iter().map(|r| (name.clone(), r.to_string())));
    }
    rows
}

/// The tables and rows that contain `text`, ignoring case.
fn holding<'a>(rows: &'a [(String, String)], text: &str) -> Vec<&'a (String, String)> {
    let text = text.to_lowercase();
    rows.iter()
        .filter(|(_, row)| row.to_lowercase().contains(&text))
        .collect()
}

/// The audit entries about employee `id` with `action`, as HR reads them.
async fn audit_entries(app: &TestApp, hr: &str, id: &str, action: &str) -> Vec<Value> {
    let r = app
        .gql(
            Some(hr),
            "query($id: ID!) { auditLog(first: 100, filter: { entityId: $id }) { edges { node { action actor { email } after } } } }",
            json!({ "id": id }),
        )
        .await;
    r.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .filter(|n| n["action"] == action)
        .collect()
}

async fn export(app: &TestApp, token: Option<&str>, query: &str) -> (u16, Value) {
    let mut req = app
        .http
        .get(format!("{}/exports/person.json{query}", app.address));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_erased_person_leaves_no_personal_trace_in_any_table() {
    let app = spawn_app().await;
    let s = carols_story(&app).await;
    let before = every_row(&app).await;
    for text in ABOUT_CAROL.iter().chain(BY_CAROL) {
        assert!(
            !holding(&before, text).is_empty(),
            "the story never wrote {text:?}"
        );
    }
    let peer_before =
        entity::review::Entity::find_by_id(s.peer_review.parse::<uuid::Uuid>().unwrap())
            .one(&app.ctx.db)
            .await
            .unwrap()
            .unwrap();

    let r = app
        .gql(Some(&s.org.hr), ERASE, json!({ "id": s.carol }))
        .await;
    let erased = &r.data()["erasePerson"];
    assert!(
        erased["name"]
            .as_str()
            .unwrap()
            .starts_with("Former employee "),
        "{erased}"
    );
    assert!(
        erased["email"]
            .as_str()
            .unwrap()
            .ends_with("@erased.invalid"),
        "{erased}"
    );
    assert_eq!(erased["title"], "");
    assert!(erased["erasedAt"].is_string());

    let after = every_row(&app).await;
    for text in ABOUT_CAROL {
        let left: Vec<_> = holding(&after, text);
        assert!(
            left.is_empty(),
            "{text:?} survived the erasure in {left:#?}"
        );
    }
    for text in BY_CAROL {
        assert!(
            !holding(&after, text).is_empty(),
            "{text:?}, which Carol wrote about someone else, was lost"
        );
    }
    // Her peer review is untouched: nothing marks it as an erased person's.
    let peer_after = entity::review::Entity::find_by_id(peer_before.id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(peer_after, peer_before);
    // Numbers stay: her rating inputs and her goal's progress.
    let reviews: Vec<_> = after
        .iter()
        .filter(|(t, row)| t == "review" && row.contains("\"overall_rating\":4"))
        .collect();
    assert!(reviews.len() >= 4, "{reviews:#?}");

    // Audited, with counts only; erasing again changes nothing and records nothing.
    let entries = app.count("audit_log").await;
    let again = app
        .gql(Some(&s.org.hr), ERASE, json!({ "id": s.carol }))
        .await;
    assert_eq!(again.data()["erasePerson"]["name"], erased["name"]);
    assert_eq!(app.count("audit_log").await, entries);
    let log = audit_entries(&app, &s.org.hr, &s.carol, "employee.erase").await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["actor"]["email"], "hr@t.io");
    assert!(
        log[0]["after"]["rows"]["checkIns"].is_number(),
        "{}",
        log[0]
    );

    // Her old token is refused, as everyone's who left.
    let me = app
        .gql(Some(&s.org.carol), "{ me { email } }", json!({}))
        .await;
    me.assert_error("UNAUTHENTICATED", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_hr_erases_and_only_someone_who_has_left() {
    let app = spawn_app().await;
    let org = app.org().await;
    let bob = app.id_of("bob@t.io").await;
    let hr = app.id_of("hr@t.io").await;
    let entries = app.count("audit_log").await;
    for (token, id, code, field) in [
        (&org.mgr, bob.as_str(), "FORBIDDEN", None),
        (&org.ceo, bob.as_str(), "FORBIDDEN", None),
        (&org.bob, bob.as_str(), "FORBIDDEN", None),
        (&org.hr, bob.as_str(), "CONFLICT", None),
        (&org.hr, hr.as_str(), "CONFLICT", None),
        (&org.hr, "not-an-id", "BAD_USER_INPUT", Some("employeeId")),
        (
            &org.hr,
            "00000000-0000-7000-8000-000000000000",
            "NOT_FOUND",
            None,
        ),
    ] {
        let r = app.gql(Some(token), ERASE, json!({ "id": id })).await;
        r.assert_error(code, field);
    }
    let r = app.gql(None, ERASE, json!({ "id": bob })).await;
    r.assert_error("UNAUTHENTICATED", None);
    assert_eq!(
        app.count("audit_log").await,
        entries,
        "a refusal wrote to the audit log"
    );
    assert_eq!(app.employee("bob@t.io").await.name, "Bob Baker");
}

#[tokio::test(flavor = "multi_thread")]
async fn hr_exports_everything_about_a_person_and_what_they_wrote_marked() {
    let app = spawn_app().await;
    let s = carols_story(&app).await;
    let query = format!("?employee={}", s.carol);
    let (status, doc) = export(&app, Some(&s.org.hr), &query).await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["format"], "perfcycle.person-export.v1");
    assert_eq!(doc["person"]["email"], "carol@t.io");
    let about = &doc["about"];
    let text = |v: &Value| v.to_string();
    assert!(
        text(&about["checkIns"]).contains("Closed the Quokka deal"),
        "{about}"
    );
    assert!(text(&about["goals"]).contains("Quokka pipeline"));
    assert_eq!(about["keyResults"].as_array().unwrap().len(), 1);
    assert!(text(&about["feedbackReceived"]).contains("Carol's demo was superb"));
    let reviews = text(&about["reviews"]);
    assert!(reviews.contains("learned Quechua") && reviews.contains("sharpen her forecasting"));
    assert!(
        !text(about).contains("Wombat"),
        "what she wrote is not about her"
    );
    assert!(
        !about["emails"].as_array().unwrap().is_empty(),
        "e-mails sent to her"
    );

    let written = &doc["writtenByThem"];
    let feedback = written["feedback"].as_array().unwrap();
    assert_eq!(feedback.len(), 1);
    assert_eq!(feedback[0]["writtenByThem"], true);
    assert!(text(&feedback[0]).contains("Wombat runbook"));
    let mine = written["reviews"].as_array().unwrap();
    assert_eq!(mine.len(), 2, "her upward and peer reviews: {written}");
    assert!(mine.iter().all(|r| r["writtenByThem"] == true));
    let mine = text(&written["reviews"]);
    assert!(mine.contains("Numbat churn") && mine.contains("Axolotl refactor"));

    // Audited with counts, not contents.
    let log = audit_entries(&app, &s.org.hr, &s.carol, "employee.export").await;
    assert_eq!(log.len(), 1, "{log:?}");
    let after = text(&log[0]["after"]);
    assert!(
        after.contains("checkIns") && !after.contains("Quokka"),
        "{after}"
    );

    // After erasure the export holds nothing about her either.
    app.gql(Some(&s.org.hr), ERASE, json!({ "id": s.carol }))
        .await
        .data();
    let (status, doc) = export(&app, Some(&s.org.hr), &query).await;
    assert_eq!(status, 200);
    for t in ABOUT_CAROL {
        assert!(
            !doc.to_string().to_lowercase().contains(&t.to_lowercase()),
            "{t:?} is still exported"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_is_hrs_alone() {
    let app = spawn_app().await;
    let org = app.org().await;
    let bob = app.id_of("bob@t.io").await;
    let ok = format!("?employee={bob}");
    let entries = app.count("audit_log").await;
    for (token, query, status, code) in [
        (None, ok.as_str(), 401, "UNAUTHENTICATED"),
        (Some("not.a.token"), ok.as_str(), 401, "UNAUTHENTICATED"),
        (Some(org.mgr.as_str()), ok.as_str(), 403, "FORBIDDEN"),
        (Some(org.bob.as_str()), ok.as_str(), 403, "FORBIDDEN"),
        (Some(org.ceo.as_str()), ok.as_str(), 403, "FORBIDDEN"),
        (Some(org.hr.as_str()), "", 400, "BAD_USER_INPUT"),
        (
            Some(org.hr.as_str()),
            "?employee=nope",
            400,
            "BAD_USER_INPUT",
        ),
        (
            Some(org.hr.as_str()),
            "?employee=00000000-0000-7000-8000-000000000000",
            404,
            "NOT_FOUND",
        ),
    ] {
        let (got, body) = export(&app, token, query).await;
        assert_eq!(got, status, "{query}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
    }
    assert_eq!(
        app.count("audit_log").await,
        entries,
        "a refusal was audited as an export"
    );
}
