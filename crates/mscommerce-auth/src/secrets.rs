//! Passwords and client secrets: generated from the system's random source, stored as Argon2id hashes only.

use argon2::password_hash::{self, rand_core::OsRng, Output, ParamsString, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SecureRandom;

/// A hash of a fixed string, so that sign-in for an unknown user costs as much as for a known one and the answer
/// time does not tell which user names exist.
const DUMMY_HASH_SOURCE: &str = "mscommerce-no-such-user";

/// Argon2's working memory (19 MiB with the default parameters), kept by whoever hashes often and reused.
/// `Argon2::hash_password` allocates it anew for every hash (argon2-0.5.3/src/lib.rs, `hash_password_into`:
/// `vec![Block::default(); ...]`); blocks that size, allocated and freed again and again, were not returned to the
/// system: measured, 20 verifications one after another took the service from 29 MB to 380 MB. The hashing pool
/// keeps one workspace per thread instead.
#[derive(Default)]
pub(crate) struct Workspace(Vec<Block>);

impl Workspace {
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() < count {
            self.0.resize(count, Block::default());
        }
        &mut self.0[..count]
    }
}

/// The hash of `secret`, computed in `workspace`: what `PasswordHasher::hash_password` does
/// (argon2-0.5.3/src/lib.rs), with the caller's memory.
fn hash_with<'a>(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    secret: &[u8],
    salt: Salt<'a>,
    workspace: &mut Workspace,
) -> password_hash::Result<PasswordHash<'a>> {
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let params_string = ParamsString::try_from(&params)?;
    let argon2 = Argon2::new(algorithm, version, params);
    let blocks = workspace.blocks(argon2.params().block_count());
    let output = Output::init_with(output_len, |out| {
        Ok(argon2.hash_password_into_with_memory(secret, salt_bytes, out, &mut *blocks)?)
    })?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: params_string,
        salt: Some(salt),
        hash: Some(output),
    })
}

pub(crate) fn hash_secret_in(secret: &str, workspace: &mut Workspace) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hash_with(
        Algorithm::Argon2id,
        Version::default(),
        Params::default(),
        secret.as_bytes(),
        salt.as_salt(),
        workspace,
    )
    .map(|h| h.to_string())
    .expect("Argon2 with default parameters hashes any input")
}

/// As `PasswordVerifier::verify_password` (password-hash-0.5.0/src/traits.rs): the stored hash's own algorithm,
/// version and parameters, compared in constant time (`Output`'s equality).
pub(crate) fn verify_secret_in(secret: &str, hash: &str, workspace: &mut Workspace) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let computed = (|| {
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&parsed)?;
        hash_with(
            algorithm,
            version,
            params,
            secret.as_bytes(),
            salt,
            workspace,
        )
    })();
    computed.is_ok_and(|computed| computed.hash == Some(expected))
}

pub(crate) fn verify_secret_against_nothing_in(secret: &str, workspace: &mut Workspace) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_secret_in(DUMMY_HASH_SOURCE, workspace));
    let _ = verify_secret_in(secret, hash, workspace);
    false
}

/// Hashes a secret with Argon2id and a random salt, as a PHC string.
pub fn hash_secret(secret: &str) -> String {
    hash_secret_in(secret, &mut Workspace::default())
}

/// Checks a secret against a stored hash; a malformed hash never matches.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    verify_secret_in(secret, hash, &mut Workspace::default())
}

/// Spends the time of one verification and answers false: for callers that found no user to check against.
pub fn verify_secret_against_nothing(secret: &str) -> bool {
    verify_secret_against_nothing_in(secret, &mut Workspace::default())
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
    fn hashes_agree_with_the_argon2_crates_own() {
        use argon2::PasswordVerifier;
        let ours = hash_secret("correct horse");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        let theirs = {
            use argon2::PasswordHasher;
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(b"correct horse", &salt)
                .unwrap()
                .to_string()
        };
        let mut workspace = Workspace::default();
        assert!(verify_secret_in("correct horse", &theirs, &mut workspace));
        assert!(!verify_secret_in("correct hors", &theirs, &mut workspace));
        // A reused workspace gives the same answers.
        assert!(verify_secret_in("correct horse", &ours, &mut workspace));
    }

    #[test]
    fn secrets_are_long_and_different() {
        let (a, b) = (generate_secret(), generate_secret());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }
}
