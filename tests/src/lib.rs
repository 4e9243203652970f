//! Test harness: starts the real `mscommerce` binary on a free port with a fresh database (SQLite, or PostgreSQL
//! when `MSCOMMERCE_TEST_POSTGRES_URL` is set), and talks to it over HTTP like any client.

pub use mscommerce_testing::{postgres, TempDir};

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

pub const ADMIN_UPN: &str = "admin@contoso.onmicrosoft.com";
pub const ADMIN_PASSWORD: &str = "Bootstrap-Passw0rd";
pub const USER_PASSWORD: &str = "User-Passw0rd-123";
pub const AUDIENCE: &str = "aeb86249-8ea3-49e2-900b-54cc8e308f85";
pub const POLICY: &str = "AllowSelfServicePurchase";

/// Directory role template IDs.
pub mod roles {
    pub const GLOBAL_ADMINISTRATOR: &str = "GlobalAdministrator";
    pub const BILLING_ADMINISTRATOR: &str = "BillingAdministrator";
    pub const GLOBAL_READER: &str = "GlobalReader";
    pub const LICENSE_ADMINISTRATOR: &str = "LicenseAdministrator";
    pub const USER_ADMINISTRATOR: &str = "UserAdministrator";
}

/// The `mscommerce` binary of this workspace. `cargo test --workspace` builds it before running tests; when run
/// alone, this builds it.
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("MSCOMMERCE_BIN") {
        return PathBuf::from(path);
    }
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("workspace root")
                .to_path_buf();
            let target = std::env::var("CARGO_TARGET_DIR")
                .map_or_else(|_| root.join("target"), PathBuf::from);
            let path = target
                .join("debug")
                .join(format!("mscommerce{}", std::env::consts::EXE_SUFFIX));
            let status = Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "mscommerce-server",
                    "--bin",
                    "mscommerce",
                ])
                .current_dir(&root)
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building mscommerce failed");
            path
        })
        .clone()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running `mscommerce serve`.
pub struct Server {
    child: Option<Child>,
    pub dir: TempDir,
    /// The server's own PostgreSQL database, when the suite runs on PostgreSQL.
    postgres: Option<postgres::TestDatabase>,
    /// Another server's database, for a replica of it.
    shared_database: Option<String>,
    pub base: String,
    port: u16,
    extra_env: Vec<(String, String)>,
    pub http: reqwest::Client,
}

/// An answer: status, headers, JSON body (Null when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and, for errors, the error code of the envelope.
    #[track_caller]
    pub fn expect(&self, status: u16, error_code: Option<&str>) -> &Answer {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        if let Some(code) = error_code {
            assert_eq!(
                self.json["errorCode"], code,
                "unexpected errorCode; body: {}",
                self.text
            );
            assert!(
                self.json["reason"].as_str().is_some_and(|r| r.len() > 10),
                "an error must say why: {}",
                self.text
            );
        }
        self
    }
}

impl Server {
    /// A new server on a new database.
    pub async fn start() -> Server {
        Self::start_with::<&str>(&[]).await
    }

    pub async fn start_with<V: AsRef<str>>(env: &[(&str, V)]) -> Server {
        let mut server = Server {
            child: None,
            dir: TempDir::new(),
            postgres: match postgres::admin_url() {
                Some(admin_url) => Some(postgres::TestDatabase::create(&admin_url).await),
                None => None,
            },
            shared_database: None,
            base: String::new(),
            port: 0,
            extra_env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_ref().to_string()))
                .collect(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
        };
        server.launch().await;
        server
    }

    pub fn database_url(&self) -> String {
        if let Some(url) = &self.shared_database {
            return url.clone();
        }
        match &self.postgres {
            Some(database) => database.url.clone(),
            None => format!("sqlite://{}", self.dir.0.join("mscommerce.db").display()),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url().starts_with("postgres")
    }

    /// A second `mscommerce serve` on this server's database and settings, on a port of its own: a replica.
    pub async fn replica(&self) -> Server {
        let mut replica = Server {
            child: None,
            dir: TempDir::new(),
            postgres: None,
            shared_database: Some(self.database_url()),
            base: String::new(),
            port: 0,
            extra_env: self.extra_env.clone(),
            http: self.http.clone(),
        };
        replica.launch().await;
        replica
    }

    /// A connection pool to the server's database, whichever backend it is. Queries number their parameters
    /// `$1`, `$2`, ... in order, which both backends read.
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url())
            .await
            .expect("the database")
    }

    fn command(&self) -> Command {
        let mut command = Command::new(binary());
        command
            .current_dir(&self.dir.0)
            .env("MSCOMMERCE_DATABASE_URL", self.database_url())
            .env("MSCOMMERCE_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("MSCOMMERCE_LOG_LEVEL", "info")
            .env_remove("RUST_LOG");
        for (k, v) in &self.extra_env {
            command.env(k, v);
        }
        command
    }

    async fn launch(&mut self) {
        for _attempt in 0..3 {
            if self.port == 0 {
                self.port = free_port();
            }
            let log = |name: &str| std::fs::File::create(self.dir.0.join(name)).expect("log file");
            let child = self
                .command()
                .arg("serve")
                .env("MSCOMMERCE_LISTEN", format!("127.0.0.1:{}", self.port))
                .stdout(Stdio::from(log("stdout.log")))
                .stderr(Stdio::from(log("stderr.log")))
                .spawn()
                .expect("mscommerce starts");
            self.child = Some(child);
            self.base = format!("http://127.0.0.1:{}", self.port);
            if self.wait_ready().await {
                return;
            }
            // Most likely the port was taken between choosing and binding it: try another.
            self.kill();
            self.port = 0;
        }
        panic!(
            "mscommerce did not become ready; stderr:\n{}",
            self.log("stderr.log")
        );
    }

    async fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if child.try_wait().ok().flatten().is_some() {
                    return false;
                }
            }
            if let Ok(r) = self.http.get(format!("{}/readyz", self.base)).send().await {
                if r.status() == StatusCode::OK {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        false
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.0.join(name)).unwrap_or_default()
    }

    /// Kills the process at once (SIGKILL): no graceful shutdown, as in a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Asks the process to stop (SIGTERM) and waits for it; answers its exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        child.wait().expect("the process ends")
    }

    /// Kills the process and starts a new one on the same database and port.
    pub async fn restart(&mut self) {
        self.kill();
        self.launch().await;
    }

    /// Runs an admin command of the binary against this server's database.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.command()
            .env("MSCOMMERCE_NEW_USER_PASSWORD", USER_PASSWORD)
            .args(args)
            .output()
            .expect("mscommerce runs")
    }

    /// Runs an admin command that must succeed; answers its standard output.
    #[track_caller]
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let output = self.cli(args);
        assert!(
            output.status.success(),
            "mscommerce {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    /// The bootstrap tenant's ID.
    pub fn first_tenant(&self) -> String {
        let list = self.cli_ok(&["tenant", "list"]);
        list.lines()
            .next()
            .and_then(|l| l.split('\t').next())
            .expect("a tenant")
            .to_string()
    }

    pub fn create_tenant(&self, name: &str) -> String {
        self.cli_ok(&["tenant", "create", "--name", name])
            .trim()
            .to_string()
    }

    /// Creates a user with the given roles (names) in a tenant; answers its UPN.
    pub fn create_user(&self, tenant: &str, upn: &str, roles: &[&str]) -> String {
        let mut args = vec![
            "user",
            "create",
            "--tenant",
            tenant,
            "--upn",
            upn,
            "--display-name",
            upn,
        ];
        for role in roles {
            args.extend(["--role", role]);
        }
        self.cli_ok(&args);
        upn.to_string()
    }

    /// Creates an app with permissions; answers (client_id, secret).
    pub fn create_app(&self, tenant: &str, name: &str, permissions: &[&str]) -> (String, String) {
        let mut args = vec!["app", "create", "--tenant", tenant, "--name", name];
        for permission in permissions {
            args.extend(["--permission", permission]);
        }
        let out = self.cli_ok(&args);
        let field = |name: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
                .expect("printed")
        };
        (field("client_id:"), field("client_secret:"))
    }

    pub async fn token_request(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .expect("request");
        answer(response).await
    }

    pub async fn user_token(&self, upn: &str, password: &str) -> String {
        let answer = self
            .token_request(
                "/oauth2/v2.0/token",
                &[
                    ("grant_type", "password"),
                    ("username", upn),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "sign-in of {upn} failed: {}",
            answer.text
        );
        answer.json["access_token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    pub async fn admin_token(&self) -> String {
        self.user_token(ADMIN_UPN, ADMIN_PASSWORD).await
    }

    pub async fn app_token(&self, client_id: &str, secret: &str) -> String {
        let answer = self
            .token_request(
                "/oauth2/v2.0/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id),
                    ("client_secret", secret),
                    ("scope", &format!("{AUDIENCE}/.default")),
                ],
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "app sign-in failed: {}",
            answer.text
        );
        answer.json["access_token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// The server process's ID.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Peak resident memory of the server process so far, in KiB (VmHWM).
    pub fn peak_memory_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("/proc");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM")
    }

    /// Creates a member through the admin command line and signs them in; answers (user ID, token).
    pub async fn member(&self, tenant: &str, upn: &str) -> (String, String) {
        self.create_user(tenant, upn, &[]);
        let token = self.user_token(upn, USER_PASSWORD).await;
        (
            claims_of(&token)["oid"].as_str().expect("oid").to_string(),
            token,
        )
    }

    /// Sends a raw body with the given content type.
    pub async fn put_raw(
        &self,
        path: &str,
        token: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut request = self
            .http
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        answer(request.send().await.expect("request")).await
    }

    /// The emails the service wrote to its mail folder (no SMTP server configured), sorted.
    pub fn emails(&self) -> Vec<String> {
        let folder = self.dir.0.join("data/mail");
        let mut found: Vec<String> = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    }

    /// Waits up to 10 s for `count` emails whose text contains `subject`.
    pub async fn wait_for_emails(&self, subject: &str, count: usize) -> Vec<String> {
        for _ in 0..100 {
            let matching: Vec<String> = self
                .emails()
                .into_iter()
                .filter(|m| m.contains(subject))
                .collect();
            if matching.len() >= count {
                return matching;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no email '{subject}' in the mail folder");
    }

    /// Writes `count` members (`<prefix><n>@contoso.onmicrosoft.com`) straight into the database, each holding a
    /// license of `subscription`, whose quantity becomes `count`: for tests of bulk behaviour, in seconds.
    pub async fn seed_licensed_members(
        &self,
        tenant: &str,
        subscription: &str,
        prefix: &str,
        count: i64,
    ) {
        // GUID-shaped IDs, with a first group of their own for each call.
        let batch = &Uuid::new_v4().simple().to_string()[..8];
        let id = if self.is_postgres() {
            format!("'{batch}-0000-4000-8000-' || lpad(i::text, 12, '0')")
        } else {
            format!("printf('{batch}-0000-4000-8000-%012d', i)")
        };
        let pool = self.db().await;
        let mut tx = pool.begin().await.expect("transaction");
        sqlx::query(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             INSERT INTO users (id, tenant_id, upn, display_name, user_type, account_enabled, roles, created_at) \
             SELECT {id}, $2, $3 || i || '@contoso.onmicrosoft.com', 'User ' || i, 'Member', TRUE, '', \
             '2026-01-01T00:00:00.000Z' FROM n"
        ))
        .bind(count)
        .bind(tenant)
        .bind(prefix)
        .execute(&mut *tx)
        .await
        .expect("users");
        sqlx::query(
            "INSERT INTO assignments (subscription_id, user_id, tenant_id, assigned_at) \
             SELECT $1, id, tenant_id, '2026-01-02T00:00:00.000Z' FROM users WHERE upn LIKE $2",
        )
        .bind(subscription)
        .bind(format!("{prefix}%"))
        .execute(&mut *tx)
        .await
        .expect("assignments");
        sqlx::query("UPDATE subscriptions SET quantity = $1, assigned_count = $2 WHERE id = $3")
            .bind(count)
            .bind(count)
            .bind(subscription)
            .execute(&mut *tx)
            .await
            .expect("subscription");
        tx.commit().await.expect("commit");
        pool.close().await;
    }

    /// The server's signing key (kid, PKCS#8 DER), read from its database, to forge tokens in tests.
    pub async fn signing_key(&self) -> (String, Vec<u8>) {
        use sqlx::Row;
        let pool = self.db().await;
        let row = sqlx::query(
            "SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_one(&pool)
        .await
        .expect("a signing key");
        let kid: String = row.get("kid");
        let pkcs8 = STANDARD
            .decode(row.get::<String, _>("private_key"))
            .expect("base64");
        pool.close().await;
        (kid, pkcs8)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The process first; then, with the fields, the server's own database, which no process holds any more.
        self.kill();
    }
}

pub use postgres::POSTGRES_ENV;

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        text,
        json,
    }
}

/// The claims of a JWT, unverified.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("json")
}

/// The path of a product's policy value.
pub fn product_path(product: &str) -> String {
    format!("/v1.0/policies/{POLICY}/products/{product}")
}

pub fn offer_type_path(offer_type: &str) -> String {
    format!("/v1.0/policies/{POLICY}/offerTypes/{offer_type}")
}

/// A real SMTP server on loopback (aiosmtpd, from PyPI) that stores what it receives in a Maildir.
pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    pub maildir: PathBuf,
    _dir: TempDir,
}

/// Installs aiosmtpd from PyPI when this machine lacks it (once per test process).
fn ensure_aiosmtpd() {
    static READY: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    READY.get_or_init(|| {
        let present = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !present {
            let status = Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "aiosmtpd",
                ])
                .status()
                .expect("python3 runs");
            assert!(status.success(), "installing aiosmtpd from PyPI failed");
        }
    });
}

impl SmtpServer {
    /// A port for a server that will start later (to test delivery while it is down).
    pub fn reserve_port() -> u16 {
        free_port()
    }

    pub async fn start(port: u16) -> SmtpServer {
        ensure_aiosmtpd();
        let dir = TempDir::new();
        // aiosmtpd creates the Maildir itself and refuses one that exists without its subfolders.
        let maildir = dir.0.join("maildir");
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        SmtpServer {
            child: Some(child),
            port,
            maildir,
            _dir: dir,
        }
    }

    /// Every message received so far, as text.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        let mut messages: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        messages.sort();
        messages
    }

    /// Waits until `count` messages have arrived (or panics after `seconds`).
    pub async fn wait_for(&self, count: usize, seconds: u64) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {count} messages arrived",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Environment that points a server's dispatcher at an SMTP server on loopback, retrying quickly.
pub fn smtp_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("MSCOMMERCE_SMTP_HOST", "127.0.0.1".into()),
        ("MSCOMMERCE_SMTP_PORT", port.to_string()),
        ("MSCOMMERCE_SMTP_TLS", "none".into()),
        ("MSCOMMERCE_MAIL_POLL_INTERVAL_MS", "100".into()),
        ("MSCOMMERCE_MAIL_RETRY_BASE_SECONDS", "1".into()),
        ("MSCOMMERCE_MAIL_RETRY_MAX_SECONDS", "2".into()),
    ]
}

/// A header's value in a raw message.
pub fn header_of<'m>(message: &'m str, name: &str) -> Option<&'m str> {
    message.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}
