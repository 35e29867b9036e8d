//! The reward letter: what someone receives, line by line, with their rating and their
//! manager's note.

use super::{Rendered, escape, page};
use domain::mail::RewardLetterMail;
use domain::reward::money::scaled;
use domain::values::{DecimalText, RewardKind};

fn label(kind: RewardKind) -> &'static str {
    match kind {
        RewardKind::MeritIncrease => "Merit increase (yearly base salary)",
        RewardKind::LumpSum => "Lump sum (paid once)",
        RewardKind::Bonus => "Bonus",
        RewardKind::Pto => "Paid time off",
        RewardKind::Award => "Award",
    }
}

fn amount(kind: RewardKind, amount: DecimalText, currency: &str) -> String {
    if currency.is_empty() {
        if kind == RewardKind::Award {
            "recognition".to_owned()
        } else {
            format!("{} day(s)", amount)
        }
    } else {
        format!("{} {currency}", scaled(amount.0, currency))
    }
}

pub(super) fn letter(m: &RewardLetterMail, app: &str) -> Rendered {
    let subject = if m
        .items
        .iter()
        .all(|i| i.kind == RewardKind::Award || i.rationale.is_empty())
        && m.rating.is_none()
    {
        format!("Your award, {}", m.name)
    } else {
        format!("Your rewards for {}", m.cycle_name)
    };
    let lines: Vec<(String, String, String)> = m
        .items
        .iter()
        .map(|i| {
            (
                label(i.kind).to_owned(),
                amount(i.kind, i.amount, &i.currency),
                format!("from {}; {}", i.effective_on, i.rationale),
            )
        })
        .collect();
    let rating = m
        .rating
        .map(|r| format!("Your final rating for {} is {r}.", m.cycle_name))
        .unwrap_or_default();
    let note = if m.note.is_empty() {
        String::new()
    } else {
        format!("{} writes: {}", m.note_by, m.note)
    };
    let link = format!("{app}/rewards");
    let mut text = format!("Dear {},\n\n", m.name);
    if !rating.is_empty() {
        text.push_str(&format!("{rating}\n\n"));
    }
    for (what, how_much, why) in &lines {
        text.push_str(&format!("- {what}: {how_much} ({why})\n"));
    }
    if !note.is_empty() {
        text.push_str(&format!("\n{note}\n"));
    }
    text.push_str(&format!("\nSee the details: {link}\n"));
    let mut body = format!("<p>Dear {},</p>", escape(&m.name));
    if !rating.is_empty() {
        body.push_str(&format!("<p>{}</p>", escape(&rating)));
    }
    body.push_str("<table>");
    for (what, how_much, why) in &lines {
        body.push_str(&format!(
            "<tr><td>{}</td><td style=\"text-align:right\"><b>{}</b></td><td>{}</td></tr>",
            escape(what),
            escape(how_much),
            escape(why)
        ));
    }
    body.push_str("</table>");
    if !note.is_empty() {
        body.push_str(&format!("<blockquote>{}</blockquote>", escape(&note)));
    }
    Rendered {
        html: page(&subject, &body, &link, "See the details"),
        subject,
        text,
    }
}
