//! `cycleOverview`: the numbers an HR dashboard (or a manager, over the people below them)
//! shows for a cycle. Each field is one aggregate query, run only when selected.

use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::cycles::types::Cycle;
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::organisation::types::{Department, Employee};
use crate::graphql::planning::types::{GoalHealth, GoalStatus};
use crate::graphql::{dctx, loaders};
use async_graphql::{Context, Object, SimpleObject};
use chrono::NaiveDate;
use domain::overview;
use domain::values::GoalStatus as Status;

/// Goals of one status.
#[derive(SimpleObject)]
pub struct GoalStatusCount {
    pub status: GoalStatus,
    pub count: u64,
}

/// AGREED goals of one health.
#[derive(SimpleObject)]
pub struct GoalHealthCount {
    pub health: GoalHealth,
    pub count: u64,
}

/// The cycle's goals owned by people in scope.
#[derive(SimpleObject)]
pub struct GoalCounts {
    pub total: u64,
    /// One entry per status that has goals.
    pub by_status: Vec<GoalStatusCount>,
    /// One entry per health that AGREED goals have.
    pub by_health: Vec<GoalHealthCount>,
    /// Goals agreed (AGREED, ACHIEVED or MISSED) out of all but the dropped ones; null when
    /// there are none.
    pub agreement_rate: Option<f64>,
}

/// Check-ins whose period ended in one week.
#[derive(SimpleObject)]
pub struct WeekCompliance {
    /// The week's Monday.
    pub week_start: NaiveDate,
    /// Submitted, acknowledged or not.
    pub submitted: u64,
    pub missed: u64,
    /// Still DUE within their grace period.
    pub pending: u64,
    /// submitted / (submitted + missed + pending).
    pub rate: f64,
}

/// A cycle seen from above.
pub struct CycleOverview(pub overview::Overview);

#[Object]
impl CycleOverview {
    async fn cycle(&self) -> Cycle {
        Cycle(self.0.cycle().clone())
    }
    /// The department asked about (with its sub-departments), if one was.
    async fn department(&self, ctx: &Context<'_>) -> GqlResult<Option<Department>> {
        let Some(id) = self.0.department_id() else {
            return Ok(None);
        };
        Ok(loaders(ctx).department.load_one(id).await?.map(Department))
    }
    /// Active people in scope.
    async fn people(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        self.0.people(dctx(ctx)).await.gql()
    }
    /// The cycle's goals of people in scope, by status and health.
    async fn goals(&self, ctx: &Context<'_>) -> GqlResult<GoalCounts> {
        let rows = self.0.goals(dctx(ctx)).await.gql()?;
        let mut by_status: Vec<GoalStatusCount> = Vec::new();
        let mut by_health: Vec<GoalHealthCount> = Vec::new();
        for row in &rows {
            let status = GoalStatus::from(row.status);
            match by_status.iter_mut().find(|s| s.status == status) {
                Some(s) => s.count += row.count,
                None => by_status.push(GoalStatusCount {
                    status,
                    count: row.count,
                }),
            }
            if let (Status::Agreed, Some(health)) = (row.status, row.health) {
                by_health.push(GoalHealthCount {
                    health: health.into(),
                    count: row.count,
                });
            }
        }
        let count = |wanted: &[Status]| -> u64 {
            rows.iter()
                .filter(|r| wanted.contains(&r.status))
                .map(|r| r.count)
                .sum()
        };
        let total = rows.iter().map(|r| r.count).sum::<u64>();
        let agreed = count(&[Status::Agreed, Status::Achieved, Status::Missed]);
        let considered = total - count(&[Status::Dropped]);
        Ok(GoalCounts {
            total,
            by_status,
            by_health,
            agreement_rate: ratio(agreed, considered),
        })
    }
    /// Check-ins of people in scope whose period ended in each of the last `weeks` weeks
    /// (1–26) before today, oldest first; weeks without any are left out.
    async fn check_in_compliance(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 4)] weeks: u32,
    ) -> GqlResult<Vec<WeekCompliance>> {
        let found = self.0.compliance(dctx(ctx), weeks).await.gql()?;
        Ok(found
            .into_iter()
            .map(|w| WeekCompliance {
                week_start: w.week_start,
                submitted: w.submitted,
                missed: w.missed,
                pending: w.pending,
                rate: ratio(w.submitted, w.submitted + w.missed + w.pending).unwrap_or(0.0),
            })
            .collect())
    }
    /// Kudos (feedback of kind PRAISE) received during the cycle by people in scope, by their
    /// department, most first.
    async fn kudos_by_department(&self, ctx: &Context<'_>) -> GqlResult<Vec<DepartmentKudos>> {
        let rows = self.0.kudos_by_department(dctx(ctx)).await.gql()?;
        Ok(rows
            .into_iter()
            .map(|(department_id, count)| DepartmentKudos {
                department_id,
                count,
            })
            .collect())
    }
    /// The people in scope who received the most kudos during the cycle (1–100), most first.
    async fn top_kudos(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: u32,
    ) -> GqlResult<Vec<PersonKudos>> {
        if !(1..=100).contains(&first) {
            return Err(crate::graphql::errors::bad_input(
                "first",
                "between 1 and 100",
            ));
        }
        let rows = self
            .0
            .kudos_by_person(dctx(ctx), u64::from(first))
            .await
            .gql()?;
        Ok(rows
            .into_iter()
            .map(|(employee_id, count)| PersonKudos { employee_id, count })
            .collect())
    }
    /// How many active people in scope have no goal in the cycle (dropped ones do not count).
    async fn people_without_goals(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        self.0.count_without_goals(dctx(ctx)).await.gql()
    }
    /// Those people, by name.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn without_goals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<Employee>> {
        let page = page_request(ctx, "withoutGoals", first, after)?;
        let found = self.0.without_goals_page(dctx(ctx), &page).await.gql()?;
        Ok(connection("withoutGoals", found, Employee))
    }
}

/// Kudos received in one department.
pub struct DepartmentKudos {
    department_id: Option<uuid::Uuid>,
    count: u64,
}

#[Object]
impl DepartmentKudos {
    /// None for people without a department.
    async fn department(&self, ctx: &Context<'_>) -> GqlResult<Option<Department>> {
        let Some(id) = self.department_id else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .department
            .load_one(id)
            .await?
            .map(Department))
    }
    async fn count(&self) -> u64 {
        self.count
    }
}

/// Kudos one person received.
pub struct PersonKudos {
    employee_id: uuid::Uuid,
    count: u64,
}

#[Object]
impl PersonKudos {
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(crate::graphql::loaders(ctx)
            .employee
            .load_one(self.employee_id)
            .await?
            .map(Employee))
    }
    async fn count(&self) -> u64 {
        self.count
    }
}

/// `part / whole`, rounded to four places; `None` for an empty whole.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    if whole == 0 {
        return None;
    }
    let exact = rust_decimal::Decimal::from(part) / rust_decimal::Decimal::from(whole);
    rust_decimal::prelude::ToPrimitive::to_f64(&exact.round_dp(4))
}
