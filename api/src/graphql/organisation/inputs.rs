//! Input types of the organisation: typed at the edge, turned into domain inputs here.

use crate::graphql::errors::GqlResult;
use crate::graphql::parse_opt_id;
use async_graphql::{ID, InputObject};

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
