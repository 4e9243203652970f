//! The audit trail: an entry for every change, none for a no-op, newest first, paged, correlated.

use mscommerce_tests::*;
use serde_json::{json, Value};

#[tokio::test]
async fn every_change_is_audited_with_actor_values_and_correlation_id() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let token = server.admin_token().await;
    let admin_oid = claims_of(&token)["oid"].as_str().unwrap().to_string();
    let (client_id, secret) = server.create_app(
        &tenant,
        "Baseline job",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );
    let app_token = server.app_token(&client_id, &secret).await;

    let response = server
        .http
        .put(format!("{}{}", server.base, product_path("CFQ7TTC0L3PB")))
        .bearer_auth(&token)
        .header("x-ms-correlation-id", "job-42")
        .json(&json!({"policyValue": "Disabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["x-ms-correlation-id"],
        "job-42",
        "the caller's id is echoed"
    );
    // The same value again is no change: answered, not audited.
    server
        .put(
            &product_path("CFQ7TTC0H9MP"),
            &token,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    server
        .put(
            &offer_type_path("SaaS"),
            &app_token,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    server
        .put(
            &product_path("CFQ7TTC0H9MP"),
            &app_token,
            json!({"policyValue": "Enabled"}),
        )
        .await
        .expect(200, None);

    let log = server.get("/v1.0/auditLogs/policyChanges", &token).await;
    log.expect(200, None);
    let items = log.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "three changes, one no-op: {}", log.text);
    let summary: Vec<(Value, Value, Value, Value, Value)> = items
        .iter()
        .map(|i| {
            (
                i["targetId"].clone(),
                i["oldValue"].clone(),
                i["newValue"].clone(),
                i["actorType"].clone(),
                i["actorName"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                json!("CFQ7TTC0H9MP"),
                json!("Disabled"),
                json!("Enabled"),
                json!("App"),
                json!("Baseline job")
            ),
            (
                json!("SaaS"),
                json!("Enabled"),
                json!("Disabled"),
                json!("App"),
                json!("Baseline job")
            ),
            (
                json!("CFQ7TTC0H9MP"),
                json!("Enabled"),
                json!("Disabled"),
                json!("User"),
                json!(ADMIN_UPN)
            ),
        ],
        "newest first"
    );
    let first = &items[2];
    assert_eq!(first["correlationId"], "job-42");
    assert_eq!(first["actorId"], admin_oid.as_str());
    assert_eq!(first["targetName"], "Power BI Pro");
    assert_eq!(first["scope"], "product");
    assert_eq!(items[1]["scope"], "OfferType");
    assert!(first["changedAt"].as_str().unwrap().ends_with('Z'));
    assert!(log.json.get("nextLink").is_none());
    // A generated correlation id is a GUID and is recorded too.
    assert_eq!(items[0]["correlationId"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn the_log_pages_with_next_link() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    for product in [
        "CFQ7TTC0LH2H",
        "CFQ7TTC0LH3L",
        "CFQ7TTC0LSGZ",
        "CFQ7TTC0H6RP",
        "CFQ7TTC0H9MP",
    ] {
        server
            .put(
                &product_path(product),
                &token,
                json!({"policyValue": "Disabled"}),
            )
            .await
            .expect(200, None);
    }
    let mut seen = Vec::new();
    let mut next = Some(format!(
        "{}/v1.0/auditLogs/policyChanges?top=2",
        server.base
    ));
    let mut pages = 0;
    while let Some(url) = next {
        let page: Value = server
            .http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["targetId"].as_str().unwrap().to_string());
        }
        next = page["nextLink"].as_str().map(str::to_string);
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "CFQ7TTC0H9MP",
            "CFQ7TTC0H6RP",
            "CFQ7TTC0LSGZ",
            "CFQ7TTC0LH3L",
            "CFQ7TTC0LH2H"
        ]
    );
}

#[tokio::test]
async fn admin_commands_are_audited_but_not_listed_as_policy_changes() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    server.create_user(
        &tenant,
        "reader@contoso.onmicrosoft.com",
        &[roles::GLOBAL_READER],
    );
    let token = server.admin_token().await;
    let log = server.get("/v1.0/auditLogs/policyChanges", &token).await;
    assert_eq!(log.json["items"], json!([]));
    // The user creation is in the audit table all the same.
    let pool = server.db().await;
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_events ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(actions, ["TenantCreated", "UserCreated", "UserCreated"]);
}
