//! Goal negotiation: who proposed a goal (and so who must answer), who agreed it and when,
//! when it closed, and each step of its history in `goal_event`. Goals that exist when this
//! runs take their agreement and closing from the audit log; their history starts here.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_organisation::Employee;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            uuid_null(Goal::ProposedBy),
            uuid_null(Goal::AgreedBy),
            timestamp_with_time_zone_null(Goal::AgreedAt),
            timestamp_with_time_zone_null(Goal::ClosedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Goal::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        let last = |action: &str, column: &str| {
            format!(
                "(SELECT a.{column} FROM audit_log a WHERE a.entity_id = goal.id \
                 AND a.entity = 'goal' AND a.action {action} ORDER BY a.at DESC LIMIT 1)"
            )
        };
        db.execute_unprepared(&format!(
            "UPDATE goal SET agreed_by = {}, agreed_at = {} \
             WHERE status NOT IN ('DRAFT', 'PROPOSED')",
            last("= 'goal.agree'", "actor_id"),
            last("= 'goal.agree'", "at"),
        ))
        .await?;
        db.execute_unprepared(&format!(
            "UPDATE goal SET closed_at = {} WHERE status IN ('ACHIEVED', 'MISSED', 'DROPPED')",
            last("IN ('goal.achieve', 'goal.miss', 'goal.drop')", "at"),
        ))
        .await?;
        db.execute_unprepared(&format!(
            "UPDATE goal SET proposed_by = {} WHERE status = 'PROPOSED'",
            last("= 'goal.propose'", "actor_id"),
        ))
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(GoalEvent::Table)
                    .col(pk_uuid(GoalEvent::Id))
                    .col(uuid(GoalEvent::GoalId))
                    .col(uuid(GoalEvent::ActorId))
                    .col(string_len(GoalEvent::Step, 16))
                    .col(string_len_null(GoalEvent::FromStatus, 16))
                    .col(string_len(GoalEvent::ToStatus, 16))
                    .col(text_null(GoalEvent::Reason))
                    .col(timestamp_with_time_zone(GoalEvent::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GoalEvent::Table, GoalEvent::GoalId)
                            .to(Goal::Table, Goal::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GoalEvent::Table, GoalEvent::ActorId)
                            .to(Employee::Table, Employee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goal_event_goal_at")
                    .table(GoalEvent::Table)
                    .col(GoalEvent::GoalId)
                    .col(GoalEvent::At)
                    .col(GoalEvent::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(GoalEvent::Table).to_owned())
            .await?;
        for column in [
            Goal::ProposedBy,
            Goal::AgreedBy,
            Goal::AgreedAt,
            Goal::ClosedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Goal::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Goal {
    Table,
    Id,
    ProposedBy,
    AgreedBy,
    AgreedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum GoalEvent {
    Table,
    Id,
    GoalId,
    ActorId,
    Step,
    FromStatus,
    ToStatus,
    Reason,
    At,
}
