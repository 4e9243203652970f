//! What every handler can reach.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mscommerce_auth::{Hasher, TokenIssuer, TokenVerifier};
use mscommerce_domain::Catalog;
use mscommerce_store::Store;

use crate::directory_cache::DirectoryCache;
use crate::federated_sign_in::RelyingParty;
use crate::federation::Federation;
use crate::metrics::Metrics;
use crate::policy_cache::PolicyCache;
use crate::rendered::RenderedPolicies;
use crate::sign_in_guard::SignInGuard;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// The URL clients reach this service at, without a trailing slash: the token issuer and the base of
    /// `nextLink`s.
    pub public_url: String,
    pub request_timeout: Duration,
    pub body_limit_bytes: usize,
    /// A proxy in front of the service appends the client's address to `X-Forwarded-For`: sign-in counts
    /// failures by that address instead of the connection's.
    pub trust_forwarded_for: bool,
    /// Whether users may sign in with the password grant, unless their tenant chose otherwise.
    pub password_grant_enabled: bool,
    pub grants: GrantLifetimes,
}

/// How long the grants of people's sign-ins live.
#[derive(Debug, Clone, Copy)]
pub struct GrantLifetimes {
    pub authorization_code_lifetime_seconds: u64,
    pub device_code_lifetime_seconds: u64,
    pub refresh_token_lifetime_days: u64,
}

impl Default for GrantLifetimes {
    fn default() -> Self {
        use mscommerce_domain::grants::*;
        GrantLifetimes {
            authorization_code_lifetime_seconds: AUTHORIZATION_CODE_LIFETIME_SECONDS,
            device_code_lifetime_seconds: DEVICE_CODE_LIFETIME_SECONDS,
            refresh_token_lifetime_days: REFRESH_TOKEN_LIFETIME_DAYS,
        }
    }
}

pub struct Services {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub policies: PolicyCache,
    /// Every possible policy item, serialized once.
    pub rendered: RenderedPolicies,
    /// The current state of users and apps: what authorizes every request.
    pub directory: DirectoryCache,
    pub issuer: TokenIssuer,
    /// Also the published keys (the JWKS): exactly those it trusts.
    pub verifier: TokenVerifier,
    /// The identity providers organizations trust, their keys, and the tokens of theirs already verified.
    pub federation: Federation,
    /// The service as those providers' relying party: what seals their client secrets and signs pending sign-ins.
    pub relying_party: RelyingParty,
    /// Every Argon2 hash and verification runs through this bounded pool.
    pub hasher: Hasher,
    /// Failed sign-ins, for the back-off.
    pub sign_ins: SignInGuard,
    pub settings: ApiSettings,
    pub metrics: Metrics,
    pub started: Instant,
}

impl Services {
    /// Whether `issuer` is the built-in issuer's (the service's, or one of its tenants' `{public_url}/{tid}/v2.0`):
    /// such a token is never handed to a trusted issuer's verification.
    pub fn is_own_issuer(&self, issuer: &str) -> bool {
        let own = self.settings.public_url.as_str();
        issuer == own
            || issuer
                .strip_prefix(own)
                .is_some_and(|rest| rest.starts_with('/'))
    }
}

pub type AppState = Arc<Services>;
