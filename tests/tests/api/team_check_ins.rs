//! `teamCheckIns`: a manager's direct reports or whole subtree for a day, each person's
//! period read in their own timezone, counts by status, pages, and who may ask.

use perfcycle_tests::{at, spawn_app};
use serde_json::{Value, json};

const TEAM: &str =
    "query($m: ID!, $scope: TeamScope!, $day: NaiveDate, $first: Int, $after: String) {
    teamCheckIns(managerId: $m, scope: $scope, day: $day) {
        scope day counts { people due submitted acknowledged missed notOpened }
        people(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
            edges { node { employee { email } checkIn { status periodStart } } } } } }";

/// (e-mail, status, period start) of each person on the page.
fn rows(r: &Value) -> Vec<(String, String, String)> {
    r["teamCheckIns"]["people"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            let text = |v: &Value| v.as_str().unwrap_or("-").to_owned();
            (
                text(&n["employee"]["email"]),
                text(&n["checkIn"]["status"]),
                text(&n["checkIn"]["periodStart"]),
            )
        })
        .collect()
}

fn row(email: &str, status: &str, start: &str) -> (String, String, String) {
    (email.to_owned(), status.to_owned(), start.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn each_person_is_answered_for_their_own_today_with_counts_over_the_scope() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    let mgr = app.employee("mgr@t.io").await.id.to_string();
    // Week of 1–7 March for everyone; Alice submits hers.
    app.open_check_ins().await;
    let alices = app.check_ins_of(&org.alice, "alice@t.io").await;
    app.gql(
        Some(&org.alice),
        "mutation($id: ID!) { submitCheckIn(input: { id: $id, confidence: 4 }) { checkIn { status } } }",
        json!({ "id": alices[0]["id"] }),
    )
    .await
    .data();
    // 02:00 UTC on Monday 8 March: still Sunday 7 March in New York (Alice), already Monday
    // in Kolkata (Bob) and in UTC (Lea, Dave), whose new week opens.
    app.clock.set(at("2027-03-08T02:00:00Z"));
    app.open_check_ins().await;

    let ask =
        |scope: &str, day: Value| json!({ "m": mgr, "scope": scope, "day": day, "first": 10 });
    let r = app
        .gql(Some(&org.mgr), TEAM, ask("DIRECT", Value::Null))
        .await;
    let data = r.data();
    assert_eq!(data["teamCheckIns"]["day"], Value::Null);
    assert_eq!(
        rows(data),
        [
            row("alice@t.io", "SUBMITTED", "2027-03-01"),
            row("bob@t.io", "DUE", "2027-03-08"),
            row("lead@t.io", "DUE", "2027-03-08"),
        ]
    );
    assert_eq!(
        data["teamCheckIns"]["counts"],
        json!({ "people": 3, "due": 2, "submitted": 1, "acknowledged": 0, "missed": 0, "notOpened": 0 })
    );

    // The subtree adds Dave (Lea's report), never the manager herself.
    let r = app
        .gql(Some(&org.mgr), TEAM, ask("SUBTREE", Value::Null))
        .await;
    let data = r.data();
    assert_eq!(data["teamCheckIns"]["scope"], "SUBTREE");
    assert_eq!(data["teamCheckIns"]["people"]["totalCount"], 4);
    assert_eq!(
        rows(data)[1],
        row("bob@t.io", "DUE", "2027-03-08"),
        "by name: Alice Able, Bob Baker, Dave Dev, Lea Lead"
    );
    assert_eq!(rows(data)[2], row("dave@t.io", "DUE", "2027-03-08"));
    assert_eq!(data["teamCheckIns"]["counts"]["people"], 4);
    assert_eq!(data["teamCheckIns"]["counts"]["due"], 3);

    // A day given is read in everyone's calendar alike.
    let r = app
        .gql(Some(&org.mgr), TEAM, ask("DIRECT", json!("2027-03-03")))
        .await;
    assert_eq!(
        rows(r.data()),
        [
            row("alice@t.io", "SUBMITTED", "2027-03-01"),
            row("bob@t.io", "DUE", "2027-03-01"),
            row("lead@t.io", "DUE", "2027-03-01"),
        ]
    );
    // Before the cycle nobody has one.
    let r = app
        .gql(Some(&org.mgr), TEAM, ask("SUBTREE", json!("2027-02-20")))
        .await;
    assert_eq!(
        r.data()["teamCheckIns"]["counts"],
        json!({ "people": 4, "due": 0, "submitted": 0, "acknowledged": 0, "missed": 0, "notOpened": 4 })
    );
    assert!(rows(r.data()).iter().all(|(_, status, _)| status == "-"));

    // Pages by name.
    let first = json!({ "m": mgr, "scope": "SUBTREE", "first": 2 });
    let r = app.gql(Some(&org.mgr), TEAM, first).await;
    let page = r.data()["teamCheckIns"]["people"].clone();
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let next =
        json!({ "m": mgr, "scope": "SUBTREE", "first": 2, "after": page["pageInfo"]["endCursor"] });
    let r = app.gql(Some(&org.mgr), TEAM, next).await;
    let names: Vec<String> = rows(r.data()).into_iter().map(|r| r.0).collect();
    assert_eq!(names, ["dave@t.io", "lead@t.io"]);
    assert_eq!(
        r.data()["teamCheckIns"]["people"]["pageInfo"]["hasNextPage"],
        false
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_manager_those_above_and_hr_see_a_team() {
    let app = spawn_app().await;
    let org = app.org().await;
    app.active_cycle(&org.hr).await;
    app.open_check_ins().await;
    let mgr = app.employee("mgr@t.io").await.id.to_string();
    let lead = app.employee("lead@t.io").await.id.to_string();
    let ask = |m: &str| json!({ "m": m, "scope": "SUBTREE", "first": 10 });
    for token in [&org.mgr, &org.ceo, &org.hr] {
        let r = app.gql(Some(token), TEAM, ask(&mgr)).await;
        assert_eq!(r.data()["teamCheckIns"]["counts"]["people"], 4);
    }
    // A report, a report's report, a peer manager and another team may not.
    for token in [&org.alice, &org.lead, &org.dave, &org.other, &org.carol] {
        let r = app.gql(Some(token), TEAM, ask(&mgr)).await;
        r.assert_error("FORBIDDEN", None);
        assert_eq!(r.body["data"], Value::Null, "{}", r.body);
    }
    // Lea sees her own team, which is Dave.
    let r = app.gql(Some(&org.lead), TEAM, ask(&lead)).await;
    assert_eq!(rows(r.data()), [row("dave@t.io", "DUE", "2027-03-01")]);
    // Someone who does not exist, and a bad id.
    let nobody = uuid::Uuid::new_v4().to_string();
    app.gql(Some(&org.hr), TEAM, ask(&nobody))
        .await
        .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.hr), TEAM, ask("not-an-id"))
        .await
        .assert_error("BAD_USER_INPUT", Some("managerId"));
    app.gql(None, TEAM, ask(&mgr))
        .await
        .assert_error("UNAUTHENTICATED", None);
}
