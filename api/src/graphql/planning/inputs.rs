//! Input types of planning: typed at the edge, turned into domain inputs here, checked in
//! `domain`.

use super::types::{Direction, GoalHealth, GoalLevel, GoalOutcome, GoalStatus};
use crate::graphql::enums::Visibility;
use crate::graphql::errors::GqlResult;
use crate::graphql::{parse_id, parse_opt_id};
use async_graphql::{ID, InputObject, MaybeUndefined};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A measurable key result.
#[derive(InputObject)]
pub struct KeyResultInput {
    /// In `updateGoal`: the key result to change in place (its id stays); omitted for a new
    /// one. Key results of the goal that the list leaves out are removed.
    pub id: Option<ID>,
    /// What is measured, e.g. "Weekly active users".
    pub metric: String,
    /// e.g. "users", "%", "EUR".
    pub unit: String,
    pub direction: Direction,
    pub start_value: Decimal,
    pub target_value: Decimal,
    /// Defaults to the start value.
    pub current_value: Option<Decimal>,
    /// Relative weight within the goal, 0–100 (default 1).
    pub weight: Option<i32>,
}

impl KeyResultInput {
    /// The domain's form, with its id parsed; `at` is its place in `keyResults`.
    fn into_domain(self, at: usize) -> GqlResult<domain::goals::KeyResultInput> {
        let i = self;
        Ok(domain::goals::KeyResultInput {
            id: parse_opt_id(&format!("keyResults[{at}].id"), i.id.as_ref())?,
            metric: i.metric,
            unit: i.unit,
            direction: i.direction.into(),
            start: i.start_value,
            target: i.target_value,
            current: i.current_value,
            weight: i.weight,
        })
    }
}

fn key_results_into_domain(
    krs: Vec<KeyResultInput>,
) -> GqlResult<Vec<domain::goals::KeyResultInput>> {
    krs.into_iter()
        .enumerate()
        .map(|(at, kr)| kr.into_domain(at))
        .collect()
}

/// A new goal; it starts as a DRAFT.
#[derive(InputObject)]
pub struct CreateGoalInput {
    pub cycle_id: ID,
    /// Defaults to the viewer; managers and HR may create goals for others.
    pub owner_id: Option<ID>,
    /// The goal this one contributes to (same cycle, visible to the owner).
    pub parent_id: Option<ID>,
    /// The goal this one follows up, raising expectations (apart from `parentId`): the
    /// owner's goal that was ACHIEVED, or is AGREED with a key result past its target, in
    /// this cycle or an earlier one.
    pub follows_goal_id: Option<ID>,
    #[graphql(default_with = "GoalLevel::Individual")]
    pub level: GoalLevel,
    /// Defaults to PUBLIC for company and team goals; individual goals are PRIVATE.
    pub visibility: Option<Visibility>,
    pub title: String,
    pub description: Option<String>,
    /// 1–100.
    pub weight: i32,
    pub due_on: NaiveDate,
    pub key_results: Vec<KeyResultInput>,
}

impl CreateGoalInput {
    /// The domain's form, with ids parsed.
    pub fn into_domain(self) -> GqlResult<domain::goals::GoalInput> {
        Ok(domain::goals::GoalInput {
            cycle_id: parse_id("cycleId", &self.cycle_id)?,
            owner_id: parse_opt_id("ownerId", self.owner_id.as_ref())?,
            parent_id: parse_opt_id("parentId", self.parent_id.as_ref())?,
            follows_goal_id: parse_opt_id("followsGoalId", self.follows_goal_id.as_ref())?,
            level: self.level.into(),
            visibility: self.visibility.map(Into::into),
            title: self.title,
            description: self.description,
            weight: self.weight,
            due_on: self.due_on,
            key_results: key_results_into_domain(self.key_results)?,
        })
    }
}

/// Changes to a goal that is not yet agreed; omitted fields keep their value.
#[derive(InputObject)]
pub struct UpdateGoalInput {
    /// The goal to change.
    pub id: ID,
    pub title: Option<String>,
    pub description: Option<String>,
    pub weight: Option<i32>,
    pub due_on: Option<NaiveDate>,
    /// `null` detaches the goal from its parent.
    pub parent_id: MaybeUndefined<ID>,
    pub visibility: Option<Visibility>,
    /// The goal's key results, in order: an entry with an `id` changes that key result in
    /// place (its id stays), one without adds a key result, and the goal's key results left
    /// out are removed.
    pub key_results: Option<Vec<KeyResultInput>>,
}

impl UpdateGoalInput {
    /// The domain's form, with ids parsed.
    pub fn into_domain(self) -> GqlResult<domain::goals::GoalPatch> {
        let parent_id = match self.parent_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(p) => Some(Some(parse_id("parentId", &p)?)),
        };
        Ok(domain::goals::GoalPatch {
            title: self.title,
            description: self.description,
            weight: self.weight,
            due_on: self.due_on,
            parent_id,
            visibility: self.visibility.map(Into::into),
            key_results: self.key_results.map(key_results_into_domain).transpose()?,
        })
    }
}

/// The goal a step of its workflow acts on.
#[derive(InputObject)]
pub struct ProposeGoalInput {
    pub id: ID,
}

/// The goal a manager or HR agrees.
#[derive(InputObject)]
pub struct AgreeGoalInput {
    pub id: ID,
}

/// The goal its owner accepts.
#[derive(InputObject)]
pub struct AcceptGoalInput {
    pub id: ID,
}

/// The draft its owner deletes.
#[derive(InputObject)]
pub struct DeleteGoalInput {
    pub id: ID,
}

/// A proposed goal sent back to DRAFT.
#[derive(InputObject)]
pub struct ReturnGoalInput {
    pub id: ID,
    /// Why, 1–2000 characters: whoever proposed it receives it by e-mail.
    pub reason: String,
}

/// How a goal ends.
#[derive(InputObject)]
pub struct CloseGoalInput {
    pub id: ID,
    pub outcome: GoalOutcome,
}

/// Where a key result stands now.
#[derive(InputObject)]
pub struct UpdateKeyResultValueInput {
    pub key_result_id: ID,
    pub value: Decimal,
}

/// A key result's new target after agreement.
#[derive(InputObject)]
pub struct ReviseTargetInput {
    pub key_result_id: ID,
    pub new_target: Decimal,
    /// Why, 1–2000 characters: the goal's history keeps it and its owner receives it.
    pub reason: String,
}

/// One milestone of a plan, in `setMilestones`.
#[derive(InputObject)]
pub struct MilestoneInput {
    /// The milestone to change in place (it stays done if it was); omitted for a new one.
    pub id: Option<ID>,
    /// What will be done, 1–200 characters.
    pub title: String,
    /// Between the cycle's first day and the goal's due date.
    pub due_on: NaiveDate,
}

/// A goal's whole action plan, in order; milestones of the goal left out are removed.
#[derive(InputObject)]
pub struct SetMilestonesInput {
    pub goal_id: ID,
    /// At most 20.
    pub milestones: Vec<MilestoneInput>,
}

impl SetMilestonesInput {
    /// The domain's form, with ids parsed.
    pub fn into_domain(self) -> GqlResult<(uuid::Uuid, Vec<domain::goals::MilestoneInput>)> {
        let goal = parse_id("goalId", &self.goal_id)?;
        let plan = self
            .milestones
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                Ok(domain::goals::MilestoneInput {
                    id: parse_opt_id(&format!("milestones[{i}].id"), m.id.as_ref())?,
                    title: m.title,
                    due_on: m.due_on,
                })
            })
            .collect::<GqlResult<Vec<_>>>()?;
        Ok((goal, plan))
    }
}

/// A milestone ticked off, or back on.
#[derive(InputObject)]
pub struct CompleteMilestoneInput {
    pub id: ID,
    /// `false` marks it not done again.
    #[graphql(default = true)]
    pub done: bool,
}

/// Filters for `goals`.
#[derive(InputObject, Default)]
pub struct GoalFilter {
    pub owner_id: Option<ID>,
    pub cycle_id: Option<ID>,
    pub status: Option<Vec<GoalStatus>>,
    /// Only these levels (one level is accepted as well as a list).
    pub level: Option<Vec<GoalLevel>>,
    /// Only goals of people at or below this employee (them included).
    pub subtree_of: Option<ID>,
    /// Only goals of people in this department or its sub-departments.
    pub department_id: Option<ID>,
    /// Only agreed goals of these healths (see `Goal.health`).
    pub health: Option<Vec<GoalHealth>>,
    /// Only goals whose title contains this text, ignoring case (at most 200 characters).
    pub search: Option<String>,
}

impl GoalFilter {
    /// The domain's form, with ids parsed.
    pub fn into_domain(self) -> GqlResult<domain::goals::GoalFilter> {
        Ok(domain::goals::GoalFilter {
            owner_id: parse_opt_id("filter.ownerId", self.owner_id.as_ref())?,
            cycle_id: parse_opt_id("filter.cycleId", self.cycle_id.as_ref())?,
            statuses: self
                .status
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            levels: self
                .level
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            subtree_of: parse_opt_id("filter.subtreeOf", self.subtree_of.as_ref())?,
            department_id: parse_opt_id("filter.departmentId", self.department_id.as_ref())?,
            health: self
                .health
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            search: self.search,
        })
    }
}
