//! The reward stage: a leaving date on each employee (proration, "active at cycle end"), pay
//! grades with their salary range, effective-dated compensation, a reward policy per cycle,
//! reward runs (one calculation over everyone, real or preview, with the policy it used and
//! its totals), the rewards themselves (one row per run, person and kind; awards without a
//! run), each person's note from their manager for the reward letter, and promotion
//! recommendations. Background jobs' cursors become text: a reward run's carries its totals.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_organisation::{Cycle, Employee};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A reward run's cursor carries its running totals: longer than an id. (SQLite does
        // not bound text lengths.)
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE background_job ALTER COLUMN cursor TYPE text")
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Employee::Table)
                    .add_column(date_null(Leaving::LeftOn))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PayGrade::Table)
                    .col(pk_uuid(PayGrade::Id))
                    .col(string_len_uniq(PayGrade::Code, 40))
                    .col(string_len(PayGrade::Name, 200))
                    .col(string_len(PayGrade::Currency, 3))
                    .col(string_len(PayGrade::RangeMin, 40))
                    .col(string_len(PayGrade::RangeMid, 40))
                    .col(string_len(PayGrade::RangeMax, 40))
                    .col(timestamp_with_time_zone(PayGrade::CreatedAt))
                    .col(timestamp_with_time_zone(PayGrade::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Compensation::Table)
                    .col(pk_uuid(Compensation::Id))
                    .col(uuid(Compensation::EmployeeId))
                    .col(date(Compensation::EffectiveOn))
                    .col(string_len(Compensation::BaseSalary, 40))
                    .col(string_len(Compensation::Currency, 3))
                    .col(string_len(Compensation::BonusTargetPct, 40))
                    .col(uuid_null(Compensation::PayGradeId))
                    .col(string_len(Compensation::Reason, 2000))
                    .col(uuid_null(Compensation::RecordedBy))
                    .col(timestamp_with_time_zone(Compensation::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Compensation::Table, Compensation::EmployeeId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Compensation::Table, Compensation::PayGradeId)
                            .to(PayGrade::Table, PayGrade::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_compensation_employee_effective")
                    .table(Compensation::Table)
                    .col(Compensation::EmployeeId)
                    .col(Compensation::EffectiveOn)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RewardPolicy::Table)
                    .col(uuid(RewardPolicy::CycleId).primary_key())
                    .col(json(RewardPolicy::Policy))
                    .col(uuid_null(RewardPolicy::UpdatedBy))
                    .col(timestamp_with_time_zone(RewardPolicy::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RewardPolicy::Table, RewardPolicy::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RewardRun::Table)
                    .col(pk_uuid(RewardRun::Id))
                    .col(uuid(RewardRun::CycleId))
                    .col(boolean(RewardRun::Preview))
                    .col(json(RewardRun::Policy))
                    .col(uuid(RewardRun::JobId))
                    .col(json_null(RewardRun::Totals))
                    .col(uuid_null(RewardRun::RequestedBy))
                    .col(timestamp_with_time_zone(RewardRun::CreatedAt))
                    .col(timestamp_with_time_zone_null(RewardRun::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RewardRun::Table, RewardRun::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reward_run_cycle")
                    .table(RewardRun::Table)
                    .col(RewardRun::CycleId)
                    .col(RewardRun::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reward::Table)
                    .col(pk_uuid(Reward::Id))
                    .col(uuid_null(Reward::RunId))
                    .col(uuid(Reward::CycleId))
                    .col(uuid(Reward::EmployeeId))
                    .col(uuid_null(Reward::DepartmentId))
                    .col(string_len(Reward::Kind, 20))
                    .col(string_len(Reward::Status, 16))
                    .col(string_len(Reward::Amount, 40))
                    .col(string_len(Reward::ProposedAmount, 40))
                    .col(string_len(Reward::Currency, 3))
                    .col(integer_null(Reward::Rating))
                    .col(json(Reward::Details))
                    .col(string_len(Reward::Rationale, 2000))
                    .col(date(Reward::EffectiveOn))
                    .col(uuid_null(Reward::GivenBy))
                    .col(uuid_null(Reward::ApprovedBy))
                    .col(timestamp_with_time_zone_null(Reward::ApprovedAt))
                    .col(timestamp_with_time_zone_null(Reward::CommunicatedAt))
                    .col(timestamp_with_time_zone(Reward::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reward::Table, Reward::RunId)
                            .to(RewardRun::Table, RewardRun::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reward::Table, Reward::EmployeeId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One row per run, person and kind, whatever retries happen (awards have no run).
        manager
            .create_index(
                Index::create()
                    .name("ux_reward_run_employee_kind")
                    .table(Reward::Table)
                    .col(Reward::RunId)
                    .col(Reward::EmployeeId)
                    .col(Reward::Kind)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reward_cycle_employee")
                    .table(Reward::Table)
                    .col(Reward::CycleId)
                    .col(Reward::EmployeeId)
                    .to_owned(),
            )
            .await?;
        // Approved rewards of a cycle, the only rows a run's check for earlier approvals
        // reads: without it the check walks every reward of the cycle, the running one's too.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_reward_approved ON reward (cycle_id, employee_id) \
                 WHERE status IN ('APPROVED', 'COMMUNICATED') AND run_id IS NOT NULL",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reward_run_department")
                    .table(Reward::Table)
                    .col(Reward::RunId)
                    .col(Reward::DepartmentId)
                    .col(Reward::Currency)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RewardNote::Table)
                    .col(uuid(RewardNote::CycleId))
                    .col(uuid(RewardNote::EmployeeId))
                    .col(string_len(RewardNote::Note, 2000))
                    .col(uuid(RewardNote::WrittenBy))
                    .col(timestamp_with_time_zone(RewardNote::WrittenAt))
                    .primary_key(
                        Index::create()
                            .col(RewardNote::CycleId)
                            .col(RewardNote::EmployeeId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Promotion::Table)
                    .col(pk_uuid(Promotion::Id))
                    .col(uuid(Promotion::EmployeeId))
                    .col(uuid(Promotion::RecommendedBy))
                    .col(uuid_null(Promotion::JobProfileId))
                    .col(string_len(Promotion::Title, 200))
                    .col(string_len(Promotion::Rationale, 4000))
                    .col(string_len(Promotion::Status, 16))
                    .col(uuid_null(Promotion::DecidedBy))
                    .col(timestamp_with_time_zone_null(Promotion::DecidedAt))
                    .col(string_len(Promotion::DecisionNote, 2000))
                    .col(timestamp_with_time_zone(Promotion::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Promotion::Table, Promotion::EmployeeId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_promotion_employee")
                    .table(Promotion::Table)
                    .col(Promotion::EmployeeId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Promotion::Table.into_iden(),
            RewardNote::Table.into_iden(),
            Reward::Table.into_iden(),
            RewardRun::Table.into_iden(),
            RewardPolicy::Table.into_iden(),
            Compensation::Table.into_iden(),
            PayGrade::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Employee::Table)
                    .drop_column(Leaving::LeftOn)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Leaving {
    LeftOn,
}

#[derive(DeriveIden)]
enum PayGrade {
    Table,
    Id,
    Code,
    Name,
    Currency,
    RangeMin,
    RangeMid,
    RangeMax,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Compensation {
    Table,
    Id,
    EmployeeId,
    EffectiveOn,
    BaseSalary,
    Currency,
    BonusTargetPct,
    PayGradeId,
    Reason,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum RewardPolicy {
    Table,
    CycleId,
    Policy,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RewardRun {
    Table,
    Id,
    CycleId,
    Preview,
    Policy,
    JobId,
    Totals,
    RequestedBy,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum Reward {
    Table,
    Id,
    RunId,
    CycleId,
    EmployeeId,
    DepartmentId,
    Kind,
    Status,
    Amount,
    ProposedAmount,
    Currency,
    Rating,
    Details,
    Rationale,
    EffectiveOn,
    GivenBy,
    ApprovedBy,
    ApprovedAt,
    CommunicatedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RewardNote {
    Table,
    CycleId,
    EmployeeId,
    Note,
    WrittenBy,
    WrittenAt,
}

#[derive(DeriveIden)]
enum Promotion {
    Table,
    Id,
    EmployeeId,
    RecommendedBy,
    JobProfileId,
    Title,
    Rationale,
    Status,
    DecidedBy,
    DecidedAt,
    DecisionNote,
    CreatedAt,
}
