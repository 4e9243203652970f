//! Subscriptions: bought, read, edited, cancelled, and moved through their lifecycle over time.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mscommerce_domain::LifecycleCutoffs;

use crate::{records::*, StoreResult};
use mscommerce_domain::{SubscriptionId, TenantId};

#[async_trait]
pub trait SubscriptionStore {
    /// Creates a subscription, its audit event and, when given, its confirmation email, in one transaction.
    async fn create_subscription(
        &self,
        subscription: NewSubscription,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription>;
    async fn subscription(
        &self,
        tenant_id: TenantId,
        id: SubscriptionId,
    ) -> StoreResult<Option<Subscription>>;
    /// Subscriptions of a tenant, oldest first, after the subscription `after` when given.
    async fn subscriptions(
        &self,
        tenant_id: TenantId,
        filter: &SubscriptionFilter,
        after: Option<SubscriptionId>,
        limit: u32,
    ) -> StoreResult<Vec<Subscription>>;
    /// Changes the total quantity (never below what is assigned) and whether it renews, in one transaction, each
    /// change audited; on an Active subscription.
    async fn change_subscription(
        &self,
        tenant_id: TenantId,
        subscription_id: SubscriptionId,
        edit: SubscriptionEdit,
        expected_version: Option<i64>,
        actor: &AuditActor,
    ) -> StoreResult<Subscription>;
    /// Cancels: every license is unassigned at once, renewal stops, the status changes; with the audit event and
    /// the email, in one transaction.
    async fn cancel_subscription(
        &self,
        cancellation: Cancellation,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription>;
    /// Subscriptions of every tenant that may have a lifecycle step due (see `LifecycleCutoffs`), in the order of
    /// (end of term, ID), after `after` when given (the last of the previous batch), at most `limit`.
    async fn lifecycle_candidates(
        &self,
        cutoffs: LifecycleCutoffs,
        after: Option<(DateTime<Utc>, SubscriptionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Subscription>>;
    /// Applies one lifecycle step in one transaction: the new status (and term, for a renewal), licenses removed
    /// when the step takes them away, an audit event by `actor`, and `message` to the outbox.
    /// `VersionMismatch` when the subscription changed since it was read.
    async fn apply_lifecycle_step(
        &self,
        change: LifecycleChange,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription>;
}
