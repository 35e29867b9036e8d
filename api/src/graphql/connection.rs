//! Relay connections over the domain's keyset pages.

use super::errors::{GqlResult, bad_input};
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use domain::page::{MAX_PAGE_SIZE, Page, PageRequest, Position, SortKey};
use uuid::Uuid;

/// Page size when `first` is omitted.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// The version prefix of today's cursors; a change of layout gets a new one.
const VERSION: &str = "c1";

/// Opaque cursor: the list it belongs to and the sort key and id of its row, as
/// `c1|list|id|kind|value` in base64url (the value last, since a name may hold `|`).
pub struct KeyCursor {
    /// The list (the connection field) it came from.
    pub list: String,
    /// The row's place in that list.
    pub position: Position,
}

impl CursorType for KeyCursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, String> {
        let not = || "not a cursor".to_owned();
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| not())?;
        let text = String::from_utf8(bytes).map_err(|_| not())?;
        let mut parts = text.splitn(5, '|');
        let mut next = || parts.next().ok_or_else(not);
        if next()? != VERSION {
            return Err(not());
        }
        let list = next()?.to_owned();
        let id = Uuid::parse_str(next()?).map_err(|_| not())?;
        let kind = next()?;
        let value = next()?;
        let key = match kind {
            "t" => SortKey::Time(
                DateTime::parse_from_rfc3339(value)
                    .map_err(|_| not())?
                    .with_timezone(&Utc),
            ),
            "d" => SortKey::Date(NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| not())?),
            "s" => SortKey::Text(value.to_owned()),
            "i" => SortKey::Int(value.parse().map_err(|_| not())?),
            _ => return Err(not()),
        };
        Ok(KeyCursor {
            list,
            position: Position { key, id },
        })
    }

    fn encode_cursor(&self) -> String {
        let (kind, value) = match &self.position.key {
            SortKey::Time(t) => ("t", t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            SortKey::Date(d) => ("d", d.format("%Y-%m-%d").to_string()),
            SortKey::Text(s) => ("s", s.clone()),
            SortKey::Int(n) => ("i", n.to_string()),
        };
        URL_SAFE_NO_PAD.encode(format!(
            "{VERSION}|{}|{}|{kind}|{value}",
            self.list,
            self.position.id.simple()
        ))
    }
}

/// The size of the whole list.
#[derive(SimpleObject)]
pub struct Total {
    /// Rows in the whole list, across pages.
    pub total_count: u64,
}

/// A connection of `T`.
pub type Conn<T> = Connection<KeyCursor, T, Total>;

/// Reads `first`/`after` into a page request for `list` (forward pagination only); the whole
/// list is counted only when the query selects `totalCount`.
pub fn page_request(
    ctx: &Context<'_>,
    list: &str,
    first: Option<i32>,
    after: Option<String>,
) -> GqlResult<PageRequest> {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
    if first < 0 || first as u64 > MAX_PAGE_SIZE {
        return Err(bad_input(
            "first",
            format!("first must be between 0 and {MAX_PAGE_SIZE}"),
        ));
    }
    let after = match after {
        None => None,
        Some(c) => Some(
            KeyCursor::decode_cursor(&c)
                .ok()
                .filter(|c| c.list == list)
                .map(|c| c.position)
                .ok_or_else(|| bad_input("after", "after is not a cursor from this list"))?,
        ),
    };
    Ok(PageRequest {
        after,
        limit: first as u64,
        count_total: ctx.look_ahead().field("totalCount").exists(),
    })
}

/// Builds the connection of `list` for a page.
pub fn connection<M, T: OutputType>(list: &str, page: Page<M>, wrap: impl Fn(M) -> T) -> Conn<T> {
    let mut conn = Connection::with_additional_fields(
        page.has_previous,
        page.has_next,
        Total {
            // Not selected when the page did not count it, so never shown.
            total_count: page.total.unwrap_or_default(),
        },
    );
    conn.edges
        .extend(page.items.into_iter().map(|(position, m)| {
            let cursor = KeyCursor {
                list: list.to_owned(),
                position,
            };
            Edge::new(cursor, wrap(m))
        }));
    conn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let keys = [
            SortKey::Time(Utc::now()),
            SortKey::Date(NaiveDate::MIN),
            SortKey::Text("Ann | Lee".to_owned()),
        ];
        for key in keys {
            let written = KeyCursor {
                list: "goals".to_owned(),
                position: Position {
                    key,
                    id: Uuid::new_v4(),
                },
            };
            let read = KeyCursor::decode_cursor(&written.encode_cursor());
            let read = read.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(read.list, "goals");
            assert_eq!(read.position, written.position);
        }
    }
}
