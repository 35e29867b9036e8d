//! The review stage: templates (a rating scale with a label per point, and questions, each
//! answered by some review kinds), review rounds per cycle (`MIDYEAR`, `ANNUAL`: window and
//! settings; every cycle's annual round is backfilled from its review window), background jobs
//! (a launch, a release: queued rows that any worker claims with a lease and resumes), review
//! assignments with their answers, peer nominations, and each person's rating for a round
//! (the computed score with its version, calibration, release, acknowledgement); and the
//! marks of deadline e-mails (one per round, recipient and stage).

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_organisation::Cycle;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReviewTemplate::Table)
                    .col(pk_uuid(ReviewTemplate::Id))
                    .col(string_len(ReviewTemplate::Name, 200))
                    .col(integer(ReviewTemplate::ScaleMax))
                    .col(json(ReviewTemplate::ScaleLabels))
                    .col(json(ReviewTemplate::Questions))
                    .col(uuid(ReviewTemplate::CreatedBy))
                    .col(timestamp_with_time_zone(ReviewTemplate::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewRound::Table)
                    .col(pk_uuid(ReviewRound::Id))
                    .col(uuid(ReviewRound::CycleId))
                    .col(string_len(ReviewRound::Kind, 16))
                    .col(string_len(ReviewRound::Status, 16))
                    .col(uuid_null(ReviewRound::TemplateId))
                    .col(date(ReviewRound::OpensOn))
                    .col(date(ReviewRound::DueOn))
                    .col(date(ReviewRound::ClosesOn))
                    .col(integer(ReviewRound::PeerMin))
                    .col(integer(ReviewRound::PeerMax))
                    .col(integer(ReviewRound::AnonymityThreshold))
                    .col(date_null(ReviewRound::HiredOnOrBefore))
                    .col(string_len(ReviewRound::WeightGoals, 40))
                    .col(string_len(ReviewRound::WeightManager, 40))
                    .col(string_len(ReviewRound::WeightPeer, 40))
                    .col(string_len(ReviewRound::WeightSelf, 40))
                    .col(boolean(ReviewRound::HrSeesPeerIdentities))
                    .col(json(ReviewRound::TargetDistribution))
                    .col(string_len(ReviewRound::ScoreVersion, 40))
                    .col(integer(ReviewRound::EscalateManagerAfterDays))
                    .col(integer(ReviewRound::EscalateHrAfterDays))
                    .col(integer(ReviewRound::Expired).default(0))
                    .col(timestamp_with_time_zone_null(ReviewRound::ClosedAt))
                    .col(timestamp_with_time_zone(ReviewRound::CreatedAt))
                    .col(timestamp_with_time_zone(ReviewRound::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewRound::Table, ReviewRound::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewRound::Table, ReviewRound::TemplateId)
                            .to(ReviewTemplate::Table, ReviewTemplate::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BackgroundJob::Table)
                    .col(pk_uuid(BackgroundJob::Id))
                    .col(string_len(BackgroundJob::Kind, 32))
                    .col(uuid(BackgroundJob::SubjectId))
                    .col(uuid_null(BackgroundJob::ScopeId))
                    .col(string_len(BackgroundJob::Status, 16))
                    .col(big_integer(BackgroundJob::Processed).default(0))
                    .col(big_integer(BackgroundJob::Total).default(0))
                    .col(string_len_null(BackgroundJob::Cursor, 200))
                    .col(integer(BackgroundJob::Attempts).default(0))
                    .col(string_len_null(BackgroundJob::LeaseOwner, 200))
                    .col(timestamp_with_time_zone_null(BackgroundJob::LeaseUntil))
                    .col(text(BackgroundJob::LastError))
                    .col(uuid_null(BackgroundJob::RequestedBy))
                    .col(timestamp_with_time_zone(BackgroundJob::CreatedAt))
                    .col(timestamp_with_time_zone_null(BackgroundJob::StartedAt))
                    .col(timestamp_with_time_zone_null(BackgroundJob::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Review::Table)
                    .col(pk_uuid(Review::Id))
                    .col(uuid(Review::RoundId))
                    .col(uuid(Review::RevieweeId))
                    .col(uuid(Review::ReviewerId))
                    .col(string_len(Review::Kind, 16))
                    .col(string_len(Review::Status, 16))
                    .col(json(Review::Answers))
                    .col(integer_null(Review::OverallRating))
                    .col(string_len_null(Review::Potential, 16))
                    .col(text(Review::DeclineReason))
                    .col(timestamp_with_time_zone_null(Review::SubmittedAt))
                    .col(timestamp_with_time_zone(Review::CreatedAt))
                    .col(timestamp_with_time_zone(Review::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Review::Table, Review::RoundId)
                            .to(ReviewRound::Table, ReviewRound::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PeerNomination::Table)
                    .col(uuid(PeerNomination::RoundId))
                    .col(uuid(PeerNomination::RevieweeId))
                    .col(uuid(PeerNomination::PeerId))
                    .col(string_len(PeerNomination::Status, 16))
                    .col(uuid(PeerNomination::NominatedBy))
                    .col(uuid_null(PeerNomination::DecidedBy))
                    .col(timestamp_with_time_zone(PeerNomination::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(PeerNomination::RoundId)
                            .col(PeerNomination::RevieweeId)
                            .col(PeerNomination::PeerId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewRating::Table)
                    .col(uuid(ReviewRating::RoundId))
                    .col(uuid(ReviewRating::EmployeeId))
                    .col(uuid_null(ReviewRating::ManagerId))
                    .col(uuid_null(ReviewRating::DepartmentId))
                    .col(string_len_null(ReviewRating::Score, 40))
                    .col(string_len(ReviewRating::ScoreVersion, 40))
                    .col(json(ReviewRating::Components))
                    .col(integer_null(ReviewRating::ProposedRating))
                    .col(integer_null(ReviewRating::FinalRating))
                    .col(string_len_null(ReviewRating::Potential, 16))
                    .col(uuid_null(ReviewRating::CalibratedBy))
                    .col(text(ReviewRating::CalibrationReason))
                    .col(timestamp_with_time_zone_null(ReviewRating::CalibratedAt))
                    .col(timestamp_with_time_zone_null(ReviewRating::ReleasedAt))
                    .col(timestamp_with_time_zone_null(ReviewRating::AcknowledgedAt))
                    .col(text(ReviewRating::Acknowledgement))
                    .col(timestamp_with_time_zone(ReviewRating::ComputedAt))
                    .primary_key(
                        Index::create()
                            .col(ReviewRating::RoundId)
                            .col(ReviewRating::EmployeeId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewNotice::Table)
                    .col(uuid(ReviewNotice::RoundId))
                    .col(uuid(ReviewNotice::RecipientId))
                    .col(integer(ReviewNotice::Stage))
                    .col(timestamp_with_time_zone(ReviewNotice::QueuedAt))
                    .primary_key(
                        Index::create()
                            .col(ReviewNotice::RoundId)
                            .col(ReviewNotice::RecipientId)
                            .col(ReviewNotice::Stage),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in [
            "CREATE UNIQUE INDEX uq_review_round ON review_round (cycle_id, kind)",
            // One assignment per reviewer, reviewee and kind in a round: a launch run twice
            // (or resumed after a crash) inserts nothing new.
            "CREATE UNIQUE INDEX uq_review ON review (round_id, reviewee_id, reviewer_id, kind)",
            "CREATE INDEX idx_review_reviewer ON review (reviewer_id, round_id, status)",
            "CREATE INDEX idx_review_round_status ON review (round_id, status)",
            "CREATE INDEX idx_background_job ON background_job (status, kind)",
            "CREATE INDEX idx_background_job_subject ON background_job (subject_id, kind, created_at)",
            "CREATE INDEX idx_review_rating_manager ON review_rating (round_id, manager_id)",
            "CREATE INDEX idx_review_rating_department ON review_rating (round_id, department_id)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        // Every cycle's review window becomes its annual round, with the default settings
        // and a week's grace after the due date before it closes.
        let closes_on = match manager.get_database_backend() {
            DbBackend::Sqlite => "date(review_due_on, '+7 days')",
            _ => "review_due_on + 7",
        };
        db.execute_unprepared(&format!(
            "INSERT INTO review_round (id, cycle_id, kind, status, template_id, opens_on, due_on, \
             closes_on, peer_min, peer_max, anonymity_threshold, hired_on_or_before, \
             weight_goals, weight_manager, weight_peer, weight_self, hr_sees_peer_identities, \
             target_distribution, score_version, escalate_manager_after_days, \
             escalate_hr_after_days, expired, closed_at, created_at, updated_at) \
             SELECT id, id, 'ANNUAL', 'PLANNED', NULL, review_opens_on, review_due_on, \
             {closes_on}, 3, 8, 3, NULL, '50', '40', '10', '0', FALSE, '[]', 'score-v1', 2, 5, \
             0, NULL, created_at, updated_at FROM cycle"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReviewNotice::Table.into_iden(),
            ReviewRating::Table.into_iden(),
            PeerNomination::Table.into_iden(),
            Review::Table.into_iden(),
            BackgroundJob::Table.into_iden(),
            ReviewRound::Table.into_iden(),
            ReviewTemplate::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ReviewTemplate {
    Table,
    Id,
    Name,
    ScaleMax,
    ScaleLabels,
    Questions,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReviewRound {
    Table,
    Id,
    CycleId,
    Kind,
    Status,
    TemplateId,
    OpensOn,
    DueOn,
    ClosesOn,
    PeerMin,
    PeerMax,
    AnonymityThreshold,
    HiredOnOrBefore,
    WeightGoals,
    WeightManager,
    WeightPeer,
    WeightSelf,
    HrSeesPeerIdentities,
    TargetDistribution,
    ScoreVersion,
    EscalateManagerAfterDays,
    EscalateHrAfterDays,
    Expired,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BackgroundJob {
    Table,
    Id,
    Kind,
    SubjectId,
    ScopeId,
    Status,
    Processed,
    Total,
    Cursor,
    Attempts,
    LeaseOwner,
    LeaseUntil,
    LastError,
    RequestedBy,
    CreatedAt,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Review {
    Table,
    Id,
    RoundId,
    RevieweeId,
    ReviewerId,
    Kind,
    Status,
    Answers,
    OverallRating,
    Potential,
    DeclineReason,
    SubmittedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PeerNomination {
    Table,
    RoundId,
    RevieweeId,
    PeerId,
    Status,
    NominatedBy,
    DecidedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReviewNotice {
    Table,
    RoundId,
    RecipientId,
    Stage,
    QueuedAt,
}

#[derive(DeriveIden)]
enum ReviewRating {
    Table,
    RoundId,
    EmployeeId,
    ManagerId,
    DepartmentId,
    Score,
    ScoreVersion,
    Components,
    ProposedRating,
    FinalRating,
    Potential,
    CalibratedBy,
    CalibrationReason,
    CalibratedAt,
    ReleasedAt,
    AcknowledgedAt,
    Acknowledgement,
    ComputedAt,
}
