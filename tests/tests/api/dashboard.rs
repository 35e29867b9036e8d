//! The reference dashboard at `/dashboard`, in headless Chromium: it connects with a token,
//! shows the cycle's figures, and its numbers change while another client submits check-ins.

use perfcycle_tests::browser::Browser;
use perfcycle_tests::{at, spawn_app};
use serde_json::json;

const SUBMIT: &str = "mutation($id: ID!) { submitCheckIn(input: { id: $id, confidence: 4 }) { checkIn { status } } }";

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_follows_check_ins_as_another_client_submits_them() {
    let Some(browser) = Browser::launch() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI runs the browser test: .ci/run installs chromium"
        );
        eprintln!("skipped: no chromium here (apt-get install chromium, or set CHROMIUM)");
        return;
    };
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    // The week of 1–7 March has ended and is in its grace period: everyone's check-in is
    // pending, and a late one still counts.
    app.open_check_ins().await;
    app.clock.set(at("2027-03-08T12:00:00Z"));
    let page_url = format!("{}/dashboard#token={}&cycle={cycle}", app.address, org.hr);
    let mut page = browser.open(&page_url).await;
    page.wait_text("status", "live").await;
    page.wait_text("people", "9").await;
    page.wait_text("checkins-submitted", "0").await;
    // The token left the address bar once read.
    assert_eq!(page.eval("location.hash").await, "");

    for (n, (token, email)) in [(&org.alice, "alice@t.io"), (&org.bob, "bob@t.io")]
        .into_iter()
        .enumerate()
    {
        let open = app.check_ins_of(token, email).await;
        app.gql(Some(token), SUBMIT, json!({ "id": open[0]["id"] }))
            .await
            .data();
        page.wait_text("checkins-submitted", &(n + 1).to_string())
            .await;
    }
    // A goal moves the goal figures too, and the feed lists what happened.
    app.goal_id(&org.dave, &cycle, json!({})).await;
    page.wait_text("goals-total", "1").await;
    let feed = page
        .eval("document.getElementById('activity').textContent")
        .await;
    assert!(
        feed.as_str().unwrap_or("").contains("CHECK_IN_SUBMITTED"),
        "{feed}"
    );
    if let Ok(path) = std::env::var("DASHBOARD_SCREENSHOT") {
        std::fs::write(path, page.screenshot().await).unwrap();
    }

    // A token that is refused leaves the page saying so.
    let mut refused = browser
        .open(&format!("{}/dashboard#token=not-a-token", app.address))
        .await;
    let started = std::time::Instant::now();
    while refused
        .eval("document.getElementById('status').dataset.state")
        .await
        != "error"
    {
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
