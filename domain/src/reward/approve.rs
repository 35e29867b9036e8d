//! Approval and letters: HR approves a completed real run's rewards (all, or one
//! department's); a background job marks them APPROVED a batch at a time and queues one
//! letter per person (deduped per run and person) with the numbers, the rating and their
//! manager's note. A letter's rewards become COMMUNICATED when the outbox has sent it.

use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::jobs::{self, Claim};
use crate::mail::{LetterItem, Mail, RewardLetterMail};
use crate::outbox::{self, Email};
use crate::permissions::require_hr;
use crate::publish;
use crate::query::{find, rows_in};
use crate::values::{JobKind, RewardKind, RewardStatus, optional_text};
use crate::{Ctx, Viewer};
use chrono::{DateTime, Utc};
use entity::{
    background_job, cycle, email_outbox, employee, reward, reward_line, reward_note, reward_run,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// People approved per transaction.
const BATCH: u64 = 500;

/// The letter template's name in the outbox.
pub const LETTER: &str = "reward_letter";

/// HR approves a run's PROPOSED rewards (all, or one department's): the approval job is
/// queued, or the one already queued or running is returned. Only the cycle's latest
/// completed real run can be approved, and not while another real run computes.
pub async fn approve(
    ctx: &Ctx,
    viewer: &Viewer,
    run_id: Uuid,
    department_id: Option<Uuid>,
) -> DomainResult<background_job::Model> {
    require_hr(viewer, "approve rewards")?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let run = find::<reward_run::Entity>(&txn, run_id, "reward run").await?;
    if run.preview {
        return Err(DomainError::conflict(
            "a preview is a what-if: start a real run to approve rewards",
        ));
    }
    if run.completed_at.is_none() {
        return Err(DomainError::conflict("the run has not completed yet"));
    }
    let latest = super::run::last_real(&txn, run.cycle_id).await?;
    if latest.as_ref().map(|l| l.id) != Some(run.id) {
        return Err(DomainError::conflict(
            "a later run superseded this one; approve the latest run",
        ));
    }
    if super::run::active_real_run(&txn, run.cycle_id)
        .await?
        .is_some()
    {
        return Err(DomainError::conflict(
            "another run of the cycle is computing; approve once it completes",
        ));
    }
    let (job, new) = jobs::request(
        &txn,
        jobs::Request {
            kind: JobKind::ApproveRewards,
            subject_id: run.id,
            department_id,
            viewer,
            action: "reward_run.approve",
            entity: "reward_run",
        },
        now,
    )
    .await?;
    if new {
        let event = DomainEvent::RewardsApproved {
            run_id: run.id,
            cycle_id: run.cycle_id,
            department_id,
        };
        publish::emit(&txn, now, Some(viewer.id()), vec![event]).await?;
    }
    txn.commit().await?;
    Ok(job)
}

fn proposed(run_id: Uuid, department_id: Option<Uuid>) -> Select<reward_line::Entity> {
    let mut q = reward_line::Entity::find()
        .filter(reward_line::Column::RunId.eq(run_id))
        .filter(reward_line::Column::Status.eq(RewardStatus::Proposed));
    if let Some(d) = department_id {
        q = q.filter(reward_line::Column::DepartmentId.eq(d));
    }
    q
}

/// The approval job: a batch of people at a time along the employee id.
pub async fn run(ctx: &Ctx, claim: &mut Claim) -> DomainResult<()> {
    let run = find::<reward_run::Entity>(&ctx.db, claim.job.subject_id, "reward run").await?;
    let cycle = find::<cycle::Entity>(&ctx.db, run.cycle_id, "cycle").await?;
    let scope = claim.job.scope_id;
    let approver = claim.job.requested_by;
    let mut processed = claim.job.processed;
    let mut cursor = claim.cursor_id();
    loop {
        let mut page = proposed(run.id, scope);
        if let Some(after) = cursor {
            page = page.filter(reward_line::Column::EmployeeId.gt(after));
        }
        let ids: Vec<Uuid> = page
            .select_only()
            .column(reward_line::Column::EmployeeId)
            .order_by_asc(reward_line::Column::EmployeeId)
            .limit(BATCH)
            .into_tuple()
            .all(&ctx.db)
            .await?;
        let Some(&last) = ids.last() else { break };
        cursor = Some(last);
        let now = ctx.clock.now();
        let txn = crate::db::begin(&ctx.db).await?;
        for chunk in ids.chunks(crate::query::IN_CHUNK) {
            reward_line::Entity::update_many()
                .col_expr(
                    reward_line::Column::Status,
                    Expr::value(RewardStatus::Approved),
                )
                .col_expr(reward_line::Column::ApprovedBy, Expr::value(approver))
                .col_expr(reward_line::Column::ApprovedAt, Expr::value(now))
                .filter(reward_line::Column::RunId.eq(run.id))
                .filter(reward_line::Column::EmployeeId.is_in(chunk.iter().copied()))
                .filter(reward_line::Column::Status.eq(RewardStatus::Proposed))
                .exec(&txn)
                .await?;
        }
        let approved = reward_line::Entity::find()
            .filter(reward_line::Column::RunId.eq(run.id))
            .filter(reward_line::Column::Status.eq(RewardStatus::Approved));
        let approved = rows_in(&txn, approved, reward_line::Column::EmployeeId, &ids).await?;
        let rows = super::lines::expand(&txn, &approved).await?;
        let letters = letters(&txn, &cycle, rows, |run_or_award| {
            format!("reward-letter:{run_or_award}")
        })
        .await?;
        outbox::enqueue_many(&txn, letters, now).await?;
        processed += ids.len() as i64;
        claim
            .advance(&txn, processed, processed, Some(last.to_string()), now)
            .await?;
        txn.commit().await?;
    }
    Ok(())
}

/// One letter per person for `rows` (their approved rewards), keyed by `key` of
/// `{run}:{employee}` (or `{award}` for an award).
pub async fn letters(
    db: &impl ConnectionTrait,
    cycle: &cycle::Model,
    rows: Vec<reward::Model>,
    key: impl Fn(String) -> String,
) -> DomainResult<Vec<Email>> {
    let mut by_person: HashMap<Uuid, Vec<reward::Model>> = HashMap::new();
    for r in rows {
        by_person.entry(r.employee_id).or_default().push(r);
    }
    let ids: Vec<Uuid> = by_person.keys().copied().collect();
    let people = crate::employees::by_ids(db, &ids).await?;
    let notes: HashMap<Uuid, reward_note::Model> = rows_in(
        db,
        reward_note::Entity::find().filter(reward_note::Column::CycleId.eq(cycle.id)),
        reward_note::Column::EmployeeId,
        &ids,
    )
    .await?
    .into_iter()
    .map(|n| (n.employee_id, n))
    .collect();
    let writers: Vec<Uuid> = notes.values().map(|n| n.written_by).collect();
    let writers = crate::employees::by_ids(db, &writers).await?;
    let mut out = Vec::new();
    for (employee_id, mut theirs) in by_person {
        let Some(person) = people.get(&employee_id) else {
            continue;
        };
        theirs.sort_by_key(|r| (kind_order(r.kind), r.id));
        let subject = match theirs.iter().find_map(|r| r.run_id) {
            Some(run) => format!("{run}:{employee_id}"),
            None => theirs[0].id.to_string(),
        };
        let note = notes.get(&employee_id);
        out.push(Email {
            dedupe_key: key(subject),
            to_email: person.email.clone(),
            to_name: person.name.clone(),
            mail: Mail::RewardLetter(RewardLetterMail {
                name: person.name.clone(),
                cycle_name: cycle.name.clone(),
                rating: theirs.iter().find_map(|r| r.rating),
                items: theirs
                    .iter()
                    .map(|r| LetterItem {
                        kind: r.kind,
                        amount: r.amount,
                        currency: r.currency.clone(),
                        effective_on: r.effective_on,
                        rationale: r.rationale.clone(),
                    })
                    .collect(),
                note: note.map(|n| n.note.clone()).unwrap_or_default(),
                note_by: note
                    .and_then(|n| writers.get(&n.written_by))
                    .map(|w| w.name.clone())
                    .unwrap_or_default(),
                reward_ids: theirs.iter().map(|r| r.id).collect(),
            }),
        });
    }
    Ok(out)
}

fn kind_order(kind: RewardKind) -> u8 {
    match kind {
        RewardKind::MeritIncrease => 0,
        RewardKind::LumpSum => 1,
        RewardKind::Bonus => 2,
        RewardKind::Pto => 3,
        RewardKind::Award => 4,
    }
}

/// After the outbox recorded `sent` rows: the rewards their reward letters communicate are
/// COMMUNICATED.
pub async fn mark_communicated(
    db: &impl ConnectionTrait,
    sent: &[&email_outbox::Model],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let ids: Vec<Uuid> = sent
        .iter()
        .filter(|row| row.template == LETTER)
        .filter_map(|row| match Mail::from_stored(&row.template, &row.data) {
            Ok(Mail::RewardLetter(m)) => Some(m.reward_ids),
            _ => None,
        })
        .flatten()
        .collect();
    // A run's rewards are its lines' (one per person); an award is its own row.
    let mut line_ids: Vec<Uuid> = ids
        .iter()
        .filter_map(|id| super::lines::line_of(*id).map(|(line, _)| line))
        .collect();
    line_ids.sort();
    line_ids.dedup();
    for chunk in line_ids.chunks(crate::query::IN_CHUNK) {
        reward_line::Entity::update_many()
            .col_expr(
                reward_line::Column::Status,
                Expr::value(RewardStatus::Communicated),
            )
            .col_expr(reward_line::Column::CommunicatedAt, Expr::value(now))
            .filter(reward_line::Column::Id.is_in(chunk.iter().copied()))
            .filter(reward_line::Column::Status.eq(RewardStatus::Approved))
            .exec(db)
            .await?;
    }
    for chunk in ids.chunks(crate::query::IN_CHUNK) {
        reward::Entity::update_many()
            .col_expr(
                reward::Column::Status,
                Expr::value(RewardStatus::Communicated),
            )
            .col_expr(reward::Column::CommunicatedAt, Expr::value(now))
            .filter(reward::Column::Id.is_in(chunk.iter().copied()))
            .filter(reward::Column::Status.eq(RewardStatus::Approved))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// A manager of the person (or HR) writes the note their reward letter carries; writing it
/// again replaces it. Not about oneself.
pub async fn set_note(
    ctx: &Ctx,
    viewer: &Viewer,
    cycle_id: Uuid,
    employee_id: Uuid,
    note: &str,
) -> DomainResult<reward_note::Model> {
    let note = optional_text("note", note, 2000)?;
    let now = ctx.clock.now();
    let txn = crate::db::begin(&ctx.db).await?;
    let person = find::<employee::Entity>(&txn, employee_id, "employee").await?;
    if !crate::permissions::is_manager_side(viewer, &person) {
        return Err(DomainError::forbidden(
            "only their managers and HR write the note in someone's reward letter",
        ));
    }
    find::<cycle::Entity>(&txn, cycle_id, "cycle").await?;
    reward_note::Entity::insert(reward_note::ActiveModel {
        cycle_id: Set(cycle_id),
        employee_id: Set(employee_id),
        note: Set(note),
        written_by: Set(viewer.id()),
        written_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            reward_note::Column::CycleId,
            reward_note::Column::EmployeeId,
        ])
        .update_columns([
            reward_note::Column::Note,
            reward_note::Column::WrittenBy,
            reward_note::Column::WrittenAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let row = reward_note::Entity::find_by_id((cycle_id, employee_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("note"))?;
    txn.commit().await?;
    Ok(row)
}
