//! Input types of developing.

use super::types::AssessmentKind;
use crate::graphql::errors::GqlResult;
use crate::graphql::{parse_id, parse_opt_id};
use async_graphql::{ID, InputObject};

/// A new skill of the catalogue.
#[derive(InputObject)]
pub struct CreateSkillInput {
    /// Unique, 1–120 characters.
    pub name: String,
    #[graphql(default)]
    pub description: String,
    /// technical, leadership, …
    pub group: String,
    /// Exactly five texts: what levels 1 to 5 mean.
    pub levels: Vec<String>,
}

/// A skill to retire.
#[derive(InputObject)]
pub struct RetireSkillInput {
    pub id: ID,
}

/// A skill a job profile expects.
#[derive(InputObject)]
pub struct ExpectedSkillInput {
    pub skill_id: ID,
    /// 1–5.
    pub expected_level: i32,
}

/// A job profile, created (no `id`) or replaced whole.
#[derive(InputObject)]
pub struct SetJobProfileInput {
    pub id: Option<ID>,
    /// Unique, 1–120 characters.
    pub name: String,
    #[graphql(default)]
    pub description: String,
    pub skills: Vec<ExpectedSkillInput>,
}

impl SetJobProfileInput {
    /// The domain's form, with ids parsed.
    pub fn into_domain(self) -> GqlResult<domain::skills::ProfileInput> {
        let skills = self
            .skills
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Ok((
                    parse_id(&format!("skills[{i}].skillId"), &s.skill_id)?,
                    s.expected_level,
                ))
            })
            .collect::<GqlResult<Vec<_>>>()?;
        Ok(domain::skills::ProfileInput {
            id: parse_opt_id("id", self.id.as_ref())?,
            name: self.name,
            description: self.description,
            skills,
        })
    }
}

/// An assessment of someone's level in a skill.
#[derive(InputObject)]
pub struct AssessSkillInput {
    pub employee_id: ID,
    pub skill_id: ID,
    /// SELF (the employee) or MANAGER (one of their managers, or HR).
    pub kind: AssessmentKind,
    /// 1–5.
    pub level: i32,
    #[graphql(default)]
    pub note: String,
}
