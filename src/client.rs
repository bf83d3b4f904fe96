//! Building a client: where the service is, who is calling, and how.

use crate::call::ClientState;
use crate::credentials::{ApiKey, KeyError};
use crate::quota::{Quota, QuotaPolicy};
use crate::retry::RetryPolicy;
use std::time::Duration;

/// The region the public service runs in.
pub const DEFAULT_REGION: &str = "dublin";

/// A client of the ThreatJammer.com User API.
///
/// Every operation of the API is a method: `client.assess_ip(ip).await?`.
/// Cloning is cheap and clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    /// Sends every request; shared by clones (reqwest's client is a handle).
    pub(crate) http: reqwest::Client,
    /// Without a trailing slash; every path is appended to it.
    base_url: String,
    /// Everything else a call needs: the key, the policies, the shared counts.
    pub(crate) state: ClientState,
}

/// Why a client could not be built. Never contains the API key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No API key was given (or `THREATJAMMER_API_KEY` is unset).
    #[error("no API key: set THREATJAMMER_API_KEY or call ClientBuilder::api_key")]
    MissingKey,
    /// The key does not have the documented format.
    #[error("invalid API key: {0}")]
    Key(#[from] KeyError),
    /// A region name must be lower-case letters, digits and hyphens (`dublin`),
    /// since it becomes part of the host name.
    #[error(
        "invalid region {region:?}: use a name such as `dublin`, or base_url for anything else"
    )]
    Region {
        /// The region as given.
        region: String,
    },
    /// The base URL does not parse, or its scheme is neither http nor https.
    #[error("invalid base URL {url:?}: {reason}")]
    BaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The key would travel unencrypted to a host that is not this machine.
    #[error("refusing to send the API key over plain http to {host}; use https, or allow_insecure_http(true) if you mean it")]
    InsecureHttp {
        /// The host that would have received it.
        host: String,
    },
    /// The HTTP client could not be built (TLS backend initialisation).
    #[error("could not build the HTTP client: {0}")]
    Http(String),
    /// The Redis URL given to [`ClientBuilder::redis`] is not one (feature `redis`).
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    #[error(transparent)]
    Redis(#[from] crate::stores::RedisUrlError),
}

/// Configures a [`Client`]. Start from [`Client::builder`].
#[derive(Debug)]
pub struct ClientBuilder {
    key: Option<ApiKey>,
    region: String,
    base_url: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    allow_insecure_http: bool,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    /// `None` until set: then the free plan for a region, no guard for a base URL.
    quota: Option<QuotaPolicy>,
    max_response_bytes: u64,
    observe_drift: bool,
    drift_bound: usize,
    check_arguments: bool,
    #[cfg(feature = "cache")]
    cache: Option<crate::cache::CachePolicy>,
    #[cfg(feature = "cache")]
    verdict_fallback: crate::verdict::Fallback,
    #[cfg(feature = "redis")]
    redis: Option<Result<crate::stores::RedisStores, crate::stores::RedisUrlError>>,
}

/// The longest answer read unless [`ClientBuilder::max_response_bytes`] says
/// otherwise: far above the largest the API sends (a full batch of
/// assessments is well under a megabyte), far below what would hurt.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            key: None,
            region: DEFAULT_REGION.to_string(),
            base_url: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: concat!("threatjammer-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            allow_insecure_http: false,
            http: None,
            retry: RetryPolicy::default(),
            quota: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            observe_drift: true,
            drift_bound: crate::drift::MAX_FINDINGS_PER_OPERATION,
            check_arguments: true,
            #[cfg(feature = "cache")]
            cache: None,
            #[cfg(feature = "cache")]
            verdict_fallback: Default::default(),
            #[cfg(feature = "redis")]
            redis: None,
        }
    }
}

impl Client {
    /// A builder with the defaults: region `dublin`, 10 s to connect, 30 s in all,
    /// [`RetryPolicy::default`] and the free plan's quota guard.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client of `base_url` (`https://dublin.api.threatjammer.com`, or a mock) with `key`.
    pub fn new(base_url: &str, key: ApiKey) -> Result<Client, BuildError> {
        Client::builder().base_url(base_url).api_key(key).build()
    }

    /// A client configured from the environment: `THREATJAMMER_API_KEY` (required),
    /// `THREATJAMMER_REGION` and `THREATJAMMER_BASE_URL` (optional; the URL wins).
    pub fn from_env() -> Result<Client, BuildError> {
        Client::builder().from_env()?.build()
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How failed requests are repeated.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.state.retry
    }

    pub(crate) fn state(&self) -> &ClientState {
        &self.state
    }

    /// The limits the client-side quota guard keeps to ([`QuotaPolicy::disabled`] when off).
    pub fn quota_policy(&self) -> QuotaPolicy {
        self.state
            .quota
            .as_ref()
            .map_or(QuotaPolicy::disabled(), |guard| guard.policy())
    }

    /// What the cache has done so far (feature `cache`); `None` when the
    /// client does not cache.
    #[cfg(feature = "cache")]
    #[cfg_attr(docsrs, doc(cfg(feature = "cache")))]
    pub fn cache_stats(&self) -> Option<crate::cache::CacheStats> {
        self.state().cache.as_ref().map(|cache| cache.stats())
    }

    /// What the Redis stores have done so far (feature `redis`); `None`
    /// when the client does not use Redis.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn redis_stats(&self) -> Option<crate::stores::RedisStats> {
        self.state().redis.as_ref().map(|redis| redis.stats())
    }

    /// What is left of the key's quota, as the service counts it (`GET /v1/token`;
    /// the call itself counts as one request). The quota guard takes the monthly
    /// count from the answer, so requests made by other programs with the same key
    /// are counted from then on.
    pub async fn fetch_quota(&self) -> Result<Quota, crate::Error> {
        let token = self.get_token().await?;
        let quota = Quota::from_token(&token);
        if let Some(guard) = &self.state.quota {
            guard.sync(&quota).await;
        }
        Ok(quota)
    }
}

impl ClientBuilder {
    /// The API key. Keys are region-specific.
    pub fn api_key(mut self, key: ApiKey) -> Self {
        self.key = Some(key);
        self
    }

    /// A public region by name (`dublin`): `https://{region}.api.threatjammer.com`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// An explicit base URL (a private region, a mock server); overrides the region.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// How long to wait for a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt of a request may take in all.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header; `threatjammer-rust/<version>` by default.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Allows sending the key over plain `http://` to hosts other than loopback.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// How failed requests are repeated; [`RetryPolicy::default`] unless set.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The plan limits the client-side quota guard keeps to. Unless set, the guard
    /// follows [`QuotaPolicy::FREE`] for a region and is off for an explicit base URL
    /// (a mock or a private deployment, whose limits the client cannot know).
    pub fn quota(mut self, policy: QuotaPolicy) -> Self {
        self.quota = Some(policy);
        self
    }

    /// The longest answer body the client reads, in bytes
    /// ([`DEFAULT_MAX_RESPONSE_BYTES`] unless set). A longer one fails with
    /// [`crate::Error::ResponseTooLarge`] once the limit is reached, so a
    /// misbehaving server cannot make the client hold an unbounded body.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Uses your own `reqwest::Client` (proxies, custom TLS roots). It must not
    /// add an `Authorization` header of its own; the key is added per request.
    /// The builder's timeouts, user agent and proxy policy do not apply to it:
    /// if it sends plain-http requests through a proxy, that proxy sees the key.
    /// Leave its `connection_verbose` off: that logs the raw bytes sent, key
    /// included.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Reads `THREATJAMMER_API_KEY`, `THREATJAMMER_REGION`, `THREATJAMMER_BASE_URL`.
    pub fn from_env(mut self) -> Result<Self, BuildError> {
        let key = std::env::var("THREATJAMMER_API_KEY").map_err(|_| BuildError::MissingKey)?;
        self.key = Some(ApiKey::new(key)?);
        if let Ok(region) = std::env::var("THREATJAMMER_REGION") {
            self.region = region;
        }
        if let Ok(url) = std::env::var("THREATJAMMER_BASE_URL") {
            self.base_url = Some(url);
        }
        Ok(self)
    }

    /// Whether to note what answers carry that the spec of record does not
    /// describe ([`crate::drift`], read with [`Client::drift`]). On by
    /// default; off, answers are decoded without looking.
    pub fn observe_drift(mut self, observe: bool) -> Self {
        self.observe_drift = observe;
        self
    }

    /// How many distinct drift findings to keep of each operation; more are
    /// only counted ([`crate::drift::DriftReport::unkept`]). By default
    /// [`crate::drift::MAX_FINDINGS_PER_OPERATION`], which bounds what a
    /// long-lived client holds; a tool that observes a service to change the
    /// spec (the conformance runner) keeps more.
    pub fn keep_drift_findings(mut self, per_operation: usize) -> Self {
        self.drift_bound = per_operation;
        self
    }

    /// Whether request builders check their arguments against what the spec
    /// says of them (bounds, lengths, item counts, unique items, formats)
    /// before sending, refusing a bad one with [`crate::Error::Argument`]. On
    /// by default. Off, arguments go out as they are and the service judges
    /// them: for testing how a server answers what it should refuse (the
    /// conformance suite replays the documented `413` and `422` this way).
    pub fn check_arguments(mut self, check: bool) -> Self {
        self.check_arguments = check;
        self
    }

    /// Keeps answers to lookups for a while (feature `cache`): asking again
    /// about the same address, network or user agent within the time to live
    /// spends no request. Off unless set; see [`crate::cache`].
    #[cfg(feature = "cache")]
    #[cfg_attr(docsrs, doc(cfg(feature = "cache")))]
    pub fn cache(mut self, policy: crate::cache::CachePolicy) -> Self {
        self.cache = Some(policy);
        self
    }

    /// What a degraded verdict says ([`crate::verdict`]; feature `cache`):
    /// [`Fallback::LastKnownOrAllow`](crate::verdict::Fallback) unless set.
    #[cfg(feature = "cache")]
    #[cfg_attr(docsrs, doc(cfg(feature = "cache")))]
    pub fn verdict_fallback(mut self, fallback: crate::verdict::Fallback) -> Self {
        self.verdict_fallback = fallback;
        self
    }

    /// Shares the quota window, and the answer cache when the client caches
    /// ([`ClientBuilder::cache`]), with every other client of the same key and
    /// deployment pointed at the same Redis (or Valkey) at `url`
    /// (`redis://[:password@]host[:port][/db]`, `rediss://` for TLS if your
    /// `redis` crate has it). Feature `redis`; see [`crate::stores`] for what
    /// happens while Redis cannot be reached. A bad URL fails
    /// [`build`](ClientBuilder::build) with [`BuildError::Redis`].
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn redis(mut self, url: impl AsRef<str>) -> Self {
        self.redis = Some(crate::stores::RedisStores::new(url.as_ref()));
        self
    }

    /// [`ClientBuilder::redis`] with settings of its own: a namespace, the
    /// fleet's size, timeouts.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn redis_stores(mut self, stores: crate::stores::RedisStores) -> Self {
        self.redis = Some(Ok(stores));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let key = self.key.ok_or(BuildError::MissingKey)?;
        let raw = match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None if is_region_name(&self.region) => {
                format!("https://{}.api.threatjammer.com", self.region)
            }
            // Anything else could change the host the key is sent to ("evil.example/").
            None => {
                return Err(BuildError::Region {
                    region: self.region,
                })
            }
        };
        let url = reqwest::Url::parse(&raw).map_err(|e| BuildError::BaseUrl {
            url: raw.clone(),
            reason: e.to_string(),
        })?;
        let host = url.host_str().unwrap_or_default().to_string();
        match url.scheme() {
            "https" => {}
            "http" if self.allow_insecure_http || is_loopback(&url) => {}
            "http" => return Err(BuildError::InsecureHttp { host }),
            other => {
                return Err(BuildError::BaseUrl {
                    url: raw,
                    reason: format!("unsupported scheme {other}"),
                })
            }
        }
        let auth = key.header_value()?;
        let http = match self.http {
            Some(client) => client,
            None => {
                let builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .user_agent(self.user_agent);
                // reqwest reads HTTP_PROXY / ALL_PROXY from the environment,
                // loopback included. A proxy of a plain-http request sees the
                // whole request, key and all, so plain http goes straight to the
                // base URL; an https request may still go through the
                // environment's proxy, which only tunnels the encrypted stream
                // (CONNECT) and never sees the header.
                let builder = match url.scheme() {
                    "https" => builder,
                    _ => builder.no_proxy(),
                };
                builder
                    .build()
                    .map_err(|e| BuildError::Http(e.to_string()))?
            }
        };
        let quota = self.quota.unwrap_or(match self.base_url {
            Some(_) => QuotaPolicy::disabled(),
            None => QuotaPolicy::FREE,
        });
        #[cfg(feature = "cache")]
        let identity = crate::cache::KeyIdentity::of(&raw, key.secret());
        #[allow(unused_mut)]
        let mut state = ClientState::new(
            auth,
            key.redactor(),
            &url,
            self.retry,
            quota,
            self.max_response_bytes,
            self.observe_drift.then_some(self.drift_bound),
            self.check_arguments,
        );
        #[cfg(feature = "redis")]
        let redis = match self.redis {
            Some(stores) => Some(stores?.connect(&raw, key.secret())),
            None => None,
        };
        #[cfg(feature = "cache")]
        {
            state.cache = self.cache.map(|policy| {
                let cache = crate::cache::AnswerCache::new(policy, identity);
                #[cfg(feature = "redis")]
                let cache = cache.shared(redis.clone());
                std::sync::Arc::new(cache)
            });
            state.verdict_fallback = self.verdict_fallback;
        }
        #[cfg(feature = "redis")]
        if let Some(redis) = redis {
            state.use_redis(redis, quota);
        }
        Ok(Client {
            http,
            base_url: raw,
            state,
        })
    }
}

fn is_region_name(region: &str) -> bool {
    !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
