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

/// Adaptation 6: every titled inline schema that typify turns into a type of
/// its own (an enum, a pattern-checked string, an object) is titled after
/// where it is defined: `{Schema}{Property}` for a property (or its items),
/// `{Operation}{Parameter}` for a parameter. typify names such a type after its
/// title and gives later schemas with the same title the first one's type, so
/// left alone a name would depend on what else the document holds (a value
/// added to the assessment's `risk` would rename the AS's `Risk` too).
/// `renames` are the schema names adaptations 3 and 7 give, so a body's
/// properties are named after the body's final name.
pub fn title_by_site(doc: &mut Value, renames: &[(String, String)]) {
    let final_name = |schema: &str| {
        let typify = pascal_case(schema);
        renames
            .iter()
            .find(|(from, _)| *from == typify)
            .map_or(typify, |(_, to)| to.clone())
    };
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
        let own_type = ["enum", "pattern", "properties", "items"]
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
