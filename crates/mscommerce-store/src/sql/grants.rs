//! Authorization codes, device codes and refresh tokens, looked up by digest.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{begin_write, rows, Conn, SqlStore, FOR_NO_KEY_UPDATE};
use crate::records::*;
use crate::text::{now, timestamp};
use crate::{GrantStore, StoreResult};

/// Revokes every live token of the families that `condition` (on the column list `$2...`) picks.
async fn revoke_families(conn: &mut Conn, condition: &str, value: &str) -> StoreResult<u64> {
    let done = sqlx::query(&format!(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND family_id IN \
         (SELECT family_id FROM refresh_tokens WHERE {condition} = $2)"
    ))
    .bind(timestamp(now()))
    .bind(value)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

#[async_trait]
impl GrantStore for SqlStore {
    async fn insert_authorization_code(&self, code: NewAuthorizationCode) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO authorization_codes (digest, client_id, redirect_uri, tenant_id, user_id, scope, nonce, \
             code_challenge, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&code.digest)
        .bind(&code.client_id)
        .bind(&code.redirect_uri)
        .bind(code.tenant_id.to_string())
        .bind(code.user_id.to_string())
        .bind(&code.scope)
        .bind(&code.nonce)
        .bind(&code.code_challenge)
        .bind(timestamp(now()))
        .bind(timestamp(code.expires_at))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn redeem_authorization_code(&self, digest: &str) -> StoreResult<CodeRedemption> {
        let mut tx = begin_write(&self.write).await?;
        let row = sqlx::query(&format!(
            "SELECT * FROM authorization_codes WHERE digest = $1{FOR_NO_KEY_UPDATE}"
        ))
        .bind(digest)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(CodeRedemption::Unknown);
        };
        let used: Option<String> = sqlx::Row::try_get(&row, "used_at")?;
        if used.is_some() {
            revoke_families(&mut tx, "authorization_code", digest).await?;
            tx.commit().await?;
            return Ok(CodeRedemption::AlreadyUsed);
        }
        let code = rows::authorization_code(&row)?;
        sqlx::query("UPDATE authorization_codes SET used_at = $1 WHERE digest = $2")
            .bind(timestamp(now()))
            .bind(digest)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(CodeRedemption::Redeemed(code))
    }

    async fn insert_device_code(&self, code: NewDeviceCode) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO device_codes (digest, user_code, client_id, tenant_id, scope, status, interval_seconds, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8)",
        )
        .bind(&code.digest)
        .bind(&code.user_code)
        .bind(&code.client_id)
        .bind(code.tenant_id.map(|t| t.to_string()))
        .bind(&code.scope)
        .bind(code.interval_seconds)
        .bind(timestamp(now()))
        .bind(timestamp(code.expires_at))
        .execute(&self.write)
        .await
        .map_err(|e| super::conflict_as(e, || "that user code is taken".into()))?;
        Ok(())
    }

    async fn pending_device_code(
        &self,
        user_code: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<DeviceCode>> {
        let row = sqlx::query(
            "SELECT * FROM device_codes WHERE user_code = $1 AND status = 'pending' AND expires_at > $2",
        )
        .bind(user_code)
        .bind(timestamp(at))
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(rows::device_code).transpose()
    }

    async fn decide_device_code(
        &self,
        user_code: &str,
        decision: DeviceDecision,
    ) -> StoreResult<bool> {
        let (status, tenant_id, user_id) = match decision {
            DeviceDecision::Approve(tenant_id, user_id) => (
                "approved",
                Some(tenant_id.to_string()),
                Some(user_id.to_string()),
            ),
            DeviceDecision::Deny => ("denied", None, None),
        };
        // A code asked for at `common` takes the tenant of the user who approves it.
        let done = sqlx::query(
            "UPDATE device_codes SET status = $1, user_id = $2, tenant_id = COALESCE(tenant_id, $5) \
             WHERE user_code = $3 AND status = 'pending' AND expires_at > $4",
        )
        .bind(status)
        .bind(user_id)
        .bind(user_code)
        .bind(timestamp(now()))
        .bind(tenant_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn poll_device_code(
        &self,
        digest: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<DeviceCode>> {
        let mut tx = begin_write(&self.write).await?;
        let row = sqlx::query(&format!(
            "SELECT * FROM device_codes WHERE digest = $1{FOR_NO_KEY_UPDATE}"
        ))
        .bind(digest)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let code = rows::device_code(&row)?;
        sqlx::query("UPDATE device_codes SET last_polled_at = $1 WHERE digest = $2")
            .bind(timestamp(at))
            .bind(digest)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(code))
    }

    async fn slow_down_device_code(&self, digest: &str, step_seconds: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE device_codes SET interval_seconds = interval_seconds + $1 WHERE digest = $2",
        )
        .bind(step_seconds)
        .bind(digest)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn redeem_device_code(&self, digest: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE device_codes SET status = 'redeemed' WHERE digest = $1 AND status = 'approved'",
        )
        .bind(digest)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_refresh_token(&self, token: NewRefreshToken) -> StoreResult<()> {
        let mut conn = self.write.acquire().await?;
        insert_refresh_token(&mut conn, &token).await
    }

    async fn refresh_token(&self, digest: &str) -> StoreResult<Option<RefreshToken>> {
        let row = sqlx::query("SELECT * FROM refresh_tokens WHERE digest = $1")
            .bind(digest)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(rows::refresh_token).transpose()
    }

    async fn rotate_refresh_token(
        &self,
        old_digest: &str,
        new: NewRefreshToken,
    ) -> StoreResult<Rotation> {
        let mut tx = begin_write(&self.write).await?;
        let spent = sqlx::query(
            "UPDATE refresh_tokens SET spent_at = $1 WHERE digest = $2 AND spent_at IS NULL \
             AND revoked_at IS NULL",
        )
        .bind(timestamp(now()))
        .bind(old_digest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if spent == 0 {
            revoke_families(&mut tx, "digest", old_digest).await?;
            tx.commit().await?;
            return Ok(Rotation::FamilyRevoked);
        }
        insert_refresh_token(&mut tx, &new).await?;
        tx.commit().await?;
        Ok(Rotation::Rotated)
    }

    async fn revoke_refresh_family(&self, digest: &str) -> StoreResult<bool> {
        let mut tx = begin_write(&self.write).await?;
        let known = sqlx::query("SELECT 1 FROM refresh_tokens WHERE digest = $1")
            .bind(digest)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if known {
            revoke_families(&mut tx, "digest", digest).await?;
        }
        tx.commit().await?;
        Ok(known)
    }

    async fn delete_expired_grants(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let before = timestamp(before);
        let mut deleted = 0;
        for table in ["authorization_codes", "device_codes", "refresh_tokens"] {
            deleted += sqlx::query(&format!("DELETE FROM {table} WHERE expires_at < $1"))
                .bind(&before)
                .execute(&self.write)
                .await?
                .rows_affected();
        }
        Ok(deleted)
    }
}

async fn insert_refresh_token(conn: &mut Conn, token: &NewRefreshToken) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (digest, family_id, client_id, tenant_id, user_id, scope, authorization_code, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&token.digest)
    .bind(token.family_id.to_string())
    .bind(&token.client_id)
    .bind(token.tenant_id.to_string())
    .bind(token.user_id.to_string())
    .bind(&token.scope)
    .bind(&token.authorization_code)
    .bind(timestamp(now()))
    .bind(timestamp(token.expires_at))
    .execute(conn)
    .await?;
    Ok(())
}
