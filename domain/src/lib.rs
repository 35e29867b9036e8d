//! perfcycle's rules and use-cases, shared by the API and the workers.
//!
//! Every read and write goes through a function here that takes the [`Viewer`] and checks
//! DESIGN §4 before it touches the database: resolvers and job handlers only translate.

pub mod announcements;
pub mod audit;
pub mod calendar;
pub mod check_ins;
pub mod clock;
pub mod cycles;
pub mod db;
pub mod develop;
pub mod employees;
pub mod error;
pub mod events;
pub mod feedback;
pub mod goals;
pub mod import;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod org;
pub mod outbox;
pub mod overview;
pub mod page;
pub mod permissions;
pub mod planning;
pub mod privacy;
pub mod progress;
pub mod publish;
pub mod query;
pub mod review;
pub mod reward;
pub mod seed;
pub mod tokens;
pub mod values;
pub mod viewer;

pub use clock::{Clock, FixedClock, SystemClock};
/// The competencies part of the develop stage, where most callers name it.
pub use develop::skills;
pub use error::{DomainError, DomainResult};
pub use viewer::Viewer;

use std::sync::Arc;

/// What every use-case needs: the database and the time.
#[derive(Clone)]
pub struct Ctx {
    /// The system of record.
    pub db: sea_orm::DatabaseConnection,
    /// The only source of "now": tests pin it.
    pub clock: Arc<dyn Clock>,
}

impl Ctx {
    /// A context with the real clock.
    pub fn new(db: sea_orm::DatabaseConnection) -> Self {
        Self {
            db,
            clock: Arc::new(SystemClock),
        }
    }
}
