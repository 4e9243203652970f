//! The audit trail: written by every change in the change's own transaction, read newest first.

use async_trait::async_trait;

use crate::{records::*, StoreResult};
use mscommerce_domain::TenantId;

#[async_trait]
pub trait AuditStore {
    /// Policy changes of a tenant, newest first, with IDs below `before` when given.
    async fn policy_changes(
        &self,
        tenant_id: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>>;
    /// Every audit event of a tenant, newest first, with IDs below `before` when given.
    async fn audit_events(
        &self,
        tenant_id: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>>;
    /// An event that records no change of stored state (a refused acquisition, say).
    async fn record_audit(&self, event: NewAuditEvent) -> StoreResult<()>;
}
