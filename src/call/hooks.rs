//! What happens around every request, generated or hand-written. Every
//! request goes through [`round_trip`]: the generated methods call it in
//! place of progenitor's own hook sequence (build/main.rs, adaptation 10), and the
//! hand-written ones (`src/call/send.rs`) call it too. Authentication, the path
//! check, the quota guard and the request's tracing live here, so no operation
//! can miss them. Repeating a call is one level up, in [`super::run`].

use super::notes::{note, read, Answer, Refusal};
use crate::error::without_url;
use crate::generated;
use crate::path::Refused;
use crate::quota::QuotaGuard;
use crate::redact::Redactor;
use crate::retry::RetryPolicy;
use futures_util::future::{ready, Either, TryFutureExt};
use progenitor_client::{ClientInfo, OperationInfo};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use tokio::time::Instant;

/// Per-client state the request hooks need. progenitor keeps it in the
/// generated client as its "inner" value; clones share the quota counts.
#[derive(Clone)]
pub struct HookState {
    /// `Authorization: Bearer …`, its value marked sensitive so `http`'s `Debug` hides it.
    auth: reqwest::header::HeaderValue,
    pub(crate) retry: RetryPolicy,
    /// `None` when the policy is disabled, so that nothing is counted.
    pub(crate) quota: Option<Arc<QuotaGuard>>,
    /// Masks this client's key in everything an error or a log line keeps.
    pub(crate) redactor: Redactor,
    /// The longest answer body read, in bytes.
    max_response_bytes: u64,
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

impl HookState {
    pub(crate) fn new(
        auth: reqwest::header::HeaderValue,
        redactor: Redactor,
        base_url: &reqwest::Url,
        retry: RetryPolicy,
        quota: crate::QuotaPolicy,
        max_response_bytes: u64,
        observe_drift: bool,
        check_arguments: bool,
    ) -> HookState {
        HookState {
            auth,
            max_response_bytes,
            drift: observe_drift.then(Default::default),
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
    fn check_sent(&self, template_slashes: usize, sent: &str) -> Result<(), Refused> {
        let sent = sent
            .strip_prefix(&*self.base_path)
            .ok_or(Refused::Changed)?;
        crate::path::check(template_slashes, sent)
    }
}

impl fmt::Debug for HookState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HookState")
            .field("auth", &"Bearer tja_…")
            .field("retry", &self.retry)
            .field("quota", &self.quota.as_ref().map(|q| q.policy()))
            .field("base_path", &self.base_path)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("observe_drift", &self.drift.is_some())
            .finish()
    }
}

/// progenitor insists that its hooks trait is implemented. The sequence that
/// would call it is replaced by [`round_trip`] (build/main.rs, adaptation 10), so
/// nothing reaches these defaults.
impl progenitor_client::ClientHooks<HookState> for generated::Client {}

/// Sends one request of the operation `info` names: the checks before
/// sending, then the attempts. `template_slashes` is the number of `/` in the
/// operation's path template, which its path must still have when sent.
/// Not an `async fn`, so that the request lives in one place (the attempts'
/// future) instead of being kept twice.
pub(crate) fn round_trip<'a, E: 'a>(
    api: &'a generated::Client,
    request: reqwest::Request,
    info: &OperationInfo,
    template_slashes: Option<usize>,
) -> impl Future<Output = Result<reqwest::Response, progenitor_client::Error<E>>> + 'a {
    match admit(api, &request, info.operation_id, template_slashes) {
        // The reason itself is in the call's notes; this is progenitor's side of it.
        Err(message) => Either::Left(ready(Err(progenitor_client::Error::Custom(message)))),
        Ok(()) => Either::Right(exec(api, request).map_err(Into::into)),
    }
}

/// Refuses the call before anything is sent when its path would not reach
/// the operation with the segments it was built from (an argument of `..`),
/// or when the month's quota is spent: the service would answer `429` until
/// the month starts again. Reading the token is let through the quota, since
/// it is how [`crate::Client::fetch_quota`] learns that the month has started
/// again sooner than the client thought.
fn admit(
    api: &generated::Client,
    request: &reqwest::Request,
    operation_id: &'static str,
    template_slashes: Option<usize>,
) -> Result<(), String> {
    let state = api.inner();
    if let Some(slashes) = template_slashes {
        if let Err(refused) = state.check_sent(slashes, request.url().path()) {
            let reason = refused.to_string();
            note(|n| n.refused = Some(Refusal::Path(reason)));
            return Err("the request's path was refused".into());
        }
    }
    if !crate::generated::counted(operation_id) {
        return Ok(());
    }
    let spent = state.quota.as_ref().and_then(|q| q.month_spent());
    if let Some((limit, resets_in)) = spent {
        tracing::warn!(
            operation = operation_id,
            limit,
            "monthly quota spent; request not sent"
        );
        note(|n| n.refused = Some(Refusal::Quota { limit, resets_in }));
        return Err(format!("the monthly quota of {limit} requests is spent"));
    }
    Ok(())
}

/// Authenticates `request` and sends it once, within the quota guard's
/// pace. Repeating is the whole call's business (`super::run`), so that a
/// failure while the body is read is repeated like one before the answer.
fn exec<'a>(
    api: &'a generated::Client,
    mut request: reqwest::Request,
) -> impl Future<Output = reqwest::Result<reqwest::Response>> + 'a {
    let state = api.inner();
    // Added per request rather than as a default header of the reqwest client,
    // so a caller-supplied reqwest::Client authenticates too. reqwest drops it
    // when a redirect leads to another host, port or scheme.
    request
        .headers_mut()
        .insert(reqwest::header::AUTHORIZATION, state.auth.clone());
    if let Some(timeout) = read(|n| n.timeout) {
        *request.timeout_mut() = Some(timeout);
    }
    // The call's span names the operation and the path, never headers: the key
    // travels in one. Paths hold arguments, which may be anything a caller was
    // handed, so they are masked; with no subscriber listening, nothing is.
    let span = tracing::Span::current();
    if !span.is_disabled() {
        span.record("method", request.method().as_str());
        span.record("path", &*state.redactor.text(request.url().path()));
    }
    async move {
        // Only the `debug` event reads the time taken.
        let started = tracing::enabled!(tracing::Level::DEBUG).then(Instant::now);
        // The wait is boxed: a timer is large, and unboxed it would make every
        // call's future larger (and costlier to move) for a wait most calls never make.
        if let Some(guard) = &state.quota {
            if guard.try_admit().is_err() {
                Box::pin(guard.admit()).await;
            }
        }
        let outcome = api.client().execute(request).await;
        finish(api, outcome, started)
    }
}

/// Records the final outcome on the span and in the call's notes.
fn finish(
    api: &generated::Client,
    outcome: reqwest::Result<reqwest::Response>,
    started: Option<Instant>,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::Span::current();
    let redactor = &api.inner().redactor;
    let elapsed_ms = started.map_or(0, |s| s.elapsed().as_millis() as u64);
    let outcome = outcome.map(|response| bounded(response, api.inner().max_response_bytes));
    match &outcome {
        Ok(response) => {
            let status = response.status().as_u16();
            span.record("status", status);
            tracing::debug!(status, elapsed_ms, "answered");
            // A success that fails to decode is reported from its body alone.
            if !response.status().is_success() {
                note(|n| n.answer = Some(Answer::of(response)));
            }
        }
        Err(error) => {
            tracing::debug!(
                elapsed_ms,
                error = &*redactor.text(&without_url(error)),
                "no answer"
            );
        }
    }
    outcome
}

/// Makes a body longer than `limit` end in an error instead of in memory.
/// hyper already holds a body to the length it declares, so only a body that
/// declares none (chunked, or read to the close) or more than the limit is
/// wrapped; the common answer passes untouched.
fn bounded(response: reqwest::Response, limit: u64) -> reqwest::Response {
    if response
        .content_length()
        .is_some_and(|length| length <= limit)
    {
        return response;
    }
    note(|n| n.body_limit = Some(limit));
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let limited = http_body_util::Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX));
    reqwest::Response::from(http::Response::from_parts(
        parts,
        reqwest::Body::wrap(limited),
    ))
}
