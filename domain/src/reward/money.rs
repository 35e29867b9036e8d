//! Currencies and their minor units, and the one rounding rule for money: exact decimals all
//! the way through a calculation, rounded half-even to the currency's minor unit at the end.

use crate::error::{DomainError, DomainResult};
use rust_decimal::{Decimal, RoundingStrategy};

/// ISO 4217 codes perfcycle pays in, with their minor-unit digits.
#[rustfmt::skip]
pub(super) const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2), ("ARS", 2), ("AUD", 2), ("BHD", 3), ("BRL", 2), ("CAD", 2), ("CHF", 2),
    ("CLP", 0), ("CNY", 2), ("COP", 2), ("CZK", 2), ("DKK", 2), ("EGP", 2), ("EUR", 2),
    ("GBP", 2), ("HKD", 2), ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2), ("ISK", 0),
    ("JOD", 3), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("MAD", 2), ("MXN", 2), ("MYR", 2),
    ("NGN", 2), ("NOK", 2), ("NZD", 2), ("OMR", 3), ("PEN", 2), ("PHP", 2), ("PKR", 2),
    ("PLN", 2), ("QAR", 2), ("RON", 2), ("SAR", 2), ("SEK", 2), ("SGD", 2), ("THB", 2),
    ("TND", 3), ("TRY", 2), ("TWD", 2), ("UAH", 2), ("USD", 2), ("VND", 0), ("ZAR", 2),
];

/// A currency perfcycle knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// ISO 4217 code.
    pub code: &'static str,
    /// Digits after the decimal point of its minor unit (2 for cents, 0 for yen).
    pub minor: u32,
}

impl Currency {
    /// The currency of `code`, if known.
    pub fn of(code: &str) -> Option<Currency> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|&(code, minor)| Currency { code, minor })
    }

    /// The currency of `code`, or a BAD_USER_INPUT on `field`.
    pub fn parse(field: &str, code: &str) -> DomainResult<Currency> {
        Currency::of(code).ok_or_else(|| {
            DomainError::bad(
                field,
                format!(
                    "{code:?} is not a currency perfcycle pays in (an ISO 4217 code such as EUR)"
                ),
            )
        })
    }

    /// `amount` rounded half-even to the minor unit.
    pub fn round(self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.minor, RoundingStrategy::MidpointNearestEven)
    }

    /// One minor unit (0.01 for EUR, 1 for JPY).
    pub fn unit(self) -> Decimal {
        Decimal::new(1, self.minor)
    }

    /// Checks that `amount` is a non-negative sum of money in this currency (no fraction of a
    /// minor unit, below `max`).
    pub fn check(self, field: &str, amount: Decimal, max: Decimal) -> DomainResult<Decimal> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(DomainError::bad(field, "must not be negative"));
        }
        if amount > max {
            return Err(DomainError::bad(field, format!("must be at most {max}")));
        }
        if self.round(amount) != amount {
            return Err(DomainError::bad(
                field,
                format!(
                    "{} has {} digit(s) after the decimal point at most",
                    self.code, self.minor
                ),
            ));
        }
        Ok(amount.normalize())
    }
}

/// `amount` written with its currency's minor digits (`2400` EUR as `2400.00`); days (no
/// currency) as they are.
pub fn scaled(amount: Decimal, currency: &str) -> Decimal {
    match Currency::of(currency) {
        Some(c) => {
            let mut a = amount;
            a.rescale(c.minor);
            a
        }
        None => amount.normalize(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rounding_is_half_even_to_the_minor_unit() {
        let eur = Currency::of("EUR").unwrap();
        assert_eq!(eur.round(d("10.125")), d("10.12"));
        assert_eq!(eur.round(d("10.135")), d("10.14"));
        assert_eq!(eur.round(d("10.1251")), d("10.13"));
        let jpy = Currency::of("JPY").unwrap();
        assert_eq!(jpy.round(d("2.5")), d("2"));
        assert_eq!(jpy.round(d("3.5")), d("4"));
        assert_eq!(Currency::of("KWD").unwrap().unit(), d("0.001"));
        assert!(Currency::of("ZZZ").is_none());
        assert!(Currency::of("eur").is_none());
    }

    #[test]
    fn amounts_must_fit_the_currency() {
        let eur = Currency::of("EUR").unwrap();
        let max = d("1000000");
        assert_eq!(eur.check("a", d("10.50"), max).unwrap(), d("10.5"));
        assert!(eur.check("a", d("10.505"), max).is_err());
        assert!(eur.check("a", d("-1"), max).is_err());
        assert!(eur.check("a", d("1000000.01"), max).is_err());
        let jpy = Currency::of("JPY").unwrap();
        assert!(jpy.check("a", d("1.5"), max).is_err());
    }
}
