//! Bulk assessment: any number of addresses (or user agents) in, one outcome
//! per input out, at the fewest requests the service allows.
//!
//! Every request costs one quota point whether it carries one address or a
//! full batch, so [`Client::assess_many`] packs distinct public addresses into
//! requests of [`Client::assess_ips`], each as full as the spec of record
//! allows (the `maxItems` of its request body), sends a few batches at a time,
//! and hands out an outcome for every input as answers arrive:
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use threatjammer::bulk::Outcome;
//! # async fn demo(client: threatjammer::Client, ips: Vec<std::net::IpAddr>) {
//! let mut results = client.assess_many(ips);
//! while let Some(item) = results.next().await {
//!     match item.outcome {
//!         Outcome::Answered(a) => println!("{} {:?} {:?}", item.input, a.score, a.risk),
//!         Outcome::NotPublic => println!("{} not public, not assessed", item.input),
//!         Outcome::Unanswered => println!("{} left out of the answer", item.input),
//!         Outcome::Failed(e) => println!("{} failed: {e}", item.input),
//!     }
//! }
//! println!("{:?}", results.summary());
//! # }
//! ```
//!
//! How the work is shaped, and what it costs:
//!
//! - **Not public** addresses (private, loopback, documentation, …: see
//!   [`is_public`]) are answered at once with [`Outcome::NotPublic`] and never
//!   sent: the service would skip them and still count the request.
//! - **Duplicates** are sent once and every occurrence gets the answer. An
//!   address waiting in a batch, or among the last [`remember`] answered ones
//!   (least recently used forgotten first), is not sent again. Memory stays
//!   bounded whatever the input's length; the price is that a duplicate seen
//!   again only after more than `remember` other distinct addresses is
//!   assessed again (one more address in some batch, rarely a whole request).
//! - **Batches** of up to the request body's `maxItems` ([`batch_size`]) are sent with at most
//!   [`concurrency`] in flight, through the client like any other call, so they
//!   get its quota guard and retry policy. Answers are matched to addresses by
//!   each result's `self` link, never by position. A batch that still fails
//!   after the client's retries fails every address in it with the same
//!   [`Error`], shared in an `Arc`.
//! - **Back pressure**: the stream does nothing until polled and reads input
//!   only to fill the current batch or to hand out the next outcome, so a slow
//!   consumer slows the reading. At most about 4 × `batch_size` × (`concurrency`
//!   plus one) inputs are held at any time; a run of duplicates long enough to
//!   reach that with nothing in flight sends the current batch before it is full.
//! - **Accounting**: every input yields exactly one [`BulkItem`], with its
//!   position, in the order answers arrive (not input order).
//!   [`BulkStream::summary`] counts outcomes and requests.
//!
//! To have every item at once and the counts too, use
//! [`BulkStream::collect_with_summary`]: `StreamExt::collect` consumes the
//! stream, and its summary with it.
//!
//! ```no_run
//! # async fn demo(client: threatjammer::Client, ips: Vec<std::net::IpAddr>) {
//! let (items, summary) = client.assess_many(ips).collect_with_summary().await;
//! println!("{} items from {} requests", items.len(), summary.requests);
//! # }
//! ```
//!
//! [`Client::geolocate_many`] (batches of [`Client::geolocate_ips`]) and
//! [`Client::parse_user_agents_many`] (batches of [`Client::parse_user_agents`],
//! no local filter) work the same way, each batch as large as its operation's
//! `maxItems`.
//!
//! [`remember`]: BulkStream::remember
//! [`batch_size`]: BulkStream::batch_size
//! [`concurrency`]: BulkStream::concurrency

mod recent;
mod scope;

pub use scope::is_public;

use crate::generated::max_items;
use crate::{types, Client, Error, Link, OperationId};
use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, FusedStream, FuturesUnordered, StreamExt};
use futures_util::Stream;
use recent::Recent;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// How many inputs may be held (read but not yet handed out) per batch slot.
const HOLD_FACTOR: usize = 4;

/// Distinct answers remembered for later duplicates, unless set with [`BulkStream::remember`].
pub const DEFAULT_REMEMBER: usize = 10_000;

/// Batches in flight at once, unless set with [`BulkStream::concurrency`].
pub const DEFAULT_CONCURRENCY: usize = 4;

/// The stream of assessments [`Client::assess_many`] returns.
pub type AssessmentStream<'a> = BulkStream<'a, IpAddr, types::IpAssessmentOutput>;
/// The stream of locations [`Client::geolocate_many`] returns.
pub type GeolocationStream<'a> = BulkStream<'a, IpAddr, types::GeoIpOutput>;
/// The stream of analyses [`Client::parse_user_agents_many`] returns.
pub type UserAgentStream<'a> = BulkStream<'a, String, types::UaOutput>;

/// What became of one input.
#[derive(Clone, Debug)]
pub enum Outcome<T> {
    /// The service's answer for it (an assessment, a location or a user agent
    /// analysis). Every occurrence of a duplicate shares the one answer: a
    /// copy per item would cost more than everything else the stream does.
    Answered(Arc<T>),
    /// Not a public address ([`is_public`]); answered locally, nothing spent.
    NotPublic,
    /// Sent, but the service's answer to its batch held no result for it (it
    /// skips addresses it does not assess, and this one was not recognised as
    /// such locally).
    Unanswered,
    /// Its batch failed after the client's retries. Every input of the batch
    /// shares the one error.
    Failed(Arc<Error>),
}

impl<T> Outcome<T> {
    /// The service's answer, when there is one.
    pub fn answer(&self) -> Option<&T> {
        match self {
            Outcome::Answered(answer) => Some(answer.as_ref()),
            _ => None,
        }
    }
}

/// One input and what became of it.
#[derive(Clone, Debug)]
pub struct BulkItem<K, T> {
    /// Where the input was: its 0-based index in the input, or the number it
    /// was given with (`(line, address)` inputs, see [`BulkInput`]).
    pub position: u64,
    /// The input as given (an address, or a user agent string).
    pub input: K,
    /// What became of it.
    pub outcome: Outcome<T>,
}

/// Counts of a bulk run so far; final once the stream has ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkSummary {
    /// Inputs read.
    pub inputs: u64,
    /// Items handed out as [`Outcome::Answered`].
    pub answered: u64,
    /// Items handed out as [`Outcome::NotPublic`].
    pub not_public: u64,
    /// Items handed out as [`Outcome::Unanswered`].
    pub unanswered: u64,
    /// Items handed out as [`Outcome::Failed`].
    pub failed: u64,
    /// Inputs answered without being sent themselves: duplicates of an input
    /// in a batch, or of a remembered answer.
    pub duplicates: u64,
    /// Distinct values sent, summed over batches.
    pub sent: u64,
    /// Batch requests made, each one quota point. Repetitions made by the
    /// client's retry policy are not counted here.
    pub requests: u64,
    /// Batch requests that failed after the client's retries.
    pub failed_requests: u64,
    /// Results in an answer whose `self` link named nothing in their batch; ignored.
    pub unmatched_results: u64,
    /// Distinct values answered from the client's cache (feature `cache`)
    /// rather than sent.
    pub from_cache: u64,
}

impl BulkSummary {
    /// Items handed out so far; equal to [`inputs`](BulkSummary::inputs) once the stream has ended.
    pub fn handed_out(&self) -> u64 {
        self.answered + self.not_public + self.unanswered + self.failed
    }
}

/// An input of the bulk methods: a value alone, numbered by its index in the
/// input, or `(number, value)` to carry a number of your own (a line number)
/// into [`BulkItem::position`].
pub trait BulkInput<K> {
    /// The number given with the value, if any, and the value.
    fn into_parts(self) -> (Option<u64>, K);
}

impl BulkInput<IpAddr> for IpAddr {
    fn into_parts(self) -> (Option<u64>, IpAddr) {
        (None, self)
    }
}

impl BulkInput<IpAddr> for Ipv4Addr {
    fn into_parts(self) -> (Option<u64>, IpAddr) {
        (None, IpAddr::V4(self))
    }
}

impl BulkInput<IpAddr> for Ipv6Addr {
    fn into_parts(self) -> (Option<u64>, IpAddr) {
        (None, IpAddr::V6(self))
    }
}

impl BulkInput<IpAddr> for (u64, IpAddr) {
    fn into_parts(self) -> (Option<u64>, IpAddr) {
        (Some(self.0), self.1)
    }
}

impl BulkInput<String> for String {
    fn into_parts(self) -> (Option<u64>, String) {
        (None, self)
    }
}

impl BulkInput<String> for &str {
    fn into_parts(self) -> (Option<u64>, String) {
        (None, self.to_string())
    }
}

impl BulkInput<String> for (u64, String) {
    fn into_parts(self) -> (Option<u64>, String) {
        (Some(self.0), self.1)
    }
}

impl Client {
    /// Assesses every address of `addresses` at the fewest requests: see the
    /// [`bulk`](crate::bulk) module. Nothing happens until the stream is polled.
    pub fn assess_many<'a, I>(&self, addresses: I) -> AssessmentStream<'a>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'a,
        I::Item: BulkInput<IpAddr>,
    {
        self.assess_stream(futures_util::stream::iter(addresses))
    }

    /// [`assess_many`](Client::assess_many) for addresses that arrive as a stream.
    pub fn assess_stream<'a, S>(&self, addresses: S) -> AssessmentStream<'a>
    where
        S: Stream + Send + 'a,
        S::Item: BulkInput<IpAddr>,
    {
        BulkStream::new(self, &ASSESS, addresses)
    }

    /// Geolocates every address of `addresses` in batches of
    /// [`geolocate_ips`](Client::geolocate_ips), like [`assess_many`](Client::assess_many).
    pub fn geolocate_many<'a, I>(&self, addresses: I) -> GeolocationStream<'a>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'a,
        I::Item: BulkInput<IpAddr>,
    {
        self.geolocate_stream(futures_util::stream::iter(addresses))
    }

    /// [`geolocate_many`](Client::geolocate_many) for addresses that arrive as a stream.
    pub fn geolocate_stream<'a, S>(&self, addresses: S) -> GeolocationStream<'a>
    where
        S: Stream + Send + 'a,
        S::Item: BulkInput<IpAddr>,
    {
        BulkStream::new(self, &GEOLOCATE, addresses)
    }

    /// Analyses every user agent string of `agents` in batches of
    /// [`parse_user_agents`](Client::parse_user_agents), like
    /// [`assess_many`](Client::assess_many). Every string is sent; none is
    /// answered locally.
    pub fn parse_user_agents_many<'a, I>(&self, agents: I) -> UserAgentStream<'a>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'a,
        I::Item: BulkInput<String>,
    {
        self.parse_user_agents_stream(futures_util::stream::iter(agents))
    }

    /// [`parse_user_agents_many`](Client::parse_user_agents_many) for strings that arrive as a stream.
    pub fn parse_user_agents_stream<'a, S>(&self, agents: S) -> UserAgentStream<'a>
    where
        S: Stream + Send + 'a,
        S::Item: BulkInput<String>,
    {
        BulkStream::new(self, &PARSE_USER_AGENTS, agents)
    }
}

/// Sends one batch of values and returns the results of the answer.
type Sender<T> = fn(Client, Vec<String>) -> BoxFuture<'static, Result<Vec<T>, Error>>;

/// What differs between the three bulk operations (assessment, geolocation, user agents).
struct BulkOperation<K, T> {
    /// The largest batch the service accepts: the `maxItems` of the batch
    /// operation's request body.
    max_batch: usize,
    /// The value to send for an input, or `None` to answer it locally as not public.
    key: fn(&K) -> Option<K>,
    /// The value as it goes into the request body.
    wire: fn(&K) -> String,
    /// Sends one batch.
    send: Sender<T>,
    /// The keys a result may answer, most likely first, read from its `self` link.
    answers: fn(&T) -> Vec<K>,
    /// The operation that answers one value alone, whose cached answers the
    /// batch shares: a value the cache can answer is not sent, and each
    /// result is kept as that operation's answer to its value.
    #[cfg_attr(not(feature = "cache"), allow(dead_code))]
    single: &'static str,
}

// Constants, not statics: a static is compiled into the library with every
// function it points to, which here is each operation's whole call and three
// decoders of its answer (half the library's machine code); a constant is
// compiled only where a program starts a bulk stream (docs/build-cost.md).
const ASSESS: BulkOperation<IpAddr, types::IpAssessmentOutput> = BulkOperation {
    max_batch: max_items::ASSESS_IPS,
    key: public_key,
    wire: ToString::to_string,
    send: |client, batch| Box::pin(async move { Ok(client.assess_ips(batch).await?.results) }),
    answers: |result| {
        assessed_address(result.self_.as_ref())
            .into_iter()
            .collect()
    },
    single: OperationId::ASSESS_IP.as_str(),
};

const GEOLOCATE: BulkOperation<IpAddr, types::GeoIpOutput> = BulkOperation {
    max_batch: max_items::GEOLOCATE_IPS,
    key: public_key,
    wire: ToString::to_string,
    send: |client, batch| Box::pin(async move { Ok(client.geolocate_ips(batch).await?.results) }),
    answers: |result| located_address(result.self_.as_ref()).into_iter().collect(),
    single: OperationId::GEOLOCATE_IP.as_str(),
};

const PARSE_USER_AGENTS: BulkOperation<String, types::UaOutput> = BulkOperation {
    max_batch: max_items::PARSE_USER_AGENTS,
    key: |agent| Some(agent.clone()),
    wire: Clone::clone,
    send: |client, batch| {
        Box::pin(async move { Ok(client.parse_user_agents(batch).await?.results) })
    },
    answers: user_agent_answers,
    single: OperationId::PARSE_USER_AGENT.as_str(),
};

/// Public addresses are sent in their canonical form, so `::ffff:8.8.8.8` and
/// `8.8.8.8` are one address.
fn public_key(ip: &IpAddr) -> Option<IpAddr> {
    is_public(*ip).then(|| ip.to_canonical())
}

/// The address an assessment's `self` link names (`/v1/assess/ip/2001%3Adb8%3A%3A1`),
/// as an address so that any spelling of an IPv6 address matches.
pub(crate) fn assessed_address(link: Option<&Link>) -> Option<IpAddr> {
    match link? {
        Link::Assessment(ip) => Some(ip.to_canonical()),
        _ => None,
    }
}

/// The address a geolocation's `self` link names (`/v1/geo/8.8.8.8`).
pub(crate) fn located_address(link: Option<&Link>) -> Option<IpAddr> {
    match link? {
        Link::Geo(ip) => Some(ip.to_canonical()),
        _ => None,
    }
}

/// The agent a result's `self` link names, then the same decoded once more
/// (the service sometimes encodes twice), then the `string` the result echoes.
fn user_agent_answers(result: &types::UaOutput) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(Link::UserAgent(once)) = &result.self_ {
        if let Some(twice) = crate::path::decode_segment(once) {
            let twice = twice.into_owned();
            keys.push(once.clone());
            keys.push(twice);
        } else {
            keys.push(once.clone());
        }
    }
    keys.push(result.string.clone());
    keys
}

/// An answer shared by every occurrence of one key.
enum Shared<T> {
    Answered(Arc<T>),
    NotPublic,
    Unanswered,
    Failed(Arc<Error>),
}

/// Occurrences that have their answer and wait to be handed out.
struct Resolved<K, T> {
    occurrences: std::vec::IntoIter<(u64, K)>,
    answer: Shared<T>,
}

type Batch<K, T> = BoxFuture<'static, (Vec<K>, Result<Vec<T>, Error>)>;

/// The outcomes of a bulk run, one [`BulkItem`] per input, as a [`Stream`].
///
/// Made by [`Client::assess_many`] and its siblings; see the [`bulk`](crate::bulk)
/// module for how it works. Set the options before the first poll.
pub struct BulkStream<'a, K: 'static, T: 'static> {
    operation: &'static BulkOperation<K, T>,
    client: Client,
    /// `None` once the input has ended.
    input: Option<BoxStream<'a, (Option<u64>, K)>>,
    next_index: u64,
    batch_size: usize,
    concurrency: usize,
    /// Distinct keys of the batch being filled, in arrival order.
    filling: Vec<K>,
    /// Every occurrence of a key that is in `filling` or in flight.
    waiting: HashMap<K, Vec<(u64, K)>>,
    in_flight: FuturesUnordered<Batch<K, T>>,
    ready: VecDeque<Resolved<K, T>>,
    /// Inputs read and not yet handed out.
    held: usize,
    recent: Recent<K, T>,
    summary: BulkSummary,
}

impl<'a, K, T> BulkStream<'a, K, T>
where
    K: Clone + Eq + Hash + Send + Sync + serde::Serialize + 'static,
    T: Clone + Send + Sync + 'static,
{
    fn new<S>(client: &Client, operation: &'static BulkOperation<K, T>, input: S) -> Self
    where
        S: Stream + Send + 'a,
        S::Item: BulkInput<K>,
    {
        BulkStream {
            operation,
            client: client.clone(),
            input: Some(input.map(<S::Item as BulkInput<K>>::into_parts).boxed()),
            next_index: 0,
            batch_size: operation.max_batch,
            concurrency: DEFAULT_CONCURRENCY,
            filling: Vec::new(),
            waiting: HashMap::new(),
            in_flight: FuturesUnordered::new(),
            ready: VecDeque::new(),
            held: 0,
            recent: Recent::new(DEFAULT_REMEMBER),
            summary: BulkSummary::default(),
        }
    }

    /// At most `size` values a request, between 1 and the most the batch
    /// operation's request body takes (its `maxItems` in the spec of record),
    /// which is the default. Smaller batches cost more requests.
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = size.clamp(1, self.operation.max_batch);
        self
    }

    /// At most `batches` requests in flight at once (at least 1; default
    /// [`DEFAULT_CONCURRENCY`]). The client's quota guard still decides when
    /// each may go.
    pub fn concurrency(mut self, batches: usize) -> Self {
        self.concurrency = batches.max(1);
        self
    }

    /// How many distinct answers to keep for later duplicates (default
    /// [`DEFAULT_REMEMBER`]; `0` keeps none, and then only duplicates that
    /// arrive while their value waits in a batch are spared a request).
    pub fn remember(mut self, answers: usize) -> Self {
        self.recent.set_capacity(answers);
        self
    }

    /// The counts so far; final once the stream has returned `None`.
    pub fn summary(&self) -> &BulkSummary {
        &self.summary
    }

    /// Runs the stream to its end and returns every item, in the order they
    /// came, with the final counts. `StreamExt::collect` takes the stream by
    /// value and with it the summary; this keeps both. Every item is held in
    /// memory: for an input of unknown length, take items one at a time
    /// instead (or collect through `StreamExt::by_ref` and read
    /// [`summary`](BulkStream::summary) after).
    pub async fn collect_with_summary(mut self) -> (Vec<BulkItem<K, T>>, BulkSummary) {
        let mut items = Vec::new();
        while let Some(item) = self.next().await {
            items.push(item);
        }
        (items, self.summary)
    }

    fn hold_limit(&self) -> usize {
        HOLD_FACTOR * self.batch_size * (self.concurrency + 1)
    }

    fn may_read(&self) -> bool {
        self.input.is_some()
            && self.filling.len() < self.batch_size
            && self.held < self.hold_limit()
    }

    fn should_dispatch(&self) -> bool {
        let due = self.filling.len() >= self.batch_size
            || self.input.is_none()
            // Everything held waits on this unsent batch: send it rather than stall.
            || (self.held >= self.hold_limit() && self.in_flight.is_empty());
        due && !self.filling.is_empty() && self.in_flight.len() < self.concurrency
    }

    fn accept(&mut self, number: Option<u64>, input: K) {
        let position = number.unwrap_or(self.next_index);
        self.next_index += 1;
        self.summary.inputs += 1;
        self.held += 1;
        let Some(key) = (self.operation.key)(&input) else {
            self.push_ready(vec![(position, input)], Shared::NotPublic);
            return;
        };
        if let Some(occurrences) = self.waiting.get_mut(&key) {
            self.summary.duplicates += 1;
            occurrences.push((position, input));
        } else if let Some(answer) = self.recent.get(&key) {
            self.summary.duplicates += 1;
            self.push_ready(vec![(position, input)], Shared::Answered(answer));
        } else if let Some(answer) = self.cached(&key) {
            self.summary.from_cache += 1;
            self.recent.insert(key, answer.clone());
            self.push_ready(vec![(position, input)], Shared::Answered(answer));
        } else {
            self.waiting.insert(key.clone(), vec![(position, input)]);
            self.filling.push(key);
        }
    }

    fn dispatch(&mut self) {
        let take = self.filling.len().min(self.batch_size);
        let keys: Vec<K> = self.filling.drain(..take).collect();
        let body: Vec<String> = keys.iter().map(self.operation.wire).collect();
        self.summary.requests += 1;
        self.summary.sent += keys.len() as u64;
        let request = (self.operation.send)(self.client.clone(), body);
        self.in_flight
            .push(Box::pin(async move { (keys, request.await) }));
    }

    fn settle(&mut self, keys: Vec<K>, result: Result<Vec<T>, Error>) {
        let results = match result {
            Ok(results) => results,
            Err(error) => {
                self.summary.failed_requests += 1;
                let error = Arc::new(error);
                for key in keys {
                    self.resolve(&key, Shared::Failed(error.clone()));
                }
                return;
            }
        };
        let mut unanswered: HashSet<K> = keys.iter().cloned().collect();
        for result in results {
            let candidates = (self.operation.answers)(&result);
            match candidates.into_iter().find(|k| unanswered.remove(k)) {
                Some(key) => {
                    let answer = Arc::new(result);
                    self.keep(&key, &answer);
                    self.recent.insert(key.clone(), answer.clone());
                    self.resolve(&key, Shared::Answered(answer));
                }
                None => self.summary.unmatched_results += 1,
            }
        }
        for key in keys.iter().filter(|k| unanswered.contains(*k)) {
            self.resolve(key, Shared::Unanswered);
        }
    }

    /// The cached answer of the operation that answers `key` alone.
    fn cached(&self, key: &K) -> Option<Arc<T>> {
        #[cfg(feature = "cache")]
        {
            let cache = self.client.state().cache.as_ref()?;
            let key = cache.key(self.operation.single, &(key,))?;
            cache.fresh_shared(&key)
        }
        #[cfg(not(feature = "cache"))]
        {
            let _ = key;
            None
        }
    }

    /// Keeps `answer` as the answer of the operation that answers `key` alone.
    fn keep(&self, key: &K, answer: &Arc<T>) {
        #[cfg(feature = "cache")]
        if let Some(cache) = &self.client.state().cache {
            if let Some(key) = cache.key(self.operation.single, &(key,)) {
                cache.put(key, answer.clone());
            }
        }
        #[cfg(not(feature = "cache"))]
        let _ = (key, answer);
    }

    fn resolve(&mut self, key: &K, answer: Shared<T>) {
        if let Some(occurrences) = self.waiting.remove(key) {
            self.push_ready(occurrences, answer);
        }
    }

    fn push_ready(&mut self, occurrences: Vec<(u64, K)>, answer: Shared<T>) {
        self.ready.push_back(Resolved {
            occurrences: occurrences.into_iter(),
            answer,
        });
    }

    fn next_ready(&mut self) -> Option<BulkItem<K, T>> {
        let front = self.ready.front_mut()?;
        // Entries are never empty: each is popped with its last occurrence.
        let (position, input) = front.occurrences.next()?;
        let outcome = match &front.answer {
            Shared::Answered(answer) => {
                self.summary.answered += 1;
                Outcome::Answered(Arc::clone(answer))
            }
            Shared::NotPublic => {
                self.summary.not_public += 1;
                Outcome::NotPublic
            }
            Shared::Unanswered => {
                self.summary.unanswered += 1;
                Outcome::Unanswered
            }
            Shared::Failed(error) => {
                self.summary.failed += 1;
                Outcome::Failed(error.clone())
            }
        };
        if front.occurrences.len() == 0 {
            self.ready.pop_front();
        }
        self.held -= 1;
        Some(BulkItem {
            position,
            input,
            outcome,
        })
    }
}

// No field is ever pinned: the stream only moves its parts around.
impl<K, T> Unpin for BulkStream<'_, K, T> {}

impl<K, T> Stream for BulkStream<'_, K, T>
where
    K: Clone + Eq + Hash + Send + Sync + serde::Serialize + 'static,
    T: Clone + Send + Sync + 'static,
{
    type Item = BulkItem<K, T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.next_ready() {
                return Poll::Ready(Some(item));
            }
            let mut settled = false;
            while let Poll::Ready(Some((keys, result))) = this.in_flight.poll_next_unpin(cx) {
                this.settle(keys, result);
                settled = true;
            }
            if settled {
                continue;
            }
            if this.should_dispatch() {
                this.dispatch();
                continue;
            }
            if this.may_read() {
                if let Some(input) = this.input.as_mut() {
                    match input.poll_next_unpin(cx) {
                        Poll::Ready(Some((number, value))) => {
                            this.accept(number, value);
                            continue;
                        }
                        Poll::Ready(None) => {
                            this.input = None;
                            continue;
                        }
                        Poll::Pending => {}
                    }
                }
            }
            // Nothing is ready; the input or a batch in flight will wake us,
            // unless everything is done.
            let done = this.input.is_none() && this.filling.is_empty() && this.in_flight.is_empty();
            return if done {
                Poll::Ready(None)
            } else {
                Poll::Pending
            };
        }
    }
}

impl<K, T> FusedStream for BulkStream<'_, K, T>
where
    K: Clone + Eq + Hash + Send + Sync + serde::Serialize + 'static,
    T: Clone + Send + Sync + 'static,
{
    fn is_terminated(&self) -> bool {
        self.input.is_none()
            && self.filling.is_empty()
            && self.in_flight.is_empty()
            && self.ready.is_empty()
    }
}

impl<K, T> fmt::Debug for BulkStream<'_, K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkStream")
            .field("batch_size", &self.batch_size)
            .field("concurrency", &self.concurrency)
            .field("in_flight", &self.in_flight.len())
            .field("held", &self.held)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assessed(link: &str) -> Option<IpAddr> {
        assessed_address(Link::parse(link).as_ref())
    }

    #[test]
    fn links_name_addresses_in_any_spelling() {
        let six: IpAddr = "2001:4860::8888".parse().unwrap();
        for link in [
            "/v1/assess/ip/2001:4860::8888",
            "/v1/assess/ip/2001%3A4860%3A%3A8888",
            "/v1/assess/ip/2001:4860:0:0:0:0:0:8888",
        ] {
            assert_eq!(assessed(link), Some(six), "{link}");
        }
        let mapped = located_address(Link::parse("/v1/geo/::ffff:8.8.8.8").as_ref());
        assert_eq!(mapped, Some(IpAddr::from([8, 8, 8, 8])));
        assert_eq!(assessed("/v1/assess/ip/nonsense"), None);
        assert_eq!(assessed_address(None), None);
        // A link to another kind of answer names none of its addresses.
        assert_eq!(assessed("/v1/geo/8.8.8.8"), None);
        assert_eq!(assessed("/x/v1/assess/ip/8.8.8.8"), None);
    }

    #[test]
    fn mapped_and_plain_addresses_are_one_key() {
        let mapped: IpAddr = "::ffff:8.8.8.8".parse().unwrap();
        assert_eq!(public_key(&mapped), Some(IpAddr::from([8, 8, 8, 8])));
        assert_eq!(public_key(&"10.1.2.3".parse().unwrap()), None);
    }
}
