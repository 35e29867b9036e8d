//! Input types of cycles: typed at the edge, turned into domain inputs here, checked in
//! `domain`.

use super::types::CyclePhase;
use crate::graphql::enums::Cadence;
use async_graphql::{ID, InputObject};
use chrono::NaiveDate;

/// A new cycle.
#[derive(InputObject)]
pub struct CreateCycleInput {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[graphql(default_with = "Cadence::Weekly")]
    pub check_in_cadence: Cadence,
    pub review_opens_on: NaiveDate,
    pub review_due_on: NaiveDate,
}

impl From<CreateCycleInput> for domain::cycles::CycleInput {
    fn from(i: CreateCycleInput) -> Self {
        Self {
            name: i.name,
            starts_on: i.starts_on,
            ends_on: i.ends_on,
            check_in_cadence: i.check_in_cadence.into(),
            review_opens_on: i.review_opens_on,
            review_due_on: i.review_due_on,
        }
    }
}

/// Changes to a cycle; omitted fields keep their value.
#[derive(InputObject)]
pub struct UpdateCycleInput {
    /// The cycle to change.
    pub id: ID,
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub check_in_cadence: Option<Cadence>,
    pub review_opens_on: Option<NaiveDate>,
    pub review_due_on: Option<NaiveDate>,
}

impl From<UpdateCycleInput> for domain::cycles::CyclePatch {
    fn from(i: UpdateCycleInput) -> Self {
        Self {
            name: i.name,
            starts_on: i.starts_on,
            ends_on: i.ends_on,
            check_in_cadence: i.check_in_cadence.map(Into::into),
            review_opens_on: i.review_opens_on,
            review_due_on: i.review_due_on,
        }
    }
}

/// A move of a cycle to its next phase.
#[derive(InputObject)]
pub struct AdvanceCyclePhaseInput {
    pub id: ID,
    /// Must be the cycle's `nextPhase`, so that a repeated request is a CONFLICT.
    pub to: CyclePhase,
}
