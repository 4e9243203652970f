//! The admin console in a real browser (Debian's Chromium, the scenarios `tests/browser/scenarios/console-*.mjs`):
//! each of Microsoft's documented admin-center steps clicked through by its visible names, every page scanned by
//! axe-core and screenshotted to `target/console-screenshots/`, and what each step did checked here through the
//! REST API and the outbox: the console is a way to the same handlers, never a second set of rules.

use mscommerce_tests::browser::run_scenario;
use mscommerce_tests::*;
use serde_json::{json, Value};

const POWER_BI: &str = "CFQ7TTC0H9MP";
const PROJECT: &str = "CFQ7TTC0HDB0";
const VIVA_GOALS: &str = "CFQ7TTC0PW0V";

/// A member who bought Power BI Pro and gave its `users` licenses to fresh colleagues; answers
/// (subscription ID, the colleagues' user names).
async fn self_service(
    server: &Server,
    tenant: &str,
    purchaser: &str,
    users: usize,
) -> (String, Vec<String>) {
    let (_, token) = server.member(tenant, purchaser).await;
    let bought = server
        .post(
            "/v1.0/me/subscriptions",
            &token,
            json!({"productId": POWER_BI, "acquisitionKind": "Purchase", "quantity": users.max(1)}),
        )
        .await;
    bought.expect(201, None);
    let id = bought.json["id"].as_str().unwrap().to_string();
    let name = purchaser.split('@').next().unwrap();
    let mut ids = Vec::new();
    let mut upns = Vec::new();
    for i in 0..users {
        let upn = format!("{name}-user{i}@contoso.onmicrosoft.com");
        ids.push(server.member(tenant, &upn).await.0);
        upns.push(upn);
    }
    server
        .post(
            &format!("/v1.0/subscriptions/{id}/assignUsers"),
            &token,
            json!({"userIds": ids}),
        )
        .await
        .expect(200, None);
    (id, upns)
}

async fn central(server: &Server, admin: &str, quantity: i64) -> String {
    let bought = server
        .post(
            "/v1.0/subscriptions",
            admin,
            json!({"productId": POWER_BI, "quantity": quantity}),
        )
        .await;
    bought.expect(201, None);
    bought.json["id"].as_str().unwrap().to_string()
}

async fn subscription(server: &Server, admin: &str, id: &str) -> Value {
    let answer = server
        .get(&format!("/v1.0/subscriptions/{id}"), admin)
        .await;
    answer.expect(200, None);
    answer.json.clone()
}

#[tokio::test]
async fn an_admin_takes_a_subscription_over_by_moving_its_users_as_documented() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let purchaser = "ann@contoso.onmicrosoft.com";
    let (source, _) = self_service(&server, &tenant, purchaser, 2).await;
    let too_small = central(&server, &admin, 1).await;
    let target = central(&server, &admin, 5).await;
    run_scenario(
        &server,
        "console-move-users.mjs",
        &[
            ("MSCOMMERCE_PURCHASER", purchaser),
            ("MSCOMMERCE_SMALL_TARGET", "1"),
            ("MSCOMMERCE_USERS", "2"),
        ],
    )
    .await;
    let source = subscription(&server, &admin, &source).await;
    assert_eq!(source["status"], "Deleted");
    assert_eq!(source["assignedCount"], 0);
    assert_eq!(
        subscription(&server, &admin, &target).await["assignedCount"],
        2
    );
    assert_eq!(
        subscription(&server, &admin, &too_small).await["assignedCount"],
        0,
        "the refused move changed nothing"
    );
    let mail = server
        .wait_for_emails("was cancelled by your admin", 1)
        .await;
    assert!(mail[0].contains(purchaser), "{}", mail[0]);
}

#[tokio::test]
async fn an_admin_cancels_a_subscription_with_a_reason_as_documented() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let purchaser = "bob@contoso.onmicrosoft.com";
    let (id, _) = self_service(&server, &tenant, purchaser, 1).await;
    run_scenario(
        &server,
        "console-cancel.mjs",
        &[(
            "MSCOMMERCE_SUBSCRIPTION_PATH",
            &format!("/console/billing/subscriptions/{id}"),
        )],
    )
    .await;
    let cancelled = subscription(&server, &admin, &id).await;
    assert_eq!(cancelled["status"], "Deleted");
    assert_eq!(cancelled["cancellationReason"], "Other");
    assert_eq!(
        cancelled["cancellationComment"],
        "Bought before the central subscription existed"
    );
    let mail = server
        .wait_for_emails("was cancelled by your admin", 1)
        .await;
    assert!(mail[0].contains(purchaser), "{}", mail[0]);
}

#[tokio::test]
async fn licenses_show_the_available_quantity_and_export_the_chosen_subscriptions_users() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let (_, ann_users) = self_service(&server, &tenant, "ann@contoso.onmicrosoft.com", 2).await;
    let (_, bob_users) = self_service(&server, &tenant, "bob@contoso.onmicrosoft.com", 3).await;
    let output = run_scenario(
        &server,
        "console-licenses.mjs",
        &[
            ("MSCOMMERCE_AVAILABLE", "5"),
            (
                "MSCOMMERCE_PURCHASERS",
                "ann@contoso.onmicrosoft.com,bob@contoso.onmicrosoft.com",
            ),
            ("MSCOMMERCE_EXPORTED", &ann_users[1]),
            ("MSCOMMERCE_NOT_EXPORTED", &bob_users[0]),
        ],
    )
    .await;
    assert!(output.contains("exported 2 users"), "{output}");
}

#[tokio::test]
async fn purchase_services_settings_and_the_audit_log_work_as_documented() {
    let server = Server::start().await;
    let admin = server.admin_token().await;
    let output = run_scenario(&server, "console-purchase-settings-audit.mjs", &[]).await;
    let policy = server.get(&product_path(POWER_BI), &admin).await;
    assert_eq!(policy.json["policyValue"], "Disabled");
    let central = server
        .get("/v1.0/subscriptions?purchaseType=central", &admin)
        .await;
    let items = central.json["items"].as_array().unwrap();
    assert!(
        items.iter().any(|s| s["quantity"] == 10
            && s["billingFrequency"] == "Annual"
            && s["productId"] == POWER_BI),
        "{items:?}"
    );
    // The page showed the correlation ID that the REST audit trail has for the change.
    let correlation = output
        .lines()
        .find_map(|l| l.strip_prefix("correlation="))
        .expect("the scenario printed the correlation ID");
    let changes = server.get("/v1.0/auditLogs/policyChanges", &admin).await;
    let change = changes.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["targetId"] == POWER_BI)
        .cloned()
        .expect("the change is in the audit trail");
    assert_eq!(change["correlationId"], correlation);
    assert_eq!(change["oldValue"], "Enabled");
    assert_eq!(change["newValue"], "Disabled");
    assert_eq!(change["actorName"], ADMIN_UPN);
}

#[tokio::test]
async fn a_member_shops_as_the_policy_decides_and_manages_what_they_bought() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    server
        .put(
            &product_path(PROJECT),
            &admin,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let member = server.create_user(&tenant, "carol@contoso.onmicrosoft.com", &[]);
    let colleague = server.create_user(&tenant, "dave@contoso.onmicrosoft.com", &[]);
    run_scenario(
        &server,
        "console-member.mjs",
        &[
            ("MSCOMMERCE_USERNAME", &member),
            ("MSCOMMERCE_PASSWORD", USER_PASSWORD),
            ("MSCOMMERCE_BLOCKED_PRODUCT", PROJECT),
            ("MSCOMMERCE_TRIALS_PRODUCT", VIVA_GOALS),
            ("MSCOMMERCE_COLLEAGUE", &colleague),
        ],
    )
    .await;
    let bought = server
        .get("/v1.0/subscriptions?purchaseType=selfService", &admin)
        .await;
    let mine: Vec<&Value> = bought.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["purchaser"]["userPrincipalName"] == member.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["quantity"], 5);
    assert_eq!(mine[0]["autoRenew"], false);
    assert_ne!(mine[0]["status"], "Active");
    assert_eq!(mine[0]["cancellationReason"], "NoLongerNeeded");
}

#[tokio::test]
async fn a_global_reader_sees_the_admin_pages_read_only_and_is_refused_the_actions() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let (id, _) = self_service(&server, &tenant, "ann@contoso.onmicrosoft.com", 1).await;
    let reader = server.create_user(
        &tenant,
        "reader@contoso.onmicrosoft.com",
        &[roles::GLOBAL_READER],
    );
    run_scenario(
        &server,
        "console-reader.mjs",
        &[
            ("MSCOMMERCE_USERNAME", &reader),
            ("MSCOMMERCE_PASSWORD", USER_PASSWORD),
            (
                "MSCOMMERCE_SUBSCRIPTION_PATH",
                &format!("/console/billing/subscriptions/{id}"),
            ),
        ],
    )
    .await;
    assert_eq!(
        server.get(&product_path(POWER_BI), &admin).await.json["policyValue"],
        "Enabled"
    );
    assert_eq!(subscription(&server, &admin, &id).await["status"], "Active");
}

#[tokio::test]
async fn a_form_without_the_consoles_csrf_token_is_refused_and_changes_nothing() {
    let server = Server::start().await;
    let admin = server.admin_token().await;
    run_scenario(&server, "console-csrf.mjs", &[]).await;
    assert_eq!(
        server.get(&product_path(POWER_BI), &admin).await.json["policyValue"],
        "Enabled"
    );
    let events = server.get("/v1.0/auditLogs/policyChanges", &admin).await;
    assert_eq!(events.json["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_console_works_with_the_keyboard_alone_on_a_narrow_window() {
    let server = Server::start().await;
    let admin = server.admin_token().await;
    // A subscription, so that Your products shows a time to read in the browser's locale.
    central(&server, &admin, 1).await;
    run_scenario(&server, "console-keyboard.mjs", &[]).await;
    assert_eq!(
        server.get(&product_path(POWER_BI), &admin).await.json["policyValue"],
        "Disabled"
    );
}

#[tokio::test]
async fn a_license_request_walks_from_the_members_refusal_to_the_admins_approval_and_email() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    for product in [POWER_BI, PROJECT] {
        server
            .put(
                &product_path(product),
                &admin,
                json!({"policyValue": "Disabled"}),
            )
            .await
            .expect(200, None);
    }
    let source = central(&server, &admin, 3).await;
    let member = server.create_user(&tenant, "frank@contoso.onmicrosoft.com", &[]);
    run_scenario(
        &server,
        "console-license-request.mjs",
        &[
            ("MSCOMMERCE_MEMBER", &member),
            ("MSCOMMERCE_MEMBER_PASSWORD", USER_PASSWORD),
            ("MSCOMMERCE_OTHER_BLOCKED", PROJECT),
        ],
    )
    .await;
    let held = subscription(&server, &admin, &source).await;
    assert_eq!(held["assignedCount"], 1);
    assert_eq!(
        held["assignedUsers"][0]["userPrincipalName"],
        member.as_str()
    );
    let mail = server
        .wait_for_emails("Your request for Power BI Pro was answered", 1)
        .await;
    assert!(mail[0].contains(&format!("To: {member}")), "{}", mail[0]);
    assert!(
        mail[0].contains("Approved: enjoy the dashboards"),
        "{}",
        mail[0]
    );
    let settings = server.get("/v1.0/licenseRequestSettings", &admin).await;
    assert_eq!(settings.json["useOrganizationProcess"], true);
    assert_eq!(settings.json["link"], "https://it.contoso.example/licenses");
}

#[tokio::test]
async fn a_customer_approves_a_partners_request_with_some_roles_and_ends_it() {
    let server = Server::start().await;
    let admin = server.admin_token().await;
    let partner = server.create_tenant("Adatum");
    server.create_user(
        &partner,
        "admin@adatum.onmicrosoft.com",
        &[roles::GLOBAL_ADMINISTRATOR],
    );
    let partner_admin = server
        .user_token("admin@adatum.onmicrosoft.com", USER_PASSWORD)
        .await;
    let asked = server
        .post(
            "/v1.0/partner/relationships",
            &partner_admin,
            json!({"customerTenantId": server.first_tenant(), "roles": ["GlobalReader", "BillingAdministrator"]}),
        )
        .await;
    asked.expect(201, None);
    let id = asked.json["id"].as_str().unwrap().to_string();
    run_scenario(
        &server,
        "console-partner-relationships.mjs",
        &[("MSCOMMERCE_PARTNER", "Adatum")],
    )
    .await;
    let relationship = server
        .get(&format!("/v1.0/partner/relationships/{id}"), &admin)
        .await;
    relationship.expect(200, None);
    assert_eq!(relationship.json["grantedRoles"], json!(["GlobalReader"]));
    assert_eq!(relationship.json["status"], "ended");
    assert!(relationship.json["endDateTime"].is_string());
    assert_eq!(
        relationship.json["approvedBy"],
        relationship.json["endedBy"]
    );
}
