//! Value types parsed at the edge: enumerations stored as text, titles, weights, decimals.

use crate::error::{DomainError, DomainResult};
use rust_decimal::Decimal;
use std::str::FromStr;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads the stored text; an unknown value means a corrupt row.
            pub fn parse_stored(text: &str) -> DomainResult<Self> {
                text.parse().map_err(|_| DomainError::Internal(format!(
                    concat!("unknown ", stringify!($name), " {:?} in the database"), text)))
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($text => Ok($name::$variant),)+ _ => Err(()) }
            }
        }
    };
}

text_enum!(
    /// An employee's role; "manager" follows from having reports.
    Role { Employee => "EMPLOYEE", HrAdmin => "HR_ADMIN" }
);
text_enum!(
    /// The phase of a performance cycle; it only moves forward.
    CyclePhase {
        Planning => "PLANNING", Active => "ACTIVE", Review => "REVIEW",
        Calibration => "CALIBRATION", Rewarding => "REWARDING", Closed => "CLOSED",
    }
);
text_enum!(
    /// How often check-ins open.
    Cadence { Weekly => "WEEKLY", Biweekly => "BIWEEKLY", Monthly => "MONTHLY" }
);
text_enum!(
    /// Where a goal sits in the alignment tree.
    GoalLevel { Company => "COMPANY", Team => "TEAM", Individual => "INDIVIDUAL" }
);
text_enum!(
    /// Who besides the owner's management chain and HR may read a goal.
    Visibility { Public => "PUBLIC", Private => "PRIVATE" }
);
text_enum!(
    /// The goal workflow.
    GoalStatus {
        Draft => "DRAFT", Proposed => "PROPOSED", Agreed => "AGREED",
        Achieved => "ACHIEVED", Missed => "MISSED", Dropped => "DROPPED",
    }
);
text_enum!(
    /// Whether a key result improves by going up or down.
    Direction { Increase => "INCREASE", Decrease => "DECREASE" }
);

text_enum!(
    /// Where a check-in stands.
    CheckInStatus {
        Due => "DUE", Submitted => "SUBMITTED", Acknowledged => "ACKNOWLEDGED", Missed => "MISSED",
    }
);
text_enum!(
    /// What a piece of feedback is.
    FeedbackKind { Feedback => "FEEDBACK", Praise => "PRAISE" }
);

impl CyclePhase {
    /// The phase after this one, if any.
    pub fn next(self) -> Option<Self> {
        let all = Self::ALL;
        let at = all.iter().position(|p| *p == self)?;
        all.get(at + 1).copied()
    }
}

impl GoalStatus {
    /// Whether the goal's workflow has ended.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Achieved | Self::Missed | Self::Dropped)
    }
}

/// Reads decimal text written by this crate.
pub fn stored_decimal(text: &str) -> DomainResult<Decimal> {
    Decimal::from_str(text)
        .map_err(|_| DomainError::Internal(format!("corrupt decimal {text:?} in the database")))
}

/// Canonical text for a decimal (no trailing zeros).
pub fn decimal_text(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Trims `value` and checks it is non-empty and at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> DomainResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::bad(
            field,
            format!("{field} must not be empty"),
        ));
    }
    optional_text(field, value, max)
}

/// Trims `value` and checks it is at most `max` characters.
pub fn optional_text(field: &str, value: &str, max: usize) -> DomainResult<String> {
    let value = value.trim();
    let len = value.chars().count();
    if len > max {
        return Err(DomainError::bad(
            field,
            format!("{field} must be at most {max} characters (got {len})"),
        ));
    }
    Ok(value.to_owned())
}

/// Checks an IANA timezone name.
pub fn timezone(field: &str, value: &str) -> DomainResult<chrono_tz::Tz> {
    value.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        DomainError::bad(
            field,
            format!("{value:?} is not an IANA timezone such as Europe/Berlin"),
        )
    })
}

/// A plausible e-mail address, lower-cased.
pub fn email(field: &str, value: &str) -> DomainResult<String> {
    let value = value.trim().to_lowercase();
    let valid = value.len() <= 254
        && value.split_once('@').is_some_and(|(local, host)| {
            !local.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !value
                    .chars()
                    .any(|c| c.is_whitespace() || c == ',' || c == ';')
                && !host.contains('@')
        });
    if valid {
        Ok(value)
    } else {
        Err(DomainError::bad(
            field,
            format!("{value:?} is not an e-mail address"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_only_move_forward_one_step() {
        assert_eq!(CyclePhase::Planning.next(), Some(CyclePhase::Active));
        assert_eq!(CyclePhase::Rewarding.next(), Some(CyclePhase::Closed));
        assert_eq!(CyclePhase::Closed.next(), None);
    }

    #[test]
    fn text_is_trimmed_and_bounded_in_characters_not_bytes() {
        assert_eq!(required_text("title", "  a ", 5).ok().as_deref(), Some("a"));
        assert!(required_text("title", "   ", 5).is_err());
        assert!(required_text("title", "ééééé", 5).is_ok());
        assert!(required_text("title", "éééééé", 5).is_err());
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(email("email", " A@B.io ").ok().as_deref(), Some("a@b.io"));
        for bad in ["", "a", "a@b", "@b.io", "a b@c.io", "a@.io", "a@b.io."] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decimals_round_trip_exactly() {
        let d = Decimal::from_str("0.10").unwrap_or_default();
        assert_eq!(decimal_text(d), "0.1");
        assert_eq!(stored_decimal("0.1").ok(), Some(d));
    }
}
