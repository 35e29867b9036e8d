//! The develop stage's e-mails: development items moving and coming due, improvement plans,
//! and the managers' weekly digest.

use super::{Rendered, escape, page};
use domain::mail::{
    DevelopmentDueMail, DevelopmentItemMail, DigestLine, DigestMail, ImprovementPlanMail,
};
use domain::values::{ItemKind, ItemStatus, PlanOutcome};

/// A short e-mail: a greeting, one paragraph and a link.
pub(super) fn short(
    name: &str,
    subject: String,
    line: String,
    link: String,
    action: &str,
) -> Rendered {
    Rendered {
        subject,
        text: format!("Hi {name},\n\n{line}\n\n{link}\n"),
        html: page(
            &format!("Hi {name}"),
            &format!("<p>{}</p>", escape(&line)),
            &link,
            action,
        ),
    }
}

/// How an item's kind reads in a sentence.
fn kind_words(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Training => "training",
        ItemKind::StretchAssignment => "stretch assignment",
        ItemKind::Mentoring => "mentoring",
        ItemKind::CareerConversation => "career conversation",
        ItemKind::Check => "improvement-plan check",
    }
}

pub(super) fn item(m: &DevelopmentItemMail, app: &str) -> Rendered {
    let what = kind_words(m.kind);
    let title = &m.title;
    let (subject, line) = match m.status {
        ItemStatus::Proposed => (
            format!("Development plan: {title} proposed"),
            format!(
                "{} proposed the {what} \"{title}\" for {}'s development plan. Agree to it or \
                 send it back with a reason.",
                m.by, m.employee_name
            ),
        ),
        ItemStatus::Returned => (
            format!("Development plan: {title} returned"),
            format!("{} sent the {what} \"{title}\" back: {}", m.by, m.reason),
        ),
        ItemStatus::Agreed if !m.reason.is_empty() => (
            format!("Development plan: {title} is not done yet"),
            format!(
                "{} returned your completion of the {what} \"{title}\": {}",
                m.by, m.reason
            ),
        ),
        ItemStatus::Agreed => (
            format!("Development plan: {title} agreed"),
            format!("{} agreed to the {what} \"{title}\".", m.by),
        ),
        ItemStatus::Completed => (
            format!("Development plan: {title} completed"),
            format!(
                "{} completed the {what} \"{title}\". Confirm it, or send it back.",
                m.by
            ),
        ),
        ItemStatus::Confirmed => (
            format!("Development plan: {title} confirmed"),
            format!("{} confirmed the {what} \"{title}\". Well done.", m.by),
        ),
    };
    let link = format!("{app}/development/items/{}", m.item_id);
    short(&m.name, subject, line, link, "Open the plan")
}

pub(super) fn item_due(m: &DevelopmentDueMail, app: &str) -> Rendered {
    let what = kind_words(m.kind);
    let title = &m.title;
    let (subject, line) = if m.overdue {
        (
            format!("Overdue: {}'s {what} {title}", m.employee_name),
            format!(
                "{}'s {what} \"{title}\" was due on {} and is not completed yet.",
                m.employee_name, m.due_on
            ),
        )
    } else {
        (
            format!("Coming up on {}: {title}", m.due_on),
            format!(
                "Your {what} \"{title}\" is due on {}. Mark it completed once it is done.",
                m.due_on
            ),
        )
    };
    let link = format!("{app}/development/items/{}", m.item_id);
    short(&m.name, subject, line, link, "Open the item")
}

pub(super) fn improvement(m: &ImprovementPlanMail, app: &str) -> Rendered {
    let next = m
        .next_check_on
        .map(|d| format!(" The next check is on {d}."))
        .unwrap_or_default();
    let (subject, line) = match m.outcome {
        None => (
            "An improvement plan with your manager".to_owned(),
            format!(
                "{} opened an improvement plan with you: its objectives, the support you will \
                 get and the dates you will review it together.{next}",
                m.by
            ),
        ),
        Some(PlanOutcome::Extended) => (
            "Your improvement plan is extended".to_owned(),
            format!("{} extended your improvement plan.{next}", m.by),
        ),
        Some(PlanOutcome::Successful) => (
            "Your improvement plan is complete".to_owned(),
            format!(
                "{} closed your improvement plan as successful. Well done.",
                m.by
            ),
        ),
        Some(PlanOutcome::Unsuccessful) => (
            "Your improvement plan has ended".to_owned(),
            format!(
                "{} closed your improvement plan as unsuccessful. Your manager or HR will talk \
                 with you about what comes next.",
                m.by
            ),
        ),
    };
    let link = format!("{app}/development/plans/{}", m.plan_id);
    short(&m.name, subject, line, link, "Open the plan")
}

/// A digest section: its heading and lines, as text and as HTML.
fn section(heading: &str, count: u64, lines: &[DigestLine]) -> (String, String) {
    if lines.is_empty() {
        return (
            format!("{heading}: none\n"),
            format!("<h3>{}</h3><p>None.</p>", escape(heading)),
        );
    }
    let more = count.saturating_sub(lines.len() as u64);
    let tail = if more > 0 {
        format!("  … and {more} more\n")
    } else {
        String::new()
    };
    let text = lines
        .iter()
        .map(|l| format!("  - {}: {} ({})\n", l.employee_name, l.what, l.detail))
        .collect::<String>();
    let html = lines
        .iter()
        .map(|l| {
            format!(
                "<li>{}: {} ({})</li>",
                escape(&l.employee_name),
                escape(&l.what),
                escape(&l.detail)
            )
        })
        .collect::<String>();
    (
        format!("{heading} ({count}):\n{text}{tail}\n"),
        format!(
            "<h3>{} ({count})</h3><ul>{html}</ul>{}",
            escape(heading),
            if tail.is_empty() {
                String::new()
            } else {
                format!("<p>{}</p>", escape(tail.trim()))
            }
        ),
    )
}

pub(super) fn digest(m: &DigestMail, app: &str) -> Rendered {
    let check_ins = format!(
        "Last week's check-ins of your {} direct reports: {} submitted, {} still due, {} missed.",
        m.team_size, m.check_ins_submitted, m.check_ins_due, m.check_ins_missed
    );
    let gap_count = m.gaps.len() as u64;
    let parts = [
        section("Goals off track", m.off_track_count, &m.off_track),
        section(
            "Development items past their date",
            m.overdue_count,
            &m.overdue,
        ),
        section("Largest skill gaps", gap_count, &m.gaps),
    ];
    let link = format!("{app}/team");
    Rendered {
        subject: format!("Your team's week of {}", m.week_start),
        text: format!(
            "Hi {},\n\n{check_ins}\n\n{}\n{link}\n",
            m.name,
            parts
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        ),
        html: page(
            &format!("Hi {}", m.name),
            &format!(
                "<p>{}</p>{}",
                escape(&check_ins),
                parts.iter().map(|(_, h)| h.as_str()).collect::<String>()
            ),
            &link,
            "Open your team",
        ),
    }
}
