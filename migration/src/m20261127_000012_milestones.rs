//! A goal's action plan: ordered milestones, each with a due date and, once done, when and by
//! whom.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_organisation::Employee;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Milestone::Table)
                    .col(pk_uuid(Milestone::Id))
                    .col(uuid(Milestone::GoalId))
                    .col(integer(Milestone::Position))
                    .col(string_len(Milestone::Title, 200))
                    .col(date(Milestone::DueOn))
                    .col(timestamp_with_time_zone_null(Milestone::DoneAt))
                    .col(uuid_null(Milestone::DoneBy))
                    .col(timestamp_with_time_zone(Milestone::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Milestone::Table, Milestone::GoalId)
                            .to(Goal::Table, Goal::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Milestone::Table, Milestone::DoneBy)
                            .to(Employee::Table, Employee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_milestone_goal_position")
                    .table(Milestone::Table)
                    .col(Milestone::GoalId)
                    .col(Milestone::Position)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Milestone::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Milestone {
    Table,
    Id,
    GoalId,
    Position,
    Title,
    DueOn,
    DoneAt,
    DoneBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Goal {
    Table,
    Id,
}
