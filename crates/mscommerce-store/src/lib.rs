//! The storage interface of mscommerce. Handlers and services see only [`Store`]; which database runs behind it is
//! decided once, from the database URL, by [`open`].
//!
//! Every write that changes state writes its audit event in the same transaction.

mod migrate;
mod records;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use uuid::Uuid;

pub use migrate::MigrationError;
pub use records::*;
pub use sqlite::SqliteStore;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the text names what already exists.
    #[error("{0}")]
    Conflict(String),
    /// A record the operation needs does not exist; the text names it.
    #[error("{0}")]
    NotFound(String),
    #[error("the database URL '{url}' is not supported: {problem}")]
    UnsupportedUrl { url: String, problem: String },
    #[error(transparent)]
    Migration(#[from] MigrationError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored row that this version cannot read (edited by hand, or written by a newer version).
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

/// The persistent state of the service.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn create_tenant(&self, tenant: NewTenant, actor: &AuditActor) -> StoreResult<Tenant>;
    async fn tenant(&self, id: Uuid) -> StoreResult<Option<Tenant>>;
    async fn tenants(&self) -> StoreResult<Vec<Tenant>>;

    /// Fails with [`StoreError::Conflict`] when the UPN is taken (in any tenant) and [`StoreError::NotFound`]
    /// when the tenant does not exist.
    async fn create_user(&self, user: NewUser, actor: &AuditActor) -> StoreResult<User>;
    /// Finds a user by sign-in name, ignoring case.
    async fn user_by_upn(&self, upn: &str) -> StoreResult<Option<User>>;

    async fn create_app(&self, app: NewApp, actor: &AuditActor) -> StoreResult<App>;
    async fn app(&self, client_id: Uuid) -> StoreResult<Option<App>>;

    /// Every signing key, oldest first.
    async fn signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>>;
    async fn add_signing_key(&self, key: NewSigningKey) -> StoreResult<()>;

    /// Every stored policy value of a tenant. Targets without a row have the policy's default value.
    async fn policy_values(&self, tenant_id: Uuid) -> StoreResult<Vec<StoredPolicyValue>>;
    /// Sets one value. When it differs from the stored one (or the default), the value, the tenant's new revision
    /// and an audit event are written in one transaction; when it does not, nothing is written.
    async fn set_policy_value(&self, change: PolicyChange) -> StoreResult<PolicyWrite>;
    /// Policy changes of a tenant, newest first, with IDs below `before` when given.
    async fn policy_changes(
        &self,
        tenant_id: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>>;
}

/// Opens the store that the URL names and brings its schema up to date when `migrate` is set.
/// `sqlite:` URLs are served by [`SqliteStore`].
pub async fn open(url: &str, migrate: bool) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(url).await?;
        if migrate {
            store.migrate().await?;
        } else {
            store.check_schema().await?;
        }
        return Ok(Arc::new(store));
    }
    Err(StoreError::UnsupportedUrl {
        url: url.to_string(),
        problem: "the scheme must be sqlite: (for example sqlite://data/mscommerce.db)".into(),
    })
}
