//! Live events: the committed stream of [`DomainEvent`]s as dashboards receive it. A use-case
//! stores its events in its own transaction ([`crate::publish::emit`]); the relay in every
//! process claims the ones no process has relayed yet, after they committed, and hands them to
//! the event bus. Claiming marks them, so with many processes each event is relayed by one
//! of them (again only if its publish fails before the claim commits).

use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One committed event, as the bus carries it between processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveEvent {
    /// The stored event's id.
    pub id: Uuid,
    /// Who caused it (`None` for schedules and jobs). Never shown for review events.
    pub actor_id: Option<Uuid>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The event.
    pub event: DomainEvent,
}

/// Claims up to `limit` committed events that no relay has taken yet, oldest first, marking
/// them relayed at `now` (in the caller's transaction: the relay commits once it published,
/// so an event is delivered at least once). On PostgreSQL concurrent relays skip each other's rows; SQLite has
/// one writer at a time.
pub async fn claim(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> DomainResult<Vec<LiveEvent>> {
    let backend = db.get_database_backend();
    let (param, lock) = match backend {
        DbBackend::Postgres => ("$1", " FOR UPDATE SKIP LOCKED"),
        _ => ("?", ""),
    };
    let sql = format!(
        "UPDATE domain_event SET relayed_at = {param} WHERE id IN (SELECT id FROM domain_event \
         WHERE relayed_at IS NULL ORDER BY occurred_at LIMIT {limit}{lock}) \
         RETURNING id, actor_id, payload, occurred_at"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [now.into()]))
        .await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let payload: serde_json::Value = row.try_get("", "payload")?;
        let id: Uuid = row.try_get("", "id")?;
        // One unreadable row must not stall the relay: it is claimed, logged and skipped.
        let event: DomainEvent = match serde_json::from_value(payload) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(event = %id, error = %e, "live events: a stored event does not read");
                continue;
            }
        };
        events.push(LiveEvent {
            id,
            actor_id: row.try_get("", "actor_id")?,
            occurred_at: row.try_get("", "occurred_at")?,
            event,
        });
    }
    events.sort_by_key(|e| e.occurred_at);
    Ok(events)
}

/// Whether any committed event waits for the relay (a read, so an idle relay takes no write
/// lock on SQLite).
pub async fn pending(db: &impl ConnectionTrait) -> DomainResult<bool> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT 1 AS one FROM domain_event WHERE relayed_at IS NULL LIMIT 1",
        ))
        .await?;
    Ok(row.is_some())
}

/// Who may see an event in the activity stream (DESIGN.md §4). HR sees every event. Events
/// never carry who caused them to subscribers, and the ones that would tell who reviews whom
/// (review requests and reminders) are HR's only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone: cycle-wide news (a cycle opened, reviews launched).
    Everyone,
    /// HR only.
    Hr,
    /// The person it is about and everyone above them.
    About(Uuid),
    /// Only those above the person (a calibration, a submitted peer review, a recommended
    /// promotion: not for the person's eyes as it happens).
    Above(Uuid),
    /// The person alone (private feedback), and HR.
    Only(Uuid),
}

impl Audience {
    /// The person the event is about, if it is about one.
    pub fn employee(self) -> Option<Uuid> {
        match self {
            Audience::About(id) | Audience::Above(id) | Audience::Only(id) => Some(id),
            Audience::Everyone | Audience::Hr => None,
        }
    }

    /// Whether `viewer` (whose own id and subtree, themselves included, is `subtree`) sees it.
    pub fn admits(self, viewer: &crate::Viewer, subtree: &std::collections::HashSet<Uuid>) -> bool {
        if viewer.is_hr() {
            return true;
        }
        match self {
            Audience::Everyone => true,
            Audience::Hr => false,
            Audience::About(id) => subtree.contains(&id),
            Audience::Above(id) => id != viewer.id() && subtree.contains(&id),
            Audience::Only(id) => id == viewer.id(),
        }
    }
}

/// Who may see `event`.
pub fn audience(event: &DomainEvent) -> Audience {
    use DomainEvent as E;
    match event {
        E::CycleCreated { .. }
        | E::CycleUpdated { .. }
        | E::CyclePhaseChanged { .. }
        | E::CheckInsOpened { .. }
        | E::ReviewsLaunched { .. }
        | E::ReviewRoundClosed { .. } => Audience::Everyone,
        E::JobFailed { .. }
        | E::RewardRunStarted { .. }
        | E::RewardRunProgressed { .. }
        | E::RewardRunCompleted { .. }
        | E::RewardsApproved { .. }
        | E::PeerReviewRequested { .. }
        | E::ReviewsDue { .. }
        | E::ReviewsOverdue { .. } => Audience::Hr,
        E::GoalCreated { owner_id, .. } | E::KeyResultProgressed { owner_id, .. } => {
            Audience::About(*owner_id)
        }
        E::GoalUpdated { goal, .. }
        | E::GoalProposed { goal, .. }
        | E::GoalReturned { goal, .. }
        | E::GoalAgreed { goal, .. }
        | E::GoalClosed { goal, .. }
        | E::GoalDeleted { goal, .. }
        | E::GoalOffTrack { goal, .. }
        | E::GoalTargetRevised { goal, .. }
        | E::GoalReopened { goal, .. }
        | E::FollowUpGoalSet { goal, .. } => Audience::About(goal.owner_id),
        E::CheckInReminderDue { check_in, .. } | E::CheckInMissed { check_in } => {
            Audience::About(check_in.employee_id)
        }
        E::DevelopmentItemMoved { employee_id, .. }
        | E::DevelopmentItemDue { employee_id, .. }
        | E::ImprovementPlanChanged { employee_id, .. }
        | E::PeersNominated { employee_id, .. }
        | E::PeersApproved { employee_id, .. }
        | E::RatingReleased { employee_id, .. }
        | E::RatingAcknowledged { employee_id, .. }
        | E::CheckInSubmitted { employee_id, .. }
        | E::CheckInAcknowledged { employee_id, .. }
        | E::CheckInCadenceSet { employee_id, .. }
        | E::CheckInsMissedInARow { employee_id, .. }
        | E::PlanningConversationDue { employee_id, .. }
        | E::EmployeeCreated { employee_id, .. }
        | E::EmployeeUpdated { employee_id }
        | E::EmployeeMoved { employee_id, .. }
        | E::EmployeeDeactivated { employee_id } => Audience::About(*employee_id),
        E::RatingCalibrated { employee_id, .. }
        | E::AwardGiven { employee_id, .. }
        | E::PromotionRecommended { employee_id, .. }
        | E::PromotionDecided { employee_id, .. } => Audience::Above(*employee_id),
        E::ReviewSubmitted { reviewee_id, .. }
        | E::ReviewDeclined { reviewee_id, .. }
        | E::ReviewReopened { reviewee_id, .. } => Audience::Above(*reviewee_id),
        E::FeedbackGiven {
            recipient_id,
            visibility,
            ..
        } => match visibility {
            crate::values::Visibility::Private => Audience::Only(*recipient_id),
            crate::values::Visibility::Public => Audience::About(*recipient_id),
        },
    }
}

/// What an activity subscriber asked for: kinds, and the people (a department's, or a
/// manager's subtree, the manager included) the events must be about.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Event kinds (`GOAL_AGREED`, …); empty for all.
    pub kinds: Vec<String>,
    /// Only events about someone in this department.
    pub department_id: Option<Uuid>,
    /// Only events about this manager or someone below them.
    pub manager_id: Option<Uuid>,
}

/// A checked filter with its people resolved; [`Scope::admits`] decides each event.
#[derive(Debug, Clone)]
pub struct Scope {
    kinds: std::collections::HashSet<String>,
    /// The viewer and everyone below them.
    subtree: std::collections::HashSet<Uuid>,
    /// The people the filter narrows to, if it does.
    people: Option<std::collections::HashSet<Uuid>>,
    filter: ActivityFilter,
}

/// Ids of `path`'s subtree (the person at `path` included).
async fn ids_within(ctx: &crate::Ctx, path: &str) -> DomainResult<std::collections::HashSet<Uuid>> {
    use sea_orm::{EntityTrait, QueryFilter, QuerySelect};
    let backend = ctx.db.get_database_backend();
    let ids: Vec<Uuid> = entity::employee::Entity::find()
        .select_only()
        .column(entity::employee::Column::Id)
        .filter(crate::viewer::path_within(backend, path))
        .into_tuple()
        .all(&ctx.db)
        .await?;
    Ok(ids.into_iter().collect())
}

impl Scope {
    /// Checks `filter` for `viewer` and reads the people it needs.
    pub async fn new(
        ctx: &crate::Ctx,
        viewer: &crate::Viewer,
        filter: ActivityFilter,
    ) -> DomainResult<Scope> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        if let Some(unknown) = filter
            .kinds
            .iter()
            .find(|k| !crate::events::KINDS.contains(&k.as_str()))
        {
            return Err(DomainError::bad(
                "filter.kinds",
                format!("{unknown} is not an event kind"),
            ));
        }
        let mut people: Option<std::collections::HashSet<Uuid>> = None;
        if let Some(d) = filter.department_id {
            crate::employees::departments_by_ids(&ctx.db, &[d])
                .await?
                .get(&d)
                .ok_or_else(|| DomainError::bad("filter.departmentId", "no such department"))?;
            let ids: Vec<Uuid> = entity::employee::Entity::find()
                .select_only()
                .column(entity::employee::Column::Id)
                .filter(entity::employee::Column::DepartmentId.eq(d))
                .into_tuple()
                .all(&ctx.db)
                .await?;
            people = Some(ids.into_iter().collect());
        }
        if let Some(m) = filter.manager_id {
            let manager = crate::query::find::<entity::employee::Entity>(&ctx.db, m, "manager")
                .await
                .map_err(|_| DomainError::bad("filter.managerId", "no such employee"))?;
            let below = ids_within(ctx, &manager.path).await?;
            people = Some(match people {
                Some(p) => p.intersection(&below).copied().collect(),
                None => below,
            });
        }
        let subtree = if viewer.is_hr() {
            std::collections::HashSet::new()
        } else {
            ids_within(ctx, &viewer.employee.path).await?
        };
        Ok(Scope {
            kinds: filter.kinds.iter().cloned().collect(),
            subtree,
            people,
            filter,
        })
    }

    /// Whether `viewer` receives `event` under this filter.
    pub fn admits(&self, viewer: &crate::Viewer, event: &DomainEvent) -> bool {
        if !self.kinds.is_empty() && !self.kinds.contains(event.kind()) {
            return false;
        }
        let audience = audience(event);
        if let Some(people) = &self.people {
            match audience.employee() {
                Some(id) if people.contains(&id) => {}
                _ => return false,
            }
        }
        audience.admits(viewer, &self.subtree)
    }

    /// Whether `event` may change who is in the scope (someone hired, changed, moved or leaving): the
    /// subscriber then re-reads it with [`Scope::new`] and [`Scope::filter`].
    pub fn moves_people(event: &DomainEvent) -> bool {
        matches!(
            event,
            DomainEvent::EmployeeCreated { .. }
                | DomainEvent::EmployeeUpdated { .. }
                | DomainEvent::EmployeeMoved { .. }
                | DomainEvent::EmployeeDeactivated { .. }
        )
    }

    /// The filter it was made from.
    pub fn filter(&self) -> &ActivityFilter {
        &self.filter
    }
}

/// Whether `event` can change a cycle's overview figures (people, goals, check-ins, kudos,
/// reviews, ratings, rewards, the cycle itself). Reminders and development-plan events do not.
pub fn moves_overview(event: &DomainEvent) -> bool {
    use DomainEvent as E;
    !matches!(
        event,
        E::JobFailed { .. }
            | E::DevelopmentItemMoved { .. }
            | E::DevelopmentItemDue { .. }
            | E::ImprovementPlanChanged { .. }
            | E::PeerReviewRequested { .. }
            | E::ReviewsDue { .. }
            | E::ReviewsOverdue { .. }
            | E::CheckInReminderDue { .. }
            | E::PlanningConversationDue { .. }
            | E::PeersNominated { .. }
            | E::PeersApproved { .. }
    )
}
