//! Check-ins: one per employee and period of their own calendar, opened on a cadence
//! (weekly by default, overridable per employee), reminded at a local time, submitted with
//! progress on their key results, acknowledged by a manager, or MISSED after a grace period.

mod queries;
mod reminders;
mod rules;
mod schedule;
mod team;
mod workflow;

pub use queries::{CheckInFilter, by_ids, containing, get, list, updates_of};
pub use reminders::queue_reminders;
pub use rules::{CheckInAction, check as check_check_in_action};
pub use schedule::{DEFAULT_REMINDER_TIME, GRACE_DAYS, closes_at, mark_missed, open_due};
pub use team::{Team, TeamCounts, TeamScope, team};
pub use workflow::{
    ProgressInput, SubmitInput, Submitted, acknowledge, cadence_of, cadences_of, set_cadence,
    submit,
};

use crate::permissions::can_read_work_of;
use crate::query::Owned;
use entity::{check_in, employee};

impl Owned for check_in::Model {
    type Entity = check_in::Entity;
    const WHAT: &'static str = "check-in";
    fn owner_id(&self) -> uuid::Uuid {
        self.employee_id
    }
    fn readable_by(&self, viewer: &crate::Viewer, owner: &employee::Model) -> bool {
        can_read_work_of(viewer, owner)
    }
}
