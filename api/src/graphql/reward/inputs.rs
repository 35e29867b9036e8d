//! Inputs of the reward stage.

use super::types::{RewardKind, RewardStatus};
use crate::graphql::errors::GqlResult;
use crate::graphql::{parse_id, parse_opt_id};
use async_graphql::{ID, InputObject};
use chrono::NaiveDate;
use domain::reward::compensation::{GradeInput, PayInput};
use domain::reward::policy::{Budget, Policy, RatingRule};
use domain::reward::read::RewardFilter;
use domain::reward::recognition::{AwardInput, PromotionInput};
use domain::values::DecimalText;
use rust_decimal::Decimal;

/// A pay grade (created, or changed when the code exists).
#[derive(InputObject)]
pub struct PayGradeInput {
    pub code: String,
    pub name: String,
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
    pub range_min: Decimal,
    pub range_mid: Decimal,
    pub range_max: Decimal,
}

impl PayGradeInput {
    pub fn into_domain(self) -> GradeInput {
        GradeInput {
            code: self.code,
            name: self.name,
            currency: self.currency,
            range_min: self.range_min,
            range_mid: self.range_mid,
            range_max: self.range_max,
        }
    }
}

/// Someone's pay from a date on.
#[derive(InputObject)]
pub struct SetCompensationInput {
    pub employee_id: ID,
    pub effective_on: NaiveDate,
    /// Yearly, in `currency`.
    pub base_salary: Decimal,
    pub currency: String,
    /// Percent of base salary.
    pub bonus_target_pct: Decimal,
    pub pay_grade_id: Option<ID>,
    #[graphql(default)]
    pub reason: String,
}

impl SetCompensationInput {
    pub fn into_domain(self) -> GqlResult<PayInput> {
        Ok(PayInput {
            employee_id: parse_id("employeeId", &self.employee_id)?,
            effective_on: self.effective_on,
            base_salary: self.base_salary,
            currency: self.currency,
            bonus_target_pct: self.bonus_target_pct,
            pay_grade_id: parse_opt_id("payGradeId", self.pay_grade_id.as_ref())?,
            reason: self.reason,
        })
    }
}

/// What one final rating earns.
#[derive(InputObject)]
pub struct RatingRuleInput {
    pub rating: i32,
    /// Raise % per compa-ratio band, lowest band first (one more than `compaBands`).
    pub raise_pcts: Vec<Decimal>,
    pub bonus_multiplier: Decimal,
    #[graphql(default)]
    pub pto_days: Decimal,
}

/// A department's budget pools in one currency; a pool left out has no limit.
#[derive(InputObject)]
pub struct BudgetInput {
    pub department_id: ID,
    pub currency: String,
    pub merit_pool: Option<Decimal>,
    pub bonus_pool: Option<Decimal>,
}

/// A cycle's reward policy.
#[derive(InputObject)]
pub struct RewardPolicyInput {
    /// Upper bounds of every compa-ratio band but the last, ascending (`[0.9, 1.1]`: three
    /// bands).
    pub compa_bands: Vec<Decimal>,
    pub ratings: Vec<RatingRuleInput>,
    pub company_multiplier: Decimal,
    pub raise_cap_pct: Option<Decimal>,
    #[graphql(default)]
    pub min_tenure_days: i32,
    #[graphql(default = true)]
    pub require_active_at_cycle_end: bool,
    /// When raises take effect (the day after the cycle ends when left out).
    pub effective_on: Option<NaiveDate>,
    #[graphql(default)]
    pub budgets: Vec<BudgetInput>,
}

impl RewardPolicyInput {
    pub fn into_domain(self) -> GqlResult<Policy> {
        let budgets = self
            .budgets
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                Ok(Budget {
                    department_id: parse_id(
                        &format!("budgets[{i}].departmentId"),
                        &b.department_id,
                    )?,
                    currency: b.currency,
                    merit_pool: b.merit_pool.map(DecimalText),
                    bonus_pool: b.bonus_pool.map(DecimalText),
                })
            })
            .collect::<GqlResult<Vec<_>>>()?;
        Ok(Policy {
            compa_bands: self.compa_bands.into_iter().map(DecimalText).collect(),
            ratings: self
                .ratings
                .into_iter()
                .map(|r| RatingRule {
                    rating: r.rating,
                    raise_pcts: r.raise_pcts.into_iter().map(DecimalText).collect(),
                    bonus_multiplier: DecimalText(r.bonus_multiplier),
                    pto_days: DecimalText(r.pto_days),
                })
                .collect(),
            company_multiplier: DecimalText(self.company_multiplier),
            raise_cap_pct: self.raise_cap_pct.map(DecimalText),
            min_tenure_days: self.min_tenure_days,
            require_active_at_cycle_end: self.require_active_at_cycle_end,
            effective_on: self.effective_on,
            budgets,
        })
    }
}

/// Starts a reward run.
#[derive(InputObject)]
pub struct StartRewardRunInput {
    pub cycle_id: ID,
    /// A what-if: computes without changing anything, comparable with the last real run.
    #[graphql(default)]
    pub preview: bool,
    /// A preview's policy, instead of the cycle's.
    pub policy: Option<RewardPolicyInput>,
}

/// Approves a completed run's rewards (all, or one department's), or one spot award.
#[derive(InputObject)]
pub struct ApproveRewardsInput {
    pub run_id: Option<ID>,
    pub department_id: Option<ID>,
    /// A spot award instead of a run.
    pub award_id: Option<ID>,
    /// An award only: false declines it.
    #[graphql(default = true)]
    pub approve: bool,
}

/// Which rewards to list.
#[derive(InputObject, Default)]
pub struct RewardFilterInput {
    pub run_id: Option<ID>,
    pub cycle_id: Option<ID>,
    pub employee_id: Option<ID>,
    pub department_id: Option<ID>,
    pub kind: Option<RewardKind>,
    pub status: Option<RewardStatus>,
}

impl RewardFilterInput {
    pub fn into_domain(self) -> GqlResult<RewardFilter> {
        Ok(RewardFilter {
            run_id: parse_opt_id("filter.runId", self.run_id.as_ref())?,
            cycle_id: parse_opt_id("filter.cycleId", self.cycle_id.as_ref())?,
            employee_id: parse_opt_id("filter.employeeId", self.employee_id.as_ref())?,
            department_id: parse_opt_id("filter.departmentId", self.department_id.as_ref())?,
            kind: self.kind.map(Into::into),
            status: self.status.map(Into::into),
        })
    }
}

/// A spot award: money (with its currency), paid days off, or neither.
#[derive(InputObject)]
pub struct GiveAwardInput {
    pub employee_id: ID,
    pub cycle_id: ID,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    pub pto_days: Option<Decimal>,
    pub reason: String,
}

impl GiveAwardInput {
    pub fn into_domain(self) -> GqlResult<AwardInput> {
        Ok(AwardInput {
            employee_id: parse_id("employeeId", &self.employee_id)?,
            cycle_id: parse_id("cycleId", &self.cycle_id)?,
            amount: self.amount,
            currency: self.currency,
            pto_days: self.pto_days,
            reason: self.reason,
        })
    }
}

/// A promotion recommendation.
#[derive(InputObject)]
pub struct RecommendPromotionInput {
    pub employee_id: ID,
    pub title: String,
    pub job_profile_id: Option<ID>,
    pub rationale: String,
}

impl RecommendPromotionInput {
    pub fn into_domain(self) -> GqlResult<PromotionInput> {
        Ok(PromotionInput {
            employee_id: parse_id("employeeId", &self.employee_id)?,
            title: self.title,
            job_profile_id: parse_opt_id("jobProfileId", self.job_profile_id.as_ref())?,
            rationale: self.rationale,
        })
    }
}

/// HR's decision on a promotion recommendation.
#[derive(InputObject)]
pub struct DecidePromotionInput {
    pub id: ID,
    pub approve: bool,
    #[graphql(default)]
    pub note: String,
}

/// A manager's note for someone's reward letter.
#[derive(InputObject)]
pub struct RewardNoteInput {
    pub cycle_id: ID,
    pub employee_id: ID,
    pub note: String,
}
