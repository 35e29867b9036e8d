//! Output types of developing: skills, job profiles, assessments and gaps.

use crate::graphql::enums::mirror_enum;
use crate::graphql::errors::{GqlResult, internal};
use crate::graphql::loaders;
use crate::graphql::organisation::types::Employee;
use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use domain::values::AssessmentKind as Kind;
use entity::{job_profile, skill, skill_assessment, skill_gap};

/// Whose view of a skill an assessment is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AssessmentKind {
    /// The employee's own view; shown beside the gap, never used for it.
    #[graphql(name = "SELF")]
    Own,
    /// A manager's (or HR's) view: the gap is measured against the latest one.
    Manager,
}

impl From<AssessmentKind> for Kind {
    fn from(k: AssessmentKind) -> Self {
        match k {
            AssessmentKind::Own => Kind::Own,
            AssessmentKind::Manager => Kind::Manager,
        }
    }
}

impl From<Kind> for AssessmentKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Own => AssessmentKind::Own,
            Kind::Manager => AssessmentKind::Manager,
        }
    }
}

/// A competency of the catalogue.
pub struct Skill(pub skill::Model);

#[Object]
impl Skill {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// technical, leadership, …
    async fn group(&self) -> &str {
        &self.0.skill_group
    }
    /// What levels 1 to 5 mean, in order.
    async fn levels(&self) -> Vec<String> {
        self.0
            .levels
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
    /// Retired skills keep their assessments and leave every gap list.
    async fn retired_at(&self) -> Option<DateTime<Utc>> {
        self.0.retired_at
    }
}

async fn skill_of(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<Skill> {
    loaders(ctx)
        .skill
        .load_one(id)
        .await?
        .map(Skill)
        .ok_or_else(|| internal(&"a row without its skill"))
}

/// A skill a job profile expects, and at which level.
pub struct ExpectedSkill {
    pub skill_id: uuid::Uuid,
    pub expected_level: i32,
}

#[Object]
impl ExpectedSkill {
    async fn skill(&self, ctx: &Context<'_>) -> GqlResult<Skill> {
        skill_of(ctx, self.skill_id).await
    }
    /// 1–5.
    async fn expected_level(&self) -> i32 {
        self.expected_level
    }
}

/// A named profile: the level of each skill a job expects.
pub struct JobProfile(pub job_profile::Model);

#[Object]
impl JobProfile {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn skills(&self, ctx: &Context<'_>) -> GqlResult<Vec<ExpectedSkill>> {
        let rows = loaders(ctx).profile_skills.load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|r| ExpectedSkill {
                skill_id: r.skill_id,
                expected_level: r.expected_level,
            })
            .collect())
    }
}

/// One assessment of someone's level in a skill.
pub struct SkillAssessment(pub skill_assessment::Model);

#[Object]
impl SkillAssessment {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn skill(&self, ctx: &Context<'_>) -> GqlResult<Skill> {
        skill_of(ctx, self.0.skill_id).await
    }
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.employee_id)
            .await?
            .map(Employee))
    }
    async fn kind(&self) -> AssessmentKind {
        self.0.kind.into()
    }
    /// 1–5.
    async fn level(&self) -> i32 {
        self.0.level
    }
    async fn note(&self) -> &str {
        &self.0.note
    }
    async fn assessed_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.assessed_by)
            .await?
            .map(Employee))
    }
    async fn assessed_at(&self) -> DateTime<Utc> {
        self.0.assessed_at
    }
}

mirror_enum!(
    /// Where a gap's expected level comes from.
    GapSource {
        /// The employee's job profile.
        Profile,
        /// A running (agreed, not yet confirmed) stretch assignment that asks more.
        StretchAssignment,
    }
);

/// One person's standing in one skill expected of them: a cell of the heat map.
pub struct SkillGap(pub skill_gap::Model);

#[Object]
impl SkillGap {
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.employee_id)
            .await?
            .map(Employee))
    }
    async fn skill(&self, ctx: &Context<'_>) -> GqlResult<Skill> {
        skill_of(ctx, self.0.skill_id).await
    }
    /// What is expected, 1–5: the job profile's level, or a running stretch assignment's
    /// where it asks more.
    async fn expected_level(&self) -> i32 {
        self.0.expected
    }
    /// Where the expected level comes from.
    async fn source(&self) -> GapSource {
        self.0.source.into()
    }
    /// The latest manager assessment.
    async fn manager_level(&self) -> Option<i32> {
        self.0.manager_level
    }
    /// The latest self assessment: shown beside, never used for the gap.
    async fn self_level(&self) -> Option<i32> {
        self.0.self_level
    }
    /// expected − manager level (negative: above what is expected); null while unassessed.
    async fn gap(&self) -> Option<i32> {
        self.0.gap
    }
    /// No manager has assessed it yet (which is not a gap of zero).
    async fn unassessed(&self) -> bool {
        self.0.gap.is_none()
    }
}
