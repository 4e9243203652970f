//! Certificate credentials of apps: reading an X.509 certificate, and verifying the client assertions (RFC 7523,
//! `private_key_jwt`) an app signs with its private key, the way Entra ID apps authenticate without a secret.
//!
//! An assertion's header names the certificate by thumbprint (`x5t`, SHA-1, or `x5t#S256`, SHA-256, both base64url
//! of the DER's digest); the signature is checked with the certificate's public key, by `ring`. MSAL signs with
//! RS256 when given a SHA-1 thumbprint and PS256 when given the certificate (msal/application.py); ES256 is
//! accepted for EC P-256 keys.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature;
use serde::Deserialize;
use x509_cert::der::Decode;
use x509_cert::Certificate;

pub use mscommerce_domain::JWT_BEARER_ASSERTION;

/// The longest an assertion may live, from its `nbf` (or `iat`) to its `exp`: Entra's limit, and what keeps the
/// table of assertions already seen short.
pub const MAX_ASSERTION_LIFETIME_SECONDS: i64 = 3600;

/// Clock skew tolerated on an assertion's times, in seconds.
pub const ASSERTION_LEEWAY_SECONDS: i64 = 60;
/// The longest `jti` accepted (a GUID is 36 bytes).
pub const MAX_JTI_BYTES: usize = 256;

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const P256: &str = "1.2.840.10045.3.1.7";

/// The public key of a certificate, in the form `ring` verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// The `RSAPublicKey` DER (PKCS#1).
    Rsa,
    /// An uncompressed P-256 point.
    EcP256,
}

/// A certificate as read from a file: what is stored of it, and its public key.
#[derive(Debug, Clone)]
pub struct CertificateInfo {
    pub der: Vec<u8>,
    /// base64url SHA-1 of the DER, as a JWS `x5t` carries it.
    pub thumbprint_sha1: String,
    /// base64url SHA-256 of the DER, as a JWS `x5t#S256` carries it.
    pub thumbprint_sha256: String,
    /// Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    /// The subject's distinguished name (`CN=...`).
    pub subject: String,
    pub key_kind: KeyKind,
    public_key: Vec<u8>,
}

impl CertificateInfo {
    /// The SHA-1 thumbprint in hexadecimal capitals, as Windows and the Azure portal show it.
    pub fn thumbprint_hex(&self) -> String {
        thumbprint_hex(&self.thumbprint_sha1)
    }
}

/// A base64url thumbprint (as stored, and as `x5t` carries it) in hexadecimal capitals.
pub fn thumbprint_hex(base64url: &str) -> String {
    URL_SAFE_NO_PAD
        .decode(base64url)
        .unwrap_or_default()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Why a certificate file was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error(
        "The certificate is neither PEM ('-----BEGIN CERTIFICATE-----') nor DER X.509: {0}. Give the public \
         certificate (.cer, .crt or .pem), not a private key or a .pfx."
    )]
    Unreadable(String),
    #[error(
        "The certificate's key is {0}; certificate credentials must have an RSA key (2048 bits or more) or an EC \
         P-256 key."
    )]
    UnsupportedKey(String),
    #[error("The certificate's validity is unreadable: {0}.")]
    BadValidity(String),
}

fn b64url_digest(algorithm: &'static ring::digest::Algorithm, bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(algorithm, bytes))
}

/// The DER of the first certificate in a PEM text, or the bytes as they are when they are not PEM.
fn certificate_der(bytes: &[u8]) -> Result<Vec<u8>, CertificateError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(bytes.to_vec());
    };
    let Some(start) = text.find(BEGIN) else {
        if text.contains("-----BEGIN") {
            return Err(CertificateError::Unreadable(
                "the PEM text holds no CERTIFICATE block".into(),
            ));
        }
        return Ok(bytes.to_vec());
    };
    let body = &text[start + BEGIN.len()..];
    let end = body
        .find(END)
        .ok_or_else(|| CertificateError::Unreadable("the PEM block has no END line".into()))?;
    let base64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|e| CertificateError::Unreadable(format!("the PEM block is not base64 ({e})")))
}

/// Reads a certificate, PEM or DER.
pub fn read_certificate(bytes: &[u8]) -> Result<CertificateInfo, CertificateError> {
    let der = certificate_der(bytes)?;
    let certificate =
        Certificate::from_der(&der).map_err(|e| CertificateError::Unreadable(e.to_string()))?;
    let tbs = &certificate.tbs_certificate;
    let spki = &tbs.subject_public_key_info;
    let algorithm = spki.algorithm.oid.to_string();
    let public_key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| CertificateError::UnsupportedKey("not a whole number of bytes".into()))?
        .to_vec();
    let key_kind = match algorithm.as_str() {
        RSA_ENCRYPTION => KeyKind::Rsa,
        EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<x509_cert::der::asn1::ObjectIdentifier>().ok())
                .map(|oid| oid.to_string());
            if curve.as_deref() != Some(P256) {
                return Err(CertificateError::UnsupportedKey(format!(
                    "an EC key on the curve {}",
                    curve.unwrap_or_else(|| "(unnamed)".into())
                )));
            }
            KeyKind::EcP256
        }
        other => {
            return Err(CertificateError::UnsupportedKey(format!(
                "of the algorithm {other}"
            )))
        }
    };
    let seconds = |time: &x509_cert::time::Time| -> Result<i64, CertificateError> {
        i64::try_from(time.to_unix_duration().as_secs())
            .map_err(|_| CertificateError::BadValidity("a date out of range".into()))
    };
    Ok(CertificateInfo {
        thumbprint_sha1: b64url_digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der),
        thumbprint_sha256: b64url_digest(&ring::digest::SHA256, &der),
        not_before: seconds(&tbs.validity.not_before)?,
        not_after: seconds(&tbs.validity.not_after)?,
        subject: tbs.subject.to_string(),
        key_kind,
        public_key,
        der,
    })
}

/// Why a client assertion was refused. The token endpoint answers `invalid_client` with the sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    #[error("The client assertion is not a JWT: {0}.")]
    Malformed(String),
    #[error(
        "The client assertion's header names no certificate: it needs 'x5t' (the certificate's SHA-1 \
         thumbprint) or 'x5t#S256' (its SHA-256 thumbprint), base64url."
    )]
    NoThumbprint,
    #[error(
        "The client assertion is signed with '{0}'; this service accepts RS256 and PS256 (RSA certificates) and \
         ES256 (EC P-256 certificates)."
    )]
    UnsupportedAlgorithm(String),
    #[error("The client assertion's signature does not match the certificate its header names.")]
    BadSignature,
    #[error("The certificate the client assertion names is not valid now (valid from {0} to {1}, Unix seconds).")]
    CertificateNotValidNow(i64, i64),
    #[error("The client assertion's {0}.")]
    BadClaims(String),
}

/// What the header of an assertion names: its algorithm and its certificate's thumbprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionHeader {
    pub alg: String,
    /// `x5t#S256` when given, else `x5t`: what to look the certificate up by.
    pub thumbprint: String,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: Option<String>,
    x5t: Option<String>,
    #[serde(rename = "x5t#S256")]
    x5t_s256: Option<String>,
    crit: Option<serde_json::Value>,
}

/// `aud` is one string or an array of them (RFC 7519 section 4.1.3).
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct AssertionClaims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<Audience>,
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
    jti: Option<String>,
}

/// A verified assertion: what the replay check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedAssertion {
    pub jti: String,
    /// Unix seconds.
    pub expires_at: i64,
}

fn parts(assertion: &str) -> Result<(&str, &str, &str), AssertionError> {
    let mut parts = assertion.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => Ok((h, p, s)),
        _ => Err(AssertionError::Malformed(
            "a JWT has three base64url parts separated by dots".into(),
        )),
    }
}

fn decode_part<T: serde::de::DeserializeOwned>(
    part: &str,
    what: &str,
) -> Result<T, AssertionError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| AssertionError::Malformed(format!("its {what} is not base64url")))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        AssertionError::Malformed(format!("its {what} is not the JSON expected ({e})"))
    })
}

/// Reads an assertion's header, unverified, to find the certificate it names.
pub fn read_assertion_header(assertion: &str) -> Result<AssertionHeader, AssertionError> {
    let (header, _, _) = parts(assertion)?;
    let raw: RawHeader = decode_part(header, "header")?;
    if raw.crit.is_some() {
        return Err(AssertionError::Malformed(
            "its header marks an extension critical ('crit'), which this service does not understand".into(),
        ));
    }
    let alg = raw
        .alg
        .ok_or_else(|| AssertionError::Malformed("its header has no alg".into()))?;
    let thumbprint = raw
        .x5t_s256
        .or(raw.x5t)
        .filter(|t| !t.is_empty())
        .ok_or(AssertionError::NoThumbprint)?;
    // Some clients pad base64url; the stored thumbprints are unpadded.
    let thumbprint = thumbprint.trim_end_matches('=');
    // A thumbprint is the base64url of a SHA-1 (27 characters) or SHA-256 (43) digest: anything else names no
    // certificate, and is not sent on to the database (where, say, a NUL cannot even be compared).
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !matches!(thumbprint.len(), 27 | 43) || !thumbprint.chars().all(base64url) {
        return Err(AssertionError::NoThumbprint);
    }
    Ok(AssertionHeader {
        alg,
        thumbprint: thumbprint.to_string(),
    })
}

fn verification_algorithm(
    alg: &str,
    key: KeyKind,
) -> Result<&'static dyn signature::VerificationAlgorithm, AssertionError> {
    match (alg, key) {
        ("RS256", KeyKind::Rsa) => Ok(&signature::RSA_PKCS1_2048_8192_SHA256),
        ("PS256", KeyKind::Rsa) => Ok(&signature::RSA_PSS_2048_8192_SHA256),
        ("ES256", KeyKind::EcP256) => Ok(&signature::ECDSA_P256_SHA256_FIXED),
        _ => Err(AssertionError::UnsupportedAlgorithm(alg.to_string())),
    }
}

/// Verifies an assertion of `client_id` signed with `certificate`'s key: the signature, the certificate valid at
/// `now`, `iss` = `sub` = the client ID, `aud` one of `audiences` (this service's token endpoints), `exp` in the
/// future and at most [`MAX_ASSERTION_LIFETIME_SECONDS`] after `nbf` (or `iat`), and a `jti`. Whether the `jti` was
/// seen before is the caller's to check, in the store every replica shares.
pub fn verify_assertion(
    assertion: &str,
    certificate: &CertificateInfo,
    client_id: &str,
    audiences: &[String],
    now: i64,
) -> Result<AcceptedAssertion, AssertionError> {
    let header = read_assertion_header(assertion)?;
    let algorithm = verification_algorithm(&header.alg, certificate.key_kind)?;
    let (head, payload, signature_part) = parts(assertion)?;
    let signature_bytes = URL_SAFE_NO_PAD
        .decode(signature_part.trim_end_matches('='))
        .map_err(|_| AssertionError::Malformed("its signature is not base64url".into()))?;
    let signed = &assertion[..head.len() + 1 + payload.len()];
    signature::UnparsedPublicKey::new(algorithm, &certificate.public_key)
        .verify(signed.as_bytes(), &signature_bytes)
        .map_err(|_| AssertionError::BadSignature)?;
    if now + ASSERTION_LEEWAY_SECONDS < certificate.not_before
        || now - ASSERTION_LEEWAY_SECONDS > certificate.not_after
    {
        return Err(AssertionError::CertificateNotValidNow(
            certificate.not_before,
            certificate.not_after,
        ));
    }
    let claims: AssertionClaims = decode_part(payload, "payload")?;
    let bad = |what: String| Err(AssertionError::BadClaims(what));
    if claims.iss.as_deref() != Some(client_id) {
        return bad(format!("'iss' must be the client ID {client_id}"));
    }
    if claims.sub.as_deref() != Some(client_id) {
        return bad(format!("'sub' must be the client ID {client_id}"));
    }
    let named: Vec<String> = match claims.aud {
        Some(Audience::One(aud)) => vec![aud],
        Some(Audience::Many(auds)) => auds,
        None => Vec::new(),
    };
    if !named.iter().any(|aud| audiences.contains(aud)) {
        return bad(format!(
            "'aud' must be this service's token endpoint: {}",
            audiences.join(" or ")
        ));
    }
    let Some(exp) = claims.exp.map(|e| e as i64) else {
        return bad("'exp' is missing".into());
    };
    if exp.saturating_add(ASSERTION_LEEWAY_SECONDS) <= now {
        return bad("'exp' has passed: the assertion has expired".into());
    }
    let start = claims.nbf.or(claims.iat).map(|t| t as i64);
    let Some(start) = start else {
        return bad("'nbf' or 'iat' is missing".into());
    };
    if start > now + ASSERTION_LEEWAY_SECONDS {
        return bad("'nbf' (or 'iat') is in the future".into());
    }
    // Checked: an `nbf` of -1e300 saturates to i64::MIN, and a wrapped difference would pass as short.
    if exp
        .checked_sub(start)
        .is_none_or(|lifetime| lifetime > MAX_ASSERTION_LIFETIME_SECONDS)
    {
        return bad(format!(
            "lifetime is over {MAX_ASSERTION_LIFETIME_SECONDS} s ('exp' too far after 'nbf' or 'iat')"
        ));
    }
    let jti = claims.jti.filter(|j| !j.is_empty());
    let Some(jti) = jti else {
        return bad("'jti' is missing: each assertion needs a unique ID".into());
    };
    if jti.len() > MAX_JTI_BYTES || jti.chars().any(char::is_control) {
        return bad(format!(
            "'jti' must be at most {MAX_JTI_BYTES} bytes of printable text (clients send a GUID)"
        ));
    }
    Ok(AcceptedAssertion {
        jti,
        // Remembered for as long as it could be accepted: its exp and the leeway after it.
        expires_at: exp.saturating_add(ASSERTION_LEEWAY_SECONDS),
    })
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

    use super::*;

    /// A self-signed certificate and its PKCS#8 private key (DER), made by `openssl` for this test only.
    fn certificate(kind: &str, days: &str) -> (Vec<u8>, Vec<u8>) {
        let dir =
            std::env::temp_dir().join(format!("mscommerce-assertion-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("key.pem");
        let cert = dir.join("cert.pem");
        let key_der = dir.join("key.der");
        let algorithm: &[&str] = match kind {
            "rsa" => &["-newkey", "rsa:2048"],
            _ => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        };
        let status = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-nodes",
                "-subj",
                "/CN=assertion test",
                "-days",
                days,
            ])
            .args(algorithm)
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        let status = Command::new("openssl")
            .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
            .arg(&key)
            .arg("-out")
            .arg(&key_der)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        let out = (
            std::fs::read(&cert).unwrap(),
            std::fs::read(&key_der).unwrap(),
        );
        std::fs::remove_dir_all(&dir).ok();
        out
    }

    fn sign(alg: &str, key: &[u8], header: serde_json::Value, claims: serde_json::Value) -> String {
        let mut header = header;
        header["alg"] = alg.into();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let rng = SystemRandom::new();
        let signature = match alg {
            "ES256" => EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, key, &rng)
                .unwrap()
                .sign(&rng, input.as_bytes())
                .unwrap()
                .as_ref()
                .to_vec(),
            _ => {
                let pair = RsaKeyPair::from_pkcs8(key).unwrap();
                let mut signature = vec![0; pair.public().modulus_len()];
                let padding: &dyn ring::signature::RsaEncoding = if alg == "PS256" {
                    &ring::signature::RSA_PSS_SHA256
                } else {
                    &ring::signature::RSA_PKCS1_SHA256
                };
                pair.sign(padding, &rng, input.as_bytes(), &mut signature)
                    .unwrap();
                signature
            }
        };
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
    const AUD: &str = "http://127.0.0.1:1/oauth2/v2.0/token";

    fn claims(now: i64) -> serde_json::Value {
        serde_json::json!({"iss": CLIENT, "sub": CLIENT, "aud": AUD, "iat": now, "exp": now + 600, "jti": "one"})
    }

    #[test]
    fn reads_pem_and_der_alike_with_the_thumbprints_openssl_computes() {
        let (pem, _) = certificate("rsa", "30");
        let from_pem = read_certificate(&pem).unwrap();
        let from_der = read_certificate(&from_pem.der).unwrap();
        assert_eq!(from_pem.thumbprint_sha1, from_der.thumbprint_sha1);
        assert_eq!(from_pem.key_kind, KeyKind::Rsa);
        assert!(
            from_pem.subject.contains("CN=assertion test"),
            "{}",
            from_pem.subject
        );
        assert!(from_pem.not_after - from_pem.not_before >= 29 * 86400);
        let dir = std::env::temp_dir().join(format!("mscommerce-fp-{}", uuid::Uuid::new_v4()));
        std::fs::write(&dir, &pem).unwrap();
        let fingerprint = Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
            .arg(&dir)
            .output()
            .unwrap();
        std::fs::remove_file(&dir).ok();
        let text = String::from_utf8(fingerprint.stdout).unwrap();
        assert_eq!(
            text.trim().rsplit('=').next().unwrap().replace(':', ""),
            from_pem.thumbprint_hex()
        );
    }

    #[test]
    fn refuses_what_is_not_a_certificate() {
        let (_, key) = certificate("ec", "1");
        assert!(matches!(
            read_certificate(&key),
            Err(CertificateError::Unreadable(_))
        ));
        assert!(matches!(
            read_certificate(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            Err(CertificateError::Unreadable(_))
        ));
        assert!(matches!(
            read_certificate(b"hello"),
            Err(CertificateError::Unreadable(_))
        ));
    }

    #[test]
    fn accepts_rs256_ps256_and_es256_assertions_from_the_named_certificate() {
        let now = crate::unix_now();
        let (rsa_pem, rsa_key) = certificate("rsa", "30");
        let rsa = read_certificate(&rsa_pem).unwrap();
        for alg in ["RS256", "PS256"] {
            let header = serde_json::json!({"typ": "JWT", "x5t": rsa.thumbprint_sha1});
            let assertion = sign(alg, &rsa_key, header, claims(now));
            assert_eq!(
                read_assertion_header(&assertion).unwrap().thumbprint,
                rsa.thumbprint_sha1
            );
            let accepted = verify_assertion(&assertion, &rsa, CLIENT, &[AUD.into()], now).unwrap();
            assert_eq!(accepted.jti, "one");
            assert_eq!(accepted.expires_at, now + 600 + ASSERTION_LEEWAY_SECONDS);
        }
        let (ec_pem, ec_key) = certificate("ec", "30");
        let ec = read_certificate(&ec_pem).unwrap();
        assert_eq!(ec.key_kind, KeyKind::EcP256);
        let header = serde_json::json!({"x5t#S256": ec.thumbprint_sha256});
        let assertion = sign("ES256", &ec_key, header, claims(now));
        assert_eq!(
            read_assertion_header(&assertion).unwrap().thumbprint,
            ec.thumbprint_sha256
        );
        verify_assertion(&assertion, &ec, CLIENT, &[AUD.into()], now).unwrap();
        // An EC algorithm checked against an RSA certificate is refused, not tried.
        assert!(matches!(
            verify_assertion(&assertion, &rsa, CLIENT, &[AUD.into()], now),
            Err(AssertionError::UnsupportedAlgorithm(_))
        ));
    }

    #[test]
    fn each_defect_of_an_assertion_is_refused_with_its_reason() {
        let now = crate::unix_now();
        let (pem, key) = certificate("rsa", "30");
        let cert = read_certificate(&pem).unwrap();
        let (other_pem, _) = certificate("rsa", "30");
        let other = read_certificate(&other_pem).unwrap();
        let header = serde_json::json!({"x5t": cert.thumbprint_sha1});
        let verify = |assertion: &str, cert: &CertificateInfo| {
            verify_assertion(assertion, cert, CLIENT, &[AUD.into()], now)
        };

        let good = sign("RS256", &key, header.clone(), claims(now));
        assert_eq!(verify(&good, &other), Err(AssertionError::BadSignature));
        assert!(matches!(
            read_assertion_header(&sign("RS256", &key, serde_json::json!({}), claims(now))),
            Err(AssertionError::NoThumbprint)
        ));
        assert!(matches!(
            verify(&sign("HS256", &key, header.clone(), claims(now)), &cert),
            Err(AssertionError::UnsupportedAlgorithm(_))
        ));
        let mut tampered: Vec<&str> = good.split('.').collect();
        let forged_claims = URL_SAFE_NO_PAD.encode(
            serde_json::json!({"iss": CLIENT, "sub": CLIENT, "aud": AUD, "iat": now, "exp": now + 900, "jti": "x"})
                .to_string(),
        );
        tampered[1] = &forged_claims;
        assert_eq!(
            verify(&tampered.join("."), &cert),
            Err(AssertionError::BadSignature)
        );

        let defects: [(&str, serde_json::Value); 8] = [
            ("iss", serde_json::json!("someone-else")),
            ("sub", serde_json::json!("someone-else")),
            ("aud", serde_json::json!("http://elsewhere/token")),
            ("exp", serde_json::json!(now - 120)),
            ("iat", serde_json::json!(now + 600)),
            ("exp", serde_json::json!(now + 7200)),
            ("jti", serde_json::json!("")),
            ("exp", serde_json::Value::Null),
        ];
        for (claim, value) in defects {
            let mut bad = claims(now);
            if value.is_null() {
                bad.as_object_mut().unwrap().remove(claim);
            } else {
                bad[claim] = value.clone();
            }
            let refused = verify(&sign("RS256", &key, header.clone(), bad), &cert);
            assert!(
                matches!(refused, Err(AssertionError::BadClaims(_))),
                "{claim}={value}: {refused:?}"
            );
        }
        // An audience array that names this service is accepted.
        let mut listed = claims(now);
        listed["aud"] = serde_json::json!(["http://elsewhere", AUD]);
        verify(&sign("RS256", &key, header.clone(), listed), &cert).unwrap();
    }

    #[test]
    fn an_expired_or_future_certificate_is_refused() {
        let now = crate::unix_now();
        let (pem, key) = certificate("rsa", "30");
        let cert = read_certificate(&pem).unwrap();
        let header = serde_json::json!({"x5t": cert.thumbprint_sha1});
        let assertion = sign("RS256", &key, header, claims(now));
        let expired = CertificateInfo {
            not_after: now - 3600,
            ..cert.clone()
        };
        assert!(matches!(
            verify_assertion(&assertion, &expired, CLIENT, &[AUD.into()], now),
            Err(AssertionError::CertificateNotValidNow(..))
        ));
        let future = CertificateInfo {
            not_before: now + 3600,
            ..cert
        };
        assert!(matches!(
            verify_assertion(&assertion, &future, CLIENT, &[AUD.into()], now),
            Err(AssertionError::CertificateNotValidNow(..))
        ));
    }
}
