//! The storage interface, tested on every backend: SQLite (a temporary file) always, PostgreSQL as well when
//! `MSCOMMERCE_TEST_POSTGRES_URL` names a server. The tests are grouped by area, one module each; each test body
//! runs once per backend (`<area>::sqlite::<name>` and `<area>::postgres::<name>`), each time on a database of its
//! own that is removed afterwards, also when the test fails.
//!
//! PostgreSQL test databases use the ICU `en-US` collation when the server has it, as a typical production
//! database does, so that a query that sorts text without saying how shows up here as a difference from SQLite.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use mscommerce_domain::{entity_tag, DomainName, Preconditions, SubscriptionId, TenantId, UserId};
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

/// Every test body runs on SQLite, and on PostgreSQL when it is configured. Each area module names its own tests
/// (in `<area>::sqlite` and `<area>::postgres`); defined before the modules, which see it from there on.
macro_rules! on_every_backend {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let fixture = crate::Fixture::new(crate::Backend::Sqlite).await.expect("SQLite");
                    super::$test(&fixture).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let Some(fixture) = crate::Fixture::new(crate::Backend::Postgres).await else {
                        eprintln!("{} is not set: skipped on PostgreSQL", crate::POSTGRES_ENV);
                        return;
                    };
                    super::$test(&fixture).await;
                }
            )+
        }
    };
}

mod changes;
mod credentials;
mod directory;
mod federation;
mod grants;
mod licenses;
mod lifecycle;
mod outbox;
mod partners;
mod policies;
mod schema;
mod subscriptions;

fn actor() -> AuditActor {
    AuditActor {
        id: "user:test".into(),
        name: "Test Administrator".into(),
        kind: "User".into(),
        correlation_id: Uuid::new_v4().to_string(),
        partner_tenant_id: None,
    }
}

async fn tenant(f: &Fixture, name: &str) -> TenantId {
    f.store
        .create_tenant(
            NewTenant {
                id: None,
                name: name.into(),
                // The tests' users are named <someone>@<tenant name>.com.
                domains: vec![domain(&format!("{}.com", name.to_lowercase()))],
            },
            &actor(),
        )
        .await
        .expect("a tenant")
        .id
}

fn domain(text: &str) -> DomainName {
    DomainName::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn new_user(tenant_id: TenantId, upn: &str, user_type: UserType) -> NewUser {
    NewUser {
        tenant_id,
        upn: upn.into(),
        display_name: format!("Name of {upn}"),
        user_type,
        password_hash: None,
        roles: Vec::new(),
    }
}

async fn member(f: &Fixture, tenant_id: TenantId, upn: &str) -> User {
    f.store
        .create_user(new_user(tenant_id, upn, UserType::Member), &actor())
        .await
        .unwrap_or_else(|e| panic!("user {upn}: {e}"))
}

async fn members(f: &Fixture, tenant_id: TenantId, prefix: &str, count: usize) -> Vec<User> {
    let mut users = Vec::new();
    for i in 0..count {
        users.push(member(f, tenant_id, &format!("{prefix}{i}@contoso.com")).await);
    }
    users
}

fn new_subscription(
    tenant_id: TenantId,
    purchase_type: PurchaseType,
    purchaser_id: Option<UserId>,
    quantity: i64,
) -> NewSubscription {
    NewSubscription {
        id: SubscriptionId::generate(),
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
    tenant_id: TenantId,
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

async fn central(f: &Fixture, tenant_id: TenantId, quantity: i64) -> Subscription {
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

fn change(tenant_id: TenantId, scope: Scope, target: &str, value: PolicyValue) -> PolicyChange {
    PolicyChange {
        tenant_id,
        policy_id: POLICY.into(),
        scope,
        target_id: target.into(),
        target_name: format!("{target} name"),
        default_value: PolicyValue::Enabled,
        value,
        actor: actor(),
        preconditions: Preconditions::default(),
    }
}

fn assignment(
    tenant_id: TenantId,
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
    tenant_id: TenantId,
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

async fn holders(f: &Fixture, tenant_id: TenantId, subscription: &Subscription) -> Vec<String> {
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

async fn actions_of(f: &Fixture, tenant_id: TenantId) -> Vec<String> {
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
