//! Tenants, users, apps and signing keys.

use super::*;

on_every_backend!(
    tenants_are_created_with_their_audit_event,
    the_first_tenant_is_created_once_whatever_the_concurrency,
    users_are_found_by_sign_in_name_and_listed_in_byte_order,
    user_updates_are_audited_and_never_lose_each_other,
    apps_and_signing_keys,
    tenants_own_their_domains_and_names_stay_inside_them,
    the_migration_gives_existing_tenants_their_domains,
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
                ..Default::default()
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
                    ..Default::default()
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
                        domains: vec![domain("contoso.com")],
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
                domains: vec![domain("contoso.com")],
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
                new_user(contoso, "ALICE@contoso.com", UserType::Guest),
                &actor(),
            )
            .await,
        "a conflict: sign-in names are unique, whatever their case",
        is_conflict,
    );
    // Another tenant does not get as far as the uniqueness rule: the name is not in one of its domains.
    let refused = f
        .store
        .create_user(
            new_user(fabrikam, "ALICE@contoso.com", UserType::Guest),
            &actor(),
        )
        .await
        .expect_err("refused");
    assert!(
        matches!(
            &refused,
            StoreError::Rule { kind: RuleKind::Invalid, code: "UpnDomainNotInTenant", reason }
                if reason.contains("fabrikam.onmicrosoft.com, fabrikam.com") && !reason.contains(&contoso.to_string())
        ),
        "{refused:?}"
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

/// The domains a tenant has, as `(domain, initial)`, initial first.
async fn domains_of(store: &dyn Store, tenant_id: TenantId) -> Vec<(String, bool)> {
    store
        .tenant_domains(tenant_id)
        .await
        .expect("domains")
        .into_iter()
        .map(|d| {
            assert_eq!(d.tenant_id, tenant_id);
            (d.domain.to_string(), d.is_initial)
        })
        .collect()
}

fn is_domain_in_use(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Rule {
            kind: RuleKind::Conflict,
            code: "DomainInUse",
            ..
        }
    )
}

/// A tenant with its initial domain only.
async fn tenant_without_more_domains(f: &Fixture, name: &str) -> Tenant {
    f.store
        .create_tenant(
            NewTenant {
                name: name.into(),
                ..Default::default()
            },
            &actor(),
        )
        .await
        .expect("a tenant")
}

async fn tenants_own_their_domains_and_names_stay_inside_them(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    assert_eq!(
        domains_of(&*f.store, contoso).await,
        [
            ("contoso.onmicrosoft.com".to_string(), true),
            ("contoso.com".to_string(), false)
        ]
    );
    // A second tenant of the same name gets the next initial domain; letters and digits only.
    let second = tenant_without_more_domains(f, "Contoso").await;
    assert_eq!(
        domains_of(&*f.store, second.id).await,
        [("contoso2.onmicrosoft.com".to_string(), true)]
    );
    let events = f.store.audit_events(second.id, None, 10).await.unwrap();
    assert_eq!(
        events[0].new_value.as_deref(),
        Some("domains=contoso2.onmicrosoft.com")
    );
    let odd = tenant_without_more_domains(f, "Wood-Grove & Co").await.id;
    assert_eq!(
        domains_of(&*f.store, odd).await[0],
        ("woodgroveco.onmicrosoft.com".to_string(), true)
    );

    // A domain is one tenant's, whatever its case; the refusal names no other tenant.
    for taken in ["CONTOSO.com", "contoso2.onmicrosoft.com"] {
        let refused = f
            .store
            .add_tenant_domain(odd, domain(taken), &actor())
            .await
            .expect_err("refused");
        assert!(is_domain_in_use(&refused), "{refused:?}");
        let reason = refused.to_string();
        assert!(
            reason.contains("belongs to another organization")
                && !reason.contains(&contoso.to_string())
                && !reason.contains(&second.id.to_string()),
            "{reason}"
        );
    }
    let own = f
        .store
        .add_tenant_domain(contoso, domain("contoso.com"), &actor())
        .await
        .expect_err("refused");
    assert!(
        own.to_string().contains("This organization already has"),
        "{own}"
    );
    // A new tenant that names a taken domain is not created at all.
    expect_error(
        f.store
            .create_tenant(
                NewTenant {
                    name: "Late".into(),
                    domains: vec![domain("contoso.com")],
                    ..Default::default()
                },
                &actor(),
            )
            .await,
        "the domain in use",
        is_domain_in_use,
    );
    assert_eq!(f.store.tenants().await.unwrap().len(), 3);
    expect_error(
        f.store
            .add_tenant_domain(TenantId::generate(), domain("nobody.test"), &actor())
            .await,
        "no such tenant",
        is_not_found,
    );

    // Added domains take sign-in names at once, and only in their tenant.
    let added = f
        .store
        .add_tenant_domain(odd, domain("Wood-Grove.example"), &actor())
        .await
        .unwrap();
    assert_eq!(
        (added.domain.as_str(), added.is_initial),
        ("wood-grove.example", false)
    );
    assert_eq!(
        actions_of(f, odd).await,
        [actions::DOMAIN_ADDED, actions::TENANT_CREATED]
    );
    member(f, odd, "Ann@WOOD-GROVE.example").await;
    member(f, odd, "ann@woodgroveco.onmicrosoft.com").await;
    for (tenant_id, upn) in [
        (contoso, "bob@wood-grove.example"),
        (odd, "bob@sub.wood-grove.example"),
        (odd, "bob@contoso.com"),
    ] {
        let refused = f
            .store
            .create_user(new_user(tenant_id, upn, UserType::Member), &actor())
            .await
            .expect_err("refused");
        assert!(
            matches!(
                refused,
                StoreError::Rule {
                    code: "UpnDomainNotInTenant",
                    ..
                }
            ),
            "{upn}: {refused:?}"
        );
    }
}

/// A database from before domains: the migration gives each tenant its initial domain and its users' domains,
/// a domain used by two tenants to the one created first.
async fn the_migration_gives_existing_tenants_their_domains(f: &Fixture) {
    let contoso = TenantId::generate();
    let fabrikam = TenantId::generate();
    let later_contoso = TenantId::generate();
    f.execute(&format!(
        "DROP TABLE tenant_domains; DELETE FROM schema_migrations WHERE name = 'tenant_domains'; \
         INSERT INTO tenants (id, name, created_at) VALUES \
           ('{contoso}', 'Contoso', '2024-01-01T00:00:00.000Z'), \
           ('{fabrikam}', 'Fabrikam', '2024-02-01T00:00:00.000Z'), \
           ('{later_contoso}', 'Contoso', '2024-03-01T00:00:00.000Z'); \
         INSERT INTO users (id, tenant_id, upn, display_name, user_type, roles, created_at) VALUES \
           ('{}', '{contoso}', 'admin@contoso.onmicrosoft.com', 'A', 'Member', '', '2024-01-01T00:00:00.000Z'), \
           ('{}', '{contoso}', 'ann@contoso.com', 'A', 'Member', '', '2024-01-01T00:00:00.000Z'), \
           ('{}', '{fabrikam}', 'fay@fabrikam.com', 'F', 'Member', '', '2024-02-01T00:00:00.000Z'), \
           ('{}', '{fabrikam}', 'fred@contoso.com', 'F', 'Member', '', '2024-02-01T00:00:00.000Z'), \
           ('{}', '{fabrikam}', 'mallory@contoso.onmicrosoft.com', 'M', 'Member', '', '2024-02-01T00:00:00.000Z'), \
           ('{}', '{later_contoso}', 'odd@nodot', 'O', 'Member', '', '2024-03-01T00:00:00.000Z')",
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    ))
    .await
    .expect("a database from before domains");
    let store = open(&f.url, true).await.expect("migrated");
    let owned = |list: &[(&str, bool)]| {
        list.iter()
            .map(|&(d, initial)| (d.to_string(), initial))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        domains_of(&*store, contoso).await,
        owned(&[("contoso.onmicrosoft.com", true), ("contoso.com", false)])
    );
    assert_eq!(
        domains_of(&*store, fabrikam).await,
        owned(&[("fabrikam.onmicrosoft.com", true), ("fabrikam.com", false)])
    );
    assert_eq!(
        domains_of(&*store, later_contoso).await,
        owned(&[("contoso2.onmicrosoft.com", true)])
    );
    // The users are kept; from now on names follow the domains.
    assert!(store
        .user_by_upn("mallory@contoso.onmicrosoft.com")
        .await
        .unwrap()
        .is_some());
    store
        .create_user(
            new_user(contoso, "new@contoso.com", UserType::Member),
            &actor(),
        )
        .await
        .expect("in its own domain");
    let refused = store
        .create_user(
            new_user(fabrikam, "new2@contoso.com", UserType::Member),
            &actor(),
        )
        .await
        .expect_err("refused");
    assert!(
        matches!(
            refused,
            StoreError::Rule {
                code: "UpnDomainNotInTenant",
                ..
            }
        ),
        "{refused:?}"
    );
    open(&f.url, false).await.expect("the schema is current");
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
