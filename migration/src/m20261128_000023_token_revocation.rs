//! Token revocation: HR can invalidate every token one person holds. Tokens issued at or
//! before `employee.tokens_revoked_at` (their `iat`, whole seconds) are refused.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::timestamp_with_time_zone_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Employee {
    Table,
    TokensRevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Employee::Table)
                    .add_column(timestamp_with_time_zone_null(Employee::TokensRevokedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Employee::Table)
                    .drop_column(Employee::TokensRevokedAt)
                    .to_owned(),
            )
            .await
    }
}
