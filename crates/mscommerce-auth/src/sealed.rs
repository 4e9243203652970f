//! Private keys encrypted at rest: AES-256-GCM under a key-encryption key (KEK) that is never stored in the
//! database, so that the database and its backups hold only ciphertext.
//!
//! Stored form: `sealed:v1:<kek id>:<base64 of nonce, ciphertext and tag>`. The version says how to read the
//! rest; the KEK id (the first 8 bytes of a digest of the KEK, in hex) says which KEK sealed the key, so a wrong
//! KEK is recognised and named before any decryption is tried. Each key gets a fresh random 96-bit nonce, and the
//! key's `kid` is the associated data: a sealed key copied onto another key's row does not open.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

const PREFIX: &str = "sealed:v1:";
/// Bytes of a KEK: AES-256.
const KEK_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error(
        "the key-encryption key must be {KEK_LEN} random bytes in base64 (44 characters, such as the output of \
         `openssl rand -base64 32`); {0}"
    )]
    BadKek(String),
    #[error(
        "it was encrypted with the key-encryption key {sealed_by}, and the configured key-encryption key is \
         {configured}"
    )]
    WrongKek {
        sealed_by: String,
        configured: String,
    },
    #[error("its stored form is damaged or not one this version reads: {0}")]
    Damaged(String),
    #[error("the system's random number generator failed")]
    Random,
}

/// The key that encrypts signing keys at rest.
pub struct KeyEncryptionKey {
    key: LessSafeKey,
    id: String,
    /// HMAC-SHA256 under the KEK's bytes: the keys derived from it for other purposes ([`KeyEncryptionKey::derive`]).
    derivation: ring::hmac::Key,
}

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEncryptionKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl KeyEncryptionKey {
    /// A new random KEK and its text form (base64), to be written where the operator keeps it.
    pub fn generate() -> Result<(KeyEncryptionKey, String), SealError> {
        let mut bytes = [0u8; KEK_LEN];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| SealError::Random)?;
        let text = STANDARD.encode(bytes);
        Ok((Self::from_bytes(&bytes)?, text))
    }

    /// Reads the text form: base64 of 32 bytes, surrounding whitespace ignored (a file ends with a newline).
    pub fn from_base64(text: &str) -> Result<KeyEncryptionKey, SealError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| SealError::BadKek(format!("this is not base64 ({e})")))?;
        if bytes.len() != KEK_LEN {
            return Err(SealError::BadKek(format!("this is {} bytes", bytes.len())));
        }
        Self::from_bytes(&bytes)
    }

    fn from_bytes(bytes: &[u8]) -> Result<KeyEncryptionKey, SealError> {
        let key = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| SealError::BadKek("AES-256-GCM refused it".into()))?;
        // Domain-separated, so the id is not the plain digest of a key used elsewhere.
        let mut context = ring::digest::Context::new(&ring::digest::SHA256);
        context.update(b"mscommerce key-encryption key id\0");
        context.update(bytes);
        let id = context.finish().as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(KeyEncryptionKey {
            key: LessSafeKey::new(key),
            id,
            derivation: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, bytes),
        })
    }

    /// A 32-byte key for the purpose `label`, derived from the KEK (HMAC-SHA256 of the label): every replica that
    /// holds the KEK derives the same one, and no derived key reveals the KEK or another label's key.
    pub fn derive(&self, label: &str) -> [u8; 32] {
        let mut derived = [0u8; 32];
        derived.copy_from_slice(ring::hmac::sign(&self.derivation, label.as_bytes()).as_ref());
        derived
    }

    /// The KEK's id, as stored beside every key it sealed. Says nothing about the KEK itself.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Encrypts `secret` (a PKCS#8 document) for the key `kid`.
    pub fn seal(&self, kid: &str, secret: &[u8]) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SealError::Random)?;
        let mut in_out = secret.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(kid.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| SealError::Damaged("the key is too long to encrypt".into()))?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&in_out);
        Ok(format!("{PREFIX}{}:{}", self.id, STANDARD.encode(sealed)))
    }

    /// Decrypts the stored form of the key `kid`.
    pub fn open(&self, kid: &str, stored: &str) -> Result<Vec<u8>, SealError> {
        let Some(sealed_by) = sealed_by(stored) else {
            return Err(SealError::Damaged(format!(
                "it does not start with '{PREFIX}'"
            )));
        };
        if sealed_by != self.id {
            return Err(SealError::WrongKek {
                sealed_by: sealed_by.to_string(),
                configured: self.id.clone(),
            });
        }
        let body = &stored[PREFIX.len() + sealed_by.len() + 1..];
        let mut bytes = STANDARD
            .decode(body)
            .map_err(|e| SealError::Damaged(format!("its ciphertext is not base64 ({e})")))?;
        if bytes.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(SealError::Damaged("its ciphertext is too short".into()));
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[..NONCE_LEN]);
        let opened = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(kid.as_bytes()),
                &mut bytes[NONCE_LEN..],
            )
            .map_err(|_| {
                SealError::Damaged(
                    "it does not decrypt: its ciphertext was changed, or it belongs to another key"
                        .into(),
                )
            })?;
        Ok(opened.to_vec())
    }
}

/// Whether a stored private key is sealed (rather than in clear, as older versions stored it).
pub fn is_sealed(stored: &str) -> bool {
    sealed_by(stored).is_some()
}

/// The id of the KEK that sealed a stored private key; `None` for a key stored in clear.
pub fn sealed_by(stored: &str) -> Option<&str> {
    let rest = stored.strip_prefix(PREFIX)?;
    rest.split_once(':').map(|(id, _)| id)
}

/// The PKCS#8 document of a sealed private key, given the KEK's text form (base64) and the key's `kid`: for tools
/// and tests that read a key straight from the database.
pub fn open_private_key(kek_base64: &str, kid: &str, stored: &str) -> Result<Vec<u8>, SealError> {
    KeyEncryptionKey::from_base64(kek_base64)?.open(kid, stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_are_the_same_for_the_same_kek_and_label_only() {
        let (kek, text) = KeyEncryptionKey::generate().unwrap();
        let again = KeyEncryptionKey::from_base64(&text).unwrap();
        let (other, _) = KeyEncryptionKey::generate().unwrap();
        assert_eq!(
            kek.derive("pending sign-in"),
            again.derive("pending sign-in")
        );
        assert_ne!(kek.derive("pending sign-in"), kek.derive("another purpose"));
        assert_ne!(
            kek.derive("pending sign-in"),
            other.derive("pending sign-in")
        );
        assert_ne!(
            &kek.derive("pending sign-in")[..],
            &STANDARD.decode(&text).unwrap()[..]
        );
    }

    #[test]
    fn a_sealed_key_opens_with_its_kek_and_kid_only() {
        let (kek, text) = KeyEncryptionKey::generate().unwrap();
        let sealed = kek.seal("kid-1", b"secret pkcs8").unwrap();
        assert!(sealed.starts_with(&format!("sealed:v1:{}:", kek.id())));
        assert_eq!(kek.id().len(), 16);
        assert!(!sealed.contains(&STANDARD.encode(b"secret pkcs8")));
        assert_eq!(kek.open("kid-1", &sealed).unwrap(), b"secret pkcs8");
        assert_eq!(
            open_private_key(&text, "kid-1", &sealed).unwrap(),
            b"secret pkcs8"
        );
        // A fresh nonce each time.
        assert_ne!(kek.seal("kid-1", b"secret pkcs8").unwrap(), sealed);
        // Another kid (the row of another key): refused.
        assert!(matches!(
            kek.open("kid-2", &sealed),
            Err(SealError::Damaged(_))
        ));
        // Another KEK: named, before any decryption.
        let (other, _) = KeyEncryptionKey::generate().unwrap();
        assert_eq!(
            other.open("kid-1", &sealed),
            Err(SealError::WrongKek {
                sealed_by: kek.id().into(),
                configured: other.id().into()
            })
        );
        // One byte of the ciphertext changed: refused.
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(kek.open("kid-1", &tampered).is_err());
    }

    #[test]
    fn a_kek_must_be_32_bytes_of_base64() {
        assert!(matches!(
            KeyEncryptionKey::from_base64("not base64!"),
            Err(SealError::BadKek(_))
        ));
        assert!(matches!(
            KeyEncryptionKey::from_base64(&STANDARD.encode([1u8; 16])),
            Err(SealError::BadKek(_))
        ));
        let text = format!("{}\n", STANDARD.encode([7u8; 32]));
        let a = KeyEncryptionKey::from_base64(&text).unwrap();
        let b = KeyEncryptionKey::from_base64(text.trim()).unwrap();
        assert_eq!(a.id(), b.id());
        assert!(!is_sealed("MFECAQEwBQYDK2VwBCIEI"));
        assert_eq!(sealed_by("sealed:v1:00ff:abc"), Some("00ff"));
    }
}
