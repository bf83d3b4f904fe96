//! The spec of record's successes, as build/answers.rs wrote them: what each
//! operation may answer, and the schemas those answers are checked against.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// One declared 2xx answer.
pub(super) struct Declared {
    pub status: u16,
    /// The content types it may carry, lower-case; empty for no body.
    pub media: Vec<String>,
    /// The JSON body's schema, `Null` when none is declared.
    pub schema: Value,
}

pub(super) struct Answers {
    operations: HashMap<String, AnswerSpec>,
    pub schemas: Map<String, Value>,
    /// Every `pattern` of `schemas` and the operations', compiled once.
    pub patterns: HashMap<String, regress::Regex>,
}

/// What the spec of record says of one operation's answers.
pub(super) struct AnswerSpec {
    pub declared: Vec<Declared>,
    /// Whether its answers carry a constraint the generated types do not
    /// enforce, so that each of them is checked (build adaptation 13).
    pub constrained: bool,
    /// Its place in [`crate::OperationId::ALL`], for per-operation counts.
    pub index: usize,
}

impl Answers {
    pub(super) fn get() -> &'static Answers {
        static ANSWERS: OnceLock<Answers> = OnceLock::new();
        ANSWERS.get_or_init(|| {
            let text = include_str!(concat!(env!("OUT_DIR"), "/answers.json"));
            // Written by the build from a document it had just parsed.
            let doc: Value = serde_json::from_str(text).unwrap_or_default();
            Answers::from_doc(doc)
        })
    }

    fn from_doc(mut doc: Value) -> Answers {
        let schemas = match doc["schemas"].take() {
            Value::Object(o) => o,
            _ => Map::new(),
        };
        // The keywords beyond a value's type that make an operation's answers
        // checked on every call (build/answers.rs).
        let checked: Vec<String> = doc["checked"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect();
        let mut patterns = HashMap::new();
        collect_patterns(&Value::Object(schemas.clone()), &mut patterns);
        let operations = match doc["operations"].take() {
            Value::Object(o) => o,
            _ => Map::new(),
        }
        .into_iter()
        .map(|(id, statuses)| {
            let declared: Vec<Declared> = statuses
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(status, d)| {
                    Some(Declared {
                        status: status.parse().ok()?,
                        media: d["media"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_ascii_lowercase)
                            .collect(),
                        schema: d["schema"].clone(),
                    })
                })
                .collect();
            for d in &declared {
                collect_patterns(&d.schema, &mut patterns);
            }
            let constrained = declared
                .iter()
                .any(|d| constrains(&d.schema, &schemas, &checked, &mut Vec::new()));
            let index = crate::OperationId::ALL
                .iter()
                .position(|o| o.as_str() == id)
                .unwrap_or(usize::MAX);
            (
                id,
                AnswerSpec {
                    declared,
                    constrained,
                    index,
                },
            )
        })
        .collect();
        Answers {
            operations,
            schemas,
            patterns,
        }
    }

    /// What the spec says of the operation's successes; `None` for an
    /// operation the spec does not have.
    pub(super) fn operation(&self, operation: &str) -> Option<&AnswerSpec> {
        self.operations.get(operation)
    }

    pub(super) fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        // A chain of references ends within as many steps as there are schemas.
        for _ in 0..=self.schemas.len() {
            match schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .and_then(|name| self.schemas.get(name))
            {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }
}

fn collect_patterns(value: &Value, into: &mut HashMap<String, regress::Regex>) {
    match value {
        Value::Object(o) => {
            if let Some(pattern) = o.get("pattern").and_then(Value::as_str) {
                if let Ok(regex) = regress::Regex::new(pattern) {
                    into.insert(pattern.to_string(), regex);
                }
            }
            o.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "enum" | "default"))
                .for_each(|(_, v)| collect_patterns(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_patterns(v, into)),
        _ => {}
    }
}

/// Whether `schema`, or a schema it reaches, has a keyword of `checked`.
fn constrains<'a>(
    schema: &'a Value,
    schemas: &'a Map<String, Value>,
    checked: &[String],
    seen: &mut Vec<&'a str>,
) -> bool {
    match schema {
        Value::Object(o) => {
            if let Some(name) = o
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                if seen.contains(&name) {
                    return false;
                }
                seen.push(name);
                return schemas
                    .get(name)
                    .is_some_and(|target| constrains(target, schemas, checked, seen));
            }
            checked.iter().any(|k| o.contains_key(k))
                || o.iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "enum" | "default"))
                    .any(|(_, v)| constrains(v, schemas, checked, seen))
        }
        Value::Array(items) => items.iter().any(|v| constrains(v, schemas, checked, seen)),
        _ => false,
    }
}
