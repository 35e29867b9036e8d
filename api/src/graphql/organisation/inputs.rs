//! Input types of the organisation: typed at the edge, turned into domain inputs here.

use crate::graphql::errors::GqlResult;
use crate::graphql::parse_id;
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
            department_id: self
                .department_id
                .map(|d| parse_id("filter.departmentId", &d))
                .transpose()?,
            manager_id: self
                .manager_id
                .map(|m| parse_id("filter.managerId", &m))
                .transpose()?,
            search: self.search,
            include_inactive: self.include_inactive.unwrap_or(false),
        })
    }
}
