//! Tenants, users, apps and signing keys.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use mscommerce_domain::{check_upn_domain, DomainName, TenantId, UserId};
use uuid::Uuid;

use super::audit::{insert_audit, AuditRecord};
use super::{
    advisory_lock, begin_write, conflict_as, ensure_tenant, rows, Conn, SqlStore, BOOTSTRAP_LOCK,
    DOMAIN_LOCK, FOR_NO_KEY_UPDATE,
};
use crate::records::*;
use crate::text::{now, timestamp};
use crate::{DirectoryStore, StoreError, StoreResult};

/// A tenant's domains, the initial one first, then the others in byte order.
const TENANT_DOMAINS: &str =
    "SELECT * FROM tenant_domains WHERE tenant_id = $1 ORDER BY is_initial DESC, domain COLLATE \"C\"";

/// The name of the migration after which [`give_existing_tenants_their_domains`] runs, in its transaction.
pub(super) const TENANT_DOMAINS_MIGRATION: &str = "tenant_domains";

/// The refusal of a domain that is taken: by the tenant itself, or by another, which it does not name.
fn domain_in_use(domain: &DomainName, own: bool) -> StoreError {
    let reason = if own {
        format!("This organization already has the domain {domain}.")
    } else {
        format!(
            "The domain {domain} belongs to another organization; a domain belongs to one organization only."
        )
    };
    StoreError::Rule {
        kind: crate::RuleKind::Conflict,
        code: "DomainInUse",
        reason,
    }
}

async fn domain_owner(conn: &mut Conn, domain: &DomainName) -> StoreResult<Option<TenantId>> {
    let owner: Option<String> =
        sqlx::query_scalar("SELECT tenant_id FROM tenant_domains WHERE domain = $1")
            .bind(domain.as_str())
            .fetch_optional(conn)
            .await?;
    owner
        .map(|id| crate::text::parse_uuid(&id).map(TenantId))
        .transpose()
}

/// Inserts a domain the caller found free (under [`DOMAIN_LOCK`]); the primary key stays the last guard.
async fn insert_domain(
    conn: &mut Conn,
    tenant_id: TenantId,
    domain: DomainName,
    is_initial: bool,
    at: DateTime<Utc>,
) -> StoreResult<TenantDomain> {
    sqlx::query(
        "INSERT INTO tenant_domains (domain, tenant_id, is_initial, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(domain.as_str())
    .bind(tenant_id.to_string())
    .bind(is_initial)
    .bind(timestamp(at))
    .execute(conn)
    .await
    .map_err(|e| match conflict_as(e, String::new) {
        StoreError::Conflict(_) => domain_in_use(&domain, false),
        other => other,
    })?;
    Ok(TenantDomain {
        domain,
        tenant_id,
        is_initial,
        created_at: at,
    })
}

/// Gives the tenant the first free domain of `<name>.onmicrosoft.com`, `<name>2.onmicrosoft.com`, ...
async fn claim_initial_domain(
    conn: &mut Conn,
    tenant: &Tenant,
    at: DateTime<Utc>,
) -> StoreResult<DomainName> {
    for candidate in DomainName::initial_candidates(&tenant.name) {
        if domain_owner(&mut *conn, &candidate).await?.is_none() {
            insert_domain(conn, tenant.id, candidate.clone(), true, at).await?;
            return Ok(candidate);
        }
    }
    unreachable!("the candidates never end")
}

/// Gives the tenant a domain unless some tenant has it, inside the caller's transaction (under [`DOMAIN_LOCK`]).
async fn add_free_domain(
    conn: &mut Conn,
    tenant_id: TenantId,
    domain: DomainName,
    at: DateTime<Utc>,
) -> StoreResult<TenantDomain> {
    if let Some(owner) = domain_owner(&mut *conn, &domain).await? {
        return Err(domain_in_use(&domain, owner == tenant_id));
    }
    insert_domain(conn, tenant_id, domain, false, at).await
}

/// Inserts a tenant, its domains and its audit event inside the caller's transaction.
async fn insert_tenant(
    conn: &mut Conn,
    tenant: NewTenant,
    actor: &AuditActor,
) -> StoreResult<Tenant> {
    let created = Tenant {
        id: tenant.id.unwrap_or_else(TenantId::generate),
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
    advisory_lock(&mut *conn, DOMAIN_LOCK).await?;
    let mut domains = vec![claim_initial_domain(&mut *conn, &created, created.created_at).await?];
    for domain in tenant.domains {
        if !domains.contains(&domain) {
            add_free_domain(&mut *conn, created.id, domain.clone(), created.created_at).await?;
            domains.push(domain);
        }
    }
    let domains: Vec<&str> = domains.iter().map(DomainName::as_str).collect();
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
            new_value: Some(format!("domains={}", domains.join(" "))),
            at: created.created_at,
        },
    )
    .await?;
    Ok(created)
}

async fn tenant_domains_in(conn: &mut Conn, tenant_id: TenantId) -> StoreResult<Vec<TenantDomain>> {
    let rows = sqlx::query(TENANT_DOMAINS)
        .bind(tenant_id.to_string())
        .fetch_all(conn)
        .await?;
    rows.iter().map(rows::tenant_domain).collect()
}

/// The data step of the `tenant_domains` migration, in its transaction: every existing tenant gets its initial
/// domain and the domains its users' sign-in names are in. Tenants are served oldest first, each its initial
/// domain and then its users' domains, so a domain that two tenants use (or that one uses and another's name
/// makes) goes to the one created first; a user whose domain went to another tenant keeps its name, and its
/// tenant can add no more names there.
pub(super) async fn give_existing_tenants_their_domains(conn: &mut Conn) -> StoreResult<()> {
    let at = now();
    let tenants = sqlx::query(
        "SELECT id, name, created_at FROM tenants ORDER BY created_at, id COLLATE \"C\"",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in &tenants {
        let tenant = rows::tenant(row)?;
        claim_initial_domain(&mut *conn, &tenant, at).await?;
        let mut used = BTreeSet::new();
        {
            // Streamed: a tenant may have many users, and only their distinct domains are kept.
            let mut upns =
                sqlx::query_scalar::<_, String>("SELECT upn FROM users WHERE tenant_id = $1")
                    .bind(tenant.id.to_string())
                    .fetch(&mut *conn);
            while let Some(upn) = upns.next().await {
                used.extend(DomainName::of_upn(&upn?));
            }
        }
        for domain in used {
            if domain_owner(&mut *conn, &domain).await?.is_none() {
                insert_domain(&mut *conn, tenant.id, domain, false, at).await?;
            }
        }
    }
    Ok(())
}

/// Inserts a user and its audit event inside the caller's transaction.
async fn insert_user(conn: &mut Conn, user: NewUser, actor: &AuditActor) -> StoreResult<User> {
    let created = User {
        id: UserId::generate(),
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
    // Domains are never taken from a tenant, so the check cannot be undone before the insert commits.
    let domains: Vec<DomainName> = tenant_domains_in(&mut *conn, created.tenant_id)
        .await?
        .into_iter()
        .map(|d| d.domain)
        .collect();
    check_upn_domain(&created.upn, &domains)?;
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
    // The domain rule confines a taken name to this tenant's own users.
    .map_err(|e| {
        conflict_as(e, || {
            format!(
                "A user named {} already exists in this organization.",
                created.upn
            )
        })
    })?;
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

async fn insert_signing_key(conn: &mut Conn, key: &NewSigningKey) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO signing_keys (kid, algorithm, private_key, public_key, created_at, activates_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&key.kid)
    .bind(&key.algorithm)
    .bind(&key.private_key)
    .bind(&key.public_key)
    .bind(timestamp(now()))
    .bind(timestamp(key.activates_at))
    .execute(conn)
    .await
    .map_err(|e| conflict_as(e, || format!("a signing key with kid {} exists", key.kid)))?;
    Ok(())
}

/// What an update changes in `user`, described for the audit trail (`displayName=..., roles=...`).
fn apply_update(user: &mut User, update: UserUpdate) -> String {
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
    changed.join(", ")
}

#[async_trait]
impl DirectoryStore for SqlStore {
    async fn create_tenant(&self, tenant: NewTenant, actor: &AuditActor) -> StoreResult<Tenant> {
        let mut tx = begin_write(&self.write).await?;
        let created = insert_tenant(&mut tx, tenant, actor).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        let row = sqlx::query("SELECT id, name, created_at FROM tenants WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(rows::tenant).transpose()
    }

    async fn tenants(&self) -> StoreResult<Vec<Tenant>> {
        let rows = sqlx::query("SELECT id, name, created_at FROM tenants ORDER BY created_at, id")
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(rows::tenant).collect()
    }

    async fn has_tenants(&self) -> StoreResult<bool> {
        let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM tenants LIMIT 1")
            .fetch_optional(&self.read)
            .await?;
        Ok(found.is_some())
    }

    async fn tenant_domains(&self, tenant_id: TenantId) -> StoreResult<Vec<TenantDomain>> {
        let mut conn = self.read.acquire().await?;
        tenant_domains_in(&mut conn, tenant_id).await
    }

    async fn add_tenant_domain(
        &self,
        tenant_id: TenantId,
        domain: DomainName,
        actor: &AuditActor,
    ) -> StoreResult<TenantDomain> {
        let mut tx = begin_write(&self.write).await?;
        ensure_tenant(&mut tx, tenant_id).await?;
        advisory_lock(&mut tx, DOMAIN_LOCK).await?;
        let added = add_free_domain(&mut tx, tenant_id, domain, now()).await?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id,
                action: actions::DOMAIN_ADDED,
                actor,
                target_type: "Domain",
                target_id: added.domain.to_string(),
                target_name: added.domain.to_string(),
                policy_id: None,
                old_value: None,
                new_value: None,
                at: added.created_at,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn tenant_by_domain(&self, domain: &str) -> StoreResult<Option<TenantId>> {
        let owner: Option<String> =
            sqlx::query_scalar("SELECT tenant_id FROM tenant_domains WHERE domain = $1")
                .bind(domain.to_lowercase())
                .fetch_optional(&self.read)
                .await?;
        owner
            .map(|id| crate::text::parse_uuid(&id).map(TenantId))
            .transpose()
    }

    async fn tenant_password_grant(&self, tenant_id: TenantId) -> StoreResult<Option<bool>> {
        let setting: Option<Option<bool>> =
            sqlx::query_scalar("SELECT password_grant_enabled FROM tenants WHERE id = $1")
                .bind(tenant_id.to_string())
                .fetch_optional(&self.read)
                .await?;
        Ok(setting.flatten())
    }

    async fn set_tenant_password_grant(
        &self,
        tenant_id: TenantId,
        enabled: Option<bool>,
        actor: &AuditActor,
    ) -> StoreResult<()> {
        let mut tx = begin_write(&self.write).await?;
        ensure_tenant(&mut tx, tenant_id).await?;
        let old: Option<bool> =
            sqlx::query_scalar("SELECT password_grant_enabled FROM tenants WHERE id = $1")
                .bind(tenant_id.to_string())
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query("UPDATE tenants SET password_grant_enabled = $1 WHERE id = $2")
            .bind(enabled)
            .bind(tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        let shown = |value: Option<bool>| match value {
            None => "passwordGrant=default".to_string(),
            Some(true) => "passwordGrant=on".to_string(),
            Some(false) => "passwordGrant=off".to_string(),
        };
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id,
                action: actions::TENANT_SETTING_CHANGED,
                actor,
                target_type: "Tenant",
                target_id: tenant_id.to_string(),
                target_name: tenant_id.to_string(),
                policy_id: None,
                old_value: Some(shown(old)),
                new_value: Some(shown(enabled)),
                at: now(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_first_tenant(
        &self,
        tenant: NewTenant,
        admin: NewUser,
        actor: &AuditActor,
    ) -> StoreResult<Option<(Tenant, User)>> {
        let mut tx = begin_write(&self.write).await?;
        // One bootstrap at a time across processes: the second waits, then sees the first one's tenant.
        advisory_lock(&mut tx, BOOTSTRAP_LOCK).await?;
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

    async fn create_user(&self, user: NewUser, actor: &AuditActor) -> StoreResult<User> {
        let mut tx = begin_write(&self.write).await?;
        let created = insert_user(&mut tx, user, actor).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn user_by_upn(&self, upn: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE upn = $1")
            .bind(upn.to_lowercase())
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn users(
        &self,
        tenant_id: TenantId,
        after_upn: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(
            "SELECT * FROM users WHERE tenant_id = $1 AND upn COLLATE \"C\" > $2 ORDER BY upn COLLATE \"C\" LIMIT $3",
        )
        .bind(tenant_id.to_string())
        .bind(after_upn.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(rows::user).collect()
    }

    async fn user(&self, tenant_id: TenantId, user_id: UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id.to_string())
            .bind(user_id.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn update_user(
        &self,
        tenant_id: TenantId,
        user_id: UserId,
        update: UserUpdate,
        actor: &AuditActor,
    ) -> StoreResult<User> {
        let mut tx = begin_write(&self.write).await?;
        // Locked until the transaction ends: two updates of one user (through two replicas) take turns, so the
        // second keeps what the first changed.
        let row = sqlx::query(&format!(
            "SELECT * FROM users WHERE tenant_id = $1 AND id = $2{FOR_NO_KEY_UPDATE}"
        ))
        .bind(tenant_id.to_string())
        .bind(user_id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "No user of this organization has the ID {user_id}."
            ))
        })?;
        let mut user = rows::user(&row)?;
        if let Some(expected) = &update.expected_roles {
            let mut held = user.roles.clone();
            let mut expected = expected.clone();
            held.sort();
            expected.sort();
            if held != expected {
                return Err(StoreError::Conflict(format!(
                    "The roles of user {user_id} changed while this change was being made; read the user again \
                     and repeat the change if it is still allowed."
                )));
            }
        }
        let changed = apply_update(&mut user, update);
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
                new_value: Some(changed),
                at: now(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
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
        let mut tx = begin_write(&self.write).await?;
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
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(rows::app).transpose()
    }

    async fn signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM signing_keys ORDER BY activates_at, created_at, kid COLLATE \"C\"",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(rows::signing_key).collect()
    }

    async fn add_signing_key(&self, key: NewSigningKey) -> StoreResult<()> {
        let mut conn = self.write.acquire().await?;
        insert_signing_key(&mut conn, &key).await
    }

    async fn add_first_signing_key(
        &self,
        key: NewSigningKey,
    ) -> StoreResult<Vec<SigningKeyRecord>> {
        let mut tx = begin_write(&self.write).await?;
        // The second process waits here, then finds the first one's key.
        advisory_lock(&mut tx, BOOTSTRAP_LOCK).await?;
        let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys")
            .fetch_one(&mut *tx)
            .await?;
        if keys == 0 {
            insert_signing_key(&mut tx, &key).await?;
        }
        tx.commit().await?;
        self.signing_keys().await
    }

    async fn replace_private_key(
        &self,
        kid: &str,
        expected: &str,
        replacement: &str,
    ) -> StoreResult<bool> {
        let mut conn = self.write.acquire().await?;
        let done = sqlx::query(
            "UPDATE signing_keys SET private_key = $3 WHERE kid = $1 AND private_key = $2",
        )
        .bind(kid)
        .bind(expected)
        .bind(replacement)
        .execute(&mut *conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_signing_key(&self, kid: &str) -> StoreResult<bool> {
        let mut conn = self.write.acquire().await?;
        let done = sqlx::query("DELETE FROM signing_keys WHERE kid = $1")
            .bind(kid)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
