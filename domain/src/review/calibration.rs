//! Calibration (HR): the distribution of a closed round's ratings per manager and department
//! against the target, each manager's leniency against the whole organisation, the gaps
//! between self and manager ratings, and the 9-box; and `calibrate`, which sets someone's final
//! rating with a mandatory reason, audited.

use super::stats::{self, Potential as BoxPotential, Rated};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::permissions::require_hr;
use crate::publish;
use crate::values::{Potential, RoundStatus};
use crate::{Ctx, Viewer};
use entity::{review_rating, review_round};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::str::FromStr;
use uuid::Uuid;

/// A round's calibration view.
#[derive(Debug, Clone)]
pub struct CalibrationView {
    pub round: review_round::Model,
    pub department_id: Option<Uuid>,
    pub scale_max: u8,
    pub stats: stats::Calibration,
}

/// A component's value as stored with a rating (`None` when it was missing).
pub fn component_value(components: &Value, kind: &str) -> Option<Decimal> {
    components
        .as_array()?
        .iter()
        .find(|c| c.get("kind").and_then(Value::as_str) == Some(kind))?
        .get("value")?
        .as_str()
        .and_then(|v| Decimal::from_str(v).ok())
}

fn rated(r: &review_rating::Model) -> Rated {
    Rated {
        employee_id: r.employee_id,
        manager_id: r.manager_id,
        department_id: r.department_id,
        rating: r.final_rating.or(r.proposed_rating).map(|v| v as u8),
        manager_rating: component_value(&r.components, "MANAGER"),
        self_rating: component_value(&r.components, "SELF"),
        potential: r.potential.map(|p| match p {
            Potential::Low => BoxPotential::Low,
            Potential::Medium => BoxPotential::Medium,
            Potential::High => BoxPotential::High,
        }),
    }
}

/// HR's calibration view of a round, for one department or the whole organisation. Leniency
/// is always measured against the whole organisation.
pub async fn view(
    ctx: &Ctx,
    viewer: &Viewer,
    round_id: Uuid,
    department_id: Option<Uuid>,
) -> DomainResult<CalibrationView> {
    require_hr(viewer, "calibrate ratings")?;
    let round = super::rounds::get(&ctx.db, round_id).await?;
    let scale = match round.template_id {
        Some(t) => super::templates::get(&ctx.db, t).await?.scale_max() as u8,
        None => 5,
    };
    let target: Vec<(u8, Decimal)> = super::rounds::target_of(&round)?
        .iter()
        .map(|p| (p.rating as u8, p.share))
        .collect();
    let all: Vec<Rated> = review_rating::Entity::find()
        .filter(review_rating::Column::RoundId.eq(round.id))
        .all(&ctx.db)
        .await?
        .iter()
        .map(rated)
        .collect();
    let organisation = stats::calibrate(&all, scale, &target);
    let stats = match department_id {
        None => organisation,
        Some(d) => {
            let theirs: Vec<Rated> = all
                .into_iter()
                .filter(|r| r.department_id == Some(d))
                .collect();
            let managers: HashSet<Uuid> = theirs.iter().filter_map(|r| r.manager_id).collect();
            let mut part = stats::calibrate(&theirs, scale, &target);
            part.leniency = organisation
                .leniency
                .into_iter()
                .filter(|l| managers.contains(&l.manager_id))
                .collect();
            part.org_manager_mean = organisation.org_manager_mean;
            part.org_manager_std_dev = organisation.org_manager_std_dev;
            part
        }
    };
    Ok(CalibrationView {
        round,
        department_id,
        scale_max: scale,
        stats,
    })
}

/// HR sets someone's final rating in a closed round, saying why (audited). A released rating
/// is final.
pub async fn calibrate(
    ctx: &Ctx,
    viewer: &Viewer,
    round_id: Uuid,
    employee_id: Uuid,
    rating: i32,
    reason: &str,
) -> DomainResult<review_rating::Model> {
    require_hr(viewer, "calibrate ratings")?;
    if !super::access::hr_about(viewer, employee_id) {
        return Err(DomainError::forbidden(
            "another HR admin calibrates your own rating",
        ));
    }
    let reason = crate::values::required_text("reason", reason, 1000)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let round = super::rounds::get(&txn, round_id).await?;
    if round.status != RoundStatus::Closed {
        return Err(DomainError::conflict(
            "ratings are calibrated once the round has closed",
        ));
    }
    let current = review_rating::Entity::find_by_id((round.id, employee_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("rating"))?;
    if current.released_at.is_some() {
        return Err(DomainError::conflict(
            "this rating is released: it is final",
        ));
    }
    let scale = match round.template_id {
        Some(t) => super::templates::get(&txn, t).await?.scale_max(),
        None => 5,
    };
    if !(1..=scale).contains(&rating) {
        return Err(DomainError::bad(
            "rating",
            format!("a rating is from 1 to {scale}"),
        ));
    }
    let mut next = current.clone().into_active_model();
    next.final_rating = Set(Some(rating));
    next.calibrated_by = Set(Some(viewer.id()));
    next.calibration_reason = Set(reason.clone());
    next.calibrated_at = Set(Some(now));
    let changed = review_rating::Entity::update_many()
        .set(next)
        .filter(review_rating::Column::RoundId.eq(round.id))
        .filter(review_rating::Column::EmployeeId.eq(employee_id))
        .filter(review_rating::Column::ReleasedAt.is_null())
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(
            "the rating changed meanwhile; reload it and try again",
        ));
    }
    let from = current.final_rating.or(current.proposed_rating);
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "review_rating.calibrate",
            entity: "review_rating",
            entity_id: employee_id,
            before: Some(json!({ "roundId": round.id, "rating": from, "score": current.score.map(|s| s.to_string()) })),
            after: Some(json!({ "roundId": round.id, "rating": rating, "reason": reason })),
        },
    )
    .await?;
    let event = DomainEvent::RatingCalibrated {
        round_id: round.id,
        employee_id,
        from,
        to: rating,
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    let updated = review_rating::Entity::find_by_id((round.id, employee_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("rating"))?;
    txn.commit().await?;
    Ok(updated)
}
