//! Signing keys: encrypted at rest with the key-encryption key, and rotated while the service runs.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mscommerce_tests::*;
use ring::signature::Ed25519KeyPair;

/// The `private_key` column of the newest signing key, as stored.
async fn stored_private_key(server: &Server) -> (String, String) {
    use sqlx::Row;
    let pool = server.db().await;
    let row =
        sqlx::query("SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("a signing key");
    pool.close().await;
    (row.get("kid"), row.get("private_key"))
}

/// A PKCS#8 document of an Ed25519 key (RFC 8410) starts with these bytes, `MC4CAQAw` or `MFMCAQEw` in base64.
fn is_clear_pkcs8(stored: &str) -> bool {
    STANDARD
        .decode(stored)
        .is_ok_and(|der| Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).is_ok())
        || stored.starts_with("MC4CAQAw")
        || stored.starts_with("MFMCAQEw")
}

#[tokio::test]
async fn the_signing_key_is_not_stored_in_clear() {
    let server = Server::start().await;
    let (_kid, stored) = stored_private_key(&server).await;
    assert!(
        !is_clear_pkcs8(&stored),
        "the private key is stored in clear: {}...",
        &stored[..12]
    );
}

#[tokio::test]
async fn the_stored_key_opens_with_the_servers_kek_only() {
    let server = Server::start().await;
    let (kid, stored) = stored_private_key(&server).await;
    assert!(stored.starts_with("sealed:v1:"), "{}", &stored[..12]);
    let kek = server.key_encryption_key();
    let pkcs8 = mscommerce_auth::open_private_key(&kek, &kid, &stored).expect("opens");
    assert!(Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8).is_ok());
    let (other, other_text) = mscommerce_auth::KeyEncryptionKey::generate().unwrap();
    assert!(matches!(
        mscommerce_auth::open_private_key(&other_text, &kid, &stored),
        Err(mscommerce_auth::SealError::WrongKek { configured, .. }) if configured == other.id()
    ));
    // The generated key file is the owner's only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(server.key_encryption_key_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Forged tokens still work for the tests that need them: the fixture opens the key too.
    assert_eq!(server.signing_key().await.1, pkcs8);
}

#[tokio::test]
async fn a_key_stored_in_clear_by_an_older_version_is_sealed_on_start() {
    let mut server = Server::start().await;
    let token = server.admin_token().await;
    let (kid, pkcs8) = server.signing_key().await;
    server.kill();
    // As an older version stored it: base64 PKCS#8.
    let pool = server.db().await;
    sqlx::query("UPDATE signing_keys SET private_key = $1 WHERE kid = $2")
        .bind(STANDARD.encode(&pkcs8))
        .bind(&kid)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    server.restart().await;
    let (after_kid, stored) = stored_private_key(&server).await;
    assert_eq!(after_kid, kid);
    assert!(!is_clear_pkcs8(&stored), "still in clear");
    assert!(stored.starts_with("sealed:v1:"));
    assert_eq!(server.signing_key().await.1, pkcs8, "the same key");
    assert!(server
        .log("stderr.log")
        .contains("encrypted a signing key stored in clear"));
    // Tokens signed before keep working.
    server
        .get(&product_path("CFQ7TTC0H9MP"), &token)
        .await
        .expect(200, None);
}

#[tokio::test]
async fn a_wrong_or_missing_kek_fails_the_start_with_a_message() {
    let mut server = Server::start().await;
    server.kill();
    let (_, other) = mscommerce_auth::KeyEncryptionKey::generate().unwrap();
    let err = server.serve_fails(&[("MSCOMMERCE_SIGNING_KEY_ENCRYPTION_KEY", other.as_str())]);
    assert!(
        err.contains("is encrypted with the key-encryption key")
            && err.contains("the setting signing_key_encryption_key")
            && err.contains("configure the key that encrypted it"),
        "{err}"
    );
    let err = server.serve_fails(&[("MSCOMMERCE_SIGNING_KEY_ENCRYPTION_KEY", "c2hvcnQ=")]);
    assert!(err.contains("32 random bytes in base64"), "{err}");

    // The key file lost: no new key is made in its place.
    let file = server.key_encryption_key_file();
    let kek = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let err = server.serve_fails(&[]);
    assert!(
        err.contains("does not exist: restore that file from your backup"),
        "{err}"
    );
    assert!(!file.exists(), "no new key file replaces the lost one");
    std::fs::write(&file, kek).unwrap();
    server.restart().await;
}

/// The kids the JWKS publishes.
async fn published(server: &Server) -> Vec<String> {
    let jwks = server.public_json("/discovery/v2.0/keys").await;
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

fn kid_of(token: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    header["kid"].as_str().unwrap().to_string()
}

/// Polls `check` every 100 ms for up to `seconds`; answers how long it took.
async fn within<F, Fut>(seconds: u64, what: &str, mut check: F) -> std::time::Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(seconds) {
        if check().await {
            return started.elapsed();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {seconds} s");
}

#[tokio::test]
async fn keys_rotate_on_a_running_service_publishes_then_signs_then_drops_the_old_key() {
    // Short settings: reload every second, sign 3 s after the rotation, tokens live 4 s with 1 s of leeway.
    let server = Server::start_with(&[
        ("MSCOMMERCE_SIGNING_KEY_RELOAD_SECONDS", "1"),
        ("MSCOMMERCE_SIGNING_KEY_PROPAGATION_SECONDS", "3"),
        ("MSCOMMERCE_TOKEN_LIFETIME_SECONDS", "4"),
        ("MSCOMMERCE_TOKEN_LEEWAY_SECONDS", "1"),
    ])
    .await;
    let before = server.admin_token().await;
    let old = kid_of(&before);
    assert_eq!(published(&server).await, vec![old.clone()]);

    let printed = server.cli_ok(&["keys", "rotate"]);
    let new = printed.lines().next().unwrap().to_string();
    assert_ne!(new, old);
    server
        .get(&product_path("CFQ7TTC0H9MP"), &before)
        .await
        .expect(200, None);
    let listed = server.cli_ok(&["keys", "list"]);
    assert!(
        listed.contains(&format!("{old}\t")) && listed.contains("\tsigning"),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("{new}\t")) && listed.contains("\tnext"),
        "{listed}"
    );
    let again = server.cli(&["keys", "rotate"]);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("is already waiting to sign"),
        "a second rotation while one is pending is refused"
    );

    // Published within the reload interval, before it signs.
    let took = within(3, "the new key published", || async {
        published(&server).await.contains(&new)
    })
    .await;
    assert!(took < std::time::Duration::from_millis(2500), "{took:?}");
    let during = server.admin_token().await;
    assert_eq!(
        kid_of(&during),
        old,
        "the new key does not sign before its time"
    );

    // After the propagation delay, new tokens are signed with the new key; older ones still verify.
    within(5, "tokens signed with the new key", || async {
        kid_of(&server.admin_token().await) == new
    })
    .await;
    let after = server.admin_token().await;
    server
        .get(&product_path("CFQ7TTC0H9MP"), &after)
        .await
        .expect(200, None);
    server
        .get(&product_path("CFQ7TTC0H9MP"), &during)
        .await
        .expect(200, None);

    // The old key goes once every token it signed has expired (4 s + 1 s after the new key took over).
    assert!(published(&server).await.contains(&old));
    within(10, "the old key removed", || async {
        published(&server).await == vec![new.clone()]
    })
    .await;
    let listed = server.cli_ok(&["keys", "list"]);
    assert!(
        !listed.contains(&old),
        "removed from the database too: {listed}"
    );
    server
        .get(&product_path("CFQ7TTC0H9MP"), &during)
        .await
        .expect(401, None);
}
