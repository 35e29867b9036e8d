//! Inputs of development and improvement plans.

use super::types::{ItemKind, PlanKind, PlanOutcome};
use crate::graphql::enums::Cadence;
use crate::graphql::errors::GqlResult;
use crate::graphql::{parse_id, parse_opt_id};
use async_graphql::{ID, InputObject, MaybeUndefined};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

/// A skill level a stretch assignment asks for.
#[derive(InputObject)]
pub struct RequiredSkillInput {
    pub skill_id: ID,
    /// 1–5.
    pub target_level: i32,
}

fn required_skills(list: &[RequiredSkillInput]) -> GqlResult<Vec<(Uuid, i32)>> {
    list.iter()
        .enumerate()
        .map(|(i, r)| {
            Ok((
                parse_id(&format!("requiredSkills[{i}].skillId"), &r.skill_id)?,
                r.target_level,
            ))
        })
        .collect()
}

/// A new item: the employee proposes one for their own development plan, a manager (or HR)
/// proposes one to a report; on an improvement plan the manager side sets it, AGREED.
/// Each kind takes its own fields and refuses the others'.
#[derive(InputObject)]
pub struct AddDevelopmentItemInput {
    pub employee_id: ID,
    pub cycle_id: ID,
    /// Which of their plans (the development plan is opened on first use; an improvement
    /// plan must be open).
    #[graphql(default_with = "PlanKind::Development")]
    pub plan: PlanKind,
    pub kind: ItemKind,
    pub title: String,
    #[graphql(default)]
    pub description: String,
    /// TRAINING.
    #[graphql(default)]
    pub provider: String,
    /// TRAINING: an http(s) address.
    #[graphql(default)]
    pub link: String,
    /// TRAINING: more than 0, at most 1000.
    pub hours: Option<Decimal>,
    /// Required for CHECK; not in the past.
    pub due_on: Option<NaiveDate>,
    /// STRETCH_ASSIGNMENT or MENTORING (required for MENTORING).
    pub mentor_id: Option<ID>,
    /// MENTORING (required).
    pub cadence: Option<Cadence>,
    /// STRETCH_ASSIGNMENT: one of the employee's goals.
    pub goal_id: Option<ID>,
    /// STRETCH_ASSIGNMENT (at least one).
    #[graphql(default)]
    pub required_skills: Vec<RequiredSkillInput>,
    /// CAREER_CONVERSATION: the employee's aspirations.
    #[graphql(default)]
    pub aspirations: String,
}

impl AddDevelopmentItemInput {
    /// Where it goes and what it is, in the domain's form.
    pub fn into_domain(
        self,
    ) -> GqlResult<(
        domain::develop::items::ItemTarget,
        domain::develop::ItemInput,
    )> {
        let target = domain::develop::items::ItemTarget {
            employee_id: parse_id("employeeId", &self.employee_id)?,
            cycle_id: parse_id("cycleId", &self.cycle_id)?,
            plan: self.plan.into(),
        };
        let input = domain::develop::ItemInput {
            kind: self.kind.into(),
            title: self.title,
            description: self.description,
            provider: self.provider,
            link: self.link,
            hours: self.hours,
            due_on: self.due_on,
            mentor_id: parse_opt_id("mentorId", self.mentor_id.as_ref())?,
            cadence: self.cadence.map(Into::into),
            goal_id: parse_opt_id("goalId", self.goal_id.as_ref())?,
            required_skills: required_skills(&self.required_skills)?,
            aspirations: self.aspirations,
        };
        Ok((target, input))
    }
}

/// Changes its proposer makes to a PROPOSED or RETURNED item (it is PROPOSED again);
/// omitted fields keep their value, null clears an optional one.
#[derive(InputObject)]
pub struct UpdateDevelopmentItemInput {
    pub item_id: ID,
    pub title: Option<String>,
    pub description: Option<String>,
    pub provider: Option<String>,
    pub link: Option<String>,
    pub hours: MaybeUndefined<Decimal>,
    pub due_on: MaybeUndefined<NaiveDate>,
    pub mentor_id: MaybeUndefined<ID>,
    pub cadence: MaybeUndefined<Cadence>,
    pub goal_id: MaybeUndefined<ID>,
    pub required_skills: Option<Vec<RequiredSkillInput>>,
    pub aspirations: Option<String>,
}

/// `MaybeUndefined` as the domain's `Option<Option<_>>`.
fn patch<T, U>(
    v: MaybeUndefined<T>,
    f: impl FnOnce(T) -> GqlResult<U>,
) -> GqlResult<Option<Option<U>>> {
    Ok(match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(x) => Some(Some(f(x)?)),
    })
}

impl UpdateDevelopmentItemInput {
    /// The item and the domain's patch.
    pub fn into_domain(self) -> GqlResult<(Uuid, domain::develop::ItemPatch)> {
        let id = parse_id("itemId", &self.item_id)?;
        let patch = domain::develop::ItemPatch {
            title: self.title,
            description: self.description,
            provider: self.provider,
            link: self.link,
            hours: patch(self.hours, Ok)?,
            due_on: patch(self.due_on, Ok)?,
            mentor_id: patch(self.mentor_id, |m| parse_id("mentorId", &m))?,
            cadence: patch(self.cadence, |c| Ok(c.into()))?,
            goal_id: patch(self.goal_id, |g| parse_id("goalId", &g))?,
            required_skills: self
                .required_skills
                .as_deref()
                .map(required_skills)
                .transpose()?,
            aspirations: self.aspirations,
        };
        Ok((id, patch))
    }
}

/// Agreeing to a proposal (the side it was made to), or confirming a completion (a manager
/// or HR); a manager may add their notes.
#[derive(InputObject)]
pub struct AnswerDevelopmentItemInput {
    pub item_id: ID,
    /// Managers and HR only (a career conversation's notes, say).
    pub manager_notes: Option<String>,
}

/// Sending an item back: a proposal to its proposer, or a completion to the employee.
#[derive(InputObject)]
pub struct ReturnDevelopmentItemInput {
    pub item_id: ID,
    pub reason: String,
}

/// The employee marks an agreed item done.
#[derive(InputObject)]
pub struct CompleteDevelopmentItemInput {
    pub item_id: ID,
    /// What shows it is done (required for TRAINING: a certificate's link, say).
    #[graphql(default)]
    pub evidence: String,
}

/// An improvement plan as a manager (or HR) opens it.
#[derive(InputObject)]
pub struct OpenImprovementPlanInput {
    pub employee_id: ID,
    pub cycle_id: ID,
    pub objectives: String,
    #[graphql(default)]
    pub support: String,
    /// 1 to 12 dates, none in the past; each becomes a CHECK item.
    pub check_dates: Vec<NaiveDate>,
}

/// An improvement plan's outcome.
#[derive(InputObject)]
pub struct RecordImprovementOutcomeInput {
    pub plan_id: ID,
    pub outcome: PlanOutcome,
    #[graphql(default)]
    pub note: String,
    /// EXTENDED only (and then required): the next check date.
    pub next_check_on: Option<NaiveDate>,
}
