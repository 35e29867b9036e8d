//! Tables and relations, nothing else. Rules live in `domain`.
//! Column types (enumerations, decimals) are in [`values`].

pub mod audit_log;
pub mod background_job;
pub mod cadence_override;
pub mod check_in;
pub mod compensation;
pub mod cycle;
pub mod cycle_announcement;
pub mod department;
pub mod development_item;
pub mod development_item_skill;
pub mod development_plan;
pub mod domain_event;
pub mod email_outbox;
pub mod employee;
pub mod expectation_change;
pub mod feedback;
pub mod goal;
pub mod goal_event;
pub mod goal_revision;
pub mod job_profile;
pub mod job_profile_skill;
pub mod key_result;
pub mod key_result_update;
pub mod manager_digest;
pub mod milestone;
pub mod pay_grade;
pub mod peer_nomination;
pub mod planning_conversation;
pub mod promotion;
pub mod review;
pub mod review_notice;
pub mod review_rating;
pub mod review_round;
pub mod review_template;
pub mod reward;
pub mod reward_note;
pub mod reward_policy;
pub mod reward_run;
pub mod scheduler_tick;
pub mod skill;
pub mod skill_assessment;
pub mod skill_gap;
pub mod values;

pub use values::*;
