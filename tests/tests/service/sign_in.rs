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

/// Sends wrong passwords for `username` from `address` until one is refused with `Retry-After`, at most `limit`
/// of them; answers that refusal and how many guesses were answered before it.
async fn guess_until_backed_off(
    server: &Server,
    address: &str,
    usernames: &dyn Fn(usize) -> String,
    limit: usize,
) -> (Answer, usize) {
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
            return (answer, attempt);
        }
        assert_eq!(answer.status.as_u16(), 400, "{}", answer.text);
        assert_eq!(answer.json["error"], "invalid_grant");
    }
    panic!("{limit} wrong passwords from {address} were all answered without a back-off");
}

#[tokio::test]
async fn repeated_wrong_passwords_back_off_that_address_but_not_the_owner_elsewhere() {
    let server = Server::start_with(&[("MSCOMMERCE_TRUST_FORWARDED_FOR", "true")]).await;
    let (refusal, answered) =
        guess_until_backed_off(&server, GUESSER, &|_| ADMIN_UPN.to_string(), 10).await;
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
        60,
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
        guess_until_backed_off(&server, GUESSER, &|_| ADMIN_UPN.to_string(), 10).await;
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
