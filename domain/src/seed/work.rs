//! One generated person's work in the cycle: goals aligned to their manager's, key results
//! whose current values are the sum of their check-ins' progress updates, twelve weeks of
//! check-ins cut by the same calendar as the scheduler, and feedback from colleagues.

use super::people::{Person, department_name, uuid};
use crate::calendar;
use crate::check_ins::{DEFAULT_REMINDER_TIME, closes_at};
use crate::goals::Rollup;
use crate::values::{
    Cadence, CheckInStatus, DecimalText, Direction, FeedbackKind, GoalLevel, GoalStatus, Visibility,
};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use entity::{
    check_in, cycle, development_item, development_plan, feedback, goal, key_result,
    key_result_update, skill_assessment, skill_gap,
};
use fastrand::Rng;
use rust_decimal::Decimal;
use sea_orm::Set;
use uuid::Uuid;

/// Past weekly periods each person has a check-in for (the current week's is DUE on top).
pub(super) const WEEKS: i64 = 12;

/// Rows made for a batch of people, inserted together.
#[derive(Default)]
pub(super) struct Rows {
    pub goals: Vec<goal::ActiveModel>,
    pub key_results: Vec<key_result::ActiveModel>,
    pub check_ins: Vec<check_in::ActiveModel>,
    pub updates: Vec<key_result_update::ActiveModel>,
    pub feedback: Vec<feedback::ActiveModel>,
    pub assessments: Vec<skill_assessment::ActiveModel>,
    pub gaps: Vec<skill_gap::ActiveModel>,
    pub plans: Vec<development_plan::ActiveModel>,
    pub items: Vec<development_item::ActiveModel>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.goals.len()
            + self.key_results.len()
            + self.check_ins.len()
            + self.updates.len()
            + self.feedback.len()
            + self.assessments.len()
            + self.gaps.len()
            + self.plans.len()
            + self.items.len()
    }
}

/// What every person's work is measured against.
pub(super) struct Setting<'a> {
    pub cycle: &'a cycle::Model,
    pub now: DateTime<Utc>,
}

const COMPANY: [&str; 6] = [
    "Grow annual recurring revenue",
    "Delight our customers",
    "Reduce voluntary attrition",
    "Expand into two new markets",
    "Ship the new platform",
    "Improve gross margin",
];
const TEAM: [&str; 6] = [
    "deliver the team roadmap",
    "cut time to resolve escalations",
    "raise the quality of every release",
    "grow the pipeline",
    "onboard new hires faster",
    "reduce operating cost",
];
const INDIVIDUAL: [&str; 6] = [
    "Ship my quarter's commitments",
    "Grow a skill the team needs",
    "Mentor a new colleague",
    "Improve a process I own",
    "Reduce defects in my area",
    "Close more customer requests",
];
const WINS: [&str; 4] = [
    "Shipped what I planned",
    "Unblocked a colleague",
    "Closed two open items",
    "Good feedback from a customer",
];
const BLOCKERS: [&str; 3] = ["", "Waiting on another team", "Too many interruptions"];
const NEXT: [&str; 3] = [
    "Finish the open item",
    "Start the next milestone",
    "Pair with the team on review",
];
const FEEDBACK: [&str; 4] = [
    "Thanks for the clear write-up; it saved us a week.",
    "Great job leading the incident review.",
    "Consider sharing progress earlier with the wider team.",
    "Your help onboarding the new colleague made a real difference.",
];

/// A key result: metric, unit, start, target, decimal places.
fn key_result_shape(
    rng: &mut Rng,
    kind: u8,
) -> (&'static str, &'static str, Decimal, Decimal, u32) {
    match kind {
        0 => (
            "Items delivered",
            "items",
            Decimal::ZERO,
            Decimal::from(rng.i64(6..=20)),
            0,
        ),
        1 => {
            let start = rng.i64(60..=80);
            (
                "Customer satisfaction",
                "points",
                Decimal::from(start),
                Decimal::from(start + rng.i64(5..=15)),
                0,
            )
        }
        2 => {
            let start = rng.i64(24..=48);
            (
                "Median response time",
                "hours",
                Decimal::from(start),
                Decimal::from(start / 2),
                0,
            )
        }
        3 => {
            let start = Decimal::new(rng.i64(50..=90), 1);
            (
                "Defect escape rate",
                "%",
                start,
                (start / Decimal::TWO).round_dp(1),
                1,
            )
        }
        4 => (
            "Revenue influenced",
            "EUR k",
            Decimal::ZERO,
            Decimal::from(rng.i64(10..=50) * 10),
            0,
        ),
        _ => (
            "Course modules completed",
            "modules",
            Decimal::ZERO,
            Decimal::from(rng.i64(4..=10)),
            0,
        ),
    }
}

/// `count` weights, multiples of 5 and at least 10 each, that add up to 100.
fn weights(rng: &mut Rng, count: usize) -> Vec<i32> {
    let mut w = vec![10; count];
    let spare = (100 - 10 * count as i32) / 5;
    for _ in 0..spare {
        let k = rng.usize(..count);
        w[k] += 5;
    }
    w
}

fn status_plan(rng: &mut Rng, count: usize, is_head: bool) -> Vec<GoalStatus> {
    let mut s = vec![GoalStatus::Agreed; count];
    if is_head {
        return s;
    }
    match rng.u8(0..100) {
        0..=9 => {
            s[count - 1] = GoalStatus::Proposed;
            if count >= 4 && rng.bool() {
                s[count - 2] = GoalStatus::Draft;
            }
        }
        10..=17 => {
            s[count - 1] = match rng.u8(0..4) {
                0 | 1 => GoalStatus::Achieved,
                2 => GoalStatus::Missed,
                _ => GoalStatus::Dropped,
            };
        }
        _ => {}
    }
    s
}

/// One of a person's generated check-ins, and when it was submitted if it was.
struct Period {
    id: Uuid,
    submitted: Option<DateTime<Utc>>,
    confidence: Option<i32>,
}

/// What the goals' stored progress and health are computed from once every goal is made.
#[derive(Default)]
pub(super) struct Derived {
    /// Goals and key results, for the progress roll-up.
    pub rollup: Rollup,
    /// Each goal's inputs to its health.
    pub health: Vec<HealthInput>,
}

/// What a generated goal's health is computed from, once every goal's progress is known.
pub(super) struct HealthInput {
    pub id: Uuid,
    pub status: GoalStatus,
    pub created_at: DateTime<Utc>,
    pub due_on: chrono::NaiveDate,
    /// The owner's latest check-in confidence.
    pub confidence: Option<i32>,
}

/// Makes person `i`'s goals, key results, check-ins, updates and feedback into `rows`,
/// records their agreed goals in `agreed` for their reports to align to, and what their goals'
/// progress and health are computed from in `derived`.
pub(super) fn person_work(
    rng: &mut Rng,
    at: &Setting<'_>,
    people: &[Person],
    i: usize,
    agreed: &mut [Vec<Uuid>],
    derived: &mut Derived,
    rows: &mut Rows,
) {
    let p = &people[i];
    let tz: Tz = p.timezone.parse().unwrap_or(chrono_tz::UTC);
    let periods = check_ins(rng, at, people, i, tz, rows);
    let submitted: Vec<&Period> = periods.iter().filter(|c| c.submitted.is_some()).collect();
    let latest_confidence = periods.iter().rev().find_map(|c| c.confidence);

    let (level, visibility) = match (p.depth, p.reports.is_empty()) {
        (0, _) => (GoalLevel::Company, Visibility::Public),
        (_, false) => (GoalLevel::Team, Visibility::Public),
        (_, true) => (GoalLevel::Individual, Visibility::Private),
    };
    let count = rng.usize(3..=5);
    let statuses = status_plan(rng, count, p.manager.is_none());
    let open = statuses
        .iter()
        .filter(|s| {
            matches!(
                s,
                GoalStatus::Agreed | GoalStatus::Proposed | GoalStatus::Draft
            )
        })
        .count();
    let mut open_weights = weights(rng, open).into_iter();
    let titles = {
        let mut t: Vec<usize> = (0..6).collect();
        rng.shuffle(&mut t);
        t
    };
    let cycle = at.cycle;
    let today = at.now.with_timezone(&tz).date_naive();
    let elapsed = (today - cycle.starts_on).num_days() as f64
        / (cycle.ends_on - cycle.starts_on).num_days().max(1) as f64;
    let mut mine = Vec::new();
    for (k, status) in statuses.into_iter().enumerate() {
        let id = uuid(rng);
        let closed = matches!(
            status,
            GoalStatus::Achieved | GoalStatus::Missed | GoalStatus::Dropped
        );
        let weight = if closed {
            5 * rng.i32(2..=6)
        } else {
            open_weights.next().unwrap_or(10)
        };
        let title = match level {
            GoalLevel::Company => COMPANY[titles[k]].to_owned(),
            GoalLevel::Team => format!("{}: {}", department_name(p.department), TEAM[titles[k]]),
            GoalLevel::Individual => INDIVIDUAL[titles[k]].to_owned(),
        };
        let parent = p.manager.and_then(|m| {
            let options = &agreed[m];
            (!options.is_empty()).then(|| options[rng.usize(..options.len())])
        });
        let due_on = if matches!(status, GoalStatus::Achieved | GoalStatus::Missed) {
            (today - Duration::days(rng.i64(7..=60))).max(cycle.starts_on)
        } else {
            cycle.ends_on - Duration::days(rng.i64(0..=60))
        };
        let created_at =
            calendar::local_midnight(tz, cycle.starts_on + Duration::days(rng.i64(0..=14)));
        let agreed = !matches!(status, GoalStatus::Draft | GoalStatus::Proposed);
        let agreed_on = created_at + Duration::days(7);
        rows.goals.push(goal::ActiveModel {
            id: Set(id),
            follows_goal_id: Set(None),
            cycle_id: Set(cycle.id),
            owner_id: Set(p.id),
            parent_id: Set(parent),
            level: Set(level),
            visibility: Set(visibility),
            title: Set(title),
            description: Set(String::new()),
            weight: Set(weight),
            due_on: Set(due_on),
            status: Set(status),
            created_by: Set(p.id),
            proposed_by: Set((status != GoalStatus::Draft).then_some(p.id)),
            // Agreed by the manager (the head of the organisation by HR, left unnamed) a
            // week after it was written; closed goals on their due date.
            agreed_by: Set(agreed.then_some(p.manager.map(|m| people[m].id)).flatten()),
            agreed_at: Set(agreed.then_some(agreed_on.min(at.now))),
            closed_at: Set(closed.then_some(calendar::local_midnight(tz, due_on).min(at.now))),
            progress_ppm: Set(0),
            health: Set(None),
            health_since: Set(None),
            created_at: Set(created_at.min(at.now)),
            updated_at: Set(at.now),
        });
        derived.rollup.goal(id, parent, weight, status);
        derived.health.push(HealthInput {
            id,
            status,
            created_at: created_at.min(at.now),
            due_on,
            confidence: latest_confidence,
        });
        if status == GoalStatus::Agreed {
            mine.push(id);
        }
        // Check-ins moved the key results of goals that were agreed at the time.
        let progressed = matches!(
            status,
            GoalStatus::Agreed | GoalStatus::Achieved | GoalStatus::Missed
        );
        let mut kinds: Vec<u8> = (0..6).collect();
        rng.shuffle(&mut kinds);
        for (position, kind) in kinds.into_iter().take(rng.usize(1..=3)).enumerate() {
            let (metric, unit, start, target, dp) = key_result_shape(rng, kind);
            let kr_id = uuid(rng);
            let mut points: Vec<&Period> = if progressed {
                submitted
                    .iter()
                    .copied()
                    .filter(|_| rng.u8(0..100) < 15)
                    .collect()
            } else {
                Vec::new()
            };
            if progressed && points.is_empty() && !submitted.is_empty() && rng.u8(0..10) < 8 {
                points.push(submitted[rng.usize(..submitted.len())]);
            }
            let fraction = match status {
                GoalStatus::Achieved => 1.0,
                GoalStatus::Missed => rng.f64() * 0.5 + 0.3,
                _ => (elapsed * (rng.f64() + 0.4)).min(1.1),
            };
            let fraction = Decimal::try_from(fraction).unwrap_or_default();
            let current = if points.is_empty() {
                start
            } else {
                (start + (target - start) * fraction).round_dp(dp)
            };
            let mut previous = start;
            let steps = points.len();
            for (j, period) in points.into_iter().enumerate() {
                let value = if j + 1 == steps {
                    current
                } else {
                    (start + (current - start) * Decimal::from(j + 1) / Decimal::from(steps))
                        .round_dp(dp)
                };
                rows.updates.push(key_result_update::ActiveModel {
                    id: Set(uuid(rng)),
                    key_result_id: Set(kr_id),
                    check_in_id: Set(Some(period.id)),
                    previous_value: Set(DecimalText(previous)),
                    new_value: Set(DecimalText(value)),
                    recorded_by: Set(Some(p.id)),
                    recorded_at: Set(period.submitted.unwrap_or(at.now)),
                });
                previous = value;
            }
            let kr_weight = rng.i32(1..=3);
            derived
                .rollup
                .key_result(id, start, target, current, kr_weight);
            rows.key_results.push(key_result::ActiveModel {
                id: Set(kr_id),
                goal_id: Set(id),
                position: Set(position as i32),
                metric: Set(metric.to_owned()),
                unit: Set(unit.to_owned()),
                direction: Set(if target > start {
                    Direction::Increase
                } else {
                    Direction::Decrease
                }),
                start_value: Set(DecimalText(start)),
                target_value: Set(DecimalText(target)),
                current_value: Set(DecimalText(current)),
                weight: Set(kr_weight),
                updated_at: Set(at.now),
            });
        }
    }
    feedback_for(rng, at, people, i, &mine, rows);
    agreed[i] = mine;
}

/// Twelve past weekly check-ins (most submitted, some acknowledged, the rest missed — or
/// still DUE inside their grace period) and the current week's, DUE.
fn check_ins(
    rng: &mut Rng,
    at: &Setting<'_>,
    people: &[Person],
    i: usize,
    tz: Tz,
    rows: &mut Rows,
) -> Vec<Period> {
    let p = &people[i];
    let cycle = at.cycle;
    let today = at.now.with_timezone(&tz).date_naive();
    let (current, _) = calendar::period_containing(Cadence::Weekly, today, cycle.starts_on);
    let mut periods = Vec::with_capacity(WEEKS as usize + 1);
    for week in (0..=WEEKS).rev() {
        let start = current - Duration::days(7 * week);
        let end = start + Duration::days(6);
        if start < cycle.starts_on {
            continue;
        }
        let reminder_at = calendar::reminder_at(tz, start, end, DEFAULT_REMINDER_TIME);
        let closes = closes_at(tz, end);
        let submitted_at = reminder_at + Duration::minutes(rng.i64(-600..=900));
        let submits = week > 0 && rng.u8(0..100) < 82 && submitted_at < at.now.min(closes);
        let acknowledged_at = submitted_at + Duration::hours(rng.i64(2..=72));
        let acknowledged =
            submits && p.manager.is_some() && rng.u8(0..100) < 45 && acknowledged_at < at.now;
        let status = if acknowledged {
            CheckInStatus::Acknowledged
        } else if submits {
            CheckInStatus::Submitted
        } else if closes <= at.now {
            CheckInStatus::Missed
        } else {
            CheckInStatus::Due
        };
        let id = uuid(rng);
        let text = |rng: &mut Rng, pool: &[&str]| {
            if submits {
                pool[rng.usize(..pool.len())].to_owned()
            } else {
                String::new()
            }
        };
        let wins = text(rng, &WINS);
        let blockers = text(rng, &BLOCKERS);
        let next_steps = text(rng, &NEXT);
        let confidence = submits.then(|| [2, 3, 3, 4, 4, 4, 5][rng.usize(..7)]);
        let created_at = calendar::local_midnight(tz, start).min(at.now);
        rows.check_ins.push(check_in::ActiveModel {
            id: Set(id),
            employee_id: Set(p.id),
            cycle_id: Set(cycle.id),
            cadence: Set(Cadence::Weekly),
            period_start: Set(start),
            period_end: Set(end),
            closes_at: Set(closes),
            reminder_at: Set(reminder_at),
            // The scheduler sent every reminder already due, so seeding sends no mail.
            reminded_at: Set((reminder_at <= at.now).then_some(reminder_at)),
            status: Set(status),
            confidence: Set(confidence),
            wins: Set(wins),
            blockers: Set(blockers),
            next_steps: Set(next_steps),
            submitted_at: Set(submits.then_some(submitted_at)),
            manager_reply: Set(if acknowledged {
                "Thanks, good progress.".to_owned()
            } else {
                String::new()
            }),
            acknowledged_by: Set(if acknowledged {
                p.manager.map(|m| people[m].id)
            } else {
                None
            }),
            acknowledged_at: Set(acknowledged.then_some(acknowledged_at)),
            created_at: Set(created_at),
            updated_at: Set(if acknowledged {
                acknowledged_at
            } else if submits {
                submitted_at
            } else {
                created_at
            }),
        });
        periods.push(Period {
            id,
            submitted: submits.then_some(submitted_at),
            confidence,
        });
    }
    periods
}

/// Zero to three pieces of feedback for person `i`: from their manager (sometimes on one of
/// their agreed goals), a peer or one of their reports; mostly private.
fn feedback_for(
    rng: &mut Rng,
    at: &Setting<'_>,
    people: &[Person],
    i: usize,
    goals: &[Uuid],
    rows: &mut Rows,
) {
    let p = &people[i];
    for _ in 0..rng.usize(0..=3) {
        let peers: &[usize] = p.manager.map_or(&[], |m| people[m].reports.as_slice());
        let (author, from_manager) = match rng.u8(0..3) {
            0 if p.manager.is_some() => (p.manager.unwrap_or(0), true),
            1 if peers.len() > 1 => (peers[rng.usize(..peers.len())], false),
            _ if !p.reports.is_empty() => (p.reports[rng.usize(..p.reports.len())], false),
            _ => match p.manager {
                Some(m) => (m, true),
                None => continue,
            },
        };
        if author == i {
            continue;
        }
        let goal_id = (from_manager && !goals.is_empty() && rng.bool())
            .then(|| goals[rng.usize(..goals.len())]);
        let body = FEEDBACK[rng.usize(..FEEDBACK.len())];
        rows.feedback.push(feedback::ActiveModel {
            id: Set(uuid(rng)),
            author_id: Set(people[author].id),
            recipient_id: Set(p.id),
            goal_id: Set(goal_id),
            kind: Set(if body.starts_with("Great") || body.starts_with("Your") {
                FeedbackKind::Praise
            } else {
                FeedbackKind::Feedback
            }),
            visibility: Set(if rng.u8(0..10) < 3 {
                Visibility::Public
            } else {
                Visibility::Private
            }),
            body: Set(body.to_owned()),
            created_at: Set(at.now - Duration::minutes(rng.i64(60..=WEEKS * 7 * 24 * 60))),
        });
    }
}
