//! One person's rewards under a policy, pure: eligibility, the merit raise (matrix, cap, and a
//! lump sum for the part above the range maximum), the bonus (target × company multiplier ×
//! rating multiplier × proration) and PTO. Exact decimals throughout, each amount rounded
//! half-even to the currency's minor unit once, at the end. Worked examples in `calc_tests.rs`.

use super::money::Currency;
use super::policy::Policy;
use chrono::NaiveDate;
use entity::values::RewardKind;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// A cycle's first and last day.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Span {
    /// Days in the cycle, both ends included.
    pub fn days(self) -> i64 {
        (self.ends_on - self.starts_on).num_days() + 1
    }
}

/// A pay grade's range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: Decimal,
    pub mid: Decimal,
    pub max: Decimal,
}

/// Someone's pay as of the cycle's end (or their last day).
#[derive(Debug, Clone, PartialEq)]
pub struct Pay {
    pub salary: Decimal,
    pub currency: Currency,
    pub bonus_target_pct: Decimal,
    /// Their grade's range, when the grade is in the same currency.
    pub range: Option<Range>,
}

/// What the calculation needs to know about one person.
#[derive(Debug, Clone)]
pub struct Person {
    pub hired_on: NaiveDate,
    /// Their last day, if they left.
    pub left_on: Option<NaiveDate>,
    /// Marked as left without a recorded day (before leaving dates were kept).
    pub left_undated: bool,
    /// Their released final rating.
    pub rating: Option<i32>,
    pub pay: Option<Pay>,
    /// An earlier run's rewards for them are approved: those stand.
    pub already_approved: bool,
}

/// Why someone gets nothing from a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Skip {
    AlreadyApproved,
    NoCompensation,
    NoRating,
    LeftBeforeCycleEnd,
    TenureTooShort,
    NotEmployedInCycle,
}

impl Skip {
    /// The name reports and the API use.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::AlreadyApproved => "ALREADY_APPROVED",
            Skip::NoCompensation => "NO_COMPENSATION",
            Skip::NoRating => "NO_RATING",
            Skip::LeftBeforeCycleEnd => "LEFT_BEFORE_CYCLE_END",
            Skip::TenureTooShort => "TENURE_TOO_SHORT",
            Skip::NotEmployedInCycle => "NOT_EMPLOYED_IN_CYCLE",
        }
    }
}

/// One proposed reward, before any budget fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub kind: RewardKind,
    /// Money in the pay's currency (rounded), or days for PTO.
    pub amount: Decimal,
    /// The inputs and steps, for the letter and for HR.
    pub details: Value,
    pub rationale: String,
}

/// The part of the calculation a budget fit redoes: a raise split at the range maximum.
pub fn split_raise(
    raise: Decimal,
    salary: Decimal,
    range_max: Option<Decimal>,
) -> (Decimal, Decimal) {
    match range_max {
        Some(max) => {
            let headroom = (max - salary).max(Decimal::ZERO);
            let merit = raise.min(headroom);
            (merit, raise - merit)
        }
        None => (raise, Decimal::ZERO),
    }
}

/// Someone's rewards, or why they get none. Zero amounts are left out.
pub fn compute(policy: &Policy, span: Span, person: &Person) -> Result<Vec<Proposal>, Skip> {
    if person.already_approved {
        return Err(Skip::AlreadyApproved);
    }
    let first = person.hired_on.max(span.starts_on);
    let last = match person.left_on {
        Some(l) => l.min(span.ends_on),
        None => span.ends_on,
    };
    if person.hired_on > span.ends_on || last < first || person.left_undated {
        return Err(if person.hired_on > span.ends_on {
            Skip::NotEmployedInCycle
        } else {
            Skip::LeftBeforeCycleEnd
        });
    }
    let left_early = person.left_on.is_some_and(|l| l < span.ends_on);
    if policy.require_active_at_cycle_end && left_early {
        return Err(Skip::LeftBeforeCycleEnd);
    }
    let tenure = (span.ends_on - person.hired_on).num_days() + 1;
    if tenure < i64::from(policy.min_tenure_days) {
        return Err(Skip::TenureTooShort);
    }
    let pay = person.pay.as_ref().ok_or(Skip::NoCompensation)?;
    let rating = person.rating.ok_or(Skip::NoRating)?;
    let Some(rule) = policy.rule(rating) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let cur = pay.currency;
    let hundred = Decimal::from(100);

    // Merit: the matrix's % for the rating and compa-ratio band, capped; a leaver gets none.
    if !left_early {
        let compa = pay.range.map(|r| pay.salary / r.mid);
        let band = policy.band(pay.salary, pay.range.map(|r| r.mid));
        let pct = rule.raise_pcts[band].0;
        let capped = match &policy.raise_cap_pct {
            Some(cap) => pct.min(cap.0),
            None => pct,
        };
        let raise = cur.round(pay.salary * capped / hundred);
        let (merit, lump) = split_raise(raise, pay.salary, pay.range.map(|r| r.max));
        let details = json!({
            "salary": pay.salary.normalize().to_string(),
            "compaRatio": compa.map(|c| c.round_dp(4).normalize().to_string()),
            "band": band,
            "raisePct": pct.normalize().to_string(),
            "appliedPct": capped.normalize().to_string(),
            "raise": raise.to_string(),
            "rangeMax": pay.range.map(|r| r.max.normalize().to_string()),
        });
        let capped_note = if capped < pct {
            format!(" (capped from {}%)", pct.normalize())
        } else {
            String::new()
        };
        if merit > Decimal::ZERO {
            out.push(Proposal {
                kind: RewardKind::MeritIncrease,
                amount: merit,
                details: details.clone(),
                rationale: format!(
                    "rating {rating}, {}% raise{capped_note}",
                    capped.normalize()
                ),
            });
        }
        if lump > Decimal::ZERO {
            out.push(Proposal {
                kind: RewardKind::LumpSum,
                amount: lump,
                details,
                rationale: format!(
                    "the part of a {}% raise above the pay range's maximum, paid once",
                    capped.normalize()
                ),
            });
        }
    }

    // Bonus: prorated by the days employed in the cycle.
    // One division, last: a result that is exactly half a minor unit stays exactly that.
    let employed = (last - first).num_days() + 1;
    let bonus = cur.round(
        pay.salary
            * pay.bonus_target_pct
            * policy.company_multiplier.0
            * rule.bonus_multiplier.0
            * Decimal::from(employed)
            / (hundred * Decimal::from(span.days())),
    );
    if bonus > Decimal::ZERO {
        out.push(Proposal {
            kind: RewardKind::Bonus,
            amount: bonus,
            details: json!({
                "salary": pay.salary.normalize().to_string(),
                "targetPct": pay.bonus_target_pct.normalize().to_string(),
                "companyMultiplier": policy.company_multiplier.0.normalize().to_string(),
                "ratingMultiplier": rule.bonus_multiplier.0.normalize().to_string(),
                "employedDays": employed,
                "cycleDays": span.days(),
            }),
            rationale: if employed < span.days() {
                format!(
                    "rating {rating}; employed {employed} of the cycle's {} days",
                    span.days()
                )
            } else {
                format!("rating {rating}")
            },
        });
    }
    // Days off are for the year ahead: someone who left gets none.
    if !left_early && rule.pto_days.0 > Decimal::ZERO {
        out.push(Proposal {
            kind: RewardKind::Pto,
            amount: rule.pto_days.0.normalize(),
            details: json!({ "days": rule.pto_days.0.normalize().to_string() }),
            rationale: format!("rating {rating}"),
        });
    }
    Ok(out)
}
