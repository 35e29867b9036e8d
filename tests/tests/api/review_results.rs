//! What reviews add up to: the anonymity rules on PEER and UPWARD answers (threshold, text,
//! order, counts, errors, events, HR's setting), the round closing (expiry, the versioned
//! score), calibration statistics, release and acknowledgement.

use perfcycle_tests::reviews::{ReviewSetup, UPDATE_ROUND};
use perfcycle_tests::{Gql, TestApp, at, goal_input, spawn_app};
use serde_json::{Value, json};

const SUMMARY: &str = "query($r: ID!, $e: ID!) { reviewSummary(roundId: $r, employeeId: $e) {
    released
    selfReview { overallRating reviewer { email } }
    managerReview { overallRating potential answers { questionKey text } }
    peer { shown threshold submitted overall { mean count distribution { point count } }
           questions { question { key } shown count mean comments } }
    upward { shown submitted questions { question { key } comments } }
    rating { score scoreVersion proposedRating finalRating potential calibrationReason
             components { kind value weight appliedWeight missing { reason threshold } } } } }";
const REVIEW: &str = "query($id: ID!) { review(id: $id) { id } }";
const CALIBRATION: &str = "query($r: ID!, $d: ID) { calibration(roundId: $r, departmentId: $d) {
    overall { rated unrated buckets { rating count share targetShare } }
    byManager { manager { email } distribution { rated } }
    leniency { manager { email } ratings mean zScore }
    organisationMean organisationStdDev
    selfGaps { employee { email } gap } meanSelfGap
    nineBox { performance potential count } unboxed } }";
const CALIBRATE: &str = "mutation($i: CalibrateRatingInput!) { calibrateRating(input: $i) { finalRating proposedRating } }";
const RELEASE: &str = "mutation($i: ReleaseRatingsInput!) { releaseRatings(input: $i) { status } }";
const ACKNOWLEDGE: &str = "mutation($i: AcknowledgeRatingInput!) { acknowledgeRating(input: $i) { acknowledgedAt acknowledgement } }";

async fn id(app: &TestApp, email: &str) -> String {
    app.employee(email).await.id.to_string()
}

/// Alice's peers Bob, Lea and Dave approved by Mia.
async fn with_peers(app: &TestApp, s: &ReviewSetup) {
    let peers = [
        id(app, "bob@t.io").await,
        id(app, "lead@t.io").await,
        id(app, "dave@t.io").await,
    ];
    app.approve_peers(&s.org.mgr, &s.round, id(app, "alice@t.io").await, &peers)
        .await;
}

async fn summary(app: &TestApp, token: &str, s: &ReviewSetup, email: &str) -> Gql {
    app.gql(
        Some(token),
        SUMMARY,
        json!({ "r": s.round, "e": id(app, email).await }),
    )
    .await
}

/// Closes the round (its last day has ended everywhere) and runs the close job.
async fn close(app: &TestApp) {
    let report = app.scan_check_ins("2027-12-23T12:00:00Z").await;
    assert_eq!(report.rounds_closing, 1);
    assert_eq!(app.run_jobs().await, 1);
}

async fn peer(app: &TestApp, s: &ReviewSetup, token: &str, rating: i64, text: Option<&str>) {
    let review = app.review_id(token, &s.round, "PEER", "alice@t.io").await;
    app.submit_review(token, &review, rating, text, false)
        .await
        .data();
}

#[tokio::test(flavor = "multi_thread")]
async fn peer_answers_show_only_pooled_and_only_from_the_threshold_on() {
    let app = spawn_app().await;
    let s = app.review_setup(json!({})).await;
    let org = &s.org;
    with_peers(&app, &s).await;
    // Submitted in reverse alphabetical order of their comments.
    peer(&app, &s, &org.bob, 5, Some("Zeal")).await;
    peer(&app, &s, &org.lead, 3, Some("Asks good questions")).await;

    // Two of three: nothing of the kind is shown, not even how many there are.
    for token in [&org.mgr, &org.ceo, &org.hr] {
        let r = summary(&app, token, &s, "alice@t.io").await;
        let p = &r.data()["reviewSummary"]["peer"];
        assert_eq!(p["shown"], false, "{}", r.body);
        assert!(p["submitted"].is_null() && p["overall"].is_null());
        assert_eq!(p["questions"], json!([]));
        assert!(!r.body.to_string().contains("Zeal"));
    }
    peer(&app, &s, &org.dave, 4, None).await;
    // Three of three, but the round is open: two looks must never differ by one answer.
    let r = summary(&app, &org.mgr, &s, "alice@t.io").await;
    assert_eq!(r.data()["reviewSummary"]["peer"]["shown"], false);
    close(&app).await;
    let r = summary(&app, &org.mgr, &s, "alice@t.io").await;
    let p = &r.data()["reviewSummary"]["peer"];
    assert_eq!(
        (p["shown"].clone(), p["submitted"].clone()),
        (json!(true), json!(3))
    );

    assert_eq!(p["overall"]["mean"], "4.00");
    let distribution: Vec<(i64, i64)> = p["overall"]["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["point"].as_i64().unwrap(), d["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(distribution, [(1, 0), (2, 0), (3, 1), (4, 1), (5, 1)]);
    let q2 = &p["questions"][1];
    assert_eq!(q2["question"]["key"], "q2");
    // Sorted by their own text, not by when or by whom they were written.
    assert_eq!(q2["comments"], json!(["Asks good questions", "Zeal"]));
    // Nowhere a name, an id or a time of a peer review.
    let body = r.body.to_string();
    for who in ["bob@t.io", "lead@t.io", "dave@t.io", "Bob", "Lea", "Dave"] {
        assert!(!body.contains(who), "{who} leaks in {body}");
    }

    // Alice, before her rating is released, sees only her own self review.
    let r = summary(&app, &org.alice, &s, "alice@t.io").await;
    let mine = &r.data()["reviewSummary"];
    assert_eq!(mine["released"], false);
    assert_eq!(mine["peer"]["shown"], false);
    assert!(mine["managerReview"].is_null() && mine["rating"].is_null());
    // Colleagues who are not her managers see nothing at all.
    summary(&app, &org.carol, &s, "alice@t.io")
        .await
        .assert_error("NOT_FOUND", None);
    summary(&app, &org.bob, &s, "alice@t.io")
        .await
        .assert_error("NOT_FOUND", None);

    // A peer review is invisible to everyone but its author, with the error a missing one
    // gets.
    let review = app
        .review_id(&org.bob, &s.round, "PEER", "alice@t.io")
        .await;
    let missing = app
        .gql(
            Some(&org.mgr),
            REVIEW,
            json!({ "id": uuid::Uuid::new_v4() }),
        )
        .await;
    for token in [&org.alice, &org.mgr, &org.ceo, &org.hr, &org.lead] {
        let r = app.gql(Some(token), REVIEW, json!({ "id": review })).await;
        r.assert_error("NOT_FOUND", None);
        assert_eq!(
            r.body["errors"][0]["message"],
            missing.body["errors"][0]["message"]
        );
    }
    // No stored event names a peer reviewer.
    assert_eq!(
        app.count("domain_event WHERE kind = 'REVIEW_SUBMITTED' AND actor_id IS NOT NULL")
            .await,
        0
    );
    // HR sees who wrote what only where the round allows it, and each look is audited.
    const WHO: &str = "query($r: ID!, $e: ID!) { reviewSummary(roundId: $r, employeeId: $e) { anonymousReviews { reviewer { email } } } }";
    let alice = id(&app, "alice@t.io").await;
    app.gql(Some(&org.hr), WHO, json!({ "r": s.round, "e": alice }))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.mgr), WHO, json!({ "r": s.round, "e": alice }))
        .await
        .assert_error("FORBIDDEN", None);
    // Nor can it be granted later: the reviews were written without it.
    app.gql(
        Some(&org.hr),
        UPDATE_ROUND,
        json!({ "id": s.round, "s": { "hrSeesPeerIdentities": true } }),
    )
    .await
    .assert_error("CONFLICT", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn hr_sees_who_wrote_what_only_where_the_round_said_so_from_its_launch() {
    let app = spawn_app().await;
    let s = app
        .review_setup(json!({ "hrSeesPeerIdentities": true }))
        .await;
    let org = &s.org;
    with_peers(&app, &s).await;
    peer(&app, &s, &org.bob, 5, None).await;
    peer(&app, &s, &org.lead, 3, None).await;
    const WHO: &str = "query($r: ID!, $e: ID!) { reviewSummary(roundId: $r, employeeId: $e) { anonymousReviews { reviewer { email } } } }";
    let alice = id(&app, "alice@t.io").await;
    app.gql(Some(&org.mgr), WHO, json!({ "r": s.round, "e": alice }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app
        .gql(Some(&org.hr), WHO, json!({ "r": s.round, "e": alice }))
        .await;
    assert_eq!(
        r.data()["reviewSummary"]["anonymousReviews"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'review.identity_read'")
            .await,
        3
    );
    // HR may reopen a peer review here (audited), and its author hears.
    let bobs = app
        .review_id(&org.bob, &s.round, "PEER", "alice@t.io")
        .await;
    let r = app
        .gql(
            Some(&org.hr),
            "mutation($i: ReopenReviewInput!) { reopenReview(input: $i) { status } }",
            json!({ "i": { "id": bobs, "reason": "Answered the wrong person" } }),
        )
        .await;
    assert_eq!(r.data()["reopenReview"]["status"], "PENDING");
    // Taking the sight away is allowed; giving it back is not.
    let set = |on: bool| json!({ "id": s.round, "s": { "hrSeesPeerIdentities": on } });
    app.gql(Some(&org.hr), UPDATE_ROUND, set(false))
        .await
        .data();
    app.gql(Some(&org.hr), WHO, json!({ "r": s.round, "e": alice }))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.hr), UPDATE_ROUND, set(true))
        .await
        .assert_error("BAD_USER_INPUT", Some("hrSeesPeerIdentities"));
    // Nor may the threshold drop once reviews were written against it.
    app.gql(
        Some(&org.hr),
        UPDATE_ROUND,
        json!({ "id": s.round, "s": { "anonymityThreshold": 2 } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("anonymityThreshold"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_threshold_of_two_shows_two_but_not_to_one_of_the_two() {
    let app = spawn_app().await;
    let s = app.review_setup(json!({ "anonymityThreshold": 2 })).await;
    let org = &s.org;
    // Alice's peers: Bob, Cleo (her skip-level manager, who also sees her results) and Lea.
    let peers = [
        id(&app, "bob@t.io").await,
        id(&app, "ceo@t.io").await,
        id(&app, "lead@t.io").await,
    ];
    app.approve_peers(&org.mgr, &s.round, id(&app, "alice@t.io").await, &peers)
        .await;
    peer(&app, &s, &org.bob, 5, None).await;
    peer(&app, &s, &org.ceo, 2, None).await;
    // One of Mia's direct reports reviews her upward: one is not enough.
    let upward = app
        .review_id(&org.alice, &s.round, "UPWARD", "mgr@t.io")
        .await;
    app.submit_review(&org.alice, &upward, 4, Some("Clear priorities"), false)
        .await
        .data();
    close(&app).await;

    let r = summary(&app, &org.mgr, &s, "alice@t.io").await;
    let p = &r.data()["reviewSummary"]["peer"];
    assert_eq!(
        (p["submitted"].clone(), p["overall"]["mean"].clone()),
        (json!(2), json!("3.50"))
    );
    // q2 was answered by nobody: no comments, and the rating question shows both.
    assert_eq!(p["questions"][0]["count"], 2);
    assert_eq!(p["questions"][1]["comments"], json!([]));
    // Cleo wrote one of the two: with her own subtracted, one would be left, so she sees none.
    let r = summary(&app, &org.ceo, &s, "alice@t.io").await;
    let p = &r.data()["reviewSummary"]["peer"];
    assert_eq!(
        (p["shown"].clone(), p["threshold"].clone()),
        (json!(false), json!(3))
    );
    assert!(p["submitted"].is_null());
    for token in [&org.mgr, &org.ceo] {
        let r = summary(&app, token, &s, "mgr@t.io").await;
        let u = &r.data()["reviewSummary"]["upward"];
        assert_eq!(u["shown"], false);
        assert!(!r.body.to_string().contains("Clear priorities"));
    }
}

fn component(rating: &Value, kind: &str) -> Value {
    rating["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .cloned()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_round_is_scored_calibrated_and_released_to_each_person() {
    let app = spawn_app().await;
    let s = app.review_setup(json!({})).await;
    let org = &s.org;
    // Alice has one agreed goal, no progress yet: goal attainment 0, the scale's 1.
    app.clock.set(at("2027-03-01T12:00:00Z"));
    app.agreed_goal(
        &org.alice,
        &org.mgr,
        &s.cycle,
        goal_input(&s.cycle, json!({ "weight": 100 })),
    )
    .await;
    app.clock.set(at("2027-11-20T10:00:00Z"));
    with_peers(&app, &s).await;
    peer(&app, &s, &org.bob, 5, None).await;
    peer(&app, &s, &org.lead, 3, None).await;
    peer(&app, &s, &org.dave, 4, None).await;
    let own = app
        .review_id(&org.alice, &s.round, "SELF", "alice@t.io")
        .await;
    app.submit_review(&org.alice, &own, 4, None, false)
        .await
        .data();
    let about_alice = app
        .review_id(&org.mgr, &s.round, "MANAGER", "alice@t.io")
        .await;
    app.submit_review(&org.mgr, &about_alice, 4, Some("Reliable"), true)
        .await
        .data();
    let about_bob = app
        .review_id(&org.mgr, &s.round, "MANAGER", "bob@t.io")
        .await;
    app.submit_review(&org.mgr, &about_bob, 3, None, true)
        .await
        .data();

    let alice = id(&app, "alice@t.io").await;
    let calibrate = |rating: i64, reason: &str| json!({ "i": { "roundId": s.round, "employeeId": alice, "rating": rating, "reason": reason } });
    // Nothing is calibrated or released before the round closes.
    app.gql(Some(&org.hr), CALIBRATE, calibrate(3, "x"))
        .await
        .assert_error("CONFLICT", None);
    app.gql(
        Some(&org.hr),
        RELEASE,
        json!({ "i": { "roundId": s.round } }),
    )
    .await
    .assert_error("CONFLICT", None);

    // The round closes when its last day (the 22nd) has ended everywhere: noon UTC after.
    let report = app.scan_check_ins("2027-12-23T11:59:00Z").await;
    assert_eq!(report.rounds_closing, 0);
    let report = app.scan_check_ins("2027-12-23T12:00:00Z").await;
    assert_eq!(report.rounds_closing, 1);
    assert_eq!(app.run_jobs().await, 1);
    let r = app
        .gql(Some(&org.hr), "query($id: ID!) { reviewRound(id: $id) { status expired closing { status processed total } } }", json!({ "id": s.round }))
        .await;
    let round = &r.data()["reviewRound"];
    assert_eq!(round["status"], "CLOSED");
    // 9 SELF + 8 MANAGER + 8 UPWARD + 3 PEER, of which 6 were submitted.
    assert_eq!(round["expired"], 22);
    assert_eq!(round["closing"]["processed"], 9);
    // Expired reviews are closed to their authors.
    let late = app.review_id(&org.bob, &s.round, "SELF", "bob@t.io").await;
    app.submit_review(&org.bob, &late, 3, None, false)
        .await
        .assert_error("CONFLICT", None);

    // Alice: goals 1 (weight 50), manager 4 (40), peers 4 (10), self 4 (weight 0):
    // (50·1 + 40·4 + 10·4) / 100 = 2.50, proposed 2 (half to even).
    let r = summary(&app, &org.hr, &s, "alice@t.io").await;
    let rating = &r.data()["reviewSummary"]["rating"];
    assert_eq!(
        (rating["score"].clone(), rating["proposedRating"].clone()),
        (json!("2.50"), json!(2))
    );
    assert_eq!(rating["scoreVersion"], "score-v1");
    assert_eq!(rating["potential"], "MEDIUM");
    assert_eq!(component(rating, "GOALS")["value"], "1.00");
    assert_eq!(component(rating, "PEER")["value"], "4.00");
    assert_eq!(component(rating, "SELF")["appliedWeight"], "0.0000");
    // Bob: no goals and no peers; the manager's 3 carries the whole weight.
    let r = summary(&app, &org.mgr, &s, "bob@t.io").await;
    let rating = &r.data()["reviewSummary"]["rating"];
    assert_eq!(rating["score"], "3.00");
    assert_eq!(component(rating, "GOALS")["missing"]["reason"], "NO_GOALS");
    assert_eq!(
        component(rating, "PEER")["missing"],
        json!({ "reason": "TOO_FEW_PEER_REVIEWS", "threshold": 3 })
    );
    assert_eq!(component(rating, "MANAGER")["appliedWeight"], "1.0000");

    // HR reopens Mia's expired review of Lea; Mia submits it late and Lea is scored again.
    let about_lead = app
        .review_id(&org.mgr, &s.round, "MANAGER", "lead@t.io")
        .await;
    app.gql(
        Some(&org.hr),
        "mutation($i: ReopenReviewInput!) { reopenReview(input: $i) { status } }",
        json!({ "i": { "id": about_lead, "reason": "Mia was on leave" } }),
    )
    .await
    .data();
    app.submit_review(&org.mgr, &about_lead, 5, None, true)
        .await
        .data();
    let r = summary(&app, &org.hr, &s, "lead@t.io").await;
    assert_eq!(r.data()["reviewSummary"]["rating"]["score"], "5.00");

    // Calibration statistics against hand-computed values: Mia rated Alice 4, Bob 3, Lea 5:
    // mean 4, the organisation's too, population standard deviation √(2/3) = 0.82, z 0.
    app.gql(Some(&org.mgr), CALIBRATION, json!({ "r": s.round }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app
        .gql(Some(&org.hr), CALIBRATION, json!({ "r": s.round }))
        .await;
    let c = &r.data()["calibration"];
    assert_eq!(
        (
            c["overall"]["rated"].clone(),
            c["overall"]["unrated"].clone()
        ),
        (json!(3), json!(6))
    );
    let buckets: Vec<i64> = c["overall"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_i64().unwrap())
        .collect();
    assert_eq!(buckets, [0, 1, 1, 0, 1]);
    assert_eq!(c["organisationMean"], "4.00");
    assert_eq!(c["organisationStdDev"], "0.82");
    assert_eq!(c["leniency"][0]["manager"]["email"], "mgr@t.io");
    assert_eq!(
        (
            c["leniency"][0]["mean"].clone(),
            c["leniency"][0]["zScore"].clone()
        ),
        (json!("4.00"), json!("0.00"))
    );
    assert_eq!(
        c["selfGaps"],
        json!([{ "employee": { "email": "alice@t.io" }, "gap": "0.00" }])
    );
    let boxed: i64 = c["nineBox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_i64().unwrap())
        .sum();
    assert_eq!((boxed, c["unboxed"].as_i64().unwrap()), (3, 6));

    // HR calibrates Alice to 3, with a reason; the reason is required and audited.
    for (input, code, field) in [
        (calibrate(3, " "), "BAD_USER_INPUT", Some("reason")),
        (calibrate(6, "too high"), "BAD_USER_INPUT", Some("rating")),
    ] {
        app.gql(Some(&org.hr), CALIBRATE, input)
            .await
            .assert_error(code, field);
    }
    app.gql(Some(&org.mgr), CALIBRATE, calibrate(3, "x"))
        .await
        .assert_error("FORBIDDEN", None);
    // An HR admin's own rating is another HR admin's to calibrate.
    let hr = id(&app, "hr@t.io").await;
    app.gql(
        Some(&org.hr),
        CALIBRATE,
        json!({ "i": { "roundId": s.round, "employeeId": hr, "rating": 5, "reason": "Mine" } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    let r = app
        .gql(Some(&org.hr), CALIBRATE, calibrate(3, "Led the migration"))
        .await;
    assert_eq!(r.data()["calibrateRating"]["finalRating"], 3);
    assert_eq!(
        app.count("audit_log WHERE action = 'review_rating.calibrate'")
            .await,
        1
    );

    // Release: HR only; until then Alice sees nothing and cannot acknowledge.
    app.gql(
        Some(&org.alice),
        ACKNOWLEDGE,
        json!({ "i": { "roundId": s.round } }),
    )
    .await
    .assert_error("NOT_FOUND", None);
    app.gql(
        Some(&org.mgr),
        RELEASE,
        json!({ "i": { "roundId": s.round } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    let r = app
        .gql(
            Some(&org.hr),
            RELEASE,
            json!({ "i": { "roundId": s.round } }),
        )
        .await;
    assert_eq!(r.data()["releaseRatings"]["status"], "QUEUED");
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(
        app.count("email_outbox WHERE dedupe_key LIKE 'rating-released:%'")
            .await,
        9
    );
    let r = summary(&app, &org.alice, &s, "alice@t.io").await;
    let mine = &r.data()["reviewSummary"];
    assert_eq!(mine["released"], true);
    assert_eq!(mine["rating"]["finalRating"], 3);
    assert!(mine["rating"]["calibrationReason"].is_null());
    assert_eq!(mine["managerReview"]["answers"][1]["text"], "Reliable");
    assert_eq!(mine["peer"]["submitted"], 3);
    app.gql(Some(&org.hr), CALIBRATE, calibrate(4, "after all"))
        .await
        .assert_error("CONFLICT", None);

    let r = app
        .gql(
            Some(&org.alice),
            ACKNOWLEDGE,
            json!({ "i": { "roundId": s.round, "comment": "Fair" } }),
        )
        .await;
    assert_eq!(r.data()["acknowledgeRating"]["acknowledgement"], "Fair");
    app.gql(
        Some(&org.alice),
        ACKNOWLEDGE,
        json!({ "i": { "roundId": s.round } }),
    )
    .await
    .assert_error("CONFLICT", None);
    assert_eq!(
        app.count("email_outbox WHERE dedupe_key LIKE 'rating-acknowledged:%'")
            .await,
        1
    );
}
