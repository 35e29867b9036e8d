//! A generated organisation of any size for benchmarks and load tests: departments, a manager
//! tree, one ACTIVE cycle around today, aligned goals with key results, twelve weeks of
//! check-ins and feedback. The same seed value and clock always give the same organisation.

use super::bulk;
use super::people::{DEPARTMENTS, department_name, subtree_sizes, tree, uuid};
use super::work::{Rows, Setting, person_work};
use crate::Ctx;
use crate::error::{DomainError, DomainResult};
use crate::values::{Cadence, CyclePhase, Role};
use chrono::Duration;
use entity::{cycle, department, employee};
use fastrand::Rng;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
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
    let txn = crate::db::begin(&ctx.db).await?;

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
    bulk::insert(&txn, dept_rows).await?;

    let cycle = cycle::ActiveModel {
        id: Set(uuid(&mut rng)),
        name: Set(format!("FY{} generated ({seed})", today.format("%Y"))),
        starts_on: Set(today - Duration::days(120)),
        ends_on: Set(today + Duration::days(245)),
        check_in_cadence: Set(Cadence::Weekly),
        review_opens_on: Set(today + Duration::days(215)),
        review_due_on: Set(today + Duration::days(235)),
        phase: Set(CyclePhase::Active),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;

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
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    bulk::insert(&txn, employee_rows).await?;
    for (i, dept) in dept_ids.iter().enumerate() {
        let head = if i == 0 {
            people.first()
        } else {
            people
                .first()
                .and_then(|h| h.reports.get(i - 1))
                .map(|r| &people[*r])
        };
        department::Entity::update_many()
            .col_expr(
                department::Column::HeadId,
                sea_orm::sea_query::Expr::value(head.map(|h| h.id)),
            )
            .filter(department::Column::Id.eq(*dept))
            .exec(&txn)
            .await?;
    }

    let setting = Setting { cycle: &cycle, now };
    let mut made = Generated {
        employees: people.len(),
        departments,
        cycle_id: cycle.id,
        depth: people.iter().map(|p| p.depth).max().unwrap_or(0),
        ..Generated::default()
    };
    let mut agreed: Vec<Vec<Uuid>> = vec![Vec::new(); people.len()];
    let mut rows = Rows::default();
    for i in (0..people.len()).filter(|_| work) {
        person_work(&mut rng, &setting, &people, i, &mut agreed, &mut rows);
        if rows.len() >= BATCH_ROWS || i + 1 == people.len() {
            made.goals += rows.goals.len();
            made.key_results += rows.key_results.len();
            made.check_ins += rows.check_ins.len();
            made.updates += rows.updates.len();
            made.feedback += rows.feedback.len();
            let batch = std::mem::take(&mut rows);
            bulk::insert(&txn, batch.goals).await?;
            bulk::insert(&txn, batch.key_results).await?;
            bulk::insert(&txn, batch.check_ins).await?;
            bulk::insert(&txn, batch.updates).await?;
            bulk::insert(&txn, batch.feedback).await?;
        }
    }
    txn.commit().await?;

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
