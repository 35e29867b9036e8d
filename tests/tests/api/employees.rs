use perfcycle_tests::spawn_app;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn me_shows_my_place_in_the_organisation() {
    let app = spawn_app().await;
    let org = app.org().await;
    let r = app
        .gql(Some(&org.mgr), "{ me { name role isManager department { name } manager { email } reports { nodes { email } } } }", json!({}))
        .await;
    let me = &r.data()["me"];
    assert_eq!(me["role"], "EMPLOYEE");
    assert_eq!(me["isManager"], true);
    assert_eq!(me["department"]["name"], "Engineering");
    assert_eq!(me["manager"]["email"], "ceo@t.io");
    let reports: Vec<&str> = me["reports"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["email"].as_str())
        .collect();
    assert_eq!(reports, ["alice@t.io", "bob@t.io", "lead@t.io"]);
    // A page at a time, by name.
    let page = "query($after: String) { me { reports(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { email } } } }";
    let r = app.gql(Some(&org.mgr), page, json!({})).await;
    let first = &r.data()["me"]["reports"];
    assert_eq!(first["totalCount"], 3);
    assert_eq!(
        first["nodes"],
        json!([{ "email": "alice@t.io" }, { "email": "bob@t.io" }])
    );
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let r = app
        .gql(
            Some(&org.mgr),
            page,
            json!({ "after": first["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        r.data()["me"]["reports"]["nodes"],
        json!([{ "email": "lead@t.io" }])
    );
    assert_eq!(r.data()["me"]["reports"]["pageInfo"]["hasNextPage"], false);
    // A cursor from another list is refused.
    let r = app
        .gql(
            Some(&org.mgr),
            "query($after: String) { me { reports(after: $after) { nodes { email } } } }",
            json!({ "after": "bm90IGEgY3Vyc29y" }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("after"));
    let r = app.gql(Some(&org.hr), "{ me { role } }", json!({})).await;
    assert_eq!(r.data()["me"]["role"], "HR_ADMIN");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_directory_filters_searches_and_pages() {
    let app = spawn_app().await;
    let org = app.org().await;
    let mgr = app.employee("mgr@t.io").await;
    let q = "query($f: EmployeeFilter, $first: Int, $after: String) { employees(filter: $f, first: $first, after: $after) { totalCount edges { cursor node { email } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let r = app
        .gql(
            Some(&org.alice),
            q,
            json!({ "f": { "managerId": mgr.id.to_string() } }),
        )
        .await;
    assert_eq!(r.data()["employees"]["totalCount"], 3);
    let r = app
        .gql(Some(&org.alice), q, json!({ "f": { "search": "CLOSER" } }))
        .await;
    assert_eq!(
        r.data()["employees"]["edges"][0]["node"]["email"],
        "carol@t.io"
    );
    let r = app
        .gql(Some(&org.alice), q, json!({ "f": { "search": "100%_" } }))
        .await;
    assert_eq!(r.data()["employees"]["totalCount"], 0);
    // Page through all nine, four at a time.
    let mut after = serde_json::Value::Null;
    let mut seen = Vec::new();
    loop {
        let r = app
            .gql(Some(&org.alice), q, json!({ "first": 4, "after": after }))
            .await;
        let page = &r.data()["employees"];
        assert_eq!(page["totalCount"], 9);
        for e in page["edges"].as_array().into_iter().flatten() {
            seen.push(e["node"]["email"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 9);
    seen.dedup();
    assert_eq!(seen.len(), 9);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_employee_is_not_found() {
    let app = spawn_app().await;
    let org = app.org().await;
    let r = app
        .gql(
            Some(&org.alice),
            &format!(
                "{{ employee(id: \"{}\") {{ name }} }}",
                uuid::Uuid::new_v4()
            ),
            json!({}),
        )
        .await;
    r.assert_error("NOT_FOUND", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_department_shows_its_sub_departments_headcount_and_members_page_by_page() {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    let app = spawn_app().await;
    let org = app.org().await;
    let alice = app.employee("alice@t.io").await;
    let sales = app.employee("carol@t.io").await.department_id.unwrap();
    let engineering = alice.department_id.unwrap();
    // Sales becomes part of Engineering (the import names departments; it has no hierarchy).
    let mut dept = entity::department::Entity::find_by_id(sales)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    dept.parent_id = Set(Some(engineering));
    dept.update(&app.ctx.db).await.unwrap();

    let q = "query($after: String) { departments { name headcount parent { name } children { name } members(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { email } } } }";
    let r = app.gql(Some(&org.bob), q, json!({})).await;
    let depts = r.data()["departments"].as_array().cloned().unwrap();
    let eng = depts.iter().find(|d| d["name"] == "Engineering").unwrap();
    assert_eq!(eng["headcount"], 5, "Mia, Alice, Bob, Lea, Dave");
    assert_eq!(eng["children"], json!([{ "name": "Sales" }]));
    let s = depts.iter().find(|d| d["name"] == "Sales").unwrap();
    assert_eq!(
        (&s["headcount"], &s["parent"]["name"]),
        (&json!(2), &json!("Engineering"))
    );
    assert_eq!(s["children"], json!([]));
    let page = &eng["members"];
    assert_eq!(page["totalCount"], 5);
    assert_eq!(
        page["nodes"],
        json!([{ "email": "alice@t.io" }, { "email": "bob@t.io" }])
    );
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let r = app
        .gql(
            Some(&org.bob),
            q,
            json!({ "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let eng = r.data()["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Engineering")
        .cloned()
        .unwrap();
    assert_eq!(
        eng["members"]["nodes"],
        json!([{ "email": "dave@t.io" }, { "email": "lead@t.io" }])
    );
    // A cursor of another list is refused, not misread.
    let r = app
        .gql(
            Some(&org.hr),
            "query($after: String) { employees(first: 2, after: $after) { nodes { email } } }",
            json!({ "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("after"));
    // Someone who leaves no longer counts.
    let mut bob = app.employee("bob@t.io").await.into_active_model();
    bob.active = Set(false);
    bob.update(&app.ctx.db).await.unwrap();
    let r = app
        .gql(
            Some(&org.hr),
            "{ departments { name headcount } }",
            json!({}),
        )
        .await;
    let eng = r.data()["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Engineering")
        .cloned()
        .unwrap();
    assert_eq!(eng["headcount"], 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_employee_shows_their_cadence_and_check_ins_to_those_who_may_see_their_work() {
    let app = spawn_app().await;
    let org = app.org().await;
    let cycle = app.active_cycle(&org.hr).await;
    let alice = app.employee("alice@t.io").await.id.to_string();
    app.gql(
        Some(&org.mgr),
        "mutation($e: ID!, $c: ID!) { setCheckInCadence(input: {employeeId: $e, cycleId: $c, cadence: BIWEEKLY}) { id } }",
        json!({ "e": alice, "c": cycle }),
    )
    .await
    .data();
    app.open_check_ins().await;
    let q = "query($e: ID!, $c: ID!) { employee(id: $e) { checkInCadence(cycleId: $c) currentCheckIn { id status periodStart periodEnd } checkIns(first: 5) { totalCount nodes { id } } } }";
    let vars = json!({ "e": alice, "c": cycle });
    let own = app.gql(Some(&org.alice), q, vars.clone()).await;
    let own = &own.data()["employee"];
    assert_eq!(own["checkInCadence"], "BIWEEKLY");
    assert_eq!(own["currentCheckIn"]["status"], "DUE");
    // Monday 1 March 2027 in New York falls in the fortnight of 22 February: fortnights
    // count from the Monday of the cycle's first week (28 December 2026).
    assert_eq!(
        (
            &own["currentCheckIn"]["periodStart"],
            &own["currentCheckIn"]["periodEnd"]
        ),
        (&json!("2027-02-22"), &json!("2027-03-07"))
    );
    assert_eq!(own["checkIns"]["totalCount"], 1);
    assert_eq!(
        own["checkIns"]["nodes"][0]["id"],
        own["currentCheckIn"]["id"]
    );
    for token in [&org.mgr, &org.ceo, &org.hr] {
        let r = app.gql(Some(token), q, vars.clone()).await;
        assert_eq!(&r.data()["employee"], own);
    }
    // A colleague or someone in another team sees that she exists, not her work.
    for token in [&org.bob, &org.dave, &org.carol] {
        let r = app.gql(Some(token), q, vars.clone()).await;
        let e = &r.data()["employee"];
        assert_eq!(
            (
                &e["checkInCadence"],
                &e["currentCheckIn"],
                &e["checkIns"]["totalCount"]
            ),
            (&json!(null), &json!(null), &json!(0))
        );
    }
    // Bob's cadence is the cycle's; an unknown cycle is not found.
    let bob = app.employee("bob@t.io").await.id.to_string();
    let r = app
        .gql(Some(&org.bob), q, json!({ "e": bob, "c": cycle }))
        .await;
    assert_eq!(r.data()["employee"]["checkInCadence"], "WEEKLY");
    app.gql(
        Some(&org.bob),
        q,
        json!({ "e": bob, "c": uuid::Uuid::new_v4().to_string() }),
    )
    .await
    .assert_error("NOT_FOUND", None);
    app.gql(Some(&org.bob), q, json!({ "e": bob, "c": "nope" }))
        .await
        .assert_error("BAD_USER_INPUT", Some("cycleId"));
}
