//! The people of a generated organisation: a manager tree grown breadth-first with spans of
//! 4–12, departments under the head's direct reports, names, titles and timezones.

use super::demo::{FIRST, LAST, ZONES, email_of};
use crate::values::Role;
use crate::viewer::child_path;
use fastrand::Rng;
use std::collections::VecDeque;
use uuid::Uuid;

/// Department names; the head's first direct report leads People (the HR admins).
pub(super) const DEPARTMENTS: [&str; 12] = [
    "People",
    "Engineering",
    "Sales",
    "Product",
    "Marketing",
    "Customer Success",
    "Finance",
    "Operations",
    "Data",
    "Design",
    "Security",
    "Legal",
];

/// Specialist titles per department, in the order of [`DEPARTMENTS`].
const ROLES: [&str; 12] = [
    "People Partner",
    "Software Engineer",
    "Account Executive",
    "Product Manager",
    "Marketing Specialist",
    "Customer Success Manager",
    "Financial Analyst",
    "Operations Specialist",
    "Data Analyst",
    "Product Designer",
    "Security Engineer",
    "Legal Counsel",
];

/// One generated employee; `manager` and `reports` are indexes into the same list, and a
/// manager always comes before their reports.
pub(super) struct Person {
    pub id: Uuid,
    pub manager: Option<usize>,
    pub reports: Vec<usize>,
    pub depth: u32,
    /// Index into the departments made (0 is the head's own, Executive).
    pub department: usize,
    pub name: String,
    pub email: String,
    pub title: String,
    pub role: Role,
    pub timezone: &'static str,
    pub path: String,
    /// Days before the cycle starts that they were hired.
    pub tenure_days: i64,
    /// A senior or principal individual contributor.
    pub senior: bool,
}

/// A UUID (version 4 layout) drawn from the seeded generator, so a seed value always gives
/// the same ids.
pub(super) fn uuid(rng: &mut Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.u128(..).to_le_bytes()).into_uuid()
}

/// `n` people in one tree. Each manager gets 4–12 reports; a report becomes a manager with a
/// probability chosen so that 100 000 people make a tree 6–9 levels deep (the head's direct
/// reports always manage: they lead the departments).
pub(super) fn tree(rng: &mut Rng, n: usize, mail_domain: &str) -> Vec<Person> {
    let manages = ((n as f64).powf(1.0 / 7.5) / 8.0).clamp(0.2, 1.0);
    let mut people: Vec<Person> = Vec::with_capacity(n);
    people.push(person(rng, 0, None, 0, 0, mail_domain));
    let mut managers = VecDeque::from([0usize]);
    while people.len() < n {
        // Should every manager be used up, the newest person starts a team.
        let m = managers.pop_front().unwrap_or(people.len() - 1);
        let span = rng.usize(4..=12).min(n - people.len());
        for _ in 0..span {
            let i = people.len();
            let depth = people[m].depth + 1;
            let department = if depth == 1 {
                (people[m].reports.len() + 1).min(DEPARTMENTS.len())
            } else {
                people[m].department
            };
            people.push(person(rng, i, Some(m), depth, department, mail_domain));
            people[m].reports.push(i);
            if depth == 1 || rng.f64() < manages {
                managers.push_back(i);
            }
        }
    }
    for i in 0..people.len() {
        let parent = people[i].manager.map(|m| people[m].path.clone());
        people[i].path = child_path(parent.as_deref(), people[i].id);
    }
    entitle(rng, &mut people);
    people
}

fn person(
    rng: &mut Rng,
    i: usize,
    manager: Option<usize>,
    depth: u32,
    department: usize,
    mail_domain: &str,
) -> Person {
    let name = format!(
        "{} {}",
        FIRST[rng.usize(..FIRST.len())],
        LAST[rng.usize(..LAST.len())]
    );
    let local = email_of(&name, mail_domain);
    let email = local.replacen('@', &format!(".{i}@"), 1);
    Person {
        id: uuid(rng),
        manager,
        reports: Vec::new(),
        depth,
        department,
        name,
        email,
        title: String::new(),
        role: Role::Employee,
        timezone: ZONES[rng.usize(..ZONES.len())],
        path: String::new(),
        tenure_days: rng.i64(10..3000),
        senior: false,
    }
}

/// Titles by position, and HR admins: the head of People and up to three of their reports.
fn entitle(rng: &mut Rng, people: &mut [Person]) {
    for p in people.iter_mut() {
        let dept = department_name(p.department);
        let role = p
            .department
            .checked_sub(1)
            .and_then(|d| ROLES.get(d))
            .copied()
            .unwrap_or("Chief of Staff");
        p.title = match (p.depth, p.reports.is_empty()) {
            (0, _) => "Chief Executive Officer".to_owned(),
            (1, _) => format!("VP {dept}"),
            (2, false) => format!("Director, {dept}"),
            (_, false) => format!("{dept} Manager"),
            (_, true) => {
                let draw = rng.u8(0..10);
                p.senior = draw <= 3;
                match draw {
                    0..=2 => format!("Senior {role}"),
                    3 => format!("Principal {role}"),
                    _ => role.to_owned(),
                }
            }
        };
    }
    if let Some(&people_head) = people.first().and_then(|h| h.reports.first()) {
        people[people_head].role = Role::HrAdmin;
        let partners: Vec<usize> = people[people_head]
            .reports
            .iter()
            .take(3)
            .copied()
            .collect();
        for p in partners {
            people[p].role = Role::HrAdmin;
        }
    }
}

/// The name of department `index` (0 is Executive).
pub(super) fn department_name(index: usize) -> &'static str {
    index
        .checked_sub(1)
        .and_then(|d| DEPARTMENTS.get(d))
        .copied()
        .unwrap_or("Executive")
}

/// How many people are in each person's subtree, themselves included.
pub(super) fn subtree_sizes(people: &[Person]) -> Vec<usize> {
    let mut sizes = vec![1usize; people.len()];
    for i in (1..people.len()).rev() {
        if let Some(m) = people[i].manager {
            sizes[m] += sizes[i];
        }
    }
    sizes
}
