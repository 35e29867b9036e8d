//! What the e-mail outbox makes of domain events: which event tells whom, under which dedupe
//! key, with which typed data. The same [`Mail`] types are read back by the worker's
//! templates, so a field the template needs and the producer forgot is a compile error.

use crate::employees;
use crate::error::DomainResult;
use crate::events::{CheckInFacts, DomainEvent, GoalFacts};
use crate::outbox::{self, Email};
use crate::query::rows_in;
use crate::values::{Cadence, DecimalText, FeedbackKind, GoalStatus, Visibility};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{check_in, employee, feedback, goal};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
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

/// Turns `events` into outbox e-mails in the caller's transaction: one query for everyone the
/// e-mails name, one for reminders' goal titles. People who have left get nothing. Returns
/// how many e-mails were new (a dedupe key already queued counts as none).
pub async fn project(
    txn: &impl ConnectionTrait,
    events: &[DomainEvent],
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    let mut ids = HashSet::new();
    for e in events {
        match e {
            DomainEvent::GoalProposed {
                goal, proposed_by, ..
            } => {
                ids.insert(goal.owner_id);
                ids.extend(*proposed_by);
            }
            DomainEvent::GoalReturned {
                goal,
                returned_by,
                proposed_by,
                ..
            } => {
                ids.extend([goal.owner_id, *returned_by, *proposed_by]);
            }
            DomainEvent::GoalAgreed {
                goal,
                agreed_by,
                proposed_by,
                ..
            } => {
                ids.extend([goal.owner_id, *agreed_by]);
                ids.extend(*proposed_by);
            }
            DomainEvent::GoalUpdated {
                goal,
                edited_by: by,
                ..
            }
            | DomainEvent::GoalClosed {
                goal,
                closed_by: by,
                ..
            } => {
                ids.insert(goal.owner_id);
                ids.extend(*by);
            }
            DomainEvent::GoalTargetRevised {
                goal, revised_by, ..
            } => {
                ids.extend([goal.owner_id, *revised_by]);
            }
            DomainEvent::CheckInReminderDue { check_in, .. }
            | DomainEvent::CheckInMissed { check_in } => {
                ids.insert(check_in.employee_id);
            }
            DomainEvent::GoalOffTrack { goal, .. } => {
                ids.insert(goal.owner_id);
            }
            DomainEvent::CheckInsMissedInARow { employee_id, .. } => {
                ids.insert(*employee_id);
            }
            DomainEvent::CheckInAcknowledged {
                employee_id, by, ..
            } => {
                ids.extend([*employee_id, *by]);
            }
            DomainEvent::FeedbackGiven {
                author_id,
                recipient_id,
                ..
            } => {
                ids.extend([*author_id, *recipient_id]);
            }
            DomainEvent::CheckInCadenceSet {
                employee_id,
                set_by,
                ..
            } => {
                ids.insert(*employee_id);
                ids.extend(*set_by);
            }
            DomainEvent::PlanningConversationDue {
                employee_id,
                recipient_id,
                ..
            } => {
                ids.extend([*employee_id, *recipient_id]);
            }
            _ => {}
        }
    }
    if ids.is_empty() {
        return Ok(0);
    }
    let mut people = employees::by_ids(txn, &ids.into_iter().collect::<Vec<_>>()).await?;
    // Managers of the people named, for the e-mails that go up the tree.
    let managers: Vec<Uuid> = people
        .values()
        .filter_map(|p| p.manager_id)
        .filter(|m| !people.contains_key(m))
        .collect();
    people.extend(employees::by_ids(txn, &managers).await?);
    let titles = reminder_goal_titles(txn, events).await?;
    // The rows whose words the e-mails quote: replies and feedback stay out of the events.
    let mut acknowledged = Vec::new();
    let mut given = Vec::new();
    for e in events {
        match e {
            DomainEvent::CheckInAcknowledged { check_in_id, .. } => acknowledged.push(*check_in_id),
            DomainEvent::FeedbackGiven { feedback_id, .. } => given.push(*feedback_id),
            _ => {}
        }
    }
    let known = Known {
        people,
        titles,
        check_ins: crate::query::by_ids::<check_in::Entity>(
            txn,
            check_in::Column::Id,
            &acknowledged,
        )
        .await?,
        feedback: crate::query::by_ids::<feedback::Entity>(txn, feedback::Column::Id, &given)
            .await?,
        now,
    };
    let emails = events.iter().filter_map(|e| email_for(e, &known)).collect();
    outbox::enqueue_many(txn, emails, now).await
}

/// What the e-mails of a batch of events are made from.
struct Known {
    people: HashMap<Uuid, employee::Model>,
    titles: HashMap<(Uuid, Uuid), Vec<String>>,
    check_ins: HashMap<Uuid, check_in::Model>,
    feedback: HashMap<Uuid, feedback::Model>,
    now: DateTime<Utc>,
}

/// Titles of each reminded employee's agreed goals in the check-in's cycle.
async fn reminder_goal_titles(
    txn: &impl ConnectionTrait,
    events: &[DomainEvent],
) -> DomainResult<HashMap<(Uuid, Uuid), Vec<String>>> {
    let mut by_cycle: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for e in events {
        if let DomainEvent::CheckInReminderDue { check_in, .. } = e {
            by_cycle
                .entry(check_in.cycle_id)
                .or_default()
                .push(check_in.employee_id);
        }
    }
    let mut titles: HashMap<(Uuid, Uuid), Vec<String>> = HashMap::new();
    for (cycle, owners) in by_cycle {
        let query = goal::Entity::find()
            .filter(goal::Column::CycleId.eq(cycle))
            .filter(goal::Column::Status.eq(GoalStatus::Agreed))
            .order_by_asc(goal::Column::CreatedAt);
        for g in rows_in(txn, query, goal::Column::OwnerId, &owners).await? {
            titles.entry((cycle, g.owner_id)).or_default().push(g.title);
        }
    }
    Ok(titles)
}

/// The e-mail an event sends, if any, to whom, under which dedupe key.
fn email_for(event: &DomainEvent, known: &Known) -> Option<Email> {
    let titles = &known.titles;
    let person = |id: &Uuid| known.people.get(id);
    let active = |id: &Uuid| person(id).filter(|p| p.active);
    let manager_of = |id: &Uuid| {
        person(id)
            .and_then(|p| p.manager_id)
            .and_then(|m| active(&m))
    };
    let goal_mail = |to: &employee::Model, g: &GoalFacts| GoalMail {
        name: to.name.clone(),
        goal_id: g.goal_id,
        goal_title: g.title.clone(),
        owner_name: person(&g.owner_id)
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        due_on: g.due_on,
        weight: g.weight,
    };
    let name_of = |id: &Uuid| person(id).map(|p| p.name.clone()).unwrap_or_default();
    let by_mail = |to: &employee::Model, g: &GoalFacts, by: &Uuid| GoalByMail {
        goal: goal_mail(to, g),
        by: name_of(by),
    };
    // Events stored before steps had ids are keyed by their goal, as they were then.
    let step_or = |step: &Uuid, g: &GoalFacts| {
        if step.is_nil() { g.goal_id } else { *step }
    };
    let (to, dedupe_key, mail) = match event {
        DomainEvent::GoalProposed {
            goal,
            step_id,
            proposed_by,
        } => {
            let key = format!("goal-proposed:{}", step_or(step_id, goal));
            match proposed_by {
                Some(by) if *by != goal.owner_id => {
                    let to = active(&goal.owner_id)?;
                    let mail = Mail::GoalProposedToOwner(by_mail(to, goal, by));
                    (to, key, mail)
                }
                _ => {
                    let to = manager_of(&goal.owner_id)?;
                    (to, key, Mail::GoalProposed(goal_mail(to, goal)))
                }
            }
        }
        DomainEvent::GoalReturned {
            goal,
            step_id,
            returned_by,
            proposed_by,
            reason,
        } => {
            let to = active(proposed_by)?;
            (
                to,
                format!("goal-returned:{step_id}"),
                Mail::GoalReturned(GoalReturnedMail {
                    goal: goal_mail(to, goal),
                    returned_by: name_of(returned_by),
                    reason: reason.clone(),
                }),
            )
        }
        DomainEvent::GoalAgreed {
            goal,
            agreed_by,
            step_id,
            proposed_by,
        } => {
            let key = format!("goal-agreed:{}", step_or(step_id, goal));
            if *agreed_by == goal.owner_id {
                // The owner accepted: whoever proposed it hears so.
                let to = active(&(*proposed_by)?)?;
                (to, key, Mail::GoalAccepted(by_mail(to, goal, agreed_by)))
            } else {
                let to = active(&goal.owner_id)?;
                let mail = Mail::GoalAgreed(GoalAgreedMail {
                    goal: goal_mail(to, goal),
                    agreed_by: name_of(agreed_by),
                });
                (to, key, mail)
            }
        }
        DomainEvent::GoalUpdated {
            goal,
            step_id,
            edited_by: Some(by),
        } if *by != goal.owner_id => {
            let to = active(&goal.owner_id)?;
            (
                to,
                format!("goal-edited:{step_id}"),
                Mail::GoalEdited(by_mail(to, goal, by)),
            )
        }
        DomainEvent::GoalClosed {
            goal,
            status,
            step_id,
            closed_by: Some(by),
        } if *by != goal.owner_id => {
            let to = active(&goal.owner_id)?;
            (
                to,
                format!("goal-closed:{}", step_or(step_id, goal)),
                Mail::GoalClosed(GoalClosedMail {
                    goal: goal_mail(to, goal),
                    status: *status,
                    closed_by: name_of(by),
                }),
            )
        }
        DomainEvent::GoalTargetRevised {
            goal,
            revision_id,
            metric,
            old_target,
            new_target,
            reason,
            revised_by,
            ..
        } => {
            let to = active(&goal.owner_id)?;
            (
                to,
                format!("goal-revised:{revision_id}"),
                Mail::GoalTargetRevised(GoalRevisedMail {
                    goal: goal_mail(to, goal),
                    metric: metric.clone(),
                    old_target: *old_target,
                    new_target: *new_target,
                    reason: reason.clone(),
                    revised_by: name_of(revised_by),
                }),
            )
        }
        DomainEvent::CheckInReminderDue {
            check_in,
            closes_at,
        } => {
            let to = active(&check_in.employee_id)?;
            (
                to,
                format!(
                    "checkin-reminder:{}:{}",
                    check_in.employee_id, check_in.period_start
                ),
                Mail::CheckinReminder(CheckInReminder {
                    name: to.name.clone(),
                    check_in_id: check_in.check_in_id,
                    period_start: check_in.period_start,
                    period_end: check_in.period_end,
                    closes_at: *closes_at,
                    goals: titles
                        .get(&(check_in.cycle_id, check_in.employee_id))
                        .cloned()
                        .unwrap_or_default(),
                }),
            )
        }
        DomainEvent::CheckInMissed { check_in } => missed(check_in, manager_of, name_of)?,
        DomainEvent::CheckInAcknowledged {
            check_in_id,
            employee_id,
            by,
        } => {
            let to = active(employee_id)?;
            let c = known.check_ins.get(check_in_id)?;
            (
                to,
                format!("checkin-acknowledged:{check_in_id}"),
                Mail::CheckinAcknowledged(CheckInAcknowledgedMail {
                    name: to.name.clone(),
                    check_in_id: *check_in_id,
                    period_start: c.period_start,
                    period_end: c.period_end,
                    by: name_of(by),
                    reply: c.manager_reply.clone(),
                }),
            )
        }
        DomainEvent::FeedbackGiven {
            feedback_id,
            author_id,
            recipient_id,
            kind,
            visibility,
            ..
        } => {
            let to = active(recipient_id)?;
            let f = known.feedback.get(feedback_id)?;
            (
                to,
                format!("feedback:{feedback_id}"),
                Mail::FeedbackReceived(FeedbackMail {
                    name: to.name.clone(),
                    feedback_id: *feedback_id,
                    author_name: name_of(author_id),
                    kind: *kind,
                    visibility: *visibility,
                    body: f.body.clone(),
                }),
            )
        }
        DomainEvent::CheckInCadenceSet {
            employee_id,
            cycle_id,
            cadence,
            set_by: Some(by),
        } if by != employee_id => {
            let to = active(employee_id)?;
            (
                to,
                format!(
                    "cadence-set:{employee_id}:{cycle_id}:{}",
                    known.now.timestamp_micros()
                ),
                Mail::CadenceChanged(CadenceMail {
                    name: to.name.clone(),
                    cadence: *cadence,
                    by: name_of(by),
                }),
            )
        }
        DomainEvent::PlanningConversationDue {
            conversation_id,
            cycle_name,
            starts_on,
            employee_id,
            recipient_id,
            ..
        } => {
            let to = active(recipient_id)?;
            (
                to,
                format!("planning-reminder:{conversation_id}:{recipient_id}"),
                Mail::PlanningConversationDue(PlanningMail {
                    name: to.name.clone(),
                    conversation_id: *conversation_id,
                    cycle_name: cycle_name.clone(),
                    starts_on: *starts_on,
                    employee_name: name_of(employee_id),
                    for_manager: recipient_id != employee_id,
                }),
            )
        }
        DomainEvent::GoalOffTrack {
            goal,
            since,
            periods,
        } => {
            let to = manager_of(&goal.owner_id)?;
            (
                to,
                format!("goal-off-track:{}:{since}", goal.goal_id),
                Mail::GoalOffTrack(GoalOffTrackMail {
                    goal: goal_mail(to, goal),
                    since: *since,
                    periods: *periods,
                }),
            )
        }
        DomainEvent::CheckInsMissedInARow {
            employee_id,
            cycle_id,
            first_period_start,
            missed,
        } => {
            let to = manager_of(employee_id)?;
            (
                to,
                format!("checkins-missed-in-a-row:{employee_id}:{cycle_id}:{first_period_start}"),
                Mail::CheckinsMissedInARow(MissedInARowMail {
                    name: to.name.clone(),
                    employee_name: name_of(employee_id),
                    employee_id: *employee_id,
                    since: *first_period_start,
                    missed: *missed,
                }),
            )
        }
        _ => return None,
    };
    Some(Email {
        dedupe_key,
        to_email: to.email.clone(),
        to_name: to.name.clone(),
        mail,
    })
}

fn missed<'a>(
    check_in: &CheckInFacts,
    manager_of: impl Fn(&Uuid) -> Option<&'a employee::Model>,
    name_of: impl Fn(&Uuid) -> String,
) -> Option<(&'a employee::Model, String, Mail)> {
    let to = manager_of(&check_in.employee_id)?;
    Some((
        to,
        format!("checkin-missed:{}", check_in.check_in_id),
        Mail::CheckinMissed(CheckInMissed {
            name: to.name.clone(),
            employee_name: name_of(&check_in.employee_id),
            employee_id: check_in.employee_id,
            period_start: check_in.period_start,
            period_end: check_in.period_end,
        }),
    ))
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
        });
        let data = mail.data();
        assert_eq!(data["newTarget"], "12.5");
        assert_eq!(data["goalTitle"], "Ship");
        assert_eq!(Mail::from_stored(mail.template(), &data).unwrap(), mail);
        assert!(Mail::from_stored("goal_agreed", &data).is_err());
        assert!(Mail::from_stored("nope", &data).is_err());
    }
}
