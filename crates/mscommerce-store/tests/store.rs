//! The storage interface, tested on every backend: SQLite (a temporary file) always, PostgreSQL as well when
//! `MSCOMMERCE_TEST_POSTGRES_URL` names a server. Each test body runs once per backend (`sqlite::<name>` and
//! `postgres::<name>`), each time on a database of its own that is removed afterwards, also when the test fails.
//!
//! PostgreSQL test databases use the ICU `en-US` collation when the server has it, as a typical production
//! database does, so that a query that sorts text without saying how shows up here as a difference from SQLite.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use mscommerce_domain::{
    AcquisitionKind, BillingFrequency, CancellationReason, PolicyValue, PurchaseType, Scope,
    SubscriptionStatus,
};
use mscommerce_store::*;
use mscommerce_testing::postgres::{
    admin_url, database_url, with_user, TestDatabase, TestRole, POSTGRES_ENV,
};
use mscommerce_testing::TempDir;
use sqlx::Connection;
use uuid::Uuid;

const POLICY: &str = "AllowSelfServicePurchase";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Removes a test database when dropped, also while a failed test unwinds: the [`TempDir`] of a SQLite file, or a
/// PostgreSQL [`TestDatabase`].
type Cleanup = Box<dyn std::any::Any + Send + Sync>;

/// A new, empty database: `None` for PostgreSQL when no server is configured.
async fn empty_database(backend: Backend) -> Option<(String, Cleanup)> {
    match backend {
        Backend::Sqlite => {
            let folder = TempDir::new();
            let url = format!("sqlite://{}", folder.0.join("store.db").display());
            Some((url, Box::new(folder)))
        }
        Backend::Postgres => {
            let database = TestDatabase::create(&admin_url()?).await;
            Some((database.url.clone(), Box::new(database)))
        }
    }
}

/// One test's database and the store opened on it (with its schema).
struct Fixture {
    backend: Backend,
    url: String,
    store: Arc<dyn Store>,
    // Dropped last: after the store.
    _cleanup: Cleanup,
}

impl Fixture {
    async fn new(backend: Backend) -> Option<Fixture> {
        let (url, cleanup) = empty_database(backend).await?;
        let store = open(&url, true)
            .await
            .unwrap_or_else(|e| panic!("the store opens on {url}: {e}"));
        Some(Fixture {
            backend,
            url,
            store,
            _cleanup: cleanup,
        })
    }

    /// A second store on the same database, as another replica (or the admin commands) would open it.
    async fn another(&self) -> Arc<dyn Store> {
        open(&self.url, false).await.expect("a second store")
    }

    /// Runs SQL on a connection of its own, beside the store, as an operator (or a bug) would.
    async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let mut connection = sqlx::SqliteConnection::connect(&self.url).await?;
                let done = sqlx::raw_sql(sql).execute(&mut connection).await;
                connection.close().await?;
                Ok(done?.rows_affected())
            }
            Backend::Postgres => {
                let mut connection = sqlx::PgConnection::connect(&self.url).await?;
                let done = sqlx::raw_sql(sql).execute(&mut connection).await;
                connection.close().await?;
                Ok(done?.rows_affected())
            }
        }
    }
}

/// Every test body runs on SQLite, and on PostgreSQL when it is configured.
macro_rules! on_every_backend {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let fixture = super::Fixture::new(super::Backend::Sqlite).await.expect("SQLite");
                    super::$test(&fixture).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let Some(fixture) = super::Fixture::new(super::Backend::Postgres).await else {
                        eprintln!("{} is not set: skipped on PostgreSQL", super::POSTGRES_ENV);
                        return;
                    };
                    super::$test(&fixture).await;
                }
            )+
        }
    };
}

on_every_backend!(
    migrations_are_applied_once_and_edits_are_refused,
    tenants_are_created_with_their_audit_event,
    the_first_tenant_is_created_once_whatever_the_concurrency,
    users_are_found_by_sign_in_name_and_listed_in_byte_order,
    user_updates_are_audited_and_never_lose_each_other,
    apps_and_signing_keys,
    policy_values_have_revisions_and_audit_events,
    concurrent_policy_writes_of_one_tenant_take_turns,
    subscriptions_are_listed_oldest_first_and_paged,
    assignments_follow_the_seat_rules,
    quantity_changes_never_go_below_what_is_assigned,
    the_database_refuses_more_assignments_than_licenses,
    cancelling_unassigns_everyone_and_writes_the_email,
    licenses_are_summed_per_product_and_listed_per_holder,
    a_take_over_moves_everyone_or_nothing,
    concurrent_take_overs_and_assignments_never_oversubscribe,
    two_dispatchers_never_claim_the_same_message,
    exports_stream_every_assignment,
    changes_are_announced_to_every_replica,
    lifecycle_steps_are_found_and_applied_once,
    an_edit_changes_quantity_and_renewal_together_or_not_at_all,
);

// ---------------------------------------------------------------------------------------------------------------
// Helpers

fn actor() -> AuditActor {
    AuditActor {
        id: "user:test".into(),
        name: "Test Administrator".into(),
        kind: "User".into(),
        correlation_id: Uuid::new_v4().to_string(),
    }
}

async fn tenant(f: &Fixture, name: &str) -> Uuid {
    f.store
        .create_tenant(
            NewTenant {
                id: None,
                name: name.into(),
            },
            &actor(),
        )
        .await
        .expect("a tenant")
        .id
}

fn new_user(tenant_id: Uuid, upn: &str, user_type: UserType) -> NewUser {
    NewUser {
        tenant_id,
        upn: upn.into(),
        display_name: format!("Name of {upn}"),
        user_type,
        password_hash: None,
        roles: Vec::new(),
    }
}

async fn member(f: &Fixture, tenant_id: Uuid, upn: &str) -> User {
    f.store
        .create_user(new_user(tenant_id, upn, UserType::Member), &actor())
        .await
        .unwrap_or_else(|e| panic!("user {upn}: {e}"))
}

async fn members(f: &Fixture, tenant_id: Uuid, prefix: &str, count: usize) -> Vec<User> {
    let mut users = Vec::new();
    for i in 0..count {
        users.push(member(f, tenant_id, &format!("{prefix}{i}@contoso.com")).await);
    }
    users
}

fn new_subscription(
    tenant_id: Uuid,
    purchase_type: PurchaseType,
    purchaser_id: Option<Uuid>,
    quantity: i64,
) -> NewSubscription {
    NewSubscription {
        id: Uuid::new_v4(),
        tenant_id,
        target_scope: Scope::Product,
        target_id: "CFQ7TTC0H9MP".into(),
        target_name: "Power BI Pro".into(),
        purchase_type,
        acquisition_kind: AcquisitionKind::Purchase,
        purchaser_id,
        quantity,
        unit_price_minor: 1400,
        currency: "USD".into(),
        billing_frequency: BillingFrequency::Monthly,
        expires_at: Utc::now() + chrono::Duration::days(30),
        auto_renew: true,
    }
}

fn quantity_edit(quantity: i64) -> SubscriptionEdit {
    SubscriptionEdit {
        quantity: Some(quantity),
        auto_renew: None,
    }
}

async fn self_service(
    f: &Fixture,
    tenant_id: Uuid,
    purchaser: &User,
    quantity: i64,
) -> Subscription {
    f.store
        .create_subscription(
            new_subscription(
                tenant_id,
                PurchaseType::SelfService,
                Some(purchaser.id),
                quantity,
            ),
            &actor(),
            None,
        )
        .await
        .expect("a self-service subscription")
}

async fn central(f: &Fixture, tenant_id: Uuid, quantity: i64) -> Subscription {
    f.store
        .create_subscription(
            new_subscription(tenant_id, PurchaseType::Central, None, quantity),
            &actor(),
            None,
        )
        .await
        .expect("a central subscription")
}

fn message(recipient: &str) -> NewMessage {
    NewMessage {
        kind: "Test".into(),
        recipient: recipient.into(),
        subject: format!("To {recipient}"),
        body_text: "text".into(),
        body_html: "<p>html</p>".into(),
    }
}

fn change(tenant_id: Uuid, scope: Scope, target: &str, value: PolicyValue) -> PolicyChange {
    PolicyChange {
        tenant_id,
        policy_id: POLICY.into(),
        scope,
        target_id: target.into(),
        target_name: format!("{target} name"),
        default_value: PolicyValue::Enabled,
        value,
        actor: actor(),
    }
}

fn assignment(
    tenant_id: Uuid,
    subscription: &Subscription,
    assign: &[&User],
    unassign: &[&User],
) -> AssignmentChange {
    AssignmentChange {
        tenant_id,
        subscription_id: subscription.id,
        assign: assign.iter().map(|u| u.id).collect(),
        unassign: unassign.iter().map(|u| u.id).collect(),
        expected_version: None,
    }
}

async fn assign(
    f: &Fixture,
    tenant_id: Uuid,
    subscription: &Subscription,
    users: &[&User],
) -> Subscription {
    let mut current = subscription.clone();
    for batch in users.chunks(mscommerce_domain::MAX_USERS_PER_REQUEST) {
        current = f
            .store
            .change_assignments(assignment(tenant_id, subscription, batch, &[]), &actor())
            .await
            .expect("assigned");
    }
    current
}

async fn holders(f: &Fixture, tenant_id: Uuid, subscription: &Subscription) -> Vec<String> {
    f.store
        .assignments(tenant_id, subscription.id)
        .await
        .expect("assignments")
        .into_iter()
        .map(|a| a.user.upn)
        .collect()
}

async fn reread(f: &Fixture, subscription: &Subscription) -> Subscription {
    f.store
        .subscription(subscription.tenant_id, subscription.id)
        .await
        .expect("read")
        .expect("the subscription exists")
}

async fn actions_of(f: &Fixture, tenant_id: Uuid) -> Vec<String> {
    f.store
        .audit_events(tenant_id, None, 1000)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[track_caller]
fn expect_rule<T>(result: StoreResult<T>, code: &str, kind: RuleKind) {
    match result {
        Err(StoreError::Rule {
            code: found,
            kind: found_kind,
            reason,
        }) => {
            assert_eq!((found, found_kind), (code, kind), "{reason}");
            assert!(reason.len() > 10, "a rule says why: {reason}");
        }
        Err(e) => panic!("expected the rule {code}, got the error {e:?}"),
        Ok(_) => panic!("expected the rule {code}, got success"),
    }
}

#[track_caller]
fn expect_error<T>(result: StoreResult<T>, what: &str, matches: impl Fn(&StoreError) -> bool) {
    match result {
        Err(e) if matches(&e) => {}
        Err(e) => panic!("expected {what}, got {e:?}"),
        Ok(_) => panic!("expected {what}, got success"),
    }
}

fn is_conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict(_))
}

fn is_not_found(e: &StoreError) -> bool {
    matches!(e, StoreError::NotFound(_))
}

fn is_version_mismatch(e: &StoreError) -> bool {
    matches!(e, StoreError::VersionMismatch(_))
}

fn sorted(mut texts: Vec<String>) -> Vec<String> {
    texts.sort();
    texts
}

// ---------------------------------------------------------------------------------------------------------------
// Schema

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
            };
            let admin = new_user(
                Uuid::nil(),
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
        })
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
}

#[test]
fn test_database_urls_keep_the_server_and_its_parameters() {
    assert_eq!(
        database_url("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        database_url("postgresql://u:p@db/test?sslmode=require", "x"),
        "postgresql://u:p@db/x?sslmode=require"
    );
    assert_eq!(
        database_url("postgres://db:5432", "x"),
        "postgres://db:5432/x"
    );
    assert_eq!(
        with_user("postgres://postgres:pw@127.0.0.1:5432/db?x=y", "r"),
        "postgres://r@127.0.0.1:5432/db?x=y"
    );
    assert_eq!(with_user("postgres://db/x", "r"), "postgres://r@db/x");
}

// ---------------------------------------------------------------------------------------------------------------
// Tenants, users, apps, keys

async fn tenants_are_created_with_their_audit_event(f: &Fixture) {
    let id = Uuid::new_v4();
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
    assert_eq!(f.store.tenant(Uuid::new_v4()).await.unwrap(), None);
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
    let all: Vec<Uuid> = f
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
                        Uuid::nil(),
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
            new_user(Uuid::nil(), "later@contoso.com", UserType::Member),
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
                new_user(Uuid::new_v4(), "bob@contoso.com", UserType::Member),
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
                    tenant_id: Uuid::new_v4(),
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

// ---------------------------------------------------------------------------------------------------------------
// Policy values

async fn policy_values_have_revisions_and_audit_events(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    assert!(f.store.policy_values(contoso).await.unwrap().is_empty());

    let write = |scope, target: &str, value| {
        f.store
            .set_policy_value(change(contoso, scope, target, value))
    };
    let first = write(Scope::Product, "P1", PolicyValue::Disabled)
        .await
        .unwrap();
    assert_eq!(
        first,
        PolicyWrite {
            old_value: PolicyValue::Enabled,
            new_value: PolicyValue::Disabled,
            revision: Some(1)
        }
    );
    let same = write(Scope::Product, "P1", PolicyValue::Disabled)
        .await
        .unwrap();
    assert_eq!(same.revision, None, "the same value writes nothing");
    assert_eq!(same.old_value, PolicyValue::Disabled);
    let default = write(Scope::Product, "P2", PolicyValue::Enabled)
        .await
        .unwrap();
    assert_eq!(
        default.revision, None,
        "the default value of a target without a row writes nothing"
    );
    let offer = write(Scope::OfferType, "SaaS", PolicyValue::Disabled)
        .await
        .unwrap();
    assert_eq!(offer.revision, Some(2));
    let back = write(Scope::Product, "P1", PolicyValue::Enabled)
        .await
        .unwrap();
    assert_eq!(
        (back.old_value, back.revision),
        (PolicyValue::Disabled, Some(3))
    );

    let mut values = f.store.policy_values(contoso).await.unwrap();
    values.sort_by(|a, b| a.target_id.cmp(&b.target_id));
    assert_eq!(
        values,
        vec![
            StoredPolicyValue {
                policy_id: POLICY.into(),
                scope: Scope::Product,
                target_id: "P1".into(),
                value: PolicyValue::Enabled,
                revision: 3
            },
            StoredPolicyValue {
                policy_id: POLICY.into(),
                scope: Scope::OfferType,
                target_id: "SaaS".into(),
                value: PolicyValue::Disabled,
                revision: 2
            },
        ]
    );

    let changes = f.store.policy_changes(contoso, None, 10).await.unwrap();
    assert_eq!(changes.len(), 3, "no-op writes leave no event");
    let summary: Vec<(&str, &str, Option<&str>, Option<&str>)> = changes
        .iter()
        .map(|e| {
            (
                e.target_type.as_str(),
                e.target_id.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("product", "P1", Some("Disabled"), Some("Enabled")),
            ("OfferType", "SaaS", Some("Enabled"), Some("Disabled")),
            ("product", "P1", Some("Enabled"), Some("Disabled")),
        ],
        "newest first"
    );
    assert!(changes
        .iter()
        .all(|e| e.action == actions::POLICY_VALUE_CHANGED
            && e.policy_id.as_deref() == Some(POLICY)
            && e.actor_name == "Test Administrator"));
    assert_eq!(changes[1].target_name, "SaaS name");
    let older = f
        .store
        .policy_changes(contoso, Some(changes[0].id), 1)
        .await
        .unwrap();
    assert_eq!(older, vec![changes[1].clone()], "paged by ID");

    f.store
        .record_audit(NewAuditEvent {
            tenant_id: contoso,
            action: actions::ACQUISITION_REFUSED.into(),
            actor: actor(),
            target_type: "product".into(),
            target_id: "P1".into(),
            target_name: "P1 name".into(),
            old_value: None,
            new_value: Some("Disabled".into()),
        })
        .await
        .unwrap();
    let all = f.store.audit_events(contoso, None, 100).await.unwrap();
    assert_eq!(all.len(), 5, "tenant, three changes, one refusal");
    assert_eq!(all[0].action, actions::ACQUISITION_REFUSED);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let page = f
        .store
        .audit_events(contoso, Some(all[1].id), 2)
        .await
        .unwrap();
    assert_eq!(page, all[2..4].to_vec());
    assert_eq!(
        f.store
            .policy_changes(contoso, None, 10)
            .await
            .unwrap()
            .len(),
        3
    );

    // Tenants are apart: their own values, their own revisions.
    assert!(f.store.policy_values(fabrikam).await.unwrap().is_empty());
    let other = f
        .store
        .set_policy_value(change(
            fabrikam,
            Scope::Product,
            "P1",
            PolicyValue::Disabled,
        ))
        .await
        .unwrap();
    assert_eq!(other.revision, Some(1));
    expect_error(
        f.store
            .set_policy_value(change(
                Uuid::new_v4(),
                Scope::Product,
                "P1",
                PolicyValue::Disabled,
            ))
            .await,
        "no such tenant",
        is_not_found,
    );
}

async fn concurrent_policy_writes_of_one_tenant_take_turns(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let other = f.another().await;
    const WRITES: usize = 32;
    let tasks = (0..WRITES).map(|i| {
        let store = if i % 2 == 0 {
            Arc::clone(&f.store)
        } else {
            Arc::clone(&other)
        };
        let value = if (i / 4) % 2 == 0 {
            PolicyValue::Disabled
        } else {
            PolicyValue::Enabled
        };
        let target = format!("P{}", i % 4);
        tokio::spawn(async move {
            let write = store
                .set_policy_value(change(contoso, Scope::Product, &target, value))
                .await;
            (target, write)
        })
    });
    let mut writes: Vec<(String, PolicyWrite)> = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| {
            let (target, write) = r.expect("task");
            (target, write.expect("written"))
        })
        .filter(|(_, w)| w.revision.is_some())
        .collect();
    writes.sort_by_key(|(_, w)| w.revision);
    let revisions: Vec<i64> = writes.iter().filter_map(|(_, w)| w.revision).collect();
    assert_eq!(
        revisions,
        (1..=writes.len() as i64).collect::<Vec<_>>(),
        "every write has a revision of its own, without gaps"
    );
    // Per target, in revision order, each write read what the one before it wrote.
    let mut last: HashMap<String, (PolicyValue, i64)> = HashMap::new();
    for (target, write) in &writes {
        let before = last.get(target).map_or(PolicyValue::Enabled, |(v, _)| *v);
        assert_eq!(
            write.old_value, before,
            "{target}: a write read a stale value"
        );
        last.insert(target.clone(), (write.new_value, write.revision.unwrap()));
    }
    for stored in f.store.policy_values(contoso).await.unwrap() {
        assert_eq!(
            Some(&(stored.value, stored.revision)),
            last.get(&stored.target_id),
            "the stored value is the last one written"
        );
    }
    assert_eq!(
        f.store
            .policy_changes(contoso, None, 1000)
            .await
            .unwrap()
            .len(),
        writes.len(),
        "one event per write"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Subscriptions and licenses

async fn subscriptions_are_listed_oldest_first_and_paged(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let other_buyer = member(f, contoso, "other@contoso.com").await;
    let mut created = Vec::new();
    for i in 0..7 {
        let new = match i % 3 {
            0 => new_subscription(contoso, PurchaseType::SelfService, Some(buyer.id), 1),
            1 => new_subscription(contoso, PurchaseType::SelfService, Some(other_buyer.id), 2),
            _ => new_subscription(contoso, PurchaseType::Central, None, 5),
        };
        let confirmation = (i == 0).then(|| message("buyer@contoso.com"));
        let subscription = f
            .store
            .create_subscription(new.clone(), &actor(), confirmation)
            .await
            .expect("created");
        assert_eq!(subscription.id, new.id, "the caller's ID");
        assert_eq!(
            (
                subscription.status,
                subscription.assigned_count,
                subscription.version
            ),
            (SubscriptionStatus::Active, 0, 1)
        );
        assert_eq!(subscription.quantity, new.quantity);
        assert_eq!(subscription.purchase_type, new.purchase_type);
        assert_eq!(subscription.auto_renew, new.auto_renew);
        assert_eq!(
            subscription.expires_at.timestamp_millis(),
            new.expires_at.timestamp_millis()
        );
        created.push(subscription);
    }
    let first = &created[0];
    assert_eq!(
        first.purchaser,
        Some(UserRef {
            id: buyer.id,
            upn: buyer.upn.clone(),
            display_name: buyer.display_name.clone()
        })
    );
    assert_eq!(reread(f, first).await, *first);
    assert!(f
        .store
        .subscription(fabrikam, first.id)
        .await
        .unwrap()
        .is_none());

    let mut expected = created.clone();
    expected.sort_by_key(|s| (s.created_at, s.id.to_string()));
    let all = f
        .store
        .subscriptions(contoso, &SubscriptionFilter::default(), None, 100)
        .await
        .unwrap();
    assert_eq!(all, expected, "oldest first");
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = f
            .store
            .subscriptions(contoso, &SubscriptionFilter::default(), after, 3)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|s| s.id);
        paged.extend(page);
    }
    assert_eq!(paged, expected);

    let self_service = f
        .store
        .subscriptions(
            contoso,
            &SubscriptionFilter {
                purchase_type: Some(PurchaseType::SelfService),
                purchaser_id: None,
            },
            None,
            100,
        )
        .await
        .unwrap();
    assert_eq!(self_service.len(), 5);
    let of_buyer = f
        .store
        .subscriptions(
            contoso,
            &SubscriptionFilter {
                purchase_type: None,
                purchaser_id: Some(buyer.id),
            },
            None,
            100,
        )
        .await
        .unwrap();
    assert_eq!(of_buyer.len(), 3);
    assert!(of_buyer
        .iter()
        .all(|s| s.purchaser.as_ref().map(|p| p.id) == Some(buyer.id)));
    assert!(f
        .store
        .subscriptions(fabrikam, &SubscriptionFilter::default(), None, 100)
        .await
        .unwrap()
        .is_empty());

    let outbox = f.store.outbox(Some(contoso)).await.unwrap();
    assert_eq!(
        outbox.len(),
        1,
        "the confirmation, written with its subscription"
    );
    assert_eq!(outbox[0].recipient, "buyer@contoso.com");
    assert!(outbox[0].message_id.starts_with('<') && outbox[0].message_id.ends_with('>'));
    assert_eq!(f.store.outbox(None).await.unwrap(), outbox);
    assert!(f.store.outbox(Some(fabrikam)).await.unwrap().is_empty());
    assert_eq!(
        actions_of(f, contoso)
            .await
            .iter()
            .filter(|a| *a == actions::SUBSCRIPTION_CREATED)
            .count(),
        7
    );
}

async fn assignments_follow_the_seat_rules(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let a = member(f, contoso, "a@contoso.com").await;
    let b = member(f, contoso, "b@contoso.com").await;
    let c = member(f, contoso, "c@contoso.com").await;
    let d = member(f, contoso, "d@contoso.com").await;
    let guest = f
        .store
        .create_user(
            new_user(contoso, "guest@partner.com", UserType::Guest),
            &actor(),
        )
        .await
        .unwrap();
    let stranger = member(f, fabrikam, "stranger@fabrikam.com").await;
    let sub = central(f, contoso, 3).await;

    let after = f
        .store
        .change_assignments(assignment(contoso, &sub, &[&b, &a], &[]), &actor())
        .await
        .expect("assigned");
    assert_eq!((after.assigned_count, after.version), (2, 2));
    assert_eq!(
        holders(f, contoso, &sub).await,
        vec!["a@contoso.com", "b@contoso.com"]
    );
    let after = f
        .store
        .change_assignments(assignment(contoso, &sub, &[&a, &c, &c], &[]), &actor())
        .await
        .expect("assigned");
    assert_eq!(
        (after.assigned_count, after.version),
        (3, 3),
        "a held a license already; c counted once"
    );
    let unchanged = f
        .store
        .change_assignments(assignment(contoso, &sub, &[&a], &[]), &actor())
        .await
        .expect("nothing to do");
    assert_eq!(unchanged.version, 3, "nothing changed, nothing written");

    let events_before = actions_of(f, contoso).await.len();
    expect_rule(
        f.store
            .change_assignments(assignment(contoso, &sub, &[&d], &[]), &actor())
            .await,
        "NotEnoughLicenses",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .change_assignments(assignment(contoso, &sub, &[&guest], &[&a]), &actor())
            .await,
        "NotAMember",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .change_assignments(assignment(contoso, &sub, &[&stranger], &[&a]), &actor())
            .await,
        "UserNotFound",
        RuleKind::NotFound,
    );
    let now = reread(f, &sub).await;
    assert_eq!(
        (now.assigned_count, now.version),
        (3, 3),
        "refused changes change nothing"
    );
    assert_eq!(holders(f, contoso, &sub).await.len(), 3);
    assert_eq!(actions_of(f, contoso).await.len(), events_before);

    // One license goes from b to d in one change.
    let swapped = f
        .store
        .change_assignments(assignment(contoso, &sub, &[&d], &[&b]), &actor())
        .await
        .expect("swapped");
    assert_eq!((swapped.assigned_count, swapped.version), (3, 4));
    assert_eq!(
        holders(f, contoso, &sub).await,
        vec!["a@contoso.com", "c@contoso.com", "d@contoso.com"]
    );
    let events = f.store.audit_events(contoso, None, 2).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec![actions::LICENSES_ASSIGNED, actions::LICENSES_UNASSIGNED]
    );
    assert_eq!(events[0].new_value.as_deref(), Some("d@contoso.com"));
    assert_eq!(events[1].new_value, Some(b.id.to_string()));

    // Unassigning someone without a license changes nothing.
    let same = f
        .store
        .change_assignments(assignment(contoso, &sub, &[], &[&b]), &actor())
        .await
        .unwrap();
    assert_eq!(same.version, 4);

    let stale = AssignmentChange {
        expected_version: Some(3),
        ..assignment(contoso, &sub, &[], &[&a])
    };
    expect_error(
        f.store.change_assignments(stale, &actor()).await,
        "a version mismatch",
        is_version_mismatch,
    );
    let current = AssignmentChange {
        expected_version: Some(4),
        ..assignment(contoso, &sub, &[], &[&a])
    };
    let after = f.store.change_assignments(current, &actor()).await.unwrap();
    assert_eq!((after.assigned_count, after.version), (2, 5));
    let assigned = f.store.assignments(contoso, sub.id).await.unwrap();
    assert!(assigned.iter().all(|x| x.assigned_at <= Utc::now()));
    assert!(f
        .store
        .assignments(fabrikam, sub.id)
        .await
        .unwrap()
        .is_empty());

    expect_error(
        f.store
            .change_assignments(
                AssignmentChange {
                    subscription_id: Uuid::new_v4(),
                    ..assignment(contoso, &sub, &[&a], &[])
                },
                &actor(),
            )
            .await,
        "not found",
        is_not_found,
    );
    expect_error(
        f.store
            .change_assignments(assignment(fabrikam, &sub, &[&stranger], &[]), &actor())
            .await,
        "not found in another tenant",
        is_not_found,
    );
}

async fn quantity_changes_never_go_below_what_is_assigned(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let users = members(f, contoso, "u", 3).await;
    let sub = central(f, contoso, 3).await;
    assign(f, contoso, &sub, &users.iter().collect::<Vec<_>>()).await;
    let who = actor();
    let set = |quantity, expected| {
        f.store
            .change_subscription(contoso, sub.id, quantity_edit(quantity), expected, &who)
    };
    expect_rule(
        set(2, None).await,
        "QuantityBelowAssigned",
        RuleKind::Conflict,
    );
    expect_rule(set(0, None).await, "InvalidQuantity", RuleKind::Invalid);
    let same = set(3, None).await.unwrap();
    assert_eq!(same.version, 2, "the same quantity writes nothing");
    expect_error(
        set(5, Some(1)).await,
        "a version mismatch",
        is_version_mismatch,
    );
    let more = set(5, Some(2)).await.unwrap();
    assert_eq!((more.quantity, more.version), (5, 3));
    let event = &f.store.audit_events(contoso, None, 1).await.unwrap()[0];
    assert_eq!(
        (
            event.action.as_str(),
            event.old_value.as_deref(),
            event.new_value.as_deref()
        ),
        (actions::QUANTITY_CHANGED, Some("3"), Some("5"))
    );
    expect_error(
        f.store
            .change_subscription(contoso, Uuid::new_v4(), quantity_edit(4), None, &actor())
            .await,
        "not found",
        is_not_found,
    );
}

async fn the_database_refuses_more_assignments_than_licenses(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let users = members(f, contoso, "u", 2).await;
    let sub = central(f, contoso, 2).await;
    assign(f, contoso, &sub, &users.iter().collect::<Vec<_>>()).await;
    let id = sub.id;
    for sql in [
        format!("UPDATE subscriptions SET assigned_count = quantity + 1 WHERE id = '{id}'"),
        format!("UPDATE subscriptions SET quantity = 1 WHERE id = '{id}'"),
        format!("UPDATE subscriptions SET assigned_count = -1 WHERE id = '{id}'"),
        format!("UPDATE subscriptions SET quantity = 0, assigned_count = 0 WHERE id = '{id}'"),
    ] {
        let refused = f.execute(&sql).await;
        assert!(refused.is_err(), "the schema must refuse: {sql}");
    }
    let now = reread(f, &sub).await;
    assert_eq!((now.quantity, now.assigned_count), (2, 2));
}

async fn cancelling_unassigns_everyone_and_writes_the_email(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let users = members(f, contoso, "u", 2).await;
    let sub = self_service(f, contoso, &buyer, 3).await;
    let sub = assign(f, contoso, &sub, &users.iter().collect::<Vec<_>>()).await;
    let other = self_service(f, contoso, &buyer, 1).await;

    let cancellation = |id, expected_version| Cancellation {
        tenant_id: contoso,
        subscription_id: id,
        reason: CancellationReason::NoLongerNeeded,
        comment: Some("Bought by mistake".into()),
        status: SubscriptionStatus::Disabled,
        expected_version,
    };
    expect_error(
        f.store
            .cancel_subscription(
                cancellation(sub.id, Some(1)),
                &actor(),
                Some(message("x@y")),
            )
            .await,
        "a version mismatch",
        is_version_mismatch,
    );
    assert!(f.store.outbox(Some(contoso)).await.unwrap().is_empty());

    let cancelled = f
        .store
        .cancel_subscription(
            cancellation(sub.id, Some(sub.version)),
            &actor(),
            Some(message("buyer@contoso.com")),
        )
        .await
        .expect("cancelled");
    assert_eq!(cancelled.status, SubscriptionStatus::Disabled);
    assert_eq!(cancelled.assigned_count, 0);
    assert!(!cancelled.auto_renew);
    assert_eq!(
        cancelled.cancellation_reason.as_deref(),
        Some("NoLongerNeeded")
    );
    assert_eq!(
        cancelled.cancellation_comment.as_deref(),
        Some("Bought by mistake")
    );
    assert!(cancelled.cancelled_at.is_some());
    assert_eq!(cancelled.version, sub.version + 1);
    assert!(holders(f, contoso, &sub).await.is_empty());
    let outbox = f.store.outbox(Some(contoso)).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].recipient, "buyer@contoso.com");
    let event = &f.store.audit_events(contoso, None, 1).await.unwrap()[0];
    assert_eq!(
        (
            event.action.as_str(),
            event.old_value.as_deref(),
            event.new_value.as_deref()
        ),
        (
            actions::SUBSCRIPTION_CANCELLED,
            Some("Active"),
            Some("Disabled (NoLongerNeeded)")
        )
    );

    expect_rule(
        f.store
            .cancel_subscription(cancellation(sub.id, None), &actor(), None)
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .change_assignments(assignment(contoso, &sub, &[&users[0]], &[]), &actor())
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .change_subscription(contoso, sub.id, quantity_edit(5), None, &actor())
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );
    assert_eq!(reread(f, &other).await.status, SubscriptionStatus::Active);
    let licenses = f.store.product_licenses(contoso).await.unwrap();
    assert_eq!(licenses.len(), 1);
    assert_eq!(
        (
            licenses[0].subscription_count,
            licenses[0].available_quantity
        ),
        (1, 1),
        "a cancelled subscription counts no more"
    );
}

async fn an_edit_changes_quantity_and_renewal_together_or_not_at_all(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let users = members(f, contoso, "u", 2).await;
    let sub = self_service(f, contoso, &buyer, 3).await;
    let sub = assign(f, contoso, &sub, &users.iter().collect::<Vec<_>>()).await;
    let edit = |quantity, auto_renew| SubscriptionEdit {
        quantity,
        auto_renew,
    };
    let changed = f
        .store
        .change_subscription(
            contoso,
            sub.id,
            edit(Some(5), Some(false)),
            Some(sub.version),
            &actor(),
        )
        .await
        .expect("changed");
    assert_eq!((changed.quantity, changed.auto_renew), (5, false));
    assert_eq!(changed.version, sub.version + 1, "one change, one version");
    let actions = actions_of(f, contoso).await;
    assert!(
        actions.contains(&"QuantityChanged".to_string())
            && actions.contains(&"AutoRenewChanged".to_string())
    );

    // A quantity below what is assigned refuses the whole edit: renewal stays off.
    expect_error(
        f.store
            .change_subscription(contoso, sub.id, edit(Some(1), Some(true)), None, &actor())
            .await,
        "QuantityBelowAssigned",
        |e| {
            matches!(
                e,
                StoreError::Rule {
                    code: "QuantityBelowAssigned",
                    ..
                }
            )
        },
    );
    assert!(!reread(f, &sub).await.auto_renew, "renewal stays off");

    // A trial without a payment method never renews.
    let mut new_trial = new_subscription(contoso, PurchaseType::SelfService, Some(buyer.id), 1);
    new_trial.acquisition_kind = AcquisitionKind::TrialWithoutPaymentMethod;
    new_trial.auto_renew = false;
    let trial = f
        .store
        .create_subscription(new_trial, &actor(), None)
        .await
        .expect("trial");
    expect_error(
        f.store
            .change_subscription(contoso, trial.id, edit(None, Some(true)), None, &actor())
            .await,
        "RenewalNotOffered",
        |e| {
            matches!(
                e,
                StoreError::Rule {
                    code: "RenewalNotOffered",
                    ..
                }
            )
        },
    );
}

/// The lifecycle round finds what is due by the domain's cutoffs, and each step applies once, to the version it
/// was decided on: the status, the term, the licenses, the audit event and the email together.
async fn lifecycle_steps_are_found_and_applied_once(f: &Fixture) {
    use chrono::Timelike;
    use mscommerce_domain::{LifecycleCutoffs, LifecycleDurations, LifecycleStep};
    let contoso = tenant(f, "Contoso").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let users = members(f, contoso, "u", 2).await;
    let ended = Utc::now() - chrono::Duration::hours(1);
    let create = |expires_at| async move {
        let mut new = new_subscription(contoso, PurchaseType::SelfService, Some(buyer.id), 2);
        new.expires_at = expires_at;
        f.store.create_subscription(new, &actor(), None).await
    };
    let due = create(ended).await.expect("created");
    let due = assign(f, contoso, &due, &users.iter().collect::<Vec<_>>()).await;
    let running = create(Utc::now() + chrono::Duration::days(30))
        .await
        .expect("created");
    let renewing = create(ended).await.expect("created");

    let defaults = LifecycleDurations::default();
    let candidates = |cutoffs| async move {
        let mut ids: Vec<Uuid> = f
            .store
            .lifecycle_candidates(cutoffs, None, 100)
            .await
            .expect("candidates")
            .into_iter()
            .filter(|s| s.tenant_id == contoso)
            .map(|s| s.id)
            .collect();
        ids.sort();
        ids
    };
    let mut expected = vec![due.id, renewing.id];
    expected.sort();
    assert_eq!(
        candidates(LifecycleCutoffs::at(Utc::now(), defaults)).await,
        expected
    );
    assert!(!expected.contains(&running.id));
    // Batches follow each other by (end of term, ID): after the first, only the second.
    let now_cutoffs = LifecycleCutoffs::at(Utc::now(), defaults);
    let first = f
        .store
        .lifecycle_candidates(now_cutoffs, None, 1)
        .await
        .expect("first batch");
    assert_eq!(first.len(), 1);
    let next = f
        .store
        .lifecycle_candidates(now_cutoffs, Some((first[0].expires_at, first[0].id)), 10)
        .await
        .expect("next batch");
    let mut both: Vec<Uuid> = next.iter().chain(&first).map(|s| s.id).collect();
    both.sort();
    assert_eq!(both, expected, "each once, none skipped");

    let step = |subscription: &Subscription, step| LifecycleChange {
        tenant_id: contoso,
        subscription_id: subscription.id,
        expected_version: subscription.version,
        step,
    };
    let system = AuditActor {
        id: "lifecycle".into(),
        name: "Subscription lifecycle".into(),
        kind: "System".into(),
        correlation_id: Uuid::new_v4().to_string(),
    };
    // Expired: users keep their licenses for the grace period.
    let expired = f
        .store
        .apply_lifecycle_step(
            step(&due, LifecycleStep::Expire),
            &system,
            Some(message("buyer@contoso.com")),
        )
        .await
        .expect("expired");
    assert_eq!(expired.status, SubscriptionStatus::Expired);
    assert_eq!(
        (expired.assigned_count, expired.version),
        (2, due.version + 1)
    );
    assert_eq!(holders(f, contoso, &expired).await.len(), 2);
    // The same step decided on the old version again (another replica's round) changes nothing.
    expect_error(
        f.store
            .apply_lifecycle_step(step(&due, LifecycleStep::Expire), &system, None)
            .await,
        "a version mismatch",
        |e| matches!(e, StoreError::VersionMismatch(_)),
    );
    // Not due again before its grace period ends; due at once with none.
    assert_eq!(
        candidates(LifecycleCutoffs::at(Utc::now(), defaults)).await,
        vec![renewing.id]
    );
    let no_grace = LifecycleDurations {
        expired_days: 0,
        disabled_days: 0,
    };
    assert!(candidates(LifecycleCutoffs::at(Utc::now(), no_grace))
        .await
        .contains(&due.id));

    // Disabled: the licenses go.
    let disabled = f
        .store
        .apply_lifecycle_step(step(&expired, LifecycleStep::Disable), &system, None)
        .await
        .expect("disabled");
    assert_eq!(
        (disabled.status, disabled.assigned_count),
        (SubscriptionStatus::Disabled, 0)
    );
    assert!(holders(f, contoso, &disabled).await.is_empty());

    // A renewal: a new term, still Active.
    let until = (Utc::now() + chrono::Duration::days(29))
        .with_nanosecond(0)
        .unwrap();
    let renewed = f
        .store
        .apply_lifecycle_step(
            step(&renewing, LifecycleStep::Renew { expires_at: until }),
            &system,
            None,
        )
        .await
        .expect("renewed");
    assert_eq!(
        (renewed.status, renewed.expires_at),
        (SubscriptionStatus::Active, until)
    );
    assert_eq!(renewed.acquisition_kind, AcquisitionKind::Purchase);
    assert!(!candidates(LifecycleCutoffs::at(Utc::now(), defaults))
        .await
        .contains(&renewing.id));

    // A trial with a payment method becomes a purchase whose periods count from the trial's end.
    let mut new_trial = new_subscription(contoso, PurchaseType::SelfService, Some(buyer.id), 1);
    new_trial.acquisition_kind = AcquisitionKind::TrialWithPaymentMethod;
    new_trial.expires_at = ended;
    let trial = f
        .store
        .create_subscription(new_trial, &actor(), None)
        .await
        .expect("trial");
    assert_eq!(trial.billing_anchor, None);
    let converted = f
        .store
        .apply_lifecycle_step(
            step(
                &trial,
                LifecycleStep::ConvertToPurchase { expires_at: until },
            ),
            &system,
            None,
        )
        .await
        .expect("converted");
    assert_eq!(converted.acquisition_kind, AcquisitionKind::Purchase);
    assert_eq!(converted.billing_anchor, Some(trial.expires_at));
    assert_eq!(renewed.billing_anchor, None, "a renewal keeps its anchor");

    let events = f
        .store
        .audit_events(contoso, None, 100)
        .await
        .expect("audit");
    let lifecycle: Vec<(&str, Option<&str>, Option<&str>)> = events
        .iter()
        .filter(|e| e.actor_type == "System")
        .map(|e| {
            (
                e.action.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
            )
        })
        .collect();
    assert_eq!(lifecycle.len(), 4, "{lifecycle:?}");
    assert!(lifecycle.contains(&("SubscriptionStatusChanged", Some("Active"), Some("Expired"))));
    assert!(lifecycle.contains(&(
        "SubscriptionStatusChanged",
        Some("Expired"),
        Some("Disabled")
    )));
    assert!(lifecycle
        .iter()
        .any(|(action, _, new)| *action == "SubscriptionRenewed"
            && new.is_some_and(|n| n.starts_with("Purchase until "))));
    let mail = f.store.outbox(Some(contoso)).await.expect("outbox");
    assert_eq!(
        mail.iter()
            .filter(|m| m.recipient == "buyer@contoso.com")
            .count(),
        1
    );
}

async fn licenses_are_summed_per_product_and_listed_per_holder(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let zed = member(f, contoso, "zed@contoso.com").await;
    let amy = member(f, contoso, "amy@contoso.com").await;
    // Names and sign-in names whose order differs between byte order and a language's collation.
    let u1 = member(f, contoso, "user1@contoso.com").await;
    let u10 = member(f, contoso, "user10@contoso.com").await;
    let u2 = member(f, contoso, "user2@contoso.com").await;
    let product =
        |target_id: &str, target_name: &str, purchaser: &User, quantity| NewSubscription {
            target_id: target_id.into(),
            target_name: target_name.into(),
            ..new_subscription(
                contoso,
                PurchaseType::SelfService,
                Some(purchaser.id),
                quantity,
            )
        };
    let who = actor();
    let create = |new: NewSubscription| f.store.create_subscription(new, &who, None);
    let zeds = create(product("A", "Visio Plan 2", &zed, 3)).await.unwrap();
    assign(f, contoso, &zeds, &[&u1, &u10]).await;
    let amys = create(product("A", "Visio Plan 2", &amy, 2)).await.unwrap();
    assign(f, contoso, &amys, &[&u2]).await;
    create(product("B", "power automate", &amy, 1))
        .await
        .unwrap();
    let central_a = create(NewSubscription {
        target_id: "A".into(),
        target_name: "Visio Plan 2".into(),
        ..new_subscription(contoso, PurchaseType::Central, None, 50)
    })
    .await
    .unwrap();
    assign(f, contoso, &central_a, &[&zed]).await;

    let licenses = f.store.product_licenses(contoso).await.unwrap();
    assert_eq!(
        licenses,
        vec![
            ProductLicenses {
                target_scope: Scope::Product,
                target_id: "A".into(),
                target_name: "Visio Plan 2".into(),
                subscription_count: 2,
                available_quantity: 5,
                assigned_count: 3
            },
            ProductLicenses {
                target_scope: Scope::Product,
                target_id: "B".into(),
                target_name: "power automate".into(),
                subscription_count: 1,
                available_quantity: 1,
                assigned_count: 0
            },
        ],
        "self-service only, by name in byte order"
    );
    let holders: Vec<(String, Uuid, String)> = f
        .store
        .license_holders(contoso, "A")
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.purchaser.upn, h.subscription_id, h.user.upn))
        .collect();
    assert_eq!(
        holders,
        vec![
            (
                "amy@contoso.com".to_string(),
                amys.id,
                "user2@contoso.com".to_string()
            ),
            (
                "zed@contoso.com".to_string(),
                zeds.id,
                "user10@contoso.com".to_string()
            ),
            (
                "zed@contoso.com".to_string(),
                zeds.id,
                "user1@contoso.com".to_string()
            ),
        ],
        "by purchaser, then user, in byte order"
    );
    assert!(f
        .store
        .license_holders(contoso, "B")
        .await
        .unwrap()
        .is_empty());
    assert!(f
        .store
        .license_holders(contoso, "nothing")
        .await
        .unwrap()
        .is_empty());
}

// ---------------------------------------------------------------------------------------------------------------
// Take-over

async fn a_take_over_moves_everyone_or_nothing(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let users = members(f, contoso, "u", 5).await;
    let source = self_service(f, contoso, &buyer, 5).await;
    let source = assign(f, contoso, &source, &[&users[0], &users[1], &users[2]]).await;
    let target = central(f, contoso, 4).await;
    let target = assign(f, contoso, &target, &[&users[0]]).await;

    let request = |source: &Subscription, target: &Subscription, expected_version| MoveUsers {
        tenant_id: contoso,
        source_id: source.id,
        target_id: target.id,
        expected_version,
    };
    expect_error(
        f.store
            .move_users(request(&source, &target, Some(1)), &actor(), None)
            .await,
        "a version mismatch",
        is_version_mismatch,
    );
    let outcome = f
        .store
        .move_users(
            request(&source, &target, Some(source.version)),
            &actor(),
            Some(message("buyer@contoso.com")),
        )
        .await
        .expect("moved");
    assert_eq!(outcome.moved, 2, "u0 held a target license already");
    assert_eq!(outcome.target.assigned_count, 3);
    assert_eq!(outcome.target.version, target.version + 1);
    assert_eq!(
        holders(f, contoso, &target).await,
        vec!["u0@contoso.com", "u1@contoso.com", "u2@contoso.com"]
    );
    assert_eq!(outcome.source.status, SubscriptionStatus::Deleted);
    assert_eq!(outcome.source.assigned_count, 0);
    assert!(!outcome.source.auto_renew);
    assert_eq!(
        outcome.source.cancellation_reason.as_deref(),
        Some("MovingToCentralLicenses")
    );
    assert_eq!(reread(f, &source).await, outcome.source);
    assert!(holders(f, contoso, &source).await.is_empty());
    let outbox = f.store.outbox(Some(contoso)).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].recipient, "buyer@contoso.com");
    let events = f.store.audit_events(contoso, None, 2).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec![actions::SUBSCRIPTION_CANCELLED, actions::USERS_MOVED]
    );
    assert_eq!(events[1].target_id, source.id.to_string());
    expect_rule(
        f.store
            .move_users(request(&source, &target, None), &actor(), None)
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );

    // Too few target licenses: nothing at all changes.
    let source = self_service(f, contoso, &buyer, 3).await;
    let source = assign(f, contoso, &source, &[&users[2], &users[3], &users[4]]).await;
    let small = central(f, contoso, 2).await;
    let events_before = actions_of(f, contoso).await.len();
    expect_rule(
        f.store
            .move_users(
                request(&source, &small, None),
                &actor(),
                Some(message("x@y")),
            )
            .await,
        "NotEnoughLicenses",
        RuleKind::Conflict,
    );
    assert_eq!(reread(f, &source).await, source);
    assert_eq!(reread(f, &small).await, small);
    assert_eq!(holders(f, contoso, &source).await.len(), 3);
    assert!(holders(f, contoso, &small).await.is_empty());
    assert_eq!(actions_of(f, contoso).await.len(), events_before);
    assert_eq!(f.store.outbox(Some(contoso)).await.unwrap().len(), 1);

    // Only self-service into central, both active, both there.
    let other_self_service = self_service(f, contoso, &buyer, 1).await;
    expect_rule(
        f.store
            .move_users(request(&small, &target, None), &actor(), None)
            .await,
        "NotSelfService",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .move_users(request(&source, &other_self_service, None), &actor(), None)
            .await,
        "TargetNotCentral",
        RuleKind::Conflict,
    );
    expect_error(
        f.store
            .move_users(
                MoveUsers {
                    target_id: Uuid::new_v4(),
                    ..request(&source, &target, None)
                },
                &actor(),
                None,
            )
            .await,
        "not found",
        is_not_found,
    );
    f.store
        .cancel_subscription(
            Cancellation {
                tenant_id: contoso,
                subscription_id: small.id,
                reason: CancellationReason::Other,
                comment: None,
                status: SubscriptionStatus::Deleted,
                expected_version: None,
            },
            &actor(),
            None,
        )
        .await
        .unwrap();
    expect_rule(
        f.store
            .move_users(request(&source, &small, None), &actor(), None)
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );
}

/// The seat check of a take-over, run by many tasks through two stores at once (on PostgreSQL, over several
/// connections: row locks are what keep the count right).
async fn concurrent_take_overs_and_assignments_never_oversubscribe(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let other = f.another().await;
    let stores = [Arc::clone(&f.store), other];
    let targets = [central(f, contoso, 10).await, central(f, contoso, 7).await];
    const SOURCES: usize = 12;
    let mut sources = Vec::new();
    for i in 0..SOURCES {
        let buyer = member(f, contoso, &format!("buyer{i}@contoso.com")).await;
        let users = members(f, contoso, &format!("s{i}u"), 3).await;
        let source = self_service(f, contoso, &buyer, 3).await;
        assign(f, contoso, &source, &users.iter().collect::<Vec<_>>()).await;
        sources.push(source);
    }
    let extra = members(f, contoso, "extra", 8).await;

    let start = Arc::new(tokio::sync::Barrier::new(SOURCES + extra.len()));
    let mut tasks = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let store = Arc::clone(&stores[i % 2]);
        let request = MoveUsers {
            tenant_id: contoso,
            source_id: source.id,
            target_id: targets[i % 2].id,
            expected_version: None,
        };
        let start = Arc::clone(&start);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            store.move_users(request, &actor(), None).await.map(|_| ())
        }));
    }
    // Single assignments into the same targets, racing the moves.
    for (i, user) in extra.iter().enumerate() {
        let store = Arc::clone(&stores[(i + 1) % 2]);
        let change = AssignmentChange {
            tenant_id: contoso,
            subscription_id: targets[i % 2].id,
            assign: vec![user.id],
            unassign: Vec::new(),
            expected_version: None,
        };
        let start = Arc::clone(&start);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            store.change_assignments(change, &actor()).await.map(|_| ())
        }));
    }
    let mut succeeded = 0;
    for result in futures_util::future::join_all(tasks).await {
        match result.expect("task") {
            Ok(()) => succeeded += 1,
            Err(StoreError::Rule {
                code: "NotEnoughLicenses",
                ..
            }) => {}
            Err(e) => panic!(
                "only NotEnoughLicenses may refuse a change here (no deadlock, no conflict): {e:?}"
            ),
        }
    }
    assert!(succeeded > 0);
    for target in &targets {
        let now = reread(f, target).await;
        let held = holders(f, contoso, target).await.len() as i64;
        assert_eq!(now.assigned_count, held, "the count matches the rows");
        assert!(
            held <= target.quantity,
            "{held} licenses assigned of {}",
            target.quantity
        );
        // The 3-user moves and 1-user assignments filled every seat they could.
        assert!(held > target.quantity - 3, "{held} of {}", target.quantity);
    }
    // Every source is either moved entirely (Deleted, empty) or untouched (Active, three users).
    for source in &sources {
        let now = reread(f, source).await;
        let held = holders(f, contoso, source).await.len();
        match now.status {
            SubscriptionStatus::Deleted => assert_eq!((held, now.assigned_count), (0, 0)),
            SubscriptionStatus::Active => assert_eq!((held, now.assigned_count), (3, 3)),
            other => panic!("unexpected status {other}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Outbox

async fn two_dispatchers_never_claim_the_same_message(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    const MESSAGES: usize = 60;
    for i in 0..MESSAGES {
        f.store
            .create_subscription(
                new_subscription(contoso, PurchaseType::Central, None, 1),
                &actor(),
                Some(message(&format!("r{i}@contoso.com"))),
            )
            .await
            .unwrap();
    }
    let all: Vec<i64> = f
        .store
        .outbox(Some(contoso))
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(all.len(), MESSAGES);
    assert!(all.windows(2).all(|w| w[0] < w[1]), "oldest first");

    let other = f.another().await;
    let claimers = (0..8).map(|i| {
        let store = if i % 2 == 0 {
            Arc::clone(&f.store)
        } else {
            Arc::clone(&other)
        };
        tokio::spawn(async move {
            let mut taken = Vec::new();
            loop {
                let batch = store.claim_messages(3, 60).await.expect("claimed");
                if batch.is_empty() {
                    return taken;
                }
                assert!(batch.windows(2).all(|w| w[0].id < w[1].id));
                taken.extend(batch.into_iter().map(|m| m.id));
            }
        })
    });
    let mut claimed: Vec<i64> = futures_util::future::join_all(claimers)
        .await
        .into_iter()
        .flat_map(|r| r.expect("task"))
        .collect();
    let count = claimed.len();
    claimed.sort();
    claimed.dedup();
    assert_eq!(claimed.len(), count, "a message was handed to two claimers");
    assert_eq!(claimed, all, "every message was claimed");
    assert!(
        f.store.claim_messages(100, 60).await.unwrap().is_empty(),
        "leased messages are hidden"
    );

    // A failed attempt comes back when its retry is due; a sent message never does.
    f.store
        .mark_message_failed(all[0], "connection refused", 0)
        .await
        .unwrap();
    f.store.mark_message_sent(all[1]).await.unwrap();
    f.store
        .mark_message_failed(all[2], "later", 3600)
        .await
        .unwrap();
    let again = f.store.claim_messages(100, 1).await.unwrap();
    assert_eq!(
        again.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(),
        vec![(all[0], 1)]
    );
    // A dispatcher that died holding a lease: the message comes back when the lease ends.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let back = f.store.claim_messages(100, 60).await.unwrap();
    assert_eq!(back.iter().map(|m| m.id).collect::<Vec<_>>(), vec![all[0]]);
    f.store.mark_message_sent(all[0]).await.unwrap();
    assert!(f.store.claim_messages(100, 60).await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------------------------
// Export

async fn collect(mut rows: tokio::sync::mpsc::Receiver<StoreResult<ExportRow>>) -> Vec<ExportRow> {
    let mut all = Vec::new();
    while let Some(row) = rows.recv().await {
        all.push(row.expect("a row"));
    }
    all
}

async fn exports_stream_every_assignment(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    const USERS: usize = 300;
    let users = members(f, contoso, "user", USERS).await;
    let big = self_service(f, contoso, &buyer, USERS as i64).await;
    assign(f, contoso, &big, &users.iter().collect::<Vec<_>>()).await;
    let small = self_service(f, contoso, &buyer, 2).await;
    assign(f, contoso, &small, &[&users[0]]).await;
    let central_sub = central(f, contoso, 5).await;
    assign(f, contoso, &central_sub, &[&users[1], &users[2]]).await;

    let rows = collect(f.store.export_assignments(contoso, None)).await;
    assert_eq!(
        rows.len(),
        USERS + 1,
        "every self-service assignment, no central one"
    );
    let keys: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.subscription_id.clone(), r.upn.clone()))
        .collect();
    let mut by_subscription = keys.clone();
    by_subscription.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        keys.iter().map(|k| &k.0).collect::<Vec<_>>(),
        by_subscription.iter().map(|k| &k.0).collect::<Vec<_>>(),
        "grouped by subscription"
    );
    let mut unique: Vec<_> = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len());
    let row = rows
        .iter()
        .find(|r| r.upn == "user7@contoso.com")
        .expect("a row");
    assert_eq!(row.display_name, "Name of user7@contoso.com");
    assert_eq!(row.product_name, "Power BI Pro");
    assert_eq!(row.subscription_id, big.id.to_string());
    assert_eq!(row.purchaser, "buyer@contoso.com");
    assert!(chrono::DateTime::parse_from_rfc3339(&row.assigned_at).is_ok());

    let chosen = collect(
        f.store
            .export_assignments(contoso, Some(vec![central_sub.id, small.id])),
    )
    .await;
    let mut chosen: Vec<(String, String)> =
        chosen.into_iter().map(|r| (r.upn, r.purchaser)).collect();
    chosen.sort();
    assert_eq!(
        chosen,
        vec![
            ("user0@contoso.com".into(), "buyer@contoso.com".into()),
            ("user1@contoso.com".into(), String::new()),
            ("user2@contoso.com".into(), String::new()),
        ],
        "the chosen subscriptions, central ones too, without purchaser"
    );
    assert!(
        collect(f.store.export_assignments(contoso, Some(Vec::new())))
            .await
            .is_empty()
    );
    assert!(
        collect(f.store.export_assignments(fabrikam, Some(vec![big.id])))
            .await
            .is_empty()
    );
    assert!(collect(f.store.export_assignments(fabrikam, None))
        .await
        .is_empty());

    // A client that goes away after the first row: the export stops and the store carries on.
    let mut rows = f.store.export_assignments(contoso, None);
    assert!(rows.recv().await.is_some());
    drop(rows);
    tokio::time::timeout(Duration::from_secs(10), f.store.ping())
        .await
        .expect("the store answers")
        .unwrap();
}

// ---------------------------------------------------------------------------------------------------------------
// Change notices

async fn next_notice(
    notices: &mut tokio::sync::mpsc::Receiver<ChangeNotice>,
    within: Duration,
) -> ChangeNotice {
    tokio::time::timeout(within, notices.recv())
        .await
        .unwrap_or_else(|_| panic!("no notice within {within:?}"))
        .expect("the listener is running")
}

/// Skips `Resynchronize` notices until the next other one.
async fn next_change(notices: &mut tokio::sync::mpsc::Receiver<ChangeNotice>) -> ChangeNotice {
    loop {
        match next_notice(notices, Duration::from_secs(10)).await {
            ChangeNotice::Resynchronize => continue,
            other => return other,
        }
    }
}

async fn changes_are_announced_to_every_replica(f: &Fixture) {
    let replica = f.another().await;
    let Some(mut notices) = replica.subscribe_changes() else {
        assert_eq!(f.backend, Backend::Sqlite, "PostgreSQL announces changes");
        return;
    };
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(10)).await,
        ChangeNotice::Resynchronize,
        "the first notice: listening has begun"
    );
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;

    let mut delays = Vec::new();
    for (revision, value) in [
        (1, PolicyValue::Disabled),
        (2, PolicyValue::OnlyTrialsWithoutPaymentMethod),
        (3, PolicyValue::Enabled),
    ] {
        let written = Instant::now();
        f.store
            .set_policy_value(change(contoso, Scope::Product, "CFQ7TTC0H9MP", value))
            .await
            .unwrap();
        let notice = next_notice(&mut notices, Duration::from_secs(5)).await;
        delays.push(written.elapsed());
        assert_eq!(
            notice,
            ChangeNotice::Policy {
                tenant_id: contoso,
                revision,
                scope: Scope::Product,
                target_id: "CFQ7TTC0H9MP".into(),
                value
            }
        );
    }
    eprintln!("policy notices reached the other store after {delays:?}");

    // A write that changes nothing announces nothing: the next notice is the user's.
    f.store
        .set_policy_value(change(
            contoso,
            Scope::Product,
            "CFQ7TTC0H9MP",
            PolicyValue::Enabled,
        ))
        .await
        .unwrap();
    f.store
        .update_user(
            contoso,
            alice.id,
            UserUpdate {
                account_enabled: Some(false),
                ..UserUpdate::default()
            },
            &actor(),
        )
        .await
        .unwrap();
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(5)).await,
        ChangeNotice::User { user_id: alice.id }
    );

    // An unreadable notice (from another version, say): forget everything.
    f.execute("SELECT pg_notify('mscommerce_changes', 'policy:from-the-future')")
        .await
        .unwrap();
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(5)).await,
        ChangeNotice::Resynchronize
    );

    // The listening connection dies: Resynchronize, then, once listening again, changes are announced again.
    let cut = f
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    assert_eq!(cut, 1, "one listening connection");
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(15)).await,
        ChangeNotice::Resynchronize
    );
    // Any further Resynchronize comes once listening has resumed; after it, nothing may be missed.
    while let Ok(Some(notice)) =
        tokio::time::timeout(Duration::from_millis(1500), notices.recv()).await
    {
        assert_eq!(notice, ChangeNotice::Resynchronize);
    }
    f.store
        .set_policy_value(change(
            contoso,
            Scope::OfferType,
            "SaaS",
            PolicyValue::Disabled,
        ))
        .await
        .unwrap();
    assert_eq!(
        next_change(&mut notices).await,
        ChangeNotice::Policy {
            tenant_id: contoso,
            revision: 4,
            scope: Scope::OfferType,
            target_id: "SaaS".into(),
            value: PolicyValue::Disabled
        }
    );

    // Dropping the receiver stops the listener and frees its connection.
    drop(notices);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let listening = f
            .execute(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
            )
            .await
            .unwrap();
        if listening == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the listener kept its connection"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
