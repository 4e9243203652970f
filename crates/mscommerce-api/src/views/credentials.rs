//! An app's certificate credentials, shaped like Microsoft Graph's `keyCredential`.

use mscommerce_auth::assertion::thumbprint_hex;
use mscommerce_store::AppCertificate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::BodyShape;
use crate::views::Timestamp;

/// A certificate the app signs its client assertions with. The certificate itself is public; no secret is kept.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialView {
    pub key_id: Uuid,
    /// `AsymmetricX509Cert`, as Graph names certificate credentials.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `Verify`: the service verifies signatures with it.
    pub usage: &'static str,
    pub display_name: String,
    /// The SHA-1 thumbprint in hexadecimal capitals (what the Azure portal and Windows show).
    pub custom_key_identifier: String,
    /// base64url SHA-1 of the certificate: the `x5t` of the app's client assertions.
    pub x5t: String,
    /// base64url SHA-256 of the certificate: the `x5t#S256` of the app's client assertions.
    #[serde(rename = "x5t#S256")]
    pub x5t_s256: String,
    pub start_date_time: Timestamp,
    pub end_date_time: Timestamp,
}

impl CredentialView {
    pub fn of(certificate: &AppCertificate) -> CredentialView {
        CredentialView {
            key_id: certificate.key_id,
            kind: "AsymmetricX509Cert",
            usage: "Verify",
            display_name: certificate.display_name.clone(),
            custom_key_identifier: thumbprint_hex(&certificate.thumbprint_sha1),
            x5t: certificate.thumbprint_sha1.clone(),
            x5t_s256: certificate.thumbprint_sha256.clone(),
            start_date_time: certificate.not_before.into(),
            end_date_time: certificate.not_after.into(),
        }
    }
}

/// Every credential of the app, oldest first (an app has few: not paged).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialList {
    pub items: Vec<CredentialView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCredentialRequest {
    /// The public certificate: its DER in base64 (as Graph's `keyCredential.key`), or its PEM text.
    pub key: String,
    /// A name for the credential; the certificate's subject when not given.
    pub display_name: Option<String>,
}

impl BodyShape for NewCredentialRequest {
    const SHAPE: &'static str = "{\"key\": \"MIIC... (base64 DER) or -----BEGIN CERTIFICATE-----...\", \"displayName\": \"automation\"}";
}
