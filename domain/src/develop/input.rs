//! Development items as clients write them, checked before a transaction opens: each kind
//! takes its own fields and refuses the others'.

use crate::error::{DomainError, DomainResult};
use crate::values::{Cadence, ItemKind, optional_text, required_text};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

/// Longest free text of an item, in characters.
pub(super) const MAX_TEXT: usize = 5000;

/// A new item.
#[derive(Debug, Clone)]
pub struct ItemInput {
    pub kind: ItemKind,
    pub title: String,
    pub description: String,
    /// Training: who gives it.
    pub provider: String,
    /// Training: where it is (http or https).
    pub link: String,
    /// Training: how long, in hours.
    pub hours: Option<Decimal>,
    /// When it is due (a check date's day).
    pub due_on: Option<NaiveDate>,
    /// Stretch assignment or mentoring: who mentors.
    pub mentor_id: Option<Uuid>,
    /// Mentoring: how often they meet.
    pub cadence: Option<Cadence>,
    /// Stretch assignment: the goal it serves.
    pub goal_id: Option<Uuid>,
    /// Stretch assignment: each skill once with the level it asks for.
    pub required_skills: Vec<(Uuid, i32)>,
    /// Career conversation: where the employee wants to go.
    pub aspirations: String,
}

/// Changes to an item its proposer makes before it is agreed; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ItemPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub provider: Option<String>,
    pub link: Option<String>,
    pub hours: Option<Option<Decimal>>,
    pub due_on: Option<Option<NaiveDate>>,
    pub mentor_id: Option<Option<Uuid>>,
    pub cadence: Option<Option<Cadence>>,
    pub goal_id: Option<Option<Uuid>>,
    pub required_skills: Option<Vec<(Uuid, i32)>>,
    pub aspirations: Option<String>,
}

impl ItemInput {
    /// The input with `patch` applied.
    pub(super) fn patched(mut self, patch: ItemPatch) -> Self {
        if let Some(v) = patch.title {
            self.title = v;
        }
        if let Some(v) = patch.description {
            self.description = v;
        }
        if let Some(v) = patch.provider {
            self.provider = v;
        }
        if let Some(v) = patch.link {
            self.link = v;
        }
        if let Some(v) = patch.hours {
            self.hours = v;
        }
        if let Some(v) = patch.due_on {
            self.due_on = v;
        }
        if let Some(v) = patch.mentor_id {
            self.mentor_id = v;
        }
        if let Some(v) = patch.cadence {
            self.cadence = v;
        }
        if let Some(v) = patch.goal_id {
            self.goal_id = v;
        }
        if let Some(v) = patch.required_skills {
            self.required_skills = v;
        }
        if let Some(v) = patch.aspirations {
            self.aspirations = v;
        }
        self
    }
}

/// The checked fields of an [`ItemInput`] (references to other rows are checked against
/// the database by the use-case).
#[derive(Debug, Clone)]
pub(super) struct NewItem {
    pub kind: ItemKind,
    pub title: String,
    pub description: String,
    pub provider: String,
    pub link: String,
    pub hours: Option<Decimal>,
    pub due_on: Option<NaiveDate>,
    pub mentor_id: Option<Uuid>,
    pub cadence: Option<Cadence>,
    pub goal_id: Option<Uuid>,
    pub required_skills: Vec<(Uuid, i32)>,
    pub aspirations: String,
}

/// Refuses a field this kind of item does not have.
fn only_for(field: &str, set: bool, kind: ItemKind, allowed: &[ItemKind]) -> DomainResult<()> {
    if set && !allowed.contains(&kind) {
        return Err(DomainError::bad(
            field,
            format!(
                "{field} belongs to {}, not to a {kind} item",
                allowed
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ));
    }
    Ok(())
}

/// Refuses a missing field this kind of item needs.
fn needed(field: &str, set: bool, kind: ItemKind) -> DomainResult<()> {
    if set {
        Ok(())
    } else {
        Err(DomainError::bad(
            field,
            format!("a {kind} item needs {field}"),
        ))
    }
}

impl TryFrom<&ItemInput> for NewItem {
    type Error = DomainError;
    fn try_from(input: &ItemInput) -> DomainResult<Self> {
        use ItemKind::*;
        let kind = input.kind;
        let title = required_text("title", &input.title, 200)?;
        let description = optional_text("description", &input.description, MAX_TEXT)?;
        let provider = optional_text("provider", &input.provider, 200)?;
        let link = optional_text("link", &input.link, 2000)?;
        let aspirations = optional_text("aspirations", &input.aspirations, MAX_TEXT)?;
        only_for("provider", !provider.is_empty(), kind, &[Training])?;
        only_for("link", !link.is_empty(), kind, &[Training])?;
        only_for("hours", input.hours.is_some(), kind, &[Training])?;
        only_for(
            "mentorId",
            input.mentor_id.is_some(),
            kind,
            &[StretchAssignment, Mentoring],
        )?;
        only_for("cadence", input.cadence.is_some(), kind, &[Mentoring])?;
        only_for(
            "goalId",
            input.goal_id.is_some(),
            kind,
            &[StretchAssignment],
        )?;
        only_for(
            "requiredSkills",
            !input.required_skills.is_empty(),
            kind,
            &[StretchAssignment],
        )?;
        only_for(
            "aspirations",
            !aspirations.is_empty(),
            kind,
            &[CareerConversation],
        )?;
        match kind {
            StretchAssignment => {
                needed("description", !description.is_empty(), kind)?;
                needed("requiredSkills", !input.required_skills.is_empty(), kind)?;
            }
            Mentoring => {
                needed("mentorId", input.mentor_id.is_some(), kind)?;
                needed("cadence", input.cadence.is_some(), kind)?;
            }
            Check => needed("dueOn", input.due_on.is_some(), kind)?,
            Training | CareerConversation => {}
        }
        if !(link.is_empty() || link.starts_with("https://") || link.starts_with("http://")) {
            return Err(DomainError::bad(
                "link",
                "a link is an http:// or https:// address",
            ));
        }
        if let Some(h) = input.hours
            && (h <= Decimal::ZERO || h > Decimal::from(1000) || h.scale() > 2)
        {
            return Err(DomainError::bad(
                "hours",
                "hours are more than 0 and at most 1000, with at most two decimals",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, (skill, level)) in input.required_skills.iter().enumerate() {
            if !seen.insert(*skill) {
                return Err(DomainError::bad(
                    format!("requiredSkills[{i}].skillId"),
                    "this skill appears twice",
                ));
            }
            if !super::skills::LEVELS.contains(level) {
                return Err(DomainError::bad(
                    format!("requiredSkills[{i}].targetLevel"),
                    "a target level is between 1 and 5",
                ));
            }
        }
        Ok(Self {
            kind,
            title,
            description,
            provider,
            link,
            hours: input.hours.map(|h| h.normalize()),
            due_on: input.due_on,
            mentor_id: input.mentor_id,
            cadence: input.cadence,
            goal_id: input.goal_id,
            required_skills: input.required_skills.clone(),
            aspirations,
        })
    }
}
