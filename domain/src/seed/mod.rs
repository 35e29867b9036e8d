//! Seed data (never a migration): a believable demo organisation, or a large generated one
//! for benchmarks and load tests.

mod bulk;
mod demo;
mod develop;
mod generate;
mod people;
mod rewards;
mod work;

pub use demo::{DEMO_HR_EMAIL, DemoPeople, demo};
pub use generate::{Generated, generate, generate_people};
pub use rewards::{RewardInputs, reward_inputs, standard_policy};
