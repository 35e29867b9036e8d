use crate::values::*;
use sea_orm::entity::prelude::*;

/// Derived: one employee's standing in one skill their job profile expects. Refreshed by
/// every write that moves an input (an assessment, the profile, their assignment).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "skill_gap")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub employee_id: Uuid,
    pub skill_id: Uuid,
    pub expected: i32,
    /// Where `expected` comes from: the job profile, or a stretch assignment asking more.
    pub source: GapSource,
    /// The latest manager assessment.
    pub manager_level: Option<i32>,
    /// The latest self assessment (shown beside, never used for the gap).
    pub self_level: Option<i32>,
    /// expected − manager level; `None` while unassessed.
    pub gap: Option<i32>,
    /// The list order: the gap, or [`UNASSESSED_RANK`] so that unassessed rows come last.
    pub rank: i32,
    pub updated_at: DateTimeUtc,
}

/// The rank of an unassessed row: below every real gap (−4 to 4).
pub const UNASSESSED_RANK: i32 = -100;

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
