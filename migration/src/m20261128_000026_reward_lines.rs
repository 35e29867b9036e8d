//! A reward run's results as one row per person (`reward_line`) instead of one row per person
//! and kind: the run writes a third of the rows it wrote, each narrower, with one secondary
//! index instead of four and no foreign-key checks. Each line holds what its rewards are
//! listed from (their kinds, amounts before and after the budget fit, and the calculation's
//! inputs); the API still lists one reward per person and kind.
//!
//! Spot awards stay in `reward`, as do the rows of runs computed before this migration.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    date, integer, pk_uuid, small_integer, string_len, string_len_null, timestamp_with_time_zone,
    timestamp_with_time_zone_null, uuid, uuid_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RewardLine {
    Table,
    Id,
    RunId,
    CycleId,
    EmployeeId,
    DepartmentId,
    Status,
    Kinds,
    Currency,
    Rating,
    Band,
    Salary,
    TargetPct,
    RangeMax,
    CompaRatio,
    EmployedDays,
    ProposedRaise,
    Raise,
    ProposedBonus,
    Bonus,
    Pto,
    EffectiveOn,
    ApprovedBy,
    ApprovedAt,
    CommunicatedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign keys: a run writes lines only for people and a run it has just read,
        // and neither is ever deleted (an erased person keeps their row). Checking each
        // line's keys cost a third of a batch's time.
        manager
            .create_table(
                Table::create()
                    .table(RewardLine::Table)
                    .col(pk_uuid(RewardLine::Id))
                    .col(uuid(RewardLine::RunId))
                    .col(uuid(RewardLine::CycleId))
                    .col(uuid(RewardLine::EmployeeId))
                    .col(uuid_null(RewardLine::DepartmentId))
                    .col(string_len(RewardLine::Status, 16))
                    .col(small_integer(RewardLine::Kinds))
                    .col(string_len(RewardLine::Currency, 3))
                    .col(integer(RewardLine::Rating))
                    .col(small_integer(RewardLine::Band))
                    .col(string_len(RewardLine::Salary, 40))
                    .col(string_len(RewardLine::TargetPct, 40))
                    .col(string_len_null(RewardLine::RangeMax, 40))
                    .col(string_len_null(RewardLine::CompaRatio, 40))
                    .col(integer(RewardLine::EmployedDays))
                    .col(string_len_null(RewardLine::ProposedRaise, 40))
                    .col(string_len_null(RewardLine::Raise, 40))
                    .col(string_len(RewardLine::ProposedBonus, 40))
                    .col(string_len(RewardLine::Bonus, 40))
                    .col(string_len(RewardLine::Pto, 40))
                    .col(date(RewardLine::EffectiveOn))
                    .col(uuid_null(RewardLine::ApprovedBy))
                    .col(timestamp_with_time_zone_null(RewardLine::ApprovedAt))
                    .col(timestamp_with_time_zone_null(RewardLine::CommunicatedAt))
                    .col(timestamp_with_time_zone(RewardLine::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // One line per person per run, whatever retries happen; also a run's lines in
        // employee order (approval, the fit, the export).
        manager
            .create_index(
                Index::create()
                    .name("ux_reward_line_run_employee")
                    .table(RewardLine::Table)
                    .col(RewardLine::RunId)
                    .col(RewardLine::EmployeeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Approved lines by person: a run's check for earlier approvals and someone's own
        // rewards. Lines a run writes are PROPOSED or PREVIEW and never enter it.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_reward_line_approved ON reward_line (employee_id, cycle_id) \
                 WHERE status IN ('APPROVED', 'COMMUNICATED')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RewardLine::Table).to_owned())
            .await
    }
}
