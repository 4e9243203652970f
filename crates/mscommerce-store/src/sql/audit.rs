//! The audit trail: written inside every change's transaction, read newest first.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mscommerce_domain::TenantId;

use super::{rows, Conn, SqlStore};
use crate::records::*;
use crate::text::{now, timestamp};
use crate::{AuditStore, StoreResult};

/// One row of the audit trail, as written alongside the change it records.
pub(super) struct AuditRecord<'a> {
    pub tenant_id: TenantId,
    pub action: &'a str,
    pub actor: &'a AuditActor,
    pub target_type: &'a str,
    pub target_id: String,
    pub target_name: String,
    pub policy_id: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub at: DateTime<Utc>,
}

/// Writes the event; when a partner's user or app caused it at a customer, also its copy in the partner's own log,
/// naming the customer (`on_behalf_of_tenant_id`), so that both sides see what was done.
pub(super) async fn insert_audit(conn: &mut Conn, record: AuditRecord<'_>) -> StoreResult<()> {
    insert_audits(conn, std::slice::from_ref(&record)).await
}

/// Writes the events in order, each with its partner's copy (see [`insert_audit`]), in one statement per
/// [`super::policy_writes::statement_rows`] run of rows.
pub(super) async fn insert_audits(conn: &mut Conn, records: &[AuditRecord<'_>]) -> StoreResult<()> {
    let mut rows: Vec<(&AuditRecord<'_>, TenantId, Option<TenantId>)> =
        Vec::with_capacity(records.len());
    for record in records {
        rows.push((record, record.tenant_id, None));
        if let Some(partner) = record
            .actor
            .partner_tenant_id
            .filter(|p| *p != record.tenant_id)
        {
            rows.push((record, partner, Some(record.tenant_id)));
        }
    }
    for run in super::policy_writes::statement_rows(rows.len()) {
        let list: Vec<String> = (0..run.len())
            .map(|r| format!("({})", super::placeholders(15 * r + 1, 15)))
            .collect();
        let sql = format!(
            "INSERT INTO audit_events (tenant_id, occurred_at, action, actor_id, actor_name, actor_type, \
             correlation_id, target_type, target_id, target_name, policy_id, old_value, new_value, \
             actor_tenant_id, on_behalf_of_tenant_id) VALUES {}",
            list.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (record, tenant_id, on_behalf_of) in &rows[run] {
            query = query
                .bind(tenant_id.to_string())
                .bind(timestamp(record.at))
                .bind(record.action)
                .bind(&record.actor.id)
                .bind(&record.actor.name)
                .bind(&record.actor.kind)
                .bind(&record.actor.correlation_id)
                .bind(record.target_type)
                .bind(&record.target_id)
                .bind(&record.target_name)
                .bind(record.policy_id)
                .bind(&record.old_value)
                .bind(&record.new_value)
                .bind(record.actor.partner_tenant_id.map(|t| t.to_string()))
                .bind(on_behalf_of.map(|t| t.to_string()));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn policy_changes(
        &self,
        tenant_id: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE tenant_id = $1 AND action = $2 AND id < $3 \
             AND on_behalf_of_tenant_id IS NULL ORDER BY id DESC LIMIT $4",
        )
        .bind(tenant_id.to_string())
        .bind(actions::POLICY_VALUE_CHANGED)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(rows::audit_event).collect()
    }

    async fn audit_events(
        &self,
        tenant_id: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(tenant_id.to_string())
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(rows::audit_event).collect()
    }

    async fn record_audit(&self, event: NewAuditEvent) -> StoreResult<()> {
        let mut conn = self.write.acquire().await?;
        insert_audit(
            &mut conn,
            AuditRecord {
                tenant_id: event.tenant_id,
                action: &event.action,
                actor: &event.actor,
                target_type: &event.target_type,
                target_id: event.target_id.clone(),
                target_name: event.target_name.clone(),
                policy_id: None,
                old_value: event.old_value.clone(),
                new_value: event.new_value.clone(),
                at: now(),
            },
        )
        .await
    }
}
