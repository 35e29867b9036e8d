//! Worked examples of `stats.rs`.

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
