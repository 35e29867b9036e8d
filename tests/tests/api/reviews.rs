//! Review rounds: templates and settings, the launch job (progress, idempotency,
//! eligibility), peer nomination and approval, writing, declining and reopening reviews.

use perfcycle_tests::reviews::{CREATE_TEMPLATE, LAUNCH, MY_REVIEWS, UPDATE_ROUND, template_input};
use perfcycle_tests::{at, spawn_app};
use serde_json::json;

const ROUND: &str = "query($id: ID!) { reviewRound(id: $id) { status
    launch { status processed total } progress { kind status count } } }";
const NOMINATE: &str =
    "mutation($i: NominatePeersInput!) { nominatePeers(input: $i) { peer { email } status } }";
const APPROVE: &str = "mutation($i: ApprovePeersInput!) { approvePeers(input: $i) { peer { email } status nominatedBy { email } } }";
const NOMINATIONS: &str = "query($r: ID!, $e: ID!) { peerNominations(roundId: $r, employeeId: $e) { peer { email } status } }";
const SAVE: &str = "mutation($i: SaveReviewInput!) { saveReview(input: $i) { id status overallRating answers { questionKey rating text } } }";
const DECLINE: &str =
    "mutation($i: DeclineReviewInput!) { declineReview(input: $i) { id status declineReason } }";
const REOPEN: &str = "mutation($i: ReopenReviewInput!) { reopenReview(input: $i) { id status } }";
const REVIEW: &str = "query($id: ID!) { review(id: $id) { id kind status reviewer { email } } }";

fn counts(progress: &serde_json::Value) -> Vec<(String, String, i64)> {
    let mut v: Vec<_> = progress
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["count"].as_i64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn templates_and_round_settings_refuse_what_they_cannot_hold() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let mut bad = template_input();
    app.gql(Some(&org.mgr), CREATE_TEMPLATE, json!({ "i": bad.clone() }))
        .await
        .assert_error("FORBIDDEN", None);
    bad["scaleLabels"] = json!(["Low", "High"]);
    app.gql(Some(&org.hr), CREATE_TEMPLATE, json!({ "i": bad }))
        .await
        .assert_error("BAD_USER_INPUT", Some("scaleLabels"));
    let mut bad = template_input();
    bad["questions"][1]["kind"] = json!("COMPETENCY");
    app.gql(Some(&org.hr), CREATE_TEMPLATE, json!({ "i": bad.clone() }))
        .await
        .assert_error("BAD_USER_INPUT", Some("questions[1].skillId"));
    bad["questions"][1]["skillId"] = json!(uuid::Uuid::new_v4());
    app.gql(Some(&org.hr), CREATE_TEMPLATE, json!({ "i": bad }))
        .await
        .assert_error("BAD_USER_INPUT", Some("questions[1].skillId"));
    let mut bad = template_input();
    bad["questions"][0]["kinds"] = json!([]);
    app.gql(Some(&org.hr), CREATE_TEMPLATE, json!({ "i": bad }))
        .await
        .assert_error("BAD_USER_INPUT", Some("questions[0].kinds"));

    let template = app.review_template(&org.hr).await;
    let round = app.annual_round(&org.mgr, &cycle).await;
    for (settings, field) in [
        (json!({ "anonymityThreshold": 1 }), "anonymityThreshold"),
        (json!({ "peerMin": 4, "peerMax": 3 }), "peerMax"),
        (
            json!({ "weights": { "goals": 0, "manager": 0, "peer": 0, "self": 0 } }),
            "weights",
        ),
        (json!({ "weights": { "goals": 101 } }), "weights.goals"),
        (
            json!({ "targetDistribution": [{ "rating": 3, "share": "0.5" }] }),
            "targetDistribution",
        ),
        (json!({ "dueOn": "2027-11-01" }), "dueOn"),
        (json!({ "closesOn": "2027-12-01" }), "closesOn"),
        (
            json!({ "escalateManagerAfterDays": 5, "escalateHrAfterDays": 5 }),
            "escalateHrAfterDays",
        ),
        (json!({ "templateId": uuid::Uuid::new_v4() }), "templateId"),
    ] {
        app.gql(
            Some(&org.hr),
            UPDATE_ROUND,
            json!({ "id": round, "s": settings }),
        )
        .await
        .assert_error("BAD_USER_INPUT", Some(field));
    }
    app.gql(
        Some(&org.mgr),
        UPDATE_ROUND,
        json!({ "id": round, "s": { "peerMin": 2 } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    // Launching needs a template first.
    app.gql(Some(&org.hr), LAUNCH, json!({ "r": round }))
        .await
        .assert_error("CONFLICT", None);

    // The annual round's window is the cycle's review window, both ways.
    let r = app
        .gql(
            Some(&org.hr),
            UPDATE_ROUND,
            json!({ "id": round, "s": { "templateId": template, "dueOn": "2027-12-10" } }),
        )
        .await;
    assert_eq!(r.data()["updateReviewRound"]["closesOn"], "2027-12-17");
    let r = app
        .gql(
            Some(&org.hr),
            "query($id: ID!) { cycle(id: $id) { reviewDueOn } }",
            json!({ "id": cycle }),
        )
        .await;
    assert_eq!(r.data()["cycle"]["reviewDueOn"], "2027-12-10");

    // A midyear round is added once; its window must be given.
    const MIDYEAR: &str = "mutation($c: ID!, $s: ReviewRoundSettingsInput!) { createReviewRound(cycleId: $c, settings: $s) { kind status closesOn } }";
    app.gql(
        Some(&org.hr),
        MIDYEAR,
        json!({ "c": cycle, "s": { "opensOn": "2027-06-01" } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("dueOn"));
    let r = app
        .gql(
            Some(&org.hr),
            MIDYEAR,
            json!({ "c": cycle, "s": { "opensOn": "2027-06-01", "dueOn": "2027-06-20", "templateId": template } }),
        )
        .await;
    assert_eq!(r.data()["createReviewRound"]["closesOn"], "2027-06-27");
    app.gql(
        Some(&org.hr),
        MIDYEAR,
        json!({ "c": cycle, "s": { "opensOn": "2027-06-01", "dueOn": "2027-06-20" } }),
    )
    .await
    .assert_error("CONFLICT", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_launch_creates_each_review_once_and_reports_its_progress() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let template = app.review_template(&org.hr).await;
    let round = app.annual_round(&org.hr, &cycle).await;
    // Dave (hired 2020) and Carol (2021) are not eligible.
    app.gql(
        Some(&org.hr),
        UPDATE_ROUND,
        json!({ "id": round, "s": { "templateId": template, "hiredOnOrBefore": "2019-12-31" } }),
    )
    .await
    .data();
    app.gql(Some(&org.mgr), LAUNCH, json!({ "r": round }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app.gql(Some(&org.hr), LAUNCH, json!({ "r": round })).await;
    assert_eq!(r.data()["launchReviews"]["status"], "LAUNCHED");
    assert_eq!(r.data()["launchReviews"]["launch"]["status"], "QUEUED");
    // Asked again while queued: the same job.
    app.gql(Some(&org.hr), LAUNCH, json!({ "r": round }))
        .await
        .data();
    assert_eq!(app.count("background_job").await, 1);
    assert_eq!(app.run_jobs().await, 1);

    let r = app.gql(Some(&org.hr), ROUND, json!({ "id": round })).await;
    let launch = &r.data()["reviewRound"]["launch"];
    assert_eq!(launch["status"], "DONE");
    assert_eq!(
        (launch["processed"].as_i64(), launch["total"].as_i64()),
        (Some(7), Some(7))
    );
    // 7 SELF; 6 MANAGER and 6 UPWARD (everyone but the CEO has a manager).
    let expected = vec![
        ("MANAGER".to_owned(), "PENDING".to_owned(), 6),
        ("SELF".to_owned(), "PENDING".to_owned(), 7),
        ("UPWARD".to_owned(), "PENDING".to_owned(), 6),
    ];
    assert_eq!(counts(&r.data()["reviewRound"]["progress"]), expected);
    // Nobody but HR sees the launch or the counts.
    let r = app.gql(Some(&org.mgr), ROUND, json!({ "id": round })).await;
    assert_eq!(r.data()["reviewRound"]["status"], "LAUNCHED");
    assert!(r.data()["reviewRound"]["launch"].is_null());
    assert!(r.data()["reviewRound"]["progress"].is_null());

    // Eligibility is fixed once launched; launched again after it finished, it creates nothing
    // new.
    app.gql(
        Some(&org.hr),
        UPDATE_ROUND,
        json!({ "id": round, "s": { "hiredOnOrBefore": null } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("hiredOnOrBefore"));
    app.gql(Some(&org.hr), LAUNCH, json!({ "r": round }))
        .await
        .data();
    app.run_jobs().await;
    let r = app.gql(Some(&org.hr), ROUND, json!({ "id": round })).await;
    assert_eq!(counts(&r.data()["reviewRound"]["progress"]), expected);
    assert_eq!(app.count("review").await, 19);
    assert_eq!(
        app.count("domain_event WHERE kind = 'REVIEWS_LAUNCHED'")
            .await,
        2
    );

    // Each person sees their own reviews to write: Mia writes her self review, a manager
    // review of each eligible report, and an upward review of the CEO.
    let r = app
        .gql(Some(&org.mgr), MY_REVIEWS, json!({ "r": round }))
        .await;
    assert_eq!(r.data()["myReviews"]["totalCount"], 5, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn peers_are_nominated_by_the_reviewee_and_approved_by_their_manager() {
    let app = spawn_app().await;
    let s = app.review_setup(json!({})).await;
    let (org, round) = (&s.org, &s.round);
    let id = |email: &str| {
        let app = &app;
        let email = email.to_owned();
        async move { app.employee(&email).await.id.to_string() }
    };
    let (alice, bob, lead, carol, dave, mgr) = (
        id("alice@t.io").await,
        id("bob@t.io").await,
        id("lead@t.io").await,
        id("carol@t.io").await,
        id("dave@t.io").await,
        id("mgr@t.io").await,
    );
    let nominate = |peers: Vec<&str>| json!({ "i": { "roundId": round, "peerIds": peers } });
    app.gql(Some(&org.alice), NOMINATE, nominate(vec![&bob, &lead]))
        .await
        .assert_error("BAD_USER_INPUT", Some("peerIds"));
    app.gql(
        Some(&org.alice),
        NOMINATE,
        nominate(vec![&bob, &lead, &alice]),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("peerIds[2]"));
    app.gql(
        Some(&org.alice),
        NOMINATE,
        nominate(vec![&bob, &mgr, &lead]),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("peerIds[1]"));
    app.gql(
        Some(&org.alice),
        NOMINATE,
        nominate(vec![&bob, &bob, &lead]),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("peerIds[1]"));
    let nobody = uuid::Uuid::new_v4().to_string();
    app.gql(
        Some(&org.alice),
        NOMINATE,
        nominate(vec![&bob, &lead, &nobody]),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("peerIds[2]"));
    // Nominating again replaces the list.
    app.gql(
        Some(&org.alice),
        NOMINATE,
        nominate(vec![&bob, &lead, &dave]),
    )
    .await
    .data();
    let r = app
        .gql(
            Some(&org.alice),
            NOMINATE,
            nominate(vec![&bob, &lead, &carol]),
        )
        .await;
    assert_eq!(r.data()["nominatePeers"].as_array().unwrap().len(), 3);
    assert_eq!(
        app.count("email_outbox WHERE template = 'review'").await,
        2,
        "Mia hears each time"
    );

    let approve = |peers: Vec<&str>| json!({ "i": { "roundId": round, "employeeId": alice, "peerIds": peers } });
    app.gql(Some(&org.bob), APPROVE, approve(vec![&bob, &lead, &dave]))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.alice), APPROVE, approve(vec![&bob, &lead, &dave]))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.other), APPROVE, approve(vec![&bob, &lead, &dave]))
        .await
        .assert_error("FORBIDDEN", None);
    // Mia keeps Bob and Lea and puts Dave in Carol's place.
    let r = app
        .gql(Some(&org.mgr), APPROVE, approve(vec![&bob, &lead, &dave]))
        .await;
    let mut list: Vec<(String, String)> = r.data()["approvePeers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["peer"]["email"].as_str().unwrap().to_owned(),
                n["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    list.sort();
    assert_eq!(
        list,
        [
            ("bob@t.io", "APPROVED"),
            ("carol@t.io", "REJECTED"),
            ("dave@t.io", "APPROVED"),
            ("lead@t.io", "APPROVED")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    app.gql(Some(&org.mgr), APPROVE, approve(vec![&bob, &lead, &dave]))
        .await
        .assert_error("CONFLICT", None);
    app.gql(
        Some(&org.alice),
        NOMINATE,
        nominate(vec![&bob, &lead, &carol]),
    )
    .await
    .assert_error("CONFLICT", None);
    // Each approved peer has a PEER review of Alice to write, and an e-mail saying so.
    for token in [&org.bob, &org.lead, &org.dave] {
        app.review_id(token, round, "PEER", "alice@t.io").await;
    }
    assert_eq!(app.count("review WHERE kind = 'PEER'").await, 3);
    assert_eq!(
        app.count("email_outbox WHERE dedupe_key LIKE 'peer-review:%'")
            .await,
        3
    );
    // Alice, Mia and HR see the nominations; Carol does not.
    let r = app
        .gql(
            Some(&org.alice),
            NOMINATIONS,
            json!({ "r": round, "e": alice }),
        )
        .await;
    assert_eq!(r.data()["peerNominations"].as_array().unwrap().len(), 4);
    app.gql(
        Some(&org.carol),
        NOMINATIONS,
        json!({ "r": round, "e": alice }),
    )
    .await
    .assert_error("NOT_FOUND", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn reviews_are_written_by_their_author_and_submitted_once() {
    let app = spawn_app().await;
    let s = app.review_setup(json!({})).await;
    let (org, round) = (&s.org, &s.round);
    let own = app.review_id(&org.alice, round, "SELF", "alice@t.io").await;
    let save = |draft: serde_json::Value| json!({ "i": { "id": own, "draft": draft } });
    for (draft, field) in [
        (
            json!({ "answers": [{ "questionKey": "q9", "rating": 3 }] }),
            "answers[0].questionKey",
        ),
        (
            json!({ "answers": [{ "questionKey": "q1", "rating": 6 }] }),
            "answers[0].rating",
        ),
        (
            json!({ "answers": [{ "questionKey": "q1", "text": "great" }] }),
            "answers[0].text",
        ),
        (
            json!({ "answers": [{ "questionKey": "q2", "rating": 3 }] }),
            "answers[0].rating",
        ),
        (
            json!({ "answers": [{ "questionKey": "q1", "rating": 3 }, { "questionKey": "q1", "rating": 4 }] }),
            "answers[1].questionKey",
        ),
        (json!({ "overallRating": 0 }), "overallRating"),
        (json!({ "potential": "HIGH" }), "potential"),
    ] {
        app.gql(Some(&org.alice), SAVE, save(draft))
            .await
            .assert_error("BAD_USER_INPUT", Some(field));
    }
    // Only its author writes it: others who cannot read it hear it does not exist.
    app.gql(Some(&org.bob), SAVE, save(json!({})))
        .await
        .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.hr), SAVE, save(json!({})))
        .await
        .assert_error("NOT_FOUND", None);
    let r = app
        .gql(
            Some(&org.alice),
            SAVE,
            save(json!({ "answers": [{ "questionKey": "q2", "text": "  Pairing  " }] })),
        )
        .await;
    assert_eq!(r.data()["saveReview"]["answers"][0]["text"], "Pairing");
    // Not before the window opens.
    app.clock.set(at("2027-11-14T10:00:00Z"));
    app.gql(Some(&org.alice), SAVE, save(json!({})))
        .await
        .assert_error("CONFLICT", None);
    app.clock.set(at("2027-11-20T10:00:00Z"));
    // Submitting needs every required answer and an overall rating.
    app.gql(
        Some(&org.alice),
        perfcycle_tests::reviews::SUBMIT,
        json!({ "i": { "id": own } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("answers"));
    let r = app.submit_review(&org.alice, &own, 4, None, false).await;
    assert_eq!(r.data()["submitReview"]["status"], "SUBMITTED");
    app.gql(Some(&org.alice), SAVE, save(json!({})))
        .await
        .assert_error("CONFLICT", None);
    // Her manager reads the submitted self review, and may not write it.
    let r = app.gql(Some(&org.mgr), REVIEW, json!({ "id": own })).await;
    assert_eq!(r.data()["review"]["reviewer"]["email"], "alice@t.io");
    app.gql(Some(&org.mgr), SAVE, save(json!({})))
        .await
        .assert_error("FORBIDDEN", None);

    // A manager review needs potential.
    let about_bob = app.review_id(&org.mgr, round, "MANAGER", "bob@t.io").await;
    app.gql(
        Some(&org.mgr),
        perfcycle_tests::reviews::SUBMIT,
        json!({ "i": { "id": about_bob, "draft": { "answers": [{ "questionKey": "q1", "rating": 3 }], "overallRating": 3 } } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("potential"));
    // Only a peer review can be declined, with a reason.
    app.gql(
        Some(&org.mgr),
        DECLINE,
        json!({ "i": { "id": about_bob, "reason": "busy" } }),
    )
    .await
    .assert_error("CONFLICT", None);

    // HR reopens a submitted review, saying why; it is audited and Alice hears.
    app.gql(
        Some(&org.mgr),
        REOPEN,
        json!({ "i": { "id": own, "reason": "typo" } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    app.gql(
        Some(&org.hr),
        REOPEN,
        json!({ "i": { "id": own, "reason": " " } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("reason"));
    let r = app
        .gql(
            Some(&org.hr),
            REOPEN,
            json!({ "i": { "id": own, "reason": "typo" } }),
        )
        .await;
    assert_eq!(r.data()["reopenReview"]["status"], "PENDING");
    app.gql(
        Some(&org.hr),
        REOPEN,
        json!({ "i": { "id": own, "reason": "typo" } }),
    )
    .await
    .assert_error("CONFLICT", None);
    assert_eq!(
        app.count("audit_log WHERE action = 'review.reopen'").await,
        1
    );
    assert_eq!(
        app.count("email_outbox WHERE dedupe_key LIKE 'review-reopened:%'")
            .await,
        1
    );
    let r = app
        .submit_review(&org.alice, &own, 5, Some("Shipped"), false)
        .await;
    assert_eq!(r.data()["submitReview"]["overallRating"], 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_peer_declines_with_a_reason_and_hr_reopens_only_where_identities_show() {
    let app = spawn_app().await;
    let s = app.review_setup(json!({})).await;
    let (org, round) = (&s.org, &s.round);
    let ids = [
        app.employee("bob@t.io").await.id.to_string(),
        app.employee("lead@t.io").await.id.to_string(),
        app.employee("dave@t.io").await.id.to_string(),
    ];
    let alice = app.employee("alice@t.io").await.id.to_string();
    app.gql(
        Some(&org.mgr),
        APPROVE,
        json!({ "i": { "roundId": round, "employeeId": alice, "peerIds": ids } }),
    )
    .await
    .data();
    let peer = app.review_id(&org.bob, round, "PEER", "alice@t.io").await;
    app.gql(
        Some(&org.bob),
        DECLINE,
        json!({ "i": { "id": peer, "reason": "" } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("reason"));
    app.gql(
        Some(&org.lead),
        DECLINE,
        json!({ "i": { "id": peer, "reason": "no" } }),
    )
    .await
    .assert_error("NOT_FOUND", None);
    let r = app
        .gql(
            Some(&org.bob),
            DECLINE,
            json!({ "i": { "id": peer, "reason": "We never worked together" } }),
        )
        .await;
    assert_eq!(r.data()["declineReview"]["status"], "DECLINED");
    // The event names nobody.
    assert_eq!(
        app.count("domain_event WHERE kind = 'REVIEW_DECLINED' AND actor_id IS NULL")
            .await,
        1
    );
    // HR cannot reach an anonymous review unless the round shows identities.
    app.gql(
        Some(&org.hr),
        REOPEN,
        json!({ "i": { "id": peer, "reason": "please" } }),
    )
    .await
    .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.hr), REVIEW, json!({ "id": peer }))
        .await
        .assert_error("NOT_FOUND", None);
    // And the round cannot start showing them now: the reviews were written without it.
    app.gql(
        Some(&org.hr),
        UPDATE_ROUND,
        json!({ "id": round, "s": { "hrSeesPeerIdentities": true } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("hrSeesPeerIdentities"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_competency_question_rates_a_catalogue_skill_against_the_job_profile() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let r = app
        .gql(
            Some(&org.hr),
            "mutation { createSkill(input: { name: \"Testing\", group: \"technical\", levels: [\"1\", \"2\", \"3\", \"4\", \"5\"] }) { id } }",
            json!({}),
        )
        .await;
    let skill = r.data()["createSkill"]["id"].as_str().unwrap().to_owned();
    let r = app
        .gql(
            Some(&org.hr),
            "mutation($i: SetJobProfileInput!) { setJobProfile(input: $i) { id } }",
            json!({ "i": { "name": "Engineer", "skills": [{ "skillId": skill, "expectedLevel": 4 }] } }),
        )
        .await;
    let profile = r.data()["setJobProfile"]["id"].as_str().unwrap().to_owned();
    let alice = app.employee("alice@t.io").await.id;
    app.gql(
        Some(&org.hr),
        "mutation($i: UpdateEmployeeInput!) { updateEmployee(input: $i) { id } }",
        json!({ "i": { "id": alice, "jobProfileId": profile } }),
    )
    .await
    .data();
    let mut input = template_input();
    input["questions"] = json!([{ "kind": "COMPETENCY", "prompt": "Testing", "skillId": skill,
        "required": true, "kinds": ["SELF", "MANAGER"] }]);
    let r = app
        .gql(Some(&org.hr), CREATE_TEMPLATE, json!({ "i": input }))
        .await;
    let template = r.data()["createReviewTemplate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let round = app.annual_round(&org.hr, &cycle).await;
    app.gql(
        Some(&org.hr),
        UPDATE_ROUND,
        json!({ "id": round, "s": { "templateId": template } }),
    )
    .await
    .data();
    app.gql(Some(&org.hr), LAUNCH, json!({ "r": round }))
        .await
        .data();
    app.run_jobs().await;
    app.clock.set(at("2027-11-20T10:00:00Z"));
    let about = app
        .review_id(&org.mgr, &round, "MANAGER", "alice@t.io")
        .await;
    let r = app
        .gql(
            Some(&org.mgr),
            "query($id: ID!) { review(id: $id) { questions { key kind skill { name } } expectedLevels { skillId level } } }",
            json!({ "id": about }),
        )
        .await;
    assert_eq!(
        r.data()["review"]["questions"][0]["skill"]["name"],
        "Testing"
    );
    assert_eq!(
        r.data()["review"]["expectedLevels"],
        json!([{ "skillId": skill, "level": 4 }])
    );
    // Upward reviews do not answer it.
    let upward = app
        .review_id(&org.alice, &round, "UPWARD", "mgr@t.io")
        .await;
    let r = app
        .gql(
            Some(&org.alice),
            "query($id: ID!) { review(id: $id) { questions { key } } }",
            json!({ "id": upward }),
        )
        .await;
    assert_eq!(r.data()["review"]["questions"], json!([]));
    let draft = |level: i64| {
        json!({ "i": { "id": about, "draft": { "answers": [{ "questionKey": "q1", "level": level }],
            "overallRating": 4, "potential": "HIGH" } } })
    };
    for (bad, field) in [
        (draft(6), "answers[0].level"),
        (draft(0), "answers[0].level"),
    ] {
        app.gql(Some(&org.mgr), SAVE, bad)
            .await
            .assert_error("BAD_USER_INPUT", Some(field));
    }
    app.gql(
        Some(&org.mgr),
        SAVE,
        json!({ "i": { "id": about, "draft": { "answers": [{ "questionKey": "q1", "rating": 3 }] } } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("answers[0].rating"));
    let r = app
        .gql(Some(&org.mgr), perfcycle_tests::reviews::SUBMIT, draft(3))
        .await;
    assert_eq!(r.data()["submitReview"]["status"], "SUBMITTED");
}
