//! Tenant-scoped sign-in endpoints shaped like Entra's: the tenant named by its ID, one of its domain names,
//! `common` or `organizations`; the discovery document and keys under it; tokens that carry their tenant's issuer;
//! and the password grant turned off, for the service or one tenant.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mscommerce_tests::*;
use serde_json::{json, Value};

async fn get_json(server: &Server, path: &str) -> (u16, Value) {
    let response = server
        .http
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{value} is not an array"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

/// What every scoped document has, whatever the segment: endpoints under that segment, and the capabilities.
fn assert_complete(document: &Value, base: &str, segment: &str) {
    let endpoint = |name: &str| format!("{base}/{segment}/oauth2/v2.0/{name}");
    assert_eq!(document["authorization_endpoint"], endpoint("authorize"));
    assert_eq!(document["token_endpoint"], endpoint("token"));
    assert_eq!(
        document["device_authorization_endpoint"],
        endpoint("devicecode")
    );
    assert_eq!(document["end_session_endpoint"], endpoint("logout"));
    assert_eq!(document["revocation_endpoint"], endpoint("revoke"));
    assert_eq!(
        document["jwks_uri"],
        format!("{base}/{segment}/discovery/v2.0/keys")
    );
    assert_eq!(strings(&document["response_types_supported"]), ["code"]);
    assert_eq!(
        strings(&document["response_modes_supported"]),
        ["query", "form_post"]
    );
    assert_eq!(
        strings(&document["code_challenge_methods_supported"]),
        ["S256"]
    );
    assert_eq!(
        strings(&document["token_endpoint_auth_methods_supported"]),
        [
            "client_secret_post",
            "client_secret_basic",
            "private_key_jwt",
            "none"
        ]
    );
    let algorithms = strings(&document["token_endpoint_auth_signing_alg_values_supported"]);
    assert!(algorithms.contains(&"RS256") && algorithms.contains(&"PS256"));
    let grants = strings(&document["grant_types_supported"]);
    for grant in [
        "authorization_code",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
        "client_credentials",
    ] {
        assert!(grants.contains(&grant), "{grant} missing from {grants:?}");
    }
    let scopes = strings(&document["scopes_supported"]);
    for scope in ["openid", "profile", "email", "offline_access"] {
        assert!(scopes.contains(&scope), "{scope}");
    }
    assert!(scopes.contains(&format!("{AUDIENCE}/.default").as_str()));
    assert!(!strings(&document["subject_types_supported"]).is_empty());
    assert!(!strings(&document["id_token_signing_alg_values_supported"]).is_empty());
    assert!(strings(&document["claims_supported"]).contains(&"tid"));
    assert!(document
        .as_object()
        .unwrap()
        .get("tenant_region_scope")
        .is_some_and(Value::is_null));
}

#[tokio::test]
async fn the_discovery_document_names_the_tenant_by_id_domain_or_any() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    server
        .post("/v1.0/domains", &admin, json!({"id": "contoso.com"}))
        .await
        .expect(201, None);
    let base = server.base.as_str();
    let tenant_issuer = format!("{base}/{tenant}/v2.0");

    // A concrete tenant's issuer carries its ID, also when the path named one of its domains (any case).
    for segment in [
        tenant.as_str(),
        "contoso.onmicrosoft.com",
        "Contoso.COM",
        &tenant.to_uppercase(),
    ] {
        let (status, document) = get_json(
            &server,
            &format!("/{segment}/v2.0/.well-known/openid-configuration"),
        )
        .await;
        assert_eq!(status, 200, "{segment}: {document}");
        assert_eq!(document["issuer"], tenant_issuer, "{segment}");
        assert_complete(&document, base, segment);
        assert!(strings(&document["grant_types_supported"]).contains(&"password"));
    }
    // Any tenant: Entra's literal template.
    for segment in ["common", "organizations"] {
        let (status, document) = get_json(
            &server,
            &format!("/{segment}/v2.0/.well-known/openid-configuration"),
        )
        .await;
        assert_eq!(status, 200, "{segment}: {document}");
        assert_eq!(document["issuer"], format!("{base}/{{tenantid}}/v2.0"));
        assert_complete(&document, base, segment);
    }

    // The keys under a tenant's path are the service's keys.
    let (_, unscoped) = get_json(&server, "/discovery/v2.0/keys").await;
    for segment in [tenant.as_str(), "contoso.com", "common"] {
        let (status, keys) = get_json(&server, &format!("/{segment}/discovery/v2.0/keys")).await;
        assert_eq!(status, 200, "{segment}");
        assert_eq!(keys, unscoped);
        assert!(!keys["keys"].as_array().unwrap().is_empty());
    }

    // The unscoped document stays, and is complete too.
    let (status, unscoped_document) = get_json(&server, "/.well-known/openid-configuration").await;
    assert_eq!(status, 200);
    assert_eq!(unscoped_document["issuer"], base);
    assert_eq!(
        unscoped_document["authorization_endpoint"],
        format!("{base}/oauth2/v2.0/authorize")
    );
    assert_eq!(
        strings(&unscoped_document["code_challenge_methods_supported"]),
        ["S256"]
    );
}

#[tokio::test]
async fn an_unknown_tenant_is_an_oauth_invalid_request() {
    let server = Server::start().await;
    let nobody = uuid::Uuid::new_v4().to_string();
    for segment in ["nowhere.example", nobody.as_str(), "not a tenant", "x..y"] {
        let encoded = segment.replace(' ', "%20");
        for path in [
            format!("/{encoded}/v2.0/.well-known/openid-configuration"),
            format!("/{encoded}/discovery/v2.0/keys"),
        ] {
            let (status, body) = get_json(&server, &path).await;
            assert_eq!(status, 400, "{path}: {body}");
            assert_eq!(body["error"], "invalid_request", "{path}");
            let description = body["error_description"].as_str().unwrap();
            assert!(description.contains(segment), "{path}: {description}");
        }
        let answer = server
            .token_request(
                &format!("/{encoded}/oauth2/v2.0/token"),
                &[
                    ("grant_type", "password"),
                    ("username", ADMIN_UPN),
                    ("password", ADMIN_PASSWORD),
                ],
            )
            .await;
        assert_eq!(answer.status.as_u16(), 400, "{segment}: {}", answer.text);
        assert_eq!(answer.json["error"], "invalid_request");
        assert!(!answer.text.contains("access_token"));
    }
    let (_, body) = get_json(
        &server,
        "/nowhere.example/v2.0/.well-known/openid-configuration",
    )
    .await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("Tenant 'nowhere.example' not found"),
        "{body}"
    );
}

#[tokio::test]
async fn tokens_carry_their_tenants_issuer_and_the_old_issuer_still_works() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let other = server.create_tenant("Fabrikam");

    // Signed in at the tenant's endpoint named by its domain: the token's issuer names the tenant by its ID.
    let answer = server
        .token_request(
            "/contoso.onmicrosoft.com/oauth2/v2.0/token",
            &[
                ("grant_type", "password"),
                ("username", ADMIN_UPN),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await;
    answer.expect(200, None);
    let token = answer.json["access_token"].as_str().unwrap().to_string();
    let claims = claims_of(&token);
    assert_eq!(claims["iss"], format!("{}/{tenant}/v2.0", server.base));
    assert_eq!(claims["tid"], tenant.as_str());
    server.get("/v1.0/policies", &token).await.expect(200, None);

    // The user of another tenant cannot sign in at this tenant's endpoint by domain.
    let refused = server
        .token_request(
            "/fabrikam.onmicrosoft.com/oauth2/v2.0/token",
            &[
                ("grant_type", "password"),
                ("username", ADMIN_UPN),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status.as_u16(), 400, "{}", refused.text);
    assert_eq!(refused.json["error"], "invalid_grant");

    // Tokens issued with the service's issuer, as before per-tenant issuers, are still accepted; a tenant's
    // issuer on a token of another tenant is not.
    let (kid, pkcs8) = server.signing_key().await;
    let key = EncodingKey::from_ed_der(&pkcs8);
    let forge = |iss: String| {
        let mut forged = claims.clone();
        forged["iss"] = json!(iss);
        forged["uti"] = json!(uuid::Uuid::new_v4().simple().to_string());
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(&header, &forged, &key).unwrap()
    };
    server
        .get("/v1.0/policies", &forge(server.base.clone()))
        .await
        .expect(200, None);
    for iss in [
        format!("{}/{other}/v2.0", server.base),
        format!("{}/common/v2.0", server.base),
        format!("{}/{{tenantid}}/v2.0", server.base),
    ] {
        let answer = server.get("/v1.0/policies", &forge(iss.clone())).await;
        assert_eq!(answer.status.as_u16(), 401, "{iss}: {}", answer.text);
        assert_eq!(answer.json["errorCode"], "TokenInvalidIssuer", "{iss}");
    }
}

fn password_form(password: &str) -> [(&str, &str); 3] {
    [
        ("grant_type", "password"),
        ("username", ADMIN_UPN),
        ("password", password),
    ]
}

/// A refusal because the password grant is off: the same whether the password was right or not.
#[track_caller]
fn assert_password_grant_off(answer: &Answer) {
    assert_eq!(answer.status.as_u16(), 400, "{}", answer.text);
    assert_eq!(
        answer.json["error"], "unauthorized_client",
        "{}",
        answer.text
    );
    let description = answer.json["error_description"].as_str().unwrap();
    assert!(
        description.contains("password_grant_enabled") && description.contains("device code"),
        "{description}"
    );
}

#[tokio::test]
async fn the_password_grant_can_be_turned_off_for_the_service() {
    let server = Server::start_with(&[("MSCOMMERCE_PASSWORD_GRANT_ENABLED", "false")]).await;
    let tenant = server.first_tenant();
    for path in [
        "/oauth2/v2.0/token".to_string(),
        format!("/{tenant}/oauth2/v2.0/token"),
        "/contoso.onmicrosoft.com/oauth2/v2.0/token".to_string(),
        "/organizations/oauth2/v2.0/token".to_string(),
    ] {
        for password in [ADMIN_PASSWORD, "wrong-password"] {
            let answer = server.token_request(&path, &password_form(password)).await;
            assert_password_grant_off(&answer);
        }
    }
    // An unknown user is answered the same: the refusal tells nothing about accounts.
    let answer = server
        .token_request(
            "/oauth2/v2.0/token",
            &[
                ("grant_type", "password"),
                ("username", "nobody@nowhere.example"),
                ("password", "whatever1"),
            ],
        )
        .await;
    assert_password_grant_off(&answer);
    let (_, document) = get_json(
        &server,
        &format!("/{tenant}/v2.0/.well-known/openid-configuration"),
    )
    .await;
    assert!(!strings(&document["grant_types_supported"]).contains(&"password"));

    // A tenant may turn it back on for itself.
    server.cli_ok(&[
        "tenant",
        "set",
        "--tenant",
        &tenant,
        "--password-grant",
        "on",
    ]);
    server
        .token_request("/oauth2/v2.0/token", &password_form(ADMIN_PASSWORD))
        .await
        .expect(200, None);
    let (_, document) = get_json(
        &server,
        "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
    )
    .await;
    assert!(strings(&document["grant_types_supported"]).contains(&"password"));
}

#[tokio::test]
async fn a_tenant_can_turn_the_password_grant_off_for_itself() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let other = server.create_tenant("Fabrikam");
    server.create_user(&other, "ann@fabrikam.onmicrosoft.com", &[]);
    let admin = server.admin_token().await;

    let out = server.cli_ok(&[
        "tenant",
        "set",
        "--tenant",
        &tenant,
        "--password-grant",
        "off",
    ]);
    assert!(out.contains("password grant off"), "{out}");
    for path in [
        "/oauth2/v2.0/token".to_string(),
        "/common/oauth2/v2.0/token".to_string(),
        format!("/{tenant}/oauth2/v2.0/token"),
    ] {
        for password in [ADMIN_PASSWORD, "wrong-password"] {
            assert_password_grant_off(&server.token_request(&path, &password_form(password)).await);
        }
    }
    // Only that tenant: another tenant's users sign in as before, and its apps too.
    server
        .user_token("ann@fabrikam.onmicrosoft.com", USER_PASSWORD)
        .await;
    let (client_id, secret) =
        server.create_app(&tenant, "Robot", &["Policy.Read.AllowSelfServicePurchase"]);
    server.app_token(&client_id, &secret).await;
    let (_, document) = get_json(
        &server,
        &format!("/{tenant}/v2.0/.well-known/openid-configuration"),
    )
    .await;
    assert!(!strings(&document["grant_types_supported"]).contains(&"password"));
    let (_, document) = get_json(
        &server,
        "/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration",
    )
    .await;
    assert!(strings(&document["grant_types_supported"]).contains(&"password"));

    // The change is in the tenant's audit trail; tokens issued before keep working until they expire.
    let events = server.get("/v1.0/auditLogs/events", &admin).await;
    events.expect(200, None);
    assert!(
        events.text.contains("TenantSettingChanged") && events.text.contains("passwordGrant=off"),
        "{}",
        events.text
    );

    // Back to the service's setting.
    server.cli_ok(&[
        "tenant",
        "set",
        "--tenant",
        &tenant,
        "--password-grant",
        "default",
    ]);
    server.admin_token().await;
}
