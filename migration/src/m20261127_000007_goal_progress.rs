//! A goal's rolled-up progress, stored on the goal in parts per million so that lists read it
//! (and later filter and sort on it) without walking the alignment tree. The values of goals
//! that exist when this runs are computed by the server right after migrating (it knows the
//! progress rules; this crate does not).

use sea_orm_migration::{prelude::*, schema::*};

/// This migration's name, for the server to recognise that it just ran.
pub const NAME: &str = "m20261127_000007_goal_progress";

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
                    .add_column(big_integer(Goal::ProgressPpm).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Goal::Table)
                    .drop_column(Goal::ProgressPpm)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Goal {
    Table,
    ProgressPpm,
}
