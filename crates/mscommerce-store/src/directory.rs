//! Tenants, their users and apps, and the built-in issuer's signing keys.

use async_trait::async_trait;
use mscommerce_domain::{DomainName, TenantId, UserId};
use uuid::Uuid;

use crate::{records::*, StoreResult};

#[async_trait]
pub trait DirectoryStore {
    /// Creates a tenant with its initial domain (`<name>.onmicrosoft.com`, with a number appended when that is
    /// taken) and the domains it names, in one transaction, audited as one event. Fails with
    /// [`crate::StoreError::Rule`] `DomainInUse` (409) when one of its domains is another tenant's.
    async fn create_tenant(&self, tenant: NewTenant, actor: &AuditActor) -> StoreResult<Tenant>;
    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>>;
    async fn tenants(&self) -> StoreResult<Vec<Tenant>>;
    /// Whether any tenant exists: one row read, whatever the number of tenants.
    async fn has_tenants(&self) -> StoreResult<bool>;

    /// On a database with no tenant, creates the first one and its administrator, atomically: of several replicas
    /// starting at once on an empty database, one bootstraps and the others answer `None`.
    /// The administrator's sign-in name must be in one of the tenant's domains (its initial one, or one that
    /// `tenant.domains` names), as for any user.
    async fn create_first_tenant(
        &self,
        tenant: NewTenant,
        admin: NewUser,
        actor: &AuditActor,
    ) -> StoreResult<Option<(Tenant, User)>>;

    /// The tenant's domains: the initial one first, then the others in byte order.
    async fn tenant_domains(&self, tenant_id: TenantId) -> StoreResult<Vec<TenantDomain>>;
    /// Gives a tenant a domain, audited (`DomainAdded`). Fails with [`crate::StoreError::NotFound`] when the tenant
    /// does not exist, and with [`crate::StoreError::Rule`] `DomainInUse` (409) when the domain is already this
    /// tenant's or another's (the refusal names no other tenant).
    async fn add_tenant_domain(
        &self,
        tenant_id: TenantId,
        domain: DomainName,
        actor: &AuditActor,
    ) -> StoreResult<TenantDomain>;

    /// The tenant that owns the domain (compared without case), if any: how a domain name in a sign-in path
    /// names its tenant.
    async fn tenant_by_domain(&self, domain: &str) -> StoreResult<Option<TenantId>>;
    /// The tenant's own choice about the password grant: `None` follows the service's setting.
    async fn tenant_password_grant(&self, tenant_id: TenantId) -> StoreResult<Option<bool>>;
    /// Sets (or, with `None`, clears) the tenant's choice about the password grant, audited
    /// (`TenantSettingChanged`). Fails with [`crate::StoreError::NotFound`] when the tenant does not exist.
    async fn set_tenant_password_grant(
        &self,
        tenant_id: TenantId,
        enabled: Option<bool>,
        actor: &AuditActor,
    ) -> StoreResult<()>;

    /// Fails with [`crate::StoreError::Rule`] `UpnDomainNotInTenant` (400) unless the sign-in name is in one of the
    /// tenant's domains (checked in the write transaction, by the domain's `check_upn_domain`), with
    /// [`crate::StoreError::Conflict`] when the sign-in name is taken (which the domain rule confines to the
    /// tenant's own users) and [`crate::StoreError::NotFound`] when the tenant does not exist.
    async fn create_user(&self, user: NewUser, actor: &AuditActor) -> StoreResult<User>;
    /// Finds a user by sign-in name, ignoring case.
    async fn user_by_upn(&self, upn: &str) -> StoreResult<Option<User>>;
    /// Users of a tenant by sign-in name (in byte order), after `after_upn` when given.
    async fn users(
        &self,
        tenant_id: TenantId,
        after_upn: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<User>>;
    async fn user(&self, tenant_id: TenantId, user_id: UserId) -> StoreResult<Option<User>>;
    /// Changes a user and audits what changed, in one transaction; two updates of one user take turns, so the
    /// second keeps what the first changed.
    async fn update_user(
        &self,
        tenant_id: TenantId,
        user_id: UserId,
        update: UserUpdate,
        actor: &AuditActor,
    ) -> StoreResult<User>;

    async fn create_app(&self, app: NewApp, actor: &AuditActor) -> StoreResult<App>;
    async fn app(&self, client_id: Uuid) -> StoreResult<Option<App>>;

    /// Every signing key, in order of activation (then creation, then kid).
    async fn signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Stores a key (a rotation); refuses a kid that exists with `Conflict`.
    async fn add_signing_key(&self, key: NewSigningKey) -> StoreResult<()>;
    /// Replaces the stored private key of `kid` with `replacement` if it is still `expected`; answers whether it
    /// did. A compare-and-set, so that replicas sealing an old clear key at the same start do not overwrite each
    /// other: one seals it, the others find it sealed.
    async fn replace_private_key(
        &self,
        kid: &str,
        expected: &str,
        replacement: &str,
    ) -> StoreResult<bool>;
    /// Deletes the key `kid` (retired, every token it signed expired); answers whether it was there. Idempotent:
    /// every replica may remove the same key.
    async fn remove_signing_key(&self, kid: &str) -> StoreResult<bool>;
    /// On a database with no signing key, stores `key`; answers every key, oldest first. Of several replicas
    /// starting at once on an empty database, exactly one stores its key and all answer that one, so every replica
    /// signs with, and accepts, the same keys. (Two calls of `add_signing_key` would both succeed: keys have
    /// different IDs.)
    async fn add_first_signing_key(&self, key: NewSigningKey)
        -> StoreResult<Vec<SigningKeyRecord>>;
}
