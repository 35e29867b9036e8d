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
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    const MANAGER_A: u128 = 0xA;
    const MANAGER_B: u128 = 0xB;

    /// A person with nothing but an id.
    fn person(n: u128) -> Rated {
        Rated {
            employee_id: id(n),
            manager_id: None,
            department_id: None,
            rating: None,
            manager_rating: None,
            self_rating: None,
            potential: None,
        }
    }

    /// A person of `manager` with final rating and manager rating `rating`.
    fn rated_by(n: u128, manager: u128, rating: u8) -> Rated {
        Rated {
            manager_id: Some(id(manager)),
            rating: Some(rating),
            manager_rating: Some(Decimal::from(rating)),
            ..person(n)
        }
    }

    /// Manager A rates 4, 4, 5; manager B rates 2, 3.
    fn two_managers() -> Vec<Rated> {
        vec![
            rated_by(1, MANAGER_A, 4),
            rated_by(2, MANAGER_A, 4),
            rated_by(3, MANAGER_A, 5),
            rated_by(4, MANAGER_B, 2),
            rated_by(5, MANAGER_B, 3),
        ]
    }

    fn counts(distribution: &Distribution) -> Vec<u32> {
        distribution.buckets.iter().map(|b| b.count).collect()
    }

    fn shares(distribution: &Distribution) -> Vec<Decimal> {
        distribution.buckets.iter().map(|b| b.share).collect()
    }

    #[test]
    fn leniency_of_two_managers() {
        let calibration = calibrate(&two_managers(), 5, &[]);
        // Org mean (4 + 4 + 5 + 2 + 3) / 5 = 18 / 5 = 3.6.
        assert_eq!(calibration.org_manager_mean, Some(d("3.60")));
        // Deviations 0.4, 0.4, 1.4, −1.6, −0.6; squares 0.16 + 0.16 + 1.96 +
        // 2.56 + 0.36 = 5.2; variance 5.2 / 5 = 1.04; sqrt(1.04) = 1.0198039…
        assert_eq!(calibration.org_manager_std_dev, Some(d("1.02")));
        assert_eq!(
            calibration.leniency,
            [
                // A: 13 / 3 = 4.3333…; z = (4.3333… − 3.6) / 1.0198039… = 0.71909… → 0.72
                Leniency {
                    manager_id: id(MANAGER_A),
                    ratings: 3,
                    mean: d("4.33"),
                    z_score: Some(d("0.72")),
                },
                // B: 5 / 2 = 2.5; z = (2.5 − 3.6) / 1.0198039… = −1.07863… → −1.08
                Leniency {
                    manager_id: id(MANAGER_B),
                    ratings: 2,
                    mean: d("2.50"),
                    z_score: Some(d("-1.08")),
                },
            ]
        );
    }

    #[test]
    fn leniency_z_uses_full_precision() {
        // Rounded inputs would give (4.33 − 3.60) / 1.02 = 0.7156… → 0.72 too,
        // so check a case where they differ: A rates 4, 4, 4, 5 (mean 4.25);
        // B rates 1. Org mean 18 / 5 = 3.6; deviations 0.4 ×3, 1.4, −2.6;
        // squares 0.48 + 1.96 + 6.76 = 9.2; variance 1.84; sd 1.3564659…
        // z(A) = 0.65 / 1.3564659… = 0.47918… → 0.48
        // z(B) = −2.6 / 1.3564659… = −1.91674… → −1.92
        // (rounded: −2.6 / 1.36 = −1.9117… → −1.91)
        let people = [
            rated_by(1, MANAGER_A, 4),
            rated_by(2, MANAGER_A, 4),
            rated_by(3, MANAGER_A, 4),
            rated_by(4, MANAGER_A, 5),
            rated_by(5, MANAGER_B, 1),
        ];
        let calibration = calibrate(&people, 5, &[]);
        assert_eq!(calibration.org_manager_std_dev, Some(d("1.36")));
        let z: Vec<_> = calibration.leniency.iter().map(|l| l.z_score).collect();
        assert_eq!(z, [Some(d("0.48")), Some(d("-1.92"))]);
    }

    #[test]
    fn zero_std_dev_gives_no_z_score() {
        let people = [
            rated_by(1, MANAGER_A, 4),
            rated_by(2, MANAGER_B, 4),
            rated_by(3, MANAGER_B, 4),
        ];
        let calibration = calibrate(&people, 5, &[]);
        assert_eq!(calibration.org_manager_mean, Some(d("4.00")));
        assert_eq!(calibration.org_manager_std_dev, Some(Decimal::ZERO));
        assert!(calibration.leniency.iter().all(|l| l.z_score.is_none()));
        assert_eq!(calibration.leniency.len(), 2);
    }

    #[test]
    fn single_rating_gives_no_z_score() {
        let calibration = calibrate(&[rated_by(1, MANAGER_A, 3)], 5, &[]);
        assert_eq!(calibration.org_manager_std_dev, Some(Decimal::ZERO));
        assert_eq!(
            calibration.leniency,
            [Leniency {
                manager_id: id(MANAGER_A),
                ratings: 1,
                mean: d("3.00"),
                z_score: None,
            }]
        );
    }

    #[test]
    fn ratings_without_manager_count_for_the_org_only() {
        // A rates 2 and 4; a person without manager id has manager rating 3.
        // Org mean (2 + 4 + 3) / 3 = 3; variance (1 + 1 + 0) / 3 = 0.6666…;
        // sd 0.81649…; A mean 3 → z 0.
        let people = [
            rated_by(1, MANAGER_A, 2),
            rated_by(2, MANAGER_A, 4),
            Rated {
                manager_rating: Some(d("3")),
                ..person(3)
            },
        ];
        let calibration = calibrate(&people, 5, &[]);
        assert_eq!(calibration.org_manager_mean, Some(d("3.00")));
        assert_eq!(calibration.org_manager_std_dev, Some(d("0.82")));
        assert_eq!(calibration.leniency.len(), 1);
        assert_eq!(calibration.leniency[0].ratings, 2);
        assert_eq!(calibration.leniency[0].z_score, Some(Decimal::ZERO));
    }

    #[test]
    fn overall_distribution_with_target() {
        let mut people = two_managers();
        people.push(person(6)); // unrated
        let target = [
            (1, d("0.05")),
            (2, d("0.15")),
            (3, d("0.5")),
            (4, d("0.2")),
            (5, d("0.1")),
        ];
        let overall = calibrate(&people, 5, &target).overall;
        assert_eq!(overall.rated, 5);
        assert_eq!(overall.unrated, 1);
        // Ratings 4, 4, 5, 2, 3 → counts by point 1..=5: 0, 1, 1, 2, 1;
        // shares 0/5, 1/5, 1/5, 2/5, 1/5.
        assert_eq!(counts(&overall), [0, 1, 1, 2, 1]);
        assert_eq!(
            shares(&overall),
            [d("0"), d("0.2"), d("0.2"), d("0.4"), d("0.2")]
        );
        let targets: Vec<_> = overall.buckets.iter().map(|b| b.target_share).collect();
        assert_eq!(targets, target.map(|(_, share)| share));
        let points: Vec<_> = overall.buckets.iter().map(|b| b.rating).collect();
        assert_eq!(points, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn shares_round_half_even_to_four_places() {
        // Ratings 1, 3, 3 → shares 1/3 = 0.3333…, 2/3 = 0.6666… → 0.6667.
        let people = [
            Rated {
                rating: Some(1),
                ..person(1)
            },
            Rated {
                rating: Some(3),
                ..person(2)
            },
            Rated {
                rating: Some(3),
                ..person(3)
            },
        ];
        let overall = calibrate(&people, 3, &[(3, d("0.5")), (9, d("0.5"))]).overall;
        assert_eq!(shares(&overall), [d("0.3333"), d("0"), d("0.6667")]);
        // Missing targets are 0; the target for point 9 is ignored.
        let targets: Vec<_> = overall.buckets.iter().map(|b| b.target_share).collect();
        assert_eq!(targets, [d("0"), d("0"), d("0.5")]);
    }

    #[test]
    fn out_of_range_ratings_are_clamped() {
        let people = [
            Rated {
                rating: Some(0),
                manager_rating: Some(d("-1")),
                self_rating: Some(d("9")),
                ..person(1)
            },
            Rated {
                rating: Some(9),
                ..person(2)
            },
        ];
        let calibration = calibrate(&people, 5, &[]);
        assert_eq!(counts(&calibration.overall), [1, 0, 0, 0, 1]);
        // Self 9 → 5, manager −1 → 1: gap 4.
        assert_eq!(calibration.self_gaps[0].gap, d("4"));
    }

    #[test]
    fn group_distributions_are_sorted_and_skip_missing_ids() {
        let department_x = id(0x20);
        let department_y = id(0x10);
        let mut people = two_managers();
        people[0].department_id = Some(department_x);
        people[1].department_id = Some(department_x);
        people[3].department_id = Some(department_y);
        people.push(Rated {
            department_id: Some(department_y),
            ..person(6)
        });
        let calibration = calibrate(&people, 5, &[(4, d("0.3"))]);

        let managers: Vec<_> = calibration.by_manager.iter().map(|g| g.id).collect();
        assert_eq!(managers, [id(MANAGER_A), id(MANAGER_B)]);
        // A: 4, 4, 5 → 2/3 = 0.6667 at 4, 1/3 = 0.3333 at 5.
        let a = &calibration.by_manager[0].distribution;
        assert_eq!((a.rated, a.unrated), (3, 0));
        assert_eq!(counts(a), [0, 0, 0, 2, 1]);
        assert_eq!(
            shares(a),
            [d("0"), d("0"), d("0"), d("0.6667"), d("0.3333")]
        );
        assert_eq!(a.buckets[3].target_share, d("0.3"));
        // B: 2, 3 → 0.5 each.
        let b = &calibration.by_manager[1].distribution;
        assert_eq!(counts(b), [0, 1, 1, 0, 0]);

        // Departments sorted by id: y (0x10) before x (0x20); person 3 and 5
        // have no department and are left out.
        let departments: Vec<_> = calibration.by_department.iter().map(|g| g.id).collect();
        assert_eq!(departments, [department_y, department_x]);
        let y = &calibration.by_department[0].distribution;
        assert_eq!((y.rated, y.unrated), (1, 1));
        assert_eq!(shares(y), [d("0"), d("1"), d("0"), d("0"), d("0")]);
        let x = &calibration.by_department[1].distribution;
        assert_eq!((x.rated, x.unrated), (2, 0));
        assert_eq!(counts(x), [0, 0, 0, 2, 0]);
    }

    #[test]
    fn self_gaps_sorted_with_mean() {
        let with = |n, self_rating: &str, manager_rating: &str| Rated {
            self_rating: Some(d(self_rating)),
            manager_rating: Some(d(manager_rating)),
            ..person(n)
        };
        let people = [
            with(3, "4", "3"),       // +1
            with(1, "2.5", "3"),     // −0.5
            with(2, "5", "4"),       // +1
            with(4, "3.25", "3.25"), // 0
            Rated {
                self_rating: Some(d("5")),
                ..person(5)
            }, // no manager rating: no gap
            Rated {
                manager_rating: Some(d("2")),
                ..person(6)
            }, // no self rating: no gap
        ];
        let calibration = calibrate(&people, 5, &[]);
        let order: Vec<_> = calibration
            .self_gaps
            .iter()
            .map(|g| (g.employee_id, g.gap))
            .collect();
        // Gap descending, ties (+1) by employee id.
        assert_eq!(
            order,
            [
                (id(2), d("1")),
                (id(3), d("1")),
                (id(4), d("0")),
                (id(1), d("-0.5")),
            ]
        );
        assert_eq!(calibration.self_gaps[0].self_rating, d("5"));
        assert_eq!(calibration.self_gaps[0].manager_rating, d("4"));
        // (1 + 1 + 0 − 0.5) / 4 = 1.5 / 4 = 0.375 → 0.38 (8 is even).
        assert_eq!(calibration.mean_self_gap, Some(d("0.38")));
    }

    #[test]
    fn mean_self_gap_rounds_half_even() {
        // Gaps 0.25 and 0: mean 0.125 → 0.12.
        let people = [
            Rated {
                self_rating: Some(d("3.25")),
                manager_rating: Some(d("3")),
                ..person(1)
            },
            Rated {
                self_rating: Some(d("3")),
                manager_rating: Some(d("3")),
                ..person(2)
            },
        ];
        let calibration = calibrate(&people, 5, &[]);
        assert_eq!(calibration.mean_self_gap, Some(d("0.12")));
    }

    #[test]
    fn nine_box_counts_and_unboxed() {
        let boxed = |n, rating, potential| Rated {
            rating: Some(rating),
            potential: Some(potential),
            ..person(n)
        };
        let people = [
            boxed(1, 1, Potential::High),   // Low × High
            boxed(2, 2, Potential::High),   // Low × High
            boxed(3, 3, Potential::Medium), // Medium × Medium
            boxed(4, 4, Potential::Low),    // High × Low
            boxed(5, 5, Potential::High),   // High × High
            boxed(6, 5, Potential::High),   // High × High
            Rated {
                rating: Some(4),
                ..person(7)
            }, // no potential
            Rated {
                potential: Some(Potential::Low),
                ..person(8)
            }, // no rating
            person(9),                      // neither
        ];
        let calibration = calibrate(&people, 5, &[]);
        let cells: Vec<_> = calibration
            .nine_box
            .iter()
            .map(|c| (c.performance, c.potential, c.count))
            .collect();
        assert_eq!(
            cells,
            [
                (Band::Low, Potential::Low, 0),
                (Band::Low, Potential::Medium, 0),
                (Band::Low, Potential::High, 2),
                (Band::Medium, Potential::Low, 0),
                (Band::Medium, Potential::Medium, 1),
                (Band::Medium, Potential::High, 0),
                (Band::High, Potential::Low, 1),
                (Band::High, Potential::Medium, 0),
                (Band::High, Potential::High, 2),
            ]
        );
        assert_eq!(calibration.unboxed, 3);
        assert_eq!(calibration.overall.rated, 7);
        assert_eq!(calibration.overall.unrated, 2);
    }

    #[test]
    fn empty_input() {
        let calibration = calibrate(&[], 5, &[(3, d("0.5"))]);
        assert_eq!(calibration.overall.rated, 0);
        assert_eq!(calibration.overall.unrated, 0);
        assert_eq!(counts(&calibration.overall), [0; 5]);
        assert!(shares(&calibration.overall).iter().all(Decimal::is_zero));
        assert_eq!(calibration.overall.buckets[2].target_share, d("0.5"));
        assert!(calibration.by_manager.is_empty());
        assert!(calibration.by_department.is_empty());
        assert!(calibration.leniency.is_empty());
        assert_eq!(calibration.org_manager_mean, None);
        assert_eq!(calibration.org_manager_std_dev, None);
        assert!(calibration.self_gaps.is_empty());
        assert_eq!(calibration.mean_self_gap, None);
        assert_eq!(calibration.nine_box.len(), 9);
        assert!(calibration.nine_box.iter().all(|c| c.count == 0));
        assert_eq!(calibration.unboxed, 0);
    }

    #[test]
    fn bands_on_odd_and_even_scales() {
        use Band::{High, Low, Medium};
        let bands =
            |scale_max: u8| -> Vec<Band> { (1..=scale_max).map(|r| band(r, scale_max)).collect() };
        // mid 2: 1 < 2 < 3.
        assert_eq!(bands(3), [Low, Medium, High]);
        // mid 2.5: no Medium.
        assert_eq!(bands(4), [Low, Low, High, High]);
        // mid 3.
        assert_eq!(bands(5), [Low, Low, Medium, High, High]);
        // mid 4.
        assert_eq!(bands(7), [Low, Low, Low, Medium, High, High, High]);
        // mid 5.5.
        assert_eq!(
            bands(10),
            [Low, Low, Low, Low, Low, High, High, High, High, High]
        );
    }

    #[test]
    fn sqrt_by_newton() {
        let tolerance = d("0.000000000001");
        // sqrt(1.04) = 1.019803902718556966…
        assert!((sqrt(d("1.04")) - d("1.019803902718556966")).abs() < tolerance);
        // sqrt(2) = 1.414213562373095048…
        assert!((sqrt(d("2")) - d("1.414213562373095048")).abs() < tolerance);
        // sqrt(0.25) = 0.5 (start below 1).
        assert!((sqrt(d("0.25")) - d("0.5")).abs() < tolerance);
        assert!((sqrt(d("20.25")) - d("4.5")).abs() < tolerance);
        assert_eq!(sqrt(d("4")), d("2"));
        assert_eq!(sqrt(Decimal::ZERO), Decimal::ZERO);
        assert_eq!(sqrt(d("-1")), Decimal::ZERO);
    }

    #[test]
    fn population_std_dev_of_example() {
        // (4, 4, 5, 2, 3): variance 1.04 as above.
        let values = [d("4"), d("4"), d("5"), d("2"), d("3")];
        let std_dev = population_std_dev(&values).unwrap();
        assert!((std_dev - d("1.019803902718556966")).abs() < d("0.000000000001"));
        assert_eq!(population_std_dev(&[]), None);
    }
}
