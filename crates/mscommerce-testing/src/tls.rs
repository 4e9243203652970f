//! Certificates for HTTPS tests and the benchmark: a throwaway certificate authority and a server certificate it
//! signed for `127.0.0.1` and `localhost`, made with the `openssl` command when needed (no private key is
//! committed). Clients trust the authority, as a company's clients trust its own.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of one test certificate authority and the server certificate it issued.
#[derive(Debug, Clone)]
pub struct TestCertificates {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

/// Runs the `openssl` command in `dir`, which must succeed.
#[track_caller]
pub fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command runs (Debian package openssl)");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The SHA-1 thumbprint of a PEM certificate, in capitals without separators, as Windows and MSAL write it.
pub fn sha1_thumbprint(pem: &Path) -> String {
    let output = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
        .arg(pem)
        .output()
        .expect("the openssl command runs (Debian package openssl)");
    let text = String::from_utf8_lossy(&output.stdout);
    text.split('=')
        .nth(1)
        .expect("a fingerprint")
        .trim()
        .replace(':', "")
        .to_ascii_uppercase()
}

impl TestCertificates {
    /// A new authority and server certificate with an ECDSA P-256 key in `dir` (created if missing), named
    /// `<name>-*.pem`.
    pub fn generate(dir: &Path, name: &str) -> TestCertificates {
        Self::generate_with(
            dir,
            name,
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        )
    }

    /// The same with an RSA 2048 key, as applications' certificate credentials mostly have (MSAL signs client
    /// assertions with RSA only).
    pub fn generate_rsa(dir: &Path, name: &str) -> TestCertificates {
        Self::generate_with(dir, name, &["-newkey", "rsa:2048"])
    }

    fn generate_with(dir: &Path, name: &str, new_key: &[&str]) -> TestCertificates {
        std::fs::create_dir_all(dir).expect("the certificate folder");
        let ca_key = format!("{name}-ca-key.pem");
        let ca_cert = format!("{name}-ca.pem");
        let key = format!("{name}-key.pem");
        let request = format!("{name}.csr");
        let cert = format!("{name}-cert.pem");
        let extensions = format!("{name}.ext");
        std::fs::write(
            dir.join(&extensions),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .expect("extensions file");
        #[rustfmt::skip]
        openssl(dir, &["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", &ca_key, "-out", &ca_cert, "-days", "2", "-subj", &format!("/CN=mscommerce test CA {name}"),
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
        #[rustfmt::skip]
        openssl(dir, &[&["req"], new_key, &["-nodes", "-keyout", &key, "-out", &request, "-subj", "/CN=127.0.0.1"]]
            .concat());
        #[rustfmt::skip]
        openssl(dir, &["x509", "-req", "-in", &request, "-CA", &ca_cert, "-CAkey", &ca_key, "-CAcreateserial",
            "-out", &cert, "-days", "2", "-extfile", &extensions]);
        TestCertificates {
            ca_cert: dir.join(ca_cert),
            server_cert: dir.join(cert),
            server_key: dir.join(key),
        }
    }
}
