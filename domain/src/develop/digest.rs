//! The weekly manager digest: on Monday from 08:00 in each manager's timezone, one e-mail
//! per manager per week (however many workers run): last week's check-ins of their direct
//! reports, goals off track, development items past their date, and the team's largest skill
//! gaps. The `manager_digest` mark and the outbox row commit together; a manager whose
//! Monday has passed unsent waits for the next one, and a week with nothing to say (no
//! check-ins last week, nothing off track, overdue or missing) sends nothing.

use crate::Ctx;
use crate::error::DomainResult;
use crate::mail::{DigestLine, DigestMail, Mail};
use crate::outbox::{self, Email};
use crate::query::rows_in;
use crate::values::{CheckInStatus, GoalHealth, GoalStatus, ItemStatus};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use entity::{check_in, development_item, employee, goal, manager_digest, skill_gap};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// When on Monday the digest goes out, local time.
pub const DIGEST_TIME: NaiveTime = match NaiveTime::from_hms_opt(8, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// Managers per transaction.
const BATCH: u64 = 200;

/// Lines listed per section (every one is counted).
const LISTED: usize = 5;

/// The Monday whose digest is due in `tz` at `now`, if it is Monday there and past 08:00.
pub fn due_week(tz: Tz, now: DateTime<Utc>) -> Option<NaiveDate> {
    let local = now.with_timezone(&tz).naive_local();
    (local.weekday() == Weekday::Mon && local.time() >= DIGEST_TIME).then(|| local.date())
}

/// Queues the digests due at `now`; returns how many were queued.
pub async fn queue_digests(ctx: &Ctx, now: DateTime<Utc>) -> DomainResult<u64> {
    let zones: Vec<String> = employee::Entity::find()
        .select_only()
        .column(employee::Column::Timezone)
        .distinct()
        .filter(employee::Column::Active.eq(true))
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let mut queued = 0;
    for zone in zones {
        let Some(week) = due_week(zone.parse().unwrap_or(chrono_tz::UTC), now) else {
            continue;
        };
        loop {
            let txn = crate::db::begin(&ctx.db).await?;
            let managing = Query::select()
                .column(employee::Column::ManagerId)
                .from(employee::Entity)
                .and_where(employee::Column::Active.eq(true))
                .and_where(employee::Column::ManagerId.is_not_null())
                .to_owned();
            let sent = Query::select()
                .column(manager_digest::Column::ManagerId)
                .from(manager_digest::Entity)
                .and_where(manager_digest::Column::WeekStart.eq(week))
                .to_owned();
            let managers = employee::Entity::find()
                .filter(employee::Column::Active.eq(true))
                .filter(employee::Column::Timezone.eq(zone.clone()))
                .filter(employee::Column::Id.in_subquery(managing))
                .filter(employee::Column::Id.not_in_subquery(sent))
                .order_by_asc(employee::Column::Id)
                .limit(BATCH)
                .all(&txn)
                .await?;
            if managers.is_empty() {
                txn.commit().await?;
                break;
            }
            let emails = digests(&txn, &managers, week).await?;
            queued += outbox::enqueue_many(&txn, emails, now).await?;
            manager_digest::Entity::insert_many(managers.iter().map(|m| {
                manager_digest::ActiveModel {
                    manager_id: Set(m.id),
                    week_start: Set(week),
                    queued_at: Set(now),
                }
            }))
            .on_conflict_do_nothing()
            .exec_without_returning(&txn)
            .await?;
            txn.commit().await?;
        }
    }
    Ok(queued)
}

/// The digest e-mail of each of `managers` for the week starting `week`.
async fn digests(
    db: &impl ConnectionTrait,
    managers: &[employee::Model],
    week: NaiveDate,
) -> DomainResult<Vec<Email>> {
    let ids: Vec<Uuid> = managers.iter().map(|m| m.id).collect();
    let reports = rows_in(
        db,
        employee::Entity::find()
            .filter(employee::Column::Active.eq(true))
            .order_by_asc(employee::Column::Name),
        employee::Column::ManagerId,
        &ids,
    )
    .await?;
    let people: HashMap<Uuid, &employee::Model> = reports.iter().map(|r| (r.id, r)).collect();
    let report_ids: Vec<Uuid> = people.keys().copied().collect();
    let manager_of = |id: &Uuid| people.get(id).and_then(|p| p.manager_id);
    let name_of = |id: &Uuid| people.get(id).map(|p| p.name.clone()).unwrap_or_default();
    let mut mails: HashMap<Uuid, DigestMail> = managers
        .iter()
        .map(|m| {
            (
                m.id,
                DigestMail {
                    name: m.name.clone(),
                    week_start: week,
                    team_size: 0,
                    check_ins_submitted: 0,
                    check_ins_due: 0,
                    check_ins_missed: 0,
                    off_track_count: 0,
                    off_track: Vec::new(),
                    overdue_count: 0,
                    overdue: Vec::new(),
                    gaps: Vec::new(),
                },
            )
        })
        .collect();
    for r in &reports {
        if let Some(m) = r.manager_id.and_then(|m| mails.get_mut(&m)) {
            m.team_size += 1;
        }
    }
    let last_week = check_in::Entity::find()
        .filter(check_in::Column::PeriodEnd.gte(week - Duration::days(7)))
        .filter(check_in::Column::PeriodEnd.lt(week));
    for c in rows_in(db, last_week, check_in::Column::EmployeeId, &report_ids).await? {
        let Some(m) = manager_of(&c.employee_id).and_then(|m| mails.get_mut(&m)) else {
            continue;
        };
        match c.status {
            CheckInStatus::Submitted | CheckInStatus::Acknowledged => m.check_ins_submitted += 1,
            CheckInStatus::Due => m.check_ins_due += 1,
            CheckInStatus::Missed => m.check_ins_missed += 1,
        }
    }
    let off_track = goal::Entity::find()
        .filter(goal::Column::Status.eq(GoalStatus::Agreed))
        .filter(goal::Column::Health.eq(GoalHealth::OffTrack))
        .filter(goal::Column::CycleId.in_subquery(crate::cycles::active_ids()))
        .order_by_asc(goal::Column::DueOn);
    for g in rows_in(db, off_track, goal::Column::OwnerId, &report_ids).await? {
        let Some(m) = manager_of(&g.owner_id).and_then(|m| mails.get_mut(&m)) else {
            continue;
        };
        m.off_track_count += 1;
        if m.off_track.len() < LISTED {
            m.off_track.push(DigestLine {
                employee_name: name_of(&g.owner_id),
                what: g.title,
                detail: format!("due {}", g.due_on),
            });
        }
    }
    let overdue = development_item::Entity::find()
        .filter(development_item::Column::Status.eq(ItemStatus::Agreed))
        .filter(development_item::Column::DueOn.lt(week))
        .order_by_asc(development_item::Column::DueOn);
    for i in rows_in(
        db,
        overdue,
        development_item::Column::EmployeeId,
        &report_ids,
    )
    .await?
    {
        let Some(m) = manager_of(&i.employee_id).and_then(|m| mails.get_mut(&m)) else {
            continue;
        };
        m.overdue_count += 1;
        if m.overdue.len() < LISTED {
            m.overdue.push(DigestLine {
                employee_name: name_of(&i.employee_id),
                what: i.title,
                detail: i.due_on.map(|d| format!("due {d}")).unwrap_or_default(),
            });
        }
    }
    let gaps = skill_gap::Entity::find()
        .filter(skill_gap::Column::Gap.gt(0))
        .order_by_desc(skill_gap::Column::Rank)
        .order_by_asc(skill_gap::Column::Id);
    let gaps = rows_in(db, gaps, skill_gap::Column::EmployeeId, &report_ids).await?;
    let skill_ids: Vec<Uuid> = gaps.iter().map(|g| g.skill_id).collect();
    let skills = super::skills::skills_by_ids(db, &skill_ids).await?;
    let mut largest: HashMap<Uuid, Vec<&skill_gap::Model>> = HashMap::new();
    for g in &gaps {
        if let Some(m) = manager_of(&g.employee_id) {
            largest.entry(m).or_default().push(g);
        }
    }
    for (manager, mut rows) in largest {
        // Chunks of the IN list each kept their order: sort the whole again.
        rows.sort_by(|a, b| b.rank.cmp(&a.rank).then(a.id.cmp(&b.id)));
        if let Some(m) = mails.get_mut(&manager) {
            m.gaps = rows
                .into_iter()
                .take(LISTED)
                .map(|g| DigestLine {
                    employee_name: name_of(&g.employee_id),
                    what: skills
                        .get(&g.skill_id)
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    detail: format!(
                        "{} below the expected level {}",
                        g.gap.unwrap_or(0),
                        g.expected
                    ),
                })
                .collect();
        }
    }
    Ok(managers
        .iter()
        .filter_map(|m| mails.remove(&m.id).filter(has_news).map(|mail| (m, mail)))
        .map(|(m, mail)| Email {
            dedupe_key: format!("manager-digest:{}:{week}", m.id),
            to_email: m.email.clone(),
            to_name: m.name.clone(),
            mail: Mail::ManagerDigest(mail),
        })
        .collect())
}

/// Whether a digest says anything: a week without check-ins, goals off track, overdue
/// items or gaps sends nothing (the week is marked all the same).
fn has_news(mail: &DigestMail) -> bool {
    mail.check_ins_submitted + mail.check_ins_due + mail.check_ins_missed > 0
        || mail.off_track_count > 0
        || mail.overdue_count > 0
        || !mail.gaps.is_empty()
}
