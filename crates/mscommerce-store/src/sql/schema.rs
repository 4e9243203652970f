//! Bringing the schema up to date, and checking it without changing anything.

use sqlx::Row;

use super::{
    advisory_lock, begin_write, directory, Conn, SqlStore, MIGRATIONS, MIGRATIONS_TABLE_EXISTS,
    MIGRATION_LOCK,
};
use crate::migrate::{self, MigrationError};
use crate::text::{now, timestamp};
use crate::StoreResult;

/// The applied migrations, after creating their table when `create` is set. Without it, a database without the
/// table has none: the check needs no right to create anything, so replicas may run as a role that can only read
/// and write rows (see docs/OPERATIONS.md).
async fn applied_migrations(conn: &mut Conn, create: bool) -> StoreResult<Vec<(i64, i64)>> {
    if create {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             checksum BIGINT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
    } else {
        let exists: bool = sqlx::query_scalar(MIGRATIONS_TABLE_EXISTS)
            .fetch_one(&mut *conn)
            .await?;
        if !exists {
            return Ok(Vec::new());
        }
    }
    let rows = sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("version")?, r.try_get("checksum")?)))
        .collect()
}

impl SqlStore {
    /// Applies every migration the database lacks. Safe to run from several processes at once: the plan is made
    /// under a lock that the others wait for.
    pub async fn migrate(&self) -> StoreResult<()> {
        let mut tx = begin_write(&self.write).await?;
        advisory_lock(&mut tx, MIGRATION_LOCK).await?;
        let applied = applied_migrations(&mut tx, true).await?;
        for migration in migrate::plan(&applied, MIGRATIONS)? {
            tracing::info!(
                migration.version = migration.version,
                migration.name = migration.name,
                "applying migration"
            );
            sqlx::raw_sql(migration.sql).execute(&mut *tx).await?;
            if migration.name == directory::TENANT_DOMAINS_MIGRATION {
                directory::give_existing_tenants_their_domains(&mut tx).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(migration.version)
            .bind(migration.name)
            .bind(migrate::checksum(migration.sql))
            .bind(timestamp(now()))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Checks, without changing anything, that the schema is exactly what this binary expects.
    pub async fn check_schema(&self) -> StoreResult<()> {
        let mut conn = self.read.acquire().await?;
        let applied = applied_migrations(&mut conn, false).await?;
        let pending = migrate::plan(&applied, MIGRATIONS)?;
        if !pending.is_empty() {
            return Err(MigrationError::Pending {
                at: applied.last().map_or(0, |&(v, _)| v),
                needed: MIGRATIONS.last().map_or(0, |m| m.version),
            }
            .into());
        }
        Ok(())
    }
}
