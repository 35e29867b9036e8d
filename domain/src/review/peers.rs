//! Peer nomination: once a round is launched, each reviewee nominates peers (between the
//! round's minimum and maximum; again as often as they like until approval), their manager
//! (or HR) approves the list or replaces names in it, and only then are PEER reviews created.
//! The reviewee sees whom they nominated and what was approved, never who submitted.

use super::launch::insert_assignments;
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::publish;
use crate::values::{NominationStatus, ReviewKind, ReviewStatus, RoundStatus};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::{employee, peer_nomination, review, review_round};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

/// A round open for nomination, and the reviewee taking part in it (they have a SELF review).
async fn open_round_for(
    db: &impl ConnectionTrait,
    round_id: Uuid,
    employee_id: Uuid,
) -> DomainResult<review_round::Model> {
    let round = super::rounds::get(db, round_id).await?;
    match round.status {
        RoundStatus::Planned => {
            return Err(DomainError::conflict(
                "peers are nominated once the round is launched",
            ));
        }
        RoundStatus::Closed => return Err(DomainError::conflict("the round is closed")),
        RoundStatus::Launched => {}
    }
    // Their self review, locked: nominations and approvals of one person go one at a time.
    let taking_part = review::Entity::find()
        .filter(review::Column::RoundId.eq(round.id))
        .filter(review::Column::RevieweeId.eq(employee_id))
        .filter(review::Column::ReviewerId.eq(employee_id))
        .filter(review::Column::Kind.eq(ReviewKind::Own))
        .lock_exclusive()
        .one(db)
        .await?
        .is_some();
    if !taking_part {
        return Err(DomainError::conflict(
            "this person is not reviewed in this round",
        ));
    }
    Ok(round)
}

/// Checks a list of peers for `person`: distinct, active colleagues other than themselves and
/// their manager (who writes the MANAGER review), within the round's bounds.
async fn check_peers(
    db: &impl ConnectionTrait,
    round: &review_round::Model,
    person: &employee::Model,
    peers: &[Uuid],
) -> DomainResult<()> {
    let n = peers.len() as i32;
    if n < round.peer_min || n > round.peer_max {
        return Err(DomainError::bad(
            "peerIds",
            format!(
                "name between {} and {} peers",
                round.peer_min, round.peer_max
            ),
        ));
    }
    let mut seen = HashSet::new();
    for (i, id) in peers.iter().enumerate() {
        let field = format!("peerIds[{i}]");
        if !seen.insert(*id) {
            return Err(DomainError::bad(field, "this colleague is named twice"));
        }
        if *id == person.id {
            return Err(DomainError::bad(field, "nobody is their own peer"));
        }
        if Some(*id) == person.manager_id {
            return Err(DomainError::bad(
                field,
                "the manager writes the manager review, not a peer review",
            ));
        }
    }
    let found = crate::employees::by_ids(db, peers).await?;
    if let Some(i) = peers
        .iter()
        .position(|id| !found.get(id).is_some_and(|p| p.active))
    {
        return Err(DomainError::bad(
            format!("peerIds[{i}]"),
            "no such colleague",
        ));
    }
    Ok(())
}

async fn nominations(
    db: &impl ConnectionTrait,
    round_id: Uuid,
    employee_id: Uuid,
) -> DomainResult<Vec<peer_nomination::Model>> {
    Ok(peer_nomination::Entity::find()
        .filter(peer_nomination::Column::RoundId.eq(round_id))
        .filter(peer_nomination::Column::RevieweeId.eq(employee_id))
        .order_by_asc(peer_nomination::Column::CreatedAt)
        .order_by_asc(peer_nomination::Column::PeerId)
        .all(db)
        .await?)
}

fn approved(list: &[peer_nomination::Model]) -> bool {
    list.iter().any(|n| n.status != NominationStatus::Nominated)
}

fn nomination(
    round_id: Uuid,
    employee_id: Uuid,
    peer: Uuid,
    status: NominationStatus,
    by: Uuid,
    decided_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> peer_nomination::ActiveModel {
    peer_nomination::ActiveModel {
        round_id: Set(round_id),
        reviewee_id: Set(employee_id),
        peer_id: Set(peer),
        status: Set(status),
        nominated_by: Set(by),
        decided_by: Set(decided_by),
        created_at: Set(now),
    }
}

/// The reviewee nominates their peers, replacing an earlier nomination not yet approved. The
/// manager hears by e-mail.
pub async fn nominate(
    ctx: &Ctx,
    viewer: &Viewer,
    round_id: Uuid,
    peers: &[Uuid],
) -> DomainResult<Vec<peer_nomination::Model>> {
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let round = open_round_for(&txn, round_id, viewer.id()).await?;
    if approved(&nominations(&txn, round.id, viewer.id()).await?) {
        return Err(DomainError::conflict("your peers are approved already"));
    }
    check_peers(&txn, &round, &viewer.employee, peers).await?;
    peer_nomination::Entity::delete_many()
        .filter(peer_nomination::Column::RoundId.eq(round.id))
        .filter(peer_nomination::Column::RevieweeId.eq(viewer.id()))
        .exec(&txn)
        .await?;
    let rows = peers.iter().map(|p| {
        nomination(
            round.id,
            viewer.id(),
            *p,
            NominationStatus::Nominated,
            viewer.id(),
            None,
            now,
        )
    });
    peer_nomination::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    let event = DomainEvent::PeersNominated {
        round_id: round.id,
        employee_id: viewer.id(),
        peers: peers.len() as i32,
        change_id: Uuid::new_v4(),
    };
    publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    let list = nominations(&txn, round.id, viewer.id()).await?;
    txn.commit().await?;
    Ok(list)
}

/// A manager of the reviewee (or HR) approves the final list of peers, keeping, dropping or
/// adding names; PEER reviews are created for it and each peer hears by e-mail.
pub async fn approve(
    ctx: &Ctx,
    viewer: &Viewer,
    round_id: Uuid,
    employee_id: Uuid,
    peers: &[Uuid],
) -> DomainResult<Vec<peer_nomination::Model>> {
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let person = crate::employees::get(&txn, viewer, employee_id).await?;
    if !crate::permissions::is_manager_side(viewer, &person) {
        return Err(DomainError::forbidden(
            "a manager of this person or HR approves their peers",
        ));
    }
    let round = open_round_for(&txn, round_id, person.id).await?;
    let current = nominations(&txn, round.id, person.id).await?;
    if approved(&current) {
        return Err(DomainError::conflict("these peers are approved already"));
    }
    check_peers(&txn, &round, &person, peers).await?;
    peer_nomination::Entity::delete_many()
        .filter(peer_nomination::Column::RoundId.eq(round.id))
        .filter(peer_nomination::Column::RevieweeId.eq(person.id))
        .exec(&txn)
        .await?;
    let chosen: HashSet<Uuid> = peers.iter().copied().collect();
    let mut rows = Vec::new();
    for n in &current {
        let status = if chosen.contains(&n.peer_id) {
            NominationStatus::Approved
        } else {
            NominationStatus::Rejected
        };
        rows.push(nomination(
            round.id,
            person.id,
            n.peer_id,
            status,
            n.nominated_by,
            Some(viewer.id()),
            n.created_at,
        ));
    }
    let nominated: HashSet<Uuid> = current.iter().map(|n| n.peer_id).collect();
    for p in peers.iter().filter(|p| !nominated.contains(p)) {
        rows.push(nomination(
            round.id,
            person.id,
            *p,
            NominationStatus::Approved,
            viewer.id(),
            Some(viewer.id()),
            now,
        ));
    }
    if !rows.is_empty() {
        peer_nomination::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    let assignments = peers
        .iter()
        .map(|p| review::ActiveModel {
            id: Set(Uuid::new_v4()),
            round_id: Set(round.id),
            reviewee_id: Set(person.id),
            reviewer_id: Set(*p),
            kind: Set(ReviewKind::Peer),
            status: Set(ReviewStatus::Pending),
            answers: Set(json!({})),
            overall_rating: Set(None),
            potential: Set(None),
            decline_reason: Set(String::new()),
            submitted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    insert_assignments(&txn, assignments).await?;
    let mut events = vec![DomainEvent::PeersApproved {
        round_id: round.id,
        employee_id: person.id,
        by: viewer.id(),
    }];
    events.extend(peers.iter().map(|p| DomainEvent::PeerReviewRequested {
        round_id: round.id,
        reviewee_id: person.id,
        reviewer_id: *p,
        due_on: round.due_on,
    }));
    publish::emit(&txn, now, Some(viewer.id()), events).await?;
    let list = nominations(&txn, round.id, person.id).await?;
    txn.commit().await?;
    Ok(list)
}

/// A person's nominations in a round: themselves, their managers, HR.
pub async fn of(
    ctx: &Ctx,
    viewer: &Viewer,
    round_id: Uuid,
    employee_id: Uuid,
) -> DomainResult<Vec<peer_nomination::Model>> {
    let person = crate::employees::get(&ctx.db, viewer, employee_id).await?;
    if !super::access::may_see_results_of(viewer, &person) {
        return Err(DomainError::NotFound("employee"));
    }
    nominations(&ctx.db, round_id, person.id).await
}
