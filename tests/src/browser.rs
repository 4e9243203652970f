//! Browser scenarios: Node scripts in `tests/browser/scenarios/` that drive Debian's Chromium (`/usr/bin/chromium`)
//! with playwright-core and scan pages with axe-core (`tests/browser/lib.mjs`), run here against a running server.
//!
//! The npm packages are installed with `npm ci` from `tests/browser/package-lock.json` when `node_modules` is
//! missing or older than the lock file (once per test process), so that `cargo test --workspace` works alone on a
//! machine with Node and Chromium. A scenario gets the server's base URL, the bootstrap administrator's credentials
//! and the screenshot folder as environment variables; when it fails, its output is the panic message.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use crate::fixtures::{ADMIN_PASSWORD, ADMIN_UPN};
use crate::Server;

/// How long one scenario may run, browser start included, before it is killed (a scenario times itself out at
/// 60 s unless it says otherwise; this is the backstop).
const SCENARIO_LIMIT: Duration = Duration::from_secs(120);

/// The Node side: `package.json`, the lock file, `lib.mjs` and `scenarios/`.
pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// Where scenarios write their screenshots: `target/console-screenshots` of the workspace (or of
/// `CARGO_TARGET_DIR`).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("workspace root")
                .join("target")
        },
        PathBuf::from,
    );
    target.join("console-screenshots")
}

/// Whether `node_modules` holds what the lock file says: npm writes its own copy of the lock there on install,
/// which must be at least as new as the lock file (a checkout that changes the lock makes it newer).
fn installed(dir: &Path) -> bool {
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match (
        modified(dir.join("node_modules").join(".package-lock.json")),
        modified(dir.join("package-lock.json")),
    ) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    }
}

/// Runs `npm ci` in `tests/browser` unless its packages are installed (once per test process).
pub fn ensure_packages() {
    static READY: Mutex<bool> = Mutex::new(false);
    let mut ready = READY.lock().unwrap_or_else(|e| e.into_inner());
    if *ready {
        return;
    }
    let dir = browser_dir();
    if !installed(&dir) {
        let output = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| {
                panic!("npm does not run ({e}): the browser tests need Node.js and npm (apt-get install nodejs npm)")
            });
        assert!(
            output.status.success(),
            "npm ci in {} failed:\n{}\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    *ready = true;
}

/// Runs the scenario `tests/browser/scenarios/<script>` against `server` (over plain HTTP: Chromium does not trust
/// the test authority of an HTTPS server) with `env` added to what every scenario gets (the base URL, the
/// bootstrap administrator as `MSCOMMERCE_USERNAME` and `MSCOMMERCE_PASSWORD`, which `env` may override, and
/// the screenshot folder). Panics with the scenario's output when it fails; answers its standard output.
pub async fn run_scenario(server: &Server, script: &str, env: &[(&str, &str)]) -> String {
    assert!(
        server.tls.is_none(),
        "browser scenarios run against a server on plain HTTP"
    );
    tokio::task::spawn_blocking(ensure_packages)
        .await
        .expect("npm ci ran");
    let dir = browser_dir();
    let path = dir.join("scenarios").join(script);
    assert!(path.is_file(), "no scenario {}", path.display());
    let mut command = tokio::process::Command::new("node");
    command
        .arg(&path)
        .current_dir(&dir)
        .env("MSCOMMERCE_BASE_URL", &server.base)
        .env("MSCOMMERCE_USERNAME", ADMIN_UPN)
        .env("MSCOMMERCE_PASSWORD", ADMIN_PASSWORD)
        .env("MSCOMMERCE_SCREENSHOT_DIR", screenshot_dir())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().unwrap_or_else(|e| {
        panic!(
            "node does not run ({e}): the browser tests need Node.js (apt-get install nodejs npm)"
        )
    });
    let output = tokio::time::timeout(SCENARIO_LIMIT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("the scenario {script} ran longer than {SCENARIO_LIMIT:?}"))
        .expect("the scenario's output");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser scenario {script} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- server's stderr (last lines)\n{}",
        output.status,
        last_lines(&server.log("stderr.log"), 20)
    );
    stdout
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}
