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

/// One reward of a person's: the amount after any budget fit, and before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub kind: RewardKind,
    /// Money in the pay's currency (rounded), or days for PTO.
    pub amount: Decimal,
    /// Before the budget fit.
    pub proposed: Decimal,
    /// The inputs and steps, for the letter and for HR.
    pub details: Value,
    pub rationale: String,
}

/// One person's calculation, before any budget fit: what a run stores of it (a reward line)
/// and every reward is written from.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub rating: i32,
    pub currency: Currency,
    pub salary: Decimal,
    pub target_pct: Decimal,
    pub range_max: Option<Decimal>,
    /// Salary ÷ the range's midpoint, to four places (none without a range).
    pub compa_ratio: Option<Decimal>,
    /// The merit matrix's compa-ratio band.
    pub band: usize,
    pub employed_days: i64,
    /// The raise, merit increase and lump sum together; none for someone who left before
    /// the cycle's end.
    pub raise: Option<Decimal>,
    pub bonus: Decimal,
    /// Days off (none for a leaver).
    pub pto: Decimal,
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
    Ok(match assess(policy, span, person)? {
        Some(a) => proposals(policy, span, &a, a.raise.unwrap_or_default(), a.bonus),
        None => Vec::new(),
    })
}

/// Someone's calculation, or why they get nothing; none when the policy has no rule for
/// their rating.
pub fn assess(policy: &Policy, span: Span, person: &Person) -> Result<Option<Assessment>, Skip> {
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
        return Ok(None);
    };
    let cur = pay.currency;
    let hundred = Decimal::from(100);
    let band = policy.band(pay.salary, pay.range.map(|r| r.mid));
    // Merit: the matrix's % for the rating and compa-ratio band, capped; a leaver gets none.
    let raise =
        (!left_early).then(|| cur.round(pay.salary * applied_pct(policy, rating, band) / hundred));
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
    // Days off are for the year ahead: someone who left gets none.
    let pto = if left_early {
        Decimal::ZERO
    } else {
        rule.pto_days.0.normalize()
    };
    Ok(Some(Assessment {
        rating,
        currency: cur,
        salary: pay.salary,
        target_pct: pay.bonus_target_pct,
        range_max: pay.range.map(|r| r.max),
        compa_ratio: pay.range.map(|r| (pay.salary / r.mid).round_dp(4)),
        band,
        employed_days: employed,
        raise,
        bonus,
        pto,
    }))
}

/// The matrix's raise % for `rating` in `band`, before the cap.
fn matrix_pct(policy: &Policy, rating: i32, band: usize) -> Decimal {
    policy
        .rule(rating)
        .and_then(|r| r.raise_pcts.get(band))
        .map_or(Decimal::ZERO, |p| p.0)
}

/// The raise % applied: the matrix's, capped.
fn applied_pct(policy: &Policy, rating: i32, band: usize) -> Decimal {
    let pct = matrix_pct(policy, rating, band);
    match &policy.raise_cap_pct {
        Some(cap) => pct.min(cap.0),
        None => pct,
    }
}

/// Which rewards an assessment holds, as a line's `kinds` bits (1 merit increase, 2 lump
/// sum, 4 bonus, 8 days off): those whose amount before any fit is above zero.
pub fn kinds_of(a: &Assessment) -> i16 {
    let (merit, lump) = match a.raise {
        Some(r) => split_raise(r, a.salary, a.range_max),
        None => (Decimal::ZERO, Decimal::ZERO),
    };
    [merit, lump, a.bonus, a.pto]
        .iter()
        .enumerate()
        .filter(|(_, x)| **x > Decimal::ZERO)
        .fold(0, |bits, (i, _)| bits | (1 << i))
}

/// The rewards of an assessment with the raise and bonus as a budget fit left them (the
/// kinds are those it proposed, each with its details and rationale).
pub fn proposals(
    policy: &Policy,
    span: Span,
    a: &Assessment,
    raise: Decimal,
    bonus: Decimal,
) -> Vec<Proposal> {
    let mut out = Vec::new();
    let rating = a.rating;
    let kinds = kinds_of(a);
    if let Some(proposed_raise) = a.raise {
        let pct = matrix_pct(policy, rating, a.band);
        let capped = applied_pct(policy, rating, a.band);
        let details = json!({
            "salary": a.salary.normalize().to_string(),
            "compaRatio": a.compa_ratio.map(|c| c.normalize().to_string()),
            "band": a.band,
            "raisePct": pct.normalize().to_string(),
            "appliedPct": capped.normalize().to_string(),
            "raise": proposed_raise.to_string(),
            "rangeMax": a.range_max.map(|m| m.normalize().to_string()),
        });
        let capped_note = if capped < pct {
            format!(" (capped from {}%)", pct.normalize())
        } else {
            String::new()
        };
        let (merit, lump) = split_raise(raise, a.salary, a.range_max);
        let (proposed_merit, proposed_lump) = split_raise(proposed_raise, a.salary, a.range_max);
        if kinds & 1 != 0 {
            out.push(Proposal {
                kind: RewardKind::MeritIncrease,
                amount: merit,
                proposed: proposed_merit,
                details: details.clone(),
                rationale: format!(
                    "rating {rating}, {}% raise{capped_note}",
                    capped.normalize()
                ),
            });
        }
        if kinds & 2 != 0 {
            out.push(Proposal {
                kind: RewardKind::LumpSum,
                amount: lump,
                proposed: proposed_lump,
                details,
                rationale: format!(
                    "the part of a {}% raise above the pay range's maximum, paid once",
                    capped.normalize()
                ),
            });
        }
    }
    if kinds & 4 != 0 {
        let rule = policy.rule(rating);
        out.push(Proposal {
            kind: RewardKind::Bonus,
            amount: bonus,
            proposed: a.bonus,
            details: json!({
                "salary": a.salary.normalize().to_string(),
                "targetPct": a.target_pct.normalize().to_string(),
                "companyMultiplier": policy.company_multiplier.0.normalize().to_string(),
                "ratingMultiplier": rule.map(|r| r.bonus_multiplier.0.normalize().to_string()),
                "employedDays": a.employed_days,
                "cycleDays": span.days(),
            }),
            rationale: if a.employed_days < span.days() {
                format!(
                    "rating {rating}; employed {} of the cycle's {} days",
                    a.employed_days,
                    span.days()
                )
            } else {
                format!("rating {rating}")
            },
        });
    }
    if kinds & 8 != 0 {
        out.push(Proposal {
            kind: RewardKind::Pto,
            amount: a.pto,
            proposed: a.pto,
            details: json!({ "days": a.pto.to_string() }),
            rationale: format!("rating {rating}"),
        });
    }
    out
}
