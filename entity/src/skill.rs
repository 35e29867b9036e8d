use sea_orm::entity::prelude::*;

/// A competency of the catalogue, with what each level 1–5 means.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "skill")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// technical, leadership, …
    pub skill_group: String,
    /// Five texts: what levels 1 to 5 mean.
    pub levels: Json,
    /// Retired skills keep their assessments but leave profiles' gaps.
    pub retired_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
