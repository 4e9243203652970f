//! The storage interface of mscommerce. Handlers and services see only [`Store`]; which database runs behind it is
//! decided once, from the database URL, by [`open`].
//!
//! Every write that changes state writes its audit event in the same transaction.

mod migrate;
mod postgres;
mod postgres_subscriptions;
mod records;
mod sqlite;
mod sqlite_subscriptions;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mscommerce_domain::LifecycleCutoffs;
use uuid::Uuid;

pub use migrate::MigrationError;
pub use postgres::PgStore;
pub use records::*;
pub use sqlite::SqliteStore;

/// A change made through another replica, announced through the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeNotice {
    /// A policy value of the tenant changed: the value itself, with the revision that wrote it.
    Policy {
        tenant_id: Uuid,
        revision: i64,
        scope: mscommerce_domain::Scope,
        target_id: String,
        value: mscommerce_domain::PolicyValue,
    },
    /// A user's account changed.
    User { user_id: Uuid },
    /// Notices may have been lost (the listening connection dropped and came back): forget what is cached.
    Resynchronize,
}

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
    /// The change would break a rule of the domain; nothing was written.
    #[error("{reason}")]
    Rule {
        kind: RuleKind,
        code: &'static str,
        reason: String,
    },
    /// The record changed since the caller read it (its version differs from If-Match).
    #[error("{0}")]
    VersionMismatch(String),
}

/// What sort of rule a change broke, so that the API can answer with the right status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// The request itself is wrong (400).
    Invalid,
    /// The request collides with the current state (409).
    Conflict,
    /// The request names something that is not there (404).
    NotFound,
}

impl From<mscommerce_domain::SeatError> for StoreError {
    fn from(err: mscommerce_domain::SeatError) -> Self {
        use mscommerce_domain::SeatError::*;
        let kind = match err {
            TooManyUsers(_) | NoUsers | QuantityOutOfRange(_) | RenewalNotOffered => {
                RuleKind::Invalid
            }
            NotEnoughLicenses { .. } | QuantityBelowAssigned { .. } | NotActive(_) => {
                RuleKind::Conflict
            }
        };
        StoreError::Rule {
            kind,
            code: err.code(),
            reason: err.to_string(),
        }
    }
}

/// The persistent state of the service.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn create_tenant(&self, tenant: NewTenant, actor: &AuditActor) -> StoreResult<Tenant>;
    async fn tenant(&self, id: Uuid) -> StoreResult<Option<Tenant>>;
    async fn tenants(&self) -> StoreResult<Vec<Tenant>>;

    /// On a database with no tenant, creates the first one and its administrator, atomically: of several replicas
    /// starting at once on an empty database, one bootstraps and the others answer `None`.
    async fn create_first_tenant(
        &self,
        tenant: NewTenant,
        admin: NewUser,
        actor: &AuditActor,
    ) -> StoreResult<Option<(Tenant, User)>>;

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
    /// On a database with no signing key, stores `key`; answers every key, oldest first. Of several replicas
    /// starting at once on an empty database, exactly one stores its key and all answer that one, so every replica
    /// signs with, and accepts, the same keys. (Two calls of `add_signing_key` would both succeed: keys have
    /// different IDs.)
    ///
    /// The default suits a database served by one process (SQLite); a backend shared by several overrides it with
    /// a lock.
    async fn add_first_signing_key(
        &self,
        key: NewSigningKey,
    ) -> StoreResult<Vec<SigningKeyRecord>> {
        if self.signing_keys().await?.is_empty() {
            self.add_signing_key(key).await?;
        }
        self.signing_keys().await
    }

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
    /// Every audit event of a tenant, newest first, with IDs below `before` when given.
    async fn audit_events(
        &self,
        tenant_id: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>>;
    async fn record_audit(&self, event: NewAuditEvent) -> StoreResult<()>;

    /// Users of a tenant by sign-in name, after `after_upn` when given.
    async fn users(
        &self,
        tenant_id: Uuid,
        after_upn: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<User>>;
    async fn user(&self, tenant_id: Uuid, user_id: Uuid) -> StoreResult<Option<User>>;
    async fn update_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        update: UserUpdate,
        actor: &AuditActor,
    ) -> StoreResult<User>;

    /// Creates a subscription, its audit event and, when given, its confirmation email, in one transaction.
    async fn create_subscription(
        &self,
        subscription: NewSubscription,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription>;
    async fn subscription(&self, tenant_id: Uuid, id: Uuid) -> StoreResult<Option<Subscription>>;
    /// Subscriptions of a tenant, oldest first, after the subscription `after` when given.
    async fn subscriptions(
        &self,
        tenant_id: Uuid,
        filter: &SubscriptionFilter,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Subscription>>;
    /// Who holds the subscription's licenses, by sign-in name.
    async fn assignments(
        &self,
        tenant_id: Uuid,
        subscription_id: Uuid,
    ) -> StoreResult<Vec<Assignment>>;
    /// Assigns and unassigns under the seat rules: only members of the tenant, never beyond the quantity, only
    /// on an Active subscription. Users already holding a license are left as they are.
    async fn change_assignments(
        &self,
        change: AssignmentChange,
        actor: &AuditActor,
    ) -> StoreResult<Subscription>;
    /// Changes the total quantity (never below what is assigned) and whether it renews, in one transaction, each
    /// change audited; on an Active subscription.
    async fn change_subscription(
        &self,
        tenant_id: Uuid,
        subscription_id: Uuid,
        edit: SubscriptionEdit,
        expected_version: Option<i64>,
        actor: &AuditActor,
    ) -> StoreResult<Subscription>;
    /// Cancels: every license is unassigned at once, renewal stops, the status changes; with the audit event and
    /// the email, in one transaction.
    async fn cancel_subscription(
        &self,
        cancellation: Cancellation,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription>;
    /// Subscriptions of every tenant that may have a lifecycle step due (see `LifecycleCutoffs`), in the order of
    /// (end of term, ID), after `after` when given (the last of the previous batch), at most `limit`.
    async fn lifecycle_candidates(
        &self,
        cutoffs: LifecycleCutoffs,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> StoreResult<Vec<Subscription>>;
    /// Applies one lifecycle step in one transaction: the new status (and term, for a renewal), licenses removed
    /// when the step takes them away, an audit event by `actor`, and `message` to the outbox.
    /// `VersionMismatch` when the subscription changed since it was read.
    async fn apply_lifecycle_step(
        &self,
        change: LifecycleChange,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription>;
    /// Self-service licenses per product, of the subscriptions whose users hold them: Active, or Expired (the
    /// grace period).
    async fn product_licenses(&self, tenant_id: Uuid) -> StoreResult<Vec<ProductLicenses>>;
    /// Who holds one product's self-service licenses (as `product_licenses` counts them), grouped by purchaser then
    /// user.
    async fn license_holders(
        &self,
        tenant_id: Uuid,
        target_id: &str,
    ) -> StoreResult<Vec<LicenseHolder>>;
    /// Moves every licensed user of a self-service subscription into a central one of the same tenant, then
    /// cancels the source (Deleted, its users unassigned): all or nothing, in one transaction, with the audit
    /// events and the purchaser's email. Needs one free target license per user who does not hold one yet.
    async fn move_users(
        &self,
        request: MoveUsers,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<MoveOutcome>;

    /// Takes up to `limit` messages that are due and not sent, and hides them from other dispatchers for
    /// `lease_seconds` (their next attempt moves that far ahead), so that two dispatchers never take the same one.
    async fn claim_messages(
        &self,
        limit: u32,
        lease_seconds: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;
    async fn mark_message_sent(&self, id: i64) -> StoreResult<()>;
    /// Records a failed attempt; the next one is due after `retry_in_seconds`.
    async fn mark_message_failed(
        &self,
        id: i64,
        error: &str,
        retry_in_seconds: i64,
    ) -> StoreResult<()>;
    /// Every message in the outbox, oldest first (for operators and tests).
    async fn outbox(&self, tenant_id: Option<Uuid>) -> StoreResult<Vec<OutboxMessage>>;

    /// Changes committed by any process on this database, as they commit, for the caches. `None` when the backend
    /// has no such channel: a SQLite file is served by one process (the admin commands, which also write to it,
    /// change users only, and cached user facts expire).
    ///
    /// The contract, for a receiver returned here (PostgreSQL: `LISTEN mscommerce_changes` on a connection of its
    /// own, fed by `pg_notify` inside each writing transaction):
    ///
    /// - The first notice is [`ChangeNotice::Resynchronize`], sent once listening has begun. From that moment
    ///   every committed change is announced: a [`ChangeNotice::Policy`] for each `set_policy_value` that wrote
    ///   (with the revision it wrote; a no-op write announces nothing), a [`ChangeNotice::User`] for each
    ///   `update_user`. Changes of this process are announced too. Nothing is announced for a transaction that
    ///   rolls back.
    /// - Notices arrive in commit order, within milliseconds of the commit. Apply a policy notice only when its
    ///   revision is newer than what is cached, so that a local write and its own notice, in either order, agree.
    /// - Whenever notices may have been missed (the connection broke, or did not answer the check made after 5
    ///   seconds of silence, or a notice could not be read) a [`ChangeNotice::Resynchronize`] comes as soon as that
    ///   is known: forget everything cached and read from the store again. If listening had not resumed by then,
    ///   another one follows once it has; from the last one on, the guarantee above holds again. A cache that
    ///   obeys every `Resynchronize` is never stale for longer than a broken connection takes to be noticed.
    /// - The channel is bounded: a consumer that falls behind slows the listener down but loses nothing. Dropping
    ///   the receiver stops the listener (at its next notice or check) and frees its connection.
    /// - Each call starts a listener of its own: call it once per process.
    fn subscribe_changes(&self) -> Option<tokio::sync::mpsc::Receiver<ChangeNotice>> {
        None
    }

    /// Streams the users of the given subscriptions (all self-service ones when `None`), in constant memory.
    fn export_assignments(
        &self,
        tenant_id: Uuid,
        subscription_ids: Option<Vec<Uuid>>,
    ) -> tokio::sync::mpsc::Receiver<StoreResult<ExportRow>>;
}

/// Opens the store that the URL names (`sqlite:` or `postgres:`/`postgresql:`) and brings its schema up to date
/// when `migrate` is set; otherwise checks that it is.
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
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let store = PgStore::open(url).await?;
        if migrate {
            store.migrate().await?;
        } else {
            store.check_schema().await?;
        }
        return Ok(Arc::new(store));
    }
    Err(StoreError::UnsupportedUrl {
        url: url.to_string(),
        problem: "the scheme must be sqlite: (sqlite://data/mscommerce.db) or postgres: \
                  (postgres://user@host:5432/database)"
            .into(),
    })
}
