//! The answer cache and verdicts within a deadline (issue 30), against the
//! crate's mock: what is sent, what is answered from the cache, and what a
//! verdict says when no fresh answer can be had in time.

use futures_util::StreamExt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use threatjammer::cache::{CachePolicy, MemoryStore};
use threatjammer::types::IpAssessmentOutputRisk as Risk;
use threatjammer::verdict::{Degraded, Fallback, Source};
use threatjammer::{ApiKey, Client, QuotaPolicy};
use threatjammer_mock::{MockResponse, MockServer};

const ADDRESS: &str = "212.231.12.22";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

async fn cached_client(policy: CachePolicy) -> (MockServer, Client) {
    let server = MockServer::builder().start().await;
    let client = server
        .client_builder()
        .http_client(MockServer::http_client())
        .cache(policy)
        .build()
        .unwrap();
    (server, client)
}

async fn sent(server: &MockServer) -> usize {
    server.received_requests().await.len()
}

#[tokio::test]
async fn a_second_assessment_within_the_ttl_sends_nothing_and_after_it_sends_again() {
    let (server, tj) = cached_client(CachePolicy::new().ttl(Duration::from_millis(300))).await;
    let first = tj.assess_ip(ip(ADDRESS)).await.unwrap();
    let second = tj.assess_ip(ip(ADDRESS)).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(sent(&server).await, 1, "the second came from the cache");
    let stats = tj.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses, stats.entries), (1, 1, 1));
    // Another address, or another operation, is another entry.
    tj.geolocate_ip(ip(ADDRESS)).await.unwrap();
    assert_eq!(sent(&server).await, 2);
    tokio::time::sleep(Duration::from_millis(400)).await;
    tj.assess_ip(ip(ADDRESS)).await.unwrap();
    assert_eq!(sent(&server).await, 3, "expired: sent again");
}

#[tokio::test]
async fn a_change_to_the_callers_lists_drops_the_cached_assessments() {
    let (server, tj) = cached_client(CachePolicy::new()).await;
    tj.assess_ip(ip(ADDRESS)).await.unwrap();
    tj.get_asn(15704).await.unwrap();
    let list = threatjammer::types::PrivateAclGroupListInput::new(
        "networks we do not take sign-ups from",
        "risky-networks",
        threatjammer::types::PrivateAclGroupListInputResourceType::Cidr,
        vec!["SIGNUP".parse().unwrap()],
    );
    tj.create_private_denylist(list).await.unwrap();
    let before = sent(&server).await;
    tj.assess_ip(ip(ADDRESS)).await.unwrap();
    assert_eq!(
        sent(&server).await,
        before + 1,
        "the assessment was dropped"
    );
    tj.get_asn(15704).await.unwrap();
    assert_eq!(
        sent(&server).await,
        before + 1,
        "an AS does not depend on lists"
    );
}

#[tokio::test]
async fn two_keys_never_share_an_entry() {
    // One store, two clients of one deployment with two keys: the wiremock
    // server answers either.
    let fixture: serde_json::Value = serde_json::from_str(include_str!(
        "fixtures/documented/assess-ip-212.231.12.22.json"
    ))
    .unwrap();
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(&fixture["response"]["body"]),
        )
        .mount(&server)
        .await;
    let store = Arc::new(MemoryStore::new(100));
    let client = |key: &str| {
        Client::builder()
            .base_url(server.uri())
            .api_key(ApiKey::unchecked(key))
            .cache(CachePolicy::new().store(store.clone()))
            .build()
            .unwrap()
    };
    let (a, b) = (client("first-key"), client("second-key"));
    a.assess_ip(ip(ADDRESS)).await.unwrap();
    b.assess_ip(ip(ADDRESS)).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    a.assess_ip(ip(ADDRESS)).await.unwrap();
    b.assess_ip(ip(ADDRESS)).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert_eq!(threatjammer::cache::AnswerStore::entries(&store), 2);
}

#[tokio::test]
async fn a_bulk_run_sends_only_what_the_cache_cannot_answer() {
    let (server, tj) = cached_client(CachePolicy::new()).await;
    let addresses: Vec<IpAddr> = (0..1000)
        .map(|i| format!("81.{}.{}.1", i / 250, i % 250).parse().unwrap())
        .collect();
    // 600 of them assessed before, one by one and in a batch.
    for address in &addresses[..100] {
        tj.assess_ip(*address).await.unwrap();
    }
    let earlier: Vec<_> = tj.assess_many(addresses[100..600].to_vec()).collect().await;
    assert_eq!(earlier.len(), 500);
    server.clear_received_requests();
    let (items, summary) = tj
        .assess_many(addresses.clone())
        .collect_with_summary()
        .await;
    assert_eq!(items.len(), 1000);
    assert!(items.iter().all(|item| item.outcome.answer().is_some()));
    assert_eq!(summary.from_cache, 600);
    assert_eq!(summary.sent, 400);
    let batches = server.received_requests().await;
    let bodies: usize = batches
        .iter()
        .map(|r| r.request.json().unwrap().as_array().unwrap().len())
        .sum();
    assert_eq!(
        bodies, 400,
        "only the 400 the cache could not answer were sent"
    );
}

#[tokio::test(start_paused = true)]
async fn with_the_minute_spent_a_verdict_degrades_at_once_and_sends_nothing() {
    let server = MockServer::builder().start().await;
    let tj = server
        .client_builder()
        .http_client(MockServer::http_client())
        .quota(QuotaPolicy::disabled().with_per_minute(1))
        .cache(CachePolicy::new())
        .verdict_fallback(Fallback::Deny)
        .build()
        .unwrap();
    tj.get_asn(15704).await.unwrap(); // the minute's one request
    let started = tokio::time::Instant::now();
    let verdict = tj
        .verdict(ip(ADDRESS))
        .deadline(Duration::from_millis(300))
        .await;
    assert!(started.elapsed() <= Duration::from_millis(300));
    assert_eq!(verdict.source, Source::Degraded(Degraded::QuotaMinute));
    assert!(verdict.blocks_at(&Risk::High), "the fallback denies");
    assert_eq!(sent(&server).await, 1, "nothing more was sent");
}

#[tokio::test(start_paused = true)]
async fn a_stalled_service_gives_a_degraded_verdict_in_time_and_fills_the_cache_once() {
    let server = MockServer::builder().start().await;
    server.set_latency(Duration::from_secs(5));
    let tj = server
        .client_builder()
        .http_client(MockServer::http_client())
        .cache(CachePolicy::new())
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let verdict = tj
        .verdict(ip(ADDRESS))
        .deadline(Duration::from_millis(300))
        .await;
    assert!(started.elapsed() <= Duration::from_millis(300));
    assert_eq!(verdict.source, Source::Degraded(Degraded::DeadlinePassed));
    assert!(
        !verdict.blocks_at(&Risk::Low),
        "the default fallback lets it through"
    );
    // A second verdict meanwhile joins the request in flight.
    let again = tj
        .verdict(ip(ADDRESS))
        .deadline(Duration::from_millis(300))
        .await;
    assert_eq!(again.source, Source::Degraded(Degraded::DeadlinePassed));
    // The request goes on, answers, and fills the cache.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(sent(&server).await, 1, "one request for both verdicts");
    let cached = tj.verdict(ip(ADDRESS)).await;
    assert_eq!(cached.source, Source::Cached);
    assert!(cached.risk.is_some() && cached.score.is_some());
    assert_eq!(sent(&server).await, 1);
    assert_eq!(tj.cache_stats().unwrap().entries, 1);
}

#[tokio::test]
async fn verdicts_on_private_or_unreachable_addresses_send_nothing_and_say_why() {
    let (server, tj) = cached_client(CachePolicy::new()).await;
    let private = tj.verdict(ip("10.1.2.3")).await;
    assert_eq!(private.source, Source::Degraded(Degraded::PrivateAddress));
    assert_eq!(sent(&server).await, 0);
    let fresh = tj.verdict(ip(ADDRESS)).await;
    assert_eq!(fresh.source, Source::Fresh);
    server.fail_next(None, 1, MockResponse::status(403));
    let other = tj.verdict(ip("8.8.8.8")).await;
    assert_eq!(other.source, Source::Degraded(Degraded::Refused(Some(403))));

    // A deployment that cannot be reached: the last known answer stands in.
    let gone = Client::builder()
        .base_url("http://127.0.0.1:9")
        .api_key(server.api_key())
        .cache(CachePolicy::new())
        .build()
        .unwrap();
    let verdict = gone
        .verdict(ip(ADDRESS))
        .deadline(Duration::from_secs(5))
        .await;
    assert_eq!(verdict.source, Source::Degraded(Degraded::Unreachable));
    assert_eq!(verdict.risk, None);
}
