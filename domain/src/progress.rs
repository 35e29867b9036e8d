//! Progress is computed here, never in a browser.
//!
//! A key result's progress is `(current − start) / (target − start)` clamped to [0, 1.5]:
//! the same formula serves metrics that should go down, because both differences change
//! sign together. A goal's progress is the weighted mean of its key results; a goal with
//! children (that are not dropped) rolls up their progress by their weights instead. A zero
//! total weight counts as no progress rather than a division by zero.
//!
//! A goal's progress is stored (see `goals::rollup`) rounded to [`STORED_DP`] decimal places,
//! half to even, at every level of the tree: a parent is the mean of its children's stored
//! values, so computing a whole tree at once gives exactly what the writes leave stored.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Above target is allowed to show, up to this much.
pub const MAX_PROGRESS: Decimal = Decimal::from_parts(15, 0, 0, false, 1);

/// Decimal places a goal's progress is stored with (parts per million).
pub const STORED_DP: u32 = 6;

/// `p` as stored: parts per million, half to even.
pub fn to_ppm(p: Decimal) -> i64 {
    let rounded = p.round_dp(STORED_DP);
    // Progress lies in [0, 1.5]: the product always fits an i64.
    (rounded * Decimal::from(1_000_000)).to_i64().unwrap_or(0)
}

/// A stored value back as a fraction.
pub fn from_ppm(ppm: i64) -> Decimal {
    Decimal::new(ppm, STORED_DP)
}

/// Progress of one key result.
pub fn key_result(start: Decimal, target: Decimal, current: Decimal) -> Decimal {
    let span = target - start;
    if span.is_zero() {
        return Decimal::ZERO;
    }
    // A tiny span can make the ratio overflow: that is "far beyond target" (or below 0).
    match (current - start).checked_div(span) {
        Some(ratio) => ratio.clamp(Decimal::ZERO, MAX_PROGRESS),
        None if (current - start).is_sign_negative() == span.is_sign_negative() => MAX_PROGRESS,
        None => Decimal::ZERO,
    }
}

/// The weighted mean of `(value, weight)` pairs; zero when the weights add up to zero.
pub fn weighted_mean(items: impl IntoIterator<Item = (Decimal, i32)>) -> Decimal {
    let (sum, total) = items.into_iter().filter(|(_, w)| *w > 0).fold(
        (Decimal::ZERO, Decimal::ZERO),
        |(s, t), (v, w)| {
            let w = Decimal::from(w);
            (s + v * w, t + w)
        },
    );
    if total.is_zero() {
        Decimal::ZERO
    } else {
        sum / total
    }
}

/// A goal tree in memory: children by weight and each goal's own key-result progress. Every
/// node's progress is rounded as it is stored.
#[derive(Debug, Default)]
pub struct Tree {
    /// `(child, weight)` of every parent; dropped children are left out by the loader.
    pub children: HashMap<Uuid, Vec<(Uuid, i32)>>,
    /// Progress from the goal's own key results.
    pub own: HashMap<Uuid, Decimal>,
}

impl Tree {
    /// Progress of every goal reachable from `roots`, computed bottom-up without recursion
    /// (trees may be deep) and immune to a parent loop in corrupt data.
    pub fn progress(&self, roots: &[Uuid]) -> HashMap<Uuid, Decimal> {
        let mut done: HashMap<Uuid, Decimal> = HashMap::new();
        let mut on_path: HashSet<Uuid> = HashSet::new();
        for &root in roots {
            let mut stack = vec![(root, false)];
            while let Some((id, expanded)) = stack.pop() {
                if done.contains_key(&id) {
                    continue;
                }
                let kids = self.children.get(&id).map(Vec::as_slice).unwrap_or(&[]);
                if expanded || kids.is_empty() {
                    on_path.remove(&id);
                    let value =
                        if kids.is_empty() {
                            self.own.get(&id).copied().unwrap_or(Decimal::ZERO)
                        } else {
                            weighted_mean(kids.iter().map(|(kid, w)| {
                                (done.get(kid).copied().unwrap_or(Decimal::ZERO), *w)
                            }))
                        };
                    done.insert(id, value.round_dp(STORED_DP));
                } else {
                    on_path.insert(id);
                    stack.push((id, true));
                    for (kid, _) in kids {
                        if !done.contains_key(kid) && !on_path.contains(kid) {
                            stack.push((*kid, false));
                        }
                    }
                }
            }
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_else(|_| panic!("bad decimal {s}"))
    }

    #[test]
    fn stored_progress_is_parts_per_million_rounded_half_to_even() {
        assert_eq!(to_ppm(d("0.375")), 375_000);
        assert_eq!(to_ppm(d("1.5")), 1_500_000);
        assert_eq!(to_ppm(d("0.3333333333")), 333_333);
        assert_eq!(to_ppm(d("0.0000005")), 0);
        assert_eq!(to_ppm(d("0.0000015")), 2);
        assert_eq!(from_ppm(375_000), d("0.375"));
        assert_eq!(from_ppm(to_ppm(d("0.6666666"))), d("0.666667"));
    }

    #[test]
    fn increasing_metric_is_linear_between_start_and_target() {
        assert_eq!(key_result(d("10"), d("20"), d("15")), d("0.5"));
        assert_eq!(key_result(d("10"), d("20"), d("10")), d("0"));
        assert_eq!(key_result(d("10"), d("20"), d("20")), d("1"));
    }

    #[test]
    fn decreasing_metric_counts_the_fall_as_progress() {
        // Churn from 8% down to 4%: at 6% we are half-way, at 9% we went backwards.
        assert_eq!(key_result(d("8"), d("4"), d("6")), d("0.5"));
        assert_eq!(key_result(d("8"), d("4"), d("9")), d("0"));
        assert_eq!(key_result(d("8"), d("4"), d("2")), d("1.5"));
    }

    #[test]
    fn progress_is_clamped_to_one_and_a_half() {
        assert_eq!(key_result(d("0"), d("10"), d("100")), MAX_PROGRESS);
        assert_eq!(key_result(d("0"), d("10"), d("-5")), Decimal::ZERO);
        assert_eq!(key_result(d("5"), d("5"), d("7")), Decimal::ZERO);
    }

    #[test]
    fn a_ratio_too_large_for_a_decimal_is_clamped_not_a_panic() {
        let tiny = d("0.0000000000000000000000000001");
        assert_eq!(key_result(Decimal::ZERO, tiny, d("10")), MAX_PROGRESS);
        assert_eq!(key_result(Decimal::ZERO, tiny, d("-10")), Decimal::ZERO);
    }

    #[test]
    fn weighted_mean_honours_weights_and_survives_zero_weights() {
        assert_eq!(weighted_mean([(d("1"), 3), (d("0"), 1)]), d("0.75"));
        assert_eq!(weighted_mean([(d("1"), 0), (d("0.5"), 2)]), d("0.5"));
        assert_eq!(weighted_mean([(d("1"), 0), (d("0.5"), 0)]), Decimal::ZERO);
        assert_eq!(weighted_mean(Vec::new()), Decimal::ZERO);
    }

    #[test]
    fn parents_roll_up_children_by_weight_through_deep_trees() {
        // A chain 10 000 deep ending in a leaf at 0.8: every ancestor shows 0.8, and the
        // walk does not overflow the stack.
        let ids: Vec<Uuid> = (0..10_000).map(|_| Uuid::new_v4()).collect();
        let mut tree = Tree::default();
        for pair in ids.windows(2) {
            tree.children.insert(pair[0], vec![(pair[1], 50)]);
        }
        let leaf = ids[ids.len() - 1];
        tree.own.insert(leaf, d("0.8"));
        let progress = tree.progress(&ids[..1]);
        assert_eq!(progress.get(&ids[0]), Some(&d("0.8")));
    }

    #[test]
    fn a_parent_weighs_its_children_not_its_own_key_results() {
        let (parent, a, b) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut tree = Tree::default();
        tree.children.insert(parent, vec![(a, 75), (b, 25)]);
        tree.own.insert(parent, d("0.1"));
        tree.own.insert(a, d("1"));
        tree.own.insert(b, d("0"));
        assert_eq!(tree.progress(&[parent]).get(&parent), Some(&d("0.75")));
    }

    #[test]
    fn a_loop_in_corrupt_data_terminates() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let mut tree = Tree::default();
        tree.children.insert(a, vec![(b, 1)]);
        tree.children.insert(b, vec![(a, 1)]);
        let progress = tree.progress(&[a]);
        assert!(progress.contains_key(&a));
    }
}
