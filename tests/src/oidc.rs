//! A real OpenID Connect provider as a process: `oidc-provider` from the npm registry (OpenID Certified), run on
//! this machine's Node.js by `tests/oidc/provider.js`. Its packages are installed with `npm ci` (the versions
//! `tests/oidc/package-lock.json` pins) when `tests/oidc/node_modules` is missing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::server::free_port;
use crate::TempDir;

/// The audience Microsoft's module asks for, which the provider's resource `urn:mscommerce` carries.
pub const AUDIENCE: &str = "aeb86249-8ea3-49e2-900b-54cc8e308f85";
/// The provider's resources: the service's audience signed RS256 and ES256, another audience, and tokens that
/// expire after a second.
pub const RESOURCE: &str = "urn:mscommerce";
pub const RESOURCE_ES256: &str = "urn:mscommerce:es256";
pub const RESOURCE_OTHER: &str = "urn:other";
pub const RESOURCE_SHORT: &str = "urn:mscommerce:short";
/// Where the provider sends people back after signing in (nothing listens there; the code is read from the
/// redirect).
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// Installs the provider's packages once per test process, unless they are installed.
fn ensure_packages() {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| {
        let dir = provider_dir();
        if dir.join("node_modules").join("oidc-provider").exists() {
            return;
        }
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm runs (Node.js is needed for the federation tests)");
        assert!(status.success(), "npm ci in {} failed", dir.display());
    });
}

/// A running provider. Killed when dropped.
pub struct OidcProvider {
    child: Option<Child>,
    pub dir: TempDir,
    pub port: u16,
    pub issuer: String,
    http: reqwest::Client,
}

impl OidcProvider {
    /// A provider with `clients` (`[{client_id, client_secret, claims, redirect_uris}]`, claims going into their
    /// client-credentials tokens, [`REDIRECT_URI`] added to their redirect URIs) and `accounts` (`{id: claims}`, going into their people's tokens).
    pub async fn start(clients: Value, accounts: Value) -> OidcProvider {
        ensure_packages();
        let dir = TempDir::new();
        let port = free_port();
        let issuer = format!("http://127.0.0.1:{port}");
        let clients: Vec<Value> = clients
            .as_array()
            .expect("clients are a list")
            .iter()
            .map(|c| {
                let mut c = c.clone();
                let mut uris: Vec<Value> =
                    c["redirect_uris"].as_array().cloned().unwrap_or_default();
                uris.push(json!(REDIRECT_URI));
                c["redirect_uris"] = Value::Array(uris);
                c
            })
            .collect();
        let config = json!({
            "issuer": issuer,
            "port": port,
            "keysFile": dir.0.join("keys.json"),
            "resources": {
                RESOURCE: {"audience": AUDIENCE, "alg": "RS256"},
                RESOURCE_ES256: {"audience": AUDIENCE, "alg": "ES256"},
                RESOURCE_OTHER: {"audience": "https://other.example", "alg": "RS256"},
                RESOURCE_SHORT: {"audience": AUDIENCE, "alg": "RS256", "ttl": 1},
            },
            "clients": clients,
            "accounts": accounts,
        });
        std::fs::write(dir.0.join("config.json"), config.to_string()).expect("config written");
        let mut provider = OidcProvider {
            child: None,
            dir,
            port,
            issuer,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .expect("client"),
        };
        provider.launch(false).await;
        provider
    }

    async fn launch(&mut self, rotate: bool) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.0.join("provider.log"))
            .expect("log file");
        let mut command = Command::new("node");
        command
            .arg(provider_dir().join("provider.js"))
            .arg(self.dir.0.join("config.json"))
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        if rotate {
            command.arg("--rotate");
        }
        self.child = Some(command.spawn().expect("node runs"));
        let started = Instant::now();
        // Generous: Node.js loads the provider in about a second, much longer on a machine busy compiling.
        while started.elapsed() < Duration::from_secs(120) {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "the OpenID Connect provider exited ({status}): {}",
                    std::fs::read_to_string(self.dir.0.join("provider.log")).unwrap_or_default()
                );
            }
            if self
                .http
                .get(format!("{}/__stats", self.issuer))
                .send()
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the OpenID Connect provider did not start: {}",
            std::fs::read_to_string(self.dir.0.join("provider.log")).unwrap_or_default()
        );
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Rotates the keys: the provider restarts with a new RSA key that signs from then on, the old ones still
    /// published.
    pub async fn rotate_keys(&mut self) {
        self.stop();
        self.launch(true).await;
    }

    /// Restarts the provider with other accounts (their claims changed at the provider, as an administrator
    /// changes a person's roles or groups there); the keys stay.
    pub async fn set_accounts(&mut self, accounts: Value) {
        let path = self.dir.0.join("config.json");
        let mut config: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("config")).expect("JSON");
        config["accounts"] = accounts;
        std::fs::write(&path, config.to_string()).expect("config written");
        self.stop();
        self.launch(false).await;
    }

    /// Stops the provider: its issuer is unreachable until [`OidcProvider::resume`].
    pub fn pause(&mut self) {
        self.stop();
    }

    pub async fn resume(&mut self) {
        self.launch(false).await;
    }

    /// How often the discovery document and the JWKS were fetched since the provider (re)started.
    pub async fn fetches(&self) -> (u64, u64) {
        let stats: Value = self
            .http
            .get(format!("{}/__stats", self.issuer))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON");
        (
            stats["discovery"].as_u64().unwrap_or(0),
            stats["jwks"].as_u64().unwrap_or(0),
        )
    }

    /// A client-credentials access token for `resource`.
    pub async fn client_token(&self, client_id: &str, secret: &str, resource: &str) -> String {
        let answer = self
            .http
            .post(format!("{}/token", self.issuer))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret),
                ("resource", resource),
                ("scope", "api"),
            ])
            .send()
            .await
            .expect("token request");
        let body: Value = answer.json().await.expect("token JSON");
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token: {body}"))
            .to_string()
    }

    /// A person's access token for `resource`, through the authorization code flow with PKCE: the sign-in page
    /// (the provider's development login, which takes any account name) is filled in as a browser would.
    pub async fn user_token(
        &self,
        client_id: &str,
        secret: &str,
        account: &str,
        resource: &str,
    ) -> String {
        let verifier = URL_SAFE_NO_PAD.encode(mscommerce_auth::random_bytes::<32>());
        let challenge = mscommerce_auth::sha256_base64url(&verifier);
        let mut cookies: Vec<(String, String)> = Vec::new();
        let mut url = reqwest::Url::parse_with_params(
            &format!("{}/auth", self.issuer),
            &[
                ("client_id", client_id),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT_URI),
                ("scope", "openid profile email api"),
                ("resource", resource),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("state", "state-1"),
                ("nonce", "nonce-1"),
            ],
        )
        .expect("authorize URL")
        .to_string();
        let mut form: Option<Vec<(String, String)>> = None;
        for _ in 0..20 {
            let cookie = cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let request = match form.take() {
                Some(fields) => self.http.post(&url).form(&fields),
                None => self.http.get(&url),
            };
            let answer = request
                .header("cookie", cookie)
                .send()
                .await
                .expect("sign-in step");
            for set in answer.headers().get_all("set-cookie") {
                let pair = set.to_str().unwrap_or("").split(';').next().unwrap_or("");
                if let Some((name, value)) = pair.split_once('=') {
                    cookies.retain(|(k, _)| k != name);
                    cookies.push((name.to_string(), value.to_string()));
                }
            }
            if let Some(location) = answer.headers().get("location") {
                let next = reqwest::Url::parse(&url)
                    .and_then(|base| base.join(location.to_str().unwrap_or("")))
                    .expect("redirect URL");
                if next.as_str().starts_with(REDIRECT_URI) {
                    let code = next
                        .query_pairs()
                        .find(|(k, _)| k == "code")
                        .map(|(_, v)| v.to_string())
                        .unwrap_or_else(|| panic!("no code in {next}"));
                    return self
                        .redeem(client_id, secret, &code, &verifier, resource)
                        .await;
                }
                url = next.to_string();
                continue;
            }
            let page = answer.text().await.unwrap_or_default();
            let action = between(&page, "action=\"", "\"")
                .unwrap_or_else(|| panic!("no form on the sign-in page: {page}"));
            let prompt = between(&page, "name=\"prompt\" value=\"", "\"").unwrap_or("login");
            url = reqwest::Url::parse(&url)
                .and_then(|base| base.join(action))
                .expect("form URL")
                .to_string();
            form = Some(vec![
                ("prompt".into(), prompt.to_string()),
                ("login".into(), account.to_string()),
                ("password".into(), "any".into()),
            ]);
        }
        panic!("the sign-in did not come back to the redirect URI");
    }

    async fn redeem(
        &self,
        client_id: &str,
        secret: &str,
        code: &str,
        verifier: &str,
        resource: &str,
    ) -> String {
        let answer = self
            .http
            .post(format!("{}/token", self.issuer))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", client_id),
                ("client_secret", secret),
                ("code", code),
                ("code_verifier", verifier),
                ("redirect_uri", REDIRECT_URI),
                ("resource", resource),
            ])
            .send()
            .await
            .expect("code redemption");
        let body: Value = answer.json().await.expect("token JSON");
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token: {body}"))
            .to_string()
    }
}

/// The provider's development login page filled in for `account`: where it posts, and its fields. `None` when
/// `page` is not that page.
pub fn login_form(page: &str, account: &str) -> Option<(String, Vec<(String, String)>)> {
    let action = between(page, "action=\"", "\"")?;
    let prompt = between(page, "name=\"prompt\" value=\"", "\"").unwrap_or("login");
    Some((
        action.to_string(),
        vec![
            ("prompt".into(), prompt.to_string()),
            ("login".into(), account.to_string()),
            ("password".into(), "any".into()),
        ],
    ))
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The token with its header replaced by `header` (the payload and signature kept): what a forger can make.
pub fn with_header(token: &str, header: Value) -> String {
    let (_, rest) = token.split_once('.').expect("a JWT");
    format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header.to_string()))
}

/// The header of a token, decoded.
pub fn header_of(token: &str) -> Value {
    let head = token.split('.').next().expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).expect("base64url")).expect("JSON")
}
