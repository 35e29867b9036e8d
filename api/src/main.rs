//! `perfcycle`: the server and its operator commands.

use anyhow::Context as _;
use api::{Application, Config};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Instant;

/// perfcycle — plan, monitor, develop, review and reward, over GraphQL.
#[derive(Parser)]
#[command(name = "perfcycle", version, about, long_about = None)]
struct Cli {
    /// Settings file (default: ./perfcycle.toml when present). Environment variables win.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the GraphQL server (the default). Migrates the database first unless
    /// PERFCYCLE_MIGRATE_ON_START=false.
    Serve,
    /// Run the job workers (send e-mail, check-in schedules) on the Redis queue named by
    /// REDIS_URL — any number of these processes share the work. Without REDIS_URL they use
    /// the embedded queue in PERFCYCLE_DATA_DIR. Stops gracefully on SIGTERM.
    Worker,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Fill the database: `--demo` for a small believable organisation with tokens to try
    /// it, `--employees N` for a large generated one (people, goals, check-ins, feedback,
    /// skills, assessments and gaps, development plans).
    Seed {
        /// The demo organisation (about 60 people, an active cycle, aligned goals).
        #[arg(
            long,
            conflicts_with = "employees",
            required_unless_present = "employees"
        )]
        demo: bool,
        /// Generate an organisation of this many employees with their goals, twelve weeks of
        /// check-ins and feedback, with bulk inserts.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=2_000_000))]
        employees: Option<u64>,
        /// The generator's seed: the same value (and day) gives the same organisation.
        #[arg(long, value_name = "U64", default_value_t = 1, requires = "employees")]
        seed_value: u64,
        /// With `--employees`: also pay on four grades, a released final rating for everyone,
        /// a reward policy with tight department budgets, and the cycle moved to REWARDING
        /// (ready for `startRewardRun`).
        #[arg(long, requires = "employees")]
        rewards: bool,
        /// With `--employees`: the people, departments and cycle only (no goals, check-ins,
        /// feedback or develop stage).
        #[arg(long, requires = "employees")]
        people_only: bool,
    },
    /// Print a bearer token for an employee (signed with the configured HS256 secret).
    Token {
        /// The employee's e-mail.
        #[arg(long)]
        email: String,
        /// Hours until it expires (default: PERFCYCLE_TOKEN_TTL_HOURS).
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=8784))]
        ttl_hours: Option<i64>,
    },
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
    /// Import data from files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Upsert the org chart by e-mail from CSV with the header
    /// email,name,title,department,manager_email,role,hired_on,timezone. The whole file is
    /// checked first; any problem is reported by line and column and nothing is written.
    Employees {
        /// The CSV file.
        file: PathBuf,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Schema) = cli.command {
        print!("{}", api::graphql::sdl());
        return std::process::ExitCode::SUCCESS;
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("perfcycle: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    api::telemetry::init(config.json_logs);
    match run(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("perfcycle: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn domain_ctx(config: &Config) -> anyhow::Result<domain::Ctx> {
    let db = api::db::connect(&config.database_url, config.db_max_connections, None)
        .await
        .with_context(|| {
            format!(
                "DATABASE_URL: cannot open {}",
                api::config::redact(&config.database_url)
            )
        })?;
    api::db::migrate(&db)
        .await
        .context("database migration failed")?;
    Ok(domain::Ctx::new(db))
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let app = Application::build(config.clone()).await?;
            let base = format!("http://{}:{}", config.host, app.port());
            tracing::info!(database = %api::config::redact(&config.database_url), "perfcycle listening on {base}");
            println!("perfcycle is listening on {base}");
            println!(
                "  GraphiQL:  {base}/graphql  (open it in a browser; `perfcycle seed --demo` prints tokens)"
            );
            println!("  health:    {base}/healthz  {base}/readyz  {base}/metrics");
            app.run_until_stopped().await?;
        }
        Command::Worker => {
            let ctx = domain_ctx(&config).await?;
            // On Redis a worker relays the events its jobs commit; embedded, the server does.
            if let Some(url) = &config.redis_url {
                let client = redis::Client::open(url.as_str()).with_context(|| {
                    format!("REDIS_URL: {} is not usable", api::config::redact(url))
                })?;
                let bus = api::live::Bus::redis(
                    &client,
                    api::live::channel(&config.queue_namespace),
                    false,
                    config.live_buffer,
                )
                .await
                .context("REDIS_URL: cannot open the live-event channel")?;
                api::live::spawn_relay(ctx.clone(), bus);
            }
            let (services, settings) = api::jobs::services(&config, ctx).await?;
            println!(
                "perfcycle worker {} on the {} queue; stop with SIGTERM",
                services.name,
                if config.redis_url.is_some() {
                    "Redis"
                } else {
                    "embedded"
                }
            );
            api::jobs::run_pool(services, settings).await?;
        }
        Command::Migrate => {
            domain_ctx(&config).await?;
            println!(
                "migrations applied to {}",
                api::config::redact(&config.database_url)
            );
        }
        Command::Seed {
            demo,
            employees,
            seed_value,
            rewards,
            people_only,
        } => {
            let ctx = domain_ctx(&config).await?;
            let auth = api::auth::Auth::from_config(&config)?;
            if demo {
                let people = domain::seed::demo(&ctx).await?;
                println!(
                    "{}",
                    if people.created {
                        "demo organisation created"
                    } else {
                        "demo organisation already present"
                    }
                );
                println!("active cycle id: {}\n", people.cycle_id);
                for (who, email) in [
                    ("HR admin", &people.hr_email),
                    ("manager", &people.manager_email),
                    ("employee", &people.employee_email),
                ] {
                    let viewer = domain::employees::authenticate_by_email(&ctx.db, email).await?;
                    let token = auth.issue(viewer.id(), email, None)?;
                    println!("{who} ({email}):\n  {{\"Authorization\": \"Bearer {token}\"}}\n");
                }
            } else if let Some(n) = employees {
                let started = Instant::now();
                let made = if people_only {
                    domain::seed::generate_people(&ctx, n as usize, seed_value).await?
                } else {
                    domain::seed::generate(&ctx, n as usize, seed_value).await?
                };
                let took = started.elapsed();
                let rows = made.employees
                    + made.departments
                    + made.goals
                    + made.key_results
                    + made.check_ins
                    + made.updates
                    + made.feedback
                    + made.skills
                    + made.job_profiles
                    + made.assessments
                    + made.skill_gaps
                    + made.development_plans
                    + made.development_items;
                println!(
                    "seeded {} employees ({} departments, {} levels below the head), {} goals, {} key results, {} check-ins, {} progress updates, {} feedback, {} skills, {} job profiles, {} skill assessments, {} skill gaps, {} development plans, {} development items in {:.2} s ({:.0} rows per second)",
                    made.employees,
                    made.departments,
                    made.depth,
                    made.goals,
                    made.key_results,
                    made.check_ins,
                    made.updates,
                    made.feedback,
                    made.skills,
                    made.job_profiles,
                    made.assessments,
                    made.skill_gaps,
                    made.development_plans,
                    made.development_items,
                    took.as_secs_f64(),
                    rows as f64 / took.as_secs_f64().max(1e-9),
                );
                let phases: Vec<String> = made
                    .phases
                    .iter()
                    .map(|(name, secs)| format!("{name} {secs:.2} s"))
                    .collect();
                println!("phases: {}", phases.join(", "));
                if rewards {
                    let started = Instant::now();
                    let added =
                        domain::seed::reward_inputs(&ctx, made.cycle_id, seed_value).await?;
                    println!(
                        "reward inputs: pay for {}, released ratings for {}, budgets for {} departments in {:.2} s; the cycle is in REWARDING",
                        added.paid,
                        added.rated,
                        added.departments,
                        started.elapsed().as_secs_f64()
                    );
                }
                println!("active cycle id: {}", made.cycle_id);
                for (who, email) in [
                    ("HR admin", &made.hr_email),
                    ("head", &made.head_email),
                    ("manager", &made.manager_email),
                    ("employee", &made.employee_email),
                ] {
                    println!("{who}: {email}");
                }
            }
        }
        Command::Token { email, ttl_hours } => {
            let ctx = domain_ctx(&config).await?;
            let viewer = domain::employees::authenticate_by_email(&ctx.db, &email)
                .await
                .map_err(|e| match e {
                    domain::DomainError::Unauthenticated => {
                        anyhow::anyhow!("no active employee has the e-mail {email}")
                    }
                    other => anyhow::Error::new(other).context("cannot look up the employee"),
                })?;
            let auth = api::auth::Auth::from_config(&config)?;
            println!(
                "{}",
                auth.issue(
                    viewer.id(),
                    &viewer.employee.email,
                    ttl_hours.map(chrono::Duration::hours)
                )?
            );
        }
        Command::Import {
            what: ImportCommand::Employees { file },
        } => {
            let ctx = domain_ctx(&config).await?;
            let reader = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            match domain::import::employees(&ctx, std::io::BufReader::new(reader)).await {
                Ok(r) => println!(
                    "imported {}: {} created, {} updated, {} unchanged, {} department(s) created",
                    file.display(),
                    r.created,
                    r.updated,
                    r.unchanged,
                    r.departments_created
                ),
                Err(domain::import::ImportError::Invalid(errors)) => {
                    for e in &errors {
                        eprintln!("{}:{e}", file.display());
                    }
                    anyhow::bail!(
                        "{} problem(s) in {}; nothing was imported",
                        errors.len(),
                        file.display()
                    );
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Schema => print!("{}", api::graphql::sdl()),
    }
    Ok(())
}
