//! Several replicas on one PostgreSQL database (runs when MSCOMMERCE_TEST_POSTGRES_URL is set): a write through
//! one is read through the other's cache at once, take-overs through both never oversubscribe a target, two
//! dispatchers never send one email twice, and replicas started together on an empty database bootstrap it once.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mscommerce_tests::*;
use serde_json::{json, Value};

const POWER_BI: &str = "CFQ7TTC0H9MP";
/// Replicas behind one load balancer share the public URL: it is the tokens' issuer.
const PUBLIC_URL: &str = "http://commerce.replicas.test";
/// The key-encryption key of the replicas started together (32 bytes, base64).
const SHARED_KEK: &str = "cmVwbGljYXMtc2hhcmUtb25lLWtleS1lbmNyeXB0aW8=";

fn postgres_configured() -> bool {
    let set = std::env::var(POSTGRES_ENV).is_ok_and(|v| !v.is_empty());
    if !set {
        eprintln!("{POSTGRES_ENV} is not set: the replica tests need PostgreSQL and were skipped");
    }
    set
}

#[tokio::test]
async fn a_write_through_one_replica_is_read_through_the_other() {
    if !postgres_configured() {
        return;
    }
    let first = Server::start_with(&[("MSCOMMERCE_PUBLIC_URL", PUBLIC_URL)]).await;
    let second = first.replica().await;
    let token = first.admin_token().await;
    let path = product_path(POWER_BI);
    let mut delays = Vec::new();
    for (round, value) in [
        "Disabled",
        "Enabled",
        "Disabled",
        "OnlyTrialsWithoutPaymentMethod",
        "Disabled",
    ]
    .iter()
    .enumerate()
    {
        let (writer, reader) = if round % 2 == 0 {
            (&first, &second)
        } else {
            (&second, &first)
        };
        // The reader's cache is warm: it will not go to the database on its own.
        reader.get(&path, &token).await.expect(200, None);
        let written = writer
            .put(&path, &token, json!({"policyValue": value}))
            .await;
        if *value == "OnlyTrialsWithoutPaymentMethod" {
            written.expect(400, Some("PolicyValueNotAllowed"));
            continue;
        }
        written.expect(200, None);
        let start = Instant::now();
        loop {
            if reader.get(&path, &token).await.json["policyValue"] == *value {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "the other replica never saw {value}"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        delays.push(start.elapsed());
    }
    delays.sort();
    let median = delays[delays.len() / 2];
    let worst = *delays.last().unwrap();
    eprintln!(
        "a write on one replica was read on the other after {delays:?} (median {median:?}, target 100 ms)"
    );
    // The target: within 100 ms. The median must meet it; a single round on a machine busy with other builds may
    // be slower, but never by an order of magnitude.
    assert!(
        median <= Duration::from_millis(100),
        "median propagation {median:?} (all: {delays:?})"
    );
    assert!(
        worst < Duration::from_secs(1),
        "slowest propagation {worst:?}"
    );
}

#[tokio::test]
async fn several_values_set_through_one_replica_are_all_read_through_the_other() {
    if !postgres_configured() {
        return;
    }
    let first = Server::start_with(&[("MSCOMMERCE_PUBLIC_URL", PUBLIC_URL)]).await;
    let second = first.replica().await;
    let token = first.admin_token().await;
    let products = [
        "CFQ7TTC0H9MP",
        "CFQ7TTC0HDB1",
        "CFQ7TTC0HD32",
        "CFQ7TTC0LH2H",
    ];
    // The reader's cache is warm: it will not go to the database on its own.
    for product in products {
        second
            .get(&product_path(product), &token)
            .await
            .expect(200, None);
    }
    let values: Vec<Value> = products
        .iter()
        .map(|p| json!({"productId": p, "policyValue": "Disabled"}))
        .collect();
    first
        .patch(
            &format!("/v1.0/policies/{POLICY}/products"),
            &token,
            json!({"values": values}),
        )
        .await
        .expect(200, None);
    let start = Instant::now();
    for product in products {
        while second.get(&product_path(product), &token).await.json["policyValue"] != "Disabled" {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "the other replica never saw {product} change"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    eprintln!(
        "the other replica held all {} values after {:?}",
        products.len(),
        start.elapsed()
    );
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "slow propagation: {:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn take_overs_through_both_replicas_never_oversubscribe_a_target() {
    if !postgres_configured() {
        return;
    }
    let first = Server::start_with(&[("MSCOMMERCE_PUBLIC_URL", PUBLIC_URL)]).await;
    let second = first.replica().await;
    let tenant = first.first_tenant();
    let admin = first.admin_token().await;
    let target = first
        .post(
            "/v1.0/subscriptions",
            &admin,
            json!({"productId": POWER_BI, "quantity": 10}),
        )
        .await;
    let target = target.json["id"].as_str().unwrap().to_string();
    let mut sources = Vec::new();
    for i in 0..6 {
        let (_, buyer) = first
            .member(&tenant, &format!("buyer{i}@contoso.onmicrosoft.com"))
            .await;
        let bought = first
            .post(
                "/v1.0/me/subscriptions",
                &buyer,
                json!({"productId": POWER_BI, "acquisitionKind": "Purchase", "quantity": 3}),
            )
            .await;
        let id = bought.json["id"].as_str().unwrap().to_string();
        first
            .seed_licensed_members(&tenant, &id, &format!("s{i}u"), 3)
            .await;
        sources.push(id);
    }
    let paths: Vec<String> = sources
        .iter()
        .map(|s| format!("/v1.0/subscriptions/{s}/takeOver/moveUsers"))
        .collect();
    let moves = paths.iter().enumerate().map(|(i, path)| {
        let replica = if i % 2 == 0 { &first } else { &second };
        replica.post(path, &admin, json!({"targetSubscriptionId": target}))
    });
    let answers = futures_util::future::join_all(moves).await;
    let moved = answers.iter().filter(|a| a.status.as_u16() == 200).count();
    let refused = answers
        .iter()
        .filter(|a| a.json["errorCode"] == "NotEnoughLicenses")
        .count();
    assert_eq!(
        (moved, refused),
        (3, 3),
        "{:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    let target_now = second
        .get(&format!("/v1.0/subscriptions/{target}"), &admin)
        .await;
    assert_eq!(target_now.json["assignedCount"], 9);
    assert_eq!(
        target_now.json["assignedUsers"].as_array().unwrap().len(),
        9
    );
}

#[tokio::test]
async fn two_dispatchers_never_send_one_email_twice() {
    if !postgres_configured() {
        return;
    }
    let smtp = SmtpServer::start(SmtpServer::reserve_port()).await;
    let mut env: Vec<(&str, String)> = smtp_env(smtp.port);
    env.push(("MSCOMMERCE_PUBLIC_URL", PUBLIC_URL.to_string()));
    env.push(("MSCOMMERCE_MAIL_POLL_INTERVAL_MS", "20".to_string()));
    let first = Server::start_with(&env).await;
    let second = first.replica().await;
    let tenant = first.first_tenant();
    const BUYERS: usize = 12;
    let mut tokens = Vec::new();
    for i in 0..BUYERS {
        tokens.push(
            first
                .member(&tenant, &format!("buyer{i}@contoso.onmicrosoft.com"))
                .await
                .1,
        );
    }
    // Every purchase writes one confirmation; both dispatchers race for them.
    let purchases = tokens.iter().enumerate().map(|(i, token)| {
        let replica = if i % 2 == 0 { &first } else { &second };
        replica.post(
            "/v1.0/me/subscriptions",
            token,
            json!({"productId": POWER_BI, "acquisitionKind": "Purchase"}),
        )
    });
    for answer in futures_util::future::join_all(purchases).await {
        answer.expect(201, None);
    }
    smtp.wait_for(BUYERS, 30).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = smtp.messages();
    let mut ids: Vec<&str> = messages
        .iter()
        .filter_map(|m| header_of(m, "Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        (messages.len(), ids.len()),
        (BUYERS, BUYERS),
        "each confirmation exactly once"
    );
    let delivered_by = |s: &Server| {
        s.log("stderr.log")
            .matches("notification delivered")
            .count()
    };
    eprintln!(
        "delivered by the first replica: {}, by the second: {}",
        delivered_by(&first),
        delivered_by(&second)
    );
    assert_eq!(delivered_by(&first) + delivered_by(&second), BUYERS);
}

#[tokio::test]
async fn a_replica_that_lost_its_notifications_is_not_left_stale() {
    if !postgres_configured() {
        return;
    }
    let first = Server::start_with(&[("MSCOMMERCE_PUBLIC_URL", PUBLIC_URL)]).await;
    let second = first.replica().await;
    let token = first.admin_token().await;
    let path = product_path(POWER_BI);
    second.get(&path, &token).await.expect(200, None);
    // Cut every replica's notification connection, then write while they reconnect: the notice is lost.
    let pool = first.db().await;
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(cut.len(), 2, "each replica listens on one connection");
    first
        .put(&path, &token, json!({"policyValue": "Disabled"}))
        .await
        .expect(200, None);
    let start = Instant::now();
    while second.get(&path, &token).await.json["policyValue"] != "Disabled" {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the replica kept a stale value"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!(
        "after a lost connection, the replica was current again in {:?}",
        start.elapsed()
    );
}

/// A `mscommerce serve` started by hand: the harness starts one server, then its replicas one after the other,
/// and this test needs several starting at the same moment.
struct Process {
    child: Child,
    dir: TempDir,
    base: String,
}

impl Process {
    fn spawn(database_url: &str) -> Process {
        let dir = TempDir::new();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let log = |name: &str| std::fs::File::create(dir.0.join(name)).expect("log file");
        let child = Command::new(binary())
            .current_dir(&dir.0)
            .arg("serve")
            .env("MSCOMMERCE_DATABASE_URL", database_url)
            .env("MSCOMMERCE_LISTEN", format!("127.0.0.1:{port}"))
            .env("MSCOMMERCE_PUBLIC_URL", PUBLIC_URL)
            .env("MSCOMMERCE_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
            // Replicas must share the key-encryption key; each runs in a folder of its own.
            .env("MSCOMMERCE_SIGNING_KEY_ENCRYPTION_KEY", SHARED_KEK)
            .env("MSCOMMERCE_LOG_LEVEL", "info")
            .env_remove("RUST_LOG")
            .stdout(Stdio::from(log("stdout.log")))
            .stderr(Stdio::from(log("stderr.log")))
            .spawn()
            .expect("mscommerce starts");
        Process {
            child,
            dir,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.0.join(name)).unwrap_or_default()
    }

    async fn wait_ready(&mut self, http: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                panic!("mscommerce exited ({status}):\n{}", self.log("stderr.log"));
            }
            if let Ok(r) = http.get(format!("{}/readyz", self.base)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "not ready:\n{}",
                self.log("stderr.log")
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn replicas_started_together_on_an_empty_database_share_one_tenant_and_one_key() {
    if !postgres_configured() {
        return;
    }
    let admin_url = postgres::admin_url().expect("configured");
    let database = postgres::TestDatabase::create(&admin_url).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    binary(); // built before the race, not during it
    let mut replicas: Vec<Process> = (0..3).map(|_| Process::spawn(&database.url)).collect();
    for replica in &mut replicas {
        replica.wait_ready(&http).await;
    }
    let bootstrapped = replicas
        .iter()
        .filter(|r| r.log("stdout.log").contains("Created tenant"))
        .count();
    assert_eq!(
        bootstrapped, 1,
        "exactly one replica creates the first tenant"
    );

    let mut key_sets = Vec::new();
    for replica in &replicas {
        let jwks: Value = http
            .get(format!("{}/discovery/v2.0/keys", replica.base))
            .send()
            .await
            .expect("keys")
            .json()
            .await
            .expect("JSON");
        key_sets.push(jwks["keys"].clone());
    }
    assert_eq!(key_sets[0].as_array().map(Vec::len), Some(1), "one key");
    assert!(
        key_sets.iter().all(|k| *k == key_sets[0]),
        "every replica publishes the same key: {key_sets:?}"
    );

    // A token issued by any replica is accepted by every replica.
    let path = product_path(POWER_BI);
    for issuer in &replicas {
        let token = http
            .post(format!("{}/oauth2/v2.0/token", issuer.base))
            .form(&[
                ("grant_type", "password"),
                ("username", ADMIN_UPN),
                ("password", ADMIN_PASSWORD),
            ])
            .send()
            .await
            .expect("token request")
            .json::<Value>()
            .await
            .expect("JSON")["access_token"]
            .as_str()
            .expect("a token")
            .to_string();
        for reader in &replicas {
            let status = http
                .get(format!("{}{path}", reader.base))
                .bearer_auth(&token)
                .send()
                .await
                .expect("request")
                .status();
            assert_eq!(status.as_u16(), 200, "{} -> {}", issuer.base, reader.base);
        }
    }
    drop(replicas); // before the database
}
