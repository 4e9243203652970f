//! Tokens of external issuers (Entra ID, any OpenID Connect provider): their keys, found through the issuer's
//! discovery document and JWKS, and the check of their tokens against a trust's issuer, audiences and tenant.
//!
//! Keys are fetched once and kept for the JWKS response's HTTP cache lifetime (`Cache-Control: max-age`, an hour
//! without one, within a minute and a day). A token naming a `kid` the set lacks (the issuer rotated) makes the set
//! be fetched again, but never sooner than `refetch_interval` after the last fetch of that issuer: a flood of
//! made-up kids costs the issuer one fetch per interval, not one per token. Concurrent misses wait for one fetch.
//! An issuer that cannot be reached keeps its known keys working: a failed fetch only leaves the old set in place.
//!
//! Each key pins its algorithm: the JWK's `alg`, or the one its type implies (RSA: RS256, P-256: ES256,
//! Ed25519: EdDSA). A token whose header names another algorithm is refused before its signature is looked at, so
//! no RS256 key verifies an HS256 token or a PS256 one it was not published for. Symmetric keys and encryption
//! keys are never used.
//!
//! The same discovery document gives what the service needs as a provider's relying party (its authorization and
//! token endpoints, [`ExternalKeys::endpoints`]); [`ExternalKeys::redeem_code`] redeems a code there and
//! [`ExternalKeys::verify_id_token`] holds the ID token to the sign-in that asked for it (audience = the
//! service's client ID, `nonce`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::verify::{read_header, TokenError};

/// A JWKS kept without a cache lifetime of its own is trusted this long before it is fetched again.
pub const DEFAULT_KEYS_LIFETIME: Duration = Duration::from_secs(3600);
const MIN_KEYS_LIFETIME: Duration = Duration::from_secs(60);
const MAX_KEYS_LIFETIME: Duration = Duration::from_secs(86_400);
/// The largest discovery document or JWKS read (Entra's JWKS is about 10 KiB).
const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// The bundles where Linux distributions and macOS keep the system's trusted roots.
const SYSTEM_ROOT_BUNDLES: [&str; 5] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
];

/// What a trust says a token must be: its issuer exactly, one of its audiences, and its `tid` when set.
#[derive(Debug, Clone, Copy)]
pub struct Trust<'a> {
    pub issuer: &'a str,
    pub audiences: &'a [String],
    pub external_tenant_id: Option<&'a str>,
}

struct PinnedKey {
    key: DecodingKey,
    algorithm: Algorithm,
}

#[derive(Default)]
struct KeySet {
    keys: HashMap<String, Arc<PinnedKey>>,
    jwks_uri: Option<String>,
    /// Where a person signs in and where a code is redeemed, from the same discovery document (a relying party's
    /// needs, [`crate::relying_party`]); absent when the provider publishes none.
    endpoints: Option<ProviderEndpoints>,
    /// When the set was last fetched, or a fetch was last tried: what the refetch interval counts from.
    last_attempt: Option<Instant>,
    /// Until when the set may be used without asking the issuer.
    fresh_until: Option<Instant>,
}

/// The endpoints of a provider a relying party uses (OpenID Connect Discovery, section 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEndpoints {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
}

struct IssuerKeys {
    set: RwLock<KeySet>,
    /// Held while fetching, so that concurrent misses wait for one fetch rather than each making one.
    fetching: tokio::sync::Mutex<()>,
}

/// The keys of every external issuer in use, and the HTTP client that fetches them.
pub struct ExternalKeys {
    client: reqwest::Client,
    issuers: DashMap<String, Arc<IssuerKeys>>,
    refetch_interval: Duration,
    leeway: u64,
    fetches: AtomicU64,
}

/// Why the HTTP client could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientSetupError {
    #[error("the CA file {path} could not be read: {source}")]
    CaFile {
        path: String,
        source: std::io::Error,
    },
    #[error("the CA file {0} holds no PEM certificate")]
    NoCertificate(String),
    #[error("the HTTP client could not be made: {0}")]
    Client(String),
}

fn pem_roots(bytes: &[u8], path: &str) -> Result<Vec<reqwest::Certificate>, ClientSetupError> {
    let roots = reqwest::Certificate::from_pem_bundle(bytes)
        .map_err(|_| ClientSetupError::NoCertificate(path.into()))?;
    if roots.is_empty() {
        return Err(ClientSetupError::NoCertificate(path.into()));
    }
    Ok(roots)
}

impl ExternalKeys {
    /// Keys fetched over HTTPS trusting the system's roots (`SSL_CERT_FILE`, or the distribution's bundle) and,
    /// when given, the certificates of `ca_file` (a private CA in front of an on-premises provider).
    pub fn new(
        ca_file: Option<&Path>,
        refetch_interval: Duration,
        leeway: u64,
    ) -> Result<ExternalKeys, ClientSetupError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("mscommerce/", env!("CARGO_PKG_VERSION")));
        let system = std::env::var_os("SSL_CERT_FILE")
            .map(std::path::PathBuf::from)
            .into_iter()
            .chain(SYSTEM_ROOT_BUNDLES.iter().map(std::path::PathBuf::from))
            .find_map(|path| std::fs::read(&path).ok().map(|bytes| (path, bytes)));
        if let Some((path, bytes)) = system {
            // A system bundle that does not read is no reason to refuse to start: https issuers will say so.
            for root in pem_roots(&bytes, &path.display().to_string()).unwrap_or_default() {
                builder = builder.add_root_certificate(root);
            }
        }
        if let Some(path) = ca_file {
            let shown = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|source| ClientSetupError::CaFile {
                path: shown.clone(),
                source,
            })?;
            for root in pem_roots(&bytes, &shown)? {
                builder = builder.add_root_certificate(root);
            }
        }
        let client = builder
            .build()
            .map_err(|e| ClientSetupError::Client(e.to_string()))?;
        Ok(ExternalKeys {
            client,
            issuers: DashMap::new(),
            refetch_interval,
            leeway,
            fetches: AtomicU64::new(0),
        })
    }

    /// Times a discovery document or a JWKS was fetched (tried), over all issuers.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Forgets the keys of issuers no longer trusted.
    pub fn retain(&self, issuers: &[&str]) {
        self.issuers
            .retain(|issuer, _| issuers.contains(&issuer.as_str()));
    }

    /// Verifies a token of `trust`'s issuer and answers its claims.
    pub async fn verify(
        &self,
        token: &str,
        trust: Trust<'_>,
    ) -> Result<Map<String, Value>, TokenError> {
        let header = read_header(token)?;
        let kid = header
            .kid
            .ok_or_else(|| TokenError::UnknownKey("(none: the token has no kid)".into()))?;
        let key = self.key(trust.issuer, &kid).await?;
        let alg: Algorithm = header.alg.parse().map_err(|_| TokenError::KeyAlgorithm {
            alg: header.alg.clone(),
            kid: kid.clone(),
            allowed: format!("{:?}", key.algorithm),
        })?;
        if alg != key.algorithm {
            return Err(TokenError::KeyAlgorithm {
                alg: header.alg,
                kid,
                allowed: format!("{:?}", key.algorithm),
            });
        }
        let mut validation = Validation::new(key.algorithm);
        validation.set_audience(trust.audiences);
        validation.set_issuer(&[trust.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway;
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.into_kind() {
                ErrorKind::InvalidSignature => TokenError::InvalidSignature,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidAudience => {
                    TokenError::InvalidAudience(trust.audiences.join("' or '"))
                }
                ErrorKind::InvalidIssuer => TokenError::UntrustedIssuer(trust.issuer.into()),
                ErrorKind::MissingRequiredClaim(claim) => {
                    TokenError::InvalidClaims(format!("the claim '{claim}' is missing"))
                }
                ErrorKind::Json(e) => {
                    TokenError::InvalidClaims(format!("the claims do not read: {e}"))
                }
                other => TokenError::Malformed(format!("{other:?}")),
            })?;
        if let Some(expected) = trust.external_tenant_id {
            if claims.get("tid").and_then(Value::as_str) != Some(expected) {
                return Err(TokenError::ExternalTenantMismatch {
                    issuer: trust.issuer.into(),
                    expected: expected.into(),
                });
            }
        }
        Ok(claims)
    }

    fn issuer(&self, issuer: &str) -> Arc<IssuerKeys> {
        if let Some(held) = self.issuers.get(issuer) {
            return Arc::clone(&held);
        }
        Arc::clone(&self.issuers.entry(issuer.to_string()).or_insert_with(|| {
            Arc::new(IssuerKeys {
                set: RwLock::new(KeySet::default()),
                fetching: tokio::sync::Mutex::new(()),
            })
        }))
    }

    /// The key `kid` of `issuer`: from the set held while it is fresh and has the key; otherwise from a fetch,
    /// when the last one is at least the refetch interval ago; otherwise from the set held (stale keys keep
    /// working while the issuer cannot be reached).
    async fn key(&self, issuer: &str, kid: &str) -> Result<Arc<PinnedKey>, TokenError> {
        let keys = self.issuer(issuer);
        let now = Instant::now();
        let (held, fresh, may_fetch) = {
            let set = keys.set.read().unwrap_or_else(|e| e.into_inner());
            (
                set.keys.get(kid).cloned(),
                set.fresh_until.is_some_and(|until| until > now),
                self.may_fetch(&set, now),
            )
        };
        if let Some(key) = &held {
            if fresh || !may_fetch {
                return Ok(Arc::clone(key));
            }
        } else if !may_fetch {
            return Err(TokenError::UnknownKey(kid.to_string()));
        }
        let _turn = keys.fetching.lock().await;
        // Another request may have fetched while this one waited.
        let may_fetch = {
            let set = keys.set.read().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let fresh = set.fresh_until.is_some_and(|until| until > now);
            match set.keys.get(kid) {
                Some(key) if fresh => return Ok(Arc::clone(key)),
                _ => self.may_fetch(&set, now),
            }
        };
        let fetched = if may_fetch {
            self.fetch(issuer, &keys).await
        } else {
            Ok(())
        };
        let set = keys.set.read().unwrap_or_else(|e| e.into_inner());
        match (set.keys.get(kid), fetched) {
            // Fetched and found, or the fetch failed and the key is one already known.
            (Some(key), _) => Ok(Arc::clone(key)),
            (None, Err(reason)) if set.keys.is_empty() => Err(TokenError::IssuerUnreachable {
                issuer: issuer.into(),
                reason,
            }),
            (None, _) => Err(TokenError::UnknownKey(kid.to_string())),
        }
    }

    fn may_fetch(&self, set: &KeySet, now: Instant) -> bool {
        set.last_attempt
            .is_none_or(|at| now.duration_since(at) >= self.refetch_interval)
    }

    /// Fetches the issuer's JWKS (through its discovery document the first time) and replaces the held set.
    /// On failure the held set stays, and the failure counts as an attempt for the refetch interval.
    async fn fetch(&self, issuer: &str, keys: &IssuerKeys) -> Result<(), String> {
        let jwks_uri = {
            let mut set = keys.set.write().unwrap_or_else(|e| e.into_inner());
            set.last_attempt = Some(Instant::now());
            set.jwks_uri.clone()
        };
        let jwks_uri = match jwks_uri {
            Some(uri) => uri,
            None => {
                let (uri, endpoints) = self.discover(issuer).await?;
                let mut set = keys.set.write().unwrap_or_else(|e| e.into_inner());
                set.jwks_uri = Some(uri.clone());
                set.endpoints = endpoints;
                uri
            }
        };
        let (body, lifetime) = self.get(&jwks_uri).await?;
        let fetched = parse_jwks(&body).map_err(|e| format!("its JWKS at {jwks_uri} {e}"))?;
        let mut set = keys.set.write().unwrap_or_else(|e| e.into_inner());
        set.keys = fetched;
        set.fresh_until = Some(Instant::now() + lifetime);
        Ok(())
    }

    /// The `jwks_uri` of the issuer's discovery document, whose `issuer` must be the issuer itself (OpenID
    /// Connect Discovery, section 4.3).
    async fn discover(&self, issuer: &str) -> Result<(String, Option<ProviderEndpoints>), String> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let (body, _) = self.get(&url).await?;
        let document: Value = serde_json::from_slice(&body)
            .map_err(|_| format!("its discovery document at {url} is not JSON"))?;
        if document.get("issuer").and_then(Value::as_str) != Some(issuer) {
            return Err(format!(
                "its discovery document at {url} names another issuer ({})",
                document.get("issuer").unwrap_or(&Value::Null)
            ));
        }
        let jwks_uri = document
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("its discovery document at {url} has no jwks_uri"))?;
        if !is_http_url(jwks_uri) {
            return Err(format!("its jwks_uri {jwks_uri} is not an http(s) URL"));
        }
        let endpoint = |name: &str| {
            document
                .get(name)
                .and_then(Value::as_str)
                .filter(|url| is_http_url(url))
                .map(str::to_string)
        };
        let endpoints = match (
            endpoint("authorization_endpoint"),
            endpoint("token_endpoint"),
        ) {
            (Some(authorization_endpoint), Some(token_endpoint)) => Some(ProviderEndpoints {
                authorization_endpoint,
                token_endpoint,
            }),
            _ => None,
        };
        Ok((jwks_uri.to_string(), endpoints))
    }

    /// The provider's authorization and token endpoints, from its discovery document (read once, with its keys).
    pub async fn endpoints(&self, issuer: &str) -> Result<ProviderEndpoints, String> {
        let keys = self.issuer(issuer);
        let held = keys
            .set
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .endpoints
            .clone();
        if let Some(endpoints) = held {
            return Ok(endpoints);
        }
        let _turn = keys.fetching.lock().await;
        let (uri, endpoints) = self.discover(issuer).await?;
        let mut set = keys.set.write().unwrap_or_else(|e| e.into_inner());
        set.jwks_uri.get_or_insert(uri);
        set.endpoints = endpoints.clone();
        endpoints.ok_or_else(|| {
            "its discovery document has no authorization_endpoint and token_endpoint: it signs no people in for \
             others"
                .to_string()
        })
    }

    /// Redeems a provider's authorization code at its token endpoint (RFC 6749 section 4.1.3, with the PKCE
    /// verifier, RFC 7636 section 4.5) and answers the `id_token` of the answer. The client authenticates with
    /// `client_secret_post` when it has a secret, and as a public client otherwise.
    pub async fn redeem_code(
        &self,
        token_endpoint: &str,
        redemption: CodeRedemption<'_>,
    ) -> Result<String, String> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", redemption.code),
            ("redirect_uri", redemption.redirect_uri),
            ("client_id", redemption.client_id),
            ("code_verifier", redemption.code_verifier),
        ];
        if let Some(secret) = redemption.client_secret {
            form.push(("client_secret", secret));
        }
        let response = self
            .client
            .post(token_endpoint)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "{token_endpoint} could not be reached ({})",
                    error_chain(&e)
                )
            })?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("{token_endpoint} could not be read ({e})"))?;
        if body.len() > MAX_DOCUMENT_BYTES {
            return Err(format!(
                "{token_endpoint} answered more than {MAX_DOCUMENT_BYTES} bytes"
            ));
        }
        let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if !status.is_success() {
            let said = |name: &str| answer.get(name).and_then(Value::as_str).unwrap_or("");
            return Err(format!(
                "{token_endpoint} refused the code ({status}: {} {})",
                said("error"),
                said("error_description")
            ));
        }
        answer
            .get("id_token")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                format!("{token_endpoint} answered no id_token (was the scope openid asked?)")
            })
    }

    /// Verifies an ID token of a sign-in this service started as `client_id` (OpenID Connect Core, section
    /// 3.1.3.7): the issuer's key and signature, `iss`, `aud` holding the client ID (and `azp` being it when
    /// other audiences are named too), `exp`, a `sub`, and the `nonce` this sign-in sent.
    pub async fn verify_id_token(
        &self,
        token: &str,
        issuer: &str,
        client_id: &str,
        nonce: &str,
    ) -> Result<Map<String, Value>, TokenError> {
        let audiences = [client_id.to_string()];
        let claims = self
            .verify(
                token,
                Trust {
                    issuer,
                    audiences: &audiences,
                    external_tenant_id: None,
                },
            )
            .await?;
        let invalid = |reason: String| TokenError::InvalidClaims(reason);
        if let Some(Value::Array(named)) = claims.get("aud") {
            if named.len() > 1 && claims.get("azp").and_then(Value::as_str) != Some(client_id) {
                return Err(invalid(format!(
                    "the ID token names several audiences and its azp is not this service's client ID \
                     '{client_id}'"
                )));
            }
        }
        if claims
            .get("sub")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(invalid("the ID token has no sub".into()));
        }
        match claims.get("nonce").and_then(Value::as_str) {
            Some(found) if constant_time_eq(found.as_bytes(), nonce.as_bytes()) => Ok(claims),
            Some(_) => Err(invalid(
                "the ID token's nonce is not the one this sign-in sent (a replayed or another sign-in's token)"
                    .into(),
            )),
            None => Err(invalid(
                "the ID token has no nonce; this sign-in sent one".into(),
            )),
        }
    }

    async fn get(&self, url: &str) -> Result<(Vec<u8>, Duration), String> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("{url} could not be reached ({})", error_chain(&e)))?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        let lifetime = response
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .map(cache_lifetime)
            .unwrap_or(DEFAULT_KEYS_LIFETIME);
        let mut response = response;
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("{url} could not be read ({e})"))?
        {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(format!(
                    "{url} answered more than {MAX_DOCUMENT_BYTES} bytes"
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, lifetime))
    }
}

/// What redeeming a provider's code sends.
#[derive(Debug, Clone, Copy)]
pub struct CodeRedemption<'a> {
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub client_id: &'a str,
    pub client_secret: Option<&'a str>,
    pub code_verifier: &'a str,
}

fn is_http_url(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The lifetime a `Cache-Control` value gives (its `max-age`), within a minute and a day; `no-store`, `no-cache`
/// and a missing `max-age` give the shortest and the default.
fn cache_lifetime(value: &str) -> Duration {
    let mut lifetime = DEFAULT_KEYS_LIFETIME;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if let Some(seconds) = lower.strip_prefix("max-age=") {
            if let Ok(seconds) = seconds.trim_matches('"').parse::<u64>() {
                lifetime = Duration::from_secs(seconds);
            }
        } else if lower == "no-store" || lower == "no-cache" {
            return MIN_KEYS_LIFETIME;
        }
    }
    lifetime.clamp(MIN_KEYS_LIFETIME, MAX_KEYS_LIFETIME)
}

/// The algorithm a key is pinned to: its `alg`, or the one its type and curve imply; `None` for a key that
/// signs nothing this service accepts (symmetric, encryption, other curves and algorithms).
fn pinned_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    if matches!(
        jwk.common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    ) {
        return None;
    }
    let implied = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            Algorithm::ES256
        }
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        _ => return None,
    };
    let algorithm = match jwk.common.key_algorithm {
        None => implied,
        Some(KeyAlgorithm::RS256) => Algorithm::RS256,
        Some(KeyAlgorithm::PS256) => Algorithm::PS256,
        Some(KeyAlgorithm::ES256) => Algorithm::ES256,
        Some(KeyAlgorithm::EdDSA) => Algorithm::EdDSA,
        Some(_) => return None,
    };
    // The alg must fit the key: an RSA key signs RS256 or PS256, the others only what their curve implies.
    let fits = match implied {
        Algorithm::RS256 => matches!(algorithm, Algorithm::RS256 | Algorithm::PS256),
        other => algorithm == other,
    };
    fits.then_some(algorithm)
}

/// The usable keys of a JWKS by kid. Keys this service cannot use are skipped, one by one, so that a key of a
/// kind it does not know (an issuer publishing an encryption key too) does not hide the others.
fn parse_jwks(body: &[u8]) -> Result<HashMap<String, Arc<PinnedKey>>, String> {
    let document: Value = serde_json::from_slice(body).map_err(|_| "is not JSON".to_string())?;
    let listed = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| "has no keys array".to_string())?;
    let mut keys = HashMap::new();
    for value in listed {
        let Ok(jwk) = serde_json::from_value::<Jwk>(value.clone()) else {
            continue;
        };
        let (Some(kid), Some(algorithm)) = (jwk.common.key_id.clone(), pinned_algorithm(&jwk))
        else {
            continue;
        };
        let Ok(key) = DecodingKey::from_jwk(&jwk) else {
            continue;
        };
        keys.insert(kid, Arc::new(PinnedKey { key, algorithm }));
    }
    Ok(keys)
}

/// A stable UUID (version 8) for a name that is not one, within a namespace: the first 16 bytes of the SHA-256 of
/// both. An app of an external issuer whose client ID is no GUID (`automation` at a generic provider) gets one
/// this way, the same on every replica and after every restart.
pub fn derived_uuid(namespace: &str, name: &str) -> uuid::Uuid {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{namespace}\n{name}").as_bytes(),
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_lifetimes_follow_max_age_within_bounds() {
        assert_eq!(
            cache_lifetime("max-age=86400, private"),
            Duration::from_secs(86_400)
        );
        assert_eq!(
            cache_lifetime("public, max-age=600"),
            Duration::from_secs(600)
        );
        assert_eq!(cache_lifetime("max-age=5"), MIN_KEYS_LIFETIME);
        assert_eq!(cache_lifetime("max-age=9999999"), MAX_KEYS_LIFETIME);
        assert_eq!(cache_lifetime("no-store"), MIN_KEYS_LIFETIME);
        assert_eq!(cache_lifetime("private"), DEFAULT_KEYS_LIFETIME);
    }

    #[test]
    fn each_key_pins_one_algorithm() {
        let rsa = serde_json::json!({"kty": "RSA", "kid": "r", "n": "sXch", "e": "AQAB"});
        let rsa_ps =
            serde_json::json!({"kty": "RSA", "kid": "p", "alg": "PS256", "n": "sXch", "e": "AQAB"});
        let rsa_enc =
            serde_json::json!({"kty": "RSA", "kid": "e", "use": "enc", "n": "sXch", "e": "AQAB"});
        let ec_as_rsa = serde_json::json!({"kty": "EC", "kid": "x", "crv": "P-256", "alg": "RS256", "x": "AA", "y": "AA"});
        let ed = serde_json::json!({"kty": "OKP", "kid": "d", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        let secret = serde_json::json!({"kty": "oct", "kid": "s", "k": "c2VjcmV0"});
        let pinned =
            |value: &Value| pinned_algorithm(&serde_json::from_value(value.clone()).unwrap());
        assert_eq!(pinned(&rsa), Some(Algorithm::RS256));
        assert_eq!(pinned(&rsa_ps), Some(Algorithm::PS256));
        assert_eq!(pinned(&rsa_enc), None);
        assert_eq!(pinned(&ec_as_rsa), None);
        assert_eq!(pinned(&ed), Some(Algorithm::EdDSA));
        assert_eq!(pinned(&secret), None);
        let set = serde_json::json!({"keys": [rsa, secret, ed, {"kty": "unknown"}]});
        let keys = parse_jwks(set.to_string().as_bytes()).unwrap();
        let mut kids: Vec<_> = keys.keys().cloned().collect();
        kids.sort();
        assert_eq!(kids, vec!["d", "r"]);
    }

    /// A provider on a real port: its discovery document, its JWKS (one P-256 key made for the test) and a token
    /// endpoint that answers `id_token` only for the code `good` with the verifier whose challenge it was given.
    struct Provider {
        issuer: String,
        key: jsonwebtoken::EncodingKey,
    }

    const CHALLENGE_OF_TEST_VERIFIER: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    const TEST_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    impl Provider {
        async fn start() -> Provider {
            use base64::engine::general_purpose::URL_SAFE_NO_PAD;
            use base64::Engine;
            use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
            let random = ring::rand::SystemRandom::new();
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random).unwrap();
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &random)
                    .unwrap();
            let point = pair.public_key().as_ref().to_vec();
            let jwks = serde_json::json!({"keys": [{
                "kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig",
                "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
                "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
            }]});
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let issuer = format!("http://{}", listener.local_addr().unwrap());
            let key = jsonwebtoken::EncodingKey::from_ec_der(pkcs8.as_ref());
            let provider = Provider {
                issuer: issuer.clone(),
                key: key.clone(),
            };
            let id_token = provider.id_token(serde_json::json!({"nonce": "n-1"}));
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    let (issuer, jwks, id_token) = (issuer.clone(), jwks.clone(), id_token.clone());
                    tokio::spawn(async move { serve(stream, &issuer, &jwks, &id_token).await });
                }
            });
            provider
        }

        fn id_token(&self, extra: Value) -> String {
            let now = crate::unix_now();
            let mut claims = serde_json::json!({
                "iss": self.issuer, "aud": "rp-client", "sub": "person-1",
                "iat": now, "exp": now + 300,
            });
            for (name, value) in extra.as_object().unwrap() {
                if value.is_null() {
                    claims.as_object_mut().unwrap().remove(name);
                } else {
                    claims[name] = value.clone();
                }
            }
            let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
            header.kid = Some("k1".into());
            jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
        }
    }

    async fn serve(mut stream: tokio::net::TcpStream, issuer: &str, jwks: &Value, id_token: &str) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        let (head, body) = loop {
            let read = stream.read(&mut buffer).await.unwrap_or(0);
            if read == 0 {
                return;
            }
            request.extend_from_slice(&buffer[..read]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if body.len() >= length {
                    break (head.to_string(), body.to_string());
                }
            }
        };
        let path = head.split(' ').nth(1).unwrap_or("");
        let (status, answer) = match path {
            "/.well-known/openid-configuration" => (
                "200 OK",
                serde_json::json!({
                    "issuer": issuer, "jwks_uri": format!("{issuer}/jwks"),
                    "authorization_endpoint": format!("{issuer}/auth"),
                    "token_endpoint": format!("{issuer}/token"),
                }),
            ),
            "/jwks" => ("200 OK", jwks.clone()),
            "/token" => {
                let form: HashMap<String, String> =
                    serde_urlencoded::from_str(&body).unwrap_or_default();
                let verifier = form.get("code_verifier").map(String::as_str).unwrap_or("");
                let good = form.get("grant_type").map(String::as_str) == Some("authorization_code")
                    && form.get("code").map(String::as_str) == Some("good")
                    && form.get("client_id").map(String::as_str) == Some("rp-client")
                    && crate::pkce_matches(verifier, CHALLENGE_OF_TEST_VERIFIER);
                if good {
                    (
                        "200 OK",
                        serde_json::json!({"id_token": id_token, "token_type": "Bearer"}),
                    )
                } else {
                    (
                        "400 Bad Request",
                        serde_json::json!({"error": "invalid_grant", "error_description": "no such code"}),
                    )
                }
            }
            _ => ("404 Not Found", serde_json::json!({})),
        };
        let body = answer.to_string();
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
    }

    fn keys() -> ExternalKeys {
        ExternalKeys::new(None, Duration::from_secs(1), 0).unwrap()
    }

    #[tokio::test]
    async fn an_id_token_is_held_to_its_issuer_audience_signature_expiry_and_nonce() {
        let provider = Provider::start().await;
        let keys = keys();
        let issuer = provider.issuer.as_str();
        let good = provider.id_token(serde_json::json!({"nonce": "n-1"}));
        let claims = keys
            .verify_id_token(&good, issuer, "rp-client", "n-1")
            .await
            .unwrap();
        assert_eq!(claims["sub"], "person-1");

        let refused = |result: Result<Map<String, Value>, TokenError>| result.unwrap_err();
        // Another sign-in's nonce, or none.
        let error = refused(
            keys.verify_id_token(&good, issuer, "rp-client", "n-2")
                .await,
        );
        assert!(error.to_string().contains("nonce"), "{error}");
        let no_nonce = provider.id_token(serde_json::json!({}));
        let error = refused(
            keys.verify_id_token(&no_nonce, issuer, "rp-client", "n-1")
                .await,
        );
        assert!(error.to_string().contains("nonce"), "{error}");
        // Another client's token.
        let error = refused(
            keys.verify_id_token(&good, issuer, "other-client", "n-1")
                .await,
        );
        assert!(matches!(error, TokenError::InvalidAudience(_)), "{error:?}");
        // Several audiences without this client as azp.
        let shared = provider
            .id_token(serde_json::json!({"nonce": "n-1", "aud": ["rp-client", "x"], "azp": "x"}));
        let error = refused(
            keys.verify_id_token(&shared, issuer, "rp-client", "n-1")
                .await,
        );
        assert!(error.to_string().contains("azp"), "{error}");
        // Expired.
        let old =
            provider.id_token(serde_json::json!({"nonce": "n-1", "exp": crate::unix_now() - 60}));
        let error = refused(keys.verify_id_token(&old, issuer, "rp-client", "n-1").await);
        assert_eq!(error, TokenError::Expired);
        // Another issuer named in the token than the trust's.
        let elsewhere =
            provider.id_token(serde_json::json!({"nonce": "n-1", "iss": "https://elsewhere"}));
        let error = refused(
            keys.verify_id_token(&elsewhere, issuer, "rp-client", "n-1")
                .await,
        );
        assert!(matches!(error, TokenError::UntrustedIssuer(_)), "{error:?}");
        // No sub.
        let nobody = provider.id_token(serde_json::json!({"nonce": "n-1", "sub": null}));
        let error = refused(
            keys.verify_id_token(&nobody, issuer, "rp-client", "n-1")
                .await,
        );
        assert!(error.to_string().contains("sub"), "{error}");
        // A changed payload under the provider's signature.
        let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
        let other = provider.id_token(serde_json::json!({"nonce": "n-1", "sub": "person-2"}));
        parts[1] = other.split('.').nth(1).unwrap().to_string();
        let error = refused(
            keys.verify_id_token(&parts.join("."), issuer, "rp-client", "n-1")
                .await,
        );
        assert_eq!(error, TokenError::InvalidSignature);
    }

    #[tokio::test]
    async fn the_code_is_redeemed_at_the_discovered_token_endpoint_with_the_verifier() {
        let provider = Provider::start().await;
        let keys = keys();
        let endpoints = keys.endpoints(&provider.issuer).await.unwrap();
        assert_eq!(
            endpoints,
            ProviderEndpoints {
                authorization_endpoint: format!("{}/auth", provider.issuer),
                token_endpoint: format!("{}/token", provider.issuer),
            }
        );
        let redemption = |code, verifier| CodeRedemption {
            code,
            redirect_uri: "http://127.0.0.1/federation/callback",
            client_id: "rp-client",
            client_secret: None,
            code_verifier: verifier,
        };
        let id_token = keys
            .redeem_code(&endpoints.token_endpoint, redemption("good", TEST_VERIFIER))
            .await
            .unwrap();
        let claims = keys
            .verify_id_token(&id_token, &provider.issuer, "rp-client", "n-1")
            .await
            .unwrap();
        assert_eq!(claims["sub"], "person-1");
        let wrong_verifier = "a".repeat(43);
        let error = keys
            .redeem_code(
                &endpoints.token_endpoint,
                redemption("good", &wrong_verifier),
            )
            .await
            .unwrap_err();
        assert!(error.contains("invalid_grant"), "{error}");
        let error = keys
            .redeem_code(&endpoints.token_endpoint, redemption("bad", TEST_VERIFIER))
            .await
            .unwrap_err();
        assert!(error.contains("refused the code"), "{error}");
    }
}
