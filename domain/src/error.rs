//! Error policy: every failure a user can cause is a variant with a message written for
//! that user (`BadInput` also names the offending input field). Database and other
//! unexpected failures keep their cause for the logs and reach clients only as `INTERNAL`.

use sea_orm::DbErr;

/// A domain failure; the API maps each variant to one `extensions.code`.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// No valid credentials.
    #[error("authentication required")]
    Unauthenticated,
    /// The viewer may see the object but not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// Absent, or not visible to the viewer (the two are indistinguishable on purpose).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input that breaks a rule; `field` is the GraphQL input path, e.g.
    /// `keyResults[0].targetValue`.
    #[error("{message}")]
    BadInput { field: String, message: String },
    /// The object's current state does not allow this.
    #[error("{0}")]
    Conflict(String),
    /// The database failed; the cause is kept for the logs.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// Anything else unexpected.
    #[error("{0}")]
    Internal(String),
}

/// Result of a use-case.
pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    /// A `BadInput` for `field`.
    pub fn bad(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A `Forbidden` with a reason.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    /// The same error with its input path under `prefix`, e.g. `keyResults[2]` + `unit`.
    pub fn within(self, prefix: &str) -> Self {
        match self {
            Self::BadInput { field, message } => Self::BadInput {
                field: format!("{prefix}.{field}"),
                message,
            },
            other => other,
        }
    }

    /// A `Conflict` with a reason.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }
}
