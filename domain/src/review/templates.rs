//! Review templates (HR): a rating scale with a label per point, and questions in sections,
//! each answered by some kinds of review. A template never changes once written, so every
//! round that uses it keeps its meaning; HR writes a new one instead.

use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::permissions::require_hr;
use crate::values::{QuestionKind, ReviewKind, optional_text, required_text};
use crate::{Ctx, Viewer};
use entity::{review_template, skill};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// Points on a scale, at least and at most.
pub const SCALE_POINTS: std::ops::RangeInclusive<usize> = 3..=10;
/// Questions in a template, at most.
pub const MAX_QUESTIONS: usize = 50;
/// Competency levels (the skill catalogue's).
pub const LEVELS: std::ops::RangeInclusive<i32> = 1..=5;

/// A question as HR writes it.
#[derive(Debug, Clone)]
pub struct QuestionInput {
    pub section: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub required: bool,
    /// Which kinds of review answer it.
    pub kinds: Vec<ReviewKind>,
    /// The skill a COMPETENCY question rates.
    pub skill_id: Option<Uuid>,
}

/// A template as HR writes it.
#[derive(Debug, Clone)]
pub struct TemplateInput {
    pub name: String,
    /// One label per point, lowest first (3 to 10 points).
    pub scale_labels: Vec<String>,
    pub questions: Vec<QuestionInput>,
}

/// A stored question; `key` names it in answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub key: String,
    pub section: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub required: bool,
    pub kinds: Vec<ReviewKind>,
    pub skill_id: Option<Uuid>,
}

impl Question {
    /// Whether a review of `kind` answers it.
    pub fn asked_of(&self, kind: ReviewKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// A template read back: its scale and questions.
#[derive(Debug, Clone)]
pub struct Template {
    pub row: review_template::Model,
    pub scale_labels: Vec<String>,
    pub questions: Vec<Question>,
}

impl Template {
    /// Reads a stored template.
    pub fn of(row: review_template::Model) -> DomainResult<Self> {
        let broken = |e: serde_json::Error| {
            DomainError::Internal(format!("review template {} is unreadable: {e}", row.id))
        };
        let scale_labels = serde_json::from_value(row.scale_labels.clone()).map_err(broken)?;
        let questions = serde_json::from_value(row.questions.clone()).map_err(broken)?;
        Ok(Self {
            row,
            scale_labels,
            questions,
        })
    }

    /// The highest point of the scale.
    pub fn scale_max(&self) -> i32 {
        self.row.scale_max
    }

    /// The question named `key`.
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }
}

fn check_question(i: usize, q: &QuestionInput) -> DomainResult<Question> {
    let at = |field: &str| format!("questions[{i}].{field}");
    let prompt = required_text(&at("prompt"), &q.prompt, 500)?;
    let section = optional_text(&at("section"), &q.section, 120)?;
    if q.kinds.is_empty() {
        return Err(DomainError::bad(
            at("kinds"),
            "name the kinds of review that answer this question",
        ));
    }
    let mut kinds = Vec::new();
    for k in &q.kinds {
        if kinds.contains(k) {
            return Err(DomainError::bad(at("kinds"), format!("{k} is named twice")));
        }
        kinds.push(*k);
    }
    match (q.kind, q.skill_id) {
        (QuestionKind::Competency, None) => {
            return Err(DomainError::bad(
                at("skillId"),
                "a competency question names the skill it rates",
            ));
        }
        (QuestionKind::Rating | QuestionKind::Text, Some(_)) => {
            return Err(DomainError::bad(
                at("skillId"),
                "only a competency question names a skill",
            ));
        }
        _ => {}
    }
    Ok(Question {
        key: format!("q{}", i + 1),
        section,
        kind: q.kind,
        prompt,
        required: q.required,
        kinds,
        skill_id: q.skill_id,
    })
}

/// HR writes a template.
pub async fn create(
    ctx: &Ctx,
    viewer: &Viewer,
    input: TemplateInput,
) -> DomainResult<review_template::Model> {
    require_hr(viewer, "write review templates")?;
    let name = required_text("name", &input.name, 120)?;
    if !SCALE_POINTS.contains(&input.scale_labels.len()) {
        return Err(DomainError::bad(
            "scaleLabels",
            format!(
                "a scale has {} to {} points, one label each",
                SCALE_POINTS.start(),
                SCALE_POINTS.end()
            ),
        ));
    }
    let labels = input
        .scale_labels
        .iter()
        .enumerate()
        .map(|(i, l)| required_text(&format!("scaleLabels[{i}]"), l, 60))
        .collect::<DomainResult<Vec<_>>>()?;
    if input.questions.is_empty() || input.questions.len() > MAX_QUESTIONS {
        return Err(DomainError::bad(
            "questions",
            format!("a template has 1 to {MAX_QUESTIONS} questions"),
        ));
    }
    let questions = input
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| check_question(i, q))
        .collect::<DomainResult<Vec<_>>>()?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let mut seen = HashSet::new();
    for (i, q) in questions.iter().enumerate() {
        let Some(id) = q.skill_id else { continue };
        let known = skill::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .is_some_and(|s| s.retired_at.is_none());
        if !known {
            return Err(DomainError::bad(
                format!("questions[{i}].skillId"),
                "no such skill in the catalogue",
            ));
        }
        if !seen.insert((id, q.kinds.clone())) {
            return Err(DomainError::bad(
                format!("questions[{i}].skillId"),
                "this skill is already rated by the same kinds of review",
            ));
        }
    }
    let to_json = |v: serde_json::Result<serde_json::Value>| {
        v.map_err(|e| DomainError::Internal(format!("review template: {e}")))
    };
    let row = review_template::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name),
        scale_max: Set(labels.len() as i32),
        scale_labels: Set(to_json(serde_json::to_value(&labels))?),
        questions: Set(to_json(serde_json::to_value(&questions))?),
        created_by: Set(viewer.id()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "review_template.create",
            entity: "review_template",
            entity_id: row.id,
            before: None,
            after: Some(serde_json::json!({ "name": row.name, "scaleLabels": labels, "questions": row.questions })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Every template, newest first (anyone signed in: reviewers read the questions).
pub async fn list(ctx: &Ctx) -> DomainResult<Vec<review_template::Model>> {
    Ok(review_template::Entity::find()
        .order_by_desc(review_template::Column::CreatedAt)
        .order_by_asc(review_template::Column::Id)
        .all(&ctx.db)
        .await?)
}

/// Templates by id, read, for batch loading.
pub async fn by_ids(
    db: &impl sea_orm::ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<std::collections::HashMap<Uuid, Template>> {
    crate::query::by_ids::<review_template::Entity>(db, review_template::Column::Id, ids)
        .await?
        .into_iter()
        .map(|(id, row)| Ok((id, Template::of(row)?)))
        .collect()
}

/// One template, read.
pub async fn get(db: &impl sea_orm::ConnectionTrait, id: Uuid) -> DomainResult<Template> {
    Template::of(crate::query::find::<review_template::Entity>(db, id, "review template").await?)
}
