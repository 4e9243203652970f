//! Tenant domains: a sign-in name must be in one of its own tenant's domains, and a domain belongs to one tenant.

use mscommerce_tests::fixtures::*;
use mscommerce_tests::Server;
use serde_json::json;

/// Tenant B cannot take a name in tenant A's domain, nor learn from its refusal whether the name exists there.
#[tokio::test]
async fn a_tenant_cannot_create_users_in_another_tenants_domain() {
    let server = Server::start().await;
    let contoso = server.first_tenant();
    let fabrikam = server.create_tenant("Fabrikam");
    let fabrikam_admin = server.create_user(
        &fabrikam,
        "admin@fabrikam.onmicrosoft.com",
        &[roles::GLOBAL_ADMINISTRATOR],
    );
    let fabrikam_admin = server.user_token(&fabrikam_admin, USER_PASSWORD).await;
    let contoso_admin = server.admin_token().await;

    // The same answer for a name that exists in Contoso and for one that does not: nothing leaks.
    let mut reasons = Vec::new();
    for upn in [ADMIN_UPN, "someone@contoso.onmicrosoft.com"] {
        let refused = server
            .post(
                "/v1.0/users",
                &fabrikam_admin,
                json!({"userPrincipalName": upn, "displayName": "Taken"}),
            )
            .await;
        refused.expect(400, Some("UpnDomainNotInTenant"));
        let reason = refused.json["reason"].as_str().unwrap().to_string();
        assert!(
            reason.contains("fabrikam.onmicrosoft.com") && !reason.contains(&contoso),
            "names the caller's own domains only: {reason}"
        );
        reasons.push(reason.replace(upn, "<upn>"));
    }
    assert_eq!(reasons[0], reasons[1]);
    // Nor through the command line.
    let command_line = server.cli(&[
        "user",
        "create",
        "--tenant",
        &fabrikam,
        "--upn",
        "someone@contoso.onmicrosoft.com",
        "--display-name",
        "Someone",
    ]);
    assert!(!command_line.status.success());
    let stderr = String::from_utf8_lossy(&command_line.stderr);
    assert!(stderr.contains("not in a domain of this organization"), "{stderr}");

    // Contoso keeps its own names.
    server
        .post(
            "/v1.0/users",
            &contoso_admin,
            json!({"userPrincipalName": "someone@contoso.onmicrosoft.com", "displayName": "Someone"}),
        )
        .await
        .expect(201, None);
    let again = server
        .post(
            "/v1.0/users",
            &contoso_admin,
            json!({"userPrincipalName": "Someone@Contoso.onmicrosoft.com", "displayName": "Again"}),
        )
        .await;
    again.expect(409, Some("Conflict"));
    let reason = again.json["reason"].as_str().unwrap();
    assert!(reason.contains("in this organization"), "{reason}");
    let users = server.get("/v1.0/users", &fabrikam_admin).await;
    let names: Vec<&str> = users.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin@fabrikam.onmicrosoft.com"]);
}
