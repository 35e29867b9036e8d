//! E-mail templates: a subject, a plain-text part and an HTML part for each typed [`Mail`].

use domain::mail::{
    CheckInAcknowledgedMail, CheckInMissed, CheckInReminder, FeedbackMail, GoalMail, Mail,
    MissedInARowMail,
};
use domain::values::{Cadence, CyclePhase, FeedbackKind, GoalStatus, Visibility};

mod develop;
mod review;
mod reward;

/// A rendered e-mail.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str, link: &str, action: &str) -> String {
    format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;max-width:36em\">\
         <h2>{}</h2>{body}<p><a href=\"{}\">{}</a></p>\
         <p style=\"color:#777;font-size:small\">Sent by perfcycle.</p></body></html>",
        escape(title),
        escape(link),
        escape(action)
    )
}

/// Renders `mail`; links point into the frontend at `app_url`.
pub fn render(mail: &Mail, app_url: &str) -> Rendered {
    let app = app_url.trim_end_matches('/');
    match mail {
        Mail::CheckinReminder(m) => reminder(m, app),
        Mail::CheckinMissed(m) => missed(m, app),
        Mail::GoalProposed(g) => {
            let (owner, title) = (&g.owner_name, &g.goal_title);
            goal(
                g,
                app,
                format!("{owner} proposed a goal: {title}"),
                format!("{owner} proposed the goal \"{title}\" and asks you to agree it."),
            )
        }
        Mail::GoalProposedToOwner(m) => {
            let title = &m.goal.goal_title;
            goal(
                &m.goal,
                app,
                format!("{} proposes a goal for you: {title}", m.by),
                format!(
                    "{} proposes the goal \"{title}\" for you (weight {}, due {}). Accept it, or \
                     return it with a reason if it needs to change.",
                    m.by, m.goal.weight, m.goal.due_on
                ),
            )
        }
        Mail::GoalReturned(m) => {
            let title = &m.goal.goal_title;
            goal(
                &m.goal,
                app,
                format!("Returned for changes: {title}"),
                format!(
                    "{} returned the goal \"{title}\" to draft: {}",
                    m.returned_by, m.reason
                ),
            )
        }
        Mail::GoalAccepted(m) => {
            let (title, owner) = (&m.goal.goal_title, &m.goal.owner_name);
            goal(
                &m.goal,
                app,
                format!("{owner} accepted {title}"),
                format!("{} accepted the goal \"{title}\"; it is agreed.", m.by),
            )
        }
        Mail::GoalEdited(m) => {
            let title = &m.goal.goal_title;
            goal(
                &m.goal,
                app,
                format!("Your goal was edited: {title}"),
                format!("{} edited your goal \"{title}\".", m.by),
            )
        }
        Mail::GoalClosed(m) => {
            let title = &m.goal.goal_title;
            let how = match m.status {
                GoalStatus::Achieved => "achieved",
                GoalStatus::Missed => "missed",
                _ => "dropped",
            };
            goal(
                &m.goal,
                app,
                format!("Your goal was closed as {how}: {title}"),
                format!("{} closed your goal \"{title}\" as {how}.", m.closed_by),
            )
        }
        Mail::GoalOffTrack(m) => {
            let (owner, title) = (&m.goal.owner_name, &m.goal.goal_title);
            goal(
                &m.goal,
                app,
                format!("{owner}'s goal is off track: {title}"),
                format!(
                    "\"{title}\" ({owner}) has been off track since {} ({} check-in periods). \
                     It may be time to talk about what would help.",
                    m.since, m.periods
                ),
            )
        }
        Mail::CheckinsMissedInARow(m) => missed_in_a_row(m, app),
        Mail::CheckinAcknowledged(m) => acknowledged(m, app),
        Mail::FeedbackReceived(m) => feedback(m, app),
        Mail::PlanningConversationDue(m) => {
            let link = format!("{app}/planning/{}", m.conversation_id);
            let (subject, what) = if m.for_manager {
                (
                    format!("Plan {} with {}", m.cycle_name, m.employee_name),
                    format!(
                        "{} and you have a planning conversation for {} before it starts on {}: \
                         their goals, what you expect of them, and where they want to grow.",
                        m.employee_name, m.cycle_name, m.starts_on
                    ),
                )
            } else {
                (
                    format!("Plan {} with your manager", m.cycle_name),
                    format!(
                        "Before {} starts on {}, talk with your manager about your goals, what \
                         they expect of you, and where you want to grow. Write your aspirations \
                         down beforehand.",
                        m.cycle_name, m.starts_on
                    ),
                )
            };
            Rendered {
                subject,
                text: format!("Hi {},\n\n{what}\n\n{link}\n", m.name),
                html: page(
                    &format!("Hi {}", m.name),
                    &format!("<p>{}</p>", escape(&what)),
                    &link,
                    "Open the conversation",
                ),
            }
        }
        Mail::CyclePhaseMoved(m) => {
            let cycle = &m.cycle_name;
            let (subject, what) = match m.phase {
                CyclePhase::Planning => (
                    format!("{cycle} is in planning"),
                    "Write your goals and agree them with your manager.".to_owned(),
                ),
                CyclePhase::Active => (
                    format!("{cycle} has started"),
                    "Your agreed goals are live: check in on them as your cadence asks, and \
                     keep their key results up to date."
                        .to_owned(),
                ),
                CyclePhase::Review => (
                    format!("Reviews for {cycle} are open"),
                    format!(
                        "Reviews opened on {} and are due by {}.",
                        m.review_opens_on, m.review_due_on
                    ),
                ),
                CyclePhase::Calibration => (
                    format!("{cycle} is in calibration"),
                    "Reviews are closed; managers and HR are calibrating ratings.".to_owned(),
                ),
                CyclePhase::Rewarding => (
                    format!("Rewards for {cycle} are being decided"),
                    "Ratings are final; rewards are being worked out.".to_owned(),
                ),
                CyclePhase::Closed => (
                    format!("{cycle} is closed"),
                    "The cycle is over; its goals and reviews stay readable.".to_owned(),
                ),
            };
            let link = format!("{app}/cycles/{}", m.cycle_id);
            Rendered {
                subject,
                text: format!("Hi {},\n\n{what}\n\n{link}\n", m.name),
                html: page(
                    &format!("Hi {}", m.name),
                    &format!("<p>{}</p>", escape(&what)),
                    &link,
                    "Open the cycle",
                ),
            }
        }
        Mail::CadenceChanged(m) => {
            let how = match m.cadence {
                Cadence::Weekly => "weekly",
                Cadence::Biweekly => "every two weeks",
                Cadence::Monthly => "monthly",
            };
            let link = format!("{app}/check-ins");
            Rendered {
                subject: format!("You now check in {how}"),
                text: format!(
                    "Hi {},\n\n{} set your check-ins to {how}, from your next period on.\n\n{link}\n",
                    m.name, m.by
                ),
                html: page(
                    &format!("Hi {}", m.name),
                    &format!(
                        "<p>{} set your check-ins to {how}, from your next period on.</p>",
                        escape(&m.by)
                    ),
                    &link,
                    "See your check-ins",
                ),
            }
        }
        Mail::GoalAgreed(m) => {
            let title = &m.goal.goal_title;
            goal(
                &m.goal,
                app,
                format!("Your goal is agreed: {title}"),
                format!("{} agreed your goal \"{title}\".", m.agreed_by),
            )
        }
        Mail::GoalTargetRevised(m) => {
            let title = &m.goal.goal_title;
            goal(
                &m.goal,
                app,
                if m.raised {
                    format!("Expectations raised: {title}")
                } else {
                    format!("New target for {title}")
                },
                format!(
                    "{} {} the target of \"{}\" in \"{title}\" from {} to {}: {}",
                    m.revised_by,
                    if m.raised { "raised" } else { "moved" },
                    m.metric,
                    m.old_target,
                    m.new_target,
                    m.reason
                ),
            )
        }
        Mail::GoalFollowUp(m) => {
            let title = &m.goal.goal_title;
            goal(
                &m.goal,
                app,
                format!("A follow-up goal: {title}"),
                format!(
                    "After \"{}\", {} set you a follow-up goal: \"{title}\", due {}. Look it over \
                     and accept it or send it back.",
                    m.follows_title, m.by, m.goal.due_on
                ),
            )
        }
        Mail::DevelopmentItem(m) => develop::item(m, app),
        Mail::DevelopmentItemDue(m) => develop::item_due(m, app),
        Mail::ImprovementPlan(m) => develop::improvement(m, app),
        Mail::ManagerDigest(m) => develop::digest(m, app),
        Mail::Review(m) => review::notice(m, app),
        Mail::RewardLetter(m) => reward::letter(m, app),
    }
}

fn reminder(m: &CheckInReminder, app: &str) -> Rendered {
    let (name, start, end) = (&m.name, m.period_start, m.period_end);
    let link = format!("{app}/check-ins/{}", m.check_in_id);
    let none = "You have no agreed goals yet; this is a good moment to propose some.";
    let goal_lines = if m.goals.is_empty() {
        none.to_owned()
    } else {
        m.goals
            .iter()
            .map(|g| format!("  - {g}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let goal_html = if m.goals.is_empty() {
        format!("<p>{none}</p>")
    } else {
        format!(
            "<ul>{}</ul>",
            m.goals
                .iter()
                .map(|g| format!("<li>{}</li>", escape(g)))
                .collect::<String>()
        )
    };
    Rendered {
        subject: format!("Your check-in for {start} to {end} is due"),
        text: format!(
            "Hi {name},\n\nyour check-in for {start} to {end} is due. Your goals:\n{goal_lines}\n\n\
             Tell your manager how they are going: {link}\n"
        ),
        html: page(
            &format!("Hi {name}, your check-in is due"),
            &format!("<p>Your check-in for {start} to {end} is due. Your goals:</p>{goal_html}"),
            &link,
            "Write your check-in",
        ),
    }
}

fn missed(m: &CheckInMissed, app: &str) -> Rendered {
    let (name, who, start, end) = (&m.name, &m.employee_name, m.period_start, m.period_end);
    let link = format!("{app}/people/{}/check-ins", m.employee_id);
    Rendered {
        subject: format!("{who} missed the check-in for {start} to {end}"),
        text: format!(
            "Hi {name},\n\n{who} did not submit the check-in for {start} to {end}.\n\
             It may be worth a conversation: {link}\n"
        ),
        html: page(
            &format!("{who} missed a check-in"),
            &format!(
                "<p>Hi {}, {} did not submit the check-in for {start} to {end}.</p>",
                escape(name),
                escape(who)
            ),
            &link,
            "See their check-ins",
        ),
    }
}

fn acknowledged(m: &CheckInAcknowledgedMail, app: &str) -> Rendered {
    let (name, by, start, end) = (&m.name, &m.by, m.period_start, m.period_end);
    let link = format!("{app}/check-ins/{}", m.check_in_id);
    let said = if m.reply.trim().is_empty() {
        String::new()
    } else {
        format!("\n\n{}", m.reply)
    };
    let said_html = if m.reply.trim().is_empty() {
        String::new()
    } else {
        format!("<blockquote>{}</blockquote>", escape(&m.reply))
    };
    Rendered {
        subject: format!("{by} read your check-in for {start} to {end}"),
        text: format!(
            "Hi {name},\n\n{by} read your check-in for {start} to {end}.{said}\n\n{link}\n"
        ),
        html: page(
            &format!("Hi {name}"),
            &format!(
                "<p>{} read your check-in for {start} to {end}.</p>{said_html}",
                escape(by)
            ),
            &link,
            "Open the check-in",
        ),
    }
}

fn feedback(m: &FeedbackMail, app: &str) -> Rendered {
    let what = match m.kind {
        FeedbackKind::Praise => "praise",
        FeedbackKind::Feedback => "feedback",
    };
    let who = if m.visibility == Visibility::Public {
        "everyone can see it"
    } else {
        "only you, your managers and HR can see it"
    };
    let link = format!("{app}/feedback/{}", m.feedback_id);
    Rendered {
        subject: format!("{} gave you {what}", m.author_name),
        text: format!(
            "Hi {},\n\n{} gave you {what} ({who}):\n\n{}\n\n{link}\n",
            m.name, m.author_name, m.body
        ),
        html: page(
            &format!("Hi {}", m.name),
            &format!(
                "<p>{} gave you {what} ({who}):</p><blockquote>{}</blockquote>",
                escape(&m.author_name),
                escape(&m.body)
            ),
            &link,
            "Open it",
        ),
    }
}

fn missed_in_a_row(m: &MissedInARowMail, app: &str) -> Rendered {
    let (name, who, since, n) = (&m.name, &m.employee_name, m.since, m.missed);
    let link = format!("{app}/people/{}/check-ins", m.employee_id);
    Rendered {
        subject: format!("{who} missed {n} check-ins in a row"),
        text: format!(
            "Hi {name},\n\n{who} has missed {n} check-ins in a row, since the period starting {since}.\n\
             A conversation may help: {link}\n"
        ),
        html: page(
            &format!("{who} missed {n} check-ins in a row"),
            &format!(
                "<p>Hi {}, {} has missed {n} check-ins in a row, since the period starting {since}.</p>",
                escape(name),
                escape(who)
            ),
            &link,
            "See their check-ins",
        ),
    }
}

fn goal(g: &GoalMail, app: &str, subject: String, line: String) -> Rendered {
    let link = format!("{app}/goals/{}", g.goal_id);
    Rendered {
        subject,
        text: format!("Hi {},\n\n{line}\n\n{link}\n", g.name),
        html: page(
            &format!("Hi {}", g.name),
            &format!("<p>{}</p>", escape(&line)),
            &link,
            "Open the goal",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};
    use uuid::Uuid;

    #[test]
    fn a_reminder_names_the_person_the_period_and_the_goals_and_links_to_the_app() {
        let day = |d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let id = Uuid::new_v4();
        let mail = Mail::CheckinReminder(CheckInReminder {
            name: "Ada <3".into(),
            check_in_id: id,
            period_start: day("2027-03-01"),
            period_end: day("2027-03-07"),
            closes_at: Utc::now(),
            goals: vec!["Ship it".into()],
        });
        let r = render(&mail, "https://app.example/");
        assert!(r.subject.contains("2027-03-01"));
        assert!(
            r.text.contains("Ada <3")
                && r.text.contains("Ship it")
                && r.text
                    .contains(&format!("https://app.example/check-ins/{id}"))
        );
        assert!(r.html.contains("Ada &lt;3") && r.html.contains("<li>Ship it</li>"));
    }

    #[test]
    fn a_stored_row_that_does_not_fit_its_template_is_refused_not_sent_blank() {
        assert!(Mail::from_stored("checkin_reminder", &serde_json::json!({})).is_err());
        assert!(Mail::from_stored("nope", &serde_json::json!({})).is_err());
    }
}
