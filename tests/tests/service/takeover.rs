//! Taking over self-service subscriptions: move users (all or nothing, never oversubscribing), cancel, and the
//! purchaser's email, delivered at least once through a real SMTP server even when it or the service fails.

use mscommerce_tests::*;
use serde_json::{json, Value};

const POWER_BI: &str = "CFQ7TTC0H9MP";

struct Shop {
    tenant: String,
    admin: String,
    ann: String,
}

async fn shop(server: &Server) -> Shop {
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (_, ann) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    Shop { tenant, admin, ann }
}

/// A self-service subscription bought by `token` with `users` fresh members assigned; answers its ID.
async fn self_service_with_users(
    server: &Server,
    shop: &Shop,
    token: &str,
    prefix: &str,
    users: usize,
) -> String {
    let bought = server
        .post(
            "/v1.0/me/subscriptions",
            token,
            json!({"productId": POWER_BI, "acquisitionKind": "Purchase", "quantity": users.max(1)}),
        )
        .await;
    bought.expect(201, None);
    let id = bought.json["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for i in 0..users {
        ids.push(
            server
                .member(
                    &shop.tenant,
                    &format!("{prefix}{i}@contoso.onmicrosoft.com"),
                )
                .await
                .0,
        );
    }
    if !ids.is_empty() {
        server
            .post(
                &format!("/v1.0/subscriptions/{id}/assignUsers"),
                token,
                json!({"userIds": ids}),
            )
            .await
            .expect(200, None);
    }
    id
}

async fn central(server: &Server, shop: &Shop, quantity: i64) -> String {
    let answer = server
        .post(
            "/v1.0/subscriptions",
            &shop.admin,
            json!({"productId": POWER_BI, "quantity": quantity}),
        )
        .await;
    answer.expect(201, None);
    answer.json["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn moving_users_takes_the_subscription_over_and_tells_the_purchaser() {
    let server = Server::start().await;
    let shop = shop(&server).await;
    let source = self_service_with_users(&server, &shop, &shop.ann, "u", 3).await;
    let target = central(&server, &shop, 10).await;
    let moved = server
        .post(
            &format!("/v1.0/subscriptions/{source}/takeOver/moveUsers"),
            &shop.admin,
            json!({"targetSubscriptionId": target}),
        )
        .await;
    moved.expect(200, None);
    assert_eq!(moved.json["status"], "Move completed");
    assert_eq!(moved.json["movedUsers"], 3);
    assert_eq!(
        (
            moved.json["source"]["status"].as_str(),
            moved.json["source"]["assignedCount"].as_i64()
        ),
        (Some("Deleted"), Some(0))
    );
    assert_eq!(
        moved.json["source"]["cancellationReason"],
        "MovingToCentralLicenses"
    );
    let target_now = server
        .get(&format!("/v1.0/subscriptions/{target}"), &shop.admin)
        .await;
    let holders: Vec<&str> = target_now.json["assignedUsers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert_eq!(
        holders,
        [
            "u0@contoso.onmicrosoft.com",
            "u1@contoso.onmicrosoft.com",
            "u2@contoso.onmicrosoft.com"
        ]
    );
    // Now an admin's: the users can be managed centrally.
    let u0 = target_now.json["assignedUsers"][0]["id"].as_str().unwrap();
    server
        .post(
            &format!("/v1.0/subscriptions/{target}/unassignUsers"),
            &shop.admin,
            json!({"userIds": [u0]}),
        )
        .await
        .expect(200, None);

    let mail = server
        .wait_for_emails("was cancelled by your admin", 1)
        .await;
    let message = &mail[0];
    for fact in [
        "To: ann@contoso.onmicrosoft.com",
        "Power BI Pro",
        &source,
        ADMIN_UPN,
        "MovingToCentralLicenses",
        "Message-ID: <",
    ] {
        assert!(
            message.contains(fact),
            "the email states {fact}:\n{message}"
        );
    }
    assert!(message.contains("text/plain") && message.contains("text/html"));
    let events = server.get("/v1.0/auditLogs/events", &shop.admin).await;
    let actions: Vec<&str> = events.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"UsersMoved") && actions.contains(&"SubscriptionCancelled"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn without_enough_licenses_nothing_moves() {
    let server = Server::start().await;
    let shop = shop(&server).await;
    let source = self_service_with_users(&server, &shop, &shop.ann, "u", 3).await;
    let target = central(&server, &shop, 2).await;
    let before = (
        server
            .get(&format!("/v1.0/subscriptions/{source}"), &shop.admin)
            .await
            .json,
        server
            .get(&format!("/v1.0/subscriptions/{target}"), &shop.admin)
            .await
            .json,
    );
    let refused = server
        .post(
            &format!("/v1.0/subscriptions/{source}/takeOver/moveUsers"),
            &shop.admin,
            json!({"targetSubscriptionId": target}),
        )
        .await;
    refused.expect(409, Some("NotEnoughLicenses"));
    assert!(
        refused.json["reason"]
            .as_str()
            .unwrap()
            .contains("1 more licenses are needed"),
        "{}",
        refused.text
    );
    let after = (
        server
            .get(&format!("/v1.0/subscriptions/{source}"), &shop.admin)
            .await
            .json,
        server
            .get(&format!("/v1.0/subscriptions/{target}"), &shop.admin)
            .await
            .json,
    );
    assert_eq!(before, after, "nothing changed");
    let pool = server.db().await;
    let mail: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'SubscriptionTakenOver'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(mail, 0, "no email for a move that did not happen");

    // Other refusals.
    let (_, bob) = server
        .member(&shop.tenant, "bob@contoso.onmicrosoft.com")
        .await;
    let bobs = self_service_with_users(&server, &shop, &bob, "b", 0).await;
    let path = format!("/v1.0/subscriptions/{source}/takeOver/moveUsers");
    server
        .post(&path, &shop.admin, json!({"targetSubscriptionId": bobs}))
        .await
        .expect(409, Some("TargetNotCentral"));
    server
        .post(&path, &shop.ann, json!({"targetSubscriptionId": target}))
        .await
        .expect(403, Some("Forbidden"));
    server
        .post(&path, &shop.admin, json!({"targetSubscriptionId": "nope"}))
        .await
        .expect(400, Some("InvalidTargetSubscription"));
    server
        .post(
            &format!("/v1.0/subscriptions/{target}/takeOver/moveUsers"),
            &shop.admin,
            json!({"targetSubscriptionId": target}),
        )
        .await
        .expect(409, Some("NotSelfService"));
}

#[tokio::test]
async fn concurrent_moves_into_one_target_never_oversubscribe_it() {
    let server = Server::start().await;
    let shop = shop(&server).await;
    let target = central(&server, &shop, 10).await;
    let mut sources = Vec::new();
    for i in 0..5 {
        let (_, buyer) = server
            .member(&shop.tenant, &format!("buyer{i}@contoso.onmicrosoft.com"))
            .await;
        sources.push(self_service_with_users(&server, &shop, &buyer, &format!("s{i}u"), 3).await);
    }
    let paths: Vec<String> = sources
        .iter()
        .map(|s| format!("/v1.0/subscriptions/{s}/takeOver/moveUsers"))
        .collect();
    let moves = paths
        .iter()
        .map(|path| server.post(path, &shop.admin, json!({"targetSubscriptionId": target})));
    let answers = futures_util::future::join_all(moves).await;
    let succeeded = answers.iter().filter(|a| a.status.as_u16() == 200).count();
    let refused = answers
        .iter()
        .filter(|a| a.status.as_u16() == 409 && a.json["errorCode"] == "NotEnoughLicenses")
        .count();
    assert_eq!(
        (succeeded, refused),
        (3, 2),
        "3 x 3 users fit in 10 licenses, a fourth move does not"
    );
    let target_now = server
        .get(&format!("/v1.0/subscriptions/{target}"), &shop.admin)
        .await;
    assert_eq!(target_now.json["assignedCount"], 9);
    assert_eq!(
        target_now.json["assignedUsers"].as_array().unwrap().len(),
        9
    );
    let statuses: Vec<Value> = {
        let mut s = Vec::new();
        for source in &sources {
            s.push(
                server
                    .get(&format!("/v1.0/subscriptions/{source}"), &shop.admin)
                    .await
                    .json["status"]
                    .clone(),
            );
        }
        s
    };
    assert_eq!(statuses.iter().filter(|s| *s == "Deleted").count(), 3);
    assert_eq!(
        statuses.iter().filter(|s| *s == "Active").count(),
        2,
        "refused moves left their sources alone"
    );
}

#[tokio::test]
async fn an_admin_cancel_needs_confirmation_and_removes_every_license() {
    let server = Server::start().await;
    let shop = shop(&server).await;
    let source = self_service_with_users(&server, &shop, &shop.ann, "u", 4).await;
    let path = format!("/v1.0/subscriptions/{source}/takeOver/cancel");
    server
        .post(
            &path,
            &shop.admin,
            json!({"reason": "SecurityOrCompliance"}),
        )
        .await
        .expect(400, Some("ConfirmationRequired"));
    server
        .post(
            &path,
            &shop.admin,
            json!({"reason": "Whim", "confirm": true}),
        )
        .await
        .expect(400, Some("InvalidCancellationReason"));
    // With If-Match, only the version the admin read is cancelled: a changed subscription is left alone.
    let read = server
        .get(&format!("/v1.0/subscriptions/{source}"), &shop.admin)
        .await;
    let version: i64 = read.json["etag"]
        .as_str()
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap();
    for (if_match, status) in [
        (format!("\"{}\"", version + 1), 412),
        // A well-formed ETag this service never issued matches nothing: 412 (RFC 9110 section 13.1.1).
        ("\"x\"".to_string(), 412),
    ] {
        let refused = server
            .http
            .post(format!("{}{path}", server.base))
            .bearer_auth(&shop.admin)
            .header("if-match", &if_match)
            .json(&json!({"reason": "SecurityOrCompliance", "confirm": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), status, "If-Match {if_match}");
    }
    let unchanged = server
        .get(&format!("/v1.0/subscriptions/{source}"), &shop.admin)
        .await;
    assert_eq!(
        (
            unchanged.json["status"].as_str(),
            unchanged.json["assignedCount"].as_i64()
        ),
        (Some("Active"), Some(4))
    );
    let cancelled = server
        .post(&path, &shop.admin, json!({"reason": "SecurityOrCompliance", "comment": "Unapproved data processor", "confirm": true}))
        .await;
    cancelled.expect(200, None);
    assert_eq!(
        (
            cancelled.json["status"].as_str(),
            cancelled.json["assignedCount"].as_i64()
        ),
        (Some("Deleted"), Some(0))
    );
    assert_eq!(
        cancelled.json["cancellationComment"],
        "Unapproved data processor"
    );
    let detail = server
        .get(&format!("/v1.0/subscriptions/{source}"), &shop.admin)
        .await;
    assert_eq!(
        detail.json["assignedUsers"],
        json!([]),
        "licensed users lose access at once"
    );
    let mail = server
        .wait_for_emails("was cancelled by your admin", 1)
        .await;
    assert!(mail[0].contains("SecurityOrCompliance") && mail[0].contains(&source));
    server
        .post(
            &path,
            &shop.admin,
            json!({"reason": "SecurityOrCompliance", "confirm": true}),
        )
        .await
        .expect(409, Some("SubscriptionNotActive"));
}

/// A move of 10,000 users is one transaction; the time it took is printed.
#[tokio::test]
async fn ten_thousand_users_move_at_once() {
    const USERS: i64 = 10_000;
    let server = Server::start().await;
    let shop = shop(&server).await;
    let source = self_service_with_users(&server, &shop, &shop.ann, "u", 0).await;
    let target = central(&server, &shop, USERS).await;
    server
        .seed_licensed_members(&shop.tenant, &source, "bulk", USERS)
        .await;
    let started = std::time::Instant::now();
    let moved = server
        .post(
            &format!("/v1.0/subscriptions/{source}/takeOver/moveUsers"),
            &shop.admin,
            json!({"targetSubscriptionId": target}),
        )
        .await;
    eprintln!("moved {USERS} users in {:?}", started.elapsed());
    moved.expect(200, None);
    assert_eq!(moved.json["movedUsers"], USERS);
    assert_eq!(moved.json["target"]["assignedCount"], USERS);
}

#[tokio::test]
async fn the_purchasers_email_reaches_a_real_smtp_server() {
    let smtp = SmtpServer::start(SmtpServer::reserve_port()).await;
    let server = Server::start_with(&smtp_env(smtp.port)).await;
    let shop = shop(&server).await;
    let source = self_service_with_users(&server, &shop, &shop.ann, "u", 1).await;
    server
        .post(
            &format!("/v1.0/subscriptions/{source}/takeOver/cancel"),
            &shop.admin,
            json!({"reason": "DuplicatePurchase", "confirm": true}),
        )
        .await
        .expect(200, None);
    // The purchase confirmation and the cancellation.
    let messages = smtp.wait_for(2, 30).await;
    let cancellation = messages
        .iter()
        .find(|m| m.contains("was cancelled by your admin"))
        .expect("the cancellation");
    assert_eq!(
        header_of(cancellation, "To"),
        Some("ann@contoso.onmicrosoft.com")
    );
    assert!(cancellation.contains("DuplicatePurchase") && cancellation.contains(&source));
    assert!(messages
        .iter()
        .any(|m| header_of(m, "Subject") == Some("Your purchase of Power BI Pro")));
}

#[tokio::test]
async fn mail_waits_for_a_down_smtp_server_and_arrives_exactly_once() {
    let port = SmtpServer::reserve_port();
    let server = Server::start_with(&smtp_env(port)).await;
    let shop = shop(&server).await;
    for i in 0..3 {
        let (_, buyer) = server
            .member(&shop.tenant, &format!("buyer{i}@contoso.onmicrosoft.com"))
            .await;
        server
            .post(
                "/v1.0/me/subscriptions",
                &buyer,
                json!({"productId": POWER_BI, "acquisitionKind": "Purchase"}),
            )
            .await
            .expect(201, None);
    }
    // The SMTP server is down for a while: deliveries fail and are retried.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let pool = server.db().await;
    let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts > 0 AND last_error IS NOT NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        failed, 3,
        "every message was tried and failed while the server was down"
    );
    let smtp = SmtpServer::start(port).await;
    let messages = smtp.wait_for(3, 30).await;
    // Give any duplicate time to arrive, then count.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let messages_after = smtp.messages();
    assert_eq!(messages_after.len(), 3, "each message exactly once");
    let mut ids: Vec<&str> = messages
        .iter()
        .filter_map(|m| header_of(m, "Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three distinct, stable Message-IDs");
    let mut stored: Vec<String> = sqlx::query_scalar("SELECT message_id FROM outbox")
        .fetch_all(&pool)
        .await
        .unwrap();
    stored.sort();
    assert_eq!(
        ids,
        stored.iter().map(String::as_str).collect::<Vec<_>>(),
        "the Message-ID is the one written with the change"
    );
}

#[tokio::test]
async fn mail_committed_before_a_crash_is_delivered_after_restart() {
    let port = SmtpServer::reserve_port();
    // Nothing listens yet: the message is committed but cannot be sent. The kill may land while a delivery
    // attempt holds a message's lease: the restarted process sends it once the (shortest) lease has passed.
    let mut env = smtp_env(port);
    env.push(("MSCOMMERCE_MAIL_LEASE_SECONDS", "16".into()));
    let mut server = Server::start_with(&env).await;
    let shop = shop(&server).await;
    let source = self_service_with_users(&server, &shop, &shop.ann, "u", 0).await;
    server
        .post(
            &format!("/v1.0/subscriptions/{source}/takeOver/cancel"),
            &shop.admin,
            json!({"reason": "NoLongerNeeded", "confirm": true}),
        )
        .await
        .expect(200, None);
    server.kill();
    let smtp = SmtpServer::start(port).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(
        smtp.messages().is_empty(),
        "the killed process sent nothing"
    );
    server.restart().await;
    let messages = smtp.wait_for(2, 45).await;
    assert!(messages
        .iter()
        .any(|m| m.contains("was cancelled by your admin") && m.contains(&source)));
}
