//! Token verification: one algorithm, known keys, our issuer and audience, and a reason for every refusal.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use dashmap::DashMap;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mscommerce_domain::{AppPermission, DirectoryRole, Principal, PrincipalKind};
use uuid::Uuid;

use crate::claims::AccessClaims;
use crate::keys::{SigningKey, ALGORITHM};
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
        "The access token was issued by another issuer; this service accepts tokens from '{0}'."
    )]
    InvalidIssuer(String),
    #[error("The access token's claims are incomplete: {0}.")]
    InvalidClaims(String),
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
        }
    }
}

#[derive(Clone)]
struct CachedPrincipal {
    /// A digest of the token's header and claims: the cache is keyed by the signature alone, so a hit must also
    /// match what was signed. A token made of a cached signature and other claims misses and is verified (and
    /// refused) in full. The digest is computed from the request's bytes, which are hot in the CPU's cache, rather
    /// than comparing the request with a stored copy of the token, which is not (and would cost 700 bytes a token).
    signed_digest: u64,
    principal: Arc<Principal>,
    expires_at: i64,
}

/// The cache's key: 64 bits folded from a token's signature segment. Ed25519 signatures are unpredictable without
/// the private key, so these bits are already spread evenly and need no further hashing; a collision only costs a
/// miss (the digest differs) and a full verification.
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

/// A fast 64-bit digest of the signed part of a token (header and claims). Not keyed: finding two claim sets with
/// one digest gains nothing, since a hit answers the principal that was verified with that very signature.
fn signed_digest(signed: &str) -> u64 {
    let bytes = signed.as_bytes();
    let mut digest = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        digest = (digest.rotate_left(23) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    digest =
        (digest.rotate_left(23) ^ u64::from_le_bytes(tail)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    digest ^ (digest >> 32)
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

/// Verifies access tokens. A verified token's principal is kept until the token expires, so a client that reuses
/// its token (every client does) pays for the signature check once.
pub struct TokenVerifier {
    issuer: String,
    audience: String,
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
    /// Verified tokens by their signature segment (see [`signature_key`]).
    cache: DashMap<u64, CachedPrincipal, BuildHasherDefault<PassThrough>>,
    cache_capacity: usize,
}

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECONDS: u64 = 60;

impl TokenVerifier {
    pub fn new(issuer: &str, audience: &str, keys: &[SigningKey]) -> TokenVerifier {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[audience]);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        TokenVerifier {
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            keys: keys
                .iter()
                .map(|k| (k.kid.clone(), k.decoding.clone()))
                .collect(),
            validation,
            cache: DashMap::default(),
            cache_capacity: 100_000,
        }
    }

    /// Number of verified tokens held.
    pub fn cached_tokens(&self) -> usize {
        self.cache.len()
    }

    pub fn verify(&self, token: &str) -> Result<Arc<Principal>, TokenError> {
        let now = unix_now();
        let (signed, signature) = token.rsplit_once('.').unwrap_or(("", token));
        let key = signature_key(signature);
        let digest = signed_digest(signed);
        if let Some(hit) = self.cache.get(&key) {
            if hit.signed_digest == digest {
                if hit.expires_at + LEEWAY_SECONDS as i64 > now {
                    return Ok(Arc::clone(&hit.principal));
                }
                drop(hit);
                self.cache.remove(&key);
                return Err(TokenError::Expired);
            }
        }
        let claims = self.check(token)?;
        let principal = Arc::new(principal_from(&claims)?);
        if self.cache.len() >= self.cache_capacity {
            // Rare (a flood of distinct tokens): drop what has expired, and everything if that is not enough.
            self.cache.retain(|_, v| v.expires_at > now);
            if self.cache.len() >= self.cache_capacity {
                self.cache.clear();
            }
        }
        self.cache.insert(
            key,
            CachedPrincipal {
                signed_digest: digest,
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
        let key = self.keys.get(&kid).ok_or(TokenError::UnknownKey(kid))?;
        jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation)
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
            })
    }
}

struct RawHeader {
    alg: String,
    kid: Option<String>,
}

/// Reads the header without trusting it, so that refusals can say what the token claimed to be.
fn read_header(token: &str) -> Result<RawHeader, TokenError> {
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
    let tenant_id = claim_uuid("tid", &claims.tid)?;
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
    Ok(Principal {
        tenant_id,
        object_id,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{TokenIssuer, TokenSubject};

    fn issuer() -> TokenIssuer {
        TokenIssuer {
            issuer: "http://issuer".into(),
            audience: "aud".into(),
            key: SigningKey::generate().unwrap(),
        }
    }

    fn reader() -> TokenSubject {
        TokenSubject::User {
            tenant_id: Uuid::new_v4(),
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
        let verifier =
            TokenVerifier::new("http://issuer", "aud", std::slice::from_ref(&issuer.key));
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
        let verifier =
            TokenVerifier::new("http://issuer", "aud", std::slice::from_ref(&issuer.key));
        let now = unix_now();
        let genuine = issuer.issue(&reader(), now);
        verifier.verify(&genuine).unwrap();
        assert_eq!(verifier.cached_tokens(), 1);

        // The claims of another token (another user) under the cached token's signature.
        let admin = TokenSubject::User {
            tenant_id: Uuid::new_v4(),
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

    #[test]
    fn each_defect_has_its_own_error() {
        let issuer = issuer();
        let verifier =
            TokenVerifier::new("http://issuer", "aud", std::slice::from_ref(&issuer.key));
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
}
