//! The outbox of emails: written in the transaction of the change that causes them, claimed by dispatchers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mscommerce_domain::TenantId;
use uuid::Uuid;

use super::{begin_write, rows, Conn, SqlStore, FOR_UPDATE_SKIP_LOCKED};
use crate::records::*;
use crate::text::{now, timestamp};
use crate::{OutboxStore, StoreResult};

/// Writes an email inside the caller's transaction, due at once, with its Message-ID fixed now (stable across
/// retries, so receivers can drop duplicates).
pub(super) async fn insert_message(
    conn: &mut Conn,
    tenant_id: TenantId,
    message: &NewMessage,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (message_id, tenant_id, kind, recipient, subject, body_text, body_html, created_at, \
         next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(format!("<{}@mscommerce>", Uuid::new_v4()))
    .bind(tenant_id.to_string())
    .bind(&message.kind)
    .bind(&message.recipient)
    .bind(&message.subject)
    .bind(&message.body_text)
    .bind(&message.body_html)
    .bind(timestamp(at))
    .execute(conn)
    .await?;
    Ok(())
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn claim_messages(
        &self,
        limit: u32,
        lease_seconds: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let at = now();
        let mut tx = begin_write(&self.write).await?;
        let rows = sqlx::query(&format!(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $2\
             {FOR_UPDATE_SKIP_LOCKED}"
        ))
        .bind(timestamp(at))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let messages: Vec<OutboxMessage> =
            rows.iter().map(rows::message).collect::<StoreResult<_>>()?;
        let lease_end = timestamp(at + chrono::Duration::seconds(lease_seconds));
        for message in &messages {
            sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2")
                .bind(&lease_end)
                .bind(message.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(messages)
    }

    async fn mark_message_sent(&self, id: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2",
        )
        .bind(timestamp(now()))
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn mark_message_failed(
        &self,
        id: i64,
        error: &str,
        retry_in_seconds: i64,
    ) -> StoreResult<()> {
        let next = now() + chrono::Duration::seconds(retry_in_seconds);
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(timestamp(next))
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn outbox(&self, tenant_id: Option<TenantId>) -> StoreResult<Vec<OutboxMessage>> {
        let rows =
            sqlx::query("SELECT * FROM outbox WHERE ($1 IS NULL OR tenant_id = $1) ORDER BY id")
                .bind(tenant_id.map(|t| t.to_string()))
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(rows::message).collect()
    }
}
