//! The claims of an access token and the built-in issuer that signs them.

use jsonwebtoken::{Algorithm, Header};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::keys::SigningKey;

/// One hour, like Entra ID access tokens.
pub const TOKEN_LIFETIME_SECONDS: i64 = 3600;

/// Claims shaped like a Microsoft Entra ID v2 access token, so that tools that read tokens understand ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// Tenant ID: the only source of the caller's tenant.
    pub tid: String,
    /// Object ID of the user or the app.
    pub oid: String,
    pub sub: String,
    pub ver: String,
    /// Unique token identifier.
    pub uti: String,
    /// `"app"` for app-only tokens, `"user"` for users.
    pub idtyp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Directory role template IDs (users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wids: Option<Vec<String>>,
    /// Application permissions (apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Client ID of the app (apps), or of the client the user signed in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// Delegated scope of user tokens, as Entra issues for this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
}

/// Whom a token is for.
#[derive(Debug, Clone)]
pub enum TokenSubject {
    User {
        tenant_id: mscommerce_domain::TenantId,
        object_id: Uuid,
        upn: String,
        display_name: String,
        /// Directory role template IDs.
        role_ids: Vec<String>,
        client_id: Option<String>,
    },
    App {
        tenant_id: mscommerce_domain::TenantId,
        object_id: Uuid,
        client_id: Uuid,
        display_name: String,
        permissions: Vec<String>,
    },
}

/// Signs tokens with the current signing key.
#[derive(Debug, Clone)]
pub struct TokenIssuer {
    pub issuer: String,
    pub audience: String,
    pub key: SigningKey,
}

impl TokenIssuer {
    /// Claims for `subject`, valid from `now` for [`TOKEN_LIFETIME_SECONDS`].
    pub fn claims_for(&self, subject: &TokenSubject, now: i64) -> AccessClaims {
        let mut claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + TOKEN_LIFETIME_SECONDS,
            tid: String::new(),
            oid: String::new(),
            sub: String::new(),
            ver: "2.0".into(),
            uti: Uuid::new_v4().simple().to_string(),
            idtyp: String::new(),
            upn: None,
            name: None,
            wids: None,
            roles: None,
            azp: None,
            appid: None,
            scp: None,
        };
        match subject {
            TokenSubject::User {
                tenant_id,
                object_id,
                upn,
                display_name,
                role_ids,
                client_id,
            } => {
                claims.tid = tenant_id.to_string();
                claims.oid = object_id.to_string();
                claims.idtyp = "user".into();
                claims.upn = Some(upn.clone());
                claims.name = Some(display_name.clone());
                claims.wids = Some(role_ids.clone());
                claims.azp = client_id.clone();
                claims.scp = Some("LicenseManager.AccessAsUser".into());
            }
            TokenSubject::App {
                tenant_id,
                object_id,
                client_id,
                display_name,
                permissions,
            } => {
                claims.tid = tenant_id.to_string();
                claims.oid = object_id.to_string();
                claims.idtyp = "app".into();
                claims.name = Some(display_name.clone());
                claims.roles = Some(permissions.clone());
                claims.azp = Some(client_id.to_string());
                claims.appid = Some(client_id.to_string());
            }
        }
        claims.sub = claims.oid.clone();
        claims
    }

    /// Signs `claims` with the current key.
    pub fn sign(&self, claims: &AccessClaims) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key.encoding)
            .expect("an Ed25519 key from ring always signs")
    }

    pub fn issue(&self, subject: &TokenSubject, now: i64) -> String {
        self.sign(&self.claims_for(subject, now))
    }
}
