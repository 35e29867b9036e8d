//! Read (and one write) load generator for a running `perfcycle serve`: a fixed number of
//! keep-alive HTTP/1.1 connections, each sending one GraphQL request after another for a
//! warm-up and then a measured period; requests/s, p50, p99 and errors of the measured period.
//!
//! ```text
//! reads setup URL HR_TOKEN MANAGER_TOKEN EMPLOYEE_TOKEN SEARCH > scenarios.json
//! reads run URL scenarios.json NAME [--once] [--connections 16] [--warmup 3] [--duration 12]
//!     [--due FILE --secret S]
//! reads sql DATABASE < postgresql.log > request.sql
//! ```
//!
//! `setup` asks who the manager and the employee are and the manager's department, follows
//! HR's `goals` list for 199 pages to find the cursor of page 200, and writes every scenario
//! (name, token, query, variables) as JSON; the skill-gap scenarios read the manager's
//! subtree, HR's view of that department and the employee's own gaps. `run` plays one
//! scenario and prints one tab-separated line: name, requests, errors, req/s, p50 ms,
//! p99 ms, max ms, and the first error seen. `--once` sends a single request and prints its
//! response (to capture the SQL it issues). The `submitCheckIn` scenario needs `--due`, a
//! file of `employee_id<TAB>check_in_id` lines (DUE check-ins, each submitted once), and the
//! server's HS256 secret to sign each employee's token. `sql` reads a stretch of PostgreSQL's
//! log written with `log_min_duration_statement = 0` and prints the statements one database
//! ran, with their bound parameters inlined, as a pgbench script.

use serde_json::{Value, json};
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// What an HR table of goals shows.
const GOAL_ROW: &str = "id title status level weight dueOn progress owner { id name }";

fn page(first: u32, with_count: bool, after: bool) -> String {
    let count = if with_count { " totalCount" } else { "" };
    let (var, arg) = if after {
        ("($after: String)", ", after: $after")
    } else {
        ("", "")
    };
    format!(
        "query Goals{var} {{ goals(first: {first}{arg}) {{ edges {{ node {{ {GOAL_ROW} }} }} pageInfo {{ hasNextPage endCursor }}{count} }} }}"
    )
}

const OWN_GOALS: &str = "query OwnGoals { me { id name goals { id title status weight dueOn progress keyResults { id metric unit currentValue targetValue progress } } } }";
const TEAM_GOALS: &str = "query Team { me { id name reports(first: 100) { nodes { id name title goals { id title status weight progress keyResults { id metric unit currentValue targetValue progress } } } } } }";
const CHECK_INS: &str = "query CheckIns { checkIns(first: 20) { edges { node { id periodStart periodEnd status confidence submittedAt employee { id name } } } pageInfo { hasNextPage endCursor } } }";
const SEARCH: &str = "query Search($search: String!) { employees(first: 20, filter: { search: $search }) { edges { node { id name email title department { name } manager { name } } } pageInfo { hasNextPage endCursor } } }";
const TEAM_CHECK_INS: &str = "query TeamCheckIns($manager: ID!) { teamCheckIns(managerId: $manager) { counts { people due submitted acknowledged missed notOpened } people(first: 50) { edges { node { employee { id name } checkIn { id status confidence periodStart periodEnd submittedAt } } } } } }";
const TEAM_SUBTREE: &str = "query TeamSubtree($manager: ID!) { teamCheckIns(managerId: $manager, scope: SUBTREE) { counts { people due submitted acknowledged missed notOpened } people(first: 50) { edges { node { employee { id name } checkIn { id status periodStart } } } } } }";
const OVERVIEW: &str = "query Overview($cycle: ID!) { cycleOverview(cycleId: $cycle) { people peopleWithoutGoals goals { total agreementRate byStatus { status count } byHealth { health count } } checkInCompliance(weeks: 4) { weekStart submitted missed pending rate } withoutGoals(first: 20) { nodes { id name } } } }";
const GOAL_SEARCH: &str = "query GoalSearch($search: String!) { goals(first: 20, filter: { search: $search }) { edges { node { id title status owner { id name } } } pageInfo { hasNextPage endCursor } } }";
/// What a skill-gap heat map shows of each cell.
const GAP_CELL: &str =
    "employee { id name } skill { id name } expectedLevel managerLevel selfLevel gap";

/// The first 50 gap rows of a scope, largest gaps first.
fn gaps(name: &str, argument: &str, variable: &str) -> String {
    format!(
        "query {name}(${variable}: ID!) {{ skillGaps({argument}: ${variable}, first: 50) {{ edges {{ node {{ {GAP_CELL} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )
}

const SUBMIT: &str = "mutation Submit($id: ID!) { submitCheckIn(input: {id: $id, confidence: 4, wins: \"Shipped what I planned\", nextSteps: \"Start the next milestone\" }) { checkIn { id status submittedAt } } }";

/// The first GraphQL error's code and message, or the HTTP status, if the request failed.
fn failure(status: reqwest::StatusCode, body: &[u8]) -> Option<String> {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let first = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(|e| e.get(0))
        .map(|e| {
            format!(
                "{}: {}",
                e.pointer("/extensions/code")
                    .and_then(Value::as_str)
                    .unwrap_or("?"),
                e.get("message").and_then(Value::as_str).unwrap_or("")
            )
        });
    match (status.is_success(), first, parsed.is_some()) {
        (_, Some(e), _) => Some(e),
        (true, None, true) => None,
        (true, None, false) => Some("response is not JSON".into()),
        (false, None, _) => Some(format!("HTTP {status}")),
    }
}

async fn post(client: &reqwest::Client, url: &str, token: &str, body: &Value) -> Res<Value> {
    let r = client
        .post(url)
        .bearer_auth(token)
        .header("accept", "application/json")
        .json(body)
        .send()
        .await?;
    let status = r.status();
    let bytes = r.bytes().await?;
    if let Some(e) = failure(status, &bytes) {
        return Err(e.into());
    }
    Ok(serde_json::from_slice(&bytes)?)
}

fn connection() -> Res<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()?)
}

async fn setup(args: &[String]) -> Res<()> {
    let [url, hr, manager, employee, search] = args else {
        return Err("setup URL HR_TOKEN MANAGER_TOKEN EMPLOYEE_TOKEN SEARCH".into());
    };
    let client = connection()?;
    let me = post(
        &client,
        url,
        manager,
        &json!({ "query": "{ me { id department { id } } }" }),
    )
    .await?;
    let manager_id = me
        .pointer("/data/me/id")
        .and_then(Value::as_str)
        .ok_or("no manager id")?
        .to_owned();
    let department_id = me
        .pointer("/data/me/department/id")
        .and_then(Value::as_str)
        .ok_or("the manager has no department")?
        .to_owned();
    let me = post(&client, url, employee, &json!({ "query": "{ me { id } }" })).await?;
    let employee_id = me
        .pointer("/data/me/id")
        .and_then(Value::as_str)
        .ok_or("no employee id")?
        .to_owned();
    let cycles = post(&client, url, hr, &json!({ "query": "{ cycles { id } }" })).await?;
    let cycle_id = cycles
        .pointer("/data/cycles/0/id")
        .and_then(Value::as_str)
        .ok_or("no cycle")?
        .to_owned();
    let mut after = Value::Null;
    for _ in 0..199 {
        let r = post(
            &client,
            url,
            hr,
            &json!({ "query": page(20, false, true), "variables": { "after": after } }),
        )
        .await?;
        after = r
            .pointer("/data/goals/pageInfo/endCursor")
            .cloned()
            .ok_or("no endCursor before page 200")?;
    }
    let s = |name: &str, token: &str, query: &str, variables: Value| json!({ "name": name, "token": token, "query": query, "variables": variables });
    let scenarios = json!([
        s(
            "employee: own goals + key results",
            employee,
            OWN_GOALS,
            json!({})
        ),
        s("manager: team with goals", manager, TEAM_GOALS, json!({})),
        s(
            "manager: goals page 1",
            manager,
            &page(20, false, false),
            json!({})
        ),
        s("manager: checkIns page 1", manager, CHECK_INS, json!({})),
        s(
            "manager: teamCheckIns",
            manager,
            TEAM_CHECK_INS,
            json!({ "manager": manager_id })
        ),
        s(
            "manager: teamCheckIns SUBTREE",
            manager,
            TEAM_SUBTREE,
            json!({ "manager": manager_id })
        ),
        s(
            "manager: cycleOverview",
            manager,
            OVERVIEW,
            json!({ "cycle": cycle_id })
        ),
        s(
            "HR: cycleOverview",
            hr,
            OVERVIEW,
            json!({ "cycle": cycle_id })
        ),
        s(
            "HR: goals search",
            hr,
            GOAL_SEARCH,
            json!({ "search": "roadmap" })
        ),
        s("HR: goals page 1", hr, &page(20, false, false), json!({})),
        s(
            "HR: goals page 1 + totalCount",
            hr,
            &page(20, true, false),
            json!({})
        ),
        s(
            "HR: goals page 200",
            hr,
            &page(20, false, true),
            json!({ "after": after })
        ),
        s(
            "HR: employees search",
            hr,
            SEARCH,
            json!({ "search": search })
        ),
        s(
            "manager: skillGaps SUBTREE",
            manager,
            &gaps("SubtreeGaps", "managerId", "manager"),
            json!({ "manager": manager_id })
        ),
        s(
            "HR: skillGaps department",
            hr,
            &gaps("DepartmentGaps", "departmentId", "department"),
            json!({ "department": department_id })
        ),
        s(
            "employee: own skillGaps",
            employee,
            &gaps("OwnGaps", "employeeId", "employee"),
            json!({ "employee": employee_id })
        ),
        s("employee: submitCheckIn", "", SUBMIT, json!({})),
    ]);
    println!("{}", serde_json::to_string_pretty(&scenarios)?);
    Ok(())
}

/// Signs an HS256 token for an employee, as `perfcycle token` does.
fn sign(secret: &str, employee_id: &str) -> Res<String> {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": employee_id, "iat": now, "exp": now + 3600 });
    Ok(jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )?)
}

/// Where each request's token and body come from.
enum Source {
    /// The same request every time.
    Fixed { token: String, body: Value },
    /// The next DUE check-in from the list, submitted by its employee.
    Due {
        secret: String,
        due: Vec<(String, String)>,
        next: AtomicUsize,
    },
}

impl Source {
    /// The next request; `None` once every DUE check-in was submitted.
    fn request(&self) -> Res<Option<(String, Value)>> {
        match self {
            Source::Fixed { token, body } => Ok(Some((token.clone(), body.clone()))),
            Source::Due { secret, due, next } => {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((employee, check_in)) = due.get(i) else {
                    return Ok(None);
                };
                Ok(Some((
                    sign(secret, employee)?,
                    json!({ "query": SUBMIT, "variables": { "id": check_in } }),
                )))
            }
        }
    }
}

/// One connection's outcomes in the measured period: latencies (µs) and errors; errors of
/// requests outside it (warm-up, or still running at the end) are counted apart.
#[derive(Default)]
struct Tally {
    micros: Vec<u64>,
    errors: usize,
    errors_outside: usize,
    first_error: Option<String>,
    /// When the requests ran out, if they did before the end.
    ran_out: Option<Instant>,
}

async fn connection_loop(
    url: String,
    source: Arc<Source>,
    measure_from: Instant,
    end: Instant,
) -> Res<Tally> {
    let client = connection()?;
    let mut tally = Tally::default();
    while Instant::now() < end {
        let Some((token, body)) = source.request()? else {
            tally.ran_out = Some(Instant::now());
            break;
        };
        let started = Instant::now();
        let outcome = post(&client, &url, &token, &body).await;
        let done = Instant::now();
        if started < measure_from || done > end {
            if let Err(e) = outcome {
                tally.errors_outside += 1;
                tally.first_error.get_or_insert_with(|| e.to_string());
            }
            continue;
        }
        tally
            .micros
            .push(u64::try_from(done.duration_since(started).as_micros()).unwrap_or(u64::MAX));
        if let Err(e) = outcome {
            tally.errors += 1;
            tally.first_error.get_or_insert_with(|| e.to_string());
        }
    }
    Ok(tally)
}

fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Res<T> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a value").into()),
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1000.0
}

async fn run(args: &[String]) -> Res<()> {
    let [url, file, name, ..] = args else {
        return Err("run URL SCENARIOS NAME [flags]".into());
    };
    let scenarios: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(file)?)?;
    let scenario = scenarios
        .iter()
        .find(|s| s.get("name").and_then(Value::as_str) == Some(name))
        .ok_or_else(|| format!("no scenario named {name}"))?;
    let text = |key: &str| {
        scenario
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let due_file: String = flag(args, "--due", String::new())?;
    let source = Arc::new(if due_file.is_empty() {
        Source::Fixed {
            token: text("token"),
            body: json!({ "query": text("query"), "variables": scenario.get("variables") }),
        }
    } else {
        let due = std::fs::read_to_string(&due_file)?
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(e, c)| (e.trim().to_owned(), c.trim().to_owned()))
            .collect();
        Source::Due {
            secret: flag(args, "--secret", String::new())?,
            due,
            next: AtomicUsize::new(0),
        }
    });
    if args.iter().any(|a| a == "--once") {
        let (token, body) = source.request()?.ok_or("no DUE check-in to submit")?;
        let r = post(&connection()?, url, &token, &body).await?;
        let shown = serde_json::to_string(&r)?;
        println!("{}", shown.chars().take(400).collect::<String>());
        return Ok(());
    }
    let connections: usize = flag(args, "--connections", 16)?;
    let warmup = Duration::from_secs_f64(flag(args, "--warmup", 3.0)?);
    let duration = Duration::from_secs_f64(flag(args, "--duration", 12.0)?);
    let start = Instant::now();
    let (measure_from, end) = (start + warmup, start + warmup + duration);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            tokio::spawn(connection_loop(
                url.clone(),
                source.clone(),
                measure_from,
                end,
            ))
        })
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        let tally = t.await??;
        all.micros.extend(tally.micros);
        all.errors += tally.errors;
        all.errors_outside += tally.errors_outside;
        if all.first_error.is_none() {
            all.first_error = tally.first_error;
        }
        all.ran_out = match (all.ran_out, tally.ran_out) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    // Requests that ran out early are measured over the time they lasted.
    let measured = all
        .ran_out
        .map_or(end, |t| t.min(end))
        .saturating_duration_since(measure_from);
    all.micros.sort_unstable();
    let mut first_error = match (all.first_error, all.errors_outside) {
        (Some(e), 0) => e,
        (Some(e), n) => format!("and {n} outside the measured period, not counted; first: {e}"),
        (None, _) => String::new(),
    };
    if measured < duration {
        first_error = format!(
            "every DUE check-in was submitted after {:.1} s of the {:.0} s measured; rate over that time. {first_error}",
            measured.as_secs_f64(),
            duration.as_secs_f64()
        );
    }
    println!(
        "{name}\t{}\t{}\t{:.0}\t{:.1}\t{:.1}\t{:.1}\t{}",
        all.micros.len(),
        all.errors,
        all.micros.len() as f64 / measured.as_secs_f64().max(f64::EPSILON),
        percentile(&all.micros, 0.50),
        percentile(&all.micros, 0.99),
        percentile(&all.micros, 1.0),
        first_error.replace(['\t', '\n'], " "),
    );
    Ok(())
}

/// Splits `$1 = 'a', $2 = NULL` into its values as SQL literals (`'a'`, `NULL`).
fn parameters(detail: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = detail;
    while let Some(dollar) = rest.find('$') {
        rest = &rest[dollar..];
        let Some(eq) = rest.find(" = ") else { break };
        let name = rest[..eq].to_owned();
        rest = &rest[eq + 3..];
        if let Some(tail) = rest.strip_prefix("NULL") {
            out.push((name, "NULL".to_owned()));
            rest = tail;
            continue;
        }
        let Some(body) = rest.strip_prefix('\'') else {
            break;
        };
        let mut end = None;
        let bytes = body.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                end = Some(i);
                break;
            }
            i += 1;
        }
        let Some(end) = end else { break };
        out.push((name, format!("'{}'", &body[..end])));
        rest = &body[end + 1..];
    }
    out
}

/// Inlines parameters, highest number first so `$1` does not match inside `$10`.
fn inline(sql: &str, mut params: Vec<(String, String)>) -> String {
    params.sort_by_key(|(n, _)| {
        std::cmp::Reverse(n.trim_start_matches('$').parse::<u32>().unwrap_or(0))
    });
    params
        .into_iter()
        .fold(sql.to_owned(), |s, (name, value)| s.replace(&name, &value))
}

fn sql(args: &[String]) -> Res<()> {
    let [database, ..] = args else {
        return Err("sql DATABASE < log".into());
    };
    let tag = format!("@{database} ");
    // Statements in the order they ran; an execute's parameters follow it on its own
    // backend's next line (backends of one request can interleave).
    let mut out: Vec<String> = Vec::new();
    let mut pending: std::collections::HashMap<String, usize> = Default::default();
    for line in std::io::stdin().lines() {
        let line = line?;
        let Some(at) = line.find(&tag) else { continue };
        let pid = line[..at]
            .rsplit_once('[')
            .and_then(|(_, p)| p.split_once(']'))
            .map(|(p, _)| p.to_owned())
            .unwrap_or_default();
        let message = &line[at + tag.len()..];
        if let Some(detail) = message.strip_prefix("DETAIL:  parameters: ") {
            if let Some(i) = pending.remove(&pid)
                && let Some(statement) = out.get_mut(i)
            {
                *statement = inline(statement, parameters(detail));
            }
            continue;
        }
        pending.remove(&pid);
        let Some(text) = message.strip_prefix("LOG:  duration: ") else {
            continue;
        };
        let Some((_, text)) = text.split_once(" ms  ") else {
            continue;
        };
        if let Some(statement) = text.strip_prefix("statement: ") {
            out.push(statement.to_owned());
        } else if let Some(execute) = text.strip_prefix("execute ")
            && let Some((_, statement)) = execute.split_once(": ")
        {
            pending.insert(pid, out.len());
            out.push(statement.to_owned());
        }
    }
    for statement in out {
        println!("{};", statement.trim_end_matches(';'));
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("setup") => setup(&args[1..]).await,
        Some("run") => run(&args[1..]).await,
        Some("sql") => sql(&args[1..]),
        _ => Err("usage: reads setup … | reads run … | reads sql …".into()),
    }
}
