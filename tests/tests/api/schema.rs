use sea_orm::{ConnectionTrait, Statement};
use std::path::Path;

#[test]
fn committed_schema_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap();
    let current = api::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is stale: run `cargo run -q -- schema > schema.graphql` and commit it"
    );
}

/// What the app's own connection answers to `sql` (one text column named `v`), or the
/// database's refusal.
async fn ask(app: &perfcycle_tests::TestApp, sql: &str) -> Result<String, sea_orm::DbErr> {
    let db = &app.ctx.db;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound(sql.to_owned()))?;
    row.try_get::<String>("", "v")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_runs_on_the_database_the_run_asked_for() {
    let app = perfcycle_tests::spawn_app().await;
    // Ask the database itself, in SQL only one engine understands, not the URL it came from.
    let (actual, version) = match ask(&app, "SELECT version() AS v").await {
        Ok(v) if v.starts_with("PostgreSQL") => ("postgres", v),
        _ => match ask(&app, "SELECT sqlite_version() AS v").await {
            Ok(v) => ("sqlite", format!("SQLite {v}")),
            Err(e) => panic!("the database is neither PostgreSQL nor SQLite: {e}"),
        },
    };
    let asked = match std::env::var("TEST_DATABASE_URL") {
        Ok(_) => "postgres",
        Err(_) => "sqlite",
    };
    assert_eq!(
        actual, asked,
        "TEST_DATABASE_URL asks for {asked} but the app runs on {version}"
    );
    if let Ok(expected) = std::env::var("PERFCYCLE_EXPECT_BACKEND") {
        assert_eq!(
            actual, expected,
            "CI asked for {expected} but the app runs on {version}"
        );
    }
    if actual == "postgres" {
        let schema = ask(&app, "SELECT current_schema() AS v").await;
        assert!(
            schema.as_deref().is_ok_and(|s| s.starts_with("test_")),
            "the app is not in a schema of its own: {schema:?}"
        );
    }
}
