//! The policy read path: the values of the tenants in use, in memory, kept coherent with writes.
//!
//! A tenant's values are loaded from the store on its first read and kept in a bounded cache
//! ([`mscommerce_cache::BoundedCache`], `policy_cache_tenants` tenants, the least recently read evicted), so memory
//! is set by how many tenants are busy, not by how many exist. Concurrent first reads of one tenant load it once.
//! Every write through this process (and every write another replica announces) updates a held tenant, and a
//! tenant being loaded gets the update as soon as its load lands: each value carries the tenant revision that
//! wrote it, and an update only lands if its revision is newer than the one held, so updates and loads may meet in
//! any order and the newest value still wins. A tenant neither held nor loading needs no update: its next load
//! reads the store, which has the value. After warm-up a read takes one shard lock and one map lookup.

use axum::http::HeaderValue;
use mscommerce_cache::{BoundedCache, CacheStats};
use mscommerce_domain::{entity_tag, TenantId};
use mscommerce_domain::{Catalog, PolicyTarget, PolicyValue, Scope};
use mscommerce_store::{Store, StoreError, StoreResult, StoredPolicyValue};

/// A stored value and the revision that wrote it: 16 bytes, so a tenant's whole catalog (29 targets) is under
/// half a kilobyte. The `ETag` is written from the revision when a read asks for it.
#[derive(Debug, Clone, Copy)]
struct Held {
    value: PolicyValue,
    revision: i64,
}

type Slot = Option<Held>;

/// The `ETag` of a value never written: `entity_tag(INITIAL_POLICY_REVISION)` (a unit test checks the two agree).
pub const INITIAL_ETAG: &str = "\"0\"";

/// Tenants held unless configured otherwise (`policy_cache_tenants`): about 0.6 KB each.
pub const DEFAULT_TENANTS: usize = 16_000;

/// One tenant's values, indexed by catalog position.
#[derive(Debug, Clone)]
pub struct TenantValues {
    products: Box<[Slot]>,
    offer_types: Box<[Slot]>,
}

impl TenantValues {
    fn empty(catalog: &Catalog) -> TenantValues {
        TenantValues {
            products: vec![None; catalog.products().len()].into_boxed_slice(),
            offer_types: vec![None; catalog.offer_types().len()].into_boxed_slice(),
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
            if held.is_none_or(|h| h.revision < revision) {
                *held = Some(Held { value, revision });
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
            // The tag's own buffer becomes the header's (`Bytes::from(String)` takes it without copying): one
            // allocation per read of one value, rather than a tag kept for every value of every tenant held.
            Some(held) => (
                held.value,
                HeaderValue::from_maybe_shared(axum::body::Bytes::from(entity_tag(held.revision)))
                    .unwrap_or_else(|_| HeaderValue::from_static(INITIAL_ETAG)),
            ),
            None => (default, HeaderValue::from_static(INITIAL_ETAG)),
        }
    }
}

pub struct PolicyCache {
    tenants: BoundedCache<TenantId, TenantValues>,
}

impl PolicyCache {
    /// A cache of at most `tenants` tenants' values.
    pub fn new(tenants: usize) -> PolicyCache {
        PolicyCache {
            tenants: BoundedCache::new(tenants),
        }
    }

    /// Tenants held, loads (misses) and evictions.
    pub fn stats(&self) -> CacheStats {
        self.tenants.stats()
    }

    /// Runs `read` on the tenant's values, loading them first when they are not held.
    pub async fn read<R>(
        &self,
        store: &dyn Store,
        catalog: &Catalog,
        tenant_id: TenantId,
        read: impl Fn(&TenantValues) -> R,
    ) -> StoreResult<R> {
        let answer = self
            .tenants
            .get_or_load::<_, StoreError, _>(
                &tenant_id,
                |values| read(values),
                || async {
                    let stored = store.policy_values(tenant_id).await?;
                    let mut values = TenantValues::empty(catalog);
                    for value in &stored {
                        Self::merge_stored(&mut values, catalog, value);
                    }
                    Ok(Some(values))
                },
            )
            .await?;
        // The load above always holds a value, so there is always an answer; should that change, the defaults are
        // what a tenant without stored values reads.
        Ok(answer.unwrap_or_else(|| read(&TenantValues::empty(catalog))))
    }

    /// Records a value the store has just committed at `revision`.
    pub fn apply(
        &self,
        tenant_id: TenantId,
        target: &PolicyTarget<'_>,
        value: PolicyValue,
        revision: i64,
    ) {
        let (scope, slot) = match target {
            PolicyTarget::Product(p) => (Scope::Product, p.slot),
            PolicyTarget::OfferType(o) => (Scope::OfferType, o.slot),
        };
        self.tenants.update(&tenant_id, move |values| {
            values.merge(scope, slot, value, revision)
        });
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
        let power_bi = PolicyTarget::Product(catalog.product("CFQ7TTC0H9MP").unwrap());
        let mut values = TenantValues::empty(&catalog);
        let slot = match power_bi {
            PolicyTarget::Product(p) => p.slot,
            PolicyTarget::OfferType(_) => unreachable!(),
        };
        values.merge(Scope::Product, slot, PolicyValue::Disabled, 5);
        values.merge(Scope::Product, slot, PolicyValue::Enabled, 4);
        assert_eq!(
            values.value(&power_bi, PolicyValue::Enabled),
            PolicyValue::Disabled
        );
        assert_eq!(
            values.value_and_etag(&power_bi, PolicyValue::Enabled).1,
            "\"5\"",
            "the ETag is the newest revision's"
        );
    }

    #[test]
    fn a_write_to_a_tenant_not_held_holds_nothing() {
        let catalog = Catalog::embedded();
        let cache = PolicyCache::new(100);
        let power_bi = PolicyTarget::Product(catalog.product("CFQ7TTC0H9MP").unwrap());
        cache.apply(TenantId::generate(), &power_bi, PolicyValue::Disabled, 5);
        assert_eq!(
            cache.stats().entries,
            0,
            "its next read loads it from the store, which has the value"
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
