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
    /// tenant take turns, so each reads the value the previous one wrote (concurrent writes may share one
    /// transaction, each with its own revision and its own outcome: see `sql/policy_writes.rs`).
    async fn set_policy_value(&self, change: PolicyChange) -> StoreResult<PolicyWrite>;
    /// Sets several values of one policy at once, all or none: every value that differs from the stored one (or
    /// the default) is written with the tenant's one new revision and an audit event, all with the actor's
    /// correlation id, in one transaction, and announced to the other replicas when it commits. When a value's
    /// preconditions fail, nothing is written ([`crate::StoreError::VersionMismatch`] names each such value);
    /// when every value is already set, nothing is written and the revision is `None`. Writes of one tenant
    /// take turns with single writes too.
    async fn set_policy_values(&self, changes: PolicyChanges) -> StoreResult<PolicyWrites>;
}
