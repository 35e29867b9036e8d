//! No way through the schema to who wrote a PEER or UPWARD review. The test reads the schema
//! itself: from every root field that reaches reviews it selects every field of every
//! review-stage type it can reach (other types by their id, e-mail and name only), asks it as
//! every role while the round is open, once it has closed and once ratings are released, and looks for the peer reviewers' ids, e-mails and
//! names, their reviews' ids and their decline reason anywhere in the answer, errors included.
//! A field added to a review type is walked without changing the test.

use perfcycle_tests::{TestApp, spawn_app_with};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Types the walk opens (the review stage's own); any other object type is shown by these
/// fields only.
fn review_type(name: &str) -> bool {
    [
        "Review",
        "ReviewConnection",
        "ReviewEdge",
        "ReviewSummary",
        "ReviewRound",
        "ReviewTemplate",
        "ReviewQuestion",
        "ReviewAnswer",
        "ReviewCount",
        "ScoreWeights",
        "TargetShare",
        "BackgroundJob",
        "AnonymousReviews",
        "QuestionSummary",
        "PointCount",
        "Rating",
        "ScoreComponent",
        "MissingComponent",
        "ExpectedLevel",
        "Calibration",
        "RatingDistribution",
        "RatingBucket",
        "ManagerDistribution",
        "DepartmentDistribution",
        "Leniency",
        "SelfGap",
        "NineBoxCell",
        "PageInfo",
    ]
    .contains(&name)
}
const OTHER_FIELDS: [&str; 3] = ["id", "email", "name"];

struct Schema {
    /// Object type → its fields: (name, named type, whether it takes a required argument).
    types: BTreeMap<String, Vec<(String, String, bool)>>,
}

fn named(ty: &Value) -> String {
    let mut t = ty;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    t["name"].as_str().unwrap().to_owned()
}

async fn schema(app: &TestApp, token: &str) -> Schema {
    let ty = "type { name ofType { name ofType { name ofType { name } } } }";
    let r = app
        .gql(
            Some(token),
            &format!("{{ __schema {{ types {{ name kind fields {{ name args {{ type {{ kind }} defaultValue }} {ty} }} }} }} }}"),
            json!({}),
        )
        .await;
    let mut types = BTreeMap::new();
    for t in r.data()["__schema"]["types"].as_array().unwrap() {
        if t["kind"] != "OBJECT" {
            continue;
        }
        let fields = t["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let required = f["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null());
                (
                    f["name"].as_str().unwrap().to_owned(),
                    named(&f["type"]),
                    required,
                )
            })
            .collect();
        types.insert(t["name"].as_str().unwrap().to_owned(), fields);
    }
    Schema { types }
}

impl Schema {
    /// The selection of every field of `ty` the walk reaches, `depth` levels at most.
    fn selection(&self, ty: &str, depth: usize, path: &mut Vec<String>) -> String {
        let Some(fields) = self.types.get(ty) else {
            return String::new();
        };
        let mut parts = Vec::new();
        for (name, of, required) in fields {
            if *required || name.starts_with("__") {
                continue;
            }
            if !self.types.contains_key(of) {
                parts.push(name.clone());
            } else if review_type(of) {
                if depth == 0 || path.contains(of) {
                    continue;
                }
                path.push(of.clone());
                let inner = self.selection(of, depth - 1, path);
                path.pop();
                if !inner.is_empty() {
                    parts.push(format!("{name} {{ {inner} }}"));
                }
            } else {
                let known: Vec<&str> = OTHER_FIELDS
                    .into_iter()
                    .filter(|f| self.types[of].iter().any(|(n, ..)| n == f))
                    .collect();
                if !known.is_empty() {
                    parts.push(format!("{name} {{ {} }}", known.join(" ")));
                }
            }
        }
        parts.join(" ")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_field_of_the_schema_tells_anyone_who_wrote_an_anonymous_review() {
    let app = spawn_app_with(&[
        ("PERFCYCLE_MAX_COMPLEXITY", "1000000"),
        ("PERFCYCLE_MAX_DEPTH", "20"),
    ])
    .await;
    let s = app.review_setup(json!({})).await;
    let org = &s.org;
    let id = |email: &'static str| {
        let app = &app;
        async move { app.employee(email).await }
    };
    let (alice, mgr) = (id("alice@t.io").await, id("mgr@t.io").await);
    let peers = [
        id("bob@t.io").await,
        id("lead@t.io").await,
        id("dave@t.io").await,
        id("carol@t.io").await,
    ];
    let peer_ids: Vec<_> = peers.iter().map(|p| p.id).collect();
    app.approve_peers(&org.mgr, &s.round, alice.id, &peer_ids)
        .await;
    // Three peers submit with comments, each at its own second; Carol declines. Alice, Bob
    // and Lea review Mia upward.
    let mut secret_ids = Vec::new();
    let mut secret_times = Vec::new();
    let peer_tokens = [
        (&org.bob, "bob@t.io"),
        (&org.lead, "lead@t.io"),
        (&org.dave, "dave@t.io"),
    ];
    for (i, ((token, author), text)) in peer_tokens
        .into_iter()
        .zip(["Calm under pressure", "Writes clearly", "Helps everyone"])
        .enumerate()
    {
        let when = format!("2027-11-20T10:00:0{}", i + 1);
        app.clock.set(perfcycle_tests::at(&format!("{when}Z")));
        let r = app.review_id(token, &s.round, "PEER", "alice@t.io").await;
        app.submit_review(token, &r, 4, Some(text), false)
            .await
            .data();
        secret_ids.push((r, author));
        secret_times.push((when, author));
    }
    let declined = app
        .review_id(&org.carol, &s.round, "PEER", "alice@t.io")
        .await;
    app.gql(
        Some(&org.carol),
        "mutation($i: DeclineReviewInput!) { declineReview(input: $i) { id } }",
        json!({ "i": { "id": declined, "reason": "Carol-has-no-time" } }),
    )
    .await
    .data();
    secret_ids.push((declined, "carol@t.io"));
    let upward = [
        (&org.alice, "alice@t.io"),
        (&org.bob, "bob@t.io"),
        (&org.lead, "lead@t.io"),
    ];
    for (i, (token, author)) in upward.into_iter().enumerate() {
        let when = format!("2027-11-20T11:00:0{}", i + 1);
        app.clock.set(perfcycle_tests::at(&format!("{when}Z")));
        let r = app.review_id(token, &s.round, "UPWARD", "mgr@t.io").await;
        app.submit_review(token, &r, 3, Some("Upward words"), false)
            .await
            .data();
        secret_ids.push((r, author));
        secret_times.push((when, author));
    }
    app.clock.set(perfcycle_tests::at("2027-11-20T12:00:00Z"));
    // The manager's and Alice's own reviews, so that every signed part has content.
    let own = app
        .review_id(&org.alice, &s.round, "SELF", "alice@t.io")
        .await;
    app.submit_review(&org.alice, &own, 4, Some("Mine"), false)
        .await
        .data();
    let about = app
        .review_id(&org.mgr, &s.round, "MANAGER", "alice@t.io")
        .await;
    app.submit_review(&org.mgr, &about, 4, Some("Hers"), true)
        .await
        .data();

    let schema = schema(&app, &org.hr).await;
    let summary_of = |who: uuid::Uuid| {
        format!(
            "{{ reviewSummary(roundId: \"{}\", employeeId: \"{who}\") {{ {} }} }}",
            s.round,
            schema.selection("ReviewSummary", 6, &mut vec!["ReviewSummary".into()])
        )
    };
    let mut queries = vec![
        summary_of(alice.id),
        summary_of(mgr.id),
        format!(
            "{{ myReviews(first: 50) {{ {} }} }}",
            schema.selection("ReviewConnection", 6, &mut vec![])
        ),
        format!(
            "{{ reviewRound(id: \"{}\") {{ {} }} }}",
            s.round,
            schema.selection("ReviewRound", 6, &mut vec![])
        ),
        format!(
            "{{ reviewRounds(cycleId: \"{}\") {{ {} }} }}",
            s.cycle,
            schema.selection("ReviewRound", 6, &mut vec![])
        ),
        format!(
            "{{ calibration(roundId: \"{}\") {{ {} }} }}",
            s.round,
            schema.selection("Calibration", 6, &mut vec![])
        ),
        format!(
            "{{ auditLog(first: 100) {{ nodes {{ action entityId before after actor {{ email }} }} }} }}"
        ),
    ];
    for (r, _) in &secret_ids {
        queries.push(format!(
            "{{ review(id: \"{r}\") {{ {} }} }}",
            schema.selection("Review", 6, &mut vec!["Review".into()])
        ));
    }

    // Who wrote about Alice (peers) and about Mia (upward): in the answers about them, none
    // may be named but the viewer themselves.
    let peer_writers: Vec<entity::employee::Model> = peers.to_vec();
    let upward_writers = [
        id("alice@t.io").await,
        id("bob@t.io").await,
        id("lead@t.io").await,
    ];
    let viewers: Vec<(&str, &String)> = vec![
        ("alice@t.io", &org.alice),
        ("bob@t.io", &org.bob),
        ("mgr@t.io", &org.mgr),
        ("ceo@t.io", &org.ceo),
        ("hr@t.io", &org.hr),
        ("other@t.io", &org.other),
    ];
    let check = |viewer: &str, query: &str, body: &Value| {
        let text = body.to_string();
        let writers: &[entity::employee::Model] = if query.contains(&alice.id.to_string()) {
            &peer_writers
        } else if query.contains(&mgr.id.to_string()) {
            &upward_writers
        } else {
            &[]
        };
        for p in writers.iter().filter(|p| p.email != viewer) {
            for secret in [p.id.to_string(), p.email.clone(), p.name.clone()] {
                assert!(
                    !text.contains(&secret),
                    "{viewer} learns {secret} from {query}: {text}"
                );
            }
        }
        for (secret, author) in secret_ids.iter().chain(&secret_times) {
            if *author != viewer {
                assert!(
                    !text.contains(secret.as_str()),
                    "{viewer} sees {secret} from {query}: {text}"
                );
            }
        }
        assert!(
            !text.contains("Carol-has-no-time"),
            "{viewer} sees the decline reason"
        );
        // Anywhere in any answer: an anonymous review shown with a reviewer is the viewer's.
        anonymous_reviews_are_the_viewers(viewer, body);
    };
    let mut walked = BTreeSet::new();
    // Walked while the round is open, once it has closed (pooled answers shown to managers and
    // HR) and once ratings are released (to Alice too).
    for stage in ["open", "closed", "released"] {
        if stage == "closed" {
            app.scan_check_ins("2027-12-23T12:00:00Z").await;
            app.run_jobs().await;
        }
        if stage == "released" {
            app.gql(
                Some(&org.hr),
                "mutation($r: ID!) { releaseRatings(input: { roundId: $r }) { id } }",
                json!({ "r": s.round }),
            )
            .await
            .data();
            app.run_jobs().await;
        }
        for (viewer, token) in &viewers {
            for q in &queries {
                let r = app.gql(Some(token), q, json!({})).await;
                assert_ne!(r.status, 500, "{q}: {}", r.body);
                check(viewer, q, &r.body);
                if r.body["data"]
                    .as_object()
                    .is_some_and(|d| d.values().any(|v| !v.is_null()))
                {
                    walked.insert(q.split('(').next().unwrap_or_default().to_owned());
                }
            }
        }
    }
    assert!(walked.len() >= 6, "{walked:?}");
}

/// Every object of the answer with `kind` PEER or UPWARD and a `reviewer` names the viewer.
fn anonymous_reviews_are_the_viewers(viewer: &str, v: &Value) {
    match v {
        Value::Object(o) => {
            let anonymous = matches!(
                o.get("kind").and_then(Value::as_str),
                Some("PEER" | "UPWARD")
            );
            if let (true, Some(reviewer)) = (anonymous, o.get("reviewer")) {
                assert!(
                    reviewer.is_null() || reviewer["email"] == viewer,
                    "{viewer} is shown the reviewer of {v}"
                );
            }
            o.values()
                .for_each(|x| anonymous_reviews_are_the_viewers(viewer, x));
        }
        Value::Array(a) => a
            .iter()
            .for_each(|x| anonymous_reviews_are_the_viewers(viewer, x)),
        _ => {}
    }
}
