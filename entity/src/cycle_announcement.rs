use crate::values::*;
use sea_orm::entity::prelude::*;

/// A cycle's move to `phase`, announced by e-mail to everyone a batch at a time.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cycle_announcement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub phase: CyclePhase,
    /// The last employee (by id) whose e-mail is queued; `None` before the first batch.
    pub after_employee: Option<Uuid>,
    /// E-mails queued so far.
    pub queued: i64,
    pub created_at: DateTimeUtc,
    /// When the last batch was queued.
    pub done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
