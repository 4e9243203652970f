//! Who may call what, and that tenants never see or change each other's values.

use mscommerce_tests::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Every policy endpoint, with whether it writes.
fn endpoints() -> Vec<(Method, String, Option<Value>, bool)> {
    let body = || Some(json!({"policyValue": "Disabled"}));
    vec![
        (Method::GET, "/v1.0/policies".into(), None, false),
        (Method::GET, format!("/v1.0/policies/{POLICY}"), None, false),
        (
            Method::GET,
            format!("/v1.0/policies/{POLICY}/products"),
            None,
            false,
        ),
        (
            Method::GET,
            format!("/v1.0/policies/{POLICY}/products?scope=OfferType"),
            None,
            false,
        ),
        (Method::GET, product_path("CFQ7TTC0H9MP"), None, false),
        (Method::GET, offer_type_path("SaaS"), None, false),
        (
            Method::GET,
            "/v1.0/auditLogs/policyChanges".into(),
            None,
            false,
        ),
        (Method::PUT, product_path("CFQ7TTC0H9MP"), body(), true),
        (Method::PUT, offer_type_path("SaaS"), body(), true),
        (
            Method::PUT,
            format!("/v1/policies/{POLICY}/products/CFQ7TTC0LH2H"),
            body(),
            true,
        ),
    ]
}

#[tokio::test]
async fn role_and_permission_matrix() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let mut callers: Vec<(String, String, bool, bool)> = Vec::new();
    for (role, read, write) in [
        (roles::GLOBAL_ADMINISTRATOR, true, true),
        (roles::BILLING_ADMINISTRATOR, true, true),
        (roles::GLOBAL_READER, true, false),
        (roles::LICENSE_ADMINISTRATOR, false, false),
        (roles::USER_ADMINISTRATOR, false, false),
    ] {
        let upn = server.create_user(&tenant, &format!("{role}@contoso.onmicrosoft.com"), &[role]);
        callers.push((
            role.to_string(),
            server.user_token(&upn, USER_PASSWORD).await,
            read,
            write,
        ));
    }
    let plain = server.create_user(&tenant, "member@contoso.onmicrosoft.com", &[]);
    callers.push((
        "member".into(),
        server.user_token(&plain, USER_PASSWORD).await,
        false,
        false,
    ));
    for (permission, read, write) in [
        ("Policy.Read.AllowSelfServicePurchase", true, false),
        ("Policy.ReadWrite.AllowSelfServicePurchase", true, true),
    ] {
        let (client_id, secret) = server.create_app(&tenant, permission, &[permission]);
        callers.push((
            permission.to_string(),
            server.app_token(&client_id, &secret).await,
            read,
            write,
        ));
    }

    for (who, token, may_read, may_write) in &callers {
        for (method, path, body, writes) in endpoints() {
            let allowed = if writes { *may_write } else { *may_read };
            let answer = server.call(method.clone(), &path, Some(token), body).await;
            if allowed {
                assert_eq!(
                    answer.status.as_u16(),
                    200,
                    "{who} {method} {path}: {}",
                    answer.text
                );
            } else {
                answer.expect(403, Some("Forbidden"));
                let reason = answer.json["reason"].as_str().unwrap();
                assert!(
                    reason.contains("Global Administrator"),
                    "{who} {method} {path}: {reason}"
                );
            }
        }
    }
}

#[tokio::test]
async fn tenants_cannot_see_or_change_each_others_values() {
    let server = Server::start().await;
    let tenant_b = server.create_tenant("Fabrikam");
    let admin_b = server.create_user(
        &tenant_b,
        "admin@fabrikam.onmicrosoft.com",
        &[roles::GLOBAL_ADMINISTRATOR],
    );
    let token_a = server.admin_token().await;
    let token_b = server.user_token(&admin_b, USER_PASSWORD).await;
    assert_eq!(claims_of(&token_b)["tid"], tenant_b.as_str());

    server
        .put(
            &product_path("CFQ7TTC0H9MP"),
            &token_b,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    server
        .put(
            &offer_type_path("SaaS"),
            &token_a,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);

    assert_eq!(
        server
            .get(&product_path("CFQ7TTC0H9MP"), &token_a)
            .await
            .json["policyValue"],
        "Enabled"
    );
    assert_eq!(
        server
            .get(&product_path("CFQ7TTC0H9MP"), &token_b)
            .await
            .json["policyValue"],
        "Disabled"
    );
    assert_eq!(
        server.get(&offer_type_path("SaaS"), &token_b).await.json["policyValue"],
        "Enabled"
    );

    let audit_a = server.get("/v1.0/auditLogs/policyChanges", &token_a).await;
    let audit_b = server.get("/v1.0/auditLogs/policyChanges", &token_b).await;
    let targets = |a: &Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["targetId"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(targets(&audit_a), ["SaaS"]);
    assert_eq!(targets(&audit_b), ["CFQ7TTC0H9MP"]);

    // The tenant comes from the token only: a header naming the other tenant changes nothing.
    let answer = server
        .http
        .get(format!("{}{}", server.base, product_path("CFQ7TTC0H9MP")))
        .bearer_auth(&token_a)
        .header("x-ms-tenant-id", &tenant_b)
        .send()
        .await
        .unwrap();
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["policyValue"], "Enabled");
}
