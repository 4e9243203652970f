//! Tokens of the identity providers organizations trust (Entra ID, any OpenID Connect issuer): which trust a
//! token's issuer falls under, its verification (`mscommerce_auth::external`), and the user or app it names here.
//!
//! A token's `iss` chooses the trust, and the trust's tenant is the token's tenant: an issuer URL is trusted by one
//! tenant at most (the store's unique index), so a provider's tokens reach only the organization that trusts it,
//! whatever `tid` they carry. A person's first accepted token makes their user (so purchases, licenses and the
//! audit trail name them); later tokens bring the name, the type and, when the trust maps them, the roles up to
//! date. From then on the person is a user like any other: what authorizes them is the directory's current state
//! ([`crate::directory_cache`]), so disabling them stops their tokens too. An app of a trusted issuer holds what
//! its token's `roles` say, for as long as the trust stands.
//!
//! The trusts are read from the store, and read again when a change was made through this process or
//! [`TRUSTS_FRESH_FOR`] has passed (another replica's or the command line's change): replicas share nothing but
//! the configuration. Verified tokens are kept until they expire, each tied to the trust that admitted it, so that
//! removing a trust refuses its tokens at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use mscommerce_auth::external::{derived_uuid, ExternalKeys, Trust};
use mscommerce_auth::{unix_now, TokenError};
use mscommerce_cache::{BoundedCache, CacheStats};
use mscommerce_domain::federation::{identify, ClaimSource, ExternalIdentity};
use mscommerce_domain::{DirectoryRole, Principal, PrincipalKind, TenantId};
use mscommerce_store::{
    AuditActor, FederatedUser, Store, StoreError, TrustedIssuer, User, UserType,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::directory_cache::DirectoryCache;
use crate::error::ApiError;
use crate::middleware::CorrelationId;

/// How long the trusts read from the store are used before they are read again.
pub const TRUSTS_FRESH_FOR: Duration = Duration::from_secs(5);

struct Trusts {
    by_issuer: HashMap<String, Arc<TrustedIssuer>>,
    loaded: Option<Instant>,
}

#[derive(Clone)]
struct VerifiedToken {
    trust_id: Uuid,
    principal: Arc<Principal>,
    expires_at: i64,
}

pub struct Federation {
    keys: ExternalKeys,
    trusts: RwLock<Arc<Trusts>>,
    reloading: tokio::sync::Mutex<()>,
    /// Verified external tokens, the least recently used dropped first.
    tokens: BoundedCache<String, VerifiedToken>,
    leeway: i64,
}

/// A token's claims, as the domain's mapping reads them.
struct JsonClaims<'a>(&'a Map<String, Value>);

impl ClaimSource for JsonClaims<'_> {
    fn text(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }

    fn texts(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        }
    }
}

fn refused(trust: &TrustedIssuer, reason: String) -> TokenError {
    TokenError::FederatedSignIn {
        issuer: trust.issuer.clone(),
        reason,
    }
}

/// A person a trusted issuer's token names, as the mapping read them.
struct Person {
    subject: String,
    upn: String,
    display_name: String,
    is_guest: bool,
    roles: Option<Vec<DirectoryRole>>,
}

/// The user of `found`: made on the first sign-in (audited as the trust's doing), updated afterwards.
async fn person(
    trust: &TrustedIssuer,
    found: Person,
    store: &dyn Store,
    directory: &DirectoryCache,
    correlation_id: &CorrelationId,
) -> Result<User, ApiError> {
    let actor = AuditActor {
        id: trust.id.to_string(),
        name: trust.display_name.clone(),
        kind: "TrustedIssuer".into(),
        correlation_id: correlation_id.as_str().to_string(),
        partner_tenant_id: None,
    };
    let user = store
        .federated_sign_in(
            FederatedUser {
                tenant_id: trust.tenant_id,
                issuer: trust.issuer.clone(),
                subject: found.subject,
                upn: found.upn,
                display_name: found.display_name,
                user_type: if found.is_guest {
                    UserType::Guest
                } else {
                    UserType::Member
                },
                roles: found
                    .roles
                    .map(|roles| roles.iter().map(|r| r.template_id().to_string()).collect()),
            },
            &actor,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(reason) => ApiError::from(refused(trust, reason)),
            other => ApiError::from(other),
        })?;
    directory.put(&user);
    Ok(user)
}

/// The `iss` a token claims, read without trusting it: only to choose the trust that will verify it.
pub fn claimed_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_string)
}

impl Federation {
    pub fn new(keys: ExternalKeys, leeway_seconds: u64) -> Federation {
        Federation {
            keys,
            trusts: RwLock::new(Arc::new(Trusts {
                by_issuer: HashMap::new(),
                loaded: None,
            })),
            reloading: tokio::sync::Mutex::new(()),
            tokens: BoundedCache::new(mscommerce_auth::DEFAULT_CACHED_TOKENS),
            leeway: leeway_seconds as i64,
        }
    }

    /// The same, holding at most `tokens` verified tokens.
    pub fn with_cache_bound(mut self, tokens: usize) -> Federation {
        self.tokens = BoundedCache::new(tokens);
        self
    }

    /// The verified external tokens held, verified in full and dropped.
    pub fn token_stats(&self) -> CacheStats {
        self.tokens.stats()
    }

    /// Times an issuer's discovery document or JWKS was fetched.
    pub fn key_fetches(&self) -> u64 {
        self.keys.fetches()
    }

    /// The trusted providers' discovery documents, keys and token endpoints: what a sign-in with one of them uses.
    pub fn keys(&self) -> &ExternalKeys {
        &self.keys
    }

    /// The trust with this ID, if any organization has it.
    pub async fn trust(
        &self,
        store: &dyn Store,
        id: Uuid,
    ) -> Result<Option<Arc<TrustedIssuer>>, ApiError> {
        let trusts = self.trusts(store).await?;
        Ok(trusts.by_issuer.values().find(|t| t.id == id).cloned())
    }

    /// The trusts of `tenant` that offer people a sign-in on the built-in page, by their button's text.
    pub async fn sign_in_trusts(
        &self,
        store: &dyn Store,
        tenant: TenantId,
    ) -> Result<Vec<Arc<TrustedIssuer>>, ApiError> {
        let trusts = self.trusts(store).await?;
        let mut offered: Vec<Arc<TrustedIssuer>> = trusts
            .by_issuer
            .values()
            .filter(|t| t.tenant_id == tenant && t.sign_in.is_some())
            .cloned()
            .collect();
        offered.sort_by(|a, b| {
            let button = |t: &TrustedIssuer| t.sign_in.as_ref().map(|s| s.button.clone());
            button(a).cmp(&button(b)).then(a.id.cmp(&b.id))
        });
        Ok(offered)
    }

    /// The user an ID token of a sign-in with `trust` names, made on the person's first sign-in and brought up to
    /// date afterwards, exactly as the provider's access tokens are mapped. An ID token that names an app is
    /// refused: only people sign in on a page.
    pub async fn signed_in_person(
        &self,
        trust: &TrustedIssuer,
        claims: &Map<String, Value>,
        store: &dyn Store,
        directory: &DirectoryCache,
        correlation_id: &CorrelationId,
    ) -> Result<User, ApiError> {
        match identify(&trust.mapping, &JsonClaims(claims))
            .map_err(|e| refused(trust, e.to_string()))?
        {
            ExternalIdentity::User {
                subject,
                upn,
                display_name,
                is_guest,
                roles,
            } => {
                let found = Person {
                    subject,
                    upn,
                    display_name,
                    is_guest,
                    roles,
                };
                person(trust, found, store, directory, correlation_id).await
            }
            ExternalIdentity::App { .. } => {
                Err(refused(trust, "the ID token names an app, not a person".into()).into())
            }
        }
    }

    /// Makes the next request read the trusts again (after a change through this process).
    pub fn invalidate(&self) {
        let mut trusts = self.trusts.write().unwrap_or_else(|e| e.into_inner());
        *trusts = Arc::new(Trusts {
            by_issuer: trusts.by_issuer.clone(),
            loaded: None,
        });
    }

    async fn trusts(&self, store: &dyn Store) -> Result<Arc<Trusts>, ApiError> {
        let fresh = |t: &Trusts| t.loaded.is_some_and(|at| at.elapsed() < TRUSTS_FRESH_FOR);
        let current = Arc::clone(&self.trusts.read().unwrap_or_else(|e| e.into_inner()));
        if fresh(&current) {
            return Ok(current);
        }
        let _turn = self.reloading.lock().await;
        let current = Arc::clone(&self.trusts.read().unwrap_or_else(|e| e.into_inner()));
        if fresh(&current) {
            return Ok(current);
        }
        let loaded = store.trusted_issuers(None).await?;
        let by_issuer: HashMap<String, Arc<TrustedIssuer>> = loaded
            .into_iter()
            .map(|t| (t.issuer.clone(), Arc::new(t)))
            .collect();
        let issuers: Vec<&str> = by_issuer.keys().map(String::as_str).collect();
        self.keys.retain(&issuers);
        let next = Arc::new(Trusts {
            by_issuer,
            loaded: Some(Instant::now()),
        });
        *self.trusts.write().unwrap_or_else(|e| e.into_inner()) = Arc::clone(&next);
        Ok(next)
    }

    /// The caller an external token names, as the directory has it now.
    pub async fn authenticate(
        &self,
        token: &str,
        issuer: &str,
        store: &dyn Store,
        directory: &DirectoryCache,
        correlation_id: &CorrelationId,
    ) -> Result<Arc<Principal>, ApiError> {
        let trusts = self.trusts(store).await?;
        let trust = trusts
            .by_issuer
            .get(issuer)
            .ok_or_else(|| TokenError::UntrustedIssuer(issuer.to_string()))?;
        let now = unix_now();
        let held = self.tokens.get(token, |held| held.clone());
        let claimed = match held {
            Some(held) if held.trust_id == trust.id && held.expires_at + self.leeway > now => {
                held.principal
            }
            Some(held) if held.trust_id == trust.id => {
                self.tokens.remove(token);
                return Err(TokenError::Expired.into());
            }
            _ => {
                let (principal, expires_at) = self
                    .admit(token, trust, store, directory, correlation_id)
                    .await?;
                self.tokens.insert(
                    token.to_string(),
                    VerifiedToken {
                        trust_id: trust.id,
                        principal: Arc::clone(&principal),
                        expires_at,
                    },
                );
                principal
            }
        };
        match claimed.kind {
            // A person is a user here: their current state decides (enabled, the roles held now).
            PrincipalKind::User { .. } => directory.principal(store, &claimed).await,
            PrincipalKind::App { .. } => Ok(claimed),
        }
    }

    /// Verifies a token not seen before and answers who it names, making or updating a person's user.
    async fn admit(
        &self,
        token: &str,
        trust: &TrustedIssuer,
        store: &dyn Store,
        directory: &DirectoryCache,
        correlation_id: &CorrelationId,
    ) -> Result<(Arc<Principal>, i64), ApiError> {
        let claims = self
            .keys
            .verify(
                token,
                Trust {
                    issuer: &trust.issuer,
                    audiences: &trust.audiences,
                    external_tenant_id: trust.external_tenant_id.as_deref(),
                },
            )
            .await?;
        let expires_at = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        let identity = identify(&trust.mapping, &JsonClaims(&claims))
            .map_err(|e| refused(trust, e.to_string()))?;
        let principal = match identity {
            ExternalIdentity::User {
                subject,
                upn,
                display_name,
                is_guest,
                roles,
            } => {
                let user = person(
                    trust,
                    Person {
                        subject,
                        upn,
                        display_name,
                        is_guest,
                        roles,
                    },
                    store,
                    directory,
                    correlation_id,
                )
                .await?;
                Principal {
                    tenant_id: user.tenant_id,
                    object_id: user.id.as_uuid(),
                    kind: PrincipalKind::User {
                        upn: user.upn.clone(),
                        display_name: user.display_name.clone(),
                        roles: user
                            .roles
                            .iter()
                            .filter_map(|id| DirectoryRole::parse(id))
                            .collect(),
                    },
                    partner_tenant_id: None,
                }
            }
            ExternalIdentity::App {
                client_id,
                display_name,
                permissions,
            } => Principal {
                tenant_id: trust.tenant_id,
                object_id: derived_uuid(&trust.issuer, &client_id),
                kind: PrincipalKind::App {
                    client_id: Uuid::parse_str(&client_id)
                        .unwrap_or_else(|_| derived_uuid(&trust.issuer, &client_id)),
                    display_name,
                    permissions,
                },
                partner_tenant_id: None,
            },
        };
        Ok((Arc::new(principal), expires_at))
    }
}
