//! Review rounds: a cycle's `ANNUAL` round (created with the cycle; its window is the
//! cycle's review window, and moving one moves the other) and an optional `MIDYEAR` round,
//! each with its window and settings. HR writes them; anyone signed in reads them.

use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::permissions::require_hr;
use crate::values::{DecimalText, RoundKind, RoundStatus};
use crate::{Ctx, Viewer};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{cycle, review_round};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, TryIntoModel,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// Submitted reviews of a kind needed before any of that kind is shown, by default.
pub const DEFAULT_THRESHOLD: i32 = 3;
/// The fewest a round may require: one would show a single person's answers.
pub const MIN_THRESHOLD: i32 = 2;
/// Days after the due date a late review is still taken, by default.
pub const GRACE_DAYS: i64 = 7;
/// Peers a reviewee may nominate, at most.
pub const MAX_PEERS: i32 = 20;

/// One point's target share of a round's ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetShare {
    pub rating: i32,
    pub share: Decimal,
}

/// A round's settings as HR writes them; `None` keeps the current (or default) value.
#[derive(Debug, Clone, Default)]
pub struct RoundSettings {
    pub template_id: Option<Uuid>,
    pub opens_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    pub peer_min: Option<i32>,
    pub peer_max: Option<i32>,
    pub anonymity_threshold: Option<i32>,
    /// `Some(None)` clears the cut-off.
    pub hired_on_or_before: Option<Option<NaiveDate>>,
    pub weight_goals: Option<Decimal>,
    pub weight_manager: Option<Decimal>,
    pub weight_peer: Option<Decimal>,
    pub weight_self: Option<Decimal>,
    pub hr_sees_peer_identities: Option<bool>,
    pub target_distribution: Option<Vec<TargetShare>>,
    pub escalate_manager_after_days: Option<i32>,
    pub escalate_hr_after_days: Option<i32>,
}

/// The target distribution stored on a round.
pub fn target_of(round: &review_round::Model) -> DomainResult<Vec<TargetShare>> {
    serde_json::from_value(round.target_distribution.clone())
        .map_err(|e| DomainError::Internal(format!("round {} target is unreadable: {e}", round.id)))
}

/// A new annual round for a cycle, with the default settings.
pub fn annual_for(c: &cycle::Model, now: DateTime<Utc>) -> review_round::ActiveModel {
    review_round::ActiveModel {
        id: Set(Uuid::new_v4()),
        cycle_id: Set(c.id),
        kind: Set(RoundKind::Annual),
        status: Set(RoundStatus::Planned),
        template_id: Set(None),
        opens_on: Set(c.review_opens_on),
        due_on: Set(c.review_due_on),
        closes_on: Set(c.review_due_on + chrono::Duration::days(GRACE_DAYS)),
        peer_min: Set(3),
        peer_max: Set(8),
        anonymity_threshold: Set(DEFAULT_THRESHOLD),
        hired_on_or_before: Set(None),
        weight_goals: Set(DecimalText(Decimal::from(50))),
        weight_manager: Set(DecimalText(Decimal::from(40))),
        weight_peer: Set(DecimalText(Decimal::from(10))),
        weight_self: Set(DecimalText(Decimal::ZERO)),
        hr_sees_peer_identities: Set(false),
        target_distribution: Set(json!([])),
        score_version: Set(super::score::SCORE_VERSION.to_owned()),
        escalate_manager_after_days: Set(2),
        escalate_hr_after_days: Set(5),
        expired: Set(0),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Moves the annual round's window with the cycle's review window.
pub async fn follow_cycle(
    txn: &impl ConnectionTrait,
    c: &cycle::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    review_round::Entity::update_many()
        .col_expr(review_round::Column::OpensOn, c.review_opens_on.into())
        .col_expr(review_round::Column::DueOn, c.review_due_on.into())
        .col_expr(
            review_round::Column::ClosesOn,
            (c.review_due_on + chrono::Duration::days(GRACE_DAYS)).into(),
        )
        .col_expr(review_round::Column::UpdatedAt, now.into())
        .filter(review_round::Column::CycleId.eq(c.id))
        .filter(review_round::Column::Kind.eq(RoundKind::Annual))
        .exec(txn)
        .await?;
    Ok(())
}

/// The rounds of a cycle, annual last.
pub async fn of_cycle(
    db: &impl ConnectionTrait,
    cycle_id: Uuid,
) -> DomainResult<Vec<review_round::Model>> {
    Ok(review_round::Entity::find()
        .filter(review_round::Column::CycleId.eq(cycle_id))
        .order_by_desc(review_round::Column::Kind)
        .all(db)
        .await?)
}

/// Rounds by id, for batch loading.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<std::collections::HashMap<Uuid, review_round::Model>> {
    crate::query::by_ids::<review_round::Entity>(db, review_round::Column::Id, ids).await
}

/// One round, locked for the rest of the transaction (PostgreSQL; SQLite's write
/// transactions are serial anyway): launches and releases of a round queue one after another.
pub async fn get_locked(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<review_round::Model> {
    use sea_orm::QuerySelect;
    review_round::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("review round"))
}

/// One round (anyone signed in may read a round's settings).
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<review_round::Model> {
    crate::query::find::<review_round::Entity>(db, id, "review round").await
}

fn check_days(field: &str, days: i32) -> DomainResult<()> {
    if (1..=60).contains(&days) {
        Ok(())
    } else {
        Err(DomainError::bad(field, "between 1 and 60 days"))
    }
}

fn check_weight(field: &str, w: Decimal) -> DomainResult<DecimalText> {
    if w < Decimal::ZERO || w > Decimal::from(100) {
        return Err(DomainError::bad(field, "a weight is between 0 and 100"));
    }
    Ok(DecimalText(w.normalize()))
}

/// Applies `s` to `row` and checks the result as a whole.
async fn apply(
    db: &impl ConnectionTrait,
    c: &cycle::Model,
    row: &mut review_round::Model,
    s: RoundSettings,
) -> DomainResult<()> {
    let locked = row.status != RoundStatus::Planned;
    if locked && (s.template_id.is_some() || s.hired_on_or_before.is_some()) {
        let field = if s.template_id.is_some() {
            "templateId"
        } else {
            "hiredOnOrBefore"
        };
        return Err(DomainError::bad(
            field,
            "the round is launched: its template and eligibility are fixed",
        ));
    }
    if let Some(t) = s.template_id {
        super::templates::get(db, t)
            .await
            .map_err(|_| DomainError::bad("templateId", "no such review template"))?;
        row.template_id = Some(t);
    }
    let grace = row.closes_on - row.due_on;
    row.opens_on = s.opens_on.unwrap_or(row.opens_on);
    row.due_on = s.due_on.unwrap_or(row.due_on);
    // A moved due date keeps its grace unless the closing day is given too.
    row.closes_on = s.closes_on.unwrap_or(row.due_on + grace);
    if row.opens_on < c.starts_on || row.opens_on > c.ends_on {
        return Err(DomainError::bad(
            "opensOn",
            "the review window opens within the cycle",
        ));
    }
    if row.due_on < row.opens_on {
        return Err(DomainError::bad(
            "dueOn",
            "reviews cannot be due before the window opens",
        ));
    }
    if row.closes_on < row.due_on {
        return Err(DomainError::bad(
            "closesOn",
            "the round closes on or after the due date",
        ));
    }
    row.peer_min = s.peer_min.unwrap_or(row.peer_min);
    row.peer_max = s.peer_max.unwrap_or(row.peer_max);
    if !(0..=MAX_PEERS).contains(&row.peer_min) {
        return Err(DomainError::bad(
            "peerMin",
            format!("between 0 and {MAX_PEERS} peers"),
        ));
    }
    if row.peer_max < row.peer_min || row.peer_max > MAX_PEERS {
        return Err(DomainError::bad(
            "peerMax",
            format!("at least peerMin and at most {MAX_PEERS} peers"),
        ));
    }
    // Reviews written under a promise of anonymity keep it: once launched, the threshold may
    // only rise and HR's sight of identities may only be taken away.
    if locked
        && s.anonymity_threshold
            .is_some_and(|t| t < row.anonymity_threshold)
    {
        return Err(DomainError::bad(
            "anonymityThreshold",
            "the round is launched: its anonymity threshold may only rise",
        ));
    }
    if locked && s.hr_sees_peer_identities == Some(true) && !row.hr_sees_peer_identities {
        return Err(DomainError::bad(
            "hrSeesPeerIdentities",
            "the round is launched: reviews were written without HR seeing who wrote them",
        ));
    }
    row.anonymity_threshold = s.anonymity_threshold.unwrap_or(row.anonymity_threshold);
    if !(MIN_THRESHOLD..=MAX_PEERS).contains(&row.anonymity_threshold) {
        return Err(DomainError::bad(
            "anonymityThreshold",
            format!(
                "between {MIN_THRESHOLD} and {MAX_PEERS}: fewer would show one person's answers"
            ),
        ));
    }
    if let Some(cut) = s.hired_on_or_before {
        row.hired_on_or_before = cut;
    }
    for (field, new, slot) in [
        ("weights.goals", s.weight_goals, &mut row.weight_goals),
        ("weights.manager", s.weight_manager, &mut row.weight_manager),
        ("weights.peer", s.weight_peer, &mut row.weight_peer),
        ("weights.self", s.weight_self, &mut row.weight_self),
    ] {
        if let Some(w) = new {
            *slot = check_weight(field, w)?;
        }
    }
    let total = row.weight_goals.0 + row.weight_manager.0 + row.weight_peer.0 + row.weight_self.0;
    if total.is_zero() {
        return Err(DomainError::bad(
            "weights",
            "at least one weight is above 0",
        ));
    }
    row.hr_sees_peer_identities = s
        .hr_sees_peer_identities
        .unwrap_or(row.hr_sees_peer_identities);
    if let Some(target) = s.target_distribution {
        check_target(&target)?;
        row.target_distribution = serde_json::to_value(&target)
            .map_err(|e| DomainError::Internal(format!("target distribution: {e}")))?;
    }
    row.escalate_manager_after_days = s
        .escalate_manager_after_days
        .unwrap_or(row.escalate_manager_after_days);
    row.escalate_hr_after_days = s
        .escalate_hr_after_days
        .unwrap_or(row.escalate_hr_after_days);
    check_days("escalateManagerAfterDays", row.escalate_manager_after_days)?;
    check_days("escalateHrAfterDays", row.escalate_hr_after_days)?;
    if row.escalate_hr_after_days <= row.escalate_manager_after_days {
        return Err(DomainError::bad(
            "escalateHrAfterDays",
            "HR hears after the reviewer's manager",
        ));
    }
    if i64::from(row.escalate_hr_after_days) > (row.closes_on - row.due_on).num_days() {
        return Err(DomainError::bad(
            "escalateHrAfterDays",
            "escalations happen before the round closes",
        ));
    }
    if let Some(t) = row.template_id {
        let scale = super::templates::get(db, t).await?.scale_max();
        if let Some(bad) = target_of(row)?.iter().position(|p| p.rating > scale) {
            return Err(DomainError::bad(
                format!("targetDistribution[{bad}].rating"),
                format!("the template's scale ends at {scale}"),
            ));
        }
    }
    Ok(())
}

fn check_target(target: &[TargetShare]) -> DomainResult<()> {
    if target.is_empty() {
        return Ok(());
    }
    let mut seen = Vec::new();
    for (i, p) in target.iter().enumerate() {
        if !(1..=10).contains(&p.rating) || seen.contains(&p.rating) {
            return Err(DomainError::bad(
                format!("targetDistribution[{i}].rating"),
                "each point of the scale once",
            ));
        }
        seen.push(p.rating);
        if p.share < Decimal::ZERO || p.share > Decimal::ONE {
            return Err(DomainError::bad(
                format!("targetDistribution[{i}].share"),
                "a share is between 0 and 1",
            ));
        }
    }
    if target.iter().map(|p| p.share).sum::<Decimal>() != Decimal::ONE {
        return Err(DomainError::bad(
            "targetDistribution",
            "the shares add up to 1",
        ));
    }
    Ok(())
}

fn audited(r: &review_round::Model) -> serde_json::Value {
    json!({
        "kind": r.kind, "status": r.status, "templateId": r.template_id,
        "opensOn": r.opens_on, "dueOn": r.due_on, "closesOn": r.closes_on, "peerMin": r.peer_min, "peerMax": r.peer_max,
        "anonymityThreshold": r.anonymity_threshold, "hiredOnOrBefore": r.hired_on_or_before,
        "weights": [r.weight_goals.to_string(), r.weight_manager.to_string(),
                    r.weight_peer.to_string(), r.weight_self.to_string()],
        "hrSeesPeerIdentities": r.hr_sees_peer_identities,
        "targetDistribution": r.target_distribution,
        "escalation": [r.escalate_manager_after_days, r.escalate_hr_after_days],
    })
}

/// HR adds a cycle's MIDYEAR round (the ANNUAL one comes with the cycle).
pub async fn create_midyear(
    ctx: &Ctx,
    viewer: &Viewer,
    cycle_id: Uuid,
    settings: RoundSettings,
) -> DomainResult<review_round::Model> {
    require_hr(viewer, "set up review rounds")?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let c = crate::cycles::find(&txn, cycle_id)
        .await
        .map_err(|_| DomainError::bad("cycleId", "no such cycle"))?;
    if of_cycle(&txn, c.id)
        .await?
        .iter()
        .any(|r| r.kind == RoundKind::Midyear)
    {
        return Err(DomainError::conflict("this cycle has a midyear round"));
    }
    let mut row = review_round::ActiveModel {
        kind: Set(RoundKind::Midyear),
        ..annual_for(&c, now)
    };
    let (Some(opens), Some(due)) = (settings.opens_on, settings.due_on) else {
        let field = if settings.opens_on.is_none() {
            "opensOn"
        } else {
            "dueOn"
        };
        return Err(DomainError::bad(field, "a midyear round needs its window"));
    };
    row.opens_on = Set(opens);
    row.due_on = Set(due);
    row.closes_on = Set(due + chrono::Duration::days(GRACE_DAYS));
    let mut model = row.try_into_model()?;
    apply(&txn, &c, &mut model, settings).await?;
    let created = model.into_active_model().reset_all().insert(&txn).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "review_round.create",
            entity: "review_round",
            entity_id: created.id,
            before: None,
            after: Some(audited(&created)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// HR changes a round's settings (template and eligibility only before launch; nothing once
/// closed). Moving the annual round's window moves the cycle's review window.
pub async fn update(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    settings: RoundSettings,
) -> DomainResult<review_round::Model> {
    require_hr(viewer, "set up review rounds")?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let current = get(&txn, id).await?;
    if current.status == RoundStatus::Closed {
        return Err(DomainError::conflict("the round is closed"));
    }
    let c = crate::cycles::find(&txn, current.cycle_id).await?;
    let mut next = current.clone();
    apply(&txn, &c, &mut next, settings).await?;
    next.updated_at = now;
    // Settings only, and only over the state that was read: a launch or a close that
    // committed meanwhile is not overwritten.
    let mut active = next.clone().into_active_model().reset_all();
    for column in [
        review_round::Column::Id,
        review_round::Column::CycleId,
        review_round::Column::Kind,
        review_round::Column::Status,
        review_round::Column::Expired,
        review_round::Column::ClosedAt,
        review_round::Column::CreatedAt,
    ] {
        sea_orm::ActiveModelTrait::not_set(&mut active, column);
    }
    let changed = review_round::Entity::update_many()
        .set(active)
        .filter(review_round::Column::Id.eq(current.id))
        .filter(review_round::Column::Status.eq(current.status))
        .filter(review_round::Column::UpdatedAt.eq(current.updated_at))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the round changed meanwhile; reload it and try again",
        ));
    }
    let updated = get(&txn, id).await?;
    if updated.kind == RoundKind::Annual
        && (updated.opens_on, updated.due_on) != (c.review_opens_on, c.review_due_on)
    {
        let mut moved = c.into_active_model();
        moved.review_opens_on = Set(updated.opens_on);
        moved.review_due_on = Set(updated.due_on);
        moved.updated_at = Set(now);
        moved.update(&txn).await?;
    }
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "review_round.update",
            entity: "review_round",
            entity_id: id,
            before: Some(audited(&current)),
            after: Some(audited(&updated)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
