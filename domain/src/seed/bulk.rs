//! Bulk inserts for generated data, all in one transaction. On PostgreSQL the rows of a chunk
//! stream through `COPY … FROM STDIN` (text format) on the transaction's own connection,
//! which PostgreSQL parses far faster than statements with parameters or JSON; the foreign
//! keys and secondary indexes of the tables being filled can be dropped inside the
//! transaction and created again from their own definitions before it commits
//! ([`Load::defer_checks`]). On SQLite, where
//! statements are cheap, multi-row INSERTs sized under its parameter limit.

use crate::error::DomainResult;
use sea_orm::sea_query::OptionEnum;
use sea_orm::sqlx::{self, Postgres};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityName, EntityTrait, Iterable, RuntimeErr, Statement, Value,
};
use std::fmt::Write as _;
use std::sync::Arc;

/// Bytes of COPY text sent to PostgreSQL at a time.
const COPY_BYTES: usize = 1 << 20;

/// Bind parameters per SQLite statement (the bundled SQLite allows 32 766).
const SQLITE_PARAMS: usize = 30_000;

/// The one transaction a generated organisation is written in: all of it commits, or none.
pub(super) enum Load {
    /// SQLite: a sea-orm write transaction (`BEGIN IMMEDIATE`).
    Sea(DatabaseTransaction),
    /// PostgreSQL: a transaction on one pooled connection, so that COPY joins it.
    Pg(sqlx::Transaction<'static, Postgres>),
}

/// Secondary indexes dropped for a load, to be created again from their definitions.
#[derive(Debug, Default)]
pub(super) struct Deferred {
    definitions: Vec<String>,
}

impl Load {
    /// Begins the transaction on `db`.
    pub async fn begin(db: &DatabaseConnection) -> DomainResult<Self> {
        if db.get_database_backend() == DbBackend::Postgres {
            let txn = db
                .get_postgres_connection_pool()
                .begin()
                .await
                .map_err(sql)?;
            Ok(Load::Pg(txn))
        } else {
            Ok(Load::Sea(crate::db::begin(db).await?))
        }
    }

    /// Commits everything written.
    pub async fn commit(self) -> DomainResult<()> {
        match self {
            Load::Sea(txn) => txn.commit().await?,
            Load::Pg(txn) => txn.commit().await.map_err(sql)?,
        }
        Ok(())
    }

    /// Runs one statement built by sea-orm for this backend.
    pub async fn execute(&mut self, statement: Statement) -> DomainResult<()> {
        match self {
            Load::Sea(txn) => {
                txn.execute_raw(statement).await?;
            }
            Load::Pg(txn) => {
                // The values are inlined by sea-query's own escaping.
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string()))
                    .execute(&mut **txn)
                    .await
                    .map_err(sql)?;
            }
        }
        Ok(())
    }

    /// The backend written to.
    pub fn backend(&self) -> DbBackend {
        match self {
            Load::Sea(txn) => txn.get_database_backend(),
            Load::Pg(_) => DbBackend::Postgres,
        }
    }

    /// Inserts every row, in chunks.
    pub async fn insert<A>(&mut self, rows: Vec<A>) -> DomainResult<()>
    where
        A: ActiveModelTrait + Send,
    {
        if rows.is_empty() {
            return Ok(());
        }
        match self {
            Load::Sea(txn) => insert_many(txn, rows).await,
            Load::Pg(txn) => copy(txn, &rows).await,
        }
    }

    /// On PostgreSQL, drops the foreign keys of `tables` and their indexes that back no
    /// constraint (primary keys and unique constraints stay, and with them every foreign
    /// key's target), so that a load neither checks nor indexes row by row; [`Load::restore`]
    /// creates them again from their own definitions in the same transaction, which checks
    /// every row at once. On SQLite the foreign keys are checked at commit instead of row by
    /// row (`defer_foreign_keys`, which lasts until the transaction ends). Either way, rows
    /// may arrive before the rows they point to.
    pub async fn defer_checks(&mut self, tables: &[&str]) -> DomainResult<Deferred> {
        let txn = match self {
            Load::Sea(txn) => {
                txn.execute_unprepared("PRAGMA defer_foreign_keys = ON")
                    .await?;
                return Ok(Deferred::default());
            }
            Load::Pg(txn) => txn,
        };
        let tables: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
        let rows: Vec<(i32, String, String)> = sqlx::query_as(
            "SELECT 1, format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname), \
                    format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, \
                           pg_get_constraintdef(oid)) \
             FROM pg_constraint \
             WHERE contype = 'f' AND conrelid = ANY($1::text[]::regclass[]) \
             UNION ALL \
             SELECT 2, format('DROP INDEX %s', i.indexrelid::regclass), \
                    pg_get_indexdef(i.indexrelid) \
             FROM pg_index i \
             WHERE i.indrelid = ANY($1::text[]::regclass[]) \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) \
             ORDER BY 1, 2",
        )
        .bind(tables)
        .fetch_all(&mut **txn)
        .await
        .map_err(sql)?;
        let mut deferred = Deferred::default();
        for (_, drop, create) in rows {
            sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                .execute(&mut **txn)
                .await
                .map_err(sql)?;
            deferred.definitions.push(create);
        }
        // Indexes first, then the foreign keys whose checks may use them.
        deferred.definitions.reverse();
        Ok(deferred)
    }

    /// Creates what [`Load::defer_checks`] dropped, from its own definitions.
    pub async fn restore(&mut self, deferred: Deferred) -> DomainResult<()> {
        let Load::Pg(txn) = self else {
            return Ok(());
        };
        // Room to sort a million keys in memory, for this transaction only.
        sqlx::raw_sql("SET LOCAL maintenance_work_mem = '256MB'")
            .execute(&mut **txn)
            .await
            .map_err(sql)?;
        for definition in deferred.definitions {
            sqlx::raw_sql(sqlx::AssertSqlSafe(definition))
                .execute(&mut **txn)
                .await
                .map_err(sql)?;
        }
        Ok(())
    }
}

/// Multi-row INSERTs under SQLite's parameter limit.
async fn insert_many<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> DomainResult<()>
where
    A: ActiveModelTrait + Send,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count();
    let per = (SQLITE_PARAMS / columns.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// One `COPY table (columns) FROM STDIN` of every row, sent a megabyte at a time.
async fn copy<A>(txn: &mut sqlx::Transaction<'static, Postgres>, rows: &[A]) -> DomainResult<()>
where
    A: ActiveModelTrait + Send,
{
    let columns: Vec<<A::Entity as EntityTrait>::Column> =
        <A::Entity as EntityTrait>::Column::iter().collect();
    let list = columns
        .iter()
        .map(|c| format!("\"{}\"", sea_orm::IdenStatic::as_str(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let table = A::Entity::default().table_name().to_owned();
    let mut copy = txn
        .copy_in_raw(&format!("COPY \"{table}\" ({list}) FROM STDIN"))
        .await
        .map_err(sql)?;
    let mut text = String::with_capacity(COPY_BYTES + 4096);
    for row in rows {
        for (k, column) in columns.iter().enumerate() {
            if k > 0 {
                text.push('\t');
            }
            let value = row.get(*column).into_value().unwrap_or(Value::Bool(None));
            if let Err(e) = copy_text(&value, &mut text) {
                copy.abort(e.to_string()).await.map_err(sql)?;
                return Err(e.into());
            }
        }
        text.push('\n');
        if text.len() >= COPY_BYTES {
            copy.send(text.as_bytes()).await.map_err(sql)?;
            text.clear();
        }
    }
    if !text.is_empty() {
        copy.send(text.as_bytes()).await.map_err(sql)?;
    }
    copy.finish().await.map_err(sql)?;
    Ok(())
}

/// Appends a value in COPY's text format (`\N` for NULL; backslash, tab, newline and carriage
/// return escaped). Refuses a kind of value the generated tables do not hold, rather than
/// guessing its text.
fn copy_text(value: &Value, out: &mut String) -> Result<(), DbErr> {
    let written = match value {
        Value::Bool(Some(b)) => out.write_str(if *b { "t" } else { "f" }),
        Value::Int(Some(v)) => write!(out, "{v}"),
        Value::BigInt(Some(v)) => write!(out, "{v}"),
        Value::SmallInt(Some(v)) => write!(out, "{v}"),
        Value::String(Some(s)) => {
            escape(s, out);
            Ok(())
        }
        Value::Enum(OptionEnum::Some(v)) => {
            escape(&v.value, out);
            Ok(())
        }
        Value::Uuid(Some(u)) => write!(out, "{u}"),
        Value::ChronoDate(Some(d)) => write!(out, "{d}"),
        Value::ChronoDateTimeUtc(Some(t)) => out.write_str(&t.to_rfc3339()),
        Value::Decimal(Some(d)) => write!(out, "{d}"),
        Value::Json(Some(j)) => {
            escape(&j.to_string(), out);
            Ok(())
        }
        Value::Bool(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::SmallInt(None)
        | Value::String(None)
        | Value::Enum(OptionEnum::None(_))
        | Value::Uuid(None)
        | Value::ChronoDate(None)
        | Value::ChronoDateTimeUtc(None)
        | Value::Decimal(None)
        | Value::Json(None) => out.write_str("\\N"),
        other => return Err(DbErr::Custom(format!("no COPY text for {other:?}"))),
    };
    written.map_err(|e| DbErr::Custom(e.to_string()))
}

/// Text with COPY's four special characters escaped.
fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A driver error as sea-orm reports database errors.
fn sql(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_and_marks_null() {
        let mut out = String::new();
        copy_text(&Value::from("a\tb\\c\nd\re"), &mut out).unwrap();
        out.push('|');
        copy_text(&Value::String(None), &mut out).unwrap();
        out.push('|');
        copy_text(&Value::from(true), &mut out).unwrap();
        assert_eq!(out, "a\\tb\\\\c\\nd\\re|\\N|t");
    }
}
