//! Query shapes every stage repeats: rows by a list of keys in chunked `IN (…)` lists, one
//! page of a filtered list with its total, and "load it and check the viewer may read it".

use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::viewer::Viewer;
use entity::employee;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, PrimaryKeyTrait,
    QueryFilter, QuerySelect, Select, Value,
};
use uuid::Uuid;

/// Keys per `IN (…)` list, well under both backends' bind-parameter limits.
pub const IN_CHUNK: usize = 1000;

/// Every row of `query` whose `column` is one of `keys`, a chunk of [`IN_CHUNK`] keys per
/// statement. `query` carries the rest of the filter and the order (kept within a chunk).
pub async fn rows_in<E, C, K>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    column: C,
    keys: &[K],
) -> DomainResult<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
    C: ColumnTrait,
    K: Into<Value> + Clone,
{
    let mut found = Vec::new();
    for chunk in keys.chunks(IN_CHUNK) {
        found.extend(
            query
                .clone()
                .filter(column.is_in(chunk.iter().cloned()))
                .all(db)
                .await?,
        );
    }
    Ok(found)
}

/// One page of `query` (already filtered and ordered) and the size of the whole list.
pub async fn page_of<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    page: PageRequest,
) -> DomainResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
{
    let total = query.clone().count(db).await?;
    let items = query.offset(page.offset).limit(page.limit).all(db).await?;
    Ok(Page {
        items,
        offset: page.offset,
        total,
    })
}

/// The row with this id, or `NotFound(what)`.
pub async fn find<E>(
    db: &impl ConnectionTrait,
    id: Uuid,
    what: &'static str,
) -> DomainResult<E::Model>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(what))
}

/// A row that belongs to one employee and whose readers follow from that employee.
pub trait Owned: Sized {
    /// Its table.
    type Entity: EntityTrait<Model = Self>;
    /// What a client calls it in a not-found error.
    const WHAT: &'static str;
    /// Whose it is.
    fn owner_id(&self) -> Uuid;
    /// DESIGN §4 for this kind of row.
    fn readable_by(&self, viewer: &Viewer, owner: &employee::Model) -> bool;
}

/// Loads the row and its owner and checks the viewer may read it; a row the viewer may not
/// read is not found, exactly like a row that does not exist.
pub async fn find_readable<M>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> DomainResult<(M, employee::Model)>
where
    M: Owned,
    <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let row: M = find::<M::Entity>(db, id, M::WHAT).await?;
    let owner = employee::Entity::find_by_id(row.owner_id())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(M::WHAT))?;
    if row.readable_by(viewer, &owner) {
        Ok((row, owner))
    } else {
        Err(DomainError::NotFound(M::WHAT))
    }
}
