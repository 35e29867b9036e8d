use crate::values::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employee")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub title: String,
    pub department_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    /// Materialised manager chain, `/root/.../self/` of simple-form ids: subtree = prefix.
    pub path: String,
    pub role: Role,
    pub hired_on: Date,
    /// IANA zone name, e.g. `Europe/Berlin`.
    pub timezone: String,
    pub active: bool,
    /// The last day they were employed, once they have left.
    pub left_on: Option<Date>,
    /// The job profile whose expected skill levels apply to them.
    pub job_profile_id: Option<Uuid>,
    /// Tokens issued at or before this second are refused (HR revoked them).
    pub tokens_revoked_at: Option<DateTimeUtc>,
    /// When HR erased their personal data (they had left); the row stays, anonymous.
    pub erased_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
