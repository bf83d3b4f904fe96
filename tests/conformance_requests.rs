//! Request conformance: what the client puts on the wire for every operation.
//!
//! Every fixture is replayed against a mock server that answers only its
//! request; the request the client sent must match the fixture's exactly
//! (method, raw path, query, JSON or multipart body) and carry
//! `Authorization: Bearer <key>` and `Accept: application/json`. The coverage
//! gate (conformance_coverage.rs) makes sure every operation has a fixture.
//! The named tests below check the awkward encodings through the typed methods.

// The fixture format, typed (crate `threatjammer-fixtures`); the replay below reads it as `super::fixture`.
use threatjammer_fixtures as fixture;
#[allow(dead_code)]
#[path = "../tools/conformance/src/replay.rs"]
mod replay;

use fixture::{client_defect, find_fixtures, Fixture};
use replay::{Verdict, MOCK_KEY};
use std::path::PathBuf;
use threatjammer::{ApiKey, Client};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn every_fixture_request_is_what_the_client_sends() {
    let mut problems = Vec::new();
    for path in find_fixtures(&[PathBuf::from("tests/fixtures")]).expect("fixtures") {
        let fixture = Fixture::load(&path).expect("checked by conformance_fixtures");
        let replay = replay::replay(&fixture).await;
        let name = path.display();
        match replay.verdict(client_defect(&path)) {
            Verdict::Pass | Verdict::KnownDefect => {}
            Verdict::Fail => problems.push(format!("{name}: {}", replay.differences.join("; "))),
            Verdict::DefectGone => {
                problems.push(format!("{name}: passes now; remove it from CLIENT_DEFECTS"))
            }
        }
        for request in &replay.received {
            let header = |h: &str| request.headers.get(h).and_then(|v| v.to_str().ok());
            if header("authorization") != Some(format!("Bearer {MOCK_KEY}").as_str()) {
                problems.push(format!(
                    "{name}: Authorization is {:?}",
                    header("authorization")
                ));
            }
            if header("accept") != Some("application/json") {
                problems.push(format!("{name}: Accept is {:?}", header("accept")));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The client's own argument checks (generated from the spec) agree with the
/// service on every documented exchange: a fixture request the client refuses
/// before sending is one the fixture shows the service refusing (`413` or
/// `422`), nothing reaches the server, and every `413` for too many items is
/// among them. (The other tests replay with the checks off, to read the
/// service's answer to such requests.)
#[tokio::test]
async fn what_the_client_refuses_the_service_refuses() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(MOCK_KEY).expect("a well-formed key"))
        .retry(threatjammer::RetryPolicy::disabled())
        .build()
        .expect("a loopback client");
    let (mut refused, mut problems) = (Vec::new(), Vec::new());
    for path in find_fixtures(&[PathBuf::from("tests/fixtures")]).expect("fixtures") {
        let fixture = Fixture::load(&path).expect("checked by conformance_fixtures");
        let name = path.display().to_string();
        let Ok(operation) = fixture.operation() else {
            continue;
        };
        let Ok(args) = fixture.arguments(operation) else {
            continue;
        };
        let sent = server.received_requests().await.unwrap_or_default().len();
        if let Err(threatjammer::Error::Argument { .. }) = client.call(operation.id, &args).await {
            if server.received_requests().await.unwrap_or_default().len() != sent {
                problems.push(format!("{name}: refused, yet something was sent"));
            }
            if ![413, 422].contains(&fixture.response.status) {
                problems.push(format!(
                    "{name}: refused, though the service answers {}",
                    fixture.response.status
                ));
            }
            refused.push(name);
        } else if name.contains("-413-too-many") {
            problems.push(format!("{name}: sent, though it has too many items"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        refused.len() >= 16,
        "only {} refused: {refused:?}",
        refused.len()
    );
}

/// A server that answers anything with `status` and `body`, and the client of it.
async fn answering(status: u16, body: serde_json::Value) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(MOCK_KEY).expect("a well-formed key"))
        .build()
        .expect("a loopback client");
    (server, client)
}

async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1, "exactly one request");
    received.remove(0)
}

/// `/`, `;`, `#`, `?`, `%` and spaces are percent-encoded so the user agent
/// stays one path segment; `(` and `)` may stay as they are (RFC 3986 pchar);
/// decoding the segment once gives the user agent back.
#[tokio::test]
async fn user_agent_with_reserved_characters_travels_as_one_segment() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64) Probe/1.0 #build?id=100%";
    let (server, client) = answering(200, serde_json::json!({})).await;
    let _ = client.parse_user_agent(ua).await;
    let request = only_request(&server).await;
    assert_eq!(
        request.url.path(),
        "/v1/ua/Mozilla%2F5.0%20(X11%3B%20Linux%20x86_64)%20Probe%2F1.0%20%23build%3Fid=100%25"
    );
    assert_eq!(request.url.query(), None);
    let segment = request
        .url
        .path()
        .strip_prefix("/v1/ua/")
        .expect("the route");
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .expect("UTF-8");
    assert_eq!(decoded, ua);
}

/// Non-ASCII is sent as percent-encoded UTF-8.
#[tokio::test]
async fn user_agent_with_non_ascii_is_utf8_percent_encoded() {
    let (server, client) = answering(200, serde_json::json!({})).await;
    let _ = client.parse_user_agent("Galaxy\u{a0}Nexus é").await;
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/v1/ua/Galaxy%C2%A0Nexus%20%C3%A9");
}

#[tokio::test]
async fn ipv6_address_is_one_raw_segment() {
    let (server, client) = answering(200, serde_json::json!({})).await;
    let _ = client
        .assess_ip(
            "2a03:2880:f10c:83:face:b00c:0:25de"
                .parse()
                .expect("an address"),
        )
        .await;
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(
        request.url.path(),
        "/v1/assess/ip/2a03:2880:f10c:83:face:b00c:0:25de"
    );
}

/// The upload is `multipart/form-data` with one part, `csv_file`, holding the
/// text as a CSV file; `strict_parse` travels in the query, and only when given.
#[tokio::test]
async fn csv_upload_is_multipart_with_the_strict_parse_flag() {
    let (server, client) = answering(
        200,
        serde_json::json!({"self": "/v1/assess/ip/csv", "results": []}),
    )
    .await;
    client
        .assess_ips_csv("185.220.101.4\n104.16.132.229\n")
        .strict_parse(true)
        .await
        .expect("an empty result decodes");
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/v1/assess/ip/csv");
    assert_eq!(request.url.query(), Some("strict_parse=true"));
    let content_type = request.headers["content-type"].to_str().expect("ASCII");
    let fields = replay::multipart_fields(content_type, &request.body).expect("a multipart body");
    assert_eq!(
        fields.into_iter().collect::<Vec<_>>(),
        [(
            "csv_file".to_string(),
            "185.220.101.4\n104.16.132.229\n".to_string()
        )]
    );
    let body = String::from_utf8_lossy(&request.body);
    assert!(body.contains("filename=\"upload.csv\""), "{body}");
    assert!(body.contains("Content-Type: text/csv"), "{body}");

    let (server, client) = answering(
        200,
        serde_json::json!({"self": "/v1/ua/csv", "results": []}),
    )
    .await;
    client
        .parse_user_agents_csv("curl/8.5.0\n")
        .await
        .expect("decodes");
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/v1/ua/csv");
    assert_eq!(request.url.query(), None);
}

/// Optional query parameters are left out when not given, and sent decoded
/// as the service reads them when given.
#[tokio::test]
async fn query_parameters_are_sent_only_when_given() {
    let (server, client) = answering(
        200,
        serde_json::json!({"self": "/v1/denylist/reported/ip", "addresses": []}),
    )
    .await;
    client.list_reported_ips().await.expect("decodes");
    assert_eq!(only_request(&server).await.url.query(), None);

    let (server, client) = answering(
        200,
        serde_json::json!({"self": "/v1/origin/scripts", "detection": ""}),
    )
    .await;
    client
        .get_origin_scripts("https://shop.example.com/?a=1&b=2")
        .await
        .expect("decodes");
    let request = only_request(&server).await;
    let pairs: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert_eq!(
        pairs,
        [(
            "query".to_string(),
            "https://shop.example.com/?a=1&b=2".to_string()
        )]
    );
}

/// The JSON body is sent as `application/json` even on DELETE.
#[tokio::test]
async fn delete_with_a_body_sends_json() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client =
        Client::new(&server.uri(), ApiKey::new(MOCK_KEY).expect("a key")).expect("a client");
    client
        .delete_origin_token("5a67ce53-d10b-4841-b3ce-9b26b777cece")
        .await
        .expect("204 is success");
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "DELETE");
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(
        request.body_json::<serde_json::Value>().expect("JSON"),
        serde_json::json!({"origin_token_id": "5a67ce53-d10b-4841-b3ce-9b26b777cece"})
    );
}

/// A value the spec does not list decodes through the typed methods (docs/upstream-
/// defects.md, defect 8) and keeps its text.
#[tokio::test]
async fn unlisted_enum_values_decode_through_the_typed_methods() {
    let fixture = Fixture::load("tests/fixtures/edge/get-asn-new-country-code.json".as_ref())
        .expect("fixture");
    let body = fixture.response.body.expect("a body");
    let (_server, client) = answering(200, body).await;
    let asn = client.get_asn(206262).await.expect("decodes");
    assert_eq!(
        asn.country_code,
        threatjammer::types::AutonomousSystemOutputCountryCode::Unrecognized("XK".into())
    );
    assert_eq!(asn.name, "TELKOS");
}
