//! What may be done to a goal, by whom and in which state: one function per action, called by
//! the mutation before it writes and by the API's `viewerCan` hints, so that a hint and its
//! mutation cannot disagree. Each answers the mutation's own error, who before what: a viewer
//! who may not act at all hears FORBIDDEN whatever the state; one who may hears CONFLICT when
//! the state (of the goal or its cycle) does not allow it now.
//!
//! What depends on the request's values or on other rows is checked by the mutation after
//! these: weights adding up to 100 (agree, accept), a valid parent or due date (edit), a
//! target on the right side of the start (revise), a draft others align to or feedback names
//! (delete).

use super::{Side, awaiting, is_closed};
use crate::error::{DomainError, DomainResult};
use crate::permissions;
use crate::values::{CyclePhase, GoalStatus};
use crate::viewer::Viewer;
use entity::{cycle, employee, goal};

/// Something a viewer may do to a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalAction {
    /// `updateGoal`.
    Edit,
    /// `proposeGoal`.
    Propose,
    /// `agreeGoal`: a manager or HR completes a goal the owner proposed.
    Agree,
    /// `acceptGoal`: the owner completes a goal proposed to them.
    Accept,
    /// `returnGoal`.
    Return,
    /// `closeGoal` as ACHIEVED or MISSED.
    Close,
    /// `closeGoal` as DROPPED.
    Drop,
    /// `deleteGoal`.
    Delete,
    /// `reviseTarget` on one of its key results.
    ReviseTarget,
    /// `updateKeyResultValue` on one of its key results.
    RecordProgress,
    /// `setMilestones`: write or change its action plan.
    PlanMilestones,
    /// `completeMilestone`: tick a step of its plan off (or back on).
    CompleteMilestone,
}

impl GoalAction {
    /// Every action, for hints and tests.
    pub const ALL: [GoalAction; 12] = [
        GoalAction::Edit,
        GoalAction::Propose,
        GoalAction::Agree,
        GoalAction::Accept,
        GoalAction::Return,
        GoalAction::Close,
        GoalAction::Drop,
        GoalAction::Delete,
        GoalAction::ReviseTarget,
        GoalAction::RecordProgress,
        GoalAction::PlanMilestones,
        GoalAction::CompleteMilestone,
    ];
}

/// Goals change only while their cycle is PLANNING or ACTIVE.
pub(super) fn check_open_cycle(cycle: &cycle::Model) -> DomainResult<()> {
    if matches!(cycle.phase, CyclePhase::Planning | CyclePhase::Active) {
        Ok(())
    } else {
        Err(DomainError::conflict(format!(
            "cycle {} is in {}; goals can change only while it is PLANNING or ACTIVE",
            cycle.name, cycle.phase
        )))
    }
}

/// Whether `viewer` may take `action` on `goal` (owned by `owner`, in `cycle`) now, as far as
/// who they are and the states allow.
pub fn check(
    action: GoalAction,
    viewer: &Viewer,
    goal: &goal::Model,
    owner: &employee::Model,
    cycle: &cycle::Model,
) -> DomainResult<()> {
    match action {
        GoalAction::Edit => {
            permissions::require_edit_goal(viewer, goal.status, owner)?;
            check_open_cycle(cycle)
        }
        GoalAction::Propose => {
            permissions::require_propose_goal(viewer, owner)?;
            if goal.status != GoalStatus::Draft {
                return Err(DomainError::conflict(format!(
                    "only a DRAFT goal can be proposed; this one is {}",
                    goal.status
                )));
            }
            check_open_cycle(cycle)
        }
        GoalAction::Agree => {
            check_answer(viewer, goal, owner, Side::Manager, "agreed")?;
            check_open_cycle(cycle)
        }
        GoalAction::Accept => {
            check_answer(viewer, goal, owner, Side::Owner, "accepted")?;
            check_open_cycle(cycle)
        }
        GoalAction::Return => {
            // The side the goal waits for answers; for a goal that waits for nobody, either
            // side hears CONFLICT and anyone else FORBIDDEN.
            let side = match awaiting(goal) {
                Some(side) => side,
                None if viewer.id() == owner.id => Side::Owner,
                None => Side::Manager,
            };
            check_answer(viewer, goal, owner, side, "returned")?;
            check_open_cycle(cycle)
        }
        GoalAction::Close | GoalAction::Drop => {
            let dropping = action == GoalAction::Drop;
            permissions::require_close_goal(viewer, goal, owner, dropping)?;
            if is_closed(goal.status) {
                return Err(DomainError::conflict(format!(
                    "the goal is already {}",
                    goal.status
                )));
            }
            if !dropping && goal.status != GoalStatus::Agreed {
                return Err(DomainError::conflict(format!(
                    "only an AGREED goal can be closed as achieved or missed; this one is {}",
                    goal.status
                )));
            }
            Ok(())
        }
        GoalAction::Delete => {
            permissions::require_delete_goal(viewer, owner)?;
            if goal.status != GoalStatus::Draft {
                return Err(DomainError::conflict(format!(
                    "only a DRAFT goal can be deleted; this one is {} (close it instead)",
                    goal.status
                )));
            }
            Ok(())
        }
        GoalAction::ReviseTarget => {
            permissions::require_manage_goal(viewer, owner)?;
            // An achieved goal's target may still be raised before its due date (it reopens).
            if goal.status != GoalStatus::Agreed && !super::expectations::achieved_early(goal) {
                return Err(DomainError::conflict(format!(
                    "targets are revised on AGREED goals, or raised on goals ACHIEVED before \
                     their due date (this one is {})",
                    goal.status
                )));
            }
            check_open_cycle(cycle)
        }
        GoalAction::RecordProgress => {
            permissions::require_record_progress(viewer, owner)?;
            if goal.status != GoalStatus::Agreed {
                return Err(DomainError::conflict(format!(
                    "progress is recorded on AGREED goals; this one is {}",
                    goal.status
                )));
            }
            check_active_cycle(cycle)
        }
        GoalAction::PlanMilestones => {
            permissions::require_record_progress(viewer, owner)?;
            if is_closed(goal.status) {
                return Err(DomainError::conflict(format!(
                    "the goal is {}; its plan no longer changes",
                    goal.status
                )));
            }
            check_open_cycle(cycle)
        }
        GoalAction::CompleteMilestone => {
            permissions::require_record_progress(viewer, owner)?;
            if goal.status != GoalStatus::Agreed {
                return Err(DomainError::conflict(format!(
                    "milestones are done on AGREED goals; this one is {}",
                    goal.status
                )));
            }
            check_active_cycle(cycle)
        }
    }
}

/// Work is recorded only while the cycle is ACTIVE.
fn check_active_cycle(cycle: &cycle::Model) -> DomainResult<()> {
    if cycle.phase == CyclePhase::Active {
        Ok(())
    } else {
        Err(DomainError::conflict(format!(
            "cycle {} is {}; progress is recorded while it is ACTIVE",
            cycle.name, cycle.phase
        )))
    }
}

/// Checks that `viewer` answers for `side` and that `goal` is PROPOSED and waits for it.
fn check_answer(
    viewer: &Viewer,
    goal: &goal::Model,
    owner: &employee::Model,
    side: Side,
    verb: &str,
) -> DomainResult<()> {
    permissions::require_answer_goal(viewer, owner, side)?;
    match awaiting(goal) {
        Some(waiting) if waiting == side => Ok(()),
        Some(Side::Owner) => Err(DomainError::conflict(format!(
            "this goal was proposed to {}; it waits for them to accept or return it",
            owner.name
        ))),
        Some(Side::Manager) => Err(DomainError::conflict(format!(
            "{} proposed this goal; it waits for their manager or HR to agree or return it",
            owner.name
        ))),
        None => Err(DomainError::conflict(format!(
            "only a PROPOSED goal can be {verb}; this one is {}",
            goal.status
        ))),
    }
}
