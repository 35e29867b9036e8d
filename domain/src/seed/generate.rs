//! A generated organisation of any size for benchmarks and load tests: departments, a manager
//! tree, one ACTIVE cycle around today, aligned goals with key results, twelve weeks of
//! check-ins and feedback, and the develop stage (a skill catalogue, job profiles, skill
//! assessments and gaps, development plans). The same seed value and clock always give the
//! same organisation.

use super::bulk::Load;
use super::develop::{Catalogue, person_develop};
use super::people::{DEPARTMENTS, Person, department_name, subtree_sizes, tree, uuid};
use super::work::{Derived, Rows, Setting, person_work};
use crate::Ctx;
use crate::error::{DomainError, DomainResult};
use crate::goals;
use crate::progress::from_ppm;
use crate::values::{Cadence, CyclePhase, Role};
use crate::values::{GoalHealth, GoalStatus};
use chrono::{DateTime, Duration, Utc};
use entity::{cycle, department, employee};
use fastrand::Rng;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryTrait,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Rows generated before they are written, to bound memory at any size.
const BATCH_ROWS: usize = 60_000;

/// What a generated organisation holds, and who to sign in as.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// Employees inserted.
    pub employees: usize,
    /// Departments inserted.
    pub departments: usize,
    /// Goals inserted.
    pub goals: usize,
    /// Key results inserted.
    pub key_results: usize,
    /// Check-ins inserted.
    pub check_ins: usize,
    /// Progress updates inserted.
    pub updates: usize,
    /// Feedback inserted.
    pub feedback: usize,
    /// Skills in the catalogue.
    pub skills: usize,
    /// Job profiles.
    pub job_profiles: usize,
    /// Skill assessments inserted.
    pub assessments: usize,
    /// Skill gap rows inserted.
    pub skill_gaps: usize,
    /// Development and improvement plans inserted.
    pub development_plans: usize,
    /// Development plan items inserted.
    pub development_items: usize,
    /// Levels below the head in the deepest branch.
    pub depth: u32,
    /// The active cycle.
    pub cycle_id: Uuid,
    /// An HR admin.
    pub hr_email: String,
    /// The head of the organisation.
    pub head_email: String,
    /// A mid-level manager (three or four levels down, with a subtree of dozens to hundreds).
    pub manager_email: String,
    /// An individual contributor without reports.
    pub employee_email: String,
    /// Seconds spent in each phase of the load, in order.
    pub phases: Vec<(&'static str, f64)>,
}

/// The table the people go to (departments and the cycle are a handful of rows).
const PEOPLE_TABLES: [&str; 1] = ["employee"];

/// The tables their work goes to (the catalogue and job profiles are a handful of rows).
const WORK_TABLES: [&str; 9] = [
    "goal",
    "key_result",
    "check_in",
    "key_result_update",
    "feedback",
    "skill_assessment",
    "skill_gap",
    "development_plan",
    "development_item",
];

/// Mixed into the seed value for the develop stage's own generator, so that adding it left
/// the rest of a seed value's organisation as it was.
const DEVELOP_STREAM: u64 = 0x6465_7665_6c6f_7000;

/// What the develop stage is generated from.
struct Develop {
    rng: Rng,
    catalogue: Catalogue,
}

/// Generates everyone's work and development (nothing for `None`) on a thread of its own, a
/// batch of rows at a time, so that the next batch is made while the last one is written; the seeded
/// generators draw in the same order as ever, so the rows are the same.
fn spawn_work(
    mut rng: Rng,
    cycle: cycle::Model,
    now: DateTime<Utc>,
    people: Arc<Vec<Person>>,
    work: Option<Develop>,
) -> (mpsc::Receiver<Rows>, JoinHandle<()>) {
    let (sender, batches) = mpsc::channel(1);
    let producer = tokio::task::spawn_blocking(move || {
        let Some(Develop {
            rng: mut develop_rng,
            catalogue,
        }) = work
        else {
            return;
        };
        let setting = Setting { cycle: &cycle, now };
        let hr = people.iter().position(|p| p.role == Role::HrAdmin);
        let mut agreed: Vec<Vec<Uuid>> = vec![Vec::new(); people.len()];
        let mut rows = Rows::default();
        let mut derived = Derived::default();
        let mut goals = Vec::new();
        for i in 0..people.len() {
            person_work(
                &mut rng,
                &setting,
                &people,
                i,
                &mut agreed,
                &mut derived,
                &mut rows,
            );
            person_develop(
                &mut develop_rng,
                &setting,
                &people,
                i,
                &catalogue,
                hr,
                &mut rows,
            );
            goals.append(&mut rows.goals);
            if (rows.len() >= BATCH_ROWS || i + 1 == people.len())
                && sender.blocking_send(std::mem::take(&mut rows)).is_err()
            {
                // The writer stopped on an error; its transaction rolls back.
                return;
            }
        }
        // The goals go last, once every key result below them is known (the foreign keys
        // pointing at them are checked when the load ends).
        let Derived { rollup, health } = derived;
        let progress = rollup.values();
        let today = now.date_naive();
        let healths: HashMap<Uuid, GoalHealth> = health
            .into_iter()
            .filter(|h| h.status == GoalStatus::Agreed)
            .map(|h| {
                let expected =
                    goals::expected_progress(cycle.starts_on, h.created_at, h.due_on, today);
                let ppm = progress.get(&h.id).copied().unwrap_or(0);
                let value = goals::health_of(from_ppm(ppm), expected, h.confidence);
                (h.id, value)
            })
            .collect();
        for g in &mut goals {
            if let Set(id) = &g.id {
                g.progress_ppm = Set(progress.get(id).copied().unwrap_or(0));
                let health = healths.get(id).copied();
                g.health = Set(health);
                g.health_since = Set(health.map(|_| today));
            }
        }
        while !goals.is_empty() {
            let rest = goals.split_off(goals.len().min(BATCH_ROWS));
            let batch = Rows {
                goals: std::mem::replace(&mut goals, rest),
                ..Rows::default()
            };
            if sender.blocking_send(batch).is_err() {
                return;
            }
        }
    });
    (batches, producer)
}

/// Generates an organisation of `n` people from `seed`, in one transaction, with the dates
/// relative to the context's clock. Refuses a seed value already used in this database.
pub async fn generate(ctx: &Ctx, n: usize, seed: u64) -> DomainResult<Generated> {
    generate_with(ctx, n, seed, true).await
}

/// The people, departments and ACTIVE cycle of [`generate`] without any goals, check-ins or
/// feedback (for benchmarks that let the scheduler open the check-ins).
pub async fn generate_people(ctx: &Ctx, n: usize, seed: u64) -> DomainResult<Generated> {
    generate_with(ctx, n, seed, false).await
}

async fn generate_with(ctx: &Ctx, n: usize, seed: u64, work: bool) -> DomainResult<Generated> {
    let now = ctx.clock.now();
    let today = now.date_naive();
    let mut rng = Rng::with_seed(seed);
    let mail_domain = format!("seed{seed}.example.com");
    let people = tree(&mut rng, n.max(1), &mail_domain);
    if let Some(head) = people.first()
        && employee::Entity::find()
            .filter(employee::Column::Email.eq(head.email.as_str()))
            .count(&ctx.db)
            .await?
            > 0
    {
        return Err(DomainError::conflict(format!(
            "an organisation generated from seed value {seed} is already here; pick another"
        )));
    }
    let mut phase = Instant::now();
    let mut phases = Vec::new();
    let mut lap = |name: &'static str| {
        phases.push((name, phase.elapsed().as_secs_f64()));
        phase = Instant::now();
    };
    let mut load = Load::begin(&ctx.db).await?;
    let mut tables = PEOPLE_TABLES.to_vec();
    if work {
        tables.extend(WORK_TABLES);
    }
    let deferred = load.defer_checks(&tables).await?;

    let departments = 1 + people
        .first()
        .map_or(0, |h| h.reports.len())
        .min(DEPARTMENTS.len());
    let dept_ids: Vec<Uuid> = (0..departments).map(|_| uuid(&mut rng)).collect();
    let dept_rows: Vec<department::ActiveModel> = dept_ids
        .iter()
        .enumerate()
        .map(|(i, id)| department::ActiveModel {
            id: Set(*id),
            name: Set(format!("{} ({seed})", department_name(i))),
            parent_id: Set(None),
            head_id: Set(None),
            created_at: Set(now),
        })
        .collect();
    load.insert(dept_rows).await?;

    let cycle = cycle::Model {
        id: uuid(&mut rng),
        name: format!("FY{} generated ({seed})", today.format("%Y")),
        starts_on: today - Duration::days(120),
        ends_on: today + Duration::days(245),
        check_in_cadence: Cadence::Weekly,
        review_opens_on: today + Duration::days(215),
        review_due_on: today + Duration::days(235),
        phase: CyclePhase::Active,
        created_at: now,
        updated_at: now,
    };
    load.insert(vec![cycle.clone().into_active_model()]).await?;
    load.insert(vec![crate::review::rounds::annual_for(&cycle, now)])
        .await?;

    let develop = work.then(|| {
        let mut rng = Rng::with_seed(seed ^ DEVELOP_STREAM);
        let catalogue = Catalogue::new(&mut rng);
        Develop { rng, catalogue }
    });
    let (skills, job_profiles) = match &develop {
        Some(d) => {
            let rows = d.catalogue.rows(seed, now);
            let counts = (rows.skills.len(), rows.profiles.len());
            load.insert(rows.skills).await?;
            load.insert(rows.profiles).await?;
            load.insert(rows.expectations).await?;
            counts
        }
        None => (0, 0),
    };

    let employee_rows: Vec<employee::ActiveModel> = people
        .iter()
        .map(|p| employee::ActiveModel {
            id: Set(p.id),
            email: Set(p.email.clone()),
            name: Set(p.name.clone()),
            title: Set(p.title.clone()),
            department_id: Set(dept_ids.get(p.department).copied()),
            manager_id: Set(p.manager.map(|m| people[m].id)),
            path: Set(p.path.clone()),
            role: Set(p.role),
            hired_on: Set(cycle.starts_on - Duration::days(p.tenure_days)),
            timezone: Set(p.timezone.to_owned()),
            active: Set(true),
            left_on: Set(None),
            job_profile_id: Set(develop.as_ref().map(|d| d.catalogue.profile_id(p))),
            tokens_revoked_at: Set(None),
            erased_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    load.insert(employee_rows).await?;
    for (i, dept) in dept_ids.iter().enumerate() {
        let head = if i == 0 {
            people.first()
        } else {
            people
                .first()
                .and_then(|h| h.reports.get(i - 1))
                .map(|r| &people[*r])
        };
        let update = department::Entity::update_many()
            .col_expr(
                department::Column::HeadId,
                sea_orm::sea_query::Expr::value(head.map(|h| h.id)),
            )
            .filter(department::Column::Id.eq(*dept))
            .build(load.backend());
        load.execute(update).await?;
    }
    lap("people");

    let mut made = Generated {
        employees: people.len(),
        departments,
        cycle_id: cycle.id,
        depth: people.iter().map(|p| p.depth).max().unwrap_or(0),
        skills,
        job_profiles,
        ..Generated::default()
    };
    let people = Arc::new(people);
    let (mut batches, producer) = spawn_work(rng, cycle.clone(), now, Arc::clone(&people), develop);
    while let Some(batch) = batches.recv().await {
        made.goals += batch.goals.len();
        made.key_results += batch.key_results.len();
        made.check_ins += batch.check_ins.len();
        made.updates += batch.updates.len();
        made.feedback += batch.feedback.len();
        made.assessments += batch.assessments.len();
        made.skill_gaps += batch.gaps.len();
        made.development_plans += batch.plans.len();
        made.development_items += batch.items.len();
        load.insert(batch.goals).await?;
        load.insert(batch.key_results).await?;
        load.insert(batch.check_ins).await?;
        load.insert(batch.updates).await?;
        load.insert(batch.feedback).await?;
        load.insert(batch.assessments).await?;
        load.insert(batch.gaps).await?;
        load.insert(batch.plans).await?;
        load.insert(batch.items).await?;
    }
    // A generator that stopped early (it panicked) must not leave half an organisation.
    producer
        .await
        .map_err(|e| DomainError::Internal(format!("generating the work failed: {e}")))?;
    lap("work");
    load.restore(deferred).await?;
    lap("indexes and foreign keys");
    load.commit().await?;
    lap("commit");
    // Statistics for the planner, as autovacuum would gather them soon after a real load:
    // without them it guesses every filter and walks the wrong index at 100 000 people.
    ctx.db.execute_unprepared("ANALYZE").await?;
    lap("statistics");
    made.phases = phases;

    let sizes = subtree_sizes(&people);
    let email = |i: Option<usize>| i.map_or_else(String::new, |i| people[i].email.clone());
    made.head_email = email(people.first().map(|_| 0));
    made.hr_email = email(people.iter().position(|p| p.role == Role::HrAdmin));
    // The manager deepest in the tree (at most four down) whose subtree is closest to 150.
    made.manager_email = email(
        (0..people.len())
            .filter(|&i| !people[i].reports.is_empty() && people[i].depth <= 4)
            .min_by_key(|&i| (4 - people[i].depth, sizes[i].abs_diff(150))),
    );
    made.employee_email = email(
        people
            .iter()
            .rposition(|p| p.reports.is_empty() && p.role == Role::Employee),
    );
    Ok(made)
}
