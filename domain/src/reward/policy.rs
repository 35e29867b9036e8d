//! A cycle's reward policy: the merit matrix (final rating × compa-ratio band → raise %), the
//! bonus multipliers, PTO days by rating, the raise cap, eligibility, and department budget
//! pools. Stored as JSON on `reward_policy`; checked whole before it is written, and read back
//! into the same typed value the calculation uses.

use super::money::Currency;
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::permissions::require_hr;
use crate::{Ctx, Viewer};
use chrono::NaiveDate;
use entity::values::DecimalText;
use entity::{cycle, reward_policy};
use rust_decimal::Decimal;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

/// What one final rating earns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingRule {
    /// The final rating (a point on the round's scale).
    pub rating: i32,
    /// Raise % per compa-ratio band, lowest band first.
    pub raise_pcts: Vec<DecimalText>,
    /// Multiplies the bonus target.
    pub bonus_multiplier: DecimalText,
    /// Paid days off.
    pub pto_days: DecimalText,
}

/// A department's pools, in one currency: proposals beyond them are scaled to fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    pub department_id: Uuid,
    pub currency: String,
    /// For raises (merit increase and lump sum together); none means no limit.
    pub merit_pool: Option<DecimalText>,
    /// For bonuses; none means no limit.
    pub bonus_pool: Option<DecimalText>,
}

/// A cycle's reward policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// Upper bounds of every compa-ratio band but the last, ascending: `[0.9, 1.1]` makes
    /// three bands (below 0.9; 0.9 up to 1.1; 1.1 and above).
    pub compa_bands: Vec<DecimalText>,
    /// One rule per final rating; a rating without a rule earns nothing.
    pub ratings: Vec<RatingRule>,
    /// The company's bonus multiplier for the year.
    pub company_multiplier: DecimalText,
    /// No raise above this % of base salary.
    pub raise_cap_pct: Option<DecimalText>,
    /// Days employed by the cycle's last day to be eligible.
    pub min_tenure_days: i32,
    /// Only people still employed on the cycle's last day are eligible.
    pub require_active_at_cycle_end: bool,
    /// When raises take effect (the day after the cycle ends when not given).
    pub effective_on: Option<NaiveDate>,
    pub budgets: Vec<Budget>,
}

impl Policy {
    /// The rule for `rating`, if the policy has one.
    pub fn rule(&self, rating: i32) -> Option<&RatingRule> {
        self.ratings.iter().find(|r| r.rating == rating)
    }

    /// The band of a salary against its grade's midpoint: how many band bounds its
    /// compa-ratio reaches, compared as `salary ≥ bound × midpoint` (exact, no division);
    /// without a grade, the band of compa-ratio 1.
    pub fn band(&self, salary: Decimal, mid: Option<Decimal>) -> usize {
        self.compa_bands
            .iter()
            .filter(|b| match mid {
                Some(mid) => salary >= b.0 * mid,
                None => Decimal::ONE >= b.0,
            })
            .count()
    }

    /// The budget of `department` in `currency`, if there is one.
    pub fn budget(&self, department: Option<Uuid>, currency: &str) -> Option<&Budget> {
        let department = department?;
        self.budgets
            .iter()
            .find(|b| b.department_id == department && b.currency == currency)
    }

    /// Checks the policy as a whole; errors name the input path (`ratings[1].raisePcts`).
    pub fn check(&self) -> DomainResult<()> {
        let pct = |field: String, v: &DecimalText, max: Decimal| -> DomainResult<()> {
            if v.0.is_sign_negative() && !v.0.is_zero() || v.0 > max {
                return Err(DomainError::bad(
                    field,
                    format!("must be between 0 and {max}"),
                ));
            }
            Ok(())
        };
        let hundred = Decimal::from(100);
        let mut last = Decimal::ZERO;
        for (i, b) in self.compa_bands.iter().enumerate() {
            if b.0 <= last || b.0 > Decimal::from(5) {
                return Err(DomainError::bad(
                    format!("compaBands[{i}]"),
                    "bands rise strictly, above 0 and up to 5",
                ));
            }
            last = b.0;
        }
        if self.compa_bands.len() > 9 {
            return Err(DomainError::bad(
                "compaBands",
                "at most 9 bounds (10 bands)",
            ));
        }
        let mut seen = HashSet::new();
        for (i, r) in self.ratings.iter().enumerate() {
            if !(1..=10).contains(&r.rating) || !seen.insert(r.rating) {
                return Err(DomainError::bad(
                    format!("ratings[{i}].rating"),
                    "each rating (1–10) has one rule",
                ));
            }
            if r.raise_pcts.len() != self.compa_bands.len() + 1 {
                return Err(DomainError::bad(
                    format!("ratings[{i}].raisePcts"),
                    format!(
                        "one raise % per compa-ratio band: {} value(s)",
                        self.compa_bands.len() + 1
                    ),
                ));
            }
            for (j, p) in r.raise_pcts.iter().enumerate() {
                pct(format!("ratings[{i}].raisePcts[{j}]"), p, hundred)?;
            }
            pct(
                format!("ratings[{i}].bonusMultiplier"),
                &r.bonus_multiplier,
                Decimal::from(10),
            )?;
            pct(
                format!("ratings[{i}].ptoDays"),
                &r.pto_days,
                Decimal::from(60),
            )?;
            if r.pto_days.0.round_dp(1) != r.pto_days.0 {
                return Err(DomainError::bad(
                    format!("ratings[{i}].ptoDays"),
                    "days to one decimal place at most",
                ));
            }
        }
        pct(
            "companyMultiplier".into(),
            &self.company_multiplier,
            Decimal::from(10),
        )?;
        if let Some(cap) = &self.raise_cap_pct {
            pct("raiseCapPct".into(), cap, hundred)?;
        }
        if !(0..=3650).contains(&self.min_tenure_days) {
            return Err(DomainError::bad("minTenureDays", "between 0 and 3650"));
        }
        let mut pools = HashSet::new();
        for (i, b) in self.budgets.iter().enumerate() {
            let currency = Currency::parse(&format!("budgets[{i}].currency"), &b.currency)?;
            if !pools.insert((b.department_id, b.currency.clone())) {
                return Err(DomainError::bad(
                    format!("budgets[{i}]"),
                    "one budget per department and currency",
                ));
            }
            for (name, pool) in [("meritPool", &b.merit_pool), ("bonusPool", &b.bonus_pool)] {
                if let Some(p) = pool {
                    currency.check(&format!("budgets[{i}].{name}"), p.0, max_money())?;
                }
            }
        }
        Ok(())
    }
}

/// No pool, salary or award is larger than this, in any currency.
pub fn max_money() -> Decimal {
    Decimal::from(1_000_000_000_000_000_i64)
}

/// The policy as stored, checked again (a row written by an older version is refused rather
/// than half-applied).
pub fn of_json(value: &serde_json::Value) -> DomainResult<Policy> {
    let policy: Policy = serde_json::from_value(value.clone())
        .map_err(|e| DomainError::Internal(format!("stored reward policy unreadable: {e}")))?;
    policy.check()?;
    Ok(policy)
}

/// A cycle's policy, if HR has set one.
pub async fn of_cycle(db: &impl ConnectionTrait, cycle_id: Uuid) -> DomainResult<Option<Policy>> {
    match reward_policy::Entity::find_by_id(cycle_id).one(db).await? {
        Some(row) => Ok(Some(of_json(&row.policy)?)),
        None => Ok(None),
    }
}

/// HR reads a cycle's policy.
pub async fn get(ctx: &Ctx, viewer: &Viewer, cycle_id: Uuid) -> DomainResult<Option<Policy>> {
    require_hr(viewer, "read reward policies")?;
    crate::query::find::<cycle::Entity>(&ctx.db, cycle_id, "cycle").await?;
    of_cycle(&ctx.db, cycle_id).await
}

/// Checks that every budget names a department that exists.
pub async fn check_departments(db: &impl ConnectionTrait, policy: &Policy) -> DomainResult<()> {
    let ids: Vec<Uuid> = policy.budgets.iter().map(|b| b.department_id).collect();
    let found = crate::employees::departments_by_ids(db, &ids).await?;
    for (i, b) in policy.budgets.iter().enumerate() {
        if !found.contains_key(&b.department_id) {
            return Err(DomainError::bad(
                format!("budgets[{i}].departmentId"),
                "no such department",
            ));
        }
    }
    Ok(())
}

/// HR sets a cycle's policy (audited). Runs already queued keep the policy they started with.
pub async fn set(
    ctx: &Ctx,
    viewer: &Viewer,
    cycle_id: Uuid,
    policy: Policy,
) -> DomainResult<Policy> {
    require_hr(viewer, "set reward policies")?;
    policy.check()?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let cycle = crate::query::find::<cycle::Entity>(&txn, cycle_id, "cycle").await?;
    if cycle.phase == entity::values::CyclePhase::Closed {
        return Err(DomainError::conflict("the cycle is closed"));
    }
    check_departments(&txn, &policy).await?;
    let before = reward_policy::Entity::find_by_id(cycle_id)
        .one(&txn)
        .await?;
    let value = serde_json::to_value(&policy)
        .map_err(|e| DomainError::Internal(format!("reward policy: {e}")))?;
    reward_policy::Entity::insert(reward_policy::ActiveModel {
        cycle_id: Set(cycle_id),
        policy: Set(value.clone()),
        updated_by: Set(Some(viewer.id())),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(reward_policy::Column::CycleId)
            .update_columns([
                reward_policy::Column::Policy,
                reward_policy::Column::UpdatedBy,
                reward_policy::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "reward_policy.set",
            entity: "cycle",
            entity_id: cycle_id,
            before: before.map(|b| b.policy),
            after: Some(json!(value)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(policy)
}
