//! Who is asking: the authenticated employee and what follows from their place in the tree.

use crate::values::Role;
use entity::employee;
use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
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

/// The paths of everyone at or below `path` form the byte range `[path, upper)`, where `upper`
/// is `path` with its closing `/` raised to the next byte (`0`): paths hold only `/`, digits
/// and `a`–`f`. A range on a plain btree is index-backed on both backends, where a
/// `LIKE 'prefix%'` with a bound pattern is not.
pub fn subtree_range(path: &str) -> (String, String) {
    let upper = match path.strip_suffix('/') {
        Some(stem) => format!("{stem}0"),
        // Not a well-formed path: an empty range.
        None => path.to_owned(),
    };
    (path.to_owned(), upper)
}

/// `employee.path` is at or below `path`. PostgreSQL compares in byte order (`COLLATE "C"`,
/// served by `idx_employee_path_c`), whatever the database's collation; SQLite's default
/// collation already is byte order.
pub fn path_within(backend: DbBackend, path: &str) -> Expr {
    let (low, high) = subtree_range(path);
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            r#""employee"."path" COLLATE "C" >= $1 AND "employee"."path" COLLATE "C" < $2"#,
            [low, high],
        ),
        _ => {
            let col = || Expr::col((employee::Entity, employee::Column::Path));
            col().gte(low).and(col().lt(high))
        }
    }
}

impl Viewer {
    /// A subquery of the ids of the viewer and everyone below them, for filtering lists by
    /// "their own or their teams'" in the database.
    pub fn subtree_ids(&self, backend: DbBackend) -> SelectStatement {
        Query::select()
            .column((employee::Entity, employee::Column::Id))
            .from(employee::Entity)
            .and_where(path_within(backend, &self.employee.path))
            .to_owned()
    }

    /// `column` (an employee id, e.g. `"goal"."owner_id"`) is the viewer or someone below
    /// them. On PostgreSQL the subtree's ids are read once into an array (`= ANY(ARRAY(…))`),
    /// so the planner looks rows up by their employee index; with `IN (subquery)` it walks
    /// the list's sort index instead and probes the employee table once per row, which at
    /// 100 000 people cost a manager's goal list 200 ms against 10 ms.
    pub fn covers(&self, column: &'static str, backend: DbBackend) -> Expr {
        column_in(column, self.subtree_ids(backend), backend)
    }
}

/// `column` (an employee id) is one of the ids `people` selects, written as [`Viewer::covers`]
/// explains.
pub fn column_in(column: &'static str, people: SelectStatement, backend: DbBackend) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_expr(
            format!("{column} = ANY(ARRAY $1)"),
            Expr::SubQuery(None, Box::new(people.into())),
        ),
        _ => Expr::cust(column).in_subquery(people),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subtree_range_holds_exactly_the_paths_below() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let boss = child_path(None, a);
        let report = child_path(Some(&boss), b);
        let (low, high) = subtree_range(&boss);
        let within = |p: &str| p >= low.as_str() && p < high.as_str();
        assert!(within(&boss));
        assert!(within(&report));
        assert!(!within(&child_path(None, b)));
        // A sibling whose segment shares the boss's as a prefix is outside.
        let stem = boss.trim_end_matches('/');
        assert!(!within(&format!("{stem}0/")));
        assert!(!within(&format!("{stem}f/")));
    }
}
