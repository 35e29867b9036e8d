//! Developing reads: the catalogue, job profiles and skill gaps.

use super::types::{JobProfile, Skill, SkillGap};
use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::skills;

/// Developing reads.
#[derive(Default)]
pub struct DevelopQuery;

#[Object]
impl DevelopQuery {
    /// The skill catalogue by group and name (retired skills only on request).
    async fn skills(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_retired: bool,
    ) -> GqlResult<Vec<Skill>> {
        viewer(ctx)?;
        let found = skills::skills(dctx(ctx), include_retired).await.gql()?;
        Ok(found.into_iter().map(Skill).collect())
    }

    /// Every job profile by name.
    async fn job_profiles(&self, ctx: &Context<'_>) -> GqlResult<Vec<JobProfile>> {
        viewer(ctx)?;
        let found = skills::job_profiles(dctx(ctx)).await.gql()?;
        Ok(found.into_iter().map(JobProfile).collect())
    }

    /// Person × skill gap rows (a heat map's cells), largest gaps first and unassessed last:
    /// one person's, everyone below a manager, a department with its sub-departments, one
    /// skill; always within what the viewer may see (HR: everyone; anyone else: themselves
    /// and the people below them).
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn skill_gaps(
        &self,
        ctx: &Context<'_>,
        employee_id: Option<ID>,
        manager_id: Option<ID>,
        department_id: Option<ID>,
        skill_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<SkillGap>> {
        let page = page_request(ctx, "skillGaps", first, after)?;
        let scope = skills::GapScope {
            employee_id: parse_opt_id("employeeId", employee_id.as_ref())?,
            manager_id: parse_opt_id("managerId", manager_id.as_ref())?,
            department_id: parse_opt_id("departmentId", department_id.as_ref())?,
            skill_id: parse_opt_id("skillId", skill_id.as_ref())?,
        };
        let found = skills::gaps(dctx(ctx), viewer(ctx)?, &scope, &page)
            .await
            .gql()?;
        Ok(connection("skillGaps", found, SkillGap))
    }
}
