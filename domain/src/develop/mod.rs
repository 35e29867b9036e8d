//! The develop stage: competencies and skill gaps (`skills`), development plans and their
//! items with the same verbs as goals (`items`: the employee proposes, the manager agrees or
//! returns; the employee completes, the manager confirms), improvement plans (`improvement`:
//! restricted to the employee, their manager chain and HR; every step audited), and the jobs
//! (`reminders`: dated items a week and a day before, then overdue to the manager;
//! `digest`: each manager's Monday-morning e-mail).

pub mod digest;
pub mod improvement;
mod input;
pub mod items;
pub mod plans;
pub mod reminders;
pub mod rules;
pub mod skills;

pub use input::{ItemInput, ItemPatch};
