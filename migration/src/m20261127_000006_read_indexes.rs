//! Indexes for the everyday reads at scale: keyset orders `(sort key, id)`, the subtree
//! range on `employee.path` in byte order, public goals, and trigram search on PostgreSQL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Indexes both backends get, as `(name, definition)`.
const PORTABLE: &[(&str, &str)] = &[
    // HR's goal list and its cursor.
    ("idx_goal_created", "goal (created_at, id)"),
    // One person's goals, oldest first.
    ("idx_goal_owner_created", "goal (owner_id, created_at, id)"),
    // Goals everyone may read; the literal predicate is the one the goal list writes.
    (
        "idx_goal_public_created",
        "goal (created_at, id) WHERE visibility = 'PUBLIC' AND level <> 'INDIVIDUAL'",
    ),
    // HR's check-in list, newest period first, and one person's check-ins.
    ("idx_check_in_period", "check_in (period_start, id)"),
    (
        "idx_check_in_employee_period",
        "check_in (employee_id, period_start, id)",
    ),
    // The directory by name, and a manager's reports by name.
    ("idx_employee_name_id", "employee (name, id)"),
    (
        "idx_employee_manager_name",
        "employee (manager_id, name, id)",
    ),
    // Feedback, newest first: all of it (HR), what one person wrote, and the public part; the
    // literal predicate is the one the feedback list writes.
    ("idx_feedback_created", "feedback (created_at, id)"),
    (
        "idx_feedback_author_created",
        "feedback (author_id, created_at, id)",
    ),
    (
        "idx_feedback_public_created",
        "feedback (created_at, id) WHERE visibility = 'PUBLIC'",
    ),
];

/// Columns the directory search matches with `lower(column) LIKE '%…%'`.
const SEARCHED: &[&str] = &["name", "email", "title"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, definition) in PORTABLE {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {definition}"))
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            // Byte order whatever the database's collation, for the subtree range test.
            db.execute_unprepared(
                r#"CREATE INDEX idx_employee_path_c ON employee (path COLLATE "C")"#,
            )
            .await?;
            if let Some(schema) = trigram_schema(db).await? {
                for column in SEARCHED {
                    db.execute_unprepared(&format!(
                        "CREATE INDEX idx_employee_{column}_trgm ON employee \
                         USING gin (lower({column}) \"{schema}\".gin_trgm_ops)"
                    ))
                    .await?;
                }
            } else {
                tracing::warn!(
                    "pg_trgm is not installed and this role may not install it: \
                     employee search works without its index, only slower"
                );
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let mut names: Vec<String> = PORTABLE.iter().map(|(n, _)| (*n).to_owned()).collect();
        if manager.get_database_backend() == DbBackend::Postgres {
            names.push("idx_employee_path_c".to_owned());
            names.extend(SEARCHED.iter().map(|c| format!("idx_employee_{c}_trgm")));
        }
        for name in names {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}

/// The schema pg_trgm lives in, installing it in `public` when this role may (a superuser,
/// or any role with CREATE on the database since pg_trgm is a trusted extension); `None`
/// when it is absent and may not be installed. Checked first rather than attempted, because a
/// failed statement would abort the migration's transaction.
pub(crate) async fn trigram_schema(
    db: &SchemaManagerConnection<'_>,
) -> Result<Option<String>, DbErr> {
    // Migrations of several schemas of one database may run at once.
    db.execute_unprepared("SELECT pg_advisory_xact_lock(7366070741)")
        .await?;
    if let Some(schema) = installed_schema(db).await? {
        return Ok(Some(schema));
    }
    let may = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') \
             AND ((SELECT rolsuper FROM pg_roles WHERE rolname = current_user) \
                  OR has_database_privilege(current_database(), 'CREATE')) \
             AND has_schema_privilege('public', 'CREATE') AS may",
        ))
        .await?
        .map(|r| r.try_get::<bool>("", "may"))
        .transpose()?
        .unwrap_or(false);
    if !may {
        return Ok(None);
    }
    db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        .await?;
    installed_schema(db).await
}

async fn installed_schema(db: &SchemaManagerConnection<'_>) -> Result<Option<String>, DbErr> {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT n.nspname AS schema FROM pg_extension e \
         JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
    ))
    .await?
    .map(|r| r.try_get::<String>("", "schema"))
    .transpose()
}
