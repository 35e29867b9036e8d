//! A person's data, for HR (GDPR): `export` gathers everything the system holds about one
//! person, and what they wrote about others, marked as such, as one JSON document;
//! `erase` anonymises someone who has left. Both are HR's alone and both are audited.
//!
//! The rule both follow: what is *about* the person is theirs (exported; erased), what they
//! *wrote about someone else* belongs to that other person's record (exported, marked
//! `writtenByThem`; kept on erasure, attributed to an anonymous former employee). That keeps
//! the anonymity of peer and upward reviews: nobody's record changes when a reviewer is
//! erased, so nothing marks which reviews were theirs.

pub mod erase;
pub mod export;

pub use erase::erase;
pub use export::export;

use crate::error::DomainResult;
use sea_orm::{ConnectionTrait, EntityTrait, Select};
use serde_json::Value;

/// Rows of a query as JSON objects (column names as keys). A JSON column that the backend
/// hands back as text (SQLite) is parsed, so both backends give the same document.
pub(crate) async fn json_rows<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
) -> DomainResult<Vec<Value>> {
    let rows = query.into_json().all(db).await?;
    Ok(rows.into_iter().map(parse_json_text).collect())
}

/// The JSON columns of the tables an export reads (a text column that merely looks like JSON
/// stays text).
const JSON_COLUMNS: [&str; 7] = [
    "answers",
    "payload",
    "before",
    "after",
    "data",
    "details",
    "components",
];

fn parse_json_text(row: Value) -> Value {
    match row {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) if JSON_COLUMNS.contains(&k.as_str()) => {
                            serde_json::from_str(&s).unwrap_or(Value::String(s))
                        }
                        other => other,
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_json_text;
    use serde_json::json;

    #[test]
    fn json_columns_read_as_text_are_parsed_and_text_columns_are_not() {
        let row =
            json!({ "answers": "{\"q1\":{\"rating\":4}}", "wins": "[shipped]", "body": "[1, 2]" });
        assert_eq!(
            parse_json_text(row),
            json!({ "answers": { "q1": { "rating": 4 } }, "wins": "[shipped]", "body": "[1, 2]" })
        );
    }
}
