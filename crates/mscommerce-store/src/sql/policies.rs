//! Policy values, and the tenant revision that orders them.

use async_trait::async_trait;
use mscommerce_domain::TenantId;
use sqlx::Row;

use super::SqlStore;
use crate::records::*;
use crate::text::{parse_scope, parse_value};
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
        self.policy_writer.write(changes).await
    }
}
