//! License requests over REST: a member the policy refuses asks (with colleagues), an admin approves from a central
//! subscription or denies, once, also when several answer at the same moment; everyone is told by email; the
//! organization's own request process; sharing; the retention of answered requests.

use mscommerce_tests::*;
use serde_json::{json, Value};

const POWER_BI: &str = "CFQ7TTC0H9MP";

struct Org {
    tenant: String,
    admin: String,
    member_id: String,
    member: String,
    colleague_id: String,
}

/// An organization whose policy does not allow Power BI Pro, with a member and a colleague.
async fn org(server: &Server) -> Org {
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    server
        .put(
            &product_path(POWER_BI),
            &admin,
            json!({"policyValue": "Disabled"}),
        )
        .await
        .expect(200, None);
    let (member_id, member) = server.member(&tenant, "ann@contoso.onmicrosoft.com").await;
    let (colleague_id, _) = server.member(&tenant, "bob@contoso.onmicrosoft.com").await;
    Org {
        tenant,
        admin,
        member_id,
        member,
        colleague_id,
    }
}

async fn request(server: &Server, org: &Org) -> String {
    let made = server
        .post(
            "/v1.0/me/licenseRequests",
            &org.member,
            json!({"productId": POWER_BI, "message": "For the sales dashboards", "userIds": [org.colleague_id]}),
        )
        .await;
    made.expect(201, None);
    made.json["id"].as_str().unwrap().to_string()
}

async fn central(server: &Server, org: &Org, quantity: i64) -> String {
    let bought = server
        .post(
            "/v1.0/subscriptions",
            &org.admin,
            json!({"productId": POWER_BI, "quantity": quantity}),
        )
        .await;
    bought.expect(201, None);
    bought.json["id"].as_str().unwrap().to_string()
}

fn outcomes(request: &Value) -> Vec<(String, String)> {
    request["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["userPrincipalName"].as_str().unwrap().to_string(),
                u["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_refused_member_asks_and_an_admin_approves_from_a_central_subscription() {
    let server = Server::start().await;
    let org = org(&server).await;
    let decision = server
        .get(
            &format!("/v1.0/acquisitionDecisions?productId={POWER_BI}&kind=Purchase"),
            &org.member,
        )
        .await;
    decision.expect(200, None);
    assert_eq!(decision.json["allowed"], false);
    assert_eq!(decision.json["licenseRequestPossible"], true);

    let id = request(&server, &org).await;
    let again = server
        .post(
            "/v1.0/me/licenseRequests",
            &org.member,
            json!({"productId": POWER_BI}),
        )
        .await;
    again.expect(409, Some("LicenseRequestExists"));
    let mine = server.get("/v1.0/me/licenseRequests", &org.member).await;
    assert_eq!(mine.json["items"][0]["id"], id.as_str());
    assert_eq!(mine.json["items"][0]["status"], "Pending");
    assert_eq!(mine.json["items"][0]["message"], "For the sales dashboards");

    // License Administrators answer; Global Readers read; other roles neither.
    let license_admin = server.create_user(
        &org.tenant,
        "lic@contoso.onmicrosoft.com",
        &[roles::LICENSE_ADMINISTRATOR],
    );
    let license_admin = server.user_token(&license_admin, USER_PASSWORD).await;
    let reader = server.create_user(
        &org.tenant,
        "reader@contoso.onmicrosoft.com",
        &[roles::GLOBAL_READER],
    );
    let reader = server.user_token(&reader, USER_PASSWORD).await;
    let billing = server.create_user(
        &org.tenant,
        "billing@contoso.onmicrosoft.com",
        &[roles::BILLING_ADMINISTRATOR],
    );
    let billing = server.user_token(&billing, USER_PASSWORD).await;
    let pending = server
        .get("/v1.0/licenseRequests?status=pending", &reader)
        .await;
    pending.expect(200, None);
    assert_eq!(pending.json["items"].as_array().unwrap().len(), 1);
    server
        .get("/v1.0/licenseRequests", &billing)
        .await
        .expect(403, Some("Forbidden"));
    let approve = format!("/v1.0/licenseRequests/{id}/approve");
    server
        .post(&approve, &reader, json!({}))
        .await
        .expect(403, Some("Forbidden"));
    server
        .get(&format!("/v1.0/licenseRequests/{id}"), &billing)
        .await
        .expect(403, Some("Forbidden"));

    // No central subscription yet; then one with too few licenses for both users.
    server
        .post(&approve, &license_admin, json!({}))
        .await
        .expect(409, Some("NoCentralSubscription"));
    let subscription = central(&server, &org, 1).await;
    let short = server.post(&approve, &license_admin, json!({})).await;
    short.expect(409, Some("NotEnoughLicenses"));
    assert!(
        short.json["reason"]
            .as_str()
            .unwrap()
            .contains("1 more are needed"),
        "{}",
        short.text
    );

    // Approved for the requester only.
    let approved = server
        .post(
            &approve,
            &license_admin,
            json!({"userIds": [org.member_id], "message": "Approved for the quarter"}),
        )
        .await;
    approved.expect(200, None);
    assert_eq!(approved.json["status"], "Approved");
    assert_eq!(approved.json["subscriptionId"], subscription.as_str());
    assert_eq!(
        outcomes(&approved.json),
        [
            ("ann@contoso.onmicrosoft.com".into(), "Approved".into()),
            ("bob@contoso.onmicrosoft.com".into(), "NotApproved".into())
        ]
    );
    let held = server
        .get(&format!("/v1.0/subscriptions/{subscription}"), &org.admin)
        .await;
    assert_eq!(held.json["assignedCount"], 1);
    assert_eq!(
        held.json["assignedUsers"][0]["userPrincipalName"],
        "ann@contoso.onmicrosoft.com"
    );
    let mail = server
        .wait_for_emails("Your request for Power BI Pro was answered", 2)
        .await;
    assert!(mail.iter().all(|m| m.contains("Approved for the quarter")));
    assert!(mail
        .iter()
        .any(|m| m.contains("To: ann@contoso.onmicrosoft.com")));
    assert!(mail
        .iter()
        .any(|m| m.contains("To: bob@contoso.onmicrosoft.com")));

    // Answered once.
    server
        .post(
            &format!("/v1.0/licenseRequests/{id}/deny"),
            &org.admin,
            json!({}),
        )
        .await
        .expect(409, Some("LicenseRequestAnswered"));
    let events = server.get("/v1.0/auditLogs/events", &org.admin).await;
    let actions: Vec<&str> = events.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "LicenseRequested",
        "LicenseRequestApproved",
        "LicensesAssigned",
    ] {
        assert!(actions.contains(&action), "{action}: {actions:?}");
    }
    // The member may ask again now that the first request is answered.
    server
        .post(
            "/v1.0/me/licenseRequests",
            &org.member,
            json!({"productId": POWER_BI}),
        )
        .await
        .expect(201, None);
}

#[tokio::test]
async fn a_denial_tells_every_user_and_completed_requests_are_listed_apart() {
    let server = Server::start().await;
    let org = org(&server).await;
    let id = request(&server, &org).await;
    let denied = server
        .post(
            &format!("/v1.0/licenseRequests/{id}/deny"),
            &org.admin,
            json!({"message": "Use the shared workspace instead"}),
        )
        .await;
    denied.expect(200, None);
    assert_eq!(denied.json["status"], "Denied");
    assert_eq!(
        denied.json["answerMessage"],
        "Use the shared workspace instead"
    );
    assert!(outcomes(&denied.json).iter().all(|(_, o)| o == "Denied"));
    let mail = server
        .wait_for_emails("Your request for Power BI Pro was answered", 2)
        .await;
    assert!(mail
        .iter()
        .all(|m| m.contains("Use the shared workspace instead")));
    let pending = server
        .get("/v1.0/licenseRequests?status=pending", &org.admin)
        .await;
    assert_eq!(pending.json["items"].as_array().unwrap().len(), 0);
    let completed = server
        .get("/v1.0/licenseRequests?status=Completed", &org.admin)
        .await;
    assert_eq!(completed.json["items"][0]["id"], id.as_str());
    server
        .get("/v1.0/licenseRequests?status=open", &org.admin)
        .await
        .expect(400, Some("InvalidQueryParameter"));
}

#[tokio::test]
async fn requests_are_taken_only_for_the_policys_refusals_and_not_when_the_organization_asks_elsewhere(
) {
    let server = Server::start().await;
    let org = org(&server).await;
    // Allowed: nothing to request.
    let visio = "CFQ7TTC0HD33";
    let allowed = server
        .post(
            "/v1.0/me/licenseRequests",
            &org.member,
            json!({"productId": visio}),
        )
        .await;
    allowed.expect(409, Some("LicenseRequestNotNeeded"));
    let earlier = request(&server, &org).await;

    // The organization's own process: members may read it, only admins set it; a bad link is refused.
    let settings = "/v1.0/licenseRequestSettings";
    let read = server.get(settings, &org.member).await;
    read.expect(200, None);
    assert_eq!(read.json["useOrganizationProcess"], false);
    server
        .put(
            settings,
            &org.member,
            json!({"useOrganizationProcess": true, "message": "x", "link": null}),
        )
        .await
        .expect(403, Some("Forbidden"));
    server
        .put(
            settings,
            &org.admin,
            json!({"useOrganizationProcess": true, "message": null, "link": "javascript:alert(1)"}),
        )
        .await
        .expect(400, Some("InvalidRequestProcess"));
    server
        .put(
            settings,
            &org.admin,
            json!({"useOrganizationProcess": true, "message": "Ask through the IT portal.", "link": "https://it.contoso.example/licenses"}),
        )
        .await
        .expect(200, None);
    let (_, carol) = server
        .member(&org.tenant, "carol@contoso.onmicrosoft.com")
        .await;
    let refused = server
        .post(
            "/v1.0/me/licenseRequests",
            &carol,
            json!({"productId": POWER_BI}),
        )
        .await;
    refused.expect(409, Some("OrganizationRequestProcess"));
    let reason = refused.json["reason"].as_str().unwrap();
    assert!(
        reason.contains("Ask through the IT portal.")
            && reason.contains("https://it.contoso.example/licenses"),
        "{reason}"
    );
    // The request made before stays until answered.
    central(&server, &org, 2).await;
    server
        .post(
            &format!("/v1.0/licenseRequests/{earlier}/approve"),
            &org.admin,
            json!({}),
        )
        .await
        .expect(200, None);
    // Bad bodies get the envelope.
    server
        .post(
            "/v1.0/me/licenseRequests",
            &carol,
            json!({"productId": POWER_BI, "userIds": ["not-a-guid"]}),
        )
        .await
        .expect(400, None);
    let app = server.create_app(
        &org.tenant,
        "robot",
        &["Policy.ReadWrite.AllowSelfServicePurchase"],
    );
    let app = server.app_token(&app.0, &app.1).await;
    server
        .post(
            "/v1.0/me/licenseRequests",
            &app,
            json!({"productId": POWER_BI}),
        )
        .await
        .expect(403, Some("OnlyUsersRequest"));
}

#[tokio::test]
async fn answers_given_at_the_same_moment_leave_exactly_one() {
    let server = Server::start().await;
    let org = org(&server).await;
    central(&server, &org, 10).await;
    let id = request(&server, &org).await;
    let mut answers = Vec::new();
    for i in 0..8 {
        let path = if i % 2 == 0 {
            format!("/v1.0/licenseRequests/{id}/approve")
        } else {
            format!("/v1.0/licenseRequests/{id}/deny")
        };
        let http = server.http.clone();
        let url = format!("{}{path}", server.base);
        let token = org.admin.clone();
        answers.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for answer in answers {
        statuses.push(answer.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    let events = server.get("/v1.0/auditLogs/events", &org.admin).await;
    let answered = events.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["action"] == "LicenseRequestApproved" || e["action"] == "LicenseRequestDenied"
        })
        .count();
    assert_eq!(answered, 1);
    let request = server
        .get(&format!("/v1.0/licenseRequests/{id}"), &org.admin)
        .await;
    let licensed = server
        .get("/v1.0/subscriptions?purchaseType=central", &org.admin)
        .await;
    let assigned = licensed.json["items"][0]["assignedCount"].as_i64().unwrap();
    match request.json["status"].as_str().unwrap() {
        "Approved" => assert_eq!(assigned, 2),
        "Denied" => assert_eq!(assigned, 0),
        other => panic!("status {other}"),
    }
    // Two users, one answer: two emails, not more.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let mail = server.wait_for_emails("was answered", 2).await;
    assert_eq!(mail.len(), 2, "{mail:?}");
}

#[tokio::test]
async fn a_request_is_shared_only_with_users_of_the_organization() {
    let server = Server::start().await;
    let org = org(&server).await;
    let id = request(&server, &org).await;
    let other = server.create_tenant("Fabrikam");
    let (stranger, _) = server.member(&other, "eve@fabrikam.onmicrosoft.com").await;
    let (manager, _) = server
        .member(&org.tenant, "manager@contoso.onmicrosoft.com")
        .await;
    let share = format!("/v1.0/licenseRequests/{id}/share");
    server
        .post(&share, &org.admin, json!({"userIds": [stranger]}))
        .await
        .expect(404, Some("UserNotFound"));
    let shared = server
        .post(
            &share,
            &org.admin,
            json!({"userIds": [manager], "message": "Can your budget cover this?"}),
        )
        .await;
    shared.expect(202, None);
    assert_eq!(shared.json["shared"], 1);
    let mail = server.wait_for_emails("needs your decision", 1).await;
    assert!(
        mail[0].contains("To: manager@contoso.onmicrosoft.com"),
        "{}",
        mail[0]
    );
    assert!(mail[0].contains("ann@contoso.onmicrosoft.com"));
    assert!(!server
        .emails()
        .iter()
        .any(|m| m.contains("eve@fabrikam.onmicrosoft.com")));
}

#[tokio::test]
async fn answered_requests_are_deleted_after_their_retention() {
    let server = Server::start_with(&[
        ("MSCOMMERCE_LICENSE_REQUEST_RETENTION_DAYS", "30"),
        ("MSCOMMERCE_LIFECYCLE_INTERVAL_SECONDS", "1"),
    ])
    .await;
    let org = org(&server).await;
    let old = request(&server, &org).await;
    server
        .post(
            &format!("/v1.0/licenseRequests/{old}/deny"),
            &org.admin,
            json!({}),
        )
        .await
        .expect(200, None);
    let (_, carol) = server
        .member(&org.tenant, "carol@contoso.onmicrosoft.com")
        .await;
    let open = server
        .post(
            "/v1.0/me/licenseRequests",
            &carol,
            json!({"productId": POWER_BI}),
        )
        .await;
    open.expect(201, None);
    let db = server.db().await;
    sqlx::query("UPDATE license_requests SET answered_at = $1 WHERE id = $2")
        .bind("2020-01-01T00:00:00.000Z")
        .bind(&old)
        .execute(&db)
        .await
        .unwrap();
    let path = format!("/v1.0/licenseRequests/{old}");
    for _ in 0..50 {
        if server.get(&path, &org.admin).await.status == 404 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    server
        .get(&path, &org.admin)
        .await
        .expect(404, Some("LicenseRequestNotFound"));
    let left = server.get("/v1.0/licenseRequests", &org.admin).await;
    assert_eq!(
        left.json["items"].as_array().unwrap().len(),
        1,
        "the open one stays"
    );
}
