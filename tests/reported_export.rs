//! The reported-address export in its text forms (docs/upstream-defects.md, defect 9).

use threatjammer::types::{
    ListReportedIpsIpProtocolVersion as IpProtocolVersion,
    ListReportedIpsOutputFormat as OutputFormat,
};
use threatjammer::{ApiKey, Client, Error, ReportedIpFilter};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CSV: &str = "ip,last_report,total_reports\n193.122.61.187,1642678418000,2\n";

fn client(server: &MockServer) -> Client {
    let key = ApiKey::new("tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123").unwrap();
    Client::builder()
        .base_url(server.uri())
        .api_key(key)
        .build()
        .unwrap()
}

#[tokio::test]
async fn csv_comes_back_as_text_with_the_filters_in_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/denylist/reported/ip"))
        .and(query_param("output_format", "CSV"))
        .and(query_param("dataset", "ABUSE"))
        .and(query_param("ip_protocol_version", "IPV4"))
        .and(query_param("greater_than", "1"))
        .and(header(
            "authorization",
            "Bearer tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(CSV, "text/csv"))
        .expect(1)
        .mount(&server)
        .await;
    let filter = ReportedIpFilter {
        dataset: Some("ABUSE".into()),
        greater_than: Some(1),
        ip_protocol_version: Some(IpProtocolVersion::Ipv4),
        ..Default::default()
    };
    let text = client(&server)
        .export_reported_ips(OutputFormat::Csv, &filter)
        .await
        .unwrap();
    assert_eq!(text, CSV);
    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        sent.url.query(),
        Some("dataset=ABUSE&greater_than=1&ip_protocol_version=IPV4&output_format=CSV")
    );
}

#[tokio::test]
async fn errors_keep_their_type() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "title": "Not found", "detail": "no such dataset", "type": "about:blank"
        })))
        .mount(&server)
        .await;
    let error = client(&server)
        .export_reported_ips(OutputFormat::AwsWaf, &ReportedIpFilter::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
}
