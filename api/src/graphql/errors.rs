//! The one place errors get their `extensions.code`.
//!
//! Policy: resolvers map domain errors with [`to_gql`]; anything unexpected goes through
//! [`internal_error`] (or [`internal`] for a bare message), which logs the cause and its
//! sources under a reference id and tells the client only `INTERNAL` and that id.
//! [`TagErrors`] codes what async-graphql raises itself: parse and validation failures,
//! argument values it cannot coerce (the client's `BAD_USER_INPUT`), and — as `INTERNAL`,
//! masked like [`internal`] — any other uncoded error from a field. A resolver that panics
//! answers `INTERNAL` the same way: the panic is caught, logged with the field's path under
//! a reference id, and the process and the rest of the response carry on.

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextResolve,
    NextValidation, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, Field};
use async_graphql::{
    Error, ErrorExtensionValues, ErrorExtensions, PathSegment, QueryPathSegment, ServerError,
    ServerResult, ValidationResult, Value, Variables,
};
use domain::DomainError;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

/// The text a panic was raised with, if it was text.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Codes a client can rely on.
pub mod code {
    /// No or bad credentials.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// Not allowed.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// Absent or invisible.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// Input breaks a rule; see `field`.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// State does not allow it.
    pub const CONFLICT: &str = "CONFLICT";
    /// Our fault; details are in the logs.
    pub const INTERNAL: &str = "INTERNAL";
    /// The document is not GraphQL.
    pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not fit the schema, or the variables do not fit the document.
    pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The HTTP request itself is malformed.
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// The request is beyond a configured bound; `extensions.setting` names it.
    pub const LIMIT_EXCEEDED: &str = "LIMIT_EXCEEDED";
}

/// Maps a domain error to the wire.
pub fn to_gql(error: DomainError) -> Error {
    match error {
        DomainError::Unauthenticated => coded(error.to_string(), code::UNAUTHENTICATED),
        DomainError::Forbidden(m) => coded(m, code::FORBIDDEN),
        DomainError::NotFound(_) => coded(error.to_string(), code::NOT_FOUND),
        DomainError::BadInput { field, message } => Error::new(message).extend_with(|_, e| {
            e.set("code", code::BAD_USER_INPUT);
            e.set("field", field.clone());
        }),
        DomainError::Conflict(m) => coded(m, code::CONFLICT),
        DomainError::Database(e) => internal_error(&e),
        DomainError::Internal(m) => internal(&m),
    }
}

/// An error with a code.
pub fn coded(message: impl Into<String>, code: &'static str) -> Error {
    Error::new(message.into()).extend_with(|_, e| e.set("code", code))
}

/// A bad argument that the domain never saw (an unparsable id, a page size).
pub fn bad_input(field: &str, message: impl Into<String>) -> Error {
    to_gql(DomainError::bad(field, message))
}

/// Logs `cause` and returns an error that reveals nothing of it. For an error value use
/// [`internal_error`], which logs its sources too.
pub fn internal(cause: &dyn std::fmt::Display) -> Error {
    let id = uuid::Uuid::new_v4();
    tracing::error!(error.id = %id, error = %cause, "internal error");
    Error::new(format!("internal error (reference {id})"))
        .extend_with(|_, e| e.set("code", code::INTERNAL))
}

/// [`internal`] for an error value: the log line carries its whole chain of sources, so
/// that e.g. the driver's failure under a `DbErr` under a `DomainError` shows.
pub fn internal_error(cause: &(dyn std::error::Error + 'static)) -> Error {
    internal(&cause_chain(cause))
}

/// `cause` and its sources, outermost first, joined by ": ". A source whose text the one
/// above it already shows (`#[error("…: {0}")]`) is not repeated.
fn cause_chain(cause: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = cause.to_string();
    let mut above = chain.clone();
    let mut next = cause.source();
    while let Some(source) = next {
        let text = source.to_string();
        if !above.contains(&text) {
            chain.push_str(": ");
            chain.push_str(&text);
        }
        above = text;
        next = source.source();
    }
    chain
}

/// `Result` for resolvers.
pub type GqlResult<T> = Result<T, Error>;

/// `?` for domain results in resolvers.
pub trait OrGql<T> {
    /// Maps the error to the wire.
    fn gql(self) -> GqlResult<T>;
}

impl<T> OrGql<T> for Result<T, DomainError> {
    fn gql(self) -> GqlResult<T> {
        self.map_err(to_gql)
    }
}

/// Codes the errors our resolvers did not: see the module's policy. Before execution every
/// error is the request's fault, and the HTTP layer answers those with 400.
pub struct TagErrors;

impl ExtensionFactory for TagErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TagErrorsExt)
    }
}

struct TagErrorsExt;

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

fn tag(mut error: ServerError, code: &'static str) -> ServerError {
    if !has_code(&error) {
        error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default)
            .set("code", code);
    }
    error
}

/// Whether async-graphql raised `error` while coercing one of `field`'s arguments.
///
/// It builds those errors (`InputValueError::into_server_error`) at the position of the
/// argument's value in the document, while an error a resolver returns is placed at the
/// field itself (async-graphql 7.2). So the position tells them apart without reading
/// messages.
fn is_argument_error(error: &ServerError, field: &Field) -> bool {
    field
        .arguments
        .iter()
        .any(|(_, value)| error.locations.as_slice() == [value.pos])
}

/// Logs an uncoded field error like [`internal`] and leaves the client only its reference.
fn mask(mut error: ServerError) -> ServerError {
    let path = error
        .path
        .iter()
        .map(|s| match s {
            PathSegment::Field(name) => name.clone(),
            PathSegment::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".");
    let masked = internal(&format_args!("{} (at {path})", error.message));
    error.message = masked.message;
    error.extensions = masked.extensions;
    error.source = None;
    error
}

#[async_trait::async_trait]
impl Extension for TagErrorsExt {
    /// What is still uncoded here was raised before execution or outside any field
    /// (operation selection, a subscription sent over HTTP): the request's fault.
    async fn request(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextRequest<'_>,
    ) -> async_graphql::Response {
        let mut response = next.run(ctx).await;
        response.errors = std::mem::take(&mut response.errors)
            .into_iter()
            .map(|e| tag(e, code::BAD_USER_INPUT))
            .collect();
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|e| tag(e, code::PARSE_FAILED))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errs| {
            errs.into_iter()
                .map(|e| tag(e, code::VALIDATION_FAILED))
                .collect()
        })
    }

    /// An argument value that does not coerce (a date that does not exist, a decimal that
    /// does not parse) is the client's; any other uncoded error from a field is ours.
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let field = info.field;
        let mut path = Vec::new();
        let mut node = Some(info.path_node);
        while let Some(n) = node {
            path.push(match n.segment {
                QueryPathSegment::Name(name) => PathSegment::Field(name.to_owned()),
                QueryPathSegment::Index(i) => PathSegment::Index(i),
            });
            node = n.parent;
        }
        path.reverse();
        let at = info.path_node.to_string();
        let outcome = AssertUnwindSafe(next.run(ctx, info)).catch_unwind().await;
        let result = match outcome {
            Ok(result) => result,
            Err(panic) => {
                let err = internal(&format_args!("panic: {} (at {at})", panic_message(&*panic)));
                return Err(ServerError {
                    message: err.message,
                    source: None,
                    locations: vec![field.name.pos],
                    path,
                    extensions: err.extensions,
                });
            }
        };
        result.map_err(|e| {
            if has_code(&e) {
                e
            } else if is_argument_error(&e, field) {
                tag(e, code::BAD_USER_INPUT)
            } else {
                mask(e)
            }
        })
    }
}

#[cfg(test)]
mod tests;
