//! The demo organisation: about 60 named people, an ACTIVE cycle and aligned goals, for trying
//! the API by hand.

use crate::Ctx;
use crate::employees;
use crate::error::DomainResult;
use crate::goals::Rollup;
use crate::query::IN_CHUNK;
use crate::values::{
    Cadence, CyclePhase, DecimalText, Direction, GoalLevel, GoalStatus, Role, Visibility,
};
use crate::viewer::child_path;
use chrono::{Datelike, Duration, NaiveDate};
use entity::{cycle, department, employee, goal, key_result};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

/// The demo's HR admin; its presence means the demo is already seeded.
pub const DEMO_HR_EMAIL: &str = "hana.hr@demo.perfcycle.dev";

/// Who to sign in as after seeding the demo.
#[derive(Debug, Clone)]
pub struct DemoPeople {
    /// An HR admin.
    pub hr_email: String,
    /// A manager with reports.
    pub manager_email: String,
    /// One of that manager's reports.
    pub employee_email: String,
    /// The active cycle.
    pub cycle_id: Uuid,
    /// Whether this run created the data (false: it was already there).
    pub created: bool,
}

pub(super) const FIRST: [&str; 32] = [
    "Ada", "Ben", "Chloé", "Dev", "Emeka", "Fatima", "Goran", "Hiro", "Ines", "Jonas", "Kemi",
    "Lars", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vikram",
    "Wen", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Diego", "Elif", "Farah",
];
pub(super) const LAST: [&str; 24] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Silva",
    "Kowalski",
    "Haddad",
    "Schmidt",
    "Chen",
    "Patel",
    "García",
    "Novak",
    "Rossi",
    "Jensen",
    "Yilmaz",
    "Dubois",
    "Kim",
    "Osei",
    "Müller",
    "Costa",
    "Ahmed",
    "Ivanova",
    "Berg",
    "Santos",
];
pub(super) const ZONES: [&str; 5] = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "UTC",
];

struct Person {
    name: String,
    title: String,
    department: usize,
    manager: Option<usize>,
    role: Role,
}

fn person_name(i: usize) -> String {
    format!(
        "{} {}",
        FIRST[i % FIRST.len()],
        LAST[(i * 7 + i / FIRST.len()) % LAST.len()]
    )
}

pub(super) fn email_of(name: &str, domain: &str) -> String {
    let plain: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'é' => 'e',
            'ü' => 'u',
            'í' => 'i',
            ' ' => '.',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    format!("{plain}@{domain}")
}

fn demo_people() -> (Vec<&'static str>, Vec<Person>) {
    let departments = vec!["Executive", "Engineering", "Sales", "Product", "People"];
    let mut people = vec![Person {
        name: "Amara Okafor".into(),
        title: "Chief Executive Officer".into(),
        department: 0,
        manager: None,
        role: Role::Employee,
    }];
    let vps = [
        (
            1,
            "VP Engineering",
            4,
            "Engineering Manager",
            "Software Engineer",
        ),
        (2, "VP Sales", 2, "Sales Manager", "Account Executive"),
        (3, "VP Product", 2, "Product Lead", "Product Manager"),
        (4, "VP People", 1, "People Partner Lead", "People Partner"),
    ];
    let mut n = 1;
    let mut people_vp = 0;
    for (dept, vp_title, managers, manager_title, ic_title) in vps {
        let vp = people.len();
        if dept == 4 {
            people_vp = vp;
        }
        people.push(Person {
            name: person_name(n),
            title: vp_title.into(),
            department: dept,
            manager: Some(0),
            role: Role::Employee,
        });
        n += 1;
        for _ in 0..managers {
            let m = people.len();
            people.push(Person {
                name: person_name(n),
                title: manager_title.into(),
                department: dept,
                manager: Some(vp),
                role: Role::Employee,
            });
            n += 1;
            for _ in 0..5 {
                people.push(Person {
                    name: person_name(n),
                    title: ic_title.into(),
                    department: dept,
                    manager: Some(m),
                    role: Role::Employee,
                });
                n += 1;
            }
        }
    }
    people.push(Person {
        name: "Hana Hr".into(),
        title: "HR Business Partner".into(),
        department: 4,
        manager: Some(people_vp),
        role: Role::HrAdmin,
    });
    (departments, people)
}

/// The parts of a row that come from the person; callers fill in where they sit.
fn row(p: &Person, now: chrono::DateTime<chrono::Utc>) -> employee::Model {
    employee::Model {
        id: Uuid::nil(),
        email: String::new(),
        name: p.name.clone(),
        title: p.title.clone(),
        department_id: None,
        manager_id: None,
        path: String::new(),
        role: p.role,
        hired_on: now.date_naive(),
        timezone: "UTC".to_owned(),
        active: true,
        left_on: None,
        job_profile_id: None,
        tokens_revoked_at: None,
        erased_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Creates (or finds) the demo organisation: about 60 people in a 4-level tree, an HR
/// admin, an ACTIVE cycle around today, and company → team → individual goals.
pub async fn demo(ctx: &Ctx) -> DomainResult<DemoPeople> {
    let now = ctx.clock.now();
    let today = now.date_naive();
    if let Some(hr) = employee::Entity::find()
        .filter(employee::Column::Email.eq(DEMO_HR_EMAIL))
        .one(&ctx.db)
        .await?
    {
        let cycle = cycle::Entity::find()
            .filter(cycle::Column::Name.eq(demo_cycle_name(today)))
            .one(&ctx.db)
            .await?;
        return Ok(DemoPeople {
            hr_email: hr.email,
            manager_email: email_of(&person_name(2), "demo.perfcycle.dev"),
            employee_email: email_of(&person_name(3), "demo.perfcycle.dev"),
            cycle_id: cycle.map_or(Uuid::nil(), |c| c.id),
            created: false,
        });
    }
    let (dept_names, people) = demo_people();
    let txn = crate::db::begin(&ctx.db).await?;
    let dept_ids: Vec<Uuid> = dept_names.iter().map(|_| Uuid::new_v4()).collect();
    for (name, id) in dept_names.iter().zip(&dept_ids) {
        department::ActiveModel {
            id: Set(*id),
            name: Set((*name).to_owned()),
            parent_id: Set(None),
            head_id: Set(None),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let ids: Vec<Uuid> = people.iter().map(|_| Uuid::new_v4()).collect();
    let mut paths: Vec<String> = Vec::with_capacity(people.len());
    let mut rows = Vec::with_capacity(people.len());
    for (i, p) in people.iter().enumerate() {
        let path = child_path(p.manager.map(|m| paths[m].as_str()), ids[i]);
        paths.push(path.clone());
        let email = if p.role == Role::HrAdmin {
            DEMO_HR_EMAIL.to_owned()
        } else {
            email_of(&p.name, "demo.perfcycle.dev")
        };
        let hired = today - Duration::days(200 + (i as i64 * 53) % 2500);
        rows.push(employee::Model {
            id: ids[i],
            email,
            path,
            department_id: Some(dept_ids[p.department]),
            manager_id: p.manager.map(|m| ids[m]),
            hired_on: hired,
            timezone: ZONES[i % ZONES.len()].to_owned(),
            ..row(p, now)
        });
    }
    employees::insert_all(&txn, rows).await?;
    for (i, dept) in dept_ids.iter().enumerate() {
        let head = people
            .iter()
            .position(|p| p.department == i)
            .map(|h| ids[h]);
        let mut model = department::Entity::find_by_id(*dept)
            .one(&txn)
            .await?
            .map(IntoActiveModel::into_active_model);
        if let Some(m) = model.as_mut() {
            m.head_id = Set(head);
        }
        if let Some(m) = model {
            m.update(&txn).await?;
        }
    }
    let cycle = insert_cycle(&txn, demo_cycle_name(today), today, now).await?;

    // Company goals owned by the CEO, team goals by every manager aligned to their own
    // manager's goals, individual goals by everyone else.
    let mut goals_of: Vec<Vec<Uuid>> = vec![Vec::new(); people.len()];
    let mut goals = Vec::new();
    let mut krs = Vec::new();
    let mut rollup = Rollup::default();
    let due = cycle.ends_on - Duration::days(30);
    let company = [
        (
            "Grow annual recurring revenue",
            "ARR",
            "EUR m",
            "12",
            "18",
            "15.2",
            40,
        ),
        (
            "Delight customers",
            "Net promoter score",
            "points",
            "31",
            "45",
            "38",
            30,
        ),
        (
            "Reduce voluntary attrition",
            "Attrition",
            "%",
            "14",
            "9",
            "11.5",
            30,
        ),
    ];
    let has_reports = |i: usize| people.iter().any(|p| p.manager == Some(i));
    for (i, p) in people.iter().enumerate() {
        let specs: Vec<GoalSpec> = if p.manager.is_none() {
            company
                .iter()
                .map(|(t, m, u, s, tg, c, w)| {
                    (
                        (*t).to_owned(),
                        *m,
                        *u,
                        dec(s),
                        dec(tg),
                        dec(c),
                        *w,
                        GoalLevel::Company,
                    )
                })
                .collect()
        } else if has_reports(i) {
            vec![
                (
                    format!("{}: deliver the team roadmap", p.title),
                    "Roadmap items shipped",
                    "items",
                    dec("0"),
                    dec("12"),
                    Decimal::from(i % 9),
                    60,
                    GoalLevel::Team,
                ),
                (
                    format!("{}: cut time to resolve escalations", p.title),
                    "Median resolution time",
                    "hours",
                    dec("48"),
                    dec("24"),
                    dec("36"),
                    40,
                    GoalLevel::Team,
                ),
            ]
        } else {
            vec![
                (
                    "Ship my quarter's commitments".to_owned(),
                    "Commitments delivered",
                    "items",
                    dec("0"),
                    dec("8"),
                    Decimal::from(i % 7),
                    50,
                    GoalLevel::Individual,
                ),
                (
                    "Grow a skill the team needs".to_owned(),
                    "Course modules completed",
                    "modules",
                    dec("0"),
                    dec("6"),
                    Decimal::from(i % 5),
                    50,
                    GoalLevel::Individual,
                ),
            ]
        };
        let parents = p.manager.map(|m| goals_of[m].clone()).unwrap_or_default();
        for (k, (title, metric, unit, start, target, current, weight, level)) in
            specs.into_iter().enumerate()
        {
            let id = Uuid::new_v4();
            // A few individual goals are still being planned, so the workflow can be tried.
            let status = if level == GoalLevel::Individual && i % 6 == 0 {
                if k == 0 {
                    GoalStatus::Proposed
                } else {
                    GoalStatus::Draft
                }
            } else {
                GoalStatus::Agreed
            };
            let parent = parents.get(k % parents.len().max(1)).copied();
            goals.push(goal::ActiveModel {
                id: Set(id),
                follows_goal_id: Set(None),
                cycle_id: Set(cycle.id),
                owner_id: Set(ids[i]),
                parent_id: Set(parent),
                level: Set(level),
                visibility: Set(if level == GoalLevel::Individual {
                    Visibility::Private
                } else {
                    Visibility::Public
                }),
                title: Set(title),
                description: Set(String::new()),
                weight: Set(weight),
                due_on: Set(due),
                status: Set(status),
                created_by: Set(ids[i]),
                proposed_by: Set((status != GoalStatus::Draft).then_some(ids[i])),
                agreed_by: Set((status == GoalStatus::Agreed)
                    .then_some(p.manager.map(|m| ids[m]))
                    .flatten()),
                agreed_at: Set((status == GoalStatus::Agreed).then_some(now)),
                closed_at: Set(None),
                progress_ppm: Set(0),
                health: Set(None),
                health_since: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            rollup.goal(id, parent, weight, status);
            rollup.key_result(id, start, target, current, 1);
            krs.push(key_result::ActiveModel {
                id: Set(Uuid::new_v4()),
                goal_id: Set(id),
                position: Set(0),
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
                weight: Set(1),
                updated_at: Set(now),
            });
            goals_of[i].push(id);
        }
    }
    let progress = rollup.values();
    for g in &mut goals {
        if let Set(id) = &g.id {
            g.progress_ppm = Set(progress.get(id).copied().unwrap_or(0));
        }
    }
    // Parents first: a goal's parent row must exist before it (foreign key).
    for chunk in goals.chunks(IN_CHUNK / 16) {
        goal::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in krs.chunks(IN_CHUNK / 16) {
        key_result::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    crate::goals::refresh_all_health(&txn, ctx.clock.today()).await?;
    txn.commit().await?;
    Ok(DemoPeople {
        hr_email: DEMO_HR_EMAIL.to_owned(),
        manager_email: email_of(&people[2].name, "demo.perfcycle.dev"),
        employee_email: email_of(&people[3].name, "demo.perfcycle.dev"),
        cycle_id: cycle.id,
        created: true,
    })
}

/// Title, metric, unit, start, target, current, weight, level.
type GoalSpec<'a> = (
    String,
    &'a str,
    &'a str,
    Decimal,
    Decimal,
    Decimal,
    i32,
    GoalLevel,
);

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

fn demo_cycle_name(today: NaiveDate) -> String {
    format!("Demo cycle {}", today.year())
}

async fn insert_cycle(
    db: &impl sea_orm::ConnectionTrait,
    name: String,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<cycle::Model> {
    let starts_on = today - Duration::days(90);
    let ends_on = today + Duration::days(275);
    let created = cycle::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        check_in_cadence: Set(Cadence::Weekly),
        review_opens_on: Set(ends_on - Duration::days(30)),
        review_due_on: Set(ends_on - Duration::days(10)),
        phase: Set(CyclePhase::Active),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    crate::review::rounds::annual_for(&created, now)
        .insert(db)
        .await?;
    Ok(created)
}
