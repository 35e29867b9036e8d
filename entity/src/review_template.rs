use sea_orm::entity::prelude::*;

/// A review form: its rating scale (a label per point) and its questions, each answered by
/// some kinds of review (stored as JSON; `domain::review::templates` reads it).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_template")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// The highest point of the rating scale (the lowest is 1).
    pub scale_max: i32,
    /// One label per point, lowest first.
    pub scale_labels: Json,
    pub questions: Json,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
