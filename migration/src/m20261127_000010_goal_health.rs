//! A goal's health (ON_TRACK, AT_RISK, OFF_TRACK), stored so that lists filter on it, and the
//! day it last changed (how long a goal has been off track). The server computes them for
//! existing agreed goals right after migrating (the rules are the domain's).

use sea_orm_migration::{prelude::*, schema::*};

/// This migration's name, for the server to recognise that it just ran.
pub const NAME: &str = "m20261127_000010_goal_health";

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        NAME
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Goal::Table)
                    .add_column(string_len_null(Goal::Health, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Goal::Table)
                    .add_column(date_null(Goal::HealthSince))
                    .to_owned(),
            )
            .await?;
        // Goals of one health in the list's order.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_goal_health_created ON goal (health, created_at, id) \
                 WHERE health IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_goal_health_created")
            .await?;
        for column in [Goal::HealthSince, Goal::Health] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Goal::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Goal {
    Table,
    Health,
    HealthSince,
}
