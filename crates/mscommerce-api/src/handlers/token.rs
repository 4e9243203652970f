//! The built-in OAuth2 issuer: token endpoint, discovery document, JWKS.

use std::net::IpAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mscommerce_auth::assertion::{read_assertion_header, read_certificate, verify_assertion};
use mscommerce_auth::{tenant_issuer, unix_now, Jwks, TokenSubject, ALGORITHM};
use mscommerce_domain::{
    client_authentication, decode_basic_credentials, password_grant_allowed, ClientAuthentication,
    PresentedClient, TenantId,
};
use mscommerce_store::App;
use uuid::Uuid;

use super::grants;
use crate::delegation::for_customer;
use crate::error::{ApiError, ApiResult, OAuthErrorBody};
use crate::oauth::{check_scope, invalid_request, required};
use crate::sign_in_guard::{ClientAddress, Signer};
use crate::state::AppState;
use crate::tenants::tenant_constraint;
use crate::user_sign_in::{begin_attempt, check_password, finish_attempt, user_subject};
use crate::views::token::{Discovery, TokenRequest, TokenResponse};

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const SUPPORTED_GRANTS: &str =
    "client_credentials, password, authorization_code, refresh_token or \
                                urn:ietf:params:oauth:grant-type:device_code";
const BAD_CLIENT: &str = "The client ID is unknown or the client secret is wrong.";
const BAD_ASSERTION_CLIENT: &str =
    "The client ID is unknown, or none of its certificates has the thumbprint the client assertion names.";
const PASSWORD_GRANT_OFF: &str = "Password sign-in (the password grant) is turned off for this organization: the \
     service's password_grant_enabled setting, or the organization's own (`mscommerce tenant set \
     --password-grant on|off`). Sign in in the browser (authorization code) or with a device code instead.";
/// Algorithms of the client assertions this service verifies (see `mscommerce_auth::assertion`).
const ASSERTION_ALGORITHMS: [&str; 3] = ["RS256", "PS256", "ES256"];

fn invalid_client() -> ApiError {
    ApiError::oauth(StatusCode::UNAUTHORIZED, "invalid_client", BAD_CLIENT)
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

/// The client credentials of the request: `Authorization: Basic`, the form's `client_id`/`client_secret`, or a
/// client assertion; never two at once.
fn presented_client(headers: &HeaderMap, form: &TokenRequest) -> ApiResult<ClientAuthentication> {
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => {
            let value = value.to_str().map_err(|_| {
                invalid_request("The Authorization header is not text; send 'Basic <base64>'.")
            })?;
            decode_basic_credentials(value, |b64| STANDARD.decode(b64).ok())
                .transpose()
                .map_err(|e| invalid_request(e.to_string()))?
        }
    };
    client_authentication(PresentedClient {
        basic,
        client_id: form.client_id.as_deref(),
        client_secret: form.client_secret.as_deref(),
        client_assertion_type: form.client_assertion_type.as_deref(),
        client_assertion: form.client_assertion.as_deref(),
    })
    .map_err(|e| invalid_request(e.to_string()))
}

async fn secret_client(
    state: &AppState,
    client_id: &str,
    secret: &str,
    tenant: Option<TenantId>,
    address: Option<IpAddr>,
) -> ApiResult<App> {
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
    finish_attempt(state, attempt, outcome)?.ok_or_else(invalid_client)
}

/// The `aud` a client assertion may name: this service's token endpoints (unscoped, by tenant ID, and by the
/// segment the request used) and its issuers, as Entra accepts.
fn assertion_audiences(
    state: &AppState,
    tenant_id: TenantId,
    segment: Option<&str>,
) -> Vec<String> {
    let base = &state.settings.public_url;
    let mut audiences = vec![
        format!("{base}/oauth2/v2.0/token"),
        format!("{base}/{tenant_id}/oauth2/v2.0/token"),
        state.issuer.issuer.clone(),
        tenant_issuer(&state.issuer.issuer, tenant_id),
    ];
    if let Some(segment) = segment {
        audiences.push(format!("{base}/{segment}/oauth2/v2.0/token"));
    }
    audiences
}

/// An app signed in with a certificate (`private_key_jwt`): its assertion verified against the certificate its
/// header names, and its `jti` never accepted before. Failures count toward the app's back-off as wrong secrets do.
async fn assertion_client(
    state: &AppState,
    client_id: &str,
    assertion: &str,
    tenant: Option<TenantId>,
    segment: Option<&str>,
    address: Option<IpAddr>,
) -> ApiResult<App> {
    let attempt = begin_attempt(state, Signer::App(client_id), address, "invalid_client").await?;
    // Why the assertion was refused, when saying so tells nothing about the app that its ID does not.
    let mut reason: Option<String> = None;
    let outcome = async {
        let Ok(id) = Uuid::parse_str(client_id) else {
            return Ok(None);
        };
        let header = match read_assertion_header(assertion) {
            Ok(header) => header,
            Err(refusal) => {
                reason = Some(refusal.to_string());
                return Ok(None);
            }
        };
        let Some(app) = state.store.app(id).await? else {
            return Ok(None);
        };
        if tenant.is_some_and(|t| t != app.tenant_id) {
            return Ok(None);
        }
        let Some(stored) = state
            .store
            .app_certificate_by_thumbprint(id, &header.thumbprint)
            .await?
        else {
            return Ok(None);
        };
        let certificate = read_certificate(&stored.der).map_err(|e| {
            ApiError::Internal(format!("the stored certificate {} is unreadable: {e}", stored.key_id))
        })?;
        let now = unix_now();
        let audiences = assertion_audiences(state, app.tenant_id, segment);
        let accepted = match verify_assertion(assertion, &certificate, client_id, &audiences, now) {
            Ok(accepted) => accepted,
            Err(refusal) => {
                reason = Some(refusal.to_string());
                return Ok(None);
            }
        };
        if !state
            .store
            .accept_client_assertion(id, &accepted.jti, accepted.expires_at, now)
            .await?
        {
            reason = Some(
                "The client assertion was used before (its jti was accepted already); sign a new one for each \
                 request."
                    .into(),
            );
            return Ok(None);
        }
        Ok(Some(app))
    }
    .await;
    let app = finish_attempt(state, attempt, outcome)?;
    app.ok_or_else(|| {
        ApiError::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            reason.unwrap_or_else(|| BAD_ASSERTION_CLIENT.into()),
        )
    })
}

async fn client_subject(
    state: &AppState,
    client: ClientAuthentication,
    tenant: Option<TenantId>,
    segment: Option<&str>,
    address: Option<IpAddr>,
) -> ApiResult<TokenSubject> {
    let app = match client {
        ClientAuthentication::Secret { client_id, secret } => {
            secret_client(state, &client_id, &secret, tenant, address).await?
        }
        ClientAuthentication::Assertion {
            client_id,
            assertion,
        } => assertion_client(state, &client_id, &assertion, tenant, segment, address).await?,
        ClientAuthentication::None { client_id } => {
            return Err(invalid_request(format!(
                "The client_credentials grant needs the client's credentials{}: client_secret (in the form, or \
                 client_id:client_secret as Authorization: Basic) or client_assertion (signed with a certificate's \
                 key).",
                if client_id.is_none() { " and 'client_id'" } else { "" }
            )))
        }
    };
    Ok(TokenSubject::App {
        tenant_id: app.tenant_id,
        object_id: app.object_id,
        client_id: app.client_id,
        display_name: app.display_name,
        permissions: app.permissions,
    })
}

/// Refuses the password grant where it is turned off: the tenant's own choice, or the service's setting.
async fn ensure_password_grant(state: &AppState, tenant: Option<TenantId>) -> ApiResult<()> {
    let choice = match tenant {
        Some(tenant) => state.store.tenant_password_grant(tenant).await?,
        None => None,
    };
    if password_grant_allowed(state.settings.password_grant_enabled, choice) {
        Ok(())
    } else {
        Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            PASSWORD_GRANT_OFF,
        ))
    }
}

/// The tenant whose password setting governs a password sign-in before the password is checked: the path's, or
/// else the one that owns the sign-in name's domain (a user's sign-in name is always in its tenant's domains). So
/// the refusal is the same whether the password is right or not.
async fn password_tenant(
    state: &AppState,
    tenant: Option<TenantId>,
    username: Option<&str>,
) -> ApiResult<Option<TenantId>> {
    if tenant.is_some() {
        return Ok(tenant);
    }
    let Some((_, domain)) = username.and_then(|u| u.rsplit_once('@')) else {
        return Ok(None);
    };
    Ok(state.store.tenant_by_domain(domain).await?)
}

async fn issue_token(
    state: &AppState,
    segment: Option<&str>,
    headers: &HeaderMap,
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

    let tenant = tenant_constraint(state, segment).await?;
    let client = presented_client(headers, &form)?;
    let token = match form.grant_type.as_deref() {
        // People's grants: the public client of Microsoft's module, which has no secret to present.
        Some("authorization_code") => {
            grants::authorization_code_grant(state, &form, tenant).await?
        }
        Some(DEVICE_CODE_GRANT) => grants::device_code_grant(state, &form, tenant).await?,
        Some("refresh_token") => grants::refresh_token_grant(state, &form, tenant).await?,
        Some("password") | Some("client_credentials") => {
            let scope = check_scope(state, form.scope.as_deref())?;
            let password = form.grant_type.as_deref() == Some("password");
            // Signed in at home, wherever the path points: a partner's user or app at a customer's endpoint acts
            // for the customer if a relationship allows (below).
            let subject = if password {
                ensure_password_grant(
                    state,
                    password_tenant(state, tenant, form.username.as_deref()).await?,
                )
                .await?;
                let subject = password_subject(state, &form, None, address).await?;
                // The user's own tenant decides too (a sign-in name always names it, so this only guards).
                let (TokenSubject::User { tenant_id, .. } | TokenSubject::App { tenant_id, .. }) =
                    &subject;
                ensure_password_grant(state, Some(*tenant_id)).await?;
                subject
            } else {
                client_subject(state, client, None, segment, address).await?
            };
            let (TokenSubject::User {
                tenant_id: home, ..
            }
            | TokenSubject::App {
                tenant_id: home, ..
            }) = &subject;
            let access_token = match tenant {
                Some(customer) if customer != *home => {
                    for_customer(state, subject, customer, password).await?
                }
                _ => state.issuer.issue(&subject, unix_now()),
            };
            TokenResponse {
                token_type: "Bearer",
                access_token,
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
    headers: HeaderMap,
    address: ClientAddress,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> ApiResult<Response> {
    issue_token(&state, None, &headers, address, form).await
}

/// Get an access token for a user or app of the given tenant.
#[utoipa::path(
    post,
    path = "/{tenantId}/oauth2/v2.0/token",
    tag = "sign-in",
    params(("tenantId" = String, Path, description = "Tenant ID, one of its domain names, `common` or `organizations`")),
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
    headers: HeaderMap,
    address: ClientAddress,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> ApiResult<Response> {
    issue_token(&state, Some(&tenant), &headers, address, form).await
}

/// The discovery document for a `{tenantId}` segment (`None`: unscoped), with its endpoints under the same segment.
fn discovery_document(
    state: &AppState,
    issuer: String,
    segment: Option<&str>,
    password: bool,
) -> Discovery {
    let base = &state.settings.public_url;
    let prefix = segment.map(|s| format!("/{s}")).unwrap_or_default();
    let endpoint = |name: &str| format!("{base}{prefix}/oauth2/v2.0/{name}");
    let mut grants = vec![
        "authorization_code",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
        "client_credentials",
    ];
    if password {
        grants.push("password");
    }
    Discovery {
        issuer,
        authorization_endpoint: endpoint("authorize"),
        token_endpoint: endpoint("token"),
        device_authorization_endpoint: endpoint("devicecode"),
        end_session_endpoint: endpoint("logout"),
        revocation_endpoint: endpoint("revoke"),
        jwks_uri: format!("{base}{prefix}/discovery/v2.0/keys"),
        response_types_supported: vec!["code"],
        response_modes_supported: vec!["query", "form_post"],
        grant_types_supported: grants,
        token_endpoint_auth_methods_supported: vec![
            "client_secret_post",
            "client_secret_basic",
            "private_key_jwt",
            "none",
        ],
        token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS.to_vec(),
        code_challenge_methods_supported: vec!["S256"],
        scopes_supported: ["openid", "profile", "email", "offline_access"]
            .iter()
            .map(|s| s.to_string())
            .chain([format!("{}/.default", state.issuer.audience)])
            .collect(),
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec![ALGORITHM],
        claims_supported: vec![
            "iss", "aud", "iat", "nbf", "exp", "tid", "oid", "sub", "upn", "name", "wids", "roles",
            "azp", "appid", "idtyp", "scp", "ver", "uti",
        ],
        tenant_region_scope: None,
    }
}

/// OpenID Connect discovery document of the built-in issuer, unscoped (its endpoints serve any tenant).
#[utoipa::path(get, path = "/.well-known/openid-configuration", tag = "sign-in", responses((status = 200, body = Discovery)))]
pub async fn discovery(State(state): State<AppState>) -> Json<Discovery> {
    let password = state.settings.password_grant_enabled;
    Json(discovery_document(
        &state,
        state.issuer.issuer.clone(),
        None,
        password,
    ))
}

/// OpenID Connect discovery document of one tenant (or of `common`/`organizations`), as MSAL fetches it for the
/// authority `{public_url}/{tenantId}`.
#[utoipa::path(
    get,
    path = "/{tenantId}/v2.0/.well-known/openid-configuration",
    tag = "sign-in",
    params(("tenantId" = String, Path, description = "Tenant ID, one of its domain names, `common` or `organizations`")),
    responses(
        (status = 200, body = Discovery),
        (status = 400, description = "`invalid_request`: no tenant has this ID or domain name", body = OAuthErrorBody),
    )
)]
pub async fn tenant_discovery(
    State(state): State<AppState>,
    Path(segment): Path<String>,
) -> ApiResult<Json<Discovery>> {
    let tenant = tenant_constraint(&state, Some(&segment)).await?;
    let (issuer, password) = match tenant {
        Some(tenant) => {
            let choice = state.store.tenant_password_grant(tenant).await?;
            (
                tenant_issuer(&state.issuer.issuer, tenant),
                password_grant_allowed(state.settings.password_grant_enabled, choice),
            )
        }
        // Entra's document for `common` and `organizations` carries this literal template.
        None => (
            format!("{}/{{tenantid}}/v2.0", state.issuer.issuer),
            state.settings.password_grant_enabled,
        ),
    };
    Ok(Json(discovery_document(
        &state,
        issuer,
        Some(&segment),
        password,
    )))
}

/// The public keys that sign this service's tokens.
#[utoipa::path(get, path = "/discovery/v2.0/keys", tag = "sign-in", responses((status = 200, description = "JWKS (RFC 7517)")))]
pub async fn jwks(State(state): State<AppState>) -> Json<Jwks> {
    Json(state.verifier.jwks())
}

/// The public keys that sign this service's tokens, under a tenant's path as Entra publishes them.
#[utoipa::path(
    get,
    path = "/{tenantId}/discovery/v2.0/keys",
    tag = "sign-in",
    params(("tenantId" = String, Path, description = "Tenant ID, one of its domain names, `common` or `organizations`")),
    responses(
        (status = 200, description = "JWKS (RFC 7517)"),
        (status = 400, description = "`invalid_request`: no tenant has this ID or domain name", body = OAuthErrorBody),
    )
)]
pub async fn tenant_jwks(
    State(state): State<AppState>,
    Path(segment): Path<String>,
) -> ApiResult<Json<Jwks>> {
    tenant_constraint(&state, Some(&segment)).await?;
    Ok(Json(state.verifier.jwks()))
}
