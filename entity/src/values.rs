//! Column types. Enumerations are stored as short upper-case text and decimal quantities as
//! canonical decimal text, so one schema serves SQLite (which has no exact decimal type) and
//! PostgreSQL; a row is parsed into these types once, when it is read.

use rust_decimal::Decimal;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares an enumeration stored as text: a sea-orm active enum with serde names equal to
/// the stored text, plus `ALL` and `as_str`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize,
            Deserialize,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $text)] #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { kind: stringify!($name), text: s.to_owned() }),
                }
            }
        }
    };
}

/// Text that names no value of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a {kind}")]
pub struct UnknownValue {
    /// The enumeration.
    pub kind: &'static str,
    /// The text.
    pub text: String,
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
    /// Whose view of a skill an assessment is.
    AssessmentKind { Own => "EMPLOYEE", Manager => "MANAGER" }
);
text_enum!(
    /// Where a planning conversation stands.
    ConversationStatus { Open => "OPEN", Held => "HELD" }
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
    /// Who besides the owner's management chain and HR may read a goal or feedback.
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
    /// Whether an agreed goal is where it should be by now.
    GoalHealth { OnTrack => "ON_TRACK", AtRisk => "AT_RISK", OffTrack => "OFF_TRACK" }
);
text_enum!(
    /// A step in a goal's history.
    GoalStep {
        Created => "CREATED", Edited => "EDITED", Proposed => "PROPOSED",
        Returned => "RETURNED", Agreed => "AGREED", Accepted => "ACCEPTED",
        Achieved => "ACHIEVED", Missed => "MISSED", Dropped => "DROPPED",
        Reopened => "REOPENED",
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
text_enum!(
    /// What a development plan is for: growth, or an improvement plan for poor performance.
    PlanKind { Development => "DEVELOPMENT", Improvement => "IMPROVEMENT" }
);
text_enum!(
    /// Whether a plan still runs.
    PlanStatus { Open => "OPEN", Closed => "CLOSED" }
);
text_enum!(
    /// How an improvement plan ended (EXTENDED: it goes on to a later check).
    PlanOutcome { Successful => "SUCCESSFUL", Extended => "EXTENDED", Unsuccessful => "UNSUCCESSFUL" }
);
text_enum!(
    /// What a development item is.
    ItemKind {
        Training => "TRAINING", StretchAssignment => "STRETCH_ASSIGNMENT", Mentoring => "MENTORING",
        CareerConversation => "CAREER_CONVERSATION", Check => "CHECK",
    }
);
text_enum!(
    /// Where a development item stands: proposed by one side, agreed or returned by the
    /// other; completed by the employee, confirmed by the manager.
    ItemStatus {
        Proposed => "PROPOSED", Returned => "RETURNED", Agreed => "AGREED",
        Completed => "COMPLETED", Confirmed => "CONFIRMED",
    }
);
text_enum!(
    /// What a review question asks for: a point on the template's scale, text, or a level
    /// (1–5) of a skill from the catalogue.
    QuestionKind { Rating => "RATING", Text => "TEXT", Competency => "COMPETENCY" }
);
text_enum!(
    /// Which review round of a cycle.
    RoundKind { Midyear => "MIDYEAR", Annual => "ANNUAL" }
);
text_enum!(
    /// Where a review round stands: set up, launched (reviews written), closed (the window
    /// has passed: unsubmitted reviews expired, scores computed).
    RoundStatus { Planned => "PLANNED", Launched => "LAUNCHED", Closed => "CLOSED" }
);
text_enum!(
    /// Who writes a review about whom (`OWN`: the person about themselves, SELF on the API;
    /// the stored text cannot be `SELF`, which the derive turns into a keyword).
    ReviewKind { Own => "OWN", Manager => "MANAGER", Peer => "PEER", Upward => "UPWARD" }
);
text_enum!(
    /// Where a review stands.
    ReviewStatus {
        Pending => "PENDING", Submitted => "SUBMITTED", Declined => "DECLINED", Expired => "EXPIRED",
    }
);
text_enum!(
    /// A manager's view of someone's potential (the 9-box's other axis).
    Potential { Low => "LOW", Medium => "MEDIUM", High => "HIGH" }
);
text_enum!(
    /// A peer nomination: proposed by the reviewee, approved or rejected by the manager.
    NominationStatus { Nominated => "NOMINATED", Approved => "APPROVED", Rejected => "REJECTED" }
);
text_enum!(
    /// What a background job does.
    JobKind {
        LaunchReviews => "LAUNCH_REVIEWS", CloseRound => "CLOSE_ROUND",
        ReleaseRatings => "RELEASE_RATINGS", RewardRun => "REWARD_RUN",
        ApproveRewards => "APPROVE_REWARDS",
    }
);
text_enum!(
    /// Where a background job stands.
    JobStatus { Queued => "QUEUED", Running => "RUNNING", Done => "DONE", Failed => "FAILED" }
);
text_enum!(
    /// A step in the history of what was expected of someone.
    ExpectationKind { Revision => "REVISION", FollowUp => "FOLLOW_UP" }
);
text_enum!(
    /// Where a gap's expected level comes from.
    GapSource { Profile => "PROFILE", StretchAssignment => "STRETCH_ASSIGNMENT" }
);
text_enum!(
    /// What a reward is: a raise of base salary, the one-off part of a raise above the pay
    /// range's maximum, a bonus, paid days off, or a spot award.
    RewardKind {
        MeritIncrease => "MERIT_INCREASE", LumpSum => "LUMP_SUM", Bonus => "BONUS", Pto => "PTO",
        Award => "AWARD",
    }
);
text_enum!(
    /// Where a reward stands: PREVIEW rows belong to a what-if run and go no further;
    /// SUPERSEDED ones were replaced by a later run before approval.
    RewardStatus {
        Preview => "PREVIEW", Proposed => "PROPOSED", Approved => "APPROVED",
        Communicated => "COMMUNICATED", Superseded => "SUPERSEDED", Declined => "DECLINED",
    }
);
text_enum!(
    /// A promotion recommendation's state.
    PromotionStatus { Proposed => "PROPOSED", Approved => "APPROVED", Declined => "DECLINED" }
);
text_enum!(
    /// Where an outbox e-mail stands.
    OutboxStatus { Pending => "PENDING", Sending => "SENDING", Sent => "SENT", Failed => "FAILED" }
);

/// An exact decimal stored as canonical text (no trailing zeros), read back exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, DeriveValueType)]
#[sea_orm(value_type = "String")]
pub struct DecimalText(pub Decimal);

impl fmt::Display for DecimalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.normalize(), f)
    }
}

impl FromStr for DecimalText {
    type Err = rust_decimal::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::from_str(s).map(DecimalText)
    }
}

impl From<Decimal> for DecimalText {
    fn from(d: Decimal) -> Self {
        DecimalText(d)
    }
}

impl From<DecimalText> for Decimal {
    fn from(d: DecimalText) -> Self {
        d.0
    }
}

impl Serialize for DecimalText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_read_back_what_they_store() {
        for s in GoalStatus::ALL {
            assert_eq!(s.as_str().parse::<GoalStatus>(), Ok(*s));
            assert_eq!(s.to_value(), s.as_str());
        }
        assert_eq!(Role::HrAdmin.as_str(), "HR_ADMIN");
        assert!("draft".parse::<GoalStatus>().is_err());
    }

    #[test]
    fn decimals_are_stored_without_trailing_zeros_and_read_back_exactly() {
        let d: DecimalText = "0.10".parse().unwrap();
        assert_eq!(d.to_string(), "0.1");
        assert_eq!(d, "0.1".parse().unwrap());
        assert!("1e".parse::<DecimalText>().is_err());
    }
}
