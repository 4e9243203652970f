//! The wire types of the sign-ins a person completes in a browser: the authorization request and the sign-in
//! form, the device authorization request and answer, the verification page's form, revocation and sign-out.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An authorization request (query of GET, carried in the sign-in form's hidden fields on POST).
#[derive(Debug, Default, Clone, Serialize, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeRequest {
    /// Only `3d5cffa9-04da-4657-8cab-c7f074657cad` (Microsoft's MSCommerce module) in this version.
    pub client_id: Option<String>,
    /// `http://localhost/m365/commerce`, or `http://localhost`, `http://127.0.0.1`, `http://[::1]` with any
    /// port and path.
    pub redirect_uri: Option<String>,
    /// `code`.
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// `query` (default) or `form_post`.
    pub response_mode: Option<String>,
    pub code_challenge: Option<String>,
    /// `S256` (`plain` is refused).
    pub code_challenge_method: Option<String>,
    /// Pre-fills the user name.
    pub login_hint: Option<String>,
    /// Ignored, except `none`: answered `login_required`.
    pub prompt: Option<String>,
}

/// The link of a "Sign in with ..." button: the provider's trust and the app's authorization request it continues.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FederatedSignInQuery {
    /// The trust's ID (`/v1.0/trustedIssuers/{issuerId}`) whose provider signs the person in.
    pub issuer_id: Option<String>,
    /// The authorization endpoint's tenant (an ID, a domain, `organizations`) the app asked at, if any.
    pub tenant: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub request: AuthorizeRequest,
}

/// The provider's answer at the service's redirect URI (OpenID Connect Core 3.1.2.5 and 3.1.2.6).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FederatedCallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// The sign-in form's submission: the credentials, the CSRF token and the request carried along.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SignInSubmission {
    pub username: Option<String>,
    pub password: Option<String>,
    pub csrf_token: Option<String>,
    #[serde(flatten)]
    pub request: AuthorizeRequest,
}

/// A device authorization request (RFC 8628 section 3.1).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeviceCodeRequest {
    pub client_id: Option<String>,
    pub scope: Option<String>,
}

/// The device authorization answer (RFC 8628 section 3.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceCodeResponse {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i64,
    pub message: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeviceLoginQuery {
    /// Pre-fills the code (the `verification_uri_complete` link).
    pub user_code: Option<String>,
}

/// The verification page's submissions: the code alone (first step), then the code with the credentials and the
/// decision (`continue` or `deny`).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeviceLoginSubmission {
    pub csrf_token: Option<String>,
    pub user_code: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `continue` (default) or `deny`.
    pub decision: Option<String>,
}

/// A revocation request (RFC 7009 section 2.1).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// A refresh token.
    pub token: Option<String>,
    /// `refresh_token` (the only kind revoked; access tokens live out their hour). Accepted and not needed: the
    /// token is looked up as a refresh token whatever the hint says (RFC 7009 section 2.1).
    #[allow(dead_code)]
    pub token_type_hint: Option<String>,
    pub client_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogoutQuery {
    /// Followed only when it is a registered redirect URI of Microsoft's module.
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}
