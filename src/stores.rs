//! A quota window and an answer cache shared by a fleet (feature `redis`).
//!
//! The service counts requests per key, not per process: three instances of
//! a program behind a load balancer, each keeping to 10 requests a minute on
//! its own, send 30 together and have two thirds refused. With
//! [`ClientBuilder::redis`](crate::ClientBuilder::redis) every client of the
//! same key and deployment pointed at the same Redis (or Valkey) keeps one
//! window there:
//!
//! - the per-minute sliding window and the month's count, updated by one
//!   server-side script per request, so that any number of processes together
//!   send no more than the plan allows (one round trip per request admitted
//!   at once; a request that has to wait asks again when the window moves);
//!   the month's count takes the service's own figure from
//!   [`Client::fetch_quota`](crate::Client::fetch_quota), as the local one does;
//! - when the client caches ([`ClientBuilder::cache`](crate::ClientBuilder::cache)),
//!   the answers, as JSON, each expiring in Redis when the local store would
//!   drop it: an address one instance has assessed is a cache hit for the
//!   others. The local store stays in front, so a repeated hit costs no round trip.
//!
//! Names in Redis start with a namespace (`threatjammer` unless
//! [`RedisStores::namespace`] says otherwise) and a SHA-256 hash of the
//! deployment's URL and the key: never the key. A Redis URL's password shows
//! in no `Debug`, error or log line.
//!
//! # When Redis cannot be reached
//!
//! Every call still works. Each Redis operation has a time limit
//! ([`RedisStores::timeout`]); one that fails or runs out puts the client on
//! its own guard and cache, with a `warn` event saying so and
//! [`RedisStats::fallbacks`] counting what was done without Redis. On its own,
//! an instance keeps to its share of the plan ([`RedisStores::fleet_size`]),
//! so that a fleet without its Redis still stays within it. Neither count
//! knows what the other admitted, so a change from one to the other lets a
//! whole window pass without sending (on the way back, a probe interval
//! more, for the other instances to find Redis back too). Redis is tried
//! again every [`RedisStores::probe_interval`] by reading the window, which
//! counts nothing, and once that works the client is back on the shared
//! window and cache, and a `warn` event says so. A Redis that answers but
//! cannot run the window (one of its names holding something else) counts
//! as away, so the client does not go back and forth. A verdict's deadline
//! ([`crate::verdict`]) counts the time spent asking Redis.

mod answers;
mod window;

use crate::call::ClientState;
use crate::quota::{QuotaGuard, QuotaPolicy};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;
pub(crate) use window::SharedWindow;

/// Where a fleet's shared stores live, and how a client uses them. Start
/// from [`RedisStores::new`]; [`ClientBuilder::redis_stores`](crate::ClientBuilder::redis_stores)
/// puts them to use.
#[derive(Clone)]
pub struct RedisStores {
    client: redis::Client,
    /// The URL without its credentials, for messages.
    shown: String,
    /// What must never appear in a message: the password, as written and decoded.
    secrets: Vec<String>,
    namespace: String,
    fleet_size: u32,
    timeout: Duration,
    probe_interval: Duration,
}

impl fmt::Debug for RedisStores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStores")
            .field("url", &self.shown)
            .field("namespace", &self.namespace)
            .field("fleet_size", &self.fleet_size)
            .field("timeout", &self.timeout)
            .field("probe_interval", &self.probe_interval)
            .finish()
    }
}

/// A Redis URL that is not one. Shows the URL without its credentials.
#[derive(Clone, Debug, thiserror::Error)]
#[error("invalid Redis URL {url}: {reason}")]
pub struct RedisUrlError {
    url: String,
    reason: String,
}

impl RedisStores {
    /// The stores at `url` (`redis://[[user]:password@]host[:port][/db]`), with
    /// the defaults: namespace `threatjammer`, a fleet of one, 250 ms for
    /// each Redis operation, another try a second after a failure. Nothing is
    /// connected until a client first needs Redis.
    pub fn new(url: &str) -> Result<RedisStores, RedisUrlError> {
        let (shown, secrets) = without_credentials(url);
        let client = redis::Client::open(url).map_err(|e| RedisUrlError {
            url: shown.clone(),
            reason: mask(&e.to_string(), &secrets),
        })?;
        Ok(RedisStores {
            client,
            shown,
            secrets,
            namespace: "threatjammer".into(),
            fleet_size: 1,
            timeout: Duration::from_millis(250),
            probe_interval: Duration::from_secs(1),
        })
    }

    /// The prefix of every name this client uses in Redis, for several
    /// programs (or test runs) sharing one Redis apart.
    pub fn namespace(mut self, namespace: impl Into<String>) -> RedisStores {
        self.namespace = namespace.into();
        self
    }

    /// How many instances share the key: while Redis cannot be reached, each
    /// keeps to this fraction of the plan's per-minute limit (at least one
    /// request a window), so that together they still keep to it. 1 unless
    /// set: an instance on its own takes the whole plan.
    pub fn fleet_size(mut self, instances: u32) -> RedisStores {
        self.fleet_size = instances.max(1);
        self
    }

    /// How long one Redis operation (connecting included) may take before the
    /// client goes on without Redis. 250 ms unless set.
    pub fn timeout(mut self, timeout: Duration) -> RedisStores {
        self.timeout = timeout;
        self
    }

    /// How long after a failure Redis is tried again; meanwhile nothing waits
    /// on it. One second unless set.
    pub fn probe_interval(mut self, interval: Duration) -> RedisStores {
        self.probe_interval = interval;
        self
    }

    /// The stores for the key `key` of the deployment at `base_url`.
    pub(crate) fn connect(self, base_url: &str, key: &str) -> Arc<Redis> {
        let mut identity = Sha256::new();
        identity.update(base_url.as_bytes());
        identity.update([0]);
        identity.update(key.as_bytes());
        let identity = identity.finalize();
        // 128 bits name a key apart from any other; the hash cannot be turned back.
        let identity: String = identity[..16].iter().map(|b| format!("{b:02x}")).collect();
        Arc::new(Redis {
            prefix: format!("{}:{identity}", self.namespace),
            connection: OnceLock::new(),
            health: [Store::Quota, Store::Cache].map(|_| {
                Mutex::new(Health {
                    down: false,
                    next_try: Instant::now(),
                })
            }),
            stats: Default::default(),
            keep_script: answers::keep_script(),
            settings: self,
        })
    }
}

/// The URL as it may be shown (scheme, host, port, path), and the password
/// it holds (in the user part or a `pass` query parameter), as written and
/// decoded. A URL that does not parse is shown as nothing of itself.
fn without_credentials(url: &str) -> (String, Vec<String>) {
    let Ok(parsed) = url::Url::parse(url) else {
        return ("(unparsable)".into(), Vec::new());
    };
    let mut secrets = Vec::new();
    let mut add = |secret: &str| {
        if !secret.is_empty() {
            secrets.push(secret.to_string());
            let decoded = percent_encoding::percent_decode_str(secret).decode_utf8_lossy();
            if decoded != secret {
                secrets.push(decoded.into_owned());
            }
        }
    };
    if let Some(password) = parsed.password() {
        add(password);
    }
    for (name, value) in parsed.query_pairs() {
        if name == "pass" || name == "password" {
            add(&value);
        }
    }
    let credentials = if parsed.username().is_empty() && parsed.password().is_none() {
        ""
    } else {
        "…@"
    };
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let shown = format!(
        "{}://{credentials}{}{port}{}",
        parsed.scheme(),
        parsed.host_str().unwrap_or_default(),
        parsed.path()
    );
    (shown, secrets)
}

/// `text` with every secret replaced.
fn mask(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_string(), |text, secret| {
        text.replace(secret.as_str(), "…")
    })
}

/// What a client's Redis stores have done since it was built (both stores together).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisStats {
    /// Whether the last Redis operation of each store succeeded (or none failed yet).
    pub reachable: bool,
    /// Requests the shared window admitted.
    pub shared_admits: u64,
    /// Lookups the local cache missed and the shared one answered.
    pub shared_hits: u64,
    /// Operations done without Redis: it failed, or was not tried again yet.
    pub fallbacks: u64,
    /// Times a store found Redis unreachable after it had answered (or at first use).
    pub outages: u64,
}

#[derive(Default)]
struct Counters {
    shared_admits: AtomicU64,
    shared_hits: AtomicU64,
    fallbacks: AtomicU64,
    outages: AtomicU64,
}

struct Health {
    down: bool,
    /// While down, when Redis is tried again.
    next_try: Instant,
}

/// The two stores, which find Redis away and back each on its own: a Redis
/// that serves the cache but cannot run the window (or the other way round)
/// must not send the client back and forth between them.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Store {
    Quota = 0,
    Cache = 1,
}

impl Store {
    fn name(self) -> &'static str {
        match self {
            Store::Quota => "quota window",
            Store::Cache => "answer cache",
        }
    }
}

/// A client's connection to the shared stores, shared by its clones.
pub(crate) struct Redis {
    settings: RedisStores,
    /// `<namespace>:<hash of the deployment and key>`.
    prefix: String,
    /// Made on first use: the connection manager starts a task, which needs
    /// the runtime that a client's builder may be called outside of.
    connection: OnceLock<ConnectionManager>,
    /// Per [`Store`].
    health: [Mutex<Health>; 2],
    stats: Counters,
    /// Loaded into Redis once, then run by its hash.
    keep_script: redis::Script,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// The name of `what` of this key in Redis.
    fn name(&self, what: &str) -> String {
        format!("{}:{what}", self.prefix)
    }

    fn health(&self, store: Store) -> std::sync::MutexGuard<'_, Health> {
        self.health[store as usize]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the last operation of `store` succeeded (or none failed yet).
    pub(crate) fn is_reachable(&self, store: Store) -> bool {
        !self.health(store).down
    }

    fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        let timeout = Some(self.settings.timeout);
        // One quick try per operation: the client's own probe interval spaces
        // the tries while Redis is away, not the manager's back-off.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(timeout)
            .set_response_timeout(timeout)
            .set_number_of_retries(0);
        let made = self.settings.client.get_connection_manager_lazy(config)?;
        Ok(self.connection.get_or_init(|| made).clone())
    }

    /// Runs `operation` of `store` on the connection, within the time
    /// limit; `None` when Redis is down for that store (then counted as a
    /// fallback) or fails now (then also said in a `warn` event, once per outage).
    async fn run<T, F, Fut>(&self, store: Store, operation: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if !self.may_try(store) {
            self.stats.fallbacks.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let outcome = match self.connection() {
            Ok(connection) => {
                match tokio::time::timeout(self.settings.timeout, operation(connection)).await {
                    Ok(outcome) => outcome.map_err(|e| e.to_string()),
                    Err(_) => Err(format!(
                        "no answer within {} ms",
                        self.settings.timeout.as_millis()
                    )),
                }
            }
            Err(e) => Err(e.to_string()),
        };
        let mut health = self.health(store);
        match outcome {
            Ok(value) => {
                if health.down {
                    health.down = false;
                    tracing::warn!(
                        redis = %self.settings.shown,
                        store = store.name(),
                        "Redis answers again: back to the shared store"
                    );
                }
                Some(value)
            }
            Err(error) => {
                if !health.down {
                    health.down = true;
                    self.stats.outages.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        redis = %self.settings.shown,
                        store = store.name(),
                        error = %mask(&error, &self.settings.secrets),
                        "Redis cannot be reached (or refused the operation): this instance \
                         keeps to its own store (for the quota, its share of the plan) until \
                         Redis answers again"
                    );
                }
                health.next_try = Instant::now() + self.settings.probe_interval;
                self.stats.fallbacks.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Whether to ask Redis now: always while it answers; while it does not,
    /// one caller per probe interval.
    fn may_try(&self, store: Store) -> bool {
        let mut health = self.health(store);
        if !health.down {
            return true;
        }
        let now = Instant::now();
        if now < health.next_try {
            return false;
        }
        health.next_try = now + self.settings.probe_interval;
        true
    }

    pub(crate) fn stats(&self) -> RedisStats {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        RedisStats {
            reachable: self.is_reachable(Store::Quota) && self.is_reachable(Store::Cache),
            shared_admits: load(&self.stats.shared_admits),
            shared_hits: load(&self.stats.shared_hits),
            fallbacks: load(&self.stats.fallbacks),
            outages: load(&self.stats.outages),
        }
    }
}

impl ClientState {
    /// Puts the quota guard on the window `redis` shares (the cache was given
    /// it when it was made). A disabled policy stays off: there is nothing to share.
    pub(crate) fn use_redis(&mut self, redis: Arc<Redis>, plan: QuotaPolicy) {
        if !plan.is_disabled() {
            let window = SharedWindow::new(redis.clone(), plan);
            self.quota = Some(Arc::new(QuotaGuard::shared(window)));
        }
        self.redis = Some(redis);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_urls_password_is_never_shown() {
        let (shown, secrets) = without_credentials("redis://me:s%40cret@cache.internal:6380/2");
        assert_eq!(shown, "redis://…@cache.internal:6380/2");
        assert_eq!(secrets, ["s%40cret", "s@cret"]);
        let stores = RedisStores::new("redis://:hunter2@127.0.0.1:1/0").unwrap();
        assert!(!format!("{stores:?}").contains("hunter2"));
        let (shown, secrets) = without_credentials("redis+unix:///run/redis.sock?pass=hunter2");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(secrets, ["hunter2"]);
        assert_eq!(mask("auth hunter2 failed", &secrets), "auth … failed");
    }

    #[test]
    fn a_bad_url_is_an_error_that_keeps_the_password_out() {
        let error = RedisStores::new("http://:hunter2@example.com/").unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains("hunter2"), "{text}");
        let error = RedisStores::new("not a url :hunter2@").unwrap_err();
        assert!(!error.to_string().contains("hunter2"));
    }
}
