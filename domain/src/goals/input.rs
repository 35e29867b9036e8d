//! What clients send about goals, and its validation: everything that needs no database is
//! checked here, before a transaction opens; error fields are the GraphQL input names.

use crate::error::{DomainError, DomainResult};
use crate::values::{
    Direction, GoalHealth, GoalLevel, GoalStatus, Title, Visibility, Weight, optional_text,
    required_text,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

/// Most key results one goal may have.
pub const MAX_KEY_RESULTS: usize = 20;
/// Largest magnitude of a key-result value.
const MAX_VALUE: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0); // 10^15
/// Most decimal places a key-result value may have.
pub const MAX_SCALE: u32 = 6;
/// Longest description, in characters.
const MAX_DESCRIPTION: usize = 5000;

/// A key result as the client sends it.
#[derive(Debug, Clone)]
pub struct KeyResultInput {
    /// When editing a goal: the key result changed in place.
    pub id: Option<Uuid>,
    /// What is measured, e.g. "Weekly active users".
    pub metric: String,
    /// Its unit, e.g. "users" or "%".
    pub unit: String,
    /// Whether up or down is better.
    pub direction: Direction,
    /// Where it starts.
    pub start: Decimal,
    /// Where it should end.
    pub target: Decimal,
    /// Where it is now (defaults to `start`).
    pub current: Option<Decimal>,
    /// Relative weight within the goal (defaults to 1).
    pub weight: Option<i32>,
}

/// A new goal as the client sends it.
#[derive(Debug, Clone)]
pub struct GoalInput {
    /// The cycle it belongs to.
    pub cycle_id: Uuid,
    /// Whose goal it is (defaults to the viewer).
    pub owner_id: Option<Uuid>,
    /// The goal it contributes to.
    pub parent_id: Option<Uuid>,
    /// The goal this one follows up: an achieved goal, or an agreed one past its target
    /// (a raised expectation).
    pub follows_goal_id: Option<Uuid>,
    /// Company, team or individual.
    pub level: GoalLevel,
    /// Defaults to public for company and team goals, private for individual ones.
    pub visibility: Option<Visibility>,
    /// Specific: what will be achieved.
    pub title: String,
    /// Context and definition of done.
    pub description: Option<String>,
    /// Share of the owner's goals in the cycle, 1–100.
    pub weight: i32,
    /// Timely: inside the cycle, not in the past.
    pub due_on: NaiveDate,
    /// Measurable: at least one.
    pub key_results: Vec<KeyResultInput>,
}

/// Changes to a goal that is not yet agreed; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct GoalPatch {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New weight.
    pub weight: Option<i32>,
    /// New due date.
    pub due_on: Option<NaiveDate>,
    /// `Some(None)` detaches the goal from its parent.
    pub parent_id: Option<Option<Uuid>>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// Replaces every key result.
    pub key_results: Option<Vec<KeyResultInput>>,
}

/// Filters for the goal list.
#[derive(Debug, Clone, Default)]
pub struct GoalFilter {
    /// Only this owner's goals.
    pub owner_id: Option<Uuid>,
    /// Only this cycle.
    pub cycle_id: Option<Uuid>,
    /// Only these statuses.
    pub statuses: Vec<GoalStatus>,
    /// Only these levels.
    pub levels: Vec<GoalLevel>,
    /// Only goals of people at or below this employee (them included).
    pub subtree_of: Option<Uuid>,
    /// Only goals of people in this department or its sub-departments.
    pub department_id: Option<Uuid>,
    /// Only agreed goals of these healths.
    pub health: Vec<GoalHealth>,
    /// Only goals whose title contains this text, ignoring case.
    pub search: Option<String>,
}

/// How an agreed goal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Reached.
    Achieved,
    /// Not reached.
    Missed,
    /// Abandoned.
    Dropped,
}

/// A key result that passed every check.
pub(super) struct ValidKeyResult {
    pub id: Option<Uuid>,
    pub metric: String,
    pub unit: String,
    pub direction: Direction,
    pub start: Decimal,
    pub target: Decimal,
    pub current: Decimal,
    pub weight: i32,
}

/// A new goal that passed every check that needs no database.
pub(super) struct NewGoal {
    pub title: Title,
    pub description: String,
    pub weight: Weight,
    pub visibility: Visibility,
    pub key_results: Vec<ValidKeyResult>,
}

impl TryFrom<&GoalInput> for NewGoal {
    type Error = DomainError;
    fn try_from(input: &GoalInput) -> DomainResult<Self> {
        Ok(Self {
            title: Title::try_from(input.title.as_str())?,
            description: description(input.description.as_deref().unwrap_or(""))?,
            weight: Weight::try_from(input.weight)?,
            visibility: visibility_for(input.level, input.visibility)?,
            key_results: validate_key_results(&input.key_results)?,
        })
        .and_then(|new: Self| {
            match new.key_results.iter().position(|kr| kr.id.is_some()) {
                Some(i) => Err(DomainError::bad(
                    format!("keyResults[{i}].id"),
                    "a new goal's key results are new: leave their ids out",
                )),
                None => Ok(new),
            }
        })
    }
}

/// The checked fields of a [`GoalPatch`].
#[derive(Default)]
pub(super) struct ValidPatch {
    pub title: Option<Title>,
    pub description: Option<String>,
    pub weight: Option<Weight>,
    pub key_results: Option<Vec<ValidKeyResult>>,
}

impl TryFrom<&GoalPatch> for ValidPatch {
    type Error = DomainError;
    fn try_from(patch: &GoalPatch) -> DomainResult<Self> {
        Ok(Self {
            title: patch.title.as_deref().map(Title::try_from).transpose()?,
            description: patch.description.as_deref().map(description).transpose()?,
            weight: patch.weight.map(Weight::try_from).transpose()?,
            key_results: patch
                .key_results
                .as_deref()
                .map(validate_key_results)
                .transpose()?,
        })
    }
}

fn description(text: &str) -> DomainResult<String> {
    optional_text("description", text, MAX_DESCRIPTION)
}

/// Checks a key-result value's size and precision.
pub fn check_value(field: &str, value: Decimal) -> DomainResult<()> {
    if value.abs() > MAX_VALUE {
        return Err(DomainError::bad(
            field,
            format!("{field} must be within ±10^15"),
        ));
    }
    if value.normalize().scale() > MAX_SCALE {
        return Err(DomainError::bad(
            field,
            format!("{field} may have at most {MAX_SCALE} decimal places"),
        ));
    }
    Ok(())
}

fn validate_key_results(inputs: &[KeyResultInput]) -> DomainResult<Vec<ValidKeyResult>> {
    if inputs.is_empty() {
        return Err(DomainError::bad(
            "keyResults",
            "a goal needs at least one measurable key result",
        ));
    }
    if inputs.len() > MAX_KEY_RESULTS {
        return Err(DomainError::bad(
            "keyResults",
            format!("a goal may have at most {MAX_KEY_RESULTS} key results"),
        ));
    }
    let krs = inputs
        .iter()
        .enumerate()
        .map(|(i, kr)| validate_key_result(kr).map_err(|e| e.within(&format!("keyResults[{i}]"))))
        .collect::<DomainResult<Vec<_>>>()?;
    let mut ids = std::collections::HashSet::new();
    for (i, kr) in krs.iter().enumerate() {
        if let Some(id) = kr.id
            && !ids.insert(id)
        {
            return Err(DomainError::bad(
                format!("keyResults[{i}].id"),
                "this key result appears twice",
            ));
        }
    }
    if krs.iter().all(|k| k.weight == 0) {
        return Err(DomainError::bad(
            "keyResults",
            "at least one key result must have a weight above 0",
        ));
    }
    Ok(krs)
}

/// One key result; error fields are relative to it (`targetValue`, not `keyResults[0]…`).
fn validate_key_result(kr: &KeyResultInput) -> DomainResult<ValidKeyResult> {
    let metric = required_text("metric", &kr.metric, 200)?;
    let unit = required_text("unit", &kr.unit, 40)?;
    check_value("startValue", kr.start)?;
    check_value("targetValue", kr.target)?;
    let current = kr.current.unwrap_or(kr.start);
    check_value("currentValue", current)?;
    if kr.start == kr.target {
        return Err(DomainError::bad(
            "targetValue",
            "the target must differ from the start value",
        ));
    }
    check_direction("targetValue", kr.direction, kr.start, kr.target)?;
    let weight = kr.weight.unwrap_or(1);
    if !(0..=100).contains(&weight) {
        return Err(DomainError::bad(
            "weight",
            "key-result weight must be 0–100",
        ));
    }
    Ok(ValidKeyResult {
        id: kr.id,
        metric,
        unit,
        direction: kr.direction,
        start: kr.start,
        target: kr.target,
        current,
        weight,
    })
}

/// An INCREASE key result's target lies above its start, a DECREASE one's below.
pub(super) fn check_direction(
    field: &str,
    direction: Direction,
    start: Decimal,
    target: Decimal,
) -> DomainResult<()> {
    match direction {
        Direction::Increase if target <= start => Err(DomainError::bad(
            field,
            "an INCREASE key result needs a target above its start value",
        )),
        Direction::Decrease if target >= start => Err(DomainError::bad(
            field,
            "a DECREASE key result needs a target below its start value",
        )),
        _ => Ok(()),
    }
}

/// Individual goals are private; company and team goals default to public.
pub(super) fn visibility_for(
    level: GoalLevel,
    requested: Option<Visibility>,
) -> DomainResult<Visibility> {
    match (level, requested) {
        (GoalLevel::Individual, Some(Visibility::Public)) => Err(DomainError::bad(
            "visibility",
            "individual goals are private to the owner, their managers and HR",
        )),
        (GoalLevel::Individual, _) => Ok(Visibility::Private),
        (_, Some(v)) => Ok(v),
        (_, None) => Ok(Visibility::Public),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kr(start: i64, target: i64) -> KeyResultInput {
        KeyResultInput {
            id: None,
            metric: "Users".into(),
            unit: "users".into(),
            direction: Direction::Increase,
            start: start.into(),
            target: target.into(),
            current: None,
            weight: None,
        }
    }

    fn field_of(r: DomainResult<Vec<ValidKeyResult>>) -> String {
        match r {
            Err(DomainError::BadInput { field, .. }) => field,
            _ => String::new(),
        }
    }

    #[test]
    fn key_result_errors_name_the_graphql_input_field() {
        assert_eq!(
            field_of(validate_key_results(&[kr(0, 10), kr(5, 5)])),
            "keyResults[1].targetValue"
        );
        assert_eq!(
            field_of(validate_key_results(&[kr(10, 0)])),
            "keyResults[0].targetValue"
        );
        let mut bad = kr(0, 10);
        bad.current = Some(Decimal::new(1, 9));
        assert_eq!(
            field_of(validate_key_results(&[bad])),
            "keyResults[0].currentValue"
        );
        let mut heavy = kr(0, 10);
        heavy.weight = Some(101);
        assert_eq!(
            field_of(validate_key_results(&[heavy])),
            "keyResults[0].weight"
        );
        assert_eq!(field_of(validate_key_results(&[])), "keyResults");
    }
}
