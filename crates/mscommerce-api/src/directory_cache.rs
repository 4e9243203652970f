//! The directory's current state, in memory: who each token's holder is now (enabled or not, its roles, an app's
//! permissions and whether it still exists) and what the acquisition decision needs to know about users.
//!
//! Every request is authorized by this state, never by the roles a token carried when it was issued: a token only
//! names who calls. Disabling a user, taking or giving a role, deleting or downgrading an app applies to tokens
//! already issued.
//!
//! Kept coherent three ways: a change made through this process replaces its entry at once; the store's change
//! feed (triggers on the users and apps tables, so also the admin command line's changes and SQL typed by hand)
//! makes it forget an entry, within milliseconds on PostgreSQL and within [`mscommerce_store::DIRECTORY_POLL_INTERVAL`]
//! on SQLite; and, should a notice ever be lost, an entry older than [`FRESH_FOR`] is read again.
//!
//! The hot path (a request with a cached token of a cached principal) is one map read and one reference count.
//!
//! A partner's user or app acting for a customer (a token with `partner_tid`) is the partner's account as it is
//! now, in the partner's tenant, with the roles the customer's active delegated admin relationships grant it
//! (`mscommerce_domain::partners`). Those relationships are held here too, by partner and customer, with their end
//! dates, which every request compares with the clock: a relationship that expires stops its tokens at that
//! moment, one that is ended stops them when the change is heard (as an account's change is).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mscommerce_auth::TokenError;
use mscommerce_cache::{BoundedCache, CacheStats};
use mscommerce_domain::{
    delegated_permissions, delegated_roles, Acquirer, AppPermission, DirectoryRole, Principal,
    PrincipalKind, TenantId, UserId,
};
use mscommerce_store::{App, Store, StoreError, StoreResult, User, UserType};
use uuid::Uuid;

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserFacts {
    pub tenant_id: TenantId,
    pub acquirer: Acquirer,
}

impl UserFacts {
    pub fn of(user: &User) -> UserFacts {
        UserFacts {
            tenant_id: user.tenant_id,
            acquirer: Acquirer {
                is_guest: user.user_type == UserType::Guest,
                account_enabled: user.account_enabled,
            },
        }
    }
}

/// How long a held entry is trusted when no notice of change came. Notices come within a second; this bounds the
/// damage of one lost.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

#[derive(Clone)]
struct HeldUser {
    facts: UserFacts,
    /// The user as a caller: roles as the directory has them now.
    principal: Arc<Principal>,
    loaded: Instant,
}

impl HeldUser {
    fn of(user: &User) -> HeldUser {
        HeldUser {
            facts: UserFacts::of(user),
            principal: Arc::new(Principal {
                tenant_id: user.tenant_id,
                object_id: user.id.as_uuid(),
                kind: PrincipalKind::User {
                    upn: user.upn.clone(),
                    display_name: user.display_name.clone(),
                    roles: user
                        .roles
                        .iter()
                        .filter_map(|id| DirectoryRole::parse(id))
                        .collect(),
                },
                partner_tenant_id: None,
            }),
            loaded: Instant::now(),
        }
    }
}

#[derive(Clone)]
struct HeldApp {
    /// `None` when the app has no credential left: it exists, but nothing it holds may sign in.
    principal: Option<Arc<Principal>>,
    loaded: Instant,
}

impl HeldApp {
    fn of(app: &App) -> HeldApp {
        let principal = (!app.secret_hash.is_empty()).then(|| {
            Arc::new(Principal {
                tenant_id: app.tenant_id,
                object_id: app.object_id,
                kind: PrincipalKind::App {
                    client_id: app.client_id,
                    display_name: app.display_name.clone(),
                    permissions: app
                        .permissions
                        .iter()
                        .filter_map(|name| AppPermission::parse(name))
                        .collect(),
                },
                partner_tenant_id: None,
            })
        });
        HeldApp {
            principal,
            loaded: Instant::now(),
        }
    }
}

/// The grants of the active relationships between one partner and one customer, as read.
#[derive(Clone)]
struct HeldGrants {
    /// Each relationship's granted roles and end.
    grants: Arc<[(Vec<DirectoryRole>, DateTime<Utc>)]>,
    loaded: Instant,
}

/// Users, apps and relationships held unless configured otherwise (`directory_cache_entries`), each: a user
/// about 0.5 KB.
pub const DEFAULT_ENTRIES: usize = 16_000;

pub struct DirectoryCache {
    users: BoundedCache<UserId, HeldUser>,
    /// By client ID: what an app's token names it by.
    apps: BoundedCache<Uuid, HeldApp>,
    /// By (partner, customer).
    relationships: BoundedCache<(TenantId, TenantId), HeldGrants>,
}

impl DirectoryCache {
    /// A cache of at most `entries` users, as many apps and as many partner relationships.
    pub fn new(entries: usize) -> DirectoryCache {
        DirectoryCache {
            users: BoundedCache::new(entries),
            apps: BoundedCache::new(entries),
            relationships: BoundedCache::new(entries),
        }
    }

    /// The users held, read from the store and evicted.
    pub fn user_stats(&self) -> CacheStats {
        self.users.stats()
    }

    /// The apps held, read from the store and evicted.
    pub fn app_stats(&self) -> CacheStats {
        self.apps.stats()
    }

    /// The caller a verified token names, as the directory has it now: refused when it no longer exists in the
    /// token's tenant, is disabled, or (an app) has no credential left.
    pub async fn principal(
        &self,
        store: &dyn Store,
        claimed: &Principal,
    ) -> Result<Arc<Principal>, ApiError> {
        if let Some(partner) = claimed.partner_tenant_id {
            return self.delegated(store, claimed, partner).await;
        }
        let current = match &claimed.kind {
            PrincipalKind::User { .. } => {
                let held = self
                    .user(store, claimed.tenant_id, claimed.user_id())
                    .await?;
                match held {
                    Some(held) if !held.facts.acquirer.account_enabled => {
                        return Err(TokenError::PrincipalDisabled.into())
                    }
                    Some(held) => Some(held.principal),
                    None => None,
                }
            }
            PrincipalKind::App { client_id, .. } => self.app(store, *client_id).await?,
        };
        current
            .filter(|p| p.tenant_id == claimed.tenant_id && p.object_id == claimed.object_id)
            .ok_or_else(|| TokenError::PrincipalNotFound.into())
    }

    /// A partner's user or app acting for the customer `claimed.tenant_id`: its account in the partner's tenant as
    /// it is now, with the roles (permissions) the active relationships grant it there.
    async fn delegated(
        &self,
        store: &dyn Store,
        claimed: &Principal,
        partner: TenantId,
    ) -> Result<Arc<Principal>, ApiError> {
        let at_home = Principal {
            tenant_id: partner,
            object_id: claimed.object_id,
            kind: claimed.kind.clone(),
            partner_tenant_id: None,
        };
        let home = Box::pin(self.principal(store, &at_home)).await?;
        let now = Utc::now();
        let grants = self.grants(store, partner, claimed.tenant_id).await?;
        let mut granted: Vec<DirectoryRole> = Vec::new();
        for (roles, ends_at) in grants.iter() {
            if *ends_at > now {
                for role in roles {
                    if !granted.contains(role) {
                        granted.push(*role);
                    }
                }
            }
        }
        if granted.is_empty() {
            return Err(TokenError::RelationshipNotActive.into());
        }
        let kind = match &home.kind {
            PrincipalKind::User {
                upn,
                display_name,
                roles,
            } => PrincipalKind::User {
                upn: upn.clone(),
                display_name: display_name.clone(),
                roles: delegated_roles(roles, &granted),
            },
            PrincipalKind::App {
                client_id,
                display_name,
                permissions,
            } => PrincipalKind::App {
                client_id: *client_id,
                display_name: display_name.clone(),
                permissions: delegated_permissions(permissions, &granted),
            },
        };
        Ok(Arc::new(Principal {
            tenant_id: claimed.tenant_id,
            object_id: claimed.object_id,
            kind,
            partner_tenant_id: Some(partner),
        }))
    }

    async fn grants(
        &self,
        store: &dyn Store,
        partner: TenantId,
        customer: TenantId,
    ) -> StoreResult<Arc<[(Vec<DirectoryRole>, DateTime<Utc>)]>> {
        let grants: Option<_> = self
            .relationships
            .get_fresh_or_load::<_, StoreError, _>(
                &(partner, customer),
                |held| held.loaded.elapsed() < FRESH_FOR,
                |held| Arc::clone(&held.grants),
                || async {
                    let active = store
                        .active_relationships(partner, customer, Utc::now())
                        .await?;
                    Ok(Some(HeldGrants {
                        grants: active
                            .iter()
                            .filter_map(|r| Some((r.granted(), r.ends_at?)))
                            .collect(),
                        loaded: Instant::now(),
                    }))
                },
            )
            .await?;
        // The load always holds a value; none would mean no grant.
        Ok(grants.unwrap_or_else(|| Arc::from(Vec::new())))
    }

    /// The facts of a user of `tenant_id`; `None` when no such user is in that tenant.
    pub async fn facts(
        &self,
        store: &dyn Store,
        tenant_id: TenantId,
        user_id: UserId,
    ) -> StoreResult<Option<UserFacts>> {
        Ok(self
            .user(store, tenant_id, user_id)
            .await?
            .map(|held| held.facts))
    }

    async fn user(
        &self,
        store: &dyn Store,
        tenant_id: TenantId,
        user_id: UserId,
    ) -> StoreResult<Option<HeldUser>> {
        let held = self
            .users
            .get_fresh_or_load::<_, StoreError, _>(
                &user_id,
                |held| held.loaded.elapsed() < FRESH_FOR,
                |held| held.clone(),
                // Who is not found is not remembered: a user created a moment later (by the command line) is
                // found then.
                || async {
                    Ok(store
                        .user(tenant_id, user_id)
                        .await?
                        .map(|user| HeldUser::of(&user)))
                },
            )
            .await?;
        Ok(held.filter(|held| held.facts.tenant_id == tenant_id))
    }

    async fn app(&self, store: &dyn Store, client_id: Uuid) -> StoreResult<Option<Arc<Principal>>> {
        let held = self
            .apps
            .get_fresh_or_load::<_, StoreError, _>(
                &client_id,
                |held| held.loaded.elapsed() < FRESH_FOR,
                |held| held.principal.clone(),
                || async { Ok(store.app(client_id).await?.map(|app| HeldApp::of(&app))) },
            )
            .await?;
        Ok(held.flatten())
    }

    /// Records a user as just written.
    pub fn put(&self, user: &User) {
        self.users.put(user.id, HeldUser::of(user));
    }

    pub fn forget_user(&self, user_id: UserId) {
        self.users.remove(&user_id);
    }

    pub fn forget_app(&self, client_id: Uuid) {
        self.apps.remove(&client_id);
    }

    /// Forgets every relationship held: one changed (they change seldom; the next partner request reads again).
    pub fn forget_relationships(&self) {
        self.relationships.clear();
    }

    pub fn clear(&self) {
        self.users.clear();
        self.apps.clear();
        self.relationships.clear();
    }
}
