//! What the e-mail outbox makes of domain events: which event tells whom, under which dedupe
//! key, with which typed [`Mail`]. The review stage's events are in [`review`].

mod review;

use super::*;
use crate::employees;
use crate::error::DomainResult;
use crate::events::{CheckInFacts, DomainEvent, GoalFacts};
use crate::outbox::{self, Email};
use crate::query::rows_in;
use entity::{check_in, employee, feedback, goal};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

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
            DomainEvent::FollowUpGoalSet { goal, set_by, .. } => {
                ids.extend([goal.owner_id, *set_by]);
            }
            DomainEvent::DevelopmentItemMoved {
                employee_id, by, ..
            }
            | DomainEvent::ImprovementPlanChanged {
                employee_id, by, ..
            } => {
                ids.extend([*employee_id, *by]);
            }
            DomainEvent::DevelopmentItemDue { employee_id, .. } => {
                ids.insert(*employee_id);
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
            other => review::people(other, &mut ids),
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

impl Known {
    /// Someone the e-mails name.
    fn person(&self, id: &Uuid) -> Option<&employee::Model> {
        self.people.get(id)
    }

    /// Someone still here to receive an e-mail.
    fn active(&self, id: &Uuid) -> Option<&employee::Model> {
        self.person(id).filter(|p| p.active)
    }

    /// The manager of someone, if still here.
    fn manager_of(&self, id: &Uuid) -> Option<&employee::Model> {
        self.person(id)
            .and_then(|p| p.manager_id)
            .and_then(|m| self.active(&m))
    }

    /// Someone's name (empty if unknown).
    fn name_of(&self, id: &Uuid) -> String {
        self.person(id).map(|p| p.name.clone()).unwrap_or_default()
    }
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
    let person = |id: &Uuid| known.person(id);
    let active = |id: &Uuid| known.active(id);
    let manager_of = |id: &Uuid| known.manager_of(id);
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
    let name_of = |id: &Uuid| known.name_of(id);
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
            raised,
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
                    raised: *raised,
                }),
            )
        }
        DomainEvent::FollowUpGoalSet {
            goal,
            follows_title,
            set_by,
            ..
        } => {
            if *set_by == goal.owner_id {
                return None;
            }
            let to = active(&goal.owner_id)?;
            (
                to,
                format!("goal-follow-up:{}", goal.goal_id),
                Mail::GoalFollowUp(FollowUpMail {
                    goal: goal_mail(to, goal),
                    follows_title: follows_title.clone(),
                    by: name_of(set_by),
                }),
            )
        }
        DomainEvent::DevelopmentItemMoved {
            item_id,
            employee_id,
            kind,
            title,
            status,
            by,
            reason,
            change_id,
            ..
        } => {
            // The other side hears: the manager when the employee moved it, else the employee.
            let to = if by == employee_id {
                manager_of(employee_id)?
            } else {
                active(employee_id)?
            };
            (
                to,
                format!("development-item:{change_id}"),
                Mail::DevelopmentItem(DevelopmentItemMail {
                    name: to.name.clone(),
                    item_id: *item_id,
                    title: title.clone(),
                    kind: *kind,
                    status: *status,
                    employee_name: name_of(employee_id),
                    by: name_of(by),
                    reason: reason.clone(),
                }),
            )
        }
        DomainEvent::DevelopmentItemDue {
            item_id,
            employee_id,
            kind,
            title,
            due_on,
            stage,
        } => {
            let overdue = *stage >= 3;
            let to = if overdue {
                manager_of(employee_id)?
            } else {
                active(employee_id)?
            };
            (
                to,
                format!("development-due:{item_id}:{stage}"),
                Mail::DevelopmentItemDue(DevelopmentDueMail {
                    name: to.name.clone(),
                    item_id: *item_id,
                    title: title.clone(),
                    kind: *kind,
                    due_on: *due_on,
                    employee_name: name_of(employee_id),
                    overdue,
                }),
            )
        }
        DomainEvent::ImprovementPlanChanged {
            plan_id,
            employee_id,
            outcome,
            next_check_on,
            by,
            change_id,
        } => {
            let to = active(employee_id)?;
            (
                to,
                format!("improvement-plan:{change_id}"),
                Mail::ImprovementPlan(ImprovementPlanMail {
                    name: to.name.clone(),
                    plan_id: *plan_id,
                    outcome: *outcome,
                    next_check_on: *next_check_on,
                    by: name_of(by),
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
        other => review::email(other, known)?,
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
