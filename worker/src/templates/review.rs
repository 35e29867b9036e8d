//! The review stage's e-mails. None of them says who wrote an anonymous review.

use super::Rendered;
use super::develop::short;
use domain::mail::{ReviewMail, ReviewNotice};

pub(super) fn notice(m: &ReviewMail, app: &str) -> Rendered {
    let who = &m.employee_name;
    let round = format!("{app}/reviews/rounds/{}", m.round_id);
    let (subject, line, link, action) = match m.notice {
        ReviewNotice::PeersToApprove => (
            format!("Reviews: approve {who}'s peers"),
            format!(
                "{who} nominated the colleagues they would like to review them. Approve the \
                 list, or replace names in it."
            ),
            round,
            "Approve peers",
        ),
        ReviewNotice::PeersApproved => (
            "Reviews: your peers are approved".to_owned(),
            "Your manager approved the colleagues who will review you. Their answers reach \
             you only pooled, without names, once your rating is released."
                .to_owned(),
            round,
            "Open your review",
        ),
        ReviewNotice::PeerReviewRequested => (
            format!("Reviews: you are asked to review {who}"),
            format!(
                "You are asked to write a peer review of {who}{}. Your answers are shown only \
                 pooled with others', never with your name.",
                m.due_on
                    .map(|d| format!(", due on {d}"))
                    .unwrap_or_default()
            ),
            format!("{app}/reviews/mine"),
            "Write the review",
        ),
        ReviewNotice::ReviewReopened => (
            format!("Reviews: your review of {who} is open again"),
            format!(
                "HR reopened your review of {who}: {}. Change it and submit it again.",
                m.reason
            ),
            format!("{app}/reviews/mine"),
            "Open the review",
        ),
        ReviewNotice::RatingReleased => (
            "Reviews: your rating is released".to_owned(),
            match m.rating {
                Some(r) => format!(
                    "Your rating for the round is released: {r}. Read your manager's review \
                     and your colleagues' pooled answers, and acknowledge it."
                ),
                None => "Your review results are released; no rating could be given this \
                         time. Read what there is, and acknowledge it."
                    .to_owned(),
            },
            round,
            "Read your review",
        ),
        ReviewNotice::ReviewsDue => (
            match (m.days_left, m.due_on) {
                (Some(days), Some(d)) if days > 0 => {
                    format!("Reviews: {} to write by {d}", m.pending)
                }
                _ => format!("Reviews: {} to write, due today", m.pending),
            },
            format!(
                "You have {} review(s) to write{}. Drafts are saved as you go; a submitted \
                 review is final.",
                m.pending,
                m.due_on
                    .map(|d| format!(", due on {d}"))
                    .unwrap_or_default()
            ),
            format!("{app}/reviews/mine"),
            "Write your reviews",
        ),
        ReviewNotice::ReviewsOverdue | ReviewNotice::ReviewsOverdueHr => (
            format!("Reviews overdue: {} still to write", m.pending),
            format!(
                "These people still owe reviews that were due on {}: {}{}.",
                m.due_on.map(|d| d.to_string()).unwrap_or_default(),
                m.lines.join(", "),
                if m.more > 0 {
                    format!(" and {} more", m.more)
                } else {
                    String::new()
                }
            ),
            round,
            "Open the round",
        ),
        ReviewNotice::RatingAcknowledged => (
            format!("Reviews: {who} acknowledged their rating"),
            format!("{who} acknowledged their released rating."),
            round,
            "Open the round",
        ),
    };
    short(&m.name, subject, line, link, action)
}
