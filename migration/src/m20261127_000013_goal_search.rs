//! `GoalFilter.search` matches `lower(title) LIKE '%…%'`; on PostgreSQL a trigram index on
//! `lower(title)` serves it (when pg_trgm is installed or this role may install it; without
//! it the search works, only slower). SQLite has no such index and scans.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261127_000006_read_indexes::trigram_schema;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        match trigram_schema(db).await? {
            Some(schema) => {
                db.execute_unprepared(&format!(
                    "CREATE INDEX idx_goal_title_trgm ON goal \
                     USING gin (lower(title) \"{schema}\".gin_trgm_ops)"
                ))
                .await?;
            }
            None => tracing::warn!(
                "pg_trgm is not installed and this role may not install it: \
                 goal search works without its index, only slower"
            ),
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_goal_title_trgm")
            .await?;
        Ok(())
    }
}
