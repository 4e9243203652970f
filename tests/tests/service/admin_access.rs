//! The role matrix and tenant isolation of the users, subscriptions, licenses, take-over and audit endpoints.

use mscommerce_tests::*;
use reqwest::Method;
use serde_json::{json, Value};

const POWER_BI: &str = "CFQ7TTC0H9MP";

#[tokio::test]
async fn admin_endpoints_follow_the_role_matrix() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (ann_id, ann) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    let bought = server
        .post(
            "/v1.0/me/subscriptions",
            &ann,
            json!({"productId": POWER_BI, "acquisitionKind": "Purchase", "quantity": 3}),
        )
        .await;
    let self_service = bought.json["id"].as_str().unwrap().to_string();
    let central = server
        .post(
            "/v1.0/subscriptions",
            &admin,
            json!({"productId": POWER_BI, "quantity": 50}),
        )
        .await;
    let central = central.json["id"].as_str().unwrap().to_string();

    // (name, token) for each role, and an app with both policy permissions.
    let mut callers = vec![("GlobalAdministrator".to_string(), admin.clone())];
    for role in [
        roles::BILLING_ADMINISTRATOR,
        roles::GLOBAL_READER,
        roles::LICENSE_ADMINISTRATOR,
        roles::USER_ADMINISTRATOR,
    ] {
        let upn = server.create_user(&tenant, &format!("{role}@contoso.onmicrosoft.com"), &[role]);
        callers.push((
            role.to_string(),
            server.user_token(&upn, USER_PASSWORD).await,
        ));
    }
    let (_, member) = server
        .member(&tenant, "member@contoso.onmicrosoft.com")
        .await;
    callers.push(("member".into(), member));
    let (client_id, secret) = server.create_app(
        &tenant,
        "Automation",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );
    callers.push(("app".into(), server.app_token(&client_id, &secret).await));

    // Each endpoint with the callers allowed (2xx); everyone else gets 403 (or 404 for a subscription they may not see).
    let everyone_reading = [
        "GlobalAdministrator",
        "BillingAdministrator",
        "GlobalReader",
    ];
    let user_readers = [
        "GlobalAdministrator",
        "UserAdministrator",
        "LicenseAdministrator",
        "GlobalReader",
    ];
    // Billing > Licenses: the billing roles, and the license managers who give the licenses out.
    let license_readers = [
        "GlobalAdministrator",
        "BillingAdministrator",
        "GlobalReader",
        "LicenseAdministrator",
        "UserAdministrator",
    ];
    let checks: Vec<(Method, String, Option<Value>, Vec<&str>)> = vec![
        (
            Method::GET,
            "/v1.0/users".into(),
            None,
            user_readers.to_vec(),
        ),
        (
            Method::GET,
            format!("/v1.0/users/{ann_id}"),
            None,
            user_readers.to_vec(),
        ),
        (
            Method::PATCH,
            format!("/v1.0/users/{ann_id}"),
            Some(json!({"displayName": "Ann"})),
            vec!["GlobalAdministrator", "UserAdministrator"],
        ),
        (
            Method::GET,
            "/v1.0/subscriptions".into(),
            None,
            everyone_reading.to_vec(),
        ),
        (
            Method::GET,
            "/v1.0/licenses/products".into(),
            None,
            license_readers.to_vec(),
        ),
        (
            Method::GET,
            format!("/v1.0/licenses/products/{POWER_BI}"),
            None,
            license_readers.to_vec(),
        ),
        (
            Method::GET,
            "/v1.0/auditLogs/events".into(),
            None,
            everyone_reading.to_vec(),
        ),
        (
            Method::POST,
            "/v1.0/subscriptions/exportUsers".into(),
            Some(json!({})),
            license_readers.to_vec(),
        ),
        (
            Method::GET,
            format!("/v1.0/subscriptions/{central}"),
            None,
            vec![
                "GlobalAdministrator",
                "BillingAdministrator",
                "GlobalReader",
                "LicenseAdministrator",
                "UserAdministrator",
            ],
        ),
        (
            Method::POST,
            "/v1.0/subscriptions".into(),
            Some(json!({"productId": POWER_BI, "quantity": 1})),
            vec!["GlobalAdministrator", "BillingAdministrator"],
        ),
        (
            Method::PATCH,
            format!("/v1.0/subscriptions/{central}"),
            Some(json!({"quantity": 60})),
            vec!["GlobalAdministrator", "BillingAdministrator"],
        ),
        (
            Method::POST,
            format!("/v1.0/subscriptions/{central}/assignUsers"),
            Some(json!({"userIds": [ann_id]})),
            vec![
                "GlobalAdministrator",
                "LicenseAdministrator",
                "UserAdministrator",
            ],
        ),
        (
            Method::POST,
            format!("/v1.0/subscriptions/{central}/unassignUsers"),
            Some(json!({"userIds": [ann_id]})),
            vec![
                "GlobalAdministrator",
                "LicenseAdministrator",
                "UserAdministrator",
            ],
        ),
    ];
    for (method, path, body, allowed) in &checks {
        for (who, token) in &callers {
            let answer = server
                .call(method.clone(), path, Some(token), body.clone())
                .await;
            if allowed.contains(&who.as_str()) {
                assert!(
                    answer.status.is_success(),
                    "{who} {method} {path}: {}",
                    answer.text
                );
            } else {
                assert!(
                    matches!(answer.status.as_u16(), 403 | 404),
                    "{who} {method} {path} must be refused: {} {}",
                    answer.status,
                    answer.text
                );
                assert!(answer.json["errorCode"].is_string(), "{}", answer.text);
            }
        }
    }
    // Only a Global Administrator gives roles.
    let user_admin = &callers[4].1;
    server
        .post("/v1.0/users", user_admin, json!({"userPrincipalName": "x@contoso.onmicrosoft.com", "displayName": "X", "roles": ["GlobalAdministrator"]}))
        .await
        .expect(403, Some("Forbidden"));
    // Take-over is for Global and Billing Administrators; the rest are refused before anything happens.
    for (who, token) in &callers[2..] {
        let answer = server
            .post(
                &format!("/v1.0/subscriptions/{self_service}/takeOver/cancel"),
                token,
                json!({"reason": "Other", "comment": "x", "confirm": true}),
            )
            .await;
        assert_eq!(answer.status.as_u16(), 403, "{who}: {}", answer.text);
    }
    let billing = &callers[1].1;
    server
        .post(
            &format!("/v1.0/subscriptions/{self_service}/takeOver/moveUsers"),
            billing,
            json!({"targetSubscriptionId": central}),
        )
        .await
        .expect(200, None);
}

#[tokio::test]
async fn tenants_never_reach_each_others_users_or_subscriptions() {
    let server = Server::start().await;
    let contoso = server.first_tenant();
    let fabrikam = server.create_tenant("Fabrikam");
    let contoso_admin = server.admin_token().await;
    let fabrikam_admin = server.create_user(
        &fabrikam,
        "admin@fabrikam.onmicrosoft.com",
        &[roles::GLOBAL_ADMINISTRATOR],
    );
    let fabrikam_admin = server.user_token(&fabrikam_admin, USER_PASSWORD).await;
    let (ann_id, ann) = server.member(&contoso, "ann@contoso.onmicrosoft.com").await;
    let (fay_id, fay) = server
        .member(&fabrikam, "fay@fabrikam.onmicrosoft.com")
        .await;
    let anns = server
        .post(
            "/v1.0/me/subscriptions",
            &ann,
            json!({"productId": POWER_BI, "acquisitionKind": "Purchase", "quantity": 3}),
        )
        .await;
    let anns = anns.json["id"].as_str().unwrap().to_string();
    let fabrikam_central = server
        .post(
            "/v1.0/subscriptions",
            &fabrikam_admin,
            json!({"productId": POWER_BI, "quantity": 10}),
        )
        .await;
    let fabrikam_central = fabrikam_central.json["id"].as_str().unwrap().to_string();

    server
        .get(&format!("/v1.0/subscriptions/{anns}"), &fabrikam_admin)
        .await
        .expect(404, Some("SubscriptionNotFound"));
    server
        .get(&format!("/v1.0/users/{ann_id}"), &fabrikam_admin)
        .await
        .expect(404, Some("UserNotFound"));
    server
        .patch(
            &format!("/v1.0/users/{ann_id}"),
            &fabrikam_admin,
            json!({"accountEnabled": false}),
        )
        .await
        .expect(404, Some("UserNotFound"));
    server
        .post(
            &format!("/v1.0/subscriptions/{anns}/takeOver/moveUsers"),
            &fabrikam_admin,
            json!({"targetSubscriptionId": fabrikam_central}),
        )
        .await
        .expect(404, Some("SubscriptionNotFound"));
    server
        .post(
            &format!("/v1.0/subscriptions/{anns}/takeOver/moveUsers"),
            &contoso_admin,
            json!({"targetSubscriptionId": fabrikam_central}),
        )
        .await
        .expect(404, Some("SubscriptionNotFound"));
    // A purchaser cannot license a user of another organization.
    server
        .post(
            &format!("/v1.0/subscriptions/{anns}/assignUsers"),
            &ann,
            json!({"userIds": [fay_id]}),
        )
        .await
        .expect(404, Some("UserNotFound"));
    server
        .get(
            &format!(
                "/v1.0/acquisitionDecisions?productId={POWER_BI}&kind=Purchase&userId={fay_id}"
            ),
            &contoso_admin,
        )
        .await
        .expect(404, Some("UserNotFound"));
    // Lists, aggregates, exports and the audit log hold only the caller's organization.
    let users = server.get("/v1.0/users", &fabrikam_admin).await;
    let upns: Vec<&str> = users.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert_eq!(
        upns,
        [
            "admin@fabrikam.onmicrosoft.com",
            "fay@fabrikam.onmicrosoft.com"
        ]
    );
    assert_eq!(
        server
            .get("/v1.0/subscriptions", &fabrikam_admin)
            .await
            .json["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        server
            .get("/v1.0/licenses/products", &fabrikam_admin)
            .await
            .json["items"],
        json!([])
    );
    let export = server
        .post(
            "/v1.0/subscriptions/exportUsers",
            &fabrikam_admin,
            json!({}),
        )
        .await;
    assert_eq!(export.text.lines().count(), 1, "only the header");
    let audit = server.get("/v1.0/auditLogs/events", &fabrikam_admin).await;
    assert!(
        audit.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e.to_string().contains("contoso")),
        "{}",
        audit.text
    );
    assert_eq!(
        server.get("/v1.0/me/subscriptions", &fay).await.json["items"],
        json!([])
    );
}

#[tokio::test]
async fn users_are_created_listed_changed_and_disabled() {
    let server = Server::start().await;
    let admin = server.admin_token().await;
    let created = server
        .post("/v1.0/users", &admin, json!({"userPrincipalName": "Reader@Contoso.onmicrosoft.com", "displayName": "Reader", "roles": ["Global Reader"]}))
        .await;
    created.expect(201, None);
    assert_eq!(
        created.json["userPrincipalName"],
        "reader@contoso.onmicrosoft.com"
    );
    assert_eq!(created.json["roles"], json!(["GlobalReader"]));
    assert_eq!(created.json["userType"], "Member");
    let password = created.json["initialPassword"]
        .as_str()
        .expect("a generated password, shown once")
        .to_string();
    let id = created.json["id"].as_str().unwrap().to_string();
    let token = server
        .user_token("reader@contoso.onmicrosoft.com", &password)
        .await;
    assert_eq!(
        claims_of(&token)["wids"],
        json!(["f2ef992c-3afb-46b9-b7cf-a126ee74c451"])
    );
    let read = server.get(&format!("/v1.0/users/{id}"), &admin).await;
    assert!(
        read.json.get("initialPassword").is_none(),
        "the password is never shown again"
    );

    server
        .post(
            "/v1.0/users",
            &admin,
            json!({"userPrincipalName": "reader@contoso.onmicrosoft.com", "displayName": "Again"}),
        )
        .await
        .expect(409, Some("Conflict"));
    server
        .post(
            "/v1.0/users",
            &admin,
            json!({"userPrincipalName": "no-at-sign", "displayName": "X"}),
        )
        .await
        .expect(400, Some("InvalidUserPrincipalName"));
    server
        .post(
            "/v1.0/users",
            &admin,
            json!({"userPrincipalName": "g@x.com", "displayName": "G", "userType": "Visitor"}),
        )
        .await
        .expect(400, Some("InvalidUserType"));
    server
        .post(
            "/v1.0/users",
            &admin,
            json!({"userPrincipalName": "p@x.com", "displayName": "P", "password": "short"}),
        )
        .await
        .expect(400, Some("WeakPassword"));
    server
        .post(
            "/v1.0/users",
            &admin,
            json!({"userPrincipalName": "r@x.com", "displayName": "R", "roles": ["Owner"]}),
        )
        .await
        .expect(400, Some("InvalidRole"));

    let disabled = server
        .patch(
            &format!("/v1.0/users/{id}"),
            &admin,
            json!({"accountEnabled": false, "displayName": "Former reader"}),
        )
        .await;
    disabled.expect(200, None);
    assert_eq!(
        (
            disabled.json["accountEnabled"].as_bool(),
            disabled.json["displayName"].as_str()
        ),
        (Some(false), Some("Former reader"))
    );
    let refused = server
        .token_request(
            "/oauth2/v2.0/token",
            &[
                ("grant_type", "password"),
                ("username", "reader@contoso.onmicrosoft.com"),
                ("password", &password),
            ],
        )
        .await;
    refused.expect(400, None);
    assert_eq!(refused.json["error"], "invalid_grant");
    // Answered as a wrong password: the answer does not tell that the password was right.
    assert!(!refused.json["error_description"]
        .as_str()
        .unwrap()
        .contains("disabled"));

    let page = server.get("/v1.0/users?top=1", &admin).await;
    assert_eq!(page.json["items"].as_array().unwrap().len(), 1);
    let next = page.json["nextLink"].as_str().unwrap();
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
        rest["items"][0]["userPrincipalName"],
        "reader@contoso.onmicrosoft.com"
    );
    let events = server.get("/v1.0/auditLogs/events", &admin).await;
    let actions: Vec<&str> = events.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(&actions[..2], ["UserUpdated", "UserCreated"]);
}
