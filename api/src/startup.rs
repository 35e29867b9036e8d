//! Building the application: one function used by `perfcycle serve` and by the tests,
//! which bind port 0.

use crate::auth::Auth;
use crate::config::Config;
use crate::graphql::build_schema;
use crate::http::{self, AppState};
use crate::live::{self, Bus};
use crate::metrics::Metrics;
use crate::ratelimit::RateLimits;
use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use domain::{Clock, SystemClock};
use std::net::TcpListener;
use std::sync::Arc;

/// A bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    /// `/metrics` on its own address, when configured.
    metrics_server: Option<Server>,
    metrics_port: Option<u16>,
    ctx: domain::Ctx,
    metrics: Arc<Metrics>,
}

impl Application {
    /// Connects, migrates (if configured) and binds, with the system clock.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with a given clock.
    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let metrics = Arc::new(Metrics::default());
        let db = crate::db::connect(
            &config.database_url,
            config.db_max_connections,
            Some(metrics.clone()),
        )
        .await
        .with_context(|| {
            format!(
                "DATABASE_URL: cannot open {}",
                crate::config::redact(&config.database_url)
            )
        })?;
        if config.migrate_on_start {
            crate::db::migrate(&db)
                .await
                .context("database migration failed")?;
        }
        let redis = match &config.redis_url {
            None => None,
            Some(url) => {
                let client = redis::Client::open(url.as_str()).with_context(|| {
                    format!("REDIS_URL: {} is not usable", crate::config::redact(url))
                })?;
                if !http::redis_ping(&client).await {
                    anyhow::bail!("REDIS_URL: {} does not answer", crate::config::redact(url));
                }
                Some(client)
            }
        };
        let auth = Auth::from_config(&config)?;
        let ctx = domain::Ctx { db, clock };
        // Live events: through Redis pub/sub when there is Redis (every replica hears every
        // process's events), else in this process.
        let bus = match &redis {
            Some(client) => Bus::redis(
                client,
                live::channel(&config.queue_namespace),
                true,
                config.live_buffer,
            )
            .await
            .context("REDIS_URL: cannot open the live-event channel")?,
            None => Bus::local(config.live_buffer),
        };
        // The relay polls on a small pool of its own: it neither waits behind requests for a
        // connection nor shows in the requests' statement counts.
        let relay_db = crate::db::connect(&config.database_url, 2, None)
            .await
            .context("DATABASE_URL: cannot open the live-event relay's connections")?;
        live::spawn_relay(
            domain::Ctx {
                db: relay_db,
                clock: ctx.clock.clone(),
            },
            bus.clone(),
        );
        let schema = build_schema(&config, ctx.clone(), bus.clone());
        let listener =
            TcpListener::bind((config.host.as_str(), config.port)).with_context(|| {
                format!(
                    "PERFCYCLE_HOST/PERFCYCLE_PORT: cannot listen on {}:{}",
                    config.host, config.port
                )
            })?;
        let port = listener.local_addr()?.port();
        let workers = config.http_workers;
        let worker_config = config.clone();
        let limits = Arc::new(RateLimits::new(&config));
        crate::ratelimit::spawn_sweeper(limits.clone());
        // `/metrics` on an address of its own (one a load balancer does not expose), or
        // beside the API.
        let metrics_listener = match &config.metrics_address {
            None => None,
            Some(address) => Some(TcpListener::bind(address.as_str()).with_context(|| {
                format!("PERFCYCLE_METRICS_ADDRESS: cannot listen on {address}")
            })?),
        };
        let metrics_port = match &metrics_listener {
            Some(l) => Some(l.local_addr()?.port()),
            None => None,
        };
        let metrics_here = metrics_listener.is_none();
        let state = web::Data::new(AppState {
            schema,
            ctx: ctx.clone(),
            auth,
            redis,
            config: Arc::new(config),
            metrics: metrics.clone(),
            bus,
            limits,
            readiness: Default::default(),
        });
        let metrics_server = match metrics_listener {
            None => None,
            Some(listener) => {
                let state = state.clone();
                Some(
                    HttpServer::new(move || {
                        App::new()
                            .app_data(state.clone())
                            .route("/metrics", web::get().to(http::metrics))
                    })
                    .workers(1)
                    .shutdown_timeout(5)
                    .listen(listener)?
                    .run(),
                )
            }
        };
        let mut server = HttpServer::new(move || {
            let app = App::new()
                .app_data(state.clone())
                .wrap(actix_web::middleware::from_fn(crate::ratelimit::enforce))
                // Outermost, so that refusals carry an id too.
                .wrap(actix_web::middleware::from_fn(crate::request_id::assign))
                .route("/graphql", web::post().to(http::graphql_post))
                .route(
                    "/graphql",
                    web::get()
                        .guard(actix_web::guard::fn_guard(crate::ws::is_upgrade))
                        .to(crate::ws::graphql_ws),
                )
                .route("/graphql", web::get().to(http::graphql_get))
                .route("/dashboard", web::get().to(crate::dashboard::page))
                .route(
                    "/dashboard/dashboard.js",
                    web::get().to(crate::dashboard::script),
                )
                .route("/healthz", web::get().to(http::healthz))
                .route("/readyz", web::get().to(http::readyz))
                .route(
                    "/exports/rewards.csv",
                    web::get().to(crate::exports::rewards_csv),
                )
                .route(
                    "/exports/person.json",
                    web::get().to(crate::exports::person_json),
                );
            if metrics_here {
                app.route("/metrics", web::get().to(http::metrics))
            } else {
                app
            }
        })
        .shutdown_timeout(20);
        if workers > 0 {
            server = server.workers(workers);
        }
        let server = server.listen(listener)?.run();
        // Without Redis the job workers live in this process, on a queue in a local file.
        if worker_config.embedded_worker && worker_config.redis_url.is_none() {
            let (services, settings) = crate::jobs::services(&worker_config, ctx.clone()).await?;
            tokio::spawn(async move {
                if let Err(e) = crate::jobs::run_pool(services, settings).await {
                    tracing::error!(error = %e, "the in-process worker pool stopped");
                }
            });
        }
        Ok(Self {
            port,
            metrics_port,
            server,
            metrics_server,
            ctx,
            metrics,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `/metrics` is served on when `PERFCYCLE_METRICS_ADDRESS` moved it.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// The domain context (database and clock) the server uses.
    pub fn ctx(&self) -> &domain::Ctx {
        &self.ctx
    }

    /// The server's counters.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Serves until stopped by a signal.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        match self.metrics_server {
            None => self.server.await,
            Some(metrics) => futures_util::try_join!(self.server, metrics).map(|_| ()),
        }
    }
}
