//! SMART goals with key results: validated input, the workflow
//! `DRAFT → PROPOSED → AGREED → ACHIEVED | MISSED | DROPPED` negotiated by both sides (a
//! proposal is agreed or returned to DRAFT by the side it was put to), its history, key-result progress and target
//! revisions kept as history, batch reads with progress rolled up on the server and stored on each goal, and the alignment tree.

mod alignment;
mod expectations;
mod health;
mod history;
mod input;
mod key_results;
mod milestones;
mod queries;
mod rollup;
mod rules;
mod workflow;

pub use alignment::{AlignmentNode, MAX_TREE_NODES, alignment};
pub use expectations::{achieved_early, history as expectation_history, is_raise, raised};
pub use health::{
    AT_RISK_BEHIND, LOW_CONFIDENCE, OFF_TRACK_BEHIND, OFF_TRACK_PERIODS, expected_progress,
    expected_progress_of, goal_health, health_of, key_result_health, latest_confidences,
    refresh as refresh_health, refresh_all as refresh_all_health,
    refresh_daily as refresh_daily_health,
};
pub use history::events_of;
pub use input::{
    GoalFilter, GoalInput, GoalPatch, KeyResultInput, MAX_KEY_RESULTS, MAX_SCALE, Outcome,
    check_value,
};
pub(crate) use key_results::record_update;
pub use key_results::{
    ProgressRecorded, TargetRevised, get_key_result, key_result_progress, key_results_by_ids,
    key_results_of, record_progress, revise_target, revisions_of, updates as key_result_updates,
};
pub use milestones::{
    MAX_MILESTONES, MilestoneInput, complete as complete_milestone, milestones_of,
    set as set_milestones,
};
pub use queries::{by_ids, children_of, get, list, of_owners};
pub use rollup::{
    Rebuilt, Rollup, moved as moved_goals, rebuild as rebuild_progress, refresh as refresh_progress,
};
pub use rules::{GoalAction, check as check_goal_action};
pub use workflow::{accept, agree, close, create, delete, propose, return_goal, update};

use crate::permissions::can_read_goal;
use crate::query::Owned;
use crate::values::GoalStatus;
use entity::{employee, goal};

impl Owned for goal::Model {
    type Entity = goal::Entity;
    const WHAT: &'static str = "goal";
    fn owner_id(&self) -> uuid::Uuid {
        self.owner_id
    }
    fn readable_by(&self, viewer: &crate::Viewer, owner: &employee::Model) -> bool {
        can_read_goal(viewer, self, owner)
    }
}

/// The two sides of a goal's agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The person whose goal it is.
    Owner,
    /// Their managers (or HR).
    Manager,
}

/// Who a PROPOSED goal waits for: the manager when the owner proposed it, the owner when
/// anyone else did. `None` unless the goal is PROPOSED.
pub fn awaiting(goal: &goal::Model) -> Option<Side> {
    if goal.status != GoalStatus::Proposed {
        return None;
    }
    match goal.proposed_by {
        Some(by) if by != goal.owner_id => Some(Side::Owner),
        _ => Some(Side::Manager),
    }
}

/// Whether a goal's workflow has ended.
pub fn is_closed(status: GoalStatus) -> bool {
    matches!(
        status,
        GoalStatus::Achieved | GoalStatus::Missed | GoalStatus::Dropped
    )
}
