//! The store's SQL, written once for SQLite and PostgreSQL.
//!
//! This module is compiled twice: `sqlite.rs` and `postgres.rs` each include it (`#[path = "sql/mod.rs"]`) and
//! give it, as `super::*`, the names of what differs between the two databases: the driver (`Db`), the row-lock
//! clauses, `begin_write`, `advisory_lock`, the change notices, `connect`, the migrations and the schema check.
//! Everything else is the same text: `$n` placeholders (the SQLite driver reads `$n` as the n-th argument, as
//! PostgreSQL does), the literals both read (`FALSE`, `CAST(... AS BIGINT)`), and `COLLATE "C"` wherever text is
//! sorted for people (a collation of that name, byte order, is registered on every SQLite connection). The one
//! exception is a comparison an index must serve (`INDEXED_BYTE_ORDER`): on SQLite a named collation would keep
//! the planner off an index built with the default one, which is byte order already.
//!
//! Why twice rather than generic over `sqlx::Database`: every query would need the bounds that let a connection of
//! any backend execute it and decode its columns (a dozen higher-ranked where-clauses on every function), for the
//! two backends that exist; `sqlx::Any` decodes neither SQLite's booleans nor PostgreSQL's types the same way.
//! Compiled twice, the text is one copy and each copy type-checks against its own driver.

mod audit;
mod credentials;
mod directory;
mod federation;
mod grants;
mod license_requests;
mod licenses;
mod outbox;
mod partners;
mod policies;
mod policy_writes;
mod rows;
mod schema;
mod subscriptions;

use async_trait::async_trait;
use sqlx::Pool;

// What differs between the backends, as each names it (see above).
use super::{
    advisory_lock, begin_write, connect, notify_policies, subscribe_changes, Db, FOR_NO_KEY_UPDATE,
    FOR_UPDATE, FOR_UPDATE_OF_SUBSCRIPTION, FOR_UPDATE_SKIP_LOCKED, INDEXED_BYTE_ORDER, LOCKS_ROWS,
    MIGRATIONS, MIGRATIONS_TABLE_EXISTS,
};
use crate::{ChangeFeed, ChangeNotice, Store, StoreError, StoreResult};

/// A connection of this backend, inside or outside a transaction.
type Conn = <Db as sqlx::Database>::Connection;

/// The key of the advisory lock under which migrations run.
const MIGRATION_LOCK: i64 = 0x6d73_636f_6d6d;
/// The key of the advisory lock under which a process bootstraps an empty database (first tenant, first key).
const BOOTSTRAP_LOCK: i64 = MIGRATION_LOCK + 1;
/// The key of the advisory lock under which a tenant's domains are chosen: two tenants created at once with the
/// same name take turns, so the second gets the next free initial domain rather than a failure.
const DOMAIN_LOCK: i64 = MIGRATION_LOCK + 2;

/// The store on one database: reads go to `read`, write transactions to `write` (the same pool where the
/// backend has no reason to keep them apart); changes of policy values to the policy writer, which writes them
/// through `write` (`policy_writes.rs`).
pub struct SqlStore {
    pub(super) read: Pool<Db>,
    pub(super) write: Pool<Db>,
    policy_writer: policy_writes::PolicyWriter,
}

impl SqlStore {
    /// Opens the database the URL names (see the backend's `connect` for what it creates and checks), and starts
    /// its policy writer on the caller's runtime.
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        let (read, write) = connect(url).await?;
        let policy_writer = policy_writes::PolicyWriter::start(write.clone());
        Ok(SqlStore {
            read,
            write,
            policy_writer,
        })
    }
}

/// A changed policy value, as announced to the other replicas when its transaction commits.
#[allow(dead_code)] // read by PostgreSQL's announcements only; SQLite has none
pub(super) struct PolicyNotice {
    pub tenant_id: mscommerce_domain::TenantId,
    pub scope: mscommerce_domain::Scope,
    pub target_id: String,
    pub value: mscommerce_domain::PolicyValue,
    pub revision: i64,
}

/// Turns a unique-constraint failure into [`StoreError::Conflict`] with the caller's words.
fn conflict_as(err: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what()),
        _ => StoreError::Database(err),
    }
}

/// Fails with NotFound unless the tenant exists (inside the caller's transaction).
async fn ensure_tenant(conn: &mut Conn, tenant_id: mscommerce_domain::TenantId) -> StoreResult<()> {
    let exists = sqlx::query("SELECT 1 FROM tenants WHERE id = $1")
        .bind(tenant_id.to_string())
        .fetch_optional(conn)
        .await?
        .is_some();
    if exists {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!(
            "no tenant has the ID {tenant_id}"
        )))
    }
}

/// `$first, $first+1, ...`: `count` numbered parameters.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The query of a batch's stored values, for the test that the SQLite backend's primary key serves it.
#[cfg(test)]
#[allow(dead_code)] // read by one backend's test only
pub(super) fn stored_values_query(keys: usize) -> String {
    policy_writes::stored_values_query(keys)
}

/// The lifecycle round's query, for the test that the SQLite backend's index serves it.
#[cfg(test)]
#[allow(dead_code)] // read by one backend's test only
pub(super) fn lifecycle_query() -> String {
    subscriptions::lifecycle_query()
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }
}

impl ChangeFeed for SqlStore {
    fn subscribe_changes(&self) -> Option<tokio::sync::mpsc::Receiver<ChangeNotice>> {
        subscribe_changes(&self.write)
    }
}
