//! A loopback server that answers the whole ThreatJammer.com User API, for
//! testing code that uses the [`threatjammer`] client without a key, a network
//! or quota. In your `Cargo.toml`:
//!
//! ```toml
//! [dev-dependencies]
//! threatjammer-mock = "0.1"
//! ```
//!
//! ```no_run
//! # async fn demo() -> Result<(), threatjammer::Error> {
//! use threatjammer::OperationId;
//! use threatjammer_mock::{MockResponse, MockServer};
//!
//! let server = MockServer::start().await;
//! let client = server.client();
//! // Any public address gets an assessment derived from the address itself.
//! let a = client.assess_ip("8.8.4.4".parse().unwrap()).await?;
//! assert_eq!(a.self_, Some(threatjammer::Link::Assessment("8.8.4.4".parse().unwrap())));
//!
//! // Make the next two assessment batches fail, the way a gateway does.
//! server.fail_next(Some(OperationId::ASSESS_IPS), 2, MockResponse::status(503));
//! // Every request is recorded, with the operation it resolved to and the answer's status.
//! let requests = server.received_requests().await;
//! assert_eq!(requests[0].operation, Some(OperationId::ASSESS_IP));
//! # Ok(()) }
//! ```
//!
//! Requests are held to the spec of record (`openapi/threatjammer.json`) as the
//! service's FastAPI holds them: path, query and header parameters and the body
//! are validated against their schemas, and a request that does not validate is
//! answered `422` with `{"detail": [{"loc", "msg", "type"}]}`, one entry per
//! failure, before anything below sees it. A path the spec has with other
//! methods is `405` with `Allow`. Literal segments decide which path a request
//! is for unless that path lacks the method and a segment is a value of another
//! path's parameter: `PUT /v1/denylist/private/all` is `405` (`all` is no list
//! id), `GET /v1/ua/csv` reads the user agent `csv`.
//!
//! What it answers, for a request with the mock's key (anything else is `401`):
//!
//! - **Assessment and geolocation** (`GET /v1/assess/ip/{ip}`, `POST /v1/assess/ip`,
//!   `GET /v1/geo/{ip}`, `POST /v1/geo`) for *any* address, with a result derived
//!   from the address (same address, same answer), in the service's shape and
//!   link style. As the service does, a single address that is not public is
//!   refused with `400`, and a list skips such addresses; a list longer than
//!   its `maxItems` in the spec is refused with `413`. Results of a list come in
//!   address order, not request order.
//! - **User agents** (`POST /v1/ua` and `GET /v1/ua/{ua}`) for any string, by a
//!   rough reading of the string.
//!
//!   These operations are found in the spec of record by their shape, not
//!   named: a `GET` of one value in the path, or a JSON list of values, whose
//!   answer is an assessment, a location or a user agent analysis. One more of
//!   either shape is answered the same way.
//! - **Allow- and denylists** as a store that lives as long as the server: the
//!   fixtures' lists exist from the start; lists created, changed, cleared and
//!   deleted read back accordingly, and a deleted list, a cleared content, a
//!   public list taken out of the selection or an id the mock never knew is `404`.
//! - **Everything else** from the bundled fixtures (`tests/fixtures/**/*.json`
//!   whose outcome is success), embedded at compile time: the fixture of the
//!   operation whose path, query and body match best. A fixture that matches a
//!   request exactly also wins over the derived answers above (the documented
//!   assessment of `212.231.12.22`, for example). An operation with no fixture
//!   is answered `501`.
//!
//! By default the mock gives only answers the spec of record allows: a status
//! declared for the operation, and a body that validates against its schema.
//! Fixtures that break the spec on purpose (the edge cases of `tests/fixtures/edge/`)
//! are answered only when a test asks for one by name with
//! [`answer_with_fixture`](MockServer::answer_with_fixture); what a test injects
//! with an override, a fault or a hook is the test's own.
//!
//! In what order a request meets the hooks: unknown path (`404`) or method
//! (`405`), key (`401`), [`fail_next`](MockServer::fail_next) faults,
//! [`hook`](MockServer::hook)s, the [quota](MockBuilder::quota) (`429` with
//! `Retry-After`; only requests past this point count), validation (`422`,
//! `413`), [`override_response`](MockServer::override_response), then the answers
//! above. Faults and hooks stand for trouble in front of the service, so they
//! cost no quota.
//!
//! The server runs as a task on the tokio runtime that starts it, and reads
//! time from `tokio::time`: with a paused clock (`#[tokio::test(start_paused =
//! true)]`) its quota windows and delays follow the paused clock. It stops
//! when the [`MockServer`] is dropped.
//!
//! It is built on the client's public API alone; the fixture format and the
//! matching of paths with the spec's templates are `threatjammer-fixtures`'.

mod contract;
mod fixtures;
mod lists;
mod lookups;
mod quota;
mod service;
mod synth;

use fixtures::Fixtures;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use threatjammer::{ApiKey, Client, ClientBuilder, OperationId, QuotaPolicy, QuotaWindow};
use tokio::time::Instant;

/// An answer the mock gives instead of its own.
#[derive(Clone, Debug, PartialEq)]
pub struct MockResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
    delay: Option<Duration>,
}

#[derive(Clone, Debug, PartialEq)]
enum Body {
    Empty,
    Json(serde_json::Value),
    Text(String),
}

impl MockResponse {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> MockResponse {
        MockResponse {
            status,
            headers: Vec::new(),
            body: Body::Json(body),
            delay: None,
        }
    }

    /// `status` with a text body (`text/plain` unless a `content-type` header is set).
    pub fn text(status: u16, body: impl Into<String>) -> MockResponse {
        MockResponse {
            status,
            headers: Vec::new(),
            body: Body::Text(body.into()),
            delay: None,
        }
    }

    /// `status` with no body at all.
    pub fn empty(status: u16) -> MockResponse {
        MockResponse {
            status,
            headers: Vec::new(),
            body: Body::Empty,
            delay: None,
        }
    }

    /// `status` with the service's error body, `{"title", "detail", "type"}`.
    pub fn problem(status: u16, title: &str, detail: &str) -> MockResponse {
        MockResponse::json(
            status,
            serde_json::json!({ "title": title, "detail": detail, "type": "about:blank" }),
        )
    }

    /// `status` with the service's error body, titled with the status's reason phrase.
    pub fn status(status: u16) -> MockResponse {
        let reason = hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        MockResponse::problem(status, reason, "injected by the mock server")
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> MockResponse {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds `Retry-After: <seconds>`, as the service sends with `429`.
    pub fn retry_after(self, seconds: u64) -> MockResponse {
        self.header("retry-after", seconds.to_string())
    }

    /// Waits this long (on the tokio clock) before answering.
    pub fn delay(mut self, delay: Duration) -> MockResponse {
        self.delay = Some(delay);
        self
    }

    /// The status it answers with.
    pub fn status_code(&self) -> u16 {
        self.status
    }
}

/// A request as the mock received it, as hooks see it.
#[derive(Clone, Debug, PartialEq)]
pub struct MockRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The query string as sent, without `?`.
    pub query: Option<String>,
    /// The operation that method and path resolve to in the spec of record, if any.
    pub operation: Option<OperationId>,
    /// Every header but `authorization`, whose value is replaced by `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The body as sent.
    pub body: Vec<u8>,
}

impl MockRequest {
    /// The body read as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A request the mock received, with the status it answered. Its request's
/// fields read as its own (`recorded.path`, `recorded.json()`).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    /// The request, as hooks saw it.
    pub request: MockRequest,
    /// The status the mock answered with.
    pub status: u16,
    /// When it arrived, on the tokio clock.
    pub received_at: Instant,
}

impl std::ops::Deref for RecordedRequest {
    type Target = MockRequest;

    fn deref(&self) -> &MockRequest {
        &self.request
    }
}

/// A fixture name that is not among the mock's success fixtures.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the mock has no success fixture named {0:?}")]
pub struct UnknownFixture(pub String);

type Hook = Arc<dyn Fn(&MockRequest) -> Option<MockResponse> + Send + Sync>;

/// Configures a [`MockServer`]. Start from [`MockServer::builder`].
#[derive(Debug)]
pub struct MockBuilder {
    plan: Option<QuotaPolicy>,
    fixture_dirs: Vec<PathBuf>,
    key: ApiKey,
    record: bool,
}

impl MockBuilder {
    /// Enforces a plan's limits like the service: a sliding 60-second window
    /// and a count per 30-day month from the server's start (`0`: no limit);
    /// past either, `429` with `Retry-After` in seconds. Off by default.
    /// `GET /v1/token` then reports the counts.
    pub fn quota(mut self, plan: QuotaPolicy) -> MockBuilder {
        self.plan = Some(plan);
        self
    }

    /// Also answers from the fixtures in `dir` (every `*.json` below it, in the
    /// format of `tests/fixtures`), read at start. They win over the bundled
    /// ones when both match a request equally well.
    pub fn fixtures_dir(mut self, dir: impl Into<PathBuf>) -> MockBuilder {
        self.fixture_dirs.push(dir.into());
        self
    }

    /// The key the mock accepts, instead of its own.
    pub fn api_key(mut self, key: ApiKey) -> MockBuilder {
        self.key = key;
        self
    }

    /// Whether to keep every request for [`MockServer::received_requests`]
    /// (default: yes). Turn it off for long runs, where the record would grow
    /// with every request.
    pub fn record_requests(mut self, record: bool) -> MockBuilder {
        self.record = record;
        self
    }

    /// Starts the server on a free loopback port, as a task of the current
    /// tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime; when no loopback port can be bound; when a
    /// [`fixtures_dir`](MockBuilder::fixtures_dir) cannot be read or holds a
    /// fixture that is not valid (the message names the file).
    pub async fn start(self) -> MockServer {
        let mut fixtures = Fixtures::bundled();
        for dir in &self.fixture_dirs {
            if let Err(message) = fixtures.add_dir(dir) {
                panic!("mock server fixtures: {message}");
            }
        }
        let state = Arc::new(State {
            key: self.key.clone(),
            fixtures,
            record: self.record,
            started: std::time::SystemTime::now(),
            mutable: Mutex::new(Mutable {
                quota: self
                    .plan
                    .map(|plan| QuotaWindow::new(plan, Instant::now(), true)),
                ..Mutable::default()
            }),
            lists: Mutex::default(),
        });
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("mock server: cannot bind a loopback port");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let task = tokio::spawn(service::serve(listener, state.clone()));
        MockServer {
            address,
            key: self.key,
            state,
            task,
        }
    }
}

/// What the server shares with its connections.
struct State {
    /// The only key accepted, as `authorization: Bearer <key>`.
    key: ApiKey,
    fixtures: Fixtures,
    record: bool,
    /// For the wall-clock times in `GET /v1/token`.
    started: std::time::SystemTime,
    mutable: Mutex<Mutable>,
    lists: Mutex<lists::Lists>,
}

#[derive(Default)]
struct Mutable {
    overrides: HashMap<OperationId, MockResponse>,
    faults: VecDeque<Fault>,
    hooks: Vec<Hook>,
    latency: Option<Duration>,
    quota: Option<QuotaWindow>,
    received: Vec<RecordedRequest>,
}

struct Fault {
    operation: Option<OperationId>,
    remaining: usize,
    response: MockResponse,
}

impl State {
    fn lock(&self) -> std::sync::MutexGuard<'_, Mutable> {
        // A hook that panicked leaves nothing half-done: every update is one step.
        self.mutable.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_lists(&self) -> std::sync::MutexGuard<'_, lists::Lists> {
        // Every change to the lists is made under one lock, so none is half-done.
        self.lists.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A loopback server answering the User API; see the [module](self) documentation.
pub struct MockServer {
    address: SocketAddr,
    key: ApiKey,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Starts a server with the bundled fixtures and no quota.
    pub async fn start() -> MockServer {
        MockServer::builder().start().await
    }

    /// A builder, for a quota, more fixtures or another key.
    pub fn builder() -> MockBuilder {
        MockBuilder {
            plan: None,
            fixture_dirs: Vec::new(),
            key: ApiKey::unchecked(format!("tja_{}", "M0CK".repeat(9))),
            record: true,
        }
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The key the mock accepts.
    pub fn api_key(&self) -> ApiKey {
        self.key.clone()
    }

    /// A client of this server with its key, built on [`MockServer::http_client`]
    /// so that it works under a paused clock. For timeouts or other settings,
    /// start from [`client_builder`](MockServer::client_builder).
    pub fn client(&self) -> Client {
        self.client_builder()
            .http_client(MockServer::http_client())
            .build()
            .expect("the mock's URL and key make a valid client")
    }

    /// A client builder already pointed at this server with its key.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .base_url(self.uri())
            .api_key(self.api_key())
    }

    /// An HTTP client without timeouts or idle-connection timers. Under a
    /// paused tokio clock the runtime jumps to the next timer whenever it waits
    /// for I/O, so any such timer would fire in the middle of a loopback request.
    ///
    /// # Panics
    ///
    /// When the TLS backend cannot be initialised.
    pub fn http_client() -> reqwest::Client {
        reqwest::Client::builder()
            .pool_idle_timeout(None)
            // Plain http on loopback: no proxy from the environment may see it
            // (the README's Security table).
            .no_proxy()
            .build()
            .expect("an HTTP client without TLS settings builds")
    }

    /// Every request received so far, oldest first (empty when recording is off).
    pub async fn received_requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().received.clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_received_requests(&self) {
        self.state.lock().received.clear();
    }

    /// Answers every request for `operation` with `response` from now on.
    pub fn override_response(&self, operation: OperationId, response: MockResponse) {
        self.state.lock().overrides.insert(operation, response);
    }

    /// Answers every request for the operation of the success fixture `name`
    /// (its path below the fixture folder without `.json`, such as
    /// `"edge/get-asn-new-country-code"`) with that fixture's answer, as
    /// [`override_response`](MockServer::override_response) does. Fixtures whose
    /// answer the spec of record does not allow (the edge cases that break it
    /// on purpose) are answered only this way.
    pub fn answer_with_fixture(&self, name: &str) -> Result<(), UnknownFixture> {
        let (operation, response) = self
            .state
            .fixtures
            .named
            .get(name)
            .ok_or_else(|| UnknownFixture(name.to_string()))?;
        self.override_response(*operation, response.clone());
        Ok(())
    }

    /// Goes back to the mock's own answer for `operation`.
    pub fn clear_override(&self, operation: OperationId) {
        self.state.lock().overrides.remove(&operation);
    }

    /// Answers the next `times` requests for `operation` (any operation when
    /// `None`) with `response`: `MockResponse::status(503)`, or
    /// `MockResponse::status(429).retry_after(2)`, or a slow answer with
    /// [`MockResponse::delay`]. Queued faults are used in the order given.
    pub fn fail_next(&self, operation: Option<OperationId>, times: usize, response: MockResponse) {
        if times == 0 {
            return;
        }
        self.state.lock().faults.push_back(Fault {
            operation,
            remaining: times,
            response,
        });
    }

    /// Lets `hook` answer any request: when it returns a response, that is the
    /// answer. Hooks are asked in the order added. For faults that depend on the
    /// request, such as failing each batch once.
    pub fn hook(
        &self,
        hook: impl Fn(&MockRequest) -> Option<MockResponse> + Send + Sync + 'static,
    ) {
        self.state.lock().hooks.push(Arc::new(hook));
    }

    /// Delays every answer that has no delay of its own by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        self.state.lock().latency = Some(latency);
    }

    /// How many fixtures the server answers from.
    pub fn fixture_count(&self) -> usize {
        self.state.fixtures.len()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.uri())
            .field("fixtures", &self.state.fixtures.len())
            .finish_non_exhaustive()
    }
}
