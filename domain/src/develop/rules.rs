//! Who may do what to a development item in which state: one check per action, called first
//! by each mutation and by the API's `viewerCan` hints, so a UI shows exactly the buttons
//! that work.

use crate::Viewer;
use crate::error::{DomainError, DomainResult};
use crate::permissions::is_manager_side;
use crate::values::ItemStatus;
use entity::{development_item, employee};

/// What can be done to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemAction {
    /// `updateDevelopmentItem`: its proposer changes it before it is agreed.
    Update,
    /// `agreeDevelopmentItem`: the side it was proposed to agrees.
    Agree,
    /// `returnDevelopmentItem`: a proposal back to its proposer, or a completion back.
    Return,
    /// `completeDevelopmentItem`: the employee marks it done.
    Complete,
    /// `confirmDevelopmentItem`: a manager or HR confirms it.
    Confirm,
}

impl ItemAction {
    /// Every action, for hints and tests.
    pub const ALL: [ItemAction; 5] = [
        ItemAction::Update,
        ItemAction::Agree,
        ItemAction::Return,
        ItemAction::Complete,
        ItemAction::Confirm,
    ];
}

/// Whether `viewer` answers a proposal of this item: the side that did not propose it.
fn answers_proposal(
    viewer: &Viewer,
    item: &development_item::Model,
    owner: &employee::Model,
) -> bool {
    if item.proposed_by == owner.id {
        is_manager_side(viewer, owner)
    } else {
        viewer.id() == owner.id
    }
}

/// Refuses a move from a state it does not start from.
fn require_status(
    item: &development_item::Model,
    from: &[ItemStatus],
    verb: &str,
) -> DomainResult<()> {
    if from.contains(&item.status) {
        Ok(())
    } else {
        Err(DomainError::conflict(format!(
            "only a {} item can be {verb}; this one is {}",
            from.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
            item.status
        )))
    }
}

fn forbidden_unless(allowed: bool, why: &str) -> DomainResult<()> {
    if allowed {
        Ok(())
    } else {
        Err(DomainError::forbidden(why.to_owned()))
    }
}

/// Whether `viewer` may take `action` on `item` (in `owner`'s plan) now; `open` says whether
/// its plan is open and its cycle not closed.
pub fn check(
    action: ItemAction,
    viewer: &Viewer,
    item: &development_item::Model,
    owner: &employee::Model,
    open: bool,
) -> DomainResult<()> {
    match action {
        ItemAction::Update => {
            forbidden_unless(
                item.proposed_by == viewer.id(),
                "an item is changed by whoever proposed it",
            )?;
            require_status(
                item,
                &[ItemStatus::Proposed, ItemStatus::Returned],
                "changed",
            )?;
        }
        ItemAction::Agree => {
            forbidden_unless(
                answers_proposal(viewer, item, owner),
                "a proposal is agreed by the side it was made to: the employee's manager or HR \
                 for the employee's own, the employee for one their manager made",
            )?;
            require_status(item, &[ItemStatus::Proposed], "agreed")?;
        }
        ItemAction::Return => {
            require_status(
                item,
                &[ItemStatus::Proposed, ItemStatus::Completed],
                "returned",
            )?;
            if item.status == ItemStatus::Proposed {
                forbidden_unless(
                    answers_proposal(viewer, item, owner),
                    "a proposal is returned by the side it was made to",
                )?;
            } else {
                forbidden_unless(
                    is_manager_side(viewer, owner),
                    "a completion is returned by the employee's managers or HR",
                )?;
            }
        }
        ItemAction::Complete => {
            forbidden_unless(
                viewer.id() == owner.id,
                "an item is completed by the employee whose plan it is in",
            )?;
            require_status(item, &[ItemStatus::Agreed], "completed")?;
        }
        ItemAction::Confirm => {
            forbidden_unless(
                is_manager_side(viewer, owner),
                "a completed item is confirmed by the employee's managers or HR",
            )?;
            require_status(item, &[ItemStatus::Completed], "confirmed")?;
        }
    }
    if open {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "the plan is closed, or its cycle is: its items are history",
        ))
    }
}
