//! Apps' certificates and the client assertions seen.

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use uuid::Uuid;

use super::audit::{insert_audit, AuditRecord};
use super::{begin_write, conflict_as, rows, SqlStore};
use crate::records::*;
use crate::text::{now, timestamp};
use crate::{CredentialStore, StoreError, StoreResult};

#[async_trait]
impl CredentialStore for SqlStore {
    async fn add_app_certificate(
        &self,
        certificate: NewAppCertificate,
        actor: &AuditActor,
    ) -> StoreResult<AppCertificate> {
        let added = AppCertificate {
            key_id: Uuid::new_v4(),
            client_id: certificate.client_id,
            thumbprint_sha1: certificate.thumbprint_sha1,
            thumbprint_sha256: certificate.thumbprint_sha256,
            der: certificate.der,
            not_before: certificate.not_before,
            not_after: certificate.not_after,
            display_name: certificate.display_name,
            added_at: now(),
        };
        let mut tx = begin_write(&self.write).await?;
        let tenant: Option<String> =
            sqlx::query_scalar("SELECT tenant_id FROM apps WHERE client_id = $1")
                .bind(added.client_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let tenant_id = tenant
            .ok_or_else(|| StoreError::NotFound(format!("There is no app {}.", added.client_id)))?;
        sqlx::query(
            "INSERT INTO app_certificates (key_id, client_id, thumbprint_sha1, thumbprint_sha256, certificate, \
             not_before, not_after, display_name, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(added.key_id.to_string())
        .bind(added.client_id.to_string())
        .bind(&added.thumbprint_sha1)
        .bind(&added.thumbprint_sha256)
        .bind(STANDARD.encode(&added.der))
        .bind(timestamp(added.not_before))
        .bind(timestamp(added.not_after))
        .bind(&added.display_name)
        .bind(timestamp(added.added_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            conflict_as(e, || {
                format!(
                    "The app {} already has the certificate with thumbprint {}.",
                    added.client_id, added.thumbprint_sha1
                )
            })
        })?;
        insert_audit(
            &mut tx,
            AuditRecord {
                tenant_id: crate::text::parse_uuid(&tenant_id)?.into(),
                action: actions::APP_CREDENTIAL_ADDED,
                actor,
                target_type: "App",
                target_id: added.client_id.to_string(),
                target_name: added.display_name.clone(),
                policy_id: None,
                old_value: None,
                new_value: Some(format!(
                    "certificate {} (x5t {}), valid until {}",
                    added.key_id,
                    added.thumbprint_sha1,
                    timestamp(added.not_after)
                )),
                at: added.added_at,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn app_certificates(&self, client_id: Uuid) -> StoreResult<Vec<AppCertificate>> {
        let rows = sqlx::query(
            "SELECT * FROM app_certificates WHERE client_id = $1 ORDER BY added_at, key_id",
        )
        .bind(client_id.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(rows::app_certificate).collect()
    }

    async fn app_certificate_by_thumbprint(
        &self,
        client_id: Uuid,
        thumbprint: &str,
    ) -> StoreResult<Option<AppCertificate>> {
        let row = sqlx::query(
            "SELECT * FROM app_certificates WHERE client_id = $1 \
             AND (thumbprint_sha1 = $2 OR thumbprint_sha256 = $2)",
        )
        .bind(client_id.to_string())
        .bind(thumbprint)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(rows::app_certificate).transpose()
    }

    async fn remove_app_certificate(
        &self,
        client_id: Uuid,
        key_id: Uuid,
        actor: &AuditActor,
    ) -> StoreResult<bool> {
        let mut tx = begin_write(&self.write).await?;
        let app: Option<(String, String)> =
            sqlx::query_as("SELECT tenant_id, display_name FROM apps WHERE client_id = $1")
                .bind(client_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let Some((tenant_id, display_name)) = app else {
            return Err(StoreError::NotFound(format!(
                "There is no app {client_id}."
            )));
        };
        let removed =
            sqlx::query("DELETE FROM app_certificates WHERE client_id = $1 AND key_id = $2")
                .bind(client_id.to_string())
                .bind(key_id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
        if removed {
            insert_audit(
                &mut tx,
                AuditRecord {
                    tenant_id: crate::text::parse_uuid(&tenant_id)?.into(),
                    action: actions::APP_CREDENTIAL_REMOVED,
                    actor,
                    target_type: "App",
                    target_id: client_id.to_string(),
                    target_name: display_name,
                    policy_id: None,
                    old_value: Some(format!("certificate {key_id}")),
                    new_value: None,
                    at: now(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    async fn accept_client_assertion(
        &self,
        client_id: Uuid,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = begin_write(&self.write).await?;
        sqlx::query("DELETE FROM client_assertions_seen WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        // The primary key decides between two replicas given the same assertion at once: one inserts, the other
        // inserts nothing.
        let inserted = sqlx::query(
            "INSERT INTO client_assertions_seen (client_id, jti, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (client_id, jti) DO NOTHING",
        )
        .bind(client_id.to_string())
        .bind(jti)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        tx.commit().await?;
        Ok(inserted)
    }
}
