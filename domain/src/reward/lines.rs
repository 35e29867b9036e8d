//! A run's reward lines: one row per person per run, written by the compute step, fitted by
//! the budget step, approved and communicated as a whole, and listed as one reward per kind.
//! A reward's id is its line's id with the kind in the last four bits (a line's own id has
//! them zero), so a reward is found again from its id without a row of its own.

use super::calc::{self, Assessment, Span};
use super::money::Currency;
use super::policy::{self, Policy};
use crate::error::{DomainError, DomainResult};
use crate::query::rows_in;
use crate::values::{RewardKind, RewardStatus};
use chrono::{DateTime, NaiveDate, Utc};
use entity::values::DecimalText;
use entity::{cycle, reward, reward_line, reward_run};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, EntityTrait};
use std::collections::HashMap;
use uuid::Uuid;

/// The kinds a line holds, in the order of their bits and of their ids' last four bits.
const KINDS: [RewardKind; 4] = [
    RewardKind::MeritIncrease,
    RewardKind::LumpSum,
    RewardKind::Bonus,
    RewardKind::Pto,
];

/// A new line's id: a version 7 UUID (time-ordered) with the last four bits zero. Its random
/// bits come from a fast generator, not the operating system's (a run makes one per person;
/// a line's id is no secret, reading it is checked like any other).
pub(super) fn new_id() -> Uuid {
    let millis = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or_default();
    let mut random = [0_u8; 10];
    fastrand::fill(&mut random);
    let mut bytes = *uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .as_bytes();
    bytes[15] &= 0xF0;
    Uuid::from_bytes(bytes)
}

/// The id of the `kind` reward of `line`.
pub fn item_id(line: Uuid, kind: RewardKind) -> Uuid {
    let mut bytes = *line.as_bytes();
    let slot = KINDS.iter().position(|k| *k == kind).unwrap_or(0) as u8 + 1;
    bytes[15] = (bytes[15] & 0xF0) | slot;
    Uuid::from_bytes(bytes)
}

/// The line and kind a reward id names, if it can name one.
pub fn line_of(item: Uuid) -> Option<(Uuid, RewardKind)> {
    let mut bytes = *item.as_bytes();
    let slot = usize::from(bytes[15] & 0x0F);
    let kind = *KINDS.get(slot.checked_sub(1)?)?;
    bytes[15] &= 0xF0;
    Some((Uuid::from_bytes(bytes), kind))
}

/// The `kinds` bit of `kind` (none for an award).
pub fn bit(kind: RewardKind) -> Option<i16> {
    KINDS.iter().position(|k| *k == kind).map(|i| 1 << i)
}

/// What a run writes with each line.
pub(super) struct LineOf<'a> {
    pub run: &'a reward_run::Model,
    pub status: RewardStatus,
    pub effective_on: NaiveDate,
    pub now: DateTime<Utc>,
}

/// The line for `a`, someone's calculation in a run holding `kinds` ([`calc::kinds_of`]),
/// with the raise and bonus their department's budget left them.
pub(super) fn new_line(
    of: &LineOf<'_>,
    employee_id: Uuid,
    department_id: Option<Uuid>,
    a: &Assessment,
    kinds: i16,
    fitted: (Decimal, Decimal),
) -> reward_line::Model {
    let text = |d: Decimal| DecimalText(d);
    reward_line::Model {
        id: new_id(),
        run_id: of.run.id,
        cycle_id: of.run.cycle_id,
        employee_id,
        department_id,
        status: of.status,
        kinds,
        currency: a.currency.code.to_owned(),
        rating: a.rating,
        band: i16::try_from(a.band).unwrap_or(i16::MAX),
        salary: text(a.salary),
        target_pct: text(a.target_pct),
        range_max: a.range_max.map(text),
        compa_ratio: a.compa_ratio.map(text),
        employed_days: i32::try_from(a.employed_days).unwrap_or(i32::MAX),
        proposed_raise: a.raise.map(text),
        raise: a.raise.map(|_| text(fitted.0)),
        proposed_bonus: text(a.bonus),
        bonus: text(fitted.1),
        pto: text(a.pto),
        effective_on: of.effective_on,
        approved_by: None,
        approved_at: None,
        communicated_at: None,
        created_at: of.now,
    }
}

/// The calculation a line holds.
pub(super) fn assessment(line: &reward_line::Model) -> DomainResult<Assessment> {
    Ok(Assessment {
        rating: line.rating,
        currency: Currency::of(&line.currency).ok_or_else(|| {
            DomainError::Internal(format!("reward line in unknown currency {}", line.currency))
        })?,
        salary: line.salary.0,
        target_pct: line.target_pct.0,
        range_max: line.range_max.map(|m| m.0),
        compa_ratio: line.compa_ratio.map(|c| c.0),
        band: usize::try_from(line.band).unwrap_or_default(),
        employed_days: i64::from(line.employed_days),
        raise: line.proposed_raise.map(|r| r.0),
        bonus: line.proposed_bonus.0,
        pto: line.pto.0,
    })
}

/// What a run's rewards are written with: its policy and its cycle's span.
pub struct RunTerms {
    pub policy: Policy,
    pub span: Span,
}

/// The terms of each of `runs`.
pub async fn terms(
    db: &impl ConnectionTrait,
    runs: &[Uuid],
) -> DomainResult<HashMap<Uuid, RunTerms>> {
    let runs = rows_in(db, reward_run::Entity::find(), reward_run::Column::Id, runs).await?;
    let cycles: Vec<Uuid> = runs.iter().map(|r| r.cycle_id).collect();
    let cycles: HashMap<Uuid, cycle::Model> =
        rows_in(db, cycle::Entity::find(), cycle::Column::Id, &cycles)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let mut out = HashMap::new();
    for run in runs {
        let cycle = cycles
            .get(&run.cycle_id)
            .ok_or(DomainError::NotFound("cycle"))?;
        out.insert(
            run.id,
            RunTerms {
                policy: policy::of_json(&run.policy)?,
                span: Span {
                    starts_on: cycle.starts_on,
                    ends_on: cycle.ends_on,
                },
            },
        );
    }
    Ok(out)
}

/// A line's rewards, one per kind it holds, as the API lists rewards.
pub fn items(line: &reward_line::Model, terms: &RunTerms) -> DomainResult<Vec<reward::Model>> {
    let a = assessment(line)?;
    let raise = line.raise.map_or(Decimal::ZERO, |r| r.0);
    let proposals = calc::proposals(&terms.policy, terms.span, &a, raise, line.bonus.0);
    Ok(proposals
        .into_iter()
        .map(|p| reward::Model {
            id: item_id(line.id, p.kind),
            run_id: Some(line.run_id),
            cycle_id: line.cycle_id,
            employee_id: line.employee_id,
            department_id: line.department_id,
            kind: p.kind,
            status: line.status,
            amount: DecimalText(p.amount),
            proposed_amount: DecimalText(p.proposed),
            currency: if p.kind == RewardKind::Pto {
                String::new()
            } else {
                line.currency.clone()
            },
            rating: Some(line.rating),
            details: p.details,
            rationale: p.rationale,
            effective_on: line.effective_on,
            given_by: None,
            approved_by: line.approved_by,
            approved_at: line.approved_at,
            communicated_at: line.communicated_at,
            created_at: line.created_at,
        })
        .collect())
}

/// The rewards of `lines`, in their order (each line's in kind order).
pub async fn expand(
    db: &impl ConnectionTrait,
    lines: &[reward_line::Model],
) -> DomainResult<Vec<reward::Model>> {
    let mut runs: Vec<Uuid> = lines.iter().map(|l| l.run_id).collect();
    runs.sort();
    runs.dedup();
    let terms = terms(db, &runs).await?;
    let mut out = Vec::with_capacity(lines.len() * 2);
    for line in lines {
        let t = terms
            .get(&line.run_id)
            .ok_or(DomainError::NotFound("reward run"))?;
        out.extend(items(line, t)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lines_id_is_a_version_7_uuid_whose_rewards_name_it_and_their_kind() {
        let before = chrono::Utc::now().timestamp_millis();
        let ids: Vec<Uuid> = (0..1000).map(|_| new_id()).collect();
        let after = chrono::Utc::now().timestamp_millis();
        let distinct: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        for id in &ids {
            assert_eq!(id.get_version_num(), 7);
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
            assert_eq!(id.as_bytes()[15] & 0x0F, 0);
            let (secs, nanos) = id.get_timestamp().map(|t| t.to_unix()).unwrap_or_default();
            let millis =
                i64::try_from(secs).unwrap_or_default() * 1000 + i64::from(nanos / 1_000_000);
            assert!(
                (before..=after).contains(&millis),
                "{millis} not in {before}..={after}"
            );
            assert_eq!(line_of(*id), None);
            for kind in KINDS {
                let item = item_id(*id, kind);
                assert_ne!(item, *id);
                assert_eq!(line_of(item), Some((*id, kind)));
            }
        }
        assert_eq!(bit(RewardKind::Award), None);
    }
}
