//! Drift observation: every answer whose shape is usable decodes, and what it
//! carried that the spec of record does not describe is reported once per
//! distinct finding, with where it was, without the key, in bounded memory.

#[path = "support/captured_logs.rs"]
mod captured_logs;
#[path = "support/loopback.rs"]
mod loopback;

use loopback::{response, Loopback};
use serde_json::{json, Value};
use threatjammer::drift::{DriftFinding, DriftKind, MAX_FINDINGS_PER_OPERATION};
use threatjammer::{ApiKey, Client, OperationId};

const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";

fn key() -> ApiKey {
    ApiKey::new(KEY).unwrap()
}

/// The documented body of a fixture, by its path under tests/fixtures.
fn documented(path: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["response"]["body"].take()
}

fn asn() -> Value {
    documented("documented/asn-15169.json")
}

fn assessment() -> Value {
    documented("documented/assess-ip-212.231.12.22.json")
}

/// A server answering every request with `status`, `content_type` and `body`,
/// and a client of it.
async fn serving(status: u16, content_type: &str, body: &[u8]) -> (Loopback, Client) {
    let server = Loopback::fixed(response(status, &[("content-type", content_type)], body)).await;
    let client = server.client_sending_once(key());
    (server, client)
}

async fn serving_json(body: &Value) -> (Loopback, Client) {
    serving(200, "application/json", body.to_string().as_bytes()).await
}

fn only(client: &Client) -> DriftFinding {
    let report = client.drift();
    assert_eq!(report.findings.len(), 1, "{report:#?}");
    assert_eq!(report.unkept, 0);
    report.findings[0].clone()
}

fn assert_finding(
    f: &DriftFinding,
    operation: OperationId,
    kind: DriftKind,
    path: &str,
    example: &str,
) {
    assert_eq!(
        (f.operation, f.kind, f.path.as_str(), f.example.as_str()),
        (operation, kind, path, example),
        "{f:#?}"
    );
}

#[tokio::test]
async fn a_documented_answer_reports_nothing() {
    let (_server, tj) = serving_json(&asn()).await;
    tj.get_asn(15169).await.unwrap();
    let (_server2, tj2) = serving_json(&assessment()).await;
    tj2.assess_ip("212.231.12.22".parse().unwrap())
        .await
        .unwrap();
    assert!(tj.drift().is_empty(), "{:#?}", tj.drift());
    assert!(tj2.drift().is_empty(), "{:#?}", tj2.drift());
}

#[tokio::test]
async fn an_undeclared_field_is_reported_once_with_its_path() {
    let mut body = json!({"self": "/v1/assess/ip", "results": [assessment(), assessment()]});
    for result in body["results"].as_array_mut().unwrap() {
        result["verdict"] = json!("new");
    }
    let (_server, tj) = serving_json(&body).await;
    for _ in 0..3 {
        let answer = tj.assess_ips(vec!["212.231.12.22".into()]).await.unwrap();
        assert_eq!(answer.results.len(), 2, "the answer decodes whole");
    }
    let f = only(&tj);
    assert_finding(
        &f,
        OperationId::ASSESS_IPS,
        DriftKind::UnknownField,
        "results[].verdict",
        "\"new\"",
    );
    assert_eq!(f.count, 3, "counted once per answer, not per element");
}

#[tokio::test]
async fn an_unlisted_enum_value_is_kept_and_reported() {
    let mut body = asn();
    body["risk"] = json!("EXTREME");
    let (_server, tj) = serving_json(&body).await;
    let answer = tj.get_asn(15169).await.unwrap();
    assert_eq!(answer.risk.unwrap().to_string(), "EXTREME");
    assert_finding(
        &only(&tj),
        OperationId::GET_ASN,
        DriftKind::UnlistedValue,
        "risk",
        "EXTREME",
    );
}

#[tokio::test]
async fn a_value_breaking_a_pattern_is_kept_and_reported() {
    let mut body = asn();
    body["registry_date"] = json!("2000-03-30");
    let (_server, tj) = serving_json(&body).await;
    let answer = tj.get_asn(15169).await.unwrap();
    assert_eq!(
        answer.registry_date.as_deref(),
        Some("2000-03-30"),
        "kept as sent"
    );
    assert_finding(
        &only(&tj),
        OperationId::GET_ASN,
        DriftKind::BrokenConstraint("pattern"),
        "registry_date",
        "2000-03-30",
    );
}

#[tokio::test]
async fn an_absent_required_field_decodes_empty_and_is_reported() {
    let mut body = asn();
    body.as_object_mut().unwrap().remove("name");
    let (_server, tj) = serving_json(&body).await;
    let answer = tj.get_asn(15169).await.unwrap();
    assert_eq!(answer.name, "");
    assert_finding(
        &only(&tj),
        OperationId::GET_ASN,
        DriftKind::MissingField,
        "name",
        "",
    );
}

#[tokio::test]
async fn an_undeclared_success_status_decodes_and_is_reported() {
    let (_server, tj) = serving(201, "application/json", asn().to_string().as_bytes()).await;
    assert_eq!(tj.get_asn(15169).await.unwrap().name, "GOOGLE");
    assert_finding(
        &only(&tj),
        OperationId::GET_ASN,
        DriftKind::UndeclaredStatus,
        "",
        "201",
    );
}

#[tokio::test]
async fn an_undeclared_content_type_decodes_and_is_reported() {
    let (_server, tj) = serving(
        200,
        "text/plain; charset=utf-8",
        asn().to_string().as_bytes(),
    )
    .await;
    assert_eq!(tj.get_asn(15169).await.unwrap().name, "GOOGLE");
    assert_finding(
        &only(&tj),
        OperationId::GET_ASN,
        DriftKind::UndeclaredContentType,
        "",
        "text/plain; charset=utf-8",
    );
}

/// Upstream declares `200` with any JSON, the docs `202`/`204` without a body:
/// each of them is the call's success, and none is drift.
#[tokio::test]
async fn every_declared_success_of_a_change_is_accepted() {
    let list: uuid::Uuid = "3fa85f64-5717-4562-b3fc-2c963f66afa6".parse().unwrap();
    for (status, content_type, body) in [
        (200, "application/json", &b"null"[..]),
        (200, "application/json", &b"{}"[..]),
        (202, "application/json", &b""[..]),
    ] {
        let (_server, tj) = serving(status, content_type, body).await;
        tj.delete_private_allowlist(list)
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert!(tj.drift().is_empty(), "{status}: {:#?}", tj.drift());
    }
    for status in [200, 204] {
        let (_server, tj) = serving(status, "application/json", b"").await;
        tj.delete_reported_ip("1.2.3.4".parse().unwrap())
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert!(tj.drift().is_empty(), "{status}: {:#?}", tj.drift());
    }
    for status in [200, 202] {
        let body = format!("\"{list}\"");
        let (_server, tj) = serving(status, "application/json", body.as_bytes()).await;
        let payload = threatjammer::types::PrivateAclGroupListInput::new(
            "d",
            "n",
            threatjammer::types::PrivateAclGroupListInputResourceType::Cidr,
            Vec::new(),
        );
        let made = tj.create_private_allowlist(payload).await;
        assert_eq!(made.unwrap_or_else(|e| panic!("{status}: {e}")), list);
        assert!(tj.drift().is_empty(), "{status}: {:#?}", tj.drift());
    }
}

#[tokio::test]
async fn each_distinct_finding_is_logged_once_at_warn() {
    let logs = captured_logs::captured_logs();
    let mut body = asn();
    body["registry_date"] = json!("drift-log-check");
    let (_server, tj) = serving_json(&body).await;
    for _ in 0..4 {
        tj.get_asn(15169).await.unwrap();
    }
    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("drift-log-check"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains("WARN") && lines[0].contains("threatjammer::drift"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("get_asn") && lines[0].contains("registry_date"),
        "{}",
        lines[0]
    );
}

#[tokio::test]
async fn a_hundred_thousand_unknown_fields_keep_memory_bounded() {
    let mut body = asn();
    for i in 0..100_000 {
        body[format!("field_{i}")] = json!(i);
    }
    let (_server, tj) = serving_json(&body).await;
    assert_eq!(tj.get_asn(15169).await.unwrap().name, "GOOGLE");
    let report = tj.drift();
    assert_eq!(report.findings.len(), MAX_FINDINGS_PER_OPERATION);
    assert_eq!(report.unkept, 100_000 - MAX_FINDINGS_PER_OPERATION as u64);
    assert!(report
        .findings
        .iter()
        .all(|f| f.path.chars().count() <= 97 && f.example.chars().count() <= 41));
}

/// The type of the value a field came with is counted: what a proposal
/// types the field by.
#[tokio::test]
async fn the_type_of_an_undeclared_fields_value_is_counted() {
    let mut body = assessment();
    body["weight"] = json!(10782145);
    let (_server, tj) = serving_json(&body).await;
    tj.assess_ip("212.231.12.22".parse().unwrap())
        .await
        .unwrap();
    let f = only(&tj);
    assert_eq!((f.values.integer, f.values.total()), (1, 1));
}

#[tokio::test]
async fn findings_never_hold_the_key() {
    let mut body = asn();
    body[KEY] = json!(KEY);
    body["registry_date"] = json!(format!("{KEY}{KEY}"));
    let (_server, tj) = serving_json(&body).await;
    tj.get_asn(15169).await.unwrap();
    let report = format!("{:?}", tj.drift());
    assert_eq!(tj.drift().findings.len(), 2, "{report}");
    assert!(
        !report.contains(KEY) && !report.contains("AAAAbbbbCCCC"),
        "{report}"
    );
}

#[tokio::test]
async fn observation_can_be_turned_off() {
    let mut body = asn();
    body["risk"] = json!("EXTREME");
    let server = Loopback::fixed(response(
        200,
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    ))
    .await;
    let tj = Client::builder()
        .base_url(server.uri())
        .api_key(key())
        .observe_drift(false)
        .build()
        .unwrap();
    assert_eq!(
        tj.get_asn(15169).await.unwrap().risk.unwrap().to_string(),
        "EXTREME"
    );
    assert!(tj.drift().is_empty());
}

/// Undeclared fields are looked for in a sample of the answers (the first
/// 64 of each operation, then one in 64): one that appears later is still
/// found within a sample's length.
#[tokio::test]
async fn an_undeclared_field_that_appears_later_is_found_by_the_sample() {
    let clean = bytes::Bytes::from(response(
        200,
        &[("content-type", "application/json")],
        asn().to_string().as_bytes(),
    ));
    let mut later = asn();
    later["peers"] = json!(12);
    let later = bytes::Bytes::from(response(
        200,
        &[("content-type", "application/json")],
        later.to_string().as_bytes(),
    ));
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    let server = Loopback::start(move |_| {
        let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        loopback::Reply::Bytes(if n < 100 {
            clean.clone()
        } else {
            later.clone()
        })
    })
    .await;
    let tj = server.client_sending_once(key());
    for _ in 0..100 {
        tj.get_asn(15169).await.unwrap();
    }
    assert!(tj.drift().is_empty());
    for _ in 0..64 {
        tj.get_asn(15169).await.unwrap();
    }
    let f = only(&tj);
    assert_finding(
        &f,
        OperationId::GET_ASN,
        DriftKind::UnknownField,
        "peers",
        "12",
    );
}

/// The answers an operation's first `n` answers hold that are searched for
/// undeclared fields: the first 64, then one in 64.
fn sampled_of(n: u64) -> u64 {
    if n <= 64 {
        n
    } else {
        64 + (n - 1) / 64
    }
}

/// An undeclared field's `count` is the number of sampled answers that carried
/// it, whatever else the operation's answers are checked for: the same number
/// for an operation whose answers carry constraints (checked in full every
/// time) as for one whose answers do not.
#[tokio::test]
async fn an_undeclared_field_is_counted_in_the_sampled_answers_of_every_operation() {
    const ANSWERS: u64 = 200;
    let mut asn = asn();
    asn["peers"] = json!(12);
    let (_s1, tj) = serving_json(&asn).await;
    let mut located = documented("derived/geolocate-ip.json");
    located["peers"] = json!(12);
    let (_s2, tj2) = serving_json(&located).await;
    for _ in 0..ANSWERS {
        tj.get_asn(15169).await.unwrap();
        tj2.geolocate_ip("8.8.8.8".parse().unwrap()).await.unwrap();
    }
    for (client, operation) in [
        (&tj, OperationId::GET_ASN),
        (&tj2, OperationId::GEOLOCATE_IP),
    ] {
        let f = only(client);
        assert_finding(&f, operation, DriftKind::UnknownField, "peers", "12");
        assert_eq!(f.count, sampled_of(ANSWERS), "{f:#?}");
    }
}
