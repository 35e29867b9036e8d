//! Output types of the organisation: people and departments. Relations go through the
//! request's loaders; an employee's goals pass the domain's read check.

use crate::graphql::enums::mirror_enum;
use crate::graphql::errors::GqlResult;
use crate::graphql::planning::types::Goal;
use crate::graphql::{loaders, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;
use domain::permissions::can_read_goal;
use entity::{department, employee};

mirror_enum!(
    /// What an employee may do beyond their own work.
    Role {
        /// Everyone; managers are employees with reports.
        Employee,
        /// HR administrators see and run everything.
        HrAdmin,
    }
);

/// A person in the organisation.
pub struct Employee(pub employee::Model);

#[Object]
impl Employee {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn hired_on(&self) -> NaiveDate {
        self.0.hired_on
    }
    /// IANA timezone: schedules (reminders, check-in periods) follow it.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn department(&self, ctx: &Context<'_>) -> GqlResult<Option<Department>> {
        let Some(id) = self.0.department_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).department.load_one(id).await?.map(Department))
    }
    async fn manager(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        let Some(id) = self.0.manager_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).employee.load_one(id).await?.map(Employee))
    }
    /// Direct reports, by name.
    async fn reports(&self, ctx: &Context<'_>) -> GqlResult<Vec<Employee>> {
        let reports = loaders(ctx).reports.load_one(self.0.id).await?;
        Ok(reports
            .unwrap_or_default()
            .into_iter()
            .map(Employee)
            .collect())
    }
    /// Whether this employee has direct reports.
    async fn is_manager(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        Ok(loaders(ctx)
            .reports
            .load_one(self.0.id)
            .await?
            .is_some_and(|r| !r.is_empty()))
    }
    /// This employee's goals that the viewer may read, optionally in one cycle.
    async fn goals(&self, ctx: &Context<'_>, cycle_id: Option<ID>) -> GqlResult<Vec<Goal>> {
        let cycle = parse_opt_id("cycleId", cycle_id.as_ref())?;
        let goals = loaders(ctx)
            .owner_goals
            .load_one((self.0.id, cycle))
            .await?;
        let viewer = viewer(ctx)?;
        Ok(goals
            .unwrap_or_default()
            .into_iter()
            .filter(|g| can_read_goal(viewer, g, &self.0))
            .map(Goal)
            .collect())
    }
}

/// A department.
pub struct Department(pub department::Model);

#[Object]
impl Department {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn head(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        let Some(id) = self.0.head_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).employee.load_one(id).await?.map(Employee))
    }
    async fn parent(&self, ctx: &Context<'_>) -> GqlResult<Option<Department>> {
        let Some(id) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).department.load_one(id).await?.map(Department))
    }
}
