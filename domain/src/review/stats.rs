//! Calibration statistics for HR over one review round.
//!
//! Rating distributions (overall, per manager and per department) against a
//! target distribution, manager leniency as z-scores of the manager ratings,
//! gaps between self and manager ratings, and a nine-box grid of performance
//! against potential. All arithmetic is exact decimal arithmetic; values are
//! rounded half-even only for output.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::score::{clamp_rating, clamp_scale, round_half_even};

/// Stop Newton's method once successive estimates differ by less than 1e-12.
const SQRT_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 12);
/// Upper bound on Newton iterations for a square root.
const SQRT_MAX_ITERATIONS: usize = 50;

/// A person's assessed potential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Potential {
    /// Low potential.
    Low,
    /// Medium potential.
    Medium,
    /// High potential.
    High,
}

/// Performance band of a rating; see [`band`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Band {
    /// Below the middle of the scale.
    Low,
    /// Exactly the middle of the scale (odd scales only).
    Medium,
    /// Above the middle of the scale.
    High,
}

/// One person in the round, as seen by calibration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rated {
    /// The person.
    pub employee_id: Uuid,
    /// The person's manager, if any.
    pub manager_id: Option<Uuid>,
    /// The person's department, if any.
    pub department_id: Option<Uuid>,
    /// Final rating (calibrated, else proposed), if any; clamped to
    /// `1..=scale_max`.
    pub rating: Option<u8>,
    /// The manager component of the person's score, if any; clamped to
    /// `1..=scale_max`.
    pub manager_rating: Option<Decimal>,
    /// The self component of the person's score, if any; clamped to
    /// `1..=scale_max`.
    pub self_rating: Option<Decimal>,
    /// The person's assessed potential, if any.
    pub potential: Option<Potential>,
}

/// How many people received one point of the scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// The point of the scale.
    pub rating: u8,
    /// Number of people with this final rating.
    pub count: u32,
    /// `count / rated`, rounded to 4 dp half-even; 0 when nobody is rated.
    pub share: Decimal,
    /// Target share for this point as given (the first entry for the point);
    /// 0 if the target has none.
    pub target_share: Decimal,
}

/// Distribution of final ratings over a set of people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// Number of people with a final rating.
    pub rated: u32,
    /// Number of people without a final rating.
    pub unrated: u32,
    /// One bucket per point `1..=scale_max`, ascending.
    pub buckets: Vec<Bucket>,
}

/// The distribution of one group (a manager's team or a department).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDistribution {
    /// The manager or department.
    pub id: Uuid,
    /// Distribution of the final ratings of the group's people.
    pub distribution: Distribution,
}

/// How a manager's ratings compare with the organisation's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leniency {
    /// The manager.
    pub manager_id: Uuid,
    /// Number of manager ratings this manager gave.
    pub ratings: u32,
    /// Mean of those ratings, rounded to 2 dp half-even.
    pub mean: Decimal,
    /// `(mean − org mean) / org std dev`, rounded to 2 dp half-even; `None`
    /// when the organisation's standard deviation is 0 (which includes fewer
    /// than 2 manager ratings in the organisation).
    pub z_score: Option<Decimal>,
}

/// Difference between a person's self rating and their manager's rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfGap {
    /// The person.
    pub employee_id: Uuid,
    /// The self rating.
    pub self_rating: Decimal,
    /// The manager rating.
    pub manager_rating: Decimal,
    /// `self_rating − manager_rating`; positive when the person rates
    /// themselves higher than their manager does.
    pub gap: Decimal,
}

/// One cell of the nine-box grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NineBox {
    /// Performance band of the final rating.
    pub performance: Band,
    /// Assessed potential.
    pub potential: Potential,
    /// Number of people in this cell.
    pub count: u32,
}

/// Calibration statistics for one review round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calibration {
    /// Distribution over everyone.
    pub overall: Distribution,
    /// Distribution per manager (people without a manager are left out),
    /// sorted by manager id.
    pub by_manager: Vec<GroupDistribution>,
    /// Distribution per department (people without a department are left
    /// out), sorted by department id.
    pub by_department: Vec<GroupDistribution>,
    /// Leniency per manager who gave at least one manager rating, sorted by
    /// manager id.
    pub leniency: Vec<Leniency>,
    /// Mean of every manager rating in the input, rounded to 2 dp half-even;
    /// `None` without manager ratings.
    pub org_manager_mean: Option<Decimal>,
    /// Population standard deviation of every manager rating in the input,
    /// rounded to 2 dp half-even; `None` without manager ratings.
    pub org_manager_std_dev: Option<Decimal>,
    /// Gaps of everyone with both a self and a manager rating, sorted by gap
    /// descending, then by employee id.
    pub self_gaps: Vec<SelfGap>,
    /// Mean of the gaps, rounded to 2 dp half-even; `None` without gaps.
    pub mean_self_gap: Option<Decimal>,
    /// Always nine cells: performance Low, Medium, High, each with potential
    /// Low, Medium, High.
    pub nine_box: Vec<NineBox>,
    /// People left out of the nine-box for lack of a final rating or of a
    /// potential.
    pub unboxed: u32,
}

/// Computes the calibration statistics of a round.
///
/// `scale_max` is clamped to `3..=10` and every rating to `1..=scale_max`.
/// `target` maps points of the scale to target shares (fractions); points
/// outside the scale are ignored.
///
/// Leniency groups the manager ratings by `manager_id` (people without one
/// are not grouped); the organisation's mean and population standard
/// deviation are taken over every manager rating in the input, including
/// those of people without a manager id. Means, deviations and z-scores are
/// computed at full precision and rounded only for output.
#[must_use]
pub fn calibrate(people: &[Rated], scale_max: u8, target: &[(u8, Decimal)]) -> Calibration {
    let scale_max = clamp_scale(scale_max);
    let final_ratings = || people.iter().map(|p| final_rating(p, scale_max));
    let group_by = |key: fn(&Rated) -> Option<Uuid>| -> Vec<GroupDistribution> {
        let mut groups: BTreeMap<Uuid, Vec<Option<u8>>> = BTreeMap::new();
        for (person, rating) in people.iter().zip(final_ratings()) {
            if let Some(id) = key(person) {
                groups.entry(id).or_default().push(rating);
            }
        }
        groups
            .into_iter()
            .map(|(id, ratings)| GroupDistribution {
                id,
                distribution: distribution(ratings, scale_max, target),
            })
            .collect()
    };

    let org_ratings: Vec<Decimal> = people
        .iter()
        .filter_map(|p| manager_rating(p, scale_max))
        .collect();
    let org_mean = mean(&org_ratings);
    let org_std_dev = population_std_dev(&org_ratings);

    let self_gaps = self_gaps(people, scale_max);
    let gaps: Vec<Decimal> = self_gaps.iter().map(|g| g.gap).collect();
    let (nine_box, unboxed) = nine_box(people, scale_max);

    Calibration {
        overall: distribution(final_ratings(), scale_max, target),
        by_manager: group_by(|person| person.manager_id),
        by_department: group_by(|person| person.department_id),
        leniency: leniency(people, scale_max, org_mean, org_std_dev),
        org_manager_mean: org_mean.map(|m| round_half_even(m, 2)),
        org_manager_std_dev: org_std_dev.map(|s| round_half_even(s, 2)),
        self_gaps,
        mean_self_gap: mean(&gaps).map(|m| round_half_even(m, 2)),
        nine_box,
        unboxed,
    }
}

/// Performance band of a rating on a `1..=scale_max` scale.
///
/// With `mid = (1 + scale_max) / 2`: Low if `rating < mid`, Medium if
/// `rating == mid`, High if `rating > mid` (compared exactly, as
/// `2·rating` against `1 + scale_max`). Odd scales have one Medium point:
/// 3 → 1 Low, 2 Medium, 3 High; 5 → 1–2 Low, 3 Medium, 4–5 High. Even scales
/// have a non-integer middle and so no Medium: 4 → 1–2 Low, 3–4 High;
/// 10 → 1–5 Low, 6–10 High.
#[must_use]
pub fn band(rating: u8, scale_max: u8) -> Band {
    let twice_rating = 2 * u16::from(rating);
    let twice_mid = 1 + u16::from(scale_max);
    match twice_rating.cmp(&twice_mid) {
        Ordering::Less => Band::Low,
        Ordering::Equal => Band::Medium,
        Ordering::Greater => Band::High,
    }
}

/// The person's final rating clamped to `1..=scale_max`.
fn final_rating(person: &Rated, scale_max: u8) -> Option<u8> {
    person.rating.map(|r| r.clamp(1, scale_max))
}

/// The person's manager rating clamped to `1..=scale_max`.
fn manager_rating(person: &Rated, scale_max: u8) -> Option<Decimal> {
    person.manager_rating.map(|r| clamp_rating(r, scale_max))
}

/// Leniency of every manager who gave a manager rating, sorted by manager id.
fn leniency(
    people: &[Rated],
    scale_max: u8,
    org_mean: Option<Decimal>,
    org_std_dev: Option<Decimal>,
) -> Vec<Leniency> {
    let mut per_manager: BTreeMap<Uuid, Vec<Decimal>> = BTreeMap::new();
    for person in people {
        if let (Some(id), Some(rating)) = (person.manager_id, manager_rating(person, scale_max)) {
            per_manager.entry(id).or_default().push(rating);
        }
    }
    per_manager
        .into_iter()
        .filter_map(|(manager_id, ratings)| {
            let manager_mean = mean(&ratings)?;
            let z_score = match (org_mean, org_std_dev) {
                (Some(org_mean), Some(std_dev)) if !std_dev.is_zero() => {
                    Some(round_half_even((manager_mean - org_mean) / std_dev, 2))
                }
                _ => None,
            };
            Some(Leniency {
                manager_id,
                ratings: count(ratings.len()),
                mean: round_half_even(manager_mean, 2),
                z_score,
            })
        })
        .collect()
}

/// Self gaps of everyone with both ratings, gap descending then employee id.
fn self_gaps(people: &[Rated], scale_max: u8) -> Vec<SelfGap> {
    let mut gaps: Vec<SelfGap> = people
        .iter()
        .filter_map(|person| {
            let self_rating = clamp_rating(person.self_rating?, scale_max);
            let manager_rating = manager_rating(person, scale_max)?;
            Some(SelfGap {
                employee_id: person.employee_id,
                self_rating,
                manager_rating,
                gap: self_rating - manager_rating,
            })
        })
        .collect();
    gaps.sort_by(|a, b| {
        b.gap
            .cmp(&a.gap)
            .then_with(|| a.employee_id.cmp(&b.employee_id))
    });
    gaps
}

/// The nine cells of the grid, and how many people fit in none of them.
fn nine_box(people: &[Rated], scale_max: u8) -> (Vec<NineBox>, u32) {
    let mut cells: Vec<NineBox> = [Band::Low, Band::Medium, Band::High]
        .into_iter()
        .flat_map(|performance| {
            [Potential::Low, Potential::Medium, Potential::High]
                .into_iter()
                .map(move |potential| NineBox {
                    performance,
                    potential,
                    count: 0,
                })
        })
        .collect();
    let mut unboxed = 0;
    for person in people {
        let cell = final_rating(person, scale_max)
            .zip(person.potential)
            .and_then(|(rating, potential)| {
                let performance = band(rating, scale_max);
                cells
                    .iter_mut()
                    .find(|c| c.performance == performance && c.potential == potential)
            });
        match cell {
            Some(cell) => cell.count += 1,
            None => unboxed += 1,
        }
    }
    (cells, unboxed)
}

/// Distribution of (already clamped) final ratings against the target.
fn distribution(
    ratings: impl IntoIterator<Item = Option<u8>>,
    scale_max: u8,
    target: &[(u8, Decimal)],
) -> Distribution {
    let mut counts = vec![0u32; usize::from(scale_max)];
    let mut unrated = 0;
    for rating in ratings {
        match rating {
            Some(rating) => counts[usize::from(rating - 1)] += 1,
            None => unrated += 1,
        }
    }
    let rated: u32 = counts.iter().sum();
    let buckets = (1..=scale_max)
        .zip(counts)
        .map(|(rating, count)| Bucket {
            rating,
            count,
            share: if rated == 0 {
                Decimal::ZERO
            } else {
                round_half_even(Decimal::from(count) / Decimal::from(rated), 4)
            },
            target_share: target
                .iter()
                .find(|(point, _)| *point == rating)
                .map_or(Decimal::ZERO, |&(_, share)| share),
        })
        .collect();
    Distribution {
        rated,
        unrated,
        buckets,
    }
}

/// A collection length as a count, saturating at `u32::MAX`.
fn count(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// Arithmetic mean at full precision; `None` for no values.
fn mean(values: &[Decimal]) -> Option<Decimal> {
    (!values.is_empty()).then(|| values.iter().sum::<Decimal>() / Decimal::from(values.len()))
}

/// Population standard deviation at full precision; `None` for no values.
fn population_std_dev(values: &[Decimal]) -> Option<Decimal> {
    let centre = mean(values)?;
    let squares: Vec<Decimal> = values
        .iter()
        .map(|&v| (v - centre) * (v - centre))
        .collect();
    mean(&squares).map(sqrt)
}

/// Square root by Newton's method, stopping when successive estimates differ
/// by less than 1e-12 or after 50 iterations; 0 for non-positive input.
fn sqrt(value: Decimal) -> Decimal {
    if value <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let mut estimate = value.max(Decimal::ONE);
    for _ in 0..SQRT_MAX_ITERATIONS {
        let next = (estimate + value / estimate) / Decimal::TWO;
        let step = (next - estimate).abs();
        estimate = next;
        if step < SQRT_TOLERANCE {
            break;
        }
    }
    estimate
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
