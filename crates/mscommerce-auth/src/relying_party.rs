//! The service as an OpenID Connect relying party of a trusted provider: what a sign-in sends the provider
//! (authorization code with PKCE S256, a `state` and a `nonce`, OpenID Connect Core section 3.1.2.1) and what it
//! keeps meanwhile in the person's browser (the pending sign-in, signed), so that the callback can check the state,
//! redeem the code with the verifier and hold the ID token to the nonce
//! ([`ExternalKeys::verify_id_token`](crate::external::ExternalKeys::verify_id_token)).
//!
//! The pending sign-in is no store row: it travels in a short-lived HttpOnly cookie as `payload.mac`, the payload
//! base64url JSON, the MAC an HMAC-SHA256 under a key only the service holds. Nothing in it is secret from the
//! person whose browser holds it (the PKCE verifier protects against a code stolen on its way, not against the
//! browser that started the sign-in); what the MAC gives is that the browser cannot change it: not the provider,
//! not the app's redirect URI, not the nonce. Its `expires_at` bounds it whatever the cookie's own lifetime.
//! Replicas that share the key accept each other's pending sign-ins: they share nothing else.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::hmac;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::opaque::{opaque_secret, sha256_base64url};
use crate::sealed::{KeyEncryptionKey, SealError};
use crate::unix_now;

/// What the pending sign-in's MAC key is derived from the KEK for ([`KeyEncryptionKey::derive`]).
pub const PENDING_KEY_LABEL: &str = "mscommerce pending federated sign-in v1";

/// A trust's client secret sealed with the KEK, tied to that trust: the associated data names it, so a sealed
/// secret copied onto another trust's row does not open.
pub fn seal_client_secret(
    kek: &KeyEncryptionKey,
    trust_id: &str,
    secret: &str,
) -> Result<String, SealError> {
    kek.seal(&client_secret_label(trust_id), secret.as_bytes())
}

/// The client secret [`seal_client_secret`] sealed for `trust_id`.
pub fn open_client_secret(
    kek: &KeyEncryptionKey,
    trust_id: &str,
    sealed: &str,
) -> Result<String, SealError> {
    let bytes = kek.open(&client_secret_label(trust_id), sealed)?;
    String::from_utf8(bytes).map_err(|_| SealError::Damaged("the secret is not text".into()))
}

fn client_secret_label(trust_id: &str) -> String {
    format!("trusted-issuer-client-secret:{trust_id}")
}

/// How long a person has at the provider before the pending sign-in is refused.
pub const PENDING_LIFETIME_SECONDS: i64 = 600;

/// The random values of one sign-in at a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
}

impl Outbound {
    /// Fresh values: 32 random bytes each (the verifier is 43 characters, within RFC 7636's 43 to 128).
    pub fn new() -> Outbound {
        Outbound {
            state: opaque_secret(),
            nonce: opaque_secret(),
            code_verifier: opaque_secret(),
        }
    }

    /// The provider's authorization URL for this sign-in: `openid` with the profile and email the user mapping
    /// reads, the code answered to `redirect_uri` (the service's one callback).
    pub fn authorization_url(
        &self,
        authorization_endpoint: &str,
        client_id: &str,
        redirect_uri: &str,
        login_hint: Option<&str>,
    ) -> String {
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", "openid profile email"),
            ("state", &self.state),
            ("nonce", &self.nonce),
            ("code_challenge_method", "S256"),
        ];
        let challenge = sha256_base64url(&self.code_verifier);
        query.push(("code_challenge", &challenge));
        if let Some(hint) = login_hint.filter(|hint| !hint.is_empty()) {
            query.push(("login_hint", hint));
        }
        let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
        let separator = if authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{authorization_endpoint}{separator}{encoded}")
    }
}

impl Default for Outbound {
    fn default() -> Self {
        Outbound::new()
    }
}

/// Why a pending sign-in was refused: each a sentence for the page that tells the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PendingError {
    #[error("the sign-in's cookie is missing: start again from the app, with cookies allowed for this site")]
    Missing,
    #[error(
        "the sign-in's cookie was changed or was not set by this service: start again from the app"
    )]
    Forged,
    #[error(
        "the sign-in took longer than {PENDING_LIFETIME_SECONDS} seconds: start again from the app"
    )]
    Expired,
}

#[derive(Serialize, serde::Deserialize)]
struct Envelope<T> {
    expires_at: i64,
    pending: T,
}

/// Signs and opens pending sign-ins.
pub struct PendingSigner {
    key: hmac::Key,
}

impl PendingSigner {
    /// A signer with `secret` (at least 32 bytes of the service's own).
    pub fn new(secret: &[u8]) -> PendingSigner {
        PendingSigner {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    /// `pending` as a cookie value, good for [`PENDING_LIFETIME_SECONDS`].
    pub fn seal<T: Serialize>(&self, pending: &T) -> String {
        let envelope = Envelope {
            expires_at: unix_now() + PENDING_LIFETIME_SECONDS,
            pending,
        };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&envelope).unwrap_or_default());
        let mac = URL_SAFE_NO_PAD.encode(hmac::sign(&self.key, payload.as_bytes()));
        format!("{payload}.{mac}")
    }

    /// The pending sign-in of a cookie value this signer sealed, unchanged and not expired.
    pub fn open<T: DeserializeOwned>(&self, value: Option<&str>) -> Result<T, PendingError> {
        let value = value
            .filter(|v| !v.is_empty())
            .ok_or(PendingError::Missing)?;
        let (payload, mac) = value.split_once('.').ok_or(PendingError::Forged)?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| PendingError::Forged)?;
        hmac::verify(&self.key, payload.as_bytes(), &mac).map_err(|_| PendingError::Forged)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| PendingError::Forged)?;
        let envelope: Envelope<T> =
            serde_json::from_slice(&bytes).map_err(|_| PendingError::Forged)?;
        if envelope.expires_at <= unix_now() {
            return Err(PendingError::Expired);
        }
        Ok(envelope.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opaque::pkce_matches;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Pending {
        state: String,
        redirect_uri: String,
    }

    fn query_of(url: &str) -> Vec<(String, String)> {
        let (_, query) = url.split_once('?').unwrap();
        serde_urlencoded::from_str(query).unwrap()
    }

    #[test]
    fn the_authorization_url_carries_state_nonce_and_the_verifiers_challenge() {
        let outbound = Outbound::new();
        let other = Outbound::new();
        assert_ne!(outbound.state, other.state);
        assert_ne!(outbound.nonce, outbound.state);
        let url = outbound.authorization_url(
            "https://login.example/authorize?p=1",
            "client-a",
            "https://commerce.example/federation/callback",
            Some("ada@contoso.example"),
        );
        assert!(url.starts_with("https://login.example/authorize?p=1&"));
        let query = query_of(&url);
        let get = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{name} is missing from {url}"))
        };
        assert_eq!(get("response_type"), "code");
        assert_eq!(get("client_id"), "client-a");
        assert_eq!(
            get("redirect_uri"),
            "https://commerce.example/federation/callback"
        );
        assert_eq!(get("state"), outbound.state);
        assert_eq!(get("nonce"), outbound.nonce);
        assert_eq!(get("code_challenge_method"), "S256");
        assert!(pkce_matches(
            &outbound.code_verifier,
            &get("code_challenge")
        ));
        assert!(!pkce_matches(&other.code_verifier, &get("code_challenge")));
        assert_eq!(get("login_hint"), "ada@contoso.example");
        assert!(get("scope").split(' ').any(|s| s == "openid"));
    }

    #[test]
    fn a_pending_sign_in_opens_only_unchanged_and_with_its_key() {
        let signer = PendingSigner::new(&[7u8; 32]);
        let pending = Pending {
            state: "s1".into(),
            redirect_uri: "http://localhost/m365/commerce".into(),
        };
        let sealed = signer.seal(&pending);
        assert_eq!(signer.open::<Pending>(Some(&sealed)).unwrap(), pending);
        assert_eq!(
            signer.open::<Pending>(None).unwrap_err(),
            PendingError::Missing
        );
        // Another redirect URI in the payload, the MAC kept: refused.
        let (_, mac) = sealed.split_once('.').unwrap();
        let changed = Pending {
            state: "s1".into(),
            redirect_uri: "http://localhost:1/evil".into(),
        };
        let other_payload = signer.seal(&changed);
        let (payload, _) = other_payload.split_once('.').unwrap();
        assert_eq!(
            signer
                .open::<Pending>(Some(&format!("{payload}.{mac}")))
                .unwrap_err(),
            PendingError::Forged
        );
        // Sealed under another key: refused.
        let stranger = PendingSigner::new(&[8u8; 32]).seal(&pending);
        assert_eq!(
            signer.open::<Pending>(Some(&stranger)).unwrap_err(),
            PendingError::Forged
        );
        assert_eq!(
            signer.open::<Pending>(Some("no-dot")).unwrap_err(),
            PendingError::Forged
        );
    }

    #[test]
    fn a_client_secret_opens_for_its_trust_only() {
        let (kek, _) = KeyEncryptionKey::generate().unwrap();
        let sealed = seal_client_secret(&kek, "trust-1", "provider-secret").unwrap();
        assert!(!sealed.contains("provider-secret"));
        assert_eq!(
            open_client_secret(&kek, "trust-1", &sealed).unwrap(),
            "provider-secret"
        );
        assert!(open_client_secret(&kek, "trust-2", &sealed).is_err());
        let (other, _) = KeyEncryptionKey::generate().unwrap();
        assert!(open_client_secret(&other, "trust-1", &sealed).is_err());
    }

    #[test]
    fn an_expired_pending_sign_in_is_refused() {
        let key = [9u8; 32];
        let signer = PendingSigner::new(&key);
        let envelope = Envelope {
            expires_at: unix_now() - 1,
            pending: Pending {
                state: "s".into(),
                redirect_uri: "r".into(),
            },
        };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&envelope).unwrap());
        let mac = URL_SAFE_NO_PAD.encode(hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, &key),
            payload.as_bytes(),
        ));
        assert_eq!(
            signer
                .open::<Pending>(Some(&format!("{payload}.{mac}")))
                .unwrap_err(),
            PendingError::Expired
        );
    }
}
