//! Pay: pay grades (a salary range per grade, for compa-ratio and the lump-sum rule) and each
//! person's effective-dated compensation. HR only, reads included: nobody else sees a salary.

use super::money::Currency;
use super::policy::max_money;
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::permissions::require_hr;
use crate::query::find;
use crate::{Ctx, Viewer};
use chrono::NaiveDate;
use entity::values::DecimalText;
use entity::{compensation, employee, pay_grade};
use rust_decimal::Decimal;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

/// A pay grade as HR writes it.
#[derive(Debug, Clone)]
pub struct GradeInput {
    pub code: String,
    pub name: String,
    pub currency: String,
    pub range_min: Decimal,
    pub range_mid: Decimal,
    pub range_max: Decimal,
}

/// HR creates a pay grade, or changes the one with the same code (audited).
pub async fn set_grade(
    ctx: &Ctx,
    viewer: &Viewer,
    input: GradeInput,
) -> DomainResult<pay_grade::Model> {
    require_hr(viewer, "set pay grades")?;
    let code = crate::values::required_text("code", &input.code, 40)?;
    let name = crate::values::required_text("name", &input.name, 200)?;
    let currency = Currency::parse("currency", &input.currency)?;
    let min = currency.check("rangeMin", input.range_min, max_money())?;
    let mid = currency.check("rangeMid", input.range_mid, max_money())?;
    let max = currency.check("rangeMax", input.range_max, max_money())?;
    if min.is_zero() {
        return Err(DomainError::bad("rangeMin", "must be above 0"));
    }
    if !(min <= mid && mid <= max) {
        return Err(DomainError::bad(
            "rangeMid",
            "the midpoint lies between the minimum and the maximum",
        ));
    }
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let before = pay_grade::Entity::find()
        .filter(pay_grade::Column::Code.eq(code.as_str()))
        .one(&txn)
        .await?;
    let id = before.as_ref().map(|b| b.id).unwrap_or_else(Uuid::new_v4);
    pay_grade::Entity::insert(pay_grade::ActiveModel {
        id: Set(id),
        code: Set(code),
        name: Set(name),
        currency: Set(currency.code.to_owned()),
        range_min: Set(DecimalText(min)),
        range_mid: Set(DecimalText(mid)),
        range_max: Set(DecimalText(max)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(pay_grade::Column::Code)
            .update_columns([
                pay_grade::Column::Name,
                pay_grade::Column::Currency,
                pay_grade::Column::RangeMin,
                pay_grade::Column::RangeMid,
                pay_grade::Column::RangeMax,
                pay_grade::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let row = find::<pay_grade::Entity>(&txn, id, "pay grade").await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "pay_grade.set",
            entity: "pay_grade",
            entity_id: id,
            before: before.map(|b| grade_json(&b)),
            after: Some(grade_json(&row)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

fn grade_json(g: &pay_grade::Model) -> serde_json::Value {
    json!({ "code": g.code, "name": g.name, "currency": g.currency,
            "rangeMin": g.range_min, "rangeMid": g.range_mid, "rangeMax": g.range_max })
}

/// Every pay grade, by code (HR).
pub async fn grades(ctx: &Ctx, viewer: &Viewer) -> DomainResult<Vec<pay_grade::Model>> {
    require_hr(viewer, "read pay grades")?;
    Ok(pay_grade::Entity::find()
        .order_by_asc(pay_grade::Column::Code)
        .all(&ctx.db)
        .await?)
}

/// A change of someone's pay as HR writes it.
#[derive(Debug, Clone)]
pub struct PayInput {
    pub employee_id: Uuid,
    pub effective_on: NaiveDate,
    pub base_salary: Decimal,
    pub currency: String,
    pub bonus_target_pct: Decimal,
    pub pay_grade_id: Option<Uuid>,
    pub reason: String,
}

/// HR records someone's pay from a date on (audited). A second change on the same date
/// replaces the first (a correction; the audit log keeps both).
pub async fn set(ctx: &Ctx, viewer: &Viewer, input: PayInput) -> DomainResult<compensation::Model> {
    require_hr(viewer, "set compensation")?;
    let currency = Currency::parse("currency", &input.currency)?;
    let salary = currency.check("baseSalary", input.base_salary, max_money())?;
    if salary.is_zero() {
        return Err(DomainError::bad("baseSalary", "must be above 0"));
    }
    let pct = input.bonus_target_pct;
    if pct.is_sign_negative() && !pct.is_zero() || pct > Decimal::from(200) || pct.scale() > 4 {
        return Err(DomainError::bad(
            "bonusTargetPct",
            "a percentage between 0 and 200, to 4 decimal places at most",
        ));
    }
    let reason = crate::values::optional_text("reason", &input.reason, 2000)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let person = find::<employee::Entity>(&txn, input.employee_id, "employee").await?;
    if input.effective_on < person.hired_on {
        return Err(DomainError::bad(
            "effectiveOn",
            format!("{} was hired on {}", person.name, person.hired_on),
        ));
    }
    if let Some(g) = input.pay_grade_id {
        let grade = pay_grade::Entity::find_by_id(g)
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::bad("payGradeId", "no such pay grade"))?;
        if grade.currency != currency.code {
            return Err(DomainError::bad(
                "payGradeId",
                format!(
                    "grade {} is paid in {}, not {}",
                    grade.code, grade.currency, currency.code
                ),
            ));
        }
    }
    let before = compensation::Entity::find()
        .filter(compensation::Column::EmployeeId.eq(person.id))
        .filter(compensation::Column::EffectiveOn.eq(input.effective_on))
        .one(&txn)
        .await?;
    let id = before.as_ref().map(|b| b.id).unwrap_or_else(Uuid::new_v4);
    compensation::Entity::insert(compensation::ActiveModel {
        id: Set(id),
        employee_id: Set(person.id),
        effective_on: Set(input.effective_on),
        base_salary: Set(DecimalText(salary)),
        currency: Set(currency.code.to_owned()),
        bonus_target_pct: Set(DecimalText(pct.normalize())),
        pay_grade_id: Set(input.pay_grade_id),
        reason: Set(reason),
        recorded_by: Set(Some(viewer.id())),
        recorded_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            compensation::Column::EmployeeId,
            compensation::Column::EffectiveOn,
        ])
        .update_columns([
            compensation::Column::BaseSalary,
            compensation::Column::Currency,
            compensation::Column::BonusTargetPct,
            compensation::Column::PayGradeId,
            compensation::Column::Reason,
            compensation::Column::RecordedBy,
            compensation::Column::RecordedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let row = find::<compensation::Entity>(&txn, id, "compensation").await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "compensation.set",
            entity: "employee",
            entity_id: person.id,
            before: before.map(|b| pay_json(&b)),
            after: Some(pay_json(&row)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

fn pay_json(c: &compensation::Model) -> serde_json::Value {
    json!({ "effectiveOn": c.effective_on, "baseSalary": c.base_salary, "currency": c.currency,
            "bonusTargetPct": c.bonus_target_pct, "payGradeId": c.pay_grade_id })
}

/// Someone's pay history, latest first (HR). NOT_FOUND for an unknown person.
pub async fn history(
    ctx: &Ctx,
    viewer: &Viewer,
    employee_id: Uuid,
) -> DomainResult<Vec<compensation::Model>> {
    require_hr(viewer, "read compensation")?;
    find::<employee::Entity>(&ctx.db, employee_id, "employee").await?;
    Ok(compensation::Entity::find()
        .filter(compensation::Column::EmployeeId.eq(employee_id))
        .order_by_desc(compensation::Column::EffectiveOn)
        .all(&ctx.db)
        .await?)
}

/// Pay grades by id, for batch loading.
pub async fn grades_by_ids(
    db: &impl sea_orm::ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<std::collections::HashMap<Uuid, pay_grade::Model>> {
    Ok(
        crate::query::rows_in(db, pay_grade::Entity::find(), pay_grade::Column::Id, ids)
            .await?
            .into_iter()
            .map(|g| (g.id, g))
            .collect(),
    )
}
