//! What every call of one client shares: the key's header, the policies, and
//! the counts clones share (quota, drift, cache).

use crate::path::Refused;
use crate::quota::QuotaGuard;
use crate::redact::Redactor;
use crate::retry::RetryPolicy;
use std::fmt;
use std::sync::Arc;

/// The client's shared state. Clones share the quota counts, the drift log
/// and the cache.
#[derive(Clone)]
pub(crate) struct ClientState {
    /// `Authorization: Bearer …`, its value marked sensitive so `http`'s `Debug` hides it.
    pub(super) auth: reqwest::header::HeaderValue,
    pub(crate) retry: RetryPolicy,
    /// `None` when the policy is disabled, so that nothing is counted.
    pub(crate) quota: Option<Arc<QuotaGuard>>,
    /// Masks this client's key in everything an error or a log line keeps.
    pub(crate) redactor: Redactor,
    /// The longest answer body read, in bytes.
    pub(super) max_response_bytes: u64,
    /// What answers carried that the spec of record does not describe;
    /// `None` when observation is off. Shared by clones, like the quota.
    pub(crate) drift: Option<Arc<crate::drift::DriftLog>>,
    /// The base URL's own path (`/api` of `https://host/api`), as the URL
    /// parser writes it; empty for a host alone. Paths are checked after it.
    base_path: Box<str>,
    /// Whether request builders check their arguments against the spec
    /// before sending (`ClientBuilder::check_arguments`).
    pub(crate) check_arguments: bool,
    /// Answers to lookups, when the client caches them. Shared by clones.
    #[cfg(feature = "cache")]
    pub(crate) cache: Option<Arc<crate::cache::AnswerCache>>,
    /// What a degraded verdict says.
    #[cfg(feature = "cache")]
    pub(crate) verdict_fallback: crate::verdict::Fallback,
    /// The Redis stores the quota guard and the cache share, when used.
    #[cfg(feature = "redis")]
    pub(crate) redis: Option<Arc<crate::stores::Redis>>,
}

impl ClientState {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        auth: reqwest::header::HeaderValue,
        redactor: Redactor,
        base_url: &reqwest::Url,
        retry: RetryPolicy,
        quota: crate::QuotaPolicy,
        max_response_bytes: u64,
        observe_drift: Option<usize>,
        check_arguments: bool,
    ) -> ClientState {
        ClientState {
            auth,
            max_response_bytes,
            drift: observe_drift.map(|bound| Arc::new(crate::drift::DriftLog::new(bound))),
            retry,
            quota: (!quota.is_disabled()).then(|| Arc::new(QuotaGuard::new(quota))),
            redactor,
            base_path: base_url.path().trim_end_matches('/').into(),
            check_arguments,
            #[cfg(feature = "cache")]
            cache: None,
            #[cfg(feature = "cache")]
            verdict_fallback: Default::default(),
            #[cfg(feature = "redis")]
            redis: None,
        }
    }

    /// Whether `path` (a link's, written by [`crate::Link`]'s `Display`),
    /// appended to the base URL, reaches the server exactly as written: the
    /// URL parser must leave it as it is.
    pub(crate) fn check_path(&self, path: &str) -> Result<(), Refused> {
        let parsed = reqwest::Url::parse(&format!("http://h{}{path}", self.base_path))
            .map_err(|_| Refused::Changed)?;
        match parsed.path().strip_prefix(&*self.base_path) {
            Some(sent) if sent == path => Ok(()),
            _ => Err(Refused::Changed),
        }
    }

    /// Checks a request's path, as the URL parser left it, against the
    /// number of `/` in its operation's template.
    pub(super) fn check_sent(&self, template_slashes: usize, sent: &str) -> Result<(), Refused> {
        let sent = sent
            .strip_prefix(&*self.base_path)
            .ok_or(Refused::Changed)?;
        crate::path::check(template_slashes, sent)
    }
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientState")
            .field("auth", &"Bearer tja_…")
            .field("retry", &self.retry)
            .field("quota", &self.quota.as_ref().map(|q| q.policy()))
            .field("base_path", &self.base_path)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("observe_drift", &self.drift.is_some())
            .finish()
    }
}
