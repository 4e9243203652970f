//! The sign-ins a person completes in a browser: the authorization endpoint and its sign-in page (authorization
//! code with PKCE, RFC 6749 section 4.1 and RFC 7636), the device authorization grant and its verification page
//! (RFC 8628), refresh tokens (rotated, RFC 9700 section 4.14), revocation (RFC 7009) and sign-out.
//!
//! The rules (which clients, which redirect URIs, the user codes, the poll rule) are in
//! `mscommerce_domain::grants`; the password check is the password grant's (`user_sign_in`).

use std::net::IpAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, Utc};
use mscommerce_auth::{opaque_secret, pkce_matches, random_bytes, sha256_base64url, unix_now};
use mscommerce_domain::grants::{
    self, device_code_message, judge_poll, normalize_user_code, public_client, scope_has,
    scope_within, user_code_from, PollAnswer, PublicClient, DEVICE_POLL_INTERVAL_SECONDS,
    OFFLINE_ACCESS, OPENID, SLOW_DOWN_STEP_SECONDS,
};
use mscommerce_domain::TenantId;
use mscommerce_store::{
    CodeRedemption, DeviceDecision, NewAuthorizationCode, NewDeviceCode, NewRefreshToken, Rotation,
    StoreError, User,
};
use uuid::Uuid;

use crate::delegation;
use crate::error::{ApiError, ApiResult, OAuthErrorBody};
use crate::federated_sign_in;
use crate::oauth::{check_scope, invalid_request, required};
use crate::pages::{self, SignInForm};
use crate::sign_in_guard::{ClientAddress, Signer};
use crate::state::AppState;
use crate::tenants::tenant_constraint;
use crate::user_sign_in::{begin_attempt, check_password, user_subject, BAD_CREDENTIALS};
use crate::views::grants::{
    AuthorizeRequest, DeviceCodeRequest, DeviceCodeResponse, DeviceLoginQuery,
    DeviceLoginSubmission, LogoutQuery, RevokeRequest, SignInSubmission,
};
use crate::views::token::{TokenRequest, TokenResponse};

/// The scopes that shape the answer and are kept with a grant when asked for.
const ANSWER_SCOPES: [&str; 4] = [OPENID, "profile", OFFLINE_ACCESS, "email"];

fn oauth(error: &'static str, description: impl Into<String>) -> ApiError {
    ApiError::oauth(StatusCode::BAD_REQUEST, error, description)
}

fn unauthorized_client(client_id: &str) -> ApiError {
    oauth(
        "unauthorized_client",
        format!(
            "The client '{client_id}' may not use this grant: only the public client of Microsoft's MSCommerce \
             module ({}) signs in with a browser or a device code, and this service's console ({}) with a browser.",
            grants::MSCOMMERCE_MODULE_CLIENT_ID,
            grants::CONSOLE_CLIENT_ID
        ),
    )
}

/// The scope a grant keeps: this service's resource, and those of [`ANSWER_SCOPES`] that were asked for.
fn granted_scope(state: &AppState, asked: Option<&str>) -> ApiResult<String> {
    let resource = check_scope(state, asked)?;
    let mut granted = vec![resource];
    for name in ANSWER_SCOPES {
        if asked.is_some_and(|asked| scope_has(asked, name)) {
            granted.push(name.to_string());
        }
    }
    Ok(granted.join(" "))
}

/// The access token's scope in the answer: the resource only, as the password grant answers.
fn resource_scope(state: &AppState) -> String {
    format!("{}/.default", state.issuer.audience)
}

pub(crate) fn secure_cookies(state: &AppState) -> bool {
    state.settings.public_url.starts_with("https://")
}

fn expired(at: chrono::DateTime<Utc>) -> bool {
    at <= Utc::now()
}

// ---------------------------------------------------------------------------------------------------------------
// The authorization endpoint.

/// An authorization request whose client and redirect URI are known good: from here on, errors go back to it.
pub(crate) struct Validated {
    client: PublicClient,
    redirect_uri: String,
    form_post: bool,
    state: Option<String>,
}

/// An answer to the app at its redirect URI: a 302 with the parameters in the query, or the `form_post` page.
fn answer_app(target: &Validated, mut fields: Vec<(&str, String)>) -> Response {
    if let Some(state) = &target.state {
        fields.push(("state", state.clone()));
    }
    if target.form_post {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        return pages::form_post(
            &target.redirect_uri,
            PublicClient::origin_of(&target.redirect_uri),
            &pairs,
        );
    }
    let query = serde_urlencoded::to_string(&fields).unwrap_or_default();
    let separator = match (query.is_empty(), target.redirect_uri.contains('?')) {
        (true, _) => "",
        (false, true) => "&",
        (false, false) => "?",
    };
    let location = format!("{}{separator}{query}", target.redirect_uri);
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An error sent back to the app (RFC 6749 section 4.1.2.1).
fn error_to_app(target: &Validated, error: &str, description: &str) -> Response {
    answer_app(
        target,
        vec![
            ("error", error.to_string()),
            ("error_description", description.to_string()),
        ],
    )
}

/// Checks an authorization request: an unknown client or an unregistered redirect URI is answered with an error
/// page (never redirected: no open redirect); every other error goes back to the app. `Ok` carries the target and
/// the scope to grant. `tenant` is the path's tenant as [`tenant_constraint`] resolved it.
pub(crate) fn validate(
    state: &AppState,
    tenant: ApiResult<Option<TenantId>>,
    request: &AuthorizeRequest,
) -> Result<(Validated, String, Option<TenantId>), Box<Response>> {
    let client_id = request.client_id.as_deref().unwrap_or_default();
    let Some(client) = public_client(client_id) else {
        return Err(Box::new(pages::message(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            &format!(
                "The application '{client_id}' is not known to this service (unauthorized_client): only \
                 Microsoft's MSCommerce module ({}) and this service's console ({}) sign in here.",
                grants::MSCOMMERCE_MODULE_CLIENT_ID,
                grants::CONSOLE_CLIENT_ID
            ),
        )));
    };
    let redirect_uri = request.redirect_uri.clone().unwrap_or_default();
    if !client.allows_redirect(&redirect_uri, &state.settings.public_url) {
        return Err(Box::new(pages::message(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            &format!(
                "The redirect URI '{redirect_uri}' is not registered for this application (invalid_request): \
                 {}",
                if client.is_console() {
                    format!(
                        "the console's is {}{}.",
                        state.settings.public_url,
                        grants::CONSOLE_REDIRECT_PATH
                    )
                } else {
                    "it must be http://localhost/m365/commerce, or http://localhost, http://127.0.0.1 or \
                     http://[::1] with any port and path."
                        .to_string()
                }
            ),
        )));
    }
    let form_post = request.response_mode.as_deref() == Some("form_post");
    let target = Validated {
        client,
        redirect_uri,
        form_post,
        state: request.state.clone(),
    };
    let refuse =
        |error: &str, description: &str| Err(Box::new(error_to_app(&target, error, description)));
    match request.response_mode.as_deref() {
        None | Some("query") | Some("form_post") => {}
        Some(other) => {
            return refuse(
                "invalid_request",
                &format!("The response_mode '{other}' is not supported: use query or form_post."),
            )
        }
    }
    match request.response_type.as_deref() {
        Some("code") => {}
        Some(other) => {
            return refuse(
                "unsupported_response_type",
                &format!("The response_type '{other}' is not supported: use code."),
            )
        }
        None => {
            return refuse(
                "invalid_request",
                "The parameter 'response_type' is required (code).",
            )
        }
    }
    let challenge = request.code_challenge.as_deref().unwrap_or_default();
    if challenge.is_empty() {
        return refuse(
            "invalid_request",
            "PKCE is required: send code_challenge (the S256 of a code verifier) and code_challenge_method=S256.",
        );
    }
    if request.code_challenge_method.as_deref() != Some("S256") {
        return refuse(
            "invalid_request",
            "The code_challenge_method must be S256; plain (the default when none is given) is refused.",
        );
    }
    if challenge.len() != 43 || URL_SAFE_NO_PAD.decode(challenge).is_err() {
        return refuse(
            "invalid_request",
            "The code_challenge must be the base64url SHA-256 of the code verifier (43 characters).",
        );
    }
    let scope = match granted_scope(state, request.scope.as_deref()) {
        Ok(scope) => scope,
        Err(ApiError::OAuth { description, .. }) => return refuse("invalid_scope", &description),
        Err(_) => return refuse("invalid_scope", "The scope is not valid."),
    };
    let tenant = match tenant {
        Ok(tenant) => tenant,
        Err(ApiError::OAuth { description, .. }) => return refuse("invalid_request", &description),
        Err(_) => return refuse("invalid_request", "The tenant is not valid."),
    };
    if request.prompt.as_deref() == Some("none") {
        return refuse(
            "login_required",
            "There is no sign-in session: prompt=none cannot be answered; sign in without it.",
        );
    }
    Ok((target, scope, tenant))
}

/// The request carried through the sign-in form.
pub(crate) fn carried(request: &AuthorizeRequest) -> Vec<(&'static str, String)> {
    let fields = [
        ("client_id", &request.client_id),
        ("redirect_uri", &request.redirect_uri),
        ("response_type", &request.response_type),
        ("scope", &request.scope),
        ("state", &request.state),
        ("nonce", &request.nonce),
        ("response_mode", &request.response_mode),
        ("code_challenge", &request.code_challenge),
        ("code_challenge_method", &request.code_challenge_method),
    ];
    fields
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
        .collect()
}

fn authorize_path(tenant: Option<&str>) -> String {
    match tenant {
        Some(tenant) => format!("/{tenant}/oauth2/v2.0/authorize"),
        None => "/oauth2/v2.0/authorize".into(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn sign_in_page(
    state: &AppState,
    status: StatusCode,
    tenant: Option<&str>,
    tenant_id: Option<TenantId>,
    request: &AuthorizeRequest,
    username: &str,
    error: Option<&str>,
    notice: Option<&str>,
) -> Response {
    let csrf = opaque_secret();
    let action = authorize_path(tenant);
    let providers = federated_sign_in::buttons(state, tenant, tenant_id, request, username).await;
    pages::sign_in(
        status,
        SignInForm {
            title: "Sign in",
            action: &action,
            carried: carried(request),
            username,
            error,
            notice,
            providers,
            offer_deny: false,
            csrf_token: &csrf,
            secure_cookie: secure_cookies(state),
            // Shown only after `validate` accepted the redirect URI as one registered for the client.
            redirect_origin: request.redirect_uri.as_deref().map(PublicClient::origin_of),
        },
    )
}

async fn show_sign_in(
    state: &AppState,
    tenant: Option<&str>,
    request: AuthorizeRequest,
) -> Response {
    let resolved = tenant_constraint(state, tenant).await;
    let tenant_id = match validate(state, resolved, &request) {
        Ok((_, _, tenant_id)) => tenant_id,
        Err(page) => return *page,
    };
    let hint = request.login_hint.clone().unwrap_or_default();
    sign_in_page(
        state,
        StatusCode::OK,
        tenant,
        tenant_id,
        &request,
        &hint,
        None,
        None,
    )
    .await
}

/// What a page says for a refused password: the back-off's own words, or the one answer to every wrong sign-in.
fn refusal_on_page(error: ApiError) -> Result<(StatusCode, String), ApiError> {
    match error {
        ApiError::OAuth {
            error: "invalid_grant",
            ..
        } => Ok((StatusCode::BAD_REQUEST, BAD_CREDENTIALS.to_string())),
        ApiError::OAuthRetryLater {
            status,
            description,
            ..
        } => Ok((status, description)),
        other => Err(other),
    }
}

fn csrf_refused() -> Response {
    pages::message(
        StatusCode::BAD_REQUEST,
        "Sign-in failed",
        "The form is not valid any more (its security token is missing or does not match the cookie this page \
         set). Go back, reload the page and sign in again; cookies must be allowed for this site.",
    )
}

async fn submit_sign_in(
    state: &AppState,
    tenant: Option<&str>,
    headers: &HeaderMap,
    address: Option<IpAddr>,
    form: Result<Form<SignInSubmission>, FormRejection>,
) -> ApiResult<Response> {
    let Ok(Form(form)) = form else {
        return Ok(pages::message(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            "The sign-in form must be posted as application/x-www-form-urlencoded.",
        ));
    };
    let resolved = tenant_constraint(state, tenant).await;
    let (target, scope, tenant_id) = match validate(state, resolved, &form.request) {
        Ok(valid) => valid,
        Err(page) => return Ok(*page),
    };
    if !pages::csrf_matches(headers, form.csrf_token.as_deref()) {
        return Ok(csrf_refused());
    }
    let username = form.username.as_deref().unwrap_or_default().trim();
    let password = form.password.as_deref().unwrap_or_default();
    if !username.is_empty()
        && password.is_empty()
        && federated_sign_in::offered_for(state, tenant_id, username).await
    {
        // The first step of a sign-in at `organizations`: the name tells the organization, whose providers
        // are offered now, beside the password.
        return Ok(sign_in_page(
            state,
            StatusCode::OK,
            tenant,
            tenant_id,
            &form.request,
            username,
            None,
            Some("Sign in with your organization's provider, or enter your password."),
        )
        .await);
    }
    if username.is_empty() || password.is_empty() {
        return Ok(sign_in_page(
            state,
            StatusCode::BAD_REQUEST,
            tenant,
            tenant_id,
            &form.request,
            username,
            Some("Enter your user name and your password."),
            None,
        )
        .await);
    }
    let user = match check_password(state, username, password, tenant_id, address).await {
        Ok(user) => user,
        Err(error) => {
            let (status, text) = refusal_on_page(error)?;
            return Ok(sign_in_page(
                state,
                status,
                tenant,
                tenant_id,
                &form.request,
                username,
                Some(&text),
                None,
            )
            .await);
        }
    };
    issue_code(state, &target, &user, scope, &form.request).await
}

/// Ends a sign-in the person completed (with a password, or with a trusted provider): the service's
/// authorization code, for the request's client, redirect URI, scope, nonce and PKCE challenge, to the app.
pub(crate) async fn issue_code(
    state: &AppState,
    target: &Validated,
    user: &User,
    scope: String,
    request: &AuthorizeRequest,
) -> ApiResult<Response> {
    let code = opaque_secret();
    let lifetime = state.settings.grants.authorization_code_lifetime_seconds;
    state
        .store
        .insert_authorization_code(NewAuthorizationCode {
            digest: sha256_base64url(&code),
            client_id: target.client.client_id.to_string(),
            redirect_uri: target.redirect_uri.clone(),
            tenant_id: user.tenant_id,
            user_id: user.id,
            scope,
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone().unwrap_or_default(),
            expires_at: Utc::now() + Duration::seconds(lifetime as i64),
        })
        .await?;
    Ok(answer_app(target, vec![("code", code)]))
}

const SIGN_IN_PAGE: &str =
    "The sign-in page (HTML), or an error page (HTML, 400) for an unknown client or an \
                            unregistered redirect URI";
const TO_THE_APP: &str =
    "To the redirect URI: `code` and `state`, or `error`, `error_description` and `state`";

/// Sign in with a browser: the authorization endpoint (authorization code with PKCE S256).
#[utoipa::path(get, path = "/oauth2/v2.0/authorize", tag = "sign-in", params(AuthorizeRequest),
    responses(
        (status = 200, description = SIGN_IN_PAGE, content_type = "text/html"),
        (status = 302, description = TO_THE_APP),
        (status = 400, description = SIGN_IN_PAGE, content_type = "text/html"),
    ))]
pub async fn authorize(
    State(state): State<AppState>,
    Query(request): Query<AuthorizeRequest>,
) -> Response {
    show_sign_in(&state, None, request).await
}

/// Sign in with a browser at a tenant.
#[utoipa::path(get, path = "/{tenantId}/oauth2/v2.0/authorize", tag = "sign-in",
    params(("tenantId" = String, Path, description = "Tenant ID, `common` or `organizations`"), AuthorizeRequest),
    responses(
        (status = 200, description = SIGN_IN_PAGE, content_type = "text/html"),
        (status = 302, description = TO_THE_APP),
        (status = 400, description = SIGN_IN_PAGE, content_type = "text/html"),
    ))]
pub async fn tenant_authorize(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(request): Query<AuthorizeRequest>,
) -> Response {
    show_sign_in(&state, Some(&tenant), request).await
}

/// The sign-in form's submission.
#[utoipa::path(post, path = "/oauth2/v2.0/authorize", tag = "sign-in",
    request_body(content = SignInSubmission, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The `form_post` page (HTML), carrying `code` and `state` to the app", content_type = "text/html"),
        (status = 302, description = TO_THE_APP),
        (status = 400, description = "The sign-in page again with the error (wrong user name or password, missing or wrong CSRF token)", content_type = "text/html"),
        (status = 429, description = "Too many failed sign-ins: the page again with the wait", content_type = "text/html"),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Result<Form<SignInSubmission>, FormRejection>,
) -> ApiResult<Response> {
    submit_sign_in(&state, None, &headers, address, form).await
}

/// The sign-in form's submission at a tenant.
#[utoipa::path(post, path = "/{tenantId}/oauth2/v2.0/authorize", tag = "sign-in",
    params(("tenantId" = String, Path, description = "Tenant ID, `common` or `organizations`")),
    request_body(content = SignInSubmission, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The `form_post` page (HTML), carrying `code` and `state` to the app", content_type = "text/html"),
        (status = 302, description = TO_THE_APP),
        (status = 400, description = "The sign-in page again with the error (wrong user name or password, missing or wrong CSRF token)", content_type = "text/html"),
        (status = 429, description = "Too many failed sign-ins: the page again with the wait", content_type = "text/html"),
    ))]
pub async fn tenant_sign_in(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Result<Form<SignInSubmission>, FormRejection>,
) -> ApiResult<Response> {
    submit_sign_in(&state, Some(&tenant), &headers, address, form).await
}

// ---------------------------------------------------------------------------------------------------------------
// The device authorization grant.

async fn start_device_code(
    state: &AppState,
    tenant: Option<&str>,
    form: Result<Form<DeviceCodeRequest>, FormRejection>,
) -> ApiResult<Response> {
    let Form(form) = form.map_err(|rejection| {
        invalid_request(format!(
            "The device code request must be a form (application/x-www-form-urlencoded): {}",
            rejection.body_text()
        ))
    })?;
    let tenant_id = tenant_constraint(state, tenant).await?;
    let client_id = form
        .client_id
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| invalid_request("The parameter 'client_id' is required."))?;
    let client = public_client(client_id)
        .filter(PublicClient::allows_device_code)
        .ok_or_else(|| unauthorized_client(client_id))?;
    let scope = granted_scope(state, form.scope.as_deref())?;
    let lifetime = state.settings.grants.device_code_lifetime_seconds as i64;
    let device_code = opaque_secret();
    // Eight letters of sixteen: 2^32 codes, so a collision with a live one is rare; a few tries settle it.
    let mut tries = 0;
    let user_code = loop {
        let user_code = user_code_from(random_bytes::<8>());
        let stored = state
            .store
            .insert_device_code(NewDeviceCode {
                digest: sha256_base64url(&device_code),
                user_code: user_code.clone(),
                client_id: client.client_id.to_string(),
                tenant_id,
                scope: scope.clone(),
                interval_seconds: DEVICE_POLL_INTERVAL_SECONDS,
                expires_at: Utc::now() + Duration::seconds(lifetime),
            })
            .await;
        match stored {
            Ok(()) => break user_code,
            Err(StoreError::Conflict(_)) if tries < 3 => tries += 1,
            Err(other) => return Err(other.into()),
        }
    };
    let verification_uri = format!("{}/devicelogin", state.settings.public_url);
    let answer = DeviceCodeResponse {
        verification_uri_complete: format!("{verification_uri}?user_code={user_code}"),
        message: device_code_message(&verification_uri, &user_code),
        device_code,
        user_code,
        verification_uri,
        expires_in: lifetime,
        interval: DEVICE_POLL_INTERVAL_SECONDS,
    };
    let mut response = Json(answer).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Start a device code sign-in (RFC 8628).
#[utoipa::path(post, path = "/oauth2/v2.0/devicecode", tag = "sign-in",
    request_body(content = DeviceCodeRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = DeviceCodeResponse),
        (status = 400, description = "`invalid_request`, `unauthorized_client` (a client other than Microsoft's module), `invalid_scope`", body = OAuthErrorBody),
    ))]
pub async fn device_code(
    State(state): State<AppState>,
    form: Result<Form<DeviceCodeRequest>, FormRejection>,
) -> ApiResult<Response> {
    start_device_code(&state, None, form).await
}

/// Start a device code sign-in for a user of the tenant.
#[utoipa::path(post, path = "/{tenantId}/oauth2/v2.0/devicecode", tag = "sign-in",
    params(("tenantId" = String, Path, description = "Tenant ID, `common` or `organizations`")),
    request_body(content = DeviceCodeRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = DeviceCodeResponse),
        (status = 400, description = "`invalid_request`, `unauthorized_client` (a client other than Microsoft's module), `invalid_scope`", body = OAuthErrorBody),
    ))]
pub async fn tenant_device_code(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    form: Result<Form<DeviceCodeRequest>, FormRejection>,
) -> ApiResult<Response> {
    start_device_code(&state, Some(&tenant), form).await
}

const DEVICE_PATH: &str = "/devicelogin";

fn code_entry(state: &AppState, status: StatusCode, typed: &str, error: Option<&str>) -> Response {
    pages::device_code_entry(
        status,
        DEVICE_PATH,
        typed,
        error,
        &opaque_secret(),
        secure_cookies(state),
    )
}

fn device_sign_in(
    state: &AppState,
    status: StatusCode,
    user_code: &str,
    username: &str,
    error: Option<&str>,
) -> Response {
    let csrf = opaque_secret();
    pages::sign_in(
        status,
        SignInForm {
            title: "Sign in to your device",
            action: DEVICE_PATH,
            carried: vec![("user_code", user_code.to_string())],
            username,
            error,
            notice: None,
            // A device's sign-in is with a password only: its grant is polled, with no redirect to come back to.
            providers: Vec::new(),
            offer_deny: true,
            csrf_token: &csrf,
            secure_cookie: secure_cookies(state),
            redirect_origin: None,
        },
    )
}

/// The device code verification page: a form for the code the device shows.
#[utoipa::path(get, path = "/devicelogin", tag = "sign-in", params(DeviceLoginQuery),
    responses((status = 200, description = "The code entry page (HTML)", content_type = "text/html")))]
pub async fn device_login(
    State(state): State<AppState>,
    Query(query): Query<DeviceLoginQuery>,
) -> Response {
    code_entry(
        &state,
        StatusCode::OK,
        query.user_code.as_deref().unwrap_or_default(),
        None,
    )
}

/// The verification page's submission: the code, then the sign-in with Continue or Deny.
#[utoipa::path(post, path = "/devicelogin", tag = "sign-in",
    request_body(content = DeviceLoginSubmission, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The sign-in page for the code, or the page that says the device is signed in or denied (HTML)", content_type = "text/html"),
        (status = 400, description = "The page again with the error: unknown or expired code, wrong user name or password, missing or wrong CSRF token (HTML)", content_type = "text/html"),
        (status = 429, description = "Too many failed codes or sign-ins from this address: the page again with the wait (HTML)", content_type = "text/html"),
    ))]
pub async fn device_login_submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Result<Form<DeviceLoginSubmission>, FormRejection>,
) -> ApiResult<Response> {
    let state = &state;
    let Ok(Form(form)) = form else {
        return Ok(code_entry(
            state,
            StatusCode::BAD_REQUEST,
            "",
            Some("The form must be posted as application/x-www-form-urlencoded."),
        ));
    };
    if !pages::csrf_matches(&headers, form.csrf_token.as_deref()) {
        return Ok(csrf_refused());
    }
    let typed = form.user_code.as_deref().unwrap_or_default().trim();
    // A wrong code counts as a failed sign-in of its address (and of that code), so codes cannot be guessed at
    // any faster than passwords.
    let attempt = match begin_attempt(state, Signer::App(typed), address, "invalid_grant").await {
        Ok(attempt) => attempt,
        Err(error) => {
            let (status, text) = refusal_on_page(error)?;
            return Ok(code_entry(state, status, typed, Some(&text)));
        }
    };
    let found = match normalize_user_code(typed) {
        Some(code) => state.store.pending_device_code(&code, Utc::now()).await?,
        None => None,
    };
    let Some(device) = found else {
        return Ok(code_entry(
            state,
            StatusCode::BAD_REQUEST,
            typed,
            Some(
                "That code is not valid, or it expired or was used already. Check the code your device shows \
                 (eight letters, like BCDF-GHJK) and enter it again.",
            ),
        ));
    };
    state.sign_ins.succeeded(attempt);
    let user_code = device.user_code.clone();
    if form.decision.as_deref() == Some("deny") {
        state
            .store
            .decide_device_code(&user_code, DeviceDecision::Deny)
            .await?;
        return Ok(pages::message(
            StatusCode::OK,
            "Sign-in declined",
            "You declined to sign in to the application on your device. You can close this window.",
        ));
    }
    let Some(username) = form.username.as_deref().map(str::trim) else {
        return Ok(device_sign_in(state, StatusCode::OK, &user_code, "", None));
    };
    let password = form.password.as_deref().unwrap_or_default();
    if username.is_empty() || password.is_empty() {
        return Ok(device_sign_in(
            state,
            StatusCode::BAD_REQUEST,
            &user_code,
            username,
            Some("Enter your user name and your password."),
        ));
    }
    let user = match check_password(state, username, password, device.tenant_id, address).await {
        Ok(user) => user,
        Err(error) => {
            let (status, text) = refusal_on_page(error)?;
            return Ok(device_sign_in(
                state,
                status,
                &user_code,
                username,
                Some(&text),
            ));
        }
    };
    let approved = state
        .store
        .decide_device_code(&user_code, DeviceDecision::Approve(user.tenant_id, user.id))
        .await?;
    if !approved {
        return Ok(code_entry(
            state,
            StatusCode::BAD_REQUEST,
            "",
            Some(
                "That code expired or was used meanwhile. Start the sign-in on your device again.",
            ),
        ));
    }
    Ok(pages::message(
        StatusCode::OK,
        "You're signed in",
        &format!(
            "You have signed in as {} to the application on your device. You can close this window.",
            user.upn
        ),
    ))
}

// ---------------------------------------------------------------------------------------------------------------
// The token endpoint's grants for people.

/// Where the refresh token of an answer comes from.
enum RefreshFamily {
    /// A new sign-in: a new family, begun by this authorization code (its digest), if any.
    Begin { authorization_code: Option<String> },
    /// A refresh: the presented token (its digest) is spent, and its successor joins its family.
    Rotate { old_digest: String, family_id: Uuid },
}

/// The answer to a user's sign-in: the access token, and the refresh token, ID token and client info as asked.
async fn user_tokens(
    state: &AppState,
    form: &TokenRequest,
    user: User,
    client_id: &str,
    scope: &str,
    nonce: Option<&str>,
    family: RefreshFamily,
) -> ApiResult<TokenResponse> {
    let now = unix_now();
    let tenant_id = user.tenant_id;
    let user_id = user.id;
    let subject = user_subject(user, Some(client_id.to_string()));
    let refresh = if scope_has(scope, OFFLINE_ACCESS) {
        let token = opaque_secret();
        let days = state.settings.grants.refresh_token_lifetime_days as i64;
        let (family_id, authorization_code) = match &family {
            RefreshFamily::Begin { authorization_code } => {
                (Uuid::new_v4(), authorization_code.clone())
            }
            RefreshFamily::Rotate { family_id, .. } => (*family_id, None),
        };
        let new = NewRefreshToken {
            digest: sha256_base64url(&token),
            family_id,
            client_id: client_id.to_string(),
            tenant_id,
            user_id,
            scope: scope.to_string(),
            authorization_code,
            expires_at: Utc::now() + Duration::days(days),
        };
        match &family {
            RefreshFamily::Rotate { old_digest, .. } => {
                let rotation = state.store.rotate_refresh_token(old_digest, new).await?;
                if rotation == Rotation::FamilyRevoked {
                    return Err(reused_refresh_token());
                }
            }
            RefreshFamily::Begin { .. } => state.store.insert_refresh_token(new).await?,
        }
        Some(token)
    } else {
        None
    };
    let id_token = if scope_has(scope, OPENID) {
        state.issuer.issue_id_token(&subject, client_id, nonce, now)
    } else {
        None
    };
    let client_info = (form.client_info.as_deref() == Some("1")).then(|| {
        URL_SAFE_NO_PAD.encode(
            serde_json::json!({"uid": user_id.to_string(), "utid": tenant_id.to_string()})
                .to_string(),
        )
    });
    Ok(TokenResponse {
        token_type: "Bearer",
        access_token: state.issuer.issue(&subject, now),
        expires_in: state.issuer.lifetime_seconds,
        ext_expires_in: state.issuer.lifetime_seconds,
        scope: resource_scope(state),
        refresh_token: refresh,
        id_token,
        client_info,
    })
}

fn reused_refresh_token() -> ApiError {
    oauth(
        "invalid_grant",
        "The refresh token was used already, or revoked: every refresh token of this sign-in is revoked now. Sign \
         in again.",
    )
}

fn public_client_of(form: &TokenRequest, grant: &str) -> ApiResult<PublicClient> {
    let client_id = required(&form.client_id, "client_id", grant)?;
    public_client(client_id).ok_or_else(|| unauthorized_client(client_id))
}

/// The user a grant was given to, if the account still may sign in.
async fn live_user(
    state: &AppState,
    tenant_id: TenantId,
    user_id: mscommerce_domain::UserId,
) -> ApiResult<User> {
    match state.store.user(tenant_id, user_id).await? {
        Some(user) if user.account_enabled => Ok(user),
        _ => Err(oauth(
            "invalid_grant",
            "The account this grant was given to is disabled or deleted.",
        )),
    }
}

/// `grant_type=authorization_code`.
pub(crate) async fn authorization_code_grant(
    state: &AppState,
    form: &TokenRequest,
    tenant: Option<TenantId>,
) -> ApiResult<TokenResponse> {
    const GRANT: &str = "authorization_code";
    let code = required(&form.code, "code", GRANT)?;
    let redirect_uri = required(&form.redirect_uri, "redirect_uri", GRANT)?;
    let verifier = required(&form.code_verifier, "code_verifier", GRANT)?;
    let client = public_client_of(form, GRANT)?;
    let digest = sha256_base64url(code);
    let stored = match state.store.redeem_authorization_code(&digest).await? {
        CodeRedemption::Redeemed(stored) => stored,
        CodeRedemption::AlreadyUsed => {
            return Err(oauth(
                "invalid_grant",
                "The authorization code was used already: a code is redeemed once, and the tokens issued from \
                 it are revoked now.",
            ))
        }
        CodeRedemption::Unknown => {
            return Err(oauth(
                "invalid_grant",
                "The authorization code is not valid.",
            ))
        }
    };
    if expired(stored.expires_at) {
        return Err(oauth(
            "invalid_grant",
            "The authorization code expired: sign in again.",
        ));
    }
    if stored.client_id != client.client_id
        || stored.redirect_uri != redirect_uri
        || tenant.is_some_and(|t| t != stored.tenant_id)
    {
        return Err(oauth(
            "invalid_grant",
            "The authorization code was issued to another client, redirect URI or tenant.",
        ));
    }
    if !pkce_matches(verifier, &stored.code_challenge) {
        return Err(oauth(
            "invalid_grant",
            "The code_verifier does not match the code_challenge of the authorization request (PKCE S256).",
        ));
    }
    let user = live_user(state, stored.tenant_id, stored.user_id).await?;
    user_tokens(
        state,
        form,
        user,
        client.client_id,
        &stored.scope,
        stored.nonce.as_deref(),
        RefreshFamily::Begin {
            authorization_code: Some(digest),
        },
    )
    .await
}

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code`.
pub(crate) async fn device_code_grant(
    state: &AppState,
    form: &TokenRequest,
    tenant: Option<TenantId>,
) -> ApiResult<TokenResponse> {
    const GRANT: &str = "device_code";
    let device_code = required(&form.device_code, "device_code", GRANT)?;
    let client = public_client_of(form, GRANT)?;
    let digest = sha256_base64url(device_code);
    let now = Utc::now();
    let device = state
        .store
        .poll_device_code(&digest, now)
        .await?
        .filter(|d| d.client_id == client.client_id)
        .ok_or_else(|| oauth("invalid_grant", "The device code is not valid."))?;
    // Polled at a tenant, the code must be that tenant's (a code asked for at `common` has its user's tenant once
    // approved).
    if tenant.is_some_and(|t| device.tenant_id.is_some_and(|own| own != t)) {
        return Err(oauth(
            "invalid_grant",
            "The device code was issued for another tenant.",
        ));
    }
    let answer = judge_poll(
        device.status,
        device.expires_at.timestamp(),
        device.last_polled_at.map(|t| t.timestamp()),
        device.interval_seconds,
        now.timestamp(),
    );
    match answer {
        PollAnswer::Issue => {}
        PollAnswer::AuthorizationPending => {
            return Err(oauth(
                "authorization_pending",
                "The person has not finished signing in on the verification page yet; poll again after the \
                 interval.",
            ))
        }
        PollAnswer::SlowDown => {
            state
                .store
                .slow_down_device_code(&digest, SLOW_DOWN_STEP_SECONDS)
                .await?;
            return Err(oauth(
                "slow_down",
                format!(
                    "Polled sooner than the interval: wait {} seconds between polls from now on.",
                    device.interval_seconds + SLOW_DOWN_STEP_SECONDS
                ),
            ));
        }
        PollAnswer::ExpiredToken => {
            return Err(oauth(
                "expired_token",
                "The device code expired before anyone signed in: start again.",
            ))
        }
        PollAnswer::AccessDenied => {
            return Err(oauth(
                "access_denied",
                "The person declined the sign-in on the verification page.",
            ))
        }
        PollAnswer::Spent => {
            return Err(oauth(
                "invalid_grant",
                "The device code was redeemed already.",
            ))
        }
    }
    let (Some(user_id), true) = (
        device.user_id,
        state.store.redeem_device_code(&digest).await?,
    ) else {
        return Err(oauth(
            "invalid_grant",
            "The device code was redeemed already.",
        ));
    };
    // Approval recorded the user's tenant where the device asked at `common`.
    let tenant_id = device
        .tenant_id
        .ok_or_else(|| oauth("invalid_grant", "The device code is not valid."))?;
    let user = live_user(state, tenant_id, user_id).await?;
    user_tokens(
        state,
        form,
        user,
        client.client_id,
        &device.scope,
        None,
        RefreshFamily::Begin {
            authorization_code: None,
        },
    )
    .await
}

/// `grant_type=refresh_token`: rotated on every use.
pub(crate) async fn refresh_token_grant(
    state: &AppState,
    form: &TokenRequest,
    tenant: Option<TenantId>,
) -> ApiResult<TokenResponse> {
    const GRANT: &str = "refresh_token";
    let token = required(&form.refresh_token, "refresh_token", GRANT)?;
    let client = public_client_of(form, GRANT)?;
    let stored = state
        .store
        .refresh_token(&sha256_base64url(token))
        .await?
        .filter(|t| t.client_id == client.client_id)
        .ok_or_else(|| oauth("invalid_grant", "The refresh token is not valid."))?;
    if stored.revoked_at.is_some() {
        return Err(oauth(
            "invalid_grant",
            "The refresh token was revoked (signed out, the account disabled, or its password changed): sign in \
             again.",
        ));
    }
    if expired(stored.expires_at) {
        return Err(oauth(
            "invalid_grant",
            "The refresh token expired: sign in again.",
        ));
    }
    let scope = match form.scope.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(asked) => {
            let asked = granted_scope(state, Some(asked))?;
            if !scope_within(&asked, &stored.scope) {
                return Err(oauth(
                    "invalid_scope",
                    format!(
                        "A refresh token answers at most the scope it was issued for: '{}'.",
                        stored.scope
                    ),
                ));
            }
            asked
        }
        None => stored.scope.clone(),
    };
    let user = live_user(state, stored.tenant_id, stored.user_id).await?;
    // At another tenant's endpoint, a partner's user gets an access token for that customer, while a delegated
    // admin relationship allows: decided before the refresh token rotates, so that a refusal spends nothing.
    let for_customer = match tenant {
        Some(customer) if customer != stored.tenant_id => Some(
            delegation::for_customer(
                state,
                user_subject(user.clone(), Some(client.client_id.to_string())),
                customer,
                true,
            )
            .await?,
        ),
        _ => None,
    };
    // The new token keeps its family's scope, so that a narrowed request does not narrow later ones.
    let mut response = user_tokens(
        state,
        form,
        user,
        client.client_id,
        &stored.scope,
        None,
        RefreshFamily::Rotate {
            old_digest: stored.digest.clone(),
            family_id: stored.family_id,
        },
    )
    .await?;
    if !scope_has(&scope, OPENID) {
        response.id_token = None;
    }
    if let Some(access_token) = for_customer {
        response.access_token = access_token;
    }
    Ok(response)
}

// ---------------------------------------------------------------------------------------------------------------
// Sign-out.

async fn revoke_token(
    state: &AppState,
    form: Result<Form<RevokeRequest>, FormRejection>,
) -> ApiResult<Response> {
    let Form(form) = form.map_err(|rejection| {
        invalid_request(format!(
            "The revocation request must be a form (application/x-www-form-urlencoded): {}",
            rejection.body_text()
        ))
    })?;
    let token = form
        .token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid_request("The parameter 'token' is required."))?;
    let digest = sha256_base64url(token);
    // A token of another client is left alone, and answered like an unknown one (RFC 7009 section 2.2).
    let of_client = match (state.store.refresh_token(&digest).await?, &form.client_id) {
        (Some(stored), Some(client_id)) => stored.client_id.eq_ignore_ascii_case(client_id),
        (Some(_), None) => true,
        (None, _) => false,
    };
    if of_client {
        state.store.revoke_refresh_family(&digest).await?;
    }
    Ok(StatusCode::OK.into_response())
}

/// Sign out: revoke a refresh token and every token of its sign-in (RFC 7009).
#[utoipa::path(post, path = "/oauth2/v2.0/revoke", tag = "sign-in",
    request_body(content = RevokeRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Revoked, or not a token of this service (empty body either way)"),
        (status = 400, body = OAuthErrorBody),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    form: Result<Form<RevokeRequest>, FormRejection>,
) -> ApiResult<Response> {
    revoke_token(&state, form).await
}

/// Sign out at a tenant.
#[utoipa::path(post, path = "/{tenantId}/oauth2/v2.0/revoke", tag = "sign-in",
    params(("tenantId" = String, Path, description = "Tenant ID, `common` or `organizations`")),
    request_body(content = RevokeRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Revoked, or not a token of this service (empty body either way)"),
        (status = 400, body = OAuthErrorBody),
    ))]
pub async fn tenant_revoke(
    State(state): State<AppState>,
    Path(_tenant): Path<String>,
    form: Result<Form<RevokeRequest>, FormRejection>,
) -> ApiResult<Response> {
    revoke_token(&state, form).await
}

fn end_session(query: LogoutQuery) -> Response {
    let module = public_client(grants::MSCOMMERCE_MODULE_CLIENT_ID).expect("the built-in client");
    if let Some(uri) = query
        .post_logout_redirect_uri
        .filter(|uri| module.allows_redirect(uri, ""))
    {
        let target = Validated {
            client: module,
            redirect_uri: uri,
            form_post: false,
            state: query.state,
        };
        return answer_app(&target, Vec::new());
    }
    pages::message(
        StatusCode::OK,
        "You have signed out",
        "You have signed out. There is no sign-in session to end here: apps sign out by revoking their refresh \
         token. You can close this window.",
    )
}

const SIGNED_OUT: &str = "The page that says you have signed out (HTML)";

/// The OpenID Connect end-session endpoint.
#[utoipa::path(get, path = "/oauth2/v2.0/logout", tag = "sign-in", params(LogoutQuery),
    responses(
        (status = 200, description = SIGNED_OUT, content_type = "text/html"),
        (status = 302, description = "To `post_logout_redirect_uri` with `state`, when it is registered"),
    ))]
pub async fn logout(Query(query): Query<LogoutQuery>) -> Response {
    end_session(query)
}

/// The OpenID Connect end-session endpoint at a tenant.
#[utoipa::path(get, path = "/{tenantId}/oauth2/v2.0/logout", tag = "sign-in",
    params(("tenantId" = String, Path, description = "Tenant ID, `common` or `organizations`"), LogoutQuery),
    responses(
        (status = 200, description = SIGNED_OUT, content_type = "text/html"),
        (status = 302, description = "To `post_logout_redirect_uri` with `state`, when it is registered"),
    ))]
pub async fn tenant_logout(
    Path(_tenant): Path<String>,
    Query(query): Query<LogoutQuery>,
) -> Response {
    end_session(query)
}
