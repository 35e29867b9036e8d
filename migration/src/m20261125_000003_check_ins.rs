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
                    .table(CheckIn::Table)
                    .col(pk_uuid(CheckIn::Id))
                    .col(uuid(CheckIn::EmployeeId))
                    .col(uuid(CheckIn::CycleId))
                    .col(string_len(CheckIn::Cadence, 16))
                    .col(date(CheckIn::PeriodStart))
                    .col(date(CheckIn::PeriodEnd))
                    .col(timestamp_with_time_zone(CheckIn::ClosesAt))
                    .col(timestamp_with_time_zone(CheckIn::ReminderAt))
                    .col(timestamp_with_time_zone_null(CheckIn::RemindedAt))
                    .col(string_len(CheckIn::Status, 16))
                    .col(integer_null(CheckIn::Confidence))
                    .col(text(CheckIn::Wins))
                    .col(text(CheckIn::Blockers))
                    .col(text(CheckIn::NextSteps))
                    .col(timestamp_with_time_zone_null(CheckIn::SubmittedAt))
                    .col(text(CheckIn::ManagerReply))
                    .col(uuid_null(CheckIn::AcknowledgedBy))
                    .col(timestamp_with_time_zone_null(CheckIn::AcknowledgedAt))
                    .col(timestamp_with_time_zone(CheckIn::CreatedAt))
                    .col(timestamp_with_time_zone(CheckIn::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckIn::Table, CheckIn::EmployeeId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckIn::Table, CheckIn::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One check-in per employee and period: opening the same period twice is a no-op.
        manager
            .create_index(
                Index::create()
                    .name("uq_check_in_employee_period")
                    .table(CheckIn::Table)
                    .col(CheckIn::EmployeeId)
                    .col(CheckIn::CycleId)
                    .col(CheckIn::PeriodStart)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_check_in_status_closes")
                    .table(CheckIn::Table)
                    .col(CheckIn::Status)
                    .col(CheckIn::ClosesAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CheckInUpdate::Table)
                    .col(pk_uuid(CheckInUpdate::Id))
                    .col(uuid(CheckInUpdate::CheckInId))
                    .col(uuid(CheckInUpdate::KeyResultId))
                    .col(string_len(CheckInUpdate::PreviousValue, 64))
                    .col(string_len(CheckInUpdate::NewValue, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckInUpdate::Table, CheckInUpdate::CheckInId)
                            .to(CheckIn::Table, CheckIn::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_check_in_update_check_in")
                    .table(CheckInUpdate::Table)
                    .col(CheckInUpdate::CheckInId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CadenceOverride::Table)
                    .col(pk_uuid(CadenceOverride::Id))
                    .col(uuid(CadenceOverride::EmployeeId))
                    .col(uuid(CadenceOverride::CycleId))
                    .col(string_len(CadenceOverride::Cadence, 16))
                    .col(uuid(CadenceOverride::SetBy))
                    .col(timestamp_with_time_zone(CadenceOverride::SetAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CadenceOverride::Table, CadenceOverride::EmployeeId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CadenceOverride::Table, CadenceOverride::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_cadence_override")
                    .table(CadenceOverride::Table)
                    .col(CadenceOverride::EmployeeId)
                    .col(CadenceOverride::CycleId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Feedback::Table)
                    .col(pk_uuid(Feedback::Id))
                    .col(uuid(Feedback::AuthorId))
                    .col(uuid(Feedback::RecipientId))
                    .col(uuid_null(Feedback::GoalId))
                    .col(string_len(Feedback::Kind, 16))
                    .col(string_len(Feedback::Visibility, 16))
                    .col(text(Feedback::Body))
                    .col(timestamp_with_time_zone(Feedback::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Feedback::Table, Feedback::AuthorId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Feedback::Table, Feedback::RecipientId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_feedback_recipient")
                    .table(Feedback::Table)
                    .col(Feedback::RecipientId)
                    .col(Feedback::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Feedback::Table.into_iden(),
            CadenceOverride::Table.into_iden(),
            CheckInUpdate::Table.into_iden(),
            CheckIn::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CheckIn {
    Table,
    Id,
    EmployeeId,
    CycleId,
    Cadence,
    PeriodStart,
    PeriodEnd,
    ClosesAt,
    ReminderAt,
    RemindedAt,
    Status,
    Confidence,
    Wins,
    Blockers,
    NextSteps,
    SubmittedAt,
    ManagerReply,
    AcknowledgedBy,
    AcknowledgedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CheckInUpdate {
    Table,
    Id,
    CheckInId,
    KeyResultId,
    PreviousValue,
    NewValue,
}

#[derive(DeriveIden)]
enum CadenceOverride {
    Table,
    Id,
    EmployeeId,
    CycleId,
    Cadence,
    SetBy,
    SetAt,
}

#[derive(DeriveIden)]
enum Feedback {
    Table,
    Id,
    AuthorId,
    RecipientId,
    GoalId,
    Kind,
    Visibility,
    Body,
    CreatedAt,
}
