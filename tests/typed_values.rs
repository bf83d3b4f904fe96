//! Typed values (build adaptation 14, openapi/values.overlay.yaml): every
//! fixture's answer, decoded into the generated types and written back, holds
//! every field the spec of record declares exactly as the service sent it; and
//! the documented answers read as times, addresses and links (snapshots).

// The fixture format, typed (crate `threatjammer-fixtures`); the replay below reads it as `super::fixture`.
use threatjammer_fixtures as fixture;
#[allow(dead_code)]
#[path = "../tools/conformance/src/replay.rs"]
mod replay;

use fixture::{Fixture, Outcome};
use serde_json::Value;
use std::path::Path;
use threatjammer::{types, Link};

fn spec() -> Value {
    let text = include_str!("../openapi/threatjammer.json");
    serde_json::from_str(text).expect("the spec of record is JSON")
}

/// A `$ref`, or an `allOf` of one (how the overlay keeps a description beside
/// a reference), followed to the schema it names.
fn resolve<'s>(spec: &'s Value, mut schema: &'s Value) -> &'s Value {
    loop {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.trim_start_matches("#/components/schemas/");
            schema = &spec["components"]["schemas"][name];
        } else if let Some([one]) = schema["allOf"].as_array().map(Vec::as_slice) {
            schema = one;
        } else {
            return schema;
        }
    }
}

/// Where `written` differs from `sent` in a field `schema` declares, with its
/// JSON path. Undeclared fields are not kept by typed decoding, by design
/// (drift observation reports them), so they are not compared.
fn differences(
    spec: &Value,
    schema: &Value,
    sent: &Value,
    written: &Value,
    at: &str,
) -> Vec<String> {
    let schema = resolve(spec, schema);
    match (sent, written) {
        (Value::Object(sent), Value::Object(written)) if schema["properties"].is_object() => sent
            .iter()
            .filter_map(|(key, value)| Some((key, value, schema["properties"].get(key)?)))
            .flat_map(|(key, value, declared)| match written.get(key) {
                None => vec![format!("{at}.{key}: sent {value}, not written back")],
                Some(back) => differences(spec, declared, value, back, &format!("{at}.{key}")),
            })
            .collect(),
        (Value::Array(sent), Value::Array(written)) if sent.len() == written.len() => sent
            .iter()
            .zip(written)
            .enumerate()
            .flat_map(|(i, (s, w))| {
                differences(spec, &schema["items"], s, w, &format!("{at}[{i}]"))
            })
            .collect(),
        _ if sent == written => Vec::new(),
        // A number is the same number however it is spelled: `20` decoded
        // into an `f64` (the spec's `number`) is written `20.0`.
        (Value::Number(s), Value::Number(w)) if s.as_f64() == w.as_f64() => Vec::new(),
        _ => vec![format!("{at}: sent {sent}, written back {written}")],
    }
}

/// The token's own link carries the API key; `Link::Token` does not keep it,
/// so written back it is the link without its last segment.
fn is_the_token_link(sent: &Value, written: &Value) -> bool {
    sent.as_str().is_some_and(|s| s.starts_with("/v1/token/")) && written == "/v1/token"
}

#[test]
fn every_answer_writes_back_every_declared_field_as_sent() {
    let spec = spec();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let paths = fixture::find_fixtures(&[dir]).expect("the fixtures are readable");
    let mut compared = 0;
    let mut problems = Vec::new();
    for path in &paths {
        let fixture = Fixture::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Text that holds JSON (a creation's 202 written as `"\"<uuid>\""`) is
        // decoded from the text, so it is not written back as text.
        let Some(sent) = fixture.response.body.as_ref().filter(|b| !b.is_string()) else {
            continue;
        };
        let replay = runtime.block_on(replay::replay(&fixture));
        if replay.outcome != Some(Outcome::Ok) {
            continue;
        }
        let operation = fixture
            .operation()
            .expect("a replayed fixture has an operation");
        let status = fixture.response.status.to_string();
        let schema = spec["paths"][operation.path][operation.method.to_ascii_lowercase()]
            ["responses"][&status]["content"]["application/json"]["schema"]
            .clone();
        let name = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(path);
        let key_dropped = is_the_token_link(&sent["self"], &replay.value["self"]);
        problems.extend(
            differences(&spec, &schema, sent, &replay.value, "")
                .into_iter()
                .filter(|d| !(key_dropped && d.starts_with(".self: ")))
                .map(|d| format!("{}: {d}", name.display())),
        );
        compared += 1;
    }
    assert!(
        compared >= 90,
        "only {compared} fixtures answered with a body"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn documented<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/documented")
        .join(name);
    let fixture = Fixture::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let body = fixture
        .response
        .body
        .expect("a documented answer has a body");
    serde_json::from_value(body).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn documented_answers_hold_times_addresses_and_links() {
    let assessment: types::IpAssessmentOutput = documented("assess-ip-212.231.12.22.json");
    assert_eq!(assessment.asn, Some(Link::Asn(15704)));
    assert_eq!(assessment.datacenter, None, "the service's empty link");
    let reported: types::IpListCollectionOutput = documented("denylist-reported-ip.json");
    let first = &reported.addresses[0];
    assert!(first.expiry > first.last_report, "{first:?}");
    let token: types::TokenOutput = documented("token.json");
    assert_eq!(token.self_, Some(Link::Token), "the key is not kept");

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_debug_snapshot!("typed_assessment", assessment);
        insta::assert_debug_snapshot!("typed_reported_ips", reported);
        insta::assert_debug_snapshot!("typed_token", token);
        let asn: types::AutonomousSystemOutput = documented("asn-15169.json");
        insta::assert_debug_snapshot!("typed_asn", asn);
        let agents: types::UaCollectionOutput = documented("ua-chrome-windows.json");
        insta::assert_debug_snapshot!("typed_user_agents", agents);
    });
}

/// The foreign types the public signatures use are named from the crate root,
/// so a user needs no dependency of their own on uuid, ipnet or http (of
/// whatever version this crate uses) to write them down.
#[test]
fn the_foreign_types_of_the_signatures_are_re_exported() {
    let prefix: threatjammer::IpNet = "212.231.0.0/16".parse().unwrap();
    assert_eq!(
        Link::parse("/v1/asn/prefix/212.231.0.0%252F16"),
        Some(Link::AsnPrefix(prefix))
    );
    let status: fn(&threatjammer::Error) -> Option<threatjammer::StatusCode> =
        threatjammer::Error::status;
    let _ = status;
    let cookie =
        |body: &types::CheckOriginStatusBody| -> Option<threatjammer::Uuid> { body.cookie_id };
    let _ = cookie;
    assert_eq!(threatjammer::StatusCode::FORBIDDEN.as_u16(), 403);
    let id: threatjammer::Uuid = "67e55044-10b1-426f-9247-bb680e5fe0c8".parse().unwrap();
    assert_eq!(id.get_version_num(), 4);
}

/// The four origin-status bodies spell their `origin` inline under one title
/// ("Protocol and domain"). Each is a type of its own, named where it is
/// defined (build adaptation 6), and checks its own body's bounds from the
/// spec of record: typify gives same-titled schemas the first one's type, so
/// named by title, a bound upstream changed on one body would not reach its check.
#[test]
fn same_titled_inline_strings_are_typed_by_site_with_their_own_bounds() {
    use threatjammer::types::{
        SetPrivateAllowlistOriginStatusBodyOrigin, SetPrivateDenylistOriginStatusBodyOrigin,
        SetPublicAllowlistOriginStatusBodyOrigin, SetPublicDenylistOriginStatusBodyOrigin,
    };
    fn accepts<T: for<'a> TryFrom<&'a str>>(value: &str) -> bool {
        T::try_from(value).is_ok()
    }
    let spec = spec();
    let bodies: [(&str, fn(&str) -> bool); 4] = [
        (
            "allowlist_private__allowlist_id",
            accepts::<SetPrivateAllowlistOriginStatusBodyOrigin>,
        ),
        (
            "allowlist_public__allowlist_id",
            accepts::<SetPublicAllowlistOriginStatusBodyOrigin>,
        ),
        (
            "denylist_private__denylist_id",
            accepts::<SetPrivateDenylistOriginStatusBodyOrigin>,
        ),
        (
            "denylist_public__denylist_id",
            accepts::<SetPublicDenylistOriginStatusBodyOrigin>,
        ),
    ];
    for (site, accepts) in bodies {
        let list = site.split('_').next().unwrap();
        let name = format!("Body_change_status_of_the_origin_{list}_v1_{site}__origin_put");
        let origin = &spec["components"]["schemas"][&name]["properties"]["origin"];
        let longest = origin["maxLength"].as_u64().expect("a bound") as usize;
        let value = |length: usize| format!("https://{}", "a".repeat(length - "https://".len()));
        assert!(accepts(&value(longest)), "{name}: {longest} characters");
        assert!(
            !accepts(&value(longest + 1)),
            "{name}: {} characters",
            longest + 1
        );
    }
}
