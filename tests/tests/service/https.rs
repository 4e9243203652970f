//! HTTPS: HTTP/2 and HTTP/1.1 by ALPN, a renewed certificate served without a restart, start-up refusals that
//! name the file, and the warning for plain HTTP beyond loopback.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mscommerce_tests::*;
use reqwest::Version;

#[tokio::test]
async fn https_serves_http2_and_http1_as_alpn_chooses() {
    let server = Server::start_https().await;
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );

    let h2 = server
        .http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("https");
    assert_eq!(h2.status(), 200);
    assert_eq!(
        h2.version(),
        Version::HTTP_2,
        "a client offering h2 gets HTTP/2"
    );

    let certificates = server.tls.as_ref().expect("https");
    let ca =
        reqwest::Certificate::from_pem(&std::fs::read(&certificates.ca_cert).unwrap()).unwrap();
    let http1_only = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .http1_only()
        .build()
        .unwrap();
    let h1 = http1_only
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("https");
    assert_eq!(h1.status(), 200);
    assert_eq!(
        h1.version(),
        Version::HTTP_11,
        "a client offering only http/1.1 gets it"
    );

    // Sign-in and an authenticated read, over HTTP/2; the issuer is the https URL.
    let token = server.admin_token().await;
    let products = server
        .get(&format!("/v1.0/policies/{POLICY}/products"), &token)
        .await;
    products.expect(200, None);
    let discovery = server
        .public_json("/.well-known/openid-configuration")
        .await;
    assert_eq!(discovery["issuer"], server.base, "{discovery}");

    // A client that does not trust the certificate is refused by the handshake, and it is counted.
    let untrusting = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .build()
        .unwrap();
    let refused = untrusting
        .get(format!("{}/healthz", server.base))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "an untrusted certificate must fail the handshake"
    );
    // Counted when the server's side of the handshake ends, which may be a moment after the client gave up.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = server
            .http
            .get(format!("{}/metrics", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let failures: f64 = metrics
            .lines()
            .find_map(|l| {
                l.strip_prefix("mscommerce_http_connections_tls_handshake_failures_total ")
            })
            .expect("the handshake failure counter")
            .trim()
            .parse()
            .unwrap();
        if failures >= 1.0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the failed handshake was not counted within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Replaces a file the way renewal tools do: write beside it, then rename over it.
fn replace(target: &std::path::Path, source: &std::path::Path) {
    let staged = target.with_extension("staged");
    std::fs::copy(source, &staged).expect("copy");
    std::fs::rename(&staged, target).expect("rename");
}

#[tokio::test]
async fn a_renewed_certificate_is_served_without_a_restart() {
    let server = Server::start_https().await;
    let pid = server.pid();
    let old = server.tls.clone().expect("https");
    let renewed = TestCertificates::generate(&server.dir.0.join("renewed"), "renewed");
    let renewed_client = client_trusting(&renewed);
    let url = format!("{}/healthz", server.base);
    assert!(
        renewed_client.get(&url).send().await.is_err(),
        "before the renewal, only the old authority's clients connect"
    );

    // The certificate first and its key a moment later, as a renewal tool may: in between the pair does not
    // match, which must not stop the old certificate from being served.
    replace(&old.server_cert, &renewed.server_cert);
    // The files are looked at every 2 s: wait until the mismatched pair has been seen and refused.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !server
        .log("stderr.log")
        .contains("is not the key of the certificate")
    {
        assert!(
            Instant::now() < deadline,
            "the mismatched pair was not reported within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server
        .http
        .get(&url)
        .send()
        .await
        .expect("the previous certificate is still served");
    replace(&old.server_key, &renewed.server_key);

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // A new client per attempt: a new connection, a new handshake.
        if client_trusting(&renewed).get(&url).send().await.is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the renewed certificate was not served within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(server.pid(), pid, "no restart");
    assert!(
        client_trusting(&old).get(&url).send().await.is_err(),
        "new connections get the renewed certificate"
    );
    let log = server.log("stderr.log") + &server.log("stdout.log");
    assert!(
        log.contains("is not the key of the certificate"),
        "the mismatch in between is logged:\n{log}"
    );
    assert!(log.contains("loaded a new TLS certificate"), "{log}");
}

#[tokio::test]
async fn a_certificate_or_key_that_cannot_be_used_fails_the_start_naming_the_file() {
    let mut server = Server::start().await;
    server.terminate();
    let dir = server.dir.0.join("bad-tls");
    let good = TestCertificates::generate(&dir, "good");
    let other = TestCertificates::generate(&dir, "other");
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "this is not a certificate\n").unwrap();
    let missing = dir.join("missing.pem");
    let path = |p: &std::path::Path| p.display().to_string();

    let cases: [(String, String, &[&str]); 4] = [
        (
            path(&missing),
            path(&good.server_key),
            &["tls_cert_path", "missing.pem", "cannot be read"],
        ),
        (
            path(&garbage),
            path(&good.server_key),
            &["tls_cert_path", "garbage.pem", "holds no CERTIFICATE"],
        ),
        (
            path(&good.server_cert),
            path(&garbage),
            &["tls_key_path", "garbage.pem", "holds no PRIVATE KEY"],
        ),
        (
            path(&good.server_cert),
            path(&other.server_key),
            &[
                "tls_key_path",
                "other-key.pem",
                "is not the key of the certificate",
            ],
        ),
    ];
    for (cert, key, expected) in cases {
        let stderr = server.serve_fails(&[
            ("MSCOMMERCE_TLS_CERT_PATH", cert.as_str()),
            ("MSCOMMERCE_TLS_KEY_PATH", key.as_str()),
        ]);
        for part in expected {
            assert!(stderr.contains(part), "expected '{part}' in:\n{stderr}");
        }
    }
    let stderr =
        server.serve_fails(&[("MSCOMMERCE_TLS_CERT_PATH", path(&good.server_cert).as_str())]);
    assert!(
        stderr.contains("tls_key_path") && stderr.contains("is needed with tls_cert_path"),
        "{stderr}"
    );
}

#[tokio::test]
async fn plain_http_beyond_loopback_is_warned_about_naming_the_settings() {
    let dir = TempDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(binary())
        .arg("serve")
        .current_dir(&dir.0)
        .env("MSCOMMERCE_LISTEN", format!("0.0.0.0:{port}"))
        .env(
            "MSCOMMERCE_DATABASE_URL",
            format!("sqlite://{}", dir.0.join("m.db").display()),
        )
        .env("MSCOMMERCE_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("MSCOMMERCE_LOG_FORMAT", "text")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mscommerce starts");
    // The log is written to standard error.
    let stderr = child.stderr.take().unwrap();
    let lines = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let ready = line.contains("mscommerce is ready");
            seen.push(line);
            if ready {
                break;
            }
        }
        seen
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while !lines.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let lines = lines.join().unwrap().join("\n");
    assert!(
        lines.contains("plain HTTP")
            && lines.contains("tls_cert_path")
            && lines.contains("tls_key_path"),
        "{lines}"
    );
}

/// The sockets the server process holds open.
fn open_sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                .filter(|target| target.to_string_lossy().starts_with("socket:"))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn connections_shed_during_their_tls_handshake_are_closed_at_once() {
    const CAP: usize = 20;
    let server = Server::start_https_with(&[("MSCOMMERCE_MAX_CONNECTIONS", CAP.to_string())]).await;
    let address = server.base.trim_start_matches("https://").to_string();
    let before = open_sockets(server.pid());
    // Silent clients: TCP connections that never begin a handshake. Each new one makes room by shedding the
    // oldest idle one; a shed connection must close then, not when its handshake times out.
    let mut held = Vec::new();
    for _ in 0..300 {
        if let Ok(stream) = tokio::net::TcpStream::connect(&address).await {
            held.push(stream);
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = open_sockets(server.pid());
    assert!(
        during <= before + CAP + 10,
        "{during} sockets open with the cap at {CAP} ({before} before the silent clients)"
    );
    drop(held);
    // And the service still answers.
    server
        .http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("https")
        .error_for_status()
        .unwrap();
}
