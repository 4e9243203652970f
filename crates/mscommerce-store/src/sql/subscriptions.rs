//! Subscriptions: bought, read, edited, cancelled, and moved through their lifecycle.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mscommerce_domain::subscription::{check_active, check_auto_renew, check_new_quantity};
use mscommerce_domain::LifecycleCutoffs;
use mscommerce_domain::{SubscriptionId, TenantId};

use super::audit::{insert_audit, AuditRecord};
use super::outbox::insert_message;
use super::rows::{self, SUBSCRIPTION_SELECT};
use super::{begin_write, Conn, SqlStore, FOR_UPDATE_OF_SUBSCRIPTION, INDEXED_BYTE_ORDER};
use crate::records::*;
use crate::text::{now, timestamp};
use crate::{StoreError, StoreResult, SubscriptionStore};

/// Loads a subscription of the tenant inside a write transaction and checks the caller's If-Match version. The row
/// stays locked until the transaction ends: a second change of this subscription waits for this one.
pub(super) async fn load_for_change(
    conn: &mut Conn,
    tenant_id: TenantId,
    id: SubscriptionId,
    expected_version: Option<i64>,
) -> StoreResult<Subscription> {
    let row = sqlx::query(&format!(
        "{SUBSCRIPTION_SELECT} WHERE s.tenant_id = $1 AND s.id = $2{FOR_UPDATE_OF_SUBSCRIPTION}"
    ))
    .bind(tenant_id.to_string())
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("No subscription has the ID {id}.")))?;
    let subscription = rows::subscription(&row)?;
    if let Some(expected) = expected_version {
        if expected != subscription.version {
            return Err(StoreError::VersionMismatch(format!(
                "The subscription changed since it was read (version {} now, {expected} in If-Match). Read it \
                 again and retry.",
                subscription.version
            )));
        }
    }
    Ok(subscription)
}

/// The subscription as the caller's transaction has left it.
pub(super) async fn reload(conn: &mut Conn, id: SubscriptionId) -> StoreResult<Subscription> {
    let row = sqlx::query(&format!("{SUBSCRIPTION_SELECT} WHERE s.id = $1"))
        .bind(id.to_string())
        .fetch_one(&mut *conn)
        .await?;
    rows::subscription(&row)
}

/// Removes every license of the subscription (its `assigned_count` is the caller's to set).
async fn unassign_everyone(conn: &mut Conn, subscription_id: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM assignments WHERE subscription_id = $1")
        .bind(subscription_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The body of `cancel_subscription`, inside the caller's write transaction.
pub(super) async fn cancel_in(
    conn: &mut Conn,
    cancellation: &Cancellation,
    actor: &AuditActor,
    message: Option<&NewMessage>,
) -> StoreResult<Subscription> {
    let subscription = load_for_change(
        conn,
        cancellation.tenant_id,
        cancellation.subscription_id,
        cancellation.expected_version,
    )
    .await?;
    check_active(subscription.status)?;
    let at = Utc::now();
    let id = subscription.id.to_string();
    // Licensed users lose access at once.
    unassign_everyone(conn, &id).await?;
    sqlx::query(
        "UPDATE subscriptions SET assigned_count = 0, auto_renew = FALSE, status = $1, cancellation_reason = $2, \
         cancellation_comment = $3, cancelled_at = $4, cancelled_by = $5, version = version + 1 WHERE id = $6",
    )
    .bind(cancellation.status.as_str())
    .bind(cancellation.reason.as_str())
    .bind(&cancellation.comment)
    .bind(timestamp(at))
    .bind(&actor.name)
    .bind(&id)
    .execute(&mut *conn)
    .await?;
    insert_audit(
        conn,
        AuditRecord {
            tenant_id: cancellation.tenant_id,
            action: actions::SUBSCRIPTION_CANCELLED,
            actor,
            target_type: "Subscription",
            target_id: id.clone(),
            target_name: subscription.target_name.clone(),
            policy_id: None,
            old_value: Some(subscription.status.as_str().to_string()),
            new_value: Some(format!("{} ({})", cancellation.status, cancellation.reason)),
            at,
        },
    )
    .await?;
    if let Some(message) = message {
        insert_message(conn, cancellation.tenant_id, message, at).await?;
    }
    reload(conn, subscription.id).await
}

async fn change_subscription_in(
    conn: &mut Conn,
    tenant_id: TenantId,
    id: SubscriptionId,
    edit: SubscriptionEdit,
    expected_version: Option<i64>,
    actor: &AuditActor,
) -> StoreResult<Subscription> {
    let subscription = load_for_change(conn, tenant_id, id, expected_version).await?;
    check_active(subscription.status)?;
    if let Some(quantity) = edit.quantity {
        check_new_quantity(quantity, subscription.assigned_count)?;
    }
    if let Some(auto_renew) = edit.auto_renew {
        check_auto_renew(subscription.acquisition_kind, auto_renew)?;
    }
    // Only what differs is written and audited; an edit that changes nothing leaves the version as it is.
    let quantity = edit.quantity.filter(|q| *q != subscription.quantity);
    let auto_renew = edit.auto_renew.filter(|r| *r != subscription.auto_renew);
    if quantity.is_none() && auto_renew.is_none() {
        return Ok(subscription);
    }
    sqlx::query(
        "UPDATE subscriptions SET quantity = COALESCE($1, quantity), auto_renew = COALESCE($2, auto_renew), \
         version = version + 1 WHERE id = $3",
    )
    .bind(quantity)
    .bind(auto_renew)
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    let at = Utc::now();
    let audit = |action, old_value: String, new_value: String| AuditRecord {
        tenant_id,
        action,
        actor,
        target_type: "Subscription",
        target_id: id.to_string(),
        target_name: subscription.target_name.clone(),
        policy_id: None,
        old_value: Some(old_value),
        new_value: Some(new_value),
        at,
    };
    if let Some(quantity) = quantity {
        let record = audit(
            actions::QUANTITY_CHANGED,
            subscription.quantity.to_string(),
            quantity.to_string(),
        );
        insert_audit(conn, record).await?;
    }
    if let Some(auto_renew) = auto_renew {
        let on_off = |on: bool| if on { "On" } else { "Off" }.to_string();
        let record = audit(
            actions::AUTO_RENEW_CHANGED,
            on_off(subscription.auto_renew),
            on_off(auto_renew),
        );
        insert_audit(conn, record).await?;
    }
    reload(conn, id).await
}

/// The subscriptions that may have a lifecycle step due, a batch after a given one: `$1` to `$4` are the cutoffs
/// in `LifecycleCutoffs`'s order, `$5` and `$6` the end of term and ID of the last of the previous batch, `$7` the
/// batch's size. Timestamps are stored in one RFC 3339 form, so they compare as text, in byte order
/// ([`INDEXED_BYTE_ORDER`], so that the index on status and end of term serves the comparison).
pub(super) fn lifecycle_query() -> String {
    let order = INDEXED_BYTE_ORDER;
    format!(
        "{SUBSCRIPTION_SELECT} WHERE ((s.status = 'Active' AND s.expires_at{order} <= $1) \
         OR (s.status = 'Expired' AND s.expires_at{order} <= $2) \
         OR (s.status = 'Disabled' AND ((s.cancelled_at IS NOT NULL AND s.cancelled_at{order} <= $3) \
             OR (s.cancelled_at IS NULL AND s.expires_at{order} <= $4)))) \
         AND (s.expires_at{order} > $5 OR (s.expires_at = $5 AND s.id{order} > $6)) \
         ORDER BY s.expires_at{order}, s.id{order} LIMIT $7"
    )
}

async fn apply_lifecycle_step_in(
    conn: &mut Conn,
    change: &LifecycleChange,
    actor: &AuditActor,
    message: Option<&NewMessage>,
) -> StoreResult<Subscription> {
    // Locks the row: a replica running the same round at the same moment waits, then finds a new version.
    let subscription = load_for_change(
        conn,
        change.tenant_id,
        change.subscription_id,
        Some(change.expected_version),
    )
    .await?;
    let at = Utc::now();
    let id = subscription.id.to_string();
    let step = change.step;
    if step.removes_licenses() {
        unassign_everyone(conn, &id).await?;
    }
    let after = LifecycleAfter::of(&subscription, step);
    sqlx::query(
        "UPDATE subscriptions SET status = $1, acquisition_kind = $2, expires_at = $3, \
         billing_anchor = COALESCE($4, billing_anchor), \
         assigned_count = CASE WHEN $5 THEN 0 ELSE assigned_count END, version = version + 1 WHERE id = $6",
    )
    .bind(step.status().as_str())
    .bind(after.kind.as_str())
    .bind(timestamp(after.expires_at))
    .bind(after.billing_anchor.map(timestamp))
    .bind(step.removes_licenses())
    .bind(&id)
    .execute(&mut *conn)
    .await?;
    insert_audit(
        conn,
        AuditRecord {
            tenant_id: change.tenant_id,
            action: after.action,
            actor,
            target_type: "Subscription",
            target_id: id.clone(),
            target_name: subscription.target_name.clone(),
            policy_id: None,
            old_value: Some(after.old_value),
            new_value: Some(after.new_value),
            at,
        },
    )
    .await?;
    if let Some(message) = message {
        insert_message(conn, change.tenant_id, message, at).await?;
    }
    reload(conn, subscription.id).await
}

#[async_trait]
impl SubscriptionStore for SqlStore {
    async fn create_subscription(
        &self,
        new: NewSubscription,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription> {
        let id = new.id;
        let at = now();
        let mut tx = begin_write(&self.write).await?;
        sqlx::query(
            "INSERT INTO subscriptions (id, tenant_id, target_scope, target_id, target_name, purchase_type, \
             acquisition_kind, purchaser_id, quantity, unit_price_minor, currency, billing_frequency, created_at, \
             expires_at, auto_renew, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'Active')",
        )
        .bind(id.to_string())
        .bind(new.tenant_id.to_string())
        .bind(new.target_scope.as_str())
        .bind(&new.target_id)
        .bind(&new.target_name)
        .bind(new.purchase_type.as_str())
        .bind(new.acquisition_kind.as_str())
        .bind(new.purchaser_id.map(|p| p.to_string()))
        .bind(new.quantity)
        .bind(new.unit_price_minor)
        .bind(&new.currency)
        .bind(new.billing_frequency.as_str())
        .bind(timestamp(at))
        .bind(timestamp(new.expires_at))
        .bind(new.auto_renew)
        .execute(&mut *tx)
        .await?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id: new.tenant_id,
                action: actions::SUBSCRIPTION_CREATED,
                actor,
                target_type: "Subscription",
                target_id: id.to_string(),
                target_name: new.target_name.clone(),
                policy_id: None,
                old_value: None,
                new_value: Some(format!(
                    "{} {} x{}",
                    new.purchase_type, new.acquisition_kind, new.quantity
                )),
                at,
            },
        )
        .await?;
        if let Some(message) = &message {
            insert_message(&mut tx, new.tenant_id, message, at).await?;
        }
        let created = reload(&mut tx, id).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn subscription(
        &self,
        tenant_id: TenantId,
        id: SubscriptionId,
    ) -> StoreResult<Option<Subscription>> {
        let row = sqlx::query(&format!(
            "{SUBSCRIPTION_SELECT} WHERE s.tenant_id = $1 AND s.id = $2"
        ))
        .bind(tenant_id.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(rows::subscription).transpose()
    }

    async fn subscriptions(
        &self,
        tenant_id: TenantId,
        filter: &SubscriptionFilter,
        after: Option<SubscriptionId>,
        limit: u32,
    ) -> StoreResult<Vec<Subscription>> {
        let sql = format!(
            "{SUBSCRIPTION_SELECT} WHERE s.tenant_id = $1 AND ($2 IS NULL OR s.purchase_type = $2) \
             AND ($3 IS NULL OR s.purchaser_id = $3) \
             AND ($4 IS NULL OR (s.created_at, s.id) > (SELECT created_at, id FROM subscriptions WHERE id = $4)) \
             ORDER BY s.created_at, s.id LIMIT $5"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant_id.to_string())
            .bind(filter.purchase_type.map(|t| t.as_str()))
            .bind(filter.purchaser_id.map(|p| p.to_string()))
            .bind(after.map(|a| a.to_string()))
            .bind(i64::from(limit))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(rows::subscription).collect()
    }

    async fn change_subscription(
        &self,
        tenant_id: TenantId,
        subscription_id: SubscriptionId,
        edit: SubscriptionEdit,
        expected_version: Option<i64>,
        actor: &AuditActor,
    ) -> StoreResult<Subscription> {
        let mut tx = begin_write(&self.write).await?;
        let subscription = change_subscription_in(
            &mut tx,
            tenant_id,
            subscription_id,
            edit,
            expected_version,
            actor,
        )
        .await?;
        tx.commit().await?;
        Ok(subscription)
    }

    async fn cancel_subscription(
        &self,
        cancellation: Cancellation,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription> {
        let mut tx = begin_write(&self.write).await?;
        let subscription = cancel_in(&mut tx, &cancellation, actor, message.as_ref()).await?;
        tx.commit().await?;
        Ok(subscription)
    }

    async fn lifecycle_candidates(
        &self,
        cutoffs: LifecycleCutoffs,
        after: Option<(DateTime<Utc>, SubscriptionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Subscription>> {
        // Without `after`, empty texts: every stored timestamp sorts after them.
        let (after_end, after_id) = after.map_or((String::new(), String::new()), |(end, id)| {
            (timestamp(end), id.to_string())
        });
        let rows = sqlx::query(&lifecycle_query())
            .bind(timestamp(cutoffs.active_ended))
            .bind(timestamp(cutoffs.expired_ended))
            .bind(timestamp(cutoffs.disabled_cancelled))
            .bind(timestamp(cutoffs.disabled_ended))
            .bind(&after_end)
            .bind(&after_id)
            .bind(i64::from(limit))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(rows::subscription).collect()
    }

    async fn apply_lifecycle_step(
        &self,
        change: LifecycleChange,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<Subscription> {
        let mut tx = begin_write(&self.write).await?;
        let subscription =
            apply_lifecycle_step_in(&mut tx, &change, actor, message.as_ref()).await?;
        tx.commit().await?;
        Ok(subscription)
    }
}
