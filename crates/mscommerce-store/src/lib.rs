//! The storage interface of mscommerce. Handlers and services see only [`Store`]; which database runs behind it is
//! decided once, from the database URL, by [`open`].
//!
//! Every write that changes state writes its audit event in the same transaction.
//!
//! The map of the crate: each area's trait is in a file of its own (`directory.rs`, `credentials.rs`,
//! `policies.rs`, `audit.rs`, `subscriptions.rs`, `licenses.rs`, `outbox.rs`, `partners.rs`, `changes.rs`), and its SQL in the file
//! of the same name under `sql/`. That SQL is written once for both backends: `sqlite.rs` and `postgres.rs` each compile the `sql` module
//! against their own driver and name what differs between them (row locks, how a write begins, advisory locks,
//! notifications, connecting, the schema check, backups).

mod audit;
mod changes;
mod credentials;
mod directory;
mod federation;
mod grants;
mod license_requests;
mod licenses;
mod migrate;
mod outbox;
mod partners;
mod policies;
mod postgres;
mod records;
mod sqlite;
mod subscriptions;
mod text;

use std::sync::Arc;

use async_trait::async_trait;

pub use audit::AuditStore;
pub use changes::{ChangeFeed, ChangeNotice};
pub use credentials::CredentialStore;

/// How often a SQLite store's change feed reads the changes of users and apps (see [`ChangeFeed`]): the longest a
/// change made by the admin command line takes to reach the serving process.
pub const DIRECTORY_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);
pub use directory::DirectoryStore;
pub use federation::FederationStore;
pub use grants::GrantStore;
pub use license_requests::LicenseRequestStore;
pub use licenses::LicenseStore;
pub use migrate::MigrationError;
pub use outbox::OutboxStore;
pub use partners::PartnerStore;
pub use policies::PolicyStore;
pub use postgres::PgStore;
pub use records::*;
pub use sqlite::{sqlite_file, SqliteStore};
pub use subscriptions::SubscriptionStore;

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

impl From<mscommerce_domain::UpnDomainNotInTenant> for StoreError {
    fn from(err: mscommerce_domain::UpnDomainNotInTenant) -> Self {
        StoreError::Rule {
            kind: RuleKind::Invalid,
            code: err.code(),
            reason: err.to_string(),
        }
    }
}

impl From<mscommerce_domain::RelationshipError> for StoreError {
    fn from(err: mscommerce_domain::RelationshipError) -> Self {
        StoreError::Rule {
            kind: if err.is_invalid_request() {
                RuleKind::Invalid
            } else {
                RuleKind::Conflict
            },
            code: err.code(),
            reason: err.to_string(),
        }
    }
}

/// The persistent state of the service: every area's operations, and a check that the database answers.
#[async_trait]
pub trait Store:
    DirectoryStore
    + CredentialStore
    + FederationStore
    + PolicyStore
    + AuditStore
    + SubscriptionStore
    + LicenseStore
    + LicenseRequestStore
    + OutboxStore
    + GrantStore
    + PartnerStore
    + ChangeFeed
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;
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
