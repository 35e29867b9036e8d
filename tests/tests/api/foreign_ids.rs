//! Another person's ids on every ID argument of the schema: whatever the argument, a request
//! naming something the viewer may not see answers no data, writes nothing, and the server
//! still answers. A new ID argument fails here until it is covered.

use perfcycle_tests::reviews::{LAUNCH, UPDATE_ROUND};
use perfcycle_tests::{TestApp, goal_input, spawn_app};
use serde_json::{Value, json};
use std::collections::BTreeSet;

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
    // The cycle's annual round, launched: Carol's self review and her results.
    let template = app.review_template(&org.hr).await;
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
    let carols_review = app
        .review_id(&org.carol, &round, "SELF", "carol@t.io")
        .await;
    // A mutation whose input names Carol's row by `key`, with `extra` fields.
    let step = |name: &'static str, input: &'static str, key: &str, id: &Value, extra: Value| {
        let mut i = json!({ key: id });
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
    let carols_review = json!(carols_review);
    let review_step = |name, input, extra| step(name, input, "id", &carols_review, extra);
    let item_step = |name, input, extra| step(name, input, "itemId", &carols_item, extra);
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
            "revokeTokens.employeeId",
            format!("mutation {{ revokeTokens(employeeId: \"{carol}\") {{ id }} }}"),
            json!({}),
        ),
        (
            "erasePerson.employeeId",
            format!("mutation {{ erasePerson(employeeId: \"{carol}\") {{ id }} }}"),
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
    cases.extend([
        review_step("saveReview.input.id", "SaveReviewInput", json!({ "draft": { "overallRating": 1 } })),
        review_step("submitReview.input.id", "SubmitReviewInput", json!({})),
        review_step("declineReview.input.id", "DeclineReviewInput", json!({ "reason": "r" })),
        review_step("reopenReview.input.id", "ReopenReviewInput", json!({ "reason": "r" })),
        (
            "review.id",
            "query($id: ID!) { review(id: $id) { id } }".into(),
            json!({ "id": carols_review }),
        ),
        (
            "reviewSummary.employeeId",
            "query($r: ID!, $e: ID!) { reviewSummary(roundId: $r, employeeId: $e) { released } }".into(),
            json!({ "r": round, "e": carol }),
        ),
        (
            "peerNominations.employeeId",
            "query($r: ID!, $e: ID!) { peerNominations(roundId: $r, employeeId: $e) { status } }".into(),
            json!({ "r": round, "e": carol }),
        ),
        (
            "approvePeers.input.employeeId",
            "mutation($i: ApprovePeersInput!) { approvePeers(input: $i) { status } }".into(),
            json!({ "i": { "roundId": round, "employeeId": carol, "peerIds": [alice] } }),
        ),
        (
            "calibrateRating.input.employeeId",
            "mutation($i: CalibrateRatingInput!) { calibrateRating(input: $i) { finalRating } }".into(),
            json!({ "i": { "roundId": round, "employeeId": carol, "rating": 5, "reason": "r" } }),
        ),
        (
            "calibration.roundId",
            "query($r: ID!) { calibration(roundId: $r) { unboxed } }".into(),
            json!({ "r": round }),
        ),
        (
            "releaseRatings.input.roundId",
            "mutation($i: ReleaseRatingsInput!) { releaseRatings(input: $i) { status } }".into(),
            json!({ "i": { "roundId": round } }),
        ),
        (
            "launchReviews.roundId",
            "mutation($r: ID!) { launchReviews(roundId: $r) { id } }".into(),
            json!({ "r": round }),
        ),
        (
            "updateReviewRound.id",
            "mutation($r: ID!) { updateReviewRound(id: $r, settings: { peerMin: 1 }) { id } }".into(),
            json!({ "r": round }),
        ),
        (
            "createReviewRound.cycleId",
            "mutation($c: ID!) { createReviewRound(cycleId: $c, settings: { opensOn: \"2027-06-01\", dueOn: \"2027-06-20\" }) { id } }".into(),
            json!({ "c": cycle }),
        ),
        (
            // Alice's own rating in the round: not released, so not there.
            "acknowledgeRating.input.roundId",
            "mutation($r: ID!) { acknowledgeRating(input: { roundId: $r }) { acknowledgedAt } }".into(),
            json!({ "r": round }),
        ),
    ]);
    // The reward stage: a preview run, Otto's award to Carol and his recommendation of her.
    app.set_policy(&org.hr, &cycle, perfcycle_tests::rewards::policy())
        .await;
    let run = app.start_run(&org.hr, &cycle, true).await;
    let r = app
        .gql(
            Some(&org.other),
            "mutation($i: GiveAwardInput!) { giveAward(input: $i) { id } }",
            json!({ "i": { "employeeId": carol, "cycleId": cycle, "reason": "Closed the deal" } }),
        )
        .await;
    let award = r.data()["giveAward"]["id"].clone();
    let r = app
        .gql(
            Some(&org.other),
            "mutation($i: RecommendPromotionInput!) { recommendPromotion(input: $i) { id } }",
            json!({ "i": { "employeeId": carol, "title": "Senior AE", "rationale": "Numbers" } }),
        )
        .await;
    let promotion = r.data()["recommendPromotion"]["id"].clone();
    cases.extend([
        (
            "compensation.employeeId",
            "query($e: ID!) { compensation(employeeId: $e) { id } }".into(),
            json!({ "e": carol }),
        ),
        (
            "promotions.employeeId",
            "query($e: ID!) { promotions(employeeId: $e) { id } }".into(),
            json!({ "e": carol }),
        ),
        (
            "rewardPolicy.cycleId",
            "query($c: ID!) { rewardPolicy(cycleId: $c) { minTenureDays } }".into(),
            json!({ "c": cycle }),
        ),
        (
            "rewardRuns.cycleId",
            "query($c: ID!) { rewardRuns(cycleId: $c) { id } }".into(),
            json!({ "c": cycle }),
        ),
        (
            "rewardRun.id",
            "query($id: ID!) { rewardRun(id: $id) { id } }".into(),
            json!({ "id": run }),
        ),
        (
            "reward.id",
            "query($id: ID!) { reward(id: $id) { id } }".into(),
            json!({ "id": award }),
        ),
        (
            "setCompensation.input.employeeId",
            "mutation($i: SetCompensationInput!) { setCompensation(input: $i) { id } }".into(),
            json!({ "i": { "employeeId": carol, "effectiveOn": "2027-01-01", "baseSalary": "1", "currency": "EUR", "bonusTargetPct": "1" } }),
        ),
        (
            "setRewardPolicy.cycleId",
            perfcycle_tests::rewards::SET_POLICY.into(),
            json!({ "c": cycle, "p": perfcycle_tests::rewards::policy() }),
        ),
        (
            "startRewardRun.input.cycleId",
            "mutation($c: ID!) { startRewardRun(input: { cycleId: $c, preview: true }) { id } }".into(),
            json!({ "c": cycle }),
        ),
        (
            "approveRewards.input.runId",
            "mutation($r: ID!) { approveRewards(input: { runId: $r }) { __typename } }".into(),
            json!({ "r": run }),
        ),
        (
            "approveRewards.input.awardId",
            "mutation($a: ID!) { approveRewards(input: { awardId: $a }) { __typename } }".into(),
            json!({ "a": award }),
        ),
        (
            "giveAward.input.employeeId",
            "mutation($i: GiveAwardInput!) { giveAward(input: $i) { id } }".into(),
            json!({ "i": { "employeeId": carol, "cycleId": cycle, "reason": "Mine" } }),
        ),
        (
            "recommendPromotion.input.employeeId",
            "mutation($i: RecommendPromotionInput!) { recommendPromotion(input: $i) { id } }".into(),
            json!({ "i": { "employeeId": carol, "title": "Boss", "rationale": "Mine" } }),
        ),
        (
            "decidePromotion.input.id",
            "mutation($p: ID!) { decidePromotion(input: { id: $p, approve: true }) { status } }".into(),
            json!({ "p": promotion }),
        ),
        (
            "setRewardNote.input.employeeId",
            "mutation($i: RewardNoteInput!) { setRewardNote(input: $i) { note } }".into(),
            json!({ "i": { "cycleId": cycle, "employeeId": carol, "note": "Mine" } }),
        ),
    ]);
    let writes_before = (
        app.count("goal").await,
        app.count("feedback").await,
        app.count("audit_log").await,
        app.count("milestone WHERE done_at IS NULL").await,
        app.count("development_item").await,
        app.count("review WHERE status <> 'PENDING' OR overall_rating IS NOT NULL")
            .await,
        app.count("background_job").await,
        app.count("reward").await,
        app.count("reward_line").await,
        app.count("promotion").await,
        app.count("reward_note").await,
        app.count("compensation").await,
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
        app.assert_still_answers(&org.alice).await;
    }
    let writes_after = (
        app.count("goal").await,
        app.count("feedback").await,
        app.count("audit_log").await,
        app.count("milestone WHERE done_at IS NULL").await,
        app.count("development_item").await,
        app.count("review WHERE status <> 'PENDING' OR overall_rating IS NOT NULL")
            .await,
        app.count("background_job").await,
        app.count("reward").await,
        app.count("reward_line").await,
        app.count("promotion").await,
        app.count("reward_note").await,
        app.count("compensation").await,
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
                // Rounds are everyone's: they narrow what the viewer may see anyway.
                "reviewRound.id",
                "reviewRounds.cycleId",
                "reviewSummary.roundId",
                "peerNominations.roundId",
                "approvePeers.input.roundId",
                "nominatePeers.input.roundId",
                // HR-only: the rest of their ids are never read for anyone else.
                "calibrateRating.input.roundId",
                "calibration.departmentId",
                "releaseRatings.input.departmentId",
                "createReviewRound.settings.templateId",
                "updateReviewRound.settings.templateId",
                // HR-only, or the reward stage's references to what everyone may read (a
                // cycle, a department, a job profile): the person named is checked first.
                "setCompensation.input.payGradeId",
                "approveRewards.input.departmentId",
                "giveAward.input.cycleId",
                "recommendPromotion.input.jobProfileId",
                "setRewardNote.input.cycleId",
            ]
            .map(String::from),
        )
        .collect();
    assert_eq!(id_arguments(&app, &org.alice).await, covered);
}
