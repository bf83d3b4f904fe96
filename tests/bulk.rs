//! Bulk assessment against the mock server: every input accounted for, at
//! the fewest requests, whatever the input and whatever fails.

use futures_util::{Stream, StreamExt};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use threatjammer::bulk::{is_public, BulkItem, BulkSummary, Outcome};
use threatjammer::types::IpAssessmentOutput;
use threatjammer::{Link, OperationId, QuotaPolicy};
use threatjammer_mock::{MockResponse, MockServer, RecordedRequest};

#[path = "support/spec.rs"]
mod spec;

/// splitmix64: deterministic, well-mixed numbers for generating inputs.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A public address for every `i` (one in twenty IPv6); distinct for distinct `i`
/// in practice, and checked where it matters.
fn public_address(i: u64) -> IpAddr {
    let mut salt = 0;
    loop {
        let r = mix(i.wrapping_mul(0x1_0000) + salt);
        let ip = if r.is_multiple_of(20) {
            IpAddr::V6(Ipv6Addr::new(
                0x2a00,
                (r >> 8) as u16,
                (r >> 24) as u16,
                0,
                0,
                0,
                0,
                (r >> 40) as u16,
            ))
        } else {
            IpAddr::V4(Ipv4Addr::from((r >> 16) as u32))
        };
        if is_public(ip) {
            return ip;
        }
        salt += 1;
    }
}

fn distinct_public(n: usize, seed: u64) -> Vec<IpAddr> {
    let mut seen = HashSet::new();
    (0..)
        .map(|i| public_address(seed << 32 | i))
        .filter(|ip| seen.insert(*ip))
        .take(n)
        .collect()
}

const NOT_PUBLIC: &[&str] = &[
    "10.1.2.3",
    "192.168.0.10",
    "172.20.1.1",
    "127.0.0.1",
    "169.254.10.20",
    "100.64.3.4",
    "192.0.2.55",
    "198.51.100.1",
    "203.0.113.200",
    "198.18.5.5",
    "224.0.0.251",
    "0.0.0.0",
    "255.255.255.255",
    "240.1.2.3",
    "::1",
    "::",
    "fe80::1",
    "fd00::abcd",
    "2001:db8::42",
    "ff02::1",
    "::ffff:192.168.1.1",
];

/// An input like a day of logs: mostly distinct public addresses, a quarter
/// repeats of one seen among the last 2000 public inputs (some written as
/// IPv4-mapped IPv6), and 15% addresses that are not public.
struct Workload {
    inputs: Vec<IpAddr>,
    /// Distinct public addresses, canonical.
    unique: HashSet<IpAddr>,
    not_public: usize,
}

fn workload(n: usize, seed: u64) -> Workload {
    let fresh = distinct_public(n, seed);
    let mut fresh = fresh.into_iter();
    let mut recent: Vec<IpAddr> = Vec::new();
    let mut inputs = Vec::with_capacity(n);
    let mut unique = HashSet::new();
    let mut not_public = 0;
    for k in 0..n as u64 {
        let r = mix(seed ^ (k << 8));
        let ip = match r % 100 {
            0..=14 => {
                not_public += 1;
                NOT_PUBLIC[(r >> 8) as usize % NOT_PUBLIC.len()]
                    .parse()
                    .unwrap()
            }
            15..=39 if !recent.is_empty() => {
                let seen = recent[recent.len() - 1 - (r >> 8) as usize % recent.len().min(2000)];
                match seen {
                    IpAddr::V4(v4) if (r >> 40).is_multiple_of(4) => {
                        IpAddr::V6(v4.to_ipv6_mapped())
                    }
                    other => other,
                }
            }
            _ => {
                let ip = fresh.next().unwrap();
                unique.insert(ip);
                recent.push(ip);
                ip
            }
        };
        inputs.push(ip);
    }
    Workload {
        inputs,
        unique,
        not_public,
    }
}

async fn drain<K, T, S>(
    mut stream: S,
    summary: impl Fn(&S) -> BulkSummary,
) -> (Vec<BulkItem<K, T>>, BulkSummary)
where
    S: Stream<Item = BulkItem<K, T>> + Unpin,
{
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    let summary = summary(&stream);
    (items, summary)
}

async fn assess_all(
    client: &threatjammer::Client,
    inputs: Vec<IpAddr>,
) -> (Vec<BulkItem<IpAddr, IpAssessmentOutput>>, BulkSummary) {
    drain(client.assess_many(inputs), |s| s.summary().clone()).await
}

fn link(ip: IpAddr) -> Link {
    Link::Assessment(ip.to_canonical())
}

fn batches(recorded: &[RecordedRequest], operation: OperationId) -> Vec<Vec<String>> {
    recorded
        .iter()
        .filter(|r| r.operation == Some(operation))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// Every position from 0 to `n` exactly once.
fn assert_each_position_once<K, T>(items: &[BulkItem<K, T>], n: usize) {
    assert_eq!(items.len(), n, "one item per input");
    let mut seen = vec![false; n];
    for item in items {
        let slot = &mut seen[item.position as usize];
        assert!(!*slot, "position {} handed out twice", item.position);
        *slot = true;
    }
}

#[tokio::test]
async fn a_hundred_thousand_addresses_at_the_fewest_requests() {
    let work = workload(100_000, 1);
    let server = MockServer::start().await;
    let client = server.client();
    let started = std::time::Instant::now();
    let (items, summary) = assess_all(&client, work.inputs.clone()).await;
    let elapsed = started.elapsed();

    assert_each_position_once(&items, work.inputs.len());
    let mut answers: HashMap<IpAddr, IpAssessmentOutput> = HashMap::new();
    for item in &items {
        assert_eq!(
            item.input, work.inputs[item.position as usize],
            "input kept as given"
        );
        match &item.outcome {
            Outcome::NotPublic => assert!(!is_public(item.input), "{}", item.input),
            Outcome::Answered(a) => {
                assert_eq!(a.self_, Some(link(item.input)));
                let first = answers
                    .entry(item.input.to_canonical())
                    .or_insert_with(|| a.as_ref().clone());
                assert_eq!(first, a.as_ref(), "every occurrence gets the same answer");
            }
            other => panic!("{}: {other:?}", item.input),
        }
    }
    let batch = spec::max_items(OperationId::ASSESS_IPS);
    let expected_requests = work.unique.len().div_ceil(batch) as u64;
    assert_eq!(answers.len(), work.unique.len());
    assert_eq!(summary.requests, expected_requests);
    assert_eq!(summary.inputs, 100_000);
    assert_eq!(summary.handed_out(), 100_000);
    assert_eq!(summary.not_public, work.not_public as u64);
    assert_eq!(summary.answered, (100_000 - work.not_public) as u64);
    assert_eq!(
        summary.duplicates,
        (100_000 - work.not_public - work.unique.len()) as u64
    );
    assert_eq!(
        (
            summary.failed,
            summary.unanswered,
            summary.unmatched_results
        ),
        (0, 0, 0)
    );

    let recorded = server.received_requests().await;
    assert_eq!(
        recorded.len() as u64,
        expected_requests,
        "nothing but the batches"
    );
    let mut sent = HashSet::new();
    for batch in batches(&recorded, OperationId::ASSESS_IPS) {
        assert!(batch.len() <= spec::max_items(OperationId::ASSESS_IPS));
        for text in batch {
            let ip: IpAddr = text.parse().unwrap();
            assert!(sent.insert(ip), "{ip} sent twice");
        }
    }
    assert_eq!(sent, work.unique);
    eprintln!(
        "100,000 inputs ({} distinct public, {} not public): {} requests in {:.2?}",
        work.unique.len(),
        work.not_public,
        summary.requests,
        elapsed
    );
}

/// Decides, for a batch seen for the first time, whether it fails once: one
/// batch in ten with `503`, and one in thirty with `429` and `Retry-After: 1`.
fn failing_once(
    injected: Arc<AtomicUsize>,
) -> impl Fn(&threatjammer_mock::MockRequest) -> Option<MockResponse> {
    let failed_once = Mutex::new(HashSet::new());
    move |request| {
        if request.operation != Some(OperationId::ASSESS_IPS) {
            return None;
        }
        let key = mix(request.body.iter().fold(0, |h, b| mix(h ^ u64::from(*b))));
        let response = match key % 30 {
            0..=2 => MockResponse::status(503),
            3 => MockResponse::status(429).retry_after(1),
            _ => return None,
        };
        failed_once
            .lock()
            .unwrap()
            .insert(request.body.clone())
            .then(|| {
                injected.fetch_add(1, Ordering::SeqCst);
                response
            })
    }
}

#[tokio::test(start_paused = true)]
async fn failing_batches_lose_nothing() {
    let work = workload(50_000, 2);
    let server = MockServer::start().await;
    let injected = Arc::new(AtomicUsize::new(0));
    server.hook(failing_once(injected.clone()));
    let client = server.client();
    let (items, summary) = assess_all(&client, work.inputs.clone()).await;

    assert_each_position_once(&items, work.inputs.len());
    let recorded = server.received_requests().await;
    let sent = batches(&recorded, OperationId::ASSESS_IPS);
    let distinct: HashSet<&Vec<String>> = sent.iter().collect();
    let injected = injected.load(Ordering::SeqCst);
    assert!(
        injected >= 5,
        "the hook failed {injected} of {} batches",
        distinct.len()
    );
    for item in &items {
        match &item.outcome {
            Outcome::NotPublic => assert!(!is_public(item.input)),
            Outcome::Answered(a) => assert_eq!(a.self_, Some(link(item.input))),
            // The retry policy repeats each failed batch once it is safe to.
            Outcome::Failed(error) => panic!("{}: {error}", item.input),
            Outcome::Unanswered => panic!("{} unanswered", item.input),
        }
    }
    // No batch is sent more often than once plus its injected failure.
    let mut times: HashMap<&Vec<String>, usize> = HashMap::new();
    for batch in &sent {
        *times.entry(batch).or_default() += 1;
    }
    assert!(times.values().all(|n| *n <= 2));
    assert_eq!(summary.failed, 0);
    assert_eq!(
        sent.len(),
        distinct.len() + injected,
        "batches + injected failures"
    );
    assert_eq!(
        distinct.len(),
        work.unique
            .len()
            .div_ceil(spec::max_items(OperationId::ASSESS_IPS))
    );
    eprintln!(
        "{} inputs, {} batches, {injected} failures injected: {} requests, {} inputs failed",
        work.inputs.len(),
        distinct.len(),
        sent.len(),
        summary.failed
    );
    assert_eq!(summary.requests as usize, distinct.len());
    assert_eq!(summary.handed_out(), work.inputs.len() as u64);
}

#[tokio::test]
async fn every_occurrence_of_a_duplicate_gets_the_answer() {
    let server = MockServer::start().await;
    let addresses = distinct_public(30, 3);
    let mut inputs = Vec::new();
    for round in 0..5 {
        for ip in &addresses {
            let spelled = match (round, ip) {
                (3, IpAddr::V4(v4)) => IpAddr::V6(v4.to_ipv6_mapped()),
                _ => *ip,
            };
            inputs.push(spelled);
        }
        inputs.push("192.168.1.1".parse().unwrap());
    }
    let (items, summary) = assess_all(&server.client(), inputs.clone()).await;
    assert_each_position_once(&items, inputs.len());
    let mut by_address: HashMap<IpAddr, Vec<&IpAssessmentOutput>> = HashMap::new();
    for item in &items {
        if let Outcome::Answered(a) = &item.outcome {
            by_address
                .entry(item.input.to_canonical())
                .or_default()
                .push(a);
        }
    }
    assert_eq!(by_address.len(), 30);
    for (ip, answers) in by_address {
        assert_eq!(answers.len(), 5, "{ip}: every occurrence answered");
        assert!(answers.iter().all(|a| *a == answers[0]));
    }
    assert_eq!(summary.requests, 1);
    assert_eq!(summary.sent, 30);
    assert_eq!(summary.duplicates, 4 * 30);
    assert_eq!(summary.not_public, 5);
}

/// The trade-off of bounded memory: a duplicate that comes back after its
/// answer was forgotten is sent again, and still answered.
#[tokio::test]
async fn a_forgotten_duplicate_is_assessed_again() {
    let server = MockServer::start().await;
    let client = server.client();
    let [a, b, c, d] = distinct_public(4, 4)[..] else {
        unreachable!()
    };
    let inputs = vec![a, b, c, d, a];
    let run = |remember| {
        let stream = client
            .assess_many(inputs.clone())
            .batch_size(2)
            .concurrency(1)
            .remember(remember);
        drain(stream, |s| s.summary().clone())
    };
    let (items, summary) = run(0).await;
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|i| i.outcome.answer().is_some()));
    assert_eq!(
        (summary.requests, summary.sent, summary.duplicates),
        (3, 5, 0)
    );
    let (_, summary) = run(10).await;
    assert_eq!(
        (summary.requests, summary.sent, summary.duplicates),
        (2, 4, 1)
    );
}

#[tokio::test]
async fn results_are_matched_by_their_self_link_not_their_position() {
    let server = MockServer::start().await;
    let addresses = distinct_public(6, 5);
    let (dropped, foreign) = (addresses[2], public_address(999_999));
    // Answers reversed, one address left out and one never asked for added.
    server.hook(move |request| {
        let mut asked: Vec<String> = serde_json::from_slice(&request.body).ok()?;
        asked.reverse();
        asked.retain(|ip| *ip != dropped.to_string());
        asked.push(foreign.to_string());
        let results: Vec<_> = asked
            .iter()
            .enumerate()
            .map(|(n, ip)| {
                serde_json::json!({
                    "self": format!("/v1/assess/ip/{ip}"), "score": n, "risk": "LOW",
                    "datasets": [], "sources": [], "first_appearance": [], "last_appearance": [],
                    "asn": "/v1/asn/1", "asn_prefix": "", "reason": "", "denylisted": "",
                    "allowlisted": "", "datacenter": ""
                })
            })
            .collect();
        Some(MockResponse::json(
            200,
            serde_json::json!({"self": "/v1/assess/ip", "results": results}),
        ))
    });
    let (items, summary) = assess_all(&server.client(), addresses.clone()).await;
    for item in &items {
        match &item.outcome {
            Outcome::Answered(a) => assert_eq!(a.self_, Some(link(item.input))),
            Outcome::Unanswered => assert_eq!(item.input, dropped),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        (
            summary.answered,
            summary.unanswered,
            summary.unmatched_results
        ),
        (5, 1, 1)
    );
}

#[tokio::test]
async fn a_failed_batch_fails_each_of_its_addresses_with_one_error() {
    let server = MockServer::start().await;
    server.override_response(OperationId::ASSESS_IPS, MockResponse::status(403));
    let mut inputs = distinct_public(7, 6);
    inputs.push("10.0.0.1".parse().unwrap());
    let stream = server.client().assess_many(inputs).batch_size(4);
    let (items, summary) = drain(stream, |s| s.summary().clone()).await;
    let errors: Vec<&Arc<threatjammer::Error>> = items
        .iter()
        .filter_map(|i| match &i.outcome {
            Outcome::Failed(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 7);
    assert!(matches!(**errors[0], threatjammer::Error::Forbidden(_)));
    let shared: HashSet<*const threatjammer::Error> =
        errors.iter().map(|e| Arc::as_ptr(e)).collect();
    assert_eq!(
        shared.len(),
        2,
        "one error per batch, shared by its addresses"
    );
    assert_eq!(
        (
            summary.not_public,
            summary.failed_requests,
            summary.requests
        ),
        (1, 2, 2)
    );
}

/// Collecting every item keeps the summary too (`StreamExt::collect` would
/// take the stream, summary and all), and the collection can run on a task
/// of its own.
#[tokio::test]
async fn collecting_every_item_keeps_the_summary() {
    let server = MockServer::start().await;
    let mut inputs = distinct_public(5, 8);
    inputs.push(inputs[0]);
    inputs.push("10.0.0.1".parse().unwrap());
    let stream = server.client().assess_many(inputs).batch_size(3);
    let (items, summary) = tokio::spawn(stream.collect_with_summary()).await.unwrap();
    assert_each_position_once(&items, 7);
    assert_eq!(summary.handed_out(), 7);
    assert_eq!(
        (
            summary.inputs,
            summary.answered,
            summary.not_public,
            summary.duplicates,
            summary.requests
        ),
        (7, 6, 1, 1, 2)
    );
}

#[tokio::test]
async fn positions_given_with_the_inputs_are_kept() {
    let server = MockServer::start().await;
    let inputs: Vec<(u64, IpAddr)> = distinct_public(3, 7)
        .into_iter()
        .chain(["127.0.0.1".parse().unwrap()])
        .enumerate()
        .map(|(n, ip)| (10 * n as u64 + 1, ip))
        .collect();
    let (items, _) = drain(server.client().assess_many(inputs.clone()), |s| {
        s.summary().clone()
    })
    .await;
    let mut got: Vec<(u64, IpAddr)> = items.iter().map(|i| (i.position, i.input)).collect();
    got.sort();
    assert_eq!(got, inputs);
}

/// Input is read only as fast as results are taken, plus the batches in the
/// window; an endless input is fine.
#[tokio::test]
async fn back_pressure_from_a_slow_consumer() {
    let server = MockServer::start().await;
    let client = server.client();
    let reads = Arc::new(AtomicU64::new(0));
    let counter = reads.clone();
    let endless = (0u64..).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        public_address(1 << 40 | i)
    });
    let (batch, window) = (100u64, 2u64);
    let mut stream = client
        .assess_many(endless)
        .batch_size(batch as usize)
        .concurrency(window as usize);
    for taken in 1..=1_000u64 {
        assert!(stream.next().await.unwrap().outcome.answer().is_some());
        let read = reads.load(Ordering::SeqCst);
        assert!(
            read <= taken + batch * (window + 2),
            "{read} read for {taken} taken"
        );
    }

    // Answered locally, with nothing read ahead at all.
    let reads = Arc::new(AtomicU64::new(0));
    let counter = reads.clone();
    let private = std::iter::repeat_with(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        IpAddr::from([10, 0, 0, 1])
    });
    let mut stream = client.assess_many(private);
    for taken in 1..=10 {
        assert!(matches!(
            stream.next().await.unwrap().outcome,
            Outcome::NotPublic
        ));
        assert_eq!(reads.load(Ordering::SeqCst), taken);
    }
}

#[tokio::test(start_paused = true)]
async fn addresses_arriving_as_a_stream() {
    let server = MockServer::start().await;
    let addresses = distinct_public(1_200, 8);
    let expected = addresses.len();
    // One address every 10 ms, as from a live log.
    let live = futures_util::stream::unfold(addresses.into_iter(), |mut rest| async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        rest.next().map(|ip| (ip, rest))
    });
    let stream = server.client().assess_stream(live);
    let (items, summary) = drain(stream, |s| s.summary().clone()).await;
    assert_each_position_once(&items, expected);
    assert_eq!((summary.answered, summary.requests), (1_200, 3));
}

/// The batch sizes of one bulk run, largest first.
fn sizes(recorded: &[RecordedRequest], operation: OperationId) -> Vec<usize> {
    let mut sizes: Vec<usize> = batches(recorded, operation).iter().map(Vec::len).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
}

/// One value more than a batch takes is one full batch and one of a single
/// value: batches are exactly as large as the `maxItems` of the batch
/// operation's request body, as the spec of record says it.
#[tokio::test]
async fn batches_are_as_full_as_the_spec_allows() {
    let server = MockServer::start().await;
    let client = server.client();

    let full = spec::max_items(OperationId::ASSESS_IPS);
    let (_, summary) = client
        .assess_many(distinct_public(full + 1, 21))
        .collect_with_summary()
        .await;
    assert_eq!(summary.answered, full as u64 + 1);
    let recorded = server.received_requests().await;
    assert_eq!(sizes(&recorded, OperationId::ASSESS_IPS), [full, 1]);

    let full = spec::max_items(OperationId::GEOLOCATE_IPS);
    let (_, summary) = client
        .geolocate_many(distinct_public(full + 1, 22))
        .collect_with_summary()
        .await;
    assert_eq!(summary.answered, full as u64 + 1);
    let recorded = server.received_requests().await;
    assert_eq!(sizes(&recorded, OperationId::GEOLOCATE_IPS), [full, 1]);

    let full = spec::max_items(OperationId::PARSE_USER_AGENTS);
    let agents: Vec<String> = (0..=full).map(|i| format!("agent-{i}/1.0")).collect();
    let (_, summary) = client
        .parse_user_agents_many(agents)
        .collect_with_summary()
        .await;
    assert_eq!(summary.answered, full as u64 + 1);
    let recorded = server.received_requests().await;
    assert_eq!(sizes(&recorded, OperationId::PARSE_USER_AGENTS), [full, 1]);
}

#[tokio::test]
async fn geolocation_and_user_agents_in_bulk() {
    let server = MockServer::start().await;
    let client = server.client();
    let work = workload(3_000, 9);
    let stream = client.geolocate_many(work.inputs.clone());
    let (items, summary) = drain(stream, |s| s.summary().clone()).await;
    assert_each_position_once(&items, work.inputs.len());
    for item in &items {
        if let Outcome::Answered(location) = &item.outcome {
            let link = Link::Geo(item.input.to_canonical());
            assert_eq!(location.self_, Some(link));
        }
    }
    assert_eq!(summary.not_public, work.not_public as u64);
    let batch = spec::max_items(OperationId::GEOLOCATE_IPS);
    assert_eq!(summary.requests, work.unique.len().div_ceil(batch) as u64);

    let agents: Vec<String> = (0..250)
        .map(|i| match i % 5 {
            0 => "curl/8.4.0".to_string(),
            1 => format!(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/{}.0.0.0 Safari/537.36",
                i
            ),
            _ => format!("crawler-{i}/1.0 (+https://example.com/bot) and / slashes %2F"),
        })
        .collect();
    let unique: HashSet<&String> = agents.iter().collect();
    let stream = client.parse_user_agents_many(agents.iter().map(String::as_str));
    let (items, summary) = drain(stream, |s| s.summary().clone()).await;
    assert_each_position_once(&items, agents.len());
    for item in &items {
        let analysis = item.outcome.answer().expect("every agent is analysed");
        assert_eq!(analysis.string, item.input);
        assert_eq!(item.input, agents[item.position as usize]);
    }
    let batch = spec::max_items(OperationId::PARSE_USER_AGENTS);
    assert_eq!(summary.requests, unique.len().div_ceil(batch) as u64);
    let recorded = server.received_requests().await;
    assert!(batches(&recorded, OperationId::PARSE_USER_AGENTS)
        .iter()
        .all(|b| b.len() <= batch));
}

/// The mock enforcing the free plan and the client's own quota guard keeping to
/// it: a bulk run longer than a minute's allowance is spread out by the guard
/// and never refused.
#[tokio::test(start_paused = true)]
async fn free_plan_quota_and_the_client_guard_never_meet_a_429() {
    let server = MockServer::builder().quota(QuotaPolicy::FREE).start().await;
    let client = server
        .client_builder()
        .http_client(MockServer::http_client())
        .quota(threatjammer::QuotaPolicy::FREE)
        .build()
        .unwrap();
    let addresses = distinct_public(12_000, 10);
    let started = tokio::time::Instant::now();
    let (items, summary) = assess_all(&client, addresses).await;
    assert!(items.iter().all(|i| i.outcome.answer().is_some()));
    assert_eq!(summary.requests, 24);
    let recorded = server.received_requests().await;
    let refused = recorded.iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, 0, "the mock refused {refused} requests");
    assert_eq!(recorded.len(), 24);
    assert!(
        started.elapsed() >= Duration::from_secs(120),
        "24 requests take three minutes of the free plan"
    );
}
