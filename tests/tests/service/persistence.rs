//! Values survive the process; the database holds no secret in the clear.

use mscommerce_tests::*;
use serde_json::json;

#[tokio::test]
async fn a_value_survives_a_crash_of_the_process() {
    let mut server = Server::start().await;
    let token = server.admin_token().await;
    server
        .put(
            &product_path("CFQ7TTC0H9MP"),
            &token,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    server
        .put(
            &offer_type_path("DYNAMICSBC"),
            &token,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    // SIGKILL: no shutdown, no flush; what was acknowledged must be there.
    server.restart().await;
    assert_eq!(
        server.get(&product_path("CFQ7TTC0H9MP"), &token).await.json["policyValue"],
        "Disabled",
        "the old token still works: the key is persisted"
    );
    assert_eq!(
        server
            .get(&offer_type_path("dynamicsbc"), &token)
            .await
            .json["policyValue"],
        "Disabled"
    );
    let log = server.get("/v1.0/auditLogs/policyChanges", &token).await;
    assert_eq!(log.json["items"].as_array().unwrap().len(), 2);
    let printed = server.log("stdout.log");
    assert!(
        !printed.contains("Created") && !printed.contains("password"),
        "a second start bootstraps nothing and prints no password: {printed}"
    );
    assert!(printed.contains("Admin console: http://"), "{printed}");
}

#[tokio::test]
async fn passwords_and_secrets_are_stored_only_as_argon2_hashes() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let (_, secret) = server.create_app(&tenant, "Job", &["Policy.Read.AllowSelfServicePurchase"]);
    // On SQLite the whole file can be searched for the secrets in the clear.
    let files = ["mscommerce.db", "mscommerce.db-wal"]
        .map(|f| std::fs::read(server.dir.0.join(f)).unwrap_or_default());
    assert!(server.is_postgres() || !files[0].is_empty());
    for haystack in &files {
        let text = String::from_utf8_lossy(haystack);
        assert!(
            !text.contains(ADMIN_PASSWORD)
                && !text.contains(USER_PASSWORD)
                && !text.contains(&secret)
        );
    }
    let pool = server.db().await;
    let hashes: Vec<String> = sqlx::query_scalar(
        "SELECT password_hash FROM users UNION ALL SELECT secret_hash FROM apps",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(hashes.len(), 2);
    assert!(hashes.iter().all(|h| h.starts_with("$argon2id$")));
}

#[tokio::test]
async fn a_generated_bootstrap_password_is_printed_once_and_works() {
    let server = Server::start_with(&[("MSCOMMERCE_BOOTSTRAP_ADMIN_PASSWORD", "")]).await;
    let printed = server.log("stdout.log");
    let password = printed
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .unwrap_or_else(|| panic!("no password printed: {printed}"))
        .to_string();
    assert!(
        !server.log("stderr.log").contains(&password),
        "the password is not logged"
    );
    server.user_token(ADMIN_UPN, &password).await;
}
