//! Subscriptions and licenses: purchaser management, seat limits, the admin-cannot-assign rule, central
//! subscriptions, the per-product view, the CSV export.

use futures_util::StreamExt;
use mscommerce_tests::*;
use serde_json::{json, Value};

const POWER_BI: &str = "CFQ7TTC0H9MP";

async fn buy(server: &Server, token: &str, product: &str, quantity: i64) -> Value {
    let answer = server
        .post(
            "/v1.0/me/subscriptions",
            token,
            json!({"productId": product, "acquisitionKind": "Purchase", "quantity": quantity}),
        )
        .await;
    answer.expect(201, None);
    answer.json
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn purchasers_manage_their_licenses_within_the_seats() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let (_, ann) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    let (bob_id, _) = server.member(&tenant, "bob@contoso.onmicrosoft.com").await;
    let (cy_id, _) = server.member(&tenant, "cy@contoso.onmicrosoft.com").await;
    let (dee_id, _) = server.member(&tenant, "dee@contoso.onmicrosoft.com").await;
    let sub = id(&buy(&server, &ann, POWER_BI, 2).await);
    let path = |action: &str| format!("/v1.0/subscriptions/{sub}/{action}");

    let too_many = server
        .post(
            &path("assignUsers"),
            &ann,
            json!({"userIds": [bob_id, cy_id, dee_id]}),
        )
        .await;
    too_many.expect(409, Some("NotEnoughLicenses"));
    assert!(
        too_many.json["reason"]
            .as_str()
            .unwrap()
            .contains("1 more licenses are needed"),
        "{}",
        too_many.text
    );
    let read = server
        .get(&format!("/v1.0/subscriptions/{sub}"), &ann)
        .await;
    assert_eq!(read.json["assignedCount"], 0, "nothing was assigned");

    let assigned = server
        .post(
            &path("assignUsers"),
            &ann,
            json!({"userIds": [bob_id, cy_id, bob_id]}),
        )
        .await;
    assigned.expect(200, None);
    assert_eq!(assigned.json["assignedCount"], 2);
    let again = server
        .post(&path("assignUsers"), &ann, json!({"userIds": [bob_id]}))
        .await;
    again.expect(200, None);
    assert_eq!(
        again.json["assignedCount"], 2,
        "assigning a holder again changes nothing"
    );

    server
        .patch(
            &format!("/v1.0/subscriptions/{sub}"),
            &ann,
            json!({"quantity": 1}),
        )
        .await
        .expect(409, Some("QuantityBelowAssigned"));
    let grown = server
        .patch(
            &format!("/v1.0/subscriptions/{sub}"),
            &ann,
            json!({"quantity": 3}),
        )
        .await;
    grown.expect(200, None);
    assert_eq!(grown.json["quantity"], 3);

    // If-Match: a stale ETag is refused; the current one works.
    let stale = server
        .http
        .post(format!("{}{}", server.base, path("assignUsers")))
        .bearer_auth(&ann)
        .header("if-match", read.json["etag"].as_str().unwrap())
        .json(&json!({"userIds": [dee_id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 412);
    let fresh = server
        .http
        .post(format!("{}{}", server.base, path("assignUsers")))
        .bearer_auth(&ann)
        .header("if-match", grown.header("etag").unwrap())
        .json(&json!({"userIds": [dee_id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status().as_u16(), 200);

    let unassigned = server
        .post(&path("unassignUsers"), &ann, json!({"userIds": [cy_id]}))
        .await;
    unassigned.expect(200, None);
    assert_eq!(unassigned.json["assignedCount"], 2);
    let detail = server
        .get(&format!("/v1.0/subscriptions/{sub}"), &ann)
        .await;
    let holders: Vec<&str> = detail.json["assignedUsers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert_eq!(
        holders,
        ["bob@contoso.onmicrosoft.com", "dee@contoso.onmicrosoft.com"]
    );

    let twenty_one: Vec<String> = (0..21).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    server
        .post(&path("assignUsers"), &ann, json!({"userIds": twenty_one}))
        .await
        .expect(400, Some("TooManyUsers"));
    server
        .post(&path("assignUsers"), &ann, json!({"userIds": []}))
        .await
        .expect(400, Some("NoUsers"));
    server
        .post(
            &path("assignUsers"),
            &ann,
            json!({"userIds": [uuid::Uuid::new_v4().to_string()]}),
        )
        .await
        .expect(404, Some("UserNotFound"));
    server.cli_ok(&[
        "user",
        "create",
        "--tenant",
        &tenant,
        "--upn",
        "guest_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        "--display-name",
        "G",
        "--guest",
    ]);
    let guest_id = claims_of(
        &server
            .user_token(
                "guest_fabrikam.com#EXT#@contoso.onmicrosoft.com",
                USER_PASSWORD,
            )
            .await,
    )["oid"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post(&path("assignUsers"), &ann, json!({"userIds": [guest_id]}))
        .await
        .expect(409, Some("NotAMember"));

    let cancelled = server
        .post(&path("cancel"), &ann, json!({"reason": "NoLongerNeeded"}))
        .await;
    cancelled.expect(200, None);
    assert_eq!(
        (
            cancelled.json["status"].as_str(),
            cancelled.json["assignedCount"].as_i64()
        ),
        (Some("Disabled"), Some(0))
    );
    assert_eq!(cancelled.json["autoRenew"], false);
    server
        .post(&path("assignUsers"), &ann, json!({"userIds": [bob_id]}))
        .await
        .expect(409, Some("SubscriptionNotActive"));
    server
        .post(&path("cancel"), &ann, json!({"reason": "Other"}))
        .await
        .expect(400, Some("CommentRequired"));
}

#[tokio::test]
async fn admins_cannot_assign_on_a_subscription_a_user_bought() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let license_admin_upn = server.create_user(
        &tenant,
        "licenses@contoso.onmicrosoft.com",
        &[roles::LICENSE_ADMINISTRATOR],
    );
    let license_admin = server.user_token(&license_admin_upn, USER_PASSWORD).await;
    let (_, ann) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    let (bob_id, bob) = server.member(&tenant, "bob@contoso.onmicrosoft.com").await;
    let sub = id(&buy(&server, &ann, POWER_BI, 5).await);
    for token in [&admin, &license_admin] {
        for action in ["assignUsers", "unassignUsers"] {
            let refused = server
                .post(
                    &format!("/v1.0/subscriptions/{sub}/{action}"),
                    token,
                    json!({"userIds": [bob_id]}),
                )
                .await;
            refused.expect(403, Some("TakeOverRequired"));
            assert!(refused.json["reason"]
                .as_str()
                .unwrap()
                .contains("Take it over first"));
        }
    }
    server
        .patch(
            &format!("/v1.0/subscriptions/{sub}"),
            &admin,
            json!({"quantity": 9}),
        )
        .await
        .expect(403, Some("TakeOverRequired"));
    // Another member does not even see it.
    server
        .post(
            &format!("/v1.0/subscriptions/{sub}/assignUsers"),
            &bob,
            json!({"userIds": [bob_id]}),
        )
        .await
        .expect(404, Some("SubscriptionNotFound"));
    server
        .get(&format!("/v1.0/subscriptions/{sub}"), &bob)
        .await
        .expect(404, Some("SubscriptionNotFound"));
    server
        .post(
            &format!("/v1.0/subscriptions/{sub}/assignUsers"),
            &ann,
            json!({"userIds": [bob_id]}),
        )
        .await
        .expect(200, None);
}

#[tokio::test]
async fn central_subscriptions_are_bought_by_billing_admins_and_assigned_by_license_admins() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let billing = server.create_user(
        &tenant,
        "billing@contoso.onmicrosoft.com",
        &[roles::BILLING_ADMINISTRATOR],
    );
    let billing = server.user_token(&billing, USER_PASSWORD).await;
    let licenses = server.create_user(
        &tenant,
        "licenses@contoso.onmicrosoft.com",
        &[roles::LICENSE_ADMINISTRATOR],
    );
    let licenses = server.user_token(&licenses, USER_PASSWORD).await;
    server
        .put(
            &product_path(POWER_BI),
            &server.admin_token().await,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let central = server
        .post(
            "/v1.0/subscriptions",
            &billing,
            json!({"productId": POWER_BI, "quantity": 2}),
        )
        .await;
    central.expect(201, None);
    assert_eq!(
        central.json["purchaseType"], "Central",
        "the self-service policy does not bind admins"
    );
    assert!(central.json.get("purchaser").is_none());
    let sub = id(&central.json);
    server
        .post(
            "/v1.0/subscriptions",
            &licenses,
            json!({"productId": POWER_BI, "quantity": 2}),
        )
        .await
        .expect(403, Some("Forbidden"));
    let mut users = Vec::new();
    for name in ["a", "b", "c"] {
        users.push(
            server
                .member(&tenant, &format!("{name}@contoso.onmicrosoft.com"))
                .await
                .0,
        );
    }
    server
        .post(
            &format!("/v1.0/subscriptions/{sub}/assignUsers"),
            &billing,
            json!({"userIds": [users[0]]}),
        )
        .await
        .expect(403, Some("Forbidden"));
    server
        .post(
            &format!("/v1.0/subscriptions/{sub}/assignUsers"),
            &licenses,
            json!({"userIds": users}),
        )
        .await
        .expect(409, Some("NotEnoughLicenses"));
    let ok = server
        .post(
            &format!("/v1.0/subscriptions/{sub}/assignUsers"),
            &licenses,
            json!({"userIds": &users[..2]}),
        )
        .await;
    ok.expect(200, None);
    assert_eq!(ok.json["assignedCount"], 2);
}

#[tokio::test]
async fn licenses_per_product_are_summed_and_grouped_by_purchaser() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let mut expected_groups = Vec::new();
    let mut holders_of = Vec::new();
    for (purchaser, quantity, holders) in [
        ("ann", 2, vec!["u1"]),
        ("bob", 3, vec!["u2", "u3"]),
        ("cy", 5, vec!["u4", "u5", "u6"]),
    ] {
        let (_, token) = server
            .member(&tenant, &format!("{purchaser}@contoso.onmicrosoft.com"))
            .await;
        let sub = id(&buy(&server, &token, POWER_BI, quantity).await);
        let mut ids = Vec::new();
        for holder in &holders {
            ids.push(
                server
                    .member(&tenant, &format!("{holder}@contoso.onmicrosoft.com"))
                    .await
                    .0,
            );
        }
        server
            .post(
                &format!("/v1.0/subscriptions/{sub}/assignUsers"),
                &token,
                json!({"userIds": ids}),
            )
            .await
            .expect(200, None);
        expected_groups.push((
            format!("{purchaser}@contoso.onmicrosoft.com"),
            holders
                .iter()
                .map(|h| format!("{h}@contoso.onmicrosoft.com"))
                .collect::<Vec<_>>(),
        ));
        holders_of.push(sub);
    }
    // A cancelled one and a central one do not count.
    let (_, dee) = server.member(&tenant, "dee@contoso.onmicrosoft.com").await;
    let cancelled = id(&buy(&server, &dee, POWER_BI, 7).await);
    server
        .post(
            &format!("/v1.0/subscriptions/{cancelled}/cancel"),
            &dee,
            json!({"reason": "DuplicatePurchase"}),
        )
        .await
        .expect(200, None);
    server
        .post(
            "/v1.0/subscriptions",
            &admin,
            json!({"productId": POWER_BI, "quantity": 100}),
        )
        .await
        .expect(201, None);

    let list = server.get("/v1.0/licenses/products", &admin).await;
    list.expect(200, None);
    assert_eq!(
        list.json["items"],
        json!([{"productId": POWER_BI, "productName": "Power BI Pro", "scope": "product", "subscriptionCount": 3, "availableQuantity": 10, "assignedCount": 6}]),
        "listed once, quantities summed"
    );
    let detail = server
        .get("/v1.0/licenses/products/cfq7ttc0l3pb", &admin)
        .await;
    detail.expect(200, None);
    assert_eq!(detail.json["availableQuantity"], 10);
    let groups: Vec<(String, Vec<String>)> = detail.json["purchasers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["purchaser"]["userPrincipalName"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                g["users"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u["userPrincipalName"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(groups, expected_groups);

    let all = server
        .get("/v1.0/subscriptions?purchaseType=selfService&top=2", &admin)
        .await;
    assert_eq!(all.json["items"].as_array().unwrap().len(), 2);
    let next = all.json["nextLink"].as_str().expect("a next page");
    assert!(next.contains("purchaseType=selfService"));
    let rest: Value = server
        .http
        .get(next)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        rest["items"].as_array().unwrap().len(),
        2,
        "4 self-service subscriptions in all"
    );
    assert!(rest.get("nextLink").is_none());
    let central = server
        .get("/v1.0/subscriptions?purchaseType=central", &admin)
        .await;
    assert_eq!(central.json["items"].as_array().unwrap().len(), 1);
    server
        .get("/v1.0/subscriptions?purchaseType=free", &admin)
        .await
        .expect(400, Some("InvalidQueryParameter"));
}

#[tokio::test]
async fn the_export_has_exactly_the_users_of_the_chosen_subscriptions() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (_, ann) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    server.cli_ok(&[
        "user",
        "create",
        "--tenant",
        &tenant,
        "--upn",
        "comma@contoso.onmicrosoft.com",
        "--display-name",
        "Doe, Jo",
    ]);
    let comma = server
        .user_token("comma@contoso.onmicrosoft.com", USER_PASSWORD)
        .await;
    let comma_id = claims_of(&comma)["oid"].as_str().unwrap().to_string();
    let (bob_id, _) = server.member(&tenant, "bob@contoso.onmicrosoft.com").await;
    let chosen = id(&buy(&server, &ann, POWER_BI, 5).await);
    let other = id(&buy(&server, &ann, "CFQ7TTC0HD32", 5).await);
    server
        .post(
            &format!("/v1.0/subscriptions/{chosen}/assignUsers"),
            &ann,
            json!({"userIds": [bob_id, comma_id]}),
        )
        .await
        .expect(200, None);
    server
        .post(
            &format!("/v1.0/subscriptions/{other}/assignUsers"),
            &ann,
            json!({"userIds": [bob_id]}),
        )
        .await
        .expect(200, None);
    let detail = server
        .get(&format!("/v1.0/subscriptions/{chosen}"), &admin)
        .await;
    let mut rows: Vec<(String, String)> = detail.json["assignedUsers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let name = u["displayName"].as_str().unwrap();
            let name = if name.contains(',') {
                format!("\"{name}\"")
            } else {
                name.to_string()
            };
            (
                u["id"].as_str().unwrap().to_string(),
                format!(
                    "{name},{},Power BI Pro,{chosen},ann@contoso.onmicrosoft.com,{}\r\n",
                    u["userPrincipalName"].as_str().unwrap(),
                    u["assignedAt"].as_str().unwrap()
                ),
            )
        })
        .collect();
    rows.sort();
    let expected: String = std::iter::once(
        "displayName,userPrincipalName,productName,subscriptionId,purchaser,assignedAt\r\n"
            .to_string(),
    )
    .chain(rows.into_iter().map(|(_, line)| line))
    .collect();

    let response = server
        .http
        .post(format!("{}/v1.0/subscriptions/exportUsers", server.base))
        .bearer_auth(&admin)
        .json(&json!({"subscriptionIds": [chosen]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(response.text().await.unwrap(), expected);

    let everything = server
        .http
        .post(format!("{}/v1.0/subscriptions/exportUsers", server.base))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        everything.lines().count(),
        1 + 3,
        "every self-service subscription when none is chosen"
    );
    // A member with no admin role may not export the organization's license holders.
    let (_, member) = server
        .member(&tenant, "nobody@contoso.onmicrosoft.com")
        .await;
    server
        .post("/v1.0/subscriptions/exportUsers", &member, json!({}))
        .await
        .expect(403, Some("Forbidden"));
    server
        .post(
            "/v1.0/subscriptions/exportUsers",
            &admin,
            json!({"subscriptionIds": [uuid::Uuid::new_v4().to_string()]}),
        )
        .await
        .expect(404, Some("SubscriptionNotFound"));
}

/// A million rows leave in constant memory: the server's peak resident memory barely moves during the export.
#[tokio::test]
async fn a_million_row_export_streams_in_flat_memory() {
    const ROWS: i64 = 1_000_000;
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (_, ann) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    let sub = id(&buy(&server, &ann, POWER_BI, 1).await);
    // Seeded in SQL: a million members holding the subscription's licenses.
    let seeded = std::time::Instant::now();
    server
        .seed_licensed_members(&tenant, &sub, "user", ROWS)
        .await;
    eprintln!("seeded {ROWS} assignments in {:?}", seeded.elapsed());

    server
        .get("/v1.0/subscriptions", &admin)
        .await
        .expect(200, None);
    let before = server.peak_memory_kib();
    let started = std::time::Instant::now();
    let response = server
        .http
        .post(format!("{}/v1.0/subscriptions/exportUsers", server.base))
        .bearer_auth(&admin)
        .timeout(std::time::Duration::from_secs(600))
        .json(&json!({"subscriptionIds": [sub]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let mut stream = response.bytes_stream();
    let (mut lines, mut bytes) = (0u64, 0u64);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
    }
    let after = server.peak_memory_kib();
    eprintln!(
        "exported {} rows ({} MB) in {:?}; server peak memory {} MB before, {} MB after",
        lines - 1,
        bytes / 1_000_000,
        started.elapsed(),
        before / 1024,
        after / 1024
    );
    assert_eq!(lines, ROWS as u64 + 1, "a header and every row");
    assert!(
        after.saturating_sub(before) < 32 * 1024,
        "peak memory grew by {} MB exporting {} MB: not streamed",
        (after - before) / 1024,
        bytes / 1_000_000
    );
}
