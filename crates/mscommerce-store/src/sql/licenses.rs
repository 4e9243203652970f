//! Licenses: assignments under the seat rules, the per-product views, the streamed export, and the take-over that
//! moves a self-service subscription's users to a central one.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::Utc;
use futures_util::StreamExt;
use mscommerce_domain::subscription::{check_active, check_assign};
use mscommerce_domain::{PurchaseType, SubscriptionStatus};
use mscommerce_domain::{SubscriptionId, TenantId, UserId};
use sqlx::{Pool, Row};

use super::audit::{insert_audit, AuditRecord};
use super::rows::{self, DbRow};
use super::subscriptions::{cancel_in, load_for_change, reload};
use super::{begin_write, placeholders, Conn, Db, SqlStore, LOCKS_ROWS};
use crate::records::*;
use crate::text::{parse_scope, parse_timestamp, parse_uuid, timestamp};
use crate::{LicenseStore, RuleKind, StoreError, StoreResult};

fn unique(ids: &[UserId]) -> Vec<UserId> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// The users to license: every one must be a member of the tenant.
pub(super) async fn members(
    conn: &mut Conn,
    tenant_id: TenantId,
    ids: &[UserId],
) -> StoreResult<Vec<UserRef>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, upn, display_name, user_type FROM users WHERE tenant_id = $1 AND id IN ({})",
        placeholders(2, ids.len())
    );
    let mut query = sqlx::query(&sql).bind(tenant_id.to_string());
    for id in ids {
        query = query.bind(id.to_string());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let found: Vec<(UserRef, String)> = rows
        .iter()
        .map(|row| {
            Ok((
                rows::user_ref(row, "")?,
                row.try_get::<String, _>("user_type")?,
            ))
        })
        .collect::<StoreResult<_>>()?;
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.iter().any(|(u, _)| u.id == **id))
        .map(UserId::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(StoreError::Rule {
            kind: RuleKind::NotFound,
            code: "UserNotFound",
            reason: format!(
                "No user of this organization has the ID {}.",
                missing.join(", ")
            ),
        });
    }
    let guests: Vec<&str> = found
        .iter()
        .filter(|(_, t)| t == "Guest")
        .map(|(u, _)| u.upn.as_str())
        .collect();
    if !guests.is_empty() {
        return Err(StoreError::Rule {
            kind: RuleKind::Conflict,
            code: "NotAMember",
            reason: format!(
                "Licenses go to members of the organization; {} is a guest.",
                guests.join(", ")
            ),
        });
    }
    Ok(found.into_iter().map(|(u, _)| u).collect())
}

/// Which of `ids` hold a license of the subscription.
async fn holders(
    conn: &mut Conn,
    subscription_id: SubscriptionId,
    ids: &[UserId],
) -> StoreResult<HashSet<UserId>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT user_id FROM assignments WHERE subscription_id = $1 AND user_id IN ({})",
        placeholders(2, ids.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql).bind(subscription_id.to_string());
    for id in ids {
        query = query.bind(id.to_string());
    }
    query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|id| parse_uuid(id).map(UserId))
        .collect()
}

/// The body of `change_assignments`, inside the caller's write transaction.
pub(super) async fn change_assignments_in(
    conn: &mut Conn,
    change: &AssignmentChange,
    actor: &AuditActor,
) -> StoreResult<Subscription> {
    let subscription = load_for_change(
        conn,
        change.tenant_id,
        change.subscription_id,
        change.expected_version,
    )
    .await?;
    check_active(subscription.status)?;
    let to_unassign: Vec<UserId> = holders(conn, subscription.id, &unique(&change.unassign))
        .await?
        .into_iter()
        .collect();
    let wanted = unique(&change.assign);
    let already = holders(conn, subscription.id, &wanted).await?;
    let new_users: Vec<UserId> = wanted
        .into_iter()
        .filter(|id| !already.contains(id))
        .collect();
    let licensed = members(conn, change.tenant_id, &new_users).await?;
    let remaining = subscription.assigned_count - to_unassign.len() as i64;
    check_assign(subscription.quantity, remaining, licensed.len() as i64)?;
    let at = Utc::now();
    for id in &to_unassign {
        sqlx::query("DELETE FROM assignments WHERE subscription_id = $1 AND user_id = $2")
            .bind(subscription.id.to_string())
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    for user in &licensed {
        sqlx::query(
            "INSERT INTO assignments (subscription_id, user_id, tenant_id, assigned_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(subscription.id.to_string())
        .bind(user.id.to_string())
        .bind(change.tenant_id.to_string())
        .bind(timestamp(at))
        .execute(&mut *conn)
        .await?;
    }
    if to_unassign.is_empty() && licensed.is_empty() {
        return Ok(subscription);
    }
    sqlx::query(
        "UPDATE subscriptions SET assigned_count = $1, version = version + 1 WHERE id = $2",
    )
    .bind(remaining + licensed.len() as i64)
    .bind(subscription.id.to_string())
    .execute(&mut *conn)
    .await?;
    let audit = |action, users: String| AuditRecord {
        tenant_id: change.tenant_id,
        action,
        actor,
        target_type: "Subscription",
        target_id: subscription.id.to_string(),
        target_name: subscription.target_name.clone(),
        policy_id: None,
        old_value: None,
        new_value: Some(users),
        at,
    };
    if !to_unassign.is_empty() {
        let ids: Vec<String> = to_unassign.iter().map(UserId::to_string).collect();
        insert_audit(conn, audit(actions::LICENSES_UNASSIGNED, ids.join(" "))).await?;
    }
    if !licensed.is_empty() {
        let upns: Vec<&str> = licensed.iter().map(|u| u.upn.as_str()).collect();
        insert_audit(conn, audit(actions::LICENSES_ASSIGNED, upns.join(" "))).await?;
    }
    reload(conn, subscription.id).await
}

/// The body of `move_users`, inside the caller's write transaction.
async fn move_users_in(
    conn: &mut Conn,
    request: &MoveUsers,
    actor: &AuditActor,
    message: Option<&NewMessage>,
) -> StoreResult<MoveOutcome> {
    if LOCKS_ROWS {
        // Both rows are locked in one fixed order (by ID), so two moves never wait on each other in a circle.
        sqlx::query("SELECT id FROM subscriptions WHERE id IN ($1, $2) ORDER BY id FOR UPDATE")
            .bind(request.source_id.to_string())
            .bind(request.target_id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    let source = load_for_change(
        conn,
        request.tenant_id,
        request.source_id,
        request.expected_version,
    )
    .await?;
    let target = load_for_change(conn, request.tenant_id, request.target_id, None).await?;
    if source.purchase_type != PurchaseType::SelfService {
        return Err(StoreError::Rule {
            kind: RuleKind::Conflict,
            code: "NotSelfService",
            reason: "Only a self-service subscription can be taken over; this one is central."
                .into(),
        });
    }
    if target.purchase_type != PurchaseType::Central {
        return Err(StoreError::Rule {
            kind: RuleKind::Conflict,
            code: "TargetNotCentral",
            reason:
                "Users can only be moved to a central subscription; the target was bought through \
                     self-service."
                    .into(),
        });
    }
    check_active(source.status)?;
    check_active(target.status)?;
    // Users already licensed by the target need no new seat.
    let needing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM assignments a WHERE a.subscription_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM assignments t WHERE t.subscription_id = $2 AND t.user_id = a.user_id)",
    )
    .bind(source.id.to_string())
    .bind(target.id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    check_assign(target.quantity, target.assigned_count, needing)?;
    let at = Utc::now();
    sqlx::query(
        "INSERT INTO assignments (subscription_id, user_id, tenant_id, assigned_at) \
         SELECT $1, user_id, tenant_id, $2 FROM assignments a WHERE a.subscription_id = $3 \
         AND NOT EXISTS (SELECT 1 FROM assignments t WHERE t.subscription_id = $1 AND t.user_id = a.user_id)",
    )
    .bind(target.id.to_string())
    .bind(timestamp(at))
    .bind(source.id.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE subscriptions SET assigned_count = assigned_count + $1, version = version + 1 WHERE id = $2",
    )
    .bind(needing)
    .bind(target.id.to_string())
    .execute(&mut *conn)
    .await?;
    insert_audit(
        conn,
        AuditRecord {
            tenant_id: request.tenant_id,
            action: actions::USERS_MOVED,
            actor,
            target_type: "Subscription",
            target_id: source.id.to_string(),
            target_name: source.target_name.clone(),
            policy_id: None,
            old_value: Some(format!("{} users on {}", source.assigned_count, source.id)),
            new_value: Some(format!("moved to {} ({})", target.id, target.target_name)),
            at,
        },
    )
    .await?;
    let cancellation = Cancellation {
        tenant_id: request.tenant_id,
        subscription_id: source.id,
        reason: mscommerce_domain::CancellationReason::MovingToCentralLicenses,
        comment: None,
        status: SubscriptionStatus::Deleted,
        expected_version: None,
    };
    let source = cancel_in(conn, &cancellation, actor, message).await?;
    let target = reload(conn, target.id).await?;
    Ok(MoveOutcome {
        source,
        target,
        moved: needing,
    })
}

fn export_row(row: &DbRow) -> StoreResult<ExportRow> {
    Ok(ExportRow {
        display_name: row.try_get("display_name")?,
        upn: row.try_get("upn")?,
        product_name: row.try_get("target_name")?,
        subscription_id: row.try_get("subscription_id")?,
        purchaser: row.try_get("purchaser")?,
        assigned_at: row.try_get("assigned_at")?,
    })
}

/// Streams export rows from a reader connection through a bounded channel: the database hands over rows as the
/// client takes them, so memory stays flat whatever the row count.
fn export(
    pool: Pool<Db>,
    tenant_id: TenantId,
    subscription_ids: Option<Vec<SubscriptionId>>,
) -> tokio::sync::mpsc::Receiver<StoreResult<ExportRow>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(256);
    tokio::spawn(async move {
        let which = match &subscription_ids {
            // PostgreSQL refuses `IN ()`.
            Some(ids) if ids.is_empty() => "FALSE".to_string(),
            Some(ids) => format!("s.id IN ({})", placeholders(2, ids.len())),
            None => "s.purchase_type = 'SelfService'".to_string(),
        };
        let sql = format!(
            "SELECT u.display_name, u.upn, s.target_name, s.id AS subscription_id, COALESCE(p.upn, '') AS purchaser, \
             a.assigned_at FROM assignments a \
             JOIN subscriptions s ON s.id = a.subscription_id \
             JOIN users u ON u.id = a.user_id \
             LEFT JOIN users p ON p.id = s.purchaser_id \
             WHERE a.tenant_id = $1 AND s.tenant_id = $1 AND {which} \
             ORDER BY a.subscription_id, a.user_id"
        );
        let mut query = sqlx::query(&sql).bind(tenant_id.to_string());
        for id in subscription_ids.iter().flatten() {
            query = query.bind(id.to_string());
        }
        let mut rows = query.fetch(&pool);
        while let Some(row) = rows.next().await {
            let item = row
                .map_err(StoreError::from)
                .and_then(|row| export_row(&row));
            let failed = item.is_err();
            // The client went away: stop reading.
            if sender.send(item).await.is_err() || failed {
                break;
            }
        }
    });
    receiver
}

#[async_trait]
impl LicenseStore for SqlStore {
    async fn assignments(
        &self,
        tenant_id: TenantId,
        subscription_id: SubscriptionId,
    ) -> StoreResult<Vec<Assignment>> {
        let rows = sqlx::query(
            "SELECT u.id, u.upn, u.display_name, a.assigned_at FROM assignments a JOIN users u ON u.id = a.user_id \
             WHERE a.tenant_id = $1 AND a.subscription_id = $2 ORDER BY u.upn COLLATE \"C\"",
        )
        .bind(tenant_id.to_string())
        .bind(subscription_id.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Assignment {
                    user: rows::user_ref(row, "")?,
                    assigned_at: parse_timestamp(&row.try_get::<String, _>("assigned_at")?)?,
                })
            })
            .collect()
    }

    async fn change_assignments(
        &self,
        change: AssignmentChange,
        actor: &AuditActor,
    ) -> StoreResult<Subscription> {
        let mut tx = begin_write(&self.write).await?;
        let subscription = change_assignments_in(&mut tx, &change, actor).await?;
        tx.commit().await?;
        Ok(subscription)
    }

    async fn product_licenses(&self, tenant_id: TenantId) -> StoreResult<Vec<ProductLicenses>> {
        let rows = sqlx::query(
            "SELECT target_scope, target_id, MAX(target_name COLLATE \"C\") AS target_name, \
             COUNT(*) AS subscription_count, CAST(SUM(quantity) AS BIGINT) AS available_quantity, \
             CAST(SUM(assigned_count) AS BIGINT) AS assigned_count FROM subscriptions \
             WHERE tenant_id = $1 AND purchase_type = 'SelfService' AND status IN ('Active', 'Expired') \
             GROUP BY target_scope, target_id ORDER BY MAX(target_name COLLATE \"C\")",
        )
        .bind(tenant_id.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProductLicenses {
                    target_scope: parse_scope(&row.try_get::<String, _>("target_scope")?)?,
                    target_id: row.try_get("target_id")?,
                    target_name: row.try_get("target_name")?,
                    subscription_count: row.try_get("subscription_count")?,
                    available_quantity: row.try_get("available_quantity")?,
                    assigned_count: row.try_get("assigned_count")?,
                })
            })
            .collect()
    }

    async fn license_holders(
        &self,
        tenant_id: TenantId,
        target_id: &str,
    ) -> StoreResult<Vec<LicenseHolder>> {
        let rows = sqlx::query(
            "SELECT p.id AS p_id, p.upn AS p_upn, p.display_name AS p_display_name, s.id AS subscription_id, \
             u.id AS u_id, u.upn AS u_upn, u.display_name AS u_display_name, a.assigned_at \
             FROM assignments a JOIN subscriptions s ON s.id = a.subscription_id \
             JOIN users u ON u.id = a.user_id JOIN users p ON p.id = s.purchaser_id \
             WHERE s.tenant_id = $1 AND s.target_id = $2 AND s.purchase_type = 'SelfService' \
             AND s.status IN ('Active', 'Expired') \
             ORDER BY p.upn COLLATE \"C\", u.upn COLLATE \"C\"",
        )
        .bind(tenant_id.to_string())
        .bind(target_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LicenseHolder {
                    purchaser: rows::user_ref(row, "p_")?,
                    subscription_id: parse_uuid(&row.try_get::<String, _>("subscription_id")?)?
                        .into(),
                    user: rows::user_ref(row, "u_")?,
                    assigned_at: parse_timestamp(&row.try_get::<String, _>("assigned_at")?)?,
                })
            })
            .collect()
    }

    async fn move_users(
        &self,
        request: MoveUsers,
        actor: &AuditActor,
        message: Option<NewMessage>,
    ) -> StoreResult<MoveOutcome> {
        let mut tx = begin_write(&self.write).await?;
        let outcome = move_users_in(&mut tx, &request, actor, message.as_ref()).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    fn export_assignments(
        &self,
        tenant_id: TenantId,
        subscription_ids: Option<Vec<SubscriptionId>>,
    ) -> tokio::sync::mpsc::Receiver<StoreResult<ExportRow>> {
        export(self.read.clone(), tenant_id, subscription_ids)
    }
}
