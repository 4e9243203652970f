//! Trusted issuers and the users their sign-ins made.

use async_trait::async_trait;
use mscommerce_domain::federation::{ClaimMapping, GroupRole, NameClaim, RoleSource, UserClaim};
use mscommerce_domain::{DirectoryRole, TenantId, UserId};
use sqlx::Row;
use uuid::Uuid;

use super::audit::{insert_audit, AuditRecord};
use super::rows::{self, DbRow};
use super::{begin_write, conflict_as, ensure_tenant, Conn, SqlStore, FOR_NO_KEY_UPDATE};
use crate::records::*;
use crate::text::{corrupt, now, parse_timestamp, parse_uuid, split_list, timestamp};
use crate::{FederationStore, StoreError, StoreResult};

fn trusted_issuer(row: &DbRow) -> StoreResult<TrustedIssuer> {
    let text = |name: &str| -> StoreResult<String> { Ok(row.try_get::<String, _>(name)?) };
    let user_claim = text("user_claim")?;
    let name_claim = text("name_claim")?;
    let role_source = text("role_source")?;
    let group_roles = text("group_roles")?;
    let pairs: Vec<(String, String)> = serde_json::from_str(&group_roles)
        .map_err(|_| corrupt("a group role table", &group_roles))?;
    Ok(TrustedIssuer {
        id: parse_uuid(&text("id")?)?,
        tenant_id: parse_uuid(&text("tenant_id")?)?.into(),
        issuer: text("issuer")?,
        display_name: text("display_name")?,
        audiences: split_list(&text("audiences")?),
        external_tenant_id: row.try_get("external_tenant_id")?,
        mapping: ClaimMapping {
            user_claim: UserClaim::parse(&user_claim)
                .ok_or_else(|| corrupt("a user claim", &user_claim))?,
            name_claim: NameClaim::parse(&name_claim)
                .ok_or_else(|| corrupt("a name claim", &name_claim))?,
            role_source: RoleSource::parse(&role_source)
                .ok_or_else(|| corrupt("a role source", &role_source))?,
            groups_claim: text("groups_claim")?,
            group_roles: pairs
                .into_iter()
                .map(|(group, role)| {
                    DirectoryRole::parse(&role)
                        .map(|role| GroupRole { group, role })
                        .ok_or_else(|| corrupt("a directory role", &role))
                })
                .collect::<StoreResult<_>>()?,
        },
        sign_in: match row.try_get::<Option<String>, _>("sign_in_client_id")? {
            Some(client_id) => Some(ProviderSignIn {
                client_id,
                sealed_client_secret: row.try_get("sign_in_client_secret")?,
                button: row
                    .try_get::<Option<String>, _>("sign_in_button")?
                    .unwrap_or_default(),
            }),
            None => None,
        },
        created_at: parse_timestamp(&text("created_at")?)?,
    })
}

/// The audit trail's words for a trust's sign-in: the client ID and the button, and whether a secret is held.
fn describe_sign_in(sign_in: Option<&ProviderSignIn>) -> Option<String> {
    sign_in.map(|s| {
        format!(
            "client {} ({}), button \"Sign in with {}\"",
            s.client_id,
            if s.sealed_client_secret.is_some() {
                "with a client secret"
            } else {
                "a public client"
            },
            s.button
        )
    })
}

/// The audit trail's words for a trust.
fn describe(issuer: &TrustedIssuer) -> String {
    let mapping = &issuer.mapping;
    format!(
        "{} (audiences {}; tid {}; user {}, name {}, roles from {})",
        issuer.issuer,
        issuer.audiences.join(" "),
        issuer.external_tenant_id.as_deref().unwrap_or("any"),
        mapping.user_claim.as_str(),
        mapping.name_claim.as_str(),
        mapping.role_source.as_str()
    )
}

#[async_trait]
impl FederationStore for SqlStore {
    async fn add_trusted_issuer(
        &self,
        issuer: NewTrustedIssuer,
        actor: &AuditActor,
    ) -> StoreResult<TrustedIssuer> {
        let added = TrustedIssuer {
            id: Uuid::new_v4(),
            tenant_id: issuer.tenant_id,
            issuer: issuer.issuer,
            display_name: issuer.display_name,
            audiences: issuer.audiences,
            external_tenant_id: issuer.external_tenant_id,
            mapping: issuer.mapping,
            sign_in: None,
            // As it reads back: to the millisecond.
            created_at: parse_timestamp(&timestamp(now()))?,
        };
        let group_roles: Vec<(&str, &str)> = added
            .mapping
            .group_roles
            .iter()
            .map(|row| (row.group.as_str(), row.role.template_id()))
            .collect();
        let mut tx = begin_write(&self.write).await?;
        ensure_tenant(&mut tx, added.tenant_id).await?;
        let holder: Option<String> =
            sqlx::query_scalar("SELECT tenant_id FROM trusted_issuers WHERE issuer = $1")
                .bind(&added.issuer)
                .fetch_optional(&mut *tx)
                .await?;
        let taken = |holder: Option<&str>| {
            if holder == Some(added.tenant_id.to_string().as_str()) {
                format!(
                    "This organization already trusts the issuer {}; remove that trust first to change it.",
                    added.issuer
                )
            } else {
                format!(
                    "The issuer {} is trusted by another organization of this service; an issuer's tokens \
                     name one organization here.",
                    added.issuer
                )
            }
        };
        if let Some(holder) = holder {
            return Err(StoreError::Conflict(taken(Some(&holder))));
        }
        sqlx::query(
            "INSERT INTO trusted_issuers (id, tenant_id, issuer, display_name, audiences, external_tenant_id, \
             user_claim, name_claim, role_source, groups_claim, group_roles, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(added.id.to_string())
        .bind(added.tenant_id.to_string())
        .bind(&added.issuer)
        .bind(&added.display_name)
        .bind(added.audiences.join(" "))
        .bind(&added.external_tenant_id)
        .bind(added.mapping.user_claim.as_str())
        .bind(added.mapping.name_claim.as_str())
        .bind(added.mapping.role_source.as_str())
        .bind(&added.mapping.groups_claim)
        .bind(serde_json::to_string(&group_roles).unwrap_or_else(|_| "[]".into()))
        .bind(timestamp(added.created_at))
        .execute(&mut *tx)
        .await
        // Two replicas adding the same issuer at once: the unique index decides.
        .map_err(|e| conflict_as(e, || taken(None)))?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id: added.tenant_id,
                action: actions::TRUSTED_ISSUER_ADDED,
                actor,
                target_type: "TrustedIssuer",
                target_id: added.id.to_string(),
                target_name: added.display_name.clone(),
                policy_id: None,
                old_value: None,
                new_value: Some(describe(&added)),
                at: added.created_at,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn trusted_issuers(
        &self,
        tenant_id: Option<TenantId>,
    ) -> StoreResult<Vec<TrustedIssuer>> {
        let rows =
            match tenant_id {
                Some(tenant_id) => sqlx::query(
                    "SELECT * FROM trusted_issuers WHERE tenant_id = $1 ORDER BY created_at, id",
                )
                .bind(tenant_id.to_string())
                .fetch_all(&self.read)
                .await?,
                None => {
                    sqlx::query("SELECT * FROM trusted_issuers ORDER BY created_at, id")
                        .fetch_all(&self.read)
                        .await?
                }
            };
        rows.iter().map(trusted_issuer).collect()
    }

    async fn remove_trusted_issuer(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        actor: &AuditActor,
    ) -> StoreResult<bool> {
        let mut tx = begin_write(&self.write).await?;
        let row = sqlx::query("SELECT * FROM trusted_issuers WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id.to_string())
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let removed = trusted_issuer(&row)?;
        sqlx::query("DELETE FROM trusted_issuers WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id,
                action: actions::TRUSTED_ISSUER_REMOVED,
                actor,
                target_type: "TrustedIssuer",
                target_id: removed.id.to_string(),
                target_name: removed.display_name.clone(),
                policy_id: None,
                old_value: Some(describe(&removed)),
                new_value: None,
                at: now(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_trusted_issuer_sign_in(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        sign_in: Option<ProviderSignIn>,
        actor: &AuditActor,
    ) -> StoreResult<Option<TrustedIssuer>> {
        let mut tx = begin_write(&self.write).await?;
        let row = sqlx::query(&format!(
            "SELECT * FROM trusted_issuers WHERE tenant_id = $1 AND id = $2{FOR_NO_KEY_UPDATE}"
        ))
        .bind(tenant_id.to_string())
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let before = trusted_issuer(&row)?;
        sqlx::query(
            "UPDATE trusted_issuers SET sign_in_client_id = $1, sign_in_client_secret = $2, sign_in_button = $3 \
             WHERE id = $4",
        )
        .bind(sign_in.as_ref().map(|s| s.client_id.clone()))
        .bind(sign_in.as_ref().and_then(|s| s.sealed_client_secret.clone()))
        .bind(sign_in.as_ref().map(|s| s.button.clone()))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id,
                action: actions::TRUSTED_ISSUER_SIGN_IN_SET,
                actor,
                target_type: "TrustedIssuer",
                target_id: before.id.to_string(),
                target_name: before.display_name.clone(),
                policy_id: None,
                old_value: describe_sign_in(before.sign_in.as_ref()),
                new_value: describe_sign_in(sign_in.as_ref()),
                at: now(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(TrustedIssuer { sign_in, ..before }))
    }

    async fn federated_sign_in(
        &self,
        user: FederatedUser,
        actor: &AuditActor,
    ) -> StoreResult<User> {
        let mut tx = begin_write(&self.write).await?;
        let known: Option<String> = sqlx::query_scalar(
            "SELECT user_id FROM external_users WHERE tenant_id = $1 AND issuer = $2 AND subject = $3",
        )
        .bind(user.tenant_id.to_string())
        .bind(&user.issuer)
        .bind(&user.subject)
        .fetch_optional(&mut *tx)
        .await?;
        let result = match known {
            None => insert_federated(&mut tx, user, actor).await?,
            Some(id) => update_federated(&mut tx, user, parse_uuid(&id)?.into(), actor).await?,
        };
        tx.commit().await?;
        Ok(result)
    }
}

fn taken_name(upn: &str) -> String {
    format!(
        "The sign-in name {upn} is another user's in this service already; the identity provider's account \
         cannot take it."
    )
}

async fn insert_federated(
    conn: &mut Conn,
    user: FederatedUser,
    actor: &AuditActor,
) -> StoreResult<User> {
    let created = User {
        id: UserId::generate(),
        tenant_id: user.tenant_id,
        upn: user.upn.to_lowercase(),
        display_name: user.display_name,
        user_type: user.user_type,
        account_enabled: true,
        // Federated users sign in at their identity provider, never with a password here.
        password_hash: None,
        roles: user.roles.unwrap_or_default(),
        created_at: now(),
    };
    ensure_tenant(&mut *conn, created.tenant_id).await?;
    // The sign-in name is the identity provider's, so the tenant's domains do not bind it; the unique index
    // keeps it from taking another user's.
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
    .map_err(|e| conflict_as(e, || taken_name(&created.upn)))?;
    sqlx::query(
        "INSERT INTO external_users (user_id, tenant_id, issuer, subject) VALUES ($1, $2, $3, $4)",
    )
    .bind(created.id.to_string())
    .bind(created.tenant_id.to_string())
    .bind(&user.issuer)
    .bind(&user.subject)
    .execute(&mut *conn)
    .await
    // The same person's first two tokens at once, on two replicas: the second waits and fails here.
    .map_err(|e| {
        conflict_as(e, || {
            "This person's first sign-in is being recorded by another request; try again.".into()
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
            new_value: Some(format!(
                "{} {} via {} (roles: {})",
                created.user_type.as_str(),
                created.display_name,
                user.issuer,
                created.roles.join(" ")
            )),
            at: created.created_at,
        },
    )
    .await?;
    Ok(created)
}

async fn update_federated(
    conn: &mut Conn,
    user: FederatedUser,
    user_id: UserId,
    actor: &AuditActor,
) -> StoreResult<User> {
    let row = sqlx::query(&format!(
        "SELECT * FROM users WHERE tenant_id = $1 AND id = $2{FOR_NO_KEY_UPDATE}"
    ))
    .bind(user.tenant_id.to_string())
    .bind(user_id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("The user {user_id} is gone.")))?;
    let mut current = rows::user(&row)?;
    let mut changes = Vec::new();
    let upn = user.upn.to_lowercase();
    if current.upn != upn {
        changes.push(format!("upn: {} -> {upn}", current.upn));
        current.upn = upn;
    }
    if current.display_name != user.display_name {
        changes.push(format!("name: {}", user.display_name));
        current.display_name = user.display_name;
    }
    if current.user_type != user.user_type {
        changes.push(format!("type: {}", user.user_type.as_str()));
        current.user_type = user.user_type;
    }
    if let Some(roles) = user.roles {
        let mut held = current.roles.clone();
        let mut given = roles.clone();
        held.sort();
        given.sort();
        if held != given {
            changes.push(format!("roles: {}", roles.join(" ")));
            current.roles = roles;
        }
    }
    if changes.is_empty() {
        return Ok(current);
    }
    sqlx::query(
        "UPDATE users SET upn = $1, display_name = $2, user_type = $3, roles = $4 WHERE id = $5",
    )
    .bind(&current.upn)
    .bind(&current.display_name)
    .bind(current.user_type.as_str())
    .bind(current.roles.join(" "))
    .bind(current.id.to_string())
    .execute(&mut *conn)
    .await
    .map_err(|e| conflict_as(e, || taken_name(&current.upn)))?;
    insert_audit(
        &mut *conn,
        AuditRecord {
            tenant_id: current.tenant_id,
            action: actions::USER_UPDATED,
            actor,
            target_type: "User",
            target_id: current.id.to_string(),
            target_name: current.upn.clone(),
            policy_id: None,
            old_value: None,
            new_value: Some(format!("from {}: {}", user.issuer, changes.join("; "))),
            at: now(),
        },
    )
    .await?;
    Ok(current)
}
