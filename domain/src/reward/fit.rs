//! Budget fit, pure: proposals that exceed a pool are scaled by the same factor, each rounded
//! down to the minor unit, and the units left over go one each to the largest remainders
//! (ties to the larger proposal, then the lower key). The total is then exactly the pool, no
//! one moves past someone whose proposal was larger, and no one is more than one minor unit
//! from their exact share.

use super::money::Currency;
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

/// `items` (key, proposed amount) fitted into `pool`: unchanged when their total fits.
pub fn fit(items: &[(Uuid, Decimal)], pool: Decimal, currency: Currency) -> Vec<(Uuid, Decimal)> {
    let total: Decimal = items.iter().map(|(_, a)| *a).sum();
    if total <= pool {
        return items.to_vec();
    }
    let unit = currency.unit();
    let mut shares: Vec<(usize, Decimal, Decimal)> = items
        .iter()
        .enumerate()
        .map(|(i, (_, amount))| {
            let exact = *amount * pool / total;
            let floor = exact.round_dp_with_strategy(currency.minor, RoundingStrategy::ToZero);
            (i, floor, exact - floor)
        })
        .collect();
    let given: Decimal = shares.iter().map(|s| s.1).sum();
    let mut left = ((pool - given) / unit)
        .round_dp_with_strategy(0, RoundingStrategy::ToZero)
        .try_into()
        .unwrap_or(0_u64);
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        shares[b]
            .2
            .cmp(&shares[a].2)
            .then(items[b].1.cmp(&items[a].1))
            .then(items[a].0.cmp(&items[b].0))
    });
    for i in order {
        if left == 0 {
            break;
        }
        shares[i].1 += unit;
        left -= 1;
    }
    shares
        .into_iter()
        .map(|(i, amount, _)| (items[i].0, amount))
        .collect()
}
