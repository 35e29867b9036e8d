//! The reward run: started by the cycle's move to REWARDING, computed by the job tick, every
//! person's rewards as worked out by hand; previews that change nothing and compare with the
//! last real run; later runs superseding what was only proposed; budgets fitted exactly.

use perfcycle_tests::rewards::{APPROVE, START_RUN, expected, policy};
use perfcycle_tests::spawn_app;
use serde_json::{Value, json};

fn triples(rows: Vec<(String, String, String, String)>) -> Vec<(String, String, String)> {
    rows.into_iter().map(|(e, k, a, _)| (e, k, a)).collect()
}

fn kind<'a>(totals: &'a Value, kind: &str) -> &'a Value {
    totals["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {totals}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn moving_to_rewarding_runs_the_policy_over_everyone_as_worked_out_by_hand() {
    let app = spawn_app().await;
    let s = app.reward_setup().await;
    let hr = &s.org.hr;
    // A real run needs a policy and the REWARDING phase.
    app.gql(Some(hr), START_RUN, json!({ "i": { "cycleId": s.cycle } }))
        .await
        .assert_error("CONFLICT", None);
    app.set_policy(hr, &s.cycle, policy()).await;
    app.gql(Some(hr), START_RUN, json!({ "i": { "cycleId": s.cycle } }))
        .await
        .assert_error("CONFLICT", None);
    app.advance_cycle(hr, &s.cycle, "REWARDING").await;
    let r = app
        .gql(
            Some(hr),
            "query($c: ID!) { rewardRuns(cycleId: $c) { id preview status processed } }",
            json!({ "c": s.cycle }),
        )
        .await;
    let runs = r.data()["rewardRuns"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 1, "the move started one run");
    assert_eq!(runs[0]["status"], "QUEUED");
    assert_eq!(runs[0]["preview"], false);
    let run = runs[0]["id"].as_str().unwrap().to_owned();
    // Starting again while it is queued returns the same run.
    assert_eq!(app.start_run(hr, &s.cycle, false).await, run);
    let finished = app.run_jobs().await;
    let got = app.reward_run(hr, &run).await;
    assert_eq!(finished, 1, "{got}");
    assert_eq!(got["status"], "DONE");
    assert_eq!(
        (got["processed"].as_i64(), got["total"].as_i64()),
        (Some(9), Some(9))
    );
    let totals = &got["totals"];
    assert_eq!(totals["people"], 9);
    assert_eq!(totals["rewarded"], 6);
    assert_eq!(
        totals["skipped"],
        json!([{ "reason": "NO_COMPENSATION", "count": 2 }, { "reason": "NO_RATING", "count": 1 }])
    );
    assert_eq!(kind(totals, "MERIT_INCREASE")["amount"], "12260.00");
    assert_eq!(kind(totals, "LUMP_SUM")["amount"], "40.00");
    assert_eq!(kind(totals, "BONUS")["amount"], "50534.30");
    assert_eq!(kind(totals, "BONUS")["count"], 6);
    assert_eq!(kind(totals, "PTO")["amount"], "5");
    assert_eq!(kind(totals, "PTO")["currency"], "");

    let rows = app.rewards_seen(hr, json!({ "runId": run })).await;
    assert!(rows.iter().all(|r| r.3 == "PROPOSED"), "{rows:?}");
    assert_eq!(triples(rows), expected());
    // The reasons and the calculation are there for HR.
    let r = app
        .gql(Some(hr), "query($f: RewardFilterInput) { rewards(first: 50, filter: $f) { nodes { kind rationale effectiveOn calculation } } }",
            json!({ "f": { "runId": run, "employeeId": app.id_of("carol@t.io").await } }))
        .await;
    let carol = &r.data()["rewards"]["nodes"][0];
    assert_eq!(carol["kind"], "BONUS");
    assert!(
        carol["rationale"]
            .as_str()
            .unwrap()
            .contains("181 of the cycle's 365 days"),
        "{carol}"
    );
    assert_eq!(carol["calculation"]["employedDays"], 181);
    assert_eq!(carol["effectiveOn"], "2028-01-01");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preview_changes_nothing_and_compares_with_the_last_real_run() {
    let app = spawn_app().await;
    let s = app.reward_setup().await;
    let hr = &s.org.hr;
    app.set_policy(hr, &s.cycle, policy()).await;
    // A preview works before REWARDING, with the cycle's policy or another.
    let first = app.start_run(hr, &s.cycle, true).await;
    app.run_jobs().await;
    let r = app.gql(Some(hr), "query($id: ID!) { rewardRun(id: $id) { comparedWithLastRun { kind } totals { rewarded } } }", json!({ "id": first })).await;
    assert_eq!(
        r.data()["rewardRun"]["comparedWithLastRun"],
        Value::Null,
        "no real run yet"
    );
    assert_eq!(r.data()["rewardRun"]["totals"]["rewarded"], 6);
    app.advance_cycle(hr, &s.cycle, "REWARDING").await;
    app.run_jobs().await;
    let mut what_if = policy();
    what_if["companyMultiplier"] = json!("2.2");
    let r = app
        .gql(
            Some(hr),
            "mutation($i: StartRewardRunInput!) { startRewardRun(input: $i) { id preview policy { companyMultiplier } } }",
            json!({ "i": { "cycleId": s.cycle, "preview": true, "policy": what_if } }),
        )
        .await;
    let preview = r.data()["startRewardRun"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        r.data()["startRewardRun"]["policy"]["companyMultiplier"],
        "2.2"
    );
    app.run_jobs().await;
    let r = app
        .gql(Some(hr), "query($id: ID!) { rewardRun(id: $id) { comparedWithLastRun { kind currency preview lastRun difference } } }", json!({ "id": preview }))
        .await;
    let bonus = r.data()["rewardRun"]["comparedWithLastRun"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "BONUS")
        .unwrap()
        .clone();
    // Twice the company multiplier: twice every bonus (2618.30 × 2 is 5236.60 exactly here).
    assert_eq!(bonus["lastRun"], "50534.30");
    assert_eq!(bonus["preview"], "101068.60");
    assert_eq!(bonus["difference"], "50534.30");
    // The preview's rows are PREVIEW, the real run's still PROPOSED, and the policy is as set.
    let rows = app.rewards_seen(hr, json!({ "runId": preview })).await;
    assert!(rows.iter().all(|r| r.3 == "PREVIEW"));
    let r = app
        .gql(
            Some(hr),
            "query($c: ID!) { rewardPolicy(cycleId: $c) { companyMultiplier } }",
            json!({ "c": s.cycle }),
        )
        .await;
    assert_eq!(r.data()["rewardPolicy"]["companyMultiplier"], "1.1");
    let statuses = app.rewards_seen(hr, json!({ "status": "PROPOSED" })).await;
    assert_eq!(statuses.len(), expected().len());
    // A preview is never approved; a real run's preview option needs preview: true.
    app.gql(Some(hr), APPROVE, json!({ "i": { "runId": preview } }))
        .await
        .assert_error("CONFLICT", None);
    app.gql(
        Some(hr),
        START_RUN,
        json!({ "i": { "cycleId": s.cycle, "policy": policy() } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("policy"));
    // Managers never see previews.
    let seen = app
        .rewards_seen(&s.org.mgr, json!({ "runId": preview }))
        .await;
    assert!(seen.is_empty(), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_later_run_supersedes_what_was_proposed_and_leaves_what_was_approved() {
    let app = spawn_app().await;
    let s = app.reward_setup().await;
    let hr = &s.org.hr;
    app.set_policy(hr, &s.cycle, policy()).await;
    app.advance_cycle(hr, &s.cycle, "REWARDING").await;
    app.run_jobs().await;
    let first = app.rewards_seen(hr, json!({})).await;
    let r = app
        .gql(
            Some(hr),
            "query($c: ID!) { rewardRuns(cycleId: $c) { id } }",
            json!({ "c": s.cycle }),
        )
        .await;
    let run1 = r.data()["rewardRuns"][0]["id"].as_str().unwrap().to_owned();
    // Sales is approved (Carol's bonus); then the policy changes and HR runs again.
    let sales = app
        .employee("other@t.io")
        .await
        .department_id
        .unwrap()
        .to_string();
    let r = app
        .gql(
            Some(hr),
            APPROVE,
            json!({ "i": { "runId": run1, "departmentId": sales } }),
        )
        .await;
    assert_eq!(r.data()["approveRewards"]["__typename"], "BackgroundJob");
    app.run_jobs().await;
    let mut raised = policy();
    raised["companyMultiplier"] = json!("1.2");
    app.set_policy(hr, &s.cycle, raised).await;
    let run2 = app.start_run(hr, &s.cycle, false).await;
    assert_ne!(run2, run1);
    // Run 1 cannot be approved while run 2 computes, nor once run 2 superseded it.
    app.gql(Some(hr), APPROVE, json!({ "i": { "runId": run1 } }))
        .await
        .assert_error("CONFLICT", None);
    app.run_jobs().await;
    app.gql(Some(hr), APPROVE, json!({ "i": { "runId": run1 } }))
        .await
        .assert_error("CONFLICT", None);
    let got = app.reward_run(hr, &run2).await;
    assert_eq!(
        got["totals"]["skipped"],
        json!([{ "reason": "ALREADY_APPROVED", "count": 1 }, { "reason": "NO_COMPENSATION", "count": 2 }, { "reason": "NO_RATING", "count": 1 }])
    );
    let run1_rows = app.rewards_seen(hr, json!({ "runId": run1 })).await;
    for (email, _, _, status) in &run1_rows {
        let want = if email == "carol@t.io" {
            "APPROVED"
        } else {
            "SUPERSEDED"
        };
        assert_eq!(status, want, "{email}");
    }
    assert_eq!(run1_rows.len(), first.len());
    // Run 2: everyone but Carol again, bonuses 1.2/1.1 of before (Alice 9900 → 10800).
    let run2_rows = app.rewards_seen(hr, json!({ "runId": run2 })).await;
    assert!(
        run2_rows
            .iter()
            .all(|r| r.0 != "carol@t.io" && r.3 == "PROPOSED")
    );
    assert!(run2_rows.contains(&(
        "alice@t.io".into(),
        "BONUS".into(),
        "10800.00".into(),
        "PROPOSED".into()
    )));
}

#[tokio::test(flavor = "multi_thread")]
async fn budgets_scale_proposals_to_fit_exactly_and_a_zero_budget_gives_nothing() {
    let app = spawn_app().await;
    let s = app.reward_setup().await;
    let hr = &s.org.hr;
    let engineering = app
        .employee("alice@t.io")
        .await
        .department_id
        .unwrap()
        .to_string();
    let sales = app
        .employee("other@t.io")
        .await
        .department_id
        .unwrap()
        .to_string();
    let mut p = policy();
    p["budgets"] = json!([
        { "departmentId": engineering, "currency": "EUR", "meritPool": "5000", "bonusPool": "40000" },
        { "departmentId": sales, "currency": "EUR", "bonusPool": "0" },
    ]);
    app.set_policy(hr, &s.cycle, p).await;
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
    let got = app.reward_run(hr, &run).await;
    let budgets = got["totals"]["budgets"].as_array().unwrap().clone();
    assert_eq!(budgets.len(), 3, "{budgets:?}");
    let find = |dept: &str, pool: &str| {
        budgets
            .iter()
            .find(|b| b["department"]["name"] == dept && b["pool"] == pool)
            .unwrap()
            .clone()
    };
    let merit = find("Engineering", "MERIT");
    assert_eq!(
        (merit["before"].as_str(), merit["after"].as_str()),
        (Some("12300.00"), Some("5000.00"))
    );
    assert_eq!(merit["people"], 5);
    let bonus = find("Engineering", "BONUS");
    assert_eq!(
        (bonus["before"].as_str(), bonus["after"].as_str()),
        (Some("47916.00"), Some("40000.00"))
    );
    let zero = find("Sales", "BONUS");
    assert_eq!(
        (zero["before"].as_str(), zero["after"].as_str()),
        (Some("2618.30"), Some("0.00"))
    );

    // Every person's fitted amount: the pool's total exactly, each within a cent of the exact
    // share, the order of the proposals kept.
    let r = app
        .gql(Some(hr), "query($f: RewardFilterInput) { rewards(first: 100, filter: $f) { nodes { kind amount proposedAmount employee { email } } } }", json!({ "f": { "runId": run } }))
        .await;
    let nodes = r.data()["rewards"]["nodes"].as_array().unwrap().clone();
    let dec = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
    };
    let bonuses: Vec<(rust_decimal::Decimal, rust_decimal::Decimal)> = nodes
        .iter()
        .filter(|n| n["kind"] == "BONUS" && n["employee"]["email"] != "carol@t.io")
        .map(|n| (dec(&n["proposedAmount"]), dec(&n["amount"])))
        .collect();
    assert_eq!(bonuses.len(), 5);
    let total: rust_decimal::Decimal = bonuses.iter().map(|b| b.1).sum();
    assert_eq!(total, "40000".parse().unwrap());
    let factor = rust_decimal::Decimal::from(40000) / rust_decimal::Decimal::from(47916);
    for (before, after) in &bonuses {
        assert!(
            (*after - *before * factor).abs() < "0.01".parse().unwrap(),
            "{before} → {after}"
        );
        for (b2, a2) in &bonuses {
            if before > b2 {
                assert!(after >= a2);
            }
        }
    }
    // Raises: merit and lump sum together fill the merit pool; Bob's scaled raise (829.27)
    // no longer reaches his range's maximum, so his lump sum is zero.
    let raises: rust_decimal::Decimal = nodes
        .iter()
        .filter(|n| n["kind"] == "MERIT_INCREASE" || n["kind"] == "LUMP_SUM")
        .map(|n| dec(&n["amount"]))
        .sum();
    assert_eq!(raises, "5000".parse().unwrap());
    let bob: Vec<_> = nodes
        .iter()
        .filter(|n| n["employee"]["email"] == "bob@t.io")
        .collect();
    let of = |k: &str| {
        bob.iter()
            .find(|n| n["kind"] == k)
            .map(|n| n["amount"].clone())
    };
    assert_eq!(of("MERIT_INCREASE"), Some(json!("829.27")));
    assert_eq!(of("LUMP_SUM"), Some(json!("0.00")));
    let carol: Vec<_> = nodes
        .iter()
        .filter(|n| n["employee"]["email"] == "carol@t.io")
        .collect();
    assert_eq!(carol[0]["amount"], "0.00");
    assert_eq!(carol[0]["proposedAmount"], "2618.30");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_runs_totals_are_the_sums_of_the_rewards_it_lists_over_a_varied_organisation() {
    let app = spawn_app().await;
    let made = domain::seed::generate_people(&app.ctx, 3000, 9)
        .await
        .unwrap();
    domain::seed::reward_inputs(&app.ctx, made.cycle_id, 9)
        .await
        .unwrap();
    // Variety the generator does not make: mid-year hires (some too recent), leavers with
    // and without a date, ratings without a rule, pay in yen and in an unknown currency,
    // salaries that make exact half cents, leavers kept by the policy. `bucket(x)` spreads
    // people by id the same way on every run of the test.
    let bucket = |col: &str| match perfcycle_tests::backend() {
        "postgres" => format!("abs(hashtext({col}::text))"),
        _ => format!(
            "(unicode(substr(hex({col}), 32, 1)) * 7 + unicode(substr(hex({col}), 31, 1)) * 13)"
        ),
    };
    let (e, c) = (bucket("id"), bucket("employee_id"));
    let policy_update = match perfcycle_tests::backend() {
        "postgres" => {
            "UPDATE reward_policy SET policy = jsonb_set(policy::jsonb, '{requireActiveAtCycleEnd}', 'false')::json"
        }
        _ => {
            "UPDATE reward_policy SET policy = json_set(policy, '$.requireActiveAtCycleEnd', json('false'))"
        }
    };
    let start = "(SELECT starts_on FROM cycle LIMIT 1)";
    let day = |n: &str| match perfcycle_tests::backend() {
        "postgres" => format!("{start} + ({n})"),
        _ => format!("date({start}, '+' || ({n}) || ' days')"),
    };
    use sea_orm::ConnectionTrait;
    for sql in [
        format!(
            "UPDATE employee SET hired_on = {} WHERE {e} % 10 = 1",
            day(&format!("{e} % 300"))
        ),
        format!(
            "UPDATE employee SET active = false, left_on = {} WHERE {e} % 10 = 2",
            day(&format!("{e} % 200"))
        ),
        format!("UPDATE employee SET active = false WHERE {e} % 50 = 3"),
        format!(
            "UPDATE compensation SET currency = 'JPY', pay_grade_id = NULL, base_salary = '6000000' WHERE {c} % 20 = 4"
        ),
        format!("UPDATE compensation SET currency = 'ZZZ' WHERE {c} % 100 = 5"),
        format!(
            "UPDATE compensation SET base_salary = '157897', bonus_target_pct = '15' WHERE {c} % 20 = 6"
        ),
        format!("UPDATE review_rating SET final_rating = 7 WHERE {c} % 50 = 7"),
        format!("UPDATE review_rating SET released_at = NULL WHERE {c} % 50 = 8"),
        policy_update.to_owned(),
    ] {
        app.ctx.db.execute_unprepared(&sql).await.unwrap();
    }
    let hr = app.token(&made.hr_email).await;
    let cycle = made.cycle_id.to_string();
    let run = app.start_run(&hr, &cycle, true).await;
    app.run_jobs().await;
    let totals = app.reward_run(&hr, &run).await["totals"].clone();
    let rows = perfcycle_tests::rewards::run_results(&app, &run).await;
    assert!(rows.len() > 3000, "{}", rows.len());
    // Each kind's count and sums, before and after the fit, from the listed rewards.
    let mut sums: std::collections::BTreeMap<
        String,
        (i64, rust_decimal::Decimal, rust_decimal::Decimal),
    > = Default::default();
    for (_, kind, proposed, amount) in &rows {
        let s = sums.entry(kind.clone()).or_default();
        s.0 += 1;
        s.1 += proposed.parse::<rust_decimal::Decimal>().unwrap();
        s.2 += amount.parse::<rust_decimal::Decimal>().unwrap();
    }
    let mut from_totals: std::collections::BTreeMap<
        String,
        (i64, rust_decimal::Decimal, rust_decimal::Decimal),
    > = Default::default();
    for k in totals["kinds"].as_array().unwrap() {
        let s = from_totals
            .entry(k["kind"].as_str().unwrap().to_owned())
            .or_default();
        s.0 += k["count"].as_i64().unwrap();
        s.1 += k["proposed"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap();
        s.2 += k["amount"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap();
    }
    assert_eq!(sums, from_totals, "{totals}");
    let people: std::collections::BTreeSet<&String> = rows.iter().map(|r| &r.0).collect();
    assert_eq!(totals["rewarded"].as_i64().unwrap(), people.len() as i64);
    let skipped = totals["skipped"].as_array().unwrap().len();
    assert!(skipped >= 4, "the variety reached every reason: {totals}");
    let kinds = totals["kinds"].as_array().unwrap().len();
    assert!(kinds >= 5, "EUR and JPY kinds: {totals}");
    let fitted = totals["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["before"] != b["after"])
        .count();
    assert!(fitted > 0, "some pools were fitted: {totals}");
    // The same run by a worker whose pool has one connection, so it reads each step itself
    // instead of ahead on a second one: the same rewards, the same totals.
    let single = domain::Ctx {
        db: domain::db::connect(&app.database_url, 1).await.unwrap(),
        ..app.ctx.clone()
    };
    assert_eq!(domain::db::pool_size(&single.db), 1);
    assert!(domain::db::pool_size(&app.ctx.db) > 1);
    let again = app.start_run(&hr, &cycle, true).await;
    assert!(domain::jobs::run_due(&single, "test-worker").await.unwrap() > 0);
    let step_by_step = perfcycle_tests::rewards::run_results(&app, &again).await;
    assert_eq!(rows.len(), step_by_step.len());
    assert!(rows == step_by_step, "the two runs' rewards differ");
    assert_eq!(app.reward_run(&hr, &again).await["totals"], totals);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_runs_rewards_and_awards_page_as_one_list_in_any_page_size() {
    let app = spawn_app().await;
    let s = app.reward_setup().await;
    let hr = &s.org.hr;
    app.set_policy(hr, &s.cycle, policy()).await;
    // Awards before and after the run: rows of their own among the run's lines.
    let dave = app.id_of("dave@t.io").await;
    let award = "mutation($i: GiveAwardInput!) { giveAward(input: $i) { id } }";
    let give = |amount: &str| {
        json!({ "i": { "employeeId": dave, "cycleId": s.cycle, "reason": "Saved the launch",
                       "amount": amount, "currency": "EUR" } })
    };
    app.gql(Some(hr), award, give("100")).await.data();
    app.advance_cycle(hr, &s.cycle, "REWARDING").await;
    app.run_jobs().await;
    app.clock
        .set(domain::Clock::now(&*app.clock) + chrono::Duration::seconds(1));
    app.gql(Some(hr), award, give("200")).await.data();
    let list = "query($n: Int, $after: String) { rewards(first: $n, after: $after) {
        totalCount nodes { id kind amount employee { email } } pageInfo { hasNextPage endCursor } } }";
    let whole = app.gql(Some(hr), list, json!({ "n": 100 })).await;
    let whole = whole.data()["rewards"].clone();
    let all: Vec<Value> = whole["nodes"].as_array().unwrap().clone();
    assert_eq!(all.len(), expected().len() + 2, "{whole}");
    assert_eq!(whole["totalCount"], all.len());
    assert_eq!(all[0]["amount"], "100.00", "the first award is the oldest");
    assert_eq!(
        all[all.len() - 1]["amount"],
        "200.00",
        "the last award is the newest"
    );
    // Every reward has its own id, and each one reads back by it.
    let ids: std::collections::BTreeSet<&str> =
        all.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), all.len());
    let one = "query($id: ID!) { reward(id: $id) { id kind amount } }";
    for n in &all {
        let r = app.gql(Some(hr), one, json!({ "id": n["id"] })).await;
        assert_eq!(r.data()["reward"]["kind"], n["kind"]);
        assert_eq!(r.data()["reward"]["amount"], n["amount"]);
    }
    // Paged 1, 2, 3 and 4 at a time, the same list in the same order.
    for size in 1..=4 {
        let mut paged = Vec::new();
        let mut after = Value::Null;
        loop {
            let r = app
                .gql(Some(hr), list, json!({ "n": size, "after": after }))
                .await;
            let page = r.data()["rewards"].clone();
            assert_eq!(page["totalCount"], all.len());
            paged.extend(page["nodes"].as_array().unwrap().iter().cloned());
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(paged, all, "pages of {size}");
    }
    // A kind's rewards: only theirs, counted alike.
    let kind = "query($k: RewardKind) { rewards(first: 100, filter: { kind: $k }) { totalCount nodes { kind } } }";
    let r = app.gql(Some(hr), kind, json!({ "k": "BONUS" })).await;
    let bonuses = r.data()["rewards"].clone();
    assert_eq!(bonuses["totalCount"], 6);
    assert!(
        bonuses["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["kind"] == "BONUS")
    );
    let r = app.gql(Some(hr), kind, json!({ "k": "AWARD" })).await;
    assert_eq!(r.data()["rewards"]["totalCount"], 2);
    // An id no reward has, one shaped like a line's reward included, is NOT_FOUND.
    for id in [uuid::Uuid::new_v4(), uuid::Uuid::from_u128(0x11)] {
        app.gql(Some(hr), one, json!({ "id": id.to_string() }))
            .await
            .assert_error("NOT_FOUND", None);
    }
}
