//! Python packages the tests use (aiosmtpd, MSAL for Python), installed from PyPI when this machine lacks them.

use std::collections::HashSet;
use std::process::Command;
use std::sync::Mutex;

/// Installs `requirement` with pip unless `module` imports already (once per module and test process).
pub fn ensure_module(module: &str, requirement: &str) {
    static READY: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let mut ready = READY.lock().unwrap_or_else(|e| e.into_inner());
    let ready = ready.get_or_insert_with(HashSet::new);
    if ready.contains(module) {
        return;
    }
    let present = Command::new("python3")
        .args(["-c", &format!("import {module}")])
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
                requirement,
            ])
            .status()
            .expect("python3 runs");
        assert!(
            status.success(),
            "installing {requirement} from PyPI failed"
        );
    }
    ready.insert(module.to_string());
}
