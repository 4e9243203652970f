//! The built-in OAuth2 issuer: token endpoint, discovery document, JWKS.

use std::net::IpAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use mscommerce_auth::{unix_now, Jwks, TokenSubject, ALGORITHM};
use mscommerce_domain::TenantId;
use uuid::Uuid;

use super::grants;
use crate::error::{ApiError, ApiResult, OAuthErrorBody};
use crate::sign_in_guard::{ClientAddress, Signer};
use crate::state::AppState;
use crate::user_sign_in::{begin_attempt, check_password, finish_attempt, user_subject};
use crate::views::token::{Discovery, TokenRequest, TokenResponse};

/// Scopes that OAuth2 libraries add on their own and that grant nothing here.
const HARMLESS_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const SUPPORTED_GRANTS: &str =
    "client_credentials, password, authorization_code, refresh_token or \
                                urn:ietf:params:oauth:grant-type:device_code";
const BAD_CLIENT: &str = "The client ID is unknown or the client secret is wrong.";

pub(crate) fn invalid_request(description: impl Into<String>) -> ApiError {
    ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn invalid_client() -> ApiError {
    ApiError::oauth(StatusCode::UNAUTHORIZED, "invalid_client", BAD_CLIENT)
}

pub(crate) fn required<'a>(
    value: &'a Option<String>,
    name: &str,
    grant: &str,
) -> ApiResult<&'a str> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid_request(format!("The {grant} grant needs the parameter '{name}'.")))
}

/// The scope the token is for. Accepts `<audience>/.default` (the real module asks for
/// `aeb86249-8ea3-49e2-900b-54cc8e308f85/.default`) or `api://<audience>/.default`.
pub(crate) fn check_scope(state: &AppState, scope: Option<&str>) -> ApiResult<String> {
    let audience = &state.issuer.audience;
    let ours = format!("{audience}/.default");
    let Some(scope) = scope else { return Ok(ours) };
    let mut names_us = false;
    for item in scope.split_whitespace() {
        let resource = item.strip_prefix("api://").unwrap_or(item);
        if resource.eq_ignore_ascii_case(&ours) || resource.eq_ignore_ascii_case(audience) {
            names_us = true;
        } else if !HARMLESS_SCOPES.contains(&item) {
            return Err(ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                format!("The scope '{item}' is not one this service issues tokens for; ask for '{ours}'."),
            ));
        }
    }
    if !names_us {
        return Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            format!("The scope must name this service's resource: ask for '{ours}'."),
        ));
    }
    Ok(ours)
}

/// The tenant in the path: a GUID, or `common` / `organizations` / none for any tenant.
pub(crate) fn tenant_constraint(tenant: Option<&str>) -> ApiResult<Option<TenantId>> {
    match tenant {
        None => Ok(None),
        Some(t) if t.eq_ignore_ascii_case("common") || t.eq_ignore_ascii_case("organizations") => {
            Ok(None)
        }
        Some(t) => t.parse::<TenantId>().map(Some).map_err(|_| {
            invalid_request(format!(
                "'{t}' is not a tenant: give the tenant ID (a GUID), 'common' or 'organizations'."
            ))
        }),
    }
}

async fn password_subject(
    state: &AppState,
    form: &TokenRequest,
    tenant: Option<TenantId>,
    address: Option<IpAddr>,
) -> ApiResult<TokenSubject> {
    let username = required(&form.username, "username", "password")?;
    let password = required(&form.password, "password", "password")?;
    let user = check_password(state, username, password, tenant, address).await?;
    Ok(user_subject(user, form.client_id.clone()))
}

async fn client_subject(
    state: &AppState,
    form: &TokenRequest,
    tenant: Option<TenantId>,
    address: Option<IpAddr>,
) -> ApiResult<TokenSubject> {
    let client_id = required(&form.client_id, "client_id", "client_credentials")?;
    let secret = required(&form.client_secret, "client_secret", "client_credentials")?;
    let attempt = begin_attempt(state, Signer::App(client_id), address, "invalid_client").await?;
    let outcome = async {
        let app = match Uuid::parse_str(client_id) {
            Ok(id) => state.store.app(id).await?,
            Err(_) => None,
        };
        let Some(app) = app else {
            state
                .hasher
                .verify_against_nothing(secret.to_owned())
                .await?;
            return Ok(None);
        };
        let right = state
            .hasher
            .verify(secret.to_owned(), app.secret_hash.clone())
            .await?;
        Ok((right && tenant.is_none_or(|t| t == app.tenant_id)).then_some(app))
    }
    .await;
    let app = finish_attempt(state, attempt, outcome)?.ok_or_else(invalid_client)?;
    Ok(TokenSubject::App {
        tenant_id: app.tenant_id,
        object_id: app.object_id,
        client_id: app.client_id,
        display_name: app.display_name,
        permissions: app.permissions,
    })
}

async fn issue_token(
    state: &AppState,
    tenant: Option<&str>,
    ClientAddress(address): ClientAddress,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> ApiResult<Response> {
    let Form(form) = form.map_err(|rejection| {
        // The limit is the route's `DefaultBodyLimit`; axum reports it exceeded as a 413 rejection
        // (axum-core-0.5.6/src/extract/rejection.rs, `LengthLimitError`).
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::oauth(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                format!(
                    "The token request is larger than this service accepts: at most {} bytes \
                     (the body_limit_bytes setting).",
                    state.settings.body_limit_bytes
                ),
            );
        }
        invalid_request(format!(
            "The token request must be a form (application/x-www-form-urlencoded): {}",
            rejection.body_text()
        ))
    })?;

    let tenant = tenant_constraint(tenant)?;
    let token = match form.grant_type.as_deref() {
        Some("authorization_code") => {
            grants::authorization_code_grant(state, &form, tenant).await?
        }
        Some(DEVICE_CODE_GRANT) => grants::device_code_grant(state, &form, tenant).await?,
        Some("refresh_token") => grants::refresh_token_grant(state, &form, tenant).await?,
        Some("password") | Some("client_credentials") => {
            let scope = check_scope(state, form.scope.as_deref())?;
            let subject = if form.grant_type.as_deref() == Some("password") {
                password_subject(state, &form, tenant, address).await?
            } else {
                client_subject(state, &form, tenant, address).await?
            };
            TokenResponse {
                token_type: "Bearer",
                access_token: state.issuer.issue(&subject, unix_now()),
                expires_in: state.issuer.lifetime_seconds,
                ext_expires_in: state.issuer.lifetime_seconds,
                scope,
                refresh_token: None,
                id_token: None,
                client_info: None,
            }
        }
        Some(other) => {
            return Err(ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("The grant type '{other}' is not supported; use {SUPPORTED_GRANTS}."),
            ))
        }
        None => {
            return Err(invalid_request(format!(
                "The parameter 'grant_type' is required ({SUPPORTED_GRANTS})."
            )))
        }
    };
    let mut response = Json(token).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Get an access token: OAuth2 `client_credentials`, `password`, `authorization_code` (PKCE), `refresh_token`
/// or the device code grant.
#[utoipa::path(
    post,
    path = "/oauth2/v2.0/token",
    tag = "sign-in",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = OAuthErrorBody),
        (status = 401, body = OAuthErrorBody),
        (status = 413, description = "The request is over `body_limit_bytes`", body = OAuthErrorBody),
        (status = 429, description = "Too many failed sign-ins: backed off for `Retry-After` seconds", body = OAuthErrorBody),
        (status = 503, description = "`temporarily_unavailable`: every password hashing slot is busy; `Retry-After`", body = OAuthErrorBody),
    )
)]
pub async fn token(
    State(state): State<AppState>,
    address: ClientAddress,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> ApiResult<Response> {
    issue_token(&state, None, address, form).await
}

/// Get an access token for a user or app of the given tenant.
#[utoipa::path(
    post,
    path = "/{tenantId}/oauth2/v2.0/token",
    tag = "sign-in",
    params(("tenantId" = String, Path, description = "Tenant ID, `common` or `organizations`")),
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = OAuthErrorBody),
        (status = 401, body = OAuthErrorBody),
        (status = 413, description = "The request is over `body_limit_bytes`", body = OAuthErrorBody),
        (status = 429, description = "Too many failed sign-ins: backed off for `Retry-After` seconds", body = OAuthErrorBody),
        (status = 503, description = "`temporarily_unavailable`: every password hashing slot is busy; `Retry-After`", body = OAuthErrorBody),
    )
)]
pub async fn tenant_token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    address: ClientAddress,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> ApiResult<Response> {
    issue_token(&state, Some(&tenant), address, form).await
}

/// OpenID Connect discovery document of the built-in issuer.
#[utoipa::path(get, path = "/.well-known/openid-configuration", tag = "sign-in", responses((status = 200, body = Discovery)))]
pub async fn discovery(State(state): State<AppState>) -> Json<Discovery> {
    let base = &state.settings.public_url;
    Json(Discovery {
        issuer: state.issuer.issuer.clone(),
        token_endpoint: format!("{base}/oauth2/v2.0/token"),
        jwks_uri: format!("{base}/discovery/v2.0/keys"),
        grant_types_supported: vec!["client_credentials", "password"],
        token_endpoint_auth_methods_supported: vec!["client_secret_post"],
        id_token_signing_alg_values_supported: vec![ALGORITHM],
        response_types_supported: vec!["token"],
        subject_types_supported: vec!["public"],
        claims_supported: vec![
            "iss", "aud", "iat", "nbf", "exp", "tid", "oid", "sub", "upn", "name", "wids", "roles",
            "azp", "appid", "idtyp", "scp", "ver", "uti",
        ],
    })
}

/// The public keys that sign this service's tokens.
#[utoipa::path(get, path = "/discovery/v2.0/keys", tag = "sign-in", responses((status = 200, description = "JWKS (RFC 7517)")))]
pub async fn jwks(State(state): State<AppState>) -> Json<Jwks> {
    Json(state.verifier.jwks())
}
