//! Value types parsed at the edge: the stored enumerations (re-exported from `entity`),
//! validated text, titles and weights.

use crate::error::{DomainError, DomainResult};

pub use entity::values::{
    AssessmentKind, Cadence, CheckInStatus, ConversationStatus, CyclePhase, DecimalText, Direction,
    ExpectationKind, FeedbackKind, GapSource, GoalHealth, GoalLevel, GoalStatus, GoalStep,
    ItemKind, ItemStatus, JobKind, JobStatus, NominationStatus, OutboxStatus, PlanKind,
    PlanOutcome, PlanStatus, Potential, PromotionStatus, QuestionKind, ReviewKind, ReviewStatus,
    RewardKind, RewardStatus, Role, RoundKind, RoundStatus, Visibility,
};

/// A title: trimmed, not empty, at most [`Title::MAX`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    /// Longest title, in characters.
    pub const MAX: usize = 200;

    /// The text.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl TryFrom<&str> for Title {
    type Error = DomainError;
    fn try_from(value: &str) -> DomainResult<Self> {
        required_text("title", value, Self::MAX).map(Title)
    }
}

/// A goal's share of its owner's goals in a cycle: 1–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weight(i32);

impl Weight {
    /// The number.
    pub fn get(self) -> i32 {
        self.0
    }
}

impl TryFrom<i32> for Weight {
    type Error = DomainError;
    fn try_from(value: i32) -> DomainResult<Self> {
        if (1..=100).contains(&value) {
            Ok(Weight(value))
        } else {
            Err(DomainError::bad(
                "weight",
                "weight must be between 1 and 100",
            ))
        }
    }
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
    fn titles_and_weights_refuse_what_they_cannot_hold() {
        assert_eq!(
            Title::try_from(" Ship it ")
                .map(Title::into_inner)
                .ok()
                .as_deref(),
            Some("Ship it")
        );
        assert!(Title::try_from("  ").is_err());
        assert!(Title::try_from("x".repeat(201).as_str()).is_err());
        assert_eq!(Weight::try_from(100).map(Weight::get).ok(), Some(100));
        for bad in [0, -1, 101] {
            assert!(
                matches!(Weight::try_from(bad), Err(DomainError::BadInput { field, .. }) if field == "weight")
            );
        }
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
}
