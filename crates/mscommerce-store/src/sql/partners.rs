//! Delegated admin relationships.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mscommerce_domain::{check_approval, check_end, DirectoryRole, RelationshipError, TenantId};
use uuid::Uuid;

use super::audit::{insert_audit, AuditRecord};
use super::{begin_write, ensure_tenant, rows, Conn, SqlStore, FOR_NO_KEY_UPDATE};
use crate::records::*;
use crate::text::{now, timestamp};
use crate::{PartnerStore, RuleKind, StoreError, StoreResult};

const RELATIONSHIP_SELECT: &str = "SELECT r.*, p.name AS partner_name, c.name AS customer_name \
     FROM delegated_admin_relationships r \
     JOIN tenants p ON p.id = r.partner_tenant_id \
     JOIN tenants c ON c.id = r.customer_tenant_id";

fn role_ids(roles: &[DirectoryRole]) -> String {
    roles
        .iter()
        .map(|r| r.template_id())
        .collect::<Vec<_>>()
        .join(" ")
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound(format!(
        "no delegated admin relationship of this organization has the ID {id}"
    ))
}

/// The relationship as it stands in the transaction, locked where the backend locks rows, if `tenant_id` is a side.
async fn locked(
    conn: &mut Conn,
    tenant_id: TenantId,
    id: Uuid,
) -> StoreResult<DelegatedAdminRelationship> {
    sqlx::query(&format!(
        "SELECT id FROM delegated_admin_relationships WHERE id = $1{FOR_NO_KEY_UPDATE}"
    ))
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query(&format!(
        "{RELATIONSHIP_SELECT} WHERE r.id = $1 AND (r.partner_tenant_id = $2 OR r.customer_tenant_id = $2)"
    ))
    .bind(id.to_string())
    .bind(tenant_id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found(id))?;
    rows::relationship(&row)
}

/// The event in both tenants' logs: the partner's and the customer's.
async fn audit_both_sides(
    conn: &mut Conn,
    relationship: &DelegatedAdminRelationship,
    action: &str,
    actor: &AuditActor,
    new_value: String,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    for tenant_id in [
        relationship.partner_tenant_id,
        relationship.customer_tenant_id,
    ] {
        insert_audit(
            conn,
            AuditRecord {
                tenant_id,
                action,
                actor,
                target_type: "DelegatedAdminRelationship",
                target_id: relationship.id.to_string(),
                target_name: format!(
                    "partner {} for customer {}",
                    relationship.partner_name, relationship.customer_name
                ),
                policy_id: None,
                old_value: None,
                new_value: Some(new_value.clone()),
                at,
            },
        )
        .await?;
    }
    Ok(())
}

fn role_names(ids: &[String]) -> String {
    ids.iter()
        .map(|id| DirectoryRole::parse(id).map_or(id.as_str(), |r| r.name()))
        .collect::<Vec<_>>()
        .join(",")
}

#[async_trait]
impl PartnerStore for SqlStore {
    async fn request_relationship(
        &self,
        request: NewRelationship,
        actor: &AuditActor,
    ) -> StoreResult<DelegatedAdminRelationship> {
        if request.partner_tenant_id == request.customer_tenant_id {
            return Err(RelationshipError::OwnTenant.into());
        }
        if request.roles.is_empty() {
            return Err(RelationshipError::NoRoles.into());
        }
        let id = Uuid::new_v4();
        let at = now();
        let mut tx = begin_write(&self.write).await?;
        ensure_tenant(&mut tx, request.partner_tenant_id).await?;
        ensure_tenant(&mut tx, request.customer_tenant_id).await?;
        sqlx::query(
            "INSERT INTO delegated_admin_relationships (id, partner_tenant_id, customer_tenant_id, status, \
             requested_roles, requested_at, requested_by) VALUES ($1, $2, $3, 'pending', $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(request.partner_tenant_id.to_string())
        .bind(request.customer_tenant_id.to_string())
        .bind(role_ids(&request.roles))
        .bind(timestamp(at))
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        let relationship = locked(&mut tx, request.partner_tenant_id, id).await?;
        audit_both_sides(
            &mut tx,
            &relationship,
            actions::RELATIONSHIP_REQUESTED,
            actor,
            format!(
                "pending; roles {}",
                role_names(&relationship.requested_roles)
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(relationship)
    }

    async fn relationship(
        &self,
        tenant_id: TenantId,
        id: Uuid,
    ) -> StoreResult<Option<DelegatedAdminRelationship>> {
        let row = sqlx::query(&format!(
            "{RELATIONSHIP_SELECT} WHERE r.id = $1 AND (r.partner_tenant_id = $2 OR r.customer_tenant_id = $2)"
        ))
        .bind(id.to_string())
        .bind(tenant_id.to_string())
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(rows::relationship).transpose()
    }

    async fn relationships(
        &self,
        tenant_id: TenantId,
    ) -> StoreResult<Vec<DelegatedAdminRelationship>> {
        let rows = sqlx::query(&format!(
            "{RELATIONSHIP_SELECT} WHERE r.partner_tenant_id = $1 OR r.customer_tenant_id = $1 \
             ORDER BY r.requested_at DESC, r.id"
        ))
        .bind(tenant_id.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(rows::relationship).collect()
    }

    async fn approve_relationship(
        &self,
        customer_tenant_id: TenantId,
        id: Uuid,
        roles: &[DirectoryRole],
        ends_at: DateTime<Utc>,
        actor: &AuditActor,
    ) -> StoreResult<DelegatedAdminRelationship> {
        let at = now();
        let mut tx = begin_write(&self.write).await?;
        let current = locked(&mut tx, customer_tenant_id, id).await?;
        if current.customer_tenant_id != customer_tenant_id {
            return Err(StoreError::Rule {
                kind: RuleKind::Conflict,
                code: "NotTheCustomer",
                reason:
                    "Only the customer approves a relationship; this organization is its partner."
                        .into(),
            });
        }
        let requested: Vec<DirectoryRole> = current
            .requested_roles
            .iter()
            .filter_map(|r| DirectoryRole::parse(r))
            .collect();
        let status = current
            .status_at(at)
            .ok_or_else(|| crate::text::corrupt("relationship status", &current.status))?;
        check_approval(status, &requested, roles, ends_at, at)?;
        sqlx::query(
            "UPDATE delegated_admin_relationships SET status = 'active', granted_roles = $2, approved_at = $3, \
             approved_by = $4, ends_at = $5 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(role_ids(roles))
        .bind(timestamp(at))
        .bind(&actor.name)
        .bind(timestamp(ends_at))
        .execute(&mut *tx)
        .await?;
        let relationship = locked(&mut tx, customer_tenant_id, id).await?;
        audit_both_sides(
            &mut tx,
            &relationship,
            actions::RELATIONSHIP_APPROVED,
            actor,
            format!(
                "active until {}; roles {}",
                timestamp(ends_at),
                role_names(&relationship.granted_roles)
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(relationship)
    }

    async fn end_relationship(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        actor: &AuditActor,
    ) -> StoreResult<DelegatedAdminRelationship> {
        let at = now();
        let mut tx = begin_write(&self.write).await?;
        let current = locked(&mut tx, tenant_id, id).await?;
        let status = current
            .status_at(at)
            .ok_or_else(|| crate::text::corrupt("relationship status", &current.status))?;
        check_end(status)?;
        sqlx::query(
            "UPDATE delegated_admin_relationships SET status = 'ended', ended_at = $2, ended_by = $3 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(timestamp(at))
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        let relationship = locked(&mut tx, tenant_id, id).await?;
        audit_both_sides(
            &mut tx,
            &relationship,
            actions::RELATIONSHIP_ENDED,
            actor,
            format!("ended (was {})", status.as_str()),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(relationship)
    }

    async fn active_relationships(
        &self,
        partner_tenant_id: TenantId,
        customer_tenant_id: TenantId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<DelegatedAdminRelationship>> {
        let rows = sqlx::query(&format!(
            "{RELATIONSHIP_SELECT} WHERE r.partner_tenant_id = $1 AND r.customer_tenant_id = $2 \
             AND r.status = 'active' AND r.ends_at > $3 ORDER BY r.id"
        ))
        .bind(partner_tenant_id.to_string())
        .bind(customer_tenant_id.to_string())
        .bind(timestamp(now))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(rows::relationship).collect()
    }
}
