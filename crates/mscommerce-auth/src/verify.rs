//! Token verification: one algorithm, known keys, our issuer and audience, and a reason for every refusal.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mscommerce_cache::{BoundedCache, CacheStats};
use mscommerce_domain::{AppPermission, DirectoryRole, Principal, PrincipalKind};
use uuid::Uuid;

use crate::claims::AccessClaims;
use crate::keys::{Jwks, SigningKey, ALGORITHM};
use crate::unix_now;

/// Why a token was refused. Each has a stable code for the error envelope and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("No access token was sent. Send 'Authorization: Bearer <token>'; get a token from /oauth2/v2.0/token.")]
    Missing,
    #[error("The access token is not a JWT: {0}.")]
    Malformed(String),
    #[error("The access token is signed with '{0}'; this service accepts only EdDSA tokens from its own keys.")]
    UnsupportedAlgorithm(String),
    #[error("The access token's signing key '{0}' is not one this service trusts (see /discovery/v2.0/keys).")]
    UnknownKey(String),
    #[error("The access token's signature does not match its content.")]
    InvalidSignature,
    #[error("The access token has expired. Get a new one.")]
    Expired,
    #[error("The access token is not valid yet (its nbf is in the future).")]
    NotYetValid,
    #[error("The access token is for another audience; this service accepts tokens for '{0}'.")]
    InvalidAudience(String),
    #[error(
        "The access token was issued by another issuer; this service accepts tokens from '{0}/{{tenantId}}/v2.0' \
         (the token's own tenant) or '{0}'."
    )]
    InvalidIssuer(String),
    #[error("The access token's claims are incomplete: {0}.")]
    InvalidClaims(String),
    #[error(
        "The access token's header marks '{0}' as critical, an extension this service does not understand \
         (RFC 7515, section 4.1.11)."
    )]
    UnsupportedCritical(String),
    #[error(
        "The access token is signed with '{alg}', which its key '{kid}' does not allow: that key verifies only \
         {allowed} tokens."
    )]
    KeyAlgorithm {
        alg: String,
        kid: String,
        allowed: String,
    },
    #[error(
        "The access token's issuer '{0}' is trusted by no organization of this service. Tokens are accepted from \
         this service's own issuer and from the issuers organizations trust (a Global Administrator adds one with \
         POST /v1.0/trustedIssuers or New-MSCommerceTrustedIssuer)."
    )]
    UntrustedIssuer(String),
    #[error(
        "The access token's issuer '{issuer}' is trusted only for its directory '{expected}', and the token's \
         tid names another."
    )]
    ExternalTenantMismatch { issuer: String, expected: String },
    #[error("The keys of the access token's issuer '{issuer}' could not be fetched: {reason}.")]
    IssuerUnreachable { issuer: String, reason: String },
    /// A valid token of a trusted issuer that names no one this service can admit.
    #[error("The access token of the trusted issuer '{issuer}' cannot sign in here: {reason}.")]
    FederatedSignIn { issuer: String, reason: String },
    /// A valid token whose holder is gone: refused by the directory's current state, which is what authorizes.
    #[error(
        "The user or app this access token was issued to does not exist in its organization (any more). Sign in \
         again as an account that does."
    )]
    PrincipalNotFound,
    /// A valid token whose holder's account has been disabled since it was issued.
    #[error("The account this access token was issued to is disabled. An administrator can enable it again.")]
    PrincipalDisabled,
    /// A partner's token for a customer whose delegated admin relationship has ended or expired since.
    #[error(
        "The delegated admin relationship this access token was issued through has ended or expired: the partner \
         may not act for this organization now. Ask the customer for a new relationship."
    )]
    RelationshipNotActive,
}

impl TokenError {
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Missing => "TokenMissing",
            TokenError::Malformed(_) => "TokenMalformed",
            TokenError::UnsupportedAlgorithm(_) => "TokenUnsupportedAlgorithm",
            TokenError::UnknownKey(_) => "TokenUnknownKey",
            TokenError::InvalidSignature => "TokenInvalidSignature",
            TokenError::Expired => "TokenExpired",
            TokenError::NotYetValid => "TokenNotYetValid",
            TokenError::InvalidAudience(_) => "TokenInvalidAudience",
            TokenError::InvalidIssuer(_) => "TokenInvalidIssuer",
            TokenError::InvalidClaims(_) => "TokenInvalidClaims",
            TokenError::UnsupportedCritical(_) => "TokenUnsupportedCritical",
            TokenError::PrincipalNotFound => "TokenPrincipalNotFound",
            TokenError::KeyAlgorithm { .. } => "TokenAlgorithmNotAllowedByKey",
            TokenError::UntrustedIssuer(_) => "TokenUntrustedIssuer",
            TokenError::ExternalTenantMismatch { .. } => "TokenExternalTenantMismatch",
            TokenError::IssuerUnreachable { .. } => "TokenIssuerUnreachable",
            TokenError::FederatedSignIn { .. } => "TokenFederatedSignInRefused",
            TokenError::PrincipalDisabled => "TokenPrincipalDisabled",
            TokenError::RelationshipNotActive => "TokenRelationshipNotActive",
        }
    }
}

#[derive(Clone)]
struct CachedPrincipal {
    /// A keyed digest of the whole verified token ([`TokenVerifier::digest`]): the cache is keyed by 64 bits of
    /// the signature, so a hit must also be the same token. The digest's key is random and never leaves the
    /// process, so a token that differs anywhere (another signed part under a cached signature, bytes chosen to
    /// collide with some unkeyed fold) cannot be aimed at the same digest; it misses and is verified, and refused,
    /// in full. Eight bytes rather than the token's 800: a hit reads no cold copy of it.
    token_digest: u64,
    principal: Arc<Principal>,
    expires_at: i64,
}

/// The cache's key: 64 bits folded from a token's signature segment. Ed25519 signatures are unpredictable without
/// the private key, so these bits are already spread evenly and need no further hashing; a collision only costs a
/// miss (the tokens differ) and a full verification.
fn signature_key(signature: &str) -> u64 {
    let bytes = signature.as_bytes();
    let mut key = 0u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        key = (key.rotate_left(29) ^ u64::from_le_bytes(word)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    key
}

/// Hashes a `u64` key as itself (see [`signature_key`]).
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The keys tokens may be signed with, and the same keys as published.
struct TrustedKeys {
    decoding: HashMap<String, DecodingKey>,
    jwks: Jwks,
}

impl TrustedKeys {
    fn of(keys: &[SigningKey]) -> TrustedKeys {
        TrustedKeys {
            decoding: keys
                .iter()
                .map(|k| (k.kid.clone(), k.decoding.clone()))
                .collect(),
            jwks: Jwks {
                keys: keys.iter().map(SigningKey::jwk).collect(),
            },
        }
    }
}

/// Verifies access tokens. A verified token's principal is kept until the token expires, so a client that reuses
/// its token (every client does) pays for the signature check once.
///
/// The trusted keys can be replaced while the service runs (a rotation, another replica's or the command line's).
/// They are behind a lock that only a cache miss reads: the hot path, a cached token, takes only the lock of one
/// shard of the cache.
pub struct TokenVerifier {
    issuer: String,
    audience: String,
    keys: RwLock<Arc<TrustedKeys>>,
    validation: Validation,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    leeway: u64,
    /// Verified tokens by their signature segment (see [`signature_key`]), the least recently used dropped first.
    cache: BoundedCache<u64, CachedPrincipal, BuildHasherDefault<PassThrough>>,
    /// The key of the tokens' digests (SipHash with a key drawn from the system's randomness at start).
    digest_key: std::collections::hash_map::RandomState,
}

/// Verified tokens held unless configured otherwise (`token_cache_entries`): about 0.4 KB each.
pub const DEFAULT_CACHED_TOKENS: usize = 16_000;

/// Clock skew tolerated on `exp` and `nbf` unless told otherwise, in seconds.
pub const LEEWAY_SECONDS: u64 = 60;

impl TokenVerifier {
    pub fn new(issuer: &str, audience: &str, keys: &[SigningKey]) -> TokenVerifier {
        Self::with_leeway(issuer, audience, keys, LEEWAY_SECONDS)
    }

    /// A verifier that tolerates `leeway` seconds of clock skew on `exp` and `nbf`.
    pub fn with_leeway(
        issuer: &str,
        audience: &str,
        keys: &[SigningKey],
        leeway: u64,
    ) -> TokenVerifier {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[audience]);
        // The issuer is checked after decoding, against the token's own tenant (see `check_issuer`): the
        // library can only compare it with a fixed list.
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = leeway;
        TokenVerifier {
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            keys: RwLock::new(Arc::new(TrustedKeys::of(keys))),
            validation,
            leeway,
            cache: BoundedCache::with_hasher(DEFAULT_CACHED_TOKENS, BuildHasherDefault::default()),
            digest_key: std::collections::hash_map::RandomState::new(),
        }
    }

    /// The same verifier holding at most `tokens` verified tokens.
    pub fn with_cache_bound(mut self, tokens: usize) -> TokenVerifier {
        self.cache = BoundedCache::with_hasher(tokens, BuildHasherDefault::default());
        self
    }

    fn trusted(&self) -> Arc<TrustedKeys> {
        // A poisoned lock only means a writer panicked after building its value whole.
        Arc::clone(&self.keys.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Replaces the trusted keys. When a key is no longer trusted, verified tokens are forgotten, so that none
    /// signed by it is answered from the cache (a key is dropped after its tokens expired, but an operator may
    /// remove one sooner).
    pub fn set_keys(&self, keys: &[SigningKey]) {
        let new = Arc::new(TrustedKeys::of(keys));
        let old = std::mem::replace(
            &mut *self.keys.write().unwrap_or_else(|e| e.into_inner()),
            Arc::clone(&new),
        );
        if old
            .decoding
            .keys()
            .any(|kid| !new.decoding.contains_key(kid))
        {
            self.cache.clear();
        }
    }

    /// The trusted keys as a JWKS: what the service publishes is exactly what it accepts.
    pub fn jwks(&self) -> Jwks {
        self.trusted().jwks.clone()
    }

    /// The kids of the trusted keys.
    pub fn kids(&self) -> Vec<String> {
        self.trusted()
            .jwks
            .keys
            .iter()
            .map(|k| k.kid.clone())
            .collect()
    }

    fn digest(&self, token: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.digest_key, token)
    }

    /// Number of verified tokens held.
    pub fn cached_tokens(&self) -> usize {
        self.cache.len()
    }

    /// The verified tokens held, the tokens verified in full (misses) and those dropped to stay within the bound.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    pub fn verify(&self, token: &str) -> Result<Arc<Principal>, TokenError> {
        let now = unix_now();
        let (_, signature) = token.rsplit_once('.').unwrap_or(("", token));
        let key = signature_key(signature);
        let digest = self.digest(token);
        let hit = self.cache.get(&key, |hit| {
            (hit.token_digest == digest).then(|| {
                (
                    Arc::clone(&hit.principal),
                    hit.expires_at + self.leeway as i64 > now,
                )
            })
        });
        match hit.flatten() {
            Some((principal, true)) => return Ok(principal),
            Some((_, false)) => {
                self.cache.remove(&key);
                return Err(TokenError::Expired);
            }
            None => {}
        }
        let claims = self.check(token)?;
        let principal = Arc::new(principal_from(&claims)?);
        self.cache.insert(
            key,
            CachedPrincipal {
                token_digest: digest,
                principal: Arc::clone(&principal),
                expires_at: claims.exp,
            },
        );
        Ok(principal)
    }

    fn check(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let header = read_header(token)?;
        if header.alg != ALGORITHM {
            return Err(TokenError::UnsupportedAlgorithm(header.alg));
        }
        let kid = header
            .kid
            .ok_or_else(|| TokenError::UnknownKey("(none: the token has no kid)".into()))?;
        let trusted = self.trusted();
        let key = trusted
            .decoding
            .get(&kid)
            .ok_or(TokenError::UnknownKey(kid))?;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.into_kind() {
                ErrorKind::InvalidSignature => TokenError::InvalidSignature,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidAudience => TokenError::InvalidAudience(self.audience.clone()),
                ErrorKind::InvalidIssuer => TokenError::InvalidIssuer(self.issuer.clone()),
                ErrorKind::MissingRequiredClaim(claim) => {
                    TokenError::InvalidClaims(format!("the claim '{claim}' is missing"))
                }
                ErrorKind::InvalidAlgorithm => TokenError::UnsupportedAlgorithm(ALGORITHM.into()),
                ErrorKind::Json(e) => {
                    TokenError::InvalidClaims(format!("the claims do not read: {e}"))
                }
                other => TokenError::Malformed(format!("{other:?}")),
            })?;
        self.check_issuer(&claims)?;
        Ok(claims)
    }

    /// A token names this service as its issuer, or its own tenant's issuer (`{issuer}/{tid}/v2.0`, as Entra's
    /// tokens do): a tenant's issuer on a token of another tenant is refused.
    fn check_issuer(&self, claims: &AccessClaims) -> Result<(), TokenError> {
        if claims.iss == self.issuer {
            return Ok(());
        }
        let named_tenant = claims
            .iss
            .strip_prefix(self.issuer.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.strip_suffix("/v2.0"))
            .and_then(|tenant| Uuid::parse_str(tenant).ok());
        let tid = claim_uuid("tid", &claims.tid)?;
        match named_tenant {
            Some(named) if named == tid => Ok(()),
            _ => Err(TokenError::InvalidIssuer(self.issuer.clone())),
        }
    }
}

pub(crate) struct RawHeader {
    pub(crate) alg: String,
    pub(crate) kid: Option<String>,
}

/// Reads the header without trusting it, so that refusals can say what the token claimed to be.
pub(crate) fn read_header(token: &str) -> Result<RawHeader, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed(
            "a JWT has three base64url parts separated by dots".into(),
        ));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed("its header is not base64url".into()))?;
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| TokenError::Malformed("its header is not JSON".into()))?;
    let alg = json
        .get("alg")
        .and_then(|v| v.as_str())
        .ok_or_else(|| TokenError::Malformed("its header has no alg".into()))?;
    // This service understands no extension, so any header parameter marked critical is one it must refuse.
    if let Some(crit) = json.get("crit") {
        let names = match crit.as_array() {
            Some(names) if !names.is_empty() => names
                .iter()
                .map(|n| n.as_str().map_or_else(|| n.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join("', '"),
            _ => crit.to_string(),
        };
        return Err(TokenError::UnsupportedCritical(names));
    }
    Ok(RawHeader {
        alg: alg.to_string(),
        kid: json.get("kid").and_then(|v| v.as_str()).map(str::to_string),
    })
}

fn claim_uuid(name: &str, value: &str) -> Result<Uuid, TokenError> {
    Uuid::parse_str(value).map_err(|_| TokenError::InvalidClaims(format!("'{name}' is not a GUID")))
}

/// Maps claims to a principal. Unknown roles and permissions are ignored: they grant nothing here.
fn principal_from(claims: &AccessClaims) -> Result<Principal, TokenError> {
    let tenant_id = claim_uuid("tid", &claims.tid)?.into();
    let object_id = claim_uuid("oid", &claims.oid)?;
    let kind = if claims.idtyp == "app" {
        let client_id = claims
            .appid
            .as_deref()
            .or(claims.azp.as_deref())
            .ok_or_else(|| TokenError::InvalidClaims("an app token needs 'appid'".into()))?;
        PrincipalKind::App {
            client_id: claim_uuid("appid", client_id)?,
            display_name: claims.name.clone().unwrap_or_else(|| client_id.to_string()),
            permissions: claims
                .roles
                .iter()
                .flatten()
                .filter_map(|r| AppPermission::parse(r))
                .collect(),
        }
    } else {
        let upn = claims
            .upn
            .clone()
            .ok_or_else(|| TokenError::InvalidClaims("a user token needs 'upn'".into()))?;
        PrincipalKind::User {
            display_name: claims.name.clone().unwrap_or_else(|| upn.clone()),
            upn,
            roles: claims
                .wids
                .iter()
                .flatten()
                .filter_map(|r| DirectoryRole::parse(r))
                .collect(),
        }
    };
    let partner_tenant_id = claims
        .partner_tid
        .as_deref()
        .map(|p| claim_uuid("partner_tid", p).map(Into::into))
        .transpose()?;
    Ok(Principal {
        tenant_id,
        object_id,
        kind,
        partner_tenant_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{TokenIssuer, TokenSubject};

    fn issuer() -> TokenIssuer {
        TokenIssuer::new("http://issuer", "aud", SigningKey::generate().unwrap())
    }

    fn reader() -> TokenSubject {
        TokenSubject::User {
            tenant_id: mscommerce_domain::TenantId::generate(),
            object_id: Uuid::new_v4(),
            upn: "reader@contoso.test".into(),
            display_name: "Reader".into(),
            role_ids: vec![
                DirectoryRole::GlobalReader.template_id().into(),
                "not-a-role".into(),
            ],
            client_id: None,
        }
    }

    #[test]
    fn a_good_token_becomes_its_principal() {
        let issuer = issuer();
        let verifier = TokenVerifier::new(
            "http://issuer",
            "aud",
            std::slice::from_ref(&issuer.signing_key(0)),
        );
        let principal = verifier
            .verify(&issuer.issue(&reader(), unix_now()))
            .unwrap();
        match &principal.kind {
            PrincipalKind::User { upn, roles, .. } => {
                assert_eq!(upn, "reader@contoso.test");
                assert_eq!(roles, &vec![DirectoryRole::GlobalReader]);
            }
            other => panic!("expected a user, got {other:?}"),
        }
    }

    #[test]
    fn a_cached_signature_does_not_vouch_for_other_claims() {
        let issuer = issuer();
        let verifier = TokenVerifier::new(
            "http://issuer",
            "aud",
            std::slice::from_ref(&issuer.signing_key(0)),
        );
        let now = unix_now();
        let genuine = issuer.issue(&reader(), now);
        verifier.verify(&genuine).unwrap();
        assert_eq!(verifier.cached_tokens(), 1);

        // The claims of another token (another user) under the cached token's signature.
        let admin = TokenSubject::User {
            tenant_id: mscommerce_domain::TenantId::generate(),
            object_id: Uuid::new_v4(),
            upn: "admin@contoso.test".into(),
            display_name: "Admin".into(),
            role_ids: vec![DirectoryRole::GlobalAdministrator.template_id().into()],
            client_id: None,
        };
        let other = issuer.issue(&admin, now);
        let (other_signed, _) = other.rsplit_once('.').unwrap();
        let (_, genuine_signature) = genuine.rsplit_once('.').unwrap();
        let forged = format!("{other_signed}.{genuine_signature}");
        assert_eq!(verifier.verify(&forged), Err(TokenError::InvalidSignature));

        // The genuine token still answers its own principal, from the cache.
        let principal = verifier.verify(&genuine).unwrap();
        assert!(
            matches!(&principal.kind, PrincipalKind::User { upn, .. } if upn == "reader@contoso.test")
        );
        assert_eq!(verifier.cached_tokens(), 1);
    }

    /// The cache's digest of the signed part, as it was, is not collision-resistant: two words of a token can be
    /// changed so that it folds to the same 64 bits. The tampered token must be refused all the same.
    #[test]
    fn a_cached_token_with_other_bytes_is_verified_again() {
        let issuer = issuer();
        let verifier = TokenVerifier::new(
            "http://issuer",
            "aud",
            std::slice::from_ref(&issuer.signing_key(0)),
        );
        let genuine = issuer.issue(&reader(), unix_now());
        verifier.verify(&genuine).unwrap();

        let (signed, signature) = genuine.rsplit_once('.').unwrap();
        let mut bytes = signed.as_bytes().to_vec();
        // Words 8 and 9 of the claims: the first changed at will, the second chosen so that the fold of the
        // first ten words comes out as before (each step of it can be undone).
        let word = |b: &[u8], i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap());
        let fold = |b: &[u8], words: usize| {
            (0..words).fold(b.len() as u64, |d, i| {
                (d.rotate_left(23) ^ word(b, i)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            })
        };
        let before = fold(&bytes, 9);
        // Printable bytes only, so that the tampered token is a string a client could send: try first words
        // until the compensating second one is printable too.
        let printable = |w: u64| {
            w.to_le_bytes()
                .iter()
                .all(|b| (b'!'..=b'~').contains(b) && *b != b'.')
        };
        let (first, second) = (0u64..)
            .map(|n| {
                let first = u64::from_le_bytes(*b"AAAAAAAA") + n;
                let mut candidate = bytes.clone();
                candidate[64..72].copy_from_slice(&first.to_le_bytes());
                let after = fold(&candidate, 9);
                (
                    first,
                    before.rotate_left(23) ^ word(&bytes, 9) ^ after.rotate_left(23),
                )
            })
            .find(|&(first, second)| printable(first) && printable(second))
            .unwrap();
        bytes[64..72].copy_from_slice(&first.to_le_bytes());
        bytes[72..80].copy_from_slice(&second.to_le_bytes());
        assert_eq!(fold(&bytes, 10), fold(signed.as_bytes(), 10));
        let tampered = format!("{}.{signature}", String::from_utf8(bytes).unwrap());
        assert_ne!(tampered, genuine);

        assert!(verifier.verify(&tampered).is_err());
        // One byte changed anywhere is refused too.
        for at in [0, signed.len() / 2, signed.len() - 1] {
            let mut one = signed.as_bytes().to_vec();
            one[at] = if one[at] == b'A' { b'B' } else { b'A' };
            let token = format!("{}.{signature}", String::from_utf8(one).unwrap());
            assert!(verifier.verify(&token).is_err(), "byte {at} changed");
        }
        assert!(verifier.verify(&genuine).is_ok());
    }

    /// RFC 7515 section 4.1.11: a header that marks as critical an extension the service does not understand.
    #[test]
    fn a_critical_extension_is_refused() {
        let issuer = issuer();
        let verifier = TokenVerifier::new(
            "http://issuer",
            "aud",
            std::slice::from_ref(&issuer.signing_key(0)),
        );
        let claims = issuer.claims_for(&reader(), unix_now());
        let json = serde_json::json!({
            "alg": "EdDSA", "typ": "JWT", "kid": issuer.signing_key(0).kid, "crit": ["exp-extension"], "exp-extension": 1
        });
        let head = URL_SAFE_NO_PAD.encode(json.to_string());
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_string(&claims).unwrap());
        let signed = format!("{head}.{body}");
        let signature = jsonwebtoken::crypto::sign(
            signed.as_bytes(),
            &issuer.signing_key(0).encoding,
            Algorithm::EdDSA,
        )
        .unwrap();
        let token = format!("{signed}.{signature}");
        assert_eq!(
            verifier.verify(&token),
            Err(TokenError::UnsupportedCritical("exp-extension".into()))
        );
    }

    #[test]
    fn a_rotation_swaps_the_keys_of_the_issuer_and_the_verifier() {
        let issuer = issuer();
        let old = issuer.signing_key(0);
        let verifier = TokenVerifier::new("http://issuer", "aud", std::slice::from_ref(&old));
        let now = unix_now();
        let before = issuer.issue(&reader(), now);
        verifier.verify(&before).unwrap();

        // A new key, published now, signing from a minute on.
        let new = SigningKey::generate().unwrap();
        issuer.set_keys(vec![
            crate::ScheduledKey {
                key: old.clone(),
                signs_from: 0,
            },
            crate::ScheduledKey {
                key: new.clone(),
                signs_from: now + 60,
            },
        ]);
        verifier.set_keys(&[old.clone(), new.clone()]);
        assert_eq!(verifier.jwks().keys.len(), 2);
        assert_eq!(issuer.signing_key(now).kid, old.kid, "not before its time");
        assert_eq!(issuer.signing_key(now + 60).kid, new.kid);
        let after = issuer.issue(&reader(), now + 60);
        verifier.verify(&after).unwrap();
        verifier.verify(&before).unwrap();
        assert_eq!(verifier.cached_tokens(), 2);

        // The old key removed: its tokens are refused, even those held in the cache.
        verifier.set_keys(std::slice::from_ref(&new));
        assert_eq!(verifier.kids(), vec![new.kid.clone()]);
        assert!(matches!(
            verifier.verify(&before),
            Err(TokenError::UnknownKey(_))
        ));
        verifier.verify(&after).unwrap();
    }

    #[test]
    fn each_defect_has_its_own_error() {
        let issuer = issuer();
        let verifier = TokenVerifier::new(
            "http://issuer",
            "aud",
            std::slice::from_ref(&issuer.signing_key(0)),
        );
        let now = unix_now();
        let mut expired = issuer.claims_for(&reader(), now - 7200);
        expired.exp = now - 3600;
        assert_eq!(
            verifier.verify(&issuer.sign(&expired)),
            Err(TokenError::Expired)
        );

        let mut early = issuer.claims_for(&reader(), now);
        early.nbf = now + 600;
        assert_eq!(
            verifier.verify(&issuer.sign(&early)),
            Err(TokenError::NotYetValid)
        );

        let mut other_aud = issuer.claims_for(&reader(), now);
        other_aud.aud = "someone-else".into();
        assert!(matches!(
            verifier.verify(&issuer.sign(&other_aud)),
            Err(TokenError::InvalidAudience(_))
        ));

        let stranger = self::issuer();
        assert!(matches!(
            verifier.verify(&stranger.issue(&reader(), now)),
            Err(TokenError::UnknownKey(_))
        ));
        assert!(matches!(
            verifier.verify("abc"),
            Err(TokenError::Malformed(_))
        ));
    }

    #[test]
    fn a_token_names_its_own_tenants_issuer_or_the_services() {
        let issuer = issuer();
        let verifier = TokenVerifier::new(
            "http://issuer",
            "aud",
            std::slice::from_ref(&issuer.signing_key(0)),
        );
        let now = unix_now();
        let claims = issuer.claims_for(&reader(), now);
        assert_eq!(claims.iss, format!("http://issuer/{}/v2.0", claims.tid));
        verifier.verify(&issuer.sign(&claims)).unwrap();

        // Tokens issued before issuers were per tenant carry the service's issuer, and keep working.
        let mut old = issuer.claims_for(&reader(), now);
        old.iss = "http://issuer".into();
        verifier.verify(&issuer.sign(&old)).unwrap();

        let other_tenant = mscommerce_domain::TenantId::generate();
        for iss in [
            format!("http://issuer/{other_tenant}/v2.0"),
            format!("http://issuer/{}", claims.tid),
            format!("http://issuer.example/{}/v2.0", claims.tid),
            format!("http://issuer/{}/v2.0/", claims.tid),
            "http://issuer/common/v2.0".to_string(),
            "http://elsewhere".to_string(),
        ] {
            let mut forged = issuer.claims_for(&reader(), now);
            forged.iss = iss.clone();
            assert!(
                matches!(
                    verifier.verify(&issuer.sign(&forged)),
                    Err(TokenError::InvalidIssuer(_))
                ),
                "{iss} was accepted"
            );
        }
    }
}
