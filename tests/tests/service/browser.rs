//! The pages a person sees, in a real browser (Debian's Chromium, driven by the scenarios of `tests/browser/`):
//! each passes an axe-core accessibility scan with no serious or critical violation and is screenshotted to
//! `target/console-screenshots/`; the sign-in works with the keyboard alone, up to the app's redirect with a code
//! that the token endpoint redeems; a person signs in to the console with the organization's identity provider
//! (oidc-provider's own login page, in the same browser); a device is approved on the device-login pages by their
//! buttons' names; and the scan itself fails on a page with a critical violation.

use mscommerce_tests::browser::run_scenario;
use mscommerce_tests::*;

const MODULE: &str = "3d5cffa9-04da-4657-8cab-c7f074657cad";
const REDIRECT: &str = "http://127.0.0.1:8400/callback";
const STATE: &str = "state-browser-1";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// The module's authorization request with PKCE, as the code flow tests make it, with or without a login hint.
fn authorize_path(login_hint: Option<&str>) -> String {
    let scope = format!("{AUDIENCE}/.default openid profile offline_access");
    let mut url = reqwest::Url::parse("http://x/oauth2/v2.0/authorize").unwrap();
    url.query_pairs_mut().extend_pairs([
        ("client_id", MODULE),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", &scope),
        ("state", STATE),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]);
    if let Some(hint) = login_hint {
        url.query_pairs_mut().append_pair("login_hint", hint);
    }
    format!("{}?{}", url.path(), url.query().unwrap())
}

/// Runs the page scan scenario on `path`: the heading is there, no script or console error, no serious or
/// critical axe violation; the screenshot is `NAME.png`.
async fn scan_page(server: &Server, path: &str, heading: &str, name: &str) {
    run_scenario(
        server,
        "page-scan.mjs",
        &[
            ("MSCOMMERCE_PAGE_PATH", path),
            ("MSCOMMERCE_PAGE_HEADING", heading),
            ("MSCOMMERCE_SCREENSHOT_NAME", name),
        ],
    )
    .await;
    let screenshot = browser::screenshot_dir().join(format!("{name}.png"));
    let bytes = std::fs::read(&screenshot)
        .unwrap_or_else(|e| panic!("the screenshot {}: {e}", screenshot.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 1000,
        "{} is not a PNG of a page",
        screenshot.display()
    );
}

#[tokio::test]
async fn the_sign_in_page_passes_the_accessibility_scan() {
    let server = Server::start().await;
    scan_page(
        &server,
        &authorize_path(Some(ADMIN_UPN)),
        "Sign in",
        "sign-in",
    )
    .await;
}

#[tokio::test]
async fn the_sign_in_page_with_a_providers_button_passes_the_accessibility_scan() {
    // The organization offers its provider's sign-in: the page shows "Sign in with Contoso ID" beside the form (a
    // link; the provider is not asked anything until it is followed).
    let server = Server::start().await;
    let admin = server.admin_token().await;
    let tenant = server.first_tenant();
    let trust = server
        .post(
            "/v1.0/trustedIssuers",
            &admin,
            serde_json::json!({"issuer": "http://127.0.0.1:9/provider", "audiences": [AUDIENCE]}),
        )
        .await;
    trust.expect(201, None);
    server
        .put(
            &format!(
                "/v1.0/trustedIssuers/{}/signIn",
                trust.json["id"].as_str().unwrap()
            ),
            &admin,
            serde_json::json!({"clientId": "mscommerce", "buttonText": "Contoso ID"}),
        )
        .await
        .expect(200, None);
    let path = format!("/{tenant}{}", authorize_path(None));
    let page = server
        .http
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Sign in with Contoso ID"));
    scan_page(&server, &path, "Sign in", "sign-in-with-provider").await;
}

#[tokio::test]
async fn a_person_signs_in_to_the_console_with_the_organizations_provider() {
    use mscommerce_tests::oidc::OidcProvider;
    let server = Server::start().await;
    let provider = OidcProvider::start(
        serde_json::json!([{
            "client_id": "mscommerce",
            "client_secret": "relying-party-secret-0123456789",
            "claims": {},
            "redirect_uris": [format!("{}/federation/callback", server.base)],
        }]),
        serde_json::json!({
            "alice": {"preferred_username": "alice@example.org", "name": "Alice Federated", "groups": ["billing"]},
        }),
    )
    .await;
    let admin = server.admin_token().await;
    server
        .post(
            "/v1.0/domains",
            &admin,
            serde_json::json!({"id": "example.org"}),
        )
        .await
        .expect(201, None);
    let trust = server
        .post(
            "/v1.0/trustedIssuers",
            &admin,
            serde_json::json!({
                "issuer": provider.issuer,
                "audiences": [AUDIENCE],
                "claimMapping": {
                    "userClaim": "sub",
                    "nameClaim": "preferred_username",
                    "roleSource": "groups",
                    "groupRoles": [{"group": "billing", "role": "BillingAdministrator"}],
                },
            }),
        )
        .await;
    trust.expect(201, None);
    server
        .put(
            &format!(
                "/v1.0/trustedIssuers/{}/signIn",
                trust.json["id"].as_str().unwrap()
            ),
            &admin,
            serde_json::json!({
                "clientId": "mscommerce",
                "clientSecret": "relying-party-secret-0123456789",
                "buttonText": "Example ID",
            }),
        )
        .await
        .expect(200, None);
    let stdout = run_scenario(
        &server,
        "console-federated.mjs",
        &[
            ("MSCOMMERCE_FEDERATED_USERNAME", "alice@example.org"),
            ("MSCOMMERCE_PROVIDER_URL", &provider.issuer),
            ("MSCOMMERCE_PROVIDER_ACCOUNT", "alice"),
            ("MSCOMMERCE_BUTTON", "Example ID"),
            ("MSCOMMERCE_DISPLAY_NAME", "Alice Federated"),
        ],
    )
    .await;
    assert!(stdout.contains("signed in: "), "{stdout}");
}

#[tokio::test]
async fn the_sign_in_page_with_a_wrong_password_passes_the_accessibility_scan() {
    // The page answered to a wrong password shows its error (role="alert"), which the scan reaches too: the
    // scenario posts the form by keyboard with a wrong password and scans what comes back.
    let server = Server::start().await;
    run_scenario(
        &server,
        "sign-in-error.mjs",
        &[
            ("MSCOMMERCE_AUTHORIZE_PATH", &authorize_path(None)),
            ("MSCOMMERCE_PASSWORD", "not-the-password"),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_person_signs_in_by_keyboard_alone_and_the_app_gets_a_code() {
    let server = Server::start().await;
    let stdout = run_scenario(
        &server,
        "sign-in-keyboard.mjs",
        &[
            ("MSCOMMERCE_AUTHORIZE_PATH", &authorize_path(None)),
            ("MSCOMMERCE_REDIRECT_URI", REDIRECT),
            ("MSCOMMERCE_STATE", STATE),
        ],
    )
    .await;
    let code = stdout
        .lines()
        .find_map(|l| l.strip_prefix("code="))
        .unwrap_or_else(|| panic!("the scenario printed no code: {stdout}"));

    // The code is the service's: the token endpoint redeems it, with the verifier, for the admin.
    let answer = server
        .token_request(
            "/oauth2/v2.0/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", MODULE),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let access = claims_of(answer.json["access_token"].as_str().expect("a token"));
    assert_eq!(access["upn"], ADMIN_UPN);
}

#[tokio::test]
async fn the_device_login_page_passes_the_accessibility_scan() {
    let server = Server::start().await;
    scan_page(&server, "/devicelogin", "Enter code", "device-login").await;
}

#[tokio::test]
async fn the_scan_fails_on_a_page_with_a_critical_violation() {
    // The harness itself: with the code field's label removed from the device-login page, the scan must fail and
    // say which rule, which element and where the help is (the scenario passes only if it does).
    let server = Server::start().await;
    let stdout = run_scenario(&server, "scan-self-check.mjs", &[]).await;
    assert!(stdout.contains("label (critical)"), "{stdout}");
}

#[tokio::test]
async fn a_person_approves_a_device_on_the_device_login_pages_which_pass_the_scan() {
    let server = Server::start().await;
    let scope = format!("{AUDIENCE}/.default openid profile offline_access");
    let started = server
        .token_request(
            "/oauth2/v2.0/devicecode",
            &[("client_id", MODULE), ("scope", &scope)],
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.text);
    let user_code = started.json["user_code"].as_str().expect("a user code");
    run_scenario(
        &server,
        "device-login.mjs",
        &[("MSCOMMERCE_USER_CODE", user_code)],
    )
    .await;

    // What the person approved is what the device gets: tokens for the admin.
    let answer = server
        .token_request(
            "/oauth2/v2.0/token",
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", MODULE),
                (
                    "device_code",
                    started.json["device_code"].as_str().expect("a device code"),
                ),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let access = claims_of(answer.json["access_token"].as_str().expect("a token"));
    assert_eq!(access["upn"], ADMIN_UPN);
}
