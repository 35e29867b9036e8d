use perfcycle_tests::spawn_app;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn me_shows_my_place_in_the_organisation() {
    let app = spawn_app().await;
    let org = app.org().await;
    let r = app
        .gql(Some(&org.mgr), "{ me { name role isManager department { name } manager { email } reports { email } } }", json!({}))
        .await;
    let me = &r.data()["me"];
    assert_eq!(me["role"], "EMPLOYEE");
    assert_eq!(me["isManager"], true);
    assert_eq!(me["department"]["name"], "Engineering");
    assert_eq!(me["manager"]["email"], "ceo@t.io");
    let reports: Vec<&str> = me["reports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["email"].as_str())
        .collect();
    assert_eq!(reports, ["alice@t.io", "bob@t.io", "lead@t.io"]);
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
