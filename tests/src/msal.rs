//! MSAL for Python, Microsoft's authentication library, driven against a running server over HTTPS
//! (tests/python/msal_client.py does what an application using MSAL does; this runs it and reads its answer).

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use crate::Server;

/// The version the tests are written against; installed from PyPI when missing.
pub const MSAL_REQUIREMENT: &str = "msal==1.39.0";

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("python")
        .join("msal_client.py")
}

impl Server {
    /// The MSAL authority of a tenant on this server (which must serve HTTPS: MSAL refuses anything else).
    pub fn authority(&self, tenant: &str) -> String {
        assert!(
            self.base.starts_with("https://"),
            "MSAL needs an https authority"
        );
        format!("{}/{tenant}", self.base)
    }

    /// Runs one subcommand of the MSAL script with `args` (the authority's tenant under "tenant"; the CA and the
    /// audience are added), and answers what it printed. Blocking work runs off the test's runtime.
    pub async fn msal(&self, subcommand: &str, args: Value) -> Value {
        crate::python::ensure_module("msal", MSAL_REQUIREMENT);
        let mut args = args;
        let tenant = args["tenant"].as_str().expect("a tenant").to_string();
        args["authority"] = json!(self.authority(&tenant));
        args["ca"] = json!(self
            .tls
            .as_ref()
            .expect("https")
            .ca_cert
            .display()
            .to_string());
        args["audience"] = json!(crate::AUDIENCE);
        let subcommand = subcommand.to_string();
        let ca = self.tls.as_ref().expect("https").ca_cert.clone();
        let output = tokio::task::spawn_blocking(move || {
            Command::new("python3")
                .arg(script())
                .arg(&subcommand)
                .arg(args.to_string())
                // requests lets these variables override a session's own `verify` (which MSAL sets from its
                // `verify` argument): point them at the test authority too, or a machine that sets them to the
                // system's bundle refuses the test certificate.
                .env("REQUESTS_CA_BUNDLE", &ca)
                .env_remove("CURL_CA_BUNDLE")
                .output()
                .expect("python3 runs")
        })
        .await
        .expect("the MSAL script ran");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "the MSAL script failed:\n{stdout}\n{stderr}"
        );
        serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"))
    }
}
