//! The tenants' policy values.

use async_trait::async_trait;

use crate::{records::*, StoreResult};
use mscommerce_domain::TenantId;

#[async_trait]
pub trait PolicyStore {
    /// Every stored policy value of a tenant. Targets without a row have the policy's default value.
    async fn policy_values(&self, tenant_id: TenantId) -> StoreResult<Vec<StoredPolicyValue>>;
    /// Sets one value. When it differs from the stored one (or the default), the value, the tenant's new revision
    /// and an audit event are written in one transaction; when it does not, nothing is written. Writes of one
    /// tenant take turns, so each reads the value the previous one wrote.
    async fn set_policy_value(&self, change: PolicyChange) -> StoreResult<PolicyWrite>;
}
