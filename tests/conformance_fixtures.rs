//! Checks on the fixtures themselves: each is well formed, each body is what
//! the spec of record allows for its operation and status, and each deliberate
//! exception names its deviation in `source` and deviates for exactly the
//! reasons it names.
//!
//! A deviation is written in `source` as `[deviates from the spec of record: R; R]`
//! or `[deviates from upstream 1.2.27: R]`, where each reason R is one of
//! `status N` (the status is not declared for the operation), `content type T`
//! (the status is, but not with that media type), `not JSON` (a body that
//! claims to be JSON is not), or `<keyword> <pointer>` for a schema violation:
//! `required /datacenter_prefix`, `enum /country_code`, `type /score`
//! (a violation of the whole body has no pointer: `format`).

use threatjammer_fixtures as fixture;

use fixture::{client_defect, find_fixtures, Fixture, Outcome, CLIENT_DEFECTS};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

const SPEC_OF_RECORD: &str = "the spec of record";
const UPSTREAM: &str = "upstream 1.2.27";

/// (name under tests/fixtures, fixture) of every fixture.
fn fixtures() -> Vec<(String, Fixture)> {
    let root = Path::new("tests/fixtures");
    find_fixtures(&[root.to_path_buf()])
        .expect("tests/fixtures is readable")
        .into_iter()
        .map(|path| {
            let fixture =
                Fixture::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // The format lets fixtures of one's own leave `source` out; the repository's say where each comes from.
            assert!(
                !fixture.source.trim().is_empty(),
                "{}: no source",
                path.display()
            );
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            (name, fixture)
        })
        .collect()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn spec_of_record() -> Value {
    read_json(Path::new("openapi/threatjammer.json"))
}

/// The reasons a fixture names for deviating from `document`.
fn named_deviations(source: &str, document: &str) -> BTreeSet<String> {
    let marker = format!("[deviates from {document}: ");
    let mut reasons = BTreeSet::new();
    let mut rest = source;
    while let Some(start) = rest.find(&marker) {
        let after = &rest[start + marker.len()..];
        let end = after
            .find(']')
            .unwrap_or_else(|| panic!("unclosed deviation in {source:?}"));
        reasons.extend(after[..end].split("; ").map(|r| r.trim().to_string()));
        rest = &after[end..];
    }
    reasons
}

/// Follows a `$ref` to `#/components/...` of `document`.
fn deref<'a>(document: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(pointer) => document
            .pointer(pointer.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {pointer}")),
        None => node,
    }
}

/// Each way `instance` violates `schema` (a schema of `document`), as `<keyword> <pointer>`.
fn violations(document: &Value, schema: &Value, instance: &Value) -> BTreeSet<String> {
    // The operation's schema refers to `#/components/...`: validate inside a
    // root that carries the document's components. Draft 2020-12, because the
    // OpenAPI 3.0 keywords this spec uses mean the same there and its format
    // vocabulary knows `uuid`; unknown formats (`ipvanyaddress`) are ignored.
    let root = json!({"allOf": [schema], "components": document["components"]});
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}"));
    validator
        .iter_errors(instance)
        .map(|error| {
            let at = error.instance_path().to_string();
            match error.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    format!("required {at}/{}", property.as_str().unwrap_or_default())
                }
                kind => format!("{} {at}", kind.keyword()).trim_end().to_string(),
            }
        })
        .collect()
}

/// Why the fixture's answer is not what `document` declares for its operation
/// and status; empty when it is.
fn response_deviations(document: &Value, fixture: &Fixture) -> BTreeSet<String> {
    let operation = fixture
        .operation()
        .expect("checked by every_fixture_is_usable");
    let method = operation.method.to_ascii_lowercase();
    let Some(declared) = document["paths"][operation.path][method.as_str()]
        .get("responses")
        .and_then(|r| r.get(fixture.response.status.to_string()))
    else {
        return BTreeSet::from([format!("status {}", fixture.response.status)]);
    };
    // The media type the answer says it is; JSON when it does not say.
    let media = fixture
        .response
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .and_then(|(_, v)| v.split(';').next())
        .map_or("application/json", str::trim);
    let json = media == "application/json";
    let instance = match &fixture.response.body {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.is_empty() => None,
        // Raw text under a JSON type: JSON when it parses (a UUID sent as a
        // JSON string), else not JSON at all.
        Some(Value::String(text)) if json => match serde_json::from_str::<Value>(text) {
            Ok(value) => Some(value),
            Err(_) => return BTreeSet::from(["not JSON".to_string()]),
        },
        // Text under a text type (CSV) is a string to its schema.
        Some(value) => Some(value.clone()),
    };
    let content = deref(document, declared).get("content");
    let schema = match content.and_then(|c| c.get(media)) {
        Some(declared) => declared.get("schema").map(|s| deref(document, s)),
        None if instance.is_some() && content.is_some() => {
            return BTreeSet::from([format!("content type {media}")]);
        }
        None => None,
    };
    match (schema, instance) {
        (None, None) => BTreeSet::new(),
        (None, Some(_)) => BTreeSet::from(["body where none is declared".to_string()]),
        (Some(_), None) => BTreeSet::from(["no body where one is declared".to_string()]),
        (Some(schema), Some(instance)) => violations(document, schema, &instance),
    }
}

#[test]
fn every_fixture_is_usable() {
    let spec = spec_of_record();
    let mut problems = Vec::new();
    for (name, fixture) in fixtures() {
        let checks = || -> Result<(), String> {
            if fixture.source.trim().is_empty() {
                return Err("no source".into());
            }
            if !fixture.request.path.starts_with("/v1/") || fixture.request.path.contains('?') {
                return Err(
                    "request.path must be a /v1/ path without a query (use request.query)".into(),
                );
            }
            fixture.expected_outcome()?;
            let operation = fixture.operation()?;
            fixture.arguments(operation)?;
            // What the spec of record says the operation's body is.
            let multipart = spec["paths"][operation.path][operation.method.to_lowercase()]
                ["requestBody"]["content"]
                .get("multipart/form-data")
                .is_some();
            if multipart != fixture.request.multipart.is_some() {
                return Err(format!(
                    "{} takes {}",
                    operation.id,
                    if multipart {
                        "request.multipart"
                    } else {
                        "no request.multipart"
                    }
                ));
            }
            Ok(())
        };
        if let Err(why) = checks() {
            problems.push(format!("{name}: {why}"));
        }
    }
    assert!(
        problems.is_empty(),
        "unusable fixtures:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_fixture_answer_is_what_the_spec_of_record_declares_or_names_its_deviation() {
    let spec = spec_of_record();
    let mut problems = Vec::new();
    for (name, fixture) in fixtures() {
        let got = response_deviations(&spec, &fixture);
        let named = named_deviations(&fixture.source, SPEC_OF_RECORD);
        if got != named {
            problems.push(format!(
                "{}: the answer deviates from the spec of record by {got:?}, its source names {named:?}",
                name
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Requests that expect a validation error are wrong on purpose, and so are
/// those answered `413` (a batch past its `maxItems`); every other JSON request
/// body is one the spec of record allows.
#[test]
fn every_fixture_request_body_is_what_the_spec_of_record_allows() {
    let spec = spec_of_record();
    let mut problems = Vec::new();
    for (name, fixture) in fixtures() {
        let expected = fixture
            .expected_outcome()
            .expect("checked by every_fixture_is_usable");
        let Some(body) = fixture.request.body.as_ref().filter(|b| !b.is_null()) else {
            continue;
        };
        if expected == Outcome::ValidationError || fixture.response.status == 413 {
            continue;
        }
        let operation = fixture
            .operation()
            .expect("checked by every_fixture_is_usable");
        let method = operation.method.to_ascii_lowercase();
        let schema = spec["paths"][operation.path][method.as_str()]
            .pointer("/requestBody/content/application~1json/schema")
            .map(|s| deref(&spec, s));
        let Some(schema) = schema else {
            problems.push(format!("{}: {} takes no JSON body", name, operation.id));
            continue;
        };
        let got = violations(&spec, schema, body);
        if !got.is_empty() {
            problems.push(format!("{}: request body violates {got:?}", name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A fixture that names a deviation from the upstream document fails the
/// upstream document for exactly the named reasons.
#[test]
fn named_upstream_deviations_fail_the_upstream_document_for_those_reasons() {
    let path = Path::new("openapi/upstream/threatjammer-user-api-1.2.27.yaml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // YAML 1.2, so the country code NO stays a string (docs/upstream-defects.md, defect 5).
    let upstream: Value = serde_yaml_ng::from_str(&text).expect("the upstream document is YAML");
    let mut checked = 0;
    let mut problems = Vec::new();
    for (name, fixture) in fixtures() {
        let named = named_deviations(&fixture.source, UPSTREAM);
        if named.is_empty() {
            continue;
        }
        checked += 1;
        let got = response_deviations(&upstream, &fixture);
        if got != named {
            problems.push(format!(
                "{}: names {named:?} against upstream 1.2.27, which finds {got:?}",
                name
            ));
        }
    }
    assert!(checked > 0, "no fixture names an upstream deviation");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every fixture a client defect lists exists, and defects name fixtures once.
#[test]
fn client_defects_name_existing_fixtures() {
    let mut seen = BTreeSet::new();
    for defect in CLIENT_DEFECTS {
        for name in defect.fixtures {
            let path = Path::new("tests/fixtures").join(name);
            assert!(
                path.is_file(),
                "CLIENT_DEFECTS lists {name}, which does not exist"
            );
            assert!(seen.insert(*name), "{name} is listed under two defects");
            assert_eq!(client_defect(&path), Some(defect.what));
        }
    }
}
