//! Output types of the organisation: people and departments. Relations go through the
//! request's loaders; an employee's goals pass the domain's read check.

use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::enums::{Cadence, mirror_enum};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::monitoring::types::CheckIn;
use crate::graphql::planning::types::Goal;
use crate::graphql::{dctx, loaders, parse_id, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;
use domain::DomainError;
use domain::page::{Page, Position, SortKey};
use domain::permissions::{can_read_goal, can_read_work_of};
use domain::{check_ins, employees};
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

    /// Their last day, once they have left.
    async fn left_on(&self) -> Option<NaiveDate> {
        self.0.left_on
    }
    /// When HR erased their personal data (`erasePerson`); their name then reads "Former
    /// employee …".
    async fn erased_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.erased_at
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
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<Employee>> {
        let page = page_request(ctx, "reports", first, after)?;
        let reports = loaders(ctx).reports.load_one(self.0.id).await?;
        let position = |e: &employee::Model| Position {
            key: SortKey::Text(e.name.clone()),
            id: e.id,
        };
        let found = Page::of_rows(reports.unwrap_or_default(), position, &page);
        Ok(connection("reports", found, Employee))
    }
    /// Whether this employee has direct reports.
    async fn is_manager(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        Ok(loaders(ctx)
            .reports
            .load_one(self.0.id)
            .await?
            .is_some_and(|r| !r.is_empty()))
    }
    /// How often they check in during `cycleId` (the cycle's cadence unless a manager set
    /// theirs with `setCheckInCadence`); null for viewers who may not see their work.
    async fn check_in_cadence(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
    ) -> GqlResult<Option<Cadence>> {
        let cycle = parse_id("cycleId", &cycle_id)?;
        if !can_read_work_of(viewer(ctx)?, &self.0) {
            return Ok(None);
        }
        let cadence = loaders(ctx).cadence.load_one((self.0.id, cycle)).await?;
        match cadence {
            Some(c) => Ok(Some(c.into())),
            None => Err(DomainError::NotFound("cycle")).gql(),
        }
    }
    /// Their check-in for the period containing today in their timezone, if one is open;
    /// null also for viewers who may not see their work.
    async fn current_check_in(&self, ctx: &Context<'_>) -> GqlResult<Option<CheckIn>> {
        if !can_read_work_of(viewer(ctx)?, &self.0) {
            return Ok(None);
        }
        let today = dctx(ctx).clock.today_in(domain::calendar::zone(&self.0));
        let found = loaders(ctx)
            .containing_check_in
            .load_one((self.0.id, today))
            .await?;
        Ok(found.map(CheckIn))
    }
    /// The job profile whose expected skill levels apply to them.
    async fn job_profile(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<crate::graphql::develop::types::JobProfile>> {
        let Some(id) = self.0.job_profile_id else {
            return Ok(None);
        };
        let found = loaders(ctx).job_profile.load_one(id).await?;
        Ok(found.map(crate::graphql::develop::types::JobProfile))
    }
    /// Their standing in each skill their job profile expects, largest gap first (empty for
    /// viewers who may not see their work).
    async fn skill_gaps(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<crate::graphql::develop::types::SkillGap>> {
        if !can_read_work_of(viewer(ctx)?, &self.0) {
            return Ok(Vec::new());
        }
        let rows = loaders(ctx).skill_gaps.load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::develop::types::SkillGap)
            .collect())
    }
    /// Their skill assessments, newest first (of one skill, or all): self and manager kept
    /// apart by `kind`. None for viewers who may not see their work.
    async fn skill_assessments(
        &self,
        ctx: &Context<'_>,
        skill_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<crate::graphql::develop::types::SkillAssessment>> {
        let skill = parse_opt_id("skillId", skill_id.as_ref())?;
        let page = page_request(ctx, "skillAssessments", first, after)?;
        if !can_read_work_of(viewer(ctx)?, &self.0) {
            return Ok(connection("skillAssessments", Page::empty(), |m| {
                crate::graphql::develop::types::SkillAssessment(m)
            }));
        }
        let found = domain::skills::assessments(dctx(ctx), viewer(ctx)?, &self.0, skill, &page)
            .await
            .gql()?;
        Ok(connection(
            "skillAssessments",
            found,
            crate::graphql::develop::types::SkillAssessment,
        ))
    }
    /// Their planning conversation with their manager in `cycleId` (null until it is set up,
    /// and for viewers who may not see their work).
    async fn planning_conversation(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
    ) -> GqlResult<Option<crate::graphql::planning::conversation::PlanningConversation>> {
        let cycle = parse_id("cycleId", &cycle_id)?;
        if !can_read_work_of(viewer(ctx)?, &self.0) {
            return Ok(None);
        }
        let found = loaders(ctx)
            .conversation
            .load_one((self.0.id, cycle))
            .await?;
        Ok(found.map(crate::graphql::planning::conversation::PlanningConversation))
    }
    /// Their check-ins the viewer may read (none for viewers who may not see their work),
    /// newest period first, as `checkIns` lists them.
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<CheckIn>> {
        let page = page_request(ctx, "employeeCheckIns", first, after)?;
        let filter = check_ins::CheckInFilter {
            employee_id: Some(self.0.id),
            ..check_ins::CheckInFilter::default()
        };
        let found = check_ins::list(dctx(ctx), viewer(ctx)?, &filter, &page)
            .await
            .gql()?;
        Ok(connection("employeeCheckIns", found, CheckIn))
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
    /// Its sub-departments, by name.
    async fn children(&self, ctx: &Context<'_>) -> GqlResult<Vec<Department>> {
        let children = loaders(ctx).department_children.load_one(self.0.id).await?;
        Ok(children
            .unwrap_or_default()
            .into_iter()
            .map(Department)
            .collect())
    }
    /// Active people in this department (its sub-departments not included).
    async fn headcount(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        Ok(loaders(ctx)
            .headcount
            .load_one(self.0.id)
            .await?
            .unwrap_or(0))
    }
    /// Its active people by name (its sub-departments not included), as `employees` lists
    /// them.
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<Employee>> {
        let page = page_request(ctx, "departmentMembers", first, after)?;
        let filter = employees::EmployeeFilter {
            department_id: Some(self.0.id),
            ..employees::EmployeeFilter::default()
        };
        let found = employees::list(&dctx(ctx).db, viewer(ctx)?, &filter, &page)
            .await
            .gql()?;
        Ok(connection("departmentMembers", found, Employee))
    }
}

/// One audited change: who did what to which row, the row before and after, and when.
pub struct AuditEntry(pub entity::audit_log::Model);

#[Object]
impl AuditEntry {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What was done, e.g. `goal.agree`, `employee.move`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The kind of row changed, e.g. `goal`, `employee`.
    async fn entity(&self) -> &str {
        &self.0.entity
    }
    async fn entity_id(&self) -> ID {
        ID(self.0.entity_id.to_string())
    }
    /// Who did it; null for the command line (import, seed).
    async fn actor(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        let Some(actor) = self.0.actor_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).employee.load_one(actor).await?.map(Employee))
    }
    /// The row's state before, as the change recorded it.
    async fn before(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.before.clone().map(async_graphql::Json)
    }
    /// The row's state after.
    async fn after(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.after.clone().map(async_graphql::Json)
    }
    async fn at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.at
    }
}
