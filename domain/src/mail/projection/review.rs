//! The review stage's e-mails: who each review event tells, under which dedupe key. None of
//! them names who wrote an anonymous review.

use super::Known;
use crate::events::DomainEvent;
use crate::mail::{Mail, ReviewMail, ReviewNotice};
use entity::employee;
use std::collections::HashSet;
use uuid::Uuid;

/// Adds the people a review event's e-mail names to `ids` (nothing for other events).
pub(super) fn people(event: &DomainEvent, ids: &mut HashSet<Uuid>) {
    match event {
        DomainEvent::PeersNominated { employee_id, .. }
        | DomainEvent::PeersApproved { employee_id, .. }
        | DomainEvent::RatingReleased { employee_id, .. }
        | DomainEvent::RatingAcknowledged { employee_id, .. } => {
            ids.insert(*employee_id);
        }
        DomainEvent::ReviewsDue { reviewer_id, .. } => {
            ids.insert(*reviewer_id);
        }
        DomainEvent::ReviewsOverdue {
            recipient_id,
            reviewers,
            ..
        } => {
            ids.insert(*recipient_id);
            ids.extend(reviewers.iter().map(|r| r.reviewer_id));
        }
        DomainEvent::PeerReviewRequested {
            reviewee_id,
            reviewer_id,
            ..
        }
        | DomainEvent::ReviewReopened {
            reviewee_id,
            reviewer_id,
            ..
        } => {
            ids.extend([*reviewee_id, *reviewer_id]);
        }
        _ => {}
    }
}

/// A review e-mail to `to` about `about` (if anyone), with nothing else filled in.
fn notice(
    known: &Known,
    to: &employee::Model,
    notice: ReviewNotice,
    round_id: Uuid,
    about: Option<&Uuid>,
) -> ReviewMail {
    ReviewMail {
        name: to.name.clone(),
        notice,
        round_id,
        employee_name: about.map(|id| known.name_of(id)).unwrap_or_default(),
        due_on: None,
        rating: None,
        reason: String::new(),
        pending: 0,
        lines: Vec::new(),
        more: 0,
        days_left: None,
    }
}

/// The e-mail a review event sends, if any: its recipient, dedupe key and mail.
pub(super) fn email<'a>(
    event: &DomainEvent,
    known: &'a Known,
) -> Option<(&'a employee::Model, String, Mail)> {
    let (to, key, mail) = match event {
        DomainEvent::PeersNominated {
            round_id,
            employee_id,
            change_id,
            ..
        } => {
            let to = known.manager_of(employee_id)?;
            let mail = notice(
                known,
                to,
                ReviewNotice::PeersToApprove,
                *round_id,
                Some(employee_id),
            );
            (to, format!("peers-nominated:{change_id}"), mail)
        }
        DomainEvent::PeersApproved {
            round_id,
            employee_id,
            ..
        } => {
            let to = known.active(employee_id)?;
            let mail = notice(
                known,
                to,
                ReviewNotice::PeersApproved,
                *round_id,
                Some(employee_id),
            );
            (to, format!("peers-approved:{round_id}:{employee_id}"), mail)
        }
        DomainEvent::PeerReviewRequested {
            round_id,
            reviewee_id,
            reviewer_id,
            due_on,
        } => {
            let to = known.active(reviewer_id)?;
            let mail = ReviewMail {
                due_on: Some(*due_on),
                ..notice(
                    known,
                    to,
                    ReviewNotice::PeerReviewRequested,
                    *round_id,
                    Some(reviewee_id),
                )
            };
            let key = format!("peer-review:{round_id}:{reviewee_id}:{reviewer_id}");
            (to, key, mail)
        }
        DomainEvent::ReviewReopened {
            round_id,
            reviewee_id,
            reviewer_id,
            reason,
            change_id,
            ..
        } => {
            let to = known.active(reviewer_id)?;
            let mail = ReviewMail {
                reason: reason.clone(),
                ..notice(
                    known,
                    to,
                    ReviewNotice::ReviewReopened,
                    *round_id,
                    Some(reviewee_id),
                )
            };
            (to, format!("review-reopened:{change_id}"), mail)
        }
        DomainEvent::RatingReleased {
            round_id,
            employee_id,
            rating,
        } => {
            let to = known.active(employee_id)?;
            let mail = ReviewMail {
                rating: *rating,
                ..notice(
                    known,
                    to,
                    ReviewNotice::RatingReleased,
                    *round_id,
                    Some(employee_id),
                )
            };
            (
                to,
                format!("rating-released:{round_id}:{employee_id}"),
                mail,
            )
        }
        DomainEvent::RatingAcknowledged {
            round_id,
            employee_id,
            ..
        } => {
            let to = known.manager_of(employee_id)?;
            let mail = notice(
                known,
                to,
                ReviewNotice::RatingAcknowledged,
                *round_id,
                Some(employee_id),
            );
            (
                to,
                format!("rating-acknowledged:{round_id}:{employee_id}"),
                mail,
            )
        }
        DomainEvent::ReviewsDue {
            round_id,
            reviewer_id,
            due_on,
            pending,
            day,
            stage,
        } => {
            let to = known.active(reviewer_id)?;
            let mail = ReviewMail {
                due_on: Some(*due_on),
                pending: *pending,
                days_left: Some(*stage),
                ..notice(known, to, ReviewNotice::ReviewsDue, *round_id, None)
            };
            // One a day, however many rounds and reviews are due.
            (to, format!("review-due:{reviewer_id}:{day}"), mail)
        }
        DomainEvent::ReviewsOverdue {
            round_id,
            recipient_id,
            to_hr,
            due_on,
            people,
            reviews,
            reviewers,
        } => {
            let (kind, audience) = if *to_hr {
                (ReviewNotice::ReviewsOverdueHr, "hr")
            } else {
                (ReviewNotice::ReviewsOverdue, "manager")
            };
            let to = known.active(recipient_id)?;
            let mail = ReviewMail {
                due_on: Some(*due_on),
                pending: *reviews,
                lines: reviewers
                    .iter()
                    .map(|r| format!("{} ({})", known.name_of(&r.reviewer_id), r.pending))
                    .collect(),
                more: people - reviewers.len() as i64,
                ..notice(known, to, kind, *round_id, None)
            };
            let key = format!("reviews-overdue:{round_id}:{audience}:{recipient_id}");
            (to, key, mail)
        }
        _ => return None,
    };
    Some((to, key, Mail::Review(mail)))
}
