//! People signing in on the built-in page with a provider their organization trusts: the service as the
//! provider's OpenID Connect relying party (authorization code with PKCE S256, `state`, `nonce`), ending as a
//! password sign-in ends, with the service's own authorization code for the app's original request.
//!
//! The page links each of the organization's providers that has a sign-in set (`buttons`); the link starts the
//! sign-in (`start`): the app's request is checked as the authorization endpoint checks it, and it travels,
//! with the provider's trust, the state, the nonce and the PKCE verifier, in the pending sign-in cookie that
//! `relying_party::PendingSigner` signs with a key derived from the key encryption key (so every replica that
//! shares the KEK finishes the sign-ins of the others). The provider answers at one fixed callback
//! (`finish`): the cookie is opened and cleared, the state compared, the code redeemed with the verifier and
//! the trust's client secret (unsealed with the KEK), the ID token held to the trust's issuer, the service's
//! client ID as audience, the issuer's keys, its expiry and the nonce, and the person mapped by the trust's
//! claim mapping exactly as the provider's access tokens are (`crate::federation`). Every refusal is a page that
//! says what happened and what to do: the app's redirect URI is only answered once the sign-in succeeded.

use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mscommerce_auth::external::CodeRedemption;
use mscommerce_auth::relying_party::{
    open_client_secret, seal_client_secret, Outbound, PendingSigner, PENDING_KEY_LABEL,
    PENDING_LIFETIME_SECONDS,
};
use mscommerce_auth::{KeyEncryptionKey, SealError};
use mscommerce_domain::TenantId;
use mscommerce_store::TrustedIssuer;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;
use crate::handlers::grants::{issue_code, secure_cookies, validate};
use crate::middleware::CorrelationId;
use crate::pages;
use crate::state::AppState;
use crate::tenants::tenant_constraint;
use crate::views::grants::{AuthorizeRequest, FederatedCallbackQuery, FederatedSignInQuery};

/// The path of the link that starts a sign-in with a provider.
pub const START_PATH: &str = "/federation/signin";
/// The one redirect URI registered at every provider: `{public_url}/federation/callback`.
pub const CALLBACK_PATH: &str = "/federation/callback";
/// The cookie that carries the pending sign-in, sent to the callback only.
const PENDING_COOKIE: &str = "mscommerce_federation";

/// What seals the providers' client secrets and signs the pending sign-ins: the key encryption key.
pub struct RelyingParty {
    kek: Arc<KeyEncryptionKey>,
    pending: PendingSigner,
}

impl RelyingParty {
    pub fn new(kek: Arc<KeyEncryptionKey>) -> RelyingParty {
        let pending = PendingSigner::new(&kek.derive(PENDING_KEY_LABEL));
        RelyingParty { kek, pending }
    }

    /// A client secret as the store keeps it for the trust `trust_id`.
    pub fn seal_client_secret(&self, trust_id: Uuid, secret: &str) -> Result<String, SealError> {
        seal_client_secret(&self.kek, &trust_id.to_string(), secret)
    }

    fn client_secret(&self, trust: &TrustedIssuer) -> Result<Option<String>, SealError> {
        trust
            .sign_in
            .as_ref()
            .and_then(|s| s.sealed_client_secret.as_deref())
            .map(|sealed| open_client_secret(&self.kek, &trust.id.to_string(), sealed))
            .transpose()
    }
}

/// A sign-in under way at a provider: the app's request it continues and the values the callback checks.
#[derive(Serialize, Deserialize)]
struct PendingSignIn {
    trust_id: Uuid,
    /// The authorization endpoint's tenant path segment, as the app named it.
    tenant: Option<String>,
    request: AuthorizeRequest,
    state: String,
    nonce: String,
    code_verifier: String,
}

fn callback_uri(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.settings.public_url)
}

/// The organization a sign-in name belongs to: that of its domain, when an organization here has it.
async fn tenant_of_name(state: &AppState, username: &str) -> Option<TenantId> {
    let (_, domain) = username.trim().rsplit_once('@')?;
    state
        .store
        .tenant_by_domain(&domain.to_ascii_lowercase())
        .await
        .ok()
        .flatten()
}

/// The organization whose providers the page offers: the one the path names, else the one of the name typed.
async fn organization(
    state: &AppState,
    tenant_id: Option<TenantId>,
    username: &str,
) -> Option<TenantId> {
    match tenant_id {
        Some(tenant) => Some(tenant),
        None => tenant_of_name(state, username).await,
    }
}

async fn offered(state: &AppState, tenant: TenantId) -> Vec<Arc<TrustedIssuer>> {
    match state.federation.sign_in_trusts(&*state.store, tenant).await {
        Ok(trusts) => trusts,
        Err(error) => {
            // The page still offers the password: a store that cannot list the trusts must not stop that.
            tracing::warn!(error = ?error, "the trusted providers could not be read for the sign-in page");
            Vec::new()
        }
    }
}

/// Whether the organization of the page, or of the name typed, offers a provider's sign-in.
pub(crate) async fn offered_for(
    state: &AppState,
    tenant_id: Option<TenantId>,
    username: &str,
) -> bool {
    match organization(state, tenant_id, username).await {
        Some(tenant) => !offered(state, tenant).await.is_empty(),
        None => false,
    }
}

/// The sign-in page's "Sign in with ..." buttons: (text, link), one per provider of the organization with a
/// sign-in set, each link carrying the app's request.
pub(crate) async fn buttons(
    state: &AppState,
    tenant: Option<&str>,
    tenant_id: Option<TenantId>,
    request: &AuthorizeRequest,
    username: &str,
) -> Vec<(String, String)> {
    let Some(organization) = organization(state, tenant_id, username).await else {
        return Vec::new();
    };
    let mut carried = crate::handlers::grants::carried(request);
    if let Some(tenant) = tenant {
        carried.push(("tenant", tenant.to_string()));
    }
    if !username.is_empty() {
        carried.push(("login_hint", username.to_string()));
    }
    offered(state, organization)
        .await
        .iter()
        .filter_map(|trust| {
            let button = trust.sign_in.as_ref()?.button.clone();
            let mut query = vec![("issuer_id", trust.id.to_string())];
            query.extend(carried.iter().cloned());
            let query = serde_urlencoded::to_string(&query).ok()?;
            Some((button, format!("{START_PATH}?{query}")))
        })
        .collect()
}

fn refused(status: StatusCode, text: &str) -> Response {
    pages::message(status, "Sign-in failed", text)
}

/// Starts a sign-in with a provider: checks the app's request, then sends the person to the provider's
/// authorization endpoint with the pending sign-in in a cookie.
pub(crate) async fn start(state: &AppState, query: FederatedSignInQuery) -> Response {
    let FederatedSignInQuery {
        issuer_id,
        tenant,
        request,
    } = query;
    let resolved = tenant_constraint(state, tenant.as_deref()).await;
    let tenant_id = match validate(state, resolved, &request) {
        Ok((_, _, tenant_id)) => tenant_id,
        Err(page) => return *page,
    };
    let unknown = || {
        refused(
            StatusCode::BAD_REQUEST,
            "This organization offers no sign-in with that provider (it may have been removed): go back to the \
             sign-in page and choose again.",
        )
    };
    let Some(trust_id) = issuer_id.as_deref().and_then(|id| Uuid::parse_str(id).ok()) else {
        return unknown();
    };
    let trust = match state.federation.trust(&*state.store, trust_id).await {
        Ok(Some(trust)) => trust,
        Ok(None) => return unknown(),
        Err(error) => return error.into_response(),
    };
    let Some(sign_in) = trust.sign_in.as_ref() else {
        return unknown();
    };
    if tenant_id.is_some_and(|t| t != trust.tenant_id) {
        return unknown();
    }
    let endpoints = match state.federation.keys().endpoints(&trust.issuer).await {
        Ok(endpoints) => endpoints,
        Err(reason) => {
            return refused(
                StatusCode::BAD_GATEWAY,
                &format!(
                    "{} cannot be used to sign in right now: {reason}. Try again later, or sign in with your \
                     password.",
                    sign_in.button
                ),
            )
        }
    };
    let outbound = Outbound::new();
    let location = outbound.authorization_url(
        &endpoints.authorization_endpoint,
        &sign_in.client_id,
        &callback_uri(state),
        request.login_hint.as_deref(),
    );
    let pending = PendingSignIn {
        trust_id: trust.id,
        tenant,
        request,
        state: outbound.state,
        nonce: outbound.nonce,
        code_verifier: outbound.code_verifier,
    };
    let sealed = state.relying_party.pending.seal(&pending);
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    set_pending_cookie(state, &mut response, &sealed, PENDING_LIFETIME_SECONDS);
    response
}

/// The pending sign-in's cookie: sent back on the provider's redirect (a top-level navigation from another site,
/// hence `SameSite=Lax`), to the callback only.
fn set_pending_cookie(state: &AppState, response: &mut Response, value: &str, max_age: i64) {
    let secure = if secure_cookies(state) {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{PENDING_COOKIE}={value}; Max-Age={max_age}; Path={CALLBACK_PATH}; HttpOnly; SameSite=Lax{secure}"
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The provider's answer: the sign-in ends with the service's code to the app, or with a page that says why not.
/// The pending sign-in's cookie is cleared either way: a callback is answered once.
pub(crate) async fn finish(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    query: FederatedCallbackQuery,
    correlation_id: &CorrelationId,
) -> Response {
    let mut response = match complete(state, headers, query, correlation_id).await {
        Ok(response) => response,
        Err(page) => *page,
    };
    set_pending_cookie(state, &mut response, "", 0);
    response
}

async fn complete(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    query: FederatedCallbackQuery,
    correlation_id: &CorrelationId,
) -> Result<Response, Box<Response>> {
    let page = |status: StatusCode, text: String| Box::new(refused(status, &text));
    let cookie = pages::cookie(headers, PENDING_COOKIE);
    let pending: PendingSignIn = state
        .relying_party
        .pending
        .open(cookie.as_deref())
        .map_err(|e| {
            page(
                StatusCode::BAD_REQUEST,
                format!("The sign-in cannot go on: {e}."),
            )
        })?;
    let given_state = query.state.as_deref().unwrap_or_default();
    if !constant_time_eq(given_state.as_bytes(), pending.state.as_bytes()) {
        return Err(page(
            StatusCode::BAD_REQUEST,
            "The provider's answer is not for the sign-in this browser started (its state does not match): \
             start again from the app."
                .into(),
        ));
    }
    let trust = state
        .federation
        .trust(&*state.store, pending.trust_id)
        .await
        .map_err(|e| Box::new(e.into_response()))?
        .filter(|t| t.sign_in.is_some())
        .ok_or_else(|| {
            page(
                StatusCode::BAD_REQUEST,
                "The organization stopped offering this provider's sign-in while you were signing in: start \
                 again from the app."
                    .into(),
            )
        })?;
    let sign_in = trust.sign_in.as_ref().expect("filtered on a sign-in");
    if let Some(error) = query.error.as_deref() {
        return Err(page(
            StatusCode::BAD_REQUEST,
            format!(
                "{} did not sign you in ({error}{}{}). Start again from the app, or sign in with your password.",
                sign_in.button,
                if query.error_description.is_some() { ": " } else { "" },
                query.error_description.as_deref().unwrap_or_default()
            ),
        ));
    }
    let Some(code) = query.code.as_deref().filter(|c| !c.is_empty()) else {
        return Err(page(
            StatusCode::BAD_REQUEST,
            format!(
                "{} answered neither a code nor an error: start again from the app.",
                sign_in.button
            ),
        ));
    };
    // The app's request, checked again as when the sign-in started: the tenant may have been deleted meanwhile.
    let resolved = tenant_constraint(state, pending.tenant.as_deref()).await;
    let (target, scope, tenant_id) = validate(state, resolved, &pending.request)?;
    let unavailable = |reason: String| {
        page(
            StatusCode::BAD_GATEWAY,
            format!(
                "{} could not complete the sign-in: {reason}. Start again from the app, or sign in with your \
                 password.",
                sign_in.button
            ),
        )
    };
    let keys = state.federation.keys();
    let endpoints = keys.endpoints(&trust.issuer).await.map_err(unavailable)?;
    let client_secret = state.relying_party.client_secret(&trust).map_err(|e| {
        tracing::error!(trust = %trust.id, error = %e, "a trusted issuer's client secret does not open");
        page(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The sign-in with {} is not set up correctly here (its client secret cannot be read with this \
                 service's key encryption key): ask your administrator to set it again.",
                sign_in.button
            ),
        )
    })?;
    let redirect_uri = callback_uri(state);
    let id_token = keys
        .redeem_code(
            &endpoints.token_endpoint,
            CodeRedemption {
                code,
                redirect_uri: &redirect_uri,
                client_id: &sign_in.client_id,
                client_secret: client_secret.as_deref(),
                code_verifier: &pending.code_verifier,
            },
        )
        .await
        .map_err(unavailable)?;
    let claims = keys
        .verify_id_token(&id_token, &trust.issuer, &sign_in.client_id, &pending.nonce)
        .await
        .map_err(|e| {
            page(
                StatusCode::BAD_REQUEST,
                format!(
                    "The ID token {} answered is refused: {e}. Start again from the app.",
                    sign_in.button
                ),
            )
        })?;
    let user = state
        .federation
        .signed_in_person(
            &trust,
            &claims,
            &*state.store,
            &state.directory,
            correlation_id,
        )
        .await
        .map_err(|e| match e {
            ApiError::Unauthorized(reason) => page(
                StatusCode::BAD_REQUEST,
                format!("You cannot sign in here with this account: {reason}."),
            ),
            other => Box::new(other.into_response()),
        })?;
    if !user.account_enabled || tenant_id.is_some_and(|t| t != user.tenant_id) {
        return Err(page(
            StatusCode::FORBIDDEN,
            format!(
                "The account {} is disabled here, or not of the organization the app asked for: ask your \
                 administrator.",
                user.upn
            ),
        ));
    }
    tracing::info!(trust = %trust.id, user = %user.id.as_uuid(), "signed in with a trusted provider");
    issue_code(state, &target, &user, scope, &pending.request)
        .await
        .map_err(|e| Box::new(e.into_response()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
