//! The request that queued a background job (its `X-Request-Id`), so the job's logs can be
//! found from the request's and back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BackgroundJob {
    Table,
    RequestId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(BackgroundJob::Table)
                    .add_column(string_null(BackgroundJob::RequestId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(BackgroundJob::Table)
                    .drop_column(BackgroundJob::RequestId)
                    .to_owned(),
            )
            .await
    }
}
