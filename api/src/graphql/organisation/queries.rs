//! Organisation reads: the viewer, the directory and departments.

use super::inputs::EmployeeFilter;
use super::types::{Department, Employee};
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
}
