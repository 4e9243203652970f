//! The PostgreSQL store, for several replicas on one shared database.
//!
//! The queries are the shared ones in `sql/`, with PostgreSQL's concurrency where SQLite has its single writer: a
//! change locks the rows it reads before it decides (`SELECT ... FOR UPDATE`), so two replicas can never both pass
//! a seat check on the same subscription; dispatchers claim outbox messages with `FOR UPDATE SKIP LOCKED`, so two
//! never take the same one; migrations and the bootstrap of an empty database run under advisory locks. Every
//! policy or user change is announced with `pg_notify` in its own transaction, so the other replicas' caches follow
//! (see [`crate::ChangeFeed`]).
//!
//! Identifiers and timestamps are kept as text, as in SQLite, rather than `uuid` and `timestamptz`: one data model,
//! one set of row readers, the same values (to the millisecond) whichever backend answers, and a dump of either
//! database reads the same. RFC 3339 UTC with milliseconds has a fixed width, so it sorts and compares as text
//! under any collation; nothing here does date arithmetic in SQL. Text that people read in lists (sign-in names,
//! product names) is sorted with `COLLATE "C"`, byte order as in SQLite, whatever the database's locale.

use std::str::FromStr;

use mscommerce_domain::{PolicyValue, Scope};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool, Pool, Transaction};

use crate::migrate::Migration;
use crate::{ChangeNotice, StoreError, StoreResult};

// Compiled once per backend, on purpose (see `sql/mod.rs`).
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

/// The store on a PostgreSQL database.
pub use sql::SqlStore as PgStore;

type Db = sqlx::Postgres;

/// Row locks: a change locks what it reads, until its transaction ends. `LOCKS_ROWS` runs the statements that only
/// lock (a tenant's row before its policy values; the two subscriptions of a take-over, in ID order).
const LOCKS_ROWS: bool = true;
/// The rows a change reads and then writes (the tenants of a batch of policy changes).
const FOR_UPDATE: &str = " FOR UPDATE";
/// A subscription read with its purchaser (a left join): only the subscription's row is locked.
const FOR_UPDATE_OF_SUBSCRIPTION: &str = " FOR UPDATE OF s";
/// A user's row: the key is not changed, so rows that refer to the user (assignments) are not held up.
const FOR_NO_KEY_UPDATE: &str = " FOR NO KEY UPDATE";
/// Outbox claims: rows another dispatcher holds are skipped, not waited for.
const FOR_UPDATE_SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

/// Byte order where an index must serve the comparison: the lifecycle index is built `COLLATE "C"`.
const INDEXED_BYTE_ORDER: &str = " COLLATE \"C\"";

const MIGRATIONS: &[Migration] = crate::migrate::POSTGRES_MIGRATIONS;
const MIGRATIONS_TABLE_EXISTS: &str = "SELECT to_regclass('schema_migrations') IS NOT NULL";

/// The channel on which changes are announced to every replica.
const CHANGES_CHANNEL: &str = "mscommerce_changes";

/// Connects to the database the URL names (which must exist; `mscommerce migrate` or `migrate_on_start` creates
/// the tables). Settings that libpq reads from the URL (`sslmode`, `application_name`, ...) apply. One pool for
/// reads and writes: PostgreSQL has row locks, so writers need no queue of their own.
async fn connect(url: &str) -> StoreResult<(Pool<Db>, Pool<Db>)> {
    let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::UnsupportedUrl {
        url: url.to_string(),
        problem: e.to_string(),
    })?;
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .connect_with(options)
        .await?;
    Ok((pool.clone(), pool))
}

async fn begin_write(pool: &Pool<Db>) -> sqlx::Result<Transaction<'static, Db>> {
    pool.begin().await
}

/// Held until the transaction ends; another process taking the same key waits.
async fn advisory_lock(conn: &mut PgConnection, key: i64) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Announces the changed values of a batch to every replica when the transaction commits (PostgreSQL delivers
/// notifications only then, in the order given, and drops them if it rolls back); one statement for them all.
async fn notify_policies(
    conn: &mut PgConnection,
    notices: &[sql::PolicyNotice],
) -> StoreResult<()> {
    if notices.is_empty() {
        return Ok(());
    }
    let payloads: Vec<String> = notices
        .iter()
        .map(|n| {
            policy_notice(
                &n.tenant_id.to_string(),
                n.revision,
                n.scope.as_str(),
                &n.target_id,
                n.value,
            )
        })
        .collect();
    sqlx::query(
        "SELECT pg_notify($1, payload) FROM UNNEST($2::text[]) WITH ORDINALITY AS n(payload, i) ORDER BY i",
    )
    .bind(CHANGES_CHANNEL)
    .bind(payloads)
    .execute(conn)
    .await?;
    Ok(())
}

fn subscribe_changes(pool: &PgPool) -> Option<tokio::sync::mpsc::Receiver<ChangeNotice>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(listen_for_changes(pool.clone(), sender));
    Some(receiver)
}

/// How long the change listener waits in silence before it checks that its connection is alive: a connection cut
/// without a word (a failover, a firewall dropping idle flows) would otherwise leave the caches stale for good.
const LISTENER_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);
/// The liveness check of the listener's connection.
const LISTEN_AGAIN: &str = r#"LISTEN "mscommerce_changes""#;
/// How long that check may take before the connection is taken for dead.
const LISTENER_CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Forwards the notifications of [`CHANGES_CHANNEL`] until the receiver is dropped, under the contract of
/// [`crate::ChangeFeed::subscribe_changes`]: [`ChangeNotice::Resynchronize`] once listening (again), after which every change
/// that commits is announced; and [`ChangeNotice::Resynchronize`] as soon as the connection is found lost, so that
/// nothing cached is trusted while changes cannot be heard.
async fn listen_for_changes(pool: PgPool, sender: tokio::sync::mpsc::Sender<ChangeNotice>) {
    let retry = std::time::Duration::from_secs(1);
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for changes of other replicas; retrying");
                if sender.is_closed() {
                    return;
                }
                tokio::time::sleep(retry).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANGES_CHANNEL).await {
            tracing::warn!(error = %e, "cannot listen for changes of other replicas; retrying");
            if sender.is_closed() {
                return;
            }
            tokio::time::sleep(retry).await;
            continue;
        }
        // Listening from here on; whatever committed before is unknown to the caches.
        if sender.send(ChangeNotice::Resynchronize).await.is_err() {
            return;
        }
        loop {
            let notice = match tokio::time::timeout(LISTENER_CHECK_INTERVAL, listener.try_recv())
                .await
            {
                Ok(Ok(Some(notification))) => {
                    parse_notice(notification.payload()).unwrap_or_else(|| {
                        // Written by another version of mscommerce, perhaps: what changed is unknown.
                        tracing::warn!(
                            payload = notification.payload(),
                            "unreadable change notice"
                        );
                        ChangeNotice::Resynchronize
                    })
                }
                // The connection was lost and the listener has listened again on a new one (sqlx reconnects before
                // it answers `None`): what was sent in between is lost.
                Ok(Ok(None)) => {
                    tracing::warn!("the change notifications of other replicas were interrupted");
                    ChangeNotice::Resynchronize
                }
                Ok(Err(sqlx::Error::PoolClosed)) => return,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "lost the change notifications of other replicas; reconnecting");
                    let _ = sender.send(ChangeNotice::Resynchronize).await;
                    break;
                }
                Err(_quiet) => {
                    if sender.is_closed() {
                        return;
                    }
                    // LISTEN again: a no-op on a live connection, and what the connection shows in
                    // pg_stat_activity stays `LISTEN ...`, for operators looking for the listeners.
                    let check = sqlx::Executor::execute(&mut listener, LISTEN_AGAIN);
                    match tokio::time::timeout(LISTENER_CHECK_TIMEOUT, check).await {
                        Ok(Ok(_)) => continue,
                        Ok(Err(e)) => {
                            tracing::warn!(error = %e, "the change listener's connection failed; reconnecting")
                        }
                        Err(_) => tracing::warn!(
                            "the change listener's connection does not answer; reconnecting"
                        ),
                    }
                    let _ = sender.send(ChangeNotice::Resynchronize).await;
                    break;
                }
            };
            if sender.send(notice).await.is_err() {
                return;
            }
        }
    }
}

/// `policy:<tenant>:<revision>:<scope>:<target>:<value>`, or `user:<user>` and `app:<client ID>` (sent by the
/// triggers of migration 6), or `relationship:<ID>` (migration 10's). The value is read from the end, so the target may hold any character.
fn parse_notice(payload: &str) -> Option<ChangeNotice> {
    if let Some(rest) = payload.strip_prefix("policy:") {
        let mut parts = rest.splitn(4, ':');
        let (tenant, revision, scope, rest) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let (target, value) = rest.rsplit_once(':')?;
        return Some(ChangeNotice::Policy {
            tenant_id: tenant.parse().ok()?,
            revision: revision.parse().ok()?,
            scope: Scope::parse(scope)?,
            target_id: target.to_string(),
            value: PolicyValue::parse(value)?,
        });
    }
    if let Some(relationship) = payload.strip_prefix("relationship:") {
        return Some(ChangeNotice::Relationship {
            id: relationship.parse().ok()?,
        });
    }
    if let Some(app) = payload.strip_prefix("app:") {
        return Some(ChangeNotice::App {
            client_id: app.parse().ok()?,
        });
    }
    let user = payload.strip_prefix("user:")?;
    Some(ChangeNotice::User {
        user_id: user.parse().ok()?,
    })
}

fn policy_notice(
    tenant: &str,
    revision: i64,
    scope: &str,
    target: &str,
    value: PolicyValue,
) -> String {
    format!("policy:{tenant}:{revision}:{scope}:{target}:{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_liveness_check_listens_on_the_changes_channel() {
        assert_eq!(LISTEN_AGAIN, format!("LISTEN \"{CHANGES_CHANNEL}\""));
    }

    #[test]
    fn notices_read_back() {
        let tenant = mscommerce_domain::TenantId::generate();
        assert_eq!(
            parse_notice(&policy_notice(
                &tenant.to_string(),
                7,
                "OfferType",
                "SaaS:odd",
                PolicyValue::Disabled
            )),
            Some(ChangeNotice::Policy {
                tenant_id: tenant,
                revision: 7,
                scope: Scope::OfferType,
                target_id: "SaaS:odd".into(),
                value: PolicyValue::Disabled
            })
        );
        assert_eq!(
            parse_notice(&format!("user:{tenant}")),
            Some(ChangeNotice::User {
                user_id: mscommerce_domain::UserId(tenant.as_uuid())
            })
        );
        assert_eq!(
            parse_notice(&format!("app:{tenant}")),
            Some(ChangeNotice::App {
                client_id: tenant.as_uuid()
            })
        );
        assert_eq!(parse_notice("app:x"), None);
        assert_eq!(parse_notice("policy:x"), None);
        assert_eq!(parse_notice(&format!("user:{tenant}:x")), None);
        assert_eq!(parse_notice("something:else"), None);
    }
}
