//! Licenses: who holds a subscription's seats, the per-product views, the export, and the take-over that moves
//! users to a central subscription.

use async_trait::async_trait;

use crate::{records::*, StoreResult};
use mscommerce_domain::{SubscriptionId, TenantId};

#[async_trait]
pub trait LicenseStore {
    /// Who holds the subscription's licenses, by sign-in name.
    async fn assignments(
        &self,
        tenant_id: TenantId,
        subscription_id: SubscriptionId,
    ) -> StoreResult<Vec<Assignment>>;
    /// Assigns and unassigns under the seat rules: only members of the tenant, never beyond the quantity, only
    /// on an Active subscription. Users already holding a license are left as they are.
    async fn change_assignments(
        &self,
        change: AssignmentChange,
        actor: &AuditActor,
    ) -> StoreResult<Subscription>;
    /// Self-service licenses per product, of the subscriptions whose users hold them: Active, or Expired (the
    /// grace period).
    async fn product_licenses(&self, tenant_id: TenantId) -> StoreResult<Vec<ProductLicenses>>;
    /// Who holds one product's self-service licenses (as `product_licenses` counts them), grouped by purchaser then
    /// user.
    async fn license_holders(
        &self,
        tenant_id: TenantId,
        target_id: &str,
    ) -> StoreResult<Vec<LicenseHolder>>;
    /// Moves every licensed user of a self-service subscription into a central one of the same tenant, then
    /// cancels the source (Deleted, its users unassigned): all or nothing, in one transaction, with the audit
    /// events and the purchaser's email. Needs one free target license per user who does not hold one yet.
    async fn move_users(
        &self,
        request: MoveUsers,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<MoveOutcome>;
    /// Streams the users of the given subscriptions (all self-service ones when `None`), in constant memory.
    fn export_assignments(
        &self,
        tenant_id: TenantId,
        subscription_ids: Option<Vec<SubscriptionId>>,
    ) -> tokio::sync::mpsc::Receiver<StoreResult<ExportRow>>;
}
