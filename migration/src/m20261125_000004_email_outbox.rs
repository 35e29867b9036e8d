use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailOutbox::Table)
                    .col(pk_uuid(EmailOutbox::Id))
                    .col(string_len_uniq(EmailOutbox::DedupeKey, 200))
                    .col(string_len(EmailOutbox::RecipientEmail, 254))
                    .col(string_len(EmailOutbox::RecipientName, 200))
                    .col(string_len(EmailOutbox::Template, 64))
                    .col(json(EmailOutbox::Data))
                    .col(string_len(EmailOutbox::Status, 16))
                    .col(integer(EmailOutbox::Attempts))
                    .col(text(EmailOutbox::LastError))
                    .col(timestamp_with_time_zone_null(EmailOutbox::LockedUntil))
                    .col(timestamp_with_time_zone_null(EmailOutbox::DispatchedAt))
                    .col(timestamp_with_time_zone(EmailOutbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(EmailOutbox::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_email_outbox_status")
                    .table(EmailOutbox::Table)
                    .col(EmailOutbox::Status)
                    .col(EmailOutbox::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // One row per scheduled tick that ran: every worker process has the schedule, only
        // the one that inserts the row runs the tick.
        manager
            .create_table(
                Table::create()
                    .table(SchedulerTick::Table)
                    .col(string_len(SchedulerTick::Name, 64))
                    .col(timestamp_with_time_zone(SchedulerTick::At))
                    .col(string_len(SchedulerTick::RunBy, 128))
                    .primary_key(
                        Index::create()
                            .col(SchedulerTick::Name)
                            .col(SchedulerTick::At),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmailOutbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum EmailOutbox {
    Table,
    Id,
    DedupeKey,
    RecipientEmail,
    RecipientName,
    Template,
    Data,
    Status,
    Attempts,
    LastError,
    LockedUntil,
    DispatchedAt,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum SchedulerTick {
    Table,
    Name,
    At,
    RunBy,
}
