//! The database as the server uses it: connected, counted, migrated.

use crate::metrics::Metrics;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, TransactionTrait};
use std::sync::Arc;

/// Opens the pool and counts every statement into `metrics`.
pub async fn connect(
    url: &str,
    pool: u32,
    metrics: Option<Arc<Metrics>>,
) -> Result<DatabaseConnection, DbErr> {
    let mut db = domain::db::connect(url, pool).await?;
    if let Some(metrics) = metrics {
        db.set_metric_callback(move |info| metrics.statement(info.elapsed, info.failed));
    }
    Ok(db)
}

/// How many connections the pool holds and how many of them are idle.
pub fn pool_usage(db: &DatabaseConnection, max: u32) -> crate::metrics::PoolUsage {
    let (open, idle) = match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        _ => (0, 0),
    };
    crate::metrics::PoolUsage { open, idle, max }
}

/// Applies pending migrations. On PostgreSQL they run in one transaction under an advisory
/// lock, so replicas starting together migrate once and never see half a schema.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7012202611250001)")
            .await?;
        let pending = pending(&txn).await?;
        Migrator::up(&txn, None).await?;
        fill(&txn, &pending).await?;
        txn.commit().await
    } else {
        let pending = pending(db).await?;
        Migrator::up(db, None).await?;
        fill(db, &pending).await
    }
}

async fn pending(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect())
}

/// Computes what a migration that just ran added and only the domain rules know how to
/// fill: the stored progress and health of the goals that already existed.
async fn fill(db: &impl ConnectionTrait, ran: &[String]) -> Result<(), DbErr> {
    if ran.iter().any(|name| name == migration::GOAL_PROGRESS) {
        domain::goals::rebuild_progress(db, false)
            .await
            .map_err(|e| DbErr::Custom(format!("computing the progress of existing goals: {e}")))?;
    }
    if ran.iter().any(|name| name == migration::GOAL_HEALTH) {
        let today = chrono::Utc::now().date_naive();
        domain::goals::refresh_all_health(db, today)
            .await
            .map_err(|e| DbErr::Custom(format!("computing the health of existing goals: {e}")))?;
    }
    Ok(())
}
