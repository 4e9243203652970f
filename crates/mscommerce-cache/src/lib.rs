//! A bounded cache: at most a configured number of entries, the least recently used evicted first, with hit, miss
//! and eviction counters for `/metrics`, and a load of a missing entry shared by every request that wants it while
//! it is read.
//!
//! Why not one map under one lock: every request reads three of these caches (the verified token, the caller's
//! current state, the tenant's policy values), and a strict recency order changes on every read. The entries are
//! therefore split over shards by the key's hash, each shard a [`lru::LruCache`] under its own mutex, held for a
//! map lookup and a move to the front of its list; with a few times more shards than cores, two requests rarely
//! want the same shard at once. The bound is split evenly over the shards, so the least recently used entry of the
//! shard a new entry lands in is the one evicted: recency is exact within a shard and close to exact overall.
//!
//! A miss is loaded once ([`BoundedCache::get_or_load`]): the first request to miss a key marks it as loading and
//! reads it; the others wait for that read and then find the entry. Updates of an entry that is being loaded
//! ([`BoundedCache::update`]) are kept and applied to the loaded value before anyone sees it, so a write that
//! commits while a load reads the older state is never lost to that load.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

/// Shards per cache: a power of two, several times the cores of the machines this runs on, so that requests on
/// different cores rarely wait for the same shard's lock.
const SHARDS: usize = 32;

type Update<V> = Box<dyn Fn(&mut V) + Send>;

/// A key being read from the store: who waits for it, and the updates that arrived meanwhile.
struct Loading<V> {
    done: Arc<Notify>,
    updates: Vec<Update<V>>,
    /// The key was removed while it loaded: what the load read may be older than the change that removed it, so
    /// it is answered to the request that loaded it but not held.
    removed: bool,
}

struct Shard<K, V, S> {
    entries: lru::LruCache<K, V, S>,
    loading: HashMap<K, Loading<V>, S>,
    capacity: usize,
    hits: u64,
    misses: u64,
    evictions: u64,
}

impl<K: Hash + Eq + Clone, V, S: BuildHasher> Shard<K, V, S> {
    fn insert(&mut self, key: K, value: V) {
        self.entries.put(key, value);
        while self.entries.len() > self.capacity {
            self.entries.pop_lru();
            self.evictions += 1;
        }
    }

    /// Ends the load of `key`: whoever waits for it is woken (to find the entry, or to load it themselves).
    fn finish_loading(&mut self, key: &K) -> Option<Loading<V>> {
        let loading = self.loading.remove(key);
        if let Some(loading) = &loading {
            loading.done.notify_waiters();
        }
        loading
    }
}

/// What a cache holds and has done since start, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub entries: usize,
    pub capacity: usize,
    /// Reads answered by an entry held.
    pub hits: u64,
    /// Reads that found no entry (each load of a missing entry counts once, however many requests waited for it).
    pub misses: u64,
    /// Entries dropped to keep within the capacity.
    pub evictions: u64,
}

/// See the module's documentation.
pub struct BoundedCache<K, V, S = KeyHasher> {
    shards: Box<[Mutex<Shard<K, V, S>>]>,
    hasher: S,
    capacity: usize,
}

/// The hasher of keys unless told otherwise: foldhash with a seed drawn at start (hashbrown's own default). The
/// keys are IDs from verified tokens, so no caller chooses many of them; SipHash, the standard library's, cost
/// more than the rest of a cache hit (each key is hashed twice: for its shard, and in the shard's map).
pub type KeyHasher = lru::DefaultHasher;

impl<K: Hash + Eq + Clone, V> BoundedCache<K, V, KeyHasher> {
    /// A cache of at most `capacity` entries (at least one per shard).
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, KeyHasher::default())
    }
}

impl<K: Hash + Eq + Clone, V, S: BuildHasher + Clone> BoundedCache<K, V, S> {
    /// A cache of at most `capacity` entries whose keys are hashed by `hasher` (a key that is already a uniform
    /// hash, such as 64 bits of a signature, needs none).
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        // Nothing is allocated per entry until it is inserted: a large bound costs nothing while unused.
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        let shards = (0..SHARDS)
            .map(|_| {
                Mutex::new(Shard {
                    entries: lru::LruCache::unbounded_with_hasher(hasher.clone()),
                    loading: HashMap::with_hasher(hasher.clone()),
                    capacity: per_shard,
                    hits: 0,
                    misses: 0,
                    evictions: 0,
                })
            })
            .collect();
        BoundedCache {
            shards,
            hasher,
            capacity: per_shard * SHARDS,
        }
    }

    fn shard<Q: Hash + ?Sized>(&self, key: &Q) -> MutexGuard<'_, Shard<K, V, S>> {
        // Middle bits: the shard's own map picks the bucket with the low bits and tags entries with the top seven,
        // so bits taken from either end would be the same within a shard and crowd its map.
        let index = (self.hasher.hash_one(key) >> 32) as usize % SHARDS;
        // A poisoned shard only means a closure panicked while it was held; its entries are still whole values.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `read` on the entry of `key` and makes it the most recently used; `None` (a miss) when none is held.
    pub fn get<Q, R>(&self, key: &Q, read: impl FnOnce(&mut V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut shard = self.shard(key);
        match shard.entries.get_mut(key) {
            Some(value) => {
                let answer = read(value);
                shard.hits += 1;
                Some(answer)
            }
            None => {
                shard.misses += 1;
                None
            }
        }
    }

    /// Holds `value` for `key`, replacing what was held, evicting the least recently used entry when full.
    pub fn insert(&self, key: K, value: V) {
        self.shard(&key).insert(key, value);
    }

    /// Changes the entry of `key` if one is held (without making it recently used: a write is not a read), and
    /// the value being loaded for `key` if a load is under way. Nothing is done for a key neither held nor loading:
    /// its next load reads the store, which has the change.
    pub fn update(&self, key: &K, change: impl Fn(&mut V) + Send + 'static) {
        let mut shard = self.shard(key);
        if let Some(value) = shard.entries.peek_mut(key) {
            change(value);
        }
        if let Some(loading) = shard.loading.get_mut(key) {
            loading.updates.push(Box::new(change));
        }
    }

    /// Holds `value` for `key` as [`Self::insert`] does, and makes it the outcome of a load of `key` under way too
    /// (the load read the store before this value was written).
    pub fn put(&self, key: K, value: V)
    where
        V: Clone + Send + 'static,
    {
        let mut shard = self.shard(&key);
        if let Some(loading) = shard.loading.get_mut(&key) {
            let written = value.clone();
            loading
                .updates
                .push(Box::new(move |held| *held = written.clone()));
        }
        shard.insert(key, value);
    }

    /// Forgets `key`, and what a load of it under way will read (it may predate the change that made `key` stale).
    pub fn remove<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut shard = self.shard(key);
        shard.entries.pop(key);
        if let Some(loading) = shard.loading.get_mut(key) {
            loading.removed = true;
        }
    }

    /// Forgets every entry, and what the loads under way will read.
    pub fn clear(&self) {
        for shard in self.shards.iter() {
            let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            shard.entries.clear();
            for loading in shard.loading.values_mut() {
                loading.removed = true;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).entries.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn stats(&self) -> CacheStats {
        let mut stats = CacheStats {
            capacity: self.capacity,
            ..CacheStats::default()
        };
        for shard in self.shards.iter() {
            let shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            stats.entries += shard.entries.len();
            stats.hits += shard.hits;
            stats.misses += shard.misses;
            stats.evictions += shard.evictions;
        }
        stats
    }

    /// Runs `read` on the entry of `key`, loading it with `load` first when none is held. Of all the requests that
    /// miss one key at once, one runs `load`; the others wait for it and read what it put. A load that answers
    /// `Ok(None)` (nothing to hold: say, no such user) holds nothing and answers `Ok(None)`; an error is answered to
    /// the request that loaded, and whoever waited tries again. A load dropped half-way (its request was cancelled)
    /// hands the key to the next request.
    pub async fn get_or_load<R, E, F>(
        &self,
        key: &K,
        read: impl FnMut(&mut V) -> R,
        load: impl FnOnce() -> F,
    ) -> Result<Option<R>, E>
    where
        F: std::future::Future<Output = Result<Option<V>, E>>,
    {
        self.get_fresh_or_load(key, |_| true, read, load).await
    }

    /// [`Self::get_or_load`], where an entry held for which `fresh` answers false counts as missing: it is dropped
    /// and loaded again (once, however many requests want it).
    pub async fn get_fresh_or_load<R, E, F>(
        &self,
        key: &K,
        fresh: impl Fn(&V) -> bool,
        mut read: impl FnMut(&mut V) -> R,
        load: impl FnOnce() -> F,
    ) -> Result<Option<R>, E>
    where
        F: std::future::Future<Output = Result<Option<V>, E>>,
    {
        loop {
            let done = {
                let mut shard = self.shard(key);
                match shard.entries.get_mut(key) {
                    Some(value) if fresh(value) => {
                        let answer = read(value);
                        shard.hits += 1;
                        return Ok(Some(answer));
                    }
                    Some(_) => {
                        shard.entries.pop(key);
                    }
                    None => {}
                }
                match shard.loading.get(key) {
                    Some(loading) => Arc::clone(&loading.done),
                    None => {
                        shard.misses += 1;
                        shard.loading.insert(
                            key.clone(),
                            Loading {
                                done: Arc::new(Notify::new()),
                                updates: Vec::new(),
                                removed: false,
                            },
                        );
                        break;
                    }
                }
            };
            // A `Notified` is woken by `notify_waiters` only once registered (on `enable`): registered first, and
            // then the load checked to be still under way, no wake-up falls between the two.
            let notified = done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let still_loading = self
                .shard(key)
                .loading
                .get(key)
                .is_some_and(|loading| Arc::ptr_eq(&loading.done, &done));
            if still_loading {
                notified.await;
            }
        }
        let mut guard = LoadGuard {
            cache: self,
            key,
            armed: true,
        };
        let loaded = load().await;
        guard.armed = false;
        let mut shard = self.shard(key);
        let loading = shard.finish_loading(key);
        match loaded {
            Ok(Some(mut value)) => {
                let mut removed = false;
                if let Some(loading) = loading {
                    for update in &loading.updates {
                        update(&mut value);
                    }
                    removed = loading.removed;
                }
                let answer = read(&mut value);
                if !removed {
                    shard.insert(key.clone(), value);
                }
                Ok(Some(answer))
            }
            Ok(None) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Ends a load whose future is dropped before it finished, so that its waiters do not wait forever.
struct LoadGuard<'a, K: Hash + Eq + Clone, V, S: BuildHasher + Clone> {
    cache: &'a BoundedCache<K, V, S>,
    key: &'a K,
    armed: bool,
}

impl<K: Hash + Eq + Clone, V, S: BuildHasher + Clone> Drop for LoadGuard<'_, K, V, S> {
    fn drop(&mut self) {
        if self.armed {
            self.cache.shard(self.key).finish_loading(self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn the_least_recently_used_entry_of_a_full_shard_is_evicted() {
        // One entry per shard: every key lands alone, and a second key in the same shard evicts the first unless
        // the first was read since.
        let cache: BoundedCache<u64, u64> = BoundedCache::new(SHARDS * 2);
        for key in 0..10_000u64 {
            cache.insert(key, key);
        }
        let stats = cache.stats();
        assert_eq!(stats.entries, SHARDS * 2, "held within the bound");
        assert_eq!(stats.evictions, 10_000 - (SHARDS as u64 * 2));
        // The most recent keys are held, the oldest are not.
        assert_eq!(cache.get(&9_999, |v| *v), Some(9_999));
        assert_eq!(cache.get(&0, |v| *v), None);
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses), (1, 1));
    }

    #[test]
    fn a_read_keeps_an_entry_from_being_evicted() {
        let cache: BoundedCache<u64, u64> = BoundedCache::new(SHARDS * 2);
        // Find three keys of one shard.
        let shard_of = |k: &u64| (cache.hasher.hash_one(k) >> 32) as usize % SHARDS;
        let first = 0u64;
        let same: Vec<u64> = (1..100_000u64)
            .filter(|k| shard_of(k) == shard_of(&first))
            .take(2)
            .collect();
        cache.insert(first, 1);
        cache.insert(same[0], 2);
        assert_eq!(
            cache.get(&first, |v| *v),
            Some(1),
            "read: now the most recent"
        );
        cache.insert(same[1], 3);
        assert_eq!(cache.get(&first, |v| *v), Some(1), "kept: it was read");
        assert_eq!(
            cache.get(&same[0], |v| *v),
            None,
            "evicted: the least recent"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_of_one_key_load_it_once() {
        let cache: Arc<BoundedCache<u64, u64>> = Arc::new(BoundedCache::new(1_000));
        let loads = Arc::new(AtomicUsize::new(0));
        let mut waiting = Vec::new();
        for _ in 0..50 {
            let cache = Arc::clone(&cache);
            let loads = Arc::clone(&loads);
            waiting.push(tokio::spawn(async move {
                cache
                    .get_or_load(
                        &7,
                        |v| *v,
                        || async {
                            loads.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok::<_, ()>(Some(42))
                        },
                    )
                    .await
            }));
        }
        for task in waiting {
            assert_eq!(task.await.unwrap(), Ok(Some(42)));
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        assert_eq!(cache.stats().misses, 1);
    }

    /// A load of key 1 that has read `read` from its store and waits: the test acts while it waits, then calls
    /// the answered function to let it finish, and gets what the loading request answered.
    async fn paused_load<V: Clone + Send + 'static>(
        cache: &Arc<BoundedCache<u64, V>>,
        read: V,
    ) -> impl FnOnce() -> tokio::task::JoinHandle<Result<Option<V>, ()>> {
        let (read_done, read_seen) = tokio::sync::oneshot::channel::<()>();
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let loading = {
            let cache = Arc::clone(cache);
            tokio::spawn(async move {
                cache
                    .get_or_load(
                        &1,
                        |v| v.clone(),
                        || async move {
                            let _ = read_done.send(());
                            let _ = wait.await;
                            Ok::<_, ()>(Some(read))
                        },
                    )
                    .await
            })
        };
        read_seen.await.unwrap();
        move || {
            go.send(()).unwrap();
            loading
        }
    }

    #[tokio::test]
    async fn an_update_during_a_load_reaches_the_loaded_value() {
        let cache: Arc<BoundedCache<u64, Vec<&'static str>>> = Arc::new(BoundedCache::new(100));
        // The store was read before the write below committed.
        let finish = paused_load(&cache, vec!["read"]).await;
        cache.update(&1, |v| v.push("written meanwhile"));
        assert_eq!(
            finish().await.unwrap(),
            Ok(Some(vec!["read", "written meanwhile"]))
        );
        assert_eq!(
            cache.get(&1, |v| v.clone()),
            Some(vec!["read", "written meanwhile"])
        );
    }

    #[tokio::test]
    async fn a_key_removed_during_its_load_is_not_held_from_that_load() {
        let cache: Arc<BoundedCache<u64, u64>> = Arc::new(BoundedCache::new(100));
        let finish = paused_load(&cache, 1).await;
        // A change was announced after the load read the store.
        cache.remove(&1);
        assert_eq!(
            finish().await.unwrap(),
            Ok(Some(1)),
            "the loader has its answer"
        );
        assert_eq!(cache.get(&1, |v| *v), None, "but it is not held");
    }

    #[tokio::test]
    async fn a_value_put_during_a_load_wins_over_what_the_load_read() {
        let cache: Arc<BoundedCache<u64, u64>> = Arc::new(BoundedCache::new(100));
        let finish = paused_load(&cache, 1).await;
        cache.put(1, 2);
        assert_eq!(finish().await.unwrap(), Ok(Some(2)));
        assert_eq!(cache.get(&1, |v| *v), Some(2));
    }

    #[tokio::test]
    async fn a_cancelled_load_hands_the_key_to_the_next_request() {
        let cache: Arc<BoundedCache<u64, u64>> = Arc::new(BoundedCache::new(100));
        let stuck = {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move {
                cache
                    .get_or_load(&3, |v| *v, std::future::pending::<Result<Option<u64>, ()>>)
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        stuck.abort();
        let _ = stuck.await;
        let answer = tokio::time::timeout(
            Duration::from_secs(5),
            cache.get_or_load(&3, |v| *v, || async { Ok::<_, ()>(Some(9)) }),
        )
        .await
        .expect("the next request loads instead of waiting for the cancelled one");
        assert_eq!(answer, Ok(Some(9)));
    }

    #[tokio::test]
    async fn what_a_load_does_not_find_is_not_held_and_an_error_is_not_either() {
        let cache: BoundedCache<u64, u64> = BoundedCache::new(100);
        assert_eq!(
            cache
                .get_or_load(&5, |v| *v, || async { Ok::<_, ()>(None) })
                .await,
            Ok(None)
        );
        assert_eq!(
            cache
                .get_or_load(&5, |v| *v, || async { Err::<Option<u64>, _>("down") })
                .await,
            Err("down")
        );
        assert!(cache.is_empty());
        assert_eq!(
            cache
                .get_or_load(&5, |v| *v, || async { Ok::<_, ()>(Some(1)) })
                .await,
            Ok(Some(1))
        );
        assert_eq!(cache.stats().misses, 3);
    }
}
