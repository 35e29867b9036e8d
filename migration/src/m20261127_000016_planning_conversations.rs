//! The planning conversation: in a cycle's PLANNING phase each employee has one with their
//! manager (the goals they are writing, the manager's expectations, their career aspirations,
//! the manager's notes), created when the cycle's move into PLANNING is announced and
//! reminded like a check-in.

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
                    .table(PlanningConversation::Table)
                    .col(pk_uuid(PlanningConversation::Id))
                    .col(uuid(PlanningConversation::CycleId))
                    .col(uuid(PlanningConversation::EmployeeId))
                    .col(uuid_null(PlanningConversation::ManagerId))
                    .col(string_len(PlanningConversation::Status, 16))
                    .col(text(PlanningConversation::Expectations))
                    .col(text(PlanningConversation::Aspirations))
                    .col(text(PlanningConversation::ManagerNotes))
                    .col(date_null(PlanningConversation::HeldOn))
                    .col(uuid_null(PlanningConversation::HeldBy))
                    .col(timestamp_with_time_zone(PlanningConversation::ReminderAt))
                    .col(timestamp_with_time_zone_null(
                        PlanningConversation::RemindedAt,
                    ))
                    .col(timestamp_with_time_zone(PlanningConversation::CreatedAt))
                    .col(timestamp_with_time_zone(PlanningConversation::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanningConversation::Table, PlanningConversation::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PlanningConversation::Table,
                                PlanningConversation::EmployeeId,
                            )
                            .to(Employee::Table, Employee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns, unique) in [
            (
                "uq_planning_conversation_employee",
                vec![
                    PlanningConversation::CycleId,
                    PlanningConversation::EmployeeId,
                ],
                true,
            ),
            (
                "idx_planning_conversation_list",
                vec![
                    PlanningConversation::CycleId,
                    PlanningConversation::CreatedAt,
                    PlanningConversation::Id,
                ],
                false,
            ),
            (
                "idx_planning_conversation_reminder",
                vec![
                    PlanningConversation::RemindedAt,
                    PlanningConversation::ReminderAt,
                ],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(PlanningConversation::Table);
            for c in columns {
                index.col(c);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanningConversation::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlanningConversation {
    Table,
    Id,
    CycleId,
    EmployeeId,
    ManagerId,
    Status,
    Expectations,
    Aspirations,
    ManagerNotes,
    HeldOn,
    HeldBy,
    ReminderAt,
    RemindedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Cycle {
    Table,
    Id,
}
