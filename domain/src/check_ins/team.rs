//! A manager's team for a day: their direct reports or everyone below them, each with the
//! check-in of the period containing that day in their own calendar, a page at a time, and
//! the counts by status a dashboard shows.

use crate::calendar;
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::permissions::can_read_work_of;
use crate::query::find;
use crate::values::CheckInStatus;
use crate::{Ctx, Viewer};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{check_in, employee};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QuerySelect,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Whose check-ins a team view covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamScope {
    /// The manager's direct reports.
    Direct,
    /// Everyone below the manager, at any depth.
    Subtree,
}

/// A manager's team, once the viewer was allowed to see it.
#[derive(Debug, Clone)]
pub struct Team {
    manager: employee::Model,
    scope: TeamScope,
    /// The day asked about, read in each person's calendar; `None` is each person's today.
    day: Option<NaiveDate>,
    now: DateTime<Utc>,
}

/// How many people of a team stand where, for the day asked about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TeamCounts {
    /// Active people in the team.
    pub people: u64,
    /// With a check-in still DUE.
    pub due: u64,
    /// SUBMITTED, waiting for the manager.
    pub submitted: u64,
    /// ACKNOWLEDGED.
    pub acknowledged: u64,
    /// MISSED.
    pub missed: u64,
    /// Without a check-in for the period (not opened yet, or outside the cycle).
    pub not_opened: u64,
}

/// The team of `manager_id` for the viewer: themselves, anyone above the manager, and HR.
pub async fn team(
    ctx: &Ctx,
    viewer: &Viewer,
    manager_id: Uuid,
    scope: TeamScope,
    day: Option<NaiveDate>,
) -> DomainResult<Team> {
    let manager = find::<employee::Entity>(&ctx.db, manager_id, "employee").await?;
    if !can_read_work_of(viewer, &manager) {
        return Err(DomainError::forbidden(
            "you may see the check-ins of your own teams only",
        ));
    }
    Ok(Team {
        manager,
        scope,
        day,
        now: ctx.clock.now(),
    })
}

impl Team {
    /// The manager the team belongs to.
    pub fn manager(&self) -> &employee::Model {
        &self.manager
    }

    /// Whose check-ins it covers.
    pub fn scope(&self) -> TeamScope {
        self.scope
    }

    /// The day asked about, if one was.
    pub fn day(&self) -> Option<NaiveDate> {
        self.day
    }

    /// The team's active people, as a condition on `employee`.
    fn people(&self, backend: sea_orm::DbBackend) -> Condition {
        let within = match self.scope {
            TeamScope::Direct => {
                Condition::all().add(employee::Column::ManagerId.eq(self.manager.id))
            }
            TeamScope::Subtree => Condition::all()
                .add(crate::viewer::path_within(backend, &self.manager.path))
                .add(employee::Column::Id.ne(self.manager.id)),
        };
        within.add(employee::Column::Active.eq(true))
    }

    /// The day a person's check-in is looked up for.
    fn day_of(&self, person: &employee::Model) -> NaiveDate {
        self.day
            .unwrap_or_else(|| self.now.with_timezone(&calendar::zone(person)).date_naive())
    }

    /// A page of the team by name, each person with their check-in for the day.
    pub async fn page(
        &self,
        ctx: &Ctx,
        page: &PageRequest,
    ) -> DomainResult<Page<(employee::Model, Option<check_in::Model>)>> {
        let backend = ctx.db.get_database_backend();
        let query = employee::Entity::find().filter(self.people(backend));
        let people = crate::employees::page_by_name(&ctx.db, query, page).await?;
        let keys: Vec<(Uuid, NaiveDate)> = people
            .items
            .iter()
            .map(|(_, e)| (e.id, self.day_of(e)))
            .collect();
        let mut found = super::containing(&ctx.db, &keys).await?;
        Ok(people.map(|e| {
            let c = found.remove(&(e.id, self.day_of(&e)));
            (e, c)
        }))
    }

    /// The team's counts of people by status for the day, in three aggregate queries.
    pub async fn counts(&self, ctx: &Ctx) -> DomainResult<TeamCounts> {
        let backend = ctx.db.get_database_backend();
        let people = employee::Entity::find()
            .filter(self.people(backend))
            .count(&ctx.db)
            .await?;
        // People, not check-ins: someone in two overlapping cycles has two check-ins on the
        // day, and counts once in each status they hold (the list shows their latest).
        let people_with = |grouped: bool| {
            let mut q = check_in::Entity::find().select_only();
            if grouped {
                q = q.column(check_in::Column::Status);
            }
            q.column_as(
                Expr::cust(r#"COUNT(DISTINCT "check_in"."employee_id")"#),
                "n",
            )
            .join(
                JoinType::InnerJoin,
                check_in::Entity::belongs_to(employee::Entity)
                    .from(check_in::Column::EmployeeId)
                    .to(employee::Column::Id)
                    .into(),
            )
            .filter(self.people(backend))
            .filter(self.containing_day())
        };
        let by_status: Vec<(CheckInStatus, i64)> = people_with(true)
            .group_by(check_in::Column::Status)
            .into_tuple()
            .all(&ctx.db)
            .await?;
        let opened: Option<i64> = people_with(false).into_tuple().one(&ctx.db).await?;
        let mut counts = TeamCounts {
            people,
            ..TeamCounts::default()
        };
        for (status, n) in by_status {
            let n = u64::try_from(n).unwrap_or(0);
            match status {
                CheckInStatus::Due => counts.due += n,
                CheckInStatus::Submitted => counts.submitted += n,
                CheckInStatus::Acknowledged => counts.acknowledged += n,
                CheckInStatus::Missed => counts.missed += n,
            }
        }
        let opened = u64::try_from(opened.unwrap_or(0)).unwrap_or(0);
        counts.not_opened = people.saturating_sub(opened);
        Ok(counts)
    }

    /// The check-in's period contains the day, read in its employee's calendar: the day
    /// asked about, or each timezone's today (at most three different dates at any instant,
    /// so the timezones are grouped by the date it is there now).
    fn containing_day(&self) -> Condition {
        let contains = |day: NaiveDate| {
            Condition::all()
                .add(check_in::Column::PeriodStart.lte(day))
                .add(check_in::Column::PeriodEnd.gte(day))
        };
        if let Some(day) = self.day {
            return contains(day);
        }
        let mut zones: BTreeMap<NaiveDate, Vec<&'static str>> = BTreeMap::new();
        for tz in chrono_tz::TZ_VARIANTS {
            let today = self.now.with_timezone(&tz).date_naive();
            zones.entry(today).or_default().push(tz.name());
        }
        let mut any = Condition::any();
        for (day, names) in zones {
            any = any.add(contains(day).add(employee::Column::Timezone.is_in(names)));
        }
        any
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use std::collections::HashMap;

    #[test]
    fn every_timezone_falls_on_one_of_at_most_three_dates() {
        for hour in 0..24 {
            let now = Utc.with_ymd_and_hms(2027, 3, 1, hour, 30, 0).unwrap();
            let mut days = HashMap::new();
            for tz in chrono_tz::TZ_VARIANTS {
                *days.entry(now.with_timezone(&tz).date_naive()).or_insert(0) += 1;
            }
            assert!((1..=3).contains(&days.len()), "{now}: {days:?}");
        }
    }
}
