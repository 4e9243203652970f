//! The outbox: emails written in the transaction of the change that causes them, delivered by a dispatcher.

use async_trait::async_trait;

use crate::{records::*, StoreResult};
use mscommerce_domain::TenantId;

#[async_trait]
pub trait OutboxStore {
    /// Takes up to `limit` messages that are due and not sent, and hides them from other dispatchers for
    /// `lease_seconds` (their next attempt moves that far ahead), so that two dispatchers never take the same one.
    async fn claim_messages(
        &self,
        limit: u32,
        lease_seconds: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;
    async fn mark_message_sent(&self, id: i64) -> StoreResult<()>;
    /// Records a failed attempt; the next one is due after `retry_in_seconds`.
    async fn mark_message_failed(
        &self,
        id: i64,
        error: &str,
        retry_in_seconds: i64,
    ) -> StoreResult<()>;
    /// Every message in the outbox, oldest first (for operators and tests).
    async fn outbox(&self, tenant_id: Option<TenantId>) -> StoreResult<Vec<OutboxMessage>>;
}
