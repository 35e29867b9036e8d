//! Reading check-ins: one, the filtered list, the check-in containing a day, and their
//! key-result updates for batch loading.

use crate::error::DomainResult;
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::query::{Keyset, find_readable, keyset_page, rows_in};
use crate::values::CheckInStatus;
use crate::{Ctx, Viewer};
use chrono::NaiveDate;
use entity::{check_in, key_result_update};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// One check-in, for its employee, their managers and HR.
pub async fn get(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<check_in::Model> {
    Ok(find_readable::<check_in::Model>(&ctx.db, viewer, id)
        .await?
        .0)
}

/// Filters for the check-in list.
#[derive(Debug, Clone, Default)]
pub struct CheckInFilter {
    /// Only this employee's.
    pub employee_id: Option<Uuid>,
    /// Only the check-ins of this manager's direct reports.
    pub manager_id: Option<Uuid>,
    /// Only the check-ins of people in this department or its sub-departments.
    pub department_id: Option<Uuid>,
    /// Only this cycle's.
    pub cycle_id: Option<Uuid>,
    /// Only these statuses.
    pub statuses: Vec<CheckInStatus>,
    /// Only the periods that contain this day.
    pub on: Option<NaiveDate>,
}

/// Check-ins are listed newest period first.
const ORDER: Keyset<check_in::Entity> = Keyset {
    key: check_in::Column::PeriodStart,
    id: check_in::Column::Id,
    descending: true,
    position: |c| Position {
        key: SortKey::Date(c.period_start),
        id: c.id,
    },
};

/// A page of the check-ins the viewer may read, newest period first.
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: &CheckInFilter,
    page: &PageRequest,
) -> DomainResult<Page<check_in::Model>> {
    let mut cond = Condition::all();
    if !viewer.is_hr() {
        let backend = ctx.db.get_database_backend();
        cond = cond.add(viewer.covers(r#""check_in"."employee_id""#, backend));
    }
    if let Some(e) = filter.employee_id {
        cond = cond.add(check_in::Column::EmployeeId.eq(e));
    }
    if let Some(people) = crate::employees::people_filter(
        &ctx.db,
        "filter.",
        None,
        filter.department_id,
        filter.manager_id,
    )
    .await?
    {
        let backend = ctx.db.get_database_backend();
        cond = cond.add(crate::viewer::column_in(
            r#""check_in"."employee_id""#,
            people,
            backend,
        ));
    }
    if let Some(c) = filter.cycle_id {
        cond = cond.add(check_in::Column::CycleId.eq(c));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(check_in::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if let Some(on) = filter.on {
        cond = cond
            .add(check_in::Column::PeriodStart.lte(on))
            .add(check_in::Column::PeriodEnd.gte(on));
    }
    let query = check_in::Entity::find().filter(cond);
    let sample = SortKey::Date(NaiveDate::MIN);
    keyset_page(&ctx.db, query, &ORDER, &sample, page).await
}

/// Each `(employee, day)`'s check-in for the period containing that day (the latest opened, if
/// cycles overlap), for batch loading (unfiltered: callers check who may see the work). The
/// day is the employee's own today, so it differs across timezones.
pub async fn containing(
    db: &impl ConnectionTrait,
    keys: &[(Uuid, NaiveDate)],
) -> DomainResult<HashMap<(Uuid, NaiveDate), check_in::Model>> {
    let (Some(first), Some(last)) = (
        keys.iter().map(|(_, d)| *d).min(),
        keys.iter().map(|(_, d)| *d).max(),
    ) else {
        return Ok(HashMap::new());
    };
    let people: Vec<Uuid> = keys.iter().map(|(e, _)| *e).collect();
    let query = check_in::Entity::find()
        .filter(check_in::Column::PeriodStart.lte(last))
        .filter(check_in::Column::PeriodEnd.gte(first))
        .order_by_asc(check_in::Column::PeriodStart)
        .order_by_asc(check_in::Column::Id);
    let mut by_person: HashMap<Uuid, Vec<check_in::Model>> = HashMap::new();
    for c in rows_in(db, query, check_in::Column::EmployeeId, &people).await? {
        by_person.entry(c.employee_id).or_default().push(c);
    }
    let mut found = HashMap::new();
    for key in keys {
        // Oldest first: the last one containing the day is the latest opened.
        let theirs = by_person.get(&key.0).map(Vec::as_slice).unwrap_or(&[]);
        if let Some(c) = theirs
            .iter()
            .rfind(|c| c.period_start <= key.1 && key.1 <= c.period_end)
        {
            found.insert(*key, c.clone());
        }
    }
    Ok(found)
}

/// Check-ins by id, for batch loading (unfiltered: callers check who may read them).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, check_in::Model>> {
    crate::query::by_ids::<check_in::Entity>(db, check_in::Column::Id, ids).await
}

/// Key-result updates of each check-in, for batch loading.
pub async fn updates_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<key_result_update::Model>>> {
    let mut found: HashMap<Uuid, Vec<key_result_update::Model>> = HashMap::new();
    let query = key_result_update::Entity::find();
    for u in rows_in(db, query, key_result_update::Column::CheckInId, ids).await? {
        if let Some(check_in) = u.check_in_id {
            found.entry(check_in).or_default().push(u);
        }
    }
    Ok(found)
}
