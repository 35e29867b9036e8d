//! The black-box harness: the real application on port 0 against a database of its own,
//! spoken to over HTTP.
//!
//! Backend: SQLite (a fresh file per test) unless `TEST_DATABASE_URL` names PostgreSQL, in
//! which case every test gets its own schema, dropped at the end. `TEST_REDIS_URL` makes the
//! app use Redis too. A configured service that does not answer fails the test: nothing is
//! skipped.

// This library is test code (the harness and its SMTP sink) although it is not
// `#[cfg(test)]`, so clippy's `allow-unwrap-in-tests` does not reach it: a failed fixture
// should stop the test on the spot, as in the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod process;
pub mod queue;
pub mod reviews;
pub mod rewards;
pub mod smtp;
pub mod ws;

use api::auth::Auth;
use api::{Application, Config};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::{Clock, FixedClock};
use entity::employee;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use uuid::Uuid;

/// The instant every test starts at: tests move it explicitly.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).single().unwrap()
}

/// A date literal for tests.
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad test date {s}: {e}"))
}

/// An instant literal for tests (RFC 3339).
pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.to_utc())
        .unwrap_or_else(|e| panic!("bad test instant {s}: {e}"))
}

/// A `CreateGoalInput` in `cycle`: sensible defaults with `overrides` merged over them.
pub fn goal_input(cycle: &str, overrides: Value) -> Value {
    let mut input = json!({
        "cycleId": cycle,
        "title": "Cut p95 latency of the checkout API",
        "weight": 50,
        "dueOn": "2027-06-30",
        "keyResults": [{
            "metric": "p95 latency", "unit": "ms", "direction": "DECREASE",
            "startValue": "800", "targetValue": "300"
        }]
    });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), overrides.as_object()) {
        for (k, v) in extra {
            input.insert(k.clone(), v.clone());
        }
    }
    input
}

/// Which backend this run uses.
pub fn backend() -> &'static str {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => "postgres",
        _ => "sqlite",
    }
}

enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, schema: String },
}

impl TestDb {
    async fn create() -> (Self, String) {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if admin_url.starts_with("postgres") => {
                let schema = format!("test_{}", Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(&admin_url)
                    .await
                    .expect("TEST_DATABASE_URL does not answer");
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("cannot create the test's schema");
                admin.close().await.ok();
                let sep = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
                (Self::Postgres { admin_url, schema }, url)
            }
            _ => {
                let dir = std::env::temp_dir().join("perfcycle-tests");
                std::fs::create_dir_all(&dir).expect("cannot create the test database directory");
                let file = dir.join(format!("{}.db", Uuid::new_v4()));
                let url = format!("sqlite://{}", file.display());
                (Self::Sqlite(file), url)
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            Self::Sqlite(file) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut f = file.clone().into_os_string();
                    f.push(suffix);
                    std::fs::remove_file(f).ok();
                }
            }
            Self::Postgres { admin_url, schema } => {
                let (url, schema) = (admin_url.clone(), schema.clone());
                // Drop runs inside the test's runtime: use a thread with its own.
                std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async {
                        if let Ok(db) = sea_orm::Database::connect(&url).await {
                            db.execute_unprepared(&format!(
                                "DROP SCHEMA IF EXISTS {schema} CASCADE"
                            ))
                            .await
                            .ok();
                            db.close().await.ok();
                        }
                    });
                })
                .join()
                .ok();
            }
        }
    }
}

/// A running application and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// An HTTP client.
    pub http: reqwest::Client,
    /// The database and clock the app uses, for fixtures and for checking what was written.
    pub ctx: domain::Ctx,
    /// The app's clock.
    pub clock: Arc<FixedClock>,
    /// Issues tokens the app accepts.
    pub auth: Auth,
    /// The secret tokens are signed with.
    pub jwt_secret: String,
    /// The app's database URL (for processes started beside it).
    pub database_url: String,
    /// The app's queue namespace (its live-event channel too), for processes beside it.
    pub namespace: String,
    /// `http://127.0.0.1:PORT` of `/metrics` when `PERFCYCLE_METRICS_ADDRESS` moved it.
    pub metrics_address: Option<String>,
    _db: TestDb,
}

/// The test's configuration for a database URL.
pub fn test_config(database_url: String, extra: &[(&str, &str)]) -> Config {
    let mut env = std::collections::BTreeMap::new();
    env.insert("DATABASE_URL".to_owned(), database_url);
    env.insert("PERFCYCLE_PORT".to_owned(), "0".to_owned());
    env.insert("PERFCYCLE_HTTP_WORKERS".to_owned(), "1".to_owned());
    env.insert("PERFCYCLE_DB_MAX_CONNECTIONS".to_owned(), "4".to_owned());
    env.insert(
        "PERFCYCLE_JWT_SECRET".to_owned(),
        format!("test-secret-{}", Uuid::new_v4().simple()),
    );
    env.insert("PERFCYCLE_MAX_BODY_BYTES".to_owned(), "65536".to_owned());
    // Tests share one Redis: each app its own queues and live-event channel.
    env.insert(
        "PERFCYCLE_QUEUE_NAMESPACE".to_owned(),
        format!("test-{}", Uuid::new_v4().simple()),
    );
    // Tests drive the schedules themselves, at the times they choose.
    env.insert("PERFCYCLE_EMBEDDED_WORKER".to_owned(), "false".to_owned());
    // Every test talks from 127.0.0.1, some in bursts; the rate-limit tests set their own.
    env.insert("PERFCYCLE_RATE_LIMIT_IP".to_owned(), "0".to_owned());
    env.insert("PERFCYCLE_RATE_LIMIT_USER".to_owned(), "0".to_owned());
    if let Ok(redis) = std::env::var("TEST_REDIS_URL") {
        env.insert("REDIS_URL".to_owned(), redis);
    }
    for (k, v) in extra {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let file = std::env::temp_dir().join("perfcycle-tests-no-config.toml");
    std::fs::write(&file, "").ok();
    Config::from_sources(Some(&file), &env).unwrap()
}

/// Starts the application on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the application with extra settings (environment variable names and values).
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let (db, url) = TestDb::create().await;
    let config = test_config(url.clone(), extra);
    let clock = Arc::new(FixedClock::new(start_time()));
    let app = Application::build_with_clock(config.clone(), clock.clone())
        .await
        .expect("the app did not start");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let ctx = app.ctx().clone();
    tokio::spawn(app.run_until_stopped());
    let auth = Auth::from_config(&config).unwrap();
    TestApp {
        address,
        http: reqwest::Client::new(),
        ctx,
        clock,
        auth,
        jwt_secret: config.jwt_secret.clone().unwrap(),
        database_url: url,
        namespace: config.queue_namespace.clone(),
        metrics_address,
        _db: db,
    }
}

/// A GraphQL response.
#[derive(Debug, Clone)]
pub struct Gql {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

impl Gql {
    /// `data`, asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.body))
    }

    /// The first error's `extensions.field`.
    pub fn field(&self) -> &str {
        self.body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or_else(|| panic!("no error field in {}", self.body))
    }

    /// Asserts the first error has `code` (and `field`, for BAD_USER_INPUT).
    pub fn assert_error(&self, code: &str, field: Option<&str>) {
        assert_eq!(self.code(), code, "{}", self.body);
        if let Some(f) = field {
            assert_eq!(self.field(), f, "{}", self.body);
        }
    }
}

impl TestApp {
    /// POSTs a GraphQL request as `token`'s holder.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut req = self
            .http
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request failed");
        let status = res.status().as_u16();
        let body = res.json().await.expect("the response is not JSON");
        Gql { status, body }
    }

    /// A token for the employee with this e-mail.
    pub async fn token(&self, email: &str) -> String {
        let e = self.employee(email).await;
        self.auth.issue(e.id, &e.email, None).unwrap()
    }

    /// The stored employee with this id.
    pub async fn employee_by_id(&self, id: uuid::Uuid) -> employee::Model {
        employee::Entity::find_by_id(id)
            .one(&self.ctx.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no employee {id}"))
    }

    /// The stored employee with this e-mail.
    pub async fn employee(&self, email: &str) -> employee::Model {
        employee::Entity::find()
            .filter(employee::Column::Email.eq(email))
            .one(&self.ctx.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no employee {email}"))
    }

    /// Imports an org chart from CSV rows (without the header).
    pub async fn import(&self, rows: &str) {
        let csv =
            format!("email,name,title,department,manager_email,role,hired_on,timezone\n{rows}");
        domain::import::employees(&self.ctx, csv.as_bytes())
            .await
            .expect("fixture import failed");
    }

    /// The standard organisation:
    ///
    /// ```text
    /// ceo ─┬─ hr (HR_ADMIN)
    ///      ├─ mgr ─┬─ alice
    ///      │       ├─ bob
    ///      │       └─ lead ── dave
    ///      └─ other ── carol
    /// ```
    pub async fn org(&self) -> Org {
        self.import(
            "ceo@t.io,Cleo Ceo,CEO,Exec,,EMPLOYEE,2015-01-01,Europe/Berlin\n\
             hr@t.io,Hank Hr,HR,People,ceo@t.io,HR_ADMIN,2016-01-01,Europe/Berlin\n\
             mgr@t.io,Mia Manager,Engineering Manager,Engineering,ceo@t.io,,2017-01-01,Europe/Berlin\n\
             alice@t.io,Alice Able,Engineer,Engineering,mgr@t.io,,2018-01-01,America/New_York\n\
             bob@t.io,Bob Baker,Engineer,Engineering,mgr@t.io,,2019-01-01,Asia/Kolkata\n\
             lead@t.io,Lea Lead,Tech Lead,Engineering,mgr@t.io,,2019-06-01,UTC\n\
             dave@t.io,Dave Dev,Engineer,Engineering,lead@t.io,,2020-01-01,UTC\n\
             other@t.io,Otto Other,Sales Manager,Sales,ceo@t.io,,2017-01-01,UTC\n\
             carol@t.io,Carol Closer,Account Executive,Sales,other@t.io,,2021-01-01,UTC\n",
        )
        .await;
        Org {
            ceo: self.token("ceo@t.io").await,
            hr: self.token("hr@t.io").await,
            mgr: self.token("mgr@t.io").await,
            alice: self.token("alice@t.io").await,
            bob: self.token("bob@t.io").await,
            lead: self.token("lead@t.io").await,
            dave: self.token("dave@t.io").await,
            other: self.token("other@t.io").await,
            carol: self.token("carol@t.io").await,
        }
    }

    /// Creates a cycle through the API (as `hr_token`) and moves it to ACTIVE; returns its id.
    pub async fn active_cycle(&self, hr_token: &str) -> String {
        let id = self.planning_cycle(hr_token, "FY2027").await;
        self.advance_cycle(hr_token, &id, "ACTIVE").await;
        id
    }

    /// Moves `cycle` on to phase `to` as `hr_token`, asserting it got there.
    pub async fn advance_cycle(&self, hr_token: &str, cycle: &str, to: &str) {
        let r = self
            .gql(
                Some(hr_token),
                "mutation($id: ID!, $to: CyclePhase!) { advanceCyclePhase(input: {id: $id, to: $to}) { phase } }",
                json!({ "id": cycle, "to": to }),
            )
            .await;
        assert_eq!(r.data()["advanceCyclePhase"]["phase"], to);
    }

    /// Creates a cycle for 2027 in PLANNING; returns its id.
    pub async fn planning_cycle(&self, hr_token: &str, name: &str) -> String {
        let r = self
            .gql(
                Some(hr_token),
                "mutation($input: CreateCycleInput!) { createCycle(input: $input) { id phase } }",
                json!({ "input": {
                    "name": name, "startsOn": "2027-01-01", "endsOn": "2027-12-31",
                    "reviewOpensOn": "2027-11-15", "reviewDueOn": "2027-12-15"
                }}),
            )
            .await;
        r.data()["createCycle"]["id"].as_str().unwrap().to_owned()
    }

    /// Creates a goal from `input` (merged over sensible defaults) as `token`; returns the
    /// whole response.
    pub async fn create_goal(&self, token: &str, cycle: &str, input: Value) -> Gql {
        self.gql(
            Some(token),
            "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id status title weight level visibility keyResults { id progress } } }",
            json!({ "input": goal_input(cycle, input) }),
        )
        .await
    }

    /// Creates a goal and returns its id, asserting success.
    pub async fn goal_id(&self, token: &str, cycle: &str, input: Value) -> String {
        let r = self.create_goal(token, cycle, input).await;
        r.data()["createGoal"]["id"].as_str().unwrap().to_owned()
    }

    /// Runs a one-goal mutation such as `proposeGoal` and returns the response.
    pub async fn goal_action(&self, token: &str, mutation: &str, id: &str) -> Gql {
        self.gql(
            Some(token),
            &format!("mutation($id: ID!) {{ {mutation}(input: {{ id: $id }}) {{ id status }} }}"),
            json!({ "id": id }),
        )
        .await
    }

    /// Creates a goal from `input` as `owner`, who proposes it, and has `agreer` agree it;
    /// returns it with its first key result.
    pub async fn agreed_goal(
        &self,
        owner: &str,
        agreer: &str,
        cycle: &str,
        input: Value,
    ) -> AgreedGoal {
        let goal_id = self.goal_id(owner, cycle, input).await;
        self.goal_action(owner, "proposeGoal", &goal_id)
            .await
            .data();
        let r = self.goal_action(agreer, "agreeGoal", &goal_id).await;
        assert_eq!(r.data()["agreeGoal"]["status"], "AGREED");
        let key_result_id = self
            .gql(
                Some(owner),
                "query($id: ID!) { goal(id: $id) { keyResults { id } } }",
                json!({ "id": goal_id }),
            )
            .await
            .data()["goal"]["keyResults"][0]["id"]
            .as_str()
            .expect("the agreed goal has no key result")
            .to_owned();
        AgreedGoal {
            goal_id,
            key_result_id,
        }
    }

    /// Opens the check-ins due at the app's clock (the opening step of the scheduled scan
    /// alone); returns how many it opened.
    pub async fn open_check_ins(&self) -> u64 {
        domain::check_ins::open_due(
            &self.ctx,
            self.clock.now(),
            domain::check_ins::DEFAULT_REMINDER_TIME,
        )
        .await
        .unwrap()
    }

    /// Moves the clock to `when` and runs the whole scheduled check-in scan there: open,
    /// remind, mark missed.
    pub async fn scan_check_ins(&self, when: &str) -> worker::ScanReport {
        self.clock.set(at(when));
        worker::run_check_in_scans(&self.ctx, domain::check_ins::DEFAULT_REMINDER_TIME)
            .await
            .unwrap()
    }

    /// The check-ins of the employee with `email` that `token`'s holder sees, as
    /// `checkIns` lists them.
    pub async fn check_ins_of(&self, token: &str, email: &str) -> Vec<Value> {
        let e = self.employee(email).await;
        let r = self
            .gql(
                Some(token),
                CHECK_INS,
                json!({ "f": { "employeeId": e.id.to_string() } }),
            )
            .await;
        r.data()["checkIns"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"].clone())
            .collect()
    }

    /// The app's whole `/metrics` exposition, from wherever it is served.
    pub async fn metrics_text(&self) -> String {
        self.http
            .get(format!(
                "{}/metrics",
                self.metrics_address.as_deref().unwrap_or(&self.address)
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A value the app reports on `/metrics`: a counter or gauge, named with its labels as
    /// exposed (`name{label="value"}`) when it has any.
    pub async fn metric(&self, name: &str) -> u64 {
        let text = self.metrics_text().await;
        let prefix = format!("{name} ");
        text.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    }

    /// SQL statements the app has run so far, read from `/metrics`.
    pub async fn statements(&self) -> u64 {
        self.metric("perfcycle_db_statements_total").await
    }

    /// Asserts the server is alive and still answers `token`'s holder.
    pub async fn assert_still_answers(&self, token: &str) {
        let r = self.gql(Some(token), "{ me { name } }", json!({})).await;
        assert_eq!(r.status, 200);
        assert!(r.data()["me"]["name"].is_string(), "{}", r.body);
    }

    /// Rows in a table, for checking that nothing was written.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .ctx
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.ctx.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .expect("COUNT(*) returned no row");
        row.try_get::<i64>("", "n").unwrap()
    }
}

const CHECK_INS: &str = "query($f: CheckInFilter) { checkIns(filter: $f) { totalCount edges { node { id status periodStart periodEnd cadence closesAt employee { email } confidence updates { keyResultId previousValue newValue } } } } }";

/// A goal that is AGREED, and its first key result (see [`TestApp::agreed_goal`]).
pub struct AgreedGoal {
    pub goal_id: String,
    pub key_result_id: String,
}

/// Tokens of the standard organisation (see [`TestApp::org`]).
pub struct Org {
    pub ceo: String,
    pub hr: String,
    pub mgr: String,
    pub alice: String,
    pub bob: String,
    pub lead: String,
    pub dave: String,
    pub other: String,
    pub carol: String,
}
