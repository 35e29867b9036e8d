//! Tests of the error policy: codes for async-graphql's own errors, masking, the cause
//! chain in the log line.

use super::*;
use async_graphql::{EmptyMutation, EmptySubscription, InputObject, Object, Request, Schema};
use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(InputObject)]
struct Window {
    from: NaiveDate,
    amount: Decimal,
}

struct Nested;

#[Object]
impl Nested {
    /// Fails with a foreign error turned into an uncoded one, as `?` would.
    async fn leaky(&self) -> Result<i32, std::io::Error> {
        Err(std::io::Error::other("connection to 10.0.0.7:5432 refused"))
    }
    /// A bug: indexes past the end of a list.
    async fn broken(&self) -> i32 {
        let empty: Vec<i32> = Vec::new();
        empty[usize::from(empty.is_empty())]
    }
    async fn fine(&self) -> i32 {
        7
    }
}

struct Query;

#[Object]
impl Query {
    async fn day(&self, on: NaiveDate) -> NaiveDate {
        on
    }
    async fn window(&self, window: Window) -> Decimal {
        window.amount
    }
    /// Builds an error without a code, on a field that takes an argument.
    async fn leaky(&self, on: Option<NaiveDate>) -> async_graphql::Result<i32> {
        Err(Error::new(format!("SELECT secret FROM employee -- {on:?}")))
    }
    async fn nested(&self) -> Nested {
        Nested
    }
    async fn refused(&self) -> GqlResult<i32> {
        Err(coded("not yours", code::FORBIDDEN))
    }
}

async fn first_error(query: &str, variables: serde_json::Value) -> ServerError {
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
        .extension(TagErrors)
        .finish();
    let request = Request::new(query).variables(Variables::from_json(variables));
    let mut errors = schema.execute(request).await.errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.remove(0)
}

fn code_of(error: &ServerError) -> &str {
    match error.extensions.as_ref().and_then(|e| e.get("code")) {
        Some(Value::String(code)) => code,
        _ => panic!("no code in {error:?}"),
    }
}

#[tokio::test]
async fn a_date_that_does_not_exist_is_bad_user_input_literal_or_variable() {
    let e = first_error(r#"{ day(on: "2027-02-30") }"#, serde_json::json!({})).await;
    assert_eq!(code_of(&e), code::BAD_USER_INPUT);
    assert!(e.message.contains("NaiveDate"), "{e:?}");
    let query = "query($d: NaiveDate!) { day(on: $d) }";
    let e = first_error(query, serde_json::json!({ "d": "2027-02-30" })).await;
    assert_eq!(code_of(&e), code::BAD_USER_INPUT);
}

#[tokio::test]
async fn a_bad_value_inside_an_input_object_is_bad_user_input() {
    let query = r#"{ window(window: { from: "2027-01-01", amount: "lots" }) }"#;
    let e = first_error(query, serde_json::json!({})).await;
    assert_eq!(code_of(&e), code::BAD_USER_INPUT);
    assert!(e.message.contains("Decimal"), "{e:?}");
}

#[tokio::test]
async fn an_uncoded_resolver_error_is_internal_and_masked() {
    for query in [r#"{ leaky(on: "2027-01-01") }"#, "{ leaky }"] {
        let e = first_error(query, serde_json::json!({})).await;
        assert_eq!(code_of(&e), code::INTERNAL);
        assert!(e.message.starts_with("internal error (reference "), "{e:?}");
        assert!(!e.message.contains("SELECT"), "{e:?}");
        assert_eq!(e.path, [PathSegment::Field("leaky".to_owned())]);
    }
}

#[tokio::test]
async fn a_foreign_error_deeper_down_is_internal_and_masked() {
    let e = first_error("{ nested { leaky } }", serde_json::json!({})).await;
    assert_eq!(code_of(&e), code::INTERNAL);
    assert!(!e.message.contains("10.0.0.7"), "{e:?}");
    assert_eq!(e.path.len(), 2, "{e:?}");
}

#[tokio::test]
async fn coded_errors_keep_their_code_and_message() {
    let e = first_error("{ refused }", serde_json::json!({})).await;
    assert_eq!(code_of(&e), code::FORBIDDEN);
    assert_eq!(e.message, "not yours");
}

#[tokio::test]
async fn request_errors_stay_the_requests() {
    let e = first_error("{ day(on: ", serde_json::json!({})).await;
    assert_eq!(code_of(&e), code::PARSE_FAILED);
    let e = first_error("{ nope }", serde_json::json!({})).await;
    assert_eq!(code_of(&e), code::VALIDATION_FAILED);
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
        .extension(TagErrors)
        .finish();
    let request = Request::new("query A { refused } query B { refused }").operation_name("C");
    let errors = schema.execute(request).await.errors;
    assert_eq!(
        errors.iter().map(code_of).collect::<Vec<_>>(),
        [code::BAD_USER_INPUT]
    );
}

#[derive(Debug)]
struct Outer(&'static str, std::io::Error);

impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.1)
    }
}

#[test]
fn the_cause_chain_names_every_source_once() {
    let io = || std::io::Error::other("connection reset by peer");
    assert_eq!(
        cause_chain(&Outer("pool: acquire failed", io())),
        "pool: acquire failed: connection reset by peer"
    );
    assert_eq!(
        cause_chain(&Outer("acquire failed: connection reset by peer", io())),
        "acquire failed: connection reset by peer"
    );
    assert_eq!(cause_chain(&io()), "connection reset by peer");
}

/// A log sink for one test.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut bytes = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[test]
fn an_internal_error_is_logged_with_its_causes_under_the_reference_the_client_gets() {
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .finish();
    let cause = DomainError::Database(sea_orm::DbErr::Custom("disk full".to_owned()));
    let error = tracing::subscriber::with_default(subscriber, || internal_error(&cause));
    let line = log.text();
    assert!(
        line.contains("database error: Custom Error: disk full"),
        "{line}"
    );
    let reference = error
        .message
        .strip_prefix("internal error (reference ")
        .and_then(|m| m.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{error:?}"));
    assert!(line.contains(reference), "{line}");
    assert!(!error.message.contains("disk"), "{error:?}");
}

#[tokio::test]
async fn a_panicking_resolver_answers_internal_and_the_rest_of_the_response_stands() {
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
        .extension(TagErrors)
        .finish();
    let response = schema
        .execute(Request::new(
            "{ nested { fine broken } day(on: \"2027-01-01\") }",
        ))
        .await;
    assert_eq!(response.errors.len(), 1, "{:?}", response.errors);
    let error = &response.errors[0];
    assert_eq!(code_of(error), code::INTERNAL);
    assert!(error.message.contains("reference"), "{}", error.message);
    assert!(
        !error.message.contains("index out of bounds"),
        "{}",
        error.message
    );
    assert_eq!(
        error.path,
        vec![
            PathSegment::Field("nested".into()),
            PathSegment::Field("broken".into())
        ]
    );
    let data = response.data.into_json().unwrap();
    assert_eq!(data["day"], "2027-01-01");
    assert_eq!(data["nested"]["broken"], serde_json::Value::Null);
}
