//! Passwords and client secrets: generated from the system's random source, stored as Argon2id hashes only.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SecureRandom;

/// A hash of a fixed string, so that sign-in for an unknown user costs as much as for a known one and the answer
/// time does not tell which user names exist.
const DUMMY_HASH_SOURCE: &str = "mscommerce-no-such-user";

/// Hashes a secret with Argon2id and a random salt, as a PHC string.
pub fn hash_secret(secret: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .expect("Argon2 with default parameters hashes any input")
}

/// Checks a secret against a stored hash; a malformed hash never matches.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the time of one verification and answers false: for callers that found no user to check against.
pub fn verify_secret_against_nothing(secret: &str) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_secret(DUMMY_HASH_SOURCE));
    let _ = verify_secret(secret, hash);
    false
}

/// A new random secret: 32 bytes from the system's random source, base64url (43 characters).
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random source is available");
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_secret() {
        let hash = hash_secret("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("correct horse"));
        assert!(verify_secret("correct horse", &hash));
        assert!(!verify_secret("correct hors", &hash));
        assert!(!verify_secret("correct horse", "not a hash"));
        assert!(!verify_secret_against_nothing("anything"));
    }

    #[test]
    fn secrets_are_long_and_different() {
        let (a, b) = (generate_secret(), generate_secret());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }
}
