//! The query plans of the everyday reads: the SQL the domain really issues, recorded from the
//! connection and explained on the test's backend. On PostgreSQL `enable_seqscan = off`
//! shows that an index can serve each statement (the planner prefers sequential scans on a
//! test's few rows); on SQLite, which plans without statistics, the plan itself must search
//! an index rather than scan a big table.

use domain::check_ins::TeamScope;
use domain::page::{PageRequest, Position, SortKey};
use domain::{Ctx, Viewer, check_ins, employees, feedback, goals};
use perfcycle_tests::{TestApp, backend, spawn_app};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement, TransactionTrait,
};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// Tables that grow with the organisation.
const BIG: &[&str] = &["goal", "check_in", "employee", "feedback", "key_result"];

/// A context on the app's database that records every statement it runs.
async fn recording(app: &TestApp) -> (Ctx, Arc<Mutex<Vec<Statement>>>) {
    let seen: Arc<Mutex<Vec<Statement>>> = Arc::default();
    let mut db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let sink = seen.clone();
    db.set_metric_callback(move |info| sink.lock().unwrap().push(info.statement.clone()));
    let ctx = Ctx {
        db,
        clock: app.ctx.clock.clone(),
    };
    (ctx, seen)
}

/// The plan of one statement, one line per node.
async fn plan(app: &TestApp, s: &Statement, settings: &[&str]) -> String {
    let db = &app.ctx.db;
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let txn = db.begin().await.unwrap();
            for setting in ["enable_seqscan = off"].iter().chain(settings) {
                txn.execute_unprepared(&format!("SET LOCAL {setting}"))
                    .await
                    .unwrap();
            }
            let explain = Statement {
                sql: format!("EXPLAIN {}", s.sql),
                values: s.values.clone(),
                db_backend: s.db_backend,
            };
            let rows = txn.query_all_raw(explain).await.unwrap();
            txn.rollback().await.unwrap();
            rows.iter()
                .map(|r| r.try_get::<String>("", "QUERY PLAN").unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        }
        _ => {
            let explain = Statement {
                sql: format!("EXPLAIN QUERY PLAN {}", s.sql),
                values: s.values.clone(),
                db_backend: s.db_backend,
            };
            let rows = db.query_all_raw(explain).await.unwrap();
            rows.iter()
                .map(|r| r.try_get::<String>("", "detail").unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

/// Runs `read`, then checks the plan of every statement it issued: no sequential scan of a
/// big table, and every index in `uses` somewhere in the plans.
async fn assert_indexed<F>(
    app: &TestApp,
    seen: &Mutex<Vec<Statement>>,
    name: &str,
    uses: &[&str],
    read: F,
) where
    F: AsyncFnOnce(),
{
    assert_indexed_with(app, seen, name, uses, &[], read).await;
}

/// [`assert_indexed`] with more planner settings (PostgreSQL).
async fn assert_indexed_with<F>(
    app: &TestApp,
    seen: &Mutex<Vec<Statement>>,
    name: &str,
    uses: &[&str],
    settings: &[&str],
    read: F,
) where
    F: AsyncFnOnce(),
{
    seen.lock().unwrap().clear();
    read().await;
    let statements = std::mem::take(&mut *seen.lock().unwrap());
    assert!(!statements.is_empty(), "{name}: no statement recorded");
    let mut plans = String::new();
    for s in &statements {
        let p = plan(app, s, settings).await;
        for table in BIG {
            let full_scan = p.lines().any(|l| match backend() {
                "postgres" => l.contains(&format!("Seq Scan on {table} ")),
                // "SCAN goal" reads the whole table; "SCAN goal USING INDEX" walks an index
                // in order (stopping at the page's LIMIT); "SEARCH" is a range or a lookup.
                _ => l.trim() == format!("SCAN {table}"),
            });
            assert!(
                !full_scan,
                "{name}: {table} is scanned whole by\n{}\n{p}",
                s.sql
            );
        }
        plans.push_str(&p);
        plans.push('\n');
    }
    for index in uses {
        assert!(
            plans.contains(index),
            "{name}: {index} is not used:\n{plans}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_everyday_reads_are_index_backed() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    for token in [&org.alice, &org.bob, &org.dave] {
        app.goal_id(token, &cycle, json!({})).await;
        app.goal_id(
            token,
            &cycle,
            json!({ "visibility": "PUBLIC", "level": "TEAM" }),
        )
        .await;
    }
    let (ctx, seen) = recording(&app).await;
    let viewer = |email: &'static str| {
        let app = &app;
        async move {
            Viewer {
                employee: app.employee(email).await,
            }
        }
    };
    let (hr, mgr, alice) = (
        viewer("hr@t.io").await,
        viewer("mgr@t.io").await,
        viewer("alice@t.io").await,
    );
    let pg = backend() == "postgres";
    // The subtree range and its index (SQLite's plain index on path is byte order already).
    let path_index = if pg {
        "idx_employee_path_c"
    } else {
        "idx_employee_path"
    };
    let later = |key: SortKey| PageRequest {
        after: Some(Position {
            key,
            id: uuid::Uuid::nil(),
        }),
        limit: 20,
        count_total: false,
    };
    let first = PageRequest::first(20);
    let counted = PageRequest {
        count_total: true,
        ..PageRequest::first(20)
    };
    let t0 = SortKey::Time(perfcycle_tests::start_time());
    let d0 = SortKey::Date(perfcycle_tests::date("2027-03-01"));

    assert_indexed(
        &app,
        &seen,
        "a manager's goals",
        &[path_index, "idx_goal_public_created"],
        async || {
            goals::list(&ctx, &mgr, &Default::default(), &counted)
                .await
                .unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "a manager's goals, a later page",
        &[path_index, "idx_goal_public_created"],
        async || {
            goals::list(&ctx, &mgr, &Default::default(), &later(t0.clone()))
                .await
                .unwrap();
        },
    )
    .await;
    let own = goals::GoalFilter {
        owner_id: Some(alice.id()),
        ..Default::default()
    };
    assert_indexed(
        &app,
        &seen,
        "an employee's own goals",
        &["idx_goal_owner_"],
        async || {
            goals::list(&ctx, &alice, &own, &first).await.unwrap();
        },
    )
    .await;
    let below_mgr = goals::GoalFilter {
        subtree_of: Some(mgr.id()),
        ..Default::default()
    };
    let in_department = goals::GoalFilter {
        department_id: app.employee("mgr@t.io").await.department_id,
        ..Default::default()
    };
    for (name, filter, index) in [
        ("HR's goals of one subtree", &below_mgr, path_index),
        (
            "HR's goals of one department",
            &in_department,
            "idx_employee_department",
        ),
    ] {
        assert_indexed(&app, &seen, name, &[index], async || {
            goals::list(&ctx, &hr, filter, &first).await.unwrap();
        })
        .await;
    }
    let off_track = goals::GoalFilter {
        health: vec![domain::values::GoalHealth::OffTrack],
        ..Default::default()
    };
    assert_indexed(
        &app,
        &seen,
        "HR's goals of one health, a later page",
        &["idx_goal_health_created"],
        async || {
            goals::list(&ctx, &hr, &off_track, &later(t0.clone()))
                .await
                .unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "HR's goals, a later page",
        &["idx_goal_created"],
        async || {
            goals::list(&ctx, &hr, &Default::default(), &later(t0.clone()))
                .await
                .unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "a manager's check-ins",
        &[path_index],
        async || {
            check_ins::list(&ctx, &mgr, &Default::default(), &later(d0.clone()))
                .await
                .unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "HR's check-ins, a later page",
        &["idx_check_in_period"],
        async || {
            check_ins::list(&ctx, &hr, &Default::default(), &later(d0.clone()))
                .await
                .unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "a manager's team check-ins",
        &["idx_employee_manager"],
        async || {
            let day = Some(perfcycle_tests::date("2027-03-03"));
            let team = check_ins::team(&ctx, &mgr, mgr.id(), TeamScope::Direct, day)
                .await
                .unwrap();
            team.page(&ctx, &PageRequest::first(20)).await.unwrap();
            team.counts(&ctx).await.unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "a manager's cycle overview",
        &["idx_employee_path"],
        async || {
            let overview = domain::overview::overview(
                &ctx,
                &mgr,
                uuid::Uuid::parse_str(&cycle).unwrap(),
                None,
            )
            .await
            .unwrap();
            overview.people(&ctx).await.unwrap();
            overview.goals(&ctx).await.unwrap();
            overview.compliance(&ctx, 4).await.unwrap();
            overview.count_without_goals(&ctx).await.unwrap();
            overview
                .without_goals_page(&ctx, &PageRequest::first(20))
                .await
                .unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "a manager's whole team's check-ins, for each person's today",
        &["idx_employee_path"],
        async || {
            let team = check_ins::team(&ctx, &mgr, mgr.id(), TeamScope::Subtree, None)
                .await
                .unwrap();
            team.page(&ctx, &PageRequest::first(20)).await.unwrap();
            team.counts(&ctx).await.unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "a manager's team with goals",
        &["idx_goal_owner_"],
        async || {
            let reports = employees::reports_of(&ctx.db, &[mgr.id()]).await.unwrap();
            let keys: Vec<_> = reports.values().flatten().map(|e| (e.id, None)).collect();
            goals::of_owners(&ctx.db, &keys).await.unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "the directory, a later page",
        &["idx_employee_name_id"],
        async || {
            employees::list(
                &ctx.db,
                &alice,
                &Default::default(),
                &later(SortKey::Text("Bob".into())),
            )
            .await
            .unwrap();
        },
    )
    .await;
    let engineering = app.employee("alice@t.io").await.department_id.unwrap();
    assert_indexed(
        &app,
        &seen,
        "a department's members, a later page",
        &["idx_employee_department_name"],
        async || {
            let members = employees::EmployeeFilter {
                department_id: Some(engineering),
                ..Default::default()
            };
            employees::list(
                &ctx.db,
                &alice,
                &members,
                &later(SortKey::Text("Bob".into())),
            )
            .await
            .unwrap();
        },
    )
    .await;
    assert_indexed(
        &app,
        &seen,
        "departments' headcounts",
        &["idx_employee_department"],
        async || {
            employees::headcounts(&ctx.db, &[engineering])
                .await
                .unwrap();
        },
    )
    .await;
    let feedback_indexes = [
        path_index,
        "idx_feedback_author_created",
        "idx_feedback_public_created",
    ];
    assert_indexed(
        &app,
        &seen,
        "feedback for an employee",
        &feedback_indexes,
        async || {
            feedback::list(&ctx, &alice, &Default::default(), &first)
                .await
                .unwrap();
        },
    )
    .await;
    if pg {
        // A substring match reads the whole directory on SQLite (measured in the plans
        // report); on PostgreSQL the trigram indexes can answer it. On a test's few rows
        // walking the name index is cheaper, so that path is closed to see the other.
        let search = employees::EmployeeFilter {
            search: Some("clos".into()),
            ..Default::default()
        };
        assert_indexed_with(
            &app,
            &seen,
            "the directory search",
            &["idx_employee_name_trgm"],
            &["enable_indexscan = off"],
            async || {
                employees::list(&ctx.db, &hr, &search, &first)
                    .await
                    .unwrap();
            },
        )
        .await;
        let search = goals::GoalFilter {
            search: Some("latency".into()),
            ..Default::default()
        };
        assert_indexed_with(
            &app,
            &seen,
            "HR's goal search",
            &["idx_goal_title_trgm"],
            &["enable_indexscan = off"],
            async || {
                goals::list(&ctx, &hr, &search, &first).await.unwrap();
            },
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_pg_trgm_the_migration_succeeds_and_the_search_still_works() {
    let admin_url = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => url,
        _ => {
            println!("skipped: pg_trgm is PostgreSQL's; set TEST_DATABASE_URL to run it");
            return;
        }
    };
    // A fresh database without the extension, migrated by a role that may not install it
    // (not a superuser, no CREATE on the database or on `public`), as a production role is.
    let name = format!("perfcycle_notrgm_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(&admin_url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE ROLE {name} NOLOGIN"))
        .await
        .unwrap();
    let (base, _) = admin_url
        .split_once('?')
        .unwrap_or((admin_url.as_str(), ""));
    let base = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
    let owner = sea_orm::Database::connect(&base).await.unwrap();
    owner
        .execute_unprepared(&format!("CREATE SCHEMA app AUTHORIZATION {name}"))
        .await
        .unwrap();
    owner.close().await.unwrap();
    let url = format!("{base}?options=-c%20role%3D{name}%20-c%20search_path%3Dapp");
    let outcome = async {
        let db = domain::db::connect(&url, 2).await.unwrap();
        api::db::migrate(&db).await.unwrap();
        let ask = |sql: &str| {
            let db = &db;
            let sql = sql.to_owned();
            async move {
                db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
                    .await
                    .unwrap()
                    .unwrap()
                    .try_get::<i64>("", "n")
                    .unwrap()
            }
        };
        let extension =
            ask("SELECT COUNT(*) AS n FROM pg_extension WHERE extname = 'pg_trgm'").await;
        let index =
            ask("SELECT COUNT(*) AS n FROM pg_indexes WHERE indexname = 'idx_employee_name_trgm'")
                .await;
        let ctx = Ctx::new(db.clone());
        domain::seed::generate_people(&ctx, 30, 1).await.unwrap();
        let hr = Viewer {
            employee: entity::employee::Entity::find()
                .filter(entity::employee::Column::Role.eq(entity::values::Role::HrAdmin))
                .one(&db)
                .await
                .unwrap()
                .unwrap(),
        };
        let wanted = hr.employee.name.to_lowercase();
        let part: String = wanted.chars().skip(1).take(4).collect();
        let search = employees::EmployeeFilter {
            search: Some(part.to_uppercase()),
            ..Default::default()
        };
        let found = employees::list(&db, &hr, &search, &PageRequest::first(100))
            .await
            .unwrap();
        db.close().await.unwrap();
        (
            extension,
            index,
            found.items.iter().any(|(_, e)| e.id == hr.employee.id),
        )
    }
    .await;
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("DROP ROLE {name}"))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        (0, 0, true),
        "(pg_trgm installed, its index, search found)"
    );
}
