//! Health, readiness, metrics, the OpenAPI contract, configuration errors, admin commands.

use std::path::Path;

use mscommerce_tests::*;
use serde_json::Value;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    server.get("/v1.0/policies", &token).await.expect(200, None);
    server
        .call(reqwest::Method::GET, "/v1.0/policies", None, None)
        .await
        .expect(401, Some("TokenMissing"));
    // Requests are labelled by the route's template, whatever their path's values, and by none when unrouted.
    for product in ["CFQ7TTC0LH2H", "cfq7ttc0lh3l"] {
        server
            .get(
                &format!("/v1/policies/AllowSelfServicePurchase/products/{product}"),
                &token,
            )
            .await
            .expect(200, None);
    }
    server
        .get("/v1.0/nowhere/at/all", &token)
        .await
        .expect(404, Some("RouteNotFound"));
    let health = server
        .call(reqwest::Method::GET, "/healthz", None, None)
        .await;
    health.expect(200, None);
    assert_eq!(health.json["status"], "ok");
    let ready = server
        .call(reqwest::Method::GET, "/readyz", None, None)
        .await;
    assert_eq!(ready.json["status"], "ready");
    let metrics = server
        .call(reqwest::Method::GET, "/metrics", None, None)
        .await;
    metrics.expect(200, None);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = &metrics.text;
    assert!(text.contains("mscommerce_http_requests_total{route=\"/v1.0/policies\",method=\"GET\",status=\"200\"} 1"), "{text}");
    assert!(text.contains(
        "mscommerce_http_requests_total{route=\"/v1.0/policies\",method=\"GET\",status=\"401\"} 1"
    ));
    assert!(text.contains(
        "mscommerce_http_request_duration_seconds_count{route=\"/v1.0/policies\",method=\"GET\"} 2"
    ));
    assert!(text.contains(
        "mscommerce_http_requests_total{route=\"/v1/policies/{policyId}/products/{productId}\",method=\"GET\",status=\"200\"} 2"
    ), "{text}");
    assert!(
        text.contains(
            "mscommerce_http_requests_total{route=\"(no route)\",method=\"GET\",status=\"404\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("mscommerce_cache_entries{cache=\"tokens\"} 1"),
        "{text}"
    );
    assert!(text.contains("mscommerce_cache_capacity{cache=\"policies\"} "));
}

#[tokio::test]
async fn every_answer_carries_a_correlation_id() {
    let server = Server::start().await;
    for path in ["/healthz", "/nowhere", "/v1.0/policies"] {
        let answer = server.call(reqwest::Method::GET, path, None, None).await;
        let id = answer
            .header("x-ms-correlation-id")
            .expect("a correlation id");
        assert!(
            uuid::Uuid::parse_str(id).is_ok(),
            "{path}: generated ids are GUIDs"
        );
    }
    // An id that is not safe to echo is replaced.
    let answer = server
        .http
        .get(format!("{}/healthz", server.base))
        .header("x-ms-correlation-id", "x".repeat(200))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-ms-correlation-id"].len(), 36);
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let server = Server::start().await;
    let served = server
        .call(reqwest::Method::GET, "/openapi.json", None, None)
        .await;
    served.expect(200, None);
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let committed = std::fs::read_to_string(&committed_path).expect("docs/openapi.json exists");
    assert!(
        served.text == committed,
        "docs/openapi.json is out of date: run `cargo run -q --bin mscommerce -- openapi > docs/openapi.json`"
    );
    let doc: Value = serde_json::from_str(&committed).unwrap();
    for path in [
        "/v1.0/policies",
        "/v1/policies/{policyId}/products/{productId}",
        "/v1.0/policies/{policyId}/offerTypes/{offerType}",
        "/v1.0/auditLogs/policyChanges",
        "/oauth2/v2.0/token",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    assert!(doc["paths"]["/v1/policies/{policyId}/products/{productId}"]
        .get("put")
        .is_some());
}

#[test]
fn configuration_errors_name_the_setting_and_stop_the_start() {
    let dir = TempDir::new();
    for (name, value, expected) in [
        (
            "MSCOMMERCE_LISTEN",
            "localhost",
            "listen (environment MSCOMMERCE_LISTEN)",
        ),
        ("MSCOMMERCE_DATABASE_URL", "mysql://db/x", "database_url"),
        (
            "MSCOMMERCE_REQUEST_TIMEOUT_SECONDS",
            "soon",
            "request_timeout_seconds",
        ),
        ("MSCOMMERCE_LOG_FORMAT", "xml", "log_format"),
    ] {
        let output = std::process::Command::new(binary())
            .current_dir(&dir.0)
            .env(name, value)
            .arg("serve")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{name}={value}: {stderr}");
    }
    let toml = dir.0.join("bad.toml");
    std::fs::write(&toml, "listen = \"127.0.0.1:0\"\nlisten_port = 9\n").unwrap();
    let output = std::process::Command::new(binary())
        .current_dir(&dir.0)
        .args(["--config", toml.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("listen_port"),
        "unknown keys in the file are named"
    );
}

#[tokio::test]
async fn admin_commands_refuse_bad_input_clearly() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let duplicate = server.cli(&[
        "user",
        "create",
        "--tenant",
        &tenant,
        "--upn",
        ADMIN_UPN,
        "--display-name",
        "Again",
    ]);
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));
    let bad_role = server.cli(&[
        "user",
        "create",
        "--tenant",
        &tenant,
        "--upn",
        "x@y.test",
        "--display-name",
        "X",
        "--role",
        "Owner",
    ]);
    assert!(String::from_utf8_lossy(&bad_role.stderr)
        .contains("GlobalAdministrator, BillingAdministrator"));
    let no_tenant = server.cli(&[
        "user",
        "create",
        "--tenant",
        &uuid::Uuid::new_v4().to_string(),
        "--upn",
        "x@y.test",
        "--display-name",
        "X",
    ]);
    assert!(String::from_utf8_lossy(&no_tenant.stderr).contains("no tenant"));
    let bad_permission = server.cli(&[
        "app",
        "create",
        "--tenant",
        &tenant,
        "--name",
        "A",
        "--permission",
        "Directory.ReadWrite.All",
    ]);
    assert!(String::from_utf8_lossy(&bad_permission.stderr)
        .contains("Policy.Read.AllowSelfServicePurchase"));
}

#[tokio::test]
async fn backup_copies_the_database_while_it_serves() {
    let server = Server::start().await;
    if server.is_postgres() {
        let refused = server.cli(&["backup", "--to", "/tmp/never.db"]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("pg_dump"));
        return;
    }
    let token = server.admin_token().await;
    server
        .put(
            &product_path("CFQ7TTC0MM8R"),
            &token,
            serde_json::json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let copy = server.dir.0.join("copy.db");
    server.cli_ok(&["backup", "--to", copy.to_str().unwrap()]);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    let value: String =
        sqlx::query_scalar("SELECT value FROM policy_values WHERE target_id = 'CFQ7TTC0MM8R'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(value, "Disabled");
    let again = server.cli(&["backup", "--to", copy.to_str().unwrap()]);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
        .unwrap_or_else(|| panic!("{name} not in /metrics"))
}

#[tokio::test]
async fn warm_reads_make_no_database_round_trip() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (_, member) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    let warm_up = [
        product_path("CFQ7TTC0H9MP"),
        "/v1.0/acquisitionDecisions?productId=CFQ7TTC0H9MP&kind=Purchase".to_string(),
    ];
    for path in &warm_up {
        server.get(path, &member).await;
        server.get(path, &admin).await;
    }
    let metrics = |s: &Server| {
        let s = s.http.get(format!("{}/metrics", s.base));
        async move { s.send().await.unwrap().text().await.unwrap() }
    };
    let before = metrics(&server).await;
    for _ in 0..50 {
        server
            .get(&product_path("CFQ7TTC0L3PB"), &admin)
            .await
            .expect(200, None);
        server
            .get(&format!("/v1.0/policies/{POLICY}/products"), &admin)
            .await
            .expect(200, None);
        server
            .get(&offer_type_path("SaaS"), &admin)
            .await
            .expect(200, None);
        server
            .get(
                "/v1.0/acquisitionDecisions?productId=CFQ7TTC0HDB1&kind=TrialWithoutPaymentMethod",
                &member,
            )
            .await
            .expect(200, None);
    }
    // A write keeps the cache current without a reload.
    server
        .put(
            &product_path("CFQ7TTC0H9MP"),
            &admin,
            serde_json::json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    assert_eq!(
        server.get(&product_path("CFQ7TTC0H9MP"), &admin).await.json["policyValue"],
        "Disabled"
    );
    let after = metrics(&server).await;
    for name in [
        "mscommerce_cache_misses_total{cache=\"policies\"}",
        "mscommerce_cache_misses_total{cache=\"users\"}",
        "mscommerce_cache_misses_total{cache=\"tokens\"}",
    ] {
        assert_eq!(
            metric(&before, name),
            metric(&after, name),
            "{name}: 200 warm reads and a write loaded nothing"
        );
    }
    assert!(
        metric(&after, "mscommerce_cache_misses_total{cache=\"policies\"}") >= 1.0,
        "the first read did load"
    );
}

#[tokio::test]
async fn sigterm_stops_the_service_gracefully() {
    let mut server = Server::start().await;
    let token = server.admin_token().await;
    server.get("/v1.0/policies", &token).await.expect(200, None);
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
    let log = server.log("stderr.log");
    assert!(
        log.contains("shutting down") && log.contains("mscommerce stopped"),
        "{log}"
    );
}

#[tokio::test]
async fn a_fault_of_ours_is_a_500_without_internals_and_logged_in_full() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    // Break the database under the running service.
    let pool = server.db().await;
    sqlx::query("DROP TABLE audit_events")
        .execute(&pool)
        .await
        .unwrap();
    let response = server
        .http
        .put(format!("{}{}", server.base, product_path("CFQ7TTC0H9MP")))
        .bearer_auth(&token)
        .header("x-ms-correlation-id", "fault-1")
        .json(&serde_json::json!({"policyValue": "Disabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorCode"], "InternalError");
    let reason = body["reason"].as_str().unwrap();
    assert!(
        !reason.contains("audit_events") && !reason.to_lowercase().contains("sql"),
        "no internals: {reason}"
    );
    let log = server.log("stderr.log");
    let line = log
        .lines()
        .find(|l| l.contains("fault-1") && l.contains("audit_events"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains("ERROR"), "{line}");
    // The change was rolled back with its missing audit event: nothing half-written.
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM policy_values")
        .fetch_optional(&pool)
        .await
        .unwrap();
    assert_eq!(value, None);
}

#[tokio::test]
async fn logs_are_json_on_request_and_carry_the_correlation_id() {
    let server = Server::start_with(&[
        ("MSCOMMERCE_LOG_FORMAT", "json"),
        ("MSCOMMERCE_LOG_LEVEL", "debug"),
    ])
    .await;
    let response = server
        .http
        .get(format!("{}/v1.0/policies", server.base))
        .header("x-ms-correlation-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = server.log("stderr.log");
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty());
    let finished = lines
        .iter()
        .find(|l| l.to_string().contains("trace-me-42") && l["message"] == "request finished")
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(finished["http.status"], 401);
    assert!(!log.contains("Bearer "), "no token in the logs");
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_stopped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = Server::start_with(&[("MSCOMMERCE_REQUEST_TIMEOUT_SECONDS", "1")]).await;
    let token = server.admin_token().await;
    let address = server.base.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
    // Headers promise a body that never comes.
    let head = format!(
        "PUT {} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{",
        product_path("CFQ7TTC0H9MP")
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), socket.read(&mut answer))
        .await
        .expect("answered within the limit, not left hanging")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..read]);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("RequestTimeout"), "{text}");
}

#[tokio::test]
async fn readiness_follows_the_database() {
    let server = Server::start().await;
    if !server.is_postgres() {
        eprintln!("a SQLite file cannot be taken away from a running process: this test runs on PostgreSQL");
        return;
    }
    let name = server
        .database_url()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    // Connections are refused and cut from another database of the same PostgreSQL server.
    let other = server
        .database_url()
        .replace(&format!("/{name}"), "/postgres");
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&other).await.unwrap();
    let set_connections =
        |allowed: bool| format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS {allowed}");
    sqlx::query(&set_connections(false))
        .execute(&admin)
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&admin)
        .await
        .unwrap();
    let down = server
        .call(reqwest::Method::GET, "/readyz", None, None)
        .await;
    down.expect(503, Some("NotReady"));
    server
        .call(reqwest::Method::GET, "/healthz", None, None)
        .await
        .expect(200, None);
    sqlx::query(&set_connections(true))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server
        .call(reqwest::Method::GET, "/readyz", None, None)
        .await
        .status
        .as_u16()
        != 200
    {
        assert!(
            std::time::Instant::now() < deadline,
            "readiness never came back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[test]
fn the_admin_commands_own_variable_is_not_reported_as_unknown() {
    let dir = TempDir::new();
    let output = std::process::Command::new(binary())
        .current_dir(&dir.0)
        .env(
            "MSCOMMERCE_DATABASE_URL",
            format!("sqlite://{}", dir.0.join("x.db").display()),
        )
        .env("MSCOMMERCE_NEW_USER_PASSWORD", "Long-enough-1")
        .env("MSCOMMERCE_LISTN", "typo")
        .args(["tenant", "list"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("MSCOMMERCE_NEW_USER_PASSWORD"), "{stderr}");
    assert!(
        stderr.contains("MSCOMMERCE_LISTN"),
        "a typo is still reported: {stderr}"
    );
}

#[tokio::test]
async fn a_burst_of_first_reads_of_a_tenant_reads_it_from_the_database_once() {
    let server = Server::start_with(&[("MSCOMMERCE_POLICY_CACHE_TENANTS", "100")]).await;
    let tenant = server.create_tenant("Fabrikam");
    let upn = server.create_user(
        &tenant,
        "admin@fabrikam.onmicrosoft.com",
        &["GlobalAdministrator"],
    );
    let token = server.user_token(&upn, USER_PASSWORD).await;
    let metrics = || {
        let request = server.http.get(format!("{}/metrics", server.base));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let before = metrics().await;
    // The bound configured, as the cache holds it: 100 split over 32 shards, rounded up to whole shards.
    assert_eq!(
        metric(&before, "mscommerce_cache_capacity{cache=\"policies\"}"),
        128.0
    );
    let loads = "mscommerce_cache_misses_total{cache=\"policies\"}";
    let path = product_path("CFQ7TTC0H9MP");
    let burst = (0..40).map(|_| server.get(&path, &token));
    for answer in futures_util::future::join_all(burst).await {
        answer.expect(200, None);
    }
    let after = metrics().await;
    assert_eq!(
        metric(&after, loads),
        metric(&before, loads) + 1.0,
        "40 concurrent first reads of Fabrikam's values made one database read"
    );
}
