//! The sign-in grants a person completes in a browser: authorization codes, device codes, refresh tokens. Every
//! code and token is looked up by its SHA-256 digest; none is stored in clear.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{records::*, StoreResult};

#[async_trait]
pub trait GrantStore {
    async fn insert_authorization_code(&self, code: NewAuthorizationCode) -> StoreResult<()>;
    /// Marks the code used, once: a second redemption (even of an expired code) revokes every refresh token
    /// issued from it (RFC 6749 section 4.1.2) and answers [`CodeRedemption::AlreadyUsed`].
    async fn redeem_authorization_code(&self, digest: &str) -> StoreResult<CodeRedemption>;

    async fn insert_device_code(&self, code: NewDeviceCode) -> StoreResult<()>;
    /// The pending device code a person typed (stored form `XXXX-XXXX`), while it lives.
    async fn pending_device_code(
        &self,
        user_code: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<DeviceCode>>;
    /// Records the person's answer on a pending code; false when it is no longer pending.
    async fn decide_device_code(
        &self,
        user_code: &str,
        decision: DeviceDecision,
    ) -> StoreResult<bool>;
    /// The device code as it was before this poll (its `last_polled_at` the previous poll's), and this poll
    /// recorded as its last.
    async fn poll_device_code(
        &self,
        digest: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<DeviceCode>>;
    /// Lengthens the code's poll interval (it was polled too fast: RFC 8628 `slow_down`).
    async fn slow_down_device_code(&self, digest: &str, step_seconds: i64) -> StoreResult<()>;
    /// Approved -> redeemed, once; false when another poll redeemed it first.
    async fn redeem_device_code(&self, digest: &str) -> StoreResult<bool>;

    async fn insert_refresh_token(&self, token: NewRefreshToken) -> StoreResult<()>;
    async fn refresh_token(&self, digest: &str) -> StoreResult<Option<RefreshToken>>;
    /// Spends `old` and stores `new` in one transaction, unless `old` was spent or revoked already: then its whole
    /// family is revoked (a stolen token was used, RFC 9700 section 4.14).
    async fn rotate_refresh_token(
        &self,
        old_digest: &str,
        new: NewRefreshToken,
    ) -> StoreResult<Rotation>;
    /// Revokes the family of the token with this digest (sign-out); false when no token has it.
    async fn revoke_refresh_family(&self, digest: &str) -> StoreResult<bool>;

    /// Deletes codes and tokens that expired before `before`; answers how many rows went.
    async fn delete_expired_grants(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
