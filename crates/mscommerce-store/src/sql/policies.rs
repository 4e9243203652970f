//! Policy values, and the tenant revision that orders them.

use async_trait::async_trait;
use mscommerce_domain::{entity_tag, TenantId};
use sqlx::Row;

use super::audit::{insert_audit, AuditRecord};
use super::{begin_write, notify_policy, SqlStore, LOCKS_ROWS};
use crate::records::*;
use crate::text::{now, parse_scope, parse_value, timestamp};
use crate::{PolicyStore, StoreError, StoreResult};

#[async_trait]
impl PolicyStore for SqlStore {
    async fn policy_values(&self, tenant_id: TenantId) -> StoreResult<Vec<StoredPolicyValue>> {
        let rows = sqlx::query(
            "SELECT policy_id, scope, target_id, value, revision FROM policy_values WHERE tenant_id = $1",
        )
        .bind(tenant_id.to_string())
        .fetch_all(&self.read)
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
        let scope = change.scope.as_str();
        let mut tx = begin_write(&self.write).await?;
        if LOCKS_ROWS {
            // The tenant row is the lock of its policy values: concurrent writes of one tenant take turns, so each
            // reads the value the previous one wrote.
            sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
                .bind(&tenant)
                .execute(&mut *tx)
                .await?;
        }
        let stored = sqlx::query(
            "SELECT value, revision FROM policy_values \
             WHERE tenant_id = $1 AND policy_id = $2 AND scope = $3 AND target_id = $4",
        )
        .bind(&tenant)
        .bind(&change.policy_id)
        .bind(scope)
        .bind(&change.target_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (old_value, stored_revision) = match &stored {
            Some(row) => (
                parse_value(&row.try_get::<String, _>("value")?)?,
                row.try_get::<i64, _>("revision")?,
            ),
            None => (change.default_value, INITIAL_POLICY_REVISION),
        };
        // Evaluated here, under the tenant's write lock, so that no other write lands between the check and this
        // one; and before the no-op shortcut, so that a stale If-Match fails even when the value would not change.
        if !change.preconditions.hold_for(stored_revision) {
            return Err(StoreError::VersionMismatch(format!(
                "The {scope} '{}' does not hold what the request's If-Match or If-None-Match asks for: its \
                 current ETag is {}. Read it again (GET answers the ETag) and retry.",
                change.target_id,
                entity_tag(stored_revision)
            )));
        }
        if old_value == change.value {
            return Ok(PolicyWrite {
                old_value,
                new_value: change.value,
                revision: None,
                current_revision: stored_revision,
            });
        }
        let revision: i64 = sqlx::query_scalar(
            "UPDATE tenants SET policy_revision = policy_revision + 1 WHERE id = $1 RETURNING policy_revision",
        )
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
        notify_policy(&mut tx, &change, revision).await?;
        tx.commit().await?;
        Ok(PolicyWrite {
            old_value,
            new_value: change.value,
            revision: Some(revision),
            current_revision: revision,
        })
    }
}
