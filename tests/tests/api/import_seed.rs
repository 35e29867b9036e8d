//! Importing the org chart and seeding, on whichever backend this run uses.

use domain::import::ImportError;
use domain::values::{
    AssessmentKind, CheckInStatus, GapSource, GoalLevel, GoalStatus, ItemKind, ItemStatus,
    PlanKind, PlanStatus, Role, Visibility,
};
use entity::{
    check_in, development_item, development_plan, employee, feedback, goal, job_profile,
    job_profile_skill, key_result, key_result_update, skill, skill_assessment, skill_gap,
};
use perfcycle_tests::spawn_app;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

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
    let check = domain::goals::rebuild_progress(&app.ctx.db, true)
        .await
        .unwrap();
    assert_eq!(
        check.differed,
        Vec::new(),
        "stored progress of the demo goals"
    );
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
            "{ me { reports(first: 100) { nodes { email goals { status } } } } }",
            json!({}),
        )
        .await;
    let reports = r.data()["me"]["reports"]["nodes"]
        .as_array()
        .cloned()
        .unwrap();
    assert!(
        reports
            .iter()
            .any(|e| e["email"] == people.employee_email.as_str())
    );
    let again = domain::seed::demo(&app.ctx).await.unwrap();
    assert!(!again.created);
    assert_eq!(app.count("employee").await, employees);
}

/// Everything a generated organisation holds, read straight from the database.
struct Org {
    people: Vec<employee::Model>,
    goals: Vec<goal::Model>,
    key_results: Vec<key_result::Model>,
    check_ins: Vec<check_in::Model>,
    updates: Vec<key_result_update::Model>,
    feedback: Vec<feedback::Model>,
}

async fn load(app: &perfcycle_tests::TestApp) -> Org {
    let db = &app.ctx.db;
    Org {
        people: employee::Entity::find().all(db).await.unwrap(),
        goals: goal::Entity::find().all(db).await.unwrap(),
        key_results: key_result::Entity::find().all(db).await.unwrap(),
        check_ins: check_in::Entity::find()
            .order_by_asc(check_in::Column::PeriodStart)
            .all(db)
            .await
            .unwrap(),
        updates: key_result_update::Entity::find().all(db).await.unwrap(),
        feedback: feedback::Entity::find().all(db).await.unwrap(),
    }
}

fn count_by<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> HashMap<K, usize> {
    let mut map = HashMap::new();
    for k in keys {
        *map.entry(k).or_insert(0) += 1;
    }
    map
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generated_organisation_is_a_tree_of_teams_with_aligned_weighted_goals() {
    let app = spawn_app().await;
    let made = domain::seed::generate(&app.ctx, 1500, 42).await.unwrap();
    let org = load(&app).await;
    assert_eq!((made.employees, org.people.len()), (1500, 1500));
    let heads: Vec<&employee::Model> = org
        .people
        .iter()
        .filter(|e| e.manager_id.is_none())
        .collect();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].email, made.head_email);
    // One tree, 4–12 reports per manager (the last team filled may be smaller), 5–9 levels.
    assert!(
        org.people
            .iter()
            .all(|e| e.path.starts_with(&heads[0].path))
    );
    let spans = count_by(org.people.iter().filter_map(|e| e.manager_id));
    assert!(spans.values().all(|&s| s <= 12), "{spans:?}");
    assert!(spans.values().filter(|&&s| s < 4).count() <= 1, "{spans:?}");
    let depth = org
        .people
        .iter()
        .map(|e| e.path.matches('/').count() - 2)
        .max()
        .unwrap();
    assert!((5..=9).contains(&depth), "depth {depth}");
    assert_eq!(made.depth as usize, depth);
    assert!(app.count("department").await >= 5);
    assert!(
        org.people
            .iter()
            .any(|e| e.role == Role::HrAdmin && e.email == made.hr_email)
    );

    // 3–5 goals each, 1–3 key results each; open goals weigh 100 per person.
    let manager_of: HashMap<Uuid, Option<Uuid>> =
        org.people.iter().map(|e| (e.id, e.manager_id)).collect();
    let goal_by_id: HashMap<Uuid, &goal::Model> = org.goals.iter().map(|g| (g.id, g)).collect();
    let per_person = count_by(org.goals.iter().map(|g| g.owner_id));
    assert_eq!(per_person.len(), 1500);
    assert!(
        per_person.values().all(|n| (3..=5).contains(n)),
        "{per_person:?}"
    );
    let mut open_weight: HashMap<Uuid, i32> = HashMap::new();
    for g in &org.goals {
        if matches!(
            g.status,
            GoalStatus::Agreed | GoalStatus::Proposed | GoalStatus::Draft
        ) {
            *open_weight.entry(g.owner_id).or_insert(0) += g.weight;
        }
        // Aligned up the tree: to an agreed goal of the owner's manager.
        match (manager_of[&g.owner_id], g.parent_id) {
            (None, None) => assert_eq!(g.level, GoalLevel::Company),
            (Some(m), Some(p)) => {
                assert_eq!(goal_by_id[&p].owner_id, m);
                assert_eq!(goal_by_id[&p].status, GoalStatus::Agreed);
            }
            other => panic!("goal {} misaligned: {other:?}", g.id),
        }
        if g.level == GoalLevel::Individual {
            assert_eq!(g.visibility, Visibility::Private);
        }
    }
    assert!(open_weight.values().all(|&w| w == 100), "{open_weight:?}");
    let statuses = count_by(org.goals.iter().map(|g| g.status));
    assert!(
        statuses[&GoalStatus::Agreed] * 10 > org.goals.len() * 7,
        "{statuses:?}"
    );
    for s in [
        GoalStatus::Proposed,
        GoalStatus::Draft,
        GoalStatus::Achieved,
        GoalStatus::Missed,
        GoalStatus::Dropped,
    ] {
        assert!(
            statuses.get(&s).copied().unwrap_or(0) > 0,
            "no {s} goal: {statuses:?}"
        );
    }
    let krs = count_by(org.key_results.iter().map(|k| k.goal_id));
    assert_eq!(krs.len(), org.goals.len());
    assert!(krs.values().all(|n| (1..=3).contains(n)));

    // Twelve past weeks and the current one per person, mostly submitted.
    let per_person = count_by(org.check_ins.iter().map(|c| c.employee_id));
    assert!(per_person.values().all(|&n| n == 13), "{per_person:?}");
    let mix = count_by(org.check_ins.iter().map(|c| c.status));
    let total = org.check_ins.len();
    let submitted = mix[&CheckInStatus::Submitted] + mix[&CheckInStatus::Acknowledged];
    assert!(submitted * 10 > total * 6, "{mix:?}");
    assert!(mix[&CheckInStatus::Acknowledged] * 10 > total, "{mix:?}");
    assert!(mix[&CheckInStatus::Missed] * 20 > total, "{mix:?}");
    assert!(mix[&CheckInStatus::Due] >= 1500, "{mix:?}");
    for c in &org.check_ins {
        let submitted = matches!(
            c.status,
            CheckInStatus::Submitted | CheckInStatus::Acknowledged
        );
        assert_eq!(
            submitted,
            c.submitted_at.is_some() && c.confidence.is_some()
        );
        if c.status == CheckInStatus::Acknowledged {
            assert_eq!(c.acknowledged_by, manager_of[&c.employee_id]);
        }
    }

    // A key result's updates, in period order, chain from its start to its current value.
    let period: HashMap<Uuid, &check_in::Model> = org.check_ins.iter().map(|c| (c.id, c)).collect();
    let mut chain: HashMap<Uuid, Vec<&key_result_update::Model>> = HashMap::new();
    for u in &org.updates {
        let c = period[&u.check_in_id.unwrap()];
        assert!(matches!(
            c.status,
            CheckInStatus::Submitted | CheckInStatus::Acknowledged
        ));
        assert_eq!(Some(u.recorded_at), c.submitted_at);
        assert_eq!(u.recorded_by, Some(c.employee_id));
        chain.entry(u.key_result_id).or_default().push(u);
    }
    assert!(org.updates.len() > 1500, "{} updates", org.updates.len());
    for kr in &org.key_results {
        let mut updates = chain.remove(&kr.id).unwrap_or_default();
        updates.sort_by_key(|u| u.recorded_at);
        let mut value = kr.start_value;
        for u in updates {
            assert_eq!(u.previous_value, value);
            value = u.new_value;
        }
        assert_eq!(kr.current_value, value, "key result {}", kr.id);
    }

    let visibilities = count_by(org.feedback.iter().map(|f| f.visibility));
    assert!(org.feedback.len() > 1000, "{} feedback", org.feedback.len());
    assert!(visibilities.len() == 2, "{visibilities:?}");
    assert!(org.feedback.iter().all(|f| f.author_id != f.recipient_id));

    // Each goal's stored progress is what the roll-up of its tree gives, and trees move.
    let check = domain::goals::rebuild_progress(&app.ctx.db, true)
        .await
        .unwrap();
    assert_eq!(check.goals, org.goals.len());
    assert_eq!(check.differed, Vec::new());
    assert!(org.goals.iter().filter(|g| g.progress_ppm > 0).count() > org.goals.len() / 4);
    // So is its health, computed with the generated check-ins' confidences.
    let today = app.ctx.clock.now().date_naive();
    let healths = count_by(org.goals.iter().filter_map(|g| g.health));
    assert_eq!(healths.len(), 3, "{healths:?}");
    assert_eq!(
        domain::goals::refresh_all_health(&app.ctx.db, today)
            .await
            .unwrap(),
        0,
        "the daily pass finds nothing to change"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_seed_value_generates_the_same_organisation_and_another_does_not() {
    async fn fingerprint(seed: u64) -> (Vec<String>, Vec<String>, Vec<String>) {
        let app = spawn_app().await;
        domain::seed::generate(&app.ctx, 300, seed).await.unwrap();
        let org = load(&app).await;
        let mut people: Vec<&employee::Model> = org.people.iter().collect();
        people.sort_by_key(|e| e.id);
        let mut goals: Vec<&goal::Model> = org.goals.iter().collect();
        goals.sort_by_key(|g| g.id);
        let develop = load_develop(&app).await;
        let mut gaps: Vec<String> = develop
            .gaps
            .iter()
            .map(|g| format!("{} {:?}", g.id, gap_columns(g)))
            .collect();
        gaps.sort();
        (
            people
                .iter()
                .map(|e| format!("{} {} {:?}", e.email, e.name, e.job_profile_id))
                .collect(),
            goals.iter().map(|g| g.title.clone()).collect(),
            gaps,
        )
    }
    let first = fingerprint(7).await;
    assert_eq!(first, fingerprint(7).await);
    let other = fingerprint(8).await;
    assert_ne!(first.0, other.0);
    assert_ne!(first.1, other.1);
    assert_ne!(first.2, other.2);
}

#[tokio::test(flavor = "multi_thread")]
async fn seeding_the_same_seed_value_twice_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    domain::seed::generate(&app.ctx, 50, 3).await.unwrap();
    let employees = app.count("employee").await;
    let goals = app.count("goal").await;
    let err = domain::seed::generate(&app.ctx, 50, 3).await.unwrap_err();
    assert!(err.to_string().contains("seed value 3"), "{err}");
    assert_eq!(app.count("employee").await, employees);
    assert_eq!(app.count("goal").await, goals);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generated_organisation_answers_real_queries() {
    let app = spawn_app().await;
    let made = domain::seed::generate(&app.ctx, 1500, 11).await.unwrap();
    let manager = app.employee(&made.manager_email).await;
    let token = app.token(&made.manager_email).await;
    let r = app
        .gql(
            Some(&token),
            "query($c: ID!, $m: ID!) { goals(first: 20, filter: {cycleId: $c}) { totalCount edges { node { title keyResults { currentValue } } } }
              checkIns(first: 20) { totalCount }
              teamCheckIns(managerId: $m) { counts { people due } people(first: 50) { edges { node { employee { id } checkIn { status } } } } } }",
            json!({ "c": made.cycle_id.to_string(), "m": manager.id.to_string() }),
        )
        .await;
    let data = r.data();
    let reports = load(&app)
        .await
        .people
        .iter()
        .filter(|e| e.manager_id == Some(manager.id))
        .count();
    assert!(data["goals"]["totalCount"].as_i64().unwrap() > 20, "{data}");
    assert_eq!(data["goals"]["edges"].as_array().unwrap().len(), 20);
    assert!(
        data["checkIns"]["totalCount"].as_i64().unwrap() > 13 * 5,
        "{data}"
    );
    let team = data["teamCheckIns"]["people"]["edges"].as_array().unwrap();
    assert!((4..=12).contains(&team.len()), "{data}");
    assert_eq!(team.len(), reports);
    assert!(
        team.iter().all(|t| t["node"]["checkIn"]["status"] == "DUE"),
        "{data}"
    );
    assert_eq!(data["teamCheckIns"]["counts"]["people"], reports);
    assert_eq!(data["teamCheckIns"]["counts"]["due"], reports);
    // The heat map of the people below the manager: largest gaps first, unassessed last.
    let r = app
        .gql(
            Some(&token),
            "query($m: ID!) { skillGaps(managerId: $m, first: 50) { edges { node { employee { id name } skill { id name } expectedLevel managerLevel selfLevel gap } } } }",
            json!({ "m": manager.id.to_string() }),
        )
        .await;
    let cells = r.data()["skillGaps"]["edges"].as_array().unwrap().clone();
    assert_eq!(cells.len(), 50, "{}", r.data());
    let ranks: Vec<i64> = cells
        .iter()
        .map(|c| c["node"]["gap"].as_i64().unwrap_or(-100))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    assert!(
        cells
            .iter()
            .all(|c| c["node"]["employee"]["id"] != manager.id.to_string().as_str())
    );
    let hr = app.token(&made.hr_email).await;
    let r = app
        .gql(
            Some(&hr),
            "{ employees(first: 5, filter: {search: \"engineer\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(
        r.data()["employees"]["totalCount"].as_i64().unwrap() > 10,
        "{}",
        r.data()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scheduler_opens_no_period_twice_after_seeding() {
    let app = spawn_app().await;
    let made = domain::seed::generate(&app.ctx, 1500, 5).await.unwrap();
    let before = app.count("check_in").await;
    let not_digests = "email_outbox WHERE template <> 'manager_digest'";
    let mails = app.count(not_digests).await;
    // Today's periods are already open, and every reminder due was sent; it is Monday, so
    // the managers' digests of last week go out, one each.
    let report = app.scan_check_ins("2027-03-01T12:00:00Z").await;
    assert_eq!((report.opened, report.reminders, report.missed), (0, 0, 0));
    assert_eq!(app.count("check_in").await, before);
    assert_eq!(app.count(not_digests).await, mails);
    // (Managers whose Monday 08:00 has come: not yet in the Americas.)
    assert!(report.digests > 0);
    assert_eq!(
        report.digests as i64,
        app.count("email_outbox WHERE template = 'manager_digest'")
            .await
    );
    // Next week each person gets exactly one new period, after the last.
    let report = app.scan_check_ins("2027-03-08T12:00:00Z").await;
    assert_eq!(report.opened, made.employees as u64);
    let org = load(&app).await;
    let mut last: HashMap<Uuid, chrono::NaiveDate> = HashMap::new();
    for c in &org.check_ins {
        if let Some(end) = last.get(&c.employee_id) {
            assert!(
                c.period_start > *end,
                "overlapping periods for {}",
                c.employee_id
            );
        }
        last.insert(c.employee_id, c.period_end);
    }
}

/// The develop stage of a generated organisation, read straight from the database.
struct Develop {
    skills: Vec<skill::Model>,
    profiles: Vec<job_profile::Model>,
    expected: Vec<job_profile_skill::Model>,
    assessments: Vec<skill_assessment::Model>,
    gaps: Vec<skill_gap::Model>,
    plans: Vec<development_plan::Model>,
    items: Vec<development_item::Model>,
}

async fn load_develop(app: &perfcycle_tests::TestApp) -> Develop {
    let db = &app.ctx.db;
    Develop {
        skills: skill::Entity::find().all(db).await.unwrap(),
        profiles: job_profile::Entity::find().all(db).await.unwrap(),
        expected: job_profile_skill::Entity::find().all(db).await.unwrap(),
        assessments: skill_assessment::Entity::find().all(db).await.unwrap(),
        gaps: skill_gap::Entity::find().all(db).await.unwrap(),
        plans: development_plan::Entity::find().all(db).await.unwrap(),
        items: development_item::Entity::find().all(db).await.unwrap(),
    }
}

/// Every column of a gap row but its id and when it was refreshed.
type GapColumns = (
    Uuid,
    Uuid,
    i32,
    GapSource,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    i32,
);

fn gap_columns(g: &skill_gap::Model) -> GapColumns {
    (
        g.employee_id,
        g.skill_id,
        g.expected,
        g.source,
        g.manager_level,
        g.self_level,
        g.gap,
        g.rank,
    )
}

fn sorted_gap_columns(gaps: &[skill_gap::Model]) -> Vec<GapColumns> {
    let mut columns: Vec<GapColumns> = gaps.iter().map(gap_columns).collect();
    columns.sort_by_key(|c| (c.0, c.1));
    columns
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generated_organisation_has_skills_profiles_assessments_and_plans() {
    let app = spawn_app().await;
    let made = domain::seed::generate(&app.ctx, 1500, 23).await.unwrap();
    let org = load(&app).await;
    let d = load_develop(&app).await;
    assert_eq!(
        (
            made.skills,
            made.job_profiles,
            made.assessments,
            made.skill_gaps,
            made.development_plans,
            made.development_items
        ),
        (
            d.skills.len(),
            d.profiles.len(),
            d.assessments.len(),
            d.gaps.len(),
            d.plans.len(),
            d.items.len()
        )
    );

    // A catalogue of twelve skills in four groups, each level described.
    assert_eq!(d.skills.len(), 12);
    assert_eq!(
        count_by(d.skills.iter().map(|s| s.skill_group.as_str())).len(),
        4
    );
    for s in &d.skills {
        let levels = s.levels.as_array().unwrap();
        assert_eq!(levels.len(), 5, "{}", s.name);
        assert!(levels.iter().all(|l| !l.as_str().unwrap().is_empty()));
    }
    // Six profiles of 4–6 skills at levels 2–5; everyone has one, managers a manager's.
    assert_eq!(d.profiles.len(), 6);
    let mut expects: HashMap<Uuid, Vec<&job_profile_skill::Model>> = HashMap::new();
    for e in &d.expected {
        assert!((2..=5).contains(&e.expected_level), "{e:?}");
        expects.entry(e.profile_id).or_default().push(e);
    }
    assert!(expects.values().all(|e| (4..=6).contains(&e.len())));
    let profile_name: HashMap<Uuid, &str> =
        d.profiles.iter().map(|p| (p.id, p.name.as_str())).collect();
    let managers: std::collections::HashSet<Uuid> =
        org.people.iter().filter_map(|e| e.manager_id).collect();
    let held = count_by(org.people.iter().map(|e| e.job_profile_id.unwrap()));
    assert_eq!(held.len(), 6, "every profile is held: {held:?}");
    for e in &org.people {
        let name = profile_name[&e.job_profile_id.unwrap()];
        let manages = name.starts_with("Manager") || name.starts_with("Director");
        assert_eq!(managers.contains(&e.id), manages, "{} is a {name}", e.title);
    }

    // Manager assessments of about three in four expected skills (by the manager, or HR for
    // the head), self assessments of about half; a few skills assessed twice by a manager.
    let manager_of: HashMap<Uuid, Option<Uuid>> =
        org.people.iter().map(|e| (e.id, e.manager_id)).collect();
    let hr: std::collections::HashSet<Uuid> = org
        .people
        .iter()
        .filter(|e| e.role == Role::HrAdmin)
        .map(|e| e.id)
        .collect();
    let expected_pairs = d.gaps.len();
    let people_in_profiles: usize = org
        .people
        .iter()
        .map(|e| expects[&e.job_profile_id.unwrap()].len())
        .sum();
    assert_eq!(
        expected_pairs, people_in_profiles,
        "a gap row per expected skill"
    );
    let mut assessed: HashMap<(Uuid, Uuid, AssessmentKind), usize> = HashMap::new();
    for a in &d.assessments {
        assert!((1..=5).contains(&a.level));
        assert!(a.assessed_at <= app.ctx.clock.now());
        match a.kind {
            AssessmentKind::Own => assert_eq!(a.assessed_by, a.employee_id),
            AssessmentKind::Manager => match manager_of[&a.employee_id] {
                Some(m) => assert_eq!(a.assessed_by, m),
                None => assert!(hr.contains(&a.assessed_by)),
            },
        }
        *assessed
            .entry((a.employee_id, a.skill_id, a.kind))
            .or_insert(0) += 1;
    }
    let by_manager = assessed
        .keys()
        .filter(|k| k.2 == AssessmentKind::Manager)
        .count();
    let by_self = assessed.len() - by_manager;
    assert!(
        (65..=85).contains(&(by_manager * 100 / expected_pairs)),
        "{by_manager} of {expected_pairs}"
    );
    assert!(
        (40..=60).contains(&(by_self * 100 / expected_pairs)),
        "{by_self} of {expected_pairs}"
    );
    let history = assessed
        .iter()
        .filter(|(k, n)| k.2 == AssessmentKind::Manager && **n > 1)
        .count();
    assert!(
        history > 10 && history * 10 < by_manager,
        "{history} histories"
    );
    let gaps = count_by(d.gaps.iter().map(|g| g.gap));
    assert!(
        gaps.contains_key(&None) && gaps.contains_key(&Some(0)),
        "{gaps:?}"
    );
    assert!(gaps.keys().any(|g| g.is_some_and(|g| g < 0)), "{gaps:?}");
    assert!(gaps.keys().any(|g| g.is_some_and(|g| g >= 2)), "{gaps:?}");

    // Development plans for about 30 % in the cycle, a few improvement plans, 1–3 items each.
    let kinds = count_by(d.plans.iter().map(|p| p.kind));
    let development = kinds[&PlanKind::Development];
    assert!((25..=35).contains(&(development * 100 / 1500)), "{kinds:?}");
    assert!(
        (3..=40).contains(&kinds[&PlanKind::Improvement]),
        "{kinds:?}"
    );
    let plan_of: HashMap<Uuid, &development_plan::Model> =
        d.plans.iter().map(|p| (p.id, p)).collect();
    let today = app.ctx.clock.now().date_naive();
    for p in &d.plans {
        assert_eq!((p.cycle_id, p.status), (made.cycle_id, PlanStatus::Open));
        match p.kind {
            PlanKind::Development => assert_eq!(p.opened_by, p.employee_id),
            PlanKind::Improvement => {
                assert_eq!(Some(p.opened_by), manager_of[&p.employee_id]);
                assert!(!p.objectives.is_empty() && !p.support.is_empty());
            }
        }
    }
    let per_plan = count_by(d.items.iter().map(|i| i.plan_id));
    assert_eq!(per_plan.len(), d.plans.len());
    for item in &d.items {
        let plan = plan_of[&item.plan_id];
        assert_eq!(item.employee_id, plan.employee_id);
        assert_eq!(item.reminder_stage, 0);
        let owed = matches!(item.status, ItemStatus::Proposed | ItemStatus::Agreed);
        if let (Some(due), true) = (item.due_on, owed) {
            assert!(
                due > today + chrono::Duration::days(7),
                "no reminder due yet"
            );
        }
        match plan.kind {
            PlanKind::Improvement => {
                assert_eq!(per_plan[&plan.id], 2);
                assert_eq!(item.kind, ItemKind::Check);
                assert!(item.due_on.is_some());
            }
            PlanKind::Development => {
                assert!((1..=3).contains(&per_plan[&plan.id]));
                assert_eq!(item.proposed_by, plan.employee_id);
                assert_ne!(item.kind, ItemKind::Check);
            }
        }
        match item.kind {
            ItemKind::Training => {
                assert!(!item.provider.is_empty() && item.hours.is_some() && item.due_on.is_some())
            }
            ItemKind::Mentoring => {
                assert!(item.cadence.is_some());
                assert!(item.mentor_id.is_some_and(|m| m != item.employee_id));
            }
            _ => assert!(item.hours.is_none() && item.mentor_id.is_none()),
        }
        let done = matches!(item.status, ItemStatus::Completed | ItemStatus::Confirmed);
        assert_eq!(item.completed_at.is_some(), done);
        assert_eq!(
            item.agreed_at.is_some(),
            item.status != ItemStatus::Proposed
        );
    }
    let item_kinds = count_by(d.items.iter().map(|i| i.kind));
    let statuses = count_by(d.items.iter().map(|i| i.status));
    assert_eq!(item_kinds.len(), 5, "{item_kinds:?}");
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    // Stretch assignments require no skills here: every gap comes from a profile.
    assert_eq!(app.count("development_item_skill").await, 0);
    assert!(d.gaps.iter().all(|g| g.source == GapSource::Profile));
}

#[tokio::test(flavor = "multi_thread")]
async fn refreshing_the_gaps_of_a_generated_organisation_changes_no_gap_row() {
    let app = spawn_app().await;
    domain::seed::generate(&app.ctx, 1500, 29).await.unwrap();
    let before = load_develop(&app).await.gaps;
    let people: Vec<Uuid> = load(&app).await.people.iter().map(|e| e.id).collect();
    domain::skills::refresh_gaps(&app.ctx.db, &people, app.ctx.clock.now())
        .await
        .unwrap();
    let after = load_develop(&app).await.gaps;
    assert!(before.len() > 5000, "{} gap rows", before.len());
    let (before, after) = (sorted_gap_columns(&before), sorted_gap_columns(&after));
    assert_eq!(before.len(), after.len());
    let differing: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert!(
        differing.is_empty(),
        "{} rows differ (seeded, refreshed), e.g. {:?}",
        differing.len(),
        &differing[..differing.len().min(3)]
    );
}
