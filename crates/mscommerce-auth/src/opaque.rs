//! Opaque one-time secrets (authorization codes, device codes, refresh tokens) and the digests they are stored as;
//! the PKCE S256 transform (RFC 7636 section 4.2).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};

/// Random bytes from the system's generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random number generator works");
    bytes
}

/// A new opaque secret: 32 random bytes, base64url without padding (43 characters).
pub fn opaque_secret() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// The SHA-256 of `text`, base64url without padding: how a secret is stored and looked up, and the S256 code
/// challenge of a PKCE verifier.
pub fn sha256_base64url(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()))
}

/// Whether `verifier` is a PKCE code verifier (43 to 128 unreserved characters, RFC 7636 section 4.1) whose S256
/// transform is `challenge`.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    well_formed && sha256_base64url(verifier) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_verifier_matches_its_challenge() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX",
            challenge
        ));
        assert!(!pkce_matches("short", &sha256_base64url("short")));
    }

    #[test]
    fn secrets_are_43_characters_and_differ() {
        let (a, b) = (opaque_secret(), opaque_secret());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(sha256_base64url(&a).len(), 43);
    }
}
