//! The routes of a sign-in with a trusted provider: the sign-in page's "Sign in with ..." link and the provider's
//! answer. What they do is `crate::federated_sign_in`'s.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::federated_sign_in;
use crate::middleware::CorrelationId;
use crate::state::AppState;
use crate::views::grants::{AuthorizeRequest, FederatedCallbackQuery, FederatedSignInQuery};

/// Sign in with a provider the organization trusts: the link of a "Sign in with ..." button of the sign-in page.
/// The app's authorization request is checked as the authorization endpoint checks it, then the person is sent
/// to the provider (authorization code with PKCE S256, state, nonce, the `login_hint` passed on).
#[utoipa::path(get, path = "/federation/signin", tag = "sign-in",
    params(FederatedSignInQuery, AuthorizeRequest),
    responses(
        (status = 302, description = "To the provider's authorization endpoint, with the pending sign-in in an HttpOnly cookie"),
        (status = 400, description = "An error page (HTML): an unknown client, an unregistered redirect URI, a provider the organization does not offer", content_type = "text/html"),
        (status = 502, description = "An error page (HTML): the provider's discovery document cannot be read", content_type = "text/html"),
    ))]
pub async fn start(
    State(state): State<AppState>,
    Query(query): Query<FederatedSignInQuery>,
) -> Response {
    federated_sign_in::start(&state, query).await
}

/// The provider's answer (the redirect URI to register at the provider: `{public_url}/federation/callback`). A
/// sign-in that succeeds ends at the app's redirect URI with the service's authorization code, as a password
/// sign-in does.
#[utoipa::path(get, path = "/federation/callback", tag = "sign-in",
    params(FederatedCallbackQuery),
    responses(
        (status = 200, description = "The `form_post` page (HTML), carrying `code` and `state` to the app", content_type = "text/html"),
        (status = 302, description = "To the app's redirect URI: the service's `code` and the app's `state`"),
        (status = 400, description = "An error page (HTML): no or a changed pending sign-in, another state, the provider's error, a refused ID token", content_type = "text/html"),
        (status = 403, description = "An error page (HTML): the account is disabled", content_type = "text/html"),
        (status = 502, description = "An error page (HTML): the provider could not be reached or refused the code", content_type = "text/html"),
    ))]
pub async fn callback(
    State(state): State<AppState>,
    correlation_id: CorrelationId,
    headers: HeaderMap,
    Query(query): Query<FederatedCallbackQuery>,
) -> Response {
    federated_sign_in::finish(&state, &headers, query, &correlation_id).await
}
