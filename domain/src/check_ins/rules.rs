//! What may be done to a check-in, by whom and in which state: one check per action, called
//! by the mutation before it writes and by the API's `viewerCan` hints. Who before what: a
//! viewer who may not act at all hears FORBIDDEN; one who may hears CONFLICT when the state
//! does not allow it now. The submission's own values (confidence 1–5, key results of the
//! employee's agreed goals) are checked by the mutation after this.

use crate::error::{DomainError, DomainResult};
use crate::permissions;
use crate::values::{CheckInStatus, CyclePhase};
use crate::viewer::Viewer;
use chrono::{DateTime, Utc};
use entity::{check_in, cycle, employee};

/// Something a viewer may do to a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckInAction {
    /// `submitCheckIn`: the employee, while it is DUE and open, in an ACTIVE cycle.
    Submit,
    /// `acknowledgeCheckIn`: a manager of the employee or HR, once it is SUBMITTED.
    Acknowledge,
}

/// Whether `viewer` may take `action` on check-in `c` of `owner`, in `cycle`, at `now`.
pub fn check(
    action: CheckInAction,
    viewer: &Viewer,
    c: &check_in::Model,
    owner: &employee::Model,
    cycle: &cycle::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    match action {
        CheckInAction::Submit => {
            if owner.id != viewer.id() {
                return Err(DomainError::forbidden(
                    "only the employee may submit their own check-in",
                ));
            }
            if c.status != CheckInStatus::Due {
                return Err(DomainError::conflict(format!(
                    "the check-in is already {}",
                    c.status
                )));
            }
            if now >= c.closes_at {
                return Err(DomainError::conflict(format!(
                    "the check-in for {} to {} closed at {}; it counts as missed",
                    c.period_start, c.period_end, c.closes_at
                )));
            }
            if cycle.phase != CyclePhase::Active {
                return Err(DomainError::conflict(format!(
                    "cycle {} is {}; check-ins are closed",
                    cycle.name, cycle.phase
                )));
            }
            Ok(())
        }
        CheckInAction::Acknowledge => {
            permissions::require_manage_goal(viewer, owner)?;
            if c.status != CheckInStatus::Submitted {
                return Err(DomainError::conflict(format!(
                    "only a SUBMITTED check-in can be acknowledged; this one is {}",
                    c.status
                )));
            }
            Ok(())
        }
    }
}
