//! What the reward stage refuses: pay and policies are HR's alone, every bad input names its
//! field, and spot awards and promotion recommendations follow who manages whom.

use perfcycle_tests::rewards::{APPROVE, SET_POLICY, policy};
use perfcycle_tests::smtp::SmtpSink;
use perfcycle_tests::spawn_app;
use serde_json::{Value, json};

const SET_PAY: &str = "mutation($i: SetCompensationInput!) { setCompensation(input: $i) { id baseSalary compaRatio } }";
const GRADE: &str = "mutation($i: PayGradeInput!) { setPayGrade(input: $i) { id code rangeMid } }";
const AWARD: &str =
    "mutation($i: GiveAwardInput!) { giveAward(input: $i) { id kind status amount currency } }";
const RECOMMEND: &str =
    "mutation($i: RecommendPromotionInput!) { recommendPromotion(input: $i) { id status } }";
const DECIDE: &str = "mutation($i: DecidePromotionInput!) { decidePromotion(input: $i) { status decidedBy { email } } }";

fn with(base: &Value, key: &str, value: Value) -> Value {
    let mut v = base.clone();
    v[key] = value;
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn pay_is_hr_only_and_every_bad_value_is_refused_by_field() {
    let app = spawn_app().await;
    let org = app.org().await;
    let alice = app.id_of("alice@t.io").await;
    let grade = json!({ "code": "G1", "name": "Engineer", "currency": "EUR", "rangeMin": "50000", "rangeMid": "60000", "rangeMax": "70000" });
    app.gql(Some(&org.mgr), GRADE, json!({ "i": grade }))
        .await
        .assert_error("FORBIDDEN", None);
    for (field, value) in [
        ("currency", json!("XYZ")),
        ("rangeMin", json!("0")),
        ("rangeMid", json!("80000")),
        ("rangeMax", json!("70000.001")),
        ("code", json!(" ")),
    ] {
        app.gql(
            Some(&org.hr),
            GRADE,
            json!({ "i": with(&grade, field, value) }),
        )
        .await
        .assert_error("BAD_USER_INPUT", Some(field));
    }
    let r = app.gql(Some(&org.hr), GRADE, json!({ "i": grade })).await;
    let g1 = r.data()["setPayGrade"]["id"].clone();
    assert_eq!(r.data()["setPayGrade"]["rangeMid"], "60000.00");
    let pay = json!({ "employeeId": alice, "effectiveOn": "2027-01-01", "baseSalary": "63000", "currency": "EUR", "bonusTargetPct": "10", "payGradeId": g1 });
    for token in [&org.alice, &org.mgr, &org.ceo] {
        app.gql(Some(token), SET_PAY, json!({ "i": pay }))
            .await
            .assert_error("FORBIDDEN", None);
    }
    for (field, value) in [
        ("currency", json!("eur")),
        ("baseSalary", json!("-1")),
        ("baseSalary", json!("0")),
        ("baseSalary", json!("100.001")),
        ("bonusTargetPct", json!("250")),
        ("effectiveOn", json!("2010-01-01")),
        ("payGradeId", json!(uuid::Uuid::new_v4().to_string())),
    ] {
        app.gql(
            Some(&org.hr),
            SET_PAY,
            json!({ "i": with(&pay, field, value) }),
        )
        .await
        .assert_error("BAD_USER_INPUT", Some(field));
    }
    // A grade in another currency.
    app.gql(
        Some(&org.hr),
        SET_PAY,
        json!({ "i": with(&pay, "currency", json!("USD")) }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("payGradeId"));
    let r = app.gql(Some(&org.hr), SET_PAY, json!({ "i": pay })).await;
    assert_eq!(r.data()["setCompensation"]["baseSalary"], "63000.00");
    assert_eq!(r.data()["setCompensation"]["compaRatio"], "1.05");
    // The history: HR only, not even Alice's own.
    let history = "query($e: ID!) { compensation(employeeId: $e) { effectiveOn baseSalary } }";
    for token in [&org.alice, &org.mgr] {
        app.gql(Some(token), history, json!({ "e": alice }))
            .await
            .assert_error("FORBIDDEN", None);
    }
    app.gql(
        Some(&org.hr),
        SET_PAY,
        json!({ "i": with(&pay, "effectiveOn", json!("2027-07-01")) }),
    )
    .await
    .data();
    let r = app.gql(Some(&org.hr), history, json!({ "e": alice })).await;
    assert_eq!(
        r.data()["compensation"],
        json!([{ "effectiveOn": "2027-07-01", "baseSalary": "63000.00" }, { "effectiveOn": "2027-01-01", "baseSalary": "63000.00" }])
    );
    app.gql(Some(&org.mgr), "{ payGrades { code } }", json!({}))
        .await
        .assert_error("FORBIDDEN", None);
    assert!(
        app.count("audit_log WHERE action = 'compensation.set'")
            .await
            == 2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_is_hr_only_and_checked_whole() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let set = |p: Value| json!({ "c": cycle, "p": p });
    app.gql(Some(&org.mgr), SET_POLICY, set(policy()))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(
        Some(&org.mgr),
        "query($c: ID!) { rewardPolicy(cycleId: $c) { minTenureDays } }",
        json!({ "c": cycle }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    let mut p = policy();
    p["ratings"][1]["raisePcts"] = json!(["1", "2"]);
    app.gql(Some(&org.hr), SET_POLICY, set(p))
        .await
        .assert_error("BAD_USER_INPUT", Some("ratings[1].raisePcts"));
    let mut p = policy();
    p["compaBands"] = json!(["1.1", "0.9"]);
    app.gql(Some(&org.hr), SET_POLICY, set(p))
        .await
        .assert_error("BAD_USER_INPUT", Some("compaBands[1]"));
    let mut p = policy();
    p["ratings"][0]["rating"] = json!(4);
    app.gql(Some(&org.hr), SET_POLICY, set(p))
        .await
        .assert_error("BAD_USER_INPUT", Some("ratings[1].rating"));
    let mut p = policy();
    p["companyMultiplier"] = json!("-0.5");
    app.gql(Some(&org.hr), SET_POLICY, set(p))
        .await
        .assert_error("BAD_USER_INPUT", Some("companyMultiplier"));
    let mut p = policy();
    p["minTenureDays"] = json!(-1);
    app.gql(Some(&org.hr), SET_POLICY, set(p))
        .await
        .assert_error("BAD_USER_INPUT", Some("minTenureDays"));
    let mut p = policy();
    p["budgets"] = json!([{ "departmentId": uuid::Uuid::new_v4().to_string(), "currency": "EUR", "bonusPool": "10" }]);
    app.gql(Some(&org.hr), SET_POLICY, set(p))
        .await
        .assert_error("BAD_USER_INPUT", Some("budgets[0].departmentId"));
    let engineering = app
        .employee("alice@t.io")
        .await
        .department_id
        .unwrap()
        .to_string();
    let mut p = policy();
    p["budgets"] =
        json!([{ "departmentId": engineering, "currency": "EUR", "bonusPool": "10.005" }]);
    app.gql(Some(&org.hr), SET_POLICY, set(p))
        .await
        .assert_error("BAD_USER_INPUT", Some("budgets[0].bonusPool"));
    assert_eq!(app.count("reward_policy").await, 0, "nothing half-written");
    // Runs: HR only, to read as to start.
    let start = "mutation($i: StartRewardRunInput!) { startRewardRun(input: $i) { id } }";
    app.gql(
        Some(&org.mgr),
        start,
        json!({ "i": { "cycleId": cycle, "preview": true } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    app.gql(
        Some(&org.hr),
        start,
        json!({ "i": { "cycleId": cycle, "preview": true } }),
    )
    .await
    .assert_error("CONFLICT", None);
    app.gql(Some(&org.hr), SET_POLICY, set(policy()))
        .await
        .data();
    let run = app.start_run(&org.hr, &cycle, true).await;
    app.gql(
        Some(&org.mgr),
        "query($id: ID!) { rewardRun(id: $id) { id } }",
        json!({ "id": run }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    app.gql(
        Some(&org.mgr),
        "query($c: ID!) { rewardRuns(cycleId: $c) { id } }",
        json!({ "c": cycle }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.hr), APPROVE, json!({ "i": {} }))
        .await
        .assert_error("BAD_USER_INPUT", Some("runId"));
    app.gql(
        Some(&org.hr),
        APPROVE,
        json!({ "i": { "runId": run, "awardId": run } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("runId"));
    app.gql(Some(&org.hr), APPROVE, json!({ "i": { "runId": run } }))
        .await
        .assert_error("CONFLICT", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn managers_give_awards_to_their_teams_and_hr_approves_them_with_a_letter() {
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let (alice, carol, dave) = (
        app.id_of("alice@t.io").await,
        app.id_of("carol@t.io").await,
        app.id_of("dave@t.io").await,
    );
    let award = |who: &str, extra: Value| {
        let mut i = json!({ "employeeId": who, "cycleId": cycle, "reason": "Saved the launch" });
        for (k, v) in extra.as_object().into_iter().flatten() {
            i[k] = v.clone();
        }
        json!({ "i": i })
    };
    // Not oneself, not outside one's teams, not as a colleague.
    app.gql(Some(&org.alice), AWARD, award(&alice, json!({})))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.mgr), AWARD, award(&carol, json!({})))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(Some(&org.bob), AWARD, award(&alice, json!({})))
        .await
        .assert_error("FORBIDDEN", None);
    // Bad amounts.
    for (field, extra) in [
        ("currency", json!({ "amount": "100" })),
        ("currency", json!({ "amount": "100", "currency": "ABC" })),
        ("amount", json!({ "amount": "0", "currency": "EUR" })),
        ("amount", json!({ "amount": "1.234", "currency": "EUR" })),
        (
            "ptoDays",
            json!({ "amount": "1", "currency": "EUR", "ptoDays": "1" }),
        ),
        ("ptoDays", json!({ "ptoDays": "45" })),
        ("reason", json!({ "reason": "" })),
    ] {
        app.gql(Some(&org.mgr), AWARD, award(&dave, extra))
            .await
            .assert_error("BAD_USER_INPUT", Some(field));
    }
    // Mia (Dave's manager's manager) gives Dave 500 EUR; Lea gives him a day off.
    let r = app
        .gql(
            Some(&org.mgr),
            AWARD,
            award(&dave, json!({ "amount": "500", "currency": "EUR" })),
        )
        .await;
    let money = r.data()["giveAward"].clone();
    assert_eq!(
        (
            money["kind"].as_str(),
            money["status"].as_str(),
            money["amount"].as_str()
        ),
        (Some("AWARD"), Some("PROPOSED"), Some("500.00"))
    );
    let r = app
        .gql(
            Some(&org.lead),
            AWARD,
            award(&dave, json!({ "ptoDays": "1" })),
        )
        .await;
    let day = r.data()["giveAward"].clone();
    assert_eq!(day["kind"], "PTO");
    // Only HR approves; Dave sees it once the letter is out.
    let approve = |id: &Value, yes: bool| json!({ "i": { "awardId": id, "approve": yes } });
    app.gql(Some(&org.mgr), APPROVE, approve(&money["id"], true))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app
        .gql(Some(&org.hr), APPROVE, approve(&money["id"], true))
        .await;
    assert_eq!(r.data()["approveRewards"]["status"], "APPROVED");
    app.gql(Some(&org.hr), APPROVE, approve(&money["id"], true))
        .await
        .assert_error("CONFLICT", None);
    let r = app
        .gql(Some(&org.hr), APPROVE, approve(&day["id"], false))
        .await;
    assert_eq!(r.data()["approveRewards"]["status"], "DECLINED");
    sink.mailer().deliver_pending(&app.ctx).await.unwrap();
    let letters: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to == ["dave@t.io"] && m.subject().contains("award"))
        .collect();
    assert_eq!(letters.len(), 1);
    assert!(
        letters[0]
            .part("text/plain")
            .unwrap()
            .contains("Award: 500.00 EUR")
    );
    let dave_token = app.token("dave@t.io").await;
    let mine = app.rewards_seen(&dave_token, json!({})).await;
    assert_eq!(
        mine,
        vec![(
            "dave@t.io".into(),
            "AWARD".into(),
            "500.00".into(),
            "COMMUNICATED".into()
        )]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_recommends_a_promotion_and_hrs_approval_changes_the_employee() {
    let app = spawn_app().await;
    let org = app.org().await;
    let dave = app.id_of("dave@t.io").await;
    let input = json!({ "i": { "employeeId": dave, "title": "Senior Engineer", "rationale": "Leads the platform work" } });
    for token in [&org.dave, &org.alice, &org.other, &org.hr] {
        app.gql(Some(token), RECOMMEND, input.clone())
            .await
            .assert_error("FORBIDDEN", None);
    }
    app.gql(
        Some(&org.lead),
        RECOMMEND,
        json!({ "i": { "employeeId": dave, "title": "", "rationale": "x" } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("title"));
    let r = app.gql(Some(&org.lead), RECOMMEND, input.clone()).await;
    let id = r.data()["recommendPromotion"]["id"].clone();
    app.gql(Some(&org.mgr), RECOMMEND, input)
        .await
        .assert_error("CONFLICT", None);
    // Who may read them: HR and Dave's managers, not Dave or his colleagues.
    let list = "query($e: ID!) { promotions(employeeId: $e) { title status } }";
    for token in [&org.dave, &org.alice] {
        app.gql(Some(token), list, json!({ "e": dave }))
            .await
            .assert_error("FORBIDDEN", None);
    }
    let r = app.gql(Some(&org.mgr), list, json!({ "e": dave })).await;
    assert_eq!(r.data()["promotions"][0]["status"], "PROPOSED");
    app.gql(
        Some(&org.lead),
        DECIDE,
        json!({ "i": { "id": id, "approve": true } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    let r = app
        .gql(
            Some(&org.hr),
            DECIDE,
            json!({ "i": { "id": id, "approve": true, "note": "Deserved" } }),
        )
        .await;
    assert_eq!(r.data()["decidePromotion"]["decidedBy"]["email"], "hr@t.io");
    assert_eq!(app.employee("dave@t.io").await.title, "Senior Engineer");
    assert_eq!(
        app.count("audit_log WHERE action = 'employee.promote'")
            .await,
        1
    );
    app.gql(
        Some(&org.hr),
        DECIDE,
        json!({ "i": { "id": id, "approve": false } }),
    )
    .await
    .assert_error("CONFLICT", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leaving_date_lies_between_hiring_and_today() {
    let app = spawn_app().await;
    let org = app.org().await;
    let carol = app.id_of("carol@t.io").await;
    let leave = |on: &str| json!({ "id": carol, "on": on });
    let q = "mutation($id: ID!, $on: NaiveDate) { deactivateEmployee(input: { id: $id, leftOn: $on }) { active leftOn } }";
    app.gql(Some(&org.hr), q, leave("2020-12-31"))
        .await
        .assert_error("BAD_USER_INPUT", Some("leftOn"));
    let tomorrow =
        (domain::Clock::now(&*app.clock).date_naive() + chrono::Duration::days(1)).to_string();
    app.gql(Some(&org.hr), q, leave(&tomorrow))
        .await
        .assert_error("BAD_USER_INPUT", Some("leftOn"));
    assert!(app.employee("carol@t.io").await.active);
    let r = app.gql(Some(&org.hr), q, leave("2021-01-01")).await;
    assert_eq!(
        r.data()["deactivateEmployee"],
        json!({ "active": false, "leftOn": "2021-01-01" })
    );
}
