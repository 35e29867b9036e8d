use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Department::Table)
                    .col(pk_uuid(Department::Id))
                    .col(string_len_uniq(Department::Name, 120))
                    .col(uuid_null(Department::ParentId))
                    .col(uuid_null(Department::HeadId))
                    .col(timestamp_with_time_zone(Department::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Department::Table, Department::ParentId)
                            .to(Department::Table, Department::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Employee::Table)
                    .col(pk_uuid(Employee::Id))
                    .col(string_len_uniq(Employee::Email, 254))
                    .col(string_len(Employee::Name, 200))
                    .col(string_len(Employee::Title, 200))
                    .col(uuid_null(Employee::DepartmentId))
                    .col(uuid_null(Employee::ManagerId))
                    .col(text(Employee::Path))
                    .col(string_len(Employee::Role, 16))
                    .col(date(Employee::HiredOn))
                    .col(string_len(Employee::Timezone, 64))
                    .col(boolean(Employee::Active))
                    .col(timestamp_with_time_zone(Employee::CreatedAt))
                    .col(timestamp_with_time_zone(Employee::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Employee::Table, Employee::DepartmentId)
                            .to(Department::Table, Department::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Employee::Table, Employee::ManagerId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_employee_manager", Employee::ManagerId),
            ("idx_employee_department", Employee::DepartmentId),
            ("idx_employee_path", Employee::Path),
            ("idx_employee_name", Employee::Name),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Employee::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Cycle::Table)
                    .col(pk_uuid(Cycle::Id))
                    .col(string_len(Cycle::Name, 120))
                    .col(date(Cycle::StartsOn))
                    .col(date(Cycle::EndsOn))
                    .col(string_len(Cycle::CheckInCadence, 16))
                    .col(date(Cycle::ReviewOpensOn))
                    .col(date(Cycle::ReviewDueOn))
                    .col(string_len(Cycle::Phase, 16))
                    .col(timestamp_with_time_zone(Cycle::CreatedAt))
                    .col(timestamp_with_time_zone(Cycle::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(uuid_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::Entity, 64))
                    .col(uuid(AuditLog::EntityId))
                    .col(json_null(AuditLog::Before))
                    .col(json_null(AuditLog::After))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_entity")
                    .table(AuditLog::Table)
                    .col(AuditLog::EntityId)
                    .col(AuditLog::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            Cycle::Table.into_iden(),
            Employee::Table.into_iden(),
            Department::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum Department {
    Table,
    Id,
    Name,
    ParentId,
    HeadId,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Employee {
    Table,
    Id,
    Email,
    Name,
    Title,
    DepartmentId,
    ManagerId,
    Path,
    Role,
    HiredOn,
    Timezone,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Cycle {
    Table,
    Id,
    Name,
    StartsOn,
    EndsOn,
    CheckInCadence,
    ReviewOpensOn,
    ReviewDueOn,
    Phase,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    Entity,
    EntityId,
    Before,
    After,
    At,
}
