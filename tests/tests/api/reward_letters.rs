//! Approval and what follows: one letter per person with the numbers, the rating and the
//! manager's note, rewards COMMUNICATED once it is sent and only then visible to their owner;
//! the payroll CSV over HTTP for HR only.

use perfcycle_tests::rewards::{APPROVE, RewardSetup, policy};
use perfcycle_tests::smtp::SmtpSink;
use perfcycle_tests::{TestApp, spawn_app};
use serde_json::json;

async fn approved_run(app: &TestApp) -> (RewardSetup, String) {
    let s = app.reward_setup().await;
    let hr = &s.org.hr;
    app.set_policy(hr, &s.cycle, policy()).await;
    app.advance_cycle(hr, &s.cycle, "REWARDING").await;
    app.run_jobs().await;
    let r = app
        .gql(
            Some(hr),
            "query($c: ID!) { rewardRuns(cycleId: $c) { id } }",
            json!({ "c": s.cycle }),
        )
        .await;
    let run = r.data()["rewardRuns"][0]["id"].as_str().unwrap().to_owned();
    (s, run)
}

async fn csv(app: &TestApp, token: Option<&str>, query: &str) -> (u16, String, String) {
    let mut req = app
        .http
        .get(format!("{}/exports/rewards.csv{query}", app.address));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn approval_sends_one_letter_each_and_the_owner_sees_their_rewards_once_it_is_sent() {
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let (s, run) = approved_run(&app).await;
    let (hr, mgr, alice) = (&s.org.hr, &s.org.mgr, &s.org.alice);
    let alice_id = app.id_of("alice@t.io").await;
    // Alice's manager writes the note her letter carries; Alice herself and Bob may not.
    let note =
        "mutation($i: RewardNoteInput!) { setRewardNote(input: $i) { note writtenBy { email } } }";
    let input =
        |text: &str| json!({ "i": { "cycleId": s.cycle, "employeeId": alice_id, "note": text } });
    app.gql(Some(alice), note, input("I was great"))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&s.org.bob), note, input("She was great"))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app
        .gql(Some(mgr), note, input("A year of steady, generous work."))
        .await;
    assert_eq!(r.data()["setRewardNote"]["writtenBy"]["email"], "mgr@t.io");

    // Before approval: Alice sees nothing of hers; Mia sees her team's proposals.
    assert!(app.rewards_seen(alice, json!({})).await.is_empty());
    let team = app.rewards_seen(mgr, json!({})).await;
    assert!(team.iter().any(|r| r.0 == "alice@t.io"));
    assert!(
        team.iter()
            .all(|r| r.0 != "mgr@t.io" && r.0 != "carol@t.io"),
        "{team:?}"
    );
    // Managers cannot approve.
    app.gql(Some(mgr), APPROVE, json!({ "i": { "runId": run } }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app
        .gql(Some(hr), APPROVE, json!({ "i": { "runId": run } }))
        .await;
    assert_eq!(r.data()["approveRewards"]["kind"], "APPROVE_REWARDS");
    assert_eq!(app.run_jobs().await, 1);
    assert!(
        app.rewards_seen(hr, json!({ "runId": run }))
            .await
            .iter()
            .all(|r| r.3 == "APPROVED")
    );
    assert!(
        app.rewards_seen(alice, json!({})).await.is_empty(),
        "not before the letter is sent"
    );

    sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    let letters: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.subject().contains("Your rewards"))
        .collect();
    assert_eq!(letters.len(), 6, "one each for the six rewarded");
    let hers: Vec<_> = letters.iter().filter(|m| m.to == ["alice@t.io"]).collect();
    assert_eq!(hers.len(), 1);
    let text = hers[0].part("text/plain").unwrap();
    for line in [
        "Your final rating for FY2027 is 5.",
        "Merit increase (yearly base salary): 3600.00 EUR",
        "Bonus: 9900.00 EUR",
        "Paid time off: 3 day(s)",
        "Mia Manager writes: A year of steady, generous work.",
    ] {
        assert!(text.contains(line), "{line:?} not in {text}");
    }
    assert!(
        hers[0]
            .part("text/html")
            .unwrap()
            .contains("<b>9900.00 EUR</b>")
    );
    // Sent: communicated, and now Alice sees exactly hers.
    let mine = app.rewards_seen(alice, json!({})).await;
    assert_eq!(mine.len(), 3);
    assert!(
        mine.iter()
            .all(|r| r.0 == "alice@t.io" && r.3 == "COMMUNICATED")
    );
    // Approving again sends nothing more.
    app.gql(Some(hr), APPROVE, json!({ "i": { "runId": run } }))
        .await
        .data();
    app.run_jobs().await;
    sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    assert_eq!(
        sink.messages()
            .iter()
            .filter(|m| m.subject().contains("Your rewards"))
            .count(),
        6
    );
    // Alice never sees the calculation (it holds her salary's inputs), HR does.
    let r = app
        .gql(
            Some(alice),
            "{ rewards(first: 5) { nodes { calculation } } }",
            json!({}),
        )
        .await;
    assert!(
        r.data()["rewards"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["calculation"].is_null())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_payroll_export_is_csv_for_hr_only() {
    let app = spawn_app().await;
    let (s, run) = approved_run(&app).await;
    let hr = &s.org.hr;
    // Nothing approved yet: the header alone.
    let (status, kind, body) = csv(&app, Some(hr), &format!("?run={run}")).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert_eq!(
        body,
        "employee_id,email,kind,amount,currency,effective_on\n"
    );
    app.gql(Some(hr), APPROVE, json!({ "i": { "runId": run } }))
        .await
        .data();
    app.run_jobs().await;
    let (status, _, body) = csv(&app, Some(hr), &format!("?run={run}")).await;
    assert_eq!(status, 200);
    let alice = app.id_of("alice@t.io").await;
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 1 + 15, "{body}");
    assert!(
        lines.contains(&format!("{alice},alice@t.io,BONUS,9900.00,EUR,2028-01-01").as_str()),
        "{body}"
    );
    assert!(
        lines.contains(&format!("{alice},alice@t.io,PTO,3,,2028-01-01").as_str()),
        "{body}"
    );
    // Refusals: no token, a bad token, not HR, no run, a malformed id, an unknown run.
    let (status, _, body) = csv(&app, None, &format!("?run={run}")).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("UNAUTHENTICATED"));
    assert_eq!(csv(&app, Some("nope"), &format!("?run={run}")).await.0, 401);
    let (status, _, body) = csv(&app, Some(&s.org.mgr), &format!("?run={run}")).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("FORBIDDEN"));
    assert_eq!(csv(&app, Some(hr), "").await.0, 400);
    assert_eq!(csv(&app, Some(hr), "?run=12").await.0, 400);
    let (status, _, body) = csv(&app, Some(hr), &format!("?run={}", uuid::Uuid::new_v4())).await;
    assert_eq!(status, 404, "{body}");
}
