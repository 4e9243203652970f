//! Extractors that answer in our envelope when the request is not what the route expects.

use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use futures_util::StreamExt;
use mscommerce_auth::TokenError;
use mscommerce_domain::{Operation, Principal};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::middleware::CorrelationId;
use crate::state::AppState;

/// The authenticated caller: the principal the token names, as the directory has it now (see
/// [`crate::directory_cache`]). Its tenant is the token's `tid`, and nothing else.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Arc<Principal>,
    pub correlation_id: CorrelationId,
}

impl Caller {
    /// The caller as the audit trail records it.
    pub fn actor(&self) -> mscommerce_store::AuditActor {
        mscommerce_store::AuditActor {
            id: self.principal.object_id.to_string(),
            name: self.principal.display_name().to_string(),
            kind: self.principal.kind_name().to_string(),
            correlation_id: self.correlation_id.as_str().to_string(),
            partner_tenant_id: self.principal.partner_tenant_id,
        }
    }

    /// Refuses with 403, naming who would be allowed, unless the caller may do `operation`.
    pub fn require(&self, operation: Operation) -> Result<(), ApiError> {
        if self.principal.may(operation) {
            return Ok(());
        }
        Err(ApiError::Forbidden(format!(
            "'{}' may not do this. Allowed: {}.",
            self.principal.display_name(),
            operation.describe_allowed()
        )))
    }
}

impl Caller {
    /// The caller the request's bearer token names, as the directory has it now.
    pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(TokenError::Missing)?
            .to_str()
            .map_err(|_| TokenError::Malformed("the Authorization header is not ASCII".into()))?;
        let token = match header.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(TokenError::Missing.into()),
        };
        Caller::from_token(token, parts, state).await
    }

    /// The caller `token` names, as the directory has it now: the one check of every credential (a bearer token,
    /// or the console's session).
    pub async fn from_token(
        token: &str,
        parts: &Parts,
        state: &AppState,
    ) -> Result<Caller, ApiError> {
        let correlation_id = CorrelationId::of(parts);
        let principal = match state.verifier.verify(token) {
            Ok(claimed) => state.directory.principal(&*state.store, &claimed).await?,
            // Not signed by one of the built-in issuer's keys: perhaps a token of an issuer an organization
            // trusts. Only a token that fails here is read for its issuer, so the built-in issuer's tokens pay
            // nothing more. (A token one of its keys did sign, naming another issuer, stays refused as such.)
            Err(refusal @ (TokenError::UnsupportedAlgorithm(_) | TokenError::UnknownKey(_))) => {
                match crate::federation::claimed_issuer(token) {
                    Some(issuer) if !state.is_own_issuer(&issuer) => {
                        state
                            .federation
                            .authenticate(
                                token,
                                &issuer,
                                &*state.store,
                                &state.directory,
                                &correlation_id,
                            )
                            .await?
                    }
                    _ => return Err(refusal.into()),
                }
            }
            Err(refusal) => return Err(refusal.into()),
        };
        Ok(Caller {
            principal,
            correlation_id,
        })
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// The caller the observing layer already authorized (routes with a `Requires` rule), or the token's now.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.remove::<Caller>() {
            return Ok(caller);
        }
        Caller::authenticate(parts, state).await
    }
}

/// `Path`, with rejections in our envelope.
pub struct PathParams<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| PathParams(value))
            .map_err(|rejection: PathRejection| {
                ApiError::bad_request(
                    "InvalidPathParameter",
                    format!("A path segment is not valid: {}.", rejection.body_text()),
                )
            })
    }
}

/// `Query`, with rejections in our envelope.
pub struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryParams(value))
            .map_err(|rejection: QueryRejection| {
                ApiError::bad_request(
                    "InvalidQueryParameter",
                    format!("The query string is not valid: {}.", rejection.body_text()),
                )
            })
    }
}

/// A JSON body. Accepts `application/json` with any parameters (`; charset=utf-8`) and any whitespace
/// (Windows PowerShell 5.1 sends pretty-printed JSON with CRLF). `shape` describes the expected body for errors.
pub struct JsonBody<T>(pub T);

/// Describes the body a route expects, for the reason of a 400.
pub trait BodyShape {
    const SHAPE: &'static str;
}

impl<T> FromRequest<AppState> for JsonBody<T>
where
    T: DeserializeOwned + BodyShape,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/json") {
            let got = if content_type.is_empty() {
                "no Content-Type"
            } else {
                content_type
            };
            return Err(ApiError::UnsupportedMediaType(format!(
                "The body must be JSON sent as 'Content-Type: application/json' (a charset parameter is fine); \
                 got {got}."
            )));
        }
        let bytes = read_body(request, state.settings.body_limit_bytes, T::SHAPE).await?;
        // Some Windows clients prefix UTF-8 with a byte-order mark.
        let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let value: serde_json::Value = serde_json::from_slice(json).map_err(|e| {
            ApiError::bad_request(
                "MalformedJson",
                format!("The body is not valid JSON ({e}). Expected: {}.", T::SHAPE),
            )
        })?;
        // serde would read a struct from an array too; every body of this API is an object.
        if !value.is_object() {
            return Err(ApiError::bad_request(
                "InvalidRequestBody",
                format!("The body must be a JSON object. Expected: {}.", T::SHAPE),
            ));
        }
        serde_json::from_value(value).map(JsonBody).map_err(|e| {
            ApiError::bad_request(
                "InvalidRequestBody",
                format!(
                    "The body does not have the expected shape ({e}). Expected: {}.",
                    T::SHAPE
                ),
            )
        })
    }
}

/// The whole body, or 413 as soon as it is known to exceed `limit` bytes (the `body_limit_bytes` setting): from
/// `Content-Length` before reading, or while reading a body sent in chunks.
async fn read_body(request: Request, limit: usize, shape: &str) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "The body is larger than this service accepts ({limit} bytes at most). Expected: {shape}."
        ))
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.map_or(0, |length| length as usize));
    let mut chunks = request.into_body().into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(
                "InvalidRequestBody",
                format!("The body could not be read: {e}."),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
