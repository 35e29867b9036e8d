//! The review stage over GraphQL: templates, rounds and their launch, peer nomination,
//! writing reviews, the summaries each viewer may see, calibration and release.

pub mod inputs;
pub mod results;
pub mod types;

use crate::graphql::connection::{Conn, connection, page_request};
use crate::graphql::errors::{GqlResult, OrGql};
use crate::graphql::{dctx, parse_id, parse_opt_id, viewer};
use async_graphql::{Context, ID, Object};
use domain::review::{
    access, calibration, launch, peers, release, rounds, summary, templates, writing,
};
use inputs::{
    AcknowledgeRatingInput, ApprovePeersInput, CalibrateRatingInput, CreateReviewTemplateInput,
    DeclineReviewInput, MyReviewsFilter, NominatePeersInput, ReleaseRatingsInput,
    ReopenReviewInput, ReviewRoundSettingsInput, SaveReviewInput, SubmitReviewInput, peer_ids,
};
use results::{Calibration, PeerNomination, Rating, ReviewSummary};
use types::{BackgroundJob, Review, ReviewRound, ReviewTemplate};

/// Review reads.
#[derive(Default)]
pub struct ReviewQuery;

#[Object]
impl ReviewQuery {
    /// Every review template, newest first.
    async fn review_templates(&self, ctx: &Context<'_>) -> GqlResult<Vec<ReviewTemplate>> {
        viewer(ctx)?;
        let rows = templates::list(dctx(ctx)).await.gql()?;
        rows.into_iter()
            .map(|r| Ok(ReviewTemplate(templates::Template::of(r).gql()?)))
            .collect()
    }

    /// A cycle's review rounds (MIDYEAR first, then ANNUAL).
    async fn review_rounds(&self, ctx: &Context<'_>, cycle_id: ID) -> GqlResult<Vec<ReviewRound>> {
        viewer(ctx)?;
        let cycle = parse_id("cycleId", &cycle_id)?;
        Ok(rounds::of_cycle(&dctx(ctx).db, cycle)
            .await
            .gql()?
            .into_iter()
            .map(ReviewRound)
            .collect())
    }

    /// One review round.
    async fn review_round(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ReviewRound> {
        viewer(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(ReviewRound(rounds::get(&dctx(ctx).db, id).await.gql()?))
    }

    /// The reviews the viewer writes, oldest assignment first.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn my_reviews(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<MyReviewsFilter>,
    ) -> GqlResult<Conn<Review>> {
        let page = page_request(ctx, "myReviews", first, after)?;
        let f = filter.unwrap_or_default();
        let filter = writing::MyReviewsFilter {
            round_id: parse_opt_id("filter.roundId", f.round_id.as_ref())?,
            status: f.status.map(Into::into),
        };
        let found = writing::mine(dctx(ctx), viewer(ctx)?, filter, &page)
            .await
            .gql()?;
        Ok(connection("myReviews", found, Review))
    }

    /// One review: its author's, or a signed one the viewer may read (NOT_FOUND otherwise,
    /// exactly as for a review that does not exist).
    async fn review(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Review> {
        let id = parse_id("id", &id)?;
        let (r, ..) = access::read(dctx(ctx), viewer(ctx)?, id).await.gql()?;
        Ok(Review(r))
    }

    /// Someone's reviews in a round: their self and manager reviews, the anonymous kinds
    /// pooled, and their rating. HR and their managers at any time; the person themselves once
    /// their rating is released (before that, only their own self review).
    async fn review_summary(
        &self,
        ctx: &Context<'_>,
        round_id: ID,
        employee_id: ID,
    ) -> GqlResult<ReviewSummary> {
        let round = parse_id("roundId", &round_id)?;
        let employee = parse_id("employeeId", &employee_id)?;
        Ok(ReviewSummary(
            summary::summary(dctx(ctx), viewer(ctx)?, round, employee)
                .await
                .gql()?,
        ))
    }

    /// Whom someone nominated as peers in a round, and what was approved (themselves, their
    /// managers, HR).
    async fn peer_nominations(
        &self,
        ctx: &Context<'_>,
        round_id: ID,
        employee_id: ID,
    ) -> GqlResult<Vec<PeerNomination>> {
        let round = parse_id("roundId", &round_id)?;
        let employee = parse_id("employeeId", &employee_id)?;
        Ok(peers::of(dctx(ctx), viewer(ctx)?, round, employee)
            .await
            .gql()?
            .into_iter()
            .map(PeerNomination)
            .collect())
    }

    /// HR's calibration view of a round: for one department, or the whole organisation.
    async fn calibration(
        &self,
        ctx: &Context<'_>,
        round_id: ID,
        department_id: Option<ID>,
    ) -> GqlResult<Calibration> {
        let round = parse_id("roundId", &round_id)?;
        let department = parse_opt_id("departmentId", department_id.as_ref())?;
        Ok(Calibration(
            calibration::view(dctx(ctx), viewer(ctx)?, round, department)
                .await
                .gql()?,
        ))
    }
}

/// Review writes.
#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// HR writes a review template.
    async fn create_review_template(
        &self,
        ctx: &Context<'_>,
        input: CreateReviewTemplateInput,
    ) -> GqlResult<ReviewTemplate> {
        let input = input.into_domain()?;
        let row = templates::create(dctx(ctx), viewer(ctx)?, input)
            .await
            .gql()?;
        Ok(ReviewTemplate(templates::Template::of(row).gql()?))
    }

    /// HR adds a cycle's MIDYEAR round (opensOn and dueOn required); the ANNUAL round comes
    /// with the cycle.
    async fn create_review_round(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        settings: ReviewRoundSettingsInput,
    ) -> GqlResult<ReviewRound> {
        let cycle = parse_id("cycleId", &cycle_id)?;
        let settings = settings.into_domain()?;
        Ok(ReviewRound(
            rounds::create_midyear(dctx(ctx), viewer(ctx)?, cycle, settings)
                .await
                .gql()?,
        ))
    }

    /// HR changes a round's settings (template and eligibility only before launch). Moving
    /// the ANNUAL round's window moves the cycle's review window.
    async fn update_review_round(
        &self,
        ctx: &Context<'_>,
        id: ID,
        settings: ReviewRoundSettingsInput,
    ) -> GqlResult<ReviewRound> {
        let id = parse_id("id", &id)?;
        let settings = settings.into_domain()?;
        Ok(ReviewRound(
            rounds::update(dctx(ctx), viewer(ctx)?, id, settings)
                .await
                .gql()?,
        ))
    }

    /// HR launches a round: a job creates every eligible person's SELF, MANAGER and UPWARD
    /// reviews and opens peer nomination; its progress is `ReviewRound.launch`. Launching
    /// again creates only what is missing.
    async fn launch_reviews(&self, ctx: &Context<'_>, round_id: ID) -> GqlResult<ReviewRound> {
        let round = parse_id("roundId", &round_id)?;
        let (round, _) = launch::launch(dctx(ctx), viewer(ctx)?, round).await.gql()?;
        Ok(ReviewRound(round))
    }

    /// The reviewee names their peers (again, as often as they like, until approval).
    async fn nominate_peers(
        &self,
        ctx: &Context<'_>,
        input: NominatePeersInput,
    ) -> GqlResult<Vec<PeerNomination>> {
        let round = parse_id("roundId", &input.round_id)?;
        let ids = peer_ids(&input.peer_ids)?;
        Ok(peers::nominate(dctx(ctx), viewer(ctx)?, round, &ids)
            .await
            .gql()?
            .into_iter()
            .map(PeerNomination)
            .collect())
    }

    /// A manager of the reviewee (or HR) approves the final list of peers, keeping, dropping
    /// or adding names; PEER reviews are created for it.
    async fn approve_peers(
        &self,
        ctx: &Context<'_>,
        input: ApprovePeersInput,
    ) -> GqlResult<Vec<PeerNomination>> {
        let round = parse_id("roundId", &input.round_id)?;
        let employee = parse_id("employeeId", &input.employee_id)?;
        let ids = peer_ids(&input.peer_ids)?;
        Ok(
            peers::approve(dctx(ctx), viewer(ctx)?, round, employee, &ids)
                .await
                .gql()?
                .into_iter()
                .map(PeerNomination)
                .collect(),
        )
    }

    /// Its author saves a draft of a review.
    async fn save_review(&self, ctx: &Context<'_>, input: SaveReviewInput) -> GqlResult<Review> {
        let id = parse_id("id", &input.id)?;
        Ok(Review(
            writing::save(dctx(ctx), viewer(ctx)?, id, input.draft.into_domain())
                .await
                .gql()?,
        ))
    }

    /// Its author submits a review: final (HR can reopen it).
    async fn submit_review(
        &self,
        ctx: &Context<'_>,
        input: SubmitReviewInput,
    ) -> GqlResult<Review> {
        let id = parse_id("id", &input.id)?;
        let draft = input.draft.map(|d| d.into_domain());
        Ok(Review(
            writing::submit(dctx(ctx), viewer(ctx)?, id, draft)
                .await
                .gql()?,
        ))
    }

    /// A peer declines to review, saying why.
    async fn decline_review(
        &self,
        ctx: &Context<'_>,
        input: DeclineReviewInput,
    ) -> GqlResult<Review> {
        let id = parse_id("id", &input.id)?;
        Ok(Review(
            writing::decline(dctx(ctx), viewer(ctx)?, id, &input.reason)
                .await
                .gql()?,
        ))
    }

    /// HR reopens a submitted, declined or expired review, saying why (audited; its author
    /// hears by e-mail). Anonymous reviews only where the round lets HR see identities.
    async fn reopen_review(
        &self,
        ctx: &Context<'_>,
        input: ReopenReviewInput,
    ) -> GqlResult<Review> {
        let id = parse_id("id", &input.id)?;
        Ok(Review(
            writing::reopen(dctx(ctx), viewer(ctx)?, id, &input.reason)
                .await
                .gql()?,
        ))
    }

    /// HR sets someone's final rating in a closed round, with a reason (audited).
    async fn calibrate_rating(
        &self,
        ctx: &Context<'_>,
        input: CalibrateRatingInput,
    ) -> GqlResult<Rating> {
        let round = parse_id("roundId", &input.round_id)?;
        let employee = parse_id("employeeId", &input.employee_id)?;
        Ok(Rating(
            calibration::calibrate(
                dctx(ctx),
                viewer(ctx)?,
                round,
                employee,
                input.rating,
                &input.reason,
            )
            .await
            .gql()?,
        ))
    }

    /// HR releases a closed round's ratings (all, or one department's): a job releases them
    /// and tells each person by e-mail.
    async fn release_ratings(
        &self,
        ctx: &Context<'_>,
        input: ReleaseRatingsInput,
    ) -> GqlResult<BackgroundJob> {
        let round = parse_id("roundId", &input.round_id)?;
        let department = parse_opt_id("departmentId", input.department_id.as_ref())?;
        Ok(BackgroundJob(
            release::release(dctx(ctx), viewer(ctx)?, round, department)
                .await
                .gql()?,
        ))
    }

    /// The employee acknowledges their released rating, once, with an optional comment.
    async fn acknowledge_rating(
        &self,
        ctx: &Context<'_>,
        input: AcknowledgeRatingInput,
    ) -> GqlResult<Rating> {
        let round = parse_id("roundId", &input.round_id)?;
        Ok(Rating(
            release::acknowledge(dctx(ctx), viewer(ctx)?, round, &input.comment)
                .await
                .gql()?,
        ))
    }
}
