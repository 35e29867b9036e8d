//! Domain events: one typed stream of every state change. A use-case emits its events with
//! [`crate::publish::emit`] inside its own transaction.

use crate::values::{
    CyclePhase, DecimalText, FeedbackKind, GoalStatus, ItemKind, ItemStatus, PlanOutcome,
    ReviewKind, Visibility,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Something that happened. Events carry ids and the facts of the moment; who is told about
/// them is decided by each consumer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
pub enum DomainEvent {
    /// HR created a cycle.
    CycleCreated { cycle_id: Uuid, name: String },
    /// HR changed a cycle's name, dates or cadence.
    CycleUpdated { cycle_id: Uuid, name: String },
    /// HR moved a cycle to its next phase.
    CyclePhaseChanged {
        cycle_id: Uuid,
        name: String,
        from: CyclePhase,
        to: CyclePhase,
    },
    /// A goal was written as a draft.
    GoalCreated {
        goal_id: Uuid,
        owner_id: Uuid,
        cycle_id: Uuid,
    },
    /// A goal's content changed before agreement.
    GoalUpdated {
        #[serde(flatten)]
        goal: GoalFacts,
        #[serde(default)]
        step_id: Uuid,
        #[serde(default)]
        edited_by: Option<Uuid>,
    },
    /// A draft was put up for agreement: by its owner to their manager, or by a manager (or
    /// HR) to the owner.
    GoalProposed {
        #[serde(flatten)]
        goal: GoalFacts,
        #[serde(default)]
        step_id: Uuid,
        #[serde(default)]
        proposed_by: Option<Uuid>,
    },
    /// The side a goal was proposed to sent it back to DRAFT, saying why.
    GoalReturned {
        #[serde(flatten)]
        goal: GoalFacts,
        step_id: Uuid,
        returned_by: Uuid,
        proposed_by: Uuid,
        reason: String,
    },
    /// A proposed goal was agreed: by a manager (or HR), or by its owner accepting it.
    GoalAgreed {
        #[serde(flatten)]
        goal: GoalFacts,
        agreed_by: Uuid,
        #[serde(default)]
        step_id: Uuid,
        #[serde(default)]
        proposed_by: Option<Uuid>,
    },
    /// A goal ended: achieved, missed or dropped.
    GoalClosed {
        #[serde(flatten)]
        goal: GoalFacts,
        status: GoalStatus,
        #[serde(default)]
        step_id: Uuid,
        #[serde(default)]
        closed_by: Option<Uuid>,
    },
    /// The owner deleted a draft.
    GoalDeleted {
        #[serde(flatten)]
        goal: GoalFacts,
        deleted_by: Uuid,
    },
    /// A key result's current value was recorded.
    KeyResultProgressed {
        goal_id: Uuid,
        owner_id: Uuid,
        key_result_id: Uuid,
        previous: DecimalText,
        current: DecimalText,
    },
    /// An agreed key result's target moved ("raising expectations").
    GoalTargetRevised {
        #[serde(flatten)]
        goal: GoalFacts,
        revision_id: Uuid,
        key_result_id: Uuid,
        metric: String,
        old_target: DecimalText,
        new_target: DecimalText,
        reason: String,
        revised_by: Uuid,
        /// Whether the target moved the harder way (up for an increasing metric, down for a
        /// decreasing one).
        #[serde(default)]
        raised: bool,
    },
    /// An ACHIEVED goal went back to AGREED: its target was raised before its due date.
    GoalReopened {
        #[serde(flatten)]
        goal: GoalFacts,
        step_id: Uuid,
        reopened_by: Uuid,
    },
    /// A follow-up goal was set after a goal its owner achieved (or passed the target of).
    FollowUpGoalSet {
        #[serde(flatten)]
        goal: GoalFacts,
        follows_goal_id: Uuid,
        follows_title: String,
        set_by: Uuid,
    },
    /// A development item moved: proposed, returned, agreed, completed or confirmed.
    DevelopmentItemMoved {
        item_id: Uuid,
        plan_id: Uuid,
        employee_id: Uuid,
        kind: ItemKind,
        title: String,
        status: ItemStatus,
        /// Who moved it.
        by: Uuid,
        /// Why it was returned (empty otherwise).
        reason: String,
        /// Unique per move, for the e-mail's dedupe key.
        change_id: Uuid,
    },
    /// A dated development item (training, check date, …) is near or past its date: stage 1
    /// a week before, 2 a day before, 3 overdue.
    DevelopmentItemDue {
        item_id: Uuid,
        employee_id: Uuid,
        kind: ItemKind,
        title: String,
        due_on: NaiveDate,
        stage: i32,
    },
    /// An improvement plan was opened, or its outcome recorded.
    ImprovementPlanChanged {
        plan_id: Uuid,
        employee_id: Uuid,
        /// `None` when it was opened.
        outcome: Option<PlanOutcome>,
        /// The next check date (when opened or EXTENDED).
        next_check_on: Option<NaiveDate>,
        by: Uuid,
        change_id: Uuid,
    },
    /// A round's launch job created its reviews.
    ReviewsLaunched {
        round_id: Uuid,
        cycle_id: Uuid,
        people: i64,
        reviews: i64,
    },
    /// Someone nominated their peers; their manager is asked to approve.
    PeersNominated {
        round_id: Uuid,
        employee_id: Uuid,
        peers: i32,
        /// Unique per nomination, for the e-mail's dedupe key.
        change_id: Uuid,
    },
    /// A manager (or HR) approved someone's peers.
    PeersApproved {
        round_id: Uuid,
        employee_id: Uuid,
        by: Uuid,
    },
    /// A peer was asked to review someone (the reviewee knows whom they nominated and what
    /// was approved; which of them wrote what is never said).
    PeerReviewRequested {
        round_id: Uuid,
        reviewee_id: Uuid,
        reviewer_id: Uuid,
        due_on: NaiveDate,
    },
    /// A review was submitted. It never names its author: for PEER and UPWARD reviews that is
    /// the secret, and the stored event carries no actor either.
    ReviewSubmitted {
        round_id: Uuid,
        reviewee_id: Uuid,
        kind: ReviewKind,
    },
    /// A peer declined to review (without their name).
    ReviewDeclined { round_id: Uuid, reviewee_id: Uuid },
    /// HR reopened a review. Its author hears by e-mail; the author's id is used for that in
    /// the change's transaction and is never stored with the event.
    ReviewReopened {
        review_id: Uuid,
        round_id: Uuid,
        reviewee_id: Uuid,
        kind: ReviewKind,
        #[serde(skip_serializing, default)]
        reviewer_id: Uuid,
        reason: String,
        /// Unique per reopening, for the e-mail's dedupe key.
        change_id: Uuid,
    },
    /// A reviewer's reviews in a round are coming due: `stage` days before the due date (0 on
    /// the day), `day` in their timezone.
    ReviewsDue {
        round_id: Uuid,
        reviewer_id: Uuid,
        due_on: NaiveDate,
        pending: i64,
        stage: i32,
        day: NaiveDate,
    },
    /// Reviews are overdue: told to a manager about their direct reports, or to HR about
    /// everyone (`reviewers` then lists the most behind; `people` counts them all).
    ReviewsOverdue {
        round_id: Uuid,
        recipient_id: Uuid,
        to_hr: bool,
        due_on: NaiveDate,
        people: i64,
        reviews: i64,
        reviewers: Vec<OverdueReviewer>,
    },
    /// A round closed: unsubmitted reviews expired.
    ReviewRoundClosed {
        round_id: Uuid,
        cycle_id: Uuid,
        expired: i64,
    },
    /// HR calibrated someone's rating.
    RatingCalibrated {
        round_id: Uuid,
        employee_id: Uuid,
        from: Option<i32>,
        to: i32,
    },
    /// Someone's rating was released to them.
    RatingReleased {
        round_id: Uuid,
        employee_id: Uuid,
        rating: Option<i32>,
    },
    /// Someone acknowledged their released rating.
    RatingAcknowledged {
        round_id: Uuid,
        employee_id: Uuid,
        with_comment: bool,
    },
    /// A background job failed for good (its last attempt failed, or its workers kept dying).
    JobFailed {
        job_id: Uuid,
        /// The job's kind, e.g. `REWARD_RUN`.
        job_kind: String,
        /// What it worked on (a run, a round, a cycle).
        job_subject_id: Uuid,
        error: String,
    },
    /// A reward run was queued (by HR, or by the cycle's move to REWARDING).
    RewardRunStarted {
        run_id: Uuid,
        cycle_id: Uuid,
        preview: bool,
    },
    /// A batch of a reward run committed.
    RewardRunProgressed {
        run_id: Uuid,
        cycle_id: Uuid,
        processed: i64,
        total: i64,
    },
    /// A reward run finished: its rewards are there to approve (or, for a preview, to compare).
    RewardRunCompleted {
        run_id: Uuid,
        cycle_id: Uuid,
        preview: bool,
        rewarded: i64,
    },
    /// HR approved a run's rewards (all, or one department's): letters follow.
    RewardsApproved {
        run_id: Uuid,
        cycle_id: Uuid,
        department_id: Option<Uuid>,
    },
    /// A manager or HR gave someone a spot award (to be approved by HR).
    AwardGiven {
        reward_id: Uuid,
        employee_id: Uuid,
        given_by: Uuid,
    },
    /// A manager recommended someone for promotion.
    PromotionRecommended {
        promotion_id: Uuid,
        employee_id: Uuid,
    },
    /// HR approved or declined a promotion recommendation.
    PromotionDecided {
        promotion_id: Uuid,
        employee_id: Uuid,
        approved: bool,
    },
    /// A scan opened check-ins for a cycle's new periods.
    CheckInsOpened {
        cycle_id: Uuid,
        /// How many check-ins this scan opened in the cycle.
        opened: u64,
    },
    /// A check-in was submitted.
    CheckInSubmitted {
        check_in_id: Uuid,
        employee_id: Uuid,
        confidence: i32,
    },
    /// A manager (or HR) acknowledged a check-in.
    CheckInAcknowledged {
        check_in_id: Uuid,
        employee_id: Uuid,
        by: Uuid,
    },
    /// A check-in's reminder time came.
    CheckInReminderDue {
        #[serde(flatten)]
        check_in: CheckInFacts,
        closes_at: DateTime<Utc>,
    },
    /// A check-in's grace period ended without a submission.
    CheckInMissed {
        #[serde(flatten)]
        check_in: CheckInFacts,
    },
    /// An employee missed two or more check-ins in a row (once per run of misses).
    CheckInsMissedInARow {
        employee_id: Uuid,
        cycle_id: Uuid,
        /// The first period of the run: the episode's key.
        first_period_start: NaiveDate,
        /// Misses in the run so far.
        missed: u32,
    },
    /// An agreed goal has been OFF_TRACK for several of its owner's check-in periods.
    GoalOffTrack {
        #[serde(flatten)]
        goal: GoalFacts,
        /// The day it went off track: the episode's key.
        since: NaiveDate,
        /// Its owner's check-in periods since then.
        periods: u32,
    },
    /// An employee's check-in cadence in a cycle was set.
    CheckInCadenceSet {
        employee_id: Uuid,
        cycle_id: Uuid,
        cadence: entity::values::Cadence,
        #[serde(default)]
        set_by: Option<Uuid>,
    },
    /// A planning conversation's reminder time came: one event per side (the employee,
    /// their manager).
    PlanningConversationDue {
        conversation_id: Uuid,
        cycle_id: Uuid,
        cycle_name: String,
        starts_on: NaiveDate,
        employee_id: Uuid,
        recipient_id: Uuid,
    },
    /// HR added someone to the organisation.
    EmployeeCreated {
        employee_id: Uuid,
        manager_id: Option<Uuid>,
    },
    /// HR changed someone's details.
    EmployeeUpdated { employee_id: Uuid },
    /// HR moved someone (with everyone below them) under another manager.
    EmployeeMoved {
        employee_id: Uuid,
        from_manager_id: Option<Uuid>,
        to_manager_id: Option<Uuid>,
    },
    /// HR marked someone as having left.
    EmployeeDeactivated { employee_id: Uuid },
    /// Feedback or praise was given.
    FeedbackGiven {
        feedback_id: Uuid,
        author_id: Uuid,
        recipient_id: Uuid,
        goal_id: Option<Uuid>,
        kind: FeedbackKind,
        visibility: Visibility,
    },
}

/// What an event about a goal says of the goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalFacts {
    /// The goal.
    pub goal_id: Uuid,
    /// Whose goal.
    pub owner_id: Uuid,
    /// Its title then.
    pub title: String,
    /// Its due date then.
    pub due_on: NaiveDate,
    /// Its weight then.
    pub weight: i32,
}

impl GoalFacts {
    /// The facts of a goal row.
    pub fn of(g: &entity::goal::Model) -> Self {
        Self {
            goal_id: g.id,
            owner_id: g.owner_id,
            title: g.title.clone(),
            due_on: g.due_on,
            weight: g.weight,
        }
    }
}

/// What an event about a check-in says of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckInFacts {
    /// The check-in.
    pub check_in_id: Uuid,
    /// Whose check-in.
    pub employee_id: Uuid,
    /// The cycle it belongs to.
    pub cycle_id: Uuid,
    /// First day of its period.
    pub period_start: NaiveDate,
    /// Last day of its period.
    pub period_end: NaiveDate,
}

impl CheckInFacts {
    /// The facts of a check-in row.
    pub fn of(c: &entity::check_in::Model) -> Self {
        Self {
            check_in_id: c.id,
            employee_id: c.employee_id,
            cycle_id: c.cycle_id,
            period_start: c.period_start,
            period_end: c.period_end,
        }
    }
}

/// Someone who still owes reviews, and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverdueReviewer {
    pub reviewer_id: Uuid,
    pub pending: i64,
}

/// Every event kind [`DomainEvent::kind`] names (the activity stream filters by them).
pub const KINDS: &[&str] = &[
    "JOB_FAILED",
    "CYCLE_CREATED",
    "CYCLE_UPDATED",
    "CYCLE_PHASE_CHANGED",
    "GOAL_CREATED",
    "GOAL_UPDATED",
    "GOAL_PROPOSED",
    "GOAL_RETURNED",
    "GOAL_AGREED",
    "GOAL_CLOSED",
    "GOAL_DELETED",
    "KEY_RESULT_PROGRESSED",
    "GOAL_TARGET_REVISED",
    "GOAL_REOPENED",
    "FOLLOW_UP_GOAL_SET",
    "DEVELOPMENT_ITEM_MOVED",
    "DEVELOPMENT_ITEM_DUE",
    "IMPROVEMENT_PLAN_CHANGED",
    "REVIEWS_LAUNCHED",
    "PEERS_NOMINATED",
    "PEERS_APPROVED",
    "PEER_REVIEW_REQUESTED",
    "REVIEW_SUBMITTED",
    "REVIEW_DECLINED",
    "REVIEW_REOPENED",
    "REVIEW_ROUND_CLOSED",
    "REVIEWS_DUE",
    "REVIEWS_OVERDUE",
    "RATING_CALIBRATED",
    "RATING_RELEASED",
    "RATING_ACKNOWLEDGED",
    "REWARD_RUN_STARTED",
    "REWARD_RUN_PROGRESSED",
    "REWARD_RUN_COMPLETED",
    "REWARDS_APPROVED",
    "AWARD_GIVEN",
    "PROMOTION_RECOMMENDED",
    "PROMOTION_DECIDED",
    "CHECK_INS_OPENED",
    "CHECK_IN_SUBMITTED",
    "CHECK_IN_ACKNOWLEDGED",
    "CHECK_IN_REMINDER_DUE",
    "CHECK_IN_MISSED",
    "CHECK_INS_MISSED_IN_A_ROW",
    "GOAL_OFF_TRACK",
    "CHECK_IN_CADENCE_SET",
    "FEEDBACK_GIVEN",
    "PLANNING_CONVERSATION_DUE",
    "EMPLOYEE_CREATED",
    "EMPLOYEE_UPDATED",
    "EMPLOYEE_MOVED",
    "EMPLOYEE_DEACTIVATED",
];

impl DomainEvent {
    /// The event's name, as stored in `domain_event.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::JobFailed { .. } => "JOB_FAILED",
            Self::CycleCreated { .. } => "CYCLE_CREATED",
            Self::CycleUpdated { .. } => "CYCLE_UPDATED",
            Self::CyclePhaseChanged { .. } => "CYCLE_PHASE_CHANGED",
            Self::GoalCreated { .. } => "GOAL_CREATED",
            Self::GoalUpdated { .. } => "GOAL_UPDATED",
            Self::GoalProposed { .. } => "GOAL_PROPOSED",
            Self::GoalReturned { .. } => "GOAL_RETURNED",
            Self::GoalAgreed { .. } => "GOAL_AGREED",
            Self::GoalClosed { .. } => "GOAL_CLOSED",
            Self::GoalDeleted { .. } => "GOAL_DELETED",
            Self::KeyResultProgressed { .. } => "KEY_RESULT_PROGRESSED",
            Self::GoalTargetRevised { .. } => "GOAL_TARGET_REVISED",
            Self::GoalReopened { .. } => "GOAL_REOPENED",
            Self::FollowUpGoalSet { .. } => "FOLLOW_UP_GOAL_SET",
            Self::DevelopmentItemMoved { .. } => "DEVELOPMENT_ITEM_MOVED",
            Self::DevelopmentItemDue { .. } => "DEVELOPMENT_ITEM_DUE",
            Self::ImprovementPlanChanged { .. } => "IMPROVEMENT_PLAN_CHANGED",
            Self::ReviewsLaunched { .. } => "REVIEWS_LAUNCHED",
            Self::PeersNominated { .. } => "PEERS_NOMINATED",
            Self::PeersApproved { .. } => "PEERS_APPROVED",
            Self::PeerReviewRequested { .. } => "PEER_REVIEW_REQUESTED",
            Self::ReviewSubmitted { .. } => "REVIEW_SUBMITTED",
            Self::ReviewDeclined { .. } => "REVIEW_DECLINED",
            Self::ReviewReopened { .. } => "REVIEW_REOPENED",
            Self::ReviewRoundClosed { .. } => "REVIEW_ROUND_CLOSED",
            Self::ReviewsDue { .. } => "REVIEWS_DUE",
            Self::ReviewsOverdue { .. } => "REVIEWS_OVERDUE",
            Self::RatingCalibrated { .. } => "RATING_CALIBRATED",
            Self::RatingReleased { .. } => "RATING_RELEASED",
            Self::RatingAcknowledged { .. } => "RATING_ACKNOWLEDGED",
            Self::RewardRunStarted { .. } => "REWARD_RUN_STARTED",
            Self::RewardRunProgressed { .. } => "REWARD_RUN_PROGRESSED",
            Self::RewardRunCompleted { .. } => "REWARD_RUN_COMPLETED",
            Self::RewardsApproved { .. } => "REWARDS_APPROVED",
            Self::AwardGiven { .. } => "AWARD_GIVEN",
            Self::PromotionRecommended { .. } => "PROMOTION_RECOMMENDED",
            Self::PromotionDecided { .. } => "PROMOTION_DECIDED",
            Self::CheckInsOpened { .. } => "CHECK_INS_OPENED",
            Self::CheckInSubmitted { .. } => "CHECK_IN_SUBMITTED",
            Self::CheckInAcknowledged { .. } => "CHECK_IN_ACKNOWLEDGED",
            Self::CheckInReminderDue { .. } => "CHECK_IN_REMINDER_DUE",
            Self::CheckInMissed { .. } => "CHECK_IN_MISSED",
            Self::CheckInsMissedInARow { .. } => "CHECK_INS_MISSED_IN_A_ROW",
            Self::GoalOffTrack { .. } => "GOAL_OFF_TRACK",
            Self::CheckInCadenceSet { .. } => "CHECK_IN_CADENCE_SET",
            Self::FeedbackGiven { .. } => "FEEDBACK_GIVEN",
            Self::PlanningConversationDue { .. } => "PLANNING_CONVERSATION_DUE",
            Self::EmployeeCreated { .. } => "EMPLOYEE_CREATED",
            Self::EmployeeUpdated { .. } => "EMPLOYEE_UPDATED",
            Self::EmployeeMoved { .. } => "EMPLOYEE_MOVED",
            Self::EmployeeDeactivated { .. } => "EMPLOYEE_DEACTIVATED",
        }
    }

    /// The object the event is about.
    pub fn subject_id(&self) -> Uuid {
        match self {
            Self::JobFailed { job_id, .. } => *job_id,
            Self::CycleCreated { cycle_id, .. }
            | Self::CycleUpdated { cycle_id, .. }
            | Self::CyclePhaseChanged { cycle_id, .. } => *cycle_id,
            Self::GoalCreated { goal_id, .. } | Self::KeyResultProgressed { goal_id, .. } => {
                *goal_id
            }
            Self::GoalUpdated { goal, .. }
            | Self::GoalProposed { goal, .. }
            | Self::GoalReturned { goal, .. }
            | Self::GoalAgreed { goal, .. }
            | Self::GoalClosed { goal, .. }
            | Self::GoalDeleted { goal, .. }
            | Self::GoalOffTrack { goal, .. }
            | Self::GoalTargetRevised { goal, .. }
            | Self::GoalReopened { goal, .. }
            | Self::FollowUpGoalSet { goal, .. } => goal.goal_id,
            Self::DevelopmentItemMoved { item_id, .. }
            | Self::DevelopmentItemDue { item_id, .. } => *item_id,
            Self::ImprovementPlanChanged { plan_id, .. } => *plan_id,
            Self::ReviewsLaunched { round_id, .. }
            | Self::ReviewRoundClosed { round_id, .. }
            | Self::ReviewSubmitted { round_id, .. }
            | Self::ReviewDeclined { round_id, .. }
            | Self::PeerReviewRequested { round_id, .. }
            | Self::ReviewsDue { round_id, .. }
            | Self::ReviewsOverdue { round_id, .. } => *round_id,
            Self::ReviewReopened { review_id, .. } => *review_id,
            Self::PeersNominated { employee_id, .. }
            | Self::PeersApproved { employee_id, .. }
            | Self::RatingCalibrated { employee_id, .. }
            | Self::RatingReleased { employee_id, .. }
            | Self::RatingAcknowledged { employee_id, .. } => *employee_id,
            Self::CheckInsOpened { cycle_id, .. } => *cycle_id,
            Self::CheckInSubmitted { check_in_id, .. }
            | Self::CheckInAcknowledged { check_in_id, .. } => *check_in_id,
            Self::CheckInReminderDue { check_in, .. } | Self::CheckInMissed { check_in } => {
                check_in.check_in_id
            }
            Self::CheckInCadenceSet { employee_id, .. }
            | Self::CheckInsMissedInARow { employee_id, .. }
            | Self::EmployeeCreated { employee_id, .. }
            | Self::EmployeeUpdated { employee_id }
            | Self::EmployeeMoved { employee_id, .. }
            | Self::EmployeeDeactivated { employee_id } => *employee_id,
            Self::FeedbackGiven { feedback_id, .. } => *feedback_id,
            Self::RewardRunStarted { run_id, .. }
            | Self::RewardRunProgressed { run_id, .. }
            | Self::RewardRunCompleted { run_id, .. }
            | Self::RewardsApproved { run_id, .. } => *run_id,
            Self::AwardGiven { reward_id, .. } => *reward_id,
            Self::PromotionRecommended { promotion_id, .. }
            | Self::PromotionDecided { promotion_id, .. } => *promotion_id,
            Self::PlanningConversationDue {
                conversation_id, ..
            } => *conversation_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_their_stored_form() {
        let e = DomainEvent::GoalAgreed {
            goal: GoalFacts {
                goal_id: Uuid::nil(),
                owner_id: Uuid::nil(),
                title: "Ship".into(),
                due_on: NaiveDate::MIN,
                weight: 40,
            },
            agreed_by: Uuid::nil(),
            step_id: Uuid::nil(),
            proposed_by: None,
        };
        let stored = serde_json::to_value(&e).unwrap();
        assert_eq!(stored["type"], "GOAL_AGREED");
        assert_eq!(stored["type"], e.kind());
        assert_eq!(stored["agreedBy"], Uuid::nil().to_string());
        assert_eq!(stored["title"], "Ship");
        assert_eq!(serde_json::from_value::<DomainEvent>(stored).unwrap(), e);
    }

    #[test]
    fn events_stored_before_a_field_was_added_still_read() {
        let stored = serde_json::json!({
            "type": "GOAL_PROPOSED", "goalId": Uuid::nil(), "ownerId": Uuid::nil(),
            "title": "Ship", "dueOn": "2027-01-01", "weight": 40,
        });
        let read = serde_json::from_value::<DomainEvent>(stored).unwrap();
        assert!(matches!(
            read,
            DomainEvent::GoalProposed {
                proposed_by: None,
                ..
            }
        ));
    }
    #[test]
    fn kinds_lists_every_kind_the_match_names() {
        let source = include_str!("events.rs");
        let body = &source
            [source.find("pub fn kind(&self)").unwrap()..source.find("pub fn subject_id").unwrap()];
        let named: Vec<&str> = body
            .split("=> \"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        assert_eq!(named, KINDS);
    }
}
