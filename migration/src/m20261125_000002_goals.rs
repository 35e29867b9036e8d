use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_organisation::{Cycle, Employee};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Goal::Table)
                    .col(pk_uuid(Goal::Id))
                    .col(uuid(Goal::CycleId))
                    .col(uuid(Goal::OwnerId))
                    .col(uuid_null(Goal::ParentId))
                    .col(string_len(Goal::Level, 16))
                    .col(string_len(Goal::Visibility, 16))
                    .col(string_len(Goal::Title, 200))
                    .col(text(Goal::Description))
                    .col(integer(Goal::Weight))
                    .col(date(Goal::DueOn))
                    .col(string_len(Goal::Status, 16))
                    .col(uuid(Goal::CreatedBy))
                    .col(timestamp_with_time_zone(Goal::CreatedAt))
                    .col(timestamp_with_time_zone(Goal::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Goal::Table, Goal::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Goal::Table, Goal::OwnerId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Goal::Table, Goal::ParentId)
                            .to(Goal::Table, Goal::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goal_owner_cycle")
                    .table(Goal::Table)
                    .col(Goal::OwnerId)
                    .col(Goal::CycleId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goal_parent")
                    .table(Goal::Table)
                    .col(Goal::ParentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goal_cycle_level")
                    .table(Goal::Table)
                    .col(Goal::CycleId)
                    .col(Goal::Level)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KeyResult::Table)
                    .col(pk_uuid(KeyResult::Id))
                    .col(uuid(KeyResult::GoalId))
                    .col(integer(KeyResult::Position))
                    .col(string_len(KeyResult::Metric, 200))
                    .col(string_len(KeyResult::Unit, 40))
                    .col(string_len(KeyResult::Direction, 16))
                    .col(string_len(KeyResult::StartValue, 64))
                    .col(string_len(KeyResult::TargetValue, 64))
                    .col(string_len(KeyResult::CurrentValue, 64))
                    .col(integer(KeyResult::Weight))
                    .col(timestamp_with_time_zone(KeyResult::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KeyResult::Table, KeyResult::GoalId)
                            .to(Goal::Table, Goal::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_key_result_goal")
                    .table(KeyResult::Table)
                    .col(KeyResult::GoalId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GoalRevision::Table)
                    .col(pk_uuid(GoalRevision::Id))
                    .col(uuid(GoalRevision::GoalId))
                    .col(uuid(GoalRevision::KeyResultId))
                    .col(string_len(GoalRevision::OldTarget, 64))
                    .col(string_len(GoalRevision::NewTarget, 64))
                    .col(text(GoalRevision::Reason))
                    .col(uuid(GoalRevision::RevisedBy))
                    .col(timestamp_with_time_zone(GoalRevision::RevisedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GoalRevision::Table, GoalRevision::GoalId)
                            .to(Goal::Table, Goal::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GoalRevision::Table, GoalRevision::KeyResultId)
                            .to(KeyResult::Table, KeyResult::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goal_revision_goal")
                    .table(GoalRevision::Table)
                    .col(GoalRevision::GoalId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GoalRevision::Table.into_iden(),
            KeyResult::Table.into_iden(),
            Goal::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Goal {
    Table,
    Id,
    CycleId,
    OwnerId,
    ParentId,
    Level,
    Visibility,
    Title,
    Description,
    Weight,
    DueOn,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KeyResult {
    Table,
    Id,
    GoalId,
    Position,
    Metric,
    Unit,
    Direction,
    StartValue,
    TargetValue,
    CurrentValue,
    Weight,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GoalRevision {
    Table,
    Id,
    GoalId,
    KeyResultId,
    OldTarget,
    NewTarget,
    Reason,
    RevisedBy,
    RevisedAt,
}
