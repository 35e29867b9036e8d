//! Output types of development and improvement plans and their items.

use crate::graphql::cycles::types::Cycle;
use crate::graphql::develop::types::Skill;
use crate::graphql::enums::{Cadence, mirror_enum};
use crate::graphql::errors::{GqlResult, internal};
use crate::graphql::organisation::types::Employee;
use crate::graphql::planning::types::{Goal, readable_goals};
use crate::graphql::{loaders, viewer};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::develop::rules::{self, ItemAction};
use entity::{development_item, development_item_skill, development_plan};
use rust_decimal::Decimal;

mirror_enum!(
    /// What a plan is for.
    PlanKind as "DevelopmentPlanKind" {
        /// Growth: training, stretch assignments, mentoring, career conversations.
        Development,
        /// An improvement plan for poor performance: objectives, support, check dates and an
        /// outcome; seen only by the employee, their manager chain and HR.
        Improvement,
    }
);
mirror_enum!(
    /// Whether a plan still runs.
    PlanStatus as "DevelopmentPlanStatus" { Open, Closed }
);
mirror_enum!(
    /// How an improvement plan ended.
    PlanOutcome as "ImprovementOutcome" {
        /// Closed: the objectives were met.
        Successful,
        /// Still open, with a later check date.
        Extended,
        /// Closed: the objectives were not met.
        Unsuccessful,
    }
);
mirror_enum!(
    /// What a development item is.
    ItemKind as "DevelopmentItemKind" {
        /// A course: provider, link, hours, due date, completion evidence.
        Training,
        /// Work beyond the role: required skills and target levels (they join the gaps while
        /// it runs), a mentor, a linked goal.
        StretchAssignment,
        /// A mentor and how often you meet.
        Mentoring,
        /// The employee's aspirations and the manager's notes.
        CareerConversation,
        /// An improvement plan's check date.
        Check,
    }
);
mirror_enum!(
    /// Where a development item stands: PROPOSED by one side, AGREED or RETURNED by the
    /// other; COMPLETED by the employee, CONFIRMED by a manager.
    ItemStatus as "DevelopmentItemStatus" { Proposed, Returned, Agreed, Completed, Confirmed }
);

async fn employee(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> GqlResult<Option<Employee>> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(loaders(ctx).employee.load_one(id).await?.map(Employee))
}

/// One employee's plan in one cycle.
pub struct DevelopmentPlan(pub development_plan::Model);

#[Object]
impl DevelopmentPlan {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> PlanKind {
        self.0.kind.into()
    }
    async fn status(&self) -> PlanStatus {
        self.0.status.into()
    }
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, Some(self.0.employee_id)).await
    }
    async fn cycle(&self, ctx: &Context<'_>) -> GqlResult<Cycle> {
        loaders(ctx)
            .cycle
            .load_one(self.0.cycle_id)
            .await?
            .map(Cycle)
            .ok_or_else(|| internal(&"a plan without its cycle"))
    }
    /// An improvement plan's objectives.
    async fn objectives(&self) -> &str {
        &self.0.objectives
    }
    /// The support an improvement plan offers.
    async fn support(&self) -> &str {
        &self.0.support
    }
    async fn outcome(&self) -> Option<PlanOutcome> {
        self.0.outcome.map(Into::into)
    }
    async fn outcome_note(&self) -> &str {
        &self.0.outcome_note
    }
    async fn opened_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, Some(self.0.opened_by)).await
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Its items, oldest first (at most 50).
    async fn items(&self, ctx: &Context<'_>) -> GqlResult<Vec<DevelopmentItem>> {
        let rows = loaders(ctx).plan_items.load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(DevelopmentItem)
            .collect())
    }
}

/// A skill level a stretch assignment asks for.
pub struct RequiredSkill(pub development_item_skill::Model);

#[Object]
impl RequiredSkill {
    async fn skill(&self, ctx: &Context<'_>) -> GqlResult<Skill> {
        loaders(ctx)
            .skill
            .load_one(self.0.skill_id)
            .await?
            .map(Skill)
            .ok_or_else(|| internal(&"a requirement without its skill"))
    }
    /// 1–5.
    async fn target_level(&self) -> i32 {
        self.0.target_level
    }
}

/// What the viewer may do to an item now: each from the rule its mutation checks first.
#[derive(SimpleObject)]
pub struct DevelopmentItemViewerCan {
    /// `updateDevelopmentItem`.
    pub update: bool,
    /// `agreeDevelopmentItem`.
    pub agree: bool,
    /// `returnDevelopmentItem`.
    pub r#return: bool,
    /// `completeDevelopmentItem`.
    pub complete: bool,
    /// `confirmDevelopmentItem`.
    pub confirm: bool,
}

/// One item of a plan; which fields mean something depends on `kind`.
pub struct DevelopmentItem(pub development_item::Model);

#[Object]
impl DevelopmentItem {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn plan_id(&self) -> ID {
        ID(self.0.plan_id.to_string())
    }
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, Some(self.0.employee_id)).await
    }
    async fn kind(&self) -> ItemKind {
        self.0.kind.into()
    }
    async fn status(&self) -> ItemStatus {
        self.0.status.into()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Training: who gives it.
    async fn provider(&self) -> &str {
        &self.0.provider
    }
    /// Training: where it is.
    async fn link(&self) -> &str {
        &self.0.link
    }
    /// Training: how long.
    async fn hours(&self) -> Option<Decimal> {
        self.0.hours.map(|h| h.0)
    }
    /// When it is due (a check's date); reminded a week and a day before, then overdue to
    /// the manager.
    async fn due_on(&self) -> Option<NaiveDate> {
        self.0.due_on
    }
    /// Stretch assignment or mentoring: the mentor.
    async fn mentor(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, self.0.mentor_id).await
    }
    /// Mentoring: how often they meet.
    async fn cadence(&self) -> Option<Cadence> {
        self.0.cadence.map(Into::into)
    }
    /// Stretch assignment: the goal it serves, if the viewer may read it.
    async fn goal(&self, ctx: &Context<'_>) -> GqlResult<Option<Goal>> {
        let Some(id) = self.0.goal_id else {
            return Ok(None);
        };
        let goal = loaders(ctx).goal.load_one(id).await?;
        Ok(readable_goals(ctx, goal.into_iter().collect()).await?.pop())
    }
    /// Stretch assignment: the skill levels it asks for.
    async fn required_skills(&self, ctx: &Context<'_>) -> GqlResult<Vec<RequiredSkill>> {
        let rows = loaders(ctx).item_skills.load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(RequiredSkill)
            .collect())
    }
    /// Career conversation: where the employee wants to go.
    async fn aspirations(&self) -> &str {
        &self.0.aspirations
    }
    /// The manager's notes (written when agreeing or confirming).
    async fn manager_notes(&self) -> &str {
        &self.0.manager_notes
    }
    /// What the employee showed for completing it.
    async fn evidence(&self) -> &str {
        &self.0.evidence
    }
    /// Why it was last sent back.
    async fn return_reason(&self) -> &str {
        &self.0.return_reason
    }
    async fn proposed_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, Some(self.0.proposed_by)).await
    }
    async fn agreed_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, self.0.agreed_by).await
    }
    async fn agreed_at(&self) -> Option<DateTime<Utc>> {
        self.0.agreed_at
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    async fn confirmed_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, self.0.confirmed_by).await
    }
    async fn confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.0.confirmed_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// What the viewer may do to it now (a `true` mutation can still refuse its values).
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<DevelopmentItemViewerCan> {
        let viewer = viewer(ctx)?;
        let owner = loaders(ctx)
            .employee
            .load_one(self.0.employee_id)
            .await?
            .ok_or_else(|| internal(&"an item without its employee"))?;
        let plan = loaders(ctx)
            .development_plan
            .load_one(self.0.plan_id)
            .await?
            .ok_or_else(|| internal(&"an item without its plan"))?;
        let cycle = loaders(ctx)
            .cycle
            .load_one(plan.cycle_id)
            .await?
            .ok_or_else(|| internal(&"a plan without its cycle"))?;
        let open = domain::develop::plans::accepts_changes(&plan, &cycle);
        let can = |action| rules::check(action, viewer, &self.0, &owner, open).is_ok();
        Ok(DevelopmentItemViewerCan {
            update: can(ItemAction::Update),
            agree: can(ItemAction::Agree),
            r#return: can(ItemAction::Return),
            complete: can(ItemAction::Complete),
            confirm: can(ItemAction::Confirm),
        })
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
