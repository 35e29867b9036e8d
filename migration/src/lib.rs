//! Portable schema for SQLite and PostgreSQL. This crate knows nothing of `entity`.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_organisation;
mod m20261125_000002_goals;
mod m20261125_000003_check_ins;
mod m20261125_000004_email_outbox;
mod m20261126_000005_domain_events;
mod m20261127_000006_read_indexes;
mod m20261127_000007_goal_progress;
mod m20261127_000008_goal_negotiation;
mod m20261127_000009_department_members;
mod m20261127_000010_goal_health;
mod m20261127_000011_key_result_updates;
mod m20261127_000012_milestones;
mod m20261127_000013_goal_search;
mod m20261127_000014_audit_reads;
mod m20261127_000015_cycle_announcements;
mod m20261127_000016_planning_conversations;
mod m20261127_000017_skills;
mod m20261127_000018_overview_indexes;
mod m20261127_000019_development;
mod m20261127_000020_reviews;
mod m20261128_000021_rewards;
mod m20261128_000022_event_relay;
mod m20261128_000023_token_revocation;
mod m20261128_000024_erasure;
mod m20261128_000025_job_request;
mod m20261128_000026_reward_lines;

pub use m20261127_000007_goal_progress::NAME as GOAL_PROGRESS;
pub use m20261127_000010_goal_health::NAME as GOAL_HEALTH;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_organisation::Migration),
            Box::new(m20261125_000002_goals::Migration),
            Box::new(m20261125_000003_check_ins::Migration),
            Box::new(m20261125_000004_email_outbox::Migration),
            Box::new(m20261126_000005_domain_events::Migration),
            Box::new(m20261127_000006_read_indexes::Migration),
            Box::new(m20261127_000007_goal_progress::Migration),
            Box::new(m20261127_000008_goal_negotiation::Migration),
            Box::new(m20261127_000009_department_members::Migration),
            Box::new(m20261127_000010_goal_health::Migration),
            Box::new(m20261127_000011_key_result_updates::Migration),
            Box::new(m20261127_000012_milestones::Migration),
            Box::new(m20261127_000013_goal_search::Migration),
            Box::new(m20261127_000014_audit_reads::Migration),
            Box::new(m20261127_000015_cycle_announcements::Migration),
            Box::new(m20261127_000016_planning_conversations::Migration),
            Box::new(m20261127_000017_skills::Migration),
            Box::new(m20261127_000018_overview_indexes::Migration),
            Box::new(m20261127_000019_development::Migration),
            Box::new(m20261127_000020_reviews::Migration),
            Box::new(m20261128_000021_rewards::Migration),
            Box::new(m20261128_000022_event_relay::Migration),
            Box::new(m20261128_000023_token_revocation::Migration),
            Box::new(m20261128_000024_erasure::Migration),
            Box::new(m20261128_000025_job_request::Migration),
            Box::new(m20261128_000026_reward_lines::Migration),
        ]
    }
}
