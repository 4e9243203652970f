//! People signing in on the built-in sign-in page with a provider their organization trusts, against a real
//! OpenID Connect provider (`oidc-provider` on Node.js, its development login completed as a browser would):
//! the authorization code flow through the service's authorize endpoint ends in the service's own tokens with the
//! roles the trust maps, for Microsoft's module and for the console; a changed state, a wrong nonce, a changed or
//! missing pending sign-in and the provider's error are refused with a page; a trust without a sign-in shows no
//! button; the client secret is never answered.

use mscommerce_tests::oidc::{login_form, OidcProvider, AUDIENCE};
use mscommerce_tests::*;
use reqwest::redirect::Policy;
use reqwest::Url;
use serde_json::{json, Value};

const SECRET: &str = "relying-party-secret-0123456789";
const CLIENT: &str = "commerce";
const BUTTON: &str = "Test ID";
const MODULE: &str = "3d5cffa9-04da-4657-8cab-c7f074657cad";
const APP_REDIRECT: &str = "http://localhost/m365/commerce";
const VERIFIER: &str = "app-verifier-0123456789-0123456789-0123456789";
const PRODUCT: &str = "CFQ7TTC0H9MP";

/// A browser without JavaScript for both sites (the service and the provider, both on 127.0.0.1, where cookies
/// are not told apart by port): cookies by name, redirects not followed, so that each step can be read.
struct Browser {
    client: reqwest::Client,
    jar: CookieJar,
}

struct Got {
    url: String,
    status: u16,
    location: Option<String>,
    html: String,
}

impl Browser {
    fn new() -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            jar: CookieJar::default(),
        }
    }

    async fn send(&mut self, url: &str, form: Option<&[(String, String)]>) -> Got {
        let request = match form {
            Some(fields) => self.client.post(url).form(fields),
            None => self.client.get(url),
        };
        let response = self.jar.send(request).await;
        let location = response.headers().get("location").map(|l| {
            Url::parse(url)
                .unwrap()
                .join(l.to_str().unwrap())
                .unwrap()
                .to_string()
        });
        Got {
            url: url.to_string(),
            status: response.status().as_u16(),
            location,
            html: response.text().await.unwrap(),
        }
    }

    async fn get(&mut self, url: &str) -> Got {
        self.send(url, None).await
    }

    /// Follows redirects and fills in the provider's login as `account` until a redirect leaves for a URL that
    /// starts with one of `stops` (not followed), or a page that is no provider login is answered.
    async fn browse(&mut self, url: &str, account: &str, stops: &[&str]) -> Got {
        let mut got = self.get(url).await;
        for _ in 0..20 {
            if let Some(next) = got.location.clone() {
                if stops.iter().any(|stop| next.starts_with(stop)) {
                    return got;
                }
                got = self.get(&next).await;
                continue;
            }
            let Some((action, fields)) = login_form(&got.html, account)
                .filter(|_| !got.url.contains("/federation/") && got.status == 200)
            else {
                return got;
            };
            if !got.html.contains("name=\"login\"") {
                return got;
            }
            let target = Url::parse(&got.url).unwrap().join(&action).unwrap();
            got = self.send(target.as_str(), Some(&fields)).await;
        }
        panic!("the sign-in went on for 20 steps");
    }

    fn set_cookie(&self, name: &str) -> &str {
        self.jar.set_cookie(name)
    }
}

fn query_value(url: &str, name: &str) -> Option<String> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.to_string())
}

fn with_query_value(url: &str, name: &str, value: &str) -> String {
    let mut parsed = Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_string()
            } else {
                v.to_string()
            };
            (k.to_string(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// The links of the page's "Sign in with ..." buttons: (text, absolute URL).
fn buttons(server: &Server, html: &str) -> Vec<(String, String)> {
    html.split("<a class=\"provider\" href=\"")
        .skip(1)
        .map(|rest| {
            let (href, rest) = rest.split_once('"').unwrap();
            let text = rest[1..].split("</a>").next().unwrap();
            (
                text.to_string(),
                format!("{}{}", server.base, href.replace("&amp;", "&")),
            )
        })
        .collect()
}

/// Alice (group `billing`, a Billing Administrator here) and Bob (group `readers`, a Global Reader).
async fn provider(server: &Server) -> OidcProvider {
    OidcProvider::start(
        json!([{
            "client_id": CLIENT,
            "client_secret": SECRET,
            "claims": {},
            "redirect_uris": [format!("{}/federation/callback", server.base)],
        }]),
        json!({
            "alice": {"preferred_username": "alice@example.org", "name": "Alice Federated", "groups": ["billing"]},
            "bob": {"preferred_username": "bob@example.org", "name": "Bob Federated", "groups": ["readers"]},
        }),
    )
    .await
}

/// Trusts the provider (people by `sub`, named by `preferred_username`, roles from groups); answers its ID.
async fn trust(server: &Server, admin: &str, provider: &OidcProvider) -> String {
    let added = server
        .post(
            "/v1.0/trustedIssuers",
            admin,
            json!({
                "issuer": provider.issuer,
                "displayName": "Test provider",
                "audiences": [AUDIENCE],
                "claimMapping": {
                    "userClaim": "sub",
                    "nameClaim": "preferred_username",
                    "roleSource": "groups",
                    "groupRoles": [
                        {"group": "billing", "role": "BillingAdministrator"},
                        {"group": "readers", "role": "GlobalReader"},
                    ],
                },
            }),
        )
        .await;
    added.expect(201, None);
    added.json["id"].as_str().unwrap().to_string()
}

async fn set_sign_in(server: &Server, admin: &str, trust_id: &str) -> Value {
    let set = server
        .put(
            &format!("/v1.0/trustedIssuers/{trust_id}/signIn"),
            admin,
            json!({"clientId": CLIENT, "clientSecret": SECRET, "buttonText": BUTTON}),
        )
        .await;
    set.expect(200, None);
    set.json.clone()
}

/// Microsoft's module's authorization request at the tenant.
fn authorize_url(server: &Server, tenant: &str) -> String {
    let challenge = mscommerce_auth::sha256_base64url(VERIFIER);
    Url::parse_with_params(
        &format!("{}/{tenant}/oauth2/v2.0/authorize", server.base),
        [
            ("client_id", MODULE),
            ("redirect_uri", APP_REDIRECT),
            ("response_type", "code"),
            (
                "scope",
                &format!("{AUDIENCE}/.default openid offline_access"),
            ),
            ("state", "app-state"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .unwrap()
    .to_string()
}

/// Opens the sign-in page and follows its one button to the provider: answers the provider's authorization URL.
async fn to_the_provider(browser: &mut Browser, server: &Server, tenant: &str) -> String {
    let page = browser.get(&authorize_url(server, tenant)).await;
    assert_eq!(page.status, 200, "{}", page.html);
    let offered = buttons(server, &page.html);
    assert_eq!(offered.len(), 1, "{}", page.html);
    assert_eq!(offered[0].0, format!("Sign in with {BUTTON}"));
    let started = browser.get(&offered[0].1).await;
    assert_eq!(started.status, 302, "{}", started.html);
    started.location.expect("to the provider")
}

async fn redeem(server: &Server, tenant: &str, code: &str) -> Answer {
    server
        .token_request(
            &format!("/{tenant}/oauth2/v2.0/token"),
            &[
                ("grant_type", "authorization_code"),
                ("client_id", MODULE),
                ("code", code),
                ("redirect_uri", APP_REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await
}

#[tokio::test]
async fn a_person_signs_in_with_the_provider_and_gets_the_services_own_tokens_with_the_mapped_roles(
) {
    let server = Server::start().await;
    let provider = provider(&server).await;
    let admin = server.admin_token().await;
    let tenant = server.first_tenant();
    let trust_id = trust(&server, &admin, &provider).await;
    let set = set_sign_in(&server, &admin, &trust_id).await;
    assert_eq!(set["signIn"]["clientId"], CLIENT);
    assert_eq!(set["signIn"]["hasClientSecret"], true);
    assert_eq!(set["signIn"]["buttonText"], BUTTON);
    let read = server
        .get(&format!("/v1.0/trustedIssuers/{trust_id}"), &admin)
        .await;
    read.expect(200, None);
    assert_eq!(read.json["signIn"]["hasClientSecret"], true);
    assert!(
        !set.to_string().contains(SECRET) && !read.text.contains(SECRET),
        "{}",
        read.text
    );

    let mut browser = Browser::new();
    let at_provider = to_the_provider(&mut browser, &server, &tenant).await;
    assert!(at_provider.starts_with(&provider.issuer), "{at_provider}");
    assert_eq!(query_value(&at_provider, "client_id").unwrap(), CLIENT);
    assert_eq!(
        query_value(&at_provider, "redirect_uri").unwrap(),
        format!("{}/federation/callback", server.base)
    );
    assert_eq!(
        query_value(&at_provider, "code_challenge_method").unwrap(),
        "S256"
    );
    assert!(query_value(&at_provider, "nonce").is_some());
    let pending = browser.set_cookie("mscommerce_federation").to_string();
    for protection in ["HttpOnly", "SameSite=Lax", "Path=/federation/callback"] {
        assert!(pending.contains(protection), "{protection}: {pending}");
    }

    let back = browser
        .browse(
            &at_provider,
            "alice",
            &[&format!("{}/federation/callback", server.base)],
        )
        .await;
    let callback = back.location.expect("back to the service's callback");
    let at_app = browser.get(&callback).await;
    assert_eq!(at_app.status, 302, "{}", at_app.html);
    let at_app = at_app.location.unwrap();
    assert!(at_app.starts_with(APP_REDIRECT), "{at_app}");
    assert_eq!(query_value(&at_app, "state").unwrap(), "app-state");
    assert!(
        browser
            .set_cookie("mscommerce_federation")
            .contains("Max-Age=0"),
        "the pending sign-in is cleared"
    );

    // The service's own tokens, for the person the trust maps: a Billing Administrator here.
    let code = query_value(&at_app, "code").unwrap();
    let tokens = redeem(&server, &tenant, &code).await;
    tokens.expect(200, None);
    let access = tokens.json["access_token"].as_str().unwrap();
    let claims = claims_of(access);
    assert!(
        claims["iss"].as_str().unwrap().starts_with(&server.base),
        "{claims}"
    );
    assert_eq!(claims["upn"], "alice@example.org");
    assert!(tokens.json["refresh_token"].is_string());
    server
        .put(
            &product_path(PRODUCT),
            access,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let users = server.get("/v1.0/users", &admin).await;
    assert!(users.text.contains("Alice Federated"), "{}", users.text);

    // The same answer again: the pending sign-in is gone from the browser.
    let replayed = browser.get(&callback).await;
    assert_eq!(replayed.status, 400, "{}", replayed.html);
    assert!(
        replayed.html.contains("cookie is missing"),
        "{}",
        replayed.html
    );

    // Bob, a Global Reader through his group, reads and may not write.
    let mut browser = Browser::new();
    let at_provider = to_the_provider(&mut browser, &server, &tenant).await;
    let back = browser
        .browse(
            &at_provider,
            "bob",
            &[&format!("{}/federation/callback", server.base)],
        )
        .await;
    let at_app = browser.get(&back.location.unwrap()).await;
    let code = query_value(&at_app.location.unwrap(), "code").unwrap();
    let tokens = redeem(&server, &tenant, &code).await;
    tokens.expect(200, None);
    let bob = tokens.json["access_token"].as_str().unwrap();
    server
        .get(&product_path(PRODUCT), bob)
        .await
        .expect(200, None);
    server
        .put(
            &product_path(PRODUCT),
            bob,
            json!({"policyValue": "Enabled"}),
        )
        .await
        .expect(403, Some("Forbidden"));
}

#[tokio::test]
async fn a_changed_state_a_wrong_nonce_a_forged_pending_sign_in_and_the_providers_error_are_refused(
) {
    let server = Server::start().await;
    let provider = provider(&server).await;
    let admin = server.admin_token().await;
    let tenant = server.first_tenant();
    let trust_id = trust(&server, &admin, &provider).await;
    set_sign_in(&server, &admin, &trust_id).await;
    let callback = format!("{}/federation/callback", server.base);

    // Another state than the one this browser's sign-in sent.
    let mut browser = Browser::new();
    let at_provider = to_the_provider(&mut browser, &server, &tenant).await;
    let back = browser.browse(&at_provider, "alice", &[&callback]).await;
    let changed = with_query_value(&back.location.unwrap(), "state", "another-state");
    let refused = browser.get(&changed).await;
    assert_eq!(refused.status, 400, "{}", refused.html);
    assert!(
        refused.html.contains("state does not match"),
        "{}",
        refused.html
    );
    assert!(!refused.html.contains("code="), "{}", refused.html);

    // An ID token with another nonce (the provider asked with another one, the rest of the request kept).
    let mut browser = Browser::new();
    let at_provider = to_the_provider(&mut browser, &server, &tenant).await;
    let other_nonce = with_query_value(&at_provider, "nonce", "a-nonce-of-another-sign-in");
    let back = browser.browse(&other_nonce, "alice", &[&callback]).await;
    let refused = browser.get(&back.location.unwrap()).await;
    assert_eq!(refused.status, 400, "{}", refused.html);
    assert!(refused.html.contains("nonce"), "{}", refused.html);

    // The pending sign-in changed in the browser: refused before the provider is asked anything.
    let mut browser = Browser::new();
    let at_provider = to_the_provider(&mut browser, &server, &tenant).await;
    let back = browser.browse(&at_provider, "alice", &[&callback]).await;
    let sealed = browser.jar.cookies["mscommerce_federation"].clone();
    let (payload, mac) = sealed.split_once('.').unwrap();
    let mut forged_mac = mac.to_string();
    let last = if forged_mac.ends_with('A') { "B" } else { "A" };
    forged_mac.replace_range(forged_mac.len() - 1.., last);
    browser.jar.cookies.insert(
        "mscommerce_federation".into(),
        format!("{payload}.{forged_mac}"),
    );
    let refused = browser.get(&back.location.unwrap()).await;
    assert_eq!(refused.status, 400, "{}", refused.html);
    assert!(refused.html.contains("was changed"), "{}", refused.html);

    // The provider's error answer.
    let mut browser = Browser::new();
    let at_provider = to_the_provider(&mut browser, &server, &tenant).await;
    let state = query_value(&at_provider, "state").unwrap();
    let answered = Url::parse_with_params(
        &callback,
        [
            ("error", "access_denied"),
            ("error_description", "The person declined"),
            ("state", state.as_str()),
        ],
    )
    .unwrap();
    let refused = browser.get(answered.as_str()).await;
    assert_eq!(refused.status, 400, "{}", refused.html);
    assert!(
        refused.html.contains("access_denied") && refused.html.contains("The person declined"),
        "{}",
        refused.html
    );
    assert!(refused.location.is_none());
}

#[tokio::test]
async fn a_tenant_without_a_sign_in_shows_no_button_and_the_setting_is_checked_and_removed() {
    let server = Server::start().await;
    let provider = provider(&server).await;
    let admin = server.admin_token().await;
    let tenant = server.first_tenant();
    let trust_id = trust(&server, &admin, &provider).await;
    let sign_in_path = format!("/v1.0/trustedIssuers/{trust_id}/signIn");

    let mut browser = Browser::new();
    let page = browser.get(&authorize_url(&server, &tenant)).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(buttons(&server, &page.html).is_empty(), "{}", page.html);
    assert!(!page.html.contains("Sign in with"), "{}", page.html);

    // Checked before anything is stored.
    server
        .put(&sign_in_path, &admin, json!({"clientId": "two words"}))
        .await
        .expect(400, Some("InvalidClientId"));
    server
        .put(
            &sign_in_path,
            &admin,
            json!({"clientId": CLIENT, "clientSecret": " padded"}),
        )
        .await
        .expect(400, Some("InvalidClientSecret"));
    server
        .put(
            "/v1.0/trustedIssuers/00000000-0000-4000-8000-000000000000/signIn",
            &admin,
            json!({"clientId": CLIENT}),
        )
        .await
        .expect(404, Some("TrustedIssuerNotFound"));

    // A public client, with the trust's name on its button.
    let set = server
        .put(&sign_in_path, &admin, json!({"clientId": CLIENT}))
        .await;
    set.expect(200, None);
    assert_eq!(set.json["signIn"]["hasClientSecret"], false);
    assert_eq!(set.json["signIn"]["buttonText"], "Test provider");
    let page = browser.get(&authorize_url(&server, &tenant)).await;
    assert_eq!(
        buttons(&server, &page.html)
            .into_iter()
            .map(|(text, _)| text)
            .collect::<Vec<_>>(),
        ["Sign in with Test provider"]
    );
    let events = server.get("/v1.0/auditLogs/events", &admin).await;
    assert!(
        events.text.contains("TrustedIssuerSignInSet"),
        "{}",
        events.text
    );

    server
        .call(reqwest::Method::DELETE, &sign_in_path, Some(&admin), None)
        .await
        .expect(204, None);
    let page = browser.get(&authorize_url(&server, &tenant)).await;
    assert!(buttons(&server, &page.html).is_empty(), "{}", page.html);
    let read = server
        .get(&format!("/v1.0/trustedIssuers/{trust_id}"), &admin)
        .await;
    assert!(read.json["signIn"].is_null(), "{}", read.text);

    // The command line sets it too, the secret read from a file.
    let secret_file = server.dir.0.join("client-secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    server.cli_ok(&[
        "issuer",
        "sign-in",
        "--tenant",
        &tenant,
        "--id",
        &trust_id,
        "--client-id",
        CLIENT,
        "--client-secret-file",
        secret_file.to_str().unwrap(),
        "--button",
        BUTTON,
    ]);
    let read = server
        .get(&format!("/v1.0/trustedIssuers/{trust_id}"), &admin)
        .await;
    assert_eq!(
        read.json["signIn"]["hasClientSecret"], true,
        "{}",
        read.text
    );
    assert_eq!(read.json["signIn"]["buttonText"], BUTTON);
    let listed = server.cli_ok(&["issuer", "list", "--tenant", &tenant]);
    assert!(listed.contains("sign-in=commerce"), "{listed}");
    assert!(!listed.contains(SECRET), "{listed}");

    // The service reads another process's change within seconds; then the secret the command line sealed opens
    // for the sign-in (the provider refuses the code without it).
    let mut offered = Vec::new();
    for _ in 0..60 {
        let page = browser.get(&authorize_url(&server, &tenant)).await;
        offered = buttons(&server, &page.html);
        if !offered.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(offered.len(), 1, "the button never showed");
    let callback = format!("{}/federation/callback", server.base);
    let started = browser.get(&offered[0].1).await;
    let back = browser
        .browse(&started.location.unwrap(), "alice", &[&callback])
        .await;
    let at_app = browser.get(&back.location.unwrap()).await;
    assert_eq!(at_app.status, 302, "{}", at_app.html);
    let code = query_value(&at_app.location.unwrap(), "code").unwrap();
    redeem(&server, &tenant, &code).await.expect(200, None);
}

#[tokio::test]
async fn a_replica_behind_the_same_address_finishes_a_sign_in_another_started() {
    let server = Server::start().await;
    let provider = provider(&server).await;
    let admin = server.admin_token().await;
    let tenant = server.first_tenant();
    let trust_id = trust(&server, &admin, &provider).await;
    set_sign_in(&server, &admin, &trust_id).await;
    let replica = server
        .replica_with(&[("MSCOMMERCE_PUBLIC_URL", server.base.as_str())])
        .await;

    let mut browser = Browser::new();
    let at_provider = to_the_provider(&mut browser, &server, &tenant).await;
    let callback = format!("{}/federation/callback", server.base);
    let back = browser.browse(&at_provider, "alice", &[&callback]).await;
    // The load balancer sends the provider's answer to the other replica: the pending sign-in opens there, its
    // key derived from the key-encryption key they share.
    let to_replica = back
        .location
        .unwrap()
        .replacen(&server.base, &replica.base, 1);
    let at_app = browser.get(&to_replica).await;
    assert_eq!(at_app.status, 302, "{}", at_app.html);
    let at_app = at_app.location.unwrap();
    assert!(at_app.starts_with(APP_REDIRECT), "{at_app}");
    let code = query_value(&at_app, "code").unwrap();
    redeem(&server, &tenant, &code).await.expect(200, None);
}

#[tokio::test]
async fn the_console_signs_in_with_the_provider_once_the_sign_in_name_tells_the_organization() {
    let server = Server::start().await;
    let provider = provider(&server).await;
    let admin = server.admin_token().await;
    let trust_id = trust(&server, &admin, &provider).await;
    set_sign_in(&server, &admin, &trust_id).await;
    server
        .post("/v1.0/domains", &admin, json!({"id": "example.org"}))
        .await
        .expect(201, None);

    // The console signs in at `organizations`: no organization yet, so no button.
    let mut browser = Browser::new();
    let mut got = browser
        .get(&format!("{}/console/signin", server.base))
        .await;
    while got
        .location
        .as_deref()
        .is_some_and(|l| !l.contains("/oauth2/v2.0/authorize?"))
    {
        got = browser.get(&got.location.unwrap()).await;
    }
    let authorize = got.location.expect("to the authorization endpoint");
    let page = browser.get(&authorize).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(buttons(&server, &page.html).is_empty(), "{}", page.html);

    // The sign-in name alone: its domain's organization offers the provider.
    let field = |html: &str, name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker).unwrap() + marker.len();
        let end = html[start..].find('"').unwrap() + start;
        html[start..end].replace("&amp;", "&")
    };
    let mut fields = vec![
        ("username".to_string(), "alice@example.org".to_string()),
        ("password".to_string(), String::new()),
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
        fields.push((name.to_string(), field(&page.html, name)));
    }
    let named = browser
        .send(
            &format!("{}/organizations/oauth2/v2.0/authorize", server.base),
            Some(&fields),
        )
        .await;
    assert_eq!(named.status, 200, "{}", named.html);
    let offered = buttons(&server, &named.html);
    assert_eq!(offered.len(), 1, "{}", named.html);
    assert_eq!(
        query_value(&offered[0].1, "login_hint").unwrap(),
        "alice@example.org"
    );

    let started = browser.get(&offered[0].1).await;
    let at_provider = started.location.expect("to the provider");
    assert_eq!(
        query_value(&at_provider, "login_hint").unwrap(),
        "alice@example.org"
    );
    let back = browser
        .browse(
            &at_provider,
            "alice",
            &[&format!("{}/federation/callback", server.base)],
        )
        .await;
    let to_console = browser.get(&back.location.unwrap()).await;
    assert_eq!(to_console.status, 302, "{}", to_console.html);
    let to_console = to_console.location.unwrap();
    assert!(
        to_console.starts_with(&format!("{}/console/signin/callback?code=", server.base)),
        "{to_console}"
    );
    let landed = browser.get(&to_console).await;
    assert_eq!(landed.status, 303, "{}", landed.html);
    assert!(browser.jar.cookies.contains_key("mscommerce_console"));
    // The console's home sends each person to the first page their roles open.
    let mut home = browser.get(&landed.location.unwrap()).await;
    for _ in 0..3 {
        let Some(next) = home.location.clone().filter(|_| home.status == 303) else {
            break;
        };
        assert!(
            next.starts_with(&format!("{}/console", server.base)),
            "{next}"
        );
        home = browser.get(&next).await;
    }
    assert_eq!(home.status, 200, "{}", home.html);
    assert!(home.html.contains("Alice Federated"), "{}", home.html);
}
