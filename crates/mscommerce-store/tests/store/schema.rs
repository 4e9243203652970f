//! The schema and opening the store: migrations, replicas starting at once, TLS, and replicas that may not change
//! the schema.

use super::changes::next_notice;
use super::*;

on_every_backend!(migrations_are_applied_once_and_edits_are_refused);

async fn migrations_are_applied_once_and_edits_are_refused(f: &Fixture) {
    f.store.ping().await.expect("the database answers");
    open(&f.url, true)
        .await
        .expect("migrating a current database does nothing");
    open(&f.url, false).await.expect("the schema is current");

    // Negated, and negated back below: an edited migration.
    f.execute("UPDATE schema_migrations SET checksum = -checksum WHERE version = 1")
        .await
        .expect("edit");
    for migrate in [true, false] {
        let err = open(&f.url, migrate).await.err().expect("refused");
        assert!(
            matches!(
                err,
                StoreError::Migration(MigrationError::Edited { version: 1, .. })
            ),
            "{err}"
        );
    }
    f.execute("UPDATE schema_migrations SET checksum = -checksum WHERE version = 1")
        .await
        .expect("restore");

    // A migration from a newer version of the program.
    f.execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
         VALUES (9999, 'future', 0, '2030-01-01T00:00:00.000Z')",
    )
    .await
    .expect("insert");
    let err = open(&f.url, true).await.err().expect("refused");
    assert!(
        matches!(
            err,
            StoreError::Migration(MigrationError::Unknown { version: 9999 })
        ),
        "{err}"
    );

    // A database behind this program, opened without migrating.
    f.execute("DELETE FROM schema_migrations WHERE version >= 2")
        .await
        .expect("delete");
    let err = open(&f.url, false).await.err().expect("refused");
    assert!(
        matches!(
            err,
            StoreError::Migration(MigrationError::Pending { at: 1, .. })
        ),
        "{err}"
    );

    let err = open("mysql://localhost/db", true)
        .await
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::UnsupportedUrl { .. }), "{err}");
}

/// Several replicas starting at once on one empty database: every one migrates (or finds the work done), one
/// creates the first tenant, and all end up with the same single signing key.
async fn replicas_starting_at_once(backend: Backend) {
    let Some((url, _cleanup)) = empty_database(backend).await else {
        eprintln!("{POSTGRES_ENV} is not set: skipped on PostgreSQL");
        return;
    };
    const REPLICAS: usize = 6;
    let mut stores: Vec<Arc<dyn Store>> = Vec::new();
    if backend == Backend::Sqlite {
        // The first process creates the file and switches it to WAL mode, which SQLite does not do for several
        // processes at once ("database is locked"); a SQLite file is served by one process anyway.
        stores.push(open(&url, true).await.expect("the first store"));
    }
    let opening = (stores.len()..REPLICAS).map(|_| open(&url, true));
    stores.extend(
        futures_util::future::join_all(opening)
            .await
            .into_iter()
            .map(|s| s.unwrap_or_else(|e| panic!("a replica failed to start: {e}"))),
    );

    let tasks = stores.iter().enumerate().map(|(i, store)| {
        let store = Arc::clone(store);
        tokio::spawn(async move {
            let tenant = NewTenant {
                id: None,
                name: format!("Tenant of replica {i}"),
                domains: vec![domain("contoso.com")],
            };
            let admin = new_user(
                TenantId(Uuid::nil()),
                &format!("admin{i}@contoso.com"),
                UserType::Member,
            );
            store.create_first_tenant(tenant, admin, &actor()).await
        })
    });
    let created: Vec<_> = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .filter_map(|r| r.expect("task").expect("bootstrap"))
        .collect();
    assert_eq!(created.len(), 1, "exactly one replica bootstraps");
    let (tenant, admin) = &created[0];
    assert_eq!(admin.tenant_id, tenant.id);
    let tenants = stores[0].tenants().await.unwrap();
    assert_eq!(
        tenants.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![tenant.id]
    );

    // SQLite is served by one process, which creates its key once; its default is not meant for a race.
    if backend == Backend::Postgres {
        let tasks = stores.iter().enumerate().map(|(i, store)| {
            let store = Arc::clone(store);
            tokio::spawn(async move {
                store
                    .add_first_signing_key(NewSigningKey {
                        kid: format!("key-of-replica-{i}"),
                        algorithm: "EdDSA".into(),
                        private_key: format!("private {i}"),
                        public_key: format!("public {i}"),
                        activates_at: chrono::Utc::now(),
                    })
                    .await
            })
        });
        let answers: Vec<Vec<SigningKeyRecord>> = futures_util::future::join_all(tasks)
            .await
            .into_iter()
            .map(|r| r.expect("task").expect("keys"))
            .collect();
        assert_eq!(answers[0].len(), 1, "one key: {:?}", answers[0]);
        assert!(
            answers.iter().all(|a| *a == answers[0]),
            "every replica has the same key"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_starting_at_once_on_sqlite() {
    replicas_starting_at_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_starting_at_once_on_postgres() {
    replicas_starting_at_once(Backend::Postgres).await;
}

/// TLS to PostgreSQL follows `sslmode` in the URL (when the server offers TLS at all).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_use_tls_when_the_url_asks() {
    let Some(f) = Fixture::new(Backend::Postgres).await else {
        eprintln!("{POSTGRES_ENV} is not set: skipped");
        return;
    };
    if f.execute("SELECT 1 WHERE current_setting('ssl') = 'on'")
        .await
        .unwrap()
        == 0
    {
        eprintln!("this PostgreSQL server does not offer TLS: skipped");
        return;
    }
    let connections = |tls: bool| {
        format!(
            "SELECT 1 FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.datname = current_database() AND s.ssl = {tls} AND a.pid <> pg_backend_pid()"
        )
    };
    let with = |mode: &str| {
        let separator = if f.url.contains('?') { '&' } else { '?' };
        format!("{}{separator}sslmode={mode}", f.url)
    };
    let before = f.execute(&connections(false)).await.unwrap();
    let plain = open(&with("disable"), false).await.expect("without TLS");
    plain.ping().await.unwrap();
    let after = f.execute(&connections(false)).await.unwrap();
    assert!(
        after > before,
        "sslmode=disable: a plain connection ({before} -> {after})"
    );

    let before = f.execute(&connections(true)).await.unwrap();
    let secure = open(&with("require"), false).await.expect("with TLS");
    secure.ping().await.unwrap();
    let after = f.execute(&connections(true)).await.unwrap();
    assert!(
        after > before,
        "sslmode=require: a TLS connection ({before} -> {after})"
    );
}

/// Replicas may run as a role that can read and write rows but not change the schema: the schema is migrated
/// beforehand by its owner (`mscommerce migrate`), and the replicas run with `migrate_on_start = false`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_replicas_need_no_right_to_change_the_schema() {
    let Some(admin_url) = admin_url() else {
        eprintln!("{POSTGRES_ENV} is not set: skipped");
        return;
    };
    // Declared first, dropped last: after the database that holds its grants.
    let Some(role) = TestRole::create(&admin_url).await else {
        return;
    };
    let f = Fixture::new(Backend::Postgres).await.expect("PostgreSQL");
    let name = &role.name;
    f.execute(&format!(
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC; \
         GRANT USAGE ON SCHEMA public TO {name}; \
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}; \
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {name};"
    ))
    .await
    .expect("grants");
    let url = with_user(&f.url, name);
    let store = open(&url, false)
        .await
        .unwrap_or_else(|e| panic!("a replica as {name}: {e}"));
    let mut notices = store
        .subscribe_changes()
        .expect("PostgreSQL announces changes");
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(10)).await,
        ChangeNotice::Resynchronize
    );
    let who = actor();
    let contoso = store
        .create_tenant(
            NewTenant {
                id: None,
                name: "Contoso".into(),
                ..Default::default()
            },
            &who,
        )
        .await
        .expect("a tenant");
    store
        .set_policy_value(change(
            contoso.id,
            Scope::Product,
            "P1",
            PolicyValue::Disabled,
        ))
        .await
        .expect("a policy value");
    assert!(matches!(
        next_notice(&mut notices, Duration::from_secs(10)).await,
        ChangeNotice::Policy { .. }
    ));
    store
        .create_subscription(
            new_subscription(contoso.id, PurchaseType::Central, None, 1),
            &who,
            Some(message("someone@contoso.com")),
        )
        .await
        .expect("a subscription");
    assert_eq!(store.claim_messages(10, 60).await.unwrap().len(), 1);
    let keys = store
        .add_first_signing_key(NewSigningKey {
            kid: "k".into(),
            algorithm: "EdDSA".into(),
            private_key: "p".into(),
            public_key: "q".into(),
            activates_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
}
