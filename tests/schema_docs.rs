//! Every component schema of the spec of record, and every property of each, carries a
//! description (openapi/schemas.overlay.yaml gives them; typify turns them into the doc
//! comments of the generated types and fields). A version bump that brings an undocumented
//! schema or field fails here, naming it, until the overlay describes it.
//!
//! The same walk catches the two ways a description can be there and still be lost or wrong:
//! a description beside a bare `$ref` (OpenAPI 3.0 ignores it and typify drops it; the overlay
//! wraps such a `$ref` in an `allOf`), and a property with a description but no type, which is
//! what the overlay's merge makes of a property upstream removed.

use serde_json::Value;

fn spec() -> Value {
    let text = std::fs::read_to_string("openapi/threatjammer.json").expect("the spec of record");
    serde_json::from_str(&text).expect("JSON")
}

/// Keys that say what a schema is; a property with none of them is only prose.
const SHAPE_KEYS: &[&str] = &["type", "$ref", "allOf", "anyOf", "oneOf", "enum"];

fn described(schema: &Value) -> bool {
    schema["description"]
        .as_str()
        .is_some_and(|d| !d.trim().is_empty())
}

/// Whether typify makes a type of its own of this inline schema (whose doc is then the
/// schema's description): an enum, a union, or an object with properties.
fn own_type(schema: &Value) -> bool {
    ["enum", "anyOf", "oneOf", "properties"]
        .iter()
        .any(|key| schema.get(*key).is_some())
}

/// Checks the properties and array items inside `schema`, an inline schema reached from the
/// component schema `schema_name` through the property path `prefix` (empty, or `a.b.`).
fn check(schema_name: &str, prefix: &str, schema: &Value, problems: &mut Vec<String>) {
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            let path = format!("{prefix}{name}");
            let at = format!("{schema_name}: property `{path}`");
            if !described(property) {
                problems.push(format!("{at} has no description"));
            }
            if property.get("$ref").is_some() && property.as_object().is_some_and(|p| p.len() > 1) {
                problems.push(format!(
                    "{at} has keys beside its `$ref`, which OpenAPI 3.0 and typify ignore; wrap the `$ref` in an `allOf`"
                ));
            }
            if !SHAPE_KEYS.iter().any(|key| property.get(*key).is_some()) {
                problems.push(format!(
                    "{at} has no type: an overlay describes a property the upstream document does not have"
                ));
            }
            check(schema_name, &format!("{path}."), property, problems);
        }
    }
    if let Some(items) = schema.get("items") {
        if own_type(items) && !described(items) {
            let of = prefix.trim_end_matches('.');
            problems.push(format!(
                "{schema_name}: the items of property `{of}` have no description"
            ));
        }
        check(schema_name, prefix, items, problems);
    }
}

/// Every undocumented schema, property or array item in `doc`, each named.
fn problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    for (name, schema) in schemas {
        if !described(schema) {
            problems.push(format!("{name}: the schema has no description"));
        }
        check(name, "", schema, &mut problems);
    }
    problems
}

#[test]
fn every_schema_and_property_of_the_spec_of_record_is_described() {
    let doc = spec();
    let problems = problems(&doc);
    assert!(
        problems.is_empty(),
        "{} schemas, properties or items of openapi/threatjammer.json lack a description that typify keeps (describe them in openapi/schemas.overlay.yaml, then `cargo xtask spec import`):\n{}",
        problems.len(),
        problems.join("\n")
    );
    // The walk saw what there is to see: every schema and its properties.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let properties: usize = schemas
        .values()
        .filter_map(|s| s["properties"].as_object())
        .map(|p| p.len())
        .sum();
    assert!(
        schemas.len() >= 85 && properties >= 389,
        "{} schemas, {properties} properties",
        schemas.len()
    );
}

#[test]
fn the_check_names_what_lacks_a_description() {
    let doc = serde_json::json!({"components": {"schemas": {
        "Described": {
            "description": "d",
            "properties": {"ok": {"type": "string", "description": "d"}}
        },
        "Bare": {
            "properties": {
                "score": {"type": "integer"},
                "gone": {"description": "upstream removed it"},
                "nested": {"$ref": "#/components/schemas/Described", "description": "lost"},
                "tags": {"type": "array", "description": "d", "items": {"enum": ["A"]}},
                "inner": {"type": "object", "description": "d", "properties": {"x": {"type": "string"}}}
            }
        }
    }}});
    let mut found = problems(&doc);
    found.sort();
    let expected = [
        "Bare: property `gone` has no type: an overlay describes a property the upstream document does not have",
        "Bare: property `inner.x` has no description",
        "Bare: property `nested` has keys beside its `$ref`, which OpenAPI 3.0 and typify ignore; wrap the `$ref` in an `allOf`",
        "Bare: property `score` has no description",
        "Bare: the items of property `tags` have no description",
        "Bare: the schema has no description",
    ];
    assert_eq!(found, expected);
}
