//! Input types of the organisation: typed at the edge, turned into domain inputs here.

use super::types::Role;
use crate::graphql::errors::GqlResult;
use crate::graphql::{parse_id, parse_opt_id};
use async_graphql::{ID, InputObject, MaybeUndefined};
use chrono::{DateTime, NaiveDate, Utc};

/// Filters for `employees`.
#[derive(InputObject, Default)]
pub struct EmployeeFilter {
    pub department_id: Option<ID>,
    /// Direct reports of this manager.
    pub manager_id: Option<ID>,
    /// Matches name, e-mail or title, case-insensitively.
    pub search: Option<String>,
    /// Include people who have left (default false).
    pub include_inactive: Option<bool>,
}

impl EmployeeFilter {
    /// The domain's form, with ids parsed.
    pub fn into_domain(self) -> GqlResult<domain::employees::EmployeeFilter> {
        Ok(domain::employees::EmployeeFilter {
            department_id: parse_opt_id("filter.departmentId", self.department_id.as_ref())?,
            manager_id: parse_opt_id("filter.managerId", self.manager_id.as_ref())?,
            search: self.search,
            include_inactive: self.include_inactive.unwrap_or(false),
        })
    }
}

/// Someone HR adds to the organisation.
#[derive(InputObject)]
pub struct CreateEmployeeInput {
    pub email: String,
    /// 1–200 characters.
    pub name: String,
    #[graphql(default)]
    pub title: String,
    pub department_id: Option<ID>,
    /// Their manager (active); none for the top of the organisation.
    pub manager_id: Option<ID>,
    #[graphql(default_with = "Role::Employee")]
    pub role: Role,
    pub hired_on: NaiveDate,
    /// IANA timezone, e.g. Europe/Berlin.
    #[graphql(default_with = "String::from(\"UTC\")")]
    pub timezone: String,
}

impl CreateEmployeeInput {
    /// The domain's form, with ids parsed.
    pub fn into_domain(self) -> GqlResult<domain::org::NewEmployee> {
        Ok(domain::org::NewEmployee {
            email: self.email,
            name: self.name,
            title: self.title,
            department_id: parse_opt_id("departmentId", self.department_id.as_ref())?,
            manager_id: parse_opt_id("managerId", self.manager_id.as_ref())?,
            role: self.role.into(),
            hired_on: self.hired_on,
            timezone: self.timezone,
        })
    }
}

/// Changes to someone's details; omitted fields keep their value. Their manager changes with
/// `moveEmployee`.
#[derive(InputObject)]
pub struct UpdateEmployeeInput {
    pub id: ID,
    pub email: Option<String>,
    pub name: Option<String>,
    pub title: Option<String>,
    /// `null` takes them out of any department.
    pub department_id: MaybeUndefined<ID>,
    pub role: Option<Role>,
    pub hired_on: Option<NaiveDate>,
    pub timezone: Option<String>,
    /// Their job profile (`jobProfiles`); `null` takes it away. Their skill gaps follow.
    pub job_profile_id: MaybeUndefined<ID>,
}

impl UpdateEmployeeInput {
    /// The employee and the domain's form of the changes.
    pub fn into_domain(self) -> GqlResult<(uuid::Uuid, domain::org::EmployeePatch)> {
        let id = parse_id("id", &self.id)?;
        let department_id = match self.department_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(d) => Some(Some(parse_id("departmentId", &d)?)),
        };
        let job_profile_id = match self.job_profile_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(p) => Some(Some(parse_id("jobProfileId", &p)?)),
        };
        Ok((
            id,
            domain::org::EmployeePatch {
                email: self.email,
                name: self.name,
                title: self.title,
                department_id,
                role: self.role.map(Into::into),
                hired_on: self.hired_on,
                timezone: self.timezone,
                job_profile_id,
            },
        ))
    }
}

/// Someone moved, with everyone below them, under another manager.
#[derive(InputObject)]
pub struct MoveEmployeeInput {
    pub id: ID,
    /// The new manager; `null` puts them at the top of the organisation.
    pub manager_id: Option<ID>,
}

/// Someone who left.
#[derive(InputObject)]
pub struct DeactivateEmployeeInput {
    pub id: ID,
    /// Their last day (today, UTC, when left out): rewards prorate to it.
    pub left_on: Option<chrono::NaiveDate>,
}

/// Which audit-log entries to list; every part is optional.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// The kind of row changed: `goal`, `employee`, `cycle`, `check_in`, `key_result`, …
    pub entity: Option<String>,
    /// One row's changes.
    pub entity_id: Option<ID>,
    /// The changes one person made.
    pub actor_id: Option<ID>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// The domain's form, with ids parsed.
    pub fn into_domain(self) -> GqlResult<domain::audit::AuditFilter> {
        Ok(domain::audit::AuditFilter {
            entity: self.entity,
            entity_id: parse_opt_id("filter.entityId", self.entity_id.as_ref())?,
            actor_id: parse_opt_id("filter.actorId", self.actor_id.as_ref())?,
            from: self.from,
            until: self.until,
        })
    }
}
