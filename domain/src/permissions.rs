//! DESIGN §4 as functions. Use-cases call these before they read or write; a denial is
//! `NOT_FOUND` where the viewer may not even know the object exists, else `FORBIDDEN`.

use crate::error::{DomainError, DomainResult};
use crate::goals::Side;
use crate::values::{GoalLevel, GoalStatus, Visibility};
use crate::viewer::Viewer;
use entity::{employee, goal};

/// Whether the viewer may read `goal`, owned by `owner`.
pub fn can_read_goal(viewer: &Viewer, goal: &goal::Model, owner: &employee::Model) -> bool {
    viewer.is_hr()
        || viewer.is_self_or_manager_of(owner)
        || (goal.visibility == Visibility::Public && goal.level != GoalLevel::Individual)
}

/// Reads are checked first: an invisible goal is not found.
pub fn require_read_goal(
    viewer: &Viewer,
    goal: &goal::Model,
    owner: &employee::Model,
) -> DomainResult<()> {
    if can_read_goal(viewer, goal, owner) {
        Ok(())
    } else {
        Err(DomainError::NotFound("goal"))
    }
}

/// Creating a goal for `owner`: themselves, their managers, or HR.
pub fn require_create_goal_for(viewer: &Viewer, owner: &employee::Model) -> DomainResult<()> {
    if viewer.is_hr() || viewer.is_self_or_manager_of(owner) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "you may create goals only for yourself and the people you manage",
        ))
    }
}

/// Editing a goal's content: the owner while it is a draft; their managers and HR until
/// it is agreed. Who may not edit at all hears FORBIDDEN before anything about the state.
pub fn require_edit_goal(
    viewer: &Viewer,
    status: GoalStatus,
    owner: &employee::Model,
) -> DomainResult<()> {
    let manager_or_hr = viewer.is_hr() || viewer.manages(owner);
    if !manager_or_hr && viewer.id() != owner.id {
        return Err(DomainError::forbidden(
            "only the owner, their managers or HR may edit a goal",
        ));
    }
    match status {
        GoalStatus::Draft => Ok(()),
        GoalStatus::Proposed if manager_or_hr => Ok(()),
        GoalStatus::Proposed => Err(DomainError::forbidden(
            "only the owner's managers or HR may edit a proposed goal",
        )),
        _ => Err(DomainError::conflict(format!(
            "a goal that is {status} can no longer be edited; revise a key result's target instead"
        ))),
    }
}

/// Agreeing, closing and revising targets: the owner's managers or HR, never the owner
/// alone (an HR admin's own goals are agreed by their manager or another HR admin).
pub fn require_manage_goal(viewer: &Viewer, owner: &employee::Model) -> DomainResult<()> {
    if viewer.id() != owner.id && (viewer.is_hr() || viewer.manages(owner)) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only the owner's manager or HR may do this",
        ))
    }
}

/// Proposing a draft: the owner (to their manager), or a manager of the owner or HR (to the
/// owner).
pub fn require_propose_goal(viewer: &Viewer, owner: &employee::Model) -> DomainResult<()> {
    if viewer.is_hr() || viewer.is_self_or_manager_of(owner) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only the owner, their managers or HR may propose a goal",
        ))
    }
}

/// Answering a proposal (agree, accept, return) for `side`: the owner answers for the owner;
/// the owner's managers or HR (never the owner) for the manager.
pub fn require_answer_goal(
    viewer: &Viewer,
    owner: &employee::Model,
    side: Side,
) -> DomainResult<()> {
    match side {
        Side::Manager => require_manage_goal(viewer, owner),
        Side::Owner if viewer.id() == owner.id => Ok(()),
        Side::Owner => Err(DomainError::forbidden(format!(
            "only {} can accept or return a goal proposed to them",
            owner.name
        ))),
    }
}

/// Closing a goal: the owner's managers or HR; the owner may also drop (`dropping`) their own
/// draft.
pub fn require_close_goal(
    viewer: &Viewer,
    goal: &goal::Model,
    owner: &employee::Model,
    dropping: bool,
) -> DomainResult<()> {
    if dropping && goal.status == GoalStatus::Draft && viewer.id() == owner.id {
        Ok(())
    } else {
        require_manage_goal(viewer, owner)
    }
}

/// Deleting a draft: its owner only (anyone else drops it, which keeps the record).
pub fn require_delete_goal(viewer: &Viewer, owner: &employee::Model) -> DomainResult<()> {
    if viewer.id() == owner.id {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only the owner may delete a draft; drop it instead",
        ))
    }
}

/// Recording progress: the owner, their managers, HR.
pub fn require_record_progress(viewer: &Viewer, owner: &employee::Model) -> DomainResult<()> {
    if viewer.is_hr() || viewer.is_self_or_manager_of(owner) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only the owner, their managers or HR may record progress",
        ))
    }
}

/// Cycles, policies and other organisation-wide settings: HR only.
pub fn require_hr(viewer: &Viewer, what: &str) -> DomainResult<()> {
    if viewer.is_hr() {
        Ok(())
    } else {
        Err(DomainError::forbidden(format!("only HR admins may {what}")))
    }
}

/// A person's own work records (check-ins, private feedback): themselves, their managers, HR.
pub fn can_read_work_of(viewer: &Viewer, person: &employee::Model) -> bool {
    viewer.is_hr() || viewer.is_self_or_manager_of(person)
}

/// The manager's side of someone's plans and conversations: one of their managers, or HR;
/// never the person themselves.
pub fn is_manager_side(viewer: &Viewer, person: &employee::Model) -> bool {
    viewer.id() != person.id && (viewer.is_hr() || viewer.manages(person))
}
