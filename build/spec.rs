//! Reading the OpenAPI document: its operations and how names are spelled.

use serde_json::Value;

pub const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

pub fn operations_of(doc: &Value) -> impl Iterator<Item = (&str, &str, &Value)> {
    doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |m| item.get(*m).map(|op| (*m, path.as_str(), op)))
        })
}

/// Whether the client sends the operation's body as a `multipart/form-data`
/// form: the body declares one and no JSON, which is sent when declared.
pub fn is_multipart(op: &Value) -> bool {
    op.pointer("/requestBody/content").is_some_and(|content| {
        content.get("multipart/form-data").is_some() && content.get("application/json").is_none()
    })
}

pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A schema or operation name as typify spells it in a type name (heck's
/// UpperCamelCase: `IPAssessmentOutput` -> `IpAssessmentOutput`).
pub fn pascal_case(name: &str) -> String {
    heck::ToUpperCamelCase::to_upper_camel_case(name)
}

/// `value`, or what its `$ref` names in `doc` (one step; the spec of record's
/// parameters and bodies refer at most once).
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(target) => target
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .unwrap_or(value),
        None => value,
    }
}
