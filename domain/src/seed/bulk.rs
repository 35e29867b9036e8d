//! Bulk inserts for generated data. On PostgreSQL a chunk of rows travels as one JSON
//! parameter expanded by `json_to_recordset`, which is several times faster than a multi-row
//! INSERT with a bind parameter per value (and has no 65 535-parameter ceiling); on SQLite,
//! where statements are cheap, multi-row INSERTs sized under its parameter limit.

use crate::error::DomainResult;
use sea_orm::sea_query::OptionEnum;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityName, EntityTrait, Iterable, Statement,
    Value,
};
use serde_json::Value as Json;

/// Rows per PostgreSQL statement: a few megabytes of JSON.
const PG_ROWS: usize = 5000;

/// Bind parameters per SQLite statement (the bundled SQLite allows 32 766).
const SQLITE_PARAMS: usize = 30_000;

/// Inserts every row, in chunks, on the connection (or transaction) given.
pub(super) async fn insert<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> DomainResult<()>
where
    A: ActiveModelTrait + Send,
{
    if rows.is_empty() {
        return Ok(());
    }
    let columns: Vec<<A::Entity as EntityTrait>::Column> =
        <A::Entity as EntityTrait>::Column::iter().collect();
    if db.get_database_backend() == DbBackend::Postgres {
        let table = A::Entity::default().table_name().to_owned();
        let types = column_types(db, &table).await?;
        let names: Vec<String> = columns
            .iter()
            .map(|c| sea_orm::IdenStatic::as_str(c).to_owned())
            .collect();
        let record = names
            .iter()
            .map(|n| {
                let ty = types
                    .iter()
                    .find(|(name, _)| name == n)
                    .map_or("text", |(_, ty)| ty.as_str());
                format!("\"{n}\" {ty}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let list = names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO \"{table}\" ({list}) SELECT {list} FROM json_to_recordset($1::json) AS r({record})"
        );
        for chunk in rows.chunks(PG_ROWS) {
            let array: Vec<Json> = chunk
                .iter()
                .map(|row| {
                    let mut object = serde_json::Map::with_capacity(names.len());
                    for (column, name) in columns.iter().zip(&names) {
                        let value = row.get(*column).into_value().unwrap_or(Value::Bool(None));
                        object.insert(name.clone(), to_json(&value));
                    }
                    Json::Object(object)
                })
                .collect();
            let text = Json::Array(array).to_string();
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                &sql,
                [Value::from(text)],
            ))
            .await?;
        }
    } else {
        let per = (SQLITE_PARAMS / columns.len().max(1)).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<A> = rows.by_ref().take(per).collect();
            <A::Entity as EntityTrait>::insert_many(chunk)
                .exec_without_returning(db)
                .await?;
        }
    }
    Ok(())
}

/// Each column's SQL type, as `json_to_recordset` needs it.
async fn column_types(
    db: &impl ConnectionTrait,
    table: &str,
) -> DomainResult<Vec<(String, String)>> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT attname::text AS name, format_type(atttypid, atttypmod) AS ty \
             FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
            [Value::from(format!("\"{table}\""))],
        ))
        .await?;
    let mut types = Vec::with_capacity(rows.len());
    for row in rows {
        types.push((
            row.try_get::<String>("", "name")?,
            row.try_get::<String>("", "ty")?,
        ));
    }
    Ok(types)
}

/// A value as PostgreSQL reads it back from JSON text.
fn to_json(value: &Value) -> Json {
    match value {
        Value::Bool(Some(b)) => Json::Bool(*b),
        Value::Int(Some(v)) => Json::from(*v),
        Value::BigInt(Some(v)) => Json::from(*v),
        Value::SmallInt(Some(v)) => Json::from(*v),
        Value::String(Some(s)) => Json::String(s.clone()),
        Value::Enum(OptionEnum::Some(v)) => Json::String(v.value.to_string()),
        Value::Uuid(Some(u)) => Json::String(u.to_string()),
        Value::ChronoDate(Some(d)) => Json::String(d.to_string()),
        Value::ChronoDateTimeUtc(Some(t)) => Json::String(t.to_rfc3339()),
        Value::Decimal(Some(d)) => Json::String(d.to_string()),
        Value::Json(Some(j)) => j.as_ref().clone(),
        _ => Json::Null,
    }
}
