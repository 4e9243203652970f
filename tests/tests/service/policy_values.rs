//! Several policy values set together (`PATCH /v1.0/policies/{policyId}/products`): all or none, one transaction,
//! one correlation id, every bad entry named, only for those who may write.

use std::time::Instant;

use mscommerce_tests::*;
use serde_json::{json, Value};

const POWER_BI: &str = "CFQ7TTC0H9MP";
/// Offers trials without a payment method, so every value is allowed.
const PLANNER: &str = "CFQ7TTC0HDB1";
const VISIO: &str = "CFQ7TTC0HD32";

fn values_path() -> String {
    format!("/v1.0/policies/{POLICY}/products")
}

async fn value_of(server: &Server, token: &str, product: &str) -> Value {
    let read = server.get(&product_path(product), token).await;
    read.expect(200, None);
    read.json["policyValue"].clone()
}

async fn policy_changes(server: &Server, token: &str) -> Vec<Value> {
    let page = server
        .get("/v1.0/auditLogs/policyChanges?top=100", token)
        .await;
    page.expect(200, None);
    page.json["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn several_values_are_set_together_and_audited_with_one_correlation_id() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    server
        .put(
            &product_path(VISIO),
            &token,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let before = policy_changes(&server, &token).await.len();

    let response = server
        .http
        .patch(format!("{}{}", server.base, values_path()))
        .bearer_auth(&token)
        .header("x-ms-correlation-id", "baseline-7")
        .json(&json!({"values": [
            {"productId": POWER_BI, "policyValue": "disabled"},
            {"productId": PLANNER, "policyValue": "OnlyTrialsWithoutPaymentMethod"},
            {"productId": VISIO, "policyValue": "Disabled"},
            {"offerType": "saas", "policyValue": "Disabled"},
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["correlationId"], "baseline-7");
    let summary = |list: &Value| -> Vec<(String, String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["id"].as_str().unwrap().to_string(),
                    v["previousValue"].as_str().unwrap().to_string(),
                    v["policyValue"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let pair = |id: &str, old: &str, new: &str| (id.to_string(), old.to_string(), new.to_string());
    assert_eq!(
        summary(&answer["changed"]),
        vec![
            pair(POWER_BI, "Enabled", "Disabled"),
            pair(PLANNER, "Enabled", "OnlyTrialsWithoutPaymentMethod"),
            pair("SaaS", "Enabled", "Disabled"),
        ],
        "{answer}"
    );
    assert_eq!(
        summary(&answer["unchanged"]),
        vec![pair(VISIO, "Disabled", "Disabled")]
    );
    let changed_etag = answer["changed"][0]["etag"].clone();
    assert!(
        answer["changed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["etag"] == changed_etag),
        "one revision for the whole change: {answer}"
    );
    assert_ne!(answer["unchanged"][0]["etag"], changed_etag);

    assert_eq!(value_of(&server, &token, POWER_BI).await, "Disabled");
    assert_eq!(
        value_of(&server, &token, PLANNER).await,
        "OnlyTrialsWithoutPaymentMethod"
    );
    let saas = server.get(&offer_type_path("SaaS"), &token).await;
    assert_eq!(saas.json["policyValue"], "Disabled");
    assert_eq!(
        Some(changed_etag.as_str().unwrap()),
        server
            .get(&product_path(POWER_BI), &token)
            .await
            .header("etag"),
        "the answer's ETag is the one a read gives"
    );

    let events = policy_changes(&server, &token).await;
    assert_eq!(
        events.len(),
        before + 3,
        "one event per changed value, none for the unchanged"
    );
    let of_change: Vec<&Value> = events
        .iter()
        .filter(|e| e["correlationId"] == "baseline-7")
        .collect();
    assert_eq!(
        of_change.len(),
        3,
        "every event of the change carries its correlation id"
    );
    let mut targets: Vec<&str> = of_change
        .iter()
        .map(|e| e["targetId"].as_str().unwrap())
        .collect();
    targets.sort();
    assert_eq!(targets, vec![POWER_BI, PLANNER, "SaaS"]);

    // The same request again changes nothing and writes no event.
    let again = server
        .patch(
            &values_path(),
            &token,
            json!({"values": [{"productId": POWER_BI, "policyValue": "Disabled"}]}),
        )
        .await;
    again.expect(200, None);
    assert_eq!(again.json["changed"], json!([]));
    assert_eq!(policy_changes(&server, &token).await.len(), before + 3);
}

#[tokio::test]
async fn one_bad_entry_refuses_the_whole_request_and_names_every_bad_entry() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let before = policy_changes(&server, &token).await.len();
    let refused = server
        .patch(
            &values_path(),
            &token,
            json!({"values": [
                {"productId": POWER_BI, "policyValue": "Disabled"},
                {"productId": "NOSUCHPRODUCT", "policyValue": "Disabled"},
                {"productId": VISIO, "policyValue": "OnlyTrialsWithoutPaymentMethod"},
                {"offerType": "SaaS", "policyValue": "Off"},
                {"productId": POWER_BI, "policyValue": "Enabled"},
            ]}),
        )
        .await;
    refused.expect(400, Some("InvalidPolicyValues"));
    let reason = refused.json["reason"].as_str().unwrap();
    for named in [
        "values[1]: no product has the ID 'NOSUCHPRODUCT'",
        "values[2]: Product",
        "values[3]: 'Off' is not a policy value",
        "values[4]: product 'CFQ7TTC0H9MP' is already set by entry 0",
        "4 of 5 values",
    ] {
        assert!(reason.contains(named), "'{named}' missing from: {reason}");
    }
    assert!(
        !reason.contains("values[0]"),
        "a good entry is not named: {reason}"
    );
    assert_eq!(
        value_of(&server, &token, POWER_BI).await,
        "Enabled",
        "nothing was written"
    );
    assert_eq!(
        policy_changes(&server, &token).await.len(),
        before,
        "nothing was audited"
    );

    for (body, code) in [
        (json!({"values": []}), "InvalidPolicyValues"),
        (
            json!({"values": [{"policyValue": "Disabled"}]}),
            "InvalidPolicyValues",
        ),
        (
            json!({"values": [{"productId": POWER_BI}]}),
            "InvalidRequestBody",
        ),
        (
            json!({"value": [{"productId": POWER_BI, "policyValue": "Disabled"}]}),
            "InvalidRequestBody",
        ),
    ] {
        let answer = server.patch(&values_path(), &token, body.clone()).await;
        assert_eq!(answer.status, 400, "{body}: {:?}", answer.json);
        assert_eq!(answer.json["errorCode"], code, "{body}: {:?}", answer.json);
    }
    server
        .patch(
            "/v1.0/policies/AllowSomethingElse/products",
            &token,
            json!({"values": [{"productId": POWER_BI, "policyValue": "Disabled"}]}),
        )
        .await
        .expect(404, Some("PolicyNotFound"));
}

#[tokio::test]
async fn a_stale_etag_of_one_value_writes_none_and_header_preconditions_are_refused() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let read = server.get(&product_path(POWER_BI), &token).await;
    let etag = read.header("etag").unwrap().to_string();
    server
        .put(
            &product_path(VISIO),
            &token,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let stale = server
        .patch(
            &values_path(),
            &token,
            json!({"values": [
                {"productId": POWER_BI, "policyValue": "Disabled", "ifMatch": etag},
                {"productId": VISIO, "policyValue": "Enabled", "ifMatch": "\"0\""},
            ]}),
        )
        .await;
    stale.expect(412, Some("PreconditionFailed"));
    let reason = stale.json["reason"].as_str().unwrap();
    assert!(
        reason.contains(VISIO) && !reason.contains(POWER_BI),
        "{reason}"
    );
    assert_eq!(value_of(&server, &token, POWER_BI).await, "Enabled");
    assert_eq!(value_of(&server, &token, VISIO).await, "Disabled");

    let current = server
        .patch(
            &values_path(),
            &token,
            json!({"values": [{"productId": POWER_BI, "policyValue": "Disabled", "ifMatch": etag}]}),
        )
        .await;
    current.expect(200, None);

    let with_header = server
        .http
        .patch(format!("{}{}", server.base, values_path()))
        .bearer_auth(&token)
        .header("If-Match", "*")
        .json(&json!({"values": [{"productId": POWER_BI, "policyValue": "Enabled"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(with_header.status(), 400);
    let body: Value = with_header.json().await.unwrap();
    assert_eq!(body["errorCode"], "PreconditionNotSupported");
    assert_eq!(value_of(&server, &token, POWER_BI).await, "Disabled");
}

#[tokio::test]
async fn only_those_who_may_write_a_value_may_set_several() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let body = json!({"values": [{"productId": POWER_BI, "policyValue": "Disabled"}]});
    let reader = server.create_user(
        &tenant,
        "reader@contoso.onmicrosoft.com",
        &[roles::GLOBAL_READER],
    );
    let reader = server.user_token(&reader, USER_PASSWORD).await;
    server
        .patch(&values_path(), &reader, body.clone())
        .await
        .expect(403, None);
    let (client_id, secret) = server.create_app(
        &tenant,
        "Reporting",
        &["Policy.Read.AllowSelfServicePurchase"],
    );
    let read_app = server.app_token(&client_id, &secret).await;
    server
        .patch(&values_path(), &read_app, body.clone())
        .await
        .expect(403, None);
    assert_eq!(value_of(&server, &admin, POWER_BI).await, "Enabled");

    let billing = server.create_user(
        &tenant,
        "billing@contoso.onmicrosoft.com",
        &[roles::BILLING_ADMINISTRATOR],
    );
    let billing = server.user_token(&billing, USER_PASSWORD).await;
    server
        .patch(&values_path(), &billing, body.clone())
        .await
        .expect(200, None);
    let (client_id, secret) = server.create_app(
        &tenant,
        "Baseline job",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );
    let write_app = server.app_token(&client_id, &secret).await;
    let back = json!({"values": [{"productId": POWER_BI, "policyValue": "Enabled"}]});
    server
        .patch(&format!("/v1/policies/{POLICY}/products"), &write_app, back)
        .await
        .expect(200, None);
    assert_eq!(value_of(&server, &admin, POWER_BI).await, "Enabled");
}

/// A baseline of every product as one request against one PUT per product, through the real server on its
/// database. Run with `cargo test -p mscommerce-tests --test service --release -- --ignored --nocapture
/// baseline_as_one_request`; the figures are in docs/PERFORMANCE.md.
#[tokio::test]
#[ignore = "a measurement: prints figures"]
async fn baseline_as_one_request_against_one_put_per_product() {
    let server = Server::start().await;
    let token = server.admin_token().await;
    let list = server.get(&values_path(), &token).await;
    let products: Vec<String> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["productId"].as_str().unwrap().to_string())
        .collect();
    let rounds = 10;
    let mut singles = Vec::new();
    let mut together = Vec::new();
    for round in 0..rounds {
        // Every round changes every value, so that each write is a real one.
        let value = if round % 2 == 0 {
            "Disabled"
        } else {
            "Enabled"
        };
        let start = Instant::now();
        for product in &products {
            server
                .put(
                    &product_path(product),
                    &token,
                    json!({"policyValue": value}),
                )
                .await
                .expect(200, None);
        }
        singles.push(start.elapsed());
        let value = if round % 2 == 0 {
            "Enabled"
        } else {
            "Disabled"
        };
        let values: Vec<Value> = products
            .iter()
            .map(|p| json!({"productId": p, "policyValue": value}))
            .collect();
        let start = Instant::now();
        let answer = server
            .patch(&values_path(), &token, json!({"values": values}))
            .await;
        together.push(start.elapsed());
        answer.expect(200, None);
        assert_eq!(
            answer.json["changed"].as_array().unwrap().len(),
            products.len()
        );
    }
    singles.sort();
    together.sort();
    let median = |d: &[std::time::Duration]| d[d.len() / 2];
    eprintln!(
        "{} products on {}: {} single PUTs took {:?} (median of {rounds}; fastest {:?}), one PATCH {:?} \
         (fastest {:?}): {:.1}x",
        products.len(),
        if server.is_postgres() { "PostgreSQL" } else { "SQLite" },
        products.len(),
        median(&singles),
        singles[0],
        median(&together),
        together[0],
        median(&singles).as_secs_f64() / median(&together).as_secs_f64()
    );
}
