//! Live events: each stored domain event is relayed once to the event bus (in-process, or
//! Redis pub/sub) after its transaction commits. `relayed_at` marks the ones handed over; the
//! relay finds the rest through a partial index that holds only them. Events stored before
//! this migration count as relayed, so an upgrade does not replay history to dashboards.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::timestamp_with_time_zone_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DomainEvent {
    Table,
    RelayedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DomainEvent::Table)
                    .add_column(timestamp_with_time_zone_null(DomainEvent::RelayedAt))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE domain_event SET relayed_at = occurred_at")
            .await?;
        // Partial indexes read the same on both backends.
        db.execute_unprepared(
            "CREATE INDEX ix_domain_event_unrelayed ON domain_event (occurred_at) \
             WHERE relayed_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ix_domain_event_unrelayed")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DomainEvent::Table)
                    .drop_column(DomainEvent::RelayedAt)
                    .to_owned(),
            )
            .await
    }
}
