//! Output types of cycles: the cycle and its phases.

use crate::graphql::enums::{Cadence, mirror_enum};
use crate::graphql::errors::GqlResult;
use crate::graphql::viewer;
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::cycles::CycleAction;
use entity::cycle;

mirror_enum!(
    /// Phases of a cycle, in order; a cycle only moves forward.
    CyclePhase { Planning, Active, Review, Calibration, Rewarding, Closed }
);

/// Which cycle mutations the viewer may call now (see `Cycle.viewerCan`).
#[derive(SimpleObject)]
pub struct CycleViewerCan {
    /// `updateCycle`.
    pub update: bool,
    /// `advanceCyclePhase` to `nextPhase`.
    pub advance: bool,
}

/// A performance cycle ("FY2027").
pub struct Cycle(pub cycle::Model);

#[Object]
impl Cycle {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What the viewer may do to this cycle now, by the rule its mutations check first. A
    /// `true` update can still refuse the values sent (dates out of order, goals falling
    /// outside the new dates).
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<CycleViewerCan> {
        let viewer = viewer(ctx)?;
        let can = |action| domain::cycles::check_action(action, viewer, &self.0).is_ok();
        Ok(CycleViewerCan {
            update: can(CycleAction::Update),
            advance: can(CycleAction::Advance),
        })
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }
    /// Default check-in cadence; managers may override it per employee.
    async fn check_in_cadence(&self) -> Cadence {
        self.0.check_in_cadence.into()
    }
    async fn review_opens_on(&self) -> NaiveDate {
        self.0.review_opens_on
    }
    async fn review_due_on(&self) -> NaiveDate {
        self.0.review_due_on
    }
    async fn phase(&self) -> CyclePhase {
        self.0.phase.into()
    }
    /// The phase `advanceCyclePhase` may move to, if any.
    async fn next_phase(&self) -> Option<CyclePhase> {
        domain::cycles::next_phase(self.0.phase).map(CyclePhase::from)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
