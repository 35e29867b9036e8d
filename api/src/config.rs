//! Configuration, layered: built-in defaults, then an optional `perfcycle.toml`, then the
//! environment (`DATABASE_URL`, `REDIS_URL`, `SMTP_URL`, `PERFCYCLE_*`). A bad value stops
//! the start with one line naming the setting and where it came from. Secrets are never
//! printed.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

mod profile;

/// Every setting: its file key, its environment variable, its default, and what it does.
pub const SETTINGS: &[(&str, &str, &str, &str)] = &[
    (
        "database_url",
        "DATABASE_URL",
        "sqlite://./data/perfcycle.db",
        "SQLite file or postgres:// URL",
    ),
    (
        "redis_url",
        "REDIS_URL",
        "",
        "Redis for the job queue (empty: an embedded queue in data_dir)",
    ),
    (
        "smtp_url",
        "SMTP_URL",
        "",
        "mail server: smtp://[user:password@]host[:port] (plain, port 25), with ?tls=required or ?tls=opportunistic for STARTTLS (port 587), or smtps:// for TLS from the start (port 465); empty: .eml files in data_dir/outbox",
    ),
    (
        "env",
        "PERFCYCLE_ENV",
        "development",
        "`development` or `production`: production turns GraphiQL, introspection and field suggestions off, needs PERFCYCLE_JWT_SECRET, and refuses a non-loopback PERFCYCLE_HOST unless PERFCYCLE_BEHIND_PROXY says TLS ends in front",
    ),
    (
        "behind_proxy",
        "PERFCYCLE_BEHIND_PROXY",
        "false",
        "a reverse proxy in front terminates TLS and appends the client's address to X-Forwarded-For (the last entry is then the client, for rate limits)",
    ),
    (
        "host",
        "PERFCYCLE_HOST",
        "127.0.0.1",
        "address to listen on",
    ),
    (
        "port",
        "PERFCYCLE_PORT",
        "8080",
        "port to listen on (0 picks a free one)",
    ),
    (
        "data_dir",
        "PERFCYCLE_DATA_DIR",
        "./data",
        "folder for local state: generated token secret, embedded queue, .eml outbox",
    ),
    (
        "jwt_secret",
        "PERFCYCLE_JWT_SECRET",
        "",
        "HS256 secret, 32+ characters (empty: generated into data_dir)",
    ),
    (
        "jwt_public_key_file",
        "PERFCYCLE_JWT_PUBLIC_KEY_FILE",
        "",
        "PEM file of an identity provider's RS256 public key",
    ),
    (
        "jwt_issuer",
        "PERFCYCLE_JWT_ISSUER",
        "",
        "required `iss` of identity-provider (RS256) tokens",
    ),
    (
        "jwt_audience",
        "PERFCYCLE_JWT_AUDIENCE",
        "",
        "required `aud` of identity-provider (RS256) tokens",
    ),
    (
        "token_ttl_hours",
        "PERFCYCLE_TOKEN_TTL_HOURS",
        "168",
        "lifetime of tokens from `perfcycle token`",
    ),
    (
        "app_url",
        "PERFCYCLE_APP_URL",
        "http://localhost:3000",
        "the frontend's base URL, for links in e-mails",
    ),
    (
        "graphiql",
        "PERFCYCLE_GRAPHIQL",
        "true",
        "serve GraphiQL on GET /graphql",
    ),
    (
        "introspection",
        "PERFCYCLE_INTROSPECTION",
        "true",
        "allow schema introspection",
    ),
    (
        "max_depth",
        "PERFCYCLE_MAX_DEPTH",
        "12",
        "deepest query accepted",
    ),
    (
        "max_complexity",
        "PERFCYCLE_MAX_COMPLEXITY",
        "5000",
        "most complex query accepted",
    ),
    (
        "max_nesting",
        "PERFCYCLE_MAX_NESTING",
        "32",
        "deepest nesting of brackets in a query, of variables and of fragment spreads",
    ),
    (
        "max_aliases",
        "PERFCYCLE_MAX_ALIASES",
        "20",
        "most aliased fields in a query",
    ),
    (
        "max_root_fields",
        "PERFCYCLE_MAX_ROOT_FIELDS",
        "20",
        "most fields at the root of an operation",
    ),
    (
        "max_directives",
        "PERFCYCLE_MAX_DIRECTIVES",
        "20",
        "most directives in a query",
    ),
    (
        "max_body_bytes",
        "PERFCYCLE_MAX_BODY_BYTES",
        "1048576",
        "largest request body accepted",
    ),
    (
        "http_workers",
        "PERFCYCLE_HTTP_WORKERS",
        "0",
        "HTTP worker threads (0: one per core)",
    ),
    (
        "db_max_connections",
        "PERFCYCLE_DB_MAX_CONNECTIONS",
        "10",
        "database pool size",
    ),
    (
        "migrate_on_start",
        "PERFCYCLE_MIGRATE_ON_START",
        "true",
        "apply pending migrations when serving",
    ),
    (
        "embedded_worker",
        "PERFCYCLE_EMBEDDED_WORKER",
        "true",
        "without REDIS_URL, run the job workers inside `perfcycle serve`",
    ),
    (
        "queue_namespace",
        "PERFCYCLE_QUEUE_NAMESPACE",
        "perfcycle",
        "prefix of the job queue's keys and name of the live-event channel in Redis",
    ),
    (
        "worker_concurrency",
        "PERFCYCLE_WORKER_CONCURRENCY",
        "8",
        "send jobs (batches of up to 32 e-mails) each worker process runs at once; at most 32 e-mails per process are in flight",
    ),
    (
        "scan_schedule",
        "PERFCYCLE_SCAN_SCHEDULE",
        "0 */5 * * * *",
        "cron (with seconds, UTC) for opening check-ins, reminders and missed notes",
    ),
    (
        "dispatch_schedule",
        "PERFCYCLE_DISPATCH_SCHEDULE",
        "*/10 * * * * *",
        "cron (with seconds, UTC) for handing pending e-mail to the queue",
    ),
    (
        "job_schedule",
        "PERFCYCLE_JOB_SCHEDULE",
        "*/2 * * * * *",
        "cron (with seconds, UTC) for claiming queued background jobs (review launches, closes, releases, reward runs and approvals)",
    ),
    (
        "reward_batch",
        "PERFCYCLE_REWARD_BATCH",
        "2000",
        "people a reward run computes per transaction outside departments with a budget (each of those is one)",
    ),
    (
        "live_buffer",
        "PERFCYCLE_LIVE_BUFFER",
        "4096",
        "live events a server holds for a slow subscription before telling it that it lagged",
    ),
    (
        "rate_limit_ip",
        "PERFCYCLE_RATE_LIMIT_IP",
        "6000",
        "requests a minute one client address may make, in bursts of up to rate_limit_burst (0: no limit); an office behind one NAT address shares it; /healthz, /readyz and /metrics are exempt",
    ),
    (
        "rate_limit_user",
        "PERFCYCLE_RATE_LIMIT_USER",
        "600",
        "requests a minute one signed token may make, in bursts of up to rate_limit_burst (0: no limit); a revoked token keeps its own bucket",
    ),
    (
        "rate_limit_burst",
        "PERFCYCLE_RATE_LIMIT_BURST",
        "120",
        "requests a client address or user may make at once before the per-minute rate applies",
    ),
    (
        "metrics_address",
        "PERFCYCLE_METRICS_ADDRESS",
        "",
        "host:port to serve /metrics on instead of the API's address (empty: the API's address)",
    ),
    (
        "ws_recheck_seconds",
        "PERFCYCLE_WS_RECHECK_SECONDS",
        "60",
        "how often an open WebSocket's employee is looked up again (left, or tokens revoked: closed with 4403)",
    ),
    (
        "reminder_time",
        "PERFCYCLE_REMINDER_TIME",
        "09:00",
        "local time of check-in reminders on the last working day of a period",
    ),
    (
        "email_from",
        "PERFCYCLE_EMAIL_FROM",
        "perfcycle <noreply@perfcycle.localhost>",
        "sender of every e-mail",
    ),
    (
        "email_lease_seconds",
        "PERFCYCLE_EMAIL_LEASE_SECONDS",
        "45",
        "how long a sender's claim on an e-mail lasts unless renewed; a live sender renews it every third of it, so a dead worker's e-mail goes out again within about this long",
    ),
    (
        "log_format",
        "PERFCYCLE_LOG_FORMAT",
        "text",
        "`text` or `json`",
    ),
];

/// The resolved configuration.
#[derive(Clone)]
pub struct Config {
    /// Database URL.
    pub database_url: String,
    /// Redis URL, if any.
    pub redis_url: Option<String>,
    /// SMTP URL, if any.
    pub smtp_url: Option<String>,
    /// Listen address.
    pub host: String,
    /// Listen port.
    pub port: u16,
    /// Local state folder.
    pub data_dir: PathBuf,
    /// HS256 secret, if configured (else one is kept in `data_dir`).
    pub jwt_secret: Option<String>,
    /// RS256 public key (PEM), if configured.
    pub jwt_public_key_pem: Option<Vec<u8>>,
    /// Required issuer of RS256 tokens.
    pub jwt_issuer: Option<String>,
    /// Required audience of RS256 tokens.
    pub jwt_audience: Option<String>,
    /// Lifetime of issued tokens.
    pub token_ttl_hours: i64,
    /// The frontend's base URL.
    pub app_url: String,
    /// Whether GET /graphql serves GraphiQL.
    pub graphiql: bool,
    /// Whether introspection is on.
    pub introspection: bool,
    /// Query depth limit.
    pub max_depth: usize,
    /// Query complexity limit.
    pub max_complexity: usize,
    /// Deepest nesting of a query's brackets, of variables and of fragment spreads.
    pub max_nesting: usize,
    /// Aliased fields per query.
    pub max_aliases: usize,
    /// Root fields per operation.
    pub max_root_fields: usize,
    /// Directives per query.
    pub max_directives: usize,
    /// Request body limit.
    pub max_body_bytes: usize,
    /// HTTP worker threads (0: one per core).
    pub http_workers: usize,
    /// Database pool size.
    pub db_max_connections: u32,
    /// Whether `serve` migrates.
    pub migrate_on_start: bool,
    /// Run the workers inside `serve` when there is no Redis.
    pub embedded_worker: bool,
    /// Redis key prefix of the queue.
    pub queue_namespace: String,
    /// Send jobs per process at once.
    pub worker_concurrency: usize,
    /// Check-in scan schedule.
    pub scan_schedule: cron::Schedule,
    /// Outbox dispatch schedule.
    pub dispatch_schedule: cron::Schedule,
    /// Background job schedule.
    pub job_schedule: cron::Schedule,
    /// People per reward-run batch.
    pub reward_batch: u64,
    /// Live events buffered per server for slow subscriptions.
    pub live_buffer: usize,
    /// Local reminder time.
    pub reminder_time: chrono::NaiveTime,
    /// Sender address.
    pub email_from: String,
    /// Sender lease.
    pub email_lease_seconds: i64,
    /// Log as JSON lines.
    pub json_logs: bool,
    /// The production profile (see [`profile`]).
    pub production: bool,
    /// A TLS-terminating proxy is in front and appends the client to `X-Forwarded-For`.
    pub behind_proxy: bool,
    /// Field suggestions in error messages ("did you mean …"), off in production.
    pub suggestions: bool,
    /// Requests a minute per client address (0: unlimited).
    pub rate_limit_ip: u32,
    /// Requests a minute per user (0: unlimited).
    pub rate_limit_user: u32,
    /// Requests at once before the per-minute rates apply.
    pub rate_limit_burst: u32,
    /// Where `/metrics` is served instead of the API's address.
    pub metrics_address: Option<String>,
    /// How often an open WebSocket's employee is looked up again.
    pub ws_recheck: std::time::Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact(&self.database_url))
            .field("redis_url", &self.redis_url.as_deref().map(redact))
            .field("smtp_url", &self.smtp_url.as_deref().map(redact))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "[set]"))
            .finish_non_exhaustive()
    }
}

/// Hides a password in a URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A setting that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

struct Layered {
    values: BTreeMap<&'static str, (String, String)>,
}

impl Layered {
    fn get(&self, key: &str) -> (&str, &str) {
        self.values
            .get(key)
            .map(|(v, s)| (v.as_str(), s.as_str()))
            .unwrap_or(("", "default"))
    }

    fn text(&self, key: &str) -> Option<String> {
        let (v, _) = self.get(key);
        (!v.trim().is_empty()).then(|| v.trim().to_owned())
    }

    fn parse<T: std::str::FromStr>(&self, key: &str, what: &str) -> Result<T, ConfigError> {
        let (v, source) = self.get(key);
        v.trim()
            .parse()
            .map_err(|_| ConfigError(format!("{source}: {v:?} is not {what}")))
    }

    fn flag(&self, key: &str) -> Result<bool, ConfigError> {
        let (v, source) = self.get(key);
        match v.trim().to_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError(format!("{source}: {v:?} is not true or false"))),
        }
    }
}

impl Config {
    /// Defaults, then `file` (or `./perfcycle.toml` if present), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        Self::from_sources(file, &env)
    }

    /// As [`Config::load`], with the environment given.
    pub fn from_sources(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let mut values: BTreeMap<&'static str, (String, String)> = SETTINGS
            .iter()
            .map(|(key, _, default, _)| (*key, ((*default).to_owned(), format!("default {key}"))))
            .collect();
        let file = match file {
            Some(f) => Some(f.to_path_buf()),
            None => env.get("PERFCYCLE_CONFIG").map(PathBuf::from).or_else(|| {
                Path::new("perfcycle.toml")
                    .exists()
                    .then(|| PathBuf::from("perfcycle.toml"))
            }),
        };
        if let Some(file) = file {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| ConfigError(format!("cannot read {}: {e}", file.display())))?;
            let table: toml::Table = toml::from_str(&text)
                .map_err(|e| ConfigError(format!("{}: {e}", file.display())))?;
            for (key, value) in table {
                let Some((known, ..)) = SETTINGS.iter().find(|(k, ..)| *k == key) else {
                    return Err(ConfigError(format!(
                        "{}: unknown setting {key:?}",
                        file.display()
                    )));
                };
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    other => {
                        return Err(ConfigError(format!(
                            "{}: {key} must be a string, number or boolean, not {}",
                            file.display(),
                            other.type_str()
                        )));
                    }
                };
                values.insert(known, (text, format!("{} {key}", file.display())));
            }
        }
        for (key, var, ..) in SETTINGS {
            if let Some(v) = env.get(*var) {
                values.insert(key, (v.clone(), (*var).to_owned()));
            }
        }
        Self::resolve(&Layered { values })
    }

    fn resolve(l: &Layered) -> Result<Self, ConfigError> {
        let database_url = l.text("database_url").unwrap_or_default();
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            let (_, source) = l.get("database_url");
            return Err(ConfigError(format!(
                "{source}: {:?} is neither sqlite:… nor postgres://…",
                redact(&database_url)
            )));
        }
        let redis_url = l.text("redis_url");
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            let (_, source) = l.get("redis_url");
            return Err(ConfigError(format!(
                "{source}: {:?} is not a redis:// URL",
                redact(url)
            )));
        }
        let smtp_url = l.text("smtp_url");
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            let (_, source) = l.get("smtp_url");
            return Err(ConfigError(format!(
                "{source}: {:?} is not an smtp:// or smtps:// URL",
                redact(url)
            )));
        }
        let jwt_secret = l.text("jwt_secret");
        if let Some(secret) = &jwt_secret
            && secret.len() < 32
        {
            let (_, source) = l.get("jwt_secret");
            return Err(ConfigError(format!(
                "{source}: the secret must be at least 32 characters"
            )));
        }
        let jwt_public_key_pem = match l.text("jwt_public_key_file") {
            None => None,
            Some(path) => {
                let (_, source) = l.get("jwt_public_key_file");
                let pem = std::fs::read(&path)
                    .map_err(|e| ConfigError(format!("{source}: cannot read {path}: {e}")))?;
                jsonwebtoken::DecodingKey::from_rsa_pem(&pem).map_err(|e| {
                    ConfigError(format!(
                        "{source}: {path} is not an RSA public key in PEM: {e}"
                    ))
                })?;
                Some(pem)
            }
        };
        let token_ttl_hours: i64 = l.parse("token_ttl_hours", "a number of hours")?;
        if !(1..=24 * 366).contains(&token_ttl_hours) {
            let (_, source) = l.get("token_ttl_hours");
            return Err(ConfigError(format!(
                "{source}: must be between 1 and 8784 hours"
            )));
        }
        let app_url = l.text("app_url").unwrap_or_default();
        if !(app_url.starts_with("http://") || app_url.starts_with("https://")) {
            let (_, source) = l.get("app_url");
            return Err(ConfigError(format!(
                "{source}: {app_url:?} is not an http(s) URL"
            )));
        }
        let log_format = l.text("log_format").unwrap_or_default();
        let json_logs = match log_format.as_str() {
            "json" => true,
            "text" => false,
            other => {
                let (_, source) = l.get("log_format");
                return Err(ConfigError(format!(
                    "{source}: {other:?} is not text or json"
                )));
            }
        };
        let positive = |key: &str, what: &str| -> Result<usize, ConfigError> {
            let n: usize = l.parse(key, what)?;
            if n == 0 {
                let (_, source) = l.get(key);
                return Err(ConfigError(format!("{source}: must be above 0")));
            }
            Ok(n)
        };
        Self {
            database_url,
            redis_url,
            smtp_url,
            host: l.text("host").unwrap_or_else(|| "127.0.0.1".into()),
            port: l.parse("port", "a port number (0–65535)")?,
            data_dir: PathBuf::from(l.text("data_dir").unwrap_or_else(|| "./data".into())),
            jwt_secret,
            jwt_public_key_pem,
            jwt_issuer: l.text("jwt_issuer"),
            jwt_audience: l.text("jwt_audience"),
            token_ttl_hours,
            app_url,
            graphiql: l.flag("graphiql")?,
            introspection: l.flag("introspection")?,
            max_depth: positive("max_depth", "a whole number")?,
            max_complexity: positive("max_complexity", "a whole number")?,
            max_nesting: positive("max_nesting", "a whole number")?,
            max_aliases: l.parse("max_aliases", "a whole number")?,
            max_root_fields: positive("max_root_fields", "a whole number")?,
            max_directives: l.parse("max_directives", "a whole number")?,
            max_body_bytes: positive("max_body_bytes", "a number of bytes")?,
            http_workers: l.parse("http_workers", "a whole number")?,
            db_max_connections: positive("db_max_connections", "a whole number")? as u32,
            migrate_on_start: l.flag("migrate_on_start")?,
            embedded_worker: l.flag("embedded_worker")?,
            queue_namespace: l
                .text("queue_namespace")
                .unwrap_or_else(|| "perfcycle".into()),
            worker_concurrency: positive("worker_concurrency", "a whole number")?,
            scan_schedule: l.parse(
                "scan_schedule",
                "a cron schedule with seconds, like \"0 */5 * * * *\"",
            )?,
            dispatch_schedule: l.parse(
                "dispatch_schedule",
                "a cron schedule with seconds, like \"*/10 * * * * *\"",
            )?,
            job_schedule: l.parse(
                "job_schedule",
                "a cron schedule with seconds, like \"*/2 * * * * *\"",
            )?,
            reward_batch: {
                let n = positive("reward_batch", "a whole number")? as u64;
                if n > 20_000 {
                    let (_, source) = l.get("reward_batch");
                    return Err(ConfigError(format!("{source}: at most 20000")));
                }
                n
            },
            live_buffer: {
                let n = positive("live_buffer", "a whole number")?;
                if n > 1_000_000 {
                    let (_, source) = l.get("live_buffer");
                    return Err(ConfigError(format!("{source}: at most 1000000")));
                }
                n
            },
            reminder_time: {
                let (v, source) = l.get("reminder_time");
                chrono::NaiveTime::parse_from_str(v.trim(), "%H:%M")
                    .map_err(|_| ConfigError(format!("{source}: {v:?} is not a time like 09:00")))?
            },
            email_from: {
                let from = l.text("email_from").unwrap_or_default();
                if !from.contains('@') {
                    let (_, source) = l.get("email_from");
                    return Err(ConfigError(format!(
                        "{source}: {from:?} is not an e-mail sender"
                    )));
                }
                from
            },
            email_lease_seconds: positive("email_lease_seconds", "a number of seconds")? as i64,
            json_logs,
            production: false,
            behind_proxy: l.flag("behind_proxy")?,
            suggestions: true,
            rate_limit_ip: l.parse("rate_limit_ip", "a whole number of requests a minute")?,
            rate_limit_user: l.parse("rate_limit_user", "a whole number of requests a minute")?,
            rate_limit_burst: positive("rate_limit_burst", "a whole number of requests")? as u32,
            metrics_address: l.text("metrics_address"),
            ws_recheck: std::time::Duration::from_secs(positive(
                "ws_recheck_seconds",
                "a number of seconds",
            )? as u64),
        }
        .with_profile(l)
    }

    /// The HS256 secret: configured, or kept in `data_dir/jwt.secret` (created on first use)
    /// so that the embedded default needs no setup and `perfcycle token` agrees with `serve`.
    pub fn hs256_secret(&self) -> Result<String, ConfigError> {
        if let Some(s) = &self.jwt_secret {
            return Ok(s.clone());
        }
        let path = self.data_dir.join("jwt.secret");
        if let Ok(s) = std::fs::read_to_string(&path) {
            let s = s.trim().to_owned();
            if s.len() >= 32 {
                return Ok(s);
            }
        }
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| ConfigError(format!("cannot create {}: {e}", self.data_dir.display())))?;
        let secret = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        std::fs::write(&path, &secret)
            .map_err(|e| ConfigError(format!("cannot write {}: {e}", path.display())))?;
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_give_the_embedded_setup() {
        let c = Config::from_sources(None, &env(&[])).map_err(|e| e.to_string());
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert!(c.database_url.starts_with("sqlite:"));
        assert_eq!(c.port, 8080);
        assert!(c.redis_url.is_none());
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = Config::from_sources(None, &env(&[("PERFCYCLE_PORT", "eighty")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("PERFCYCLE_PORT")));
        let err = Config::from_sources(None, &env(&[("DATABASE_URL", "mysql://x")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("DATABASE_URL")));
        let err = Config::from_sources(None, &env(&[("PERFCYCLE_JWT_SECRET", "short")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("PERFCYCLE_JWT_SECRET")));
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let dir = std::env::temp_dir().join(format!("perfcycle-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).ok();
        let file = dir.join("perfcycle.toml");
        std::fs::write(&file, "port = 9000\nhost = \"0.0.0.0\"\n").ok();
        let c = Config::from_sources(Some(&file), &env(&[("PERFCYCLE_PORT", "9100")]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.host.as_str(), c.port), ("0.0.0.0", 9100));
        std::fs::write(&file, "prot = 9000\n").ok();
        let err = Config::from_sources(Some(&file), &env(&[])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("unknown setting \"prot\"")));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://./x.db"), "sqlite://./x.db");
    }
}
