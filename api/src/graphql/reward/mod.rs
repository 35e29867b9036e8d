//! The reward stage over GraphQL: pay grades and compensation, the reward policy, reward runs
//! and their rewards, approval, spot awards, promotion recommendations and letter notes.

pub mod inputs;
pub mod types;

use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::errors::{GqlResult, OrGql, bad_input};
use crate::graphql::review::types::BackgroundJob;
use crate::graphql::{dctx, parse_id, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object, Union};
use domain::reward::{approve, compensation, policy, read, recognition, run};
use inputs::{
    ApproveRewardsInput, DecidePromotionInput, GiveAwardInput, PayGradeInput,
    RecommendPromotionInput, RewardFilterInput, RewardNoteInput, RewardPolicyInput,
    SetCompensationInput, StartRewardRunInput,
};
use types::{Compensation, PayGrade, Promotion, Reward, RewardNote, RewardPolicy, RewardRun};

/// Reward reads.
#[derive(Default)]
pub struct RewardQuery;

#[Object]
impl RewardQuery {
    /// Every pay grade, by code (HR).
    async fn pay_grades(&self, ctx: &Context<'_>) -> GqlResult<Vec<PayGrade>> {
        let rows = compensation::grades(dctx(ctx), viewer(ctx)?).await.gql()?;
        Ok(rows.into_iter().map(PayGrade).collect())
    }

    /// Someone's pay history, latest first (HR only).
    async fn compensation(
        &self,
        ctx: &Context<'_>,
        employee_id: ID,
    ) -> GqlResult<Vec<Compensation>> {
        let id = parse_id("employeeId", &employee_id)?;
        let rows = compensation::history(dctx(ctx), viewer(ctx)?, id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Compensation).collect())
    }

    /// A cycle's reward policy (HR), if set.
    async fn reward_policy(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
    ) -> GqlResult<Option<RewardPolicy>> {
        let id = parse_id("cycleId", &cycle_id)?;
        Ok(policy::get(dctx(ctx), viewer(ctx)?, id)
            .await
            .gql()?
            .map(RewardPolicy))
    }

    /// One reward run (HR).
    async fn reward_run(&self, ctx: &Context<'_>, id: ID) -> GqlResult<RewardRun> {
        let id = parse_id("id", &id)?;
        let (row, _) = run::get(dctx(ctx), viewer(ctx)?, id).await.gql()?;
        Ok(RewardRun::new(row))
    }

    /// A cycle's reward runs, newest first (HR).
    async fn reward_runs(&self, ctx: &Context<'_>, cycle_id: ID) -> GqlResult<Vec<RewardRun>> {
        let id = parse_id("cycleId", &cycle_id)?;
        let rows = run::of_cycle(dctx(ctx), viewer(ctx)?, id).await.gql()?;
        Ok(rows.into_iter().map(RewardRun::new).collect())
    }

    /// Rewards the viewer may see: HR all; a manager their teams' (not previews, not
    /// superseded ones); everyone their own once communicated. Oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn rewards(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<RewardFilterInput>,
    ) -> GqlResult<Conn<Reward>> {
        let page = page_request(ctx, "rewards", first, after)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let found = read::list(dctx(ctx), viewer(ctx)?, filter, &page)
            .await
            .gql()?;
        Ok(connection("rewards", found, Reward))
    }

    /// One reward the viewer may see (NOT_FOUND otherwise).
    async fn reward(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Reward> {
        let id = parse_id("id", &id)?;
        Ok(Reward(read::get(dctx(ctx), viewer(ctx)?, id).await.gql()?))
    }

    /// Promotion recommendations about someone, newest first (HR and their managers).
    async fn promotions(&self, ctx: &Context<'_>, employee_id: ID) -> GqlResult<Vec<Promotion>> {
        let id = parse_id("employeeId", &employee_id)?;
        let rows = recognition::promotions_of(dctx(ctx), viewer(ctx)?, id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Promotion).collect())
    }
}

/// What `approveRewards` did: queued a run's approval, or decided one award.
#[derive(Union)]
pub enum Approval {
    /// The approval job of a run's rewards (letters follow as it goes).
    Job(BackgroundJob),
    /// The award, approved or declined.
    Award(Reward),
}

/// Reward writes.
#[derive(Default)]
pub struct RewardMutation;

#[Object]
impl RewardMutation {
    /// HR creates a pay grade, or changes the one with the same code (audited).
    async fn set_pay_grade(&self, ctx: &Context<'_>, input: PayGradeInput) -> GqlResult<PayGrade> {
        Ok(PayGrade(
            compensation::set_grade(dctx(ctx), viewer(ctx)?, input.into_domain())
                .await
                .gql()?,
        ))
    }

    /// HR records someone's pay from a date on (audited); the same date again corrects it.
    async fn set_compensation(
        &self,
        ctx: &Context<'_>,
        input: SetCompensationInput,
    ) -> GqlResult<Compensation> {
        let input = input.into_domain()?;
        Ok(Compensation(
            compensation::set(dctx(ctx), viewer(ctx)?, input)
                .await
                .gql()?,
        ))
    }

    /// HR sets a cycle's reward policy (audited). Runs already started keep theirs.
    async fn set_reward_policy(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        policy: RewardPolicyInput,
    ) -> GqlResult<RewardPolicy> {
        let id = parse_id("cycleId", &cycle_id)?;
        let policy = policy.into_domain()?;
        Ok(RewardPolicy(
            policy::set(dctx(ctx), viewer(ctx)?, id, policy)
                .await
                .gql()?,
        ))
    }

    /// HR starts a reward run: a job computes everyone's rewards (progress on `rewardRun`). A
    /// real run needs the cycle in REWARDING and uses its policy (one at a time: the running
    /// one is returned); a preview may use another policy and changes nothing.
    async fn start_reward_run(
        &self,
        ctx: &Context<'_>,
        input: StartRewardRunInput,
    ) -> GqlResult<RewardRun> {
        let cycle = parse_id("cycleId", &input.cycle_id)?;
        let what_if = input.policy.map(|p| p.into_domain()).transpose()?;
        Ok(RewardRun::new(
            run::start(dctx(ctx), viewer(ctx)?, cycle, input.preview, what_if)
                .await
                .gql()?,
        ))
    }

    /// HR approves the latest run's rewards (all, or one department's: a job marks them and
    /// queues each person's letter), or approves or declines one spot award (`awardId`).
    async fn approve_rewards(
        &self,
        ctx: &Context<'_>,
        input: ApproveRewardsInput,
    ) -> GqlResult<Approval> {
        let department = parse_opt_id("departmentId", input.department_id.as_ref())?;
        match (&input.run_id, &input.award_id) {
            (Some(run), None) => {
                let run = parse_id("runId", run)?;
                if !input.approve {
                    return Err(bad_input(
                        "approve",
                        "a run is approved or left alone; start another run to change it",
                    ));
                }
                Ok(Approval::Job(BackgroundJob(
                    approve::approve(dctx(ctx), viewer(ctx)?, run, department)
                        .await
                        .gql()?,
                )))
            }
            (None, Some(award)) => {
                let award = parse_id("awardId", award)?;
                if department.is_some() {
                    return Err(bad_input(
                        "departmentId",
                        "an award has no department scope",
                    ));
                }
                Ok(Approval::Award(Reward(
                    recognition::decide_award(dctx(ctx), viewer(ctx)?, award, input.approve)
                        .await
                        .gql()?,
                )))
            }
            _ => Err(bad_input("runId", "give either runId or awardId")),
        }
    }

    /// A manager gives someone in their teams a spot award (HR: anyone): money, days off, or
    /// recognition alone; HR approves it like the run's rewards.
    async fn give_award(&self, ctx: &Context<'_>, input: GiveAwardInput) -> GqlResult<Reward> {
        let input = input.into_domain()?;
        Ok(Reward(
            recognition::give_award(dctx(ctx), viewer(ctx)?, input)
                .await
                .gql()?,
        ))
    }

    /// A manager recommends someone in their teams for promotion: a new title (and job
    /// profile), with a rationale. HR decides (`decidePromotion`).
    async fn recommend_promotion(
        &self,
        ctx: &Context<'_>,
        input: RecommendPromotionInput,
    ) -> GqlResult<Promotion> {
        let input = input.into_domain()?;
        Ok(Promotion(
            recognition::recommend(dctx(ctx), viewer(ctx)?, input)
                .await
                .gql()?,
        ))
    }

    /// HR approves (the employee's title and job profile change, audited) or declines a
    /// promotion recommendation.
    async fn decide_promotion(
        &self,
        ctx: &Context<'_>,
        input: DecidePromotionInput,
    ) -> GqlResult<Promotion> {
        let id = parse_id("id", &input.id)?;
        Ok(Promotion(
            recognition::decide_promotion(dctx(ctx), viewer(ctx)?, id, input.approve, &input.note)
                .await
                .gql()?,
        ))
    }

    /// A manager (or HR) writes the note someone's reward letter carries.
    async fn set_reward_note(
        &self,
        ctx: &Context<'_>,
        input: RewardNoteInput,
    ) -> GqlResult<RewardNote> {
        let cycle = parse_id("cycleId", &input.cycle_id)?;
        let employee = parse_id("employeeId", &input.employee_id)?;
        Ok(RewardNote(
            approve::set_note(dctx(ctx), viewer(ctx)?, cycle, employee, &input.note)
                .await
                .gql()?,
        ))
    }
}
