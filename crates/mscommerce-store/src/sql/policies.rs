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
        let mut writes = self
            .set_policy_values(PolicyChanges {
                tenant_id: change.tenant_id,
                policy_id: change.policy_id,
                default_value: change.default_value,
                values: vec![PolicyValueChange {
                    scope: change.scope,
                    target_id: change.target_id,
                    target_name: change.target_name,
                    value: change.value,
                    preconditions: change.preconditions,
                }],
                actor: change.actor,
            })
            .await?;
        // One value in, one out (`set_policy_values` answers one per requested value).
        let [write]: [PolicyWrite; 1] =
            std::mem::take(&mut writes.values).try_into().map_err(|_| {
                StoreError::Database(sqlx::Error::Protocol(
                    "a write of one policy value answered another number of values".to_string(),
                ))
            })?;
        Ok(write)
    }

    async fn set_policy_values(&self, changes: PolicyChanges) -> StoreResult<PolicyWrites> {
        let tenant = changes.tenant_id.to_string();
        let mut tx = begin_write(&self.write).await?;
        if LOCKS_ROWS {
            // The tenant row is the lock of its policy values: concurrent writes of one tenant take turns, so each
            // reads the values the previous one wrote.
            sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
                .bind(&tenant)
                .execute(&mut *tx)
                .await?;
        }
        let mut stored_values = Vec::with_capacity(changes.values.len());
        let mut mismatches = Vec::new();
        for change in &changes.values {
            let scope = change.scope.as_str();
            let stored = sqlx::query(
                "SELECT value, revision FROM policy_values \
                 WHERE tenant_id = $1 AND policy_id = $2 AND scope = $3 AND target_id = $4",
            )
            .bind(&tenant)
            .bind(&changes.policy_id)
            .bind(scope)
            .bind(&change.target_id)
            .fetch_optional(&mut *tx)
            .await?;
            let (old_value, stored_revision) = match &stored {
                Some(row) => (
                    parse_value(&row.try_get::<String, _>("value")?)?,
                    row.try_get::<i64, _>("revision")?,
                ),
                None => (changes.default_value, INITIAL_POLICY_REVISION),
            };
            // Evaluated here, under the tenant's write lock, so that no other write lands between the check and
            // this one; and before the no-op shortcut, so that a stale If-Match fails even when the value would
            // not change.
            if !change.preconditions.hold_for(stored_revision) {
                mismatches.push(format!(
                    "The {scope} '{}' does not hold what the request's If-Match or If-None-Match asks for: its \
                     current ETag is {}.",
                    change.target_id,
                    entity_tag(stored_revision)
                ));
            }
            stored_values.push((old_value, stored_revision));
        }
        if !mismatches.is_empty() {
            // Nothing is written: the transaction rolls back when dropped.
            return Err(StoreError::VersionMismatch(format!(
                "{} Read it again (GET answers the ETag) and retry.",
                mismatches.join(" ")
            )));
        }
        let changed = changes
            .values
            .iter()
            .zip(&stored_values)
            .any(|(change, (old_value, _))| *old_value != change.value);
        if !changed {
            let values = changes
                .values
                .iter()
                .zip(stored_values)
                .map(|(change, (old_value, stored_revision))| PolicyWrite {
                    old_value,
                    new_value: change.value,
                    revision: None,
                    current_revision: stored_revision,
                })
                .collect();
            return Ok(PolicyWrites {
                revision: None,
                values,
            });
        }
        // One revision for the whole change: its values were written together, and a cache that holds one of them
        // at this revision holds the others' too once their notices land.
        let revision: i64 = sqlx::query_scalar(
            "UPDATE tenants SET policy_revision = policy_revision + 1 WHERE id = $1 RETURNING policy_revision",
        )
        .bind(&tenant)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no tenant has the ID {tenant}")))?;
        let at = now();
        let mut values = Vec::with_capacity(changes.values.len());
        for (change, (old_value, stored_revision)) in changes.values.iter().zip(stored_values) {
            if old_value == change.value {
                values.push(PolicyWrite {
                    old_value,
                    new_value: change.value,
                    revision: None,
                    current_revision: stored_revision,
                });
                continue;
            }
            let scope = change.scope.as_str();
            sqlx::query(
                "INSERT INTO policy_values (tenant_id, policy_id, scope, target_id, value, revision, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (tenant_id, policy_id, scope, target_id) \
                 DO UPDATE SET value = excluded.value, revision = excluded.revision, updated_at = excluded.updated_at",
            )
            .bind(&tenant)
            .bind(&changes.policy_id)
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
                    tenant_id: changes.tenant_id,
                    action: actions::POLICY_VALUE_CHANGED,
                    actor: &changes.actor,
                    target_type: scope,
                    target_id: change.target_id.clone(),
                    target_name: change.target_name.clone(),
                    policy_id: Some(&changes.policy_id),
                    old_value: Some(old_value.as_str().to_string()),
                    new_value: Some(change.value.as_str().to_string()),
                    at,
                },
            )
            .await?;
            notify_policy(
                &mut tx,
                changes.tenant_id,
                change.scope,
                &change.target_id,
                change.value,
                revision,
            )
            .await?;
            values.push(PolicyWrite {
                old_value,
                new_value: change.value,
                revision: Some(revision),
                current_revision: revision,
            });
        }
        tx.commit().await?;
        Ok(PolicyWrites {
            revision: Some(revision),
            values,
        })
    }
}
