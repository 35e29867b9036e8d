//! Review-stage fixtures: a template, the active cycle's annual round set up with it and
//! launched, and the steps tests repeat (running the background jobs, finding a review,
//! writing one).

use crate::{Gql, Org, TestApp, at};
use serde_json::{Value, json};

/// The annual round of the standard organisation's active cycle, launched.
pub struct ReviewSetup {
    pub org: Org,
    pub cycle: String,
    pub round: String,
    pub template: String,
}

/// A five-point template: q1 a required rating for every kind, q2 an optional comment for
/// every kind.
pub fn template_input() -> Value {
    json!({
        "name": "Annual review",
        "scaleLabels": ["Far below", "Below", "Meets", "Above", "Far above"],
        "questions": [
            { "section": "Results", "kind": "RATING", "prompt": "Delivers what was agreed",
              "required": true, "kinds": ["SELF", "MANAGER", "PEER", "UPWARD"] },
            { "section": "Words", "kind": "TEXT", "prompt": "What should they keep doing?",
              "kinds": ["SELF", "MANAGER", "PEER", "UPWARD"] },
        ],
    })
}

pub const CREATE_TEMPLATE: &str = "mutation($i: CreateReviewTemplateInput!) { createReviewTemplate(input: $i) { id scaleMax questions { key kind required } } }";
pub const UPDATE_ROUND: &str = "mutation($id: ID!, $s: ReviewRoundSettingsInput!) { updateReviewRound(id: $id, settings: $s) { id status anonymityThreshold dueOn closesOn } }";
pub const LAUNCH: &str = "mutation($r: ID!) { launchReviews(roundId: $r) { id status launch { status processed total } } }";
pub const MY_REVIEWS: &str = "query($r: ID) { myReviews(first: 100, filter: { roundId: $r }) { totalCount nodes { id kind status reviewee { email } } } }";
pub const SUBMIT: &str =
    "mutation($i: SubmitReviewInput!) { submitReview(input: $i) { id status overallRating } }";

impl TestApp {
    /// Runs every queued background job (as a worker's job tick would), returning how many
    /// finished.
    pub async fn run_jobs(&self) -> usize {
        domain::jobs::run_due(&self.ctx, "test-worker")
            .await
            .expect("background jobs failed")
    }

    /// Creates the standard template as HR; returns its id.
    pub async fn review_template(&self, hr: &str) -> String {
        let r = self
            .gql(Some(hr), CREATE_TEMPLATE, json!({ "i": template_input() }))
            .await;
        r.data()["createReviewTemplate"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The annual round of `cycle`.
    pub async fn annual_round(&self, token: &str, cycle: &str) -> String {
        let r = self
            .gql(
                Some(token),
                "query($c: ID!) { reviewRounds(cycleId: $c) { id kind } }",
                json!({ "c": cycle }),
            )
            .await;
        r.data()["reviewRounds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == "ANNUAL")
            .expect("the cycle has no annual round")["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `cycle`'s annual round set up by HR with the standard template and `settings`, not
    /// launched; returns (template, round).
    pub async fn prepared_round(&self, hr: &str, cycle: &str, settings: Value) -> (String, String) {
        let template = self.review_template(hr).await;
        let round = self.annual_round(hr, cycle).await;
        let mut s = json!({ "templateId": template });
        for (k, v) in settings.as_object().into_iter().flatten() {
            s[k] = v.clone();
        }
        self.gql(Some(hr), UPDATE_ROUND, json!({ "id": round, "s": s }))
            .await
            .data();
        (template, round)
    }

    /// The standard organisation, its active cycle's annual round with the standard
    /// template and `settings`, launched (jobs run), and the clock inside the window.
    pub async fn review_setup(&self, settings: Value) -> ReviewSetup {
        let org = self.org().await;
        let cycle = self.active_cycle(&org.hr).await;
        let (template, round) = self.prepared_round(&org.hr, &cycle, settings).await;
        self.gql(Some(&org.hr), LAUNCH, json!({ "r": round }))
            .await
            .data();
        self.run_jobs().await;
        self.clock.set(at("2027-11-20T10:00:00Z"));
        ReviewSetup {
            org,
            cycle,
            round,
            template,
        }
    }

    /// `manager` approves `peers` (ids) as `employee`'s reviewers in `round`.
    pub async fn approve_peers<P: ToString>(
        &self,
        manager: &str,
        round: &str,
        employee: impl ToString,
        peers: &[P],
    ) {
        let peers: Vec<String> = peers.iter().map(ToString::to_string).collect();
        self.gql(
            Some(manager),
            "mutation($i: ApprovePeersInput!) { approvePeers(input: $i) { status } }",
            json!({ "i": { "roundId": round, "employeeId": employee.to_string(), "peerIds": peers } }),
        )
        .await
        .data();
    }

    /// The id of the review of `kind` about `reviewee` that `token`'s holder writes.
    pub async fn review_id(&self, token: &str, round: &str, kind: &str, reviewee: &str) -> String {
        let r = self
            .gql(Some(token), MY_REVIEWS, json!({ "r": round }))
            .await;
        r.data()["myReviews"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == kind && n["reviewee"]["email"] == reviewee)
            .unwrap_or_else(|| panic!("no {kind} review of {reviewee} in {}", r.body))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Submits review `id` with overall rating `rating`, q1 `rating`, and comment `text` if
    /// given (and potential MEDIUM when `potential`).
    pub async fn submit_review(
        &self,
        token: &str,
        id: &str,
        rating: i64,
        text: Option<&str>,
        potential: bool,
    ) -> Gql {
        let mut answers = vec![json!({ "questionKey": "q1", "rating": rating })];
        if let Some(t) = text {
            answers.push(json!({ "questionKey": "q2", "text": t }));
        }
        let mut draft = json!({ "answers": answers, "overallRating": rating });
        if potential {
            draft["potential"] = json!("MEDIUM");
        }
        self.gql(
            Some(token),
            SUBMIT,
            json!({ "i": { "id": id, "draft": draft } }),
        )
        .await
    }
}
