//! What every handler can reach.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mscommerce_auth::{TokenIssuer, TokenVerifier};
use mscommerce_domain::Catalog;
use mscommerce_store::Store;

use crate::directory_cache::DirectoryCache;
use crate::metrics::Metrics;
use crate::policy_cache::PolicyCache;
use crate::rendered::RenderedPolicies;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// The URL clients reach this service at, without a trailing slash: the token issuer and the base of
    /// `nextLink`s.
    pub public_url: String,
    pub request_timeout: Duration,
    pub body_limit_bytes: usize,
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
    pub settings: ApiSettings,
    pub metrics: Metrics,
    pub started: Instant,
}

pub type AppState = Arc<Services>;
