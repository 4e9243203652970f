//! Client authentication at the token endpoint: `client_secret_basic` beside `client_secret_post`, and certificate
//! credentials (`private_key_jwt`, RFC 7523 client assertions signed as MSAL signs them: RS256 with `x5t`, PS256
//! with `x5t#S256`), managed through the command line and REST. Certificates are made by `openssl` per test.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use mscommerce_auth::unix_now;
use mscommerce_testing::tls::openssl;
use mscommerce_tests::*;
use ring::rand::SystemRandom;
use ring::signature::RsaKeyPair;
use serde_json::{json, Value};

/// A certificate and its private key, made for one test.
struct TestCertificate {
    /// The PEM file.
    path: PathBuf,
    der: Vec<u8>,
    /// PKCS#8 DER.
    private_key: Vec<u8>,
}

impl TestCertificate {
    fn x5t(&self) -> String {
        URL_SAFE_NO_PAD.encode(ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            &self.der,
        ))
    }

    fn x5t_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, &self.der))
    }

    /// The SHA-1 thumbprint as Windows shows it.
    fn thumbprint_hex(&self) -> String {
        ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }
}

/// A self-signed RSA certificate valid from now for 30 days, or between the dates given (`YYYYMMDDHHMMSSZ`).
fn certificate(dir: &Path, name: &str, dates: Option<(&str, &str)>) -> TestCertificate {
    let work = dir.join(format!("cert-{name}"));
    std::fs::create_dir_all(&work).unwrap();
    let subject = format!("/CN={name}");
    match dates {
        None => openssl(
            &work,
            &[
                "req", "-x509", "-nodes", "-newkey", "rsa:2048", "-days", "30", "-subj", &subject,
                "-keyout", "key.pem", "-out", "cert.pem",
            ],
        ),
        Some((start, end)) => {
            // `openssl ca` is what sets arbitrary validity dates in OpenSSL 3.0.
            openssl(
                &work,
                &[
                    "req", "-new", "-nodes", "-newkey", "rsa:2048", "-subj", &subject, "-keyout",
                    "key.pem", "-out", "req.csr",
                ],
            );
            std::fs::write(work.join("index.txt"), "").unwrap();
            std::fs::write(work.join("serial"), "01\n").unwrap();
            std::fs::write(
                work.join("ca.cnf"),
                "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n\
                 default_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n",
            )
            .unwrap();
            openssl(
                &work,
                &[
                    "ca",
                    "-batch",
                    "-selfsign",
                    "-notext",
                    "-keyfile",
                    "key.pem",
                    "-in",
                    "req.csr",
                    "-startdate",
                    start,
                    "-enddate",
                    end,
                    "-config",
                    "ca.cnf",
                    "-out",
                    "cert.pem",
                ],
            );
        }
    }
    openssl(
        &work,
        &[
            "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der",
        ],
    );
    openssl(
        &work,
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", "key.pem", "-outform", "DER", "-out", "key.der",
        ],
    );
    TestCertificate {
        path: work.join("cert.pem"),
        der: std::fs::read(work.join("cert.der")).unwrap(),
        private_key: std::fs::read(work.join("key.der")).unwrap(),
    }
}

/// A client assertion signed with the certificate's key, as MSAL for Python makes one
/// (msal/oauth2cli/assertion.py): RS256 names the certificate by `x5t`, PS256 by `x5t#S256`.
fn assertion(certificate: &TestCertificate, alg: &str, claims: &Value) -> String {
    let header = match alg {
        "PS256" => json!({"alg": alg, "typ": "JWT", "x5t#S256": certificate.x5t_s256()}),
        _ => json!({"alg": alg, "typ": "JWT", "x5t": certificate.x5t()}),
    };
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let pair = RsaKeyPair::from_pkcs8(&certificate.private_key).unwrap();
    let mut signature = vec![0; pair.public().modulus_len()];
    let padding: &dyn ring::signature::RsaEncoding = if alg == "PS256" {
        &ring::signature::RSA_PSS_SHA256
    } else {
        &ring::signature::RSA_PKCS1_SHA256
    };
    pair.sign(
        padding,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn assertion_claims(client_id: &str, aud: &str) -> Value {
    let now = unix_now();
    json!({
        "iss": client_id, "sub": client_id, "aud": aud,
        "iat": now, "nbf": now, "exp": now + 600,
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

fn assertion_form<'a>(client_id: &'a str, assertion: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
    ]
}

async fn basic_request(
    server: &Server,
    path: &str,
    user: &str,
    password: &str,
    form: &[(&str, &str)],
) -> Answer {
    let response = server
        .http
        .post(format!("{}{path}", server.base))
        .basic_auth(user, Some(password))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    Answer {
        status,
        headers,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

#[track_caller]
fn assert_oauth_error(answer: &Answer, status: u16, error: &str) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.text);
    assert_eq!(answer.json["error"], error, "{}", answer.text);
    assert!(
        answer.json["error_description"]
            .as_str()
            .is_some_and(|d| d.len() > 10),
        "{}",
        answer.text
    );
    assert!(!answer.text.contains("access_token"));
}

#[tokio::test]
async fn apps_authenticate_with_client_secret_basic_but_never_two_ways() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let (client_id, secret) =
        server.create_app(&tenant, "Basic", &["Policy.Read.AllowSelfServicePurchase"]);
    let grant = [("grant_type", "client_credentials")];

    let answer = basic_request(&server, "/oauth2/v2.0/token", &client_id, &secret, &grant).await;
    answer.expect(200, None);
    let token = answer.json["access_token"].as_str().unwrap();
    assert_eq!(claims_of(token)["appid"], client_id.as_str());
    // At the tenant's endpoint by domain, with the client ID repeated in the form (allowed when it is the same).
    let same_id = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id.as_str()),
    ];
    basic_request(
        &server,
        "/contoso.onmicrosoft.com/oauth2/v2.0/token",
        &client_id,
        &secret,
        &same_id,
    )
    .await
    .expect(200, None);

    // A wrong secret in the header is a wrong secret.
    let wrong = basic_request(&server, "/oauth2/v2.0/token", &client_id, "wrong", &grant).await;
    assert_oauth_error(&wrong, 401, "invalid_client");

    // Two methods at once, or two clients, are invalid requests (RFC 6749 section 2.3).
    let both = [
        ("grant_type", "client_credentials"),
        ("client_secret", secret.as_str()),
    ];
    let answer = basic_request(&server, "/oauth2/v2.0/token", &client_id, &secret, &both).await;
    assert_oauth_error(&answer, 400, "invalid_request");
    assert!(answer.json["error_description"]
        .as_str()
        .unwrap()
        .contains("more than one way"));
    let other = uuid::Uuid::new_v4().to_string();
    let two_ids = [
        ("grant_type", "client_credentials"),
        ("client_id", other.as_str()),
    ];
    let answer = basic_request(&server, "/oauth2/v2.0/token", &client_id, &secret, &two_ids).await;
    assert_oauth_error(&answer, 400, "invalid_request");

    // A Basic header that is not base64 of id:secret says so.
    let response = server
        .http
        .post(format!("{}/oauth2/v2.0/token", server.base))
        .header("authorization", "Basic !!!")
        .form(&grant)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    let response = server
        .http
        .post(format!("{}/oauth2/v2.0/token", server.base))
        .header(
            "authorization",
            format!("Basic {}", STANDARD.encode("no-colon")),
        )
        .form(&grant)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);

    // Without any credentials the grant says what it needs.
    let answer = server
        .token_request(
            "/oauth2/v2.0/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
            ],
        )
        .await;
    assert_oauth_error(&answer, 400, "invalid_request");
    assert!(answer.json["error_description"]
        .as_str()
        .unwrap()
        .contains("Authorization: Basic"));
}

#[tokio::test]
async fn apps_sign_in_with_a_certificate_as_msal_signs_assertions() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let (client_id, _) = server.create_app(
        &tenant,
        "Unattended",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );
    let cert = certificate(&server.dir.0, "unattended", None);
    let added = server.add_app_certificate(&client_id, &cert.path);
    assert!(added.contains(&cert.thumbprint_hex()), "{added}");
    assert!(
        added.contains("key_id:") && added.contains("expires:"),
        "{added}"
    );
    let listed = server.cli_ok(&["app", "credential", "list", "--app", &client_id]);
    assert!(
        listed.contains(&cert.thumbprint_hex()) && listed.contains("certificate"),
        "{listed}"
    );
    assert!(!listed.contains("PRIVATE"), "{listed}");

    let base = server.base.clone();
    // MSAL's aud is the token endpoint of the discovery document it fetched: the one the request goes to.
    for (path, alg) in [
        (format!("/{tenant}/oauth2/v2.0/token"), "RS256"),
        (
            "/contoso.onmicrosoft.com/oauth2/v2.0/token".to_string(),
            "PS256",
        ),
        ("/oauth2/v2.0/token".to_string(), "RS256"),
        ("/organizations/oauth2/v2.0/token".to_string(), "PS256"),
    ] {
        let signed = assertion(
            &cert,
            alg,
            &assertion_claims(&client_id, &format!("{base}{path}")),
        );
        let answer = server
            .token_request(&path, &assertion_form(&client_id, &signed))
            .await;
        answer.expect(200, None);
        let token = answer.json["access_token"].as_str().unwrap();
        let claims = claims_of(token);
        assert_eq!(claims["appid"], client_id.as_str(), "{path}");
        assert_eq!(claims["iss"], format!("{base}/{tenant}/v2.0"));
        server.get("/v1.0/policies", token).await.expect(200, None);

        // The same assertion again is a replay.
        let replay = server
            .token_request(&path, &assertion_form(&client_id, &signed))
            .await;
        assert_oauth_error(&replay, 401, "invalid_client");
        assert!(replay.json["error_description"]
            .as_str()
            .unwrap()
            .contains("used before"));
    }
    // The issuer as aud is accepted too (Entra does).
    let signed = assertion(
        &cert,
        "RS256",
        &assertion_claims(&client_id, &format!("{base}/{tenant}/v2.0")),
    );
    server
        .token_request("/oauth2/v2.0/token", &assertion_form(&client_id, &signed))
        .await
        .expect(200, None);
}

#[tokio::test]
async fn bad_client_assertions_are_refused_with_their_reason() {
    // Each refusal comes from its own address, so that the back-off of one address does not hide the next reason.
    let server = Server::start_with(&[("MSCOMMERCE_TRUST_FORWARDED_FOR", "true")]).await;
    let tenant = server.first_tenant();
    let other_tenant = server.create_tenant("Fabrikam");
    let (client_id, secret) = server.create_app(
        &tenant,
        "Unattended",
        &["Policy.Read.AllowSelfServicePurchase"],
    );
    let cert = certificate(&server.dir.0, "good", None);
    let stranger = certificate(&server.dir.0, "stranger", None);
    let future = certificate(
        &server.dir.0,
        "future",
        Some(("20990101000000Z", "20990201000000Z")),
    );
    for added in [&cert, &future] {
        server.add_app_certificate(&client_id, &added.path);
    }
    let aud = format!("{}/oauth2/v2.0/token", server.base);
    let good = || assertion_claims(&client_id, &aud);
    let with = |claim: &str, value: Value| {
        let mut claims = good();
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(claim);
        } else {
            claims[claim] = value;
        }
        claims
    };
    let now = unix_now();
    let mut stranger_signed_as_good = assertion(&stranger, "RS256", &good());
    {
        // The header names the registered certificate; the signature is the stranger's key.
        let parts: Vec<&str> = stranger_signed_as_good.split('.').collect();
        let header = json!({"alg": "RS256", "x5t": cert.x5t()});
        let forged_head = URL_SAFE_NO_PAD.encode(header.to_string());
        stranger_signed_as_good = format!("{forged_head}.{}.{}", parts[1], parts[2]);
    }
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "an unregistered certificate",
            assertion(&stranger, "RS256", &good()),
            "none of its certificates",
        ),
        (
            "another key's signature",
            stranger_signed_as_good,
            "signature does not match",
        ),
        (
            "a certificate not valid yet",
            assertion(&future, "RS256", &good()),
            "not valid now",
        ),
        (
            "another audience",
            assertion(
                &cert,
                "RS256",
                &with(
                    "aud",
                    json!("https://login.microsoftonline.com/x/oauth2/v2.0/token"),
                ),
            ),
            "'aud'",
        ),
        (
            "another issuer",
            assertion(
                &cert,
                "RS256",
                &with("iss", json!(uuid::Uuid::new_v4().to_string())),
            ),
            "'iss'",
        ),
        (
            "expired",
            assertion(&cert, "RS256", &with("exp", json!(now - 300))),
            "expired",
        ),
        (
            "living over an hour",
            assertion(&cert, "RS256", &with("exp", json!(now + 7200))),
            "lifetime",
        ),
        (
            "no jti",
            assertion(&cert, "RS256", &with("jti", Value::Null)),
            "'jti'",
        ),
        (
            "HS256",
            {
                let signed = assertion(&cert, "RS256", &good());
                let parts: Vec<&str> = signed.split('.').collect();
                let head =
                    URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "x5t": cert.x5t()}).to_string());
                format!("{head}.{}.{}", parts[1], parts[2])
            },
            "RS256 and PS256",
        ),
    ];
    for (index, (name, signed, says)) in cases.into_iter().enumerate() {
        let answer = server
            .token_request_from(
                &format!("192.0.2.{}", index + 1),
                "/oauth2/v2.0/token",
                &assertion_form(&client_id, &signed),
            )
            .await;
        assert_oauth_error(&answer, 401, "invalid_client");
        let description = answer.json["error_description"].as_str().unwrap();
        assert!(description.contains(says), "{name}: {description}");
    }

    // The app's tenant decides: at another tenant's endpoint its good assertion is refused.
    let path = format!("/{other_tenant}/oauth2/v2.0/token");
    let signed = assertion(
        &cert,
        "RS256",
        &assertion_claims(&client_id, &format!("{}{path}", server.base)),
    );
    assert_oauth_error(
        &server
            .token_request(&path, &assertion_form(&client_id, &signed))
            .await,
        401,
        "invalid_client",
    );

    // Ill-formed requests are invalid_request: a wrong assertion type, an assertion beside a secret.
    let signed = assertion(&cert, "RS256", &good());
    let mut form = assertion_form(&client_id, &signed);
    form[2].1 = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer";
    assert_oauth_error(
        &server.token_request("/oauth2/v2.0/token", &form).await,
        400,
        "invalid_request",
    );
    let mut form = assertion_form(&client_id, &signed);
    form.push(("client_secret", &secret));
    assert_oauth_error(
        &server.token_request("/oauth2/v2.0/token", &form).await,
        400,
        "invalid_request",
    );

    // Failed assertions count toward the app's back-off as wrong secrets do.
    let mut throttled = false;
    for _ in 0..30 {
        let signed = assertion(&stranger, "RS256", &good());
        let answer = server
            .token_request_from(
                "203.0.113.9",
                "/oauth2/v2.0/token",
                &assertion_form(&client_id, &signed),
            )
            .await;
        if answer.status.as_u16() == 429 {
            assert!(answer.header("retry-after").is_some());
            throttled = true;
            break;
        }
    }
    assert!(throttled, "failed certificate sign-ins are never throttled");
}

#[tokio::test]
async fn credentials_are_managed_by_global_administrators_through_rest() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let other_tenant = server.create_tenant("Fabrikam");
    let (client_id, _) =
        server.create_app(&tenant, "Robot", &["Policy.Read.AllowSelfServicePurchase"]);
    let (foreign_app, _) = server.create_app(
        &other_tenant,
        "Theirs",
        &["Policy.Read.AllowSelfServicePurchase"],
    );
    let admin = server.admin_token().await;
    server.create_user(
        &tenant,
        "reader@contoso.onmicrosoft.com",
        &[roles::GLOBAL_READER],
    );
    let reader = server
        .user_token("reader@contoso.onmicrosoft.com", USER_PASSWORD)
        .await;
    let cert = certificate(&server.dir.0, "rest", None);
    let collection = format!("/v1.0/applications/{client_id}/credentials");

    // Global Readers may not even list them.
    server.get(&collection, &reader).await.expect(403, None);
    server
        .post(
            &collection,
            &reader,
            json!({"key": STANDARD.encode(&cert.der)}),
        )
        .await
        .expect(403, None);

    // Added as base64 DER, with a name.
    let added = server
        .post(
            &collection,
            &admin,
            json!({"key": STANDARD.encode(&cert.der), "displayName": "automation"}),
        )
        .await;
    added.expect(201, None);
    assert_eq!(added.json["type"], "AsymmetricX509Cert");
    assert_eq!(added.json["displayName"], "automation");
    assert_eq!(added.json["customKeyIdentifier"], cert.thumbprint_hex());
    assert_eq!(added.json["x5t"], cert.x5t());
    assert_eq!(added.json["x5t#S256"], cert.x5t_s256());
    let key_id = added.json["keyId"].as_str().unwrap().to_string();
    assert!(added
        .header("location")
        .is_some_and(|l| l.ends_with(&format!("{collection}/{key_id}"))));
    // The same certificate twice is a conflict; PEM text is accepted as well.
    let pem = std::fs::read_to_string(&cert.path).unwrap();
    server
        .post(&collection, &admin, json!({"key": pem}))
        .await
        .expect(409, None);

    let listed = server.get(&collection, &admin).await;
    listed.expect(200, None);
    assert_eq!(listed.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.json["items"][0]["keyId"], key_id.as_str());
    assert!(
        !listed.text.contains("MII"),
        "the certificate itself is not listed: {}",
        listed.text
    );

    // What is not a certificate is refused in the envelope, saying what is expected.
    let expired = certificate(
        &server.dir.0,
        "expired",
        Some(("20200101000000Z", "20200201000000Z")),
    );
    for (body, says) in [
        (json!({"key": "not base64 !"}), "base64"),
        (json!({"key": STANDARD.encode(b"hello")}), "certificate"),
        (
            json!({"key": STANDARD.encode(&cert.private_key)}),
            "certificate",
        ),
        (json!({"key": STANDARD.encode(&expired.der)}), "expired"),
        (
            json!({"key": STANDARD.encode(&cert.der), "displayName": " "}),
            "displayName",
        ),
    ] {
        let answer = server.post(&collection, &admin, body.clone()).await;
        answer.expect(400, Some("InvalidCertificate"));
        assert!(
            answer.json["reason"].as_str().unwrap().contains(says),
            "{body}: {}",
            answer.text
        );
    }
    server
        .post(&collection, &admin, json!({"certificate": "x"}))
        .await
        .expect(400, None);
    // The command line refuses an expired certificate too.
    let output = server.cli(&[
        "app",
        "credential",
        "add",
        "--app",
        &client_id,
        "--certificate",
        expired.path.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("expired"));

    // Another tenant's app is not found, as is an app that does not exist.
    for app in [foreign_app.as_str(), "not-a-guid"] {
        server
            .get(&format!("/v1.0/applications/{app}/credentials"), &admin)
            .await
            .expect(404, Some("AppNotFound"));
    }

    // Signs in with the certificate added through REST, until it is removed.
    let aud = format!("{}/oauth2/v2.0/token", server.base);
    let signed = assertion(&cert, "PS256", &assertion_claims(&client_id, &aud));
    server
        .token_request("/oauth2/v2.0/token", &assertion_form(&client_id, &signed))
        .await
        .expect(200, None);
    let removed = server
        .call(
            reqwest::Method::DELETE,
            &format!("{collection}/{key_id}"),
            Some(&admin),
            None,
        )
        .await;
    removed.expect(204, None);
    server
        .call(
            reqwest::Method::DELETE,
            &format!("{collection}/{key_id}"),
            Some(&admin),
            None,
        )
        .await
        .expect(404, Some("CredentialNotFound"));
    let signed = assertion(&cert, "PS256", &assertion_claims(&client_id, &aud));
    assert_oauth_error(
        &server
            .token_request("/oauth2/v2.0/token", &assertion_form(&client_id, &signed))
            .await,
        401,
        "invalid_client",
    );

    // Both changes are in the audit trail.
    let events = server.get("/v1.0/auditLogs/events", &admin).await;
    assert!(
        events.text.contains("AppCredentialAdded") && events.text.contains("AppCredentialRemoved"),
        "{}",
        events.text
    );
}

/// An assertion signed with `header` as given (to send header values no client library would).
fn assertion_with_header(certificate: &TestCertificate, header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let pair = RsaKeyPair::from_pkcs8(&certificate.private_key).unwrap();
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[tokio::test]
async fn an_assertion_is_not_accepted_twice_in_its_grace_period_nor_with_values_out_of_bounds() {
    let server = Server::start_with(&[("MSCOMMERCE_TRUST_FORWARDED_FOR", "true")]).await;
    let tenant = server.first_tenant();
    let (client_id, _) =
        server.create_app(&tenant, "Replay", &["Policy.Read.AllowSelfServicePurchase"]);
    let cert = certificate(&server.dir.0, "replay", None);
    server.add_app_certificate(&client_id, &cert.path);
    let aud = format!("{}/oauth2/v2.0/token", server.base);
    let mut address = 0;
    let mut send = |signed: String| {
        address += 1;
        let server = &server;
        let client_id = client_id.clone();
        async move {
            let from = format!("198.51.100.{address}");
            server
                .token_request_from(
                    &from,
                    "/oauth2/v2.0/token",
                    &assertion_form(&client_id, &signed),
                )
                .await
        }
    };

    // Used once just before its exp, then, after the exp, another app's sign-in sweeps expired records; within
    // the 60 s of leeway the same assertion must still be refused.
    let mut claims = assertion_claims(&client_id, &aud);
    claims["exp"] = json!(unix_now() + 2);
    let signed = assertion(&cert, "RS256", &claims);
    send(signed.clone()).await.expect(200, None);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    send(assertion(
        &cert,
        "RS256",
        &assertion_claims(&client_id, &aud),
    ))
    .await
    .expect(200, None);
    assert_oauth_error(&send(signed).await, 401, "invalid_client");

    // A lifetime over the cap, made to look short by an `nbf` far in the past, is refused.
    let mut claims = assertion_claims(&client_id, &aud);
    claims["nbf"] = json!(-1e300);
    claims["iat"] = json!(-1e300);
    claims["exp"] = json!(unix_now() + 10 * 365 * 24 * 3600);
    assert_oauth_error(
        &send(assertion(&cert, "RS256", &claims)).await,
        401,
        "invalid_client",
    );

    // A thumbprint that cannot be one, and a jti longer than any client makes, are refused as such: never a 500.
    let header = json!({"alg": "RS256", "typ": "JWT", "x5t": "\u{0}"});
    let signed = assertion_with_header(&cert, &header, &assertion_claims(&client_id, &aud));
    assert_oauth_error(&send(signed).await, 401, "invalid_client");
    let mut claims = assertion_claims(&client_id, &aud);
    claims["jti"] = json!("j".repeat(5000));
    assert_oauth_error(
        &send(assertion(&cert, "RS256", &claims)).await,
        401,
        "invalid_client",
    );
}
