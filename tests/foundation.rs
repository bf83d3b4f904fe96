//! The foundation: every operation is callable, and the documented responses decode.

use std::collections::BTreeSet;
use threatjammer::operations::{GENERATED_METHODS, OPERATIONS};
use threatjammer::Link;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";

fn client(server: &MockServer) -> threatjammer::Client {
    threatjammer::Client::new(&server.uri(), threatjammer::ApiKey::new(KEY).unwrap()).unwrap()
}

fn documented(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("tests/fixtures/documented/{name}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_operation_has_a_method() {
    assert_eq!(OPERATIONS.len(), 97, "operations in the spec of record");
    // Every operation's method is generated, the multipart uploads included.
    let generated: BTreeSet<&str> = OPERATIONS
        .iter()
        .filter(|o| o.generated)
        .map(|o| o.id)
        .collect();
    assert_eq!(generated.len(), 97);
    let methods: BTreeSet<&str> = GENERATED_METHODS.iter().copied().collect();
    assert_eq!(
        methods, generated,
        "one method per operation, named by its id"
    );
}

/// The uploads exist with the expected shape; this only has to compile.
#[allow(dead_code)]
async fn csv_methods_exist(c: &threatjammer::Client) {
    let _ = c.assess_ips_csv("1.1.1.1\n").strict_parse(true).await;
    let _ = c.geolocate_ips_csv("1.1.1.1\n").await;
    let _ = c.parse_user_agents_csv("curl/8.0\n").await;
}

#[tokio::test]
async fn documented_assessment_decodes() {
    let exchange = documented("assess-ip-212.231.12.22.json");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/assess/ip/212.231.12.22"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(&exchange["response"]["body"]))
        .expect(1)
        .mount(&server)
        .await;
    let a = client(&server)
        .assess_ip("212.231.12.22".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(a.score, Some(70));
    assert_eq!(a.risk, threatjammer::types::IpAssessmentOutputRisk::Medium);
    // The service's empty link is no link.
    assert_eq!(a.reported, None);
    assert_eq!(a.datacenter_prefix, None);
    assert_eq!(a.asn, Some(Link::Asn(15704)));
}

#[tokio::test]
async fn documented_asn_decodes() {
    let exchange = documented("asn-15169.json");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&exchange["response"]["body"]))
        .expect(1)
        .mount(&server)
        .await;
    let asn = client(&server).get_asn(15169).await.unwrap();
    assert_eq!(asn.name, "GOOGLE");
    assert_eq!(asn.prefixes, Some(Link::AsnPrefixes(15169)));
    assert_eq!(
        serde_json::to_value(&asn).unwrap(),
        exchange["response"]["body"]
    );
}

#[test]
fn unlisted_enum_values_decode_as_unrecognized() {
    use threatjammer::types::{
        AutonomousSystemOutputCountryCode as CountryCode, IpAssessmentOutputRisk as Risk,
    };
    let risk: Risk = serde_json::from_str("\"CRITICAL\"").unwrap();
    assert_eq!(risk, Risk::Unrecognized("CRITICAL".into()));
    assert_eq!(risk.to_string(), "CRITICAL");
    let known: CountryCode = serde_json::from_str("\"NO\"").unwrap();
    assert_eq!(known.to_string(), "NO");
    let new: CountryCode = serde_json::from_str("\"XK\"").unwrap();
    assert_eq!(new, CountryCode::Unrecognized("XK".into()));
    // Written back exactly as it came, so a decoded answer re-serialises whole.
    assert_eq!(serde_json::to_string(&new).unwrap(), "\"XK\"");
    // The schema is the spec's: the catch-all is not one of its values.
    let schema = serde_json::to_value(schemars::schema_for!(Risk)).unwrap();
    assert_eq!(
        schema["enum"],
        serde_json::json!(["UNKNOWN", "LOW", "MEDIUM", "HIGH"])
    );
}

#[tokio::test]
async fn calls_by_name_pass_unlisted_values_on_for_the_service_to_judge() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/allowlist/private/all/galaxy"))
        .respond_with(ResponseTemplate::new(422).set_body_json(serde_json::json!({
            "detail": [{"loc": ["path", "resource_type"], "msg": "value is not a valid enumeration member", "type": "type_error.enum"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let mut args = serde_json::Map::new();
    args.insert("resource_type".into(), "galaxy".into());
    let error = client(&server)
        .call("list_private_allowlists_by_type", &args)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, threatjammer::Error::Validation(errors) if errors.len() == 1),
        "{error:?}"
    );
}

#[tokio::test]
async fn calls_by_name_reach_the_lower_case_resource_type() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/allowlist/private/all/country"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"self": "/v1/allowlist/private/all/country", "lists": []}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut args = serde_json::Map::new();
    args.insert("resource_type".into(), "country".into());
    client(&server)
        .call("list_private_allowlists_by_type", &args)
        .await
        .unwrap();
}
