//! Who is asking: the authenticated employee and what follows from their place in the tree.

use crate::values::Role;
use entity::employee;
use uuid::Uuid;

/// The authenticated employee behind a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Their current row.
    pub employee: employee::Model,
}

impl Viewer {
    /// Their id.
    pub fn id(&self) -> Uuid {
        self.employee.id
    }

    /// Whether they are an HR admin.
    pub fn is_hr(&self) -> bool {
        self.employee.role == Role::HrAdmin
    }

    /// Whether `other` is somewhere below them in the manager tree.
    pub fn manages(&self, other: &employee::Model) -> bool {
        other.id != self.employee.id && other.path.starts_with(&self.employee.path)
    }

    /// Whether `other` is themselves or below them.
    pub fn is_self_or_manager_of(&self, other: &employee::Model) -> bool {
        other.id == self.employee.id || self.manages(other)
    }
}

/// The path segment of one employee.
pub fn path_segment(id: Uuid) -> String {
    id.simple().to_string()
}

/// The materialised path of an employee under a manager with `manager_path`.
pub fn child_path(manager_path: Option<&str>, id: Uuid) -> String {
    format!("{}{}/", manager_path.unwrap_or("/"), path_segment(id))
}

impl Viewer {
    /// A subquery of the ids of the viewer and everyone below them, for filtering lists by
    /// "their own or their teams'" in the database.
    pub fn subtree_ids(&self) -> sea_orm::sea_query::SelectStatement {
        use sea_orm::ColumnTrait;
        sea_orm::sea_query::Query::select()
            .column(employee::Column::Id)
            .from(employee::Entity)
            .and_where(employee::Column::Path.starts_with(self.employee.path.as_str()))
            .to_owned()
    }
}
