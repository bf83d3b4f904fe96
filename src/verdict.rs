//! A verdict on an address within a deadline (feature `cache`): what a
//! request handler asks before it lets a sign-up, a login or a checkout
//! through.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client, peer: std::net::IpAddr) {
//! use std::time::Duration;
//! use threatjammer::types::IpAssessmentOutputRisk as Risk;
//! let verdict = tj.verdict(peer).deadline(Duration::from_millis(300)).await;
//! if verdict.blocks_at(&Risk::High) {
//!     // refuse
//! }
//! # }
//! ```
//!
//! A verdict always comes, within the deadline: from the cache when it holds
//! a fresh assessment, from the service when it answers in time, and
//! otherwise degraded, saying why (the deadline passed, the quota is spent for
//! the minute or the month, the service cannot be reached or refused, the
//! address is not public). It never waits for the quota guard past the
//! deadline: when the minute's requests are spent until after it, nothing is
//! sent. An assessment that outlives its deadline goes on in the background
//! and fills the cache; a verdict on the same address meanwhile waits for it
//! rather than send a second request. What a degraded verdict says is the
//! client's [`Fallback`], set once on its builder.

use crate::bulk::is_public;
use crate::generated::types::{IpAssessmentOutput, IpAssessmentOutputRisk as Risk};
use crate::{Client, Error};
use futures_util::future::{BoxFuture, FutureExt, Shared};
use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

/// The deadline of a verdict unless its request says otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(500);

/// What a degraded verdict says. Set once with
/// [`ClientBuilder::verdict_fallback`](crate::ClientBuilder::verdict_fallback).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// Let the request through (fail open).
    Allow,
    /// Refuse the request (fail closed).
    Deny,
    /// The last answer the cache holds, however old; without one, let it through.
    /// The default: the service being slow should not turn away everyone, and
    /// an address known to be risky stays known.
    #[default]
    LastKnownOrAllow,
    /// The last answer the cache holds, however old; without one, refuse it.
    LastKnownOrDeny,
}

/// Where a verdict's risk came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// The service answered within the deadline.
    Fresh,
    /// A fresh answer from the cache; nothing was sent.
    Cached,
    /// No fresh answer could be had; the verdict is the fallback's.
    Degraded(Degraded),
}

/// Why a verdict is degraded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Degraded {
    /// The service had not answered when the deadline passed (the request
    /// goes on in the background and fills the cache).
    DeadlinePassed,
    /// The minute's requests are spent until after the deadline; nothing was sent.
    QuotaMinute,
    /// The month's requests are spent; nothing was sent.
    QuotaMonth,
    /// The service could not be reached, or did not answer in time.
    Unreachable,
    /// The service answered with an error (the status, when there was one).
    Refused(Option<u16>),
    /// The address is not public: the service assesses none such, so nothing was sent.
    PrivateAddress,
}

/// A verdict on one address.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Verdict {
    /// The address judged.
    pub address: IpAddr,
    /// Its risk, when known: fresh, cached, or the last known answer of a
    /// degraded verdict whose fallback uses it.
    pub risk: Option<Risk>,
    /// Its score, 0 to 99, when known.
    pub score: Option<i64>,
    /// Where the risk came from.
    pub source: Source,
    /// Whether an unknown risk refuses (the fallback's choice).
    deny_unknown: bool,
}

impl Verdict {
    /// Whether the verdict is the fallback's rather than a fresh or cached answer.
    pub fn is_degraded(&self) -> bool {
        matches!(self.source, Source::Degraded(_))
    }

    /// Whether a request from the address should be refused when `threshold`
    /// and above are refused. Risks rank `UNKNOWN` < `LOW` < `MEDIUM` <
    /// `HIGH`; a level this version does not know ranks as `UNKNOWN`. With no
    /// risk known, the fallback decides.
    pub fn blocks_at(&self, threshold: &Risk) -> bool {
        match &self.risk {
            Some(risk) => rank(risk) >= rank(threshold),
            None => self.deny_unknown,
        }
    }
}

fn rank(risk: &Risk) -> u8 {
    match risk {
        Risk::Low => 1,
        Risk::Medium => 2,
        Risk::High => 3,
        _ => 0,
    }
}

/// The request for a verdict: awaiting it gives the [`Verdict`].
#[must_use = "a verdict is asked for only when it is awaited"]
#[derive(Debug)]
pub struct VerdictRequest<'a> {
    client: &'a Client,
    address: IpAddr,
    deadline: Duration,
}

impl VerdictRequest<'_> {
    /// How long the verdict may take in all ([`DEFAULT_DEADLINE`] unless set).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
}

impl<'a> IntoFuture for VerdictRequest<'a> {
    type Output = Verdict;
    type IntoFuture = Pin<Box<dyn Future<Output = Verdict> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(judge(self.client, self.address, self.deadline))
    }
}

impl Client {
    /// A verdict on `address` within a deadline (see [`crate::verdict`]).
    pub fn verdict(&self, address: IpAddr) -> VerdictRequest<'_> {
        VerdictRequest {
            client: self,
            address,
            deadline: DEFAULT_DEADLINE,
        }
    }
}

/// What an assessment in flight gives every verdict waiting for it.
type Outcome = Result<(Risk, Option<i64>), Degraded>;

/// Assessments started by verdicts and not yet finished, by address.
#[derive(Default)]
pub(crate) struct InFlight(Mutex<HashMap<IpAddr, Shared<BoxFuture<'static, Outcome>>>>);

impl InFlight {
    fn map(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Shared<BoxFuture<'static, Outcome>>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn judge(client: &Client, address: IpAddr, deadline: Duration) -> Verdict {
    let fallback = client.state().verdict_fallback;
    let cache = client.state().cache.clone();
    let key = cache
        .as_ref()
        .and_then(|c| c.key(crate::OperationId::ASSESS_IP.as_str(), &(&address,)));
    let verdict = |risk: Option<(Risk, Option<i64>)>, source: Source| Verdict {
        address,
        score: risk.as_ref().and_then(|(_, s)| *s),
        risk: risk.map(|(r, _)| r),
        source,
        deny_unknown: matches!(fallback, Fallback::Deny | Fallback::LastKnownOrDeny),
    };
    let degrade = |why: Degraded| {
        let last = match fallback {
            Fallback::LastKnownOrAllow | Fallback::LastKnownOrDeny => cache
                .as_ref()
                .zip(key.as_ref())
                .and_then(|(c, k)| c.last_known(k))
                .and_then(|entry| entry.value::<IpAssessmentOutput>().map(risk_of)),
            Fallback::Allow | Fallback::Deny => None,
        };
        verdict(last, Source::Degraded(why))
    };
    if !is_public(address) {
        return degrade(Degraded::PrivateAddress);
    }
    let started = tokio::time::Instant::now();
    if let Some((cache, key)) = cache.as_ref().zip(key.as_ref()) {
        // A shared layer's round trip counts against the deadline too.
        match tokio::time::timeout_at(started + deadline, cache.lookup(key, risk_of)).await {
            Ok(Some(known)) => return verdict(Some(known), Source::Cached),
            Ok(None) => {}
            Err(_) => return degrade(Degraded::DeadlinePassed),
        }
    }
    if let Some(guard) = &client.state().quota {
        if guard.month_spent().is_some() {
            return degrade(Degraded::QuotaMonth);
        }
        if guard
            .minute_free_at()
            .is_some_and(|free| free > started + deadline)
        {
            return degrade(Degraded::QuotaMinute);
        }
    }
    let assessment = match &cache {
        // Shared, and run on its own task: it goes on past the deadline and
        // fills the cache, and a verdict on the same address joins it.
        Some(cache) => {
            let mut in_flight = cache.in_flight.map();
            in_flight
                .entry(address)
                .or_insert_with(|| {
                    let client = client.clone();
                    let task = tokio::spawn(async move {
                        let outcome = assess(&client, address).await;
                        if let Some(cache) = &client.state().cache {
                            cache.in_flight.map().remove(&address);
                        }
                        outcome
                    });
                    task.map(|joined| joined.unwrap_or(Err(Degraded::Unreachable)))
                        .boxed()
                        .shared()
                })
                .clone()
                .boxed()
        }
        None => assess(client, address).boxed(),
    };
    match tokio::time::timeout_at(started + deadline, assessment).await {
        Ok(Ok(known)) => verdict(Some(known), Source::Fresh),
        Ok(Err(why)) => degrade(why),
        Err(_) => degrade(Degraded::DeadlinePassed),
    }
}

async fn assess(client: &Client, address: IpAddr) -> Outcome {
    match client.assess_ip(address).await {
        Ok(assessment) => Ok(risk_of(&assessment)),
        Err(Error::Timeout | Error::Connection(_)) => Err(Degraded::Unreachable),
        Err(Error::QuotaExhausted { .. }) => Err(Degraded::QuotaMonth),
        Err(Error::RateLimited { .. }) => Err(Degraded::QuotaMinute),
        Err(error) => Err(Degraded::Refused(error.status().map(|s| s.as_u16()))),
    }
}

fn risk_of(assessment: &IpAssessmentOutput) -> (Risk, Option<i64>) {
    (assessment.risk.clone(), assessment.score)
}
