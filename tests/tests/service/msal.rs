//! MSAL for Python, Microsoft's own authentication library, signing in against the service over HTTPS as
//! applications and people do: client credentials with a secret and with a certificate, the authorization code
//! with PKCE (the sign-in page driven as a browser without JavaScript would), the device code (its verification
//! page driven the same way), silent renewal with the refresh token; and the refusals.

use mscommerce_testing::tls::sha1_thumbprint;
use mscommerce_tests::*;
use serde_json::{json, Value};

const PERSON: &str = "buyer@contoso.onmicrosoft.com";

async fn https_server_with_person() -> (Server, String) {
    https_server_with_person_and(&[]).await
}

async fn https_server_with_person_and(env: &[(&str, &str)]) -> (Server, String) {
    let server = Server::start_https_with(env).await;
    let tenant = server.first_tenant();
    server.create_user(&tenant, PERSON, &[]);
    (server, tenant)
}

fn person(tenant: &str) -> Value {
    json!({"tenant": tenant, "username": PERSON, "password": USER_PASSWORD})
}

/// The service accepts the access token MSAL got: it reads the tenant's policies with it (or is refused for its
/// role, never for the token).
async fn accepted(server: &Server, result: &Value) -> u16 {
    let token = result["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("an access token: {result}"));
    server
        .get(&format!("/v1.0/policies/{POLICY}/products"), token)
        .await
        .status
        .as_u16()
}

fn error_of(result: &Value) -> &str {
    result["error"]
        .as_str()
        .unwrap_or_else(|| panic!("an error: {result}"))
}

#[tokio::test]
async fn client_credentials_with_a_secret_and_with_a_certificate() {
    let server = Server::start_https().await;
    let tenant = server.first_tenant();
    let (client_id, secret) = server.create_app(
        &tenant,
        "Provisioning",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );

    // By the tenant's ID, by one of its domain names, and as `organizations`.
    for authority_tenant in [tenant.as_str(), "contoso.onmicrosoft.com", "organizations"] {
        let out = server
            .msal(
                "client-secret",
                json!({"tenant": authority_tenant, "client_id": client_id, "secret": secret}),
            )
            .await;
        let result = &out["result"];
        assert!(result["error"].is_null(), "{out}");
        assert_eq!(result["token_type"], "Bearer", "{out}");
        assert_eq!(accepted(&server, result).await, 200, "{out}");
        let claims = claims_of(result["access_token"].as_str().unwrap());
        assert_eq!(
            claims["iss"],
            format!("{}/{tenant}/v2.0", server.base),
            "{claims}"
        );
    }

    let wrong = server
        .msal(
            "client-secret",
            json!({"tenant": tenant, "client_id": client_id, "secret": "not-the-secret"}),
        )
        .await;
    assert_eq!(error_of(&wrong["result"]), "invalid_client", "{wrong}");

    // A certificate credential: the public certificate registered with the command line, the private key kept
    // by the application, which MSAL signs its client assertion with.
    let keys = TestCertificates::generate_rsa(&server.dir.0.join("app-cert"), "app");
    let added = server.add_app_certificate(&client_id, &keys.server_cert);
    let thumbprint = sha1_thumbprint(&keys.server_cert);
    assert!(added.to_ascii_uppercase().contains(&thumbprint), "{added}");
    // MSAL names the certificate by its SHA-1 thumbprint (RS256, `x5t`), or, given the public certificate too,
    // by its SHA-256 one (PS256, `x5t#S256`) (msal/oauth2cli/assertion.py, msal/application.py).
    for public_certificate in [None, Some(keys.server_cert.display().to_string())] {
        let out = server
            .msal(
                "client-certificate",
                json!({"tenant": "contoso.onmicrosoft.com", "client_id": client_id, "thumbprint": thumbprint,
                       "private_key": keys.server_key.display().to_string(),
                       "public_certificate": public_certificate}),
            )
            .await;
        assert!(out["result"]["error"].is_null(), "{out}");
        assert_eq!(accepted(&server, &out["result"]).await, 200, "{out}");
        let claims = claims_of(out["result"]["access_token"].as_str().unwrap());
        assert_eq!(claims["appid"], client_id.as_str(), "{claims}");
    }

    // Another key, whose certificate was never registered, is refused.
    let stranger = TestCertificates::generate_rsa(&server.dir.0.join("stranger"), "stranger");
    let refused = server
        .msal(
            "client-certificate",
            json!({"tenant": tenant, "client_id": client_id,
                   "thumbprint": sha1_thumbprint(&stranger.server_cert),
                   "private_key": stranger.server_key.display().to_string()}),
        )
        .await;
    assert_eq!(error_of(&refused["result"]), "invalid_client", "{refused}");
}

#[tokio::test]
async fn authorization_code_with_pkce_then_silent_renewal() {
    let (server, tenant) = https_server_with_person().await;
    let out = server.msal("auth-code", person(&tenant)).await;
    assert_eq!(out["state_returned"], true, "{out}");
    let result = &out["result"];
    assert!(result["error"].is_null(), "{out}");
    assert!(
        result["has_refresh_token"] == true && result["has_id_token"] == true,
        "{out}"
    );
    // MSAL checked the ID token's nonce itself; these are its claims as it read them.
    assert_eq!(
        result["id_token_claims"]["preferred_username"], PERSON,
        "{out}"
    );
    assert_eq!(result["id_token_claims"]["tid"], tenant, "{out}");
    assert_eq!(out["accounts"], json!([PERSON]), "{out}");
    assert_eq!(
        accepted(&server, result).await,
        403,
        "a member without a role is refused for its role: {out}"
    );
    let silent = &out["silent"];
    assert!(silent["error"].is_null(), "{out}");
    assert_eq!(
        silent["token_source"], "identity_provider",
        "renewed at the service: {out}"
    );
    assert_ne!(silent["access_token"], result["access_token"], "{out}");
    assert_ne!(
        silent["refresh_token"], result["refresh_token"],
        "the refresh token rotates: {out}"
    );

    // By a domain name, and by `organizations`, the same.
    for authority_tenant in ["contoso.onmicrosoft.com", "organizations"] {
        let mut args = person(&tenant);
        args["tenant"] = json!(authority_tenant);
        let out = server.msal("auth-code", args).await;
        assert!(
            out["result"]["error"].is_null() && out["result"]["has_access_token"] == true,
            "{out}"
        );
    }
}

#[tokio::test]
async fn authorization_code_refusals() {
    let (server, tenant) = https_server_with_person().await;

    let out = server
        .msal("auth-code-wrong-verifier", person(&tenant))
        .await;
    assert_eq!(
        error_of(&out["result"]),
        "invalid_grant",
        "a wrong PKCE verifier: {out}"
    );

    let out = server.msal("auth-code-twice", person(&tenant)).await;
    assert!(out["first"]["error"].is_null(), "{out}");
    assert_eq!(
        error_of(&out["second"]),
        "invalid_grant",
        "a code used twice: {out}"
    );
    // The refresh token issued from the code used twice is revoked with it (RFC 6749 section 4.1.2).
    let refresh_token = out["first"]["refresh_token"]
        .as_str()
        .expect("a refresh token");
    let mut args = person(&tenant);
    args["refresh_token"] = json!(refresh_token);
    let after = server.msal("refresh", args).await;
    assert_eq!(error_of(&after["result"]), "invalid_grant", "{after}");

    let mut args = person(&tenant);
    args["redirect_uri"] = json!("https://attacker.example/callback");
    let out = server.msal("auth-code-unregistered-redirect", args).await;
    assert_eq!(
        out["page_status"], 400,
        "an unregistered redirect URI: {out}"
    );
    assert!(out["location"].is_null(), "never redirected there: {out}");
    assert!(
        out["page"].as_str().unwrap().contains("redirect"),
        "the page says why: {out}"
    );
}

#[tokio::test]
async fn a_refresh_token_used_twice_revokes_its_family_and_a_disabled_user_is_refused() {
    let (server, tenant) = https_server_with_person().await;
    let out = server.msal("auth-code", person(&tenant)).await;
    let first = out["result"]["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_string();
    let second = out["silent"]["refresh_token"]
        .as_str()
        .expect("the rotated one")
        .to_string();

    let mut args = person(&tenant);
    args["refresh_token"] = json!(first);
    let reused = server.msal("refresh", args).await;
    assert_eq!(
        error_of(&reused["result"]),
        "invalid_grant",
        "a spent refresh token: {reused}"
    );
    let mut args = person(&tenant);
    args["refresh_token"] = json!(second);
    let family = server.msal("refresh", args).await;
    assert_eq!(
        error_of(&family["result"]),
        "invalid_grant",
        "the whole family dies: {family}"
    );

    // A new sign-in, then the account is disabled: its refresh token no longer works.
    let out = server.msal("auth-code", person(&tenant)).await;
    let live = out["silent"]["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_string();
    server.cli_ok(&[
        "user",
        "update",
        "--tenant",
        &tenant,
        "--upn",
        PERSON,
        "--disable",
    ]);
    let mut args = person(&tenant);
    args["refresh_token"] = json!(live);
    let disabled = server.msal("refresh", args).await;
    assert_eq!(
        error_of(&disabled["result"]),
        "invalid_grant",
        "a disabled user's refresh token: {disabled}"
    );
}

#[tokio::test]
async fn device_code_approved_denied_and_expired() {
    let (server, tenant) = https_server_with_person().await;

    let out = server.msal("device-code", person(&tenant)).await;
    let flow = &out["flow"];
    let code = flow["user_code"].as_str().expect("a user code");
    assert!(flow["message"].as_str().unwrap().contains(code), "{out}");
    assert_eq!(
        flow["verification_uri"],
        format!("{}/devicelogin", server.base),
        "{out}"
    );
    assert!(out["result"]["error"].is_null(), "{out}");
    assert_eq!(
        out["result"]["id_token_claims"]["preferred_username"], PERSON,
        "{out}"
    );
    assert_eq!(accepted(&server, &out["result"]).await, 403, "{out}");

    let mut args = person(&tenant);
    args["button"] = json!("deny");
    let out = server.msal("device-code", args).await;
    assert_eq!(error_of(&out["result"]), "access_denied", "{out}");

    // Nobody comes: once its lifetime (6 s on this server) is over, the service answers expired_token.
    let (server, tenant) =
        https_server_with_person_and(&[("MSCOMMERCE_DEVICE_CODE_LIFETIME_SECONDS", "6")]).await;
    let out = server.msal("device-code-expired", person(&tenant)).await;
    assert_eq!(out["expires_in"], 6, "{out}");
    assert_eq!(error_of(&out["result"]), "expired_token", "{out}");
}
