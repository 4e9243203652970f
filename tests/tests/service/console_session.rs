//! The console's session, over HTTP as a browser sees it (without a browser, so that every header can be read):
//! the sign-in through the built-in issuer's code flow, the cookies' protections, renewal by the refresh token, sign
//! out, and the person's current state on every request.

use mscommerce_tests::*;
use reqwest::redirect::Policy;
use serde_json::json;

/// A browser without JavaScript: it keeps cookies by name (one path per name is all the console uses) and does not
/// follow redirects, so that the test reads where it is sent.
struct Browser {
    client: reqwest::Client,
    base: String,
    jar: CookieJar,
}

/// What the browser got.
struct Got {
    status: u16,
    location: String,
    headers: reqwest::header::HeaderMap,
    html: String,
}

impl Got {
    /// The value of the form field `name` on the page.
    fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.html.find(&marker).map(|i| i + marker.len());
        let start = start.unwrap_or_else(|| panic!("no field {name} on: {}", self.html));
        let end = self.html[start..].find('"').unwrap() + start;
        self.html[start..end].replace("&amp;", "&")
    }
}

/// The sign-in form's fields as a person sends them: what the page carries, and the credentials.
fn sign_in_fields(form: &Got, upn: &str, password: &str) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("username", upn.to_string()),
        ("password", password.to_string()),
    ];
    for name in [
        "csrf_token",
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ] {
        fields.push((name, form.field(name)));
    }
    fields
}

impl Browser {
    fn new(server: &Server) -> Browser {
        let mut builder = reqwest::Client::builder().redirect(Policy::none());
        if let Some(tls) = &server.tls {
            let pem = std::fs::read(&tls.ca_cert).unwrap();
            builder = builder
                .tls_built_in_root_certs(false)
                .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
        }
        Browser {
            client: builder.build().unwrap(),
            base: server.base.clone(),
            jar: CookieJar::default(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Got {
        let response = self.jar.send(request).await;
        Got {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string())
                .unwrap_or_default(),
            headers: response.headers().clone(),
            html: response.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Got {
        let request = self.client.get(self.url(path));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, String)]) -> Got {
        let request = self.client.post(self.url(path)).form(form);
        self.send(request).await
    }

    /// The `Set-Cookie` the service last sent for `name`.
    fn set_cookie(&self, name: &str) -> &str {
        self.jar.set_cookie(name)
    }

    /// Opens `path` without a session and signs in on the page it leads to, as a person would; answers where the
    /// browser lands in the console.
    async fn sign_in(&mut self, path: &str, upn: &str, password: &str) -> String {
        let mut to = self.get(path).await;
        while !to.location.contains("/oauth2/v2.0/authorize?") {
            assert_eq!(to.status, 303, "{}", to.html);
            to = self.get(&to.location).await;
        }
        let form = self.get(&to.location).await;
        assert_eq!(form.status, 200, "{}", form.html);
        let fields = sign_in_fields(&form, upn, password);
        let answer = self.post("/oauth2/v2.0/authorize", &fields).await;
        assert_eq!(answer.status, 302, "{}", answer.html);
        assert!(
            answer.location.contains("/console/signin/callback?code="),
            "{}",
            answer.location
        );
        let back = self.get(&answer.location).await;
        assert_eq!(back.status, 303, "{}", back.html);
        back.location
    }
}

#[tokio::test]
async fn the_console_signs_in_through_the_code_flow_with_protected_cookies_and_pages() {
    let server = Server::start().await;
    let mut browser = Browser::new(&server);
    let landed = browser
        .sign_in("/console/audit?actor=x", ADMIN_UPN, ADMIN_PASSWORD)
        .await;
    assert_eq!(
        landed, "/console/audit?actor=x",
        "back where the person was"
    );
    let session = browser.set_cookie("mscommerce_console").to_string();
    for protection in ["HttpOnly", "SameSite=Lax", "Path=/console", "Max-Age=3600"] {
        assert!(session.contains(protection), "{protection}: {session}");
    }
    assert!(!session.contains("Secure"), "plain HTTP: {session}");
    let refresh = browser.set_cookie("mscommerce_console_refresh").to_string();
    assert!(
        refresh.contains("HttpOnly") && refresh.contains("Max-Age=28800"),
        "{refresh}"
    );
    let page = browser.get(&landed).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("<h1>Audit log</h1>"), "{}", page.html);
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("script-src 'self'")
            && policy.contains("form-action 'self'")
            && policy.contains("frame-ancestors 'none'")
            && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert_eq!(page.headers["cache-control"], "no-store");
    // The console's CSRF cookie is its own, SameSite=Strict, under /console.
    let csrf = browser.set_cookie("mscommerce_console_csrf");
    assert!(
        csrf.contains("SameSite=Strict")
            && csrf.contains("Path=/console")
            && csrf.contains("HttpOnly"),
        "{csrf}"
    );
}

#[tokio::test]
async fn over_https_every_console_cookie_is_secure() {
    let server = Server::start_https().await;
    let mut browser = Browser::new(&server);
    browser.sign_in("/console", ADMIN_UPN, ADMIN_PASSWORD).await;
    browser.get("/console/billing/products").await;
    for name in [
        "mscommerce_console",
        "mscommerce_console_refresh",
        "mscommerce_console_csrf",
    ] {
        assert!(
            browser.set_cookie(name).contains("; Secure"),
            "{}",
            browser.set_cookie(name)
        );
    }
}

#[tokio::test]
async fn a_session_is_renewed_by_its_refresh_token_and_sign_out_revokes_it() {
    let server = Server::start().await;
    let mut browser = Browser::new(&server);
    browser
        .sign_in("/console/billing/products", ADMIN_UPN, ADMIN_PASSWORD)
        .await;
    let first = browser.jar.cookies["mscommerce_console"].clone();
    let refresh = browser.jar.cookies["mscommerce_console_refresh"].clone();

    // The access token's cookie has expired (the browser dropped it): a page goes to renew and comes back.
    browser.jar.cookies.remove("mscommerce_console");
    let page = browser.get("/console/billing/products").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location,
        "/console/signin/renew?return=%2Fconsole%2Fbilling%2Fproducts"
    );
    let renewed = browser.get(&page.location).await;
    assert_eq!(renewed.status, 303, "{}", renewed.html);
    assert_eq!(renewed.location, "/console/billing/products");
    assert_ne!(browser.jar.cookies["mscommerce_console"], first);
    let rotated = browser.jar.cookies["mscommerce_console_refresh"].clone();
    assert_ne!(rotated, refresh, "the refresh token rotates");
    // The session keeps its end: the rotated cookie carries the same end, with what is left of the 8 hours.
    assert_eq!(rotated.rsplit('.').next(), refresh.rsplit('.').next());
    assert_eq!(browser.get("/console/billing/products").await.status, 200);

    // Sign out: a form with the CSRF token; the refresh token's family is revoked and the cookies cleared.
    let page = browser.get("/console/billing/products").await;
    let token = page.field("csrf_token");
    let signed_out = browser
        .post("/console/signout", &[("csrf_token", token)])
        .await;
    assert_eq!(signed_out.status, 200, "{}", signed_out.html);
    assert!(signed_out.html.contains("You signed out"));
    for name in ["mscommerce_console", "mscommerce_console_refresh"] {
        assert!(!browser.jar.cookies.contains_key(name), "{name} is left");
    }
    // The refresh token, kept by someone who copied it, renews nothing any more.
    browser
        .jar
        .cookies
        .insert("mscommerce_console_refresh".into(), rotated);
    let renew = browser.get("/console/signin/renew?return=%2Fconsole").await;
    assert_eq!(renew.status, 303);
    assert!(
        renew.location.starts_with("/console/signin?return="),
        "{}",
        renew.location
    );
}

#[tokio::test]
async fn a_disabled_account_loses_its_console_session_at_once() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (id, _) = server.member(&tenant, "erin@contoso.onmicrosoft.com").await;
    let mut browser = Browser::new(&server);
    browser
        .sign_in("/console/my", "erin@contoso.onmicrosoft.com", USER_PASSWORD)
        .await;
    assert_eq!(browser.get("/console/my").await.status, 200);
    server
        .patch(
            &format!("/v1.0/users/{id}"),
            &admin,
            json!({"accountEnabled": false}),
        )
        .await
        .expect(200, None);
    let after = browser.get("/console/my").await;
    assert_eq!(after.status, 303, "{}", after.html);
    assert!(
        after.location.starts_with("/console/signin"),
        "{}",
        after.location
    );
    // Nor can its refresh token renew the session.
    let renewed = browser.get(&after.location).await;
    assert!(
        renewed.location.starts_with("/console/signin?return=")
            || renewed.location.contains("/oauth2/v2.0/authorize"),
        "{}",
        renewed.location
    );
    assert!(!renewed.location.starts_with("/console/my"));
}

#[tokio::test]
async fn a_sign_in_answer_that_this_browser_did_not_start_is_refused() {
    let server = Server::start().await;
    let mut victim = Browser::new(&server);
    // An attacker's own code, pushed to someone else's browser (login CSRF): the browser never started a sign-in.
    let mut attacker = Browser::new(&server);
    let to_authorize = attacker.get("/console/signin").await;
    let form = attacker.get(&to_authorize.location).await;
    let fields = sign_in_fields(&form, ADMIN_UPN, ADMIN_PASSWORD);
    let answer = attacker.post("/oauth2/v2.0/authorize", &fields).await;
    let pushed = victim.get(&answer.location).await;
    assert_eq!(pushed.status, 400, "{}", pushed.html);
    assert!(pushed
        .html
        .contains("was not started from the console in this browser"));
    assert!(!victim.jar.cookies.contains_key("mscommerce_console"));

    // A started sign-in with another state is refused too.
    victim.get("/console/signin").await;
    let wrong = victim
        .get("/console/signin/callback?code=x&state=not-the-state")
        .await;
    assert_eq!(wrong.status, 400);
    assert!(wrong
        .html
        .contains("does not belong to the sign-in this browser started"));
    assert!(!victim.jar.cookies.contains_key("mscommerce_console"));

    // And the console's client gets no device code.
    let device = server
        .http
        .post(format!("{}/oauth2/v2.0/devicecode", server.base))
        .form(&[
            ("client_id", "9f3b6c1e-2d4a-4e8b-a7c5-5e1f0d2b3a64"),
            ("scope", &format!("{AUDIENCE}/.default")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(device.status(), 400);
    assert!(device.text().await.unwrap().contains("unauthorized_client"));
}

#[tokio::test]
async fn the_console_returns_only_inside_itself_after_a_sign_in() {
    let server = Server::start().await;
    let mut browser = Browser::new(&server);
    let landed = browser
        .sign_in(
            "/console/signin?return=https%3A%2F%2Fevil.example%2Fconsole",
            ADMIN_UPN,
            ADMIN_PASSWORD,
        )
        .await;
    assert_eq!(landed, "/console");
}
