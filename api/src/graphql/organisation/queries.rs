//! Organisation reads: the viewer, the directory, departments and the audit log.

use super::inputs::{AuditFilter, EmployeeFilter};
use super::types::{AuditEntry, Department, Employee};
use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::employees;

/// Organisation reads.
#[derive(Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// The signed-in employee.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Employee> {
        Ok(Employee(viewer(ctx)?.employee.clone()))
    }

    /// One employee of the directory.
    async fn employee(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Employee>> {
        let id = parse_id("id", &id)?;
        let e = employees::get(&dctx(ctx).db, viewer(ctx)?, id)
            .await
            .gql()?;
        Ok(Some(Employee(e)))
    }

    /// The directory, by name.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn employees(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EmployeeFilter>,
    ) -> GqlResult<Conn<Employee>> {
        let page = page_request(ctx, "employees", first, after)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let found = employees::list(&dctx(ctx).db, viewer(ctx)?, &filter, &page)
            .await
            .gql()?;
        Ok(connection("employees", found, Employee))
    }

    /// All departments, by name.
    async fn departments(&self, ctx: &Context<'_>) -> GqlResult<Vec<Department>> {
        let found = employees::departments(&dctx(ctx).db, viewer(ctx)?)
            .await
            .gql()?;
        Ok(found.into_iter().map(Department).collect())
    }

    /// Who changed what, newest first (HR): filter by the kind of row, one row, the person
    /// who did it, and a time window.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AuditFilter>,
    ) -> GqlResult<Conn<AuditEntry>> {
        let page = page_request(ctx, "auditLog", first, after)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let found = domain::audit::list(dctx(ctx), viewer(ctx)?, &filter, &page)
            .await
            .gql()?;
        Ok(connection("auditLog", found, AuditEntry))
    }
}
