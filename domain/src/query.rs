//! Query shapes every stage repeats: rows by a list of keys in chunked `IN (…)` lists, one
//! keyset page of a filtered list (its total only when asked), and "load it and check the
//! viewer may read it".

use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::viewer::Viewer;
use entity::employee;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Order};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, ModelTrait,
    PaginatorTrait, PrimaryKeyTrait, QueryFilter, QueryOrder, QuerySelect, Select, Value,
};
use std::collections::HashMap;
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

/// Rows of `E` by their uuid `id` column, for batch loading (unfiltered: callers check read
/// access); ids with no row are simply absent.
pub async fn by_ids<E>(
    db: &impl ConnectionTrait,
    id: E::Column,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
{
    Ok(rows_in(db, E::find(), id, ids)
        .await?
        .into_iter()
        .filter_map(|row| match row.get(id) {
            Value::Uuid(Some(key)) => Some((key, row)),
            _ => None,
        })
        .collect())
}

/// How a list is ordered: one sort column and the id as tie-breaker, both in the same
/// direction, so that one composite index serves both the order and the cursor test.
pub struct Keyset<E: EntityTrait> {
    /// The sort column.
    pub key: E::Column,
    /// The id column.
    pub id: E::Column,
    /// Newest (largest) first.
    pub descending: bool,
    /// A row's place in the list.
    pub position: fn(&E::Model) -> Position,
}

impl<E: EntityTrait> Keyset<E> {
    fn column(&self, c: E::Column) -> Expr {
        Expr::col((E::default(), c))
    }

    /// `query` ordered by this keyset.
    pub fn ordered(&self, query: Select<E>) -> Select<E> {
        let order = if self.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        query
            .order_by(self.column(self.key), order.clone())
            .order_by(self.column(self.id), order)
    }

    /// The rows strictly after `after` in this order, as one row-value comparison that an
    /// index on `(key, id)` answers with a range scan.
    fn after(&self, after: &Position, sample: &SortKey) -> DomainResult<Expr> {
        if std::mem::discriminant(&after.key) != std::mem::discriminant(sample) {
            return Err(DomainError::bad(
                "after",
                "after is not a cursor from this list",
            ));
        }
        let key: Value = match &after.key {
            SortKey::Time(t) => (*t).into(),
            SortKey::Date(d) => (*d).into(),
            SortKey::Text(s) => s.clone().into(),
            SortKey::Int(n) => (*n).into(),
        };
        let row = Expr::tuple([self.column(self.key), self.column(self.id)]);
        let cursor = Expr::tuple([Expr::val(key), Expr::val(after.id)]);
        Ok(if self.descending {
            row.lt(cursor)
        } else {
            row.gt(cursor)
        })
    }
}

/// Up to `limit` rows of `query` (already filtered, not ordered) after `after`, in the
/// keyset's order. `sample` is any key of this list, to refuse a cursor of another kind.
pub async fn keyset_rows<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    keyset: &Keyset<E>,
    after: Option<&Position>,
    sample: &SortKey,
    limit: u64,
) -> DomainResult<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
{
    let mut query = keyset.ordered(query);
    if let Some(after) = after {
        query = query.filter(keyset.after(after, sample)?);
    }
    Ok(query.limit(limit).all(db).await?)
}

/// A page from up to `limit + 1` ordered rows: the extra row only says that more follow.
pub fn page_from<M>(
    mut rows: Vec<M>,
    position: fn(&M) -> Position,
    page: &PageRequest,
    total: Option<u64>,
) -> Page<M> {
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    let has_next = rows.len() > limit;
    rows.truncate(limit);
    Page {
        items: rows.into_iter().map(|m| (position(&m), m)).collect(),
        has_next,
        has_previous: page.after.is_some(),
        total,
    }
}

/// One keyset page of `query` (already filtered, not ordered); the whole list is counted
/// only when the page request asks for it.
pub async fn keyset_page<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    keyset: &Keyset<E>,
    sample: &SortKey,
    page: &PageRequest,
) -> DomainResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
{
    let total = if page.count_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let rows = keyset_rows(
        db,
        query,
        keyset,
        page.after.as_ref(),
        sample,
        page.limit + 1,
    )
    .await?;
    Ok(page_from(rows, keyset.position, page, total))
}

/// One keyset page of the union of disjoint `parts` (each filtered, not ordered): each part
/// reads at most a page and one row along its own index, and the page is the first rows of
/// their merge. An `OR` of the parts would make the planner walk one index and filter.
pub async fn keyset_union<E>(
    db: &impl ConnectionTrait,
    parts: Vec<Select<E>>,
    keyset: &Keyset<E>,
    sample: &SortKey,
    page: &PageRequest,
) -> DomainResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
{
    let mut total = page.count_total.then_some(0);
    let mut rows = Vec::new();
    for part in parts {
        if let Some(t) = total.as_mut() {
            *t += part.clone().count(db).await?;
        }
        let after = page.after.as_ref();
        rows.extend(keyset_rows(db, part, keyset, after, sample, page.limit + 1).await?);
    }
    rows.sort_by_cached_key(|m| (keyset.position)(m));
    if keyset.descending {
        rows.reverse();
    }
    Ok(page_from(rows, keyset.position, page, total))
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

/// Longest text a list's search takes, in characters.
pub const MAX_SEARCH: usize = 200;

/// `search` (trimmed; nothing when empty) as a case-insensitive "contains" on any of
/// `columns`: `lower(column) LIKE '%…%'` with the pattern's wildcards escaped, which trigram
/// indexes on `lower(column)` serve on PostgreSQL. A search longer than [`MAX_SEARCH`] is
/// refused on `field`.
pub fn contains_text<C: ColumnTrait>(
    field: &str,
    search: Option<&str>,
    columns: &[C],
) -> DomainResult<Option<Condition>> {
    let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if search.chars().count() > MAX_SEARCH {
        return Err(DomainError::bad(
            field,
            format!("search must be at most {MAX_SEARCH} characters"),
        ));
    }
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let mut any = Condition::any();
    for column in columns {
        any = any.add(
            Expr::expr(Func::lower(Expr::col(*column)))
                .like(LikeExpr::new(pattern.clone()).escape('\\')),
        );
    }
    Ok(Some(any))
}
