//! Partners: a managed-service provider asks its customers for roles (delegated admin relationships), each
//! customer's Global Administrator approves them until an end date, and the partner's users and apps then sign in
//! at the customer's token endpoint and act there with the granted roles only, audited in both tenants. An ended or
//! expired relationship stops its live tokens within seconds.

use std::time::{Duration, Instant};

use mscommerce_tests::*;
use serde_json::{json, Value};

/// How long a change made outside the service (the command line, SQL) may take to reach it.
const WITHIN: Duration = Duration::from_secs(10);

const COPILOT: &str = "CFQ7TTC0MM8R";
const PLANNER: &str = "CFQ7TTC0HDB1";

/// Calls `request` until its status is `expected`, for at most [`WITHIN`]; answers how long that took.
async fn until_status<F, Fut>(expected: u16, mut request: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    let started = Instant::now();
    loop {
        let answer = request().await;
        if answer.status.as_u16() == expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < WITHIN,
            "still {} after {WITHIN:?} (expected {expected}): {}",
            answer.status,
            answer.text
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A customer: its tenant ID, its Global Administrator's token.
struct Customer {
    name: &'static str,
    tenant: String,
    admin: String,
}

async fn customer(server: &Server, name: &'static str) -> Customer {
    let tenant = server.create_tenant(name);
    let upn = format!("admin@{}.onmicrosoft.com", name.to_lowercase());
    server.create_user(&tenant, &upn, &[roles::GLOBAL_ADMINISTRATOR]);
    let admin = server.user_token(&upn, USER_PASSWORD).await;
    Customer {
        name,
        tenant,
        admin,
    }
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

/// Asks `customer` for `roles` as the partner's admin; answers the relationship's ID.
async fn request(server: &Server, partner_admin: &str, customer: &str, roles: &[&str]) -> String {
    let answer = server
        .post(
            "/v1.0/partner/relationships",
            partner_admin,
            json!({"customerTenantId": customer, "roles": roles}),
        )
        .await;
    answer.expect(201, None);
    assert_eq!(answer.json["status"], "pending");
    answer.json["id"].as_str().unwrap().to_string()
}

async fn approve(server: &Server, customer: &Customer, id: &str, roles: &[&str]) -> Value {
    let answer = server
        .post(
            &format!("/v1.0/partner/relationships/{id}/approve"),
            &customer.admin,
            json!({"roles": roles, "endDateTime": in_days(365)}),
        )
        .await;
    answer.expect(200, None);
    answer.json.clone()
}

/// The password grant of the partner's administrator at the customer's token endpoint.
async fn sign_in_for(server: &Server, customer: &str) -> Answer {
    server
        .token_request(
            &format!("/{customer}/oauth2/v2.0/token"),
            &[
                ("grant_type", "password"),
                ("username", ADMIN_UPN),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await
}

async fn partner_token(server: &Server, customer: &str) -> String {
    let answer = sign_in_for(server, customer).await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text);
    answer.json["access_token"].as_str().unwrap().to_string()
}

async fn events(server: &Server, token: &str) -> Vec<Value> {
    let answer = server.get("/v1.0/auditLogs/events?top=200", token).await;
    answer.expect(200, None);
    answer.json["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_partner_applies_a_baseline_to_its_customers_with_only_the_roles_they_granted() {
    let server = Server::start().await;
    let partner = server.first_tenant();
    let partner_admin = server.admin_token().await;
    let fabrikam = customer(&server, "Fabrikam").await;
    let northwind = customer(&server, "Northwind").await;
    let tailspin = customer(&server, "Tailspin").await;

    // The partner asks each customer (by domain name or by tenant ID) for the same roles.
    let asked = [roles::BILLING_ADMINISTRATOR, roles::GLOBAL_READER];
    let to_fabrikam = request(&server, &partner_admin, "fabrikam.onmicrosoft.com", &asked).await;
    let to_northwind = request(&server, &partner_admin, &northwind.tenant, &asked).await;
    let to_tailspin = request(&server, &partner_admin, &tailspin.tenant, &asked).await;

    // Pending: the partner cannot act for the customer yet.
    let refused = sign_in_for(&server, &fabrikam.tenant).await;
    assert_eq!(refused.status.as_u16(), 400, "{}", refused.text);
    assert_eq!(refused.json["error"], "invalid_grant");
    assert!(
        refused.json["error_description"]
            .as_str()
            .unwrap()
            .contains("no active delegated admin relationship"),
        "{}",
        refused.text
    );

    // Fabrikam and Tailspin grant both roles; Northwind only Global Reader.
    let approved = approve(&server, &fabrikam, &to_fabrikam, &asked).await;
    assert_eq!(approved["status"], "active");
    assert_eq!(approved["grantedRoles"], json!(asked));
    approve(&server, &northwind, &to_northwind, &[roles::GLOBAL_READER]).await;
    approve(&server, &tailspin, &to_tailspin, &asked).await;

    // The partner lists its customers and what they granted.
    let customers = server.get("/v1.0/partner/customers", &partner_admin).await;
    customers.expect(200, None);
    let listed: Vec<(String, Value)> = customers.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["tenantId"].as_str().unwrap().to_string(),
                c["grantedRoles"].clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (fabrikam.tenant.clone(), json!(asked)),
            (northwind.tenant.clone(), json!([roles::GLOBAL_READER])),
            (tailspin.tenant.clone(), json!(asked)),
        ]
    );

    // A token for each customer names the customer as its tenant and the partner as where the user signed in.
    let mut tokens = Vec::new();
    for customer in [&fabrikam, &northwind, &tailspin] {
        let token = partner_token(&server, &customer.tenant).await;
        let claims = claims_of(&token);
        assert_eq!(claims["tid"], customer.tenant.as_str());
        assert_eq!(claims["partner_tid"], partner.as_str());
        assert_eq!(claims["idp"], format!("{}/{partner}/v2.0", server.base));
        assert_eq!(claims["upn"], ADMIN_UPN);
        tokens.push(token);
    }

    // One baseline, applied to every customer: Copilot not at all, Planner for trials only.
    let baseline = [
        (COPILOT, "Disabled"),
        (PLANNER, "OnlyTrialsWithoutPaymentMethod"),
    ];
    for ((customer, token), writes) in [&fabrikam, &northwind, &tailspin]
        .iter()
        .zip(&tokens)
        .zip([true, false, true])
    {
        for (product, value) in baseline {
            let answer = server
                .put(&product_path(product), token, json!({"policyValue": value}))
                .await;
            if writes {
                answer.expect(200, None);
            } else {
                // Global Reader only: it reads, and every write is refused.
                answer.expect(403, Some("Forbidden"));
            }
        }
        let read = server.get(&product_path(COPILOT), token).await;
        read.expect(200, None);
        let expected = if writes { "Disabled" } else { "Enabled" };
        assert_eq!(read.json["policyValue"], expected, "{}", customer.name);
        // As the customer sees it too.
        let own = server.get(&product_path(COPILOT), &customer.admin).await;
        assert_eq!(own.json["policyValue"], expected, "{}", customer.name);
    }

    // A partner acting for a customer never manages the customer's relationships.
    server
        .get("/v1.0/partner/relationships", &tokens[0])
        .await
        .expect(403, Some("Forbidden"));
    server
        .post(
            &format!("/v1.0/partner/relationships/{to_northwind}/end"),
            &tokens[0],
            json!({}),
        )
        .await
        .expect(403, Some("Forbidden"));

    // The customer's log says which partner's user made the change; the partner's log says for which customer.
    let changes = events(&server, &fabrikam.admin).await;
    let change = changes
        .iter()
        .find(|e| e["action"] == "PolicyValueChanged" && e["targetId"] == COPILOT)
        .expect("the change in the customer's log");
    assert_eq!(change["actorName"], ADMIN_UPN);
    assert_eq!(change["actorTenantId"], partner.as_str());
    assert!(change.get("onBehalfOfTenantId").is_none(), "{change}");
    let compatible = server
        .get("/v1.0/auditLogs/policyChanges", &fabrikam.admin)
        .await;
    assert_eq!(
        compatible.json["items"][0]["actorTenantId"],
        partner.as_str()
    );

    let at_home = events(&server, &partner_admin).await;
    for customer in [&fabrikam, &tailspin] {
        let copies: Vec<&Value> = at_home
            .iter()
            .filter(|e| {
                e["action"] == "PolicyValueChanged"
                    && e["onBehalfOfTenantId"] == customer.tenant.as_str()
            })
            .collect();
        assert_eq!(copies.len(), 2, "{}: {copies:?}", customer.name);
    }
    assert!(!at_home.iter().any(|e| e["action"] == "PolicyValueChanged"
        && e["onBehalfOfTenantId"] == northwind.tenant.as_str()));
    // Nor do the customers' changes appear among the partner's own policy changes.
    let own_changes = server
        .get("/v1.0/auditLogs/policyChanges", &partner_admin)
        .await;
    assert_eq!(own_changes.json["items"], json!([]), "{}", own_changes.text);

    // The relationship's life is in both logs.
    for (log, token) in [("partner", &partner_admin), ("customer", &fabrikam.admin)] {
        let actions: Vec<String> = events(&server, token)
            .await
            .iter()
            .filter(|e| e["targetId"] == to_fabrikam.as_str())
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            actions,
            [
                "DelegatedAdminRelationshipApproved",
                "DelegatedAdminRelationshipRequested"
            ],
            "{log}"
        );
    }

    // Tailspin ends its relationship mid-way: the partner's live token stops at once, and no new one is issued.
    let live = &tokens[2];
    server
        .get(&product_path(COPILOT), live)
        .await
        .expect(200, None);
    let ended = server
        .post(
            &format!("/v1.0/partner/relationships/{to_tailspin}/end"),
            &tailspin.admin,
            json!({}),
        )
        .await;
    ended.expect(200, None);
    assert_eq!(ended.json["status"], "ended");
    assert_eq!(ended.json["endedBy"], "admin@tailspin.onmicrosoft.com");
    server
        .get(&product_path(COPILOT), live)
        .await
        .expect(401, Some("TokenRelationshipNotActive"));
    assert_eq!(
        sign_in_for(&server, &tailspin.tenant).await.status.as_u16(),
        400
    );
    // The others are untouched.
    server
        .get(&product_path(COPILOT), &tokens[0])
        .await
        .expect(200, None);
    let partner_side: Vec<Value> = events(&server, &partner_admin)
        .await
        .into_iter()
        .filter(|e| e["targetId"] == to_tailspin.as_str())
        .collect();
    assert_eq!(partner_side[0]["action"], "DelegatedAdminRelationshipEnded");
    assert_eq!(
        partner_side[0]["actorName"],
        "admin@tailspin.onmicrosoft.com"
    );
}

#[tokio::test]
async fn a_partner_app_acts_with_the_permissions_the_granted_roles_allow() {
    let server = Server::start().await;
    let partner = server.first_tenant();
    let partner_admin = server.admin_token().await;
    let fabrikam = customer(&server, "Fabrikam").await;
    let northwind = customer(&server, "Northwind").await;
    let (client_id, secret) = server.create_app(
        &partner,
        "Baseline automation",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );
    let billing = request(
        &server,
        &partner_admin,
        &fabrikam.tenant,
        &[roles::BILLING_ADMINISTRATOR],
    )
    .await;
    approve(
        &server,
        &fabrikam,
        &billing,
        &[roles::BILLING_ADMINISTRATOR],
    )
    .await;
    let reader = request(
        &server,
        &partner_admin,
        &northwind.tenant,
        &[roles::GLOBAL_READER],
    )
    .await;
    approve(&server, &northwind, &reader, &[roles::GLOBAL_READER]).await;

    // The app lists the customers from home, then signs in at each.
    let home = server.app_token(&client_id, &secret).await;
    let listed = server.get("/v1.0/partner/customers", &home).await;
    listed.expect(200, None);
    assert_eq!(listed.json["items"].as_array().unwrap().len(), 2);

    let scope = format!("{AUDIENCE}/.default");
    let mut tokens = Vec::new();
    for customer in [&fabrikam, &northwind] {
        let answer = server
            .token_request(
                &format!("/{}/oauth2/v2.0/token", customer.tenant),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &client_id),
                    ("client_secret", &secret),
                    ("scope", &scope),
                ],
            )
            .await;
        assert_eq!(answer.status.as_u16(), 200, "{}", answer.text);
        tokens.push(answer.json["access_token"].as_str().unwrap().to_string());
    }
    assert_eq!(
        claims_of(&tokens[0])["roles"],
        json!(["Policy.ReadWrite.AllowSelfServicePurchase"])
    );
    assert_eq!(
        claims_of(&tokens[1])["roles"],
        json!(["Policy.Read.AllowSelfServicePurchase"])
    );
    let put = |token: &str| {
        let token = token.to_string();
        let server = &server;
        async move {
            server
                .put(
                    &product_path(COPILOT),
                    &token,
                    json!({"policyValue": "Disabled"}),
                )
                .await
        }
    };
    put(&tokens[0]).await.expect(200, None);
    put(&tokens[1]).await.expect(403, Some("Forbidden"));
    let change = events(&server, &fabrikam.admin).await;
    let change = change
        .iter()
        .find(|e| e["action"] == "PolicyValueChanged")
        .unwrap();
    assert_eq!(change["actorName"], "Baseline automation");
    assert_eq!(change["actorType"], "App");
    assert_eq!(change["actorTenantId"], partner.as_str());

    // An app of a tenant without a relationship is refused as a wrong client is.
    let stranger = server.create_tenant("Stranger");
    let answer = server
        .token_request(
            &format!("/{stranger}/oauth2/v2.0/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", &secret),
                ("scope", &scope),
            ],
        )
        .await;
    assert_eq!(answer.status.as_u16(), 401, "{}", answer.text);
    assert_eq!(answer.json["error"], "invalid_client");
}

#[tokio::test]
async fn relationships_follow_their_rules() {
    let server = Server::start().await;
    let partner = server.first_tenant();
    let partner_admin = server.admin_token().await;
    let fabrikam = customer(&server, "Fabrikam").await;
    let id = request(
        &server,
        &partner_admin,
        &fabrikam.tenant,
        &[roles::GLOBAL_READER],
    )
    .await;
    let approve_with = |token: String, body: Value| {
        let server = &server;
        let path = format!("/v1.0/partner/relationships/{id}/approve");
        async move { server.post(&path, &token, body).await }
    };

    // Bad requests say what is allowed.
    let own = server
        .post(
            "/v1.0/partner/relationships",
            &partner_admin,
            json!({"customerTenantId": partner, "roles": ["GlobalReader"]}),
        )
        .await;
    own.expect(400, Some("InvalidCustomer"));
    let unknown = server
        .post(
            "/v1.0/partner/relationships",
            &partner_admin,
            json!({"customerTenantId": "nowhere.example", "roles": ["GlobalReader"]}),
        )
        .await;
    unknown.expect(400, Some("InvalidCustomer"));
    let role = server
        .post(
            "/v1.0/partner/relationships",
            &partner_admin,
            json!({"customerTenantId": fabrikam.tenant, "roles": ["Owner"]}),
        )
        .await;
    role.expect(400, Some("InvalidRole"));
    assert!(
        role.json["reason"]
            .as_str()
            .unwrap()
            .contains("Global Reader"),
        "{}",
        role.text
    );
    server
        .post(
            "/v1.0/partner/relationships",
            &partner_admin,
            json!({"customerTenantId": fabrikam.tenant, "roles": []}),
        )
        .await
        .expect(400, Some("InvalidRole"));

    // Only the customer approves, only roles asked for, for at most two years.
    approve_with(partner_admin.clone(), json!({"endDateTime": in_days(30)}))
        .await
        .expect(409, Some("NotTheCustomer"));
    approve_with(
        fabrikam.admin.clone(),
        json!({"roles": ["GlobalAdministrator"], "endDateTime": in_days(30)}),
    )
    .await
    .expect(400, Some("RoleNotRequested"));
    approve_with(fabrikam.admin.clone(), json!({"endDateTime": in_days(731)}))
        .await
        .expect(400, Some("InvalidEndDate"));
    approve_with(fabrikam.admin.clone(), json!({"endDateTime": in_days(-1)}))
        .await
        .expect(400, Some("InvalidEndDate"));
    approve_with(fabrikam.admin.clone(), json!({"endDateTime": "next year"}))
        .await
        .expect(400, Some("InvalidEndDate"));
    // A reader of the customer reads the relationship, and may not approve it.
    server.create_user(
        &fabrikam.tenant,
        "reader@fabrikam.onmicrosoft.com",
        &[roles::GLOBAL_READER],
    );
    let reader = server
        .user_token("reader@fabrikam.onmicrosoft.com", USER_PASSWORD)
        .await;
    server
        .get(&format!("/v1.0/partner/relationships/{id}"), &reader)
        .await
        .expect(200, None);
    approve_with(reader.clone(), json!({"endDateTime": in_days(30)}))
        .await
        .expect(403, Some("Forbidden"));
    // Another tenant does not see it at all.
    let stranger = customer(&server, "Stranger").await;
    server
        .get(
            &format!("/v1.0/partner/relationships/{id}"),
            &stranger.admin,
        )
        .await
        .expect(404, Some("RelationshipNotFound"));
    approve_with(stranger.admin.clone(), json!({"endDateTime": in_days(30)}))
        .await
        .expect(404, None);

    // Approved once; a second approval is a conflict.
    approve_with(fabrikam.admin.clone(), json!({"endDateTime": in_days(730)}))
        .await
        .expect(200, None);
    approve_with(fabrikam.admin.clone(), json!({"endDateTime": in_days(30)}))
        .await
        .expect(409, Some("RelationshipNotPending"));

    // The partner ends it from its side; ending twice is a conflict. Both sides list it, ended.
    let end = format!("/v1.0/partner/relationships/{id}/end");
    server
        .post(&end, &partner_admin, json!({}))
        .await
        .expect(200, None);
    server
        .post(&end, &fabrikam.admin, json!({}))
        .await
        .expect(409, Some("RelationshipEnded"));
    for token in [&partner_admin, &fabrikam.admin] {
        let list = server.get("/v1.0/partner/relationships", token).await;
        assert_eq!(list.json["items"][0]["status"], "ended", "{}", list.text);
    }
}

#[tokio::test]
async fn a_relationship_that_expires_or_is_ended_elsewhere_stops_its_live_tokens_within_seconds() {
    let server = Server::start().await;
    let partner_admin = server.admin_token().await;
    let fabrikam = customer(&server, "Fabrikam").await;
    let northwind = customer(&server, "Northwind").await;
    let expiring = request(
        &server,
        &partner_admin,
        &fabrikam.tenant,
        &[roles::GLOBAL_READER],
    )
    .await;
    approve(&server, &fabrikam, &expiring, &[roles::GLOBAL_READER]).await;
    let ended = request(
        &server,
        &partner_admin,
        &northwind.tenant,
        &[roles::GLOBAL_READER],
    )
    .await;
    approve(&server, &northwind, &ended, &[roles::GLOBAL_READER]).await;
    let for_fabrikam = partner_token(&server, &fabrikam.tenant).await;
    let for_northwind = partner_token(&server, &northwind.tenant).await;
    for token in [&for_fabrikam, &for_northwind] {
        server
            .get(&product_path(COPILOT), token)
            .await
            .expect(200, None);
    }

    // Its end date comes (moved by hand into the past, as time would): refused within seconds.
    let past = (chrono::Utc::now() - chrono::Duration::seconds(1))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    sqlx::query("UPDATE delegated_admin_relationships SET ends_at = $1 WHERE id = $2")
        .bind(past)
        .bind(&expiring)
        .execute(&server.db().await)
        .await
        .unwrap();
    let copilot = product_path(COPILOT);
    let took = until_status(401, || server.get(&copilot, &for_fabrikam)).await;
    println!("expired relationship: its token refused after {took:?}");
    let listed = server
        .get(
            &format!("/v1.0/partner/relationships/{expiring}"),
            &fabrikam.admin,
        )
        .await;
    assert_eq!(listed.json["status"], "expired");

    // Ended from the command line (another process): refused within seconds.
    let out = server.cli_ok(&[
        "partner",
        "end",
        "--tenant",
        &northwind.tenant,
        "--id",
        &ended,
    ]);
    assert!(out.contains("ended"), "{out}");
    let took = until_status(401, || server.get(&copilot, &for_northwind)).await;
    println!("relationship ended at the command line: its token refused after {took:?}");
    server
        .get(&product_path(COPILOT), &for_northwind)
        .await
        .expect(401, Some("TokenRelationshipNotActive"));
}
