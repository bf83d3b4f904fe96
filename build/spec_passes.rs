//! Passes over the OpenAPI document before progenitor reads it (adaptations 1, 3, 6, 7, 12, 13).

use crate::spec::*;
use serde_json::Value;

/// Adaptation 1: progenitor cannot generate a `multipart/form-data` body
/// and fails the build on one (defect 2), and stops at a body of two media
/// types, so it sees one JSON body at most. A body that declares JSON is sent
/// as JSON and keeps only that media type; a multipart-only body is set aside
/// (progenitor still declares the operation's other arguments and its
/// answer) and the request builders write it from the spec of record
/// (build/builders.rs).
pub fn set_aside_multipart_bodies(doc: &mut Value) {
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut() {
                if is_multipart(op) {
                    if let Some(op) = op.as_object_mut() {
                        op.remove("requestBody");
                    }
                } else if let Some(content) = op
                    .pointer_mut("/requestBody/content")
                    .and_then(Value::as_object_mut)
                    .filter(|c| c.contains_key("application/json"))
                {
                    content.retain(|media_type, _| media_type == "application/json");
                }
            }
        }
    }
}

/// The Rust name of the type generated for a component schema, once
/// adaptations 3 and 7 have renamed it.
pub fn final_name(schema: &str, renames: &[(String, String)]) -> String {
    let typify = pascal_case(schema);
    renames
        .iter()
        .find(|(from, _)| *from == typify)
        .map_or(typify, |(_, to)| to.clone())
}

/// Adaptation 3: (typify's name for the FastAPI body schema, name after the operation).
pub fn body_schema_renames(doc: &Value) -> Vec<(String, String)> {
    operations_of(doc)
        .filter_map(|(_, _, op)| {
            let reference = op
                .pointer("/requestBody/content/application~1json/schema/$ref")?
                .as_str()?;
            let schema = reference.strip_prefix("#/components/schemas/")?;
            if !schema.starts_with("Body_") {
                return None;
            }
            let id = op["operationId"].as_str()?;
            Some((pascal_case(schema), format!("{}Body", pascal_case(id))))
        })
        .collect()
}

/// Adaptation 6: every titled inline schema that typify turns into a type of
/// its own (an enum, a string checked by a pattern or a length, an object) is titled after
/// where it is defined: `{Schema}{Property}` for a property (or its items),
/// `{Operation}{Parameter}` for a parameter. typify names such a type after its
/// title and gives later schemas with the same title the first one's type, so
/// left alone a name would depend on what else the document holds (a value
/// added to the assessment's `risk` would rename the AS's `Risk` too, and a
/// bound changed on one of four bodies' `origin`, all titled "Protocol and
/// domain", would not reach the generated check).
/// `renames` are the schema names adaptations 3 and 7 give, so a body's
/// properties are named after the body's final name.
pub fn title_by_site(doc: &mut Value, renames: &[(String, String)]) {
    let final_name = |schema: &str| final_name(schema, renames);
    // (the type's name, JSON pointer to the schema) for every inline site.
    let mut sites: Vec<(String, String)> = Vec::new();
    for (name, schema) in doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (prop, _) in schema["properties"].as_object().into_iter().flatten() {
            let site = format!("{}{}", final_name(name), pascal_case(prop));
            let base = format!(
                "/components/schemas/{}/properties/{}",
                escape(name),
                escape(prop)
            );
            sites.push((site.clone(), format!("{base}/items")));
            sites.push((site, base));
        }
    }
    for (method, path, op) in operations_of(doc) {
        let id = op["operationId"].as_str().unwrap_or_default();
        for (i, param) in op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = param["name"].as_str().unwrap_or_default();
            let pointer = format!("/paths/{}/{method}/parameters/{i}/schema", escape(path));
            sites.push((format!("{}{}", pascal_case(id), pascal_case(name)), pointer));
        }
    }
    for (site, pointer) in sites {
        let Some(schema) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        let own_type = [
            "enum",
            "pattern",
            "minLength",
            "maxLength",
            "properties",
            "items",
        ]
        .iter()
        .any(|k| schema.contains_key(*k));
        if own_type && schema.contains_key("title") {
            schema.insert("title".into(), Value::String(site));
        }
    }
}

/// Adaptation 7.
pub fn module_qualified_renames(doc: &Value) -> Vec<(String, String)> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    schemas
        .into_iter()
        .flatten()
        .filter_map(|(key, _)| {
            let rest = key.strip_prefix("v1__models__")?;
            let (module, name) = rest.split_once("__")?;
            let module = pascal_case(module);
            let short = if name.starts_with(&module) {
                name.to_string()
            } else {
                format!("{module}{name}")
            };
            Some((pascal_case(key), short))
        })
        .collect()
}

/// Adaptation 12, spec side: progenitor gives an operation one success type
/// and stops the build on two. Where the spec of record declares several 2xx
/// answers (upstream's `200` beside the documented `202` or `204`), generation
/// sees one of them: the body-less one when every other carries any JSON at
/// all (`{}`), or the first when all carry the same schema. The call pipeline
/// then decodes every 2xx status into that type (src/call/decode.rs).
///
/// Every other answer (the error statuses and `default`) is left out on the
/// way: the call pipeline takes 2xx as the answer and classifies the rest,
/// reading the documented problem itself. progenitor stops the build on an
/// operation whose errors carry two types (a new status with no body beside a
/// typed one, as an unprepared upstream release may declare), and counts a
/// `default` answer as a success too, which beside a `200` of another shape
/// would be two success types.
pub fn one_success_shape(doc: &mut Value) -> Result<(), String> {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return Ok(());
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, op) in item.iter_mut() {
            let id = op["operationId"].as_str().unwrap_or(method).to_string();
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            responses.retain(|status, _| status.starts_with('2'));
            let successes: Vec<(String, Option<Value>)> = responses
                .iter()
                .filter(|(status, _)| status.starts_with('2'))
                .map(|(status, r)| (status.clone(), json_shape(r)))
                .collect();
            if successes.len() < 2 {
                continue;
            }
            let anything = |s: &Option<Value>| {
                s.as_ref()
                    .is_none_or(|s| s == &Value::Object(Default::default()))
            };
            let kept = if successes.iter().all(|(_, s)| anything(s)) {
                successes
                    .iter()
                    .find(|(_, s)| s.is_none())
                    .unwrap_or(&successes[0])
            } else if successes
                .iter()
                .all(|(_, s)| s.is_some() && *s == successes[0].1)
            {
                &successes[0]
            } else {
                return Err(format!(
                    "adaptation 12: {id} declares 2xx answers of different shapes ({}); one type cannot hold them",
                    successes.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(", ")
                ));
            };
            let kept = kept.0.clone();
            responses.retain(|status, _| !status.starts_with('2') || *status == kept);
        }
    }
    Ok(())
}

/// The JSON schema of a response without its prose, or `None` when it has no
/// JSON body.
fn json_shape(response: &Value) -> Option<Value> {
    let mut schema = response
        .pointer("/content/application~1json/schema")?
        .clone();
    if let Some(o) = schema.as_object_mut() {
        o.remove("title");
        o.remove("description");
    }
    Some(schema)
}

/// The keywords that constrain a value beyond its type. In an answer they are
/// observed (`crate::drift` reports a value that breaks one), not enforced.
pub const CONSTRAINTS: &[&str] = &[
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// Adaptation 13, spec side: typify turns a constrained string into a
/// newtype whose decoding fails on a value the constraint refuses, which would
/// fail a whole answer on one `registry_date`. Schemas that only answers use
/// (and the inline schemas of 2xx answers) lose their constraints for
/// generation, so those values decode as what they are (`String`, `i64`);
/// `crate::drift` checks the spec of record's constraints and reports a
/// value that breaks one. Schemas a request also uses keep them: a bad
/// argument is the caller's to fix before anything is sent.
pub fn observe_answer_constraints(doc: &mut Value) {
    let answers = reachable(doc, |op| {
        op["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(s, _)| s.starts_with('2'))
            .map(|(_, r)| r.clone())
            .collect()
    });
    let requests = reachable(doc, |op| {
        vec![op["requestBody"].clone(), op["parameters"].clone()]
    });
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if answers.contains(name) && !requests.contains(name) {
                strip_constraints(schema);
            }
        }
    }
    if let Some(paths) = doc["paths"].as_object_mut() {
        for op in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|i| i.values_mut())
        {
            for (_, response) in op["responses"]
                .as_object_mut()
                .into_iter()
                .flatten()
                .filter(|(s, _)| s.starts_with('2'))
            {
                strip_constraints(response);
            }
        }
    }
}

fn strip_constraints(schema: &mut Value) {
    each_schema(schema, &mut |s| {
        for key in CONSTRAINTS {
            s.remove(*key);
        }
    });
}

/// Calls `visit` on `schema` and every schema nested in it (`properties`'
/// values, `items`, the branches of `anyOf` and the like), never on the maps
/// and lists that hold values or names: a property named `description` or
/// `pattern` is a property, not a keyword.
pub fn each_schema(
    schema: &mut Value,
    visit: &mut impl FnMut(&mut serde_json::Map<String, Value>),
) {
    let Some(o) = schema.as_object_mut() else {
        return;
    };
    visit(o);
    for (key, value) in o.iter_mut() {
        match key.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" => {
                for nested in value
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    each_schema(nested, visit);
                }
            }
            "items" | "additionalProperties" | "not" | "schema" => each_schema(value, visit),
            "anyOf" | "oneOf" | "allOf" | "prefixItems" => {
                for nested in value.as_array_mut().into_iter().flatten() {
                    each_schema(nested, visit);
                }
            }
            // A response or a media type: schemas sit under `content` and `headers`.
            "content" | "headers" => {
                for nested in value
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    each_schema(nested, visit);
                }
            }
            _ => {}
        }
    }
}

/// The component schemas reachable, through `$ref`s, from what `roots`
/// picks out of each operation.
pub fn reachable(
    doc: &Value,
    roots: impl Fn(&Value) -> Vec<Value>,
) -> std::collections::BTreeSet<String> {
    fn refs(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(o) => {
                if let Some(name) = o
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    found.push(name.to_string());
                }
                o.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for (_, _, op) in operations_of(doc) {
        roots(op).iter().for_each(|root| refs(root, &mut todo));
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            if let Some(schema) = doc.pointer(&format!("/components/schemas/{}", escape(&name))) {
                refs(schema, &mut todo);
            }
        }
    }
    seen
}
