//! Passes over the OpenAPI document before progenitor reads it (adaptations 1, 3, 6, 7).

use crate::spec::*;
use serde_json::Value;

/// Adaptation 1.
pub fn remove_multipart_operations(doc: &mut Value) {
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            item.retain(|_, op| !is_multipart(op));
        }
        paths.retain(|_, item| {
            item.as_object()
                .is_some_and(|i| METHODS.iter().any(|m| i.contains_key(*m)))
        });
    }
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

/// Adaptation 6.
pub fn retitle_colliding_schemas(doc: &mut Value) {
    // (where it is used, JSON pointer) for every titled inline enum or pattern.
    let mut sites: Vec<(String, String)> = Vec::new();
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            for (prop, _) in schema["properties"].as_object().into_iter().flatten() {
                let site = format!("{}{}", pascal_case(name), pascal_case(prop));
                let base = format!(
                    "/components/schemas/{}/properties/{}",
                    escape(name),
                    escape(prop)
                );
                sites.push((site.clone(), base.clone()));
                sites.push((site, format!("{base}/items")));
            }
        }
    }
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
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
    }
    // title -> distinct schema bodies (title left out) -> the sites using each.
    type Uses = Vec<(String, String)>;
    let mut by_title: std::collections::BTreeMap<String, Vec<(String, Uses)>> = Default::default();
    for (site, pointer) in sites {
        let Some(schema) = doc.pointer(&pointer).and_then(Value::as_object) else {
            continue;
        };
        let Some(title) = schema.get("title").and_then(Value::as_str) else {
            continue;
        };
        if !(schema.contains_key("enum") || schema.contains_key("pattern")) {
            continue;
        }
        let mut body = schema.clone();
        body.remove("title");
        let body = Value::Object(body).to_string();
        let bodies = by_title.entry(title.to_string()).or_default();
        match bodies.iter_mut().find(|(b, _)| *b == body) {
            Some((_, uses)) => uses.push((site, pointer)),
            None => bodies.push((body, vec![(site, pointer)])),
        }
    }
    for bodies in by_title.values().filter(|bodies| bodies.len() > 1) {
        for (_, uses) in bodies {
            let title = uses[0].0.clone();
            for (_, pointer) in uses {
                if let Some(schema) = doc.pointer_mut(pointer) {
                    schema["title"] = Value::String(title.clone());
                }
            }
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
