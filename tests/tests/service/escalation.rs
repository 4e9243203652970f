//! No one rises above their role through the users they may manage: a User Administrator manages only users who
//! hold no role it may not manage, so it cannot take over a Global Administrator's account.

use mscommerce_tests::*;
use serde_json::json;

#[tokio::test]
async fn a_user_administrator_cannot_take_over_a_global_administrator() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let admin = server.admin_token().await;
    let admin_id = claims_of(&admin)["oid"].as_str().unwrap().to_string();
    let upn = server.create_user(
        &tenant,
        "useradmin@contoso.onmicrosoft.com",
        &[roles::USER_ADMINISTRATOR],
    );
    let user_admin = server.user_token(&upn, USER_PASSWORD).await;
    let billing_upn = server.create_user(
        &tenant,
        "billing@contoso.onmicrosoft.com",
        &[roles::BILLING_ADMINISTRATOR],
    );
    let billing_id = claims_of(&server.user_token(&billing_upn, USER_PASSWORD).await)["oid"]
        .as_str()
        .unwrap()
        .to_string();

    for (target, change) in [
        (&admin_id, json!({"password": "Taken-Over-Passw0rd-1"})),
        (&admin_id, json!({"accountEnabled": false})),
        (&admin_id, json!({"userType": "Guest"})),
        (&admin_id, json!({"displayName": "Not an admin"})),
        (&billing_id, json!({"password": "Taken-Over-Passw0rd-1"})),
    ] {
        let answer = server
            .patch(
                &format!("/v1.0/users/{target}"),
                &user_admin,
                change.clone(),
            )
            .await;
        answer.expect(403, Some("Forbidden"));
        assert!(
            answer.text.contains("Global Administrator"),
            "the reason names who may: {}",
            answer.text
        );
    }
    // The Global Administrator's password still works, and nothing was changed.
    server.admin_token().await;
    let target = server.get(&format!("/v1.0/users/{admin_id}"), &admin).await;
    target.expect(200, None);
    assert_eq!(target.json["accountEnabled"], true);
    assert_eq!(target.json["userType"], "Member");
    assert_eq!(target.json["displayName"], "Global Administrator");
}

#[tokio::test]
async fn a_user_administrator_still_manages_users_without_admin_roles() {
    let server = Server::start().await;
    let tenant = server.first_tenant();
    let upn = server.create_user(
        &tenant,
        "useradmin@contoso.onmicrosoft.com",
        &[roles::USER_ADMINISTRATOR],
    );
    let user_admin = server.user_token(&upn, USER_PASSWORD).await;
    let (member_id, _) = server
        .member(&tenant, "member@contoso.onmicrosoft.com")
        .await;
    let peer_upn = server.create_user(
        &tenant,
        "peer@contoso.onmicrosoft.com",
        &[roles::USER_ADMINISTRATOR],
    );
    let peer_id = claims_of(&server.user_token(&peer_upn, USER_PASSWORD).await)["oid"]
        .as_str()
        .unwrap()
        .to_string();
    for target in [&member_id, &peer_id] {
        server
            .patch(
                &format!("/v1.0/users/{target}"),
                &user_admin,
                json!({"password": "Reset-By-Admin-Passw0rd", "displayName": "Renamed"}),
            )
            .await
            .expect(200, None);
    }
    server
        .user_token("member@contoso.onmicrosoft.com", "Reset-By-Admin-Passw0rd")
        .await;
    // Giving roles stays the Global Administrator's.
    server
        .patch(
            &format!("/v1.0/users/{member_id}"),
            &user_admin,
            json!({"roles": ["UserAdministrator"]}),
        )
        .await
        .expect(403, Some("Forbidden"));
}
