//! The one place domain errors become GraphQL errors with `extensions.code`.
//! Unexpected errors are logged with their cause and reach the client as `INTERNAL` only.

use async_graphql::{Error, ErrorExtensions};
use domain::DomainError;

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
        DomainError::Database(e) => internal(&e),
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

/// Logs `cause` and returns an error that reveals nothing of it.
pub fn internal(cause: &dyn std::fmt::Display) -> Error {
    let id = uuid::Uuid::new_v4();
    tracing::error!(error.id = %id, error = %cause, "internal error");
    Error::new(format!("internal error (reference {id})"))
        .extend_with(|_, e| e.set("code", code::INTERNAL))
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
