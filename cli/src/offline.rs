//! TEMPORARY stand-in for `threatjammer::mock::MockServer`, the library's mock
//! server (feature `mock`), which is being built in parallel and is not merged
//! yet.
//!
//! TODO(mock): when the library's mock is merged, delete this file and
//! `mod offline;` in main.rs, drop the `wiremock` dependency from
//! cli/Cargo.toml, add `features = ["mock"]` to its `threatjammer` dependency,
//! and in src/connect.rs replace `crate::offline::MockServer` with
//! `threatjammer::mock::MockServer`. This type has the same shape
//! (`MockServer::start().await`, `.uri()`, `.api_key()`), so nothing else
//! changes; every other operation then works offline too.
//!
//! Until then it answers only assessments, for any address, with the
//! documented assessment of 212.231.12.22 (its `self` link pointing at the
//! address asked about): `GET /v1/assess/ip/{ip}` for `assess ip` and
//! `POST /v1/assess/ip` for `assess file`. Like the service, the bulk answer
//! refuses duplicates and more than 500 addresses, so a batching mistake shows.

use serde_json::{json, Value};
use threatjammer::ApiKey;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

const DOCUMENTED: &str =
    include_str!("../../tests/fixtures/documented/assess-ip-212.231.12.22.json");

/// A loopback server answering assessments; it stops when dropped.
pub struct MockServer {
    server: wiremock::MockServer,
}

impl MockServer {
    pub async fn start() -> MockServer {
        let exchange: Value = serde_json::from_str(DOCUMENTED).expect("the fixture is JSON");
        let assessment = exchange["response"]["body"].clone();
        let server = wiremock::MockServer::start().await;
        Mock::given(method("GET"))
            .and(path_regex(r"^/v1/assess/ip/[^/]+$"))
            .respond_with(One(assessment.clone()))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/assess/ip"))
            .respond_with(Many(assessment))
            .mount(&server)
            .await;
        MockServer { server }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Any key does: the stand-in does not check it.
    pub fn api_key(&self) -> ApiKey {
        ApiKey::unchecked("tja_offline")
    }
}

/// The documented assessment, made about `address`.
fn assessment_of(template: &Value, address: &str) -> Value {
    let mut answer = template.clone();
    answer["self"] = json!(format!("/v1/assess/ip/{address}"));
    answer
}

struct One(Value);

impl Respond for One {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let address = request.url.path().rsplit('/').next().unwrap_or_default();
        ResponseTemplate::new(200).set_body_json(assessment_of(&self.0, address))
    }
}

struct Many(Value);

impl Respond for Many {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let addresses: Vec<String> = match serde_json::from_slice(&request.body) {
            Ok(list) => list,
            Err(e) => return invalid(&format!("the body is not a list of strings: {e}")),
        };
        let mut seen = std::collections::HashSet::new();
        if addresses.is_empty() || addresses.len() > 500 {
            return invalid("between 1 and 500 addresses");
        }
        if !addresses.iter().all(|a| seen.insert(a)) {
            return invalid("the addresses must be unique");
        }
        let results: Vec<Value> = addresses
            .iter()
            .map(|a| assessment_of(&self.0, a))
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"self": "/v1/assess/ip", "results": results}))
    }
}

/// A 422 in FastAPI's shape, as the service sends it.
fn invalid(message: &str) -> ResponseTemplate {
    ResponseTemplate::new(422).set_body_json(json!({
        "detail": [{"loc": ["body"], "msg": message, "type": "value_error"}]
    }))
}
