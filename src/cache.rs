//! A cache of answers to lookups (feature `cache`), so that asking again
//! about the same address within a while spends no request.
//!
//! Which operations it serves, and for how long by default, are operation
//! facts of the spec of record (`cache` under `x-threatjammer`,
//! openapi/operations.overlay.yaml): the lookups whose answer depends only on
//! their arguments and the key (assessment, geolocation, AS and datacenter
//! lookups, user-agent parsing). It is off unless
//! [`ClientBuilder::cache`](crate::ClientBuilder::cache) turns it on: an
//! answer served again is an answer that may have changed meanwhile, and that
//! is the caller's decision to make for a security check.
//!
//! Entries are keyed by operation, arguments, and which deployment and key
//! they came from, as a hash: the key itself is never kept. They expire after
//! their time to live (an assessment whose risk is not `LOW` sooner, by
//! default, as bouncers keep a block for less than a pass: a wrongly blocked
//! user costs more than one more request), and the store is bounded in
//! entries. A change to the caller's own lists (the `changes_lists` fact)
//! drops the cached answers that depend on them.
//!
//! The store is [`moka`], a concurrent cache with per-entry expiry and a
//! bounded size, behind [`AnswerStore`], so that another store can take its
//! place. With the feature `redis` and [`ClientBuilder::redis`](crate::ClientBuilder::redis),
//! a second layer behind it is shared by a fleet ([`crate::stores`]): a lookup
//! the local store misses asks Redis, where answers are kept as JSON, and an
//! answer found there is kept locally too. The local store stays typed and in
//! memory, so that a hit costs no decoding and no round trip.

use crate::generated::types::{IpAssessmentOutput, IpAssessmentOutputRisk};
use std::any::Any;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// How a client caches answers. Start from [`CachePolicy::new`].
#[derive(Clone)]
pub struct CachePolicy {
    max_entries: u64,
    ttl: Option<Duration>,
    risky_ttl: Duration,
    keep_stale: Duration,
    store: Option<Arc<dyn AnswerStore>>,
}

impl fmt::Debug for CachePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachePolicy")
            .field("max_entries", &self.max_entries)
            .field("ttl", &self.ttl)
            .field("risky_ttl", &self.risky_ttl)
            .field("keep_stale", &self.keep_stale)
            .field("store", &self.store.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl Default for CachePolicy {
    fn default() -> Self {
        CachePolicy {
            max_entries: 100_000,
            ttl: None,
            risky_ttl: Duration::from_secs(10 * 60),
            keep_stale: Duration::from_secs(24 * 60 * 60),
            store: None,
        }
    }
}

impl CachePolicy {
    /// The defaults: each operation's own time to live (an hour for
    /// assessments, a day for geolocation, AS, datacenter and user-agent
    /// lookups), ten minutes for an assessment whose risk is not `LOW`, at
    /// most 100,000 entries (a few hundred MiB at the very most; assessments
    /// are about 1 KiB), and expired answers kept a day longer for a degraded
    /// verdict to fall back on.
    pub fn new() -> CachePolicy {
        CachePolicy::default()
    }

    /// The most entries kept; the least used go first.
    pub fn max_entries(mut self, entries: u64) -> CachePolicy {
        self.max_entries = entries;
        self
    }

    /// One time to live for every cached operation, in place of each one's own.
    pub fn ttl(mut self, ttl: Duration) -> CachePolicy {
        self.ttl = Some(ttl);
        self
    }

    /// How long an assessment whose risk is not `LOW` stays fresh (at most
    /// the operation's own time to live).
    pub fn risky_ttl(mut self, ttl: Duration) -> CachePolicy {
        self.risky_ttl = ttl;
        self
    }

    /// How long an expired answer is kept for a degraded verdict's
    /// fallback to the last known answer ([`crate::verdict`]). Never served
    /// as an answer to a call.
    pub fn keep_stale(mut self, keep: Duration) -> CachePolicy {
        self.keep_stale = keep;
        self
    }

    /// Keeps answers in `store` instead of the in-memory one.
    pub fn store(mut self, store: impl AnswerStore) -> CachePolicy {
        self.store = Some(Arc::new(store));
        self
    }
}

/// Where a cached answer is kept: the in-memory store ([`MemoryStore`]), or
/// one of your own.
pub trait AnswerStore: Send + Sync + 'static {
    /// The entry under `key`, fresh or stale, if the store still has it.
    fn get(&self, key: &CacheKey) -> Option<CachedAnswer>;
    /// Keeps `answer` under `key` until its `kept_until`.
    fn insert(&self, key: CacheKey, answer: CachedAnswer);
    /// Drops every entry of `identity` whose answer depends on the caller's lists.
    fn drop_list_answers(&self, identity: KeyIdentity);
    /// How many entries the store holds (an estimate for concurrent stores).
    fn entries(&self) -> u64;
}

/// One store shared by several clients (each keeps to its own key's entries).
impl<S: AnswerStore> AnswerStore for Arc<S> {
    fn get(&self, key: &CacheKey) -> Option<CachedAnswer> {
        (**self).get(key)
    }
    fn insert(&self, key: CacheKey, answer: CachedAnswer) {
        (**self).insert(key, answer)
    }
    fn drop_list_answers(&self, identity: KeyIdentity) {
        (**self).drop_list_answers(identity)
    }
    fn entries(&self) -> u64 {
        (**self).entries()
    }
}

/// Which deployment and key an answer came from: a hash of both, never the
/// key itself. The hash is keyed per process, so it means nothing outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyIdentity(u64);

impl KeyIdentity {
    pub(crate) fn of(base_url: &str, key: &str) -> KeyIdentity {
        static SEED: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
        let mut hasher = SEED.get_or_init(Default::default).build_hasher();
        base_url.hash(&mut hasher);
        key.hash(&mut hasher);
        KeyIdentity(hasher.finish())
    }
}

/// What an answer is cached under: the operation, its arguments as sent, and
/// the key's identity.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    identity: KeyIdentity,
    operation: &'static str,
    arguments: Box<[u8]>,
}

impl CacheKey {
    /// The caller's key and deployment, as a hash.
    pub fn identity(&self) -> KeyIdentity {
        self.identity
    }

    /// The operation the answer is to.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The call's arguments, as JSON.
    #[cfg(feature = "redis")]
    pub(crate) fn arguments(&self) -> &[u8] {
        &self.arguments
    }
}

/// Arguments are the caller's data: only their size is shown.
impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheKey")
            .field("identity", &self.identity)
            .field("operation", &self.operation)
            .field("arguments", &format_args!("{} bytes", self.arguments.len()))
            .finish()
    }
}

/// A cached answer: the decoded value, shared, with how long it is fresh.
#[derive(Clone)]
pub struct CachedAnswer {
    value: Arc<dyn Any + Send + Sync>,
    fresh_until: Instant,
    kept_until: Instant,
    lists: bool,
}

impl CachedAnswer {
    /// Until when it may answer a call.
    pub fn fresh_until(&self) -> Instant {
        self.fresh_until
    }

    /// Until when a store keeps it (for a degraded verdict to fall back on).
    pub fn kept_until(&self) -> Instant {
        self.kept_until
    }

    /// Whether the answer depends on the caller's lists.
    pub fn depends_on_lists(&self) -> bool {
        self.lists
    }

    pub(crate) fn value<T: 'static>(&self) -> Option<&T> {
        self.value.downcast_ref()
    }
}

/// What an answer must be to be kept where a fleet shares it: JSON both
/// ways. Without the feature `redis` every answer qualifies, since nothing
/// is shared.
#[cfg(feature = "redis")]
pub(crate) trait Shareable: serde::Serialize + serde::de::DeserializeOwned {}
#[cfg(feature = "redis")]
impl<T: serde::Serialize + serde::de::DeserializeOwned> Shareable for T {}
#[cfg(not(feature = "redis"))]
pub(crate) trait Shareable {}
#[cfg(not(feature = "redis"))]
impl<T> Shareable for T {}

impl fmt::Debug for CachedAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedAnswer")
            .field("fresh_until", &self.fresh_until)
            .field("kept_until", &self.kept_until)
            .field("lists", &self.lists)
            .finish_non_exhaustive()
    }
}

/// The in-memory store: a [`moka`] cache bounded in entries, each entry
/// expiring at its own `kept_until`.
pub struct MemoryStore {
    entries: moka::sync::Cache<CacheKey, CachedAnswer>,
}

impl MemoryStore {
    /// A store of at most `max_entries`.
    pub fn new(max_entries: u64) -> MemoryStore {
        MemoryStore {
            entries: moka::sync::Cache::builder()
                .max_capacity(max_entries)
                .expire_after(UntilKept)
                .support_invalidation_closures()
                .build(),
        }
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemoryStore({} entries)", self.entries.entry_count())
    }
}

struct UntilKept;

impl moka::Expiry<CacheKey, CachedAnswer> for UntilKept {
    fn expire_after_create(
        &self,
        _: &CacheKey,
        answer: &CachedAnswer,
        now: Instant,
    ) -> Option<Duration> {
        Some(answer.kept_until.saturating_duration_since(now))
    }

    fn expire_after_update(
        &self,
        _: &CacheKey,
        answer: &CachedAnswer,
        now: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(answer.kept_until.saturating_duration_since(now))
    }
}

impl AnswerStore for MemoryStore {
    fn get(&self, key: &CacheKey) -> Option<CachedAnswer> {
        self.entries.get(key)
    }

    fn insert(&self, key: CacheKey, answer: CachedAnswer) {
        self.entries.insert(key, answer);
    }

    fn drop_list_answers(&self, identity: KeyIdentity) {
        // Runs lazily inside moka; a list change is rare.
        let _ = self
            .entries
            .invalidate_entries_if(move |key, answer| key.identity == identity && answer.lists);
    }

    fn entries(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }
}

/// What the cache did, counted since the client was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Calls answered from the cache.
    pub hits: u64,
    /// Calls to cached operations that had to be sent.
    pub misses: u64,
    /// Entries the store holds now, fresh or kept for a fallback.
    pub entries: u64,
}

/// A client's cache: its store, its policy and its key's identity. Clones of
/// a client share it.
pub(crate) struct AnswerCache {
    store: Arc<dyn AnswerStore>,
    policy: CachePolicy,
    identity: KeyIdentity,
    hits: AtomicU64,
    misses: AtomicU64,
    /// Assessments a verdict started that have not finished, so that another
    /// verdict on the same address waits for them instead of sending again.
    pub(crate) in_flight: crate::verdict::InFlight,
    /// The layer a fleet shares, behind the local store.
    #[cfg(feature = "redis")]
    shared: Option<Arc<crate::stores::Redis>>,
}

impl fmt::Debug for AnswerCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerCache")
            .field("policy", &self.policy)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl AnswerCache {
    pub(crate) fn new(policy: CachePolicy, identity: KeyIdentity) -> AnswerCache {
        let store = policy
            .store
            .clone()
            .unwrap_or_else(|| Arc::new(MemoryStore::new(policy.max_entries)));
        AnswerCache {
            store,
            policy,
            identity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            in_flight: Default::default(),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// This cache with `redis` as the layer behind its local store.
    #[cfg(feature = "redis")]
    pub(crate) fn shared(mut self, redis: Option<Arc<crate::stores::Redis>>) -> AnswerCache {
        self.shared = redis;
        self
    }

    /// The key of a call to `operation` with `arguments` (every argument of
    /// its request builder, in order), if the operation is cached at all.
    pub(crate) fn key<A: serde::Serialize + ?Sized>(
        &self,
        operation: &'static str,
        arguments: &A,
    ) -> Option<CacheKey> {
        crate::generated::cache_fact(operation)?;
        let arguments = serde_json::to_vec(arguments).ok()?.into_boxed_slice();
        Some(CacheKey {
            identity: self.identity,
            operation,
            arguments,
        })
    }

    /// What `read` makes of the fresh answer under `key`, from the local
    /// store or else from the shared layer (which then fills the local one),
    /// counted as a hit or a miss; the answer itself is not copied.
    pub(crate) async fn lookup<T, R>(&self, key: &CacheKey, read: impl FnOnce(&T) -> R) -> Option<R>
    where
        T: Shareable + Send + Sync + 'static,
    {
        let local = self
            .store
            .get(key)
            .filter(|entry| entry.fresh_until > Instant::now())
            .and_then(|entry| Arc::downcast::<T>(entry.value).ok());
        #[cfg(feature = "redis")]
        let local = match (local, &self.shared) {
            (None, Some(redis)) => redis.fresh_answer::<T>(key).await.map(|(value, fresh)| {
                self.keep(key.clone(), value.clone(), fresh);
                value
            }),
            (local, _) => local,
        };
        let hit = local.map(|value| read(&value));
        self.count(hit.is_some());
        if hit.is_some() {
            let _span = tracing::debug_span!(
                "threatjammer.request",
                operation = key.operation,
                cached = true
            )
            .entered();
            tracing::debug!("answered from the cache");
        }
        hit
    }

    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The fresh answer under `key` as the shared value it is kept as.
    pub(crate) fn fresh_shared<T: Send + Sync + 'static>(&self, key: &CacheKey) -> Option<Arc<T>> {
        let hit = self
            .store
            .get(key)
            .filter(|entry| entry.fresh_until > Instant::now())
            .and_then(|entry| Arc::downcast::<T>(entry.value).ok());
        self.count(hit.is_some());
        hit
    }

    /// The answer under `key`, however old, without counting it: what a
    /// degraded verdict falls back on.
    pub(crate) fn last_known(&self, key: &CacheKey) -> Option<CachedAnswer> {
        self.store.get(key)
    }

    /// Keeps `value` as the answer under `key` in the local store.
    pub(crate) fn put<T: Send + Sync + 'static>(&self, key: CacheKey, value: Arc<T>) {
        if let Some(ttl) = self.ttl(&key, &*value) {
            self.keep(key, value, ttl);
        }
    }

    /// How long an answer to `key` stays fresh, if its operation is cached.
    fn ttl(&self, key: &CacheKey, value: &(dyn Any + Send + Sync)) -> Option<Duration> {
        let (fact_ttl, _) = crate::generated::cache_fact(key.operation)?;
        let ttl = self.policy.ttl.unwrap_or(Duration::from_secs(fact_ttl));
        let risky = value
            .downcast_ref::<IpAssessmentOutput>()
            .is_some_and(|a| a.risk != IpAssessmentOutputRisk::Low);
        Some(if risky {
            ttl.min(self.policy.risky_ttl)
        } else {
            ttl
        })
    }

    /// Keeps `value` locally, fresh for `ttl`.
    fn keep<T: Send + Sync + 'static>(&self, key: CacheKey, value: Arc<T>, ttl: Duration) {
        let lists = crate::generated::cache_fact(key.operation).is_some_and(|(_, lists)| lists);
        let fresh_until = Instant::now() + ttl;
        self.store.insert(
            key,
            CachedAnswer {
                value,
                fresh_until,
                kept_until: fresh_until + self.policy.keep_stale,
                lists,
            },
        );
    }

    /// Keeps `value` locally and, when a fleet shares a layer, there too.
    async fn put_everywhere<T: Shareable + Send + Sync + 'static>(
        &self,
        key: CacheKey,
        value: Arc<T>,
    ) {
        let Some(ttl) = self.ttl(&key, &*value) else {
            return;
        };
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.shared {
            redis
                .keep_answer(&key, &*value, ttl, self.policy.keep_stale)
                .await;
        }
        self.keep(key, value, ttl);
    }

    /// After an operation that changed the caller's lists succeeded.
    async fn lists_changed(&self) {
        self.store.drop_list_answers(self.identity);
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.shared {
            redis.drop_list_answers().await;
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.store.entries(),
        }
    }
}

/// The cache's part in one call through a request builder, made before the
/// builder is consumed: the call's key, when the client has a cache and the
/// operation is cached.
pub(crate) struct Lookup<'c> {
    client: &'c crate::Client,
    operation: &'static str,
    key: Option<CacheKey>,
}

impl<'c> Lookup<'c> {
    /// `arguments` are every argument of the request builder, in order.
    pub(crate) fn new<A: serde::Serialize + ?Sized>(
        client: &'c crate::Client,
        operation: &'static str,
        arguments: &A,
    ) -> Lookup<'c> {
        let key = client
            .state()
            .cache
            .as_deref()
            .and_then(|c| c.key(operation, arguments));
        Lookup {
            client,
            operation,
            key,
        }
    }

    /// An answer from the cache, or `call` sent and its answer kept. After an
    /// operation that changes the caller's lists succeeds, the answers that
    /// depend on them are dropped.
    pub(crate) async fn run<T>(
        self,
        call: impl std::future::Future<Output = Result<T, crate::Error>>,
    ) -> Result<T, crate::Error>
    where
        T: Clone + Shareable + Send + Sync + 'static,
    {
        let cache = self.client.state().cache.as_deref();
        if let (Some(cache), Some(key)) = (cache, &self.key) {
            if let Some(answer) = cache.lookup(key, T::clone).await {
                return Ok(answer);
            }
        }
        let answer = call.await;
        if let (Some(cache), Ok(value)) = (cache, &answer) {
            if let Some(key) = self.key {
                cache.put_everywhere(key, Arc::new(value.clone())).await;
            }
            if crate::generated::changes_lists(self.operation) {
                cache.lists_changed().await;
            }
        }
        answer
    }
}
