//! `perfcycle import employees FILE.csv`: how a real organisation starts.
//!
//! The file is checked whole before anything is written: every bad cell is reported by
//! line and column, a manager loop is refused, and the write is one transaction.

use crate::Ctx;
use crate::employees;
use crate::error::DomainError;
use crate::query::IN_CHUNK;
use crate::values::{self, Role};
use chrono::NaiveDate;
use entity::{audit_log, department, employee, job_profile};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::Read;
use uuid::Uuid;

/// The columns of an import file, in any order; extra columns are refused.
pub const COLUMNS: [&str; 8] = [
    "email",
    "name",
    "title",
    "department",
    "manager_email",
    "role",
    "hired_on",
    "timezone",
];

/// Columns a file may add; a blank cell keeps what is stored.
pub const OPTIONAL_COLUMNS: [&str; 1] = ["job_profile"];

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The column's header name.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has problems; all of them are listed.
    #[error("{} problem(s) in the file; nothing was imported", .0.len())]
    Invalid(Vec<RowError>),
    /// The database failed; the transaction was rolled back.
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// New employees.
    pub created: usize,
    /// Existing employees whose row changed.
    pub updated: usize,
    /// Rows identical to what was stored.
    pub unchanged: usize,
    /// Departments created by name.
    pub departments_created: usize,
}

struct Row {
    line: u64,
    email: String,
    name: String,
    title: String,
    department: Option<String>,
    manager_email: Option<String>,
    /// `None` when the cell is blank: new people are employees, existing ones keep theirs.
    role: Option<Role>,
    hired_on: NaiveDate,
    timezone: String,
    /// A job profile's name; `None` when the cell is blank or the column absent.
    job_profile: Option<String>,
}

fn parse(reader: impl Read) -> Result<Vec<Row>, Vec<RowError>> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let mut errors = Vec::new();
    let err = |line: u64, column: &str, message: String| RowError {
        line,
        column: column.to_owned(),
        message,
    };
    let headers = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![err(1, "-", format!("unreadable header: {e}"))]),
    };
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.to_lowercase();
        if !COLUMNS.contains(&name.as_str()) && !OPTIONAL_COLUMNS.contains(&name.as_str()) {
            errors.push(err(
                1,
                h,
                format!(
                    "unknown column; expected {} (and optionally {})",
                    COLUMNS.join(","),
                    OPTIONAL_COLUMNS.join(",")
                ),
            ));
        } else if index.insert(name, i).is_some() {
            errors.push(err(1, h, "column appears twice".into()));
        }
    }
    for c in COLUMNS {
        if !index.contains_key(c) {
            errors.push(err(1, c, "missing column".into()));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in csv.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(line, "-", format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |c: &str| {
            index
                .get(c)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .to_owned()
        };
        let mut check = |column: &str, r: Result<String, DomainError>| match r {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(err(line, column, e.to_string()));
                None
            }
        };
        let email = check("email", values::email("email", &cell("email")));
        let name = check("name", values::required_text("name", &cell("name"), 200));
        let title = check("title", values::optional_text("title", &cell("title"), 200));
        let department = check(
            "department",
            values::optional_text("department", &cell("department"), 120),
        );
        let manager = cell("manager_email");
        let manager_email = if manager.is_empty() {
            Some(None)
        } else {
            check("manager_email", values::email("manager_email", &manager)).map(Some)
        };
        let role = match cell("role").to_uppercase().as_str() {
            "" => Some(None),
            "EMPLOYEE" => Some(Some(Role::Employee)),
            "HR_ADMIN" => Some(Some(Role::HrAdmin)),
            other => {
                errors.push(err(
                    line,
                    "role",
                    format!("{other:?} is not EMPLOYEE or HR_ADMIN"),
                ));
                None
            }
        };
        let hired_on = match NaiveDate::parse_from_str(&cell("hired_on"), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(err(
                    line,
                    "hired_on",
                    format!("{:?} is not a date like 2024-03-01", cell("hired_on")),
                ));
                None
            }
        };
        let tz = cell("timezone");
        let timezone = if tz.is_empty() {
            Some("UTC".to_owned())
        } else {
            match values::timezone("timezone", &tz) {
                Ok(t) => Some(t.name().to_owned()),
                Err(e) => {
                    errors.push(err(line, "timezone", e.to_string()));
                    None
                }
            }
        };
        if let Some(email) = &email
            && let Some(first) = seen.insert(email.clone(), line)
        {
            errors.push(err(
                line,
                "email",
                format!("{email} already appears on line {first}"),
            ));
        }
        if let (
            Some(email),
            Some(name),
            Some(title),
            Some(department),
            Some(manager_email),
            Some(role),
            Some(hired_on),
            Some(timezone),
        ) = (
            email,
            name,
            title,
            department,
            manager_email,
            role,
            hired_on,
            timezone,
        ) {
            let job_profile = cell("job_profile");
            rows.push(Row {
                line,
                email,
                name,
                title,
                department: (!department.is_empty()).then_some(department),
                manager_email,
                role,
                hired_on,
                timezone,
                job_profile: (!job_profile.is_empty()).then_some(job_profile),
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Upserts the org chart from CSV by e-mail, all or nothing.
pub async fn employees(ctx: &Ctx, reader: impl Read) -> Result<ImportReport, ImportError> {
    let rows = parse(reader).map_err(ImportError::Invalid)?;
    let txn = crate::db::begin(&ctx.db).await.map_err(DomainError::from)?;
    crate::db::lock_org_chart(&txn)
        .await
        .map_err(DomainError::from)?;
    let now = ctx.clock.now();

    // Everyone already stored, so that managers may be people not in the file.
    let existing: Vec<employee::Model> = employee::Entity::find()
        .all(&txn)
        .await
        .map_err(DomainError::from)?;
    let mut by_email: HashMap<String, employee::Model> =
        existing.into_iter().map(|e| (e.email.clone(), e)).collect();
    let mut ids: HashMap<String, Uuid> = by_email.iter().map(|(k, v)| (k.clone(), v.id)).collect();
    for row in &rows {
        ids.entry(row.email.clone()).or_insert_with(Uuid::new_v4);
    }
    let mut errors = Vec::new();
    let mut managers: HashMap<Uuid, Option<Uuid>> =
        by_email.values().map(|e| (e.id, e.manager_id)).collect();
    for row in &rows {
        let manager = match &row.manager_email {
            None => None,
            Some(m) => match ids.get(m) {
                Some(id) => Some(*id),
                None => {
                    errors.push(RowError {
                        line: row.line,
                        column: "manager_email".into(),
                        message: format!("{m} is neither in the file nor already an employee"),
                    });
                    None
                }
            },
        };
        managers.insert(ids[&row.email], manager);
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }
    let paths = employees::paths(&managers).map_err(|members| {
        let emails: BTreeMap<Uuid, &str> = ids.iter().map(|(e, id)| (*id, e.as_str())).collect();
        let names: Vec<&str> = members
            .iter()
            .filter_map(|id| emails.get(id).copied())
            .collect();
        let line = rows
            .iter()
            .find(|r| members.contains(&ids[&r.email]))
            .map_or(0, |r| r.line);
        ImportError::Invalid(vec![RowError {
            line,
            column: "manager_email".into(),
            message: format!("managers form a loop: {}", names.join(" → ")),
        }])
    })?;

    let mut departments: HashMap<String, Uuid> = department::Entity::find()
        .all(&txn)
        .await
        .map_err(DomainError::from)?
        .into_iter()
        .map(|d| (d.name.to_lowercase(), d.id))
        .collect();
    let mut report = ImportReport::default();
    let wanted: HashSet<String> = rows.iter().filter_map(|r| r.department.clone()).collect();
    for name in wanted {
        if let Entry::Vacant(slot) = departments.entry(name.to_lowercase()) {
            let id = Uuid::new_v4();
            department::ActiveModel {
                id: Set(id),
                name: Set(name),
                parent_id: Set(None),
                head_id: Set(None),
                created_at: Set(now),
            }
            .insert(&txn)
            .await
            .map_err(DomainError::from)?;
            slot.insert(id);
            report.departments_created += 1;
        }
    }

    let profiles: HashMap<String, Uuid> = job_profile::Entity::find()
        .all(&txn)
        .await
        .map_err(DomainError::from)?
        .into_iter()
        .map(|p| (p.name.to_lowercase(), p.id))
        .collect();
    let unknown: Vec<RowError> = rows
        .iter()
        .filter_map(|r| {
            let name = r.job_profile.as_ref()?;
            (!profiles.contains_key(&name.to_lowercase())).then(|| RowError {
                line: r.line,
                column: "job_profile".into(),
                message: format!("no job profile is named {name:?}"),
            })
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ImportError::Invalid(unknown));
    }
    let mut new_rows = Vec::new();
    let mut logs = Vec::new();
    let mut updates = Vec::new();
    // People whose expected skills may have moved, for the gap rows.
    let mut profiled = Vec::new();
    for row in &rows {
        let id = ids[&row.email];
        let job_profile_id = match &row.job_profile {
            Some(name) => profiles.get(&name.to_lowercase()).copied(),
            None => by_email.get(&row.email).and_then(|e| e.job_profile_id),
        };
        if job_profile_id != by_email.get(&row.email).and_then(|e| e.job_profile_id) {
            profiled.push(id);
        }
        let desired = employee::Model {
            id,
            email: row.email.clone(),
            name: row.name.clone(),
            title: row.title.clone(),
            department_id: row
                .department
                .as_ref()
                .and_then(|d| departments.get(&d.to_lowercase()).copied()),
            manager_id: managers[&id],
            path: paths[&id].clone(),
            role: row
                .role
                .or_else(|| by_email.get(&row.email).map(|e| e.role))
                .unwrap_or(Role::Employee),
            hired_on: row.hired_on,
            timezone: row.timezone.clone(),
            active: true,
            left_on: None,
            job_profile_id,
            // An import never undoes a revocation.
            tokens_revoked_at: by_email.get(&row.email).and_then(|e| e.tokens_revoked_at),
            erased_at: None,
            created_at: now,
            updated_at: now,
        };
        match by_email.remove(&row.email) {
            None => {
                logs.push(log(
                    now,
                    "employee.import_create",
                    id,
                    None,
                    Some(crate::org::snapshot(&desired)),
                ));
                new_rows.push(desired);
                report.created += 1;
            }
            Some(current) => {
                // The path is derived: moving a manager is a change of the manager's row only.
                let changed = employee::Model {
                    created_at: current.created_at,
                    updated_at: current.updated_at,
                    path: current.path.clone(),
                    ..desired.clone()
                } != current;
                if !changed && desired.path != current.path {
                    let mut model = current.into_active_model();
                    model.path = Set(desired.path);
                    updates.push(model);
                    report.unchanged += 1;
                } else if changed {
                    logs.push(log(
                        now,
                        "employee.import_update",
                        id,
                        Some(crate::org::snapshot(&current)),
                        Some(crate::org::snapshot(&desired)),
                    ));
                    let mut model = desired.into_active_model();
                    model.created_at = Set(current.created_at);
                    updates.push(model.reset_all());
                    report.updated += 1;
                } else {
                    report.unchanged += 1;
                }
            }
        }
    }
    // New people first: an existing employee may now report to one of them.
    employees::insert_all(&txn, new_rows).await?;
    for model in updates {
        model.update(&txn).await.map_err(DomainError::from)?;
    }
    // Moving a manager moves their whole subtree: rewrite the paths that changed.
    for e in by_email.into_values() {
        if let Some(path) = paths.get(&e.id)
            && *path != e.path
        {
            let mut model = e.into_active_model();
            model.path = Set(path.clone());
            model.updated_at = Set(now);
            model.update(&txn).await.map_err(DomainError::from)?;
        }
    }
    for chunk in logs.chunks(IN_CHUNK / 2) {
        audit_log::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await
            .map_err(DomainError::from)?;
    }
    crate::skills::refresh_gaps(&txn, &profiled, now).await?;
    txn.commit().await.map_err(DomainError::from)?;
    Ok(report)
}

fn log(
    at: chrono::DateTime<chrono::Utc>,
    action: &str,
    id: Uuid,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> audit_log::ActiveModel {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(None),
        action: Set(action.to_owned()),
        entity: Set("employee".to_owned()),
        entity_id: Set(id),
        before: Set(before),
        after: Set(after),
        at: Set(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(csv: &str) -> Vec<RowError> {
        parse(csv.as_bytes()).err().unwrap_or_default()
    }

    const HEADER: &str = "email,name,title,department,manager_email,role,hired_on,timezone\n";

    #[test]
    fn a_good_file_parses() {
        let rows = parse(
            format!("{HEADER}a@x.io,Ann,CEO,Exec,,HR_ADMIN,2020-01-01,Europe/Berlin\n").as_bytes(),
        );
        assert_eq!(rows.map(|r| r.len()).ok(), Some(1));
    }

    #[test]
    fn bad_cells_are_reported_by_line_and_column() {
        let errs = errors(&format!(
            "{HEADER}a@x.io,Ann,CEO,Exec,,BOSS,2020-13-01,Mars/Base\nnot-an-email,,t,d,,,2020-01-01,\n"
        ));
        let at: Vec<(u64, &str)> = errs.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert!(at.contains(&(2, "role")), "{errs:?}");
        assert!(at.contains(&(2, "hired_on")), "{errs:?}");
        assert!(at.contains(&(2, "timezone")), "{errs:?}");
        assert!(at.contains(&(3, "email")), "{errs:?}");
        assert!(at.contains(&(3, "name")), "{errs:?}");
    }

    #[test]
    fn duplicate_emails_and_missing_columns_are_refused() {
        let errs = errors(&format!(
            "{HEADER}a@x.io,A,,,,,2020-01-01,\nA@x.io,B,,,,,2020-01-01,\n"
        ));
        assert_eq!(
            errs.first().map(|e| (e.line, e.column.as_str())),
            Some((3, "email"))
        );
        let errs = errors("email,name\na@x.io,A\n");
        assert!(errs.iter().any(|e| e.column == "hired_on" && e.line == 1));
    }
}
