//! The audit log read by HR, newest first: all of it, one actor's changes, and one kind of
//! row's (`entity`); one row's history uses `idx_audit_log_entity`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str)] = &[
    ("idx_audit_log_at", "audit_log (at, id)"),
    ("idx_audit_log_actor_at", "audit_log (actor_id, at, id)"),
    ("idx_audit_log_kind_at", "audit_log (entity, at, id)"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, definition) in INDEXES {
            manager
                .get_connection()
                .execute_unprepared(&format!("CREATE INDEX {name} ON {definition}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
