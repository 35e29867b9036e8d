//! Worked examples of `score.rs`.

use super::*;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn weights(goals: i64, manager: i64, peer: i64, self_: i64) -> Weights {
    Weights {
        goals: Decimal::from(goals),
        manager: Decimal::from(manager),
        peer: Decimal::from(peer),
        self_: Decimal::from(self_),
    }
}

fn goal(weight: i32, state: GoalState, progress: &str) -> GoalInput {
    GoalInput {
        weight,
        state,
        progress: d(progress),
    }
}

/// Goals at exactly 100 % (→ 3 on a 5-point scale), manager 4, peers
/// 3/4/5 (mean 4, threshold 3), self 5; weights 50/40/10/0.
fn full_input() -> ScoreInput {
    ScoreInput {
        scale_max: 5,
        weights: weights(50, 40, 10, 0),
        goals: vec![goal(100, GoalState::Achieved, "1")],
        manager_rating: Some(d("4")),
        peer_ratings: vec![d("3"), d("4"), d("5")],
        anonymity_threshold: 3,
        self_rating: Some(d("5")),
    }
}

fn component(score: &Score, kind: ComponentKind) -> &Component {
    score.components.iter().find(|c| c.kind == kind).unwrap()
}

fn kinds(score: &Score) -> Vec<ComponentKind> {
    score.components.iter().map(|c| c.kind).collect()
}

#[test]
fn all_four_components_present() {
    let score = compute(&full_input());
    // (3·50 + 4·40 + 4·10 + 5·0) / (50 + 40 + 10 + 0) = 350 / 100 = 3.50
    assert_eq!(score.version, "score-v1");
    assert_eq!(score.value, Some(d("3.50")));
    // 3.5 rounds half-even to 4.
    assert_eq!(score.proposed_rating, Some(4));
    assert_eq!(
        kinds(&score),
        [
            ComponentKind::Goals,
            ComponentKind::Manager,
            ComponentKind::Peer,
            ComponentKind::Own
        ]
    );
    let values: Vec<_> = score.components.iter().map(|c| c.value).collect();
    assert_eq!(
        values,
        [Some(d("3")), Some(d("4")), Some(d("4")), Some(d("5"))]
    );
    let applied: Vec<_> = score.components.iter().map(|c| c.applied_weight).collect();
    assert_eq!(applied, [d("0.5"), d("0.4"), d("0.1"), d("0")]);
    let configured: Vec<_> = score.components.iter().map(|c| c.weight).collect();
    assert_eq!(configured, [d("50"), d("40"), d("10"), d("0")]);
    // The weight-0 self rating is kept for display and is not "missing".
    assert!(score.components.iter().all(|c| c.missing.is_none()));
}

#[test]
fn missing_manager_renormalises_the_rest() {
    let input = ScoreInput {
        manager_rating: None,
        ..full_input()
    };
    let score = compute(&input);
    // Present weights 50 + 10 = 60: goals 50/60 = 0.8333, peer 10/60 = 0.1667.
    // (3·50 + 4·10) / 60 = 190 / 60 = 3.1666… → 3.17
    assert_eq!(score.value, Some(d("3.17")));
    assert_eq!(score.proposed_rating, Some(3));
    let manager = component(&score, ComponentKind::Manager);
    assert_eq!(manager.value, None);
    assert_eq!(manager.weight, d("40"));
    assert_eq!(manager.applied_weight, Decimal::ZERO);
    assert_eq!(manager.missing, Some(Missing::NoManagerReview));
    assert_eq!(
        component(&score, ComponentKind::Goals).applied_weight,
        d("0.8333")
    );
    assert_eq!(
        component(&score, ComponentKind::Peer).applied_weight,
        d("0.1667")
    );
}

#[test]
fn peers_below_threshold_are_withheld() {
    let input = ScoreInput {
        peer_ratings: vec![d("1"), d("5")],
        ..full_input()
    };
    let score = compute(&input);
    let peer = component(&score, ComponentKind::Peer);
    // Two of three required reviews: no value may leak.
    assert_eq!(peer.value, None);
    assert_eq!(peer.applied_weight, Decimal::ZERO);
    assert_eq!(
        peer.missing,
        Some(Missing::TooFewPeerReviews {
            submitted: 2,
            threshold: 3
        })
    );
    // (3·50 + 4·40) / 90 = 310 / 90 = 3.4444… → 3.44
    assert_eq!(score.value, Some(d("3.44")));
    assert_eq!(score.proposed_rating, Some(3));
}

#[test]
fn peers_at_threshold_are_included() {
    let input = ScoreInput {
        peer_ratings: vec![d("1"), d("5"), d("3")],
        ..full_input()
    };
    let score = compute(&input);
    // Mean (1 + 5 + 3) / 3 = 3.
    let peer = component(&score, ComponentKind::Peer);
    assert_eq!(peer.value, Some(d("3")));
    assert_eq!(peer.missing, None);
    // (3·50 + 4·40 + 3·10) / 100 = 340 / 100 = 3.40
    assert_eq!(score.value, Some(d("3.40")));
}

#[test]
fn threshold_two_versus_three() {
    let two_peers = |threshold| ScoreInput {
        peer_ratings: vec![d("4"), d("5")],
        anonymity_threshold: threshold,
        ..full_input()
    };
    // Threshold 2: mean (4 + 5) / 2 = 4.5.
    let score = compute(&two_peers(2));
    assert_eq!(component(&score, ComponentKind::Peer).value, Some(d("4.5")));
    // Threshold 3: withheld.
    let score = compute(&two_peers(3));
    assert_eq!(component(&score, ComponentKind::Peer).value, None);
}

#[test]
fn threshold_zero_and_one_mean_at_least_one() {
    for threshold in [0, 1] {
        let none = ScoreInput {
            peer_ratings: vec![],
            anonymity_threshold: threshold,
            ..full_input()
        };
        assert_eq!(
            component(&compute(&none), ComponentKind::Peer).missing,
            Some(Missing::TooFewPeerReviews {
                submitted: 0,
                threshold: 1
            })
        );
        let one = ScoreInput {
            peer_ratings: vec![d("2")],
            anonymity_threshold: threshold,
            ..full_input()
        };
        assert_eq!(
            component(&compute(&one), ComponentKind::Peer).value,
            Some(d("2"))
        );
    }
}

#[test]
fn dropped_goals_are_excluded_and_weights_renormalised() {
    let goals = [
        goal(50, GoalState::Achieved, "1.2"),
        goal(30, GoalState::Dropped, "0"),
        goal(20, GoalState::Missed, "0.4"),
    ];
    // (50·1.2 + 20·0.4) / (50 + 20) = (60 + 8) / 70 = 0.9714285714…
    let attainment = goal_attainment(&goals).unwrap();
    assert_eq!(attainment, d("68") / d("70"));
    assert_eq!(round_half_even(attainment, 4), d("0.9714"));
    // On a 5-point scale: 1 + (3 − 1)·0.9714285714… = 2.9428571… → 2.94
    let input = ScoreInput {
        goals: goals.to_vec(),
        ..full_input()
    };
    let score = compute(&input);
    assert_eq!(
        component(&score, ComponentKind::Goals).value,
        Some(d("2.94"))
    );
    // The score uses the unrounded component:
    // (2.9428571428…·50 + 4·40 + 4·10) / 100 = (147.142857… + 200) / 100
    // = 3.4714… → 3.47
    assert_eq!(score.value, Some(d("3.47")));
}

#[test]
fn decreasing_metric_expressed_as_progress() {
    // A "lower is better" metric: start 10, target 4, current 7. The caller
    // expresses it as progress = (start − current) / (start − target)
    // = (10 − 7) / (10 − 4) = 3 / 6 = 0.5.
    let progress = (d("10") - d("7")) / (d("10") - d("4"));
    assert_eq!(progress, d("0.5"));
    let goals = [GoalInput {
        weight: 1,
        state: GoalState::Agreed,
        progress,
    }];
    assert_eq!(goal_attainment(&goals), Some(d("0.5")));
    // 1 + (3 − 1)·0.5 = 2 on a 5-point scale.
    assert_eq!(attainment_to_scale(d("0.5"), 5), d("2"));
}

#[test]
fn other_and_unweighted_goals_are_excluded() {
    let goals = [
        goal(50, GoalState::Agreed, "1"),
        goal(50, GoalState::Other, "0"),
        goal(0, GoalState::Missed, "0"),
        goal(-10, GoalState::Achieved, "0"),
    ];
    // Only the agreed goal counts: 50·1 / 50 = 1.
    assert_eq!(goal_attainment(&goals), Some(Decimal::ONE));

    let drafts = [goal(100, GoalState::Other, "1")];
    assert_eq!(goal_attainment(&drafts), None);
    let input = ScoreInput {
        goals: drafts.to_vec(),
        ..full_input()
    };
    let score = compute(&input);
    let goals = component(&score, ComponentKind::Goals);
    assert_eq!(goals.value, None);
    assert_eq!(goals.missing, Some(Missing::NoGoals));
    // (4·40 + 4·10) / 50 = 4.00
    assert_eq!(score.value, Some(d("4.00")));
}

#[test]
fn goal_progress_is_clamped() {
    // 2.0 counts as 1.5 and −0.5 as 0: (1.5 + 0) / 2 = 0.75.
    let goals = [
        goal(1, GoalState::Achieved, "2.0"),
        goal(1, GoalState::Missed, "-0.5"),
    ];
    assert_eq!(goal_attainment(&goals), Some(d("0.75")));
    assert_eq!(goal_attainment(&[]), None);
}

#[test]
fn everything_missing_gives_no_score() {
    let input = ScoreInput {
        scale_max: 5,
        weights: weights(50, 40, 10, 0),
        goals: vec![],
        manager_rating: None,
        peer_ratings: vec![],
        anonymity_threshold: 3,
        self_rating: None,
    };
    let score = compute(&input);
    assert_eq!(score.value, None);
    assert_eq!(score.proposed_rating, None);
    assert_eq!(score.components.len(), 4);
    let missing: Vec<_> = score.components.iter().map(|c| c.missing).collect();
    assert_eq!(
        missing,
        [
            Some(Missing::NoGoals),
            Some(Missing::NoManagerReview),
            Some(Missing::TooFewPeerReviews {
                submitted: 0,
                threshold: 3
            }),
            Some(Missing::NoSelfReview),
        ]
    );
    assert!(score.components.iter().all(|c| c.value.is_none()));
    assert!(score.components.iter().all(|c| c.applied_weight.is_zero()));
}

#[test]
fn only_zero_weighted_components_present_gives_no_score() {
    // Weights 50/40/10/0 but only the self rating (weight 0) is present.
    let input = ScoreInput {
        goals: vec![],
        manager_rating: None,
        peer_ratings: vec![],
        ..full_input()
    };
    let score = compute(&input);
    assert_eq!(score.value, None);
    let own = component(&score, ComponentKind::Own);
    assert_eq!(own.value, Some(d("5")));
    assert_eq!(own.missing, None);
    assert_eq!(own.applied_weight, Decimal::ZERO);
}

#[test]
fn all_weights_zero_gives_no_score() {
    let input = ScoreInput {
        weights: weights(0, 0, 0, 0),
        self_rating: None,
        ..full_input()
    };
    let score = compute(&input);
    assert_eq!(score.value, None);
    assert_eq!(score.proposed_rating, None);
    let missing: Vec<_> = score.components.iter().map(|c| c.missing).collect();
    assert_eq!(
        missing,
        [
            Some(Missing::ZeroWeight),
            Some(Missing::ZeroWeight),
            Some(Missing::ZeroWeight),
            Some(Missing::NoSelfReview),
        ]
    );
    // Values stay visible for display.
    assert_eq!(
        component(&score, ComponentKind::Manager).value,
        Some(d("4"))
    );
    assert!(score.components.iter().all(|c| c.applied_weight.is_zero()));
}

#[test]
fn negative_weights_count_as_zero() {
    let input = ScoreInput {
        weights: weights(50, -40, 10, 0),
        ..full_input()
    };
    let score = compute(&input);
    // (3·50 + 4·10) / 60 = 3.1666… → 3.17
    assert_eq!(score.value, Some(d("3.17")));
    let manager = component(&score, ComponentKind::Manager);
    assert_eq!(manager.weight, d("-40"));
    assert_eq!(manager.applied_weight, Decimal::ZERO);
}

/// Only the manager and the peers count, with equal weights (threshold 2).
fn manager_and_peers(manager: &str, peers: &[&str]) -> Score {
    compute(&ScoreInput {
        scale_max: 5,
        weights: weights(0, 50, 50, 0),
        goals: vec![],
        manager_rating: Some(d(manager)),
        peer_ratings: peers.iter().map(|p| d(p)).collect(),
        anonymity_threshold: 2,
        self_rating: None,
    })
}

#[test]
fn score_rounds_half_even() {
    // Peers (3 + 3.5) / 2 = 3.25; score (3 + 3.25) / 2 = 3.125 → 3.12.
    let score = manager_and_peers("3", &["3", "3.5"]);
    assert_eq!(score.value, Some(d("3.12")));
    assert_eq!(score.proposed_rating, Some(3));
    // Peers (3 + 3.54) / 2 = 3.27; score (3 + 3.27) / 2 = 3.135 → 3.14.
    let score = manager_and_peers("3", &["3", "3.54"]);
    assert_eq!(score.value, Some(d("3.14")));
}

#[test]
fn component_value_rounds_half_even() {
    // Peers (3.01 + 3.02) / 2 = 3.015 → shown as 3.02 (2 is even);
    // (3.01 + 3.04) / 2 = 3.025 → shown as 3.02.
    let score = manager_and_peers("3", &["3.01", "3.02"]);
    assert_eq!(
        component(&score, ComponentKind::Peer).value,
        Some(d("3.02"))
    );
    let score = manager_and_peers("3", &["3.01", "3.04"]);
    assert_eq!(
        component(&score, ComponentKind::Peer).value,
        Some(d("3.02"))
    );
    // The score uses the unrounded 3.025: (3 + 3.025) / 2 = 3.0125 → 3.01.
    assert_eq!(score.value, Some(d("3.01")));
}

#[test]
fn proposed_rating_rounds_half_even() {
    // (2 + 3) / 2 = 2.5 → 2
    let score = manager_and_peers("2", &["3", "3"]);
    assert_eq!(score.value, Some(d("2.50")));
    assert_eq!(score.proposed_rating, Some(2));
    // (3 + 4) / 2 = 3.5 → 4
    let score = manager_and_peers("3", &["4", "4"]);
    assert_eq!(score.value, Some(d("3.50")));
    assert_eq!(score.proposed_rating, Some(4));
    // (4 + 5) / 2 = 4.5 → 4
    let score = manager_and_peers("4", &["5", "5"]);
    assert_eq!(score.proposed_rating, Some(4));
    // (4.02 + 5) / 2 = 4.51 → 5
    let score = manager_and_peers("4.02", &["5", "5"]);
    assert_eq!(score.value, Some(d("4.51")));
    assert_eq!(score.proposed_rating, Some(5));
}

#[test]
fn out_of_range_ratings_are_clamped() {
    // Manager 7 → 5, peers 0 → 1 and 9 → 5 (mean 3), self 0 → 1.
    let input = ScoreInput {
        manager_rating: Some(d("7")),
        peer_ratings: vec![d("0"), d("9"), d("3")],
        self_rating: Some(d("0")),
        ..full_input()
    };
    let score = compute(&input);
    let values: Vec<_> = score.components.iter().map(|c| c.value).collect();
    assert_eq!(
        values,
        [Some(d("3")), Some(d("5")), Some(d("3")), Some(d("1"))]
    );
    // (3·50 + 5·40 + 3·10) / 100 = 3.80
    assert_eq!(score.value, Some(d("3.80")));
}

#[test]
fn five_point_mapping() {
    for (attainment, expected) in [
        ("0", "1"),
        ("0.5", "2"),
        ("1", "3"),
        ("1.25", "4"),
        ("1.5", "5"),
        ("-0.3", "1"),
        ("2", "5"),
    ] {
        assert_eq!(attainment_to_scale(d(attainment), 5), d(expected));
    }
}

#[test]
fn four_point_mapping() {
    // mid = (1 + 4) / 2 = 2.5: a ≤ 1 → 1 + 1.5·a; a > 1 → 2.5 + 1.5·(a − 1)/0.5.
    for (attainment, expected) in [
        ("0", "1"),
        ("0.5", "1.75"),
        ("1", "2.5"),
        ("1.25", "3.25"),
        ("1.5", "4"),
    ] {
        assert_eq!(attainment_to_scale(d(attainment), 4), d(expected));
    }
}

#[test]
fn ten_point_mapping() {
    // mid = (1 + 10) / 2 = 5.5: a ≤ 1 → 1 + 4.5·a; a > 1 → 5.5 + 4.5·(a − 1)/0.5.
    for (attainment, expected) in [
        ("0", "1"),
        ("0.5", "3.25"),
        ("1", "5.5"),
        ("1.1", "6.4"),
        ("1.25", "7.75"),
        ("1.5", "10"),
    ] {
        assert_eq!(attainment_to_scale(d(attainment), 10), d(expected));
    }
}

#[test]
fn ten_point_score() {
    // Goals at 1.25 → 7.75, manager 8, no peers, self 9; weights 50/40/10/0.
    // (7.75·50 + 8·40) / 90 = (387.5 + 320) / 90 = 7.8611… → 7.86 → rating 8.
    let input = ScoreInput {
        scale_max: 10,
        weights: weights(50, 40, 10, 0),
        goals: vec![goal(1, GoalState::Achieved, "1.25")],
        manager_rating: Some(d("8")),
        peer_ratings: vec![],
        anonymity_threshold: 3,
        self_rating: Some(d("9")),
    };
    let score = compute(&input);
    assert_eq!(score.value, Some(d("7.86")));
    assert_eq!(score.proposed_rating, Some(8));
    // Applied: 50/90 = 0.5556, 40/90 = 0.4444.
    let applied: Vec<_> = score.components.iter().map(|c| c.applied_weight).collect();
    assert_eq!(applied, [d("0.5556"), d("0.4444"), d("0"), d("0")]);
}

#[test]
fn scale_is_clamped_to_supported_range() {
    // Scale 12 behaves as 10; scale 1 as 3.
    assert_eq!(attainment_to_scale(d("1.5"), 12), d("10"));
    assert_eq!(attainment_to_scale(d("1.5"), 1), d("3"));
    let input = ScoreInput {
        scale_max: 20,
        manager_rating: Some(d("15")),
        ..full_input()
    };
    let manager = compute(&input).components[1].clone();
    assert_eq!(manager.value, Some(d("10")));
}
