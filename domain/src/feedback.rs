//! Continuous feedback and praise between colleagues. Private feedback is for the recipient,
//! their managers and HR (and its author); public feedback is for everyone.

use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::page::{Page, PageRequest, Position, SortKey};
use crate::permissions::{can_read_goal, can_read_work_of};
use crate::publish;
use crate::query::{Keyset, keyset_page, keyset_union};
use crate::values::{FeedbackKind, Visibility, required_text};
use crate::{Ctx, Viewer};
use entity::{employee, feedback, goal};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// Feedback as the author writes it.
#[derive(Debug, Clone)]
pub struct FeedbackInput {
    /// Who it is for.
    pub recipient_id: Uuid,
    /// One of the recipient's goals it is about, if any.
    pub goal_id: Option<Uuid>,
    /// Feedback or praise.
    pub kind: FeedbackKind,
    /// Private or public.
    pub visibility: Visibility,
    /// The text.
    pub body: String,
}

/// Filters for the feedback list.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    /// Only feedback for this person.
    pub recipient_id: Option<Uuid>,
    /// Only feedback by this person.
    pub author_id: Option<Uuid>,
    /// Only feedback about this goal.
    pub goal_id: Option<Uuid>,
    /// Only these kinds (feedback, praise).
    pub kinds: Vec<FeedbackKind>,
}

/// Whether the viewer may read `f`, given its recipient.
pub fn can_read(viewer: &Viewer, f: &feedback::Model, recipient: &employee::Model) -> bool {
    f.visibility == Visibility::Public
        || f.author_id == viewer.id()
        || can_read_work_of(viewer, recipient)
}

/// Gives feedback or praise to a colleague.
pub async fn give(
    ctx: &Ctx,
    viewer: &Viewer,
    input: FeedbackInput,
) -> DomainResult<feedback::Model> {
    if input.recipient_id == viewer.id() {
        return Err(DomainError::bad(
            "recipientId",
            "feedback is for someone else",
        ));
    }
    let recipient = employee::Entity::find_by_id(input.recipient_id)
        .one(&ctx.db)
        .await?
        .filter(|e| e.active)
        .ok_or_else(|| DomainError::bad("recipientId", "no such colleague"))?;
    let body = required_text("body", &input.body, 5000)?;
    if let Some(goal_id) = input.goal_id {
        let goal = goal::Entity::find_by_id(goal_id).one(&ctx.db).await?;
        let ok = goal
            .is_some_and(|g| g.owner_id == recipient.id && can_read_goal(viewer, &g, &recipient));
        if !ok {
            return Err(DomainError::bad(
                "goalId",
                "not a goal of the recipient that you can see",
            ));
        }
    }
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let given = feedback::ActiveModel {
        id: Set(Uuid::new_v4()),
        author_id: Set(viewer.id()),
        recipient_id: Set(recipient.id),
        goal_id: Set(input.goal_id),
        kind: Set(input.kind),
        visibility: Set(input.visibility),
        body: Set(body),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let event = DomainEvent::FeedbackGiven {
        feedback_id: given.id,
        author_id: given.author_id,
        recipient_id: given.recipient_id,
        goal_id: given.goal_id,
        kind: given.kind,
        visibility: given.visibility,
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    txn.commit().await?;
    Ok(given)
}

/// Feedback is listed newest first.
const ORDER: Keyset<feedback::Entity> = Keyset {
    key: feedback::Column::CreatedAt,
    id: feedback::Column::Id,
    descending: true,
    position: |f| Position {
        key: SortKey::Time(f.created_at),
        id: f.id,
    },
};

/// Public feedback, written as a literal so that the planner matches the partial index
/// `idx_feedback_public_created` on both backends.
fn public_feedback() -> Expr {
    Expr::cust(r#""feedback"."visibility" = 'PUBLIC'"#)
}

/// A page of the feedback the viewer may read, newest first.
///
/// For anyone but HR, what [`can_read`] allows is three disjoint parts read separately along
/// their own indexes: feedback for their subtree, feedback they wrote for others, and public
/// feedback between others. Most feedback is private, so one `OR` would walk all of it.
pub async fn list(
    ctx: &Ctx,
    viewer: &Viewer,
    filter: &FeedbackFilter,
    page: &PageRequest,
) -> DomainResult<Page<feedback::Model>> {
    let mut cond = Condition::all();
    if let Some(r) = filter.recipient_id {
        cond = cond.add(feedback::Column::RecipientId.eq(r));
    }
    if let Some(a) = filter.author_id {
        cond = cond.add(feedback::Column::AuthorId.eq(a));
    }
    if !filter.kinds.is_empty() {
        cond = cond.add(feedback::Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if let Some(g) = filter.goal_id {
        cond = cond.add(feedback::Column::GoalId.eq(g));
    }
    let sample = SortKey::Time(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    if viewer.is_hr() {
        let query = feedback::Entity::find().filter(cond);
        return keyset_page(&ctx.db, query, &ORDER, &sample, page).await;
    }
    let backend = ctx.db.get_database_backend();
    let outside = || feedback::Column::RecipientId.not_in_subquery(viewer.subtree_ids(backend));
    let parts = vec![
        feedback::Entity::find()
            .filter(cond.clone())
            .filter(viewer.covers(r#""feedback"."recipient_id""#, backend)),
        feedback::Entity::find()
            .filter(cond.clone())
            .filter(feedback::Column::AuthorId.eq(viewer.id()))
            .filter(outside()),
        feedback::Entity::find()
            .filter(cond)
            .filter(public_feedback())
            .filter(feedback::Column::AuthorId.ne(viewer.id()))
            .filter(outside()),
    ];
    keyset_union(&ctx.db, parts, &ORDER, &sample, page).await
}
