//! The certificate credentials of the organization's apps: Global Administrators list, add and remove them. An app
//! signs client assertions with the private key (`private_key_jwt` at the token endpoint); only the public
//! certificate is kept here.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mscommerce_auth::assertion::read_certificate;
use mscommerce_auth::unix_now;
use mscommerce_domain::Operation;
use mscommerce_store::{App, NewAppCertificate};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams};
use crate::state::AppState;
use crate::views::credentials::{CredentialList, CredentialView, NewCredentialRequest};

/// The caller's organization's app with this client ID; another organization's is as absent as none.
async fn own_app(state: &AppState, caller: &Caller, app_id: &str) -> ApiResult<App> {
    let not_found = || {
        ApiError::not_found(
            "AppNotFound",
            format!("This organization has no app with the client ID {app_id}."),
        )
    };
    let id = Uuid::parse_str(app_id).map_err(|_| not_found())?;
    state
        .store
        .app(id)
        .await?
        .filter(|app| app.tenant_id == caller.principal.tenant_id)
        .ok_or_else(not_found)
}

/// List an app's certificate credentials (no secrets: there are none).
#[utoipa::path(
    get,
    path = "/v1.0/applications/{appId}/credentials",
    tag = "users",
    security(("bearer" = [])),
    params(("appId" = String, Path, description = "The app's client ID")),
    responses((status = 200, body = CredentialList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_credentials(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(app_id): PathParams<String>,
) -> ApiResult<Json<CredentialList>> {
    caller.require(Operation::ManageAppCredentials)?;
    let app = own_app(&state, &caller, &app_id).await?;
    let certificates = state.store.app_certificates(app.client_id).await?;
    Ok(Json(CredentialList {
        items: certificates.iter().map(CredentialView::of).collect(),
    }))
}

/// Give an app a certificate credential (Global Administrators only).
#[utoipa::path(
    post,
    path = "/v1.0/applications/{appId}/credentials",
    tag = "users",
    security(("bearer" = [])),
    params(("appId" = String, Path, description = "The app's client ID")),
    request_body = NewCredentialRequest,
    responses(
        (status = 201, body = CredentialView),
        (status = 400, description = "`InvalidCertificate`: not an X.509 certificate with an RSA or P-256 key, or expired", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The app already has this certificate", body = ErrorBody),
    )
)]
pub async fn add_credential(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(app_id): PathParams<String>,
    JsonBody(request): JsonBody<NewCredentialRequest>,
) -> ApiResult<Response> {
    caller.require(Operation::ManageAppCredentials)?;
    let app = own_app(&state, &caller, &app_id).await?;
    let invalid = |reason: String| ApiError::bad_request("InvalidCertificate", reason);
    let text = request.key.trim();
    let bytes = if text.starts_with("-----") {
        text.as_bytes().to_vec()
    } else {
        STANDARD.decode(text).map_err(|_| {
            invalid(
                "'key' must be the certificate's DER in base64, or its PEM text (-----BEGIN CERTIFICATE-----)."
                    .into(),
            )
        })?
    };
    let info = read_certificate(&bytes).map_err(|e| invalid(e.to_string()))?;
    if info.not_after < unix_now() {
        return Err(invalid(
            "The certificate has expired; give one that is still valid.".into(),
        ));
    }
    let time = |seconds: i64| {
        chrono::DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| invalid("The certificate's validity is out of range.".into()))
    };
    let display_name = match request.display_name.as_deref().map(str::trim) {
        Some("") => {
            return Err(invalid(
                "'displayName' must not be empty when given.".into(),
            ))
        }
        Some(name) => name.to_string(),
        None => info.subject.clone(),
    };
    let added = state
        .store
        .add_app_certificate(
            NewAppCertificate {
                client_id: app.client_id,
                thumbprint_sha1: info.thumbprint_sha1.clone(),
                thumbprint_sha256: info.thumbprint_sha256.clone(),
                not_before: time(info.not_before)?,
                not_after: time(info.not_after)?,
                der: info.der,
                display_name,
            },
            &caller.actor(),
        )
        .await?;
    let location = format!(
        "{}/v1.0/applications/{}/credentials/{}",
        state.settings.public_url, app.client_id, added.key_id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(CredentialView::of(&added)),
    )
        .into_response())
}

/// Remove one of an app's certificate credentials (Global Administrators only); assertions signed with it are
/// refused from then on.
#[utoipa::path(
    delete,
    path = "/v1.0/applications/{appId}/credentials/{keyId}",
    tag = "users",
    security(("bearer" = [])),
    params(
        ("appId" = String, Path, description = "The app's client ID"),
        ("keyId" = String, Path, description = "The credential's key ID"),
    ),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn remove_credential(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((app_id, key_id)): PathParams<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.require(Operation::ManageAppCredentials)?;
    let app = own_app(&state, &caller, &app_id).await?;
    let not_found = || {
        ApiError::not_found(
            "CredentialNotFound",
            format!("The app {app_id} has no credential with the key ID {key_id}."),
        )
    };
    let key = Uuid::parse_str(&key_id).map_err(|_| not_found())?;
    if state
        .store
        .remove_app_certificate(app.client_id, key, &caller.actor())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}
