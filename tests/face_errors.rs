//! Every kind of failure the service documents (and a few it does not) comes
//! back as the right variant of `threatjammer::Error`, without reading bodies.

use serde_json::json;
use std::time::Duration;
use threatjammer::{ApiKey, Client, Error, ProblemDetail, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";

/// A client of the mock that sends every request once, so each answer is seen as it is.
fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .api_key(ApiKey::new(KEY).unwrap())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

async fn answering(verb: &str, at: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn problem(title: &str, detail: &str) -> serde_json::Value {
    json!({"title": title, "detail": detail, "type": "https://threatjammer.com/docs/errors"})
}

#[tokio::test]
async fn documented_problem_statuses_have_their_own_variants() {
    let ip = "212.231.12.22".parse().unwrap();

    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(401).set_body_json(problem("Unauthorized", "Invalid token")),
    )
    .await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    let Error::Unauthorized(p) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(p.title.as_deref(), Some("Unauthorized"));
    assert_eq!(
        p.kind.as_deref(),
        Some("https://threatjammer.com/docs/errors")
    );
    assert!(err.to_string().contains("THREATJAMMER_API_KEY"), "{err}");
    assert!(!err.is_retryable());

    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(403).set_body_json(problem("Forbidden", "Plan too low")),
    )
    .await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden(p) if p.detail == Some(ProblemDetail::Text("Plan too low".into()))),
        "{err:?}"
    );

    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(404).set_body_json(problem("Not Found", "No such AS")),
    )
    .await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    assert!(matches!(&err, Error::NotFound(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));

    // The seed documents the key spelled `"type:"`; it lands in the same field.
    let server = answering(
        "GET",
        "/v1/assess/ip/212.231.12.22",
        ResponseTemplate::new(400).set_body_json(json!({
            "title": "Bad Request",
            "detail": "Not a public IP address",
            "type:": "https://threatjammer.com/docs/errors#400",
        })),
    )
    .await;
    let err = client(&server.uri()).assess_ip(ip).await.unwrap_err();
    let Error::Api { status, problem } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(status.as_u16(), 400);
    assert_eq!(
        problem.kind.as_deref(),
        Some("https://threatjammer.com/docs/errors#400")
    );
    assert_eq!(
        err.to_string(),
        "the service refused the request (400 Bad Request): Bad Request: Not a public IP address"
    );
}

#[tokio::test]
async fn conflict_and_too_large_are_api_errors_with_the_problem() {
    let id = uuid::Uuid::nil();

    let server = answering(
        "PUT",
        &format!("/v1/allowlist/private/{id}/origin"),
        ResponseTemplate::new(409).set_body_json(problem("Conflict", "List is not active")),
    )
    .await;
    let err = client(&server.uri())
        .set_private_allowlist_origin_status(
            id,
            "https://example.com".parse().unwrap(),
            "ACTIVE".parse().unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, problem } if status.as_u16() == 409 && problem.title.as_deref() == Some("Conflict")),
        "{err:?}"
    );

    let server = answering(
        "PUT",
        &format!("/v1/allowlist/private/{id}/content"),
        ResponseTemplate::new(413).set_body_json(problem("Payload Too Large", "Plan cap")),
    )
    .await;
    let err = client(&server.uri())
        .update_private_allowlist_content(id)
        .append(vec!["10.0.0.0/8".to_string()])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 413),
        "{err:?}"
    );
}

/// The global errors come from every operation, including those whose spec
/// entry does not declare them (assess_ip declares no 404).
#[tokio::test]
async fn an_undeclared_documented_status_is_still_classified() {
    let server = answering(
        "GET",
        "/v1/assess/ip/8.8.8.8",
        ResponseTemplate::new(404).set_body_json(problem("Not Found", "Gone")),
    )
    .await;
    let err = client(&server.uri())
        .assess_ip("8.8.8.8".parse().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn validation_failures_keep_loc_msg_and_type() {
    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(422).set_body_json(json!({"detail": [
            {"loc": ["path", "number"], "msg": "value is not a valid integer", "type": "type_error.integer"},
            {"loc": ["query", 0], "msg": "extra", "type": "value_error"},
        ]})),
    )
    .await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    let Error::Validation(failures) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0].msg, "value is not a valid integer");
    assert_eq!(failures[0].type_, "type_error.integer");
    assert_eq!(
        serde_json::to_value(&failures[1].loc).unwrap(),
        json!(["query", 0])
    );
    assert_eq!(
        err.to_string(),
        "invalid request (422): path.number: value is not a valid integer; query.0: extra"
    );
}

#[tokio::test]
async fn rate_limiting_carries_retry_after() {
    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "30")
            .set_body_json(problem("Too Many Requests", "Quota exceeded")),
    )
    .await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    assert!(
        matches!(&err, Error::RateLimited { retry_after: Some(d), problem } if *d == Duration::from_secs(30) && problem.title.is_some()),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(err.to_string().ends_with("retry after 30s"), "{err}");

    // A bare 429 from a proxy, with no body, is rate limiting all the same.
    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(429).insert_header("Retry-After", "5"),
    )
    .await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    assert!(
        matches!(&err, Error::RateLimited { retry_after: Some(d), .. } if *d == Duration::from_secs(5)),
        "{err:?}"
    );
}

#[tokio::test]
async fn non_json_error_answers_are_unexpected_with_a_body_prefix() {
    let html = format!(
        "<html><body>502 Bad Gateway{}</body></html>",
        " ".repeat(2000)
    );
    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(502).set_body_raw(html.clone(), "text/html"),
    )
    .await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    let Error::UnexpectedResponse {
        status,
        content_type,
        body,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(status.as_u16(), 502);
    assert_eq!(content_type.as_deref(), Some("text/html"));
    assert!(body.starts_with("<html><body>502 Bad Gateway"));
    assert_eq!(body.len(), 512, "only the first bytes are kept");
    assert!(err.is_retryable());

    let server = answering("GET", "/v1/asn/15169", ResponseTemplate::new(500)).await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedResponse { status, body, .. } if status.as_u16() == 500 && body.is_empty()),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn bodies_that_do_not_decode_say_where() {
    let truncated = r#"{"self":"/v1/asn/15169","name":"GOOGLE","country_code":"US","registry":"/v1/asn/registry/arin","status":"/v1/asn/status/assigned","prefixes":"/v1/asn/15"#;
    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(200).set_body_raw(truncated, "application/json"),
    )
    .await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    let Error::Decode {
        operation,
        path,
        message,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*operation, "get_asn");
    assert_eq!(path, "prefixes");
    assert!(message.contains("EOF"), "{message}");

    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(200).set_body_json(json!({
            "name": "GOOGLE", "country_code": "US", "registry": "", "status": "",
            "prefixes": "", "score": "high",
        })),
    )
    .await;
    let err = client(&server.uri()).get_asn(15169).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == "score"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_slow_service_is_a_timeout() {
    let server = answering(
        "GET",
        "/v1/asn/15169",
        ResponseTemplate::new(200).set_delay(Duration::from_secs(5)),
    )
    .await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .retry(RetryPolicy::disabled())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.get_asn(15169).await.unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_refused_connection_is_a_connection_error() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = client(&format!("http://127.0.0.1:{port}"))
        .get_asn(15169)
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Connection(_)), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.status().is_none());
}
