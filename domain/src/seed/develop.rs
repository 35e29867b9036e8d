//! The develop stage of a generated organisation: a skill catalogue, job profiles by
//! department and seniority, everyone's skill assessments (by their manager, and by
//! themselves; a few with an earlier manager assessment), the gap rows that
//! `skills::refresh_gaps` computes from them, and development plans (a few improvement plans)
//! in the cycle. Stretch assignments require no skills here, so every gap comes from a profile.

use super::people::{Person, department_name, uuid};
use super::work::{Rows, Setting};
use crate::values::{
    AssessmentKind, Cadence, DecimalText, GapSource, ItemKind, ItemStatus, PlanKind, PlanStatus,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::skill_gap::UNASSESSED_RANK;
use entity::{
    development_item, development_plan, job_profile, job_profile_skill, skill, skill_assessment,
    skill_gap,
};
use fastrand::Rng;
use rust_decimal::Decimal;
use sea_orm::Set;
use serde_json::json;
use uuid::Uuid;

/// The catalogue: group, name, and what is practised (the subject of each level's text).
const SKILLS: [(&str, &str, &str); 12] = [
    ("technical", "System design", "system design"),
    ("technical", "Testing and quality", "testing"),
    ("technical", "Data analysis", "data analysis"),
    ("delivery", "Planning and estimation", "planning"),
    ("delivery", "Execution", "delivery of committed work"),
    ("delivery", "Customer focus", "work with customers"),
    ("leadership", "Coaching", "coaching"),
    ("leadership", "Decision making", "decision making"),
    ("leadership", "Hiring", "hiring"),
    ("communication", "Written communication", "writing"),
    ("communication", "Presenting", "presenting"),
    ("communication", "Giving feedback", "feedback"),
];

/// What levels 1 to 5 mean, around what is practised.
fn level_texts(subject: &str) -> [String; 5] {
    [
        format!("Learning {subject}, with guidance"),
        format!("Handles routine {subject} with occasional help"),
        format!("Handles complex {subject} independently"),
        format!("Leads {subject} for the team and coaches others in it"),
        format!("Sets the direction for {subject} across the organisation"),
    ]
}

const ENGINEER: usize = 0;
const SENIOR_ENGINEER: usize = 1;
const SPECIALIST: usize = 2;
const SENIOR_SPECIALIST: usize = 3;
const MANAGER: usize = 4;
const DIRECTOR: usize = 5;

/// A job profile: the expected level of skills (indexes into [`SKILLS`]).
struct Profile {
    name: &'static str,
    description: &'static str,
    expects: &'static [(usize, i32)],
}

/// The job profiles, in the order of the constants above.
const PROFILES: [Profile; 6] = [
    Profile {
        name: "Engineer",
        description: "Builds and runs the product's systems.",
        expects: &[(0, 2), (1, 3), (2, 2), (4, 3), (9, 2)],
    },
    Profile {
        name: "Senior engineer",
        description: "Designs systems and raises the team's engineering.",
        expects: &[(0, 4), (1, 4), (3, 3), (4, 4), (6, 3), (9, 3)],
    },
    Profile {
        name: "Specialist",
        description: "Delivers the department's work with customers and colleagues.",
        expects: &[(3, 2), (4, 3), (5, 3), (10, 2)],
    },
    Profile {
        name: "Senior specialist",
        description: "Owns an area of the department's work and guides others in it.",
        expects: &[(3, 3), (4, 4), (5, 4), (10, 3), (11, 3)],
    },
    Profile {
        name: "Manager",
        description: "Leads a team: its people, its plans and its delivery.",
        expects: &[(3, 3), (6, 3), (7, 3), (8, 3), (11, 4)],
    },
    Profile {
        name: "Director",
        description: "Leads managers and sets a department's direction.",
        expects: &[(3, 4), (6, 4), (7, 5), (8, 4), (9, 4), (10, 4)],
    },
];

/// Departments whose individual contributors have an engineering profile.
const TECHNICAL: [&str; 5] = ["Engineering", "Data", "Security", "Design", "Product"];

/// The generated catalogue's ids.
pub(super) struct Catalogue {
    skills: Vec<Uuid>,
    profiles: Vec<Uuid>,
}

/// The catalogue's rows: skills, job profiles and their expected levels.
pub(super) struct CatalogueRows {
    pub skills: Vec<skill::ActiveModel>,
    pub profiles: Vec<job_profile::ActiveModel>,
    pub expectations: Vec<job_profile_skill::ActiveModel>,
}

impl Catalogue {
    /// Draws the catalogue's ids.
    pub fn new(rng: &mut Rng) -> Self {
        Catalogue {
            skills: SKILLS.iter().map(|_| uuid(rng)).collect(),
            profiles: PROFILES.iter().map(|_| uuid(rng)).collect(),
        }
    }

    /// The catalogue's rows; names carry the seed value, as departments do, so that
    /// organisations of different seed values share a database.
    pub fn rows(&self, seed: u64, now: DateTime<Utc>) -> CatalogueRows {
        let skills = SKILLS
            .iter()
            .zip(&self.skills)
            .map(|((group, name, subject), id)| skill::ActiveModel {
                id: Set(*id),
                name: Set(format!("{name} ({seed})")),
                description: Set(format!("How well someone does {subject}.")),
                skill_group: Set((*group).to_owned()),
                levels: Set(json!(level_texts(subject))),
                retired_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect();
        let profiles = PROFILES
            .iter()
            .zip(&self.profiles)
            .map(|(profile, id)| job_profile::ActiveModel {
                id: Set(*id),
                name: Set(format!("{} ({seed})", profile.name)),
                description: Set(profile.description.to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect();
        let expectations = PROFILES
            .iter()
            .zip(&self.profiles)
            .flat_map(|(profile, id)| {
                profile
                    .expects
                    .iter()
                    .map(|&(skill, level)| job_profile_skill::ActiveModel {
                        profile_id: Set(*id),
                        skill_id: Set(self.skills[skill]),
                        expected_level: Set(level),
                    })
            })
            .collect();
        CatalogueRows {
            skills,
            profiles,
            expectations,
        }
    }

    /// The id of the profile a person has.
    pub fn profile_id(&self, p: &Person) -> Uuid {
        self.profiles[profile_of(p)]
    }
}

/// Managers a manager's profile (the head and the two levels below, a director's); individual
/// contributors an engineering or specialist one by department, senior by title.
fn profile_of(p: &Person) -> usize {
    let technical = TECHNICAL.contains(&department_name(p.department));
    match (p.reports.is_empty(), p.depth <= 2, technical, p.senior) {
        (false, true, _, _) => DIRECTOR,
        (false, false, _, _) => MANAGER,
        (true, _, true, false) => ENGINEER,
        (true, _, true, true) => SENIOR_ENGINEER,
        (true, _, false, false) => SPECIALIST,
        (true, _, false, true) => SENIOR_SPECIALIST,
    }
}

const DAY_MINUTES: i64 = 24 * 60;

const MANAGER_NOTES: [&str; 4] = [
    "",
    "Shows this well in the team's day-to-day work.",
    "Room to grow here this cycle.",
    "A good example for others.",
];

/// A level drawn around `expected`: mostly at or a little below it, sometimes above.
fn around(rng: &mut Rng, expected: i32, offsets: &[i32]) -> i32 {
    (expected + offsets[rng.usize(..offsets.len())]).clamp(1, 5)
}

/// Person `i`'s assessments of each skill their profile expects and the gap rows that follow
/// from them, and perhaps a development plan and an improvement plan. `hr` is an HR admin,
/// who assesses the head of the organisation.
pub(super) fn person_develop(
    rng: &mut Rng,
    at: &Setting<'_>,
    people: &[Person],
    i: usize,
    catalogue: &Catalogue,
    hr: Option<usize>,
    rows: &mut Rows,
) {
    let p = &people[i];
    let assessor = p.manager.or(hr).filter(|&a| a != i).map(|a| people[a].id);
    for &(skill, expected) in PROFILES[profile_of(p)].expects {
        let skill_id = catalogue.skills[skill];
        let mut assessment = |rng: &mut Rng, kind, level, by, at_time| {
            let note = match kind {
                AssessmentKind::Manager => MANAGER_NOTES[rng.usize(..MANAGER_NOTES.len())],
                AssessmentKind::Own => "",
            };
            rows.assessments.push(skill_assessment::ActiveModel {
                id: Set(uuid(rng)),
                employee_id: Set(p.id),
                skill_id: Set(skill_id),
                kind: Set(kind),
                level: Set(level),
                note: Set(note.to_owned()),
                assessed_by: Set(by),
                assessed_at: Set(at_time),
            });
        };
        let manager_level = match assessor {
            Some(by) if rng.u8(0..100) < 75 => {
                let level = around(rng, expected, &[-2, -1, -1, 0, 0, 0, 1]);
                // A few were assessed in the last cycle too, lower: the history of a skill.
                if p.tenure_days > 200 && rng.u8(0..100) < 4 {
                    let before = (level - rng.i32(1..=2)).max(1);
                    let when = at.now - Duration::days(rng.i64(150..=300));
                    assessment(rng, AssessmentKind::Manager, before, by, when);
                }
                let when = at.now - Duration::minutes(rng.i64(DAY_MINUTES..=110 * DAY_MINUTES));
                assessment(rng, AssessmentKind::Manager, level, by, when);
                Some(level)
            }
            _ => None,
        };
        let self_level = (rng.u8(0..100) < 50).then(|| {
            let level = around(rng, expected, &[-1, 0, 0, 1, 1]);
            let when = at.now - Duration::minutes(rng.i64(DAY_MINUTES..=110 * DAY_MINUTES));
            assessment(rng, AssessmentKind::Own, level, p.id, when);
            level
        });
        // As `skills::refresh_gaps` computes it from the latest assessments.
        let gap = manager_level.map(|m| expected - m);
        rows.gaps.push(skill_gap::ActiveModel {
            id: Set(uuid(rng)),
            employee_id: Set(p.id),
            skill_id: Set(skill_id),
            expected: Set(expected),
            source: Set(GapSource::Profile),
            manager_level: Set(manager_level),
            self_level: Set(self_level),
            gap: Set(gap),
            rank: Set(gap.unwrap_or(UNASSESSED_RANK)),
            updated_at: Set(at.now),
        });
    }
    if rng.u8(0..100) < 30 {
        development_plan(rng, at, people, i, assessor, rows);
    }
    if let Some(m) = p.manager
        && rng.u16(0..1000) < 10
    {
        improvement_plan(rng, at, people, i, m, rows);
    }
}

const TRAININGS: [(&str, &str); 4] = [
    ("Advanced SQL", "Internal academy"),
    ("Public speaking workshop", "Toastmasters"),
    ("Designing data-intensive systems", "O'Reilly"),
    ("Leadership essentials", "LinkedIn Learning"),
];
const STRETCHES: [(&str, &str); 3] = [
    (
        "Lead the next release",
        "Plan, coordinate and ship the team's next release end to end.",
    ),
    (
        "Run the quarterly planning",
        "Prepare and facilitate the team's planning for next quarter.",
    ),
    (
        "Own a customer escalation",
        "Be the single owner of one escalation from report to resolution.",
    ),
];
const ASPIRATIONS: [&str; 3] = [
    "Grow towards leading a team within two years.",
    "Become the go-to expert for our platform.",
    "Move closer to customers, perhaps in product.",
];
const EVIDENCE: [&str; 3] = [
    "Certificate shared with my manager.",
    "Wrote up what I learned for the team.",
    "Done; notes in the team's space.",
];

/// A development plan of one to three items of different kinds, proposed by the employee.
fn development_plan(
    rng: &mut Rng,
    at: &Setting<'_>,
    people: &[Person],
    i: usize,
    agreer: Option<Uuid>,
    rows: &mut Rows,
) {
    let p = &people[i];
    let tz: Tz = p.timezone.parse().unwrap_or(chrono_tz::UTC);
    let today = at.now.with_timezone(&tz).date_naive();
    let mentor = p
        .manager
        .map(|m| people[m].manager.unwrap_or(m))
        .map(|m| people[m].id);
    let plan_id = uuid(rng);
    let created_at = at.now - Duration::minutes(rng.i64(7 * DAY_MINUTES..=100 * DAY_MINUTES));
    rows.plans.push(development_plan::ActiveModel {
        id: Set(plan_id),
        employee_id: Set(p.id),
        cycle_id: Set(at.cycle.id),
        kind: Set(PlanKind::Development),
        status: Set(PlanStatus::Open),
        objectives: Set(String::new()),
        support: Set(String::new()),
        outcome: Set(None),
        outcome_note: Set(String::new()),
        opened_by: Set(p.id),
        closed_at: Set(None),
        created_at: Set(created_at),
        updated_at: Set(created_at),
    });
    let mut kinds = vec![
        ItemKind::Training,
        ItemKind::StretchAssignment,
        ItemKind::Mentoring,
        ItemKind::CareerConversation,
    ];
    if mentor.is_none() {
        kinds.retain(|k| *k != ItemKind::Mentoring);
    }
    rng.shuffle(&mut kinds);
    kinds.truncate(rng.usize(1..=3));
    for kind in kinds {
        let status = match (agreer, rng.u8(0..100)) {
            (None, _) | (_, 0..=29) => ItemStatus::Proposed,
            (_, 30..=69) => ItemStatus::Agreed,
            (_, 70..=84) => ItemStatus::Completed,
            _ => ItemStatus::Confirmed,
        };
        let done = matches!(status, ItemStatus::Completed | ItemStatus::Confirmed);
        let agreed_at = (status != ItemStatus::Proposed)
            .then(|| (created_at + Duration::minutes(rng.i64(60..=7 * DAY_MINUTES))).min(at.now));
        let completed_at = agreed_at
            .filter(|_| done)
            .map(|a| a + (at.now - a) * rng.i32(20..=80) / 100);
        let confirmed_at = completed_at
            .filter(|_| status == ItemStatus::Confirmed)
            .map(|c| c + (at.now - c) / 2);
        let updated_at = confirmed_at
            .or(completed_at)
            .or(agreed_at)
            .unwrap_or(created_at);
        let mut item = item_row(rng, plan_id, p.id, kind, status, created_at, updated_at);
        item.proposed_by = Set(p.id);
        item.agreed_by = Set(agreed_at.and(agreer));
        item.agreed_at = Set(agreed_at);
        item.completed_at = Set(completed_at);
        item.confirmed_by = Set(confirmed_at.and(agreer));
        item.confirmed_at = Set(confirmed_at);
        if done {
            item.evidence = Set(EVIDENCE[rng.usize(..EVIDENCE.len())].to_owned());
        }
        match kind {
            ItemKind::Training => {
                let (title, provider) = TRAININGS[rng.usize(..TRAININGS.len())];
                item.title = Set(title.to_owned());
                item.provider = Set(provider.to_owned());
                item.link = Set(format!(
                    "https://learning.example.com/{}",
                    title.to_lowercase().replace(' ', "-")
                ));
                // Half-hours, 2 to 20 hours.
                item.hours = Set(Some(DecimalText(Decimal::new(rng.i64(4..=40) * 5, 1))));
                item.due_on = Set(Some(match completed_at {
                    Some(c) => c.with_timezone(&tz).date_naive() + Duration::days(rng.i64(0..=14)),
                    None => open_due(rng, today, at.cycle.ends_on),
                }));
            }
            ItemKind::StretchAssignment => {
                let (title, description) = STRETCHES[rng.usize(..STRETCHES.len())];
                item.title = Set(title.to_owned());
                item.description = Set(description.to_owned());
            }
            ItemKind::Mentoring => {
                item.title = Set("Mentoring".to_owned());
                item.mentor_id = Set(mentor);
                item.cadence = Set(Some(
                    [Cadence::Weekly, Cadence::Biweekly, Cadence::Monthly][rng.usize(..3)],
                ));
            }
            ItemKind::CareerConversation | ItemKind::Check => {
                item.title = Set("Career conversation".to_owned());
                item.aspirations = Set(ASPIRATIONS[rng.usize(..ASPIRATIONS.len())].to_owned());
                if agreed_at.is_some() {
                    item.manager_notes =
                        Set("Agreed to revisit at the mid-year review.".to_owned());
                }
            }
        }
        rows.items.push(item);
    }
}

/// A due date for an item still owed: two weeks to three months ahead, within the cycle, so
/// that seeding leaves no reminder due.
fn open_due(rng: &mut Rng, today: NaiveDate, ends_on: NaiveDate) -> NaiveDate {
    (today + Duration::days(rng.i64(14..=90))).min(ends_on.max(today + Duration::days(14)))
}

/// An improvement plan opened by the manager, with objectives, support and two check dates in
/// the cycle.
fn improvement_plan(
    rng: &mut Rng,
    at: &Setting<'_>,
    people: &[Person],
    i: usize,
    m: usize,
    rows: &mut Rows,
) {
    let p = &people[i];
    let manager = people[m].id;
    let tz: Tz = p.timezone.parse().unwrap_or(chrono_tz::UTC);
    let today = at.now.with_timezone(&tz).date_naive();
    let plan_id = uuid(rng);
    let created_at = at.now - Duration::minutes(rng.i64(10 * DAY_MINUTES..=40 * DAY_MINUTES));
    rows.plans.push(development_plan::ActiveModel {
        id: Set(plan_id),
        employee_id: Set(p.id),
        cycle_id: Set(at.cycle.id),
        kind: Set(PlanKind::Improvement),
        status: Set(PlanStatus::Open),
        objectives: Set(
            "Meet the agreed dates for the next two deliveries; share progress every week."
                .to_owned(),
        ),
        support: Set(
            "Weekly one-to-ones with the manager; pairing with a senior colleague.".to_owned(),
        ),
        outcome: Set(None),
        outcome_note: Set(String::new()),
        opened_by: Set(manager),
        closed_at: Set(None),
        created_at: Set(created_at),
        updated_at: Set(created_at),
    });
    let first = (today + Duration::days(rng.i64(14..=30))).min(at.cycle.ends_on);
    let second = (first + Duration::days(rng.i64(30..=45))).min(at.cycle.ends_on);
    for (title, due_on) in [("First check", first), ("Second check", second)] {
        let mut item = item_row(
            rng,
            plan_id,
            p.id,
            ItemKind::Check,
            ItemStatus::Agreed,
            created_at,
            created_at,
        );
        item.title = Set(title.to_owned());
        item.due_on = Set(Some(due_on));
        item.proposed_by = Set(manager);
        item.agreed_by = Set(Some(manager));
        item.agreed_at = Set(Some(created_at));
        rows.items.push(item);
    }
}

/// An item with every kind-specific column empty.
fn item_row(
    rng: &mut Rng,
    plan_id: Uuid,
    employee_id: Uuid,
    kind: ItemKind,
    status: ItemStatus,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> development_item::ActiveModel {
    development_item::ActiveModel {
        id: Set(uuid(rng)),
        plan_id: Set(plan_id),
        employee_id: Set(employee_id),
        kind: Set(kind),
        status: Set(status),
        title: Set(String::new()),
        description: Set(String::new()),
        provider: Set(String::new()),
        link: Set(String::new()),
        hours: Set(None),
        due_on: Set(None),
        mentor_id: Set(None),
        cadence: Set(None),
        goal_id: Set(None),
        aspirations: Set(String::new()),
        manager_notes: Set(String::new()),
        evidence: Set(String::new()),
        return_reason: Set(String::new()),
        proposed_by: Set(employee_id),
        agreed_by: Set(None),
        agreed_at: Set(None),
        completed_at: Set(None),
        confirmed_by: Set(None),
        confirmed_at: Set(None),
        reminder_stage: Set(0),
        created_at: Set(created_at),
        updated_at: Set(updated_at),
    }
}
