//! Every change of a key result's current value in one table, `key_result_update`: the value
//! before and after, when, by whom, and the check-in that carried it (none for a value recorded
//! directly). It takes over `check_in_update`, whose rows move here with their check-in's
//! submission time and author; values recorded directly before this migration come from the
//! audit log.

use sea_orm_migration::sea_orm::DatabaseBackend;
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
                    .table(KeyResultUpdate::Table)
                    .col(pk_uuid(KeyResultUpdate::Id))
                    .col(uuid(KeyResultUpdate::KeyResultId))
                    .col(uuid_null(KeyResultUpdate::CheckInId))
                    .col(string_len(KeyResultUpdate::PreviousValue, 64))
                    .col(string_len(KeyResultUpdate::NewValue, 64))
                    .col(uuid_null(KeyResultUpdate::RecordedBy))
                    .col(timestamp_with_time_zone(KeyResultUpdate::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KeyResultUpdate::Table, KeyResultUpdate::CheckInId)
                            .to(CheckIn::Table, CheckIn::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(KeyResultUpdate::Table, KeyResultUpdate::RecordedBy)
                            .to(Employee::Table, Employee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_key_result_update_key_result",
                [
                    KeyResultUpdate::KeyResultId,
                    KeyResultUpdate::RecordedAt,
                    KeyResultUpdate::Id,
                ],
            ),
            (
                "idx_key_result_update_check_in",
                [
                    KeyResultUpdate::CheckInId,
                    KeyResultUpdate::KeyResultId,
                    KeyResultUpdate::Id,
                ],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(KeyResultUpdate::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO key_result_update \
             (id, key_result_id, check_in_id, previous_value, new_value, recorded_by, recorded_at) \
             SELECT u.id, u.key_result_id, u.check_in_id, u.previous_value, u.new_value, \
                    c.employee_id, COALESCE(c.submitted_at, c.updated_at) \
             FROM check_in_update u JOIN check_in c ON c.id = u.check_in_id",
        )
        .await?;
        let field = |side: &str| match manager.get_database_backend() {
            DatabaseBackend::Postgres => format!("(a.{side}::json ->> 'current')"),
            _ => format!("json_extract(a.{side}, '$.current')"),
        };
        db.execute_unprepared(&format!(
            "INSERT INTO key_result_update \
             (id, key_result_id, check_in_id, previous_value, new_value, recorded_by, recorded_at) \
             SELECT a.id, a.entity_id, NULL, {}, {}, a.actor_id, a.at \
             FROM audit_log a WHERE a.action = 'key_result.progress' AND a.entity = 'key_result'",
            field("before"),
            field("after"),
        ))
        .await?;
        manager
            .drop_table(Table::drop().table(CheckInUpdate::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
        // Values recorded directly stay in the audit log, where they came from.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO check_in_update (id, check_in_id, key_result_id, previous_value, new_value) \
                 SELECT id, check_in_id, key_result_id, previous_value, new_value \
                 FROM key_result_update WHERE check_in_id IS NOT NULL",
            )
            .await?;
        manager
            .drop_table(Table::drop().table(KeyResultUpdate::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum KeyResultUpdate {
    Table,
    Id,
    KeyResultId,
    CheckInId,
    PreviousValue,
    NewValue,
    RecordedBy,
    RecordedAt,
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
enum CheckIn {
    Table,
    Id,
}
