//! Delegated admin relationships between a partner tenant and its customers: asked by the partner, approved by the
//! customer, ended by either. Each change is audited in both tenants' logs, in its transaction; the domain's
//! rules (`mscommerce_domain::partners`) are checked inside it, on the row as it stands.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mscommerce_domain::{DirectoryRole, TenantId};
use uuid::Uuid;

use crate::{records::*, StoreResult};

#[async_trait]
pub trait PartnerStore {
    /// Records a partner's request, pending, audited (`DelegatedAdminRelationshipRequested`) in both tenants.
    /// Fails with [`crate::StoreError::NotFound`] when either tenant does not exist.
    async fn request_relationship(
        &self,
        request: NewRelationship,
        actor: &AuditActor,
    ) -> StoreResult<DelegatedAdminRelationship>;
    /// One relationship, if `tenant_id` is one of its two sides.
    async fn relationship(
        &self,
        tenant_id: TenantId,
        id: Uuid,
    ) -> StoreResult<Option<DelegatedAdminRelationship>>;
    /// Every relationship the tenant is a side of (as partner or as customer), newest first.
    async fn relationships(
        &self,
        tenant_id: TenantId,
    ) -> StoreResult<Vec<DelegatedAdminRelationship>>;
    /// The customer's approval of a pending relationship with `roles` until `ends_at`, checked by the domain's
    /// `check_approval` on the row as locked; audited in both tenants. [`crate::StoreError::NotFound`] unless
    /// `customer_tenant_id` is its customer.
    async fn approve_relationship(
        &self,
        customer_tenant_id: TenantId,
        id: Uuid,
        roles: &[DirectoryRole],
        ends_at: DateTime<Utc>,
        actor: &AuditActor,
    ) -> StoreResult<DelegatedAdminRelationship>;
    /// Ends a relationship at once, from either side (`tenant_id`); audited in both tenants. The tokens it
    /// backs stop: the change is announced like an account's.
    async fn end_relationship(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        actor: &AuditActor,
    ) -> StoreResult<DelegatedAdminRelationship>;
    /// The relationships through which the partner may act for the customer at `now`: approved, not ended, not
    /// past their end.
    async fn active_relationships(
        &self,
        partner_tenant_id: TenantId,
        customer_tenant_id: TenantId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<DelegatedAdminRelationship>>;
}
