//! A token names who calls; what that caller may do is its current state in the directory. Disabling a user,
//! taking its roles, deleting or downgrading an app applies to tokens already issued: at once through the API,
//! within seconds from the command line or a direct change to the database.

use std::time::{Duration, Instant};

use mscommerce_tests::*;
use serde_json::json;

/// How long a change made outside the service (the command line, SQL) may take to reach it.
const WITHIN: Duration = Duration::from_secs(10);

/// Calls `request` until its status is `expected`, for at most [`WITHIN`]; answers how long that took.
async fn until_status<F, Fut>(expected: u16, mut request: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    let started = Instant::now();
    loop {
        let answer = request().await;
        if answer.status.as_u16() == expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < WITHIN,
            "still {} after {WITHIN:?} (expected {expected}): {}",
            answer.status,
            answer.text
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn new_user(upn: &str) -> serde_json::Value {
    json!({"userPrincipalName": upn, "displayName": upn, "password": "Another-Passw0rd-1"})
}

#[tokio::test]
async fn a_disabled_global_administrator_is_refused_at_once() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let upn = server.create_user(
        &tenant,
        "second-admin@contoso.onmicrosoft.com",
        &[roles::GLOBAL_ADMINISTRATOR],
    );
    let second = server.user_token(&upn, USER_PASSWORD).await;
    let second_id = claims_of(&second)["oid"].as_str().unwrap().to_string();
    server
        .post(
            "/v1.0/users",
            &second,
            new_user("made-1@contoso.onmicrosoft.com"),
        )
        .await
        .expect(201, None);

    server
        .patch(
            &format!("/v1.0/users/{second_id}"),
            &admin,
            json!({"accountEnabled": false, "roles": []}),
        )
        .await
        .expect(200, None);

    // Its token is still within its lifetime, but its holder is disabled: no new admins, no re-enabling itself.
    server
        .post(
            "/v1.0/users",
            &second,
            json!({"userPrincipalName": "made-2@contoso.onmicrosoft.com", "displayName": "x",
                   "roles": ["GlobalAdministrator"]}),
        )
        .await
        .expect(401, Some("TokenPrincipalDisabled"));
    server
        .patch(
            &format!("/v1.0/users/{second_id}"),
            &second,
            json!({"accountEnabled": true}),
        )
        .await
        .expect(401, Some("TokenPrincipalDisabled"));
    let reason = server.get("/v1.0/users", &second).await;
    assert!(reason.text.contains("disabled"), "{}", reason.text);
}

#[tokio::test]
async fn roles_taken_away_apply_to_live_tokens_at_once() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let upn = server.create_user(
        &tenant,
        "billing@contoso.onmicrosoft.com",
        &[roles::BILLING_ADMINISTRATOR],
    );
    let billing = server.user_token(&upn, USER_PASSWORD).await;
    let id = claims_of(&billing)["oid"].as_str().unwrap().to_string();
    let path = product_path("CFQ7TTC0H9MP");
    server
        .put(&path, &billing, json!({"policyValue": "Disabled"}))
        .await
        .expect(200, None);

    server
        .patch(&format!("/v1.0/users/{id}"), &admin, json!({"roles": []}))
        .await
        .expect(200, None);
    server
        .put(&path, &billing, json!({"policyValue": "Enabled"}))
        .await
        .expect(403, Some("Forbidden"));

    // And roles given apply at once too, though the token never carried them.
    server
        .patch(
            &format!("/v1.0/users/{id}"),
            &admin,
            json!({"roles": ["GlobalReader"]}),
        )
        .await
        .expect(200, None);
    server.get(&path, &billing).await.expect(200, None);
}

#[tokio::test]
async fn a_user_disabled_from_the_command_line_is_refused_within_seconds() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let upn = server.create_user(
        &tenant,
        "billing@contoso.onmicrosoft.com",
        &[roles::BILLING_ADMINISTRATOR],
    );
    let token = server.user_token(&upn, USER_PASSWORD).await;
    let path = product_path("CFQ7TTC0H9MP");
    server
        .put(&path, &token, json!({"policyValue": "Disabled"}))
        .await
        .expect(200, None);

    server.cli_ok(&[
        "user",
        "update",
        "--tenant",
        &tenant,
        "--upn",
        &upn,
        "--disable",
    ]);
    let took = until_status(401, || {
        server.put(&path, &token, json!({"policyValue": "Enabled"}))
    })
    .await;
    eprintln!("a user disabled from the command line was refused after {took:?}");
}

#[tokio::test]
async fn an_app_deleted_or_downgraded_in_the_database_is_refused_within_seconds() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let path = product_path("CFQ7TTC0H9MP");
    let body = || json!({"policyValue": "Disabled"});

    let (writer_id, writer_secret) = server.create_app(
        &tenant,
        "Writer",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );
    let writer = server.app_token(&writer_id, &writer_secret).await;
    server.put(&path, &writer, body()).await.expect(200, None);
    let (doomed_id, doomed_secret) = server.create_app(
        &tenant,
        "Doomed",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );
    let doomed = server.app_token(&doomed_id, &doomed_secret).await;
    server.put(&path, &doomed, body()).await.expect(200, None);

    let pool = server.db().await;
    sqlx::query("UPDATE apps SET permissions = $1 WHERE client_id = $2")
        .bind("Policy.Read.AllowSelfServicePurchase")
        .bind(&writer_id)
        .execute(&pool)
        .await
        .expect("downgrade");
    sqlx::query("DELETE FROM apps WHERE client_id = $1")
        .bind(&doomed_id)
        .execute(&pool)
        .await
        .expect("delete");
    pool.close().await;

    until_status(403, || server.put(&path, &writer, body())).await;
    server.get(&path, &writer).await.expect(200, None);
    until_status(401, || server.put(&path, &doomed, body())).await;
    server
        .get(&path, &doomed)
        .await
        .expect(401, Some("TokenPrincipalNotFound"));
}

/// A token that the service's own key signed, for a tenant that does not exist: refused as a token, not a crash.
#[tokio::test]
async fn a_signed_token_of_an_unknown_tenant_is_refused() {
    let server = Server::start().await;
    let admin = server.admin_token().await;
    let mut claims = claims_of(&admin);
    let unknown = uuid::Uuid::new_v4();
    claims["tid"] = json!(unknown.to_string());
    // The issuer of that tenant, as the service would have written it.
    claims["iss"] = json!(format!("{}/{unknown}/v2.0", server.base));
    let (kid, pkcs8) = server.signing_key().await;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some(kid);
    let forged = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_ed_der(&pkcs8),
    )
    .unwrap();
    for answer in [
        server
            .post(
                "/v1.0/subscriptions",
                &forged,
                json!({"productId": "CFQ7TTC0H9MP", "quantity": 1, "billingFrequency": "Monthly"}),
            )
            .await,
        server.get("/v1.0/users", &forged).await,
        server.get(&product_path("CFQ7TTC0H9MP"), &forged).await,
    ] {
        answer.expect(401, Some("TokenPrincipalNotFound"));
    }
}
