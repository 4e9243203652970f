//! Tenant domains: a sign-in name must be in one of its own tenant's domains, and a domain belongs to one tenant.

use mscommerce_tests::fixtures::*;
use mscommerce_tests::Server;
use serde_json::json;

/// A second tenant, Fabrikam (initial domain fabrikam.onmicrosoft.com), and its Global Administrator's token.
async fn fabrikam_and_its_administrator(server: &Server) -> (String, String) {
    let fabrikam = server.create_tenant("Fabrikam");
    let admin = server.create_user(
        &fabrikam,
        "admin@fabrikam.onmicrosoft.com",
        &[roles::GLOBAL_ADMINISTRATOR],
    );
    let token = server.user_token(&admin, USER_PASSWORD).await;
    (fabrikam, token)
}

/// Tenant B cannot take a name in tenant A's domain, nor learn from its refusal whether the name exists there.
#[tokio::test]
async fn a_tenant_cannot_create_users_in_another_tenants_domain() {
    let server = Server::start().await;
    let contoso = server.first_tenant();
    let (fabrikam, fabrikam_admin) = fabrikam_and_its_administrator(&server).await;
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
    assert!(
        stderr.contains("not in a domain of this organization"),
        "{stderr}"
    );

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

/// Readers of users list the domains, Global Administrators add them, and an added domain takes sign-in names.
#[tokio::test]
async fn domains_are_listed_and_added_through_rest() {
    let server = Server::start().await;
    let contoso = server.first_tenant();
    let admin = server.admin_token().await;
    let reader = server.create_user(
        &contoso,
        "reader@contoso.onmicrosoft.com",
        &[roles::GLOBAL_READER],
    );
    let reader = server.user_token(&reader, USER_PASSWORD).await;
    let user_admin = server.create_user(
        &contoso,
        "users@contoso.onmicrosoft.com",
        &[roles::USER_ADMINISTRATOR],
    );
    let user_admin = server.user_token(&user_admin, USER_PASSWORD).await;
    let (_, member) = server
        .member(&contoso, "member@contoso.onmicrosoft.com")
        .await;

    let initial = json!({"id": "contoso.onmicrosoft.com", "isInitial": true, "isDefault": true, "isVerified": true});
    let listed = server.get("/v1.0/domains", &reader).await;
    listed.expect(200, None);
    assert_eq!(listed.json, json!({"items": [initial]}));
    server
        .get("/v1.0/domains", &member)
        .await
        .expect(403, Some("Forbidden"));

    // Only a Global Administrator adds one.
    for caller in [&reader, &user_admin, &member] {
        server
            .post("/v1.0/domains", caller, json!({"id": "contoso.com"}))
            .await
            .expect(403, Some("Forbidden"));
    }
    let added = server
        .post("/v1.0/domains", &admin, json!({"id": "Contoso.COM"}))
        .await;
    added.expect(201, None);
    assert_eq!(
        added.json,
        json!({"id": "contoso.com", "isInitial": false, "isDefault": false, "isVerified": true})
    );
    let location = added.header("location").expect("a Location").to_string();
    assert!(
        location.ends_with("/v1.0/domains/contoso.com"),
        "{location}"
    );
    server
        .get("/v1.0/domains/CONTOSO.com", &reader)
        .await
        .expect(200, None);
    server
        .get("/v1.0/domains/fabrikam.com", &reader)
        .await
        .expect(404, Some("DomainNotFound"));
    let listed = server.get("/v1.0/domains", &admin).await;
    let names: Vec<&str> = listed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["contoso.onmicrosoft.com", "contoso.com"]);
    let again = server
        .post("/v1.0/domains", &admin, json!({"id": "contoso.com"}))
        .await;
    again.expect(409, Some("DomainInUse"));
    assert!(again.json["reason"]
        .as_str()
        .unwrap()
        .contains("This organization already has"));

    // Bad names are refused with what a domain name is.
    for bad in [
        "contoso",
        "-x.com",
        "a b.com",
        "x..com",
        &format!("{}.com", "a".repeat(64)),
    ] {
        let refused = server
            .post("/v1.0/domains", &admin, json!({"id": bad}))
            .await;
        refused.expect(400, Some("InvalidDomainName"));
    }
    server
        .post("/v1.0/domains", &admin, json!({"name": "contoso.com"}))
        .await
        .expect(400, Some("InvalidRequestBody"));

    // The new domain takes sign-in names; a name outside every domain is refused with the domains it may use.
    server
        .post(
            "/v1.0/users",
            &user_admin,
            json!({"userPrincipalName": "ann@contoso.com", "displayName": "Ann"}),
        )
        .await
        .expect(201, None);
    let outside = server
        .post(
            "/v1.0/users",
            &user_admin,
            json!({"userPrincipalName": "ann@fabrikam.com", "displayName": "Ann"}),
        )
        .await;
    outside.expect(400, Some("UpnDomainNotInTenant"));
    assert!(
        outside.json["reason"]
            .as_str()
            .unwrap()
            .contains("Its domains are: contoso.onmicrosoft.com, contoso.com."),
        "{}",
        outside.text
    );

    // Another organization cannot add it; the refusal names no one.
    let (_, fabrikam_admin) = fabrikam_and_its_administrator(&server).await;
    for taken in ["contoso.com", "CONTOSO.onmicrosoft.com"] {
        let refused = server
            .post("/v1.0/domains", &fabrikam_admin, json!({"id": taken}))
            .await;
        refused.expect(409, Some("DomainInUse"));
        let reason = refused.json["reason"].as_str().unwrap();
        assert!(
            reason.contains("belongs to another organization") && !reason.contains(&contoso),
            "{reason}"
        );
    }
    let fabrikams = server.get("/v1.0/domains", &fabrikam_admin).await;
    assert_eq!(
        fabrikams.json["items"][0]["id"], "fabrikam.onmicrosoft.com",
        "{}",
        fabrikams.text
    );
    assert_eq!(fabrikams.json["items"].as_array().unwrap().len(), 1);
}

/// The command line creates tenants with domains, lists and adds them, with the same rules.
#[tokio::test]
async fn domains_are_listed_and_added_through_the_command_line() {
    let server = Server::start().await;
    let contoso = server.first_tenant();
    assert_eq!(
        server.cli_ok(&["tenant", "domain", "list", "--tenant", &contoso]),
        "contoso.onmicrosoft.com\tinitial\n"
    );
    let created = server.cli_ok(&[
        "tenant",
        "create",
        "--name",
        "Fabrikam, Inc.",
        "--domain",
        "Fabrikam.com",
        "--domain",
        "fabrikam.net",
    ]);
    let lines: Vec<&str> = created.lines().collect();
    let fabrikam = lines[0].to_string();
    assert_eq!(
        lines[1..],
        [
            "fabrikaminc.onmicrosoft.com\tinitial",
            "fabrikam.com\tadded",
            "fabrikam.net\tadded"
        ]
    );
    // The same name again: the next initial domain.
    let second = server.cli_ok(&["tenant", "create", "--name", "Fabrikam Inc"]);
    assert_eq!(
        second.lines().nth(1),
        Some("fabrikaminc2.onmicrosoft.com\tinitial")
    );
    assert_eq!(
        server.cli_ok(&[
            "tenant",
            "domain",
            "add",
            "--tenant",
            &contoso,
            "--domain",
            "contoso.com"
        ]),
        "contoso.com\tadded\n"
    );
    assert_eq!(
        server.cli_ok(&["tenant", "domain", "list", "--tenant", &contoso]),
        "contoso.onmicrosoft.com\tinitial\ncontoso.com\tadded\n"
    );

    let stderr = |args: &[&str]| {
        let output = server.cli(args);
        assert!(!output.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let taken = stderr(&[
        "tenant",
        "domain",
        "add",
        "--tenant",
        &fabrikam,
        "--domain",
        "CONTOSO.com",
    ]);
    assert!(
        taken.contains("belongs to another organization") && !taken.contains(&contoso),
        "{taken}"
    );
    let taken = stderr(&[
        "tenant",
        "create",
        "--name",
        "Late",
        "--domain",
        "fabrikam.net",
    ]);
    assert!(taken.contains("belongs to another organization"), "{taken}");
    assert_eq!(
        server.cli_ok(&["tenant", "list"]).lines().count(),
        3,
        "the refused tenant was not created"
    );
    let bad = stderr(&[
        "tenant",
        "domain",
        "add",
        "--tenant",
        &contoso,
        "--domain",
        "con_toso.com",
    ]);
    assert!(bad.contains("is not a domain name"), "{bad}");
    let nobody = uuid::Uuid::new_v4().to_string();
    assert!(stderr(&["tenant", "domain", "list", "--tenant", &nobody]).contains("no tenant"));
    assert!(
        stderr(&["tenant", "domain", "add", "--tenant", &nobody, "--domain", "x.test"])
            .contains("no tenant")
    );

    // Sign-in names follow the domains on the command line too.
    server.create_user(&fabrikam, "fay@fabrikam.net", &[]);
    let outside = stderr(&[
        "user",
        "create",
        "--tenant",
        &fabrikam,
        "--upn",
        "fay@contoso.com",
        "--display-name",
        "Fay",
    ]);
    assert!(
        outside
            .contains("Its domains are: fabrikaminc.onmicrosoft.com, fabrikam.com, fabrikam.net."),
        "{outside}"
    );
}
