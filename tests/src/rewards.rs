//! Reward-stage fixtures: the standard organisation with released final ratings, pay on one
//! grade, Carol gone mid-year, the cycle in REWARDING, and a standard policy; the expected
//! results of that policy are worked out beside it.

use crate::{Org, TestApp, at};
use serde_json::{Value, json};

/// The organisation ready for a reward run.
pub struct RewardSetup {
    pub org: Org,
    pub cycle: String,
    pub round: String,
}

pub const SET_POLICY: &str = "mutation($c: ID!, $p: RewardPolicyInput!) { setRewardPolicy(cycleId: $c, policy: $p) { companyMultiplier } }";
pub const START_RUN: &str =
    "mutation($i: StartRewardRunInput!) { startRewardRun(input: $i) { id preview status } }";
pub const RUN: &str = "query($id: ID!) { rewardRun(id: $id) { id preview status processed total completedAt job { attempts lastError } totals { people rewarded skipped { reason count } kinds { kind currency count proposed amount } budgets { department { name } currency pool poolAmount available before after people } } } }";
pub const RUNS: &str = "query($c: ID!) { rewardRuns(cycleId: $c) { id preview status } }";
pub const REWARDS: &str = "query($f: RewardFilterInput) { rewards(first: 100, filter: $f) { totalCount nodes { id kind status amount proposedAmount currency rating rationale effectiveOn employee { email } } } }";
pub const APPROVE: &str = "mutation($i: ApproveRewardsInput!) { approveRewards(input: $i) { __typename ... on BackgroundJob { id status kind } ... on Reward { id status } } }";

/// The standard policy: three compa-ratio bands; ratings 5, 4, 3 and 2; company multiplier
/// 1.1; raises capped at 7 %; 90 days' tenure; leavers keep a prorated bonus.
pub fn policy() -> Value {
    json!({
        "compaBands": ["0.9", "1.1"],
        "ratings": [
            { "rating": 5, "raisePcts": ["8", "6", "4"], "bonusMultiplier": "1.5", "ptoDays": "3" },
            { "rating": 4, "raisePcts": ["5", "4", "3"], "bonusMultiplier": "1.2", "ptoDays": "1" },
            { "rating": 3, "raisePcts": ["3", "2.5", "2"], "bonusMultiplier": "1", "ptoDays": "0" },
            { "rating": 2, "raisePcts": ["0", "0", "0"], "bonusMultiplier": "0.5" },
        ],
        "companyMultiplier": "1.1",
        "raiseCapPct": "7",
        "minTenureDays": 90,
        "requireActiveAtCycleEnd": false,
    })
}

/// Final ratings the fixture calibrates (HR's own stays unrated: HR never rates themselves).
pub const RATINGS: [(&str, i64); 7] = [
    ("alice@t.io", 5),
    ("bob@t.io", 4),
    ("lead@t.io", 3),
    ("dave@t.io", 3),
    ("carol@t.io", 4),
    ("mgr@t.io", 4),
    ("ceo@t.io", 3),
];

/// Pay from 2026-01-01: (e-mail, salary, bonus target %, on grade G1).
pub const PAY: [(&str, &str, &str, bool); 7] = [
    ("alice@t.io", "60000", "10", true),
    ("bob@t.io", "68000", "10", true),
    ("lead@t.io", "52000", "10", true),
    ("dave@t.io", "50000", "10", true),
    ("carol@t.io", "40000", "10", false),
    ("mgr@t.io", "90000", "15", false),
    ("hr@t.io", "70000", "10", false),
];

/// What the standard policy gives each person (EUR; PTO in days), worked by hand:
///
/// - Alice: compa-ratio 1 (middle band), rating 5: 6 % of 60000 = 3600; bonus
///   60000 × 10 % × 1.1 × 1.5 = 9900; 3 days.
/// - Bob: compa-ratio 1.133 (top band), rating 4: 3 % of 68000 = 2040, of which 2000 up to
///   the range's 70000 and 40 as a lump sum; bonus 68000 × 10 % × 1.1 × 1.2 = 8976; 1 day.
/// - Lea: compa-ratio 0.867 (lowest band), rating 3: 3 % = 1560; bonus 5720.
/// - Dave: compa-ratio 0.833, rating 3: 3 % = 1500; bonus 5500.
/// - Carol left on 2027-06-30 (181 of 365 days): no raise, no days off; bonus
///   40000 × 10 % × 1.1 × 1.2 × 181/365 = 2618.3013… → 2618.30.
/// - Mia: no grade (middle band), rating 4: 4 % of 90000 = 3600; bonus
///   90000 × 15 % × 1.1 × 1.2 = 17820; 1 day.
/// - Cleo and Otto have no pay recorded; Hank (HR) has no rating.
pub const EXPECTED: &[(&str, &str, &str)] = &[
    ("alice@t.io", "MERIT_INCREASE", "3600.00"),
    ("alice@t.io", "BONUS", "9900.00"),
    ("alice@t.io", "PTO", "3"),
    ("bob@t.io", "MERIT_INCREASE", "2000.00"),
    ("bob@t.io", "LUMP_SUM", "40.00"),
    ("bob@t.io", "BONUS", "8976.00"),
    ("bob@t.io", "PTO", "1"),
    ("lead@t.io", "MERIT_INCREASE", "1560.00"),
    ("lead@t.io", "BONUS", "5720.00"),
    ("dave@t.io", "MERIT_INCREASE", "1500.00"),
    ("dave@t.io", "BONUS", "5500.00"),
    ("carol@t.io", "BONUS", "2618.30"),
    ("mgr@t.io", "MERIT_INCREASE", "3600.00"),
    ("mgr@t.io", "BONUS", "17820.00"),
    ("mgr@t.io", "PTO", "1"),
];

impl TestApp {
    /// The id of the employee with `email`, as a string.
    pub async fn id_of(&self, email: &str) -> String {
        self.employee(email).await.id.to_string()
    }

    /// Calibrates and releases the fixture's ratings in `round` (closed by then).
    async fn rate(&self, org: &Org, round: &str) {
        for (email, rating) in RATINGS {
            let id = self.id_of(email).await;
            self.gql(
                Some(&org.hr),
                "mutation($i: CalibrateRatingInput!) { calibrateRating(input: $i) { finalRating } }",
                json!({ "i": { "roundId": round, "employeeId": id, "rating": rating, "reason": "Fixture" } }),
            )
            .await
            .data();
        }
        self.gql(
            Some(&org.hr),
            "mutation($i: ReleaseRatingsInput!) { releaseRatings(input: $i) { status } }",
            json!({ "i": { "roundId": round } }),
        )
        .await
        .data();
        self.run_jobs().await;
    }

    /// Pay grade G1 (EUR 50000–60000–70000) and everyone's pay from [`PAY`].
    pub async fn pay(&self, hr: &str) {
        let r = self
            .gql(
                Some(hr),
                "mutation { setPayGrade(input: { code: \"G1\", name: \"Engineer\", currency: \"EUR\", rangeMin: \"50000\", rangeMid: \"60000\", rangeMax: \"70000\" }) { id } }",
                json!({}),
            )
            .await;
        let grade = r.data()["setPayGrade"]["id"].clone();
        for (email, salary, pct, graded) in PAY {
            let id = self.id_of(email).await;
            let mut input = json!({ "employeeId": id, "effectiveOn": "2026-01-01",
                "baseSalary": salary, "currency": "EUR", "bonusTargetPct": pct });
            if graded {
                input["payGradeId"] = grade.clone();
            }
            self.gql(
                Some(hr),
                "mutation($i: SetCompensationInput!) { setCompensation(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await
            .data();
        }
    }

    /// The standard organisation after its annual review: ratings released, pay recorded,
    /// Carol gone on 2027-06-30, the cycle in CALIBRATION and the clock at 2027-12-23.
    /// No policy yet (moving to REWARDING with one starts a run).
    pub async fn reward_setup(&self) -> RewardSetup {
        let s = self.review_setup(json!({})).await;
        let org = s.org;
        self.scan_check_ins("2027-12-23T12:00:00Z").await;
        self.run_jobs().await;
        self.rate(&org, &s.round).await;
        self.pay(&org.hr).await;
        let carol = self.id_of("carol@t.io").await;
        self.gql(
            Some(&org.hr),
            "mutation($id: ID!) { deactivateEmployee(input: { id: $id, leftOn: \"2027-06-30\" }) { leftOn } }",
            json!({ "id": carol }),
        )
        .await
        .data();
        self.clock.set(at("2027-12-23T15:00:00Z"));
        self.advance_cycle(&org.hr, &s.cycle, "REVIEW").await;
        self.advance_cycle(&org.hr, &s.cycle, "CALIBRATION").await;
        RewardSetup {
            org,
            cycle: s.cycle,
            round: s.round,
        }
    }

    /// Sets `policy` on `cycle` as HR.
    pub async fn set_policy(&self, hr: &str, cycle: &str, policy: Value) {
        self.gql(Some(hr), SET_POLICY, json!({ "c": cycle, "p": policy }))
            .await
            .data();
    }

    /// Starts a run (as `token`) and returns its id.
    pub async fn start_run(&self, token: &str, cycle: &str, preview: bool) -> String {
        let r = self
            .gql(
                Some(token),
                START_RUN,
                json!({ "i": { "cycleId": cycle, "preview": preview } }),
            )
            .await;
        r.data()["startRewardRun"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A run as HR sees it.
    pub async fn reward_run(&self, hr: &str, id: &str) -> Value {
        let r = self.gql(Some(hr), RUN, json!({ "id": id })).await;
        r.data()["rewardRun"].clone()
    }

    /// The rewards `token` may see with `filter`, as (e-mail, kind, amount, status).
    pub async fn rewards_seen(
        &self,
        token: &str,
        filter: Value,
    ) -> Vec<(String, String, String, String)> {
        let r = self.gql(Some(token), REWARDS, json!({ "f": filter })).await;
        let mut out: Vec<_> = r.data()["rewards"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["employee"]["email"].as_str().unwrap().to_owned(),
                    n["kind"].as_str().unwrap().to_owned(),
                    n["amount"].as_str().unwrap().to_owned(),
                    n["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        out.sort();
        out
    }
}

/// [`EXPECTED`] as sorted (e-mail, kind, amount) triples.
pub fn expected() -> Vec<(String, String, String)> {
    let mut out: Vec<_> = EXPECTED
        .iter()
        .map(|(e, k, a)| ((*e).to_owned(), (*k).to_owned(), (*a).to_owned()))
        .collect();
    out.sort();
    out
}

/// A run's rewards as (employee, kind, proposed amount, amount), sorted: two runs over the
/// same inputs compare equal.
pub async fn run_results(app: &TestApp, run: &str) -> Vec<(String, String, String, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let run: uuid::Uuid = run.parse().unwrap();
    let lines = entity::reward_line::Entity::find()
        .filter(entity::reward_line::Column::RunId.eq(run))
        .all(&app.ctx.db)
        .await
        .unwrap();
    let mut rows: Vec<_> = domain::reward::lines::expand(&app.ctx.db, &lines)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.employee_id.to_string(),
                r.kind.to_string(),
                r.proposed_amount.to_string(),
                r.amount.to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}
