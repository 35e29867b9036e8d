//! `cycleOverview` over a whole organisation reads its figures from indexes alone: goals by
//! status and health, and check-ins by the day their period ended and their status.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str)] = &[
    (
        "idx_goal_cycle_status_health",
        "goal (cycle_id, status, health)",
    ),
    (
        "idx_check_in_cycle_end_status",
        "check_in (cycle_id, period_end, status)",
    ),
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
