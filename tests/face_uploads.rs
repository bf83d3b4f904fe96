//! The CSV uploads send exactly what the service's own example sends
//! (`curl -F 'csv_file=@FILE;type=text/csv' '…/v1/assess/ip/csv?strict_parse=true'`)
//! and decode into the same collections as their JSON twins.

use serde_json::json;
use std::time::Duration;
use threatjammer::{ApiKey, Client, CsvInput, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";
const CSV: &str = "212.231.12.22\n8.8.8.8\n";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .retry(RetryPolicy::new().initial_backoff(Duration::from_millis(10)))
        .build()
        .unwrap()
}

fn assessment() -> serde_json::Value {
    let text =
        std::fs::read_to_string("tests/fixtures/documented/assess-ip-212.231.12.22.json").unwrap();
    let exchange: serde_json::Value = serde_json::from_str(&text).unwrap();
    exchange["response"]["body"].clone()
}

async fn server(at: &str, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    requests.remove(0)
}

/// The one body the service accepts: a single part named `csv_file`, a
/// `text/csv` file, the content untouched.
fn assert_single_csv_part(request: &Request, content: &str) {
    let content_type = request.headers["content-type"].to_str().unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {content_type}"));
    let expected = format!(
        "--{boundary}\r\n\
         Content-Disposition: form-data; name=\"csv_file\"; filename=\"upload.csv\"\r\n\
         Content-Type: text/csv\r\n\
         \r\n\
         {content}\r\n\
         --{boundary}--\r\n"
    );
    assert_eq!(String::from_utf8_lossy(&request.body), expected);
    assert_eq!(request.headers["accept"], "application/json");
    assert_eq!(
        request.headers["authorization"],
        format!("Bearer {KEY}").as_str()
    );
}

#[tokio::test]
async fn assess_upload_sends_one_csv_file_part_and_the_strict_flag() {
    let server = server(
        "/v1/assess/ip/csv",
        json!({"self": "/v1/assess/ip/csv", "results": [assessment()]}),
    )
    .await;
    let out = client(&server)
        .assess_ips_csv(CSV)
        .strict_parse(true)
        .await
        .unwrap();
    assert_eq!(out.results.len(), 1);
    assert_eq!(out.results[0].score, Some(70));

    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("strict_parse=true"));
    assert_single_csv_part(&request, CSV);
}

#[tokio::test]
async fn strict_parse_is_sent_only_when_given() {
    let body = json!({"self": "/v1/geo/csv", "results": []});
    for (flag, query) in [
        (None, None),
        (Some(false), Some("strict_parse=false")),
        (Some(true), Some("strict_parse=true")),
    ] {
        let server = server("/v1/geo/csv", body.clone()).await;
        let tj = client(&server);
        let request = tj.geolocate_ips_csv(CSV);
        let request = match flag {
            Some(strict) => request.strict_parse(strict),
            None => request,
        };
        let out = request.await.unwrap();
        assert!(out.results.is_empty());
        assert_eq!(only_request(&server).await.url.query(), query, "{flag:?}");
    }
}

#[tokio::test]
async fn user_agent_upload_has_no_flag() {
    let ua = "curl/8.0\nMozilla/5.0 (X11; Linux x86_64)\n";
    let server = server("/v1/ua/csv", json!({"self": "/v1/ua", "results": []})).await;
    client(&server).parse_user_agents_csv(ua).await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), None);
    assert_single_csv_part(&request, ua);
}

#[tokio::test]
async fn files_and_readers_are_streamed_as_the_same_part() {
    let file = std::env::temp_dir().join(format!("threatjammer-upload-{}.csv", std::process::id()));
    std::fs::write(&file, CSV).unwrap();
    let inputs = [
        CsvInput::from(file.as_path()),
        CsvInput::reader(std::io::Cursor::new(CSV.as_bytes().to_vec())),
    ];
    for input in inputs {
        let server = server(
            "/v1/assess/ip/csv",
            json!({"self": "/v1/assess/ip/csv", "results": []}),
        )
        .await;
        client(&server).assess_ips_csv(input).await.unwrap();
        let request = only_request(&server).await;
        // Streamed: no length known in advance.
        assert!(!request.headers.contains_key("content-length"));
        assert_single_csv_part(&request, CSV);
    }
    std::fs::remove_file(&file).unwrap();

    let missing = std::env::temp_dir().join("threatjammer-no-such-file.csv");
    let server = MockServer::start().await;
    let err = client(&server).assess_ips_csv(missing).await.unwrap_err();
    assert!(
        matches!(err, threatjammer::Error::Request(ref m) if m.contains("cannot open")),
        "{err:?}"
    );
}

/// Text is in memory and is sent again after a 503; a stream has been consumed
/// by the first attempt and is not.
#[tokio::test]
async fn only_in_memory_uploads_are_retried() {
    for (input, attempts) in [
        (CsvInput::from(CSV), 2),
        (
            CsvInput::reader(std::io::Cursor::new(CSV.as_bytes().to_vec())),
            1,
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/assess/ip/csv"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/assess/ip/csv"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"self": "/v1/assess/ip/csv", "results": []})),
            )
            .with_priority(2)
            .mount(&server)
            .await;
        let outcome = client(&server).assess_ips_csv(input).await;
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), attempts);
        assert_eq!(outcome.is_ok(), attempts == 2, "{outcome:?}");
        for request in &requests {
            assert_single_csv_part(request, CSV);
        }
    }
}
