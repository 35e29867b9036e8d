use std::path::Path;

#[test]
fn committed_schema_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let current = api::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is stale: run `cargo run -q -- schema > schema.graphql` and commit it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_suite_runs_on_the_backend_ci_asked_for() {
    let app = perfcycle_tests::spawn_app().await;
    let actual = match sea_orm::ConnectionTrait::get_database_backend(&app.ctx.db) {
        sea_orm::DbBackend::Postgres => "postgres",
        sea_orm::DbBackend::Sqlite => "sqlite",
        other => panic!("unexpected backend {other:?}"),
    };
    assert_eq!(actual, perfcycle_tests::backend());
    if let Ok(expected) = std::env::var("PERFCYCLE_EXPECT_BACKEND") {
        assert_eq!(
            actual, expected,
            "CI asked for {expected} but the suite ran on {actual}"
        );
    }
}
