//! The claims of an access token and the built-in issuer that signs them.

use std::sync::{Arc, RwLock};

use jsonwebtoken::{Algorithm, Header};
use mscommerce_domain::key_rotation::signer_index;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::keys::{ScheduledKey, SigningKey};

/// One hour, like Entra ID access tokens: the default of the issuer's lifetime.
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
    /// A partner acting for a customer (`tid`): the issuer of the partner's tenant, where the user or app signed
    /// in, as Entra names the home of a user from another tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp: Option<String>,
    /// A partner acting for a customer: the partner's tenant ID, through whose delegated admin relationship
    /// with `tid` the token was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_tid: Option<String>,
}

/// The claims of an OpenID Connect ID token (Core 1.0 section 2), shaped like Entra's v2 ID tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdClaims {
    pub iss: String,
    /// The client the person signed in to.
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub sub: String,
    pub oid: String,
    pub tid: String,
    pub preferred_username: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub ver: String,
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

/// The issuer of a tenant's tokens, shaped like Entra's: `{base}/{tenantId}/v2.0`, where `base` is the service's
/// own issuer (its public URL).
pub fn tenant_issuer(base: &str, tenant_id: mscommerce_domain::TenantId) -> String {
    format!("{base}/{tenant_id}/v2.0")
}

/// Signs tokens with the key whose turn it is. The keys can be replaced while the service runs (a rotation); a
/// token is signed by the newest key whose activation has come at the token's `iat`, so every replica switches
/// to a rotated key at the same moment, whenever it loaded it.
#[derive(Debug)]
pub struct TokenIssuer {
    /// The service's issuer (its public URL). Tokens carry their tenant's issuer, [`tenant_issuer`] of this.
    pub issuer: String,
    pub audience: String,
    /// Seconds from a token's `iat` to its `exp`.
    pub lifetime_seconds: i64,
    /// By activation, oldest first; never empty. Read once per token issued (the token endpoint, whose password
    /// or secret check costs far more than this lock).
    keys: RwLock<Arc<Vec<ScheduledKey>>>,
}

impl TokenIssuer {
    /// An issuer that signs with `key`, tokens living [`TOKEN_LIFETIME_SECONDS`].
    pub fn new(issuer: &str, audience: &str, key: SigningKey) -> TokenIssuer {
        TokenIssuer {
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            lifetime_seconds: TOKEN_LIFETIME_SECONDS,
            keys: RwLock::new(Arc::new(vec![ScheduledKey {
                key,
                signs_from: i64::MIN,
            }])),
        }
    }

    pub fn with_lifetime(mut self, seconds: i64) -> TokenIssuer {
        self.lifetime_seconds = seconds;
        self
    }

    /// Replaces the keys (by activation, oldest first). An empty list changes nothing: the issuer always signs.
    pub fn set_keys(&self, mut keys: Vec<ScheduledKey>) {
        if keys.is_empty() {
            return;
        }
        keys.sort_by_key(|k| k.signs_from);
        // A poisoned lock only means a writer panicked between two statements that cannot fail; its value is whole.
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
    }

    fn keys(&self) -> Arc<Vec<ScheduledKey>> {
        Arc::clone(&self.keys.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// The key that signs a token issued at `at`.
    pub fn signing_key(&self, at: i64) -> SigningKey {
        let keys = self.keys();
        let activations: Vec<i64> = keys.iter().map(|k| k.signs_from).collect();
        keys[signer_index(&activations, at)].key.clone()
    }

    /// Claims for `subject`, valid from `now` for the issuer's lifetime.
    pub fn claims_for(&self, subject: &TokenSubject, now: i64) -> AccessClaims {
        let mut claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + self.lifetime_seconds,
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
            idp: None,
            partner_tid: None,
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
                claims.iss = tenant_issuer(&self.issuer, *tenant_id);
                claims.tid = tenant_id.to_string();
                claims.oid = object_id.to_string();
                claims.idtyp = "user".into();
                claims.upn = Some(upn.clone());
                claims.name = Some(display_name.clone());
                claims.wids = Some(role_ids.clone());
                claims.azp = client_id.clone();
                claims.appid = client_id.clone();
                claims.scp = Some("LicenseManager.AccessAsUser".into());
            }
            TokenSubject::App {
                tenant_id,
                object_id,
                client_id,
                display_name,
                permissions,
            } => {
                claims.iss = tenant_issuer(&self.issuer, *tenant_id);
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

    /// Signs `claims` with the key whose turn it is at their `iat`.
    pub fn sign(&self, claims: &AccessClaims) -> String {
        let key = self.signing_key(claims.iat);
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .expect("an Ed25519 key from ring always signs")
    }

    pub fn issue(&self, subject: &TokenSubject, now: i64) -> String {
        self.sign(&self.claims_for(subject, now))
    }

    /// A token for a partner's user or app to act for a customer: `subject` is the partner's user or app with the
    /// customer's tenant ID and the roles or permissions the relationship delegates; the token names the partner
    /// (`idp`, `partner_tid`).
    pub fn issue_for_customer(
        &self,
        subject: &TokenSubject,
        partner_tenant_id: mscommerce_domain::TenantId,
        now: i64,
    ) -> String {
        let mut claims = self.claims_for(subject, now);
        claims.idp = Some(tenant_issuer(&self.issuer, partner_tenant_id));
        claims.partner_tid = Some(partner_tenant_id.to_string());
        self.sign(&claims)
    }

    /// An ID token for a user's sign-in to `client_id`, signed like access tokens and with the same (tenant's)
    /// issuer and lifetime; `None` for an app, which has no ID token.
    pub fn issue_id_token(
        &self,
        subject: &TokenSubject,
        client_id: &str,
        nonce: Option<&str>,
        now: i64,
    ) -> Option<String> {
        let TokenSubject::User {
            tenant_id,
            object_id,
            upn,
            display_name,
            ..
        } = subject
        else {
            return None;
        };
        let claims = IdClaims {
            // The issuer of the tenant, as in its access tokens and its discovery document (MSAL compares them).
            iss: tenant_issuer(&self.issuer, *tenant_id),
            aud: client_id.to_string(),
            iat: now,
            nbf: now,
            exp: now + self.lifetime_seconds,
            sub: object_id.to_string(),
            oid: object_id.to_string(),
            tid: tenant_id.to_string(),
            preferred_username: upn.clone(),
            name: display_name.clone(),
            nonce: nonce.map(str::to_string),
            ver: "2.0".into(),
        };
        let key = self.signing_key(now);
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        Some(
            jsonwebtoken::encode(&header, &claims, &key.encoding)
                .expect("an Ed25519 key from ring always signs"),
        )
    }
}
