//! The SQLite store: one file in WAL mode, one writer connection, a few readers.
//!
//! One writer, because SQLite allows one writer at a time anyway: queueing writes in the pool is cheaper and
//! fairer than letting them collide on the file lock. Write transactions start with `BEGIN IMMEDIATE`, so a
//! writer in another process (the admin commands) makes this one wait for the lock instead of failing, and a
//! transaction holds the whole database from its first statement: nothing it reads can change under it, which is
//! why this backend needs no row locks. `synchronous = NORMAL` in WAL mode: a committed write survives a crash of
//! the process (the WAL is written before the commit returns); only a power cut may lose the last commits, and
//! never corrupts the file.
//!
//! The queries are the shared ones in `sql/`; this file names what SQLite does differently.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, SqliteConnection, Transaction};

use crate::migrate::Migration;
use crate::{ChangeNotice, StoreError, StoreResult};

// Compiled once per backend, on purpose (see `sql/mod.rs`).
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

/// The store on a SQLite file.
pub use sql::SqlStore as SqliteStore;

type Db = sqlx::Sqlite;

/// Row locks: none, since a write transaction already holds the whole database. Statements that would only lock
/// rows are left out; the clauses that lock the rows a query reads are empty.
const LOCKS_ROWS: bool = false;
const FOR_UPDATE: &str = "";
const FOR_UPDATE_OF_SUBSCRIPTION: &str = "";
const FOR_NO_KEY_UPDATE: &str = "";
const FOR_UPDATE_SKIP_LOCKED: &str = "";

/// Byte order where an index must serve the comparison: SQLite's default collation is byte order already, and
/// naming another one (even `C`, which sorts the same) would keep the planner off the index.
const INDEXED_BYTE_ORDER: &str = "";

const MIGRATIONS: &[Migration] = crate::migrate::SQLITE_MIGRATIONS;
const MIGRATIONS_TABLE_EXISTS: &str =
    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')";

/// The file a SQLite URL names, read as the driver reads it; `None` for an in-memory database or a URL that is
/// not SQLite's.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    SqliteConnectOptions::from_str(url)
        .ok()
        .map(|options| options.get_filename().to_path_buf())
}

/// Opens (creating when missing, with its folder) the database file the URL names: a writer pool of one
/// connection and a reader pool. Every connection has the collation `C` (byte order), which the shared queries
/// name where PostgreSQL needs it said; in SQLite it is the order of the default `BINARY` collation.
async fn connect(url: &str) -> StoreResult<(Pool<Db>, Pool<Db>)> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::UnsupportedUrl {
            url: url.to_string(),
            problem: e.to_string(),
        })?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .collation("C", |a: &str, b: &str| a.cmp(b));
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if !in_memory {
        if let Some(folder) = options
            .get_filename()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(folder).map_err(|e| StoreError::UnsupportedUrl {
                url: url.to_string(),
                problem: format!("cannot create the folder {}: {e}", folder.display()),
            })?;
        }
    }
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    // An in-memory database exists once per connection, so readers must share the writer there.
    let read = if in_memory {
        write.clone()
    } else {
        SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?
    };
    Ok((read, write))
}

/// `BEGIN IMMEDIATE`: the write lock is taken at once, so a transaction never fails half-way because another
/// process wrote first.
///
/// In a task of its own: sqlx's `begin_with` awaits once more after SQLite has begun the transaction, and a caller
/// that stops waiting there (a client that disconnects drops its request) would leave the one writer connection
/// inside a transaction that nobody holds, refusing every later write. The task always finishes; if its caller
/// has gone, the transaction it hands over is dropped, and so rolled back.
async fn begin_write(pool: &Pool<Db>) -> sqlx::Result<Transaction<'static, Db>> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin_with("BEGIN IMMEDIATE").await })
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("beginning a write transaction failed: {e}")))?
}

/// Nothing to take: the write transaction already excludes every other writer, in any process.
async fn advisory_lock(_conn: &mut SqliteConnection, _key: i64) -> StoreResult<()> {
    Ok(())
}

/// No announcements: one process serves a SQLite file (see [`crate::ChangeFeed`]).
async fn notify_policies(
    _conn: &mut SqliteConnection,
    _notices: &[sql::PolicyNotice],
) -> StoreResult<()> {
    Ok(())
}

/// The changes of users and apps, read from `directory_changes` (written by triggers, see migration 6) every
/// [`crate::DIRECTORY_POLL_INTERVAL`]. Rows are numbered in commit order (one writer at a time), so reading on from
/// the last number seen misses none. Rows older than an hour are deleted.
fn subscribe_changes(pool: &Pool<Db>) -> Option<tokio::sync::mpsc::Receiver<ChangeNotice>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(poll_directory_changes(pool.clone(), sender));
    Some(receiver)
}

async fn poll_directory_changes(pool: Pool<Db>, sender: tokio::sync::mpsc::Sender<ChangeNotice>) {
    let last_seen = |pool: Pool<Db>| async move {
        sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(seq), 0) FROM directory_changes")
            .fetch_one(&pool)
            .await
    };
    // What was cached before this point is unknown: start from the newest row, after a resynchronization.
    let mut seen = loop {
        match last_seen(pool.clone()).await {
            Ok(seq) => break seq,
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the directory's changes; retrying");
                tokio::time::sleep(crate::DIRECTORY_POLL_INTERVAL).await;
            }
        }
    };
    if sender.send(ChangeNotice::Resynchronize).await.is_err() {
        return;
    }
    let mut rounds: u64 = 0;
    loop {
        tokio::time::sleep(crate::DIRECTORY_POLL_INTERVAL).await;
        if sender.is_closed() {
            return;
        }
        let rows = sqlx::query_as::<_, (i64, String, String)>(
            "SELECT seq, kind, id FROM directory_changes WHERE seq > $1 ORDER BY seq",
        )
        .bind(seen)
        .fetch_all(&pool)
        .await;
        let rows = match rows {
            Ok(rows) => rows,
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                // Changes may be missed until the next read succeeds; it reads on from `seen`, so none is lost.
                tracing::warn!(error = %e, "cannot read the directory's changes; retrying");
                continue;
            }
        };
        for (seq, kind, id) in rows {
            seen = seq;
            let notice = match kind.as_str() {
                "user" => id
                    .parse()
                    .ok()
                    .map(|user_id| ChangeNotice::User { user_id }),
                "app" => id
                    .parse()
                    .ok()
                    .map(|client_id| ChangeNotice::App { client_id }),
                "relationship" => id.parse().ok().map(|id| ChangeNotice::Relationship { id }),
                _ => None,
            };
            let notice = notice.unwrap_or(ChangeNotice::Resynchronize);
            if sender.send(notice).await.is_err() {
                return;
            }
        }
        rounds += 1;
        if rounds.is_multiple_of(60) {
            let cutoff = crate::text::timestamp(crate::text::now() - chrono::Duration::hours(1));
            if let Err(e) = sqlx::query("DELETE FROM directory_changes WHERE changed_at < $1")
                .bind(cutoff)
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %e, "cannot delete old directory changes");
            }
        }
    }
}

impl SqliteStore {
    /// Writes a consistent copy of the database to `path` (which must not exist) while the service runs.
    pub async fn backup_to(&self, path: &str) -> StoreResult<()> {
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.read)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lifecycle round reads a range of the index on status and end of term, not every subscription of a
    /// status: its comparisons use SQLite's default collation, the one the index is built with.
    #[tokio::test]
    async fn the_lifecycle_round_reads_a_range_of_its_index() {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        // Unbound parameters read as NULL: the plan is the same whatever the values.
        let plan: Vec<String> =
            sqlx::query(&format!("EXPLAIN QUERY PLAN {}", sql::lifecycle_query()))
                .fetch_all(&store.read)
                .await
                .unwrap()
                .iter()
                .map(|row| sqlx::Row::get(row, "detail"))
                .collect();
        assert!(
            plan.iter().any(|step| step.contains(
                "USING INDEX subscriptions_lifecycle (status=? AND expires_at>? AND expires_at<?)"
            )),
            "{plan:?}"
        );
    }

    /// A batch of policy writes reads its stored values by the primary key, one lookup per key, not by a scan.
    #[tokio::test]
    async fn a_batch_reads_its_stored_values_by_the_primary_key() {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let plan: Vec<String> = sqlx::query(&format!(
            "EXPLAIN QUERY PLAN {}",
            sql::stored_values_query(4)
        ))
        .fetch_all(&store.read)
        .await
        .unwrap()
        .iter()
        .map(|row| sqlx::Row::get(row, "detail"))
        .collect();
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SEARCH v USING INDEX")
                    && step.contains("(tenant_id=? AND policy_id=? AND scope=? AND target_id=?)")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN v")),
            "{plan:?}"
        );
    }
}
