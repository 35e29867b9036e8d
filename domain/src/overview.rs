//! A cycle's overview for HR dashboards and managers: goals by status and health, the
//! agreement rate, check-in compliance over the last weeks, kudos (praise) received, and the
//! people without goals,
//! over the whole organisation (HR), a department with its sub-departments, or everyone below
//! a manager. Each figure is one aggregate query, whatever the organisation's size.

use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::values::FeedbackKind;
use crate::values::{CheckInStatus, GoalHealth, GoalStatus};
use crate::viewer::column_in;
use crate::{Ctx, Viewer};
use chrono::{Datelike, Duration, NaiveDate};
use entity::{check_in, cycle, employee, feedback, goal};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Most weeks of check-in compliance one overview reads.
pub const MAX_WEEKS: u32 = 26;

/// The people an overview covers, once the viewer was allowed to see them.
#[derive(Debug, Clone)]
pub struct Overview {
    cycle: cycle::Model,
    department_id: Option<Uuid>,
    /// Employee ids in scope; `None` is everyone.
    people: Option<SelectStatement>,
    today: NaiveDate,
}

/// Goals of one status and health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoalCount {
    /// Their status.
    pub status: GoalStatus,
    /// Their health (AGREED goals only).
    pub health: Option<GoalHealth>,
    /// How many.
    pub count: u64,
}

/// Check-ins whose period ended in one week (Monday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekCompliance {
    /// The week's Monday.
    pub week_start: NaiveDate,
    /// Submitted (and maybe acknowledged).
    pub submitted: u64,
    /// Missed.
    pub missed: u64,
    /// Still DUE, within their grace period.
    pub pending: u64,
}

/// The overview of `cycle_id` for the viewer: HR sees everyone (or `department_id` with its
/// sub-departments); a manager sees the people below them (narrowed to the department if one
/// is given); anyone else is refused.
pub async fn overview(
    ctx: &Ctx,
    viewer: &Viewer,
    cycle_id: Uuid,
    department_id: Option<Uuid>,
) -> DomainResult<Overview> {
    let cycle = crate::cycles::find(&ctx.db, cycle_id).await?;
    let backend = ctx.db.get_database_backend();
    let department =
        crate::employees::people_filter(&ctx.db, "", None, department_id, None).await?;
    let people = if viewer.is_hr() {
        department
    } else {
        let reports = employee::Entity::find()
            .filter(employee::Column::ManagerId.eq(viewer.id()))
            .filter(employee::Column::Active.eq(true))
            .count(&ctx.db)
            .await?;
        if reports == 0 {
            return Err(DomainError::forbidden(
                "a cycle's overview is for HR and for managers, over the people below them",
            ));
        }
        let mut below = viewer.subtree_ids(backend);
        below.and_where(employee::Column::Id.ne(viewer.id()));
        if let Some(department) = department {
            below.and_where(column_in(r#""employee"."id""#, department, backend));
        }
        Some(below)
    };
    Ok(Overview {
        cycle,
        department_id,
        people,
        today: ctx.clock.today(),
    })
}

impl Overview {
    /// The cycle.
    pub fn cycle(&self) -> &cycle::Model {
        &self.cycle
    }

    /// The department asked about, if one was.
    pub fn department_id(&self) -> Option<Uuid> {
        self.department_id
    }

    /// `column` (an employee id) is in scope.
    fn covers(&self, column: &'static str, backend: sea_orm::DbBackend) -> Condition {
        match &self.people {
            Some(people) => Condition::all().add(column_in(column, people.clone(), backend)),
            None => Condition::all(),
        }
    }

    /// Active people in scope.
    pub async fn people(&self, ctx: &Ctx) -> DomainResult<u64> {
        let backend = ctx.db.get_database_backend();
        Ok(employee::Entity::find()
            .filter(employee::Column::Active.eq(true))
            .filter(self.covers(r#""employee"."id""#, backend))
            .count(&ctx.db)
            .await?)
    }

    /// The cycle's goals owned by people in scope, by status and health.
    pub async fn goals(&self, ctx: &Ctx) -> DomainResult<Vec<GoalCount>> {
        let backend = ctx.db.get_database_backend();
        let rows: Vec<(GoalStatus, Option<GoalHealth>, i64)> = goal::Entity::find()
            .select_only()
            .column(goal::Column::Status)
            .column(goal::Column::Health)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .filter(goal::Column::CycleId.eq(self.cycle.id))
            .filter(self.covers(r#""goal"."owner_id""#, backend))
            .group_by(goal::Column::Status)
            .group_by(goal::Column::Health)
            .into_tuple()
            .all(&ctx.db)
            .await?;
        let mut counts: Vec<GoalCount> = rows
            .into_iter()
            .map(|(status, health, n)| GoalCount {
                status,
                health,
                count: u64::try_from(n).unwrap_or(0),
            })
            .collect();
        counts.sort_by_key(|c| (c.status.as_str(), c.health.map(|h| h.as_str())));
        Ok(counts)
    }

    /// Praise given during the cycle (UTC days) to people in scope.
    fn kudos(&self, backend: sea_orm::DbBackend) -> sea_orm::Select<feedback::Entity> {
        let from = self
            .cycle
            .starts_on
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        let to = (self.cycle.ends_on + Duration::days(1))
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        feedback::Entity::find()
            .filter(feedback::Column::Kind.eq(FeedbackKind::Praise))
            .filter(feedback::Column::CreatedAt.gte(from))
            .filter(feedback::Column::CreatedAt.lt(to))
            .filter(self.covers(r#""feedback"."recipient_id""#, backend))
    }

    /// Kudos received by people in scope during the cycle, by their department (now),
    /// most first.
    pub async fn kudos_by_department(&self, ctx: &Ctx) -> DomainResult<Vec<(Option<Uuid>, u64)>> {
        let backend = ctx.db.get_database_backend();
        let to_recipient = feedback::Entity::belongs_to(employee::Entity)
            .from(feedback::Column::RecipientId)
            .to(employee::Column::Id)
            .into();
        let rows: Vec<(Option<Uuid>, i64)> = self
            .kudos(backend)
            .select_only()
            .column(employee::Column::DepartmentId)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .join(sea_orm::JoinType::InnerJoin, to_recipient)
            .group_by(employee::Column::DepartmentId)
            .into_tuple()
            .all(&ctx.db)
            .await?;
        let mut out: Vec<(Option<Uuid>, u64)> = rows
            .into_iter()
            .map(|(d, n)| (d, u64::try_from(n).unwrap_or(0)))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// The `limit` people in scope who received the most kudos during the cycle, most first
    /// (ties by id), with their counts.
    pub async fn kudos_by_person(&self, ctx: &Ctx, limit: u64) -> DomainResult<Vec<(Uuid, u64)>> {
        let backend = ctx.db.get_database_backend();
        let rows: Vec<(Uuid, i64)> = self
            .kudos(backend)
            .select_only()
            .column(feedback::Column::RecipientId)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .group_by(feedback::Column::RecipientId)
            .order_by_desc(Expr::cust("COUNT(*)"))
            .order_by_asc(feedback::Column::RecipientId)
            .limit(limit)
            .into_tuple()
            .all(&ctx.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
            .collect())
    }

    /// Check-ins of the cycle, of people in scope, whose period ended in each of the last
    /// `weeks` weeks before today, oldest week first (weeks without any are left out).
    pub async fn compliance(&self, ctx: &Ctx, weeks: u32) -> DomainResult<Vec<WeekCompliance>> {
        if !(1..=MAX_WEEKS).contains(&weeks) {
            return Err(DomainError::bad(
                "weeks",
                format!("weeks must be between 1 and {MAX_WEEKS}"),
            ));
        }
        let backend = ctx.db.get_database_backend();
        let this_monday =
            self.today - Duration::days(i64::from(self.today.weekday().num_days_from_monday()));
        let from = this_monday - Duration::weeks(i64::from(weeks) - 1);
        let rows: Vec<(NaiveDate, CheckInStatus, i64)> = check_in::Entity::find()
            .select_only()
            .column(check_in::Column::PeriodEnd)
            .column(check_in::Column::Status)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .filter(check_in::Column::CycleId.eq(self.cycle.id))
            // idx_check_in_cycle_end_status answers this from the index alone.
            .filter(check_in::Column::PeriodEnd.gte(from))
            .filter(check_in::Column::PeriodEnd.lt(self.today))
            .filter(self.covers(r#""check_in"."employee_id""#, backend))
            .group_by(check_in::Column::PeriodEnd)
            .group_by(check_in::Column::Status)
            .into_tuple()
            .all(&ctx.db)
            .await?;
        let mut by_week: BTreeMap<NaiveDate, WeekCompliance> = BTreeMap::new();
        for (end, status, n) in rows {
            let week_start = end - Duration::days(i64::from(end.weekday().num_days_from_monday()));
            let week = by_week.entry(week_start).or_insert(WeekCompliance {
                week_start,
                submitted: 0,
                missed: 0,
                pending: 0,
            });
            let n = u64::try_from(n).unwrap_or(0);
            match status {
                CheckInStatus::Submitted | CheckInStatus::Acknowledged => week.submitted += n,
                CheckInStatus::Missed => week.missed += n,
                CheckInStatus::Due => week.pending += n,
            }
        }
        Ok(by_week.into_values().collect())
    }

    /// Active people in scope without a goal in the cycle (dropped ones do not count), as a
    /// condition on `employee`.
    fn without_goals(&self, backend: sea_orm::DbBackend) -> Condition {
        let goals = Query::select()
            .expr(Expr::val(1))
            .from(goal::Entity)
            .and_where(
                Expr::col((goal::Entity, goal::Column::OwnerId))
                    .equals((employee::Entity, employee::Column::Id)),
            )
            .and_where(goal::Column::CycleId.eq(self.cycle.id))
            .and_where(goal::Column::Status.ne(GoalStatus::Dropped))
            .to_owned();
        Condition::all()
            .add(employee::Column::Active.eq(true))
            .add(self.covers(r#""employee"."id""#, backend))
            .add(Expr::exists(goals).not())
    }

    /// How many active people in scope have no goal in the cycle.
    pub async fn count_without_goals(&self, ctx: &Ctx) -> DomainResult<u64> {
        let backend = ctx.db.get_database_backend();
        Ok(employee::Entity::find()
            .filter(self.without_goals(backend))
            .count(&ctx.db)
            .await?)
    }

    /// A page of them, by name.
    pub async fn without_goals_page(
        &self,
        ctx: &Ctx,
        page: &PageRequest,
    ) -> DomainResult<Page<employee::Model>> {
        let backend = ctx.db.get_database_backend();
        let mut missing = Query::select()
            .column((employee::Entity, employee::Column::Id))
            .from(employee::Entity)
            .cond_where(self.without_goals(backend))
            .to_owned();
        if backend == sea_orm::DbBackend::Postgres {
            // A fence: the set is found first, in one hash anti-join over the cycle's goals
            // (0.2 s at 100 000 people), and the walk by name probes it. Without it the
            // planner walked the name index probing goals person by person: 1.2 s when few
            // lack goals.
            missing.offset(0);
        }
        let query = employee::Entity::find().filter(employee::Column::Id.in_subquery(missing));
        crate::employees::page_by_name(&ctx.db, query, page).await
    }
}
