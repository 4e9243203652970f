//! Tenants, users, apps and signing keys.

use super::*;

on_every_backend!(
    tenants_are_created_with_their_audit_event,
    the_first_tenant_is_created_once_whatever_the_concurrency,
    users_are_found_by_sign_in_name_and_listed_in_byte_order,
    user_updates_are_audited_and_never_lose_each_other,
    apps_and_signing_keys,
    signing_keys_are_rotated_sealed_and_removed,
);

async fn tenants_are_created_with_their_audit_event(f: &Fixture) {
    let id = TenantId::generate();
    let created = f
        .store
        .create_tenant(
            NewTenant {
                id: Some(id),
                name: "Contoso".into(),
            },
            &actor(),
        )
        .await
        .expect("created");
    assert_eq!((created.id, created.name.as_str()), (id, "Contoso"));
    let stored = f.store.tenant(id).await.unwrap().expect("found");
    // Both backends answer the creation time to the nanosecond and store it to the millisecond.
    assert_eq!(
        (
            stored.id,
            stored.name.as_str(),
            stored.created_at.timestamp_millis()
        ),
        (id, "Contoso", created.created_at.timestamp_millis())
    );
    assert_eq!(f.store.tenant(TenantId::generate()).await.unwrap(), None);
    expect_error(
        f.store
            .create_tenant(
                NewTenant {
                    id: Some(id),
                    name: "Again".into(),
                },
                &actor(),
            )
            .await,
        "a conflict",
        is_conflict,
    );
    let second = tenant(f, "Fabrikam").await;
    let all: Vec<TenantId> = f
        .store
        .tenants()
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(all.len(), 2);
    assert!(all.contains(&id) && all.contains(&second));

    let events = f.store.audit_events(id, None, 10).await.unwrap();
    assert_eq!(events.len(), 1, "the failed second create wrote nothing");
    let event = &events[0];
    assert_eq!(event.action, actions::TENANT_CREATED);
    assert_eq!(event.target_id, id.to_string());
    assert_eq!(event.target_name, "Contoso");
    assert_eq!(
        (event.actor_id.as_str(), event.actor_type.as_str()),
        ("user:test", "User")
    );
}

async fn the_first_tenant_is_created_once_whatever_the_concurrency(f: &Fixture) {
    let tasks = (0..8).map(|i| {
        let store = Arc::clone(&f.store);
        tokio::spawn(async move {
            store
                .create_first_tenant(
                    NewTenant {
                        id: None,
                        name: format!("First {i}"),
                    },
                    new_user(
                        TenantId(Uuid::nil()),
                        &format!("admin{i}@contoso.com"),
                        UserType::Member,
                    ),
                    &actor(),
                )
                .await
        })
    });
    let results = futures_util::future::join_all(tasks).await;
    let created: Vec<(Tenant, User)> = results
        .into_iter()
        .filter_map(|r| r.expect("task").expect("no error"))
        .collect();
    assert_eq!(created.len(), 1);
    let (tenant, admin) = &created[0];
    assert_eq!(admin.tenant_id, tenant.id);
    assert_eq!(f.store.tenants().await.unwrap().len(), 1);
    assert_eq!(
        f.store.users(tenant.id, None, 100).await.unwrap().len(),
        1,
        "one administrator"
    );
    let later = f
        .store
        .create_first_tenant(
            NewTenant {
                id: None,
                name: "Later".into(),
            },
            new_user(TenantId(Uuid::nil()), "later@contoso.com", UserType::Member),
            &actor(),
        )
        .await
        .unwrap();
    assert!(later.is_none());
    assert_eq!(
        actions_of(f, tenant.id).await,
        vec![actions::USER_CREATED, actions::TENANT_CREATED]
    );
}

async fn users_are_found_by_sign_in_name_and_listed_in_byte_order(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let alice = f
        .store
        .create_user(
            NewUser {
                roles: vec!["role-a".into(), "role-b".into()],
                password_hash: Some("$argon2id$hash".into()),
                ..new_user(contoso, "Alice@Contoso.com", UserType::Member)
            },
            &actor(),
        )
        .await
        .expect("created");
    assert_eq!(alice.upn, "alice@contoso.com", "stored lowercase");
    assert!(alice.account_enabled);
    let found = f
        .store
        .user_by_upn("ALICE@contoso.COM")
        .await
        .unwrap()
        .expect("found without regard to case");
    assert_eq!(found.id, alice.id);
    assert_eq!(found.roles, vec!["role-a", "role-b"]);
    assert_eq!(found.password_hash.as_deref(), Some("$argon2id$hash"));
    assert_eq!(found.user_type, UserType::Member);
    assert!(f
        .store
        .user_by_upn("nobody@contoso.com")
        .await
        .unwrap()
        .is_none());

    expect_error(
        f.store
            .create_user(
                new_user(fabrikam, "ALICE@contoso.com", UserType::Guest),
                &actor(),
            )
            .await,
        "a conflict: sign-in names are unique across tenants",
        is_conflict,
    );
    expect_error(
        f.store
            .create_user(
                new_user(TenantId::generate(), "bob@contoso.com", UserType::Member),
                &actor(),
            )
            .await,
        "no such tenant",
        is_not_found,
    );
    assert!(f.store.user(contoso, alice.id).await.unwrap().is_some());
    assert!(
        f.store.user(fabrikam, alice.id).await.unwrap().is_none(),
        "another tenant's user is not found"
    );

    // Names whose order differs between byte order and a language's collation.
    for upn in [
        "user1@contoso.com",
        "user10@contoso.com",
        "user2@contoso.com",
        "user.b@contoso.com",
        "user_b@contoso.com",
        "user-b@contoso.com",
        "zoe@contoso.com",
    ] {
        member(f, contoso, upn).await;
    }
    let everyone: Vec<String> = f
        .store
        .users(contoso, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.upn)
        .collect();
    assert_eq!(everyone.len(), 8);
    assert_eq!(everyone, sorted(everyone.clone()), "byte order");
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = f.store.users(contoso, after.as_deref(), 3).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|u| u.upn.clone());
        paged.extend(page.into_iter().map(|u| u.upn));
    }
    assert_eq!(paged, everyone, "pages follow the same order");
    assert!(f.store.users(fabrikam, None, 100).await.unwrap().is_empty());
    assert_eq!(
        actions_of(f, contoso)
            .await
            .iter()
            .filter(|a| *a == actions::USER_CREATED)
            .count(),
        8
    );
}

async fn user_updates_are_audited_and_never_lose_each_other(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let alice = member(f, contoso, "alice@contoso.com").await;
    let updated = f
        .store
        .update_user(
            contoso,
            alice.id,
            UserUpdate {
                display_name: Some("Alice Liddell".into()),
                account_enabled: Some(false),
                roles: Some(vec!["r1".into(), "r2".into()]),
                ..UserUpdate::default()
            },
            &actor(),
        )
        .await
        .expect("updated");
    assert_eq!(updated.display_name, "Alice Liddell");
    assert!(!updated.account_enabled);
    let stored = f.store.user(contoso, alice.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.display_name, stored.account_enabled, stored.roles),
        (
            "Alice Liddell".to_string(),
            false,
            vec!["r1".to_string(), "r2".to_string()]
        )
    );
    let events = f.store.audit_events(contoso, None, 1).await.unwrap();
    assert_eq!(events[0].action, actions::USER_UPDATED);
    assert_eq!(events[0].target_id, alice.id.to_string());
    let new_value = events[0].new_value.clone().unwrap_or_default();
    assert!(
        new_value.contains("displayName=Alice Liddell")
            && new_value.contains("accountEnabled=false")
            && new_value.contains("roles=r1 r2"),
        "{new_value}"
    );
    expect_error(
        f.store
            .update_user(fabrikam, alice.id, UserUpdate::default(), &actor())
            .await,
        "not found in another tenant",
        is_not_found,
    );

    // Four updates of four different fields at once, through two stores: each keeps the others' change.
    let other = f.another().await;
    let users = members(f, contoso, "racer", 6).await;
    for user in &users {
        let updates = [
            UserUpdate {
                display_name: Some("Renamed".into()),
                ..UserUpdate::default()
            },
            UserUpdate {
                roles: Some(vec!["role".into()]),
                ..UserUpdate::default()
            },
            UserUpdate {
                account_enabled: Some(false),
                ..UserUpdate::default()
            },
            UserUpdate {
                password_hash: Some("hash".into()),
                ..UserUpdate::default()
            },
        ];
        let tasks = updates.into_iter().enumerate().map(|(i, update)| {
            let store = if i % 2 == 0 {
                Arc::clone(&f.store)
            } else {
                Arc::clone(&other)
            };
            let id = user.id;
            tokio::spawn(async move { store.update_user(contoso, id, update, &actor()).await })
        });
        for result in futures_util::future::join_all(tasks).await {
            result.expect("task").expect("updated");
        }
        let stored = f.store.user(contoso, user.id).await.unwrap().unwrap();
        assert_eq!(stored.display_name, "Renamed");
        assert_eq!(stored.roles, vec!["role"]);
        assert!(!stored.account_enabled);
        assert_eq!(stored.password_hash.as_deref(), Some("hash"));
    }
}

async fn apps_and_signing_keys(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let app = f
        .store
        .create_app(
            NewApp {
                tenant_id: contoso,
                display_name: "Baseline".into(),
                secret_hash: "$argon2id$secret".into(),
                permissions: vec!["Policy.Read.AllowSelfServicePurchase".into()],
            },
            &actor(),
        )
        .await
        .expect("created");
    let found = f.store.app(app.client_id).await.unwrap().expect("found");
    assert_eq!(
        (
            found.object_id,
            found.tenant_id,
            found.display_name.as_str()
        ),
        (app.object_id, contoso, "Baseline")
    );
    assert_eq!(
        found.permissions,
        vec!["Policy.Read.AllowSelfServicePurchase"]
    );
    assert!(f.store.app(Uuid::new_v4()).await.unwrap().is_none());
    expect_error(
        f.store
            .create_app(
                NewApp {
                    tenant_id: TenantId::generate(),
                    display_name: "Nowhere".into(),
                    secret_hash: "x".into(),
                    permissions: Vec::new(),
                },
                &actor(),
            )
            .await,
        "no such tenant",
        is_not_found,
    );
    assert_eq!(actions_of(f, contoso).await[0], actions::APP_CREATED);

    let key = |kid: &str| NewSigningKey {
        kid: kid.into(),
        algorithm: "EdDSA".into(),
        private_key: format!("private of {kid}"),
        public_key: format!("public of {kid}"),
        activates_at: Utc::now(),
    };
    assert!(f.store.signing_keys().await.unwrap().is_empty());
    let first = f.store.add_first_signing_key(key("a-first")).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(
        (first[0].kid.as_str(), first[0].private_key.as_str()),
        ("a-first", "private of a-first")
    );
    let again = f.store.add_first_signing_key(key("b-late")).await.unwrap();
    assert_eq!(again, first, "a database with a key keeps it");
    expect_error(
        f.store.add_signing_key(key("a-first")).await,
        "a conflict",
        is_conflict,
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    f.store
        .add_signing_key(key("z-rotated"))
        .await
        .expect("a second key");
    let kids: Vec<String> = f
        .store
        .signing_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert_eq!(kids, vec!["a-first", "z-rotated"], "oldest first");
}

async fn signing_keys_are_rotated_sealed_and_removed(f: &Fixture) {
    let key = |kid: &str, activates_at| NewSigningKey {
        kid: kid.into(),
        algorithm: "EdDSA".into(),
        private_key: format!("clear {kid}"),
        public_key: format!("public of {kid}"),
        activates_at,
    };
    let now = Utc::now();
    f.store
        .add_first_signing_key(key("z-first", now))
        .await
        .unwrap();
    // Rotated: a later activation comes later in the list, whatever its kid.
    f.store
        .add_signing_key(key("a-next", now + chrono::Duration::seconds(600)))
        .await
        .unwrap();
    let keys = f.store.signing_keys().await.unwrap();
    let listed: Vec<(&str, i64)> = keys
        .iter()
        .map(|k| (k.kid.as_str(), k.activates_at.timestamp_millis()))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("z-first", now.timestamp_millis()),
            (
                "a-next",
                (now + chrono::Duration::seconds(600)).timestamp_millis()
            )
        ]
    );

    // Sealing is a compare-and-set: the second of two replicas finds the key sealed already.
    assert!(f
        .store
        .replace_private_key("z-first", "clear z-first", "sealed one")
        .await
        .unwrap());
    assert!(!f
        .store
        .replace_private_key("z-first", "clear z-first", "sealed two")
        .await
        .unwrap());
    assert!(!f
        .store
        .replace_private_key("nobody", "clear z-first", "sealed")
        .await
        .unwrap());
    let keys = f.store.signing_keys().await.unwrap();
    assert_eq!(keys[0].private_key, "sealed one");
    assert_eq!(keys[1].private_key, "clear a-next");

    // Removal is idempotent.
    assert!(f.store.remove_signing_key("z-first").await.unwrap());
    assert!(!f.store.remove_signing_key("z-first").await.unwrap());
    let kids: Vec<String> = f
        .store
        .signing_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert_eq!(kids, vec!["a-next"]);
}
