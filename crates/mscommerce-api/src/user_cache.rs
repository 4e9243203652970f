//! What the acquisition decision needs to know about users, in memory: the decision endpoint is the hottest of
//! the service and must not wait for the database.
//!
//! Loaded on first use, replaced by every change made through this process, and forgotten when another replica
//! says the user changed. A change made behind the service's back (the admin command line writing to the same
//! database) is picked up when the held facts are older than [`FRESH_FOR`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use mscommerce_domain::Acquirer;
use mscommerce_domain::{TenantId, UserId};
use mscommerce_store::{Store, StoreResult, User, UserType};

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

/// How long held facts are trusted without a sign of change.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct UserCache {
    users: DashMap<UserId, (UserFacts, Instant)>,
    /// Times a user was read from the store.
    loads: AtomicU64,
}

impl UserCache {
    /// The facts of a user of `tenant_id`; `None` when no such user is in that tenant.
    pub async fn facts(
        &self,
        store: &dyn Store,
        tenant_id: TenantId,
        user_id: UserId,
    ) -> StoreResult<Option<UserFacts>> {
        if let Some(held) = self.users.get(&user_id) {
            let (facts, loaded) = *held;
            if loaded.elapsed() < FRESH_FOR {
                return Ok((facts.tenant_id == tenant_id).then_some(facts));
            }
        }
        self.loads.fetch_add(1, Ordering::Relaxed);
        let Some(user) = store.user(tenant_id, user_id).await? else {
            return Ok(None);
        };
        let facts = UserFacts::of(&user);
        self.users.insert(user_id, (facts, Instant::now()));
        Ok(Some(facts))
    }

    /// Records a user as just written.
    pub fn put(&self, user: &User) {
        self.users
            .insert(user.id, (UserFacts::of(user), Instant::now()));
    }

    /// Times a user was read from the store.
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    pub fn forget(&self, user_id: UserId) {
        self.users.remove(&user_id);
    }

    pub fn clear(&self) {
        self.users.clear();
    }
}
