//! The org chart: employees, departments and the manager tree.
//!
//! The directory (names, titles, departments, who reports to whom) is visible to every
//! employee, as in any company; what people do and are paid is guarded elsewhere.

use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::query::{Keyset, keyset_page, rows_in};
use crate::viewer::Viewer;
use entity::{department, employee};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Filters for the employee directory.
#[derive(Debug, Default, Clone)]
pub struct EmployeeFilter {
    /// Only this department.
    pub department_id: Option<Uuid>,
    /// Only direct reports of this manager.
    pub manager_id: Option<Uuid>,
    /// Case-insensitive match on name, e-mail or title.
    pub search: Option<String>,
    /// Include people who have left.
    pub include_inactive: bool,
}

/// The active employee with this id, for authentication.
pub async fn authenticate_by_id(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Viewer> {
    let employee = employee::Entity::find_by_id(id).one(db).await?;
    viewer_from(employee)
}

/// The active employee with this e-mail, for authentication.
pub async fn authenticate_by_email(db: &impl ConnectionTrait, email: &str) -> DomainResult<Viewer> {
    let employee = employee::Entity::find()
        .filter(employee::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?;
    viewer_from(employee)
}

fn viewer_from(employee: Option<employee::Model>) -> DomainResult<Viewer> {
    match employee {
        Some(employee) if employee.active => Ok(Viewer { employee }),
        _ => Err(DomainError::Unauthenticated),
    }
}

/// One employee, visible to every authenticated viewer.
pub async fn get(
    db: &impl ConnectionTrait,
    _viewer: &Viewer,
    id: Uuid,
) -> DomainResult<employee::Model> {
    employee::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("employee"))
}

/// Employees by id, for batch loading; missing ids are simply absent.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, employee::Model>> {
    crate::query::by_ids::<employee::Entity>(db, employee::Column::Id, ids).await
}

/// Departments by id, for batch loading.
pub async fn departments_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, department::Model>> {
    crate::query::by_ids::<department::Entity>(db, department::Column::Id, ids).await
}

/// Sub-departments of each department, by name, for batch loading.
pub async fn department_children_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<department::Model>>> {
    let query = department::Entity::find()
        .order_by_asc(department::Column::Name)
        .order_by_asc(department::Column::Id);
    let mut found: HashMap<Uuid, Vec<department::Model>> = HashMap::new();
    for d in rows_in(db, query, department::Column::ParentId, ids).await? {
        if let Some(p) = d.parent_id {
            found.entry(p).or_default().push(d);
        }
    }
    Ok(found)
}

/// Active people in each department (not counting its sub-departments), for batch loading;
/// a department with nobody is absent.
pub async fn headcounts(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, i64>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(crate::query::IN_CHUNK) {
        let rows: Vec<(Option<Uuid>, i64)> = employee::Entity::find()
            .select_only()
            .column(employee::Column::DepartmentId)
            .column_as(employee::Column::Id.count(), "n")
            .filter(employee::Column::Active.eq(true))
            .filter(employee::Column::DepartmentId.is_in(chunk.iter().copied()))
            .group_by(employee::Column::DepartmentId)
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows.into_iter().filter_map(|(d, n)| Some((d?, n))));
    }
    Ok(found)
}

/// Which people a list filter means, as a subquery of employee ids: everyone at or below
/// `subtree_of` (that person included), in `department` or one of its sub-departments, and
/// the direct reports of `manager`; `None` when none of them is given. An id that names
/// nobody is refused on `field_prefix` + the filter's name.
pub async fn people_filter(
    db: &impl ConnectionTrait,
    field_prefix: &str,
    subtree_of: Option<Uuid>,
    department: Option<Uuid>,
    manager: Option<Uuid>,
) -> DomainResult<Option<sea_orm::sea_query::SelectStatement>> {
    if subtree_of.is_none() && department.is_none() && manager.is_none() {
        return Ok(None);
    }
    let mut query = sea_orm::sea_query::Query::select()
        .column((employee::Entity, employee::Column::Id))
        .from(employee::Entity)
        .to_owned();
    if let Some(root) = subtree_of {
        let root = employee::Entity::find_by_id(root)
            .one(db)
            .await?
            .ok_or_else(|| {
                DomainError::bad(format!("{field_prefix}subtreeOf"), "no such employee")
            })?;
        query.and_where(crate::viewer::path_within(
            db.get_database_backend(),
            &root.path,
        ));
    }
    if let Some(d) = department {
        let all = department::Entity::find().all(db).await?;
        if !all.iter().any(|x| x.id == d) {
            return Err(DomainError::bad(
                format!("{field_prefix}departmentId"),
                "no such department",
            ));
        }
        // The department and everything below it (a loop in corrupt data ends the walk).
        let mut within = vec![d];
        let mut i = 0;
        while i < within.len() {
            let parent = within[i];
            for x in all.iter().filter(|x| x.parent_id == Some(parent)) {
                if !within.contains(&x.id) {
                    within.push(x.id);
                }
            }
            i += 1;
        }
        query.and_where(employee::Column::DepartmentId.is_in(within));
    }
    if let Some(m) = manager {
        query.and_where(employee::Column::ManagerId.eq(m));
    }
    Ok(Some(query))
}

/// Direct reports of each manager, sorted by name, for batch loading.
pub async fn reports_of(
    db: &impl ConnectionTrait,
    manager_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<employee::Model>>> {
    let query = employee::Entity::find()
        .filter(employee::Column::Active.eq(true))
        .order_by_asc(employee::Column::Name)
        .order_by_asc(employee::Column::Id);
    let mut found: HashMap<Uuid, Vec<employee::Model>> = HashMap::new();
    for e in rows_in(db, query, employee::Column::ManagerId, manager_ids).await? {
        if let Some(m) = e.manager_id {
            found.entry(m).or_default().push(e);
        }
    }
    Ok(found)
}

/// All departments, by name.
pub async fn departments(
    db: &impl ConnectionTrait,
    _viewer: &Viewer,
) -> DomainResult<Vec<department::Model>> {
    Ok(department::Entity::find()
        .order_by_asc(department::Column::Name)
        .all(db)
        .await?)
}

/// The directory is listed by name.
const ORDER: Keyset<employee::Entity> = Keyset {
    key: employee::Column::Name,
    id: employee::Column::Id,
    descending: false,
    position: |e| Position {
        key: SortKey::Text(e.name.clone()),
        id: e.id,
    },
};

/// A page of `query`'s people by name (the directory's order).
pub async fn page_by_name(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<employee::Entity>,
    page: &PageRequest,
) -> DomainResult<Page<employee::Model>> {
    keyset_page(db, query, &ORDER, &SortKey::Text(String::new()), page).await
}

/// A page of the directory. The search matches `lower(column) LIKE '%…%'`, which trigram
/// indexes serve on PostgreSQL (when pg_trgm could be installed).
pub async fn list(
    db: &impl ConnectionTrait,
    _viewer: &Viewer,
    filter: &EmployeeFilter,
    page: &PageRequest,
) -> DomainResult<Page<employee::Model>> {
    let mut cond = Condition::all();
    if !filter.include_inactive {
        cond = cond.add(employee::Column::Active.eq(true));
    }
    if let Some(d) = filter.department_id {
        cond = cond.add(employee::Column::DepartmentId.eq(d));
    }
    if let Some(m) = filter.manager_id {
        cond = cond.add(employee::Column::ManagerId.eq(m));
    }
    if let Some(search) = crate::query::contains_text(
        "filter.search",
        filter.search.as_deref(),
        &[
            employee::Column::Name,
            employee::Column::Email,
            employee::Column::Title,
        ],
    )? {
        cond = cond.add(search);
    }
    let query = employee::Entity::find().filter(cond);
    page_by_name(db, query, page).await
}

/// Employees per multi-row `INSERT`: 14 columns stay under both backends' parameter limits.
const INSERT_CHUNK: usize = 1000;

/// Inserts many employees, managers before their reports, in multi-row statements.
pub async fn insert_all(
    db: &impl ConnectionTrait,
    mut rows: Vec<employee::Model>,
) -> DomainResult<()> {
    use sea_orm::IntoActiveModel;
    rows.sort_by_key(|e| e.path.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<employee::ActiveModel> = rows
            .by_ref()
            .take(INSERT_CHUNK)
            .map(IntoActiveModel::into_active_model)
            .collect();
        employee::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Materialised paths for a whole forest given each employee's manager. Fails with the
/// employees of a loop if the managers form one.
pub fn paths(managers: &HashMap<Uuid, Option<Uuid>>) -> Result<HashMap<Uuid, String>, Vec<Uuid>> {
    let mut done: HashMap<Uuid, String> = HashMap::with_capacity(managers.len());
    for &start in managers.keys() {
        let mut chain = Vec::new();
        let mut cursor = Some(start);
        let base = loop {
            match cursor {
                None => break "/".to_owned(),
                Some(id) => {
                    if let Some(p) = done.get(&id) {
                        break p.clone();
                    }
                    if chain.contains(&id) {
                        let at = chain.iter().position(|c| *c == id).unwrap_or(0);
                        return Err(chain.split_off(at));
                    }
                    chain.push(id);
                    cursor = managers.get(&id).copied().flatten();
                }
            }
        };
        let mut path = base;
        for id in chain.into_iter().rev() {
            path = format!("{path}{}/", crate::viewer::path_segment(id));
            done.insert(id, path.clone());
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_manager_chain() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let managers = HashMap::from([(a, None), (b, Some(a)), (c, Some(b))]);
        let paths = paths(&managers).unwrap_or_default();
        assert_eq!(
            paths[&c],
            format!("/{}/{}/{}/", a.simple(), b.simple(), c.simple())
        );
        assert!(paths[&c].starts_with(&paths[&a]));
    }

    #[test]
    fn a_manager_loop_is_reported_with_its_members() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let managers = HashMap::from([(a, Some(c)), (b, Some(a)), (c, Some(b))]);
        let members = paths(&managers).err().unwrap_or_default();
        assert_eq!(members.len(), 3);
    }
}
