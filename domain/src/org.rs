//! HR's edits to the org chart through the API: hiring someone, changing their details,
//! moving them (with everyone below them) under another manager, and marking them as left.
//! The CSV import does the same in bulk; both keep `employee.path` true and audit each change.

use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::permissions::require_hr;
use crate::publish;
use crate::query::find;
use crate::values::{self, Role};
use crate::viewer::{child_path, path_within};
use crate::{Ctx, Viewer};
use chrono::NaiveDate;
use entity::{department, employee, job_profile};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

/// Someone HR adds to the organisation.
#[derive(Debug, Clone)]
pub struct NewEmployee {
    pub email: String,
    pub name: String,
    pub title: String,
    pub department_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub role: Role,
    pub hired_on: NaiveDate,
    pub timezone: String,
}

/// Changes to someone's details; `None` keeps a value. The manager changes with
/// [`move_employee`].
#[derive(Debug, Clone, Default)]
pub struct EmployeePatch {
    pub email: Option<String>,
    pub name: Option<String>,
    pub title: Option<String>,
    /// `Some(None)` takes them out of any department.
    pub department_id: Option<Option<Uuid>>,
    pub role: Option<Role>,
    pub hired_on: Option<NaiveDate>,
    pub timezone: Option<String>,
    /// `Some(None)` takes their job profile away.
    pub job_profile_id: Option<Option<Uuid>>,
}

/// What the audit log keeps of an employee row.
pub(crate) fn snapshot(e: &employee::Model) -> serde_json::Value {
    json!({
        "email": e.email, "name": e.name, "title": e.title, "departmentId": e.department_id,
        "managerId": e.manager_id, "role": e.role, "hiredOn": e.hired_on, "timezone": e.timezone,
        "active": e.active, "leftOn": e.left_on, "jobProfileId": e.job_profile_id,
    })
}

async fn check_department(db: &impl ConnectionTrait, id: Option<Uuid>) -> DomainResult<()> {
    if let Some(id) = id
        && department::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(DomainError::bad("departmentId", "no such department"));
    }
    Ok(())
}

async fn check_email_free(
    db: &impl ConnectionTrait,
    email: &str,
    except: Option<Uuid>,
) -> DomainResult<()> {
    let taken = employee::Entity::find()
        .filter(employee::Column::Email.eq(email))
        .one(db)
        .await?
        .filter(|e| Some(e.id) != except);
    match taken {
        Some(_) => Err(DomainError::bad(
            "email",
            format!("{email} already belongs to someone"),
        )),
        None => Ok(()),
    }
}

/// An active employee who may manage others, for `field`.
async fn active_manager(
    db: &impl ConnectionTrait,
    field: &str,
    id: Uuid,
) -> DomainResult<employee::Model> {
    match employee::Entity::find_by_id(id).one(db).await? {
        Some(m) if m.active => Ok(m),
        Some(_) => Err(DomainError::bad(field, "this person has left")),
        None => Err(DomainError::bad(field, "no such employee")),
    }
}

/// HR adds someone to the organisation.
pub async fn create(
    ctx: &Ctx,
    viewer: &Viewer,
    input: NewEmployee,
) -> DomainResult<employee::Model> {
    require_hr(viewer, "change the org chart")?;
    let email = values::email("email", &input.email)?;
    let name = values::required_text("name", &input.name, 200)?;
    let title = values::optional_text("title", &input.title, 200)?;
    let timezone = values::timezone("timezone", &input.timezone)?;
    let txn = crate::db::begin(&ctx.db).await?;
    crate::db::lock_org_chart(&txn).await?;
    check_email_free(&txn, &email, None).await?;
    check_department(&txn, input.department_id).await?;
    let manager = match input.manager_id {
        Some(m) => Some(active_manager(&txn, "managerId", m).await?),
        None => None,
    };
    let now = ctx.clock.now();
    let id = Uuid::now_v7();
    let created = employee::ActiveModel {
        id: Set(id),
        email: Set(email),
        name: Set(name),
        title: Set(title),
        department_id: Set(input.department_id),
        manager_id: Set(input.manager_id),
        path: Set(child_path(manager.as_ref().map(|m| m.path.as_str()), id)),
        role: Set(input.role),
        hired_on: Set(input.hired_on),
        timezone: Set(timezone.name().to_owned()),
        active: Set(true),
        left_on: Set(None),
        job_profile_id: Set(None),
        tokens_revoked_at: Set(None),
        erased_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "employee.create",
            entity: "employee",
            entity_id: id,
            before: None,
            after: Some(snapshot(&created)),
        },
    )
    .await?;
    let event = DomainEvent::EmployeeCreated {
        employee_id: id,
        manager_id: created.manager_id,
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(created)
}

/// HR changes someone's details.
pub async fn update(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    patch: EmployeePatch,
) -> DomainResult<employee::Model> {
    require_hr(viewer, "change the org chart")?;
    let txn = crate::db::begin(&ctx.db).await?;
    let current = find::<employee::Entity>(&txn, id, "employee").await?;
    let mut model = current.clone().into_active_model();
    if let Some(email) = &patch.email {
        let email = values::email("email", email)?;
        check_email_free(&txn, &email, Some(id)).await?;
        model.email = Set(email);
    }
    if let Some(name) = &patch.name {
        model.name = Set(values::required_text("name", name, 200)?);
    }
    if let Some(title) = &patch.title {
        model.title = Set(values::optional_text("title", title, 200)?);
    }
    if let Some(department) = patch.department_id {
        check_department(&txn, department).await?;
        model.department_id = Set(department);
    }
    if let Some(role) = patch.role {
        if id == viewer.id() && role != Role::HrAdmin {
            return Err(DomainError::conflict(
                "you cannot take HR rights from yourself; ask another HR admin",
            ));
        }
        model.role = Set(role);
    }
    if let Some(hired_on) = patch.hired_on {
        model.hired_on = Set(hired_on);
    }
    if let Some(timezone) = &patch.timezone {
        model.timezone = Set(values::timezone("timezone", timezone)?.name().to_owned());
    }
    if let Some(profile) = patch.job_profile_id {
        if let Some(p) = profile
            && job_profile::Entity::find_by_id(p)
                .one(&txn)
                .await?
                .is_none()
        {
            return Err(DomainError::bad("jobProfileId", "no such job profile"));
        }
        model.job_profile_id = Set(profile);
    }
    if !model.is_changed() {
        txn.commit().await?;
        return Ok(current);
    }
    let now = ctx.clock.now();
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    if updated.job_profile_id != current.job_profile_id {
        crate::skills::refresh_gaps(&txn, &[id], now).await?;
    }
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "employee.update",
            entity: "employee",
            entity_id: id,
            before: Some(snapshot(&current)),
            after: Some(snapshot(&updated)),
        },
    )
    .await?;
    let event = DomainEvent::EmployeeUpdated { employee_id: id };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(updated)
}

/// HR moves someone under another manager (or to the top, with `None`); everyone below them
/// moves with them, in one statement over their subtree.
pub async fn move_employee(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    manager_id: Option<Uuid>,
) -> DomainResult<employee::Model> {
    require_hr(viewer, "change the org chart")?;
    let txn = crate::db::begin(&ctx.db).await?;
    // Locked before any path is read: the paths below are rewritten from these.
    crate::db::lock_org_chart(&txn).await?;
    let current = find::<employee::Entity>(&txn, id, "employee").await?;
    if !current.active {
        return Err(DomainError::conflict(format!(
            "{} has left; they report to nobody now",
            current.name
        )));
    }
    let manager = match manager_id {
        Some(m) => Some(active_manager(&txn, "managerId", m).await?),
        None => None,
    };
    if let Some(m) = &manager
        && m.path.starts_with(&current.path)
    {
        return Err(DomainError::bad(
            "managerId",
            format!(
                "{} is {} or reports to them: the org chart would loop",
                m.name, current.name
            ),
        ));
    }
    if current.manager_id == manager_id {
        txn.commit().await?;
        return Ok(current);
    }
    let now = ctx.clock.now();
    let old = current.path.clone();
    let new = child_path(manager.as_ref().map(|m| m.path.as_str()), id);
    // Every path below starts with the old one: swap that prefix for the new one.
    let backend = txn.get_database_backend();
    let start = old.len() + 1;
    if !new.chars().all(|c| c == '/' || c.is_ascii_hexdigit()) {
        return Err(DomainError::Internal(format!("malformed path {new:?}")));
    }
    // Paths hold only `/` and hex digits, so the new prefix is safe as a literal.
    let moved = employee::Entity::update_many()
        .col_expr(
            employee::Column::Path,
            Expr::cust(format!(r#"'{new}' || substr("path", {start})"#)),
        )
        .col_expr(employee::Column::UpdatedAt, Expr::value(now))
        .filter(path_within(backend, &old))
        .exec(&txn)
        .await?
        .rows_affected;
    let mut model = find::<employee::Entity>(&txn, id, "employee")
        .await?
        .into_active_model();
    model.manager_id = Set(manager_id);
    let updated = model.update(&txn).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "employee.move",
            entity: "employee",
            entity_id: id,
            before: Some(json!({ "managerId": current.manager_id })),
            after: Some(
                json!({ "managerId": manager_id, "movedWithThem": moved.saturating_sub(1) }),
            ),
        },
    )
    .await?;
    let event = DomainEvent::EmployeeMoved {
        employee_id: id,
        from_manager_id: current.manager_id,
        to_manager_id: manager_id,
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(updated)
}

/// HR marks someone as having left on `left_on` (today, UTC, when not given; never before
/// they were hired nor after today): they can no longer sign in and drop out of lists and
/// schedules; rewards prorate to that day. Someone who still has active reports must hand
/// them over first.
pub async fn deactivate(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    left_on: Option<chrono::NaiveDate>,
) -> DomainResult<employee::Model> {
    require_hr(viewer, "change the org chart")?;
    if id == viewer.id() {
        return Err(DomainError::conflict(
            "you cannot mark yourself as having left; ask another HR admin",
        ));
    }
    let txn = crate::db::begin(&ctx.db).await?;
    crate::db::lock_org_chart(&txn).await?;
    let current = find::<employee::Entity>(&txn, id, "employee").await?;
    if !current.active {
        txn.commit().await?;
        return Ok(current);
    }
    let reports = employee::Entity::find()
        .filter(employee::Column::ManagerId.eq(id))
        .filter(employee::Column::Active.eq(true))
        .count(&txn)
        .await?;
    if reports > 0 {
        return Err(DomainError::conflict(format!(
            "{} still has {reports} active report(s); move them to another manager first",
            current.name
        )));
    }
    let now = ctx.clock.now();
    let left_on = left_on.unwrap_or(now.date_naive());
    if left_on < current.hired_on {
        return Err(DomainError::bad(
            "leftOn",
            format!("{} was hired on {}", current.name, current.hired_on),
        ));
    }
    if left_on > now.date_naive() {
        return Err(DomainError::bad(
            "leftOn",
            "a leaving date cannot be in the future; mark them on their last day",
        ));
    }
    let mut model = current.clone().into_active_model();
    model.active = Set(false);
    model.left_on = Set(Some(left_on));
    // Their tokens die with their leaving, so that an import bringing them back (a rehire)
    // does not revive tokens issued before. Tokens are dated by the wall clock.
    model.tokens_revoked_at = Set(Some(chrono::Utc::now()));
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "employee.deactivate",
            entity: "employee",
            entity_id: id,
            before: Some(snapshot(&current)),
            after: Some(snapshot(&updated)),
        },
    )
    .await?;
    let event = DomainEvent::EmployeeDeactivated { employee_id: id };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(updated)
}
