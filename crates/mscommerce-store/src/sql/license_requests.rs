//! License requests: created under the one-open-request index, answered once by a conditional update in the
//! transaction that also assigns the licenses, writes the audit event and the emails.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mscommerce_domain::license_requests::{RequestFilter, RequestStatus, UserOutcome};
use mscommerce_domain::{SubscriptionId, TenantId, UserId};
use sqlx::Row;
use uuid::Uuid;

use super::audit::{insert_audit, AuditRecord};
use super::licenses::{change_assignments_in, members};
use super::outbox::insert_message;
use super::rows::{self, DbRow};
use super::{begin_write, conflict_as, Conn, SqlStore};
use crate::records::*;
use crate::text::{corrupt, now, parse_scope, parse_timestamp, parse_uuid, timestamp};
use crate::{LicenseRequestStore, RuleKind, StoreError, StoreResult};

const REQUEST_SELECT: &str =
    "SELECT r.*, u.upn AS requester_upn, u.display_name AS requester_display_name \
     FROM license_requests r JOIN users u ON u.id = r.requester_id";

fn optional_time(row: &DbRow, name: &str) -> StoreResult<Option<DateTime<Utc>>> {
    row.try_get::<Option<String>, _>(name)?
        .as_deref()
        .map(parse_timestamp)
        .transpose()
}

/// A request's row (without its users).
fn request(row: &DbRow) -> StoreResult<LicenseRequest> {
    let status: String = row.try_get("status")?;
    Ok(LicenseRequest {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        tenant_id: TenantId(parse_uuid(&row.try_get::<String, _>("tenant_id")?)?),
        target_scope: parse_scope(&row.try_get::<String, _>("target_scope")?)?,
        target_id: row.try_get("target_id")?,
        target_name: row.try_get("target_name")?,
        requester: rows::user_ref(row, "requester_")?,
        users: Vec::new(),
        message: row.try_get("message")?,
        status: RequestStatus::parse(&status).ok_or_else(|| corrupt("request status", &status))?,
        created_at: parse_timestamp(&row.try_get::<String, _>("created_at")?)?,
        answered_at: optional_time(row, "answered_at")?,
        answered_by: row.try_get("answered_by")?,
        answer_message: row.try_get("answer_message")?,
        subscription_id: row
            .try_get::<Option<String>, _>("subscription_id")?
            .as_deref()
            .map(|id| parse_uuid(id).map(SubscriptionId))
            .transpose()?,
    })
}

/// The request's users, the requester first.
async fn request_users(conn: &mut Conn, request_id: Uuid) -> StoreResult<Vec<RequestUser>> {
    let rows = sqlx::query(
        "SELECT u.id, u.upn, u.display_name, ru.outcome FROM license_request_users ru \
         JOIN users u ON u.id = ru.user_id WHERE ru.request_id = $1 ORDER BY ru.position",
    )
    .bind(request_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let outcome: String = row.try_get("outcome")?;
            Ok(RequestUser {
                user: rows::user_ref(row, "")?,
                outcome: UserOutcome::parse(&outcome)
                    .ok_or_else(|| corrupt("request outcome", &outcome))?,
            })
        })
        .collect()
}

async fn load(
    conn: &mut Conn,
    tenant_id: TenantId,
    id: Uuid,
) -> StoreResult<Option<LicenseRequest>> {
    let row = sqlx::query(&format!(
        "{REQUEST_SELECT} WHERE r.tenant_id = $1 AND r.id = $2"
    ))
    .bind(tenant_id.to_string())
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut found = request(&row)?;
    found.users = request_users(conn, id).await?;
    Ok(Some(found))
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::Rule {
        kind: RuleKind::NotFound,
        code: "LicenseRequestNotFound",
        reason: format!("No license request of this organization has the ID {id}."),
    }
}

fn audit<'a>(
    request: &LicenseRequest,
    action: &'a str,
    actor: &'a AuditActor,
    new_value: Option<String>,
) -> AuditRecord<'a> {
    AuditRecord {
        tenant_id: request.tenant_id,
        action,
        actor,
        target_type: "LicenseRequest",
        target_id: request.id.to_string(),
        target_name: request.target_name.clone(),
        policy_id: None,
        old_value: None,
        new_value,
        at: now(),
    }
}

#[async_trait]
impl LicenseRequestStore for SqlStore {
    async fn create_license_request(
        &self,
        new: NewLicenseRequest,
        actor: &AuditActor,
    ) -> StoreResult<LicenseRequest> {
        let mut tx = begin_write(&self.write).await?;
        let mut users = vec![new.requester_id];
        for id in &new.others {
            if !users.contains(id) {
                users.push(*id);
            }
        }
        // Every user must be a member of the organization (the requester is one: it signed in).
        members(&mut tx, new.tenant_id, &users).await?;
        let id = Uuid::new_v4();
        let at = now();
        sqlx::query(
            "INSERT INTO license_requests (id, tenant_id, target_scope, target_id, target_name, requester_id, \
             message, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'Pending', $8)",
        )
        .bind(id.to_string())
        .bind(new.tenant_id.to_string())
        .bind(new.target_scope.as_str())
        .bind(&new.target_id)
        .bind(&new.target_name)
        .bind(new.requester_id.to_string())
        .bind(&new.message)
        .bind(timestamp(at))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            conflict_as(e, || {
                format!(
                    "You asked for a license of {} already, and your request waits for an answer.",
                    new.target_name
                )
            })
        })?;
        for (position, user) in users.iter().enumerate() {
            sqlx::query(
                "INSERT INTO license_request_users (request_id, user_id, position, outcome) \
                 VALUES ($1, $2, $3, 'Pending')",
            )
            .bind(id.to_string())
            .bind(user.to_string())
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        let created = load(&mut tx, new.tenant_id, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let names: Vec<&str> = created.users.iter().map(|u| u.user.upn.as_str()).collect();
        insert_audit(
            &mut tx,
            audit(
                &created,
                actions::LICENSE_REQUESTED,
                actor,
                Some(names.join(" ")),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn license_request(
        &self,
        tenant_id: TenantId,
        id: Uuid,
    ) -> StoreResult<Option<LicenseRequest>> {
        let mut conn = self.read.acquire().await?;
        load(&mut conn, tenant_id, id).await
    }

    async fn license_requests(
        &self,
        tenant_id: TenantId,
        page: RequestPage<'_>,
    ) -> StoreResult<Vec<LicenseRequest>> {
        let mut sql = format!("{REQUEST_SELECT} WHERE r.tenant_id = $1");
        match page.filter {
            RequestFilter::Pending => sql.push_str(" AND r.status = 'Pending'"),
            RequestFilter::Completed => sql.push_str(" AND r.status <> 'Pending'"),
            RequestFilter::All => {}
        }
        let mut next = 2;
        if page.requester_id.is_some() {
            sql.push_str(&format!(" AND r.requester_id = ${next}"));
            next += 1;
        }
        if page.before.is_some() {
            sql.push_str(&format!(
                " AND (r.created_at < ${next} OR (r.created_at = ${next} AND r.id < ${}))",
                next + 1
            ));
            next += 2;
        }
        sql.push_str(&format!(
            " ORDER BY r.created_at DESC, r.id DESC LIMIT ${next}"
        ));
        let mut query = sqlx::query(&sql).bind(tenant_id.to_string());
        if let Some(requester) = page.requester_id {
            query = query.bind(requester.to_string());
        }
        if let Some((created_at, id)) = page.before {
            query = query.bind(created_at.to_string()).bind(id.to_string());
        }
        let rows = query
            .bind(i64::from(page.limit))
            .fetch_all(&self.read)
            .await?;
        let mut conn = self.read.acquire().await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut one = request(row)?;
            one.users = request_users(&mut conn, one.id).await?;
            found.push(one);
        }
        Ok(found)
    }

    async fn answer_license_request(
        &self,
        answer: AnswerLicenseRequest,
        actor: &AuditActor,
        messages: Vec<NewMessage>,
    ) -> StoreResult<LicenseRequest> {
        let mut tx = begin_write(&self.write).await?;
        let (status, subscription_id) = match &answer.answer {
            RequestAnswer::Approve {
                subscription_id, ..
            } => (RequestStatus::Approved, Some(*subscription_id)),
            RequestAnswer::Deny => (RequestStatus::Denied, None),
        };
        // The answer is taken only while the request is pending: of two answers at the same moment, the second
        // finds it answered (PostgreSQL re-reads the row after the first commits; SQLite has one writer).
        let answered = sqlx::query(
            "UPDATE license_requests SET status = $1, answered_at = $2, answered_by = $3, answer_message = $4, \
             subscription_id = $5 WHERE tenant_id = $6 AND id = $7 AND status = 'Pending'",
        )
        .bind(status.as_str())
        .bind(timestamp(now()))
        .bind(&actor.name)
        .bind(&answer.message)
        .bind(subscription_id.map(|id| id.to_string()))
        .bind(answer.tenant_id.to_string())
        .bind(answer.request_id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if answered == 0 {
            return Err(
                match load(&mut tx, answer.tenant_id, answer.request_id).await? {
                    None => not_found(answer.request_id),
                    Some(found) => StoreError::Rule {
                        kind: RuleKind::Conflict,
                        code: "LicenseRequestAnswered",
                        reason: format!(
                            "This request was {} already{}: a request is answered once.",
                            found.status.as_str().to_lowercase(),
                            found
                                .answered_by
                                .map(|by| format!(" by {by}"))
                                .unwrap_or_default()
                        ),
                    },
                },
            );
        }
        let request = load(&mut tx, answer.tenant_id, answer.request_id)
            .await?
            .ok_or_else(|| not_found(answer.request_id))?;
        let (action, detail) = match &answer.answer {
            RequestAnswer::Approve {
                subscription_id,
                users,
            } => {
                change_assignments_in(
                    &mut tx,
                    &AssignmentChange {
                        tenant_id: answer.tenant_id,
                        subscription_id: *subscription_id,
                        assign: users.clone(),
                        unassign: Vec::new(),
                        expected_version: None,
                    },
                    actor,
                )
                .await?;
                for user in &request.users {
                    let outcome = if users.contains(&user.user.id) {
                        UserOutcome::Approved
                    } else {
                        UserOutcome::NotApproved
                    };
                    set_outcome(&mut tx, request.id, user.user.id, outcome).await?;
                }
                let names: Vec<&str> = request
                    .users
                    .iter()
                    .filter(|u| users.contains(&u.user.id))
                    .map(|u| u.user.upn.as_str())
                    .collect();
                (
                    actions::LICENSE_REQUEST_APPROVED,
                    format!("{} from subscription {subscription_id}", names.join(" ")),
                )
            }
            RequestAnswer::Deny => {
                for user in &request.users {
                    set_outcome(&mut tx, request.id, user.user.id, UserOutcome::Denied).await?;
                }
                (actions::LICENSE_REQUEST_DENIED, String::new())
            }
        };
        let detail = match &answer.message {
            Some(message) if detail.is_empty() => message.clone(),
            Some(message) => format!("{detail}: {message}"),
            None => detail,
        };
        insert_audit(
            &mut tx,
            audit(
                &request,
                action,
                actor,
                Some(detail).filter(|d| !d.is_empty()),
            ),
        )
        .await?;
        let at = now();
        for message in &messages {
            insert_message(&mut tx, answer.tenant_id, message, at).await?;
        }
        let answered = load(&mut tx, answer.tenant_id, answer.request_id)
            .await?
            .ok_or_else(|| not_found(answer.request_id))?;
        tx.commit().await?;
        Ok(answered)
    }

    async fn share_license_request(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        recipients: &[String],
        actor: &AuditActor,
        messages: Vec<NewMessage>,
    ) -> StoreResult<()> {
        let mut tx = begin_write(&self.write).await?;
        let request = load(&mut tx, tenant_id, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        insert_audit(
            &mut tx,
            audit(
                &request,
                actions::LICENSE_REQUEST_SHARED,
                actor,
                Some(recipients.join(" ")),
            ),
        )
        .await?;
        let at = now();
        for message in &messages {
            insert_message(&mut tx, tenant_id, message, at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn request_process(&self, tenant_id: TenantId) -> StoreResult<RequestProcessSetting> {
        let row = sqlx::query(
            "SELECT request_process_enabled, request_process_message, request_process_link FROM tenants \
             WHERE id = $1",
        )
        .bind(tenant_id.to_string())
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("tenant {tenant_id}")))?;
        Ok(RequestProcessSetting {
            use_organization_process: row.try_get("request_process_enabled")?,
            message: row.try_get("request_process_message")?,
            link: row.try_get("request_process_link")?,
        })
    }

    async fn set_request_process(
        &self,
        tenant_id: TenantId,
        process: RequestProcessSetting,
        actor: &AuditActor,
    ) -> StoreResult<RequestProcessSetting> {
        let mut tx = begin_write(&self.write).await?;
        let changed = sqlx::query(
            "UPDATE tenants SET request_process_enabled = $1, request_process_message = $2, \
             request_process_link = $3 WHERE id = $4",
        )
        .bind(process.use_organization_process)
        .bind(&process.message)
        .bind(&process.link)
        .bind(tenant_id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound(format!("tenant {tenant_id}")));
        }
        let shown = format!(
            "useOrganizationProcess={} message={} link={}",
            process.use_organization_process,
            process.message.as_deref().unwrap_or("-"),
            process.link.as_deref().unwrap_or("-")
        );
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id,
                action: actions::TENANT_SETTING_CHANGED,
                actor,
                target_type: "Tenant",
                target_id: tenant_id.to_string(),
                target_name: "License request process".to_string(),
                policy_id: None,
                old_value: None,
                new_value: Some(shown),
                at: now(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(process)
    }

    async fn delete_answered_license_requests(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = begin_write(&self.write).await?;
        let cutoff = timestamp(before);
        sqlx::query(
            "DELETE FROM license_request_users WHERE request_id IN \
             (SELECT id FROM license_requests WHERE answered_at IS NOT NULL AND answered_at < $1)",
        )
        .bind(&cutoff)
        .execute(&mut *tx)
        .await?;
        let deleted = sqlx::query(
            "DELETE FROM license_requests WHERE answered_at IS NOT NULL AND answered_at < $1",
        )
        .bind(&cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(deleted)
    }
}

async fn set_outcome(
    conn: &mut Conn,
    request_id: Uuid,
    user_id: UserId,
    outcome: UserOutcome,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE license_request_users SET outcome = $1 WHERE request_id = $2 AND user_id = $3",
    )
    .bind(outcome.as_str())
    .bind(request_id.to_string())
    .bind(user_id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
