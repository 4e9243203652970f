//! The built-in issuer's token request and answers, and its discovery document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A token request (form-encoded, RFC 6749).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `client_credentials` or `password`.
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// The user's UPN (password grant).
    pub username: Option<String>,
    pub password: Option<String>,
    /// Optional; when given it must name this service's resource, as `<audience>/.default`.
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub token_type: &'static str,
    pub access_token: String,
    pub expires_in: i64,
    pub ext_expires_in: i64,
    pub scope: String,
}

/// OIDC discovery document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Discovery {
    pub issuer: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub grant_types_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    pub response_types_supported: Vec<&'static str>,
    pub subject_types_supported: Vec<&'static str>,
    pub claims_supported: Vec<&'static str>,
}
