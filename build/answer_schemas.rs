//! What the spec of record says each operation may answer with success, for
//! drift observation at run time (`src/drift/`): per operation its 2xx
//! statuses, their media types and JSON schema, and the component schemas
//! those reach. Written to `$OUT_DIR/answers.json` from the document as it is
//! before the generation passes, so the checks are the spec's own (the
//! constraints adaptation 13 takes out of the types are still here).

use crate::spec::operations_of;
use crate::spec_passes::reachable;
use serde_json::{json, Map, Value};

pub fn answers_json(doc: &Value) -> String {
    let mut operations = Map::new();
    for (_, _, op) in operations_of(doc) {
        let Some(id) = op["operationId"].as_str() else {
            continue;
        };
        let mut statuses = Map::new();
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            if !status.starts_with('2') {
                continue;
            }
            let content = response["content"].as_object();
            let media: Vec<&String> = content.into_iter().flat_map(|c| c.keys()).collect();
            let schema = response
                .pointer("/content/application~1json/schema")
                .cloned()
                .unwrap_or(Value::Null);
            statuses.insert(
                status.clone(),
                json!({ "media": media, "schema": without_prose(schema) }),
            );
        }
        operations.insert(id.to_string(), Value::Object(statuses));
    }
    let names = reachable(doc, |op| vec![op["responses"].clone()]);
    let schemas: Map<String, Value> = names
        .iter()
        .filter_map(|name| {
            let schema = doc.pointer(&format!("/components/schemas/{name}"))?;
            Some((name.clone(), without_prose(schema.clone())))
        })
        .collect();
    // What makes an answer worth checking on every call: the constraints
    // adaptation 13 takes out of the types, and formats, which only some Rust
    // types stand for.
    let mut checked: Vec<&str> = crate::spec_passes::CONSTRAINTS.to_vec();
    checked.push("format");
    json!({ "operations": operations, "schemas": schemas, "checked": checked }).to_string()
}

/// Descriptions, titles and examples check nothing; dropping them halves the file.
fn without_prose(mut schema: Value) -> Value {
    crate::spec_passes::each_schema(&mut schema, &mut |s| {
        for key in ["description", "title", "example", "examples"] {
            s.remove(key);
        }
    });
    schema
}
