//! The black-box suite: each test starts the app on port 0 with a database of its own.

// `allow-unwrap-in-tests` covers only the `#[test]` functions themselves, not the helpers
// beside them in this crate, which is all test code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod check_ins;
mod crash;
mod cycles;
mod dashboard;
mod development;
mod development_jobs;
mod emails;
mod employees;
mod errors;
mod events;
mod expectations;
mod feedback;
mod filters;
mod foreign_ids;
mod goal_permissions;
mod goals;
mod health;
mod hints;
mod hostile;
mod http;
mod import_seed;
mod key_results;
mod milestones;
mod n_plus_one;
mod negotiation;
mod observability;
mod org_chart;
mod overview;
mod pagination;
mod planning_conversations;
mod plans;
mod privacy;
mod queue;
mod regressions;
mod reminders;
mod review_anonymity;
mod review_jobs;
mod review_results;
mod reviews;
mod reward_letters;
mod reward_rules;
mod rewards;
mod schema;
mod security;
mod skills;
mod smart_rules;
mod storage;
mod subscriptions;
mod team_check_ins;
