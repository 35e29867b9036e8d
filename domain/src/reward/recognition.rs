//! Recognition beyond the yearly run: spot awards (a manager for their subtree, HR for anyone;
//! approved by HR like the run's rewards, with a letter) and promotion recommendations (a
//! manager recommends a new title and job profile; HR's approval changes the employee,
//! audited).

use super::money::Currency;
use super::policy::max_money;
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::outbox;
use crate::permissions::require_hr;
use crate::publish;
use crate::query::find;
use crate::values::{PromotionStatus, RewardKind, RewardStatus, optional_text, required_text};
use crate::{Ctx, Viewer};
use entity::values::DecimalText;
use entity::{cycle, employee, job_profile, promotion, reward};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

/// A spot award as its giver writes it: money, paid days off, or neither (recognition only).
#[derive(Debug, Clone)]
pub struct AwardInput {
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    pub pto_days: Option<Decimal>,
    pub reason: String,
}

/// Gives someone a spot award, PROPOSED until HR approves it.
pub async fn give_award(
    ctx: &Ctx,
    viewer: &Viewer,
    input: AwardInput,
) -> DomainResult<reward::Model> {
    let reason = required_text("reason", &input.reason, 2000)?;
    let (kind, amount, currency) = match (input.amount, input.pto_days) {
        (Some(_), Some(_)) => {
            return Err(DomainError::bad(
                "ptoDays",
                "an award is money or days off, not both",
            ));
        }
        (Some(a), None) => {
            let code = input
                .currency
                .as_deref()
                .ok_or_else(|| DomainError::bad("currency", "an amount needs its currency"))?;
            let c = Currency::parse("currency", code)?;
            let a = c.check("amount", a, max_money())?;
            if a.is_zero() {
                return Err(DomainError::bad("amount", "must be above 0"));
            }
            (RewardKind::Award, a, c.code.to_owned())
        }
        (None, Some(days)) => {
            if days <= Decimal::ZERO || days > Decimal::from(30) || days.round_dp(1) != days {
                return Err(DomainError::bad(
                    "ptoDays",
                    "between 0.1 and 30 days, to one decimal place",
                ));
            }
            (RewardKind::Pto, days.normalize(), String::new())
        }
        (None, None) => (RewardKind::Award, Decimal::ZERO, String::new()),
    };
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let person = find::<employee::Entity>(&txn, input.employee_id, "employee").await?;
    if person.id == viewer.id() {
        return Err(DomainError::forbidden("you cannot give yourself an award"));
    }
    if !(viewer.is_hr() || viewer.manages(&person)) {
        return Err(DomainError::forbidden(
            "managers give awards to people in their teams; HR to anyone",
        ));
    }
    if !person.active {
        return Err(DomainError::conflict(format!("{} has left", person.name)));
    }
    let cycle = find::<cycle::Entity>(&txn, input.cycle_id, "cycle").await?;
    let row = reward::Entity::insert(reward::ActiveModel {
        id: Set(Uuid::now_v7()),
        run_id: Set(None),
        cycle_id: Set(cycle.id),
        employee_id: Set(person.id),
        department_id: Set(person.department_id),
        kind: Set(kind),
        status: Set(RewardStatus::Proposed),
        amount: Set(DecimalText(amount)),
        proposed_amount: Set(DecimalText(amount)),
        currency: Set(currency),
        rating: Set(None),
        details: Set(json!({ "award": true })),
        rationale: Set(reason),
        effective_on: Set(now.date_naive()),
        given_by: Set(Some(viewer.id())),
        approved_by: Set(None),
        approved_at: Set(None),
        communicated_at: Set(None),
        created_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    let event = DomainEvent::AwardGiven {
        reward_id: row.id,
        employee_id: person.id,
        given_by: viewer.id(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(row)
}

/// HR approves or declines a spot award; an approved one's letter is queued.
pub async fn decide_award(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    approve: bool,
) -> DomainResult<reward::Model> {
    require_hr(viewer, "approve awards")?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let row = find::<reward::Entity>(&txn, id, "award").await?;
    if row.given_by.is_none() {
        return Err(DomainError::NotFound("award"));
    }
    if row.given_by == Some(viewer.id()) && approve {
        return Err(DomainError::forbidden(
            "another HR admin approves an award you gave",
        ));
    }
    let status = if approve {
        RewardStatus::Approved
    } else {
        RewardStatus::Declined
    };
    let changed = reward::Entity::update_many()
        .col_expr(reward::Column::Status, Expr::value(status))
        .col_expr(reward::Column::ApprovedBy, Expr::value(Some(viewer.id())))
        .col_expr(reward::Column::ApprovedAt, Expr::value(Some(now)))
        .filter(reward::Column::Id.eq(id))
        .filter(reward::Column::Status.eq(RewardStatus::Proposed))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(format!(
            "the award is {} already",
            row.status
        )));
    }
    let row = find::<reward::Entity>(&txn, id, "award").await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: if approve {
                "award.approve"
            } else {
                "award.decline"
            },
            entity: "reward",
            entity_id: id,
            before: Some(json!({ "status": RewardStatus::Proposed })),
            after: Some(json!({ "status": status })),
        },
    )
    .await?;
    if approve {
        let cycle = find::<cycle::Entity>(&txn, row.cycle_id, "cycle").await?;
        let letters = super::approve::letters(&txn, &cycle, vec![row.clone()], |award| {
            format!("award-letter:{award}")
        })
        .await?;
        outbox::enqueue_many(&txn, letters, now).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// A recommendation as its manager writes it.
#[derive(Debug, Clone)]
pub struct PromotionInput {
    pub employee_id: Uuid,
    pub title: String,
    pub job_profile_id: Option<Uuid>,
    pub rationale: String,
}

/// A manager of the person recommends them for promotion (one open recommendation at a time).
pub async fn recommend(
    ctx: &Ctx,
    viewer: &Viewer,
    input: PromotionInput,
) -> DomainResult<promotion::Model> {
    let title = required_text("title", &input.title, 200)?;
    let rationale = required_text("rationale", &input.rationale, 4000)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let person = find::<employee::Entity>(&txn, input.employee_id, "employee").await?;
    if !viewer.manages(&person) {
        return Err(DomainError::forbidden(
            "only their managers recommend someone for promotion",
        ));
    }
    if !person.active {
        return Err(DomainError::conflict(format!("{} has left", person.name)));
    }
    if let Some(p) = input.job_profile_id {
        job_profile::Entity::find_by_id(p)
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::bad("jobProfileId", "no such job profile"))?;
    }
    let open = promotion::Entity::find()
        .filter(promotion::Column::EmployeeId.eq(person.id))
        .filter(promotion::Column::Status.eq(PromotionStatus::Proposed))
        .one(&txn)
        .await?;
    if open.is_some() {
        return Err(DomainError::conflict(format!(
            "{} already has a recommendation waiting for HR",
            person.name
        )));
    }
    let row = promotion::Entity::insert(promotion::ActiveModel {
        id: Set(Uuid::now_v7()),
        employee_id: Set(person.id),
        recommended_by: Set(viewer.id()),
        job_profile_id: Set(input.job_profile_id),
        title: Set(title),
        rationale: Set(rationale),
        status: Set(PromotionStatus::Proposed),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(String::new()),
        created_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    let event = DomainEvent::PromotionRecommended {
        promotion_id: row.id,
        employee_id: person.id,
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(row)
}

/// HR approves (the employee gets the new title and job profile) or declines a
/// recommendation, with a note; both audited. HR never decides their own.
pub async fn decide_promotion(
    ctx: &Ctx,
    viewer: &Viewer,
    id: Uuid,
    approve: bool,
    note: &str,
) -> DomainResult<promotion::Model> {
    require_hr(viewer, "decide promotions")?;
    let note = optional_text("note", note, 2000)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let row = find::<promotion::Entity>(&txn, id, "promotion").await?;
    if row.employee_id == viewer.id() {
        return Err(DomainError::forbidden(
            "another HR admin decides your own promotion",
        ));
    }
    let status = if approve {
        PromotionStatus::Approved
    } else {
        PromotionStatus::Declined
    };
    let changed = promotion::Entity::update_many()
        .col_expr(promotion::Column::Status, Expr::value(status))
        .col_expr(promotion::Column::DecidedBy, Expr::value(Some(viewer.id())))
        .col_expr(promotion::Column::DecidedAt, Expr::value(Some(now)))
        .col_expr(promotion::Column::DecisionNote, Expr::value(note.clone()))
        .filter(promotion::Column::Id.eq(id))
        .filter(promotion::Column::Status.eq(PromotionStatus::Proposed))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(DomainError::conflict(format!(
            "the recommendation is {} already",
            row.status
        )));
    }
    if approve {
        let person = find::<employee::Entity>(&txn, row.employee_id, "employee").await?;
        let mut model = person.clone().into_active_model();
        model.title = Set(row.title.clone());
        if row.job_profile_id.is_some() {
            model.job_profile_id = Set(row.job_profile_id);
        }
        model.updated_at = Set(now);
        let updated = model.update(&txn).await?;
        audit::record(
            &txn,
            now,
            Change {
                actor: Some(viewer.id()),
                action: "employee.promote",
                entity: "employee",
                entity_id: person.id,
                before: Some(crate::org::snapshot(&person)),
                after: Some(crate::org::snapshot(&updated)),
            },
        )
        .await?;
        if row.job_profile_id.is_some() && row.job_profile_id != person.job_profile_id {
            crate::develop::skills::refresh_gaps(&txn, &[person.id], now).await?;
        }
    }
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: if approve {
                "promotion.approve"
            } else {
                "promotion.decline"
            },
            entity: "promotion",
            entity_id: id,
            before: Some(json!({ "status": PromotionStatus::Proposed })),
            after: Some(json!({ "status": status, "note": note })),
        },
    )
    .await?;
    let event = DomainEvent::PromotionDecided {
        promotion_id: id,
        employee_id: row.employee_id,
        approved: approve,
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    let row = find::<promotion::Entity>(&txn, id, "promotion").await?;
    txn.commit().await?;
    Ok(row)
}

/// Promotion recommendations about someone: HR, and their managers.
pub async fn promotions_of(
    ctx: &Ctx,
    viewer: &Viewer,
    employee_id: Uuid,
) -> DomainResult<Vec<promotion::Model>> {
    let person = find::<employee::Entity>(&ctx.db, employee_id, "employee").await?;
    if !crate::permissions::is_manager_side(viewer, &person) {
        return Err(DomainError::forbidden(
            "promotion recommendations are for HR and the person's managers",
        ));
    }
    use sea_orm::QueryOrder;
    Ok(promotion::Entity::find()
        .filter(promotion::Column::EmployeeId.eq(employee_id))
        .order_by_desc(promotion::Column::CreatedAt)
        .all(&ctx.db)
        .await?)
}
