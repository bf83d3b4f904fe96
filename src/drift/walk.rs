//! Checks a decoded answer, as JSON, against its schema in the spec of
//! record, noting every difference drift observation reports, and fills what
//! an answer left out for its second chance at decoding. Runs only on answers
//! that hold an unlisted value, failed to decode, were sampled or whose
//! operation carries unenforced constraints, so it favours plainness over speed.

use super::log::Found;
use super::spec::Answers;
use super::{DriftKind, ValueTypes};
use serde_json::Value;
use std::collections::HashMap;

/// Answers nest a handful of levels; a schema that recurses deeper than this
/// is not followed further (a hostile answer cannot make the walk unbounded).
const MAX_DEPTH: usize = 32;

/// `fields`: whether this answer is one sampled for undeclared fields
/// ([`super::log::DriftLog::sample_fields`]). Only those report them, so that
/// a field's count means the same for every operation, whether or not the
/// walk saw the other answers for some other reason.
pub(super) fn walk(
    answers: &Answers,
    schema: &Value,
    value: &Value,
    fields: bool,
    found: &mut Vec<Found>,
) {
    let mut walker = Walker {
        answers,
        found,
        fields,
        path: String::new(),
        noted: HashMap::new(),
    };
    walker.walk(schema, value, 0);
}

struct Walker<'a> {
    answers: &'a Answers,
    found: &'a mut Vec<Found>,
    /// Whether undeclared fields are reported (a sampled answer).
    fields: bool,
    /// `results[].reported`: where the value being walked sits.
    path: String,
    /// One answer counts each finding once, however many elements carry it;
    /// where in `found` it is, to count the types of the further values.
    noted: HashMap<(DriftKind, String, Option<String>), usize>,
}

impl Walker<'_> {
    /// Notes a finding at the current path; `value` is the offending value,
    /// where there is one, whose type is counted.
    fn note(&mut self, kind: DriftKind, example: String, value: Option<&Value>) {
        let values = value.map(ValueTypes::of).unwrap_or_default();
        let key = (
            kind,
            self.path.clone(),
            kind.is_its_value().then(|| example.clone()),
        );
        match self.noted.get(&key) {
            Some(&at) => self.found[at].values.add(values),
            None => {
                self.noted.insert(key, self.found.len());
                self.found.push(Found {
                    kind,
                    path: self.path.clone(),
                    example,
                    values,
                });
            }
        }
    }

    fn walk(&mut self, schema: &Value, value: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let schema = self.answers.resolve(schema);
        let Some(rules) = schema.as_object() else {
            return;
        };
        for key in ["anyOf", "oneOf"] {
            if let Some(branches) = rules.get(key).and_then(Value::as_array) {
                // The branch of the value's own type; the typed decode already
                // accepted the value, so one of them fits it.
                if let Some(branch) = branches
                    .iter()
                    .find(|b| fits(self.answers.resolve(b), value))
                {
                    self.walk(branch, value, depth + 1);
                }
            }
        }
        for branch in rules
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.walk(branch, value, depth + 1);
        }
        if let Some(listed) = rules.get("enum").and_then(Value::as_array) {
            if !listed.contains(value) {
                self.note(DriftKind::UnlistedValue, text_of(value), Some(value));
            }
        }
        match value {
            Value::Object(fields) => self.object(rules, fields, depth),
            Value::Array(items) => {
                if let Some(n) = rules.get("minItems").and_then(Value::as_u64) {
                    if (items.len() as u64) < n {
                        self.note(
                            DriftKind::BrokenConstraint("minItems"),
                            items.len().to_string(),
                            None,
                        );
                    }
                }
                if let Some(n) = rules.get("maxItems").and_then(Value::as_u64) {
                    if items.len() as u64 > n {
                        self.note(
                            DriftKind::BrokenConstraint("maxItems"),
                            items.len().to_string(),
                            None,
                        );
                    }
                }
                if rules.get("uniqueItems") == Some(&Value::Bool(true))
                    && items
                        .iter()
                        .enumerate()
                        .any(|(i, a)| items[..i].contains(a))
                {
                    self.note(
                        DriftKind::BrokenConstraint("uniqueItems"),
                        String::new(),
                        None,
                    );
                }
                if let Some(item_schema) = rules.get("items") {
                    let at = self.path.len();
                    self.path.push_str("[]");
                    for item in items {
                        self.walk(item_schema, item, depth + 1);
                    }
                    self.path.truncate(at);
                }
            }
            Value::String(text) => self.string(rules, text),
            Value::Number(n) => {
                if let Some(x) = n.as_f64() {
                    self.number(rules, x, n.to_string());
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    fn object(
        &mut self,
        rules: &serde_json::Map<String, Value>,
        fields: &serde_json::Map<String, Value>,
        depth: usize,
    ) {
        let properties = rules.get("properties").and_then(Value::as_object);
        for required in rules
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = required.as_str() {
                if !fields.contains_key(name) {
                    let at = self.enter(name);
                    self.note(DriftKind::MissingField, String::new(), None);
                    self.path.truncate(at);
                }
            }
        }
        let extra = rules.get("additionalProperties");
        for (name, field) in fields {
            let at = self.enter(name);
            match (properties.and_then(|p| p.get(name)), extra) {
                (Some(schema), _) => self.walk(schema, field, depth + 1),
                (None, Some(schema @ Value::Object(_))) => self.walk(schema, field, depth + 1),
                (None, Some(Value::Bool(true))) => {}
                // A schema that names no properties is a free-form object.
                (None, _) if properties.is_none() => {}
                (None, _) if self.fields => {
                    self.note(DriftKind::UnknownField, json_of(field), Some(field))
                }
                (None, _) => {}
            }
            self.path.truncate(at);
        }
    }

    fn string(&mut self, rules: &serde_json::Map<String, Value>, text: &str) {
        if let Some(pattern) = rules.get("pattern").and_then(Value::as_str) {
            let matches = self
                .answers
                .patterns
                .get(pattern)
                .is_none_or(|re| re.find(text).is_some());
            if !matches {
                self.note(
                    DriftKind::BrokenConstraint("pattern"),
                    text.to_string(),
                    None,
                );
            }
        }
        let chars = text.chars().count() as u64;
        if rules
            .get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|n| chars < n)
        {
            self.note(
                DriftKind::BrokenConstraint("minLength"),
                text.to_string(),
                None,
            );
        }
        if rules
            .get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|n| chars > n)
        {
            self.note(
                DriftKind::BrokenConstraint("maxLength"),
                text.to_string(),
                None,
            );
        }
        if let Some(format) = rules.get("format").and_then(Value::as_str) {
            if !format_holds(format, text) {
                self.note(
                    DriftKind::BrokenConstraint("format"),
                    text.to_string(),
                    None,
                );
            }
        }
    }

    fn number(&mut self, rules: &serde_json::Map<String, Value>, x: f64, text: String) {
        let bound = |key: &str| rules.get(key).and_then(Value::as_f64);
        let broken = [
            ("minimum", bound("minimum").is_some_and(|m| x < m)),
            ("maximum", bound("maximum").is_some_and(|m| x > m)),
            (
                "exclusiveMinimum",
                bound("exclusiveMinimum").is_some_and(|m| x <= m),
            ),
            (
                "exclusiveMaximum",
                bound("exclusiveMaximum").is_some_and(|m| x >= m),
            ),
            (
                "multipleOf",
                bound("multipleOf").is_some_and(|m| m > 0.0 && (x / m).fract() != 0.0),
            ),
        ];
        for (constraint, is_broken) in broken {
            if is_broken {
                self.note(DriftKind::BrokenConstraint(constraint), text.clone(), None);
            }
        }
    }

    /// Appends a field to the path; returns the length to truncate back to.
    fn enter(&mut self, name: &str) -> usize {
        let at = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(name);
        at
    }
}

/// Gives every required field `value` leaves out its empty value (`""`,
/// `0`, `false`) where `schema` says it is text, a number or a boolean
/// without listed values, at any depth; says whether it gave any. A field of
/// any other type (an enum, a list, an object) is left absent: an answer
/// without its `results` or its `risk` is not one decoding can go on with.
pub(super) fn fill_absent(answers: &Answers, schema: &Value, value: &mut Value) -> bool {
    fill(answers, schema, value, 0)
}

fn fill(answers: &Answers, schema: &Value, value: &mut Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let schema = answers.resolve(schema);
    let mut filled = false;
    for branch in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        filled |= fill(answers, branch, value, depth + 1);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            if let Some(branch) = branches.iter().find(|b| fits(answers.resolve(b), value)) {
                filled |= fill(answers, branch, value, depth + 1);
            }
        }
    }
    match value {
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let empty = properties
                    .and_then(|p| p.get(name))
                    .map(|s| answers.resolve(s))
                    .filter(|s| s.get("enum").is_none())
                    .and_then(|s| match s.get("type").and_then(Value::as_str) {
                        Some("string") => Some(Value::String(String::new())),
                        Some("integer" | "number") => Some(Value::from(0)),
                        Some("boolean") => Some(Value::Bool(false)),
                        _ => None,
                    });
                if let (false, Some(empty)) = (fields.contains_key(name), empty) {
                    fields.insert(name.to_string(), empty);
                    filled = true;
                }
            }
            for (name, field) in fields.iter_mut() {
                if let Some(field_schema) = properties.and_then(|p| p.get(name)) {
                    filled |= fill(answers, field_schema, field, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    filled |= fill(answers, item_schema, item, depth + 1);
                }
            }
        }
        _ => {}
    }
    filled
}

/// Whether `value` is of the type `schema` describes, for choosing a branch.
fn fits(schema: &Value, value: &Value) -> bool {
    match schema.get("type").and_then(Value::as_str) {
        Some("null") => value.is_null(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        Some(_) => false,
        // No type: an object schema if it has properties, else anything.
        None => !schema.get("properties").is_some() || value.is_object(),
    }
}

/// The formats the service's answers use; any other format is not checked.
fn format_holds(format: &str, text: &str) -> bool {
    match format {
        "uuid" => uuid::Uuid::parse_str(text).is_ok(),
        "ip" | "ipvanyaddress" => text.parse::<std::net::IpAddr>().is_ok(),
        "ipv4" => text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<std::net::Ipv6Addr>().is_ok(),
        "ipvanynetwork" => {
            text.parse::<ipnet::IpNet>().is_ok() || text.parse::<std::net::IpAddr>().is_ok()
        }
        _ => true,
    }
}

/// An undeclared field's value as an example: as JSON, so that its type shows
/// (`"12"` is text, `12` a number); a nested object or list only by its kind.
fn json_of(value: &Value) -> String {
    match value {
        Value::String(_) => value.to_string(),
        other => text_of(other),
    }
}

/// A value as an example: text as it is, a nested object or list only by its kind.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(_) => "{…}".to_string(),
        Value::Array(_) => "[…]".to_string(),
        other => other.to_string(),
    }
}
