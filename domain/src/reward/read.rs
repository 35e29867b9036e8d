//! Who sees which rewards (DESIGN §4): HR everything; a manager their subtree's, never a
//! preview's or a superseded one; everyone their own once communicated. And HR's payroll
//! export of a run.

use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::permissions::require_hr;
use crate::query::{Keyset, find, keyset_page};
use crate::values::{RewardKind, RewardStatus};
use crate::{Ctx, Viewer};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use entity::values::DecimalText;
use entity::{employee, reward, reward_run};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
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

/// The rewards `viewer` may see that match `filter`, oldest first.
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: RewardFilter,
    page: &PageRequest,
) -> DomainResult<Page<reward::Model>> {
    let mut query = reward::Entity::find();
    if let Some(r) = filter.run_id {
        query = query.filter(reward::Column::RunId.eq(r));
    }
    if let Some(c) = filter.cycle_id {
        query = query.filter(reward::Column::CycleId.eq(c));
    }
    if let Some(e) = filter.employee_id {
        query = query.filter(reward::Column::EmployeeId.eq(e));
    }
    if let Some(d) = filter.department_id {
        query = query.filter(reward::Column::DepartmentId.eq(d));
    }
    if let Some(k) = filter.kind {
        query = query.filter(reward::Column::Kind.eq(k));
    }
    if let Some(s) = filter.status {
        query = query.filter(reward::Column::Status.eq(s));
    }
    if !viewer.is_hr() {
        let backend = ctx.db.get_database_backend();
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
    }
    keyset_page(
        &ctx.db,
        query,
        &keyset(),
        &SortKey::Time(DateTime::<Utc>::MIN_UTC),
        page,
    )
    .await
}

/// One reward `viewer` may see (NOT_FOUND otherwise, exactly as for one that does not exist).
pub async fn get(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<reward::Model> {
    let row = find::<reward::Entity>(&ctx.db, id, "reward").await?;
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
    // One query, each reward with its person's e-mail (a second lookup by id would cost a
    // statement per thousand people).
    let to_person = reward::Entity::belongs_to(employee::Entity)
        .from(reward::Column::EmployeeId)
        .to(employee::Column::Id)
        .into();
    let rows: Vec<(Uuid, String, RewardKind, DecimalText, String, NaiveDate)> =
        reward::Entity::find()
            .select_only()
            .column(reward::Column::EmployeeId)
            .column(employee::Column::Email)
            .column(reward::Column::Kind)
            .column(reward::Column::Amount)
            .column(reward::Column::Currency)
            .column(reward::Column::EffectiveOn)
            .join(JoinType::InnerJoin, to_person)
            .filter(reward::Column::RunId.eq(run.id))
            .filter(
                reward::Column::Status.is_in([RewardStatus::Approved, RewardStatus::Communicated]),
            )
            .order_by_asc(reward::Column::EmployeeId)
            .order_by_asc(reward::Column::Kind)
            .into_tuple()
            .all(&ctx.db)
            .await?;
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
