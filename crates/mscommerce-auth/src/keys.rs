//! Signing keys: Ed25519, generated on first start, persisted by the store, published as a JWKS.
//!
//! Ed25519 rather than RSA: generation is instant (no start-up pause on an empty database), signatures are small
//! and fast to verify, and `EdDSA` is supported by every current JOSE library.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::Serialize;

use crate::sealed::{is_sealed, KeyEncryptionKey, SealError};

/// The JOSE name of the one algorithm this service signs and accepts.
pub const ALGORITHM: &str = "EdDSA";

#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    #[error("signing key {kid}: {problem}")]
    Invalid { kid: String, problem: String },
    #[error("the system's random number generator failed")]
    Random,
    #[error("signing key {kid}: {source}")]
    Sealed {
        kid: String,
        #[source]
        source: SealError,
    },
}

/// A key pair, ready to sign and verify.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    /// PKCS#8 document, as stored.
    pkcs8: Vec<u8>,
    /// Raw 32-byte public key.
    public: Vec<u8>,
    pub(crate) encoding: EncodingKey,
    pub(crate) decoding: DecodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    pub fn generate() -> Result<SigningKey, SigningKeyError> {
        let document = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .map_err(|_| SigningKeyError::Random)?;
        let pkcs8 = document.as_ref().to_vec();
        let public = Self::public_of(&pkcs8, "new")?;
        // The key ID is derived from the public key, so it is stable and says nothing secret.
        let digest = ring::digest::digest(&ring::digest::SHA256, &public);
        let kid = URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12]);
        Ok(Self::assemble(kid, pkcs8, public))
    }

    /// Rebuilds a key from its stored form: sealed with `kek`, or base64 PKCS#8 in clear as older versions stored
    /// it.
    pub fn from_stored(
        kid: &str,
        stored: &str,
        kek: &KeyEncryptionKey,
    ) -> Result<SigningKey, SigningKeyError> {
        let invalid = |problem: String| SigningKeyError::Invalid {
            kid: kid.to_string(),
            problem,
        };
        let pkcs8 = if is_sealed(stored) {
            kek.open(kid, stored)
                .map_err(|source| SigningKeyError::Sealed {
                    kid: kid.to_string(),
                    source,
                })?
        } else {
            STANDARD
                .decode(stored)
                .map_err(|e| invalid(format!("the private key is not base64: {e}")))?
        };
        let public = Self::public_of(&pkcs8, kid)?;
        Ok(Self::assemble(kid.to_string(), pkcs8, public))
    }

    fn public_of(pkcs8: &[u8], kid: &str) -> Result<Vec<u8>, SigningKeyError> {
        Ed25519KeyPair::from_pkcs8(pkcs8)
            .map(|pair| pair.public_key().as_ref().to_vec())
            .map_err(|e| SigningKeyError::Invalid {
                kid: kid.to_string(),
                problem: format!("not an Ed25519 PKCS#8 key: {e}"),
            })
    }

    fn assemble(kid: String, pkcs8: Vec<u8>, public: Vec<u8>) -> SigningKey {
        SigningKey {
            encoding: EncodingKey::from_ed_der(&pkcs8),
            decoding: DecodingKey::from_ed_der(&public),
            kid,
            pkcs8,
            public,
        }
    }

    /// The private key as the store keeps it: sealed with `kek`.
    pub fn sealed(&self, kek: &KeyEncryptionKey) -> Result<String, SigningKeyError> {
        kek.seal(&self.kid, &self.pkcs8)
            .map_err(|source| SigningKeyError::Sealed {
                kid: self.kid.clone(),
                source,
            })
    }

    /// The public key as a JWK's `x`.
    pub fn public_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.public)
    }

    pub fn jwk(&self) -> Jwk {
        Jwk {
            kty: "OKP",
            crv: "Ed25519",
            alg: ALGORITHM,
            key_use: "sig",
            kid: self.kid.clone(),
            x: self.public_base64url(),
        }
    }
}

/// A public key in JWK form (RFC 8037).
#[derive(Debug, Clone, Serialize)]
pub struct Jwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub alg: &'static str,
    #[serde(rename = "use")]
    pub key_use: &'static str,
    pub kid: String,
    pub x: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// A key and the moment it starts signing (seconds since the Unix epoch, as a token's `iat`): a rotated key is
/// published, and trusted, before it signs.
#[derive(Debug, Clone)]
pub struct ScheduledKey {
    pub key: SigningKey,
    pub signs_from: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_key_comes_back_the_same() {
        let (kek, _) = KeyEncryptionKey::generate().unwrap();
        let key = SigningKey::generate().unwrap();
        let sealed = key.sealed(&kek).unwrap();
        let again = SigningKey::from_stored(&key.kid, &sealed, &kek).unwrap();
        assert_eq!(again.public_base64url(), key.public_base64url());
        assert_eq!(key.jwk().x.len(), 43);
        // A key stored in clear by an older version still reads.
        let clear = STANDARD.encode(&key.pkcs8);
        let again = SigningKey::from_stored(&key.kid, &clear, &kek).unwrap();
        assert_eq!(again.public_base64url(), key.public_base64url());
        assert!(SigningKey::from_stored("k", "bm90IGEga2V5", &kek).is_err());
        let (other, _) = KeyEncryptionKey::generate().unwrap();
        assert!(matches!(
            SigningKey::from_stored(&key.kid, &sealed, &other),
            Err(SigningKeyError::Sealed {
                source: SealError::WrongKek { .. },
                ..
            })
        ));
    }
}
