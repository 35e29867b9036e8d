//! HR's export of one person's data: every row about them, every row they wrote about
//! someone else (in `writtenByThem`), the e-mails sent to them and the audit trail of their
//! record, as one JSON document. Peer and upward reviews about them come pooled per round
//! and kind, without reviewers, and only from the round's anonymity threshold on — the same
//! rule their own results follow.

use super::json_rows;
use crate::audit::{self, Change};
use crate::error::DomainResult;
use crate::permissions::require_hr;
use crate::query::find;
use crate::values::{ReviewKind, ReviewStatus};
use crate::{Ctx, Viewer};
use entity::{
    audit_log, cadence_override, check_in, compensation, development_item, development_plan,
    email_outbox, employee, expectation_change, feedback, goal, goal_event, goal_revision,
    key_result, key_result_update, milestone, peer_nomination, planning_conversation, promotion,
    review, review_notice, review_rating, review_round, reward, reward_line, reward_note,
    skill_assessment, skill_gap,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The document's format name; a change of shape gets a new one.
pub const FORMAT: &str = "perfcycle.person-export.v1";

/// Everything held about `id`, as JSON (HR only; audited as `employee.export`).
pub async fn export(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<Value> {
    require_hr(viewer, "export a person's data")?;
    let db = &ctx.db;
    let person = find::<employee::Entity>(db, id, "employee").await?;
    let mut about = Map::new();
    let mut written = Map::new();

    let goal_ids: Vec<Uuid> = goal::Entity::find()
        .select_only()
        .column(goal::Column::Id)
        .filter(goal::Column::OwnerId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    let check_in_ids: Vec<Uuid> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::Id)
        .filter(check_in::Column::EmployeeId.eq(id))
        .into_tuple()
        .all(db)
        .await?;

    about.insert(
        "compensation".into(),
        rows(
            json_rows(
                db,
                compensation::Entity::find()
                    .filter(compensation::Column::EmployeeId.eq(id))
                    .order_by_asc(compensation::Column::EffectiveOn),
            )
            .await?,
        ),
    );
    about.insert(
        "goals".into(),
        rows(
            json_rows(
                db,
                goal::Entity::find()
                    .filter(goal::Column::OwnerId.eq(id))
                    .order_by_asc(goal::Column::Id),
            )
            .await?,
        ),
    );
    about.insert(
        "keyResults".into(),
        rows(
            in_chunks(
                db,
                key_result::Entity::find(),
                key_result::Column::GoalId,
                &goal_ids,
            )
            .await?,
        ),
    );
    about.insert(
        "milestones".into(),
        rows(
            in_chunks(
                db,
                milestone::Entity::find(),
                milestone::Column::GoalId,
                &goal_ids,
            )
            .await?,
        ),
    );
    about.insert(
        "goalRevisions".into(),
        rows(
            in_chunks(
                db,
                goal_revision::Entity::find(),
                goal_revision::Column::GoalId,
                &goal_ids,
            )
            .await?,
        ),
    );
    about.insert(
        "goalEvents".into(),
        rows(
            in_chunks(
                db,
                goal_event::Entity::find(),
                goal_event::Column::GoalId,
                &goal_ids,
            )
            .await?,
        ),
    );
    about.insert(
        "checkIns".into(),
        rows(
            json_rows(
                db,
                check_in::Entity::find()
                    .filter(check_in::Column::EmployeeId.eq(id))
                    .order_by_asc(check_in::Column::PeriodStart),
            )
            .await?,
        ),
    );
    about.insert(
        "keyResultUpdates".into(),
        rows(
            in_chunks(
                db,
                key_result_update::Entity::find(),
                key_result_update::Column::CheckInId,
                &check_in_ids,
            )
            .await?,
        ),
    );
    about.insert(
        "cadenceOverrides".into(),
        rows(
            json_rows(
                db,
                cadence_override::Entity::find()
                    .filter(cadence_override::Column::EmployeeId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "feedbackReceived".into(),
        rows(
            json_rows(
                db,
                feedback::Entity::find()
                    .filter(feedback::Column::RecipientId.eq(id))
                    .order_by_asc(feedback::Column::Id),
            )
            .await?,
        ),
    );
    about.insert(
        "skillAssessments".into(),
        rows(
            json_rows(
                db,
                skill_assessment::Entity::find()
                    .filter(skill_assessment::Column::EmployeeId.eq(id))
                    .order_by_asc(skill_assessment::Column::Id),
            )
            .await?,
        ),
    );
    about.insert(
        "skillGaps".into(),
        rows(
            json_rows(
                db,
                skill_gap::Entity::find().filter(skill_gap::Column::EmployeeId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "developmentPlans".into(),
        rows(
            json_rows(
                db,
                development_plan::Entity::find()
                    .filter(development_plan::Column::EmployeeId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "developmentItems".into(),
        rows(
            json_rows(
                db,
                development_item::Entity::find()
                    .filter(development_item::Column::EmployeeId.eq(id))
                    .order_by_asc(development_item::Column::Id),
            )
            .await?,
        ),
    );
    about.insert(
        "planningConversations".into(),
        rows(
            json_rows(
                db,
                planning_conversation::Entity::find()
                    .filter(planning_conversation::Column::EmployeeId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "expectationChanges".into(),
        rows(
            json_rows(
                db,
                expectation_change::Entity::find()
                    .filter(expectation_change::Column::EmployeeId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "peerNominations".into(),
        rows(
            json_rows(
                db,
                peer_nomination::Entity::find().filter(peer_nomination::Column::RevieweeId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "reviews".into(),
        rows(
            json_rows(
                db,
                review::Entity::find()
                    .filter(review::Column::RevieweeId.eq(id))
                    .filter(review::Column::Kind.is_in([ReviewKind::Own, ReviewKind::Manager]))
                    .order_by_asc(review::Column::Id),
            )
            .await?,
        ),
    );
    about.insert("pooledReviews".into(), pooled_reviews(db, id).await?);
    about.insert(
        "ratings".into(),
        rows(
            json_rows(
                db,
                review_rating::Entity::find().filter(review_rating::Column::EmployeeId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "reviewNotices".into(),
        rows(
            json_rows(
                db,
                review_notice::Entity::find().filter(review_notice::Column::RecipientId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "rewards".into(),
        rows(
            json_rows(
                db,
                reward::Entity::find()
                    .filter(reward::Column::EmployeeId.eq(id))
                    .order_by_asc(reward::Column::Id),
            )
            .await?,
        ),
    );
    // A reward run's result for them: one line per run with each reward's amount and the
    // calculation's inputs.
    about.insert(
        "rewardLines".into(),
        rows(
            json_rows(
                db,
                reward_line::Entity::find()
                    .filter(reward_line::Column::EmployeeId.eq(id))
                    .order_by_asc(reward_line::Column::Id),
            )
            .await?,
        ),
    );
    about.insert(
        "rewardNotes".into(),
        rows(
            json_rows(
                db,
                reward_note::Entity::find().filter(reward_note::Column::EmployeeId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "promotions".into(),
        rows(
            json_rows(
                db,
                promotion::Entity::find().filter(promotion::Column::EmployeeId.eq(id)),
            )
            .await?,
        ),
    );
    about.insert(
        "emails".into(),
        rows(
            json_rows(
                db,
                email_outbox::Entity::find()
                    .filter(email_outbox::Column::RecipientEmail.eq(person.email.clone()))
                    .order_by_asc(email_outbox::Column::CreatedAt),
            )
            .await?,
        ),
    );
    about.insert(
        "recordChanges".into(),
        rows(
            json_rows(
                db,
                audit_log::Entity::find()
                    .filter(audit_log::Column::EntityId.eq(id))
                    .order_by_asc(audit_log::Column::At),
            )
            .await?,
        ),
    );

    written.insert(
        "feedback".into(),
        marked(
            json_rows(
                db,
                feedback::Entity::find()
                    .filter(feedback::Column::AuthorId.eq(id))
                    .order_by_asc(feedback::Column::Id),
            )
            .await?,
        ),
    );
    written.insert(
        "reviews".into(),
        marked(
            json_rows(
                db,
                review::Entity::find()
                    .filter(review::Column::ReviewerId.eq(id))
                    .filter(review::Column::RevieweeId.ne(id))
                    .order_by_asc(review::Column::Id),
            )
            .await?,
        ),
    );
    written.insert(
        "skillAssessments".into(),
        marked(
            json_rows(
                db,
                skill_assessment::Entity::find()
                    .filter(skill_assessment::Column::AssessedBy.eq(id))
                    .filter(skill_assessment::Column::EmployeeId.ne(id))
                    .order_by_asc(skill_assessment::Column::Id),
            )
            .await?,
        ),
    );
    written.insert(
        "checkInReplies".into(),
        marked(
            json_rows(
                db,
                check_in::Entity::find()
                    .filter(check_in::Column::AcknowledgedBy.eq(id))
                    .filter(check_in::Column::EmployeeId.ne(id))
                    .order_by_asc(check_in::Column::Id),
            )
            .await?,
        ),
    );
    written.insert(
        "planningConversations".into(),
        marked(
            json_rows(
                db,
                planning_conversation::Entity::find()
                    .filter(planning_conversation::Column::ManagerId.eq(id)),
            )
            .await?,
        ),
    );
    written.insert(
        "rewardNotes".into(),
        marked(
            json_rows(
                db,
                reward_note::Entity::find()
                    .filter(reward_note::Column::WrittenBy.eq(id))
                    .filter(reward_note::Column::EmployeeId.ne(id)),
            )
            .await?,
        ),
    );
    written.insert(
        "promotionRecommendations".into(),
        marked(
            json_rows(
                db,
                promotion::Entity::find().filter(promotion::Column::RecommendedBy.eq(id)),
            )
            .await?,
        ),
    );
    written.insert(
        "actions".into(),
        marked(
            json_rows(
                db,
                audit_log::Entity::find()
                    .filter(audit_log::Column::ActorId.eq(id))
                    .order_by_asc(audit_log::Column::At),
            )
            .await?,
        ),
    );

    let now = ctx.clock.now();
    let counts = |m: &Map<String, Value>| -> Value {
        m.iter()
            .map(|(k, v)| (k.clone(), json!(v.as_array().map_or(0, Vec::len))))
            .collect::<Map<_, _>>()
            .into()
    };
    let summary = json!({ "about": counts(&about), "writtenByThem": counts(&written) });
    let txn = crate::db::begin(db).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "employee.export",
            entity: "employee",
            entity_id: id,
            before: None,
            after: Some(summary),
        },
    )
    .await?;
    txn.commit().await?;

    let person = json_rows(db, employee::Entity::find_by_id(id))
        .await?
        .pop()
        .unwrap_or(Value::Null);
    Ok(json!({
        "format": FORMAT,
        "exportedAt": now,
        "exportedBy": viewer.id(),
        "person": person,
        "about": about,
        "writtenByThem": written,
    }))
}

fn rows(rows: Vec<Value>) -> Value {
    Value::Array(rows)
}

/// Rows they wrote about someone else, each marked so even when taken out of its section.
fn marked(rows: Vec<Value>) -> Value {
    Value::Array(
        rows.into_iter()
            .map(|mut r| {
                if let Value::Object(m) = &mut r {
                    m.insert("writtenByThem".into(), Value::Bool(true));
                }
                r
            })
            .collect(),
    )
}

async fn in_chunks<E, C>(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<E>,
    column: C,
    keys: &[Uuid],
) -> DomainResult<Vec<Value>>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let mut found = Vec::new();
    for chunk in keys.chunks(crate::query::IN_CHUNK) {
        found.extend(
            json_rows(
                db,
                query.clone().filter(column.is_in(chunk.iter().copied())),
            )
            .await?,
        );
    }
    Ok(found)
}

/// PEER and UPWARD reviews about `id`, pooled per round and kind: the submitted answers
/// without reviewer, dates or ids, in an order that says nothing (sorted by content), and
/// only once the round's anonymity threshold is reached; below it, how many there are.
async fn pooled_reviews(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Value> {
    let reviews = review::Entity::find()
        .filter(review::Column::RevieweeId.eq(id))
        .filter(review::Column::Kind.is_in([ReviewKind::Peer, ReviewKind::Upward]))
        .filter(review::Column::Status.eq(ReviewStatus::Submitted))
        .all(db)
        .await?;
    let round_ids: Vec<Uuid> = reviews.iter().map(|r| r.round_id).collect();
    let thresholds: HashMap<Uuid, i32> = crate::query::rows_in(
        db,
        review_round::Entity::find(),
        review_round::Column::Id,
        &round_ids,
    )
    .await?
    .into_iter()
    .map(|r| (r.id, r.anonymity_threshold))
    .collect();
    let mut groups: BTreeMap<(Uuid, &'static str), Vec<String>> = BTreeMap::new();
    for r in &reviews {
        let kind = if r.kind == ReviewKind::Peer {
            "PEER"
        } else {
            "UPWARD"
        };
        let entry = json!({ "answers": r.answers, "overallRating": r.overall_rating });
        groups
            .entry((r.round_id, kind))
            .or_default()
            .push(entry.to_string());
    }
    let mut out = Vec::new();
    for ((round, kind), mut entries) in groups {
        let threshold = thresholds.get(&round).copied().unwrap_or(i32::MAX);
        let submitted = entries.len();
        let mut group = json!({
            "roundId": round,
            "kind": kind,
            "submitted": submitted,
            "anonymityThreshold": threshold,
        });
        if i64::try_from(submitted).unwrap_or(i64::MAX) >= i64::from(threshold) {
            entries.sort();
            group["answers"] = Value::Array(
                entries
                    .iter()
                    .filter_map(|e| serde_json::from_str(e).ok())
                    .collect(),
            );
        } else {
            group["withheld"] = json!("fewer submitted than the round's anonymity threshold");
        }
        out.push(group);
    }
    Ok(Value::Array(out))
}
