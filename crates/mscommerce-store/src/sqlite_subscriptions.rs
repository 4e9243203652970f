//! The SQLite store's users, subscriptions, licenses, outbox and audit queries.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use mscommerce_domain::subscription::{
    check_active, check_assign, check_auto_renew, check_new_quantity,
};
use mscommerce_domain::{
    AcquisitionKind, BillingFrequency, LifecycleCutoffs, PurchaseType, Scope, SubscriptionStatus,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::sqlite::{insert_audit, parse_timestamp, parse_uuid, timestamp, AuditRecord};
use crate::{actions, records::*, RuleKind, StoreError, StoreResult};

pub(crate) const SUBSCRIPTION_SELECT: &str =
    "SELECT s.*, p.upn AS purchaser_upn, p.display_name AS purchaser_name \
     FROM subscriptions s LEFT JOIN users p ON p.id = s.purchaser_id";

fn corrupt(what: &str, text: &str) -> StoreError {
    StoreError::Corrupt(format!("'{text}' is not a {what}"))
}

pub(crate) fn subscription_from_row(row: &SqliteRow) -> StoreResult<Subscription> {
    let text = |name: &str| row.try_get::<String, _>(name);
    let scope = text("target_scope")?;
    let purchase_type = text("purchase_type")?;
    let kind = text("acquisition_kind")?;
    let billing = text("billing_frequency")?;
    let status = text("status")?;
    let purchaser = match row.try_get::<Option<String>, _>("purchaser_id")? {
        Some(id) => Some(UserRef {
            id: parse_uuid(&id)?,
            upn: row
                .try_get::<Option<String>, _>("purchaser_upn")?
                .unwrap_or_default(),
            display_name: row
                .try_get::<Option<String>, _>("purchaser_name")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let optional_time = |name: &str| -> StoreResult<Option<DateTime<Utc>>> {
        row.try_get::<Option<String>, _>(name)?
            .as_deref()
            .map(parse_timestamp)
            .transpose()
    };
    Ok(Subscription {
        id: parse_uuid(&text("id")?)?,
        tenant_id: parse_uuid(&text("tenant_id")?)?,
        target_scope: Scope::parse(&scope).ok_or_else(|| corrupt("scope", &scope))?,
        target_id: text("target_id")?,
        target_name: text("target_name")?,
        purchase_type: PurchaseType::parse(&purchase_type)
            .ok_or_else(|| corrupt("purchase type", &purchase_type))?,
        acquisition_kind: AcquisitionKind::parse(&kind)
            .ok_or_else(|| corrupt("acquisition kind", &kind))?,
        purchaser,
        quantity: row.try_get("quantity")?,
        assigned_count: row.try_get("assigned_count")?,
        unit_price_minor: row.try_get("unit_price_minor")?,
        currency: text("currency")?,
        billing_frequency: BillingFrequency::parse(&billing)
            .ok_or_else(|| corrupt("billing frequency", &billing))?,
        created_at: parse_timestamp(&text("created_at")?)?,
        expires_at: parse_timestamp(&text("expires_at")?)?,
        auto_renew: row.try_get("auto_renew")?,
        status: SubscriptionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        cancellation_reason: row.try_get("cancellation_reason")?,
        cancellation_comment: row.try_get("cancellation_comment")?,
        cancelled_at: optional_time("cancelled_at")?,
        billing_anchor: optional_time("billing_anchor")?,
        version: row.try_get("version")?,
    })
}

pub(crate) fn user_ref(row: &SqliteRow, prefix: &str) -> StoreResult<UserRef> {
    Ok(UserRef {
        id: parse_uuid(&row.try_get::<String, _>(format!("{prefix}id").as_str())?)?,
        upn: row.try_get(format!("{prefix}upn").as_str())?,
        display_name: row.try_get(format!("{prefix}display_name").as_str())?,
    })
}

pub(crate) async fn insert_message(
    conn: &mut SqliteConnection,
    tenant_id: Uuid,
    message: &NewMessage,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (message_id, tenant_id, kind, recipient, subject, body_text, body_html, created_at, \
         next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(format!("<{}@mscommerce>", Uuid::new_v4()))
    .bind(tenant_id.to_string())
    .bind(&message.kind)
    .bind(&message.recipient)
    .bind(&message.subject)
    .bind(&message.body_text)
    .bind(&message.body_html)
    .bind(timestamp(at))
    .bind(timestamp(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Loads a subscription of the tenant inside a transaction and checks the caller's If-Match version.
pub(crate) async fn load_for_change(
    conn: &mut SqliteConnection,
    tenant_id: Uuid,
    id: Uuid,
    expected_version: Option<i64>,
) -> StoreResult<Subscription> {
    let row = sqlx::query(&format!(
        "{SUBSCRIPTION_SELECT} WHERE s.tenant_id = ? AND s.id = ?"
    ))
    .bind(tenant_id.to_string())
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("No subscription has the ID {id}.")))?;
    let subscription = subscription_from_row(&row)?;
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

pub(crate) async fn reload(conn: &mut SqliteConnection, id: Uuid) -> StoreResult<Subscription> {
    let row = sqlx::query(&format!("{SUBSCRIPTION_SELECT} WHERE s.id = ?"))
        .bind(id.to_string())
        .fetch_one(&mut *conn)
        .await?;
    subscription_from_row(&row)
}

fn placeholders(count: usize) -> String {
    vec!["?"; count].join(", ")
}

fn unique(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// The users to license: every one must be a member of the tenant.
async fn members(
    conn: &mut SqliteConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> StoreResult<Vec<UserRef>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, upn, display_name, user_type FROM users WHERE tenant_id = ? AND id IN ({})",
        placeholders(ids.len())
    );
    let mut query = sqlx::query(&sql).bind(tenant_id.to_string());
    for id in ids {
        query = query.bind(id.to_string());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let found: Vec<(UserRef, String)> = rows
        .iter()
        .map(|row| Ok((user_ref(row, "")?, row.try_get::<String, _>("user_type")?)))
        .collect::<StoreResult<_>>()?;
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.iter().any(|(u, _)| u.id == **id))
        .map(Uuid::to_string)
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

async fn holders(
    conn: &mut SqliteConnection,
    subscription_id: Uuid,
    ids: &[Uuid],
) -> StoreResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT user_id FROM assignments WHERE subscription_id = ? AND user_id IN ({})",
        placeholders(ids.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql).bind(subscription_id.to_string());
    for id in ids {
        query = query.bind(id.to_string());
    }
    query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|id| parse_uuid(id))
        .collect()
}

/// The body of `change_assignments`, inside the caller's write transaction.
pub(crate) async fn change_assignments_in(
    conn: &mut SqliteConnection,
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
    let to_unassign: Vec<Uuid> = holders(conn, subscription.id, &unique(&change.unassign))
        .await?
        .into_iter()
        .collect();
    let wanted = unique(&change.assign);
    let already = holders(conn, subscription.id, &wanted).await?;
    let new_users: Vec<Uuid> = wanted
        .into_iter()
        .filter(|id| !already.contains(id))
        .collect();
    let licensed = members(conn, change.tenant_id, &new_users).await?;
    let remaining = subscription.assigned_count - to_unassign.len() as i64;
    check_assign(subscription.quantity, remaining, licensed.len() as i64)?;
    let at = Utc::now();
    for id in &to_unassign {
        sqlx::query("DELETE FROM assignments WHERE subscription_id = ? AND user_id = ?")
            .bind(subscription.id.to_string())
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    for user in &licensed {
        sqlx::query("INSERT INTO assignments (subscription_id, user_id, tenant_id, assigned_at) VALUES (?, ?, ?, ?)")
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
    sqlx::query("UPDATE subscriptions SET assigned_count = ?, version = version + 1 WHERE id = ?")
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
        let ids: Vec<String> = to_unassign.iter().map(Uuid::to_string).collect();
        insert_audit(conn, audit(actions::LICENSES_UNASSIGNED, ids.join(" "))).await?;
    }
    if !licensed.is_empty() {
        let upns: Vec<&str> = licensed.iter().map(|u| u.upn.as_str()).collect();
        insert_audit(conn, audit(actions::LICENSES_ASSIGNED, upns.join(" "))).await?;
    }
    reload(conn, subscription.id).await
}

pub(crate) async fn change_subscription_in(
    conn: &mut SqliteConnection,
    tenant_id: Uuid,
    id: Uuid,
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
        "UPDATE subscriptions SET quantity = COALESCE(?, quantity), auto_renew = COALESCE(?, auto_renew), \
         version = version + 1 WHERE id = ?",
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

pub(crate) async fn cancel_in(
    conn: &mut SqliteConnection,
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
    sqlx::query("DELETE FROM assignments WHERE subscription_id = ?")
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE subscriptions SET assigned_count = 0, auto_renew = 0, status = ?, cancellation_reason = ?, \
         cancellation_comment = ?, cancelled_at = ?, cancelled_by = ?, version = version + 1 WHERE id = ?",
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

/// The `WHERE` of the subscriptions that may have a lifecycle step due; the four parameters are the cutoffs in
/// `LifecycleCutoffs`'s order. Timestamps are stored in one RFC 3339 form, so they compare as text.
pub(crate) const LIFECYCLE_DUE: &str = "(s.status = 'Active' AND s.expires_at <= ?) \
     OR (s.status = 'Expired' AND s.expires_at <= ?) \
     OR (s.status = 'Disabled' AND ((s.cancelled_at IS NOT NULL AND s.cancelled_at <= ?) \
         OR (s.cancelled_at IS NULL AND s.expires_at <= ?)))";

pub(crate) async fn lifecycle_candidates(
    pool: &sqlx::SqlitePool,
    cutoffs: LifecycleCutoffs,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u32,
) -> StoreResult<Vec<Subscription>> {
    // Without `after`, empty texts: every stored timestamp sorts after them.
    let (after_end, after_id) = after.map_or((String::new(), String::new()), |(end, id)| {
        (timestamp(end), id.to_string())
    });
    let rows = sqlx::query(&format!(
        "{SUBSCRIPTION_SELECT} WHERE ({LIFECYCLE_DUE}) \
         AND (s.expires_at > ? OR (s.expires_at = ? AND s.id > ?)) ORDER BY s.expires_at, s.id LIMIT ?"
    ))
    .bind(timestamp(cutoffs.active_ended))
    .bind(timestamp(cutoffs.expired_ended))
    .bind(timestamp(cutoffs.disabled_cancelled))
    .bind(timestamp(cutoffs.disabled_ended))
    .bind(&after_end)
    .bind(&after_end)
    .bind(&after_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter().map(subscription_from_row).collect()
}

pub(crate) async fn apply_lifecycle_step_in(
    conn: &mut SqliteConnection,
    change: &LifecycleChange,
    actor: &AuditActor,
    message: Option<&NewMessage>,
) -> StoreResult<Subscription> {
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
        sqlx::query("DELETE FROM assignments WHERE subscription_id = ?")
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    let after = LifecycleAfter::of(&subscription, step);
    sqlx::query(
        "UPDATE subscriptions SET status = ?, acquisition_kind = ?, expires_at = ?, \
         billing_anchor = COALESCE(?, billing_anchor), \
         assigned_count = CASE WHEN ? THEN 0 ELSE assigned_count END, version = version + 1 WHERE id = ?",
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

/// Streams export rows from a reader connection through a bounded channel: the database hands over rows as the
/// client takes them, so memory stays flat whatever the row count.
pub(crate) fn export(
    pool: sqlx::SqlitePool,
    tenant_id: Uuid,
    subscription_ids: Option<Vec<Uuid>>,
) -> tokio::sync::mpsc::Receiver<StoreResult<ExportRow>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(256);
    tokio::spawn(async move {
        let which = match &subscription_ids {
            Some(ids) => format!("s.id IN ({})", placeholders(ids.len())),
            None => "s.purchase_type = 'SelfService'".to_string(),
        };
        let sql = format!(
            "SELECT u.display_name, u.upn, s.target_name, s.id AS subscription_id, COALESCE(p.upn, '') AS purchaser, \
             a.assigned_at FROM assignments a \
             JOIN subscriptions s ON s.id = a.subscription_id \
             JOIN users u ON u.id = a.user_id \
             LEFT JOIN users p ON p.id = s.purchaser_id \
             WHERE a.tenant_id = ? AND s.tenant_id = ? AND {which} \
             ORDER BY a.subscription_id, a.user_id"
        );
        let mut query = sqlx::query(&sql)
            .bind(tenant_id.to_string())
            .bind(tenant_id.to_string());
        for id in subscription_ids.iter().flatten() {
            query = query.bind(id.to_string());
        }
        let mut rows = query.fetch(&pool);
        while let Some(row) = rows.next().await {
            let item = row.map_err(StoreError::from).and_then(|row| {
                Ok(ExportRow {
                    display_name: row.try_get("display_name")?,
                    upn: row.try_get("upn")?,
                    product_name: row.try_get("target_name")?,
                    subscription_id: row.try_get("subscription_id")?,
                    purchaser: row.try_get("purchaser")?,
                    assigned_at: row.try_get("assigned_at")?,
                })
            });
            let failed = item.is_err();
            // The client went away: stop reading.
            if sender.send(item).await.is_err() || failed {
                break;
            }
        }
    });
    receiver
}

pub(crate) async fn move_users_in(
    conn: &mut SqliteConnection,
    request: &MoveUsers,
    actor: &AuditActor,
    message: Option<&NewMessage>,
) -> StoreResult<MoveOutcome> {
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
        "SELECT COUNT(*) FROM assignments a WHERE a.subscription_id = ? \
         AND NOT EXISTS (SELECT 1 FROM assignments t WHERE t.subscription_id = ? AND t.user_id = a.user_id)",
    )
    .bind(source.id.to_string())
    .bind(target.id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    check_assign(target.quantity, target.assigned_count, needing)?;
    let at = Utc::now();
    sqlx::query(
        "INSERT INTO assignments (subscription_id, user_id, tenant_id, assigned_at) \
         SELECT ?, user_id, tenant_id, ? FROM assignments a WHERE a.subscription_id = ? \
         AND NOT EXISTS (SELECT 1 FROM assignments t WHERE t.subscription_id = ? AND t.user_id = a.user_id)",
    )
    .bind(target.id.to_string())
    .bind(timestamp(at))
    .bind(source.id.to_string())
    .bind(target.id.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE subscriptions SET assigned_count = assigned_count + ?, version = version + 1 WHERE id = ?")
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

pub(crate) fn message_from_row(row: &SqliteRow) -> StoreResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: row.try_get("id")?,
        message_id: row.try_get("message_id")?,
        tenant_id: parse_uuid(&row.try_get::<String, _>("tenant_id")?)?,
        kind: row.try_get("kind")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body_text: row.try_get("body_text")?,
        body_html: row.try_get("body_html")?,
        created_at: parse_timestamp(&row.try_get::<String, _>("created_at")?)?,
        attempts: row.try_get("attempts")?,
    })
}
