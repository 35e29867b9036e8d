//! Hostile requests: each is answered with a 4xx or a GraphQL error with a known code, and
//! the server still answers afterwards.

use perfcycle_tests::{TestApp, goal_input, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const GQL_RESPONSE: &str = "application/graphql-response+json";
const ME: &str = "{ me { name } }";

/// POSTs raw bytes as JSON; returns the status and the body (`Null` if it is not JSON).
async fn post(app: &TestApp, token: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut req = app
        .http
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .header("accept", GQL_RESPONSE)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// POSTs a query (and variables) as JSON.
async fn post_query(app: &TestApp, token: &str, query: &str, variables: Value) -> (u16, Value) {
    let body = serde_json::to_vec(&json!({ "query": query, "variables": variables })).unwrap();
    post(app, Some(token), body).await
}

/// Asserts the server is alive and still answers `token`'s holder.
async fn still_answers(app: &TestApp, token: &str) {
    let r = app.gql(Some(token), ME, json!({})).await;
    assert_eq!(r.status, 200);
    assert!(r.data()["me"]["name"].is_string(), "{}", r.body);
}

/// Asserts a 400 whose first error has `code`, and no `data` entry.
fn assert_refused(status: u16, body: &Value, code: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
    assert!(body.get("data").is_none(), "{body}");
}

fn nested_list(depth: usize) -> String {
    format!("{}PROPOSED{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test(flavor = "multi_thread")]
async fn argument_values_nested_thousands_deep_are_refused_and_the_server_lives() {
    let app = spawn_app().await;
    let org = app.org().await;
    for depth in [33, 5_000, 30_000] {
        let query = format!(
            "{{ goals(filter: {{status: {}}}) {{ totalCount }} }}",
            nested_list(depth)
        );
        let (status, body) = post_query(&app, &org.alice, &query, json!({})).await;
        assert_refused(status, &body, "LIMIT_EXCEEDED");
        assert_eq!(body["errors"][0]["extensions"]["setting"], "max_nesting");
        still_answers(&app, &org.alice).await;
    }
    // The same over GET.
    let query = format!(
        "{{ goals(filter: {{status: {}}}) {{ totalCount }} }}",
        nested_list(5_000)
    );
    let res = app
        .http
        .get(format!("{}/graphql", app.address))
        .query(&[("query", query.as_str())])
        .bearer_auth(&org.alice)
        .header("accept", GQL_RESPONSE)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");
    still_answers(&app, &org.alice).await;
    // Brackets inside a string are not nesting.
    let query = format!(
        "{{ employees(filter: {{search: \"{}\"}}) {{ totalCount }} }}",
        "[".repeat(200)
    );
    let (status, body) = post_query(&app, &org.alice, &query, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["employees"]["totalCount"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn variables_nested_deep_are_refused_and_the_server_lives() {
    let app = spawn_app().await;
    let org = app.org().await;
    let query = "query($v: [GoalStatus!]) { goals(filter: {status: $v}) { totalCount } }";
    // Within serde_json's own recursion limit (128): our bound answers.
    let mut v = json!("PROPOSED");
    for _ in 0..100 {
        v = json!([v]);
    }
    let (status, body) = post_query(&app, &org.alice, query, json!({ "v": v })).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    // Far beyond it: the JSON reader refuses it before anything recursive builds it.
    let deep = format!(
        "{{\"query\": \"{query}\", \"variables\": {{\"v\": {}1{}}}}}",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let (status, body) = post(&app, Some(&org.alice), deep.into_bytes()).await;
    assert_refused(status, &body, "BAD_REQUEST");
    still_answers(&app, &org.alice).await;
    // A variable of the right shape still works.
    let (status, body) = post_query(&app, &org.alice, query, json!({ "v": ["PROPOSED"] })).await;
    assert_eq!(
        (status, &body["data"]["goals"]["totalCount"]),
        (200, &json!(0))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn thousands_of_aliases_or_root_fields_are_refused() {
    let app = spawn_app().await;
    let org = app.org().await;
    let aliases: String = (0..2_000).map(|i| format!("a{i}: name ")).collect();
    let (status, body) = post_query(
        &app,
        &org.alice,
        &format!("{{ me {{ {aliases} }} }}"),
        json!({}),
    )
    .await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(body["errors"][0]["extensions"]["setting"], "max_aliases");
    still_answers(&app, &org.alice).await;
    let roots = "me { name } ".repeat(2_000);
    let (status, body) = post_query(&app, &org.alice, &format!("{{ {roots} }}"), json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(
        body["errors"][0]["extensions"]["setting"],
        "max_root_fields"
    );
    still_answers(&app, &org.alice).await;
    // Twenty of each are fine.
    let aliases: String = (0..20).map(|i| format!("a{i}: name ")).collect();
    let (status, body) = post_query(
        &app,
        &org.alice,
        &format!("{{ me {{ {aliases} }} }}"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["a19"], "Alice Able");
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_directives_are_refused() {
    let app = spawn_app().await;
    let org = app.org().await;
    let query = format!(
        "{{ me {{ name {} }} }}",
        "@include(if: true) ".repeat(1_000)
    );
    let (status, body) = post_query(&app, &org.alice, &query, json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(body["errors"][0]["extensions"]["setting"], "max_directives");
    still_answers(&app, &org.alice).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fragment_cycles_bombs_and_chains_are_refused() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = "{ me { ...A } } fragment A on Employee { name ...B } fragment B on Employee { email ...A }";
    let (status, body) = post_query(&app, &org.alice, cycle, json!({})).await;
    assert_refused(status, &body, "GRAPHQL_VALIDATION_FAILED");
    still_answers(&app, &org.alice).await;
    // Each fragment spreads the next twice: 2^25 selections if expanded.
    let mut bomb = String::from("{ me { ...F0 } }");
    for i in 0..25 {
        bomb.push_str(&format!(
            " fragment F{i} on Employee {{ ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    bomb.push_str(" fragment F25 on Employee { name }");
    let (status, body) = post_query(&app, &org.alice, &bomb, json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(body["errors"][0]["extensions"]["setting"], "max_complexity");
    still_answers(&app, &org.alice).await;
    // A chain of a thousand fragments, each spreading the next.
    let mut chain = String::from("{ me { ...F0 } }");
    for i in 0..1_200 {
        chain.push_str(&format!(" fragment F{i} on Employee {{ ...F{} }}", i + 1));
    }
    chain.push_str(" fragment F1200 on Employee { name }");
    let (status, body) = post_query(&app, &org.alice, &chain, json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    assert_eq!(body["errors"][0]["extensions"]["setting"], "max_nesting");
    still_answers(&app, &org.alice).await;
    // The same chain, used by no operation (validation would still walk it).
    let unused = chain.replacen("{ me { ...F0 } }", "{ me { name } }", 1);
    let (status, body) = post_query(&app, &org.alice, &unused, json!({})).await;
    assert_refused(status, &body, "LIMIT_EXCEEDED");
    still_answers(&app, &org.alice).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_is_refused_and_runs_nothing() {
    let app = spawn_app().await;
    let org = app.org().await;
    let before = app.count("cycle").await;
    let mutation = "mutation { createCycle(input: {name: \"FY2027\", startsOn: \"2027-01-01\", endsOn: \"2027-12-31\", reviewOpensOn: \"2027-11-01\", reviewDueOn: \"2027-12-01\"}) { id } }";
    for body in [
        json!([mutation, null, null]),
        json!([{ "query": mutation }, { "query": ME }]),
        json!([]),
    ] {
        let (status, answer) = post(&app, Some(&org.hr), serde_json::to_vec(&body).unwrap()).await;
        assert_refused(status, &answer, "BAD_REQUEST");
        still_answers(&app, &org.hr).await;
    }
    assert_eq!(app.count("cycle").await, before, "a batch wrote a cycle");
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_malformed_and_non_utf8_bodies_are_refused() {
    let app = spawn_app_with(&[("PERFCYCLE_MAX_BODY_BYTES", "65536")]).await;
    let org = app.org().await;
    let huge = format!(
        "{{\"query\": \"{{ me {{ name }} }}\", \"pad\": \"{}\"}}",
        "x".repeat(200_000)
    );
    let (status, _) = post(&app, Some(&org.alice), huge.into_bytes()).await;
    assert_eq!(status, 413);
    still_answers(&app, &org.alice).await;
    let malformed: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"{\"query\": ".to_vec(),
        b"null".to_vec(),
        b"42".to_vec(),
        b"\"{ me { name } }\"".to_vec(),
        b"{\"query\": 42}".to_vec(),
        b"{\"query\": \"{ me { name } }\"} trailing".to_vec(),
        b"{\"query\": \"{ me { name } }\", \"variables\": [1]}".to_vec(),
        b"{\"query\": \"{ me { name } }\", \"extensions\": \"x\"}".to_vec(),
        b"{\"query\": \"{ me { name } }\", \"extensions\": [1]}".to_vec(),
        b"{\"query\": \"{ me { \xff\xfe } }\"}".to_vec(),
        b"\xef\xbb\xbf\xff{\"query\": \"{ me { name } }\"}".to_vec(),
        b"{\"query\": \"{ me { name } }\\ud800\"}".to_vec(),
    ];
    for body in malformed {
        let shown = String::from_utf8_lossy(&body).into_owned();
        let (status, answer) = post(&app, Some(&org.alice), body).await;
        assert_eq!(status, 400, "{shown}: {answer}");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{shown}"
        );
        still_answers(&app, &org.alice).await;
    }
    // Not GraphQL at all, and bad UTF-8 in a GET query string.
    let (status, answer) = post_query(&app, &org.alice, "{ me { name ", json!({})).await;
    assert_refused(status, &answer, "GRAPHQL_PARSE_FAILED");
    let res = app
        .http
        .get(format!(
            "{}/graphql?query=%7B%20me%20%7B%20%FF%20%7D%20%7D",
            app.address
        ))
        .bearer_auth(&org.alice)
        .header("accept", GQL_RESPONSE)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    still_answers(&app, &org.alice).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_and_expired_tokens_are_unauthenticated() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let public = fixtures.join("idp-public.pem");
    let app = spawn_app_with(&[("PERFCYCLE_JWT_PUBLIC_KEY_FILE", public.to_str().unwrap())]).await;
    let org = app.org().await;
    let alice = app.employee("alice@t.io").await;
    let valid = org.alice.clone();
    let mut parts = valid.split('.');
    let (header, claims) = (parts.next().unwrap(), parts.next().unwrap());
    use base64::Engine;
    let b64 = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    };
    let none = format!("{}.{claims}.", b64(&json!({ "alg": "none", "typ": "JWT" })));
    let bad_signature = format!("{header}.{claims}.{}", "A".repeat(43));
    let now = chrono::Utc::now().timestamp();
    // The classic key confusion: HS256 "signed" with the RS256 public key as the secret.
    let confused = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({ "sub": "idp|alice", "email": "alice@t.io", "email_verified": true, "iat": now, "exp": now + 600 }),
        &jsonwebtoken::EncodingKey::from_secret(&std::fs::read(&public).unwrap()),
    )
    .unwrap();
    let expired = app
        .auth
        .issue(alice.id, &alice.email, Some(chrono::Duration::hours(-2)))
        .unwrap();
    for token in [none, bad_signature, confused, expired] {
        let r = app.gql(Some(&token), ME, json!({})).await;
        r.assert_error("UNAUTHENTICATED", None);
        assert!(r.body["data"].is_null(), "{}", r.body);
        still_answers(&app, &valid).await;
    }
}

/// Every `(field, argument)` of Query and Mutation whose type is `ID` or `ID!`.
async fn id_arguments(app: &TestApp, token: &str) -> BTreeSet<String> {
    let arg = "args { name type { name ofType { name kind inputFields { name type { name ofType { name } } } } } }";
    let r = app
        .gql(
            Some(token),
            &format!("{{ __schema {{ queryType {{ fields {{ name {arg} }} }} mutationType {{ fields {{ name {arg} }} }} }} }}"),
            json!({}),
        )
        .await;
    let schema = &r.data()["__schema"];
    let is_id = |ty: &Value| ty["name"] == "ID" || ty["ofType"]["name"] == "ID";
    let mut found = BTreeSet::new();
    for root in ["queryType", "mutationType"] {
        for field in schema[root]["fields"].as_array().unwrap() {
            let name = field["name"].as_str().unwrap();
            for arg in field["args"].as_array().unwrap() {
                let (arg_name, ty) = (arg["name"].as_str().unwrap(), &arg["type"]);
                if is_id(ty) {
                    found.insert(format!("{name}.{arg_name}"));
                }
                // A mutation's input object: the ids it names, one level down.
                if root == "mutationType" && ty["ofType"]["kind"] == "INPUT_OBJECT" {
                    for f in ty["ofType"]["inputFields"].as_array().unwrap() {
                        if is_id(&f["type"]) {
                            found.insert(format!(
                                "{name}.{arg_name}.{}",
                                f["name"].as_str().unwrap()
                            ));
                        }
                    }
                }
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn another_persons_ids_on_every_id_argument_give_no_data() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    // Carol's goal in another team: invisible to Alice.
    let carols = app
        .agreed_goal(&org.carol, &org.other, &cycle, json!({ "weight": 100 }))
        .await;
    app.open_check_ins().await;
    let carol_check_in = app.check_ins_of(&org.other, "carol@t.io").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let carol = app.employee("carol@t.io").await.id.to_string();
    let other = app.employee("other@t.io").await.id.to_string();
    let (goal, kr, check_in) = (&carols.goal_id, &carols.key_result_id, &carol_check_in);
    let new_goal = goal_input(&cycle, json!({ "parentId": goal }));
    let mine = app.goal_id(&org.alice, &cycle, json!({})).await;
    let r = app
        .gql(
            Some(&org.carol),
            "mutation($id: ID!) { setMilestones(input: { goalId: $id, milestones: [{ title: \"Hers\", dueOn: \"2027-04-01\" }] }) { milestones { id } } }",
            json!({ "id": goal }),
        )
        .await;
    let milestone = r.data()["setMilestones"]["milestones"][0]["id"].clone();
    let next = app.planning_cycle(&org.hr, "Next").await;
    app.scan_check_ins("2027-03-01T12:00:00Z").await;
    let r = app
        .gql(
            Some(&org.hr),
            "query($e: ID!, $c: ID!) { employee(id: $e) { planningConversation(cycleId: $c) { id } } }",
            json!({ "e": carol, "c": next }),
        )
        .await;
    let conversation = r.data()["employee"]["planningConversation"]["id"].clone();
    let r = app
        .gql(
            Some(&org.hr),
            "mutation { createSkill(input: { name: \"Negotiation\", group: \"sales\", levels: [\"1\", \"2\", \"3\", \"4\", \"5\"] }) { id } }",
            json!({}),
        )
        .await;
    let skill = r.data()["createSkill"]["id"].clone();
    // Carol's development item and improvement plan; Alice's own training item.
    let r = app
        .gql(
            Some(&org.carol),
            "mutation($i: AddDevelopmentItemInput!) { addDevelopmentItem(input: $i) { id } }",
            json!({ "i": { "employeeId": carol, "cycleId": cycle, "kind": "TRAINING", "title": "Hers" } }),
        )
        .await;
    let carols_item = r.data()["addDevelopmentItem"]["id"].clone();
    let r = app
        .gql(
            Some(&org.other),
            "mutation($i: OpenImprovementPlanInput!) { openImprovementPlan(input: $i) { id } }",
            json!({ "i": { "employeeId": carol, "cycleId": cycle, "objectives": "o", "checkDates": ["2027-04-01"] } }),
        )
        .await;
    let carols_plan = r.data()["openImprovementPlan"]["id"].clone();
    let alice = app.employee("alice@t.io").await.id.to_string();
    let r = app
        .gql(
            Some(&org.alice),
            "mutation($i: AddDevelopmentItemInput!) { addDevelopmentItem(input: $i) { id } }",
            json!({ "i": { "employeeId": alice, "cycleId": cycle, "kind": "TRAINING", "title": "Mine" } }),
        )
        .await;
    let alices_item = r.data()["addDevelopmentItem"]["id"].clone();
    let item_step = |name: &'static str, input: &'static str, extra: Value| {
        let mut i = json!({ "itemId": carols_item });
        for (k, v) in extra.as_object().into_iter().flatten() {
            i[k] = v.clone();
        }
        let mutation = name.split('.').next().unwrap_or_default();
        (
            name,
            format!("mutation($i: {input}!) {{ {mutation}(input: $i) {{ id }} }}"),
            json!({ "i": i }),
        )
    };
    let mut cases: Vec<(&str, String, Value)> = vec![
        item_step("agreeDevelopmentItem.input.itemId", "AnswerDevelopmentItemInput", json!({})),
        item_step("confirmDevelopmentItem.input.itemId", "AnswerDevelopmentItemInput", json!({})),
        item_step("returnDevelopmentItem.input.itemId", "ReturnDevelopmentItemInput", json!({ "reason": "r" })),
        item_step("completeDevelopmentItem.input.itemId", "CompleteDevelopmentItemInput", json!({ "evidence": "e" })),
        item_step("updateDevelopmentItem.input.itemId", "UpdateDevelopmentItemInput", json!({ "title": "t" })),
        (
            "updateDevelopmentItem.input.goalId",
            "mutation($i: UpdateDevelopmentItemInput!) { updateDevelopmentItem(input: $i) { id } }".into(),
            json!({ "i": { "itemId": alices_item, "goalId": goal } }),
        ),
        (
            "addDevelopmentItem.input.employeeId",
            "mutation($i: AddDevelopmentItemInput!) { addDevelopmentItem(input: $i) { id } }".into(),
            json!({ "i": { "employeeId": carol, "cycleId": cycle, "kind": "TRAINING", "title": "t" } }),
        ),
        (
            "addDevelopmentItem.input.goalId",
            "mutation($i: AddDevelopmentItemInput!) { addDevelopmentItem(input: $i) { id } }".into(),
            json!({ "i": { "employeeId": alice, "cycleId": cycle, "kind": "STRETCH_ASSIGNMENT", "title": "t",
                "description": "d", "goalId": goal, "requiredSkills": [{ "skillId": skill, "targetLevel": 3 }] } }),
        ),
        (
            "openImprovementPlan.input.employeeId",
            "mutation($i: OpenImprovementPlanInput!) { openImprovementPlan(input: $i) { id } }".into(),
            json!({ "i": { "employeeId": carol, "cycleId": cycle, "objectives": "o", "checkDates": ["2027-04-01"] } }),
        ),
        (
            "recordImprovementOutcome.input.planId",
            "mutation($i: RecordImprovementOutcomeInput!) { recordImprovementOutcome(input: $i) { id } }".into(),
            json!({ "i": { "planId": carols_plan, "outcome": "UNSUCCESSFUL" } }),
        ),
        (
            "developmentPlan.employeeId",
            format!("{{ developmentPlan(employeeId: \"{carol}\", cycleId: \"{cycle}\", kind: IMPROVEMENT) {{ objectives }} }}"),
            json!({}),
        ),
        (
            "developmentItem.id",
            "query($id: ID!) { developmentItem(id: $id) { title } }".into(),
            json!({ "id": carols_item }),
        ),
        (
            "expectationHistory.employeeId",
            format!("{{ expectationHistory(employeeId: \"{carol}\") {{ totalCount }} }}"),
            json!({}),
        ),
        (
            "createGoal.input.followsGoalId",
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }".into(),
            json!({ "i": goal_input(&cycle, json!({ "followsGoalId": goal })) }),
        ),
    ];
    cases.extend(vec![
        (
            "goal.id",
            format!("{{ goal(id: \"{goal}\") {{ title }} }}"),
            json!({}),
        ),
        (
            "checkIn.id",
            format!("{{ checkIn(id: \"{check_in}\") {{ status }} }}"),
            json!({}),
        ),
        (
            "keyResult.id",
            format!("{{ keyResult(id: \"{kr}\") {{ currentValue }} }}"),
            json!({}),
        ),
        (
            "teamCheckIns.managerId",
            format!(
                "{{ teamCheckIns(managerId: \"{other}\") {{ people {{ edges {{ node {{ employee {{ name }} }} }} }} }} }}"
            ),
            json!({}),
        ),
        (
            "cycleOverview.cycleId",
            format!("{{ cycleOverview(cycleId: \"{cycle}\") {{ people }} }}"),
            json!({}),
        ),
        (
            "alignmentTree.rootGoalId",
            format!(
                "{{ alignmentTree(cycleId: \"{cycle}\", rootGoalId: \"{goal}\") {{ goal {{ title }} }} }}"
            ),
            json!({}),
        ),
        (
            "updateCycle.input.id",
            format!(
                "mutation {{ updateCycle(input: {{id: \"{cycle}\", name: \"Mine\"}}) {{ name }} }}"
            ),
            json!({}),
        ),
        (
            "advanceCyclePhase.input.id",
            format!(
                "mutation {{ advanceCyclePhase(input: {{id: \"{cycle}\", to: REVIEW}}) {{ phase }} }}"
            ),
            json!({}),
        ),
        (
            "updateGoal.input.id",
            format!(
                "mutation {{ updateGoal(input: {{id: \"{goal}\", title: \"Mine\"}}) {{ title }} }}"
            ),
            json!({}),
        ),
        (
            "proposeGoal.input.id",
            format!("mutation {{ proposeGoal(input: {{id: \"{goal}\"}}) {{ status }} }}"),
            json!({}),
        ),
        (
            "agreeGoal.input.id",
            format!("mutation {{ agreeGoal(input: {{id: \"{goal}\"}}) {{ status }} }}"),
            json!({}),
        ),
        (
            "closeGoal.input.id",
            format!(
                "mutation {{ closeGoal(input: {{id: \"{goal}\", outcome: ACHIEVED}}) {{ status }} }}"
            ),
            json!({}),
        ),
        (
            "acceptGoal.input.id",
            format!("mutation {{ acceptGoal(input: {{id: \"{goal}\"}}) {{ status }} }}"),
            json!({}),
        ),
        (
            "returnGoal.input.id",
            format!(
                "mutation {{ returnGoal(input: {{id: \"{goal}\", reason: \"no\"}}) {{ status }} }}"
            ),
            json!({}),
        ),
        (
            "deleteGoal.input.id",
            format!("mutation {{ deleteGoal(input: {{id: \"{goal}\"}}) }}"),
            json!({}),
        ),
        (
            "updateKeyResultValue.input.keyResultId",
            format!(
                "mutation {{ updateKeyResultValue(input: {{keyResultId: \"{kr}\", value: \"1\"}}) {{ keyResult {{ currentValue }} }} }}"
            ),
            json!({}),
        ),
        (
            "reviseTarget.input.keyResultId",
            format!(
                "mutation {{ reviseTarget(input: {{keyResultId: \"{kr}\", newTarget: \"1\", reason: \"mine\"}}) {{ revision {{ id }} }} }}"
            ),
            json!({}),
        ),
        (
            "submitCheckIn.input.id",
            format!(
                "mutation {{ submitCheckIn(input: {{id: \"{check_in}\", confidence: 3}}) {{ checkIn {{ status }} }} }}"
            ),
            json!({}),
        ),
        (
            "acknowledgeCheckIn.input.id",
            format!(
                "mutation {{ acknowledgeCheckIn(input: {{id: \"{check_in}\"}}) {{ status }} }}"
            ),
            json!({}),
        ),
        (
            "setCheckInCadence.input.employeeId",
            format!(
                "mutation {{ setCheckInCadence(input: {{employeeId: \"{carol}\", cycleId: \"{cycle}\", cadence: MONTHLY}}) {{ id }} }}"
            ),
            json!({}),
        ),
        (
            "createGoal.input.parentId",
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }".into(),
            json!({ "i": new_goal }),
        ),
        (
            "createGoal.input.ownerId",
            "mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }".into(),
            json!({ "i": goal_input(&cycle, json!({ "ownerId": carol })) }),
        ),
        (
            "setMilestones.input.goalId",
            format!(
                "mutation {{ setMilestones(input: {{goalId: \"{goal}\", milestones: []}}) {{ id }} }}"
            ),
            json!({}),
        ),
        (
            "completeMilestone.input.id",
            "mutation($m: ID!) { completeMilestone(input: {id: $m}) { done } }".into(),
            json!({ "m": milestone }),
        ),
        (
            "createEmployee.input.managerId",
            format!(
                "mutation {{ createEmployee(input: {{email: \"x@t.io\", name: \"X\", hiredOn: \"2027-01-01\", managerId: \"{carol}\"}}) {{ id }} }}"
            ),
            json!({}),
        ),
        (
            "updateEmployee.input.id",
            format!(
                "mutation {{ updateEmployee(input: {{id: \"{carol}\", title: \"Mine\"}}) {{ id }} }}"
            ),
            json!({}),
        ),
        (
            "moveEmployee.input.id",
            format!(
                "mutation {{ moveEmployee(input: {{id: \"{carol}\", managerId: null}}) {{ id }} }}"
            ),
            json!({}),
        ),
        (
            "deactivateEmployee.input.id",
            format!("mutation {{ deactivateEmployee(input: {{id: \"{carol}\"}}) {{ id }} }}"),
            json!({}),
        ),
        (
            "planningConversation.id",
            "query($id: ID!) { planningConversation(id: $id) { id } }".into(),
            json!({ "id": conversation }),
        ),
        (
            "updatePlanningConversation.input.id",
            "mutation($id: ID!) { updatePlanningConversation(input: { id: $id, expectations: \"Mine\" }) { id } }".into(),
            json!({ "id": conversation }),
        ),
        (
            "holdPlanningConversation.input.id",
            "mutation($id: ID!) { holdPlanningConversation(input: { id: $id, heldOn: \"2027-03-01\" }) { id } }".into(),
            json!({ "id": conversation }),
        ),
        (
            "assessSkill.input.employeeId",
            "mutation($e: ID!, $s: ID!) { assessSkill(input: { employeeId: $e, skillId: $s, kind: MANAGER, level: 5 }) { level } }".into(),
            json!({ "e": carol, "s": skill }),
        ),
        (
            "retireSkill.input.id",
            "mutation($s: ID!) { retireSkill(input: { id: $s }) { retiredAt } }".into(),
            json!({ "s": skill }),
        ),
        (
            "skillGaps.employeeId",
            format!("{{ skillGaps(employeeId: \"{carol}\") {{ totalCount }} }}"),
            json!({}),
        ),
        (
            "skillGaps.managerId",
            format!("{{ skillGaps(managerId: \"{other}\") {{ totalCount }} }}"),
            json!({}),
        ),
        (
            "updateGoal.input.parentId",
            "mutation($i: UpdateGoalInput!) { updateGoal(input: $i) { id } }".into(),
            json!({ "i": { "id": mine, "parentId": goal } }),
        ),
        (
            "giveFeedback.input.goalId",
            "mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { id } }".into(),
            json!({ "i": { "recipientId": carol, "goalId": goal, "body": "About your goal" } }),
        ),
    ]);
    let writes_before = (
        app.count("goal").await,
        app.count("feedback").await,
        app.count("audit_log").await,
        app.count("milestone WHERE done_at IS NULL").await,
        app.count("development_item").await,
    );
    for (what, query, variables) in &cases {
        let r = app.gql(Some(&org.alice), query, variables.clone()).await;
        let code = r.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("none");
        // An id that an input refers to (not the one it acts on) is refused as that input
        // field's error.
        let reference = [
            "createGoal.input.parentId",
            "createGoal.input.ownerId",
            "updateGoal.input.parentId",
            "giveFeedback.input.goalId",
            "createGoal.input.followsGoalId",
            "addDevelopmentItem.input.goalId",
            "updateDevelopmentItem.input.goalId",
        ];
        let allowed: &[&str] = if reference.contains(what) {
            &["NOT_FOUND", "FORBIDDEN", "BAD_USER_INPUT"]
        } else {
            &["NOT_FOUND", "FORBIDDEN"]
        };
        assert!(allowed.contains(&code), "{what}: {}", r.body);
        // No field answered with a value.
        let data = r.body.get("data").cloned().unwrap_or(Value::Null);
        let values: Vec<&Value> = data
            .as_object()
            .map(|o| o.values().collect())
            .unwrap_or_default();
        assert!(values.iter().all(|v| v.is_null()), "{what}: {}", r.body);
        still_answers(&app, &org.alice).await;
    }
    let writes_after = (
        app.count("goal").await,
        app.count("feedback").await,
        app.count("audit_log").await,
        app.count("milestone WHERE done_at IS NULL").await,
        app.count("development_item").await,
    );
    assert_eq!(
        writes_before, writes_after,
        "a refused request wrote something"
    );
    // Readable by everyone by design (DESIGN §4): the directory and the cycles. Through
    // them, nothing of Carol's goals shows.
    let r = app
        .gql(Some(&org.alice), &format!("{{ employee(id: \"{carol}\") {{ name goals {{ id }} }} cycle(id: \"{cycle}\") {{ name }} alignmentTree(cycleId: \"{cycle}\") {{ goal {{ id }} }} }}"), json!({}))
        .await;
    assert_eq!(r.data()["employee"]["goals"], json!([]));
    assert_eq!(
        r.data()["alignmentTree"],
        json!([{ "goal": { "id": mine } }]),
        "only Alice's own draft"
    );
    // The list above covers every ID argument the schema has: a new one fails here until
    // it is added.
    let covered: BTreeSet<String> = cases
        .iter()
        .map(|(what, ..)| (*what).to_owned())
        .chain(
            [
                "employee.id",
                "cycle.id",
                "alignmentTree.cycleId",
                "setCheckInCadence.input.cycleId",
                "createGoal.input.cycleId",
                "giveFeedback.input.recipientId",
                "cycleOverview.departmentId",
                // A list of what the viewer may read, in a cycle everyone may read.
                "planningConversations.cycleId",
                // HR-only mutations: the rest of their ids are never read for anyone else.
                "createEmployee.input.departmentId",
                "updateEmployee.input.departmentId",
                "moveEmployee.input.managerId",
                "updateEmployee.input.jobProfileId",
                "setJobProfile.input.id",
                // The catalogue is everyone's; these narrow what the viewer may see anyway.
                "assessSkill.input.skillId",
                "skillGaps.departmentId",
                "skillGaps.skillId",
                // Cycles and the directory are everyone's: a mentor is any colleague.
                "addDevelopmentItem.input.cycleId",
                "addDevelopmentItem.input.mentorId",
                "updateDevelopmentItem.input.mentorId",
                "openImprovementPlan.input.cycleId",
                "developmentPlan.cycleId",
            ]
            .map(String::from),
        )
        .collect();
    assert_eq!(id_arguments(&app, &org.alice).await, covered);
}
