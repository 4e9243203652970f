//! Tokens for mscommerce. The built-in issuer signs JWTs shaped like Microsoft Entra ID access tokens with an
//! Ed25519 key; the verifier checks them and turns their claims into a [`Principal`](mscommerce_domain::Principal).
//! Passwords and client secrets are kept only as Argon2id hashes. Apps may instead sign client assertions with a
//! certificate's key ([`assertion`]).

pub mod assertion;
mod claims;
pub mod external;
mod hasher;
mod keys;
mod opaque;
pub mod relying_party;
mod sealed;
mod secrets;
mod verify;

pub use claims::{
    tenant_issuer, AccessClaims, IdClaims, TokenIssuer, TokenSubject, TOKEN_LIFETIME_SECONDS,
};
pub use hasher::{Hasher, HasherBusy, HASHING_WAIT};
pub use keys::{Jwk, Jwks, ScheduledKey, SigningKey, SigningKeyError, ALGORITHM};
pub use opaque::{opaque_secret, pkce_matches, random_bytes, sha256_base64url};
pub use sealed::{is_sealed, open_private_key, sealed_by, KeyEncryptionKey, SealError};
pub use secrets::{generate_secret, hash_secret, verify_secret, verify_secret_against_nothing};
pub use verify::{TokenError, TokenVerifier, DEFAULT_CACHED_TOKENS, LEEWAY_SECONDS};

/// The resource (audience) Microsoft's module asks tokens for: "M365 License Manager".
pub const DEFAULT_AUDIENCE: &str = "aeb86249-8ea3-49e2-900b-54cc8e308f85";

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
