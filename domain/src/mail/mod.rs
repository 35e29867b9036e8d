//! The typed e-mails: each template's data ([`Mail`]), as the outbox stores it and the worker's
//! templates read it back, so a field the template needs and the producer forgot is a compile
//! error. Which event tells whom is [`projection`].

mod projection;

pub use projection::project;

use crate::values::{
    Cadence, DecimalText, FeedbackKind, GoalStatus, ItemKind, ItemStatus, PlanOutcome, Visibility,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An e-mail's template and data, as stored in the outbox (`template`, `data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "template", content = "data", rename_all = "snake_case")]
pub enum Mail {
    /// To an employee whose check-in is due.
    CheckinReminder(CheckInReminder),
    /// To the manager of an employee who missed a check-in.
    CheckinMissed(CheckInMissed),
    /// To the manager a goal was proposed to.
    GoalProposed(GoalMail),
    /// To the owner a manager (or HR) proposed a goal to.
    GoalProposedToOwner(GoalByMail),
    /// To whoever proposed a goal that was returned.
    GoalReturned(GoalReturnedMail),
    /// To the owner of a goal that was agreed.
    GoalAgreed(GoalAgreedMail),
    /// To whoever proposed a goal that its owner accepted.
    GoalAccepted(GoalByMail),
    /// To the owner of a goal someone else edited.
    GoalEdited(GoalByMail),
    /// To the owner of a goal someone else closed.
    GoalClosed(GoalClosedMail),
    /// To the owner of a goal whose target moved.
    GoalTargetRevised(GoalRevisedMail),
    /// To the manager of an owner whose goal has been off track for a while.
    GoalOffTrack(GoalOffTrackMail),
    /// To the manager of someone who missed check-ins in a row.
    CheckinsMissedInARow(MissedInARowMail),
    /// To an employee whose check-in was acknowledged, with the reply.
    CheckinAcknowledged(CheckInAcknowledgedMail),
    /// To the recipient of feedback or praise (never to anyone else).
    FeedbackReceived(FeedbackMail),
    /// To an employee whose check-in cadence someone changed.
    CadenceChanged(CadenceMail),
    /// To everyone in a cycle that moved to its next phase.
    CyclePhaseMoved(CyclePhaseMail),
    /// To an employee and their manager, before the cycle starts, about their planning
    /// conversation.
    PlanningConversationDue(PlanningMail),
    /// To the owner of a follow-up goal someone else set after one they achieved.
    GoalFollowUp(FollowUpMail),
    /// To the other side of a development item that moved (the manager when the employee
    /// moved it, the employee otherwise).
    DevelopmentItem(DevelopmentItemMail),
    /// To an employee whose development item's date is near; to their manager once it passed.
    DevelopmentItemDue(DevelopmentDueMail),
    /// To an employee whose improvement plan was opened or whose outcome was recorded.
    ImprovementPlan(ImprovementPlanMail),
    /// To a manager on Monday morning: their team's week.
    ManagerDigest(DigestMail),
    /// The review stage's notices (peers to approve or approved, a review to write or
    /// reopened, a rating released or acknowledged).
    Review(ReviewMail),
    /// To someone whose rewards (a year's, or a spot award) were approved: the numbers, the
    /// rating, their manager's note.
    RewardLetter(RewardLetterMail),
}

/// One line of a reward letter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LetterItem {
    pub kind: crate::values::RewardKind,
    /// Money in `currency`, or days when `currency` is empty.
    pub amount: DecimalText,
    pub currency: String,
    pub effective_on: NaiveDate,
    pub rationale: String,
}

/// Data of a reward letter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardLetterMail {
    pub name: String,
    pub cycle_name: String,
    /// Their final rating, for a year's rewards.
    pub rating: Option<i32>,
    pub items: Vec<LetterItem>,
    /// Their manager's words, if any were written.
    pub note: String,
    pub note_by: String,
    /// The rewards the letter communicates: marked COMMUNICATED once it is sent.
    pub reward_ids: Vec<Uuid>,
}

/// What a review-stage e-mail tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewNotice {
    /// To a manager: a report nominated peers to approve.
    PeersToApprove,
    /// To the reviewee: their peers were approved.
    PeersApproved,
    /// To a peer: they were asked to review someone.
    PeerReviewRequested,
    /// To a reviewer: HR reopened their review.
    ReviewReopened,
    /// To the reviewee: their rating is released.
    RatingReleased,
    /// To a manager: a report acknowledged their rating.
    RatingAcknowledged,
    /// To a reviewer: reviews are coming due (or due today).
    ReviewsDue,
    /// To a manager: direct reports still owe reviews after the due date.
    ReviewsOverdue,
    /// To HR: people still owe reviews well after the due date.
    ReviewsOverdueHr,
}

/// Data of a review-stage e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewMail {
    /// The recipient's name.
    pub name: String,
    pub notice: ReviewNotice,
    /// The round, for the link.
    pub round_id: Uuid,
    /// Whom it is about (the reviewee).
    pub employee_name: String,
    /// When the review is due (a request).
    pub due_on: Option<NaiveDate>,
    /// The released rating.
    pub rating: Option<i32>,
    /// Why a review was reopened.
    pub reason: String,
    /// Reviews owed (a reminder: the recipient's; an escalation: everyone's it lists).
    #[serde(default)]
    pub pending: i64,
    /// An escalation's people, "name (n)", most behind first.
    #[serde(default)]
    pub lines: Vec<String>,
    /// People owing who are not listed.
    #[serde(default)]
    pub more: i64,
    /// A reminder's days until the due date (0: due today).
    #[serde(default)]
    pub days_left: Option<i32>,
}

/// Data of a follow-up-goal e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpMail {
    /// About the new goal.
    #[serde(flatten)]
    pub goal: GoalMail,
    /// The goal it follows up.
    pub follows_title: String,
    /// Who set it.
    pub by: String,
}

/// Data of a development-item e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevelopmentItemMail {
    /// The recipient's name.
    pub name: String,
    /// The item, for the link.
    pub item_id: Uuid,
    /// Its title.
    pub title: String,
    /// What it is.
    pub kind: ItemKind,
    /// Where it stands now.
    pub status: ItemStatus,
    /// Whose plan it is in.
    pub employee_name: String,
    /// Who moved it.
    pub by: String,
    /// Why it was returned (empty otherwise).
    pub reason: String,
}

/// Data of a development-item date e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevelopmentDueMail {
    /// The recipient's name.
    pub name: String,
    /// The item, for the link.
    pub item_id: Uuid,
    /// Its title.
    pub title: String,
    /// What it is.
    pub kind: ItemKind,
    /// Its date.
    pub due_on: NaiveDate,
    /// Whose it is.
    pub employee_name: String,
    /// Whether the date has passed (the e-mail then goes to the manager).
    pub overdue: bool,
}

/// Data of an improvement-plan e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImprovementPlanMail {
    /// The recipient's name.
    pub name: String,
    /// The plan, for the link.
    pub plan_id: Uuid,
    /// `None` when the plan was opened.
    pub outcome: Option<PlanOutcome>,
    /// The next check date.
    pub next_check_on: Option<NaiveDate>,
    /// Who opened it or recorded the outcome.
    pub by: String,
}

/// One line of a digest: something about someone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestLine {
    /// Whose it is.
    pub employee_name: String,
    /// What it is (a goal's title, an item's title, a skill's name).
    pub what: String,
    /// A figure or date to show beside it (a gap, a due date), if any.
    pub detail: String,
}

/// Data of a manager's weekly digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestMail {
    /// The manager's name.
    pub name: String,
    /// The Monday the digest is for.
    pub week_start: NaiveDate,
    /// Direct reports.
    pub team_size: u64,
    /// Last week's check-ins of the team: submitted (or acknowledged), still due, missed.
    pub check_ins_submitted: u64,
    pub check_ins_due: u64,
    pub check_ins_missed: u64,
    /// Agreed goals that are OFF_TRACK (all of them counted, the first few listed).
    pub off_track_count: u64,
    pub off_track: Vec<DigestLine>,
    /// Agreed development items past their date.
    pub overdue_count: u64,
    pub overdue: Vec<DigestLine>,
    /// The largest skill gaps in the team.
    pub gaps: Vec<DigestLine>,
}

/// Data of a planning-conversation reminder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanningMail {
    /// The recipient's name.
    pub name: String,
    /// The conversation, for the link.
    pub conversation_id: Uuid,
    /// The cycle's name.
    pub cycle_name: String,
    /// When the cycle starts.
    pub starts_on: chrono::NaiveDate,
    /// Whose conversation it is.
    pub employee_name: String,
    /// Whether the recipient is the employee's manager.
    pub for_manager: bool,
}

/// Data of a cycle-phase announcement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CyclePhaseMail {
    /// The recipient's name.
    pub name: String,
    /// The cycle, for the link.
    pub cycle_id: Uuid,
    /// Its name.
    pub cycle_name: String,
    /// The phase it moved to.
    pub phase: crate::values::CyclePhase,
    /// When reviews open.
    pub review_opens_on: chrono::NaiveDate,
    /// When reviews are due.
    pub review_due_on: chrono::NaiveDate,
}

/// Data of a check-in-acknowledged e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckInAcknowledgedMail {
    /// The employee's name.
    pub name: String,
    /// The check-in, for the link.
    pub check_in_id: Uuid,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// Who acknowledged it.
    pub by: String,
    /// Their reply (may be empty).
    pub reply: String,
}

/// Data of a feedback-received e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackMail {
    /// The recipient's name.
    pub name: String,
    /// The feedback, for the link.
    pub feedback_id: Uuid,
    /// Who gave it.
    pub author_name: String,
    /// Feedback or praise.
    pub kind: FeedbackKind,
    /// Private or public.
    pub visibility: Visibility,
    /// What they wrote.
    pub body: String,
}

/// Data of a cadence-changed e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CadenceMail {
    /// The employee's name.
    pub name: String,
    /// The new cadence.
    pub cadence: Cadence,
    /// Who set it.
    pub by: String,
}

/// Data of a goal-off-track note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalOffTrackMail {
    /// About the goal (`name` is the manager's).
    #[serde(flatten)]
    pub goal: GoalMail,
    /// Off track since.
    pub since: NaiveDate,
    /// For how many check-in periods.
    pub periods: u32,
}

/// Data of a missed-in-a-row note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MissedInARowMail {
    /// The manager's name.
    pub name: String,
    /// Who missed them.
    pub employee_name: String,
    /// Their id, for the link.
    pub employee_id: Uuid,
    /// The first missed period of the run.
    pub since: NaiveDate,
    /// How many in a row.
    pub missed: u32,
}

/// Data of a check-in reminder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckInReminder {
    /// The recipient's name.
    pub name: String,
    /// The check-in to write.
    pub check_in_id: Uuid,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// When it counts as missed.
    pub closes_at: DateTime<Utc>,
    /// Titles of the employee's agreed goals in the cycle.
    pub goals: Vec<String>,
}

/// Data of a missed-check-in note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckInMissed {
    /// The manager's name.
    pub name: String,
    /// Who missed it.
    pub employee_name: String,
    /// Their id, for the link.
    pub employee_id: Uuid,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
}

/// Data every goal e-mail has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalMail {
    /// The recipient's name.
    pub name: String,
    /// The goal, for the link.
    pub goal_id: Uuid,
    /// Its title.
    pub goal_title: String,
    /// Whose goal it is.
    pub owner_name: String,
    /// When it is due.
    pub due_on: NaiveDate,
    /// Its weight.
    pub weight: i32,
}

/// Data of a goal-agreed e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalAgreedMail {
    /// About the goal.
    #[serde(flatten)]
    pub goal: GoalMail,
    /// Who agreed it.
    pub agreed_by: String,
}

/// Data of a goal e-mail about something one person did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalByMail {
    /// About the goal.
    #[serde(flatten)]
    pub goal: GoalMail,
    /// Who did it.
    pub by: String,
}

/// Data of a goal-returned e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalReturnedMail {
    /// About the goal.
    #[serde(flatten)]
    pub goal: GoalMail,
    /// Who returned it.
    pub returned_by: String,
    /// Why.
    pub reason: String,
}

/// Data of a goal-closed e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalClosedMail {
    /// About the goal.
    #[serde(flatten)]
    pub goal: GoalMail,
    /// How it ended.
    pub status: GoalStatus,
    /// Who closed it.
    pub closed_by: String,
}

/// Data of a target-revised e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalRevisedMail {
    /// About the goal.
    #[serde(flatten)]
    pub goal: GoalMail,
    /// The key result's metric.
    pub metric: String,
    /// The target before.
    pub old_target: DecimalText,
    /// The target now.
    pub new_target: DecimalText,
    /// Why it moved.
    pub reason: String,
    /// Who moved it.
    pub revised_by: String,
    /// Whether it moved the harder way (expectations raised).
    #[serde(default)]
    pub raised: bool,
}

impl Mail {
    /// The template name stored in the outbox row.
    pub fn template(&self) -> &'static str {
        match self {
            Self::CheckinReminder(_) => "checkin_reminder",
            Self::CheckinMissed(_) => "checkin_missed",
            Self::GoalProposed(_) => "goal_proposed",
            Self::GoalProposedToOwner(_) => "goal_proposed_to_owner",
            Self::GoalReturned(_) => "goal_returned",
            Self::GoalAgreed(_) => "goal_agreed",
            Self::GoalAccepted(_) => "goal_accepted",
            Self::GoalEdited(_) => "goal_edited",
            Self::GoalClosed(_) => "goal_closed",
            Self::GoalOffTrack(_) => "goal_off_track",
            Self::CheckinsMissedInARow(_) => "checkins_missed_in_a_row",
            Self::CheckinAcknowledged(_) => "checkin_acknowledged",
            Self::FeedbackReceived(_) => "feedback_received",
            Self::CadenceChanged(_) => "cadence_changed",
            Self::CyclePhaseMoved(_) => "cycle_phase_moved",
            Self::PlanningConversationDue(_) => "planning_conversation_due",
            Self::GoalTargetRevised(_) => "goal_target_revised",
            Self::GoalFollowUp(_) => "goal_follow_up",
            Self::DevelopmentItem(_) => "development_item",
            Self::DevelopmentItemDue(_) => "development_item_due",
            Self::ImprovementPlan(_) => "improvement_plan",
            Self::ManagerDigest(_) => "manager_digest",
            Self::Review(_) => "review",
            Self::RewardLetter(_) => "reward_letter",
        }
    }

    /// The data stored in the outbox row.
    pub fn data(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut m)) => m.remove("data").unwrap_or_default(),
            _ => serde_json::Value::Null,
        }
    }

    /// Reads a stored row's template and data back.
    pub fn from_stored(template: &str, data: &serde_json::Value) -> Result<Self, String> {
        serde_json::from_value(serde_json::json!({ "template": template, "data": data }))
            .map_err(|e| format!("template {template:?}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_mail_reads_back_as_the_same_typed_mail() {
        let mail = Mail::GoalTargetRevised(GoalRevisedMail {
            goal: GoalMail {
                name: "Ada".into(),
                goal_id: Uuid::nil(),
                goal_title: "Ship".into(),
                owner_name: "Ada".into(),
                due_on: NaiveDate::MIN,
                weight: 50,
            },
            metric: "Users".into(),
            old_target: "10".parse().unwrap(),
            new_target: "12.5".parse().unwrap(),
            reason: "Going well".into(),
            revised_by: "Bob".into(),
            raised: true,
        });
        let data = mail.data();
        assert_eq!(data["newTarget"], "12.5");
        assert_eq!(data["goalTitle"], "Ship");
        assert_eq!(Mail::from_stored(mail.template(), &data).unwrap(), mail);
        assert!(Mail::from_stored("goal_agreed", &data).is_err());
        assert!(Mail::from_stored("nope", &data).is_err());
    }
}
