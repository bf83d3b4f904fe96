//! The wire ranks of `cargo xtask spec diff`, held against this crate's decoder.
//!
//! A rule is wire-breaking when a program that uses only what both versions
//! share fails because client and server are on different versions. For the
//! rules about answers that comes down to what the client makes of an answer
//! from the other version, and that is testable here: a loopback server sends
//! the other version's answer, the client built from today's spec decodes it,
//! and the outcome must be what the rule's wire column in docs/regenerating.md
//! says (the spec tooling's tests keep that table equal to tools/spec/src/diff/rules.rs).
//!
//! Today's types play whichever side the rule needs: an old client reading a
//! new server's answer (a field or enum value it does not know), or a new client
//! reading an old server's (a field it requires, missing). Rules about requests
//! rank what the *server* accepts (FastAPI and pydantic), which no test of this
//! crate can run; they are not here.

#[path = "support/loopback.rs"]
mod loopback;

use loopback::{response, Loopback, Reply};
use serde_json::{json, Value};
use threatjammer::types::{IpAssessmentOutput, IpAssessmentOutputRisk};
use threatjammer::{ApiKey, Client, Error, RetryPolicy};

/// The rule's wire rank, from the table in docs/regenerating.md.
fn wire_breaking(rule: &str) -> bool {
    let docs = include_str!("../docs/regenerating.md");
    let row = docs
        .lines()
        .find(|l| l.starts_with(&format!("| `{rule}` |")))
        .unwrap_or_else(|| panic!("docs/regenerating.md has no row for {rule}"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    // | `rule` | source | wire | change |
    match cells[3] {
        "breaking" => true,
        "no" => false,
        other => panic!("{rule}: wire rank {other:?}"),
    }
}

/// An assessment as today's spec describes it, every field present.
fn assessment() -> Value {
    json!({
        "risk": "LOW",
        "score": 12,
        "reason": "listed in no dataset",
        "datasets": [],
        "sources": [],
        "first_appearance": [],
        "last_appearance": [],
        "asn": "/v1/asn/15704",
        "asn_prefix": "212.231.0.0/19",
        "datacenter": "",
        "datacenter_prefix": "",
        "denylisted": "",
        "allowlisted": "",
        "reported": "",
        "self": "/v1/assess/ip/212.231.12.22"
    })
}

/// Today's client, talking to `uri`.
fn client(uri: &str) -> Client {
    Client::builder()
        .base_url(uri)
        .api_key(ApiKey::unchecked("tja_wire_ranks"))
        // One attempt: the question is what one answer decodes to.
        .retry(RetryPolicy::new().max_attempts(1))
        .build()
        .expect("client")
}

/// Sends `reply` to one `assess_ip` call and returns what the client made of it.
async fn assess(reply: Vec<u8>) -> Result<IpAssessmentOutput, Error> {
    let server = Loopback::fixed(reply).await;
    client(&server.uri())
        .assess_ip("212.231.12.22".parse::<std::net::IpAddr>().unwrap())
        .await
}

fn json_reply(body: &Value) -> Vec<u8> {
    response(
        200,
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
}

async fn assess_json(body: &Value) -> Result<IpAssessmentOutput, Error> {
    assess(json_reply(body)).await
}

fn without(field: &str) -> Value {
    let mut body = assessment();
    body.as_object_mut().unwrap().remove(field).expect(field);
    body
}

fn with(field: &str, value: Value) -> Value {
    let mut body = assessment();
    body[field] = value;
    body
}

/// Whether the call failed where the same call with today's answer succeeds.
fn broke<T>(outcome: &Result<T, Error>) -> bool {
    outcome.is_err()
}

#[tokio::test]
async fn todays_answer_decodes() {
    // Every other test changes one thing about this answer.
    let a = assess_json(&assessment()).await.expect("today's answer");
    assert_eq!(a.risk, IpAssessmentOutputRisk::Low);
    assert_eq!(a.score, Some(12));
}

#[tokio::test]
async fn response_property_added_optional() {
    // Old client, new server: a field the client does not know is ignored.
    let old_client = assess_json(&with("confidence", json!(80))).await;
    // New client, old server: the new optional field is missing, so None.
    let new_client = assess_json(&without("score")).await;
    assert!(
        new_client.as_ref().is_ok_and(|a| a.score.is_none()),
        "{new_client:?}"
    );
    assert_eq!(
        broke(&old_client) || broke(&new_client),
        wire_breaking("response-property-added-optional"),
        "{old_client:?}"
    );
}

#[tokio::test]
async fn response_property_added_required() {
    // New client, old server: the old answer lacks a field the client requires.
    // `risk` stands for a field without an empty value; a text field such as
    // `reason` decodes as "" and is reported as drift (tests/drift.rs).
    let new_client = assess_json(&without("risk")).await;
    assert!(
        matches!(new_client, Err(Error::Decode { .. })),
        "{new_client:?}"
    );
    assert_eq!(
        broke(&new_client),
        wire_breaking("response-property-added-required")
    );
}

#[tokio::test]
async fn response_property_removed_required() {
    // Old client, new server: the new answer lacks a field the client requires.
    let old_client = assess_json(&without("datasets")).await;
    assert!(
        matches!(old_client, Err(Error::Decode { .. })),
        "{old_client:?}"
    );
    assert_eq!(
        broke(&old_client),
        wire_breaking("response-property-removed-required")
    );
}

#[tokio::test]
async fn response_property_removed_optional() {
    // Old client, new server: an optional field left out decodes as None.
    let old_client = assess_json(&without("reported")).await;
    assert!(
        old_client.as_ref().is_ok_and(|a| a.reported.is_none()),
        "{old_client:?}"
    );
    // New client, old server: the field the new client no longer has is ignored.
    let new_client = assess_json(&with("retired_field", json!("x"))).await;
    assert_eq!(
        broke(&old_client) || broke(&new_client),
        wire_breaking("response-property-removed-optional"),
        "{new_client:?}"
    );
}

#[tokio::test]
async fn response_property_made_required() {
    // New client (field required), old server leaving it out; `risk` stands
    // for such a field: required today.
    let new_client = assess_json(&without("risk")).await;
    assert_eq!(
        broke(&new_client),
        wire_breaking("response-property-made-required"),
        "{new_client:?}"
    );
}

#[tokio::test]
async fn response_property_made_optional() {
    // Old client (field required), new server now leaving it out; `risk`
    // stands for a field without an empty value, as above.
    let old_client = assess_json(&without("risk")).await;
    assert_eq!(
        broke(&old_client),
        wire_breaking("response-property-made-optional"),
        "{old_client:?}"
    );
}

#[tokio::test]
async fn response_property_retyped() {
    // `score` is an integer today; a server on another version sends a string.
    let other = assess_json(&with("score", json!("twelve"))).await;
    assert!(matches!(other, Err(Error::Decode { .. })), "{other:?}");
    assert_eq!(broke(&other), wire_breaking("response-property-retyped"));
}

#[tokio::test]
async fn response_enum_value_added() {
    // Old client, new server: a risk level the client does not list.
    let old_client = assess_json(&with("risk", json!("CRITICAL"))).await;
    match &old_client {
        Ok(a) => assert_eq!(
            a.risk,
            IpAssessmentOutputRisk::Unrecognized("CRITICAL".into())
        ),
        Err(e) => assert!(wire_breaking("response-enum-value-added"), "{e:?}"),
    }
    assert_eq!(
        broke(&old_client),
        wire_breaking("response-enum-value-added")
    );
}

#[tokio::test]
async fn response_enum_value_removed() {
    // New client, old server still sending a value the new spec dropped: to
    // today's types, a value they do not list, kept as sent.
    let new_client = assess_json(&with("risk", json!("SEVERE"))).await;
    assert!(
        new_client
            .as_ref()
            .is_ok_and(|a| a.risk == IpAssessmentOutputRisk::Unrecognized("SEVERE".into())),
        "{new_client:?}"
    );
    assert_eq!(
        broke(&new_client),
        wire_breaking("response-enum-value-removed")
    );
}

#[tokio::test]
async fn success_status_added_or_removed() {
    // assess_ip declares 200 only; a server on another version answers 203
    // with the same body, which is the call's success (and drift).
    let other = assess(response(
        203,
        &[("Content-Type", "application/json")],
        assessment().to_string().as_bytes(),
    ))
    .await;
    assert!(other.is_ok(), "{other:?}");
    assert_eq!(broke(&other), wire_breaking("success-status-added"));
    assert_eq!(broke(&other), wire_breaking("success-status-removed"));
}

#[tokio::test]
async fn error_status_added_or_removed() {
    // A status the spec does not declare (409) and one it does (404): the
    // call fails either way, so neither rank is breaking.
    let undeclared = assess(response(
        409,
        &[("Content-Type", "application/json")],
        br#"{"detail":"conflict"}"#,
    ))
    .await;
    let declared = assess(response(
        404,
        &[("Content-Type", "application/json")],
        br#"{"detail":"not found"}"#,
    ))
    .await;
    assert!(undeclared.is_err() && declared.is_err());
    let changed_outcome = undeclared.is_ok() != declared.is_ok();
    assert_eq!(changed_outcome, wire_breaking("error-status-added"));
    assert_eq!(changed_outcome, wire_breaking("error-status-removed"));
}

#[tokio::test]
async fn response_body_kind_changed() {
    // A server on another version answers the JSON operation in CSV.
    let other = assess(response(
        200,
        &[("Content-Type", "text/csv")],
        b"risk,score\nLOW,12\n",
    ))
    .await;
    assert!(other.is_err(), "{other:?}");
    assert_eq!(broke(&other), wire_breaking("response-body-kind-changed"));
}

#[tokio::test]
async fn response_media_type_added_or_removed() {
    // The other version declares CSV beside JSON (or no longer does). The
    // client asks for JSON either way, and a server that declares JSON answers
    // in what it is asked for: CSV only to a request that does not ask for JSON.
    let server = Loopback::start(|request| {
        let accept = request
            .headers
            .iter()
            .find(|(name, _)| name == "accept")
            .map(|(_, value)| value.as_str());
        if accept == Some("application/json") {
            Reply::Bytes(json_reply(&assessment()).into())
        } else {
            Reply::Bytes(response(200, &[("Content-Type", "text/csv")], b"risk\nLOW\n").into())
        }
    })
    .await;
    let other = client(&server.uri())
        .assess_ip("212.231.12.22".parse::<std::net::IpAddr>().unwrap())
        .await;
    assert!(other.is_ok(), "{other:?}");
    assert_eq!(broke(&other), wire_breaking("response-media-type-added"));
    assert_eq!(broke(&other), wire_breaking("response-media-type-removed"));
}

#[tokio::test]
async fn response_scalar_fields_added_removed_or_made_optional() {
    // `reason` is required text: a server on the other version that leaves it
    // out is read as "" (build adaptation 13, reported as drift), not a failure.
    let other = assess_json(&without("reason")).await;
    assert!(
        other.as_ref().is_ok_and(|a| a.reason.is_empty()),
        "{other:?}"
    );
    for rule in [
        "response-scalar-added-required",
        "response-scalar-removed-required",
        "response-scalar-made-required",
        "response-scalar-made-optional",
    ] {
        assert_eq!(broke(&other), wire_breaking(rule), "{rule}");
    }
}

#[tokio::test]
async fn optional_nullable_changed() {
    // `score` is optional: a null from a server whose spec made it nullable is None.
    let other = assess_json(&with("score", Value::Null)).await;
    assert!(other.as_ref().is_ok_and(|a| a.score.is_none()), "{other:?}");
    assert_eq!(broke(&other), wire_breaking("optional-nullable-changed"));
}
