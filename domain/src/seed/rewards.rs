//! The reward stage's inputs for a generated organisation, for benchmarks and the crash test:
//! four pay grades, pay for everyone without any, a released final rating in the cycle's
//! annual round for everyone without one, a reward policy whose department budgets are tight
//! enough to be fitted (3 % of the department's salaries for raises, 9 % for bonuses), and
//! the cycle in REWARDING. The same seed value gives the same pay and ratings.

use super::bulk::Load;
use crate::Ctx;
use crate::error::{DomainError, DomainResult};
use crate::reward::policy::{Budget, Policy, RatingRule};
use crate::values::{CyclePhase, DecimalText, RoundKind};
use chrono::Duration;
use entity::{compensation, cycle, employee, pay_grade, review_rating, review_round};
use fastrand::Rng;
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// What was added.
#[derive(Debug, Clone, Default)]
pub struct RewardInputs {
    pub paid: usize,
    pub rated: usize,
    pub departments: usize,
}

/// (code, min, mid, max, bonus target %).
const GRADES: [(&str, i64, i64, i64, i64); 4] = [
    ("S1", 30_000, 40_000, 50_000, 8),
    ("S2", 45_000, 60_000, 75_000, 10),
    ("S3", 65_000, 85_000, 105_000, 12),
    ("S4", 90_000, 120_000, 150_000, 15),
];

/// Final ratings drawn 1–5 in these shares (per 100).
const RATING_SHARES: [(i32, u32); 5] = [(1, 5), (2, 15), (3, 50), (4, 22), (5, 8)];

/// The policy of generated organisations.
pub fn standard_policy(budgets: Vec<Budget>) -> Policy {
    let rule = |rating, pcts: [&str; 3], mult: &str, pto: &str| RatingRule {
        rating,
        raise_pcts: pcts.iter().map(|p| p.parse().unwrap_or_default()).collect(),
        bonus_multiplier: mult.parse().unwrap_or_default(),
        pto_days: pto.parse().unwrap_or_default(),
    };
    Policy {
        compa_bands: vec![
            DecimalText(Decimal::new(9, 1)),
            DecimalText(Decimal::new(11, 1)),
        ],
        ratings: vec![
            rule(5, ["8", "6", "4"], "1.5", "3"),
            rule(4, ["5", "4", "3"], "1.2", "1"),
            rule(3, ["3", "2.5", "2"], "1", "0"),
            rule(2, ["1", "0.5", "0"], "0.5", "0"),
            rule(1, ["0", "0", "0"], "0", "0"),
        ],
        company_multiplier: DecimalText(Decimal::new(11, 1)),
        raise_cap_pct: Some(DecimalText(Decimal::from(7))),
        min_tenure_days: 90,
        require_active_at_cycle_end: true,
        effective_on: None,
        budgets,
    }
}

/// Adds the reward stage's inputs to `cycle_id`'s organisation (everyone employed in it).
pub async fn reward_inputs(ctx: &Ctx, cycle_id: Uuid, seed: u64) -> DomainResult<RewardInputs> {
    let now = ctx.clock.now();
    let mut rng = Rng::with_seed(seed ^ 0x7265_7761_7264_0000);
    let cycle = crate::query::find::<cycle::Entity>(&ctx.db, cycle_id, "cycle").await?;
    let round = review_round::Entity::find()
        .filter(review_round::Column::CycleId.eq(cycle.id))
        .filter(review_round::Column::Kind.eq(RoundKind::Annual))
        .one(&ctx.db)
        .await?
        .ok_or_else(|| DomainError::conflict("the cycle has no annual round"))?;
    let people: Vec<(Uuid, Option<Uuid>, chrono::NaiveDate)> = employee::Entity::find()
        .select_only()
        .column(employee::Column::Id)
        .column(employee::Column::DepartmentId)
        .column(employee::Column::HiredOn)
        .filter(employee::Column::Active.eq(true))
        .filter(employee::Column::HiredOn.lte(cycle.ends_on))
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let paid: HashSet<Uuid> = compensation::Entity::find()
        .select_only()
        .column(compensation::Column::EmployeeId)
        .distinct()
        .into_tuple()
        .all(&ctx.db)
        .await?
        .into_iter()
        .collect();
    let rated: HashSet<Uuid> = review_rating::Entity::find()
        .select_only()
        .column(review_rating::Column::EmployeeId)
        .filter(review_rating::Column::RoundId.eq(round.id))
        .into_tuple()
        .all(&ctx.db)
        .await?
        .into_iter()
        .collect();
    let mut grades = Vec::new();
    for (code, min, mid, max, _) in GRADES {
        let code = format!("{code}-{seed}");
        let existing = pay_grade::Entity::find()
            .filter(pay_grade::Column::Code.eq(code.as_str()))
            .one(&ctx.db)
            .await?;
        let id = match existing {
            Some(g) => g.id,
            None => {
                let id = Uuid::from_u64_pair(rng.u64(..), rng.u64(..));
                pay_grade::Entity::insert(pay_grade::ActiveModel {
                    id: Set(id),
                    name: Set(format!("Grade {code}")),
                    code: Set(code),
                    currency: Set("EUR".into()),
                    range_min: Set(DecimalText(Decimal::from(min))),
                    range_mid: Set(DecimalText(Decimal::from(mid))),
                    range_max: Set(DecimalText(Decimal::from(max))),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(&ctx.db)
                .await?;
                id
            }
        };
        grades.push(id);
    }
    let mut load = Load::begin(&ctx.db).await?;
    let mut pay_rows = Vec::new();
    let mut rating_rows = Vec::new();
    let mut salaries: BTreeMap<Uuid, Decimal> = BTreeMap::new();
    let mut made = RewardInputs::default();
    for (id, department, hired_on) in &people {
        if !paid.contains(id) {
            let g = rng.usize(..GRADES.len());
            let (_, min, _, max, pct) = GRADES[g];
            // From 80 % of the minimum to 110 % of the maximum, in whole euros.
            let salary = Decimal::from(rng.i64(min * 8 / 10..=max * 11 / 10));
            if let Some(d) = department {
                *salaries.entry(*d).or_default() += salary;
            }
            pay_rows.push(compensation::ActiveModel {
                id: Set(Uuid::from_u64_pair(rng.u64(..), rng.u64(..))),
                employee_id: Set(*id),
                effective_on: Set((*hired_on).max(cycle.starts_on - Duration::days(365))),
                base_salary: Set(DecimalText(salary)),
                currency: Set("EUR".into()),
                bonus_target_pct: Set(DecimalText(Decimal::from(pct))),
                pay_grade_id: Set(Some(grades[g])),
                reason: Set("generated".into()),
                recorded_by: Set(None),
                recorded_at: Set(now),
            });
            made.paid += 1;
        }
        if !rated.contains(id) {
            let mut draw = rng.u32(..100);
            let mut rating = 3;
            for (r, share) in RATING_SHARES {
                if draw < share {
                    rating = r;
                    break;
                }
                draw -= share;
            }
            rating_rows.push(review_rating::ActiveModel {
                round_id: Set(round.id),
                employee_id: Set(*id),
                manager_id: Set(None),
                department_id: Set(*department),
                score: Set(None),
                score_version: Set("generated".into()),
                components: Set(json!([])),
                proposed_rating: Set(Some(rating)),
                final_rating: Set(Some(rating)),
                potential: Set(None),
                calibrated_by: Set(None),
                calibration_reason: Set(String::new()),
                calibrated_at: Set(None),
                released_at: Set(Some(now)),
                acknowledged_at: Set(None),
                acknowledgement: Set(String::new()),
                computed_at: Set(now),
            });
            made.rated += 1;
        }
        if pay_rows.len() >= 50_000 {
            load.insert(std::mem::take(&mut pay_rows)).await?;
        }
        if rating_rows.len() >= 50_000 {
            load.insert(std::mem::take(&mut rating_rows)).await?;
        }
    }
    load.insert(pay_rows).await?;
    load.insert(rating_rows).await?;
    load.commit().await?;
    let budgets: Vec<Budget> = salaries
        .iter()
        .map(|(d, total)| Budget {
            department_id: *d,
            currency: "EUR".into(),
            merit_pool: Some(DecimalText((total * Decimal::new(3, 2)).round_dp(2))),
            bonus_pool: Some(DecimalText((total * Decimal::new(9, 2)).round_dp(2))),
        })
        .collect();
    made.departments = budgets.len();
    let policy = standard_policy(budgets);
    policy.check()?;
    let value = serde_json::to_value(&policy)
        .map_err(|e| DomainError::Internal(format!("reward policy: {e}")))?;
    entity::reward_policy::Entity::insert(entity::reward_policy::ActiveModel {
        cycle_id: Set(cycle.id),
        policy: Set(value),
        updated_by: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(entity::reward_policy::Column::CycleId)
            .update_columns([
                entity::reward_policy::Column::Policy,
                entity::reward_policy::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&ctx.db)
    .await?;
    cycle::Entity::update_many()
        .col_expr(
            cycle::Column::Phase,
            sea_orm::sea_query::Expr::value(CyclePhase::Rewarding),
        )
        .filter(cycle::Column::Id.eq(cycle.id))
        .exec(&ctx.db)
        .await?;
    // Statistics for the planner, as after any bulk load.
    sea_orm::ConnectionTrait::execute_unprepared(&ctx.db, "ANALYZE").await?;
    Ok(made)
}
