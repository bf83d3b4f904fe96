//! The fault matrix: one operation of each kind against each way a server or
//! network can fail. For every pair: the typed error (or value) expected, no
//! panic, and the number of requests the server saw, which is where the retry
//! policy shows. The table in docs/reliability.md is rendered from the same
//! expectations and checked here, so the two cannot drift apart.
//!
//! Status and body faults are served by wiremock; transport faults (a reset
//! mid-body, a server that never answers, a trickling body, a 20 MB body, a
//! redirect loop) by the raw loopback server in `support/loopback.rs`.
//!
//! Bulk assessment (`Client::assess_many`) meets each fault on every batch:
//! its 1,200 distinct public addresses make three batch requests, each of which
//! the client's retry policy treats like the read-only POST it is. Besides the
//! error and the request count, every input must come back exactly once.

#[path = "support/loopback.rs"]
mod loopback;
#[path = "support/spec.rs"]
mod spec;

use futures_util::StreamExt;
use loopback::{Loopback, Reply};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};
use threatjammer::bulk::Outcome;
use threatjammer::{ApiKey, Client, Error};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// One operation of each kind the retry policy distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `GET /v1/assess/ip/{ip}` (`assess_ip`): safe.
    Get,
    /// `POST /v1/assess/ip` (`assess_ips`): a POST that changes nothing.
    ReadOnlyPost,
    /// `POST /v1/allowlist/private` (`create_private_allowlist`): changes state.
    Create,
    /// `DELETE /v1/allowlist/private/{id}` (`delete_private_allowlist`): changes state, `202` without a body.
    Delete,
    /// `POST /v1/assess/ip/csv` (`assess_ips_csv`): a multipart upload that changes nothing.
    CsvUpload,
    /// `Client::assess_many` over [`bulk_inputs`]: [`bulk_batches`] requests to
    /// `POST /v1/assess/ip`, each sent through `assess_ips`.
    Bulk,
}

const OPS: [Op; 6] = [
    Op::Get,
    Op::ReadOnlyPost,
    Op::Create,
    Op::Delete,
    Op::CsvUpload,
    Op::Bulk,
];

/// The distinct public addresses of the bulk input: with the spec's 500 a
/// batch today, two full batches and one of 200.
const BULK_PUBLIC: usize = 1_200;

/// The batch requests `assess_many` makes for them, as full as the spec of
/// record's `maxItems` allows.
fn bulk_batches() -> usize {
    BULK_PUBLIC.div_ceil(spec::max_items(threatjammer::OperationId::ASSESS_IPS))
}

/// The `i`-th distinct public address of the bulk input (11.0.0.0/8 is public).
fn bulk_public(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0b00_0000 + i as u32))
}

/// The bulk input: [`BULK_PUBLIC`] distinct public addresses, with 48 of them
/// repeated right after themselves and 30 private addresses between them. A
/// repeat follows its original while that is still waiting in a batch (none
/// follows the last address of a batch), so it never costs a request of its
/// own, whatever the fault: the request counts stay exact.
fn bulk_inputs() -> Vec<IpAddr> {
    let mut inputs = Vec::new();
    for i in 0..BULK_PUBLIC {
        inputs.push(bulk_public(i));
        if i % 25 == 3 {
            inputs.push(bulk_public(i));
        }
        if i % 40 == 7 {
            inputs.push(IpAddr::V4(Ipv4Addr::new(10, 0, (i / 256) as u8, i as u8)));
        }
    }
    inputs
}

impl Op {
    /// Whether repeating the request cannot change anything on the server.
    /// Bulk batches are `assess_ips` requests.
    fn is_safe(self) -> bool {
        matches!(self, Op::Get | Op::ReadOnlyPost | Op::CsvUpload | Op::Bulk)
    }

    /// How many requests one call makes when every one of them meets the fault.
    fn requests_per_call(self) -> usize {
        match self {
            Op::Bulk => bulk_batches(),
            _ => 1,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Op::Get => "`assess_ip` (GET)",
            Op::ReadOnlyPost => "`assess_ips` (read-only POST)",
            Op::Create => "`create_private_allowlist` (POST)",
            Op::Delete => "`delete_private_allowlist` (DELETE)",
            Op::CsvUpload => "`assess_ips_csv` (CSV upload)",
            Op::Bulk => "`assess_many` (bulk, 3 batches)",
        }
    }

    /// The status and body of a successful answer.
    fn success(self) -> (u16, Vec<u8>) {
        match self {
            Op::Get => (200, assessment().to_string().into_bytes()),
            Op::ReadOnlyPost | Op::CsvUpload => (200, collection().to_string().into_bytes()),
            Op::Create => (202, br#""9b2f7c43-5a0e-4a39-9a1c-0d2f8e6b7a10""#.to_vec()),
            Op::Delete => (202, Vec::new()),
            // Every batch gets the same answer, with a result for every address
            // of the input: the client must pick its batch's by their `self` links.
            Op::Bulk => (200, bulk_collection().to_string().into_bytes()),
        }
    }

    async fn call(self, client: &Client) -> Result<(), Error> {
        let ip = "212.231.12.22".parse().expect("an address");
        match self {
            Op::Get => client.assess_ip(ip).await.map(drop),
            Op::ReadOnlyPost => client.assess_ips(vec![ip.to_string()]).await.map(drop),
            Op::Create => {
                let payload = threatjammer::types::PrivateAclGroupListInput::new(
                    "d",
                    "n",
                    threatjammer::types::PrivateAclGroupListInputResourceType::Cidr,
                    Vec::new(),
                );
                client.create_private_allowlist(payload).await.map(drop)
            }
            Op::Delete => {
                let id = "9b2f7c43-5a0e-4a39-9a1c-0d2f8e6b7a10"
                    .parse()
                    .expect("a UUID");
                client.delete_private_allowlist(id).await
            }
            Op::CsvUpload => client.assess_ips_csv("212.231.12.22\n").await.map(drop),
            Op::Bulk => unreachable!("bulk is checked by check_bulk"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Refused,
    ResetMidBody,
    NeverAnswers,
    Empty500,
    Html502,
    Unavailable503,
    Unavailable503RetryAfter,
    RateLimited429,
    RateLimited429RetryAfter,
    TruncatedJson,
    WrongShape,
    Huge20Mb,
    SlowTrickle,
    RedirectLoop,
}

const FAULTS: [Fault; 14] = [
    Fault::Refused,
    Fault::ResetMidBody,
    Fault::NeverAnswers,
    Fault::Empty500,
    Fault::Html502,
    Fault::Unavailable503,
    Fault::Unavailable503RetryAfter,
    Fault::RateLimited429,
    Fault::RateLimited429RetryAfter,
    Fault::TruncatedJson,
    Fault::WrongShape,
    Fault::Huge20Mb,
    Fault::SlowTrickle,
    Fault::RedirectLoop,
];

/// The attempt timeout for faults that are about waiting; generous elsewhere
/// so a loaded CI machine does not turn a 20 MB body into a timeout.
const SHORT: Duration = Duration::from_millis(300);
const LONG: Duration = Duration::from_secs(20);

/// reqwest's default redirect policy follows 10 redirects and fails on the 11th answer.
const REDIRECT_HOPS: usize = 11;

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::Refused => "connection refused",
            Fault::ResetMidBody => "connection reset mid-body",
            Fault::NeverAnswers => "never answers",
            Fault::Empty500 => "`500`, empty body",
            Fault::Html502 => "`502`, HTML body",
            Fault::Unavailable503 => "`503`",
            Fault::Unavailable503RetryAfter => "`503` + `Retry-After: 1`",
            Fault::RateLimited429 => "`429`",
            Fault::RateLimited429RetryAfter => "`429` + `Retry-After: 1`",
            Fault::TruncatedJson => "truncated JSON",
            Fault::WrongShape => "valid JSON, wrong shape",
            Fault::Huge20Mb => "20 MB body",
            Fault::SlowTrickle => "slow trickle body",
            Fault::RedirectLoop => "redirect loop",
        }
    }

    /// Whether the fault is one a retry may get past: the server said so
    /// (`429`, `502`, `503`) or the transport failed before a whole answer
    /// arrived, including while the body was read: the retry covers the whole
    /// call, so a reset or a stalled body mid-answer is repeated too.
    fn is_retryable(self) -> bool {
        matches!(
            self,
            Fault::Refused
                | Fault::ResetMidBody
                | Fault::SlowTrickle
                | Fault::NeverAnswers
                | Fault::Html502
                | Fault::Unavailable503
                | Fault::Unavailable503RetryAfter
                | Fault::RateLimited429
                | Fault::RateLimited429RetryAfter
        )
    }

    fn timeout(self) -> Duration {
        match self {
            Fault::NeverAnswers | Fault::SlowTrickle => SHORT,
            _ => LONG,
        }
    }
}

/// The matrix runs the library's retry rules with short backoffs, so it
/// finishes in seconds; only the waits differ from the default policy.
const MAX_ATTEMPTS: u32 = 3;

fn policy() -> threatjammer::RetryPolicy {
    threatjammer::RetryPolicy::new()
        .max_attempts(MAX_ATTEMPTS)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(50))
}

/// The retry policy, in one place: how many attempts the client makes at `op`
/// when the server or network behaves as `fault`. The CSV upload of the matrix
/// sends text from memory, which can be sent again, so it counts as safe.
fn expected_attempts(op: Op, fault: Fault) -> usize {
    if op.is_safe() && fault.is_retryable() {
        MAX_ATTEMPTS as usize
    } else {
        1
    }
}

/// What a call must come back with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Value,
    Timeout,
    Connection,
    Request,
    Unexpected(u16),
    RateLimited(Option<u64>),
    Decode,
}

impl Expect {
    fn matches(self, result: Result<(), &Error>) -> bool {
        match (self, result) {
            (Expect::Value, Ok(())) => true,
            (_, Ok(())) => false,
            (Expect::Value, Err(_)) => false,
            (Expect::Timeout, Err(Error::Timeout)) => true,
            (Expect::Connection, Err(Error::Connection(_))) => true,
            (Expect::Request, Err(Error::Request(_))) => true,
            (Expect::Unexpected(s), Err(Error::UnexpectedResponse { status, body, .. })) => {
                // Only a prefix of a large or HTML body is kept.
                status.as_u16() == s && body.len() <= 512
            }
            (Expect::RateLimited(wait), Err(Error::RateLimited { retry_after, .. })) => {
                retry_after.map(|d| d.as_secs()) == wait
            }
            (Expect::Decode, Err(Error::Decode { .. })) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Value => f.write_str("value"),
            Expect::Timeout => f.write_str("`Timeout`"),
            Expect::Connection => f.write_str("`Connection`"),
            Expect::Request => f.write_str("`Request`"),
            Expect::Unexpected(s) => write!(f, "`UnexpectedResponse` {s}"),
            Expect::RateLimited(None) => f.write_str("`RateLimited`"),
            Expect::RateLimited(Some(s)) => write!(f, "`RateLimited` ({s} s)"),
            Expect::Decode => f.write_str("`Decode`"),
        }
    }
}

/// The outcome the client must produce (for bulk, that of every public
/// address). `delete_private_allowlist` answers `202` with no body to read, so
/// faults in the body do not reach it.
fn expected(op: Op, fault: Fault) -> Expect {
    let body_ignored = op == Op::Delete;
    match fault {
        Fault::Refused => Expect::Connection,
        Fault::ResetMidBody if body_ignored => Expect::Value,
        Fault::ResetMidBody => Expect::Connection,
        Fault::NeverAnswers => Expect::Timeout,
        Fault::Empty500 => Expect::Unexpected(500),
        Fault::Html502 => Expect::Unexpected(502),
        Fault::Unavailable503 | Fault::Unavailable503RetryAfter => Expect::Unexpected(503),
        Fault::RateLimited429 => Expect::RateLimited(None),
        Fault::RateLimited429RetryAfter => Expect::RateLimited(Some(1)),
        Fault::TruncatedJson | Fault::WrongShape if body_ignored => Expect::Value,
        Fault::TruncatedJson | Fault::WrongShape => Expect::Decode,
        Fault::Huge20Mb => Expect::Value,
        Fault::SlowTrickle if body_ignored => Expect::Value,
        Fault::SlowTrickle => Expect::Timeout,
        // reqwest gives up after its redirect limit; the client reports it as a request failure.
        Fault::RedirectLoop => Expect::Request,
    }
}

/// How many requests the server must have read for one request of the
/// operation: one per attempt, times the hops of a redirect loop. `None` when
/// nothing listens to count them.
fn expected_requests_each(op: Op, fault: Fault) -> Option<usize> {
    let per_attempt = match fault {
        Fault::Refused => return None,
        Fault::RedirectLoop => REDIRECT_HOPS,
        _ => 1,
    };
    Some(expected_attempts(op, fault) * per_attempt)
}

/// How many requests the server must have read for the whole call.
fn expected_requests(op: Op, fault: Fault) -> Option<usize> {
    expected_requests_each(op, fault).map(|each| op.requests_per_call() * each)
}

/// Where the fault is served from.
enum Stage {
    Wiremock(MockServer),
    Raw(Loopback),
    Nothing(String),
}

impl Stage {
    fn uri(&self) -> String {
        match self {
            Stage::Wiremock(server) => server.uri(),
            Stage::Raw(server) => server.uri(),
            Stage::Nothing(uri) => uri.clone(),
        }
    }

    async fn requests(&self) -> Option<usize> {
        match self {
            Stage::Wiremock(server) => server.received_requests().await.map(|r| r.len()),
            Stage::Raw(server) => Some(server.requests()),
            Stage::Nothing(_) => None,
        }
    }
}

const PROBLEM: &str =
    r#"{"title": "Too Many Requests", "detail": "quota spent", "type": "about:blank"}"#;

async fn stage(op: Op, fault: Fault) -> Stage {
    let (status, ok_body) = op.success();
    let answer = |template: ResponseTemplate| async move {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(template)
            .mount(&server)
            .await;
        Stage::Wiremock(server)
    };
    let json = |status: u16, body: Vec<u8>| {
        ResponseTemplate::new(status).set_body_raw(body, "application/json")
    };
    match fault {
        Fault::Refused => {
            // Bind and release a port, so nothing listens there.
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let uri = format!("http://{}", listener.local_addr().expect("address"));
            drop(listener);
            Stage::Nothing(uri)
        }
        Fault::ResetMidBody => {
            let mut partial = loopback::head(
                status,
                &[("content-type", "application/json")],
                ok_body.len() + 64,
            );
            partial.extend_from_slice(&ok_body[..ok_body.len() / 2]);
            Stage::Raw(Loopback::start(move |_| Reply::ResetAfter(partial.clone())).await)
        }
        Fault::NeverAnswers => Stage::Raw(Loopback::start(|_| Reply::Silence).await),
        Fault::Empty500 => answer(ResponseTemplate::new(500)).await,
        Fault::Html502 => {
            let page = format!("<html><body>{}</body></html>", "Bad Gateway ".repeat(200));
            answer(ResponseTemplate::new(502).set_body_raw(page, "text/html")).await
        }
        Fault::Unavailable503 => answer(ResponseTemplate::new(503)).await,
        Fault::Unavailable503RetryAfter => {
            answer(ResponseTemplate::new(503).insert_header("retry-after", "1")).await
        }
        Fault::RateLimited429 => answer(json(429, PROBLEM.into())).await,
        Fault::RateLimited429RetryAfter => {
            answer(json(429, PROBLEM.into()).insert_header("retry-after", "1")).await
        }
        Fault::TruncatedJson => {
            let cut = if ok_body.is_empty() {
                b"{\"self\": \"/v1".to_vec()
            } else {
                ok_body[..ok_body.len() / 2].to_vec()
            };
            answer(json(status, cut)).await
        }
        Fault::WrongShape => answer(json(status, br#"{"unexpected": [1, 2, 3]}"#.to_vec())).await,
        Fault::Huge20Mb => {
            // Leading whitespace is valid JSON: the answer is correct, only large.
            let mut body = vec![b' '; 20 << 20];
            body.extend_from_slice(&ok_body);
            let reply = loopback::response(status, &[("content-type", "application/json")], &body);
            Stage::Raw(Loopback::fixed(reply).await)
        }
        Fault::SlowTrickle => {
            let head = loopback::head(
                status,
                &[("content-type", "application/json")],
                ok_body.len(),
            );
            Stage::Raw(
                Loopback::start(move |_| Reply::Trickle {
                    head: head.clone(),
                    body: ok_body.clone(),
                    pause: Duration::from_millis(20),
                })
                .await,
            )
        }
        Fault::RedirectLoop => Stage::Raw(
            Loopback::start(|request| {
                let location = request.target.clone();
                Reply::Bytes(loopback::response(302, &[("location", &location)], b"").into())
            })
            .await,
        ),
    }
}

fn assessment() -> serde_json::Value {
    let text = std::fs::read_to_string("tests/fixtures/documented/assess-ip-212.231.12.22.json")
        .expect("the documented assessment");
    let exchange: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    exchange["response"]["body"].clone()
}

fn collection() -> serde_json::Value {
    serde_json::json!({"self": "/v1/assess/ip", "results": [assessment()]})
}

/// The documented assessment, for every public address of the bulk input.
fn bulk_collection() -> serde_json::Value {
    let template = assessment();
    let results: Vec<serde_json::Value> = (0..BULK_PUBLIC)
        .map(|i| {
            let mut result = template.clone();
            result["self"] = format!("/v1/assess/ip/{}", bulk_public(i)).into();
            result
        })
        .collect();
    serde_json::json!({"self": "/v1/assess/ip", "results": results})
}

/// Runs `assess_many` over the bulk input and checks that every input comes
/// back exactly once, with the outcome `want`, and that the summary agrees.
async fn check_bulk(client: &Client, want: Expect) -> Vec<String> {
    let inputs = bulk_inputs();
    let mut seen: Vec<Option<Outcome<threatjammer::types::IpAssessmentOutput>>> =
        vec![None; inputs.len()];
    let mut failures = Vec::new();
    let mut stream = client.assess_many(inputs.clone());
    while let Some(item) = stream.next().await {
        let position = item.position as usize;
        match seen.get_mut(position) {
            None => failures.push(format!("Bulk: position {position} was never given")),
            Some(Some(_)) => failures.push(format!("Bulk: position {position} came back twice")),
            Some(slot) => {
                if item.input != inputs[position] {
                    failures.push(format!(
                        "Bulk: position {position} came back as {}, not {}",
                        item.input, inputs[position]
                    ));
                }
                *slot = Some(item.outcome);
            }
        }
    }
    let mut wrong = Vec::new();
    for (position, outcome) in seen.iter().enumerate() {
        let ip = inputs[position];
        let right = match outcome {
            None => {
                failures.push(format!("Bulk: {ip} (position {position}) was lost"));
                continue;
            }
            Some(outcome) if !threatjammer::bulk::is_public(ip) => {
                matches!(outcome, Outcome::NotPublic)
            }
            Some(Outcome::Answered(a)) => {
                want.matches(Ok(())) && a.self_ == Some(threatjammer::Link::Assessment(ip))
            }
            Some(Outcome::Failed(error)) => want.matches(Err(error)),
            Some(_) => false,
        };
        if !right {
            wrong.push(format!("{ip}: {outcome:?}"));
        }
    }
    if !wrong.is_empty() {
        failures.push(format!(
            "Bulk: {} of {} inputs are not {want}, such as {}",
            wrong.len(),
            inputs.len(),
            wrong[0]
        ));
    }
    let summary = stream.summary();
    let private = inputs
        .iter()
        .filter(|ip| !threatjammer::bulk::is_public(**ip))
        .count();
    let failed_batches = if want == Expect::Value {
        0
    } else {
        bulk_batches()
    };
    let counts = [
        ("inputs", summary.inputs, inputs.len()),
        ("handed out", summary.handed_out(), inputs.len()),
        ("not public", summary.not_public, private),
        (
            "duplicates",
            summary.duplicates,
            inputs.len() - private - BULK_PUBLIC,
        ),
        ("sent", summary.sent, BULK_PUBLIC),
        // Batch requests; the policy's repetitions show in the server's count.
        ("requests", summary.requests, bulk_batches()),
        ("failed requests", summary.failed_requests, failed_batches),
    ];
    for (what, got, want) in counts {
        if got != want as u64 {
            failures.push(format!("Bulk: summary counts {got} {what}, not {want}"));
        }
    }
    failures
}

/// Runs every operation against `fault` and checks outcome and request count.
async fn check(fault: Fault) {
    let mut failures = Vec::new();
    for op in OPS {
        let stage = stage(op, fault).await;
        let client = Client::builder()
            .retry(policy())
            .base_url(stage.uri())
            .api_key(ApiKey::unchecked("tja_fault_matrix"))
            .connect_timeout(fault.timeout())
            .timeout(fault.timeout())
            .build()
            .expect("client");
        let started = Instant::now();
        let want = expected(op, fault);
        if op == Op::Bulk {
            failures.extend(check_bulk(&client, want).await);
        } else {
            let result = op.call(&client).await;
            if !want.matches(result.as_ref().map(drop)) {
                failures.push(format!("{op:?}: expected {want}, got {result:?}"));
            }
        }
        let elapsed = started.elapsed();
        let seen = stage.requests().await;
        let want_requests = expected_requests(op, fault);
        if want_requests.is_some() && seen != want_requests {
            failures.push(format!(
                "{op:?}: expected {want_requests:?} requests, the server read {seen:?}"
            ));
        }
        // A timeout fault must end near the timeout, not hang.
        assert!(
            elapsed < fault.timeout() * 4 + Duration::from_secs(5),
            "{op:?} took {elapsed:?}"
        );
    }
    assert!(
        failures.is_empty(),
        "{}:\n{}",
        fault.name(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn connection_refused() {
    check(Fault::Refused).await;
}

#[tokio::test]
async fn connection_reset_mid_body() {
    check(Fault::ResetMidBody).await;
}

#[tokio::test]
async fn server_never_answers() {
    check(Fault::NeverAnswers).await;
}

#[tokio::test]
async fn status_500_empty() {
    check(Fault::Empty500).await;
}

#[tokio::test]
async fn status_502_html() {
    check(Fault::Html502).await;
}

#[tokio::test]
async fn status_503() {
    check(Fault::Unavailable503).await;
}

#[tokio::test]
async fn status_503_with_retry_after() {
    check(Fault::Unavailable503RetryAfter).await;
}

#[tokio::test]
async fn status_429() {
    check(Fault::RateLimited429).await;
}

#[tokio::test]
async fn status_429_with_retry_after() {
    check(Fault::RateLimited429RetryAfter).await;
}

#[tokio::test]
async fn truncated_json() {
    check(Fault::TruncatedJson).await;
}

#[tokio::test]
async fn json_of_the_wrong_shape() {
    check(Fault::WrongShape).await;
}

#[tokio::test]
async fn body_of_20_mb() {
    check(Fault::Huge20Mb).await;
}

#[tokio::test]
async fn slow_trickle_body() {
    check(Fault::SlowTrickle).await;
}

#[tokio::test]
async fn redirect_loop() {
    check(Fault::RedirectLoop).await;
}

/// The matrix as a markdown table, as docs/reliability.md quotes it. Bulk counts are
/// shown as batches × requests per batch.
fn table() -> String {
    let mut out = String::from("| fault |");
    for op in OPS {
        out.push_str(&format!(" {} |", op.name()));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(OPS.len()));
    for fault in FAULTS {
        out.push_str(&format!("\n| {} |", fault.name()));
        for op in OPS {
            let requests = match expected_requests_each(op, fault) {
                Some(n) if op.requests_per_call() > 1 => {
                    format!("{} × {n}", op.requests_per_call())
                }
                Some(n) => format!("{n}"),
                None => "–".to_string(),
            };
            out.push_str(&format!(" {} · {requests} |", expected(op, fault)));
        }
    }
    out.push('\n');
    out
}

#[test]
fn readme_quotes_the_matrix() {
    let readme = std::fs::read_to_string("docs/reliability.md").expect("docs/reliability.md");
    let table = table();
    assert!(
        readme.contains(&table),
        "the table in docs/reliability.md is not the matrix in tests/faults.rs; it should read:\n\n{table}"
    );
}
