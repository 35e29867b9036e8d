use crate::values::*;
use sea_orm::entity::prelude::*;

/// One review to write: who about whom, of which kind, and its answers. Who wrote a PEER or
/// UPWARD review is known only to its author (and HR where the round allows it).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub round_id: Uuid,
    pub reviewee_id: Uuid,
    pub reviewer_id: Uuid,
    pub kind: ReviewKind,
    pub status: ReviewStatus,
    /// Answers by question key: `{"q1": {"rating": 4}, "q2": {"text": "…"}}`.
    pub answers: Json,
    /// The overall rating on the template's scale (required to submit).
    pub overall_rating: Option<i32>,
    /// A MANAGER review's view of potential.
    pub potential: Option<Potential>,
    pub decline_reason: String,
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
