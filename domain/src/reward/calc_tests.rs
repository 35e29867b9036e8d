//! Worked examples of the reward calculation and the budget fit, each checked by hand.

use super::calc::{Pay, Person, Range, Skip, Span, compute};
use super::fit::fit;
use super::money::Currency;
use super::policy::{Budget, Policy, RatingRule};
use chrono::NaiveDate;
use entity::values::RewardKind;
use rust_decimal::Decimal;
use uuid::Uuid;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn eur() -> Currency {
    Currency::of("EUR").unwrap()
}

fn rule(rating: i32, pcts: [&str; 3], mult: &str, pto: &str) -> RatingRule {
    RatingRule {
        rating,
        raise_pcts: pcts.iter().map(|p| p.parse().unwrap()).collect(),
        bonus_multiplier: mult.parse().unwrap(),
        pto_days: pto.parse().unwrap(),
    }
}

fn policy() -> Policy {
    Policy {
        compa_bands: vec!["0.9".parse().unwrap(), "1.1".parse().unwrap()],
        ratings: vec![
            rule(5, ["8", "6", "4"], "1.5", "3"),
            rule(4, ["5", "4", "3"], "1.2", "1"),
            rule(3, ["3", "2.5", "2"], "1", "0"),
            rule(2, ["0", "0", "0"], "0.5", "0"),
        ],
        company_multiplier: "1.1".parse().unwrap(),
        raise_cap_pct: Some("7".parse().unwrap()),
        min_tenure_days: 90,
        require_active_at_cycle_end: false,
        effective_on: None,
        budgets: vec![],
    }
}

fn span() -> Span {
    Span {
        starts_on: day("2027-01-01"),
        ends_on: day("2027-12-31"),
    }
}

fn range() -> Option<Range> {
    Some(Range {
        min: d("50000"),
        mid: d("60000"),
        max: d("70000"),
    })
}

fn person(salary: &str, rating: Option<i32>) -> Person {
    Person {
        hired_on: day("2020-03-01"),
        left_on: None,
        left_undated: false,
        rating,
        pay: Some(Pay {
            salary: d(salary),
            currency: eur(),
            bonus_target_pct: d("10"),
            range: range(),
        }),
        already_approved: false,
    }
}

fn amount(out: &[super::calc::Proposal], kind: RewardKind) -> Option<Decimal> {
    out.iter().find(|p| p.kind == kind).map(|p| p.amount)
}

#[test]
fn a_full_year_at_the_midpoint() {
    // Compa-ratio 60000 / 60000 = 1: the middle band. Rating 4: 4 %, 2400.
    // Bonus 60000 × 10 % × 1.1 × 1.2 × 365/365 = 7920. PTO 1 day.
    let out = compute(&policy(), span(), &person("60000", Some(4))).unwrap();
    assert_eq!(amount(&out, RewardKind::MeritIncrease), Some(d("2400")));
    assert_eq!(amount(&out, RewardKind::LumpSum), None);
    assert_eq!(amount(&out, RewardKind::Bonus), Some(d("7920")));
    assert_eq!(amount(&out, RewardKind::Pto), Some(d("1")));
}

#[test]
fn a_mid_year_hire_gets_a_prorated_bonus() {
    // Hired 2027-07-01: 184 of 365 days. 50000 × 10 % × 1.1 × 1 × 184/365
    // = 5500 × 0.504109589… = 2772.6027… → 2772.60.
    let mut p = person("50000", Some(3));
    p.hired_on = day("2027-07-01");
    let out = compute(&policy(), span(), &p).unwrap();
    assert_eq!(amount(&out, RewardKind::Bonus), Some(d("2772.60")));
    // Compa-ratio 0.8333: the lowest band, 3 %; 1500 (the raise is not prorated).
    assert_eq!(amount(&out, RewardKind::MeritIncrease), Some(d("1500")));
}

#[test]
fn a_leaver_gets_a_prorated_bonus_and_no_raise_unless_the_policy_requires_them_to_stay() {
    // Left 2027-03-31: 90 of 365 days. 60000 × 10 % × 1.1 × 1.5 × 90/365 = 2441.0958… → 2441.10.
    let mut p = person("60000", Some(5));
    p.left_on = Some(day("2027-03-31"));
    let out = compute(&policy(), span(), &p).unwrap();
    assert_eq!(amount(&out, RewardKind::Bonus), Some(d("2441.10")));
    assert_eq!(amount(&out, RewardKind::MeritIncrease), None);
    assert_eq!(amount(&out, RewardKind::Pto), None);
    let mut strict = policy();
    strict.require_active_at_cycle_end = true;
    assert_eq!(compute(&strict, span(), &p), Err(Skip::LeftBeforeCycleEnd));
    // Leaving on the cycle's last day is being there at its end.
    p.left_on = Some(day("2027-12-31"));
    assert!(compute(&strict, span(), &p).is_ok());
}

#[test]
fn the_cap_limits_the_raise() {
    // Compa-ratio 52000 / 60000 = 0.8667: the lowest band, 8 % for a 5, capped at 7 %: 3640.
    let out = compute(&policy(), span(), &person("52000", Some(5))).unwrap();
    assert_eq!(amount(&out, RewardKind::MeritIncrease), Some(d("3640")));
    assert!(
        out[0].rationale.contains("capped from 8%"),
        "{}",
        out[0].rationale
    );
}

#[test]
fn the_part_above_the_range_maximum_is_a_lump_sum() {
    // 68000: compa-ratio 1.1333, the top band, 4 % for a 5: 2720. The range ends at 70000,
    // so 2000 raises the salary and 720 is paid once.
    let out = compute(&policy(), span(), &person("68000", Some(5))).unwrap();
    assert_eq!(amount(&out, RewardKind::MeritIncrease), Some(d("2000")));
    assert_eq!(amount(&out, RewardKind::LumpSum), Some(d("720")));
    // Already above the maximum: all of it is a lump sum.
    let out = compute(&policy(), span(), &person("72000", Some(5))).unwrap();
    assert_eq!(amount(&out, RewardKind::MeritIncrease), None);
    assert_eq!(amount(&out, RewardKind::LumpSum), Some(d("2880")));
}

#[test]
fn a_missing_rating_or_pay_or_tenure_earns_nothing_and_says_why() {
    assert_eq!(
        compute(&policy(), span(), &person("60000", None)),
        Err(Skip::NoRating)
    );
    let mut p = person("60000", Some(4));
    p.pay = None;
    assert_eq!(compute(&policy(), span(), &p), Err(Skip::NoCompensation));
    let mut p = person("60000", Some(4));
    p.hired_on = day("2027-10-03"); // 90 days to the 31st of December
    assert!(compute(&policy(), span(), &p).is_ok());
    p.hired_on = day("2027-10-04");
    assert_eq!(compute(&policy(), span(), &p), Err(Skip::TenureTooShort));
    p.hired_on = day("2028-01-01");
    assert_eq!(
        compute(&policy(), span(), &p),
        Err(Skip::NotEmployedInCycle)
    );
    let mut p = person("60000", Some(4));
    p.already_approved = true;
    assert_eq!(compute(&policy(), span(), &p), Err(Skip::AlreadyApproved));
    // A rating the policy has no rule for earns nothing, without being an error.
    assert_eq!(
        compute(&policy(), span(), &person("60000", Some(1))),
        Ok(vec![])
    );
    // A rating whose rule pays zero leaves out the zero rows.
    let out = compute(&policy(), span(), &person("60000", Some(2))).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(amount(&out, RewardKind::Bonus), Some(d("3300")));
}

#[test]
fn without_a_pay_grade_the_middle_band_applies_and_nothing_is_a_lump_sum() {
    let mut p = person("200000", Some(5));
    p.pay.as_mut().unwrap().range = None;
    let out = compute(&policy(), span(), &p).unwrap();
    assert_eq!(amount(&out, RewardKind::MeritIncrease), Some(d("12000")));
    assert_eq!(amount(&out, RewardKind::LumpSum), None);
}

#[test]
fn yen_round_to_whole_units_half_even() {
    let mut p = person("6000000", Some(3));
    let pay = p.pay.as_mut().unwrap();
    pay.currency = Currency::of("JPY").unwrap();
    pay.range = None;
    p.hired_on = day("2027-07-01");
    // 6000000 × 10 % × 1.1 × 1 × 184/365 = 332712.328… → 332712.
    let out = compute(&policy(), span(), &p).unwrap();
    assert_eq!(amount(&out, RewardKind::Bonus), Some(d("332712")));
}

fn ids(n: usize) -> Vec<Uuid> {
    (0..n).map(|i| Uuid::from_u128(i as u128 + 1)).collect()
}

#[test]
fn proposals_within_the_pool_are_left_alone() {
    let k = ids(2);
    let items = vec![(k[0], d("100")), (k[1], d("50"))];
    assert_eq!(fit(&items, d("150"), eur()), items);
    assert_eq!(fit(&items, d("1000"), eur()), items);
}

#[test]
fn scaling_fits_the_pool_exactly_and_keeps_the_order() {
    // 1000 + 700 + 300.01 = 2000.01 into 1000.00: factor 0.49999750…
    // Exact shares 499.9975…, 349.9983…, 150.0042…; floors 499.99, 349.99, 150.00 = 999.98;
    // the 2 units left go to the two largest remainders (0.0083…, 0.0075…).
    let k = ids(3);
    let items = vec![(k[0], d("1000")), (k[1], d("700")), (k[2], d("300.01"))];
    let out = fit(&items, d("1000"), eur());
    assert_eq!(
        out,
        vec![
            (k[0], d("500.00")),
            (k[1], d("350.00")),
            (k[2], d("150.00"))
        ]
    );
    let total: Decimal = out.iter().map(|(_, a)| *a).sum();
    assert_eq!(total, d("1000"));
}

#[test]
fn rounding_never_exceeds_the_pool_and_misses_each_share_by_under_a_unit() {
    // Three equal proposals into 100.00: 33.333… each; one of them gets the extra cent.
    let k = ids(3);
    let items: Vec<_> = k.iter().map(|id| (*id, d("50"))).collect();
    let out = fit(&items, d("100"), eur());
    let total: Decimal = out.iter().map(|(_, a)| *a).sum();
    assert_eq!(total, d("100"));
    let mut amounts: Vec<Decimal> = out.iter().map(|(_, a)| *a).collect();
    amounts.sort();
    assert_eq!(amounts, vec![d("33.33"), d("33.33"), d("33.34")]);
    // Many uneven proposals: the total is the pool, each within one cent of its exact share,
    // and a larger proposal never ends below a smaller one.
    let k = ids(97);
    let items: Vec<_> = k
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, Decimal::from((i * 7919) % 1013 + 1) + d("0.37")))
        .collect();
    let proposed: Decimal = items.iter().map(|(_, a)| *a).sum();
    let pool = d("12345.67");
    let out = fit(&items, pool, eur());
    assert_eq!(out.iter().map(|(_, a)| *a).sum::<Decimal>(), pool);
    for ((_, before), (_, after)) in items.iter().zip(&out) {
        let exact = *before * pool / proposed;
        assert!((*after - exact).abs() < d("0.01"), "{after} vs {exact}");
    }
    for (a, fa) in items.iter().zip(&out) {
        for (b, fb) in items.iter().zip(&out) {
            if a.1 > b.1 {
                assert!(fa.1 >= fb.1);
            }
        }
    }
}

#[test]
fn a_zero_budget_gives_nothing() {
    let k = ids(2);
    let items = vec![(k[0], d("100")), (k[1], d("50"))];
    let out = fit(&items, d("0"), eur());
    assert!(out.iter().all(|(_, a)| a.is_zero()));
}

#[test]
fn policies_are_checked_whole() {
    assert!(policy().check().is_ok());
    let mut p = policy();
    p.ratings[0].raise_pcts.pop();
    match p.check() {
        Err(crate::DomainError::BadInput { field, .. }) => {
            assert_eq!(field, "ratings[0].raisePcts")
        }
        other => panic!("{other:?}"),
    }
    let mut p = policy();
    p.compa_bands.reverse();
    assert!(p.check().is_err());
    let mut p = policy();
    p.ratings[1].rating = 5;
    assert!(p.check().is_err());
    let mut p = policy();
    p.ratings[0].bonus_multiplier = "-1".parse().unwrap();
    assert!(p.check().is_err());
    let mut p = policy();
    p.raise_cap_pct = Some("101".parse().unwrap());
    assert!(p.check().is_err());
    let mut p = policy();
    let budget = Budget {
        department_id: Uuid::nil(),
        currency: "EUR".into(),
        merit_pool: Some("10.001".parse().unwrap()),
        bonus_pool: None,
    };
    p.budgets = vec![budget.clone()];
    assert!(p.check().is_err());
    p.budgets = vec![
        Budget {
            merit_pool: Some("10".parse().unwrap()),
            ..budget.clone()
        },
        Budget {
            merit_pool: None,
            ..budget.clone()
        },
    ];
    assert!(
        p.check()
            .unwrap_err()
            .to_string()
            .contains("one budget per")
    );
    p.budgets = vec![Budget {
        currency: "ZZZ".into(),
        merit_pool: None,
        ..budget
    }];
    assert!(p.check().is_err());
}
