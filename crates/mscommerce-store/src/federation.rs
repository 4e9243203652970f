//! External identity providers a tenant trusts, and the users their sign-ins made.

use async_trait::async_trait;
use mscommerce_domain::TenantId;
use uuid::Uuid;

use crate::{records::*, StoreResult};

#[async_trait]
pub trait FederationStore {
    /// Trusts an issuer for a tenant, audited (`TrustedIssuerAdded`). Fails with [`crate::StoreError::Conflict`]
    /// when any tenant already trusts that issuer URL (an issuer's tokens name one tenant here), and with
    /// [`crate::StoreError::NotFound`] when the tenant does not exist.
    async fn add_trusted_issuer(
        &self,
        issuer: NewTrustedIssuer,
        actor: &AuditActor,
    ) -> StoreResult<TrustedIssuer>;
    /// The issuers a tenant trusts, or every tenant's (`None`: what the verifier loads), oldest first.
    async fn trusted_issuers(&self, tenant_id: Option<TenantId>)
        -> StoreResult<Vec<TrustedIssuer>>;
    /// Stops trusting an issuer, audited (`TrustedIssuerRemoved`); answers whether the tenant trusted it. Its
    /// users stay (the audit trail and their subscriptions name them) but can no longer sign in through it.
    async fn remove_trusted_issuer(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        actor: &AuditActor,
    ) -> StoreResult<bool>;
    /// Sets (or, with `None`, removes) what people signing in with the provider need, audited
    /// (`TrustedIssuerSignInSet`, naming the client ID and whether a secret is held, never the secret). Answers the
    /// trust as it is now, or `None` when the tenant trusts no issuer by that ID.
    async fn set_trusted_issuer_sign_in(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        sign_in: Option<ProviderSignIn>,
        actor: &AuditActor,
    ) -> StoreResult<Option<TrustedIssuer>>;
    /// The user a trusted issuer's accepted token names: made on the person's first sign-in (`UserCreated`),
    /// afterwards brought up to date with the token's name, type and, when the trust maps them, roles
    /// (`UserUpdated`, only when something changed). A sign-in name another user already has is a
    /// [`crate::StoreError::Conflict`].
    async fn federated_sign_in(&self, user: FederatedUser, actor: &AuditActor)
        -> StoreResult<User>;
}
