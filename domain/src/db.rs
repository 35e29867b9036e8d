//! Opening the database, with the settings each backend needs.

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// Which backend a URL names.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Opens a pool. SQLite files (and their folder) are created, written ahead-logged, with
/// foreign keys on and a busy timeout so that concurrent writers wait instead of failing, and
/// read through a memory map.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut url = url.to_owned();
    if is_sqlite(&url) {
        if let Some(path) = sqlite_file(&url)
            && let Some(dir) = std::path::Path::new(&path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        if !url.contains("mode=") {
            url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
    }
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(max_connections)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if is_sqlite(&url) {
        // Reads through a memory map of the file (up to 256 MiB, shared with the operating
        // system's cache) instead of a read call per page into each connection's own 2 MiB
        // cache, and rows handed to the caller in larger lots: a reward run reads and writes
        // hundreds of thousands of rows at 100 000 people.
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("mmap_size", "268435456")
                .row_buffer_size(1024)
        });
    }
    Database::connect(options).await
}

fn sqlite_file(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// The most connections `db`'s pool opens: a job that reads on a second connection while its
/// transaction holds the first needs at least two.
pub fn pool_size(db: &DatabaseConnection) -> u32 {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => db
            .get_postgres_connection_pool()
            .options()
            .get_max_connections(),
        sea_orm::DbBackend::Sqlite => db
            .get_sqlite_connection_pool()
            .options()
            .get_max_connections(),
        _ => 1,
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), so concurrent writers wait for each other (busy timeout) instead of
/// failing when a read-then-write transaction finds its snapshot outdated.
pub async fn begin(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Serialises writes to the org chart (hiring, moves, leaving, the import) on PostgreSQL for
/// the rest of `txn`: a move rewrites a subtree's paths from what it read, so two moves (or a
/// hire under someone being moved) must not interleave. SQLite's write transactions already
/// run one at a time.
pub async fn lock_org_chart(txn: &impl sea_orm::ConnectionTrait) -> Result<(), DbErr> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7366070742)")
            .await?;
    }
    Ok(())
}
