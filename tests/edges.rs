//! Promises kept at the edges (issue 25): errors of bounded size whatever a
//! server sends, the token's key dropped from every spelling of its link,
//! `Retry-After` in both of its forms, arguments checked against the spec
//! before anything is sent, and a success's status and headers on request.
//! (Proxies from the environment: tests/proxy_env.rs, alone in its binary.)

use serde_json::json;
use std::time::Duration;
use threatjammer::{ApiKey, Client, Error, Link, RetryPolicy};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tja_EEEEddddGGGGeeeeSSSSeeeeddddggggee01";
const MIB: usize = 1024 * 1024;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

async fn answering(at: &str, answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(at))
        .respond_with(answer)
        .mount(&server)
        .await;
    server
}

/// Both renderings of an error, which is what a caller logs or prints.
fn rendered(error: &Error) -> (usize, usize) {
    (error.to_string().len(), format!("{error:?}").len())
}

// ---- errors of bounded size -------------------------------------------------

#[tokio::test]
async fn a_one_mebibyte_problem_gives_an_error_of_bounded_size() {
    let huge = "t".repeat(MIB);
    let server = answering(
        "/v1/asn/1",
        ResponseTemplate::new(404).set_body_json(json!({
            "title": huge, "detail": huge, "type": huge,
        })),
    )
    .await;
    let error = client(&server).get_asn(1).await.unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    let (display, debug) = rendered(&error);
    assert!(display < 2_000, "Display is {display} bytes");
    assert!(debug < 3_000, "Debug is {debug} bytes");
    let problem = error.problem().unwrap();
    assert!(problem.title.as_ref().unwrap().ends_with('…'));
}

#[tokio::test]
async fn a_one_mebibyte_value_in_the_wrong_place_gives_a_short_decode_error() {
    // `country_code` is an enum and `score` an integer: a 1 MiB string in the
    // latter is quoted by serde in its message.
    let server = answering(
        "/v1/asn/1",
        ResponseTemplate::new(200).set_body_json(json!({
            "name": "X", "country_code": "US", "score": "9".repeat(MIB) + "x",
        })),
    )
    .await;
    let error = client(&server).get_asn(1).await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let (display, debug) = rendered(&error);
    assert!(
        display < 1_500 && debug < 1_500,
        "{display} / {debug} bytes"
    );
}

#[tokio::test]
async fn validation_failures_are_bounded_in_number_and_size() {
    let failure =
        json!({"loc": vec!["body"; 100], "msg": "m".repeat(16 * 1024), "type": "value_error"});
    let server = answering(
        "/v1/assess/ip",
        ResponseTemplate::new(422).set_body_json(json!({"detail": vec![failure; 1000]})),
    )
    .await;
    let error = client(&server)
        .assess_ips(vec!["1.2.3.4".into()])
        .await
        .unwrap_err();
    let Error::Validation(failures) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(failures.len(), 16);
    assert!(failures.iter().all(|f| f.loc.len() <= 8));
    assert!(failures.last().unwrap().msg.contains("984 more failures"));
    let (display, debug) = rendered(&error);
    assert!(
        display < 64 * 1024 && debug < 64 * 1024,
        "{display} / {debug} bytes"
    );
}

#[tokio::test]
async fn any_other_problem_detail_is_bounded_too() {
    let server = answering(
        "/v1/asn/1",
        ResponseTemplate::new(409).set_body_json(json!({
            "title": "conflict", "detail": {"nested": ["x".repeat(MIB)]},
        })),
    )
    .await;
    let error = client(&server).get_asn(1).await.unwrap_err();
    let (display, debug) = rendered(&error);
    assert!(
        display < 2_000 && debug < 2_000,
        "{display} / {debug} bytes"
    );
}

#[tokio::test]
async fn a_huge_link_that_cannot_be_followed_gives_a_short_error() {
    let server = MockServer::start().await;
    let link = Link::parse(&format!("/nowhere/{}", "l".repeat(MIB))).unwrap();
    let error = client(&server).follow(&link).await.unwrap_err();
    assert!(matches!(error, Error::Link { .. }), "{error:?}");
    let (display, debug) = rendered(&error);
    assert!(
        display < 2_000 && debug < 2_000,
        "{display} / {debug} bytes"
    );
}

// ---- the token's key, in every spelling of its link ---------------------------

/// Every way a service or a gateway could spell the token's own link.
fn token_link_spellings(key: &str) -> Vec<String> {
    vec![
        format!("/v1/token/{key}"),
        format!("/v1/token/{key}/"),
        format!("/v1/token/{key}//"),
        format!("/v1/token/{key}?refresh=1"),
        format!("/v1/token/{key}#self"),
        format!("/v1/%74oken/{key}"),
        format!("https://dublin.api.threatjammer.com/v1/token/{key}"),
        format!("HTTPS://dublin.api.threatjammer.com/v1/token/{key}/"),
        format!("http://127.0.0.1:8080/v1/token/{key}?x=y"),
        format!("//dublin.api.threatjammer.com/v1/token/{key}"),
        format!("  /v1/token/{key}/  "),
    ]
}

/// Whatever host an absolute token link names, reading it as the token's
/// link is safe: following it asks the configured host for the token.
#[test]
fn every_spelling_of_the_token_link_drops_the_key() {
    for spelling in token_link_spellings(KEY) {
        let link = Link::parse(&spelling).unwrap();
        assert_eq!(link, Link::Token, "{spelling}");
        assert!(!format!("{link:?} {link}").contains(KEY), "{spelling}");
    }
}

#[test]
fn a_key_shaped_text_in_any_unknown_link_is_masked() {
    for text in [
        format!("https://elsewhere.example/other/{KEY}"),
        format!("/v1/other/{KEY}"),
        format!("/v1/asn/1?token={KEY}"),
    ] {
        let link = Link::parse(&text).unwrap();
        assert!(matches!(link, Link::Unknown(_)), "{text}: {link:?}");
        assert!(
            !format!("{link:?} {link}").contains(KEY),
            "{text}: {link:?}"
        );
    }
}

#[tokio::test]
async fn a_decoded_token_answer_never_holds_the_key() {
    // A private deployment's key, of no public shape: only the client knows it.
    let private = "private-deployment-secret-42";
    for (key, spelling) in token_link_spellings(KEY)
        .into_iter()
        .map(|s| (KEY, s))
        .chain(
            token_link_spellings(private)
                .into_iter()
                .map(|s| (private, s)),
        )
    {
        let server = answering(
            "/v1/token",
            ResponseTemplate::new(200).set_body_json(json!({
                "self": spelling,
                "region_id": format!("eu-{key}"),
                "status": "ENABLED",
            })),
        )
        .await;
        let tj = Client::builder()
            .base_url(server.uri())
            .api_key(ApiKey::unchecked(key))
            .build()
            .unwrap();
        let token = tj.get_token().await.unwrap();
        let shown = format!("{token:?} {}", serde_json::to_string(&token).unwrap());
        assert!(!shown.contains(key), "{spelling}: {shown}");
        assert_eq!(token.self_, Some(Link::Token), "{spelling}");
    }
}

// ---- Retry-After in both of its forms -----------------------------------------

async fn rate_limited_then_ok(retry_after: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/v1/asn/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", retry_after))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/asn/1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"name": "X", "country_code": "US"})),
        )
        .mount(&server)
        .await;
    server
}

fn retrying(server: &MockServer, max_retry_after: Duration) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .retry(
            RetryPolicy::new()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1))
                .max_retry_after(max_retry_after),
        )
        .build()
        .unwrap()
}

/// The time `offset` seconds from now as an HTTP date (IMF-fixdate).
fn http_date(offset: i64) -> String {
    let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(offset);
    jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&at)
        .unwrap()
}

#[tokio::test]
async fn an_http_date_in_the_past_means_now() {
    let server = rate_limited_then_ok(&http_date(-3600)).await;
    // A backoff of 20 s would show: the date must be read, not guessed around.
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .retry(RetryPolicy::new().initial_backoff(Duration::from_secs(20)))
        .build()
        .unwrap();
    let asn = tokio::time::timeout(Duration::from_secs(5), client.get_asn(1))
        .await
        .expect("retried at once, not after a backoff");
    assert!(asn.is_ok(), "{asn:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_http_date_in_the_future_is_waited_for() {
    let server = rate_limited_then_ok(&http_date(2)).await;
    let started = std::time::Instant::now();
    let asn = retrying(&server, Duration::from_secs(60)).get_asn(1).await;
    assert!(asn.is_ok(), "{asn:?}");
    // The date has whole seconds, so "in 2 s" is between 1 and 2 s from now.
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_http_date_beyond_the_policy_is_returned_with_its_wait() {
    let server = rate_limited_then_ok(&http_date(600)).await;
    let error = retrying(&server, Duration::from_secs(60))
        .get_asn(1)
        .await
        .unwrap_err();
    let Error::RateLimited {
        retry_after: Some(wait),
        ..
    } = error
    else {
        panic!("{error:?}")
    };
    assert!(
        wait > Duration::from_secs(590) && wait <= Duration::from_secs(600),
        "{wait:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_unreadable_or_absurd_retry_after_is_never_a_reason_to_send_again() {
    for value in [
        "99999999999999999999999999",
        "soon",
        "Thu, 99 Foo 2026 25:61:61 GMT",
        "-5",
        "1.5",
    ] {
        let server = rate_limited_then_ok(value).await;
        let error = retrying(&server, Duration::from_secs(60))
            .get_asn(1)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::RateLimited {
                    retry_after: None,
                    ..
                }
            ),
            "{value}: {error:?}"
        );
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "{value}: sent again"
        );
    }
}

// ---- arguments checked before anything is sent -------------------------------

/// A server that fails the test if anything reaches it.
async fn untouched() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    server
}

fn refused(outcome: Result<impl std::fmt::Debug, Error>, argument: &str, says: &str) {
    match outcome {
        Err(Error::Argument { name, message, .. }) => {
            assert_eq!(name, argument);
            assert!(message.contains(says), "{message}");
        }
        other => panic!("{argument}: expected Error::Argument, got {other:?}"),
    }
}

fn addresses(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256))
        .collect()
}

#[tokio::test]
async fn bounds_of_parameters_are_checked() {
    let server = untouched().await;
    let tj = client(&server);
    refused(
        tj.list_token_activity().page_size(1000).await,
        "page_size",
        "at most 100",
    );
    refused(
        tj.list_token_activity().page_size(2).await,
        "page_size",
        "at least 5",
    );
    refused(
        tj.get_private_allowlist_content(uuid::Uuid::nil())
            .page_size(101)
            .await,
        "page_size",
        "at most 100",
    );
}

#[tokio::test]
async fn item_counts_uniqueness_and_formats_of_bodies_are_checked() {
    let server = untouched().await;
    let tj = client(&server);
    refused(tj.assess_ips(addresses(501)).await, "body", "at most 500");
    refused(tj.assess_ips(Vec::new()).await, "body", "at least 1");
    refused(
        tj.assess_ips(vec!["1.2.3.4".into(), "5.6.7.8".into(), "1.2.3.4".into()])
            .await,
        "body",
        "items 0 and 2",
    );
    refused(
        tj.geolocate_ips(vec!["2001:db8::1".into(), "2001:0db8:0::1".into()])
            .await,
        "body",
        "must be unique",
    );
    refused(
        tj.geolocate_ips(vec!["1.2.3.4".into(), "not-an-address".into()])
            .await,
        "body",
        "item 1 is not an IP address",
    );
    let agents: Vec<String> = (0..101).map(|i| format!("agent/{i}")).collect();
    refused(tj.parse_user_agents(agents).await, "body", "at most 100");
    refused(
        tj.lookup_asn_prefix("a.b.c.d/99").await,
        "prefix",
        "not an IP network",
    );
}

#[tokio::test]
async fn lengths_and_formats_of_body_fields_are_checked() {
    use threatjammer::types::SetPrivateAllowlistOriginStatusBodyStatus as Status;
    let server = untouched().await;
    let tj = client(&server);
    let id = uuid::Uuid::nil();
    refused(
        tj.set_private_allowlist_origin_status(
            id,
            "no scheme here".parse().unwrap(),
            Status::Active,
        )
        .await,
        "origin",
        "not an absolute URI",
    );
}

#[tokio::test]
async fn arguments_within_their_rules_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/assess/ip"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/asn/prefix"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"title": "no"})))
        .expect(2)
        .mount(&server)
        .await;
    let tj = client(&server);
    tj.assess_ips(addresses(500)).await.unwrap();
    // The documented request sends an address where a network is named.
    for prefix in ["2.58.149.174", "2.58.148.0/22"] {
        let error = tj.lookup_asn_prefix(prefix).await.unwrap_err();
        assert!(matches!(error, Error::NotFound(_)), "{prefix}: {error:?}");
    }
}

// ---- a success's status and headers -------------------------------------------

#[tokio::test]
async fn send_with_response_hands_over_status_and_headers() {
    let server = answering(
        "/v1/asn/15169",
        ResponseTemplate::new(202)
            .insert_header("x-served-by", "edge-7")
            .set_body_json(json!({"name": "GOOGLE", "country_code": "US"})),
    )
    .await;
    let answer = client(&server)
        .get_asn(15169)
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(answer.status.as_u16(), 202);
    assert_eq!(answer.headers["x-served-by"], "edge-7");
    assert_eq!(answer.value.name, "GOOGLE");
    assert!(!format!("{answer:?}").contains(KEY));
}
