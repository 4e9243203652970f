//! Sign-in: the token endpoint, discovery, and every way a token can be refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mscommerce_tests::*;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn user_and_app_tokens_are_shaped_like_entra_tokens() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let token = server.admin_token().await;
    let claims = claims_of(&token);
    assert_eq!(claims["tid"], tenant.as_str());
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["iss"], format!("{}/{tenant}/v2.0", server.base));
    assert_eq!(claims["upn"], ADMIN_UPN);
    assert_eq!(
        claims["wids"],
        json!(["62e90394-69f5-4237-9190-012177145e10"])
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    assert!(claims["oid"].as_str().unwrap().len() == 36 && claims["name"].is_string());
    assert!(claims.get("roles").is_none());

    let (client_id, secret) = server.create_app(
        &tenant,
        "Baseline",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );
    let app = claims_of(&server.app_token(&client_id, &secret).await);
    assert_eq!(
        app["roles"],
        json!(["Policy.ReadWrite.AllowSelfServicePurchase"])
    );
    assert_eq!(app["appid"], client_id.as_str());
    assert_eq!(app["tid"], tenant.as_str());
    assert_eq!(app["idtyp"], "app");
    assert!(app.get("upn").is_none() && app.get("wids").is_none());

    // The tenant-specific endpoint, as MSAL and Connect-MSCommerce -TenantId call it.
    let answer = server
        .token_request(
            &format!("/{tenant}/oauth2/v2.0/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", &secret),
            ],
        )
        .await;
    answer.expect(200, None);
    assert_eq!(answer.json["token_type"], "Bearer");
    assert_eq!(answer.json["expires_in"], 3600);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn token_endpoint_refusals_follow_oauth2() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let other = server.create_tenant("Fabrikam");
    let (client_id, secret) =
        server.create_app(&tenant, "Reader", &["Policy.Read.AllowSelfServicePurchase"]);
    // Larger than the body limit (64 KiB by default).
    let padding = "x".repeat(100_000);
    /// Path, form, expected status, expected OAuth2 error.
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "/oauth2/v2.0/token".into(),
            vec![
                ("grant_type", "password"),
                ("username", ADMIN_UPN),
                ("password", ADMIN_PASSWORD),
                ("padding", &padding),
            ],
            413,
            "invalid_request",
        ),
        (
            "/oauth2/v2.0/token".into(),
            vec![
                ("grant_type", "password"),
                ("username", ADMIN_UPN),
                ("password", "wrong"),
            ],
            400,
            "invalid_grant",
        ),
        (
            "/oauth2/v2.0/token".into(),
            vec![
                ("grant_type", "password"),
                ("username", "nobody@x.test"),
                ("password", "whatever1"),
            ],
            400,
            "invalid_grant",
        ),
        (
            "/oauth2/v2.0/token".into(),
            vec![("grant_type", "password"), ("username", ADMIN_UPN)],
            400,
            "invalid_request",
        ),
        (
            "/oauth2/v2.0/token".into(),
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", "wrong"),
            ],
            401,
            "invalid_client",
        ),
        (
            "/oauth2/v2.0/token".into(),
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "not-a-guid"),
                ("client_secret", "x"),
            ],
            401,
            "invalid_client",
        ),
        (
            "/oauth2/v2.0/token".into(),
            vec![
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:saml2-bearer",
                ),
                ("assertion", "x"),
            ],
            400,
            "unsupported_grant_type",
        ),
        (
            // A code without its redirect URI, verifier and client: what is missing is named.
            "/oauth2/v2.0/token".into(),
            vec![("grant_type", "authorization_code"), ("code", "x")],
            400,
            "invalid_request",
        ),
        (
            "/oauth2/v2.0/token".into(),
            vec![("username", ADMIN_UPN)],
            400,
            "invalid_request",
        ),
        (
            "/oauth2/v2.0/token".into(),
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", &secret),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
            400,
            "invalid_scope",
        ),
        (
            format!("/{other}/oauth2/v2.0/token"),
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", &secret),
            ],
            401,
            "invalid_client",
        ),
        (
            format!("/{other}/oauth2/v2.0/token"),
            vec![
                ("grant_type", "password"),
                ("username", ADMIN_UPN),
                ("password", ADMIN_PASSWORD),
            ],
            400,
            "invalid_grant",
        ),
        (
            "/contoso/oauth2/v2.0/token".into(),
            vec![
                ("grant_type", "password"),
                ("username", ADMIN_UPN),
                ("password", ADMIN_PASSWORD),
            ],
            400,
            "invalid_request",
        ),
    ];
    for (path, form, status, error) in cases {
        let answer = server.token_request(&path, &form).await;
        assert_eq!(
            answer.status.as_u16(),
            status,
            "{path} {form:?}: {}",
            answer.text
        );
        assert_eq!(answer.json["error"], error, "{path} {form:?}");
        assert_eq!(
            answer.json["errorCode"], error,
            "the envelope's fields are there too"
        );
        assert!(answer.json["error_description"].as_str().unwrap().len() > 10);
        assert!(!answer.text.contains(ADMIN_PASSWORD) && !answer.text.contains(&secret));
    }
    // A JSON body is not a form.
    let json_body = server
        .http
        .post(format!("{}/oauth2/v2.0/token", server.base))
        .json(&json!({"grant_type": "password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status().as_u16(), 400);
    assert_eq!(
        json_body.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
}

#[tokio::test]
async fn discovery_and_jwks_publish_the_signing_key() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let discovery = server
        .http
        .get(format!("{}/.well-known/openid-configuration", server.base))
        .send()
        .await
        .unwrap();
    let discovery: Value = discovery.json().await.unwrap();
    assert_eq!(discovery["issuer"], server.base.as_str());
    assert_eq!(
        discovery["token_endpoint"],
        format!("{}/oauth2/v2.0/token", server.base)
    );
    let jwks = server
        .public_json(discovery["jwks_uri"].as_str().unwrap())
        .await;
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], key["kid"], "tokens name the published key");
    assert_eq!(header["alg"], "EdDSA");
    assert!(key.get("d").is_none(), "no private part is published");

    // The published key really verifies the token.
    let x = URL_SAFE_NO_PAD.decode(key["x"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[AUDIENCE]);
    jsonwebtoken::decode::<Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_ed_der(&x),
        &validation,
    )
    .expect("the JWKS key verifies the token");
}

fn sign(header: &Value, claims: &Value, sign_with: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let head = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap());
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
    let signing_input = format!("{head}.{body}");
    let signature = URL_SAFE_NO_PAD.encode(sign_with(signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

#[tokio::test]
async fn every_token_defect_is_a_401_naming_its_cause() {
    let server = Server::start().await;
    let good = server.admin_token().await;
    let claims = claims_of(&good);
    let (kid, pkcs8) = server.signing_key().await;
    let key = EncodingKey::from_ed_der(&pkcs8);
    let forge = |changes: Value| {
        let mut c = claims.clone();
        for (k, v) in changes.as_object().unwrap() {
            c[k] = v.clone();
        }
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(&header, &c, &key).unwrap()
    };
    let now = now();
    let public_key = Ed25519KeyPair::from_pkcs8(&pkcs8)
        .unwrap()
        .public_key()
        .as_ref()
        .to_vec();
    let stranger = Ed25519KeyPair::from_pkcs8(
        Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .unwrap()
            .as_ref(),
    )
    .unwrap();
    let tampered = {
        // Same signature, claims edited to another tenant.
        let parts: Vec<&str> = good.split('.').collect();
        let mut c = claims.clone();
        c["tid"] = json!(uuid::Uuid::new_v4().to_string());
        format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap()),
            parts[2]
        )
    };
    let hmac_with_public_key = sign(
        &json!({"alg": "HS256", "typ": "JWT", "kid": kid}),
        &claims,
        |input| {
            ring::hmac::sign(
                &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &public_key),
                input,
            )
            .as_ref()
            .to_vec()
        },
    );
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("missing", None, "TokenMissing"),
        ("malformed", Some("not-a-jwt".into()), "TokenMalformed"),
        ("garbage parts", Some("a.b.c".into()), "TokenMalformed"),
        (
            "expired",
            Some(forge(
                json!({"iat": now - 7300, "nbf": now - 7300, "exp": now - 3700}),
            )),
            "TokenExpired",
        ),
        (
            "not yet valid",
            Some(forge(json!({"nbf": now + 3000, "exp": now + 6000}))),
            "TokenNotYetValid",
        ),
        (
            "wrong audience",
            Some(forge(json!({"aud": "https://graph.microsoft.com"}))),
            "TokenInvalidAudience",
        ),
        (
            "wrong issuer",
            Some(forge(
                json!({"iss": "https://login.microsoftonline.com/x/v2.0"}),
            )),
            "TokenInvalidIssuer",
        ),
        (
            "unsigned",
            Some(sign(&json!({"alg": "none", "typ": "JWT"}), &claims, |_| {
                Vec::new()
            })),
            "TokenUnsupportedAlgorithm",
        ),
        (
            "HMAC with the public key",
            Some(hmac_with_public_key),
            "TokenUnsupportedAlgorithm",
        ),
        (
            "unknown key",
            Some(sign(
                &json!({"alg": "EdDSA", "kid": "someone-elses"}),
                &claims,
                |i| stranger.sign(i).as_ref().to_vec(),
            )),
            "TokenUnknownKey",
        ),
        (
            "right kid, other key",
            Some(sign(&json!({"alg": "EdDSA", "kid": kid}), &claims, |i| {
                stranger.sign(i).as_ref().to_vec()
            })),
            "TokenInvalidSignature",
        ),
        ("tampered", Some(tampered), "TokenInvalidSignature"),
        (
            "no tenant",
            Some(forge(json!({"tid": "contoso"}))),
            "TokenInvalidClaims",
        ),
    ];
    // The genuine token is verified and cached first: the tampered one carries its very signature, and must not
    // ride on that cache entry.
    server.get("/v1.0/policies", &good).await.expect(200, None);
    for (name, token, code) in cases {
        let answer = server
            .call(
                reqwest::Method::GET,
                "/v1.0/policies",
                token.as_deref(),
                None,
            )
            .await;
        assert_eq!(answer.status.as_u16(), 401, "{name}: {}", answer.text);
        assert_eq!(answer.json["errorCode"], code, "{name}: {}", answer.text);
        let challenge = answer.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer"),
            "{name}: WWW-Authenticate is '{challenge}'"
        );
    }
    // And the genuine token still works, so the refusals above are about the defects.
    server.get("/v1.0/policies", &good).await.expect(200, None);
}
