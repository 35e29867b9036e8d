//! The develop stage: development plans (one per employee, cycle and kind: `DEVELOPMENT`, or
//! `IMPROVEMENT` for an improvement plan with objectives, support and an outcome) and their
//! items (training, stretch assignments with required skill levels, mentoring, career
//! conversations, an improvement plan's check dates); where each gap's expected level comes
//! from; follow-up goals (`goal.follows_goal_id`, apart from the alignment parent); the
//! history of raised expectations (every target revision, backfilled, and every follow-up);
//! and the weekly manager digest's marks (one per manager per week).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_organisation::{Cycle, Employee};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DevelopmentPlan::Table)
                    .col(pk_uuid(DevelopmentPlan::Id))
                    .col(uuid(DevelopmentPlan::EmployeeId))
                    .col(uuid(DevelopmentPlan::CycleId))
                    .col(string_len(DevelopmentPlan::Kind, 16))
                    .col(string_len(DevelopmentPlan::Status, 16))
                    .col(text(DevelopmentPlan::Objectives))
                    .col(text(DevelopmentPlan::Support))
                    .col(string_len_null(DevelopmentPlan::Outcome, 16))
                    .col(text(DevelopmentPlan::OutcomeNote))
                    .col(uuid(DevelopmentPlan::OpenedBy))
                    .col(timestamp_with_time_zone_null(DevelopmentPlan::ClosedAt))
                    .col(timestamp_with_time_zone(DevelopmentPlan::CreatedAt))
                    .col(timestamp_with_time_zone(DevelopmentPlan::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DevelopmentPlan::Table, DevelopmentPlan::EmployeeId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DevelopmentPlan::Table, DevelopmentPlan::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DevelopmentItem::Table)
                    .col(pk_uuid(DevelopmentItem::Id))
                    .col(uuid(DevelopmentItem::PlanId))
                    .col(uuid(DevelopmentItem::EmployeeId))
                    .col(string_len(DevelopmentItem::Kind, 24))
                    .col(string_len(DevelopmentItem::Status, 16))
                    .col(string_len(DevelopmentItem::Title, 200))
                    .col(text(DevelopmentItem::Description))
                    .col(string_len(DevelopmentItem::Provider, 200))
                    .col(string_len(DevelopmentItem::Link, 2000))
                    .col(string_len_null(DevelopmentItem::Hours, 40))
                    .col(date_null(DevelopmentItem::DueOn))
                    .col(uuid_null(DevelopmentItem::MentorId))
                    .col(string_len_null(DevelopmentItem::Cadence, 16))
                    .col(uuid_null(DevelopmentItem::GoalId))
                    .col(text(DevelopmentItem::Aspirations))
                    .col(text(DevelopmentItem::ManagerNotes))
                    .col(text(DevelopmentItem::Evidence))
                    .col(text(DevelopmentItem::ReturnReason))
                    .col(uuid(DevelopmentItem::ProposedBy))
                    .col(uuid_null(DevelopmentItem::AgreedBy))
                    .col(timestamp_with_time_zone_null(DevelopmentItem::AgreedAt))
                    .col(timestamp_with_time_zone_null(DevelopmentItem::CompletedAt))
                    .col(uuid_null(DevelopmentItem::ConfirmedBy))
                    .col(timestamp_with_time_zone_null(DevelopmentItem::ConfirmedAt))
                    .col(integer(DevelopmentItem::ReminderStage).default(0))
                    .col(timestamp_with_time_zone(DevelopmentItem::CreatedAt))
                    .col(timestamp_with_time_zone(DevelopmentItem::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DevelopmentItem::Table, DevelopmentItem::PlanId)
                            .to(DevelopmentPlan::Table, DevelopmentPlan::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DevelopmentItem::Table, DevelopmentItem::EmployeeId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DevelopmentItemSkill::Table)
                    .col(uuid(DevelopmentItemSkill::ItemId))
                    .col(uuid(DevelopmentItemSkill::SkillId))
                    .col(integer(DevelopmentItemSkill::TargetLevel))
                    .primary_key(
                        Index::create()
                            .col(DevelopmentItemSkill::ItemId)
                            .col(DevelopmentItemSkill::SkillId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DevelopmentItemSkill::Table, DevelopmentItemSkill::ItemId)
                            .to(DevelopmentItem::Table, DevelopmentItem::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExpectationChange::Table)
                    .col(pk_uuid(ExpectationChange::Id))
                    .col(uuid(ExpectationChange::EmployeeId))
                    .col(uuid(ExpectationChange::CycleId))
                    .col(uuid(ExpectationChange::GoalId))
                    .col(string_len(ExpectationChange::Kind, 16))
                    .col(uuid_null(ExpectationChange::KeyResultId))
                    .col(string_len(ExpectationChange::Metric, 200))
                    .col(string_len_null(ExpectationChange::Direction, 16))
                    .col(string_len_null(ExpectationChange::OldTarget, 40))
                    .col(string_len_null(ExpectationChange::NewTarget, 40))
                    .col(string_len_null(ExpectationChange::Achieved, 40))
                    .col(big_integer(ExpectationChange::ProgressPpm))
                    .col(uuid_null(ExpectationChange::FollowUpGoalId))
                    .col(text(ExpectationChange::Reason))
                    .col(uuid(ExpectationChange::ChangedBy))
                    .col(timestamp_with_time_zone(ExpectationChange::ChangedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ManagerDigest::Table)
                    .col(uuid(ManagerDigest::ManagerId))
                    .col(date(ManagerDigest::WeekStart))
                    .col(timestamp_with_time_zone(ManagerDigest::QueuedAt))
                    .primary_key(
                        Index::create()
                            .col(ManagerDigest::ManagerId)
                            .col(ManagerDigest::WeekStart),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SkillGap::Table)
                    .add_column(string_len(SkillGap::Source, 24).default("PROFILE"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Goal::Table)
                    .add_column(uuid_null(Goal::FollowsGoalId))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in [
            "CREATE UNIQUE INDEX uq_development_plan ON development_plan (employee_id, cycle_id, kind)",
            "CREATE INDEX idx_development_plan_cycle ON development_plan (cycle_id, kind, status)",
            "CREATE INDEX idx_development_item_plan ON development_item (plan_id, created_at, id)",
            "CREATE INDEX idx_development_item_employee ON development_item (employee_id, status)",
            // The reminder scan: dated items still owed, by how far their reminders have gone.
            "CREATE INDEX idx_development_item_due ON development_item (reminder_stage, due_on)",
            "CREATE INDEX idx_development_item_skill ON development_item_skill (skill_id)",
            "CREATE INDEX idx_goal_follows ON goal (follows_goal_id)",
            "CREATE INDEX idx_expectation_history ON expectation_change (employee_id, changed_at, id)",
            // Every target revision so far is part of the history.
            "INSERT INTO expectation_change (id, employee_id, cycle_id, goal_id, kind, key_result_id, \
             metric, direction, old_target, new_target, achieved, progress_ppm, follow_up_goal_id, \
             reason, changed_by, changed_at) \
             SELECT r.id, g.owner_id, g.cycle_id, g.id, 'REVISION', k.id, k.metric, k.direction, \
             r.old_target, r.new_target, NULL, g.progress_ppm, NULL, r.reason, r.revised_by, r.revised_at \
             FROM goal_revision r JOIN goal g ON g.id = r.goal_id JOIN key_result k ON k.id = r.key_result_id",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_goal_follows")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Goal::Table)
                    .drop_column(Goal::FollowsGoalId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SkillGap::Table)
                    .drop_column(SkillGap::Source)
                    .to_owned(),
            )
            .await?;
        for table in [
            ManagerDigest::Table.into_iden(),
            ExpectationChange::Table.into_iden(),
            DevelopmentItemSkill::Table.into_iden(),
            DevelopmentItem::Table.into_iden(),
            DevelopmentPlan::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum DevelopmentPlan {
    Table,
    Id,
    EmployeeId,
    CycleId,
    Kind,
    Status,
    Objectives,
    Support,
    Outcome,
    OutcomeNote,
    OpenedBy,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DevelopmentItem {
    Table,
    Id,
    PlanId,
    EmployeeId,
    Kind,
    Status,
    Title,
    Description,
    Provider,
    Link,
    Hours,
    DueOn,
    MentorId,
    Cadence,
    GoalId,
    Aspirations,
    ManagerNotes,
    Evidence,
    ReturnReason,
    ProposedBy,
    AgreedBy,
    AgreedAt,
    CompletedAt,
    ConfirmedBy,
    ConfirmedAt,
    ReminderStage,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DevelopmentItemSkill {
    Table,
    ItemId,
    SkillId,
    TargetLevel,
}

#[derive(DeriveIden)]
enum ExpectationChange {
    Table,
    Id,
    EmployeeId,
    CycleId,
    GoalId,
    Kind,
    KeyResultId,
    Metric,
    Direction,
    OldTarget,
    NewTarget,
    Achieved,
    ProgressPpm,
    FollowUpGoalId,
    Reason,
    ChangedBy,
    ChangedAt,
}

#[derive(DeriveIden)]
enum ManagerDigest {
    Table,
    ManagerId,
    WeekStart,
    QueuedAt,
}

#[derive(DeriveIden)]
enum SkillGap {
    Table,
    Source,
}

#[derive(DeriveIden)]
enum Goal {
    Table,
    FollowsGoalId,
}
