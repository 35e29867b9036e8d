//! Relay connections over the domain's offset pages.

use super::errors::{GqlResult, bad_input};
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::page::{MAX_PAGE_SIZE, Page, PageRequest};

/// Page size when `first` is omitted.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// Opaque cursor: the position of a row in the list.
pub struct OffsetCursor(pub u64);

impl CursorType for OffsetCursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| "not a cursor".to_owned())?;
        let text = String::from_utf8(bytes).map_err(|_| "not a cursor".to_owned())?;
        text.strip_prefix("o:")
            .and_then(|n| n.parse().ok())
            .map(OffsetCursor)
            .ok_or_else(|| "not a cursor".to_owned())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("o:{}", self.0))
    }
}

/// The size of the whole list.
#[derive(SimpleObject)]
pub struct Total {
    /// Rows in the whole list, across pages.
    pub total_count: u64,
}

/// A connection of `T`.
pub type Conn<T> = Connection<OffsetCursor, T, Total>;

/// Reads `first`/`after` into a page request (forward pagination only).
pub fn page_request(first: Option<i32>, after: Option<String>) -> GqlResult<PageRequest> {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
    if first < 0 || first as u64 > MAX_PAGE_SIZE {
        return Err(bad_input(
            "first",
            format!("first must be between 0 and {MAX_PAGE_SIZE}"),
        ));
    }
    let offset = match after {
        None => 0,
        Some(c) => OffsetCursor::decode_cursor(&c)
            .ok()
            .and_then(|c| c.0.checked_add(1))
            .filter(|o| *o <= i64::MAX as u64)
            .ok_or_else(|| bad_input("after", "after is not a cursor from this list"))?,
    };
    Ok(PageRequest {
        offset,
        limit: first as u64,
    })
}

/// Builds the connection for a page.
pub fn connection<M, T: OutputType>(page: Page<M>, wrap: impl Fn(M) -> T) -> Conn<T> {
    let count = page.items.len() as u64;
    let mut conn = Connection::with_additional_fields(
        page.offset > 0,
        page.offset + count < page.total,
        Total {
            total_count: page.total,
        },
    );
    conn.edges.extend(
        page.items
            .into_iter()
            .enumerate()
            .map(|(i, m)| Edge::new(OffsetCursor(page.offset + i as u64), wrap(m))),
    );
    conn
}
