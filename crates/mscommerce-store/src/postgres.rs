//! The PostgreSQL store, for several replicas on one shared database.
//!
//! The same schema and queries as the SQLite store, with PostgreSQL's concurrency: a change locks the rows it
//! reads before it decides (`SELECT ... FOR UPDATE`), so two replicas can never both pass a seat check on the same
//! subscription; dispatchers claim outbox messages with `FOR UPDATE SKIP LOCKED`, so two never take the same one;
//! migrations run under an advisory lock. Every policy or user change is announced with `pg_notify` in its own
//! transaction, so the other replicas' caches follow (see [`Store::subscribe_changes`]).
//!
//! Identifiers and timestamps are kept as text, as in SQLite, rather than `uuid` and `timestamptz`: one data model,
//! one set of row readers, the same values (to the millisecond) whichever backend answers, and a dump of either
//! database reads the same. RFC 3339 UTC with milliseconds has a fixed width, so it sorts and compares as text
//! under any collation; nothing here does date arithmetic in SQL. Text that people read in lists (sign-in names,
//! product names) is sorted with `COLLATE "C"`, byte order as in SQLite, whatever the database's locale.

use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use mscommerce_domain::{LifecycleCutoffs, PolicyValue, Scope};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::migrate::{self, MigrationError, POSTGRES_MIGRATIONS};
use crate::postgres_subscriptions::{
    self as postgres_subscriptions, cancel_in, change_assignments_in, change_subscription_in,
    export, insert_message, message_from_row, move_users_in, reload, subscription_from_row,
    user_ref, SUBSCRIPTION_SELECT,
};
use crate::{actions, records::*, ChangeNotice, Store, StoreError, StoreResult};

pub struct PgStore {
    /// One pool: PostgreSQL has row locks, so writers need no queue of their own.
    pool: PgPool,
}

/// The key of the advisory lock under which migrations run.
const MIGRATION_LOCK: i64 = 0x6d73_636f_6d6d;
/// The key of the advisory lock under which a replica bootstraps an empty database (first tenant, first key).
const BOOTSTRAP_LOCK: i64 = MIGRATION_LOCK + 1;
/// The channel on which changes are announced to every replica.
pub(crate) const CHANGES_CHANNEL: &str = "mscommerce_changes";

fn now() -> DateTime<Utc> {
    Utc::now()
}

pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn parse_timestamp(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("'{text}' is not an RFC 3339 timestamp")))
}

pub(crate) fn parse_uuid(text: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|_| StoreError::Corrupt(format!("'{text}' is not a GUID")))
}

fn split_list(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

fn scope_text(scope: Scope) -> &'static str {
    scope.as_str()
}

fn parse_scope(text: &str) -> StoreResult<Scope> {
    Scope::parse(text).ok_or_else(|| StoreError::Corrupt(format!("'{text}' is not a policy scope")))
}

fn parse_value(text: &str) -> StoreResult<PolicyValue> {
    PolicyValue::parse(text)
        .ok_or_else(|| StoreError::Corrupt(format!("'{text}' is not a policy value")))
}

/// Turns a unique-constraint failure into [`StoreError::Conflict`] with the caller's words.
fn conflict_as(err: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what()),
        _ => StoreError::Database(err),
    }
}

/// One row of the audit trail, as written alongside the change it records.
pub(crate) struct AuditRecord<'a> {
    pub tenant_id: Uuid,
    pub action: &'a str,
    pub actor: &'a AuditActor,
    pub target_type: &'a str,
    pub target_id: String,
    pub target_name: String,
    pub policy_id: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub at: DateTime<Utc>,
}

pub(crate) async fn insert_audit(
    conn: &mut PgConnection,
    record: AuditRecord<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, occurred_at, action, actor_id, actor_name, actor_type, \
         correlation_id, target_type, target_id, target_name, policy_id, old_value, new_value) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(record.tenant_id.to_string())
    .bind(timestamp(record.at))
    .bind(record.action)
    .bind(&record.actor.id)
    .bind(&record.actor.name)
    .bind(&record.actor.kind)
    .bind(&record.actor.correlation_id)
    .bind(record.target_type)
    .bind(&record.target_id)
    .bind(&record.target_name)
    .bind(record.policy_id)
    .bind(&record.old_value)
    .bind(&record.new_value)
    .execute(conn)
    .await?;
    Ok(())
}

/// How long the change listener waits in silence before it checks that its connection is alive: a connection cut
/// without a word (a failover, a firewall dropping idle flows) would otherwise leave the caches stale for good.
const LISTENER_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);
/// The liveness check of the listener's connection.
const LISTEN_AGAIN: &str = r#"LISTEN "mscommerce_changes""#;
/// How long that check may take before the connection is taken for dead.
const LISTENER_CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Forwards the notifications of [`CHANGES_CHANNEL`] until the receiver is dropped, under the contract of
/// [`Store::subscribe_changes`]: [`ChangeNotice::Resynchronize`] once listening (again), after which every change
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

/// `policy:<tenant>:<revision>:<scope>:<target>:<value>` or `user:<user>`. The value is read from the end, so the
/// target may hold any character.
fn parse_notice(payload: &str) -> Option<ChangeNotice> {
    if let Some(rest) = payload.strip_prefix("policy:") {
        let mut parts = rest.splitn(4, ':');
        let (tenant, revision, scope, rest) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let (target, value) = rest.rsplit_once(':')?;
        return Some(ChangeNotice::Policy {
            tenant_id: Uuid::parse_str(tenant).ok()?,
            revision: revision.parse().ok()?,
            scope: Scope::parse(scope)?,
            target_id: target.to_string(),
            value: PolicyValue::parse(value)?,
        });
    }
    let user = payload.strip_prefix("user:")?;
    Some(ChangeNotice::User {
        user_id: Uuid::parse_str(user).ok()?,
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

/// Announces a change to every replica when the transaction commits (PostgreSQL delivers notifications only
/// then, and drops them if it rolls back).
async fn notify(conn: &mut PgConnection, payload: &str) -> StoreResult<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANGES_CHANNEL)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(())
}

/// Fails with NotFound unless the tenant exists (inside the caller's transaction).
async fn ensure_tenant(conn: &mut PgConnection, tenant_id: Uuid) -> StoreResult<()> {
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

fn tenant_from_row(row: &PgRow) -> StoreResult<Tenant> {
    Ok(Tenant {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        name: row.try_get("name")?,
        created_at: parse_timestamp(&row.try_get::<String, _>("created_at")?)?,
    })
}

pub(crate) fn user_from_row(row: &PgRow) -> StoreResult<User> {
    let user_type = match row.try_get::<String, _>("user_type")?.as_str() {
        "Guest" => UserType::Guest,
        "Member" => UserType::Member,
        other => return Err(StoreError::Corrupt(format!("'{other}' is not a user type"))),
    };
    Ok(User {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        tenant_id: parse_uuid(&row.try_get::<String, _>("tenant_id")?)?,
        upn: row.try_get("upn")?,
        display_name: row.try_get("display_name")?,
        user_type,
        account_enabled: row.try_get("account_enabled")?,
        password_hash: row.try_get("password_hash")?,
        roles: split_list(&row.try_get::<String, _>("roles")?),
        created_at: parse_timestamp(&row.try_get::<String, _>("created_at")?)?,
    })
}

fn app_from_row(row: &PgRow) -> StoreResult<App> {
    Ok(App {
        client_id: parse_uuid(&row.try_get::<String, _>("client_id")?)?,
        object_id: parse_uuid(&row.try_get::<String, _>("object_id")?)?,
        tenant_id: parse_uuid(&row.try_get::<String, _>("tenant_id")?)?,
        display_name: row.try_get("display_name")?,
        secret_hash: row.try_get("secret_hash")?,
        permissions: split_list(&row.try_get::<String, _>("permissions")?),
        created_at: parse_timestamp(&row.try_get::<String, _>("created_at")?)?,
    })
}

pub(crate) fn audit_from_row(row: &PgRow) -> StoreResult<AuditEvent> {
    Ok(AuditEvent {
        id: row.try_get("id")?,
        tenant_id: parse_uuid(&row.try_get::<String, _>("tenant_id")?)?,
        occurred_at: parse_timestamp(&row.try_get::<String, _>("occurred_at")?)?,
        action: row.try_get("action")?,
        actor_id: row.try_get("actor_id")?,
        actor_name: row.try_get("actor_name")?,
        actor_type: row.try_get("actor_type")?,
        correlation_id: row.try_get("correlation_id")?,
        target_type: row.try_get("target_type")?,
        target_id: row.try_get("target_id")?,
        target_name: row.try_get("target_name")?,
        policy_id: row.try_get("policy_id")?,
        old_value: row.try_get("old_value")?,
        new_value: row.try_get("new_value")?,
    })
}

impl PgStore {
    /// Connects to the database the URL names (which must exist; `mscommerce migrate` or `migrate_on_start`
    /// creates the tables). Settings that libpq reads from the URL (`sslmode`, `application_name`, ...) apply.
    pub async fn open(url: &str) -> StoreResult<PgStore> {
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::UnsupportedUrl {
            url: url.to_string(),
            problem: e.to_string(),
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        Ok(PgStore { pool })
    }

    /// The applied migrations, after creating their table when `create` is set. Without it, a database without the
    /// table has none: the check needs no right to create anything, so replicas may run as a role that can only
    /// read and write rows (see docs/OPERATIONS.md).
    async fn applied_migrations(
        conn: &mut PgConnection,
        create: bool,
    ) -> StoreResult<Vec<(i64, i64)>> {
        if create {
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
                 checksum BIGINT NOT NULL, applied_at TEXT NOT NULL)",
            )
            .execute(&mut *conn)
            .await?;
        } else {
            let exists: bool =
                sqlx::query_scalar("SELECT to_regclass('schema_migrations') IS NOT NULL")
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

    /// Applies every migration the database lacks. Safe to run from several replicas at once: the plan is made
    /// under an advisory lock that the others wait for.
    pub async fn migrate(&self) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await?;
        let applied = Self::applied_migrations(&mut tx, true).await?;
        for migration in migrate::plan(&applied, POSTGRES_MIGRATIONS)? {
            tracing::info!(
                migration.version = migration.version,
                migration.name = migration.name,
                "applying migration"
            );
            sqlx::raw_sql(migration.sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
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
        let mut conn = self.pool.acquire().await?;
        let applied = Self::applied_migrations(&mut conn, false).await?;
        let pending = migrate::plan(&applied, POSTGRES_MIGRATIONS)?;
        if !pending.is_empty() {
            return Err(MigrationError::Pending {
                at: applied.last().map_or(0, |&(v, _)| v),
                needed: POSTGRES_MIGRATIONS.last().map_or(0, |m| m.version),
            }
            .into());
        }
        Ok(())
    }
}

/// Inserts a tenant and its audit event inside the caller's transaction.
async fn insert_tenant(
    conn: &mut PgConnection,
    tenant: NewTenant,
    actor: &AuditActor,
) -> StoreResult<Tenant> {
    let created = Tenant {
        id: tenant.id.unwrap_or_else(Uuid::new_v4),
        name: tenant.name,
        created_at: now(),
    };
    sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(created.id.to_string())
        .bind(&created.name)
        .bind(timestamp(created.created_at))
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            conflict_as(e, || {
                format!("a tenant with the ID {} already exists", created.id)
            })
        })?;
    insert_audit(
        &mut *conn,
        AuditRecord {
            tenant_id: created.id,
            action: actions::TENANT_CREATED,
            actor,
            target_type: "Tenant",
            target_id: created.id.to_string(),
            target_name: created.name.clone(),
            policy_id: None,
            old_value: None,
            new_value: None,
            at: created.created_at,
        },
    )
    .await?;
    Ok(created)
}

/// Inserts a user and its audit event inside the caller's transaction.
async fn insert_user(
    conn: &mut PgConnection,
    user: NewUser,
    actor: &AuditActor,
) -> StoreResult<User> {
    let created = User {
        id: Uuid::new_v4(),
        tenant_id: user.tenant_id,
        upn: user.upn.to_lowercase(),
        display_name: user.display_name,
        user_type: user.user_type,
        account_enabled: true,
        password_hash: user.password_hash,
        roles: user.roles,
        created_at: now(),
    };
    ensure_tenant(&mut *conn, created.tenant_id).await?;
    sqlx::query(
        "INSERT INTO users (id, tenant_id, upn, display_name, user_type, account_enabled, password_hash, \
         roles, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(created.id.to_string())
    .bind(created.tenant_id.to_string())
    .bind(&created.upn)
    .bind(&created.display_name)
    .bind(created.user_type.as_str())
    .bind(created.account_enabled)
    .bind(&created.password_hash)
    .bind(created.roles.join(" "))
    .bind(timestamp(created.created_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| conflict_as(e, || format!("a user named {} already exists", created.upn)))?;
    insert_audit(
        &mut *conn,
        AuditRecord {
            tenant_id: created.tenant_id,
            action: actions::USER_CREATED,
            actor,
            target_type: "User",
            target_id: created.id.to_string(),
            target_name: created.upn.clone(),
            policy_id: None,
            old_value: None,
            new_value: Some(created.roles.join(" ")),
            at: created.created_at,
        },
    )
    .await?;
    Ok(created)
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn create_tenant(&self, tenant: NewTenant, actor: &AuditActor) -> StoreResult<Tenant> {
        let mut tx = self.pool.begin().await?;
        let created = insert_tenant(&mut tx, tenant, actor).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn tenant(&self, id: Uuid) -> StoreResult<Option<Tenant>> {
        let row = sqlx::query("SELECT id, name, created_at FROM tenants WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(tenant_from_row).transpose()
    }

    async fn tenants(&self) -> StoreResult<Vec<Tenant>> {
        let rows = sqlx::query("SELECT id, name, created_at FROM tenants ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(tenant_from_row).collect()
    }

    async fn create_user(&self, user: NewUser, actor: &AuditActor) -> StoreResult<User> {
        let mut tx = self.pool.begin().await?;
        let created = insert_user(&mut tx, user, actor).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn create_first_tenant(
        &self,
        tenant: NewTenant,
        admin: NewUser,
        actor: &AuditActor,
    ) -> StoreResult<Option<(Tenant, User)>> {
        let mut tx = self.pool.begin().await?;
        // One bootstrap at a time across replicas: the second waits, then sees the first one's tenant.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(BOOTSTRAP_LOCK)
            .execute(&mut *tx)
            .await?;
        let tenants: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tenants")
            .fetch_one(&mut *tx)
            .await?;
        if tenants > 0 {
            return Ok(None);
        }
        let created = insert_tenant(&mut tx, tenant, actor).await?;
        let admin = insert_user(
            &mut tx,
            NewUser {
                tenant_id: created.id,
                ..admin
            },
            actor,
        )
        .await?;
        tx.commit().await?;
        Ok(Some((created, admin)))
    }

    async fn user_by_upn(&self, upn: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE upn = $1")
            .bind(upn.to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn create_app(&self, app: NewApp, actor: &AuditActor) -> StoreResult<App> {
        let created = App {
            client_id: Uuid::new_v4(),
            object_id: Uuid::new_v4(),
            tenant_id: app.tenant_id,
            display_name: app.display_name,
            secret_hash: app.secret_hash,
            permissions: app.permissions,
            created_at: now(),
        };
        let mut tx = self.pool.begin().await?;
        ensure_tenant(&mut tx, created.tenant_id).await?;
        sqlx::query(
            "INSERT INTO apps (client_id, object_id, tenant_id, display_name, secret_hash, permissions, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(created.client_id.to_string())
        .bind(created.object_id.to_string())
        .bind(created.tenant_id.to_string())
        .bind(&created.display_name)
        .bind(&created.secret_hash)
        .bind(created.permissions.join(" "))
        .bind(timestamp(created.created_at))
        .execute(&mut *tx)
        .await?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id: created.tenant_id,
                action: actions::APP_CREATED,
                actor,
                target_type: "App",
                target_id: created.client_id.to_string(),
                target_name: created.display_name.clone(),
                policy_id: None,
                old_value: None,
                new_value: Some(created.permissions.join(" ")),
                at: created.created_at,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn app(&self, client_id: Uuid) -> StoreResult<Option<App>> {
        let row = sqlx::query("SELECT * FROM apps WHERE client_id = $1")
            .bind(client_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(app_from_row).transpose()
    }

    async fn signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>> {
        let rows = sqlx::query("SELECT * FROM signing_keys ORDER BY created_at, kid COLLATE \"C\"")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(SigningKeyRecord {
                    kid: row.try_get("kid")?,
                    algorithm: row.try_get("algorithm")?,
                    private_key: row.try_get("private_key")?,
                    public_key: row.try_get("public_key")?,
                    created_at: parse_timestamp(&row.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    async fn add_signing_key(&self, key: NewSigningKey) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, algorithm, private_key, public_key, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&key.kid)
        .bind(&key.algorithm)
        .bind(&key.private_key)
        .bind(&key.public_key)
        .bind(timestamp(now()))
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_as(e, || format!("a signing key with kid {} exists", key.kid)))?;
        Ok(())
    }

    async fn add_first_signing_key(
        &self,
        key: NewSigningKey,
    ) -> StoreResult<Vec<SigningKeyRecord>> {
        let mut tx = self.pool.begin().await?;
        // The second replica waits here, then finds the first one's key.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(BOOTSTRAP_LOCK)
            .execute(&mut *tx)
            .await?;
        let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys")
            .fetch_one(&mut *tx)
            .await?;
        if keys == 0 {
            sqlx::query(
                "INSERT INTO signing_keys (kid, algorithm, private_key, public_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&key.kid)
            .bind(&key.algorithm)
            .bind(&key.private_key)
            .bind(&key.public_key)
            .bind(timestamp(now()))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.signing_keys().await
    }

    async fn policy_values(&self, tenant_id: Uuid) -> StoreResult<Vec<StoredPolicyValue>> {
        let rows = sqlx::query(
            "SELECT policy_id, scope, target_id, value, revision FROM policy_values WHERE tenant_id = $1",
        )
        .bind(tenant_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredPolicyValue {
                    policy_id: row.try_get("policy_id")?,
                    scope: parse_scope(&row.try_get::<String, _>("scope")?)?,
                    target_id: row.try_get("target_id")?,
                    value: parse_value(&row.try_get::<String, _>("value")?)?,
                    revision: row.try_get("revision")?,
                })
            })
            .collect()
    }

    async fn set_policy_value(&self, change: PolicyChange) -> StoreResult<PolicyWrite> {
        let tenant = change.tenant_id.to_string();
        let scope = scope_text(change.scope);
        let mut tx = self.pool.begin().await?;
        // The tenant row is the lock of its policy values: concurrent writes of one tenant take turns, so each
        // reads the value the previous one wrote.
        sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
            .bind(&tenant)
            .execute(&mut *tx)
            .await?;
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT value FROM policy_values WHERE tenant_id = $1 AND policy_id = $2 AND scope = $3 AND target_id = $4",
        )
        .bind(&tenant)
        .bind(&change.policy_id)
        .bind(scope)
        .bind(&change.target_id)
        .fetch_optional(&mut *tx)
        .await?;
        let old_value = stored
            .as_deref()
            .map(parse_value)
            .transpose()?
            .unwrap_or(change.default_value);
        if old_value == change.value {
            return Ok(PolicyWrite {
                old_value,
                new_value: change.value,
                revision: None,
            });
        }
        let revision: i64 =
            sqlx::query_scalar("UPDATE tenants SET policy_revision = policy_revision + 1 WHERE id = $1 RETURNING policy_revision")
                .bind(&tenant)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("no tenant has the ID {tenant}")))?;
        let at = now();
        sqlx::query(
            "INSERT INTO policy_values (tenant_id, policy_id, scope, target_id, value, revision, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, policy_id, scope, target_id) \
             DO UPDATE SET value = excluded.value, revision = excluded.revision, updated_at = excluded.updated_at",
        )
        .bind(&tenant)
        .bind(&change.policy_id)
        .bind(scope)
        .bind(&change.target_id)
        .bind(change.value.as_str())
        .bind(revision)
        .bind(timestamp(at))
        .execute(&mut *tx)
        .await?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id: change.tenant_id,
                action: actions::POLICY_VALUE_CHANGED,
                actor: &change.actor,
                target_type: scope,
                target_id: change.target_id.clone(),
                target_name: change.target_name.clone(),
                policy_id: Some(&change.policy_id),
                old_value: Some(old_value.as_str().to_string()),
                new_value: Some(change.value.as_str().to_string()),
                at,
            },
        )
        .await?;
        let notice = policy_notice(&tenant, revision, scope, &change.target_id, change.value);
        notify(&mut tx, &notice).await?;
        tx.commit().await?;
        Ok(PolicyWrite {
            old_value,
            new_value: change.value,
            revision: Some(revision),
        })
    }

    async fn policy_changes(
        &self,
        tenant_id: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE tenant_id = $1 AND action = $2 AND id < $3 ORDER BY id DESC LIMIT $4",
        )
        .bind(tenant_id.to_string())
        .bind(actions::POLICY_VALUE_CHANGED)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn audit_events(
        &self,
        tenant_id: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(tenant_id.to_string())
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn record_audit(&self, event: NewAuditEvent) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        insert_audit(
            &mut conn,
            AuditRecord {
                tenant_id: event.tenant_id,
                action: &event.action,
                actor: &event.actor,
                target_type: &event.target_type,
                target_id: event.target_id.clone(),
                target_name: event.target_name.clone(),
                policy_id: None,
                old_value: event.old_value.clone(),
                new_value: event.new_value.clone(),
                at: now(),
            },
        )
        .await
    }

    async fn users(
        &self,
        tenant_id: Uuid,
        after_upn: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(
            "SELECT * FROM users WHERE tenant_id = $1 AND upn COLLATE \"C\" > $2 ORDER BY upn COLLATE \"C\" LIMIT $3",
        )
        .bind(tenant_id.to_string())
        .bind(after_upn.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn user(&self, tenant_id: Uuid, user_id: Uuid) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id.to_string())
            .bind(user_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn update_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        update: UserUpdate,
        actor: &AuditActor,
    ) -> StoreResult<User> {
        let mut tx = self.pool.begin().await?;
        // Locked until the transaction ends: two updates of one user (through two replicas) take turns, so the
        // second keeps what the first changed.
        let row =
            sqlx::query("SELECT * FROM users WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE")
                .bind(tenant_id.to_string())
                .bind(user_id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "No user of this organization has the ID {user_id}."
                    ))
                })?;
        let mut user = user_from_row(&row)?;
        let mut changed = Vec::new();
        if let Some(name) = update.display_name {
            changed.push(format!("displayName={name}"));
            user.display_name = name;
        }
        if let Some(user_type) = update.user_type {
            changed.push(format!("userType={}", user_type.as_str()));
            user.user_type = user_type;
        }
        if let Some(enabled) = update.account_enabled {
            changed.push(format!("accountEnabled={enabled}"));
            user.account_enabled = enabled;
        }
        if let Some(hash) = update.password_hash {
            changed.push("password".to_string());
            user.password_hash = Some(hash);
        }
        if let Some(roles) = update.roles {
            changed.push(format!("roles={}", roles.join(" ")));
            user.roles = roles;
        }
        sqlx::query(
            "UPDATE users SET display_name = $1, user_type = $2, account_enabled = $3, password_hash = $4, roles = $5 \
             WHERE id = $6",
        )
        .bind(&user.display_name)
        .bind(user.user_type.as_str())
        .bind(user.account_enabled)
        .bind(&user.password_hash)
        .bind(user.roles.join(" "))
        .bind(user.id.to_string())
        .execute(&mut *tx)
        .await?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id,
                action: actions::USER_UPDATED,
                actor,
                target_type: "User",
                target_id: user.id.to_string(),
                target_name: user.upn.clone(),
                policy_id: None,
                old_value: None,
                new_value: Some(changed.join(", ")),
                at: now(),
            },
        )
        .await?;
        notify(&mut tx, &format!("user:{}", user.id)).await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn create_subscription(
        &self,
        new: NewSubscription,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription> {
        let id = new.id;
        let at = now();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO subscriptions (id, tenant_id, target_scope, target_id, target_name, purchase_type, \
             acquisition_kind, purchaser_id, quantity, unit_price_minor, currency, billing_frequency, created_at, \
             expires_at, auto_renew, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'Active')",
        )
        .bind(id.to_string())
        .bind(new.tenant_id.to_string())
        .bind(new.target_scope.as_str())
        .bind(&new.target_id)
        .bind(&new.target_name)
        .bind(new.purchase_type.as_str())
        .bind(new.acquisition_kind.as_str())
        .bind(new.purchaser_id.map(|p| p.to_string()))
        .bind(new.quantity)
        .bind(new.unit_price_minor)
        .bind(&new.currency)
        .bind(new.billing_frequency.as_str())
        .bind(timestamp(at))
        .bind(timestamp(new.expires_at))
        .bind(new.auto_renew)
        .execute(&mut *tx)
        .await?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id: new.tenant_id,
                action: actions::SUBSCRIPTION_CREATED,
                actor,
                target_type: "Subscription",
                target_id: id.to_string(),
                target_name: new.target_name.clone(),
                policy_id: None,
                old_value: None,
                new_value: Some(format!(
                    "{} {} x{}",
                    new.purchase_type, new.acquisition_kind, new.quantity
                )),
                at,
            },
        )
        .await?;
        if let Some(message) = &message {
            insert_message(&mut tx, new.tenant_id, message, at).await?;
        }
        let created = reload(&mut tx, id).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn subscription(&self, tenant_id: Uuid, id: Uuid) -> StoreResult<Option<Subscription>> {
        let row = sqlx::query(&format!(
            "{SUBSCRIPTION_SELECT} WHERE s.tenant_id = $1 AND s.id = $2"
        ))
        .bind(tenant_id.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(subscription_from_row).transpose()
    }

    async fn subscriptions(
        &self,
        tenant_id: Uuid,
        filter: &SubscriptionFilter,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Subscription>> {
        let sql = format!(
            "{SUBSCRIPTION_SELECT} WHERE s.tenant_id = $1 AND ($2 IS NULL OR s.purchase_type = $3) \
             AND ($4 IS NULL OR s.purchaser_id = $5) \
             AND ($6 IS NULL OR (s.created_at, s.id) > (SELECT created_at, id FROM subscriptions WHERE id = $7)) \
             ORDER BY s.created_at, s.id LIMIT $8"
        );
        let purchase_type = filter.purchase_type.map(|t| t.as_str());
        let purchaser = filter.purchaser_id.map(|p| p.to_string());
        let after = after.map(|a| a.to_string());
        let rows = sqlx::query(&sql)
            .bind(tenant_id.to_string())
            .bind(purchase_type)
            .bind(purchase_type)
            .bind(&purchaser)
            .bind(&purchaser)
            .bind(&after)
            .bind(&after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(subscription_from_row).collect()
    }

    async fn assignments(
        &self,
        tenant_id: Uuid,
        subscription_id: Uuid,
    ) -> StoreResult<Vec<Assignment>> {
        let rows = sqlx::query(
            "SELECT u.id, u.upn, u.display_name, a.assigned_at FROM assignments a JOIN users u ON u.id = a.user_id \
             WHERE a.tenant_id = $1 AND a.subscription_id = $2 ORDER BY u.upn COLLATE \"C\"",
        )
        .bind(tenant_id.to_string())
        .bind(subscription_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Assignment {
                    user: user_ref(row, "")?,
                    assigned_at: parse_timestamp(&row.try_get::<String, _>("assigned_at")?)?,
                })
            })
            .collect()
    }

    async fn change_assignments(
        &self,
        change: AssignmentChange,
        actor: &AuditActor,
    ) -> StoreResult<Subscription> {
        let mut tx = self.pool.begin().await?;
        let subscription = change_assignments_in(&mut tx, &change, actor).await?;
        tx.commit().await?;
        Ok(subscription)
    }

    async fn change_subscription(
        &self,
        tenant_id: Uuid,
        subscription_id: Uuid,
        edit: SubscriptionEdit,
        expected_version: Option<i64>,
        actor: &AuditActor,
    ) -> StoreResult<Subscription> {
        let mut tx = self.pool.begin().await?;
        let subscription = change_subscription_in(
            &mut tx,
            tenant_id,
            subscription_id,
            edit,
            expected_version,
            actor,
        )
        .await?;
        tx.commit().await?;
        Ok(subscription)
    }

    async fn cancel_subscription(
        &self,
        cancellation: Cancellation,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription> {
        let mut tx = self.pool.begin().await?;
        let subscription = cancel_in(&mut tx, &cancellation, actor, message.as_ref()).await?;
        tx.commit().await?;
        Ok(subscription)
    }

    async fn lifecycle_candidates(
        &self,
        cutoffs: LifecycleCutoffs,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> StoreResult<Vec<Subscription>> {
        postgres_subscriptions::lifecycle_candidates(&self.pool, cutoffs, after, limit).await
    }

    async fn apply_lifecycle_step(
        &self,
        change: LifecycleChange,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription> {
        let mut tx = self.pool.begin().await?;
        let subscription = postgres_subscriptions::apply_lifecycle_step_in(
            &mut tx,
            &change,
            actor,
            message.as_ref(),
        )
        .await?;
        tx.commit().await?;
        Ok(subscription)
    }

    async fn product_licenses(&self, tenant_id: Uuid) -> StoreResult<Vec<ProductLicenses>> {
        let rows = sqlx::query(
            "SELECT target_scope, target_id, MAX(target_name COLLATE \"C\") AS target_name, COUNT(*) AS subscription_count, \
             SUM(quantity)::BIGINT AS available_quantity, SUM(assigned_count)::BIGINT AS assigned_count FROM subscriptions \
             WHERE tenant_id = $1 AND purchase_type = 'SelfService' AND status IN ('Active', 'Expired') \
             GROUP BY target_scope, target_id ORDER BY MAX(target_name COLLATE \"C\")",
        )
        .bind(tenant_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProductLicenses {
                    target_scope: parse_scope(&row.try_get::<String, _>("target_scope")?)?,
                    target_id: row.try_get("target_id")?,
                    target_name: row.try_get("target_name")?,
                    subscription_count: row.try_get("subscription_count")?,
                    available_quantity: row.try_get("available_quantity")?,
                    assigned_count: row.try_get("assigned_count")?,
                })
            })
            .collect()
    }

    async fn license_holders(
        &self,
        tenant_id: Uuid,
        target_id: &str,
    ) -> StoreResult<Vec<LicenseHolder>> {
        let rows = sqlx::query(
            "SELECT p.id AS p_id, p.upn AS p_upn, p.display_name AS p_display_name, s.id AS subscription_id, \
             u.id AS u_id, u.upn AS u_upn, u.display_name AS u_display_name, a.assigned_at \
             FROM assignments a JOIN subscriptions s ON s.id = a.subscription_id \
             JOIN users u ON u.id = a.user_id JOIN users p ON p.id = s.purchaser_id \
             WHERE s.tenant_id = $1 AND s.target_id = $2 AND s.purchase_type = 'SelfService' AND s.status IN ('Active', 'Expired') \
             ORDER BY p.upn COLLATE \"C\", u.upn COLLATE \"C\"",
        )
        .bind(tenant_id.to_string())
        .bind(target_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LicenseHolder {
                    purchaser: user_ref(row, "p_")?,
                    subscription_id: parse_uuid(&row.try_get::<String, _>("subscription_id")?)?,
                    user: user_ref(row, "u_")?,
                    assigned_at: parse_timestamp(&row.try_get::<String, _>("assigned_at")?)?,
                })
            })
            .collect()
    }

    async fn move_users(
        &self,
        request: MoveUsers,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<MoveOutcome> {
        let mut tx = self.pool.begin().await?;
        let outcome = move_users_in(&mut tx, &request, actor, message.as_ref()).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn claim_messages(
        &self,
        limit: u32,
        lease_seconds: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let at = now();
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $2 \
             FOR UPDATE SKIP LOCKED",
        )
        .bind(timestamp(at))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let messages: Vec<OutboxMessage> = rows
            .iter()
            .map(message_from_row)
            .collect::<StoreResult<_>>()?;
        let lease_end = timestamp(at + chrono::Duration::seconds(lease_seconds));
        for message in &messages {
            sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2")
                .bind(&lease_end)
                .bind(message.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(messages)
    }

    async fn mark_message_sent(&self, id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
            .bind(timestamp(now()))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn mark_message_failed(
        &self,
        id: i64,
        error: &str,
        retry_in_seconds: i64,
    ) -> StoreResult<()> {
        let next = now() + chrono::Duration::seconds(retry_in_seconds);
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
            .bind(error)
            .bind(timestamp(next))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn outbox(&self, tenant_id: Option<Uuid>) -> StoreResult<Vec<OutboxMessage>> {
        let rows =
            sqlx::query("SELECT * FROM outbox WHERE ($1 IS NULL OR tenant_id = $2) ORDER BY id")
                .bind(tenant_id.map(|t| t.to_string()))
                .bind(tenant_id.map(|t| t.to_string()))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(message_from_row).collect()
    }

    fn subscribe_changes(&self) -> Option<tokio::sync::mpsc::Receiver<ChangeNotice>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(listen_for_changes(self.pool.clone(), sender));
        Some(receiver)
    }

    fn export_assignments(
        &self,
        tenant_id: Uuid,
        subscription_ids: Option<Vec<Uuid>>,
    ) -> tokio::sync::mpsc::Receiver<StoreResult<ExportRow>> {
        export(self.pool.clone(), tenant_id, subscription_ids)
    }
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
        let tenant = Uuid::new_v4();
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
            Some(ChangeNotice::User { user_id: tenant })
        );
        assert_eq!(parse_notice("policy:x"), None);
        assert_eq!(parse_notice(&format!("user:{tenant}:x")), None);
        assert_eq!(parse_notice("something:else"), None);
    }
}
