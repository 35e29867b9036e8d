//! JWT bearer tokens: HS256 with our own secret (what `perfcycle token` issues), or RS256
//! from an external identity provider's public key.

use crate::config::{Config, ConfigError};
use chrono::{Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Our employee id, or the identity provider's subject.
    pub sub: String,
    /// The employee's e-mail (how identity-provider tokens are matched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the identity provider verified that e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
}

/// Why a token was refused; each reaches the client as `UNAUTHENTICATED`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// The header was not `Bearer <token>`.
    #[error("the Authorization header must be `Bearer <token>`")]
    Malformed,
    /// Past its `exp`.
    #[error("the token has expired")]
    Expired,
    /// Before its `nbf`.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// Bad signature, unknown algorithm, or unreadable.
    #[error("the token is not valid")]
    Invalid,
    /// An issuer is configured and the identity provider's token has no `iss`.
    #[error("the token does not name its issuer")]
    MissingIssuer,
    /// An issuer is configured and the token's `iss` is another.
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    /// An audience is configured and the identity provider's token has no `aud`.
    #[error("the token does not name its audience")]
    MissingAudience,
    /// An audience is configured and the token's `aud` does not include it.
    #[error("the token was issued for another audience")]
    WrongAudience,
    /// Valid, but no active employee matches it.
    #[error("the token's employee does not exist or is no longer active")]
    UnknownEmployee,
    /// Valid, but its holder's tokens were revoked after it was issued.
    #[error("the token was revoked; sign in again")]
    Revoked,
}

/// How far past `exp` (or before `nbf`) a token is still taken: clocks differ.
pub const LEEWAY_SECONDS: u64 = 30;

/// Issues and checks tokens.
#[derive(Clone)]
pub struct Auth {
    encoding: EncodingKey,
    hs256: DecodingKey,
    rs256: Option<DecodingKey>,
    issuer: Option<String>,
    audience: Option<String>,
    ttl: Duration,
}

/// A token that passed the checks: whose it is, and when it was issued and expires
/// (seconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Whose token it is.
    pub subject: Subject,
    /// Its `iat`: revocation refuses tokens issued up to an instant.
    pub issued_at: i64,
    /// Its `exp`: a live connection authenticated by it is closed then.
    pub expires: i64,
}

/// Whose token it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// One of ours (HS256): the employee id.
    Employee(Uuid),
    /// An identity provider's (RS256): a verified e-mail address.
    Email(String),
}

impl Auth {
    /// Keys from the configuration.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let secret = config.hs256_secret()?;
        let rs256 = match &config.jwt_public_key_pem {
            Some(pem) => Some(
                DecodingKey::from_rsa_pem(pem)
                    .map_err(|e| ConfigError(format!("RS256 public key: {e}")))?,
            ),
            None => None,
        };
        Ok(Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            hs256: DecodingKey::from_secret(secret.as_bytes()),
            rs256,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl: Duration::hours(config.token_ttl_hours),
        })
    }

    /// A token for an employee, valid for the configured time (or `ttl`).
    pub fn issue(
        &self,
        employee_id: Uuid,
        email: &str,
        ttl: Option<Duration>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = Utc::now();
        let claims = Claims {
            sub: employee_id.to_string(),
            email: Some(email.to_owned()),
            email_verified: None,
            iat: now.timestamp(),
            exp: (now + ttl.unwrap_or(self.ttl)).timestamp(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Checks an `Authorization` header value.
    pub fn verify_header(&self, header: &str) -> Result<Verified, TokenError> {
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(TokenError::Malformed)?;
        self.verify(token)
    }

    /// Checks a bare token. Our own (HS256) tokens name an employee id; an identity
    /// provider's (RS256) are matched by e-mail only, which it must have verified, and must
    /// carry the configured issuer and audience.
    ///
    /// Clocks may differ by [`LEEWAY_SECONDS`] and no more: past `exp`, before `nbf`, or
    /// issued (`iat`) further in the future than that, a token is refused.
    pub fn verify(&self, token: &str) -> Result<Verified, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Invalid)?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = LEEWAY_SECONDS;
        // A token that names a time before which it is not valid is refused until then.
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let key = match header.alg {
            Algorithm::HS256 => &self.hs256,
            Algorithm::RS256 => {
                self.expect_issuer_and_audience(&mut validation);
                self.rs256.as_ref().ok_or(TokenError::Invalid)?
            }
            _ => return Err(TokenError::Invalid),
        };
        // jsonwebtoken checks claims only after the signature, so these messages reach only
        // holders of a token the identity provider really signed.
        let claims = decode::<Claims>(token, key, &validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => {
                    TokenError::MissingIssuer
                }
                ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => {
                    TokenError::MissingAudience
                }
                ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                _ => TokenError::Invalid,
            })?;
        if claims.iat > Utc::now().timestamp().saturating_add(LEEWAY_SECONDS as i64) {
            return Err(TokenError::NotYetValid);
        }
        let subject = match header.alg {
            Algorithm::HS256 => Uuid::parse_str(&claims.sub)
                .map(Subject::Employee)
                .map_err(|_| TokenError::Invalid),
            _ => match (claims.email, claims.email_verified) {
                (Some(email), Some(true)) => Ok(Subject::Email(email)),
                _ => Err(TokenError::Invalid),
            },
        }?;
        Ok(Verified {
            subject,
            issued_at: claims.iat,
            expires: claims.exp,
        })
    }

    /// Makes the configured issuer and audience required claims of an identity provider's
    /// token: jsonwebtoken compares `iss` and `aud` only when the token carries them, and `aud`
    /// only with `validate_aud`. That stays off when no audience is configured, because it
    /// would then refuse every token that names one.
    fn expect_issuer_and_audience(&self, validation: &mut Validation) {
        if let Some(iss) = &self.issuer {
            // Equal to ours (jsonwebtoken also takes a list of issuers that includes ours).
            validation.set_issuer(&[iss]);
            validation.required_spec_claims.insert("iss".to_owned());
        }
        if let Some(aud) = &self.audience {
            // A string `aud` must equal ours; a list must include it.
            validation.set_audience(&[aud]);
            validation.validate_aud = true;
            validation.required_spec_claims.insert("aud".to_owned());
        }
    }
}
