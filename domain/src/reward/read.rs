//! Who sees which rewards (DESIGN §4): HR everything; a manager their subtree's, never a
//! preview's or a superseded one; everyone their own once communicated. And HR's payroll
//! export of a run.

use super::lines;
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::permissions::require_hr;
use crate::query::{Keyset, find, keyset_rows, page_from};
use crate::values::{RewardKind, RewardStatus};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::{employee, reward, reward_line, reward_run};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// Which rewards to list; every part optional.
#[derive(Debug, Clone, Default)]
pub struct RewardFilter {
    pub run_id: Option<Uuid>,
    pub cycle_id: Option<Uuid>,
    pub employee_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub kind: Option<RewardKind>,
    pub status: Option<RewardStatus>,
}

/// Whether `viewer` may see `row` about `person`.
pub fn can_read(viewer: &Viewer, row: &reward::Model, person: &employee::Model) -> bool {
    if viewer.is_hr() {
        return true;
    }
    if viewer.id() == person.id {
        return row.status == RewardStatus::Communicated;
    }
    viewer.manages(person)
        && !matches!(row.status, RewardStatus::Preview | RewardStatus::Superseded)
}

fn keyset() -> Keyset<reward::Entity> {
    Keyset {
        key: reward::Column::CreatedAt,
        id: reward::Column::Id,
        descending: false,
        position: |r| Position {
            key: SortKey::Time(r.created_at),
            id: r.id,
        },
    }
}

/// The rewards `viewer` may see that match `filter`, oldest first: spot awards (and rows of
/// runs from before reward lines) from `reward`, and the runs' rewards from their lines, one
/// per kind, merged along (created at, id).
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: RewardFilter,
    page: &PageRequest,
) -> DomainResult<Page<reward::Model>> {
    let backend = ctx.db.get_database_backend();
    let mut query = reward::Entity::find();
    let mut lines = reward_line::Entity::find();
    if let Some(r) = filter.run_id {
        query = query.filter(reward::Column::RunId.eq(r));
        lines = lines.filter(reward_line::Column::RunId.eq(r));
    }
    if let Some(c) = filter.cycle_id {
        query = query.filter(reward::Column::CycleId.eq(c));
        lines = lines.filter(reward_line::Column::CycleId.eq(c));
    }
    if let Some(e) = filter.employee_id {
        query = query.filter(reward::Column::EmployeeId.eq(e));
        lines = lines.filter(reward_line::Column::EmployeeId.eq(e));
    }
    if let Some(d) = filter.department_id {
        query = query.filter(reward::Column::DepartmentId.eq(d));
        lines = lines.filter(reward_line::Column::DepartmentId.eq(d));
    }
    let with_lines = filter.kind.is_none_or(|k| lines::bit(k).is_some());
    if let Some(k) = filter.kind {
        query = query.filter(reward::Column::Kind.eq(k));
        if let Some(bit) = lines::bit(k) {
            lines = lines.filter(
                Expr::col((reward_line::Entity, reward_line::Column::Kinds))
                    .bit_and(bit)
                    .ne(0),
            );
        }
    }
    if let Some(s) = filter.status {
        query = query.filter(reward::Column::Status.eq(s));
        lines = lines.filter(reward_line::Column::Status.eq(s));
    }
    if !viewer.is_hr() {
        let own = Condition::all()
            .add(reward::Column::EmployeeId.eq(viewer.id()))
            .add(reward::Column::Status.eq(RewardStatus::Communicated));
        let team = Condition::all()
            .add(reward::Column::EmployeeId.ne(viewer.id()))
            .add(viewer.covers("\"reward\".\"employee_id\"", backend))
            .add(
                reward::Column::Status.is_not_in([RewardStatus::Preview, RewardStatus::Superseded]),
            );
        query = query.filter(Condition::any().add(own).add(team));
        let own = Condition::all()
            .add(reward_line::Column::EmployeeId.eq(viewer.id()))
            .add(reward_line::Column::Status.eq(RewardStatus::Communicated));
        let team = Condition::all()
            .add(reward_line::Column::EmployeeId.ne(viewer.id()))
            .add(viewer.covers("\"reward_line\".\"employee_id\"", backend))
            .add(
                reward_line::Column::Status
                    .is_not_in([RewardStatus::Preview, RewardStatus::Superseded]),
            );
        lines = lines.filter(Condition::any().add(own).add(team));
    }
    let sample = SortKey::Time(DateTime::<Utc>::MIN_UTC);
    let mut total = if page.count_total {
        Some(query.clone().count(&ctx.db).await?)
    } else {
        None
    };
    let after = page.after.as_ref();
    let mut rows = keyset_rows(&ctx.db, query, &keyset(), after, &sample, page.limit + 1).await?;
    if with_lines {
        if let Some(t) = total.as_mut() {
            let counts: Vec<(i16, i64)> = lines
                .clone()
                .select_only()
                .column(reward_line::Column::Kinds)
                .column_as(reward_line::Column::Id.count(), "n")
                .group_by(reward_line::Column::Kinds)
                .into_tuple()
                .all(&ctx.db)
                .await?;
            *t += counts
                .into_iter()
                .map(|(kinds, n)| match filter.kind {
                    Some(_) => n as u64,
                    None => u64::from(kinds.count_ones()) * n as u64,
                })
                .sum::<u64>();
        }
        let mut ordered = lines
            .order_by_asc(reward_line::Column::CreatedAt)
            .order_by_asc(reward_line::Column::Id);
        if let Some(after) = after {
            let SortKey::Time(at) = after.key else {
                return Err(DomainError::bad(
                    "after",
                    "after is not a cursor from this list",
                ));
            };
            // From the cursor's own line on: its rewards after the cursor's still follow.
            let from = lines::line_of(after.id).map_or(after.id, |(line, _)| line);
            ordered = ordered.filter(
                Expr::tuple([
                    Expr::col((reward_line::Entity, reward_line::Column::CreatedAt)),
                    Expr::col((reward_line::Entity, reward_line::Column::Id)),
                ])
                .gte(Expr::tuple([Expr::val(at), Expr::val(from)])),
            );
        }
        let found = ordered.limit(page.limit + 2).all(&ctx.db).await?;
        let position = keyset().position;
        rows.extend(
            lines::expand(&ctx.db, &found)
                .await?
                .into_iter()
                .filter(|r| filter.kind.is_none_or(|k| r.kind == k))
                .filter(|r| after.is_none_or(|a| position(r) > *a)),
        );
        rows.sort_by_cached_key(position);
    }
    Ok(page_from(rows, keyset().position, page, total))
}

/// One reward `viewer` may see (NOT_FOUND otherwise, exactly as for one that does not exist).
pub async fn get(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<reward::Model> {
    let row = match reward::Entity::find_by_id(id).one(&ctx.db).await? {
        Some(row) => row,
        None => {
            let (line, kind) = lines::line_of(id).ok_or(DomainError::NotFound("reward"))?;
            let line = find::<reward_line::Entity>(&ctx.db, line, "reward").await?;
            lines::expand(&ctx.db, &[line])
                .await?
                .into_iter()
                .find(|r| r.kind == kind)
                .ok_or(DomainError::NotFound("reward"))?
        }
    };
    let person = find::<employee::Entity>(&ctx.db, row.employee_id, "reward").await?;
    if can_read(viewer, &row, &person) {
        Ok(row)
    } else {
        Err(DomainError::NotFound("reward"))
    }
}

/// The payroll export of a run (HR): its approved and communicated rewards as CSV: employee
/// id, e-mail, kind, amount, currency, effective date (PTO in days, without a currency).
pub async fn export_csv(ctx: &Ctx, viewer: &Viewer, run_id: Uuid) -> DomainResult<String> {
    require_hr(viewer, "export rewards")?;
    let run = find::<reward_run::Entity>(&ctx.db, run_id, "reward run").await?;
    let approved = [RewardStatus::Approved, RewardStatus::Communicated];
    // Runs from before reward lines have a row per kind.
    let mut rewards = reward::Entity::find()
        .filter(reward::Column::RunId.eq(run.id))
        .filter(reward::Column::Status.is_in(approved))
        .all(&ctx.db)
        .await?;
    let found = reward_line::Entity::find()
        .filter(reward_line::Column::RunId.eq(run.id))
        .filter(reward_line::Column::Status.is_in(approved))
        .order_by_asc(reward_line::Column::EmployeeId)
        .all(&ctx.db)
        .await?;
    rewards.extend(lines::expand(&ctx.db, &found).await?);
    rewards.sort_by(|a, b| (a.employee_id, a.kind.as_str()).cmp(&(b.employee_id, b.kind.as_str())));
    let ids: Vec<Uuid> = rewards.iter().map(|r| r.employee_id).collect();
    let people = crate::employees::by_ids(&ctx.db, &ids).await?;
    let rows = rewards.into_iter().filter_map(|r| {
        let email = people.get(&r.employee_id)?.email.clone();
        Some((
            r.employee_id,
            email,
            r.kind,
            r.amount,
            r.currency,
            r.effective_on,
        ))
    });
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| DomainError::Internal(format!("csv: {e}"));
    out.write_record([
        "employee_id",
        "email",
        "kind",
        "amount",
        "currency",
        "effective_on",
    ])
    .map_err(fail)?;
    for (employee_id, email, kind, amount, currency, effective_on) in rows {
        out.write_record([
            employee_id.to_string().as_str(),
            email.as_str(),
            kind.as_str(),
            super::money::scaled(amount.0, &currency)
                .to_string()
                .as_str(),
            currency.as_str(),
            effective_on.to_string().as_str(),
        ])
        .map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| DomainError::Internal(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| DomainError::Internal(format!("csv: {e}")))
}
