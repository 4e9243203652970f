//! Subscriptions over time: the service renews purchases, converts trials with a payment method, and moves the
//! others through Expired, Disabled and Deleted as their term and grace periods end, by itself, each step audited
//! and told to the purchaser. Terms are moved into the past in the database; the round runs every second.

use chrono::{Duration, SecondsFormat, Utc};
use mscommerce_tests::*;
use serde_json::{json, Value};

const POWER_BI: &str = "CFQ7TTC0H9MP";
/// Offers a trial without a payment method.
const PLANNER: &str = "CFQ7TTC0HDB1";

/// Moves the end of the subscription's term to `ago` in the past.
async fn end_term(server: &Server, id: &str, ago: Duration) {
    let at = (Utc::now() - ago).to_rfc3339_opts(SecondsFormat::Millis, true);
    sqlx::query(&format!(
        "UPDATE subscriptions SET expires_at = '{at}' WHERE id = '{id}'"
    ))
    .execute(&server.db().await)
    .await
    .expect("term moved");
}

/// Waits up to 20 s for the subscription to satisfy `done`; answers it.
async fn wait_for(server: &Server, token: &str, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        last = server
            .get(&format!("/v1.0/subscriptions/{id}"), token)
            .await
            .json;
        if done(&last) {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the subscription did not change as expected: {last}");
}

async fn buy(server: &Server, token: &str, product: &str, kind: &str) -> Value {
    let bought = server
        .post(
            "/v1.0/me/subscriptions",
            token,
            json!({"productId": product, "acquisitionKind": kind, "quantity": 2}),
        )
        .await;
    bought.expect(201, None);
    bought.json
}

fn lifecycle_events(events: &Value, id: &str) -> Vec<(String, String)> {
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["targetId"] == id && e["actorType"] == "System")
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_string(),
                e["newValue"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_purchase_renews_when_its_term_ends() {
    let server = Server::start_with(&[("MSCOMMERCE_LIFECYCLE_INTERVAL_SECONDS", "1")]).await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (_, ann) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    let bought = buy(&server, &ann, POWER_BI, "Purchase").await;
    let id = bought["id"].as_str().unwrap();

    end_term(&server, id, Duration::hours(1)).await;
    let renewed = wait_for(&server, &ann, id, |s| s["etag"] != bought["etag"]).await;
    assert_eq!(renewed["status"], "Active");
    let new_end =
        chrono::DateTime::parse_from_rfc3339(renewed["expiresAt"].as_str().unwrap()).unwrap();
    assert!(
        new_end > Utc::now() + Duration::days(25),
        "a month from the old end: {new_end}"
    );

    let events = server.get("/v1.0/auditLogs/events", &admin).await.json;
    let steps = lifecycle_events(&events, id);
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!(steps[0].0, "SubscriptionRenewed");
    assert!(steps[0].1.starts_with("Purchase until "), "{steps:?}");
    let mail = server.wait_for_emails("was renewed", 1).await;
    assert!(mail[0].contains(id) && mail[0].contains("ann@contoso.onmicrosoft.com"));
}

#[tokio::test]
async fn a_free_trial_expires_then_is_disabled_then_deleted() {
    let server = Server::start_with(&[("MSCOMMERCE_LIFECYCLE_INTERVAL_SECONDS", "1")]).await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (_, ann) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    let (user, _) = server.member(&tenant, "u0@contoso.onmicrosoft.com").await;
    let trial = buy(&server, &ann, PLANNER, "TrialWithoutPaymentMethod").await;
    let id = trial["id"].as_str().unwrap().to_string();
    server
        .post(
            &format!("/v1.0/subscriptions/{id}/assignUsers"),
            &ann,
            json!({"userIds": [user]}),
        )
        .await
        .expect(200, None);
    // Not due yet: nothing happens.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let running = server
        .get(&format!("/v1.0/subscriptions/{id}"), &ann)
        .await
        .json;
    assert_eq!(
        (
            running["status"].as_str(),
            running["assignedCount"].as_i64()
        ),
        (Some("Active"), Some(1))
    );

    // The trial ends: Expired, and its user keeps the license for the grace period.
    end_term(&server, &id, Duration::hours(1)).await;
    let expired = wait_for(&server, &ann, &id, |s| s["status"] == "Expired").await;
    assert_eq!(expired["assignedCount"], 1);
    let holders = |answer: Value| -> usize {
        answer["purchasers"].as_array().map_or(0, |groups| {
            groups
                .iter()
                .map(|g| g["users"].as_array().map_or(0, Vec::len))
                .sum()
        })
    };
    let licensed = server
        .get(&format!("/v1.0/licenses/products/{PLANNER}"), &admin)
        .await;
    assert_eq!(
        holders(licensed.json.clone()),
        1,
        "listed while it holds its license: {}",
        licensed.json
    );
    server.wait_for_emails("has expired", 1).await;

    // The grace period (30 days) ends: Disabled, the license is gone.
    end_term(&server, &id, Duration::days(31)).await;
    let disabled = wait_for(&server, &ann, &id, |s| s["status"] == "Disabled").await;
    assert_eq!(disabled["assignedCount"], 0);
    assert_eq!(disabled["assignedUsers"], json!([]));
    let licensed = server
        .get(&format!("/v1.0/licenses/products/{PLANNER}"), &admin)
        .await;
    assert_eq!(holders(licensed.json.clone()), 0, "{}", licensed.json);
    server.wait_for_emails("is disabled", 1).await;

    // Ninety days later: Deleted.
    end_term(&server, &id, Duration::days(121)).await;
    wait_for(&server, &ann, &id, |s| s["status"] == "Deleted").await;
    server.wait_for_emails("was deleted", 1).await;

    let events = server.get("/v1.0/auditLogs/events", &admin).await.json;
    let steps: Vec<String> = lifecycle_events(&events, &id)
        .into_iter()
        .map(|(action, new)| format!("{action} {new}"))
        .collect();
    assert_eq!(steps.len(), 3, "{steps:?}");
    for status in ["Expired", "Disabled", "Deleted"] {
        assert!(
            steps.contains(&format!("SubscriptionStatusChanged {status}")),
            "{steps:?}"
        );
    }
}

#[tokio::test]
async fn a_purchase_whose_renewal_is_turned_off_expires_instead() {
    let server = Server::start_with(&[("MSCOMMERCE_LIFECYCLE_INTERVAL_SECONDS", "1")]).await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (_, ann) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    let (_, bob) = server.member(&tenant, "bob@contoso.onmicrosoft.com").await;
    let bought = buy(&server, &ann, POWER_BI, "Purchase").await;
    let id = bought["id"].as_str().unwrap();
    let path = format!("/v1.0/subscriptions/{id}");

    server
        .patch(&path, &ann, json!({}))
        .await
        .expect(400, Some("InvalidRequestBody"));
    server
        .patch(&path, &bob, json!({"autoRenew": false}))
        .await
        .expect(404, Some("SubscriptionNotFound"));
    // Quantity and renewal in one change: both audited, one new version.
    let changed = server
        .patch(&path, &ann, json!({"quantity": 3, "autoRenew": false}))
        .await;
    changed.expect(200, None);
    assert_eq!(
        (
            changed.json["quantity"].as_i64(),
            changed.json["autoRenew"].as_bool()
        ),
        (Some(3), Some(false))
    );
    // The same again changes nothing.
    let again = server.patch(&path, &ann, json!({"autoRenew": false})).await;
    assert_eq!(again.json["etag"], changed.json["etag"]);
    let events = server.get("/v1.0/auditLogs/events", &admin).await.json;
    let actions: Vec<(&str, &str)> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["targetId"] == id)
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["newValue"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        actions.contains(&("AutoRenewChanged", "Off")),
        "{actions:?}"
    );
    assert!(actions.contains(&("QuantityChanged", "3")), "{actions:?}");

    // Its term ends: not renewed, Expired.
    end_term(&server, id, Duration::hours(1)).await;
    wait_for(&server, &ann, id, |s| s["status"] == "Expired").await;
    server.wait_for_emails("has expired", 1).await;
    assert!(server.emails().iter().all(|m| !m.contains("was renewed")));

    // A trial without a payment method cannot be made to renew.
    let trial = buy(&server, &ann, PLANNER, "TrialWithoutPaymentMethod").await;
    server
        .patch(
            &format!("/v1.0/subscriptions/{}", trial["id"].as_str().unwrap()),
            &ann,
            json!({"autoRenew": true}),
        )
        .await
        .expect(400, Some("RenewalNotOffered"));
}
