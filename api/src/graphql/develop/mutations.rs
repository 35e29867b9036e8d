//! Developing writes: each takes one input object and returns what it changed.

use super::inputs::{AssessSkillInput, CreateSkillInput, RetireSkillInput, SetJobProfileInput};
use super::types::{JobProfile, Skill, SkillAssessment};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, viewer};
use async_graphql::{Context, Object};
use domain::skills;

/// Developing writes.
#[derive(Default)]
pub struct DevelopMutation;

#[Object]
impl DevelopMutation {
    /// Adds a skill to the catalogue (HR).
    async fn create_skill(&self, ctx: &Context<'_>, input: CreateSkillInput) -> GqlResult<Skill> {
        let input = skills::SkillInput {
            name: input.name,
            description: input.description,
            group: input.group,
            levels: input.levels,
        };
        Ok(Skill(
            skills::create_skill(dctx(ctx), viewer(ctx)?, input)
                .await
                .gql()?,
        ))
    }

    /// Retires a skill (HR): its assessments stay, it leaves every gap list.
    async fn retire_skill(&self, ctx: &Context<'_>, input: RetireSkillInput) -> GqlResult<Skill> {
        let id = parse_id("id", &input.id)?;
        Ok(Skill(
            skills::retire_skill(dctx(ctx), viewer(ctx)?, id)
                .await
                .gql()?,
        ))
    }

    /// Creates a job profile, or replaces one's name, description and expected skills (HR);
    /// the gaps of everyone who has it follow. Assign it with `updateEmployee(jobProfileId)`
    /// or the import's `job_profile` column.
    async fn set_job_profile(
        &self,
        ctx: &Context<'_>,
        input: SetJobProfileInput,
    ) -> GqlResult<JobProfile> {
        let input = input.into_domain()?;
        Ok(JobProfile(
            skills::set_job_profile(dctx(ctx), viewer(ctx)?, input)
                .await
                .gql()?,
        ))
    }

    /// Records an assessment: SELF by the employee, MANAGER by one of their managers or HR.
    /// Every assessment is kept; the gap follows the latest MANAGER one.
    async fn assess_skill(
        &self,
        ctx: &Context<'_>,
        input: AssessSkillInput,
    ) -> GqlResult<SkillAssessment> {
        let input = skills::AssessInput {
            employee_id: parse_id("employeeId", &input.employee_id)?,
            skill_id: parse_id("skillId", &input.skill_id)?,
            kind: input.kind.into(),
            level: input.level,
            note: input.note,
        };
        Ok(SkillAssessment(
            skills::assess(dctx(ctx), viewer(ctx)?, input).await.gql()?,
        ))
    }
}
