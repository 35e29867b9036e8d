//! A cycle's phase move is announced by e-mail to everyone in it, in batches after the move
//! commits: `cycle_announcement` remembers each move to announce and how far through the
//! organisation (by employee id) its e-mails have been queued.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CycleAnnouncement::Table)
                    .col(pk_uuid(CycleAnnouncement::Id))
                    .col(uuid(CycleAnnouncement::CycleId))
                    .col(string_len(CycleAnnouncement::Phase, 16))
                    .col(uuid_null(CycleAnnouncement::AfterEmployee))
                    .col(big_integer(CycleAnnouncement::Queued))
                    .col(timestamp_with_time_zone(CycleAnnouncement::CreatedAt))
                    .col(timestamp_with_time_zone_null(CycleAnnouncement::DoneAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CycleAnnouncement::Table, CycleAnnouncement::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_cycle_announcement_phase")
                    .table(CycleAnnouncement::Table)
                    .col(CycleAnnouncement::CycleId)
                    .col(CycleAnnouncement::Phase)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CycleAnnouncement::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CycleAnnouncement {
    Table,
    Id,
    CycleId,
    Phase,
    AfterEmployee,
    Queued,
    CreatedAt,
    DoneAt,
}

#[derive(DeriveIden)]
enum Cycle {
    Table,
    Id,
}
