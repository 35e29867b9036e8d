use crate::values::*;
use sea_orm::entity::prelude::*;

/// Long work a request queues (a review launch, a release): any worker process claims it
/// with a lease, records progress, and another resumes it if the lease runs out.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "background_job")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: JobKind,
    /// What it works on (a review round).
    pub subject_id: Uuid,
    /// A narrower scope (a department), if any.
    pub scope_id: Option<Uuid>,
    pub status: JobStatus,
    pub processed: i64,
    pub total: i64,
    /// Where a resumed run goes on from (the last key done).
    pub cursor: Option<String>,
    pub attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub last_error: String,
    pub requested_by: Option<Uuid>,
    /// The `X-Request-Id` of the request that queued it.
    pub request_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
