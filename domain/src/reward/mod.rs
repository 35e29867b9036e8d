//! The reward stage: compensation and pay grades, each cycle's reward policy, the reward run
//! (a resumable background job: every eligible person's merit raise, lump sum, bonus and PTO,
//! fitted to department budgets), approval and letters, the payroll export, spot awards and
//! promotion recommendations.

pub mod approve;
mod budget;
pub mod calc;
#[cfg(test)]
mod calc_tests;
pub mod compensation;
mod engine;
pub mod fit;
pub mod lines;
pub mod money;
pub mod policy;
pub mod read;
pub mod recognition;
pub mod run;
