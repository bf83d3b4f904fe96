//! The spec of record as a test reads it: straight from
//! `openapi/threatjammer.json`, not through anything the build generated, so
//! that a test comparing the two catches the build reading it wrong.

use serde_json::Value;
use threatjammer::OperationId;

fn document() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/threatjammer.json"
    ))
    .expect("the spec of record");
    serde_json::from_str(&text).expect("the spec of record is JSON")
}

/// The node a `$ref` names, or the node itself.
fn resolved<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node["$ref"].as_str() {
        Some(target) => {
            let pointer = target.strip_prefix('#').expect("a local $ref");
            resolved(
                doc,
                doc.pointer(pointer).expect("a $ref that names something"),
            )
        }
        None => node,
    }
}

/// The `maxItems` of the list `operation` takes as its JSON request body.
pub fn max_items(operation: OperationId) -> usize {
    let doc = document();
    let op = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|item| item.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|m| m.values()))
        .find(|op| op["operationId"] == operation.as_str())
        .unwrap_or_else(|| panic!("{operation} is in the spec of record"));
    let body = resolved(&doc, &op["requestBody"]);
    let schema = resolved(&doc, &body["content"]["application/json"]["schema"]);
    let limit = schema["maxItems"]
        .as_u64()
        .unwrap_or_else(|| panic!("{operation}'s request body is a list with a maxItems"));
    usize::try_from(limit).expect("a limit that fits in memory")
}
