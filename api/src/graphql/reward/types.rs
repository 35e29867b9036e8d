//! Output types of the reward stage. Money is `Decimal` (a string on the wire), written with
//! its currency's minor digits; salaries and a reward's calculation reach HR only.

use crate::graphql::cycles::types::Cycle;
use crate::graphql::enums::mirror_enum;
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::organisation::types::{Department, Employee};
use crate::graphql::review::types::{BackgroundJob, JobStatus};
use crate::graphql::{dctx, loaders, viewer};
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::reward::money::scaled;
use domain::reward::policy::Policy;
use domain::reward::run::{BudgetReport, Totals};
use entity::{background_job, compensation, pay_grade, promotion, reward, reward_note, reward_run};
use rust_decimal::Decimal;
use uuid::Uuid;

mirror_enum!(
    /// What a reward is.
    RewardKind {
        /// A raise of yearly base salary.
        MeritIncrease,
        /// The part of a raise above the pay range's maximum, paid once.
        LumpSum,
        Bonus,
        /// Paid days off (the amount is days).
        Pto,
        /// A spot award.
        Award,
    }
);
mirror_enum!(
    /// Where a reward stands.
    RewardStatus {
        /// A preview's: a what-if that goes no further.
        Preview,
        Proposed,
        Approved,
        /// Its letter was sent.
        Communicated,
        /// A later run replaced it before approval.
        Superseded,
        /// A spot award HR declined.
        Declined,
    }
);
mirror_enum!(
    /// A promotion recommendation's state.
    PromotionStatus { Proposed, Approved, Declined }
);

async fn employee(ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Employee>> {
    Ok(loaders(ctx).employee.load_one(id).await?.map(Employee))
}

/// A pay grade: the salary range of the jobs in it.
pub struct PayGrade(pub pay_grade::Model);

#[Object]
impl PayGrade {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    async fn range_min(&self) -> Decimal {
        scaled(self.0.range_min.0, &self.0.currency)
    }
    async fn range_mid(&self) -> Decimal {
        scaled(self.0.range_mid.0, &self.0.currency)
    }
    async fn range_max(&self) -> Decimal {
        scaled(self.0.range_max.0, &self.0.currency)
    }
}

/// Someone's pay from a date on (HR only).
pub struct Compensation(pub compensation::Model);

#[Object]
impl Compensation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, self.0.employee_id).await
    }
    async fn effective_on(&self) -> NaiveDate {
        self.0.effective_on
    }
    /// Yearly.
    async fn base_salary(&self) -> Decimal {
        scaled(self.0.base_salary.0, &self.0.currency)
    }
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// Percent of base salary.
    async fn bonus_target_pct(&self) -> Decimal {
        self.0.bonus_target_pct.0
    }
    async fn pay_grade(&self, ctx: &Context<'_>) -> GqlResult<Option<PayGrade>> {
        let Some(id) = self.0.pay_grade_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).pay_grade.load_one(id).await?.map(PayGrade))
    }
    /// Base salary ÷ the grade's midpoint, to 4 places (none without a grade).
    async fn compa_ratio(&self, ctx: &Context<'_>) -> GqlResult<Option<Decimal>> {
        let Some(id) = self.0.pay_grade_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)
            .pay_grade
            .load_one(id)
            .await?
            .filter(|g| !g.range_mid.0.is_zero())
            .map(|g| (self.0.base_salary.0 / g.range_mid.0).round_dp(4)))
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// What one final rating earns.
#[derive(SimpleObject)]
pub struct RatingRule {
    pub rating: i32,
    pub raise_pcts: Vec<Decimal>,
    pub bonus_multiplier: Decimal,
    pub pto_days: Decimal,
}

/// A department's pools in one currency.
pub struct Budget(pub domain::reward::policy::Budget);

#[Object]
impl Budget {
    async fn department(&self, ctx: &Context<'_>) -> GqlResult<Option<Department>> {
        Ok(loaders(ctx)
            .department
            .load_one(self.0.department_id)
            .await?
            .map(Department))
    }
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    async fn merit_pool(&self) -> Option<Decimal> {
        self.0.merit_pool.map(|p| scaled(p.0, &self.0.currency))
    }
    async fn bonus_pool(&self) -> Option<Decimal> {
        self.0.bonus_pool.map(|p| scaled(p.0, &self.0.currency))
    }
}

/// A cycle's reward policy.
pub struct RewardPolicy(pub Policy);

#[Object]
impl RewardPolicy {
    async fn compa_bands(&self) -> Vec<Decimal> {
        self.0.compa_bands.iter().map(|b| b.0).collect()
    }
    async fn ratings(&self) -> Vec<RatingRule> {
        self.0
            .ratings
            .iter()
            .map(|r| RatingRule {
                rating: r.rating,
                raise_pcts: r.raise_pcts.iter().map(|p| p.0).collect(),
                bonus_multiplier: r.bonus_multiplier.0,
                pto_days: r.pto_days.0,
            })
            .collect()
    }
    async fn company_multiplier(&self) -> Decimal {
        self.0.company_multiplier.0
    }
    async fn raise_cap_pct(&self) -> Option<Decimal> {
        self.0.raise_cap_pct.map(|c| c.0)
    }
    async fn min_tenure_days(&self) -> i32 {
        self.0.min_tenure_days
    }
    async fn require_active_at_cycle_end(&self) -> bool {
        self.0.require_active_at_cycle_end
    }
    async fn effective_on(&self) -> Option<NaiveDate> {
        self.0.effective_on
    }
    async fn budgets(&self) -> Vec<Budget> {
        self.0.budgets.iter().cloned().map(Budget).collect()
    }
}

/// How many people a run left out for one reason.
#[derive(SimpleObject)]
pub struct SkipCount {
    /// `NO_RATING`, `NO_COMPENSATION`, `TENURE_TOO_SHORT`, `LEFT_BEFORE_CYCLE_END`,
    /// `NOT_EMPLOYED_IN_CYCLE` or `ALREADY_APPROVED`.
    pub reason: String,
    pub count: i64,
}

/// A run's sums for one kind of reward in one currency (empty for PTO: days).
#[derive(SimpleObject)]
pub struct KindTotal {
    pub kind: RewardKind,
    pub currency: String,
    pub count: i64,
    /// Before budget fit.
    pub proposed: Decimal,
    /// After it.
    pub amount: Decimal,
}

/// What a budget fit did to one department's pool.
pub struct BudgetFit(pub BudgetReport);

#[Object]
impl BudgetFit {
    async fn department(&self, ctx: &Context<'_>) -> GqlResult<Option<Department>> {
        Ok(loaders(ctx)
            .department
            .load_one(self.0.department_id)
            .await?
            .map(Department))
    }
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// `MERIT` (raises and lump sums) or `BONUS`.
    async fn pool(&self) -> &str {
        &self.0.pool
    }
    /// The pool as the policy sets it.
    async fn pool_amount(&self) -> Decimal {
        scaled(self.0.pool_amount.0, &self.0.currency)
    }
    /// What was left after rewards already approved in the cycle.
    async fn available(&self) -> Decimal {
        scaled(self.0.available.0, &self.0.currency)
    }
    /// The proposals' total before the fit.
    async fn before(&self) -> Decimal {
        scaled(self.0.before.0, &self.0.currency)
    }
    /// After it: never above `available`.
    async fn after(&self) -> Decimal {
        scaled(self.0.after.0, &self.0.currency)
    }
    async fn people(&self) -> i64 {
        self.0.people
    }
}

/// A run's totals (so far, while it runs).
pub struct RewardTotals(pub Totals);

fn kind_totals(t: &Totals) -> Vec<KindTotal> {
    t.kinds
        .iter()
        .map(|k| KindTotal {
            kind: k.kind.into(),
            currency: k.currency.clone(),
            count: k.count,
            proposed: scaled(k.proposed.0, &k.currency),
            amount: scaled(k.amount.0, &k.currency),
        })
        .collect()
}

#[Object]
impl RewardTotals {
    /// People considered.
    async fn people(&self) -> i64 {
        self.0.people
    }
    /// People who got something.
    async fn rewarded(&self) -> i64 {
        self.0.rewarded
    }
    async fn skipped(&self) -> Vec<SkipCount> {
        self.0
            .skipped
            .iter()
            .map(|(reason, count)| SkipCount {
                reason: reason.clone(),
                count: *count,
            })
            .collect()
    }
    async fn kinds(&self) -> Vec<KindTotal> {
        kind_totals(&self.0)
    }
    async fn budgets(&self) -> Vec<BudgetFit> {
        self.0.budgets.iter().cloned().map(BudgetFit).collect()
    }
}

/// One kind's total in a preview beside the last real run's.
#[derive(SimpleObject)]
pub struct KindComparison {
    pub kind: RewardKind,
    pub currency: String,
    pub preview: Decimal,
    pub last_run: Decimal,
    /// `preview − lastRun`.
    pub difference: Decimal,
}

/// A reward run (HR).
pub struct RewardRun(pub reward_run::Model, pub Option<background_job::Model>);

impl RewardRun {
    /// A run whose job is read when a field needs it.
    pub fn new(run: reward_run::Model) -> Self {
        Self(run, None)
    }

    /// Its job: as read with the run (so that status and progress agree with what decided
    /// to send it), else loaded.
    async fn job_row(&self, ctx: &Context<'_>) -> GqlResult<Option<background_job::Model>> {
        match &self.1 {
            Some(job) => Ok(Some(job.clone())),
            None => loaders(ctx).background_job.load_one(self.0.job_id).await,
        }
    }
}

#[Object]
impl RewardRun {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn cycle(&self, ctx: &Context<'_>) -> GqlResult<Option<Cycle>> {
        Ok(loaders(ctx)
            .cycle
            .load_one(self.0.cycle_id)
            .await?
            .map(Cycle))
    }
    /// A what-if: nothing it computes can be approved.
    async fn preview(&self) -> bool {
        self.0.preview
    }
    /// QUEUED, RUNNING, DONE (complete) or FAILED.
    async fn status(&self, ctx: &Context<'_>) -> GqlResult<Option<JobStatus>> {
        Ok(self.job_row(ctx).await?.map(|j| j.status.into()))
    }
    /// People done so far.
    async fn processed(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        Ok(self.job_row(ctx).await?.map_or(0, |j| j.processed))
    }
    /// People to do (known once it started).
    async fn total(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        Ok(self.job_row(ctx).await?.map_or(0, |j| j.total))
    }
    /// The job that computes it.
    async fn job(&self, ctx: &Context<'_>) -> GqlResult<Option<BackgroundJob>> {
        Ok(self.job_row(ctx).await?.map(BackgroundJob))
    }
    /// The policy it computes with (fixed when it was started).
    async fn policy(&self) -> GqlResult<RewardPolicy> {
        Ok(RewardPolicy(
            domain::reward::policy::of_json(&self.0.policy).gql()?,
        ))
    }
    async fn totals(&self, ctx: &Context<'_>) -> GqlResult<Option<RewardTotals>> {
        let Some(job) = self.job_row(ctx).await? else {
            return Ok(None);
        };
        Ok(domain::reward::run::totals_of(&self.0, &job).map(RewardTotals))
    }
    /// A preview's totals beside the cycle's last completed real run's (none when there is
    /// no such run or this is not a completed preview).
    async fn compared_with_last_run(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<Vec<KindComparison>>> {
        let (Some(mine), true) = (&self.0.totals, self.0.preview) else {
            return Ok(None);
        };
        let Some(last) = domain::reward::run::last_real(&dctx(ctx).db, self.0.cycle_id)
            .await
            .gql()?
        else {
            return Ok(None);
        };
        let read = |v: &serde_json::Value| serde_json::from_value::<Totals>(v.clone()).ok();
        let (Some(mine), Some(theirs)) = (read(mine), last.totals.as_ref().and_then(read)) else {
            return Ok(None);
        };
        let mut keys: Vec<(domain::values::RewardKind, String)> = mine
            .kinds
            .iter()
            .chain(&theirs.kinds)
            .map(|k| (k.kind, k.currency.clone()))
            .collect();
        keys.sort_by_key(|(k, c)| (k.as_str(), c.clone()));
        keys.dedup();
        let sum = |t: &Totals, kind, currency: &str| {
            t.kinds
                .iter()
                .find(|k| k.kind == kind && k.currency == currency)
                .map_or(Decimal::ZERO, |k| k.amount.0)
        };
        Ok(Some(
            keys.into_iter()
                .map(|(kind, currency)| {
                    let p = sum(&mine, kind, &currency);
                    let l = sum(&theirs, kind, &currency);
                    KindComparison {
                        kind: kind.into(),
                        preview: scaled(p, &currency),
                        last_run: scaled(l, &currency),
                        difference: scaled(p - l, &currency),
                        currency,
                    }
                })
                .collect(),
        ))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
}

/// One reward. Its calculation's inputs (salary included) are HR's only.
pub struct Reward(pub reward::Model);

#[Object]
impl Reward {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The run that computed it (none for a spot award).
    async fn run_id(&self) -> Option<ID> {
        self.0.run_id.map(|r| ID(r.to_string()))
    }
    async fn cycle(&self, ctx: &Context<'_>) -> GqlResult<Option<Cycle>> {
        Ok(loaders(ctx)
            .cycle
            .load_one(self.0.cycle_id)
            .await?
            .map(Cycle))
    }
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, self.0.employee_id).await
    }
    async fn kind(&self) -> RewardKind {
        self.0.kind.into()
    }
    async fn status(&self) -> RewardStatus {
        self.0.status.into()
    }
    /// Money in `currency` (days for PTO, when `currency` is empty).
    async fn amount(&self) -> Decimal {
        scaled(self.0.amount.0, &self.0.currency)
    }
    /// Before the budget fit.
    async fn proposed_amount(&self) -> Decimal {
        scaled(self.0.proposed_amount.0, &self.0.currency)
    }
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// The final rating it follows from.
    async fn rating(&self) -> Option<i32> {
        self.0.rating
    }
    async fn rationale(&self) -> &str {
        &self.0.rationale
    }
    async fn effective_on(&self) -> NaiveDate {
        self.0.effective_on
    }
    /// Who gave a spot award.
    async fn given_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        match self.0.given_by {
            Some(id) => employee(ctx, id).await,
            None => Ok(None),
        }
    }
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    async fn communicated_at(&self) -> Option<DateTime<Utc>> {
        self.0.communicated_at
    }
    /// The calculation's inputs and steps (salary, compa-ratio, percentages, proration):
    /// HR only, null for everyone else.
    async fn calculation(&self, ctx: &Context<'_>) -> GqlResult<Option<Json<serde_json::Value>>> {
        Ok(viewer(ctx)?.is_hr().then(|| Json(self.0.details.clone())))
    }
}

/// A manager's note for someone's reward letter.
pub struct RewardNote(pub reward_note::Model);

#[Object]
impl RewardNote {
    async fn note(&self) -> &str {
        &self.0.note
    }
    async fn written_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, self.0.written_by).await
    }
    async fn written_at(&self) -> DateTime<Utc> {
        self.0.written_at
    }
}

/// A promotion recommendation.
pub struct Promotion(pub promotion::Model);

#[Object]
impl Promotion {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, self.0.employee_id).await
    }
    async fn recommended_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        employee(ctx, self.0.recommended_by).await
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn job_profile(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<crate::graphql::develop::types::JobProfile>> {
        let Some(id) = self.0.job_profile_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)
            .job_profile
            .load_one(id)
            .await?
            .map(crate::graphql::develop::types::JobProfile))
    }
    async fn rationale(&self) -> &str {
        &self.0.rationale
    }
    async fn status(&self) -> PromotionStatus {
        self.0.status.into()
    }
    async fn decided_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        match self.0.decided_by {
            Some(id) => employee(ctx, id).await,
            None => Ok(None),
        }
    }
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    async fn decision_note(&self) -> &str {
        &self.0.decision_note
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
