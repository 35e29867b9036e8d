//! Competencies: the skill catalogue (what each level 1–5 means; retired skills keep their
//! history), job profiles (the expected level of each skill; an employee has one), skill
//! assessments (self and manager kept apart, every one kept), and `skill_gap`, the derived
//! row per employee and expected skill that gap lists read (expected level, latest manager
//! and self levels, the gap), refreshed by every write that moves one of them.

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
                    .table(Skill::Table)
                    .col(pk_uuid(Skill::Id))
                    .col(string_len(Skill::Name, 120))
                    .col(text(Skill::Description))
                    .col(string_len(Skill::Group, 60))
                    .col(json(Skill::Levels))
                    .col(timestamp_with_time_zone_null(Skill::RetiredAt))
                    .col(timestamp_with_time_zone(Skill::CreatedAt))
                    .col(timestamp_with_time_zone(Skill::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobProfile::Table)
                    .col(pk_uuid(JobProfile::Id))
                    .col(string_len(JobProfile::Name, 120))
                    .col(text(JobProfile::Description))
                    .col(timestamp_with_time_zone(JobProfile::CreatedAt))
                    .col(timestamp_with_time_zone(JobProfile::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobProfileSkill::Table)
                    .col(uuid(JobProfileSkill::ProfileId))
                    .col(uuid(JobProfileSkill::SkillId))
                    .col(integer(JobProfileSkill::ExpectedLevel))
                    .primary_key(
                        Index::create()
                            .col(JobProfileSkill::ProfileId)
                            .col(JobProfileSkill::SkillId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(JobProfileSkill::Table, JobProfileSkill::ProfileId)
                            .to(JobProfile::Table, JobProfile::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(JobProfileSkill::Table, JobProfileSkill::SkillId)
                            .to(Skill::Table, Skill::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Employee::Table)
                    .add_column(uuid_null(EmployeeProfile::JobProfileId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SkillAssessment::Table)
                    .col(pk_uuid(SkillAssessment::Id))
                    .col(uuid(SkillAssessment::EmployeeId))
                    .col(uuid(SkillAssessment::SkillId))
                    .col(string_len(SkillAssessment::Kind, 16))
                    .col(integer(SkillAssessment::Level))
                    .col(text(SkillAssessment::Note))
                    .col(uuid(SkillAssessment::AssessedBy))
                    .col(timestamp_with_time_zone(SkillAssessment::AssessedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SkillAssessment::Table, SkillAssessment::EmployeeId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SkillAssessment::Table, SkillAssessment::SkillId)
                            .to(Skill::Table, Skill::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SkillGap::Table)
                    .col(pk_uuid(SkillGap::Id))
                    .col(uuid(SkillGap::EmployeeId))
                    .col(uuid(SkillGap::SkillId))
                    .col(integer(SkillGap::Expected))
                    .col(integer_null(SkillGap::ManagerLevel))
                    .col(integer_null(SkillGap::SelfLevel))
                    .col(integer_null(SkillGap::Gap))
                    .col(integer(SkillGap::Rank))
                    .col(timestamp_with_time_zone(SkillGap::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in [
            "CREATE UNIQUE INDEX uq_skill_name ON skill (name)",
            "CREATE UNIQUE INDEX uq_job_profile_name ON job_profile (name)",
            "CREATE INDEX idx_employee_job_profile ON employee (job_profile_id)",
            "CREATE INDEX idx_skill_assessment_history ON skill_assessment (employee_id, skill_id, assessed_at, id)",
            "CREATE UNIQUE INDEX uq_skill_gap_employee_skill ON skill_gap (employee_id, skill_id)",
            // Largest gaps first (unassessed last), over everyone or within a scope.
            "CREATE INDEX idx_skill_gap_rank ON skill_gap (rank, id)",
            "CREATE INDEX idx_skill_gap_skill ON skill_gap (skill_id)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SkillGap::Table.into_iden(),
            SkillAssessment::Table.into_iden(),
            JobProfileSkill::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_employee_job_profile")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Employee::Table)
                    .drop_column(EmployeeProfile::JobProfileId)
                    .to_owned(),
            )
            .await?;
        for table in [JobProfile::Table.into_iden(), Skill::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Skill {
    Table,
    Id,
    Name,
    Description,
    #[sea_orm(iden = "skill_group")]
    Group,
    Levels,
    RetiredAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JobProfile {
    Table,
    Id,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JobProfileSkill {
    Table,
    ProfileId,
    SkillId,
    ExpectedLevel,
}

#[derive(DeriveIden)]
enum EmployeeProfile {
    JobProfileId,
}

#[derive(DeriveIden)]
enum SkillAssessment {
    Table,
    Id,
    EmployeeId,
    SkillId,
    Kind,
    Level,
    Note,
    AssessedBy,
    AssessedAt,
}

#[derive(DeriveIden)]
enum SkillGap {
    Table,
    Id,
    EmployeeId,
    SkillId,
    Expected,
    ManagerLevel,
    SelfLevel,
    Gap,
    Rank,
    UpdatedAt,
}
