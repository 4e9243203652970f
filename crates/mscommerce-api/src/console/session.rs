//! Signing in to the console, and the session that follows.
//!
//! The console is a client of the built-in issuer like any other app: it sends the person to the authorization
//! endpoint (authorization code with PKCE, the sign-in page every app uses), and redeems the code it gets back with
//! the same grant the token endpoint runs. The session is the access token itself, in a cookie the page's script
//! cannot read (`HttpOnly`), that other sites' requests do not carry when they post (`SameSite=Lax`), sent only over
//! HTTPS when the service is (`Secure`), and limited to `/console`. It is checked on every request like a bearer
//! token, against the person's current state, so that a disabled account or a lost role counts at once. When it
//! expires, the refresh token (its own cookie) renews it without a new sign-in, for at most
//! [`SESSION_HOURS`]; signing out revokes that refresh token and its family.
//!
//! Forms carry a CSRF token equal to a cookie of the console's own (double submit), checked before anything runs.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use mscommerce_auth::{opaque_secret, sha256_base64url};
use mscommerce_domain::grants::{CONSOLE_CLIENT_ID, CONSOLE_REDIRECT_PATH};
use mscommerce_domain::{Operation, PrincipalKind};
use serde::Deserialize;

use super::layout::{self, Page};
use super::{ConsoleForm, ConsoleQuery};
use crate::error::ApiError;
use crate::extract::Caller;
use crate::handlers::grants::{authorization_code_grant, refresh_token_grant};
use crate::pages::cookie;
use crate::state::AppState;
use crate::views::token::{TokenRequest, TokenResponse};

/// The access token of the session.
const SESSION_COOKIE: &str = "mscommerce_console";
/// The refresh token that renews it.
const REFRESH_COOKIE: &str = "mscommerce_console_refresh";
/// The state and PKCE verifier of a sign-in under way.
const FLOW_COOKIE: &str = "mscommerce_console_flow";
/// The CSRF token of the console's forms.
const CSRF_COOKIE: &str = "mscommerce_console_csrf";
pub(crate) const CSRF_FIELD: &str = "csrf_token";

/// How long a console session lasts at most, renewals included: a working day. Then the person signs in again.
pub(crate) const SESSION_HOURS: i64 = 8;

/// How long a sign-in may take from the console's redirect to its callback.
const FLOW_SECONDS: i64 = 600;

fn secure(state: &AppState) -> bool {
    state.settings.public_url.starts_with("https://")
}

/// A `Set-Cookie` value of the console: `HttpOnly`, `SameSite`, under `/console`, `Secure` over HTTPS.
fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64, same_site: &str) -> String {
    let secure = if secure(state) { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path=/console; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
    )
}

fn add_cookie(response: &mut Response, value: String) {
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A path inside the console to come back to after signing in: never another site, never a scheme-relative URL.
fn return_path(asked: Option<&str>) -> String {
    match asked {
        Some(path)
            if super::is_console(path.split(['?', '#']).next().unwrap_or_default())
                && !path.contains("//")
                && !path.contains('\\')
                && path.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            path.to_string()
        }
        _ => super::PREFIX.to_string(),
    }
}

/// The signed-in person of a console request, with the CSRF token its page's forms carry.
pub(crate) struct Session {
    pub caller: Caller,
    pub csrf: String,
    /// The CSRF cookie is new: the page sets it.
    new_csrf: bool,
    /// The service is reached over HTTPS: cookies are `Secure`.
    secure: bool,
}

impl Session {
    /// Whether the person may do `operation` (what decides which controls a page shows; the handlers decide
    /// again when the control is used).
    pub(crate) fn may(&self, operation: Operation) -> bool {
        self.caller.principal.may(operation)
    }

    pub(crate) fn name(&self) -> &str {
        match &self.caller.principal.kind {
            PrincipalKind::User { display_name, .. } if !display_name.is_empty() => display_name,
            _ => self.caller.principal.display_name(),
        }
    }

    /// Adds the CSRF cookie to a page's response when the session has none yet.
    pub(crate) fn finish(&self, mut response: Response) -> Response {
        if self.new_csrf {
            let secure = if self.secure { "; Secure" } else { "" };
            add_cookie(
                &mut response,
                format!(
                    "{CSRF_COOKIE}={}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                    self.csrf,
                    SESSION_HOURS * 3600
                ),
            );
        }
        response
    }

    /// The refusal of a form whose CSRF token is not the cookie's (it was not posted from a page of this
    /// console), or `None` for a form that was.
    pub(crate) fn refuse_forged(&self, submitted: Option<&str>) -> Option<Response> {
        if !self.new_csrf && submitted == Some(self.csrf.as_str()) {
            return None;
        }
        Some(layout::message_page(
            StatusCode::FORBIDDEN,
            "This form was not sent from the console",
            "The form's security token is missing or does not match this browser's session, so nothing was changed. \
             Open the page again from the console and send the form from there.",
        ))
    }
}

/// The caller the console's session cookie names, as the directory has it now.
async fn session_caller(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let token = cookie(&parts.headers, SESSION_COOKIE)
        .ok_or(ApiError::Unauthorized(mscommerce_auth::TokenError::Missing))?;
    Caller::from_token(&token, parts, state).await
}

/// What a request without a usable session gets: a GET goes to renew or sign in and comes back; a form cannot be
/// replayed after a sign-in, so it gets a page that says so.
fn signed_out(parts: &Parts, error: ApiError) -> Response {
    match error {
        ApiError::Unauthorized(_) => {}
        other => return layout::refusal_of_error(other),
    }
    let back = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(super::PREFIX);
    let query = serde_urlencoded::to_string([("return", back)]).unwrap_or_default();
    if parts.method == Method::GET || parts.method == Method::HEAD {
        let via = if session_refresh(&parts.headers).is_some() {
            "/console/signin/renew"
        } else {
            "/console/signin"
        };
        return super::see_other(&format!("{via}?{query}"));
    }
    layout::message_page(
        StatusCode::UNAUTHORIZED,
        "Your session has ended",
        "You are not signed in to the console any more, so nothing was changed. Sign in again and repeat the step.",
    )
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = match parts.extensions.remove::<Caller>() {
            Some(caller) => caller,
            None => session_caller(parts, state)
                .await
                .map_err(|error| signed_out(parts, error))?,
        };
        let (csrf, new_csrf) = match cookie(&parts.headers, CSRF_COOKIE) {
            Some(token) if !token.is_empty() => (token, false),
            _ => (opaque_secret(), true),
        };
        Ok(Session {
            caller,
            csrf,
            new_csrf,
            secure: secure(state),
        })
    }
}

/// The observing layer's check of a console route with a `Requires` rule: the session's caller may do
/// `operation`, or the request gets the page that says why not.
pub(crate) async fn authorize(
    request: Request,
    state: &AppState,
    operation: Operation,
) -> Result<Request, Response> {
    let (mut parts, body) = request.into_parts();
    let caller = session_caller(&parts, state)
        .await
        .map_err(|error| signed_out(&parts, error))?;
    caller
        .require(operation)
        .map_err(layout::refusal_of_error)?;
    parts.extensions.insert(caller);
    Ok(Request::from_parts(parts, body))
}

#[derive(Deserialize)]
pub(crate) struct SignInQuery {
    #[serde(rename = "return")]
    return_to: Option<String>,
}

/// The console's redirect URI.
fn redirect_uri(state: &AppState) -> String {
    format!("{}{CONSOLE_REDIRECT_PATH}", state.settings.public_url)
}

/// `GET /console`: the first page a person's roles lead to.
pub(crate) async fn home(session: Session) -> Response {
    let first = if session.may(Operation::ReadSubscriptions) {
        "/console/billing/products"
    } else if session.may(Operation::ReadLicenses) {
        "/console/billing/licenses"
    } else if session.may(Operation::ReadPolicy) {
        "/console/settings/services/self-service-trials-and-purchases"
    } else {
        "/console/my"
    };
    session.finish(super::see_other(first))
}

/// `GET /console/signin`: off to the authorization endpoint, with a fresh state and PKCE verifier remembered in a
/// short-lived cookie.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ConsoleQuery(query): ConsoleQuery<SignInQuery>,
) -> Response {
    let flow_state = opaque_secret();
    let verifier = opaque_secret();
    let back = return_path(query.return_to.as_deref());
    let scope = format!("openid offline_access {}/.default", state.issuer.audience);
    let redirect = redirect_uri(&state);
    let parameters = serde_urlencoded::to_string([
        ("client_id", CONSOLE_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", redirect.as_str()),
        ("scope", scope.as_str()),
        ("state", flow_state.as_str()),
        ("code_challenge", sha256_base64url(&verifier).as_str()),
        ("code_challenge_method", "S256"),
    ])
    .unwrap_or_default();
    let mut response = super::see_other(&format!(
        "{}/organizations/oauth2/v2.0/authorize?{parameters}",
        state.settings.public_url
    ));
    let flow = format!(
        "{flow_state}.{verifier}.{}",
        URL_SAFE_NO_PAD.encode(back.as_bytes())
    );
    add_cookie(
        &mut response,
        set_cookie(&state, FLOW_COOKIE, &flow, FLOW_SECONDS, "Lax"),
    );
    response
}

#[derive(Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The session's cookies from a token answer.
fn start_session(state: &AppState, tokens: &TokenResponse, back: &str) -> Response {
    let mut response = super::see_other(back);
    add_cookie(
        &mut response,
        set_cookie(
            state,
            SESSION_COOKIE,
            &tokens.access_token,
            tokens.expires_in,
            "Lax",
        ),
    );
    if let Some(refresh) = &tokens.refresh_token {
        let ends_at = mscommerce_auth::unix_now() + SESSION_HOURS * 3600;
        add_cookie(&mut response, refresh_cookie(state, refresh, ends_at));
    }
    add_cookie(&mut response, set_cookie(state, FLOW_COOKIE, "", 0, "Lax"));
    response
}

/// The refresh token's cookie carries the session's end (Unix seconds) beside the token, so that a renewal keeps
/// it: a session never outlives [`SESSION_HOURS`], however often it is renewed.
fn refresh_cookie(state: &AppState, token: &str, ends_at: i64) -> String {
    let left = ends_at - mscommerce_auth::unix_now();
    set_cookie(
        state,
        REFRESH_COOKIE,
        &format!("{token}.{ends_at}"),
        left.max(0),
        "Lax",
    )
}

/// The refresh token of the session and when the session ends, while it has not ended.
fn session_refresh(headers: &HeaderMap) -> Option<(String, i64)> {
    let value = cookie(headers, REFRESH_COOKIE)?;
    let (token, ends_at) = value.rsplit_once('.')?;
    let ends_at = ends_at.parse::<i64>().ok()?;
    (ends_at > mscommerce_auth::unix_now()).then(|| (token.to_string(), ends_at))
}

fn sign_in_failed(reason: &str) -> Response {
    layout::message_page_with_link(
        StatusCode::BAD_REQUEST,
        "Sign-in to the console failed",
        reason,
        ("Sign in again", "/console/signin"),
    )
}

/// `GET /console/signin/callback`: the authorization endpoint's answer. The state must be the one this browser's
/// sign-in started with; the code is redeemed with the verifier only this browser holds.
pub(crate) async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConsoleQuery(query): ConsoleQuery<CallbackQuery>,
) -> Response {
    if let Some(error) = &query.error {
        let description = query.error_description.as_deref().unwrap_or(error);
        return sign_in_failed(&format!("The sign-in was not completed: {description}"));
    }
    let flow = cookie(&headers, FLOW_COOKIE).unwrap_or_default();
    let mut parts = flow.splitn(3, '.');
    let (Some(expected), Some(verifier), Some(back)) = (parts.next(), parts.next(), parts.next())
    else {
        return sign_in_failed(
            "This sign-in was not started from the console in this browser, or it took longer than ten minutes.",
        );
    };
    if query.state.as_deref() != Some(expected) || expected.is_empty() {
        return sign_in_failed(
            "The sign-in's answer does not belong to the sign-in this browser started.",
        );
    }
    let back = URL_SAFE_NO_PAD
        .decode(back)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let form = TokenRequest {
        grant_type: Some("authorization_code".into()),
        client_id: Some(CONSOLE_CLIENT_ID.into()),
        code: query.code.clone(),
        redirect_uri: Some(redirect_uri(&state)),
        code_verifier: Some(verifier.to_string()),
        ..TokenRequest::default()
    };
    match authorization_code_grant(&state, &form, None).await {
        Ok(tokens) => start_session(&state, &tokens, &return_path(back.as_deref())),
        Err(error) => sign_in_failed(&layout::reason_of(error).1),
    }
}

/// `GET /console/signin/renew`: a new access token from the session's refresh token, then back where the person
/// was; a sign-in when that fails.
pub(crate) async fn renew(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConsoleQuery(query): ConsoleQuery<SignInQuery>,
) -> Response {
    let back = return_path(query.return_to.as_deref());
    let renewed = match session_refresh(&headers) {
        Some((token, ends_at)) => {
            let form = TokenRequest {
                grant_type: Some("refresh_token".into()),
                client_id: Some(CONSOLE_CLIENT_ID.into()),
                refresh_token: Some(token),
                ..TokenRequest::default()
            };
            refresh_token_grant(&state, &form, None)
                .await
                .ok()
                .map(|tokens| (tokens, ends_at))
        }
        None => None,
    };
    let Some((tokens, ends_at)) = renewed else {
        let query = serde_urlencoded::to_string([("return", back.as_str())]).unwrap_or_default();
        let mut response = super::see_other(&format!("/console/signin?{query}"));
        add_cookie(
            &mut response,
            set_cookie(&state, REFRESH_COOKIE, "", 0, "Lax"),
        );
        return response;
    };
    let mut response = super::see_other(&back);
    add_cookie(
        &mut response,
        set_cookie(
            &state,
            SESSION_COOKIE,
            &tokens.access_token,
            tokens.expires_in,
            "Lax",
        ),
    );
    if let Some(refresh) = &tokens.refresh_token {
        add_cookie(&mut response, refresh_cookie(&state, refresh, ends_at));
    }
    response
}

#[derive(Deserialize)]
pub(crate) struct SignOutForm {
    csrf_token: Option<String>,
}

/// `POST /console/signout`: the refresh token and its family are revoked, the cookies cleared.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    ConsoleForm(form): ConsoleForm<SignOutForm>,
) -> Response {
    if let Some(refused) = session.refuse_forged(form.csrf_token.as_deref()) {
        return refused;
    }
    if let Some((refresh, _)) = session_refresh(&headers) {
        if let Err(error) = state
            .store
            .revoke_refresh_family(&sha256_base64url(&refresh))
            .await
        {
            return layout::refusal_of_error(error.into());
        }
    }
    let mut response = Page::bare("You signed out")
        .body(maud::html! {
            p { "You signed out of the console. Close the browser window to end every other session too." }
            p { a href="/console/signin" { "Sign in again" } }
        })
        .render(StatusCode::OK);
    for name in [SESSION_COOKIE, REFRESH_COOKIE, CSRF_COOKIE] {
        add_cookie(&mut response, set_cookie(&state, name, "", 0, "Lax"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_returns_only_inside_the_console() {
        assert_eq!(
            return_path(Some("/console/billing/products?filter=selfService")),
            "/console/billing/products?filter=selfService"
        );
        for elsewhere in [
            "https://evil.example/console",
            "//evil.example/console",
            "/console//evil.example",
            "/console\\..\\x",
            "/consolex",
            "/v1.0/users",
            "/console/a b",
        ] {
            assert_eq!(return_path(Some(elsewhere)), "/console", "{elsewhere}");
        }
        assert_eq!(return_path(None), "/console");
    }
}
