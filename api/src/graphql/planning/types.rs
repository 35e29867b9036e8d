//! Output types of planning: goals, key results, target revisions and the alignment tree.
//! Relations go through the request's loaders and every goal passes the domain's read check.

use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::cycles::types::Cycle;
use crate::graphql::enums::{Visibility, mirror_enum};
use crate::graphql::errors::OrGql;
use crate::graphql::errors::{GqlResult, internal};
use crate::graphql::monitoring::types::ProgressUpdate;
use crate::graphql::organisation::types::Employee;
use crate::graphql::{dctx, loaders, viewer};
use async_graphql::{ComplexObject, Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::goals::{self, GoalAction};
use domain::page::{Page, Position, SortKey};
use domain::permissions::can_read_goal;
use entity::{cycle, goal, goal_event, goal_revision, key_result, milestone};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use uuid::Uuid;

mirror_enum!(
    /// Where a goal sits in the alignment tree.
    GoalLevel { Company, Team, Individual }
);
mirror_enum!(
    /// The goal workflow: DRAFT → PROPOSED → AGREED → ACHIEVED | MISSED | DROPPED.
    GoalStatus { Draft, Proposed, Agreed, Achieved, Missed, Dropped }
);
mirror_enum!(
    /// A step in a goal's history.
    GoalStep {
        /// Written as a draft.
        Created,
        /// Its content changed before agreement.
        Edited,
        /// Put up for agreement (by the owner to their manager, or by a manager or HR to the
        /// owner).
        Proposed,
        /// Sent back to DRAFT by the side it was proposed to, with a reason.
        Returned,
        /// Agreed by a manager of the owner or HR.
        Agreed,
        /// Accepted by the owner.
        Accepted,
        /// Closed as reached.
        Achieved,
        /// Closed as not reached.
        Missed,
        /// Abandoned.
        Dropped,
        /// An ACHIEVED goal back to AGREED: its target was raised before its due date.
        Reopened,
    }
);

mirror_enum!(
    /// Whether an agreed goal is where it should be by now: its progress against its
    /// `expectedProgress` (more than 0.10 behind is AT_RISK, more than 0.25 OFF_TRACK), one
    /// step worse when the owner's latest check-in confidence is 2 or less.
    GoalHealth { OnTrack, AtRisk, OffTrack }
);

/// Which side of a proposed goal has to answer.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum GoalSide {
    /// The owner: accept it (`acceptGoal`) or return it (`returnGoal`).
    Owner,
    /// A manager of the owner or HR: agree it (`agreeGoal`) or return it (`returnGoal`).
    Manager,
}

impl From<domain::goals::Side> for GoalSide {
    fn from(s: domain::goals::Side) -> Self {
        match s {
            domain::goals::Side::Owner => Self::Owner,
            domain::goals::Side::Manager => Self::Manager,
        }
    }
}

mirror_enum!(
    /// Whether a key result improves by going up or down.
    Direction { Increase, Decrease }
);

/// How a goal ended.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum GoalOutcome {
    /// Reached (needs an agreed goal).
    Achieved,
    /// Not reached (needs an agreed goal).
    Missed,
    /// Abandoned.
    Dropped,
}

impl From<GoalOutcome> for domain::goals::Outcome {
    fn from(o: GoalOutcome) -> Self {
        match o {
            GoalOutcome::Achieved => Self::Achieved,
            GoalOutcome::Missed => Self::Missed,
            GoalOutcome::Dropped => Self::Dropped,
        }
    }
}

/// A ratio as a float for charts, rounded to 4 places; exact values stay decimal.
pub(crate) fn ratio(d: Decimal) -> f64 {
    d.round_dp(4).to_f64().unwrap_or(0.0)
}

/// Keeps only the goals the viewer may read.
pub async fn readable_goals(ctx: &Context<'_>, goals: Vec<goal::Model>) -> GqlResult<Vec<Goal>> {
    let viewer = viewer(ctx)?;
    if viewer.is_hr() {
        return Ok(goals.into_iter().map(Goal).collect());
    }
    let owners = loaders(ctx)
        .employee
        .load_many(goals.iter().map(|g| g.owner_id))
        .await?;
    Ok(goals
        .into_iter()
        .filter(|g| {
            owners
                .get(&g.owner_id)
                .is_some_and(|o| can_read_goal(viewer, g, o))
        })
        .map(Goal)
        .collect())
}

/// The goals a write moved, in the domain's order, that the viewer may read.
pub async fn moved_goals(ctx: &Context<'_>, ids: &[Uuid]) -> GqlResult<Vec<Goal>> {
    let mut found = loaders(ctx).goal.load_many(ids.iter().copied()).await?;
    let goals = ids.iter().filter_map(|id| found.remove(id)).collect();
    readable_goals(ctx, goals).await
}

/// What `updateKeyResultValue` changed.
#[derive(SimpleObject)]
pub struct UpdateKeyResultValuePayload {
    /// The key result, with its new value.
    pub key_result: KeyResult,
    /// The change, as `KeyResult.updates` keeps it.
    pub update: ProgressUpdate,
    /// Its goal, then each ancestor whose rolled-up progress moved (those the viewer may
    /// read): what a client's cache needs to refresh.
    pub moved_goals: Vec<Goal>,
}

/// What `reviseTarget` changed.
#[derive(SimpleObject)]
pub struct ReviseTargetPayload {
    /// The revision, as `Goal.revisions` keeps it.
    pub revision: GoalRevision,
    /// The key result, with its new target.
    pub key_result: KeyResult,
    /// Its goal, then each ancestor whose rolled-up progress moved (those the viewer may
    /// read).
    pub moved_goals: Vec<Goal>,
}

/// A SMART goal.
pub struct Goal(pub goal::Model);

#[Object]
impl Goal {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn level(&self) -> GoalLevel {
        self.0.level.into()
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    /// Share of the owner's goals in the cycle (agreed goals add up to 100).
    async fn weight(&self) -> i32 {
        self.0.weight
    }
    async fn due_on(&self) -> NaiveDate {
        self.0.due_on
    }
    async fn status(&self) -> GoalStatus {
        self.0.status.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Who wrote it: the owner, or a manager or HR for them.
    async fn created_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        person(ctx, Some(self.0.created_by)).await
    }
    /// Who put it up for agreement, while it is (or since it was last) proposed.
    async fn proposed_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        person(ctx, self.0.proposed_by).await
    }
    /// Which side has to answer a PROPOSED goal; null in any other status.
    async fn awaiting(&self) -> Option<GoalSide> {
        domain::goals::awaiting(&self.0).map(GoalSide::from)
    }
    /// Whose agreement completed it: a manager or HR (`agreeGoal`), or the owner
    /// (`acceptGoal`).
    async fn agreed_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        person(ctx, self.0.agreed_by).await
    }
    async fn agreed_at(&self) -> Option<DateTime<Utc>> {
        self.0.agreed_at
    }
    /// When it was achieved, missed or dropped.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// What the viewer may do to this goal now, by the same rules the mutations apply (who
    /// they are, the goal's status, its cycle's phase). A `true` mutation can still refuse
    /// the request's values: weights that would not add up to 100, a bad parent or date, a
    /// draft that other goals align to.
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<GoalViewerCan> {
        let can = goal_actions(ctx, &self.0).await?;
        Ok(GoalViewerCan {
            edit: can(GoalAction::Edit),
            propose: can(GoalAction::Propose),
            agree: can(GoalAction::Agree),
            accept: can(GoalAction::Accept),
            r#return: can(GoalAction::Return),
            close: can(GoalAction::Close),
            drop: can(GoalAction::Drop),
            delete: can(GoalAction::Delete),
            revise_target: can(GoalAction::ReviseTarget),
            record_progress: can(GoalAction::RecordProgress),
            plan_milestones: can(GoalAction::PlanMilestones),
            complete_milestone: can(GoalAction::CompleteMilestone),
        })
    }
    /// Its history, oldest first: each step, who took it, when, and why when one was given.
    async fn events(&self, ctx: &Context<'_>) -> GqlResult<Vec<GoalEvent>> {
        let events = loaders(ctx).goal_events.load_one(self.0.id).await?;
        Ok(events
            .unwrap_or_default()
            .into_iter()
            .map(GoalEvent)
            .collect())
    }
    async fn cycle(&self, ctx: &Context<'_>) -> GqlResult<Cycle> {
        let cycle = loaders(ctx).cycle.load_one(self.0.cycle_id).await?;
        cycle
            .map(Cycle)
            .ok_or_else(|| internal(&"goal without its cycle"))
    }
    async fn owner(&self, ctx: &Context<'_>) -> GqlResult<Employee> {
        let owner = loaders(ctx).employee.load_one(self.0.owner_id).await?;
        owner
            .map(Employee)
            .ok_or_else(|| internal(&"goal without its owner"))
    }
    /// The goal this one contributes to, if the viewer may read it.
    async fn parent(&self, ctx: &Context<'_>) -> GqlResult<Option<Goal>> {
        let Some(id) = self.0.parent_id else {
            return Ok(None);
        };
        let parent = loaders(ctx).goal.load_one(id).await?;
        Ok(readable_goals(ctx, parent.into_iter().collect())
            .await?
            .pop())
    }
    /// The goal this one follows up (a raised expectation after an achievement), if the
    /// viewer may read it; apart from the alignment `parent`.
    async fn follows_goal(&self, ctx: &Context<'_>) -> GqlResult<Option<Goal>> {
        let Some(id) = self.0.follows_goal_id else {
            return Ok(None);
        };
        let followed = loaders(ctx).goal.load_one(id).await?;
        Ok(readable_goals(ctx, followed.into_iter().collect())
            .await?
            .pop())
    }
    /// Goals aligned under this one that the viewer may read, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<Goal>> {
        let page = page_request(ctx, "goalChildren", first, after)?;
        let children = loaders(ctx).children.load_one(self.0.id).await?;
        let readable = readable_goals(ctx, children.unwrap_or_default()).await?;
        let position = |g: &Goal| Position {
            key: SortKey::Time(g.0.created_at),
            id: g.0.id,
        };
        let found = Page::of_rows(readable, position, &page);
        Ok(connection("goalChildren", found, |g| g))
    }
    async fn key_results(&self, ctx: &Context<'_>) -> GqlResult<Vec<KeyResult>> {
        let krs = loaders(ctx).key_results.load_one(self.0.id).await?;
        Ok(krs.unwrap_or_default().into_iter().map(KeyResult).collect())
    }
    /// 0–1.5: the weighted mean of the key results, or, for a goal with children that are
    /// not dropped, of the children by their weights.
    async fn progress(&self) -> f64 {
        ratio(domain::progress::from_ppm(self.0.progress_ppm))
    }
    /// 0–1: where it should be today (UTC), linear from its start (the cycle's first day, or
    /// the day it was written if later) to `dueOn`.
    async fn expected_progress(&self, ctx: &Context<'_>) -> GqlResult<f64> {
        let cycle = goal_cycle(ctx, &self.0).await?;
        let today = dctx(ctx).clock.today();
        Ok(ratio(domain::goals::expected_progress_of(
            &self.0, &cycle, today,
        )))
    }
    /// For an AGREED goal, whether it is on track (filter on it with `GoalFilter.health`);
    /// null in any other status. Refreshed by every write that moves its inputs and once a
    /// day.
    async fn health(&self) -> Option<GoalHealth> {
        self.0.health.map(GoalHealth::from)
    }
    /// Its action plan ("how will you achieve it"), in order.
    async fn milestones(&self, ctx: &Context<'_>) -> GqlResult<Vec<Milestone>> {
        let plan = loaders(ctx).milestones.load_one(self.0.id).await?;
        Ok(plan
            .unwrap_or_default()
            .into_iter()
            .map(Milestone)
            .collect())
    }
    /// Target changes after agreement, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn revisions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<GoalRevision>> {
        let page = page_request(ctx, "goalRevisions", first, after)?;
        let revisions = loaders(ctx).revisions.load_one(self.0.id).await?;
        let position = |r: &goal_revision::Model| Position {
            key: SortKey::Time(r.revised_at),
            id: r.id,
        };
        let found = Page::of_rows(revisions.unwrap_or_default(), position, &page);
        Ok(connection("goalRevisions", found, GoalRevision))
    }
}

/// A measurable key result (KPI) of a goal.
pub struct KeyResult(pub key_result::Model);

#[Object]
impl KeyResult {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn goal_id(&self) -> ID {
        ID(self.0.goal_id.to_string())
    }
    /// The goal it measures (null only if the viewer may not read it).
    async fn goal(&self, ctx: &Context<'_>) -> GqlResult<Option<Goal>> {
        let goal = loaders(ctx).goal.load_one(self.0.goal_id).await?;
        Ok(readable_goals(ctx, goal.into_iter().collect()).await?.pop())
    }
    /// What the viewer may do to this key result now (the rules of its goal's mutations).
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<KeyResultViewerCan> {
        let goal = loaders(ctx)
            .goal
            .load_one(self.0.goal_id)
            .await?
            .ok_or_else(|| internal(&"key result without its goal"))?;
        let can = goal_actions(ctx, &goal).await?;
        Ok(KeyResultViewerCan {
            record_progress: can(GoalAction::RecordProgress),
            revise_target: can(GoalAction::ReviseTarget),
        })
    }
    /// Its value history, newest first: every change, when, by whom, and from which
    /// check-in.
    async fn updates(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Conn<ProgressUpdate>> {
        let page = page_request(ctx, "keyResultUpdates", first, after)?;
        let found = goals::key_result_updates(dctx(ctx), viewer(ctx)?, self.0.id, &page)
            .await
            .gql()?;
        Ok(connection("keyResultUpdates", found, ProgressUpdate))
    }
    async fn metric(&self) -> &str {
        &self.0.metric
    }
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    async fn direction(&self) -> Direction {
        self.0.direction.into()
    }
    async fn start_value(&self) -> Decimal {
        self.0.start_value.0
    }
    async fn target_value(&self) -> Decimal {
        self.0.target_value.0
    }
    async fn current_value(&self) -> Decimal {
        self.0.current_value.0
    }
    /// Relative weight within the goal.
    async fn weight(&self) -> i32 {
        self.0.weight
    }
    /// (current − start) / (target − start), clamped to 0–1.5.
    async fn progress(&self) -> f64 {
        ratio(domain::goals::key_result_progress(&self.0))
    }
    /// Its goal's expected progress today (see `Goal.expectedProgress`).
    async fn expected_progress(&self, ctx: &Context<'_>) -> GqlResult<f64> {
        let goal = kr_goal(ctx, &self.0).await?;
        let cycle = goal_cycle(ctx, &goal).await?;
        let today = dctx(ctx).clock.today();
        Ok(ratio(domain::goals::expected_progress_of(
            &goal, &cycle, today,
        )))
    }
    /// Its own progress against its goal's expected progress, by the rules of
    /// `Goal.health`; null unless the goal is AGREED.
    async fn health(&self, ctx: &Context<'_>) -> GqlResult<Option<GoalHealth>> {
        let goal = kr_goal(ctx, &self.0).await?;
        let cycle = goal_cycle(ctx, &goal).await?;
        let confidence = loaders(ctx)
            .confidence
            .load_one((goal.owner_id, goal.cycle_id))
            .await?;
        Ok(domain::goals::key_result_health(
            &self.0,
            &goal,
            &cycle,
            confidence,
            dctx(ctx).clock.today(),
        )
        .map(GoalHealth::from))
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Which goal mutations the viewer may call now (see `Goal.viewerCan`).
#[derive(SimpleObject)]
pub struct GoalViewerCan {
    /// `updateGoal`.
    pub edit: bool,
    /// `proposeGoal`.
    pub propose: bool,
    /// `agreeGoal`.
    pub agree: bool,
    /// `acceptGoal`.
    pub accept: bool,
    /// `returnGoal`.
    pub r#return: bool,
    /// `closeGoal` as ACHIEVED or MISSED.
    pub close: bool,
    /// `closeGoal` as DROPPED.
    pub drop: bool,
    /// `deleteGoal`.
    pub delete: bool,
    /// `reviseTarget` on its key results.
    pub revise_target: bool,
    /// `updateKeyResultValue` on its key results.
    pub record_progress: bool,
    /// `setMilestones`.
    pub plan_milestones: bool,
    /// `completeMilestone` on its milestones.
    pub complete_milestone: bool,
}

/// Which key-result mutations the viewer may call now.
#[derive(SimpleObject)]
pub struct KeyResultViewerCan {
    /// `updateKeyResultValue`.
    pub record_progress: bool,
    /// `reviseTarget`.
    pub revise_target: bool,
}

async fn goal_cycle(ctx: &Context<'_>, goal: &goal::Model) -> GqlResult<cycle::Model> {
    loaders(ctx)
        .cycle
        .load_one(goal.cycle_id)
        .await?
        .ok_or_else(|| internal(&"goal without its cycle"))
}

async fn kr_goal(ctx: &Context<'_>, kr: &key_result::Model) -> GqlResult<goal::Model> {
    loaders(ctx)
        .goal
        .load_one(kr.goal_id)
        .await?
        .ok_or_else(|| internal(&"key result without its goal"))
}

/// The domain's rule for each action on `goal`, for this viewer.
async fn goal_actions(
    ctx: &Context<'_>,
    goal: &goal::Model,
) -> GqlResult<impl Fn(GoalAction) -> bool> {
    let viewer = viewer(ctx)?.clone();
    let owner = loaders(ctx)
        .employee
        .load_one(goal.owner_id)
        .await?
        .ok_or_else(|| internal(&"goal without its owner"))?;
    let cycle = goal_cycle(ctx, goal).await?;
    let goal = goal.clone();
    Ok(move |action| {
        domain::goals::check_goal_action(action, &viewer, &goal, &owner, &cycle).is_ok()
    })
}

/// An employee by id (people are readable by everyone signed in).
async fn person(ctx: &Context<'_>, id: Option<Uuid>) -> GqlResult<Option<Employee>> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(loaders(ctx).employee.load_one(id).await?.map(Employee))
}

/// One step in a goal's history.
pub struct GoalEvent(pub goal_event::Model);

#[Object]
impl GoalEvent {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn step(&self) -> GoalStep {
        self.0.step.into()
    }
    /// Who took the step.
    async fn actor(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        person(ctx, Some(self.0.actor_id)).await
    }
    /// The status before; null for the step that created the goal.
    async fn from_status(&self) -> Option<GoalStatus> {
        self.0.from_status.map(GoalStatus::from)
    }
    async fn to_status(&self) -> GoalStatus {
        self.0.to_status.into()
    }
    /// Why, for a returned goal.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// A target changed after agreement: history, not an overwrite.
pub struct GoalRevision(pub goal_revision::Model);

/// One step of a goal's action plan.
pub struct Milestone(pub milestone::Model);

#[Object]
impl Milestone {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn goal_id(&self) -> ID {
        ID(self.0.goal_id.to_string())
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn due_on(&self) -> NaiveDate {
        self.0.due_on
    }
    async fn done(&self) -> bool {
        self.0.done_at.is_some()
    }
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }
    /// Who marked it done.
    async fn done_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        let Some(by) = self.0.done_by else {
            return Ok(None);
        };
        Ok(loaders(ctx).employee.load_one(by).await?.map(Employee))
    }
}

#[Object]
impl GoalRevision {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn goal(&self, ctx: &Context<'_>) -> GqlResult<Option<Goal>> {
        let goal = loaders(ctx).goal.load_one(self.0.goal_id).await?;
        Ok(readable_goals(ctx, goal.into_iter().collect()).await?.pop())
    }
    async fn key_result(&self, ctx: &Context<'_>) -> GqlResult<Option<KeyResult>> {
        let krs = loaders(ctx).key_results.load_one(self.0.goal_id).await?;
        Ok(krs
            .unwrap_or_default()
            .into_iter()
            .find(|k| k.id == self.0.key_result_id)
            .map(KeyResult))
    }
    async fn old_target(&self) -> Decimal {
        self.0.old_target.0
    }
    async fn new_target(&self) -> Decimal {
        self.0.new_target.0
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    async fn revised_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        Ok(loaders(ctx)
            .employee
            .load_one(self.0.revised_by)
            .await?
            .map(Employee))
    }
    async fn revised_at(&self) -> DateTime<Utc> {
        self.0.revised_at
    }
}

/// One goal in an alignment tree, listed depth-first.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct AlignmentNode {
    /// Distance from the nearest root the viewer can see.
    pub depth: u32,
    #[graphql(skip)]
    pub goal_model: goal::Model,
    #[graphql(skip)]
    pub parent: Option<uuid::Uuid>,
}

#[ComplexObject]
impl AlignmentNode {
    /// The goal.
    async fn goal(&self) -> Goal {
        Goal(self.goal_model.clone())
    }
    /// Its parent's id when the parent is in this tree.
    async fn parent_id(&self) -> Option<ID> {
        self.parent.map(|p| ID(p.to_string()))
    }
    /// Its parent when the parent is in this tree (the tree holds only goals the viewer may
    /// read).
    async fn parent(&self, ctx: &Context<'_>) -> GqlResult<Option<Goal>> {
        let Some(id) = self.parent else {
            return Ok(None);
        };
        let goal = loaders(ctx).goal.load_one(id).await?;
        Ok(readable_goals(ctx, goal.into_iter().collect()).await?.pop())
    }
}
