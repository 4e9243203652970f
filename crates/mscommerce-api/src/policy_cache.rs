//! The policy read path: every tenant's values in memory, kept coherent with writes.
//!
//! A tenant's values are loaded from the store on first use, then every write through this process updates them.
//! Each value carries the tenant revision that wrote it, and an update only lands if its revision is newer than
//! the one held, so updates and loads may reach the cache in any order and the newest value still wins.
//! After warm-up a read takes one map lookup and no database round trip.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::HeaderValue;
use dashmap::DashMap;
use mscommerce_domain::{entity_tag, TenantId};
use mscommerce_domain::{Catalog, PolicyTarget, PolicyValue, Scope};
use mscommerce_store::{Store, StoreResult, StoredPolicyValue};

/// A stored value, the revision that wrote it, and that revision's `ETag`, made once per write so that a read
/// answers it by cloning a shared buffer: `HeaderValue::from_str` copies into `Bytes` (http-1.5.0
/// `src/header/value.rs`, `from_str`), whose first clone moves the buffer into a reference-counted one and every
/// later clone only increments the count (bytes-1.12.2 `src/bytes.rs`, `promotable_even_clone`,
/// `shallow_clone_vec`).
#[derive(Debug, Clone)]
struct Held {
    value: PolicyValue,
    revision: i64,
    etag: HeaderValue,
}

type Slot = Option<Held>;

/// The `ETag` of a value never written: `entity_tag(INITIAL_POLICY_REVISION)` (a unit test checks the two agree).
pub const INITIAL_ETAG: &str = "\"0\"";

/// One tenant's values, indexed by catalog position.
#[derive(Debug, Clone)]
pub struct TenantValues {
    /// Whether every stored value has been loaded; until then, reads go to the store first.
    complete: bool,
    products: Vec<Slot>,
    offer_types: Vec<Slot>,
}

impl TenantValues {
    fn empty(catalog: &Catalog) -> TenantValues {
        TenantValues {
            complete: false,
            products: vec![None; catalog.products().len()],
            offer_types: vec![None; catalog.offer_types().len()],
        }
    }

    fn slot_mut(&mut self, scope: Scope, slot: usize) -> Option<&mut Slot> {
        match scope {
            Scope::Product => self.products.get_mut(slot),
            Scope::OfferType => self.offer_types.get_mut(slot),
        }
    }

    fn merge(&mut self, scope: Scope, slot: usize, value: PolicyValue, revision: i64) {
        if let Some(held) = self.slot_mut(scope, slot) {
            if held.as_ref().is_none_or(|h| h.revision < revision) {
                // A revision's text is digits and quotes, always a valid header value.
                let etag = HeaderValue::from_str(&entity_tag(revision))
                    .unwrap_or_else(|_| HeaderValue::from_static(INITIAL_ETAG));
                *held = Some(Held {
                    value,
                    revision,
                    etag,
                });
            }
        }
    }

    fn held(&self, target: &PolicyTarget<'_>) -> Option<&Held> {
        let slot = match target {
            PolicyTarget::Product(p) => self.products.get(p.slot),
            PolicyTarget::OfferType(o) => self.offer_types.get(o.slot),
        };
        slot.and_then(Option::as_ref)
    }

    /// The value of a target: the stored one, or the policy's default.
    pub fn value(&self, target: &PolicyTarget<'_>, default: PolicyValue) -> PolicyValue {
        self.held(target).map_or(default, |held| held.value)
    }

    /// The value of a target and its `ETag` (the initial one for a value never written).
    pub fn value_and_etag(
        &self,
        target: &PolicyTarget<'_>,
        default: PolicyValue,
    ) -> (PolicyValue, HeaderValue) {
        match self.held(target) {
            Some(held) => (held.value, held.etag.clone()),
            None => (default, HeaderValue::from_static(INITIAL_ETAG)),
        }
    }
}

pub struct PolicyCache {
    tenants: DashMap<TenantId, TenantValues>,
    /// Times a tenant was loaded from the store: flat once warm.
    loads: AtomicU64,
}

impl Default for PolicyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl PolicyCache {
    pub fn new() -> PolicyCache {
        PolicyCache {
            tenants: DashMap::new(),
            loads: AtomicU64::new(0),
        }
    }

    /// Number of tenants held.
    pub fn tenant_count(&self) -> usize {
        self.tenants.len()
    }

    /// Times a tenant's values were read from the store.
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    /// Runs `read` on the tenant's values, loading them first when they are not all held.
    pub async fn read<R>(
        &self,
        store: &dyn Store,
        catalog: &Catalog,
        tenant_id: TenantId,
        read: impl Fn(&TenantValues) -> R,
    ) -> StoreResult<R> {
        if let Some(values) = self.tenants.get(&tenant_id) {
            if values.complete {
                return Ok(read(&values));
            }
        }
        self.loads.fetch_add(1, Ordering::Relaxed);
        let stored = store.policy_values(tenant_id).await?;
        let mut entry = self
            .tenants
            .entry(tenant_id)
            .or_insert_with(|| TenantValues::empty(catalog));
        for value in &stored {
            Self::merge_stored(&mut entry, catalog, value);
        }
        entry.complete = true;
        Ok(read(&entry))
    }

    /// Records a value the store has just committed at `revision`.
    pub fn apply(
        &self,
        catalog: &Catalog,
        tenant_id: TenantId,
        target: &PolicyTarget<'_>,
        value: PolicyValue,
        revision: i64,
    ) {
        let mut entry = self
            .tenants
            .entry(tenant_id)
            .or_insert_with(|| TenantValues::empty(catalog));
        let (scope, slot) = match target {
            PolicyTarget::Product(p) => (Scope::Product, p.slot),
            PolicyTarget::OfferType(o) => (Scope::OfferType, o.slot),
        };
        entry.merge(scope, slot, value, revision);
    }

    /// Forgets every tenant (notices may have been lost).
    pub fn clear(&self) {
        self.tenants.clear();
    }

    fn merge_stored(values: &mut TenantValues, catalog: &Catalog, stored: &StoredPolicyValue) {
        // Values of targets no longer in the catalog are kept in the store but have nothing to answer here.
        if let Some(target) = catalog.target(stored.scope, &stored.target_id) {
            let slot = match target {
                PolicyTarget::Product(p) => p.slot,
                PolicyTarget::OfferType(o) => o.slot,
            };
            values.merge(stored.scope, slot, stored.value, stored.revision);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_revision_wins_in_any_order() {
        let catalog = Catalog::embedded();
        let cache = PolicyCache::new();
        let tenant = TenantId::generate();
        let power_bi = PolicyTarget::Product(catalog.product("CFQ7TTC0H9MP").unwrap());
        cache.apply(&catalog, tenant, &power_bi, PolicyValue::Disabled, 5);
        cache.apply(&catalog, tenant, &power_bi, PolicyValue::Enabled, 4);
        let held = cache.tenants.get(&tenant).unwrap();
        assert_eq!(
            TenantValues::value(&held, &power_bi, PolicyValue::Enabled),
            PolicyValue::Disabled
        );
        assert!(
            !held.complete,
            "a write alone does not make the tenant complete"
        );
        assert_eq!(
            held.value_and_etag(&power_bi, PolicyValue::Enabled).1,
            "\"5\"",
            "the ETag is the newest revision's"
        );
    }

    #[test]
    fn a_value_never_written_has_the_initial_etag() {
        assert_eq!(
            INITIAL_ETAG,
            entity_tag(mscommerce_store::INITIAL_POLICY_REVISION)
        );
        let catalog = Catalog::embedded();
        let values = TenantValues::empty(&catalog);
        let saas = PolicyTarget::OfferType(catalog.offer_type("SaaS").unwrap());
        assert_eq!(
            values.value_and_etag(&saas, PolicyValue::Enabled),
            (PolicyValue::Enabled, HeaderValue::from_static(INITIAL_ETAG))
        );
    }
}
