//! The API key stays where it belongs: in the `Authorization` header of
//! requests to the configured host, and nowhere else.

#[path = "support/captured_logs.rs"]
mod captured_logs;

use captured_logs::captured_logs;
use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;
use threatjammer::{ApiKey, BuildError, Client, Error, KeyError, QuotaPolicy, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";

fn key() -> ApiKey {
    ApiKey::new(KEY).unwrap()
}

/// The message of the panic `f` raises, as the panic hook sees it.
fn panic_message(f: impl FnOnce()) -> String {
    static LAST: Mutex<String> = Mutex::new(String::new());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        *LAST.lock().unwrap() = info.to_string();
    }));
    // Nothing the closure touches is used after it panics.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    assert!(outcome.is_err(), "expected a panic");
    LAST.lock().unwrap().clone()
}

/// A server that echoes the key back in every kind of error body, the worst a
/// misbehaving service or proxy could do.
async fn echoing_server() -> MockServer {
    let server = MockServer::start().await;
    let answers = [
        (
            "/v1/asn/1",
            ResponseTemplate::new(401).set_body_json(json!({"title": "Unauthorized", "detail": format!("unknown token {KEY}")})),
        ),
        (
            "/v1/asn/2",
            ResponseTemplate::new(403).set_body_json(json!({"title": KEY, "type:": KEY})),
        ),
        (
            "/v1/asn/3",
            ResponseTemplate::new(422).set_body_json(json!({"detail": [{"loc": ["header"], "msg": format!("bad {KEY}"), "type": "x"}]})),
        ),
        (
            "/v1/asn/4",
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"detail": KEY})),
        ),
        (
            "/v1/asn/5",
            ResponseTemplate::new(502).set_body_raw(format!("<html>{KEY}</html>"), "text/html"),
        ),
        (
            "/v1/asn/6",
            ResponseTemplate::new(200).set_body_json(json!({"name": "X", "country_code": "US", "registry": "", "status": "", "prefixes": "", "score": KEY})),
        ),
        (
            "/v1/asn/7",
            ResponseTemplate::new(200).set_delay(Duration::from_secs(5)),
        ),
    ];
    for (at, answer) in answers {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(answer)
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn the_key_appears_in_no_output_channel() {
    let logs = captured_logs();
    let server = echoing_server().await;
    let builder = Client::builder()
        .base_url(server.uri())
        .api_key(key())
        .retry(
            RetryPolicy::new()
                .initial_backoff(Duration::from_millis(1))
                .max_retry_after(Duration::ZERO),
        )
        .timeout(Duration::from_millis(300));
    let mut printed = vec![format!("{builder:?}"), format!("{:?} {}", key(), key())];
    let tj = builder.build().unwrap();
    printed.push(format!("{tj:?}"));

    let mut errors = Vec::new();
    for asn in 1..=7 {
        errors.push(tj.get_asn(asn).await.unwrap_err());
    }
    let refused_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = Client::new(&format!("http://127.0.0.1:{refused_port}"), key()).unwrap();
    errors.push(unreachable.get_asn(1).await.unwrap_err());
    errors.push(tj.follow(&format!("/v2/token/{KEY}")).await.unwrap_err());
    let one_a_month = Client::builder()
        .base_url(server.uri())
        .api_key(key())
        .quota(QuotaPolicy::disabled().with_per_month(1))
        .build()
        .unwrap();
    one_a_month.get_asn(1).await.unwrap_err();
    errors.push(one_a_month.get_asn(1).await.unwrap_err());
    let refused = Client::builder()
        .base_url("http://example.com")
        .api_key(key())
        .build()
        .unwrap_err();
    printed.push(format!("{refused} {refused:?}"));

    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::Validation(_) => "validation",
            Error::RateLimited { .. } => "rate limited",
            Error::UnexpectedResponse { .. } => "unexpected",
            Error::Decode { .. } => "decode",
            Error::Timeout => "timeout",
            Error::Connection(_) => "connection",
            Error::Link { .. } => "link",
            Error::QuotaExhausted { .. } => "quota",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "unauthorized",
            "forbidden",
            "validation",
            "rate limited",
            "unexpected",
            "decode",
            "timeout",
            "connection",
            "link",
            "quota",
        ]
    );
    for error in &errors {
        printed.push(format!("{error} {error:?}"));
    }

    let last = errors.pop().unwrap();
    // What a program that unwraps a failed call prints.
    let failed_call = move || -> Result<(), Error> { Err(last) };
    printed.push(panic_message(move || failed_call().unwrap()));
    printed.push(panic_message(move || panic!("client state: {tj:?}")));

    for text in &printed {
        assert!(!text.contains(KEY), "the key leaked: {text}");
        assert!(
            !text.contains("AAAAbbbbCCCC"),
            "part of the key leaked: {text}"
        );
    }

    let logs = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("threatjammer.request") && logs.contains("operation=\"get_asn\""),
        "the capture works: {logs}"
    );
    assert!(!logs.contains(KEY), "the key leaked into the logs");

    // It was sent, all the same: in the header, to the configured server.
    let sent = server.received_requests().await.unwrap();
    assert!(sent
        .iter()
        .all(|r| r.headers.get("authorization").unwrap() == format!("Bearer {KEY}").as_str()));
}

#[test]
fn a_malformed_key_is_refused_without_being_repeated() {
    let wrong = "tja_SECRETsecretSECRET";
    let err = ApiKey::new(wrong).unwrap_err();
    assert_eq!(err, KeyError::Length(18));
    assert!(!err.to_string().contains("SECRET"), "{err}");
    assert_eq!(
        ApiKey::new("ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123").unwrap_err(),
        KeyError::Prefix
    );
    assert_eq!(
        ApiKey::new("tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh01-3").unwrap_err(),
        KeyError::Alphabet
    );
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    let build = |url: &str, allow: bool| {
        Client::builder()
            .base_url(url)
            .api_key(key())
            .allow_insecure_http(allow)
            .build()
    };
    for url in [
        "http://example.com",
        "http://10.0.0.1:8080",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
    ] {
        let err = build(url, false).unwrap_err();
        assert!(
            matches!(err, BuildError::InsecureHttp { .. }),
            "{url}: {err:?}"
        );
        assert!(err.to_string().contains("allow_insecure_http"), "{err}");
    }
    for url in [
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "http://localhost:8080",
        "https://example.com",
    ] {
        assert!(build(url, false).is_ok(), "{url}");
    }
    assert!(build("http://example.com", true).is_ok());
    assert!(matches!(
        build("ftp://example.com", false),
        Err(BuildError::BaseUrl { .. })
    ));
}

#[test]
fn a_region_name_cannot_move_the_key_to_another_host() {
    let region = |name: &str| Client::builder().region(name).api_key(key()).build();
    assert_eq!(
        region("virginia").unwrap().base_url(),
        "https://virginia.api.threatjammer.com"
    );
    for name in ["evil.example/", "evil.example#", "Dublin", ""] {
        assert!(
            matches!(region(name), Err(BuildError::Region { .. })),
            "{name}"
        );
    }
}

/// reqwest drops `Authorization` when a redirect changes host or port. Both
/// servers listen on 127.0.0.1, so the port differs; the `localhost` case
/// differs by host name too.
#[tokio::test]
async fn a_redirect_to_another_host_does_not_carry_the_key() {
    let body = json!({"name": "GOOGLE", "country_code": "US", "registry": "", "status": "", "prefixes": ""});
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&other)
        .await;
    let by_host = other.uri().replace("127.0.0.1", "localhost");
    for target in [other.uri(), by_host] {
        let first = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/asn/15169"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("Location", format!("{target}/v1/asn/15169").as_str()),
            )
            .mount(&first)
            .await;
        let tj = Client::new(&first.uri(), key()).unwrap();
        assert_eq!(tj.get_asn(15169).await.unwrap().name, "GOOGLE");
        let asked = first.received_requests().await.unwrap();
        assert_eq!(asked.len(), 1);
        assert!(asked[0].headers.contains_key("authorization"));
    }
    let redirected = other.received_requests().await.unwrap();
    assert_eq!(redirected.len(), 2);
    for request in redirected {
        assert!(
            !request.headers.contains_key("authorization"),
            "{:?}",
            request.headers
        );
    }
}
