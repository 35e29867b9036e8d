//! Keyset pagination through GraphQL: every page walk returns each row once and in order,
//! also when rows are inserted between fetches; cursors belong to one list.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use domain::Clock;
use perfcycle_tests::{TestApp, at, date, spawn_app};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

/// One page of `field` as `token`'s holder: its ids, its end cursor, and its page info.
struct Fetched {
    ids: Vec<String>,
    end: Value,
    has_next: bool,
    has_previous: bool,
    total: Value,
}

async fn fetch(app: &TestApp, token: &str, field: &str, first: i32, after: &Value) -> Fetched {
    let q = format!(
        "query($first: Int, $after: String) {{ {field}(first: $first, after: $after) {{ \
         totalCount edges {{ cursor node {{ id }} }} \
         pageInfo {{ hasNextPage hasPreviousPage endCursor }} }} }}"
    );
    let r = app
        .gql(Some(token), &q, json!({ "first": first, "after": after }))
        .await;
    let page = &r.data()[field];
    let ids = page["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    Fetched {
        ids,
        end: page["pageInfo"]["endCursor"].clone(),
        has_next: page["pageInfo"]["hasNextPage"] == true,
        has_previous: page["pageInfo"]["hasPreviousPage"] == true,
        total: page["totalCount"].clone(),
    }
}

/// The whole list in one page.
async fn all(app: &TestApp, token: &str, field: &str) -> Vec<String> {
    let f = fetch(app, token, field, 100, &Value::Null).await;
    assert!(!f.has_next);
    f.ids
}

/// Walks `field` `first` rows at a time, running `between(page number)` after each page.
async fn walk<F>(app: &TestApp, token: &str, field: &str, first: i32, mut between: F) -> Vec<String>
where
    F: AsyncFnMut(usize),
{
    let mut seen = Vec::new();
    let mut after = Value::Null;
    for n in 0.. {
        let f = fetch(app, token, field, first, &after).await;
        assert_eq!(f.has_previous, n > 0, "hasPreviousPage on page {n}");
        seen.extend(f.ids);
        if !f.has_next {
            break;
        }
        assert!(n < 50, "the walk does not end");
        after = f.end;
        between(n).await;
    }
    seen
}

fn assert_each_once(ids: &[String]) {
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a row came twice: {ids:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn walking_the_goals_returns_each_once_in_order_while_goals_are_added() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    // Goals made at one instant tie on created_at: the id breaks the tie.
    for i in 0..5 {
        app.goal_id(
            &org.alice,
            &cycle,
            json!({ "title": format!("Same instant {i}") }),
        )
        .await;
    }
    app.clock.set(at("2027-03-02T12:00:00Z"));
    for i in 0..2 {
        app.goal_id(&org.bob, &cycle, json!({ "title": format!("Later {i}") }))
            .await;
    }
    let before = all(&app, &org.hr, "goals").await;
    assert_eq!(before.len(), 7);
    let mut added = 0;
    let walked = walk(&app, &org.hr, "goals", 2, async |_| {
        // Newer than every row seen: each must show up once, at the end.
        if added < 2 {
            added += 1;
            app.clock.set(app.clock.now() + Duration::minutes(1));
            app.goal_id(&org.dave, &cycle, json!({ "title": "Added while paging" }))
                .await;
        }
    })
    .await;
    assert_each_once(&walked);
    assert_eq!(walked, all(&app, &org.hr, "goals").await);
    assert_eq!(walked[..7], before[..]);
    assert_eq!(walked.len(), 9);
    let last = fetch(&app, &org.hr, "goals", 100, &Value::Null).await;
    assert_eq!(last.total, 9);
}

#[tokio::test(flavor = "multi_thread")]
async fn walking_the_check_ins_returns_each_once_newest_period_first() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle: Uuid = app.active_cycle(&org.hr).await.parse().unwrap();
    let insert = async |email: &str, start: &str| {
        let e = app.employee(email).await;
        let start = date(start);
        let now = app.clock.now();
        entity::check_in::ActiveModel {
            id: Set(Uuid::new_v4()),
            employee_id: Set(e.id),
            cycle_id: Set(cycle),
            cadence: Set(entity::values::Cadence::Weekly),
            period_start: Set(start),
            period_end: Set(start + Duration::days(6)),
            closes_at: Set(now),
            reminder_at: Set(now),
            reminded_at: Set(None),
            status: Set(entity::values::CheckInStatus::Due),
            confidence: Set(None),
            wins: Set(String::new()),
            blockers: Set(String::new()),
            next_steps: Set(String::new()),
            submitted_at: Set(None),
            manager_reply: Set(String::new()),
            acknowledged_by: Set(None),
            acknowledged_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&app.ctx.db)
        .await
        .unwrap();
    };
    // Two people share each week: the id breaks the tie.
    for week in ["2027-03-01", "2027-03-08", "2027-03-15", "2027-03-22"] {
        insert("alice@t.io", week).await;
        insert("bob@t.io", week).await;
    }
    // Carol is not in the manager's subtree.
    insert("carol@t.io", "2027-03-08").await;
    let before = all(&app, &org.mgr, "checkIns").await;
    assert_eq!(before.len(), 8);
    let walked = walk(&app, &org.mgr, "checkIns", 3, async |n| {
        // An older period sorts after every row seen; a newer one before them.
        if n == 0 {
            insert("dave@t.io", "2027-02-22").await;
            insert("dave@t.io", "2027-03-29").await;
        }
    })
    .await;
    assert_each_once(&walked);
    let after = all(&app, &org.mgr, "checkIns").await;
    assert_eq!(after.len(), 10);
    // The walk is the final list without the row inserted ahead of the cursor.
    assert_eq!(walked, after[1..]);
    assert_eq!(walked[..8], before[..]);
}

#[tokio::test(flavor = "multi_thread")]
async fn walking_the_directory_returns_each_once_by_name() {
    let app = spawn_app().await;
    let org = app.org().await;
    let before = all(&app, &org.hr, "employees").await;
    assert_eq!(before.len(), 9);
    let walked = walk(&app, &org.hr, "employees", 2, async |n| {
        if n == 0 {
            // One name sorts before every row seen, one after.
            app.import(
                "aaron@t.io,Aaron Aardvark,Engineer,Engineering,mgr@t.io,,2022-01-01,UTC\n\
                 zed@t.io,Zed Zulu,Engineer,Engineering,mgr@t.io,,2022-01-01,UTC\n",
            )
            .await;
        }
    })
    .await;
    assert_each_once(&walked);
    let after = all(&app, &org.hr, "employees").await;
    assert_eq!(after.len(), 11);
    assert_eq!(walked, after[1..]);
}

#[tokio::test(flavor = "multi_thread")]
async fn walking_the_feedback_returns_each_once_newest_first() {
    let app = spawn_app().await;
    let org = app.org().await;
    let alice = app.employee("alice@t.io").await;
    let give = async |body: &str| {
        app.gql(
            Some(&org.mgr),
            "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            json!({ "input": { "recipientId": alice.id.to_string(), "body": body } }),
        )
        .await
        .data();
    };
    for i in 0..5 {
        give(&format!("Note {i}")).await;
    }
    let before = all(&app, &org.alice, "feedback").await;
    assert_eq!(before.len(), 5);
    let walked = walk(&app, &org.alice, "feedback", 2, async |_| {
        // Newer than every row seen: it belongs before the cursor and is not repeated.
        app.clock.set(app.clock.now() + Duration::minutes(1));
        give("Added while paging").await;
    })
    .await;
    assert_each_once(&walked);
    assert_eq!(walked, before);
    assert_eq!(all(&app, &org.alice, "feedback").await.len(), 7);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tampered_cursor_or_one_from_another_list_is_bad_input() {
    let app = spawn_app().await;
    let org = app.org().await;
    let employees = fetch(&app, &org.hr, "employees", 2, &Value::Null).await;
    let cursor = employees.end.as_str().unwrap().to_owned();
    let q = "query($a: String) { goals(after: $a) { edges { node { id } } } }";
    // A cursor of the directory handed to the goal list.
    app.gql(Some(&org.hr), q, json!({ "a": cursor }))
        .await
        .assert_error("BAD_USER_INPUT", Some("after"));
    // A character changed.
    let mut tampered = cursor.into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let r = app.gql(Some(&org.hr), q, json!({ "a": tampered })).await;
    r.assert_error("BAD_USER_INPUT", Some("after"));
    // Well formed and naming this list, but with a sort key of another kind.
    let forged = URL_SAFE_NO_PAD.encode(format!("c1|goals|{}|s|Zed", Uuid::new_v4().simple()));
    app.gql(Some(&org.hr), q, json!({ "a": forged }))
        .await
        .assert_error("BAD_USER_INPUT", Some("after"));
    // And the old offset cursors are no cursors any more.
    let offset = URL_SAFE_NO_PAD.encode("o:3");
    app.gql(Some(&org.hr), q, json!({ "a": offset }))
        .await
        .assert_error("BAD_USER_INPUT", Some("after"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_total_is_counted_only_when_asked_for() {
    let app = spawn_app().await;
    let org = app.org().await;
    let with = "{ employees(first: 2) { totalCount edges { node { id } } } }";
    let without = "{ employees(first: 2) { edges { node { id } } } }";
    let in_fragment = "{ employees(first: 2) { ...Counted } } fragment Counted on EmployeeConnection { totalCount }";
    let mut cost = Vec::new();
    for q in [with, without, in_fragment] {
        let before = app.statements().await;
        let r = app.gql(Some(&org.hr), q, json!({})).await;
        r.data();
        cost.push(app.statements().await - before);
        if q != without {
            assert_eq!(r.data()["employees"]["totalCount"], 9, "{q}");
        }
    }
    assert_eq!(cost[0], cost[1] + 1, "statements: {cost:?}");
    assert_eq!(cost[2], cost[0], "statements: {cost:?}");
}
