//! The sign-ins a person completes in a browser, driven as a browser without JavaScript would drive them: GET the
//! page, read the CSRF field and cookie, POST the form. Authorization code with PKCE, the device code grant, refresh
//! tokens (rotation, reuse, revocation) and the refusals of each.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Algorithm;
use mscommerce_tests::*;
use reqwest::redirect::Policy;
use serde_json::Value;

const MODULE: &str = "3d5cffa9-04da-4657-8cab-c7f074657cad";
const REDIRECT: &str = "http://127.0.0.1:8400/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn scope() -> String {
    format!("{AUDIENCE}/.default openid profile offline_access")
}

/// A client that does not follow redirects: the test reads where the service sends the browser.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A page as the browser got it.
struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    html: String,
}

impl Page {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The value of the hidden (or filled) field `name`.
    fn field(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.html.find(&marker)? + marker.len();
        let end = self.html[start..].find('"')? + start;
        Some(self.html[start..end].replace("&amp;", "&"))
    }

    /// The CSRF cookie the page set.
    fn csrf_cookie(&self) -> String {
        let cookie = self.header("set-cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        cookie
            .split(';')
            .next()
            .and_then(|pair| pair.split_once('='))
            .map(|(_, v)| v.to_string())
            .expect("a CSRF cookie")
    }

    /// The parameters of the redirect to the app.
    fn redirect_params(&self) -> Vec<(String, String)> {
        assert_eq!(self.status, 302, "a redirect: {}", self.html);
        let location = self.header("location");
        assert!(location.starts_with(REDIRECT), "{location}");
        let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
        reqwest::Url::parse(&format!("http://x/?{query}"))
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

async fn page(response: reqwest::Response) -> Page {
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        html: response.text().await.unwrap(),
    }
}

async fn get(server: &Server, path_and_query: &str) -> Page {
    page(
        browser()
            .get(format!("{}{path_and_query}", server.base))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn post_form(
    server: &Server,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, String)],
) -> Page {
    let mut request = browser().post(format!("{}{path}", server.base)).form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("mscommerce_csrf={cookie}"));
    }
    page(request.send().await.unwrap()).await
}

fn authorize_query(challenge: &str, method: &str, redirect: &str) -> String {
    let pairs = [
        ("client_id", MODULE),
        ("response_type", "code"),
        ("redirect_uri", redirect),
        ("scope", &scope()),
        ("state", "state-123"),
        ("nonce", "nonce-456"),
        ("code_challenge", challenge),
        ("code_challenge_method", method),
        ("login_hint", ADMIN_UPN),
    ];
    let mut url = reqwest::Url::parse("http://x/oauth2/v2.0/authorize").unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    format!("{}?{}", url.path(), url.query().unwrap())
}

/// Every field of the sign-in form, with the credentials filled in.
fn sign_in_form(page: &Page, username: &str, password: &str) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("username", username.to_string()),
        ("password", password.to_string()),
    ];
    for name in [
        "csrf_token",
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "nonce",
        "response_mode",
        "code_challenge",
        "code_challenge_method",
    ] {
        if let Some(value) = page.field(name) {
            form.push((name, value));
        }
    }
    form
}

/// Signs in on the page with the right password; answers the redirect's parameters.
async fn sign_in_for_code(server: &Server, path_prefix: &str) -> Vec<(String, String)> {
    let form_page = get(
        server,
        &format!(
            "{path_prefix}{}",
            authorize_query(CHALLENGE, "S256", REDIRECT)
        ),
    )
    .await;
    assert_eq!(form_page.status, 200, "{}", form_page.html);
    let cookie = form_page.csrf_cookie();
    let answer = post_form(
        server,
        &format!("{path_prefix}/oauth2/v2.0/authorize"),
        Some(&cookie),
        &sign_in_form(&form_page, ADMIN_UPN, ADMIN_PASSWORD),
    )
    .await;
    answer.redirect_params()
}

async fn redeem(server: &Server, code: &str, verifier: &str) -> Answer {
    server
        .token_request(
            "/oauth2/v2.0/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", MODULE),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier),
                ("client_info", "1"),
            ],
        )
        .await
}

async fn refresh(server: &Server, token: &str) -> Answer {
    server
        .token_request(
            "/oauth2/v2.0/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", MODULE),
                ("refresh_token", token),
                ("scope", &scope()),
            ],
        )
        .await
}

fn oauth_error(answer: &Answer, status: u16, error: &str) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.text);
    assert_eq!(answer.json["error"], error, "{}", answer.text);
    assert!(
        answer.json["error_description"]
            .as_str()
            .is_some_and(|d| d.len() > 10),
        "{}",
        answer.text
    );
}

/// A token the service issued, checked with the key its JWKS publishes.
async fn verified(server: &Server, token: &str, audience: &str) -> Value {
    let jwks: Value = server
        .http
        .get(format!("{}/discovery/v2.0/keys", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let x = URL_SAFE_NO_PAD
        .decode(jwks["keys"][0]["x"].as_str().unwrap())
        .unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_ed_der(&x),
        &validation,
    )
    .expect("the JWKS key verifies the token")
    .claims
}

/// A code flow for the admin: code, then tokens; answers the token answer.
async fn code_flow_tokens(server: &Server) -> Answer {
    let params = sign_in_for_code(server, "").await;
    let code = param(&params, "code").expect("a code");
    let answer = redeem(server, &code, VERIFIER).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer
}

#[tokio::test]
async fn the_code_flow_signs_in_with_pkce_and_answers_an_id_token_and_a_rotating_refresh_token() {
    let server = Server::start().await;
    let form_page = get(&server, &authorize_query(CHALLENGE, "S256", REDIRECT)).await;
    assert_eq!(form_page.status, 200);
    assert!(form_page.html.contains("<label for=\"username\""));
    assert!(form_page.html.contains("<label for=\"password\""));
    assert!(!form_page.html.contains("<script"), "no script");
    assert_eq!(
        form_page.field("username").as_deref(),
        Some(ADMIN_UPN),
        "login_hint"
    );
    let csp = form_page.header("content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    // Browsers hold the redirect that answers the form to form-action too (Chromium, Safari): the app's origin,
    // and only it, must be allowed beside 'self', or the sign-in stalls after the password.
    let redirect_origin = PublicClientOrigin::of(REDIRECT);
    assert!(
        csp.contains(&format!("form-action 'self' {redirect_origin};")),
        "{csp}"
    );
    assert!(
        !csp.contains("script-src"),
        "no script on the sign-in page: {csp}"
    );
    assert_eq!(form_page.header("x-frame-options"), "DENY");
    assert_eq!(form_page.header("cache-control"), "no-store");
    assert_eq!(form_page.header("referrer-policy"), "no-referrer");
    assert!(form_page.header("content-type").starts_with("text/html"));

    let params = sign_in_for_code(&server, "").await;
    assert_eq!(param(&params, "state").as_deref(), Some("state-123"));
    let code = param(&params, "code").expect("a code");
    assert!(code.len() >= 43);

    let answer = redeem(&server, &code, VERIFIER).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let access = verified(
        &server,
        answer.json["access_token"].as_str().unwrap(),
        AUDIENCE,
    )
    .await;
    assert_eq!(access["upn"], ADMIN_UPN);
    assert_eq!(access["azp"], MODULE);
    assert_eq!(access["appid"], MODULE);
    let id = verified(&server, answer.json["id_token"].as_str().unwrap(), MODULE).await;
    assert_eq!(id["nonce"], "nonce-456");
    assert_eq!(id["preferred_username"], ADMIN_UPN);
    assert_eq!(id["iss"], access["iss"]);
    assert_eq!(id["oid"], access["oid"]);
    assert_eq!(id["ver"], "2.0");
    let info: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(answer.json["client_info"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(info["uid"], access["oid"]);
    assert_eq!(info["utid"], access["tid"]);

    // The access token works on the API.
    server
        .get(
            "/v1.0/policies",
            answer.json["access_token"].as_str().unwrap(),
        )
        .await
        .expect(200, None);

    // The refresh token answers new tokens and a new refresh token.
    let first = answer.json["refresh_token"].as_str().unwrap().to_string();
    let renewed = refresh(&server, &first).await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    let second = renewed.json["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(first, second, "rotated");
    assert!(renewed.json["access_token"].is_string());
    assert!(refresh(&server, &second).await.status.is_success());
}

#[tokio::test]
async fn the_code_flow_refuses_what_it_must() {
    let server = Server::start().await;

    // A wrong verifier.
    let params = sign_in_for_code(&server, "").await;
    let code = param(&params, "code").unwrap();
    let wrong = redeem(
        &server,
        &code,
        "wrong-verifier-wrong-verifier-wrong-verifier-0",
    )
    .await;
    oauth_error(&wrong, 400, "invalid_grant");

    // A code used twice: refused, and the refresh token of its first use revoked.
    let params = sign_in_for_code(&server, "").await;
    let code = param(&params, "code").unwrap();
    let first = redeem(&server, &code, VERIFIER).await;
    assert_eq!(first.status, 200, "{}", first.text);
    oauth_error(
        &redeem(&server, &code, VERIFIER).await,
        400,
        "invalid_grant",
    );
    let refresh_token = first.json["refresh_token"].as_str().unwrap();
    oauth_error(&refresh(&server, refresh_token).await, 400, "invalid_grant");

    // An unregistered redirect URI: an error page, never a redirect.
    for redirect in [
        "https://evil.example/cb",
        "http://localhost.evil.example/",
        "https://localhost/m365/commerce",
    ] {
        let refused = get(&server, &authorize_query(CHALLENGE, "S256", redirect)).await;
        assert_eq!(refused.status, 400, "{redirect}");
        assert!(refused.headers.get("location").is_none());
        assert!(refused.html.contains("not registered"));
    }
    // An unknown client: the same.
    let unknown = get(
        &server,
        &authorize_query(CHALLENGE, "S256", REDIRECT)
            .replace(MODULE, "00000000-0000-0000-0000-000000000001"),
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.headers.get("location").is_none());

    // plain PKCE, or none: back to the app with the error and the state.
    for (challenge, method) in [(CHALLENGE, "plain"), ("", "S256")] {
        let refused = get(&server, &authorize_query(challenge, method, REDIRECT)).await;
        let params = refused.redirect_params();
        assert_eq!(param(&params, "error").as_deref(), Some("invalid_request"));
        assert_eq!(param(&params, "state").as_deref(), Some("state-123"));
        assert!(param(&params, "code").is_none());
    }

    // A wrong password: the page again, with the message and the user name, and no code.
    let form_page = get(&server, &authorize_query(CHALLENGE, "S256", REDIRECT)).await;
    let cookie = form_page.csrf_cookie();
    let again = post_form(
        &server,
        "/oauth2/v2.0/authorize",
        Some(&cookie),
        &sign_in_form(&form_page, ADMIN_UPN, "Wrong-Passw0rd"),
    )
    .await;
    assert_eq!(again.status, 400);
    assert!(again.headers.get("location").is_none());
    assert!(
        again.html.contains("invalid username or password"),
        "{}",
        again.html
    );
    assert_eq!(again.field("username").as_deref(), Some(ADMIN_UPN));

    // A missing or wrong CSRF token: refused, nothing issued.
    let form_page = get(&server, &authorize_query(CHALLENGE, "S256", REDIRECT)).await;
    let form = sign_in_form(&form_page, ADMIN_UPN, ADMIN_PASSWORD);
    for cookie in [None, Some("not-the-token")] {
        let refused = post_form(&server, "/oauth2/v2.0/authorize", cookie, &form).await;
        assert_eq!(refused.status, 400);
        assert!(refused.headers.get("location").is_none());
        assert!(refused.html.contains("security token"));
    }
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let server =
        Server::start_with(&[("MSCOMMERCE_AUTHORIZATION_CODE_LIFETIME_SECONDS", "1")]).await;
    let params = sign_in_for_code(&server, "").await;
    let code = param(&params, "code").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    oauth_error(
        &redeem(&server, &code, VERIFIER).await,
        400,
        "invalid_grant",
    );
}

async fn start_device(server: &Server) -> Answer {
    let answer = server
        .token_request(
            "/oauth2/v2.0/devicecode",
            &[("client_id", MODULE), ("scope", &scope())],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer
}

async fn poll(server: &Server, device_code: &str) -> Answer {
    server
        .token_request(
            "/oauth2/v2.0/token",
            &[
                ("grant_type", DEVICE_GRANT),
                ("client_id", MODULE),
                ("device_code", device_code),
            ],
        )
        .await
}

/// A person on the verification page: types the code, then signs in (or denies).
async fn verify_device(server: &Server, user_code: &str, decision: &str) -> Page {
    let entry = get(server, "/devicelogin").await;
    assert_eq!(entry.status, 200);
    assert!(entry.html.contains("<label for=\"user_code\""));
    let cookie = entry.csrf_cookie();
    let typed = user_code.to_lowercase().replace('-', "");
    let sign_in = post_form(
        server,
        "/devicelogin",
        Some(&cookie),
        &[
            ("csrf_token", entry.field("csrf_token").unwrap()),
            ("user_code", typed),
        ],
    )
    .await;
    assert_eq!(sign_in.status, 200, "{}", sign_in.html);
    assert!(sign_in.html.contains("name=\"password\""));
    let cookie = sign_in.csrf_cookie();
    post_form(
        server,
        "/devicelogin",
        Some(&cookie),
        &[
            ("csrf_token", sign_in.field("csrf_token").unwrap()),
            ("user_code", sign_in.field("user_code").unwrap()),
            ("username", ADMIN_UPN.to_string()),
            ("password", ADMIN_PASSWORD.to_string()),
            ("decision", decision.to_string()),
        ],
    )
    .await
}

#[tokio::test]
async fn the_device_code_grant_answers_pending_slow_down_then_tokens_or_access_denied() {
    let server = Server::start().await;
    let started = start_device(&server).await;
    let user_code = started.json["user_code"].as_str().unwrap().to_string();
    assert_eq!(user_code.len(), 9);
    assert_eq!(started.json["interval"], 5);
    assert_eq!(started.json["expires_in"], 900);
    assert_eq!(
        started.json["verification_uri"].as_str().unwrap(),
        format!("{}/devicelogin", server.base)
    );
    assert!(started.json["message"]
        .as_str()
        .unwrap()
        .contains(&user_code));
    let device_code = started.json["device_code"].as_str().unwrap().to_string();

    oauth_error(
        &poll(&server, &device_code).await,
        400,
        "authorization_pending",
    );
    oauth_error(&poll(&server, &device_code).await, 400, "slow_down");

    let done = verify_device(&server, &user_code, "continue").await;
    assert_eq!(done.status, 200, "{}", done.html);
    assert!(done.html.contains("signed in"));
    let tokens = poll(&server, &device_code).await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    let access = verified(
        &server,
        tokens.json["access_token"].as_str().unwrap(),
        AUDIENCE,
    )
    .await;
    assert_eq!(access["upn"], ADMIN_UPN);
    assert!(tokens.json["refresh_token"].is_string());
    assert!(tokens.json["id_token"].is_string());
    oauth_error(&poll(&server, &device_code).await, 400, "invalid_grant");

    // Denied.
    let started = start_device(&server).await;
    let denied = verify_device(&server, started.json["user_code"].as_str().unwrap(), "deny").await;
    assert_eq!(denied.status, 200);
    oauth_error(
        &poll(&server, started.json["device_code"].as_str().unwrap()).await,
        400,
        "access_denied",
    );

    // A wrong code on the page: the page again with the error.
    let entry = get(&server, "/devicelogin").await;
    let cookie = entry.csrf_cookie();
    let wrong = post_form(
        &server,
        "/devicelogin",
        Some(&cookie),
        &[
            ("csrf_token", entry.field("csrf_token").unwrap()),
            ("user_code", "BCDF-GHJK".into()),
        ],
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.html.contains("not valid"));

    // Another client than the module's is refused.
    let other = server
        .token_request(
            "/oauth2/v2.0/devicecode",
            &[
                ("client_id", "00000000-0000-0000-0000-000000000001"),
                ("scope", &scope()),
            ],
        )
        .await;
    oauth_error(&other, 400, "unauthorized_client");
}

#[tokio::test]
async fn a_device_code_expires() {
    let server = Server::start_with(&[("MSCOMMERCE_DEVICE_CODE_LIFETIME_SECONDS", "1")]).await;
    let started = start_device(&server).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    oauth_error(
        &poll(&server, started.json["device_code"].as_str().unwrap()).await,
        400,
        "expired_token",
    );
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_family() {
    let server = Server::start().await;
    let tokens = code_flow_tokens(&server).await;
    let first = tokens.json["refresh_token"].as_str().unwrap().to_string();
    let second = refresh(&server, &first).await.json["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    oauth_error(&refresh(&server, &first).await, 400, "invalid_grant");
    oauth_error(&refresh(&server, &second).await, 400, "invalid_grant");
}

#[tokio::test]
async fn revocation_kills_the_family_and_answers_200_for_anything() {
    let server = Server::start().await;
    let tokens = code_flow_tokens(&server).await;
    let first = tokens.json["refresh_token"].as_str().unwrap().to_string();
    let second = refresh(&server, &first).await.json["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let revoked = server
        .token_request(
            "/oauth2/v2.0/revoke",
            &[("token", first.as_str()), ("client_id", MODULE)],
        )
        .await;
    assert_eq!(revoked.status, 200);
    assert!(revoked.text.is_empty());
    oauth_error(&refresh(&server, &second).await, 400, "invalid_grant");
    let unknown = server
        .token_request("/oauth2/v2.0/revoke", &[("token", "nothing-we-issued")])
        .await;
    assert_eq!(unknown.status, 200);

    // Sign-out: a page, or the registered redirect with the state; never elsewhere.
    let out = get(
        &server,
        "/oauth2/v2.0/logout?post_logout_redirect_uri=https://evil.example/",
    )
    .await;
    assert_eq!(out.status, 200);
    assert!(out.html.contains("signed out"));
    let back = get(
        &server,
        &format!("/oauth2/v2.0/logout?post_logout_redirect_uri={REDIRECT}&state=s1"),
    )
    .await;
    assert_eq!(
        param(&back.redirect_params(), "state").as_deref(),
        Some("s1")
    );
}

#[tokio::test]
async fn refresh_tokens_die_when_the_user_is_disabled_or_the_password_changes() {
    let server = Server::start().await;
    let db = server.db().await;

    let tokens = code_flow_tokens(&server).await;
    let refresh_token = tokens.json["refresh_token"].as_str().unwrap().to_string();
    // A code obtained before the password changes (by whoever knew the old one) is not redeemable after it.
    let unredeemed = sign_in_for_code(&server, "").await;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE upn = $2")
        .bind("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$changed")
        .bind(ADMIN_UPN)
        .execute(&db)
        .await
        .unwrap();
    oauth_error(
        &refresh(&server, &refresh_token).await,
        400,
        "invalid_grant",
    );
    oauth_error(
        &redeem(&server, &param(&unredeemed, "code").unwrap(), VERIFIER).await,
        400,
        "invalid_grant",
    );

    let tenant = server.first_tenant();
    let upn = server.create_user(&tenant, "dora@contoso.onmicrosoft.com", &[]);
    let params = {
        let form_page = get(&server, &authorize_query(CHALLENGE, "S256", REDIRECT)).await;
        let cookie = form_page.csrf_cookie();
        post_form(
            &server,
            "/oauth2/v2.0/authorize",
            Some(&cookie),
            &sign_in_form(&form_page, &upn, USER_PASSWORD),
        )
        .await
        .redirect_params()
    };
    let tokens = redeem(&server, &param(&params, "code").unwrap(), VERIFIER).await;
    let refresh_token = tokens.json["refresh_token"].as_str().unwrap().to_string();
    sqlx::query("UPDATE users SET account_enabled = FALSE WHERE upn = $1")
        .bind(&upn)
        .execute(&db)
        .await
        .unwrap();
    oauth_error(
        &refresh(&server, &refresh_token).await,
        400,
        "invalid_grant",
    );
}

#[tokio::test]
async fn form_post_tenant_paths_and_prompt_none() {
    let server = Server::start().await;
    let tenant = server.first_tenant();

    // form_post: a page whose form carries the code and state to the app, allowed by the CSP to post there.
    let query = format!(
        "{}&response_mode=form_post",
        authorize_query(CHALLENGE, "S256", REDIRECT)
    );
    let form_page = get(&server, &format!("/{tenant}{query}")).await;
    assert_eq!(form_page.status, 200, "{}", form_page.html);
    let cookie = form_page.csrf_cookie();
    let posted = post_form(
        &server,
        &format!("/{tenant}/oauth2/v2.0/authorize"),
        Some(&cookie),
        &sign_in_form(&form_page, ADMIN_UPN, ADMIN_PASSWORD),
    )
    .await;
    assert_eq!(posted.status, 200, "{}", posted.html);
    assert!(
        posted.html.contains(&format!("action=\"{REDIRECT}\"")),
        "{}",
        posted.html
    );
    assert!(posted.html.contains("<button"), "works without script");
    let csp = posted.header("content-security-policy");
    assert!(
        csp.contains("form-action 'self' http://127.0.0.1:8400"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    // Its one script (the auto-submit) runs by its hash only.
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    assert!(!form_page
        .header("content-security-policy")
        .contains("script-src"));
    assert_eq!(posted.field("state").as_deref(), Some("state-123"));
    let code = posted.field("code").expect("the code");

    // The code is redeemed at the tenant's token endpoint, and not at another tenant's.
    let other = server.create_tenant("Fabrikam");
    let form = |code: &str| {
        vec![
            ("grant_type", "authorization_code".to_string()),
            ("client_id", MODULE.to_string()),
            ("code", code.to_string()),
            ("redirect_uri", REDIRECT.to_string()),
            ("code_verifier", VERIFIER.to_string()),
        ]
    };
    let pairs = |form: &[(&'static str, String)]| -> Vec<(&'static str, String)> { form.to_vec() };
    let elsewhere = server
        .http
        .post(format!("{}/{other}/oauth2/v2.0/token", server.base))
        .form(&pairs(&form(&code)))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 400);

    let params = sign_in_for_code(&server, &format!("/{tenant}")).await;
    let code = param(&params, "code").unwrap();
    let here = server
        .http
        .post(format!("{}/{tenant}/oauth2/v2.0/token", server.base))
        .form(&pairs(&form(&code)))
        .send()
        .await
        .unwrap();
    assert_eq!(here.status(), 200);

    // A user of another tenant cannot sign in at this tenant's page: the answer of a wrong password.
    let stranger = server.create_user(&other, "sam@fabrikam.onmicrosoft.com", &[]);
    let form_page = get(
        &server,
        &format!("/{tenant}{}", authorize_query(CHALLENGE, "S256", REDIRECT)),
    )
    .await;
    let cookie = form_page.csrf_cookie();
    let refused = post_form(
        &server,
        &format!("/{tenant}/oauth2/v2.0/authorize"),
        Some(&cookie),
        &sign_in_form(&form_page, &stranger, USER_PASSWORD),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(refused.html.contains("invalid username or password"));

    // prompt=none: there is no session.
    let none = get(
        &server,
        &format!(
            "{}&prompt=none",
            authorize_query(CHALLENGE, "S256", REDIRECT)
        ),
    )
    .await;
    assert_eq!(
        param(&none.redirect_params(), "error").as_deref(),
        Some("login_required")
    );
}

#[tokio::test]
async fn a_tenant_scoped_device_code_accepts_only_users_of_that_tenant() {
    let server = Server::start().await;
    let other = server.create_tenant("Fabrikam");
    let started = server
        .token_request(
            &format!("/{other}/oauth2/v2.0/devicecode"),
            &[("client_id", MODULE), ("scope", &scope())],
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.text);
    // The administrator of the first tenant signs in with the right password, and is refused.
    let refused = verify_device(
        &server,
        started.json["user_code"].as_str().unwrap(),
        "continue",
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.html);
    assert!(refused.html.contains("invalid username or password"));
    oauth_error(
        &poll(&server, started.json["device_code"].as_str().unwrap()).await,
        400,
        "authorization_pending",
    );
}

#[tokio::test]
async fn wrong_user_codes_back_off_their_address() {
    let server = Server::start_with(&[("MSCOMMERCE_TRUST_FORWARDED_FOR", "true")]).await;
    let guess = |code: String, address: &'static str| {
        let request = browser()
            .post(format!("{}/devicelogin", server.base))
            .header("cookie", "mscommerce_csrf=same-token")
            .header("x-forwarded-for", address)
            .form(&[
                ("csrf_token", "same-token".to_string()),
                ("user_code", code),
            ]);
        async move { page(request.send().await.unwrap()).await }
    };
    let mut refused = None;
    for attempt in 0..40 {
        // A different wrong code each time: only the address ties the guesses together.
        let code = format!("BCDF-{}", ["GHJK", "GHJM", "GHJN", "GHJP"][attempt % 4])
            + &"X".repeat(attempt / 4);
        let answer = guess(code, "203.0.113.9").await;
        if answer.status == 429 {
            refused = Some((attempt, answer));
            break;
        }
        assert_eq!(answer.status, 400, "{}", answer.html);
    }
    let (attempt, answer) = refused.expect("the address is backed off");
    assert!(
        attempt >= 30,
        "30 free failures per address, refused after {attempt}"
    );
    assert!(
        answer.html.contains("Too many failed sign-ins"),
        "{}",
        answer.html
    );
    // Another address is not.
    assert_eq!(guess("BCDF-GHJK".into(), "198.51.100.20").await.status, 400);
}

/// The origin of a redirect URI (scheme, host and port), as a CSP source names it.
struct PublicClientOrigin;

impl PublicClientOrigin {
    fn of(uri: &str) -> &str {
        let rest = uri.split_once("://").map_or(uri, |(_, rest)| rest);
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        &uri[..uri.len() - rest.len() + end]
    }
}

/// The refresh token at a customer's token endpoint, as the module asks for each customer's token.
async fn refresh_at(server: &Server, tenant: &str, token: &str) -> Answer {
    server
        .token_request(
            &format!("/{tenant}/oauth2/v2.0/token"),
            &[
                ("grant_type", "refresh_token"),
                ("client_id", MODULE),
                ("refresh_token", token),
                ("scope", &scope()),
            ],
        )
        .await
}

#[tokio::test]
async fn a_partners_refresh_token_answers_tokens_for_a_customer_while_a_relationship_is_active() {
    let server = Server::start().await;
    let partner = server.first_tenant();
    let signed_in = code_flow_tokens(&server).await;
    let mut refresh_token = signed_in.json["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let partner_admin = signed_in.json["access_token"].as_str().unwrap().to_string();
    let customer = server.create_tenant("Fabrikam");
    server.create_user(
        &customer,
        "admin@fabrikam.onmicrosoft.com",
        &[roles::GLOBAL_ADMINISTRATOR],
    );
    let customer_admin = server
        .user_token("admin@fabrikam.onmicrosoft.com", USER_PASSWORD)
        .await;

    // No relationship: refused, and the refresh token is not spent by the refusal.
    oauth_error(
        &refresh_at(&server, &customer, &refresh_token).await,
        400,
        "invalid_grant",
    );
    let asked = server
        .post(
            "/v1.0/partner/relationships",
            &partner_admin,
            serde_json::json!({"customerTenantId": customer, "roles": ["GlobalReader"]}),
        )
        .await;
    asked.expect(201, None);
    let id = asked.json["id"].as_str().unwrap();
    let end = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    server
        .post(
            &format!("/v1.0/partner/relationships/{id}/approve"),
            &customer_admin,
            serde_json::json!({"endDateTime": end}),
        )
        .await
        .expect(200, None);

    let answer = refresh_at(&server, &customer, &refresh_token).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let claims = claims_of(answer.json["access_token"].as_str().unwrap());
    assert_eq!(claims["tid"], customer.as_str());
    assert_eq!(claims["partner_tid"], partner.as_str());
    assert_eq!(
        claims["wids"],
        serde_json::json!(["f2ef992c-3afb-46b9-b7cf-a126ee74c451"])
    );
    let for_customer = answer.json["access_token"].as_str().unwrap().to_string();
    server
        .get(&product_path("CFQ7TTC0H9MP"), &for_customer)
        .await
        .expect(200, None);
    // The refresh token rotated; the new one still answers at home.
    refresh_token = answer.json["refresh_token"].as_str().unwrap().to_string();
    let home = refresh(&server, &refresh_token).await;
    assert_eq!(home.status, 200, "{}", home.text);
    assert_eq!(
        claims_of(home.json["access_token"].as_str().unwrap())["tid"],
        partner.as_str()
    );
}
