//! The mock server (crate `threatjammer-mock`): what it answers, and its hooks.
//!
//! Raw HTTP is used where the client's own behaviour (retries) would stand
//! between the test and the mock's answer.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use threatjammer::QuotaPolicy;
use threatjammer::{ApiKey, Error, Link, OperationId};
use threatjammer_mock::{MockResponse, MockServer};

const KEY: &str = "tja_TestTestTestTestTestTestTestTest0000";

async fn server() -> MockServer {
    MockServer::builder()
        .api_key(ApiKey::new(KEY).unwrap())
        .start()
        .await
}

/// One request without the client in between: status, `Retry-After`, body.
async fn raw(
    server: &MockServer,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Option<String>, Value) {
    let url = format!("{}{path}", server.uri());
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = MockServer::http_client()
        .request(method, url)
        .bearer_auth(KEY);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, retry_after, body)
}

#[tokio::test]
async fn any_public_address_is_assessed_the_same_way_every_time() {
    let server = server().await;
    let client = server.client();
    let ip = "8.8.4.4".parse().unwrap();
    let first = client.assess_ip(ip).await.unwrap();
    assert_eq!(first, client.assess_ip(ip).await.unwrap());
    assert_eq!(first.self_, Some(Link::Assessment(ip)));
    let six = client
        .assess_ip("2a00:1450:4001:82a::200e".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        six.self_,
        Some(Link::Assessment(
            "2a00:1450:4001:82a::200e".parse().unwrap()
        ))
    );
    let geo = client.geolocate_ip(ip).await.unwrap();
    assert_eq!(geo.self_, Some(Link::Geo(ip)));

    // A documented exchange wins over the derived answer, in a batch too.
    let documented = client
        .assess_ip("212.231.12.22".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(documented.score, Some(70));
    let batch = client
        .assess_ips(vec!["212.231.12.22".into(), "8.8.4.4".into()])
        .await
        .unwrap();
    assert!(batch.results.contains(&documented));
    assert!(batch.results.contains(&first));
}

/// The README's client example, run against the mock as a reader would run it
/// offline: the documented answer for its address carries the upstream's
/// five-octet prefix link, kept as documented (a fixture is not edited to hide a
/// defect), so following it is `Error::Link` with nothing sent; and the README
/// says so where it shows `follow`, and handles it.
#[tokio::test]
async fn the_readme_follow_example_behaves_as_the_readme_says() {
    let server = server().await;
    let tj = server.client();
    let a = tj
        .assess_ip("212.231.12.22".parse().unwrap())
        .await
        .unwrap();
    assert!(matches!(
        tj.follow(&a.asn).await,
        Ok(Some(threatjammer::Resource::Asn(_)))
    ));
    let five_octets = "/v1/asn/prefix/212.231.0.0.0%252F16";
    let sent = server.received_requests().await.len();
    match tj.follow(&a.asn_prefix).await {
        Err(Error::Link { link, .. }) => assert_eq!(link, five_octets),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.received_requests().await.len(), sent, "nothing sent");

    let readme = include_str!("../README.md");
    let example = readme
        .split("## Using the client")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .unwrap();
    let follow = example
        .find("tj.follow(&a.asn_prefix)")
        .expect("the README follows the prefix link");
    assert!(example[..follow].contains(five_octets), "{example}");
    assert!(example[follow..].contains("Err(Error::Link {"), "{example}");
}

#[tokio::test]
async fn batches_follow_the_service_rules() {
    let server = server().await;
    let assess = |body: Value| raw(&server, "POST", "/v1/assess/ip", Some(body));

    // Private addresses are left out; results come in address order, not request order.
    let (status, _, body) = assess(json!(["9.9.9.9", "10.0.0.1", "1.1.1.1", "::1"])).await;
    assert_eq!(status, 200);
    let links: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["self"].as_str().unwrap())
        .collect();
    assert_eq!(links, ["/v1/assess/ip/1.1.1.1", "/v1/assess/ip/9.9.9.9"]);

    // The schema says `uniqueItems`: FastAPI refuses duplicates before the handler runs.
    let (status, _, body) = assess(json!(["1.1.1.1", "8.8.8.8", "1.1.1.1"])).await;
    assert_eq!(status, 422, "duplicates: {body}");
    assert_eq!(body["detail"][0]["type"], "value_error.list.unique_items");
    let many: Vec<String> = (0..501)
        .map(|i| format!("11.0.{}.{}", i / 256, i % 256))
        .collect();
    let (status, _, _) = assess(json!(many)).await;
    assert_eq!(status, 413);
    let (status, _, _) = assess(json!(many[..500])).await;
    assert_eq!(status, 200, "500 is allowed");
    let (status, _, body) = assess(json!([])).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["body"]));
    let (status, _, body) = assess(json!(["1.1.1.1", "not-an-ip"])).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["body", 1]));
    assert_eq!(body["detail"][0]["type"], "value_error.ipvanyaddress");

    // A single address that is not public is refused.
    let (status, _, body) = raw(&server, "GET", "/v1/assess/ip/192.168.1.1", None).await;
    assert_eq!(status, 400, "{body}");
    let (status, _, _) = raw(&server, "GET", "/v1/geo/10.0.0.1", None).await;
    assert_eq!(status, 400);

    // Through a client that sends arguments unchecked, the refusals are typed errors.
    let client = server
        .client_builder()
        .check_arguments(false)
        .build()
        .unwrap();
    let duplicate = client
        .assess_ips(vec!["1.1.1.1".into(), "1.1.1.1".into()])
        .await
        .unwrap_err();
    assert!(matches!(duplicate, Error::Validation(_)), "{duplicate:?}");
    let empty = client.assess_ips(vec![]).await.unwrap_err();
    assert!(matches!(empty, Error::Validation(_)), "{empty:?}");

    // A client that checks its arguments (the default) refuses them itself,
    // and the mock sees nothing.
    server.clear_received_requests();
    let client = server.client();
    for refused in [
        client
            .assess_ips(vec!["1.1.1.1".into(), "1.1.1.1".into()])
            .await,
        client.assess_ips(vec![]).await,
    ] {
        assert!(
            matches!(refused, Err(Error::Argument { .. })),
            "{refused:?}"
        );
    }
    assert!(server.received_requests().await.is_empty());
}

#[tokio::test]
async fn user_agents_of_any_kind() {
    let server = server().await;
    let client = server.client();
    let agents = vec![
        "curl/8.4.0".to_string(),
        "Googlebot/2.1 (+http://www.google.com/bot.html)".to_string(),
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0".to_string(),
    ];
    let parsed = client.parse_user_agents(agents.clone()).await.unwrap();
    assert_eq!(parsed.results.len(), 3);
    let firefox = parsed
        .results
        .iter()
        .find(|r| r.string == agents[2])
        .unwrap();
    assert_eq!(firefox.family, Some(Link::UaFamily("FIREFOX".into())));
    let one = client.parse_user_agent("curl/8.4.0").await.unwrap();
    assert_eq!(one.string, "curl/8.4.0");
    let too_many: Vec<String> = (0..101).map(|i| format!("agent/{i}")).collect();
    let (status, _, _) = raw(&server, "POST", "/v1/ua", Some(json!(too_many))).await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn only_its_key_is_accepted() {
    let server = server().await;
    let other = ApiKey::new(format!("tja_{}", "Z".repeat(36))).unwrap();
    let stranger = server
        .client_builder()
        .api_key(other)
        .http_client(MockServer::http_client())
        .build()
        .unwrap();
    let error = stranger.get_asn(15169).await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    let (status, _, body) = raw(&server, "GET", "/v1/nowhere", None).await;
    assert_eq!((status, body), (404, json!({"detail": "Not Found"})));
}

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixture_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Every bundled success fixture, replayed against the mock, gets a recorded
/// answer back: its own, or that of a fixture of the very same request. Those
/// that deviate from the spec of record on purpose are answered only when
/// asked for by name; every other answer validates against the spec.
#[tokio::test]
async fn every_success_fixture_is_answered_as_recorded() {
    let server = server().await;
    let mut files = Vec::new();
    fixture_files(Path::new("tests/fixtures"), &mut files);
    // (method, path with query, body) -> the answers recorded for it
    let mut requests: std::collections::BTreeMap<(String, String, String), Vec<(u16, Value)>> =
        Default::default();
    let mut deviating = Vec::new();
    for file in &files {
        let exchange: Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let status = exchange["response"]["status"].as_u64().unwrap() as u16;
        let outcome = exchange["expect"]["outcome"].as_str();
        let success = outcome.map_or((200..300).contains(&status), |o| o == "ok");
        if !success || exchange["request"].get("multipart").is_some() {
            continue;
        }
        if exchange["source"]
            .as_str()
            .is_some_and(|s| s.contains("[deviates from the spec of record"))
        {
            let name = file
                .strip_prefix("tests/fixtures")
                .unwrap()
                .with_extension("");
            deviating.push((
                name.display()
                    .to_string()
                    .trim_start_matches('/')
                    .to_string(),
                exchange,
            ));
            continue;
        }
        let mut path = exchange["request"]["path"].as_str().unwrap().to_string();
        if let Some(query) = exchange["request"]["query"].as_object() {
            let pairs: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().map_or(v.to_string(), str::to_string)))
                .collect();
            if !pairs.is_empty() {
                path = format!("{path}?{}", pairs.join("&"));
            }
        }
        let body = exchange["request"]
            .get("body")
            .cloned()
            .unwrap_or(Value::Null);
        let method = exchange["request"]["method"].as_str().unwrap().to_string();
        // A string body is raw text (the fixture format), read back the way `raw` reads answers.
        let expected = match exchange["response"].get("body") {
            Some(Value::String(text)) => {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
            }
            Some(body) => body.clone(),
            None => Value::Null,
        };
        requests
            .entry((method, path, body.to_string()))
            .or_default()
            .push((status, expected));
    }
    let spec = Spec::load();
    for ((method, path, body), answers) in &requests {
        let body: Value = serde_json::from_str(body).unwrap();
        // A server each, since the lists one request deletes stay deleted.
        let server = self::server().await;
        let (status, _, got) = raw(&server, method, path, (!body.is_null()).then_some(body)).await;
        // A created list gets an id of the mock's own making, which then reads back.
        let created = path.ends_with("list/private")
            && got
                .as_str()
                .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok());
        let matches = answers.iter().any(|(s, expected)| {
            *s == status && (expected.is_null() || *expected == got || created)
        });
        assert!(matches, "{method} {path}: got {status} {got}");
        spec.assert_conforms(method, path, status, &got);
    }
    assert!(requests.len() >= 6, "{} requests replayed", requests.len());

    assert!(
        deviating.len() >= 3,
        "{} deviating fixtures",
        deviating.len()
    );
    for (name, exchange) in &deviating {
        let method = exchange["request"]["method"].as_str().unwrap();
        let path = exchange["request"]["path"].as_str().unwrap();
        let expected = &exchange["response"]["body"];
        let (_, _, by_default) = raw(&server, method, path, None).await;
        assert_ne!(
            &by_default, expected,
            "{name} is served only when asked for"
        );
        server.answer_with_fixture(name).unwrap();
        let (status, _, asked) = raw(&server, method, path, None).await;
        assert_eq!((status, &asked), (200, expected), "{name}");
        let operation = server
            .received_requests()
            .await
            .last()
            .unwrap()
            .operation
            .unwrap();
        server.clear_override(operation);
    }
    let unknown = server
        .answer_with_fixture("edge/no-such-fixture")
        .unwrap_err();
    assert_eq!(unknown.0, "edge/no-such-fixture");
}

/// The spec of record, for checking the mock's answers against it.
struct Spec {
    document: Value,
}

impl Spec {
    fn load() -> Spec {
        let text = std::fs::read_to_string("openapi/threatjammer.json").unwrap();
        Spec {
            document: serde_json::from_str(&text).unwrap(),
        }
    }

    /// The operation `method` and `path` are for, as the fixtures resolve it
    /// (literal segments first), as the spec of record declares it.
    fn operation(&self, method: &str, path: &str) -> &Value {
        let path = path.split('?').next().unwrap();
        let op = threatjammer_fixtures::resolve(method, path)
            .unwrap_or_else(|| panic!("no operation for {method} {path}"));
        &self.document["paths"][op.path][op.method.to_ascii_lowercase()]
    }

    /// The status is declared for the operation and a JSON answer validates
    /// against that status's schema.
    fn assert_conforms(&self, method: &str, path: &str, status: u16, body: &Value) {
        let operation = self.operation(method, path);
        let declared = &operation["responses"][status.to_string()];
        assert!(
            !declared.is_null(),
            "{method} {path}: {status} is not declared"
        );
        let Some(schema) = declared.pointer("/content/application~1json/schema") else {
            return;
        };
        if body.is_string() && declared["content"].get("text/csv").is_some() {
            return;
        }
        let root = json!({"allOf": [schema], "components": self.document["components"]});
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap();
        let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{method} {path} {status}: {errors:?}");
    }
}

/// What FastAPI answers before any handler runs: `422` with every failure,
/// `405` with `Allow` for a method the path lacks, `404` for no such path.
#[tokio::test]
async fn requests_are_validated_like_the_service_does() {
    let server = server().await;
    let (status, _, body) = raw(&server, "DELETE", "/v1/allowlist/private/null%2Cnull", None).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"detail": [{"loc": ["path", "allowlist_id"], "msg": "value is not a valid uuid", "type": "type_error.uuid"}]})
    );

    let at = "/v1/token/activity?page_size=null&page=0";
    let (status, _, body) = raw(&server, "GET", at, None).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["detail"],
        json!([
            {"loc": ["query", "page"], "msg": "ensure this value is greater than or equal to 1", "type": "value_error.number.not_ge"},
            {"loc": ["query", "page_size"], "msg": "value is not a valid integer", "type": "type_error.integer"},
        ])
    );
    let (status, _, _) = raw(&server, "GET", "/v1/token/activity?page_size=100", None).await;
    assert_eq!(status, 200);

    let (status, _, body) = raw(&server, "DELETE", "/v1/origin_token", None).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["body"]));
    assert_eq!(body["detail"][0]["type"], "value_error.missing");

    let (status, _, body) = raw(&server, "GET", "/v1/asn/AS15169", None).await;
    assert_eq!(
        (status, &body["detail"][0]["loc"]),
        (422, &json!(["path", "number"]))
    );
    let (status, _, body) = raw(
        &server,
        "POST",
        "/v1/allowlist/private",
        Some(json!({"payload": {"name": "n", "description": "d", "resource_type": "CIDR", "tags": ["lower"]}})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["detail"][0]["loc"],
        json!(["body", "payload", "tags", 0])
    );
    assert_eq!(body["detail"][0]["type"], "value_error.str.regex");

    // A known path with another method; the literal `all` wins over a list id.
    let token = MockServer::http_client()
        .request(reqwest::Method::TRACE, format!("{}/v1/token", server.uri()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(token.status().as_u16(), 405);
    assert_eq!(token.headers()["allow"], "GET, HEAD");
    let (status, _, body) = raw(&server, "PUT", "/v1/denylist/private/all", None).await;
    assert_eq!(
        (status, body),
        (405, json!({"detail": "Method Not Allowed"}))
    );
    let (status, _, _) = raw(&server, "GET", "/v1/asn/prefix", None).await;
    assert_eq!(status, 405, "`prefix` is no AS number");
    // A segment that is a value of the parameter goes to the operation that has the method.
    let (status, _, body) = raw(&server, "GET", "/v1/ua/csv", None).await;
    assert_eq!((status, body["string"].as_str()), (200, Some("csv")));
    let (status, _, body) = raw(&server, "GET", "/v1/geo/csv", None).await;
    assert_eq!(
        (status, &body["detail"][0]["loc"]),
        (422, &json!(["path", "ip_address"]))
    );
    let (status, _, _) = raw(&server, "GET", "/v2/token", None).await;
    assert_eq!(status, 404);
}

/// Lists created, changed and deleted through the mock read back the way the
/// service documents, for as long as the server runs.
#[tokio::test]
async fn lists_hold_together() {
    let server = server().await;
    let client = server.client();
    let list = threatjammer::types::PrivateAclGroupListInput::new(
        "networks we do not take sign-ups from",
        "risky-networks",
        threatjammer::types::PrivateAclGroupListInputResourceType::Cidr,
        vec!["SIGNUP".parse().unwrap()],
    );
    let id = client.create_private_denylist(list).await.unwrap();
    let read = client.get_private_denylist(id).await.unwrap();
    assert_eq!(read.name, "risky-networks");
    assert_eq!(read.self_, Some(Link::PrivateDenylist(id)));
    let all = client.list_private_denylists().await.unwrap();
    assert!(all.lists.contains(&read), "a created list is listed");
    let cidr = client
        .list_private_denylists_by_type(
            threatjammer::types::ListPrivateDenylistsByTypeResourceType::Cidr,
        )
        .await;
    assert!(cidr.unwrap().lists.contains(&read));

    client
        .update_private_denylist(id)
        .description("changed")
        .await
        .unwrap();
    assert_eq!(
        client.get_private_denylist(id).await.unwrap().description,
        "changed"
    );

    let entries = vec!["10.0.0.0/8".to_string(), "2a0a:a440::/29".to_string()];
    client
        .update_private_denylist_content(id)
        .append(entries.clone())
        .await
        .unwrap();
    let content = client.get_private_denylist_content(id).await.unwrap();
    assert_eq!(content.cidrs, entries);
    // Entries are text to the spec; those that are not networks are left out.
    client
        .update_private_denylist_content(id)
        .append(vec!["not-a-network".to_string()])
        .remove(vec![entries[0].clone()])
        .await
        .unwrap();
    let content = client.get_private_denylist_content(id).await.unwrap();
    assert_eq!(content.cidrs, entries[1..]);

    client.clear_private_denylist(id).await.unwrap();
    let cleared = client.get_private_denylist_content(id).await.unwrap_err();
    assert!(matches!(cleared, Error::NotFound(_)), "{cleared:?}");

    client.delete_private_denylist(id).await.unwrap();
    for error in [
        client.get_private_denylist(id).await.map(drop).unwrap_err(),
        client
            .get_private_denylist_content(id)
            .await
            .map(drop)
            .unwrap_err(),
        client.delete_private_denylist(id).await.unwrap_err(),
    ] {
        assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    }
    let all = client.list_private_denylists().await.unwrap();
    assert!(all
        .lists
        .iter()
        .all(|l| l.self_ != Some(Link::PrivateDenylist(id))));

    // A fixture's list exists from the start and can be deleted like any.
    let fixture: uuid::Uuid = "a81ef897-12e4-47b0-b19b-b553cb6c7b39".parse().unwrap();
    assert!(client.get_private_allowlist(fixture).await.is_ok());
    client.delete_private_allowlist(fixture).await.unwrap();
    let gone = client.get_private_allowlist(fixture).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound(_)), "{gone:?}");

    // A public list taken out of the selection, and an id nobody made.
    let public: uuid::Uuid = "1c897be3-5a1a-47b9-9852-dda1acbd67ab".parse().unwrap();
    assert!(client.get_public_denylist(public).await.is_ok());
    client.remove_public_denylist(public).await.unwrap();
    let removed = client.get_public_denylist(public).await.unwrap_err();
    assert!(matches!(removed, Error::NotFound(_)), "{removed:?}");
    let owned = client.list_selected_public_denylists().await.unwrap();
    assert!(owned
        .lists
        .iter()
        .all(|l| l.self_ != Some(Link::PublicDenylist(public))));
    let nobody = uuid::Uuid::from_u128(0x1234_5678_9abc_4def_8123_456789abcdef);
    let unknown = client.get_private_allowlist(nobody).await.unwrap_err();
    assert!(matches!(unknown, Error::NotFound(_)), "{unknown:?}");

    // Another server starts from the fixtures again.
    let fresh = MockServer::start().await;
    assert!(fresh.client().get_private_allowlist(fixture).await.is_ok());
}

#[tokio::test]
async fn faults_hooks_and_overrides() {
    let server = server().await;
    let client = server.client();

    server.fail_next(Some(OperationId::GET_ASN), 2, MockResponse::status(503));
    for _ in 0..2 {
        let (status, _, _) = raw(&server, "GET", "/v1/asn/15169", None).await;
        assert_eq!(status, 503);
    }
    let (status, _, body) = raw(&server, "GET", "/v1/asn/15169", None).await;
    assert_eq!((status, body["name"].as_str()), (200, Some("GOOGLE")));

    server.fail_next(None, 1, MockResponse::status(429).retry_after(7));
    let (status, retry_after, _) = raw(&server, "GET", "/v1/token", None).await;
    assert_eq!((status, retry_after.as_deref()), (429, Some("7")));

    server.override_response(
        OperationId::GET_ASN,
        MockResponse::json(200, json!({"name": "CHANGED"})),
    );
    let (_, _, body) = raw(&server, "GET", "/v1/asn/15169", None).await;
    assert_eq!(body["name"], "CHANGED");
    server.clear_override(OperationId::GET_ASN);
    let asn = client.get_asn(15169).await.unwrap();
    assert_eq!(asn.name, "GOOGLE");

    server.hook(|request| {
        request
            .path
            .ends_with("/8.8.8.8")
            .then(|| MockResponse::problem(403, "Forbidden", "hooked"))
    });
    let error = client
        .assess_ip("8.8.8.8".parse().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Forbidden(_)), "{error:?}");
    assert!(client.assess_ip("8.8.4.4".parse().unwrap()).await.is_ok());

    let recorded = server.received_requests().await;
    let statuses: Vec<u16> = recorded.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200, 429, 200, 200, 403, 200]);
    assert_eq!(recorded[4].operation, Some(OperationId::GET_ASN));
    let auth = recorded[4]
        .headers
        .iter()
        .find(|(name, _)| name == "authorization")
        .map(|(_, value)| value.as_str());
    assert_eq!(auth, Some("<redacted>"), "the key is never recorded");
    server.clear_received_requests();
    assert!(server.received_requests().await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn delays_follow_the_paused_clock() {
    let server = server().await;
    server.fail_next(
        Some(OperationId::GET_ASN),
        1,
        MockResponse::json(200, json!({"name": "SLOW"})).delay(Duration::from_secs(300)),
    );
    let started = tokio::time::Instant::now();
    let (_, _, body) = raw(&server, "GET", "/v1/asn/15169", None).await;
    assert_eq!(body["name"], "SLOW");
    assert!(started.elapsed() >= Duration::from_secs(300));
    assert!(started.elapsed() < Duration::from_secs(301));
}

#[tokio::test(start_paused = true)]
async fn quota_refuses_like_the_service_under_a_paused_clock() {
    let server = MockServer::builder()
        .api_key(ApiKey::new(KEY).unwrap())
        .quota(QuotaPolicy::disabled().with_per_minute(3).with_per_month(5))
        .start()
        .await;
    let start = tokio::time::Instant::now();
    for _ in 0..3 {
        assert_eq!(raw(&server, "GET", "/v1/asn/15169", None).await.0, 200);
    }
    tokio::time::advance(Duration::from_secs(20)).await;
    let (status, retry_after, body) = raw(&server, "GET", "/v1/asn/15169", None).await;
    assert_eq!(status, 429);
    assert_eq!(
        retry_after.as_deref(),
        Some("40"),
        "the oldest leaves the window at 60 s"
    );
    assert!(body["detail"].as_str().unwrap().contains("per-minute"));

    tokio::time::advance(Duration::from_secs(40)).await;
    // Refused requests did not count; the token reports what did (and counts itself).
    let (status, _, token) = raw(&server, "GET", "/v1/token", None).await;
    assert_eq!(status, 200);
    assert_eq!(token["last_minute_bucket_init_value"], 3);
    assert_eq!(token["last_minute_bucket_value"], 1);
    assert_eq!(token["last_month_bucket_init_value"], 5);
    assert_eq!(token["last_month_bucket_value"], 4);
    assert_eq!(raw(&server, "GET", "/v1/asn/15169", None).await.0, 200);

    let (status, retry_after, body) = raw(&server, "GET", "/v1/asn/15169", None).await;
    assert_eq!(status, 429);
    assert!(body["detail"].as_str().unwrap().contains("monthly"));
    let wait: u64 = retry_after.unwrap().parse().unwrap();
    let month = 30 * 24 * 3600;
    assert!(wait <= month && wait > month - 120, "{wait}");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(60),
        "no real time passed"
    );
}

#[tokio::test]
async fn a_fixtures_dir_adds_answers_and_wins_ties() {
    let dir = std::env::temp_dir().join(format!("threatjammer-mock-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    let fixture = json!({
        "source": "test",
        "request": {"method": "GET", "path": "/v1/asn/15169"},
        "response": {"status": 200, "body": {
            "self": "/v1/asn/15169", "name": "FROM-DIR", "country_code": "US",
            "registry": "/v1/asn/registry/arin", "status": "/v1/asn/status/assigned",
            "prefixes": "/v1/asn/15169/prefixes"
        }}
    });
    std::fs::write(dir.join("nested/asn.json"), fixture.to_string()).unwrap();
    let server = MockServer::builder().fixtures_dir(&dir).start().await;
    let bundled = MockServer::start().await.fixture_count();
    assert_eq!(server.fixture_count(), bundled + 1);
    let asn = server.client().get_asn(15169).await.unwrap();
    assert_eq!(asn.name, "FROM-DIR");
    std::fs::remove_dir_all(&dir).unwrap();
}
