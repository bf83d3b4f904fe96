//! Retries and the quota guard, on tokio's paused clock: waits are measured in
//! virtual time, so a 60-second window takes no real time at all.
//!
//! The reqwest client in these tests keeps no idle connections and has no
//! timeouts: a paused clock jumps to the next timer whenever the runtime waits,
//! and the only timers should be the ones under test.

use serde_json::json;
use std::time::Duration;
use threatjammer::{ApiKey, Client, Error, QuotaPolicy, RetryPolicy};
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";

fn asn_body() -> serde_json::Value {
    let text = std::fs::read_to_string("tests/fixtures/documented/asn-15169.json").unwrap();
    let exchange: serde_json::Value = serde_json::from_str(&text).unwrap();
    exchange["response"]["body"].clone()
}

fn client(server: &MockServer, retry: RetryPolicy, quota: QuotaPolicy) -> Client {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .http_client(http)
        .retry(retry)
        .quota(quota)
        .build()
        .unwrap()
}

/// Answers `first` once, then `then` for good.
async fn once_then(
    verb: &str,
    at: &str,
    first: ResponseTemplate,
    then: ResponseTemplate,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(then)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test(start_paused = true)]
async fn rate_limited_then_ok_waits_the_advertised_time() {
    let server = once_then(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(429).insert_header("Retry-After", "7"),
        ResponseTemplate::new(200).set_body_json(asn_body()),
    )
    .await;
    let tj = client(&server, RetryPolicy::new(), QuotaPolicy::disabled());
    let started = Instant::now();
    let asn = tj.get_asn(15169).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(asn.name, "GOOGLE");
    assert_eq!(requests(&server).await, 2);
    // Exactly what Retry-After said: no backoff or jitter added to it.
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(8),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_cap_is_returned_not_waited() {
    let server = once_then(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(429).insert_header("Retry-After", "3600"),
        ResponseTemplate::new(200).set_body_json(asn_body()),
    )
    .await;
    let policy = RetryPolicy::new().max_retry_after(Duration::from_secs(60));
    let tj = client(&server, policy, QuotaPolicy::disabled());
    let started = Instant::now();
    let err = tj.get_asn(15169).await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn gateway_errors_are_retried_with_growing_waits() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(200).set_body_json(asn_body()))
        .with_priority(2)
        .mount(&server)
        .await;
    let policy = RetryPolicy::new()
        .max_attempts(3)
        .initial_backoff(Duration::from_secs(2));
    let tj = client(&server, policy, QuotaPolicy::disabled());
    let started = Instant::now();
    tj.get_asn(15169).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(requests(&server).await, 3);
    // Two waits: 1-2 s, then 2-4 s (equal jitter keeps at least half of each step).
    assert!(
        waited >= Duration::from_secs(3) && waited <= Duration::from_secs(6),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn attempts_stop_at_the_policy_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(504))
        .mount(&server)
        .await;
    let tj = client(
        &server,
        RetryPolicy::new().max_attempts(4),
        QuotaPolicy::disabled(),
    );
    let err = tj.get_asn(15169).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(504));
    assert_eq!(requests(&server).await, 4);
}

#[tokio::test(start_paused = true)]
async fn changes_are_never_repeated() {
    let id = uuid::Uuid::nil();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/allowlist/private"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v1/allowlist/private/{id}")))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .mount(&server)
        .await;
    let tj = client(
        &server,
        RetryPolicy::new().max_attempts(5),
        QuotaPolicy::disabled(),
    );

    let payload = serde_json::from_value(json!({
        "name": "office", "description": "", "resource_type": "CIDR", "tags": [],
    }))
    .unwrap();
    let err = tj.create_private_allowlist(payload).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let err = tj.delete_private_allowlist(id).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert_eq!(requests(&server).await, 2, "one request each");
}

#[tokio::test(start_paused = true)]
async fn read_only_posts_are_repeated() {
    let server = once_then(
        "POST",
        "/v1/assess/ip",
        ResponseTemplate::new(503),
        ResponseTemplate::new(200).set_body_json(json!({"self": "/v1/assess/ip", "results": []})),
    )
    .await;
    let tj = client(&server, RetryPolicy::new(), QuotaPolicy::disabled());
    let out = tj.assess_ips(vec!["8.8.8.8".to_string()]).await.unwrap();
    assert!(out.results.is_empty());
    assert_eq!(requests(&server).await, 2);
}

/// Real time: the timeout under test is reqwest's, and the mock's delay is real.
#[tokio::test]
async fn a_timed_out_read_is_repeated() {
    let server = once_then(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(200)
            .set_body_json(asn_body())
            .set_delay(Duration::from_secs(5)),
        ResponseTemplate::new(200).set_body_json(asn_body()),
    )
    .await;
    let tj = Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::new().initial_backoff(Duration::from_millis(20)))
        .build()
        .unwrap();
    assert_eq!(tj.get_asn(15169).await.unwrap().name, "GOOGLE");
    assert_eq!(requests(&server).await, 2);
}

/// A request's own timeout replaces the client's for that call only (real
/// time, as above): the client waits 20 s, the call 300 ms.
#[tokio::test]
async fn a_calls_timeout_overrides_the_clients() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(asn_body())
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let tj = Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .timeout(Duration::from_secs(20))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = tj
        .get_asn(15169)
        .timeout(Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Without the override the same client waits the answer out.
    assert_eq!(tj.get_asn(15169).await.unwrap().name, "GOOGLE");
}

/// `GET /v1/asn/15169` answers `503` once, then the AS.
async fn gateway_then_asn() -> MockServer {
    once_then(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(503),
        ResponseTemplate::new(200).set_body_json(asn_body()),
    )
    .await
}

/// A request's own retry policy replaces the client's for that call only.
#[tokio::test(start_paused = true)]
async fn a_calls_retry_policy_overrides_the_clients() {
    let server = gateway_then_asn().await;
    let tj = client(&server, RetryPolicy::new(), QuotaPolicy::disabled());
    let err = tj
        .get_asn(15169)
        .retry(RetryPolicy::disabled())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        requests(&server).await,
        1,
        "sent once, as the call's policy says"
    );
    // And a call may be repeated where the client's policy would send it once.
    let server = gateway_then_asn().await;
    let tj = client(&server, RetryPolicy::disabled(), QuotaPolicy::disabled());
    let asn = tj
        .get_asn(15169)
        .retry(RetryPolicy::new().initial_backoff(Duration::from_millis(10)))
        .await
        .unwrap();
    assert_eq!(asn.name, "GOOGLE");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn the_quota_guard_holds_a_burst_to_the_per_minute_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(200).set_body_json(asn_body()))
        .mount(&server)
        .await;
    let tj = client(
        &server,
        RetryPolicy::disabled(),
        QuotaPolicy::disabled().with_per_minute(10),
    );
    let started = Instant::now();
    let burst = (0..25).map(|_| {
        let tj = tj.clone();
        async move {
            tj.get_asn(15169).await.unwrap();
            started.elapsed()
        }
    });
    let mut done = futures_util::future::join_all(burst).await;
    done.sort();
    assert_eq!(requests(&server).await, 25);
    // An answer comes after its request is sent, so the 11th answer can only
    // come once the first minute is over, and the 21st once the second is.
    assert!(done[10] >= Duration::from_secs(60), "{done:?}");
    assert!(done[20] >= Duration::from_secs(120), "{done:?}");
    // And the guard holds no longer than it must: three windows in all.
    assert!(done[24] < Duration::from_secs(180), "{done:?}");
}

#[tokio::test]
async fn a_spent_month_is_refused_without_sending() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(200).set_body_json(asn_body()))
        .mount(&server)
        .await;
    let tj = client(
        &server,
        RetryPolicy::disabled(),
        QuotaPolicy::disabled().with_per_month(2),
    );
    tj.get_asn(15169).await.unwrap();
    tj.get_asn(15169).await.unwrap();
    let err = tj.get_asn(15169).await.unwrap_err();
    assert!(
        matches!(err, Error::QuotaExhausted { limit: 2, .. }),
        "{err:?}"
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn quota_reads_the_token_and_takes_its_monthly_count() {
    let text = std::fs::read_to_string("tests/fixtures/documented/token.json").unwrap();
    let exchange: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut token = exchange["response"]["body"].clone();
    token["last_month_bucket_value"] = json!(3);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(200).set_body_json(asn_body()))
        .mount(&server)
        .await;
    let tj = client(
        &server,
        RetryPolicy::disabled(),
        QuotaPolicy::disabled().with_per_month(5),
    );

    let quota = tj.fetch_quota().await.unwrap();
    assert_eq!(quota.per_minute, 100);
    assert_eq!(quota.left_this_minute(), 100);
    assert_eq!(quota.per_month, 1_000_000);
    assert_eq!(quota.left_this_month(), 999_997);

    // The service counts 3 of the client's 5: two more, then refusal.
    tj.get_asn(15169).await.unwrap();
    tj.get_asn(15169).await.unwrap();
    let err = tj.get_asn(15169).await.unwrap_err();
    assert!(matches!(err, Error::QuotaExhausted { .. }), "{err:?}");
}

/// The client's month may end before the service's (it cannot know the date
/// until it reads the token); reading the token is how it finds out.
#[tokio::test]
async fn quota_is_read_even_when_the_month_looks_spent() {
    let text = std::fs::read_to_string("tests/fixtures/documented/token.json").unwrap();
    let exchange: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut token = exchange["response"]["body"].clone();
    token["last_month_bucket_value"] = json!(0);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(200).set_body_json(asn_body()))
        .mount(&server)
        .await;
    let tj = client(
        &server,
        RetryPolicy::disabled(),
        QuotaPolicy::disabled().with_per_month(1),
    );
    tj.get_asn(15169).await.unwrap();
    assert!(matches!(
        tj.get_asn(15169).await,
        Err(Error::QuotaExhausted { .. })
    ));
    assert_eq!(tj.fetch_quota().await.unwrap().used_this_month, 0);
    tj.get_asn(15169).await.unwrap();
    assert_eq!(requests(&server).await, 3);
}

/// A plan's two limits are set by name, so they cannot be swapped; the
/// positional `new` (deprecated) still builds the same policy.
#[test]
fn quota_limits_are_set_by_name() {
    let paid = QuotaPolicy::FREE
        .with_per_minute(100)
        .with_per_month(1_000_000);
    assert_eq!(paid.per_minute(), Some(100));
    assert_eq!(paid.per_month(), Some(1_000_000));
    #[allow(deprecated)]
    let positional = QuotaPolicy::new(100, 1_000_000);
    assert_eq!(paid, positional);

    // From no limits, one window at a time; `0` lifts a limit again.
    let monthly = QuotaPolicy::disabled().with_per_month(5000);
    assert_eq!(
        (monthly.per_minute(), monthly.per_month()),
        (None, Some(5000))
    );
    assert_eq!(QuotaPolicy::FREE.with_per_minute(0), monthly);
    assert!(monthly.with_per_month(0).is_disabled());
    // Usable in constants, as `FREE` is.
    const TEAM: QuotaPolicy = QuotaPolicy::FREE.with_per_minute(60);
    assert_eq!(TEAM.per_month(), Some(5000));
}

#[test]
fn the_guard_defaults_to_the_free_plan_for_regions_only() {
    let key = || ApiKey::new(KEY).unwrap();
    let public = Client::builder().api_key(key()).build().unwrap();
    assert_eq!(public.quota_policy(), QuotaPolicy::FREE);
    assert_eq!(QuotaPolicy::FREE.per_minute(), Some(10));
    assert_eq!(QuotaPolicy::FREE.per_month(), Some(5000));

    let mock = Client::new("http://127.0.0.1:9", key()).unwrap();
    assert!(mock.quota_policy().is_disabled());

    let asked = Client::builder()
        .base_url("http://127.0.0.1:9")
        .api_key(key())
        .quota(QuotaPolicy::FREE)
        .build()
        .unwrap();
    assert_eq!(asked.quota_policy(), QuotaPolicy::FREE);
}

#[test]
fn only_reads_are_safe_to_repeat() {
    for id in [
        "get_asn",
        "assess_ips",
        "assess_ips_csv",
        "lookup_asn_prefix",
        "get_origin_token",
    ] {
        assert!(threatjammer::is_safe_to_repeat(id), "{id}");
    }
    for id in [
        "create_private_allowlist",
        "delete_private_allowlist",
        "update_private_denylist_content",
        "create_origin_token",
        "set_origin_status",
        "no_such_operation",
    ] {
        assert!(!threatjammer::is_safe_to_repeat(id), "{id}");
    }
}
