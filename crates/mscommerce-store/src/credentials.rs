//! Apps' certificate credentials, and the client assertions already accepted (so that none is accepted twice).

use async_trait::async_trait;
use uuid::Uuid;

use crate::{records::*, StoreResult};

#[async_trait]
pub trait CredentialStore {
    /// Gives an app a certificate, audited (`AppCredentialAdded`) in its tenant. Fails with
    /// [`crate::StoreError::NotFound`] when the app does not exist and with [`crate::StoreError::Conflict`] when
    /// the app already has this certificate.
    async fn add_app_certificate(
        &self,
        certificate: NewAppCertificate,
        actor: &AuditActor,
    ) -> StoreResult<AppCertificate>;
    /// The app's certificates, oldest first.
    async fn app_certificates(&self, client_id: Uuid) -> StoreResult<Vec<AppCertificate>>;
    /// The app's certificate whose SHA-1 (`x5t`) or SHA-256 (`x5t#S256`) thumbprint, base64url, is `thumbprint`.
    async fn app_certificate_by_thumbprint(
        &self,
        client_id: Uuid,
        thumbprint: &str,
    ) -> StoreResult<Option<AppCertificate>>;
    /// Removes one of the app's certificates, audited (`AppCredentialRemoved`); answers whether it was there.
    async fn remove_app_certificate(
        &self,
        client_id: Uuid,
        key_id: Uuid,
        actor: &AuditActor,
    ) -> StoreResult<bool>;
    /// Records that the client's assertion `jti`, valid until `expires_at` (Unix seconds), was accepted; answers
    /// `false`, recording nothing, when it was accepted before (a replay). Forgets assertions expired by `now`.
    async fn accept_client_assertion(
        &self,
        client_id: Uuid,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> StoreResult<bool>;
}
