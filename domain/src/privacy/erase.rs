//! HR's erasure of someone who has left: their personal data goes, the records the
//! organisation must keep stay, anonymous.
//!
//! - **Their row** keeps its id, dates, department, manager and role (aggregates, proration
//!   and payroll history need them); name, e-mail, title and timezone are replaced, and every
//!   token they held is refused.
//! - **Text about them** (check-ins and the replies to them, goals and milestones, feedback
//!   they received, assessments, plans, conversations, review answers, calibration and
//!   acknowledgement notes, reward rationales and notes, pay-change reasons, promotions) is
//!   blanked. Numbers stay: ratings, amounts and pay are the legally required records.
//! - **Text they wrote about others** stays with those people's records, attributed to the
//!   anonymous row. Their peer and upward reviews are not touched at all, so nothing tells
//!   which reviews were theirs.
//! - **E-mails to them** lose address, name and content; one still waiting is not sent.
//!   E-mails to others, events and audit entries that quote them are scrubbed: every text in
//!   them that contains their name, address or one of the erased texts becomes `[erased]`.
//!
//! Done once, in one transaction under the org-chart lock (an import cannot bring the old row
//! back meanwhile); audited as `employee.erase` with counts only.

use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::permissions::require_hr;
use crate::query::{IN_CHUNK, find};
use crate::values::OutboxStatus;
use crate::{Ctx, Viewer};
use entity::{
    audit_log, check_in, compensation, development_item, development_plan, domain_event,
    email_outbox, employee, expectation_change, feedback, goal, goal_event, goal_revision,
    milestone, planning_conversation, promotion, review, review_rating, reward, reward_note,
    skill_assessment,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, Set,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What erased text becomes inside quoted JSON, and in titles that must not be empty.
pub const ERASED: &str = "[erased]";

/// Erases `id`'s personal data (HR only; only once they have left). Erasing someone already
/// erased changes nothing and returns their row.
pub async fn erase(ctx: &Ctx, viewer: &Viewer, id: Uuid) -> DomainResult<employee::Model> {
    require_hr(viewer, "erase a person's data")?;
    if id == viewer.id() {
        return Err(DomainError::conflict("you cannot erase your own data"));
    }
    let txn = crate::db::begin(&ctx.db).await?;
    crate::db::lock_org_chart(&txn).await?;
    let current = find::<employee::Entity>(&txn, id, "employee").await?;
    if current.erased_at.is_some() {
        txn.commit().await?;
        return Ok(current);
    }
    if current.active {
        return Err(DomainError::conflict(format!(
            "{} has not left: only someone marked as having left (deactivateEmployee) can be \
             erased",
            current.name
        )));
    }
    let mut e = Eraser::new(&txn, &current);
    e.about_them(id).await?;
    e.emails_to_them(&current.email).await?;
    e.quotes().await?;

    let now = ctx.clock.now();
    let mut model = current.clone().into_active_model();
    let short = id.simple().to_string();
    model.name = Set(format!("Former employee {}", &short[..8]));
    model.email = Set(format!("erased-{short}@erased.invalid"));
    model.title = Set(String::new());
    model.timezone = Set("UTC".into());
    model.erased_at = Set(Some(now));
    model.tokens_revoked_at = Set(Some(chrono::Utc::now()));
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    audit::record(
        &txn,
        now,
        Change {
            actor: Some(viewer.id()),
            action: "employee.erase",
            entity: "employee",
            entity_id: id,
            before: None,
            after: Some(json!({ "erasedAt": now, "rows": e.counts })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// One erasure's working state: the texts that must not survive anywhere (needles), the ids
/// of the rows that were about them (whose events and audit entries are scrubbed), counts.
struct Eraser<'a> {
    txn: &'a DatabaseTransaction,
    needles: Vec<String>,
    /// Name and e-mail as stored: the patterns that find quoting rows.
    patterns: Vec<String>,
    touched: Vec<Uuid>,
    counts: BTreeMap<&'static str, u64>,
}

impl<'a> Eraser<'a> {
    fn new(txn: &'a DatabaseTransaction, person: &employee::Model) -> Self {
        let mut e = Self {
            txn,
            needles: Vec::new(),
            patterns: vec![person.name.clone(), person.email.clone()],
            touched: vec![person.id],
            counts: BTreeMap::new(),
        };
        e.keep([&person.name, &person.email, &person.title]);
        e.keep(person.name.split_whitespace());
        e
    }

    /// Remembers texts as needles (those of three characters or more; shorter ones would
    /// match too much).
    fn keep<S: AsRef<str>>(&mut self, texts: impl IntoIterator<Item = S>) {
        for t in texts {
            let t = t.as_ref().trim().to_lowercase();
            if t.chars().count() >= 3 && t != ERASED && !self.needles.contains(&t) {
                self.needles.push(t);
            }
        }
    }

    fn count(&mut self, what: &'static str, n: usize) {
        *self.counts.entry(what).or_default() += n as u64;
    }

    /// Blanks the text of every row about them, remembering what it said.
    async fn about_them(&mut self, id: Uuid) -> DomainResult<()> {
        let txn = self.txn;
        let rows = check_in::Entity::find()
            .filter(check_in::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        for r in &rows {
            self.keep([&r.wins, &r.blockers, &r.next_steps, &r.manager_reply]);
            self.touched.push(r.id);
        }
        self.count("checkIns", rows.len());
        check_in::Entity::update_many()
            .col_expr(check_in::Column::Wins, Expr::value(""))
            .col_expr(check_in::Column::Blockers, Expr::value(""))
            .col_expr(check_in::Column::NextSteps, Expr::value(""))
            .col_expr(check_in::Column::ManagerReply, Expr::value(""))
            .filter(check_in::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        let goals = goal::Entity::find()
            .filter(goal::Column::OwnerId.eq(id))
            .all(txn)
            .await?;
        let goal_ids: Vec<Uuid> = goals.iter().map(|g| g.id).collect();
        for g in &goals {
            self.keep([&g.title, &g.description]);
            self.touched.push(g.id);
        }
        self.count("goals", goals.len());
        for chunk in goal_ids.chunks(IN_CHUNK) {
            goal::Entity::update_many()
                .col_expr(goal::Column::Title, Expr::value(ERASED))
                .col_expr(goal::Column::Description, Expr::value(""))
                .filter(goal::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
            let milestones = milestone::Entity::find()
                .filter(milestone::Column::GoalId.is_in(chunk.iter().copied()))
                .all(txn)
                .await?;
            self.keep(milestones.iter().map(|m| &m.title));
            milestone::Entity::update_many()
                .col_expr(milestone::Column::Title, Expr::value(ERASED))
                .filter(milestone::Column::GoalId.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
            let revisions = goal_revision::Entity::find()
                .filter(goal_revision::Column::GoalId.is_in(chunk.iter().copied()))
                .all(txn)
                .await?;
            self.keep(revisions.iter().map(|r| &r.reason));
            goal_revision::Entity::update_many()
                .col_expr(goal_revision::Column::Reason, Expr::value(""))
                .filter(goal_revision::Column::GoalId.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
            let events = goal_event::Entity::find()
                .filter(goal_event::Column::GoalId.is_in(chunk.iter().copied()))
                .all(txn)
                .await?;
            self.keep(events.iter().filter_map(|e| e.reason.as_ref()));
            goal_event::Entity::update_many()
                .col_expr(
                    goal_event::Column::Reason,
                    Expr::value(Option::<String>::None),
                )
                .filter(goal_event::Column::GoalId.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }

        let received = feedback::Entity::find()
            .filter(feedback::Column::RecipientId.eq(id))
            .all(txn)
            .await?;
        for f in &received {
            self.keep([&f.body]);
            self.touched.push(f.id);
        }
        self.count("feedbackReceived", received.len());
        feedback::Entity::update_many()
            .col_expr(feedback::Column::Body, Expr::value(""))
            .filter(feedback::Column::RecipientId.eq(id))
            .exec(txn)
            .await?;

        let assessments = skill_assessment::Entity::find()
            .filter(skill_assessment::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        self.keep(assessments.iter().map(|a| &a.note));
        self.count("skillAssessments", assessments.len());
        skill_assessment::Entity::update_many()
            .col_expr(skill_assessment::Column::Note, Expr::value(""))
            .filter(skill_assessment::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        let plans = development_plan::Entity::find()
            .filter(development_plan::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        for p in &plans {
            self.keep([&p.objectives, &p.support, &p.outcome_note]);
            self.touched.push(p.id);
        }
        self.count("developmentPlans", plans.len());
        development_plan::Entity::update_many()
            .col_expr(development_plan::Column::Objectives, Expr::value(""))
            .col_expr(development_plan::Column::Support, Expr::value(""))
            .col_expr(development_plan::Column::OutcomeNote, Expr::value(""))
            .filter(development_plan::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        let items = development_item::Entity::find()
            .filter(development_item::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        for i in &items {
            self.keep([
                &i.title,
                &i.description,
                &i.provider,
                &i.link,
                &i.aspirations,
                &i.manager_notes,
                &i.evidence,
                &i.return_reason,
            ]);
            self.touched.push(i.id);
        }
        self.count("developmentItems", items.len());
        development_item::Entity::update_many()
            .col_expr(development_item::Column::Title, Expr::value(ERASED))
            .col_expr(development_item::Column::Description, Expr::value(""))
            .col_expr(development_item::Column::Provider, Expr::value(""))
            .col_expr(development_item::Column::Link, Expr::value(""))
            .col_expr(development_item::Column::Aspirations, Expr::value(""))
            .col_expr(development_item::Column::ManagerNotes, Expr::value(""))
            .col_expr(development_item::Column::Evidence, Expr::value(""))
            .col_expr(development_item::Column::ReturnReason, Expr::value(""))
            .filter(development_item::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        let conversations = planning_conversation::Entity::find()
            .filter(planning_conversation::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        for c in &conversations {
            self.keep([&c.expectations, &c.aspirations, &c.manager_notes]);
            self.touched.push(c.id);
        }
        self.count("planningConversations", conversations.len());
        planning_conversation::Entity::update_many()
            .col_expr(planning_conversation::Column::Expectations, Expr::value(""))
            .col_expr(planning_conversation::Column::Aspirations, Expr::value(""))
            .col_expr(planning_conversation::Column::ManagerNotes, Expr::value(""))
            .filter(planning_conversation::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        let changes = expectation_change::Entity::find()
            .filter(expectation_change::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        self.keep(changes.iter().map(|c| &c.reason));
        self.touched.extend(changes.iter().map(|c| c.id));
        self.count("expectationChanges", changes.len());
        expectation_change::Entity::update_many()
            .col_expr(expectation_change::Column::Reason, Expr::value(""))
            .filter(expectation_change::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        self.reviews_about(id).await?;

        let ratings = review_rating::Entity::find()
            .filter(review_rating::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        for r in &ratings {
            self.keep([&r.calibration_reason, &r.acknowledgement]);
        }
        self.count("ratings", ratings.len());
        review_rating::Entity::update_many()
            .col_expr(review_rating::Column::CalibrationReason, Expr::value(""))
            .col_expr(review_rating::Column::Acknowledgement, Expr::value(""))
            .filter(review_rating::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        let rewards = reward::Entity::find()
            .filter(reward::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        for r in &rewards {
            self.keep([&r.rationale]);
            self.touched.push(r.id);
        }
        self.count("rewards", rewards.len());
        reward::Entity::update_many()
            .col_expr(reward::Column::Rationale, Expr::value(""))
            .filter(reward::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        let notes = reward_note::Entity::find()
            .filter(reward_note::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        self.keep(notes.iter().map(|n| &n.note));
        self.count("rewardNotes", notes.len());
        reward_note::Entity::update_many()
            .col_expr(reward_note::Column::Note, Expr::value(""))
            .filter(reward_note::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        let pay = compensation::Entity::find()
            .filter(compensation::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        self.keep(pay.iter().map(|c| &c.reason));
        self.touched.extend(pay.iter().map(|c| c.id));
        self.count("compensation", pay.len());
        compensation::Entity::update_many()
            .col_expr(compensation::Column::Reason, Expr::value(""))
            .filter(compensation::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;

        let promotions = promotion::Entity::find()
            .filter(promotion::Column::EmployeeId.eq(id))
            .all(txn)
            .await?;
        for p in &promotions {
            self.keep([&p.title, &p.rationale, &p.decision_note]);
            self.touched.push(p.id);
        }
        self.count("promotions", promotions.len());
        promotion::Entity::update_many()
            .col_expr(promotion::Column::Title, Expr::value(ERASED))
            .col_expr(promotion::Column::Rationale, Expr::value(""))
            .col_expr(promotion::Column::DecisionNote, Expr::value(""))
            .filter(promotion::Column::EmployeeId.eq(id))
            .exec(txn)
            .await?;
        Ok(())
    }

    /// Reviews about them keep their ratings; every text answer and decline reason goes.
    async fn reviews_about(&mut self, id: Uuid) -> DomainResult<()> {
        let reviews = review::Entity::find()
            .filter(review::Column::RevieweeId.eq(id))
            .all(self.txn)
            .await?;
        self.count("reviews", reviews.len());
        for r in reviews {
            self.touched.push(r.id);
            let mut texts = Vec::new();
            collect_strings(&r.answers, &mut texts);
            self.keep(&texts);
            self.keep([&r.decline_reason]);
            let answers = without_text(r.answers.clone());
            let mut model = r.into_active_model();
            model.answers = Set(answers);
            model.decline_reason = Set(String::new());
            model.update(self.txn).await?;
        }
        Ok(())
    }

    /// E-mails to them: address, name and content go; one still waiting is not sent.
    async fn emails_to_them(&mut self, email: &str) -> DomainResult<()> {
        let txn = self.txn;
        let gone = format!("erased-{}@erased.invalid", self.touched[0].simple());
        email_outbox::Entity::update_many()
            .col_expr(
                email_outbox::Column::Status,
                Expr::value(OutboxStatus::Failed),
            )
            .col_expr(
                email_outbox::Column::LastError,
                Expr::value("not sent: the recipient's data was erased"),
            )
            .filter(email_outbox::Column::RecipientEmail.eq(email))
            .filter(
                email_outbox::Column::Status.is_in([OutboxStatus::Pending, OutboxStatus::Sending]),
            )
            .exec(txn)
            .await?;
        let wiped = email_outbox::Entity::update_many()
            .col_expr(email_outbox::Column::RecipientEmail, Expr::value(gone))
            .col_expr(email_outbox::Column::RecipientName, Expr::value(""))
            .col_expr(email_outbox::Column::Data, Expr::value(json!({})))
            .filter(email_outbox::Column::RecipientEmail.eq(email))
            .exec(txn)
            .await?;
        self.count("emails", wiped.rows_affected as usize);
        Ok(())
    }

    /// A condition matching rows whose `column`, read as text, contains their name or address.
    fn quoting(&self, column: impl ColumnTrait) -> Condition {
        let mut any = Condition::any();
        for p in &self.patterns {
            let escaped = p
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            any = any.add(
                Expr::expr(Func::cast_as(Expr::col(column), Alias::new("TEXT")))
                    .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
            );
        }
        any
    }

    /// Scrubs e-mails to others, events and audit entries that quote them.
    async fn quotes(&mut self) -> DomainResult<()> {
        let txn = self.txn;
        let mails = email_outbox::Entity::find()
            .filter(self.quoting(email_outbox::Column::Data))
            .all(txn)
            .await?;
        let mut n = 0;
        for m in mails {
            let data = self.scrub(&m.data);
            if data != m.data {
                let mut model = m.into_active_model();
                model.data = Set(data);
                model.update(txn).await?;
                n += 1;
            }
        }
        self.count("emailsQuoting", n);

        let mut events = Vec::new();
        for chunk in self.touched.chunks(IN_CHUNK) {
            events.extend(
                domain_event::Entity::find()
                    .filter(domain_event::Column::SubjectId.is_in(chunk.iter().copied()))
                    .all(txn)
                    .await?,
            );
        }
        events.extend(
            domain_event::Entity::find()
                .filter(self.quoting(domain_event::Column::Payload))
                .all(txn)
                .await?,
        );
        events.sort_by_key(|e| e.id);
        events.dedup_by_key(|e| e.id);
        let mut n = 0;
        for e in events {
            let payload = self.scrub(&e.payload);
            if payload != e.payload {
                let mut model = e.into_active_model();
                model.payload = Set(payload);
                model.update(txn).await?;
                n += 1;
            }
        }
        self.count("events", n);

        let mut entries = Vec::new();
        for chunk in self.touched.chunks(IN_CHUNK) {
            entries.extend(
                audit_log::Entity::find()
                    .filter(audit_log::Column::EntityId.is_in(chunk.iter().copied()))
                    .all(txn)
                    .await?,
            );
        }
        entries.extend(
            audit_log::Entity::find()
                .filter(
                    Condition::any()
                        .add(self.quoting(audit_log::Column::Before))
                        .add(self.quoting(audit_log::Column::After)),
                )
                .all(txn)
                .await?,
        );
        entries.sort_by_key(|e| e.id);
        entries.dedup_by_key(|e| e.id);
        let mut n = 0;
        for a in entries {
            let before = a.before.as_ref().map(|v| self.scrub(v));
            let after = a.after.as_ref().map(|v| self.scrub(v));
            if before != a.before || after != a.after {
                let mut model = a.into_active_model();
                model.before = Set(before);
                model.after = Set(after);
                model.update(txn).await?;
                n += 1;
            }
        }
        self.count("auditEntries", n);
        Ok(())
    }

    /// `value` with every string that contains a needle (ignoring case) replaced.
    fn scrub(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => {
                let lower = s.to_lowercase();
                if self.needles.iter().any(|n| lower.contains(n.as_str())) {
                    Value::String(ERASED.into())
                } else {
                    value.clone()
                }
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.scrub(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.scrub(v)))
                    .collect::<Map<_, _>>(),
            ),
            other => other.clone(),
        }
    }
}

/// Every string inside `value`.
fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// Review answers with every `text` removed, at any depth (ratings and keys stay).
fn without_text(answers: Value) -> Value {
    match answers {
        Value::Array(items) => Value::Array(items.into_iter().map(without_text).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| k != "text")
                .map(|(k, v)| (k, without_text(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_answers_go_and_ratings_stay() {
        let answers = json!({
            "q1": { "rating": 4 },
            "q2": { "text": "keeps the team calm" },
            "q3": [{ "skill": "rust", "rating": 3, "text": "idiomatic" }],
        });
        assert_eq!(
            without_text(answers),
            json!({ "q1": { "rating": 4 }, "q2": {}, "q3": [{ "skill": "rust", "rating": 3 }] })
        );
    }

    #[test]
    fn strings_are_collected_at_any_depth() {
        let mut out = Vec::new();
        collect_strings(&json!({ "a": ["x", { "b": "y" }], "c": 1 }), &mut out);
        assert_eq!(out, vec!["x".to_owned(), "y".to_owned()]);
    }
}
