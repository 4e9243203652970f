//! The server process: starts the real `mscommerce` binary on a free port with a fresh database (SQLite, or
//! PostgreSQL when the suite runs there), runs its admin commands, and stops, kills or restarts it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::fixtures::{ADMIN_PASSWORD, USER_PASSWORD};
use crate::postgres::{self, TestDatabase};
use crate::tls::{client_trusting, TestCertificates};
use crate::TempDir;

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

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running `mscommerce serve`.
pub struct Server {
    pub(crate) child: Option<Child>,
    pub dir: TempDir,
    /// The server's own PostgreSQL database, when the suite runs on PostgreSQL.
    postgres: Option<TestDatabase>,
    /// Another server's database, for a replica of it.
    shared_database: Option<String>,
    pub base: String,
    port: u16,
    pub(crate) extra_env: Vec<(String, String)>,
    pub http: reqwest::Client,
    /// The certificates it serves HTTPS with, when it does.
    pub tls: Option<TestCertificates>,
}

impl Server {
    /// A new server on a new database.
    pub async fn start() -> Server {
        Self::start_with::<&str>(&[]).await
    }

    pub async fn start_with<V: AsRef<str>>(env: &[(&str, V)]) -> Server {
        let mut server = Self::prepare(env).await;
        server.launch().await;
        server
    }

    /// A new server on a new database, serving HTTPS with a certificate of a new test authority, which its
    /// `http` client trusts.
    pub async fn start_https() -> Server {
        Self::start_https_with::<&str>(&[]).await
    }

    pub async fn start_https_with<V: AsRef<str>>(env: &[(&str, V)]) -> Server {
        let mut server = Self::prepare(env).await;
        let certificates = TestCertificates::generate(&server.dir.0.join("tls"), "server");
        server.extra_env.extend([
            (
                "MSCOMMERCE_TLS_CERT_PATH".to_string(),
                certificates.server_cert.display().to_string(),
            ),
            (
                "MSCOMMERCE_TLS_KEY_PATH".to_string(),
                certificates.server_key.display().to_string(),
            ),
        ]);
        server.http = client_trusting(&certificates);
        server.tls = Some(certificates);
        server.launch().await;
        server
    }

    async fn prepare<V: AsRef<str>>(env: &[(&str, V)]) -> Server {
        Server {
            child: None,
            dir: TempDir::new(),
            postgres: match postgres::admin_url() {
                Some(admin_url) => Some(TestDatabase::create(&admin_url).await),
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
            tls: None,
        }
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

    /// Where the server keeps its key-encryption key (unless its configuration holds it): beside a SQLite
    /// database, in `data/` of its working folder for PostgreSQL, or where `extra_env` says.
    pub fn key_encryption_key_file(&self) -> PathBuf {
        const NAME: &str = "signing-key-encryption.key";
        if let Some((_, path)) = self
            .extra_env
            .iter()
            .find(|(k, _)| k == "MSCOMMERCE_SIGNING_KEY_ENCRYPTION_KEY_FILE")
        {
            return PathBuf::from(path);
        }
        match self.database_url().strip_prefix("sqlite://") {
            Some(file) => Path::new(file).parent().expect("a folder").join(NAME),
            None => self.dir.0.join("data").join(NAME),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url().starts_with("postgres")
    }

    /// A second `mscommerce serve` on this server's database and settings, on a port of its own: a replica.
    pub async fn replica(&self) -> Server {
        self.replica_with(&[]).await
    }

    /// A replica with more settings (`MSCOMMERCE_PUBLIC_URL` of this server's: replicas behind one address).
    pub async fn replica_with(&self, env: &[(&str, &str)]) -> Server {
        let mut extra_env = self.extra_env.clone();
        extra_env.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        // Replicas share the key-encryption key, as they must: this one's own folder has no key file.
        if !extra_env
            .iter()
            .any(|(k, _)| k.starts_with("MSCOMMERCE_SIGNING_KEY_ENCRYPTION_KEY"))
        {
            extra_env.push((
                "MSCOMMERCE_SIGNING_KEY_ENCRYPTION_KEY_FILE".into(),
                self.key_encryption_key_file().display().to_string(),
            ));
        }
        let mut replica = Server {
            child: None,
            dir: TempDir::new(),
            postgres: None,
            shared_database: Some(self.database_url()),
            base: String::new(),
            port: 0,
            extra_env,
            http: self.http.clone(),
            tls: self.tls.clone(),
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
            let scheme = if self.tls.is_some() { "https" } else { "http" };
            self.base = format!("{scheme}://127.0.0.1:{}", self.port);
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

    /// Runs `mscommerce serve` on this server's database with `env` added, expecting it to fail at start (within
    /// 20 s); answers its standard error. The server itself must be stopped first.
    pub fn serve_fails(&self, env: &[(&str, &str)]) -> String {
        let mut command = self.command();
        command
            .arg("serve")
            .env("MSCOMMERCE_LISTEN", format!("127.0.0.1:{}", free_port()))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("mscommerce starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while child.try_wait().expect("wait").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("mscommerce serve started, and was expected to fail");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let output = child.wait_with_output().expect("output");
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
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
}

impl Drop for Server {
    fn drop(&mut self) {
        // The process first; then, with the fields, the server's own database, which no process holds any more.
        self.kill();
    }
}
