//! Competencies: the skill catalogue and job profiles (HR), assessments kept apart by kind,
//! and skill gaps computed on the server (expected − latest manager assessment; unassessed is
//! not zero), with who may do and see what.

use perfcycle_tests::{Org, TestApp, spawn_app};
use serde_json::{Value, json};

const CREATE: &str =
    "mutation($i: CreateSkillInput!) { createSkill(input: $i) { id name group levels retiredAt } }";
const PROFILE: &str = "mutation($i: SetJobProfileInput!) { setJobProfile(input: $i) { id name skills { skill { name } expectedLevel } } }";
const ASSESS: &str = "mutation($i: AssessSkillInput!) { assessSkill(input: $i) { kind level assessedBy { email } } }";
const GAPS: &str = "query($e: ID, $m: ID, $d: ID, $first: Int) { skillGaps(employeeId: $e, managerId: $m, departmentId: $d, first: $first) {
    totalCount nodes { employee { email } skill { name } expectedLevel managerLevel selfLevel gap unassessed } } }";

fn levels() -> Value {
    json!(["Aware", "Practising", "Independent", "Leading", "Shaping"])
}

async fn skill(app: &TestApp, org: &Org, name: &str) -> String {
    let r = app
        .gql(
            Some(&org.hr),
            CREATE,
            json!({ "i": { "name": name, "group": "technical", "levels": levels() } }),
        )
        .await;
    r.data()["createSkill"]["id"].as_str().unwrap().to_owned()
}

async fn id_of(app: &TestApp, email: &str) -> String {
    app.employee(email).await.id.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn hr_keeps_the_catalogue_and_the_profiles_and_refuses_bad_ones() {
    let app = spawn_app().await;
    let org = app.org().await;
    let rust = skill(&app, &org, "Rust").await;
    let sql = skill(&app, &org, "SQL").await;
    let ok = json!({ "name": "Coaching", "group": "leadership", "levels": levels() });
    let with = |change: Value| {
        let mut i = ok.clone();
        for (k, v) in change.as_object().unwrap() {
            i[k] = v.clone();
        }
        json!({ "i": i })
    };
    for (change, field) in [
        (json!({ "name": " " }), "name"),
        (json!({ "name": "Rust" }), "name"),
        (json!({ "group": "" }), "group"),
        (json!({ "levels": ["a", "b", "c", "d"] }), "levels"),
        (json!({ "levels": ["a", "b", " ", "d", "e"] }), "levels[2]"),
    ] {
        app.gql(Some(&org.hr), CREATE, with(change))
            .await
            .assert_error("BAD_USER_INPUT", Some(field));
    }
    for token in [&org.mgr, &org.alice] {
        app.gql(Some(token), CREATE, with(json!({})))
            .await
            .assert_error("FORBIDDEN", None);
    }
    let r = app
        .gql(
            Some(&org.alice),
            "{ skills { name group levels } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.data()["skills"],
        json!([
            { "name": "Rust", "group": "technical", "levels": levels() },
            { "name": "SQL", "group": "technical", "levels": levels() }
        ])
    );

    // A profile; then every bad variant of it.
    let profile = |skills: Value| json!({ "i": { "name": "Backend engineer", "skills": skills } });
    let r = app
        .gql(
            Some(&org.hr),
            PROFILE,
            profile(json!([{ "skillId": rust, "expectedLevel": 4 }, { "skillId": sql, "expectedLevel": 3 }])),
        )
        .await;
    assert_eq!(
        r.data()["setJobProfile"]["skills"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let nobody = uuid::Uuid::new_v4().to_string();
    for (skills, field) in [
        (
            json!([{ "skillId": nobody, "expectedLevel": 3 }]),
            "skills[0].skillId",
        ),
        (
            json!([{ "skillId": rust, "expectedLevel": 3 }, { "skillId": rust, "expectedLevel": 2 }]),
            "skills[1].skillId",
        ),
        (
            json!([{ "skillId": rust, "expectedLevel": 0 }]),
            "skills[0].expectedLevel",
        ),
        (
            json!([{ "skillId": rust, "expectedLevel": 6 }]),
            "skills[0].expectedLevel",
        ),
        (json!([{ "skillId": rust, "expectedLevel": 3 }]), "name"),
    ] {
        app.gql(Some(&org.hr), PROFILE, profile(skills))
            .await
            .assert_error("BAD_USER_INPUT", Some(field));
    }
    app.gql(Some(&org.mgr), PROFILE, profile(json!([])))
        .await
        .assert_error("FORBIDDEN", None);

    // Retiring: hidden by default, kept on request, refused in new profiles; twice is once.
    let retire = "mutation($id: ID!) { retireSkill(input: { id: $id }) { retiredAt } }";
    let first = app.gql(Some(&org.hr), retire, json!({ "id": sql })).await;
    let again = app.gql(Some(&org.hr), retire, json!({ "id": sql })).await;
    assert_eq!(first.data(), again.data());
    app.gql(Some(&org.mgr), retire, json!({ "id": rust }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app
        .gql(
            Some(&org.alice),
            "{ skills { name } all: skills(includeRetired: true) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["skills"], json!([{ "name": "Rust" }]));
    assert_eq!(r.data()["all"].as_array().unwrap().len(), 2);
    app.gql(
        Some(&org.hr),
        PROFILE,
        json!({ "i": { "name": "Data engineer", "skills": [{ "skillId": sql, "expectedLevel": 3 }] } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("skills[0].skillId"));
}

#[tokio::test(flavor = "multi_thread")]
async fn gaps_measure_the_manager_assessment_against_the_profile_and_unassessed_is_not_zero() {
    let app = spawn_app().await;
    let org = app.org().await;
    let rust = skill(&app, &org, "Rust").await;
    let sql = skill(&app, &org, "SQL").await;
    let r = app
        .gql(
            Some(&org.hr),
            PROFILE,
            json!({ "i": { "name": "Backend engineer", "skills": [
                { "skillId": rust, "expectedLevel": 4 }, { "skillId": sql, "expectedLevel": 3 }
            ] } }),
        )
        .await;
    let profile = r.data()["setJobProfile"]["id"].clone();
    let (alice, bob, mgr) = (
        id_of(&app, "alice@t.io").await,
        id_of(&app, "bob@t.io").await,
        id_of(&app, "mgr@t.io").await,
    );
    let assign = "mutation($id: ID!, $p: ID) { updateEmployee(input: { id: $id, jobProfileId: $p }) { jobProfile { name } } }";
    for person in [&alice, &bob] {
        let r = app
            .gql(Some(&org.hr), assign, json!({ "id": person, "p": profile }))
            .await;
        assert_eq!(
            r.data()["updateEmployee"]["jobProfile"]["name"],
            "Backend engineer"
        );
    }
    app.gql(
        Some(&org.hr),
        assign,
        json!({ "id": alice, "p": uuid::Uuid::new_v4().to_string() }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("jobProfileId"));

    // Nobody assessed yet: every row unassessed, no number.
    let r = app
        .gql(Some(&org.mgr), GAPS, json!({ "m": mgr, "first": 10 }))
        .await;
    let rows = r.data()["skillGaps"]["nodes"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .all(|g| g["unassessed"] == true && g["gap"] == Value::Null)
    );

    // Assessments: each kind by its side only.
    let assess = |token: &str, person: &str, skill: &str, kind: &str, level: i64| {
        let (token, i) = (
            token.to_owned(),
            json!({ "employeeId": person, "skillId": skill, "kind": kind, "level": level, "note": "seen in the payments work" }),
        );
        let app = &app;
        async move { app.gql(Some(&token), ASSESS, json!({ "i": i })).await }
    };
    assess(&org.alice, &alice, &rust, "SELF", 5).await.data();
    assess(&org.mgr, &alice, &rust, "MANAGER", 2).await.data();
    assess(&org.mgr, &bob, &rust, "MANAGER", 3).await.data();
    let r = assess(&org.ceo, &bob, &sql, "MANAGER", 4).await;
    assert_eq!(r.data()["assessSkill"]["assessedBy"]["email"], "ceo@t.io");
    for (token, person, kind) in [
        (&org.alice, &alice, "MANAGER"),
        (&org.bob, &alice, "SELF"),
        (&org.bob, &alice, "MANAGER"),
        (&org.carol, &alice, "MANAGER"),
        (&org.mgr, &alice, "SELF"),
    ] {
        assess(token, person, &rust, kind, 3)
            .await
            .assert_error("FORBIDDEN", None);
    }
    for level in [0, 6] {
        assess(&org.mgr, &alice, &rust, "MANAGER", level)
            .await
            .assert_error("BAD_USER_INPUT", Some("level"));
    }

    // Largest first: Alice's Rust (4 − 2), Bob's Rust (4 − 3), Bob's SQL (3 − 4, above what is
    // expected), then Alice's SQL, unassessed. Alice's self assessment of 5 is shown, not used.
    let r = app
        .gql(Some(&org.mgr), GAPS, json!({ "m": mgr, "first": 10 }))
        .await;
    let rows: Vec<(String, String, Value, Value)> = r.data()["skillGaps"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["employee"]["email"].as_str().unwrap().to_owned(),
                g["skill"]["name"].as_str().unwrap().to_owned(),
                g["gap"].clone(),
                g["selfLevel"].clone(),
            )
        })
        .collect();
    let row = |e: &str, s: &str, gap: Value, own: Value| (e.to_owned(), s.to_owned(), gap, own);
    assert_eq!(
        rows,
        [
            row("alice@t.io", "Rust", json!(2), json!(5)),
            row("bob@t.io", "Rust", json!(1), Value::Null),
            row("bob@t.io", "SQL", json!(-1), Value::Null),
            row("alice@t.io", "SQL", Value::Null, Value::Null),
        ]
    );
    // A newer manager assessment moves the gap; the old one stays in the history.
    assess(&org.mgr, &alice, &rust, "MANAGER", 4).await.data();
    let r = app
        .gql(
            Some(&org.alice),
            "query($r: ID) { me { skillGaps { skill { name } gap } skillAssessments(skillId: $r) { totalCount nodes { kind level } } } }",
            json!({ "r": rust }),
        )
        .await;
    let me = &r.data()["me"];
    assert_eq!(
        me["skillGaps"],
        json!([{ "skill": { "name": "Rust" }, "gap": 0 }, { "skill": { "name": "SQL" }, "gap": null }]),
        "a gap of zero ranks above an unassessed skill"
    );
    assert_eq!(me["skillAssessments"]["totalCount"], 3);
    assert_eq!(
        me["skillAssessments"]["nodes"][0],
        json!({ "kind": "MANAGER", "level": 4 })
    );

    // The profile drops SQL: its rows go; Rust's expected level moves the gap.
    app.gql(
        Some(&org.hr),
        PROFILE,
        json!({ "i": { "id": profile, "name": "Backend engineer", "skills": [{ "skillId": rust, "expectedLevel": 5 }] } }),
    )
    .await
    .data();
    let r = app.gql(Some(&org.hr), GAPS, json!({ "first": 10 })).await;
    let gaps: Vec<(String, Value)> = r.data()["skillGaps"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["employee"]["email"].as_str().unwrap().to_owned(),
                g["gap"].clone(),
            )
        })
        .collect();
    assert_eq!(
        gaps,
        [
            ("bob@t.io".to_owned(), json!(2)),
            ("alice@t.io".to_owned(), json!(1))
        ]
    );

    // Who sees whose gaps.
    let r = app
        .gql(Some(&org.alice), GAPS, json!({ "first": 10 }))
        .await;
    assert_eq!(r.data()["skillGaps"]["totalCount"], 1, "her own");
    app.gql(Some(&org.bob), GAPS, json!({ "e": alice }))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.alice), GAPS, json!({ "m": mgr }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app
        .gql(Some(&org.carol), GAPS, json!({ "first": 10 }))
        .await;
    assert_eq!(r.data()["skillGaps"]["totalCount"], 0);
    // Through the directory a peer sees none of it.
    let r = app
        .gql(
            Some(&org.bob),
            "query($e: ID!) { employee(id: $e) { skillGaps { gap } skillAssessments { totalCount } } }",
            json!({ "e": alice }),
        )
        .await;
    assert_eq!(
        r.data()["employee"],
        json!({ "skillGaps": [], "skillAssessments": { "totalCount": 0 } })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_import_assigns_job_profiles_by_name_and_refuses_unknown_ones() {
    let app = spawn_app().await;
    let org = app.org().await;
    let rust = skill(&app, &org, "Rust").await;
    app.gql(
        Some(&org.hr),
        PROFILE,
        json!({ "i": { "name": "Backend engineer", "skills": [{ "skillId": rust, "expectedLevel": 3 }] } }),
    )
    .await
    .data();
    let header = "email,name,title,department,manager_email,role,hired_on,timezone,job_profile\n";
    let bad = format!(
        "{header}alice@t.io,Alice Able,Engineer,Engineering,mgr@t.io,,2018-01-01,America/New_York,Frontend wizard\n"
    );
    match domain::import::employees(&app.ctx, bad.as_bytes()).await {
        Err(domain::import::ImportError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].column, "job_profile");
            assert_eq!(errors[0].line, 2);
        }
        other => panic!("expected a refused file, got {other:?}"),
    }
    let good = format!(
        "{header}alice@t.io,Alice Able,Engineer,Engineering,mgr@t.io,,2018-01-01,America/New_York,backend ENGINEER\n\
         bob@t.io,Bob Baker,Engineer,Engineering,mgr@t.io,,2019-01-01,Asia/Kolkata,\n"
    );
    domain::import::employees(&app.ctx, good.as_bytes())
        .await
        .unwrap();
    let r = app
        .gql(
            Some(&org.mgr),
            "{ me { reports(first: 10) { nodes { email jobProfile { name } skillGaps { skill { name } unassessed } } } } }",
            json!({}),
        )
        .await;
    let reports = r.data()["me"]["reports"]["nodes"].clone();
    assert_eq!(reports[0]["email"], "alice@t.io");
    assert_eq!(reports[0]["jobProfile"]["name"], "Backend engineer");
    assert_eq!(
        reports[0]["skillGaps"],
        json!([{ "skill": { "name": "Rust" }, "unassessed": true }])
    );
    assert_eq!(
        reports[1]["jobProfile"],
        Value::Null,
        "a blank cell keeps what is stored"
    );
}
