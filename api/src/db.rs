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

/// Applies pending migrations. On PostgreSQL they run in one transaction under an advisory
/// lock, so replicas starting together migrate once and never see half a schema.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7012202611250001)")
            .await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await
    } else {
        Migrator::up(db, None).await
    }
}
