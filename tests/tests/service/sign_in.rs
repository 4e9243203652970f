//! Password guessing at the token endpoint: back-off per account and address and per address, the same answer for
//! a disabled account, the rules for new passwords, and the size limit of a token request.

use mscommerce_tests::*;
use serde_json::json;

const TOKEN: &str = "/oauth2/v2.0/token";
const GUESSER: &str = "203.0.113.7";
const OWNER: &str = "198.51.100.20";

fn password_form<'a>(username: &'a str, password: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("grant_type", "password"),
        ("username", username),
        ("password", password),
    ]
}

/// Seconds of the answer's `Retry-After`, which every back-off refusal must carry.
#[track_caller]
fn retry_after(answer: &Answer) -> u64 {
    answer
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After in seconds: {answer:?}"))
}

/// Sends wrong passwords (for the accounts `usernames` names, one per guess) from `address` until one is refused
/// with a `Retry-After` of at least 3 s, at most `limit` guesses, sitting out each shorter back-off (a refusal is
/// answered after up to 1 s of its wait, so only a longer one proves that the next attempt is refused too).
/// Answers that refusal and how many guesses were checked before the first refusal.
async fn guess_until_backed_off(
    server: &Server,
    address: &str,
    usernames: &dyn Fn(usize) -> String,
    limit: usize,
) -> (Answer, usize) {
    let mut first_refusal = None;
    for attempt in 0..limit {
        let username = usernames(attempt);
        let answer = server
            .token_request_from(
                address,
                TOKEN,
                &password_form(&username, "Wrong-guess-0000"),
            )
            .await;
        if answer.header("retry-after").is_some() {
            let checked = *first_refusal.get_or_insert(attempt);
            let seconds = retry_after(&answer);
            if seconds >= 3 {
                return (answer, checked);
            }
            tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
            continue;
        }
        assert_eq!(answer.status.as_u16(), 400, "{}", answer.text);
        assert_eq!(answer.json["error"], "invalid_grant");
    }
    panic!("{limit} wrong passwords from {address} were never backed off for 3 s");
}

#[tokio::test]
async fn repeated_wrong_passwords_back_off_that_address_but_not_the_owner_elsewhere() {
    let server = Server::start_with(&[("MSCOMMERCE_TRUST_FORWARDED_FOR", "true")]).await;
    let (refusal, answered) =
        guess_until_backed_off(&server, GUESSER, &|_| ADMIN_UPN.to_string(), 20).await;
    assert!(answered >= 3, "a few mistakes are free: {answered}");
    assert_eq!(refusal.status.as_u16(), 429, "{}", refusal.text);
    assert_eq!(refusal.json["error"], "invalid_grant");
    assert!(retry_after(&refusal) >= 1);
    assert!(refusal.json["error_description"]
        .as_str()
        .unwrap()
        .contains("Retry-After"));

    // While backed off, even the right password is refused from that address, before it is checked.
    let right_from_guesser = server
        .token_request_from(GUESSER, TOKEN, &password_form(ADMIN_UPN, ADMIN_PASSWORD))
        .await;
    assert_eq!(right_from_guesser.status.as_u16(), 429);
    assert!(retry_after(&right_from_guesser) >= 1);
    assert!(right_from_guesser.json.get("access_token").is_none());

    // The owner, elsewhere, is not locked out by the guesser.
    let owner = server
        .token_request_from(OWNER, TOKEN, &password_form(ADMIN_UPN, ADMIN_PASSWORD))
        .await;
    assert_eq!(owner.status.as_u16(), 200, "{}", owner.text);
    assert!(owner.json["access_token"].is_string());

    // An app's secret is guarded the same way, in the app's error.
    let tenant = server.first_tenant();
    let (client_id, _) =
        server.create_app(&tenant, "Robot", &["Policy.Read.AllowSelfServicePurchase"]);
    let mut refused = None;
    for _ in 0..10 {
        let answer = server
            .token_request_from(
                GUESSER,
                TOKEN,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &client_id),
                    ("client_secret", "wrong-secret"),
                ],
            )
            .await;
        assert_eq!(answer.json["error"], "invalid_client", "{}", answer.text);
        if answer.header("retry-after").is_some() {
            refused = Some(answer);
            break;
        }
        assert_eq!(answer.status.as_u16(), 401);
    }
    let refused = refused.expect("wrong client secrets back off");
    assert_eq!(refused.status.as_u16(), 429);
}

#[tokio::test]
async fn an_address_guessing_many_accounts_is_backed_off_for_all_of_them() {
    let server = Server::start_with(&[("MSCOMMERCE_TRUST_FORWARDED_FOR", "true")]).await;
    let sprayer = "192.0.2.33";
    let (refusal, answered) = guess_until_backed_off(
        &server,
        sprayer,
        &|n| format!("user{n}@contoso.onmicrosoft.com"),
        80,
    )
    .await;
    assert!(
        answered >= 10,
        "an office behind one address may mistype: {answered}"
    );
    assert_eq!(refusal.status.as_u16(), 429, "{}", refusal.text);
    let right = server
        .token_request_from(sprayer, TOKEN, &password_form(ADMIN_UPN, ADMIN_PASSWORD))
        .await;
    assert_eq!(right.status.as_u16(), 429, "{}", right.text);
    server
        .token_request_from(OWNER, TOKEN, &password_form(ADMIN_UPN, ADMIN_PASSWORD))
        .await
        .expect(200, None);
}

#[tokio::test]
async fn forwarded_addresses_are_not_believed_unless_configured() {
    let server = Server::start().await;
    let (refusal, _) =
        guess_until_backed_off(&server, GUESSER, &|_| ADMIN_UPN.to_string(), 20).await;
    assert_eq!(refusal.status.as_u16(), 429);
    // The header claims another address, but nothing says a proxy wrote it: the guesser's back-off holds.
    let claimed = server
        .token_request_from(OWNER, TOKEN, &password_form(ADMIN_UPN, ADMIN_PASSWORD))
        .await;
    assert_eq!(claimed.status.as_u16(), 429, "{}", claimed.text);
}

#[tokio::test]
async fn a_disabled_accounts_right_password_is_answered_as_a_wrong_one() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let (id, _) = server
        .member(&tenant, "leaver@contoso.onmicrosoft.com")
        .await;
    let admin = server.admin_token().await;
    server
        .patch(
            &format!("/v1.0/users/{id}"),
            &admin,
            json!({"accountEnabled": false}),
        )
        .await
        .expect(200, None);
    let right = server
        .token_request(
            TOKEN,
            &password_form("leaver@contoso.onmicrosoft.com", USER_PASSWORD),
        )
        .await;
    let wrong = server
        .token_request(
            TOKEN,
            &password_form("leaver@contoso.onmicrosoft.com", "Not-the-password-1"),
        )
        .await;
    assert_eq!(right.status, wrong.status);
    assert_eq!(right.json, wrong.json);
    assert_eq!(right.status.as_u16(), 400);
    assert_eq!(right.json["error"], "invalid_grant");
}

#[tokio::test]
async fn weak_new_passwords_are_refused_with_the_rule_they_break() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    // "qwerty123456" is on the list of common passwords; the list is compared without regard to case.
    for (password, says) in [
        ("Tr0ub4dor&3x", ""),
        ("Tr0ub4dor&3", "12 characters"),
        ("Qwerty123456", "common"),
    ] {
        let created = server
            .post(
                "/v1.0/users",
                &admin,
                json!({"userPrincipalName": format!("new{}@contoso.onmicrosoft.com", password.len()),
                       "displayName": "New", "password": password}),
            )
            .await;
        if says.is_empty() {
            created.expect(201, None);
            continue;
        }
        created.expect(400, Some("WeakPassword"));
        let reason = created.json["reason"].as_str().unwrap();
        assert!(reason.contains(says), "{password}: {reason}");
    }
    let (id, _) = server
        .member(&tenant, "changer@contoso.onmicrosoft.com")
        .await;
    for (password, says) in [("Tr0ub4dor&3", "12 characters"), ("QWERTY123456", "common")] {
        let changed = server
            .patch(
                &format!("/v1.0/users/{id}"),
                &admin,
                json!({"password": password}),
            )
            .await;
        changed.expect(400, Some("WeakPassword"));
        let reason = changed.json["reason"].as_str().unwrap();
        assert!(reason.contains(says), "{password}: {reason}");
    }
    // The refused change changed nothing: the old password still signs in.
    server
        .user_token("changer@contoso.onmicrosoft.com", USER_PASSWORD)
        .await;
    // The admin command line applies the same rule.
    let output = std::process::Command::new(binary())
        .args([
            "user",
            "create",
            "--tenant",
            &tenant,
            "--upn",
            "cli@contoso.onmicrosoft.com",
        ])
        .args(["--display-name", "Cli"])
        .env("MSCOMMERCE_DATABASE_URL", server.database_url())
        .env("MSCOMMERCE_NEW_USER_PASSWORD", "password")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("12 characters"), "{stderr}");
}

#[tokio::test]
async fn a_weak_bootstrap_password_stops_the_start() {
    let dir = TempDir::new();
    let mut child = std::process::Command::new(binary())
        .arg("serve")
        .env(
            "MSCOMMERCE_DATABASE_URL",
            format!("sqlite://{}/db.sqlite", dir.0.display()),
        )
        .env("MSCOMMERCE_LISTEN", "127.0.0.1:0")
        .env("MSCOMMERCE_MAIL_FOLDER", dir.0.join("mail"))
        .env("MSCOMMERCE_BOOTSTRAP_ADMIN_PASSWORD", "Password1234")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A service that starts with the password would run until stopped: give it 20 s to refuse.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the service started with a common bootstrap password");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("bootstrap_admin_password") && stderr.contains("common"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_token_request_over_the_body_limit_is_413_naming_the_limit() {
    let server = Server::start().await;
    let padding = "x".repeat(100_000);
    let answer = server
        .token_request(
            TOKEN,
            &[
                ("grant_type", "password"),
                ("username", ADMIN_UPN),
                ("password", ADMIN_PASSWORD),
                ("padding", &padding),
            ],
        )
        .await;
    assert_eq!(answer.status.as_u16(), 413, "{}", answer.text);
    assert_eq!(answer.json["error"], "invalid_request");
    let description = answer.json["error_description"].as_str().unwrap();
    assert!(
        description.contains("body_limit_bytes") && description.contains("65536"),
        "{description}"
    );
}

/// The address and the account of the `n`-th guess of a client.
type Target = fn(usize, usize) -> (String, String);

/// What one flood of wrong passwords did: answers by kind, and `/healthz` latencies meanwhile.
struct Flood {
    seconds: f64,
    checked: u64,
    backed_off: u64,
    busy: u64,
    other: u64,
    healthz_ms: Vec<f64>,
}

/// `/healthz` one request after another for `duration`; latencies in ms, sorted.
async fn healthz_latencies(server: &Server, duration: std::time::Duration) -> Vec<f64> {
    let client = reqwest::Client::new();
    let url = format!("{}/healthz", server.base);
    let end = std::time::Instant::now() + duration;
    let mut latencies = Vec::new();
    while std::time::Instant::now() < end {
        let begun = std::time::Instant::now();
        let status = client.get(&url).send().await.unwrap().status();
        latencies.push(begun.elapsed().as_secs_f64() * 1000.0);
        assert!(status.is_success());
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    latencies.sort_by(f64::total_cmp);
    latencies
}

/// `clients` concurrent clients send wrong passwords for `duration`; `target(client, n)` names the address and the
/// account of each guess.
async fn flood(
    server: &Server,
    clients: usize,
    duration: std::time::Duration,
    target: Target,
) -> Flood {
    let counts = std::sync::Arc::new(std::sync::Mutex::new([0u64; 4]));
    let begun = std::time::Instant::now();
    let end = begun + duration;
    let mut tasks = Vec::new();
    for client in 0..clients {
        let counts = counts.clone();
        let url = format!("{}{TOKEN}", server.base);
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut n = 0;
            while std::time::Instant::now() < end {
                let (address, username) = target(client, n);
                n += 1;
                let answer = http
                    .post(&url)
                    .header("x-forwarded-for", address)
                    .form(&password_form(&username, "Wrong-guess-0000"))
                    .send()
                    .await;
                let kind = match answer.map(|a| a.status().as_u16()) {
                    Ok(400) => 0,
                    Ok(429) => 1,
                    Ok(503) => 2,
                    _ => 3,
                };
                counts.lock().unwrap()[kind] += 1;
            }
        }));
    }
    let healthz_ms = healthz_latencies(server, duration).await;
    for task in tasks {
        task.await.unwrap();
    }
    let [checked, backed_off, busy, other] = *counts.lock().unwrap();
    Flood {
        seconds: begun.elapsed().as_secs_f64(),
        checked,
        backed_off,
        busy,
        other,
        healthz_ms,
    }
}

fn median_and_max(sorted: &[f64]) -> (f64, f64) {
    (sorted[sorted.len() / 2], sorted[sorted.len() - 1])
}

/// The figures of a sign-in flood: wrong guesses answered per second, and `/healthz` latency during the flood
/// against idle. `cargo test -p mscommerce-tests --test service sign_in::flood -- --ignored --nocapture`
/// (`MSCOMMERCE_BIN=...` measures another build).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement, not a check: run it with --ignored --nocapture"]
async fn flood_of_wrong_passwords_figures() {
    let server = Server::start_with(&[("MSCOMMERCE_TRUST_FORWARDED_FOR", "true")]).await;
    let seconds = std::time::Duration::from_secs(10);
    let idle = healthz_latencies(&server, std::time::Duration::from_secs(5)).await;
    let (median, max) = median_and_max(&idle);
    println!(
        "idle: /healthz median {median:.1} ms, max {max:.1} ms; peak memory {} MB",
        server.peak_memory_kib() / 1024
    );
    let scenarios: [(&str, Target); 3] = [
        ("one address, one account", |_, _| {
            (GUESSER.to_string(), ADMIN_UPN.to_string())
        }),
        ("an address per guess, one account", |client, n| {
            (
                format!("10.{}.{}.{}", client, n / 250 % 250, n % 250),
                ADMIN_UPN.to_string(),
            )
        }),
        ("an address and an account per guess", |client, n| {
            (
                format!("10.{}.{}.{}", client, n / 250 % 250, n % 250),
                format!("user{client}-{n}@contoso.onmicrosoft.com"),
            )
        }),
    ];
    for (name, target) in scenarios {
        let figures = flood(&server, 64, seconds, target).await;
        let (median, max) = median_and_max(&figures.healthz_ms);
        println!(
            "{name}, 64 clients, {:.0} s: {:.1} wrong guesses checked/s, {:.1} backed off (429)/s, {:.1} busy \
             (503)/s, {} other; /healthz median {median:.1} ms, max {max:.1} ms",
            figures.seconds,
            figures.checked as f64 / figures.seconds,
            figures.backed_off as f64 / figures.seconds,
            figures.busy as f64 / figures.seconds,
            figures.other,
        );
        let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
        let threads = status
            .lines()
            .find(|l| l.starts_with("Threads:"))
            .unwrap_or("");
        println!(
            "  then: peak memory {} MB, {threads}",
            server.peak_memory_kib() / 1024
        );
    }
    println!(
        "peak memory of the service: {} MB",
        server.peak_memory_kib() / 1024
    );
}
