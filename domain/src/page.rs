//! Keyset pages for list use-cases; the API turns them into Relay connections.
//!
//! A page starts after the sort key and id of the last row the client saw, so page 200 costs
//! what page 1 costs and rows inserted between fetches neither repeat nor vanish.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// The largest page any list returns.
pub const MAX_PAGE_SIZE: u64 = 100;

/// The value of a list's sort column in one row (ordered as the database orders it, within
/// one variant).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    /// A timestamp (`created_at`).
    Time(DateTime<Utc>),
    /// A day (`period_start`).
    Date(NaiveDate),
    /// A text (`name`).
    Text(String),
    /// A number (a skill gap's rank).
    Int(i64),
}

/// A row's place in its list: its sort key and its id (the tie-breaker).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// The sort column's value.
    pub key: SortKey,
    /// The row's id.
    pub id: Uuid,
}

/// Which slice of a list to return.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// Start after this row (none: from the start).
    pub after: Option<Position>,
    /// Rows to return, at most [`MAX_PAGE_SIZE`].
    pub limit: u64,
    /// Whether to count the whole list (only when the client asks for it).
    pub count_total: bool,
}

impl PageRequest {
    /// The first `limit` rows, without a total.
    pub fn first(limit: u64) -> Self {
        Self {
            after: None,
            limit,
            count_total: false,
        }
    }
}

/// One slice of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows of this slice, each with its position.
    pub items: Vec<(Position, T)>,
    /// Whether rows follow this slice.
    pub has_next: bool,
    /// Whether this slice started after a row (rows precede it).
    pub has_previous: bool,
    /// The rows in the whole list, when asked for.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A list with nothing in it (for a viewer who may see none of it).
    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            has_next: false,
            has_previous: false,
            total: Some(0),
        }
    }

    /// The slice `page` asks for of `rows`, a short list already read whole (a loader's
    /// batch: a manager's reports, a goal's children), in the order of `position`.
    pub fn of_rows(
        mut rows: Vec<T>,
        position: impl Fn(&T) -> Position,
        page: &PageRequest,
    ) -> Self {
        let total = rows.len() as u64;
        rows.sort_by_key(&position);
        let mut items: Vec<(Position, T)> = rows
            .into_iter()
            .map(|row| (position(&row), row))
            .filter(|(at, _)| page.after.as_ref().is_none_or(|after| at > after))
            .collect();
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let has_next = items.len() > limit;
        items.truncate(limit);
        Page {
            items,
            has_next,
            has_previous: page.after.is_some(),
            total: Some(total),
        }
    }

    /// The same slice with each row turned into something else.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(|(p, t)| (p, f(t))).collect(),
            has_next: self.has_next,
            has_previous: self.has_previous,
            total: self.total,
        }
    }
}
