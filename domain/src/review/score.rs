//! The versioned score of one person for one review round.
//!
//! A score blends four components — goal attainment, the manager's rating,
//! the peers' ratings and the self rating — with configurable weights. A
//! component without data is reported as missing and the weights of the
//! remaining components are re-normalised. All arithmetic is exact decimal
//! arithmetic; values are rounded half-even only for output.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Identifier of the scoring rules implemented by [`compute`]; stored next to
/// every score so that a later change of the rules can be told apart.
pub const SCORE_VERSION: &str = "score-v1";

/// Smallest supported rating scale.
const MIN_SCALE: u8 = 3;
/// Largest supported rating scale.
const MAX_SCALE: u8 = 10;
/// Highest goal progress that counts (150 %).
const MAX_PROGRESS: Decimal = Decimal::from_parts(15, 0, 0, false, 1);

/// Lifecycle state of a goal, as far as scoring is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalState {
    /// Agreed between employee and manager; counts with its current progress.
    Agreed,
    /// Closed as achieved; counts.
    Achieved,
    /// Closed as missed; counts.
    Missed,
    /// Dropped during the round; excluded from the score.
    Dropped,
    /// Any other state (draft, proposed, ...); excluded from the score.
    Other,
}

/// One goal as seen by the score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalInput {
    /// Relative weight of the goal; goals with a weight of 0 or less are ignored.
    pub weight: i32,
    /// State of the goal.
    pub state: GoalState,
    /// Progress towards the target, already direction-aware (1 = target met)
    /// and clamped to `[0, 1.5]`; values outside that range are clamped again.
    pub progress: Decimal,
}

/// Configured weight of each component, e.g. 50/40/10/0.
///
/// Any non-negative numbers; they need not sum to 100 because only their
/// ratios matter. Negative weights are treated as 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    /// Weight of goal attainment.
    pub goals: Decimal,
    /// Weight of the manager's rating.
    pub manager: Decimal,
    /// Weight of the mean peer rating.
    pub peer: Decimal,
    /// Weight of the self rating.
    pub self_: Decimal,
}

/// The four components of a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    /// Goal attainment mapped onto the rating scale.
    Goals,
    /// The manager's rating.
    Manager,
    /// The mean of the peers' ratings.
    Peer,
    /// The person's own (self) rating.
    Own,
}

/// Why a component has no value or does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    /// No goal in a counting state with a positive weight.
    NoGoals,
    /// The manager has not submitted a rating.
    NoManagerReview,
    /// Fewer peer reviews than the anonymity threshold; the peer mean is
    /// withheld so that no single peer's rating can be inferred.
    TooFewPeerReviews {
        /// Number of peer ratings submitted.
        submitted: u32,
        /// Number of peer ratings required (at least 1).
        threshold: u32,
    },
    /// The person has not submitted a self rating.
    NoSelfReview,
    /// Every configured weight is zero, so no score can be formed.
    ZeroWeight,
}

/// Everything [`compute`] needs to score one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreInput {
    /// Highest point of the rating scale, `3..=10` (clamped into that range).
    pub scale_max: u8,
    /// Configured component weights.
    pub weights: Weights,
    /// The person's goals for the round.
    pub goals: Vec<GoalInput>,
    /// The manager's rating, if submitted.
    pub manager_rating: Option<Decimal>,
    /// Every submitted peer rating.
    pub peer_ratings: Vec<Decimal>,
    /// Minimum number of peer ratings before their mean may be shown; 0 and 1
    /// both mean "at least one".
    pub anonymity_threshold: u32,
    /// The self rating, if submitted.
    pub self_rating: Option<Decimal>,
}

/// One component of a [`Score`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Which component this is.
    pub kind: ComponentKind,
    /// Value on the `1..=scale_max` scale, rounded to 2 dp half-even; `None`
    /// when the component's data is missing. A component with weight 0 keeps
    /// its value for display.
    pub value: Option<Decimal>,
    /// Weight as configured.
    pub weight: Decimal,
    /// Share of the score actually carried by this component after
    /// re-normalising over the present components: a fraction in `0..=1`,
    /// rounded to 4 dp half-even; 0 when missing or weighted 0.
    pub applied_weight: Decimal,
    /// Why the component does not count, if it does not.
    pub missing: Option<Missing>,
}

/// The score of one person for one review round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// Always [`SCORE_VERSION`].
    pub version: &'static str,
    /// Weighted mean of the present, positively weighted components, rounded
    /// to 2 dp half-even; `None` when there is no such component.
    pub value: Option<Decimal>,
    /// Always four components, in the order Goals, Manager, Peer, Own.
    pub components: Vec<Component>,
    /// `value` rounded half-even to a whole point of the scale.
    pub proposed_rating: Option<u8>,
}

/// Computes the score of one person.
///
/// Each component's value is computed at full precision; the score is
/// `Σ(value·weight) / Σ(weight)` over components that have a value and a
/// positive weight, rounded to 2 dp half-even. When every configured weight
/// is zero the score is `None` and each component without a more specific
/// reason is marked [`Missing::ZeroWeight`]. The proposed rating is the
/// rounded score rounded half-even to an integer and clamped to
/// `1..=scale_max`. Ratings outside `1..=scale_max` are clamped into range.
#[must_use]
pub fn compute(input: &ScoreInput) -> Score {
    let scale_max = clamp_scale(input.scale_max);
    let clamp = |rating: Decimal| clamp_rating(rating, scale_max);

    let goals = match goal_attainment(&input.goals) {
        Some(attainment) => Ok(attainment_to_scale(attainment, scale_max)),
        None => Err(Missing::NoGoals),
    };
    let manager = input
        .manager_rating
        .map(clamp)
        .ok_or(Missing::NoManagerReview);
    let peer = peer_mean(&input.peer_ratings, input.anonymity_threshold, scale_max);
    let own = input.self_rating.map(clamp).ok_or(Missing::NoSelfReview);

    let weights = &input.weights;
    let raw = [
        (ComponentKind::Goals, weights.goals, goals),
        (ComponentKind::Manager, weights.manager, manager),
        (ComponentKind::Peer, weights.peer, peer),
        (ComponentKind::Own, weights.self_, own),
    ];

    let all_zero = raw
        .iter()
        .all(|(_, weight, _)| effective(*weight).is_zero());
    let (weighted_sum, weight_sum) = raw
        .iter()
        .filter_map(|(_, weight, value)| value.ok().map(|v| (v, effective(*weight))))
        .fold((Decimal::ZERO, Decimal::ZERO), |(sum, total), (v, w)| {
            (sum + v * w, total + w)
        });

    let components = raw
        .into_iter()
        .map(|(kind, weight, value)| {
            let applied_weight = match value {
                Ok(_) if !weight_sum.is_zero() => {
                    round_half_even(effective(weight) / weight_sum, 4)
                }
                _ => Decimal::ZERO,
            };
            let missing = match value {
                Err(reason) => Some(reason),
                Ok(_) if all_zero => Some(Missing::ZeroWeight),
                Ok(_) => None,
            };
            Component {
                kind,
                value: value.ok().map(|v| round_half_even(v, 2)),
                weight,
                applied_weight,
                missing,
            }
        })
        .collect();

    let value = (!weight_sum.is_zero()).then(|| round_half_even(weighted_sum / weight_sum, 2));
    let proposed_rating = value.and_then(|v| {
        round_half_even(v, 0)
            .to_u8()
            .map(|rating| rating.clamp(1, scale_max))
    });

    Score {
        version: SCORE_VERSION,
        value,
        components,
        proposed_rating,
    }
}

/// Weighted mean progress of the goals that count, at full precision.
///
/// Only goals that are Agreed, Achieved or Missed and have a positive weight
/// count; Dropped and Other goals are excluded and the weights of the rest are
/// re-normalised. Each progress is clamped to `[0, 1.5]`. Returns `None` when
/// no goal counts.
#[must_use]
pub fn goal_attainment(goals: &[GoalInput]) -> Option<Decimal> {
    let (weighted_sum, weight_sum) = goals
        .iter()
        .filter(|goal| {
            goal.weight > 0
                && matches!(
                    goal.state,
                    GoalState::Agreed | GoalState::Achieved | GoalState::Missed
                )
        })
        .fold((Decimal::ZERO, Decimal::ZERO), |(sum, total), goal| {
            let weight = Decimal::from(goal.weight);
            let progress = goal.progress.clamp(Decimal::ZERO, MAX_PROGRESS);
            (sum + progress * weight, total + weight)
        });
    (!weight_sum.is_zero()).then(|| weighted_sum / weight_sum)
}

/// Maps goal attainment onto the `1..=scale_max` rating scale, at full
/// precision.
///
/// Piecewise linear with `mid = (1 + scale_max) / 2`: attainment `a` in
/// `[0, 1]` maps to `1 + (mid − 1)·a`, and `a` in `(1, 1.5]` maps to
/// `mid + (scale_max − mid)·(a − 1)/0.5`. `a` is clamped to `[0, 1.5]` first
/// and `scale_max` to `3..=10`. On a 5-point scale 0 → 1, 0.5 → 2, 1 → 3,
/// 1.25 → 4 and 1.5 → 5.
#[must_use]
pub fn attainment_to_scale(attainment: Decimal, scale_max: u8) -> Decimal {
    let top = Decimal::from(clamp_scale(scale_max));
    let mid = (Decimal::ONE + top) / Decimal::TWO;
    let a = attainment.clamp(Decimal::ZERO, MAX_PROGRESS);
    if a <= Decimal::ONE {
        Decimal::ONE + (mid - Decimal::ONE) * a
    } else {
        mid + (top - mid) * (a - Decimal::ONE) * Decimal::TWO
    }
}

/// Clamps a configured scale maximum into the supported `3..=10`.
pub(super) fn clamp_scale(scale_max: u8) -> u8 {
    scale_max.clamp(MIN_SCALE, MAX_SCALE)
}

/// Rounds `value` to `dp` decimal places, ties to even, and shows exactly `dp` places (4
/// reads "4.00", as 3.5 reads "3.50").
pub(super) fn round_half_even(value: Decimal, dp: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven);
    rounded.rescale(dp);
    rounded
}

/// Clamps a rating into `1..=scale_max`.
pub(super) fn clamp_rating(rating: Decimal, scale_max: u8) -> Decimal {
    rating.clamp(Decimal::ONE, Decimal::from(scale_max))
}

/// A weight as used in the arithmetic: negative weights count as 0.
fn effective(weight: Decimal) -> Decimal {
    weight.max(Decimal::ZERO)
}

/// Mean of the peer ratings, withheld below the anonymity threshold.
fn peer_mean(ratings: &[Decimal], threshold: u32, scale_max: u8) -> Result<Decimal, Missing> {
    let threshold = threshold.max(1);
    let submitted = u32::try_from(ratings.len()).unwrap_or(u32::MAX);
    if submitted < threshold {
        return Err(Missing::TooFewPeerReviews {
            submitted,
            threshold,
        });
    }
    let sum: Decimal = ratings.iter().map(|&r| clamp_rating(r, scale_max)).sum();
    Ok(sum / Decimal::from(ratings.len()))
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
