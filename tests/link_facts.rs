//! The `link` facts of the spec of record (openapi/operations.overlay.yaml)
//! are what `Link`, `Resource` and `Client::follow` are generated from, so an
//! operation that lacks one is a link this client cannot follow. This fails,
//! naming it, for a GET whose answer is one a `Resource` holds: a new
//! operation of an upstream release that reads one of the resources links
//! point at, without a fact that says how its links are written.

use serde_json::{json, Value};
use std::collections::BTreeSet;

fn spec() -> Value {
    let text = std::fs::read_to_string("openapi/threatjammer.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The schema of an operation's `200` answer, when it names one.
fn answer(op: &Value) -> Option<&str> {
    op.pointer("/responses/200/content/application~1json/schema/$ref")?
        .as_str()
}

/// The GETs whose answer is the answer of an operation with a `link` fact
/// (the type its `Resource` variant holds) but that have no `link` fact.
fn gets_without_link(doc: &Value) -> Vec<String> {
    let operations: Vec<&Value> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .collect();
    let linked = |op: &Value| op.pointer("/x-threatjammer/link").is_some();
    let resources: BTreeSet<&str> = operations
        .iter()
        .filter(|op| linked(op))
        .filter_map(|op| answer(op))
        .collect();
    let gets = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|item| item.get("get"));
    gets.filter(|op| !linked(op))
        .filter(|op| answer(op).is_some_and(|a| resources.contains(a)))
        .map(|op| op["operationId"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_get_of_a_resource_has_a_link_fact() {
    let missing = gets_without_link(&spec());
    assert!(
        missing.is_empty(),
        "these GETs answer with a Resource type but have no `link` fact in \
         openapi/operations.overlay.yaml, so links to them cannot be followed: {missing:?}"
    );
}

/// The check above, on a release that adds a GET of an Autonomous System
/// and leaves out its fact.
#[test]
fn a_new_get_of_a_resource_without_a_link_fact_is_named() {
    let mut doc = spec();
    let mut added = doc["paths"]["/v1/asn/{number}"]["get"].clone();
    added["operationId"] = json!("get_asn_again");
    added["x-threatjammer"]
        .as_object_mut()
        .unwrap()
        .remove("link");
    doc["paths"]["/v1/asn/again/{number}"] = json!({ "get": added });
    assert_eq!(gets_without_link(&doc), ["get_asn_again"]);
}
