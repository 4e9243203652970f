//! Tenants by domain, their password grant choice, apps' certificates, and the client assertions seen.

use super::*;

on_every_backend!(
    a_domain_names_its_tenant_in_any_case,
    a_tenant_chooses_about_the_password_grant_audited,
    certificates_are_added_found_listed_and_removed_audited,
    a_client_assertion_is_accepted_once,
);

async fn a_domain_names_its_tenant_in_any_case(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    for (name, owner) in [
        ("contoso.onmicrosoft.com", contoso),
        ("CONTOSO.com", contoso),
        ("fabrikam.onmicrosoft.com", fabrikam),
    ] {
        assert_eq!(
            f.store.tenant_by_domain(name).await.unwrap(),
            Some(owner),
            "{name}"
        );
    }
    assert_eq!(
        f.store.tenant_by_domain("nowhere.example").await.unwrap(),
        None
    );
}

async fn a_tenant_chooses_about_the_password_grant_audited(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    assert_eq!(f.store.tenant_password_grant(contoso).await.unwrap(), None);
    for choice in [Some(false), Some(true), None] {
        f.store
            .set_tenant_password_grant(contoso, choice, &actor())
            .await
            .unwrap();
        assert_eq!(
            f.store.tenant_password_grant(contoso).await.unwrap(),
            choice
        );
    }
    f.store
        .set_tenant_password_grant(contoso, Some(false), &actor())
        .await
        .unwrap();
    assert_eq!(
        f.store.tenant_password_grant(fabrikam).await.unwrap(),
        None,
        "only that tenant"
    );
    let events = f.store.audit_events(contoso, None, 10).await.unwrap();
    let changes: Vec<(Option<&str>, Option<&str>)> = events
        .iter()
        .filter(|e| e.action == actions::TENANT_SETTING_CHANGED)
        .map(|e| (e.old_value.as_deref(), e.new_value.as_deref()))
        .collect();
    assert_eq!(
        changes,
        vec![
            (Some("passwordGrant=default"), Some("passwordGrant=off")),
            (Some("passwordGrant=on"), Some("passwordGrant=default")),
            (Some("passwordGrant=off"), Some("passwordGrant=on")),
            (Some("passwordGrant=default"), Some("passwordGrant=off")),
        ],
        "newest first"
    );
    expect_error(
        f.store
            .set_tenant_password_grant(TenantId::generate(), Some(true), &actor())
            .await,
        "not found",
        is_not_found,
    );
}

async fn app(f: &Fixture, tenant_id: TenantId) -> App {
    f.store
        .create_app(
            NewApp {
                tenant_id,
                display_name: "Unattended".into(),
                secret_hash: "$argon2id$secret".into(),
                permissions: vec!["Policy.Read.AllowSelfServicePurchase".into()],
            },
            &actor(),
        )
        .await
        .expect("an app")
}

fn certificate(client_id: Uuid, sha1: &str) -> NewAppCertificate {
    NewAppCertificate {
        client_id,
        thumbprint_sha1: sha1.into(),
        thumbprint_sha256: format!("{sha1}-256"),
        der: vec![0x30, 0x82, 1, 2, 3, 255],
        not_before: Utc::now() - chrono::Duration::days(1),
        not_after: Utc::now() + chrono::Duration::days(30),
        display_name: format!("CN={sha1}"),
    }
}

async fn certificates_are_added_found_listed_and_removed_audited(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let robot = app(f, contoso).await;
    let other = app(f, contoso).await;
    let first = f
        .store
        .add_app_certificate(certificate(robot.client_id, "one"), &actor())
        .await
        .unwrap();
    let second = f
        .store
        .add_app_certificate(certificate(robot.client_id, "two"), &actor())
        .await
        .unwrap();
    assert_eq!(first.der, vec![0x30, 0x82, 1, 2, 3, 255]);
    // The same certificate for the same app is a conflict; for another app it is that app's.
    expect_error(
        f.store
            .add_app_certificate(certificate(robot.client_id, "one"), &actor())
            .await,
        "a conflict",
        is_conflict,
    );
    f.store
        .add_app_certificate(certificate(other.client_id, "one"), &actor())
        .await
        .unwrap();
    expect_error(
        f.store
            .add_app_certificate(certificate(Uuid::new_v4(), "x"), &actor())
            .await,
        "not found",
        is_not_found,
    );

    // Stored to the millisecond: compare what was kept, and the set (two added in one millisecond order by key).
    let listed = f.store.app_certificates(robot.client_id).await.unwrap();
    let mut keys: Vec<Uuid> = listed.iter().map(|c| c.key_id).collect();
    keys.sort();
    let mut expected = vec![first.key_id, second.key_id];
    expected.sort();
    assert_eq!(keys, expected);
    let stored_first = listed.iter().find(|c| c.key_id == first.key_id).unwrap();
    assert_eq!(
        (
            stored_first.thumbprint_sha1.as_str(),
            stored_first.thumbprint_sha256.as_str(),
            stored_first.der.as_slice(),
            stored_first.display_name.as_str(),
            stored_first.not_after.timestamp_millis(),
        ),
        (
            "one",
            "one-256",
            first.der.as_slice(),
            "CN=one",
            first.not_after.timestamp_millis()
        )
    );
    for thumbprint in ["one", "one-256"] {
        let found = f
            .store
            .app_certificate_by_thumbprint(robot.client_id, thumbprint)
            .await
            .unwrap();
        assert_eq!(found.map(|c| c.key_id), Some(first.key_id), "{thumbprint}");
    }
    assert_eq!(
        f.store
            .app_certificate_by_thumbprint(robot.client_id, "three")
            .await
            .unwrap(),
        None
    );
    // Found by the app it belongs to only.
    let others = f
        .store
        .app_certificate_by_thumbprint(other.client_id, "one")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(others.key_id, first.key_id);

    assert!(f
        .store
        .remove_app_certificate(robot.client_id, first.key_id, &actor())
        .await
        .unwrap());
    assert!(!f
        .store
        .remove_app_certificate(robot.client_id, first.key_id, &actor())
        .await
        .unwrap());
    // Another app's key ID removes nothing.
    assert!(!f
        .store
        .remove_app_certificate(other.client_id, second.key_id, &actor())
        .await
        .unwrap());
    let left: Vec<Uuid> = f
        .store
        .app_certificates(robot.client_id)
        .await
        .unwrap()
        .iter()
        .map(|c| c.key_id)
        .collect();
    assert_eq!(left, vec![second.key_id]);
    let actions = actions_of(f, contoso).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == actions::APP_CREDENTIAL_ADDED)
            .count(),
        3
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == actions::APP_CREDENTIAL_REMOVED)
            .count(),
        1,
        "a removal that removed nothing is not audited"
    );
}

async fn a_client_assertion_is_accepted_once(f: &Fixture) {
    let client = Uuid::new_v4();
    let now = 1_000_000;
    assert!(f
        .store
        .accept_client_assertion(client, "jti-1", now + 600, now)
        .await
        .unwrap());
    assert!(!f
        .store
        .accept_client_assertion(client, "jti-1", now + 600, now + 1)
        .await
        .unwrap());
    // Another client's jti is its own; another store on the same database (a replica) sees the first.
    assert!(f
        .store
        .accept_client_assertion(Uuid::new_v4(), "jti-1", now + 600, now)
        .await
        .unwrap());
    let replica = f.another().await;
    assert!(!replica
        .accept_client_assertion(client, "jti-1", now + 600, now + 2)
        .await
        .unwrap());
    // Once expired the row is forgotten, and the assertion itself would be refused for its exp.
    assert!(f
        .store
        .accept_client_assertion(client, "jti-1", now + 7200, now + 700)
        .await
        .unwrap());
}
