//! The planning conversation over GraphQL: its type, its inputs, and the reads and writes on
//! it (merged into planning's query and mutation).

use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::cycles::types::Cycle;
use crate::graphql::enums::mirror_enum;
use crate::graphql::errors::{GqlResult, OrGql, internal};
use crate::graphql::organisation::types::Employee;
use crate::graphql::planning::types::Goal;
use crate::graphql::{dctx, loaders, parse_id, viewer};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, NaiveDate, Utc};
use domain::permissions::can_read_goal;
use domain::planning;
use entity::planning_conversation;

mirror_enum!(
    /// Where a planning conversation stands.
    ConversationStatus {
        /// Not held yet.
        Open,
        /// Held: the manager recorded the day.
        Held,
    }
);

/// An employee's planning conversation with their manager in one cycle: the goals they are
/// writing, the manager's expectations, their career aspirations and the manager's notes.
pub struct PlanningConversation(pub planning_conversation::Model);

#[Object]
impl PlanningConversation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn cycle(&self, ctx: &Context<'_>) -> GqlResult<Cycle> {
        let cycle = loaders(ctx).cycle.load_one(self.0.cycle_id).await?;
        cycle
            .map(Cycle)
            .ok_or_else(|| internal(&"planning conversation without its cycle"))
    }
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Employee> {
        let e = loaders(ctx).employee.load_one(self.0.employee_id).await?;
        e.map(Employee)
            .ok_or_else(|| internal(&"planning conversation without its employee"))
    }
    /// Their manager when the conversation was set up.
    async fn manager(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        let Some(m) = self.0.manager_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).employee.load_one(m).await?.map(Employee))
    }
    async fn status(&self) -> ConversationStatus {
        self.0.status.into()
    }
    /// The employee's goals in the cycle (the agenda), those the viewer may read.
    async fn goals(&self, ctx: &Context<'_>) -> GqlResult<Vec<Goal>> {
        let key = (self.0.employee_id, Some(self.0.cycle_id));
        let goals = loaders(ctx).owner_goals.load_one(key).await?;
        let owner = loaders(ctx).employee.load_one(self.0.employee_id).await?;
        let viewer = viewer(ctx)?;
        Ok(goals
            .unwrap_or_default()
            .into_iter()
            .filter(|g| owner.as_ref().is_some_and(|o| can_read_goal(viewer, g, o)))
            .map(Goal)
            .collect())
    }
    /// What the manager expects this cycle (written by managers or HR).
    async fn expectations(&self) -> &str {
        &self.0.expectations
    }
    /// Where the employee wants to grow (written by the employee).
    async fn aspirations(&self) -> &str {
        &self.0.aspirations
    }
    /// The manager's notes: null for the employee, who never sees them.
    async fn manager_notes(&self, ctx: &Context<'_>) -> GqlResult<Option<&str>> {
        let mine = viewer(ctx)?.id() == self.0.employee_id;
        Ok((!mine).then_some(self.0.manager_notes.as_str()))
    }
    async fn held_on(&self) -> Option<NaiveDate> {
        self.0.held_on
    }
    async fn held_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        let Some(by) = self.0.held_by else {
            return Ok(None);
        };
        Ok(loaders(ctx).employee.load_one(by).await?.map(Employee))
    }
    /// When both sides are reminded: the last working day before the cycle starts, 09:00 in
    /// each one's timezone.
    async fn reminder_at(&self) -> DateTime<Utc> {
        self.0.reminder_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One side of a planning conversation; omitted texts keep their value.
#[derive(InputObject)]
pub struct UpdatePlanningConversationInput {
    pub id: ID,
    /// Managers or HR; up to 5000 characters.
    pub expectations: Option<String>,
    /// The employee; up to 5000 characters.
    pub aspirations: Option<String>,
    /// Managers or HR; never shown to the employee.
    pub manager_notes: Option<String>,
}

/// The day a planning conversation was held.
#[derive(InputObject)]
pub struct HoldPlanningConversationInput {
    pub id: ID,
    /// Not in the future.
    pub held_on: NaiveDate,
}

/// Reads of planning conversations.
#[derive(Default)]
pub struct ConversationQuery;

#[Object]
impl ConversationQuery {
    /// One planning conversation, for the employee, their managers and HR.
    async fn planning_conversation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<Option<PlanningConversation>> {
        let id = parse_id("id", &id)?;
        Ok(Some(PlanningConversation(
            planning::get(dctx(ctx), viewer(ctx)?, id).await.gql()?,
        )))
    }

    /// A cycle's planning conversations the viewer may read (their own and those of the
    /// people below them; everyone's for HR), in the order they were set up.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn planning_conversations(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        status: Option<Vec<ConversationStatus>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<PlanningConversation>> {
        let page = page_request(ctx, "planningConversations", first, after)?;
        let filter = planning::ConversationFilter {
            cycle_id: parse_id("cycleId", &cycle_id)?,
            statuses: status
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        let found = planning::list(dctx(ctx), viewer(ctx)?, &filter, &page)
            .await
            .gql()?;
        Ok(connection(
            "planningConversations",
            found,
            PlanningConversation,
        ))
    }
}

/// Writes on planning conversations.
#[derive(Default)]
pub struct ConversationMutation;

#[Object]
impl ConversationMutation {
    /// Writes one side of a planning conversation: the employee their aspirations, a manager
    /// or HR the expectations and notes (a field of the other side is FORBIDDEN).
    async fn update_planning_conversation(
        &self,
        ctx: &Context<'_>,
        input: UpdatePlanningConversationInput,
    ) -> GqlResult<PlanningConversation> {
        let id = parse_id("id", &input.id)?;
        let patch = planning::ConversationPatch {
            expectations: input.expectations,
            aspirations: input.aspirations,
            manager_notes: input.manager_notes,
        };
        Ok(PlanningConversation(
            planning::update(dctx(ctx), viewer(ctx)?, id, patch)
                .await
                .gql()?,
        ))
    }

    /// A manager of the employee (or HR) records the day the conversation was held.
    async fn hold_planning_conversation(
        &self,
        ctx: &Context<'_>,
        input: HoldPlanningConversationInput,
    ) -> GqlResult<PlanningConversation> {
        let id = parse_id("id", &input.id)?;
        Ok(PlanningConversation(
            planning::hold(dctx(ctx), viewer(ctx)?, id, input.held_on)
                .await
                .gql()?,
        ))
    }
}
