//! The one error envelope: every non-2xx answer is `{"errorCode": "...", "reason": "..."}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mscommerce_auth::{HasherBusy, TokenError};
use mscommerce_store::{RuleKind, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Stable, for programs (see docs/API.md for the list).
    #[schema(example = "ProductNotFound")]
    pub error_code: String,
    /// For people: what was wrong and what is allowed.
    pub reason: String,
}

/// Errors of the OAuth2 token endpoint, in RFC 6749 form (snake_case, as OAuth2 libraries read it) plus our
/// envelope's two fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthErrorBody {
    pub error: String,
    pub error_description: String,
    #[serde(rename = "errorCode")]
    pub error_code: String,
    pub reason: String,
}

#[derive(Debug)]
pub enum ApiError {
    /// 400 with a stable code.
    BadRequest {
        code: &'static str,
        reason: String,
    },
    Unauthorized(TokenError),
    Forbidden(String),
    NotFound {
        code: &'static str,
        reason: String,
    },
    /// 409: the change collides with what exists.
    Conflict(String),
    MethodNotAllowed(String),
    PayloadTooLarge(String),
    UnsupportedMediaType(String),
    /// 503: the request ran longer than the configured limit.
    Timeout,
    /// 503 with `Retry-After`: every password hashing slot stayed busy (see `mscommerce_auth::Hasher`).
    HashingBusy,
    NotReady(String),
    /// 500. The text goes to the log, never to the client.
    Internal(String),
    /// Any other refusal with its own status and stable code (a blocked acquisition, a seat rule, If-Match).
    Refused {
        status: StatusCode,
        code: &'static str,
        reason: String,
    },
    /// An OAuth2 error of the token endpoint (RFC 6749 section 5.2).
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
    /// An OAuth2 error that tells the client when to come back (`Retry-After`, in seconds): a sign-in backed off
    /// after failures, or the hashing pool full.
    OAuthRetryLater {
        status: StatusCode,
        error: &'static str,
        description: String,
        retry_after_seconds: u64,
    },
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn bad_request(code: &'static str, reason: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            code,
            reason: reason.into(),
        }
    }

    pub fn not_found(code: &'static str, reason: impl Into<String>) -> ApiError {
        ApiError::NotFound {
            code,
            reason: reason.into(),
        }
    }

    pub fn refused(status: StatusCode, code: &'static str, reason: impl Into<String>) -> ApiError {
        ApiError::Refused {
            status,
            code,
            reason: reason.into(),
        }
    }

    pub fn oauth(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> ApiError {
        ApiError::OAuth {
            status,
            error,
            description: description.into(),
        }
    }
}

fn envelope(status: StatusCode, code: &str, reason: String) -> Response {
    (
        status,
        Json(ErrorBody {
            error_code: code.to_string(),
            reason,
        }),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::BadRequest { code, reason } => {
                envelope(StatusCode::BAD_REQUEST, code, reason)
            }
            ApiError::Unauthorized(cause) => {
                tracing::debug!(token.error = cause.code(), "token refused");
                let challenge = match cause {
                    TokenError::Missing => "Bearer".to_string(),
                    ref other => format!(
                        "Bearer error=\"invalid_token\", error_description=\"{}\"",
                        other.to_string().replace('"', "'")
                    ),
                };
                let mut response =
                    envelope(StatusCode::UNAUTHORIZED, cause.code(), cause.to_string());
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, value);
                }
                response
            }
            ApiError::Forbidden(reason) => envelope(StatusCode::FORBIDDEN, "Forbidden", reason),
            ApiError::NotFound { code, reason } => envelope(StatusCode::NOT_FOUND, code, reason),
            ApiError::Conflict(reason) => envelope(StatusCode::CONFLICT, "Conflict", reason),
            ApiError::MethodNotAllowed(reason) => {
                envelope(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", reason)
            }
            ApiError::PayloadTooLarge(reason) => {
                // The rest of the body is left unread, so the connection cannot carry another request: saying so
                // keeps clients from sending their next request on it.
                let mut response =
                    envelope(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge", reason);
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                response
            }
            ApiError::UnsupportedMediaType(reason) => envelope(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                reason,
            ),
            ApiError::Timeout => envelope(
                StatusCode::SERVICE_UNAVAILABLE,
                "RequestTimeout",
                "The request took longer than this service allows and was stopped. Try again."
                    .into(),
            ),
            ApiError::HashingBusy => {
                let mut response = envelope(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceBusy",
                    "The service is busy checking passwords and could not take this request within a second. \
                     Try again after the Retry-After seconds."
                        .into(),
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
            ApiError::NotReady(reason) => {
                envelope(StatusCode::SERVICE_UNAVAILABLE, "NotReady", reason)
            }
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "request failed");
                envelope(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    "The service failed to handle the request. The x-ms-correlation-id of this answer finds \
                     the details in the service's log."
                        .into(),
                )
            }
            ApiError::Refused {
                status,
                code,
                reason,
            } => envelope(status, code, reason),
            ApiError::OAuth {
                status,
                error,
                description,
            } => oauth_response(status, error, description),
            ApiError::OAuthRetryLater {
                status,
                error,
                description,
                retry_after_seconds,
            } => {
                let mut response = oauth_response(status, error, description);
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
                response
            }
        }
    }
}

fn oauth_response(status: StatusCode, error: &str, description: String) -> Response {
    let mut response = (
        status,
        Json(OAuthErrorBody {
            error: error.to_string(),
            error_description: description.clone(),
            error_code: error.to_string(),
            reason: description,
        }),
    )
        .into_response();
    // RFC 6749: token responses must not be cached, errors included.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        // As for the envelope's 413: the rest of the body is unread, so the connection cannot carry another request.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

impl From<HasherBusy> for ApiError {
    fn from(_: HasherBusy) -> Self {
        ApiError::HashingBusy
    }
}

impl From<TokenError> for ApiError {
    fn from(cause: TokenError) -> Self {
        ApiError::Unauthorized(cause)
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(reason) => ApiError::not_found("NotFound", reason),
            StoreError::Conflict(reason) => ApiError::Conflict(reason),
            StoreError::VersionMismatch(reason) => ApiError::refused(
                StatusCode::PRECONDITION_FAILED,
                "PreconditionFailed",
                reason,
            ),
            StoreError::Rule { kind, code, reason } => {
                let status = match kind {
                    RuleKind::Invalid => StatusCode::BAD_REQUEST,
                    RuleKind::Conflict => StatusCode::CONFLICT,
                    RuleKind::NotFound => StatusCode::NOT_FOUND,
                };
                ApiError::refused(status, code, reason)
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}
