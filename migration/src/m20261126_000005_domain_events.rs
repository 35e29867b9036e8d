use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DomainEvent::Table)
                    .col(pk_uuid(DomainEvent::Id))
                    .col(string_len(DomainEvent::Kind, 64))
                    .col(uuid(DomainEvent::SubjectId))
                    .col(uuid_null(DomainEvent::ActorId))
                    .col(json(DomainEvent::Payload))
                    .col(timestamp_with_time_zone(DomainEvent::OccurredAt))
                    .to_owned(),
            )
            .await?;
        // Readers follow the stream in time order, or look up one object's history.
        manager
            .create_index(
                Index::create()
                    .name("idx_domain_event_occurred_at")
                    .table(DomainEvent::Table)
                    .col(DomainEvent::OccurredAt)
                    .col(DomainEvent::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_domain_event_subject")
                    .table(DomainEvent::Table)
                    .col(DomainEvent::SubjectId)
                    .col(DomainEvent::OccurredAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DomainEvent::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DomainEvent {
    Table,
    Id,
    Kind,
    SubjectId,
    ActorId,
    Payload,
    OccurredAt,
}
