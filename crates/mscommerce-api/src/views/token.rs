//! The built-in issuer's token request and answers, and its discovery document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A token request (form-encoded, RFC 6749).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `client_credentials`, `password`, `authorization_code`, `refresh_token` or
    /// `urn:ietf:params:oauth:grant-type:device_code`.
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    /// `client_secret_post`; or send `Authorization: Basic` (`client_secret_basic`) instead.
    pub client_secret: Option<String>,
    /// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` with a `client_assertion` (`private_key_jwt`).
    pub client_assertion_type: Option<String>,
    /// A JWT signed with the key of one of the app's certificates (RFC 7523), naming it by `x5t` or `x5t#S256`.
    pub client_assertion: Option<String>,
    /// The user's UPN (password grant).
    pub username: Option<String>,
    pub password: Option<String>,
    /// Optional; when given it must name this service's resource, as `<audience>/.default`.
    pub scope: Option<String>,
    /// The authorization code (`authorization_code` grant).
    pub code: Option<String>,
    /// The redirect URI of the authorization request (`authorization_code` grant).
    pub redirect_uri: Option<String>,
    /// The PKCE code verifier (`authorization_code` grant).
    pub code_verifier: Option<String>,
    /// `urn:ietf:params:oauth:grant-type:device_code` grant.
    pub device_code: Option<String>,
    /// `refresh_token` grant.
    pub refresh_token: Option<String>,
    /// `1`: answer `client_info` (as Entra does for MSAL).
    pub client_info: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub token_type: &'static str,
    pub access_token: String,
    pub expires_in: i64,
    pub ext_expires_in: i64,
    pub scope: String,
    /// When `offline_access` was asked for (user sign-ins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When `openid` was asked for (user sign-ins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// When the request had `client_info=1`: base64url of `{"uid": <user object ID>, "utid": <tenant ID>}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_info: Option<String>,
}

/// OpenID Connect discovery document (OpenID Connect Discovery 1.0, section 3), shaped like Entra's.
#[derive(Debug, Serialize, ToSchema)]
pub struct Discovery {
    /// `{public_url}/{tenantId}/v2.0` for a tenant (its ID even when the path named a domain); Entra's template
    /// `{public_url}/{tenantid}/v2.0` for `common` and `organizations`; the service's own issuer unscoped.
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub device_authorization_endpoint: String,
    pub end_session_endpoint: String,
    pub revocation_endpoint: String,
    pub jwks_uri: String,
    pub response_types_supported: Vec<&'static str>,
    pub response_modes_supported: Vec<&'static str>,
    pub grant_types_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub token_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    pub code_challenge_methods_supported: Vec<&'static str>,
    pub scopes_supported: Vec<String>,
    pub subject_types_supported: Vec<&'static str>,
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    pub claims_supported: Vec<&'static str>,
    /// Always null, as Entra's outside its national clouds.
    #[schema(value_type = Option<String>)]
    pub tenant_region_scope: Option<String>,
}
