//! Walks two OpenAPI 3.0 documents side by side and collects what changed.
//!
//! Operations are matched by method + path, parameters by (location, name),
//! properties by name. Schemas are followed through `$ref`, so a change deep in a
//! shared schema is reported on every operation that reaches it, once for the
//! request side and once for the response side, because the two sides rank the
//! same change differently.

use super::rules::{self, Rule};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// One change, ranked by its rule.
#[derive(Debug)]
pub struct Change {
    pub rule: &'static Rule,
    /// `METHOD /path`, or None for a change to `components/schemas` itself.
    pub operation: Option<String>,
    /// Where in the operation: `query parameter page`, `response 200: items[].name`, ...
    pub location: String,
    /// The component schema that declares the changed node, when it is one.
    pub schema: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Keys that only carry prose. Changes to them are counted, not listed.
const PROSE_KEYS: &[&str] = &[
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "externalDocs",
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Schema keywords the walk compares itself: through the shape of the Rust type
/// typify derives from them, or by recursing. Any other keyword falls to `keyword-changed`.
const SCHEMA_KEYWORDS: &[&str] = &[
    "$ref",
    "type",
    "format",
    "nullable",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
    "minLength",
    "maxLength",
    "enum",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "anyOf",
    "oneOf",
    "allOf",
];

pub fn changes(old: &Value, new: &Value) -> Vec<Change> {
    let mut walk = Walk {
        old_doc: old,
        new_doc: new,
        changes: Vec::new(),
        visited: HashSet::new(),
    };
    walk.operations();
    walk.component_schemas();
    walk.changes
}

/// Counts prose fields that differ on nodes both documents have. Prose on a node
/// only one side has (a new operation's description) belongs to that node's change.
pub fn prose_changes(old: &Value, new: &Value) -> usize {
    prose((old, new), old, new, false)
}

/// `names` is true when the keys of this map are names (schema `properties`), not keywords.
fn prose(docs: (&Value, &Value), old: &Value, new: &Value, names: bool) -> usize {
    // A node moved into components on one side only is compared with its target;
    // references on both sides are left alone, so a shared node counts once, where it is declared.
    let is_ref = |v: &Value| v.get("$ref").is_some();
    let (old, new) = if !names && is_ref(old) != is_ref(new) {
        (resolve(docs.0, old), resolve(docs.1, new))
    } else {
        (old, new)
    };
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let own = if names {
                0
            } else {
                PROSE_KEYS
                    .iter()
                    .filter(|k| o.get(**k) != n.get(**k))
                    .count()
            };
            let nested: usize = o
                .iter()
                .filter(|(key, _)| names || !PROSE_KEYS.contains(&key.as_str()))
                .filter_map(|(key, ov)| {
                    n.get(key)
                        .map(|nv| prose(docs, ov, nv, !names && key == "properties"))
                })
                .sum();
            own + nested
        }
        (Value::Array(o), Value::Array(n)) => {
            // Parameter lists are matched like the semantic walk matches them, so an
            // inserted parameter does not shift every later one into a "change".
            let named = |items: &[Value]| items.iter().all(|i| i.get("name").is_some());
            if named(o) && named(n) {
                let key = |i: &Value| (i.get("in").cloned(), i.get("name").cloned());
                o.iter()
                    .filter_map(|ov| {
                        n.iter()
                            .find(|nv| key(nv) == key(ov))
                            .map(|nv| prose(docs, ov, nv, false))
                    })
                    .sum()
            } else {
                o.iter()
                    .zip(n)
                    .map(|(ov, nv)| prose(docs, ov, nv, false))
                    .sum()
            }
        }
        _ => 0,
    }
}

/// Which part of an operation a schema describes; it picks the rules.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Parameter,
    RequestBody,
    ResponseBody,
}

impl Part {
    fn is_request(self) -> bool {
        self != Part::ResponseBody
    }

    fn retyped(self) -> &'static Rule {
        match self {
            Part::Parameter => &rules::PARAMETER_RETYPED,
            Part::RequestBody => &rules::REQUEST_PROPERTY_RETYPED,
            Part::ResponseBody => &rules::RESPONSE_PROPERTY_RETYPED,
        }
    }

    fn enum_value(self, added: bool) -> &'static Rule {
        match (self.is_request(), added) {
            (true, true) => &rules::REQUEST_ENUM_VALUE_ADDED,
            (true, false) => &rules::REQUEST_ENUM_VALUE_REMOVED,
            (false, true) => &rules::RESPONSE_ENUM_VALUE_ADDED,
            (false, false) => &rules::RESPONSE_ENUM_VALUE_REMOVED,
        }
    }

    fn property_added(self, required: bool) -> &'static Rule {
        match (self.is_request(), required) {
            (true, true) => &rules::REQUEST_PROPERTY_ADDED_REQUIRED,
            (true, false) => &rules::REQUEST_PROPERTY_ADDED_OPTIONAL,
            (false, true) => &rules::RESPONSE_PROPERTY_ADDED_REQUIRED,
            (false, false) => &rules::RESPONSE_PROPERTY_ADDED_OPTIONAL,
        }
    }

    fn property_removed(self, was_required: bool) -> &'static Rule {
        match (self.is_request(), was_required) {
            (true, true) => &rules::REQUEST_PROPERTY_REMOVED_REQUIRED,
            (true, false) => &rules::REQUEST_PROPERTY_REMOVED_OPTIONAL,
            (false, true) => &rules::RESPONSE_PROPERTY_REMOVED_REQUIRED,
            (false, false) => &rules::RESPONSE_PROPERTY_REMOVED_OPTIONAL,
        }
    }

    fn property_required(self, now_required: bool) -> &'static Rule {
        match (self.is_request(), now_required) {
            (true, true) => &rules::REQUEST_PROPERTY_MADE_REQUIRED,
            (true, false) => &rules::REQUEST_PROPERTY_MADE_OPTIONAL,
            (false, true) => &rules::RESPONSE_PROPERTY_MADE_REQUIRED,
            (false, false) => &rules::RESPONSE_PROPERTY_MADE_OPTIONAL,
        }
    }
}

/// Where a change is: the operation, the part of it (which picks the rules for
/// schemas), the part's label (`query parameter page`, `request body`, `response
/// 200`), the property path inside the part's schema (`items[].name`), and the
/// component schema that declares the node there.
#[derive(Clone)]
struct Site<'o> {
    operation: &'o str,
    part: Part,
    label: String,
    path: String,
    owner: Option<String>,
}

impl<'o> Site<'o> {
    fn new(operation: &'o str, part: Part, label: impl Into<String>) -> Self {
        Site {
            operation,
            part,
            label: label.into(),
            path: String::new(),
            owner: None,
        }
    }

    /// A node below this one: `name` for a property, `[]` for array items, `{}` for map values.
    fn child(&self, step: &str) -> Self {
        let path = if self.path.is_empty() || step.starts_with(['[', '{']) {
            format!("{}{step}", self.path)
        } else {
            format!("{}.{step}", self.path)
        };
        Site {
            path,
            ..self.clone()
        }
    }

    fn owned_by(&self, schema: &str) -> Self {
        Site {
            owner: Some(schema.to_string()),
            ..self.clone()
        }
    }

    fn location(&self) -> String {
        if self.path.is_empty() {
            self.label.clone()
        } else {
            format!("{}: {}", self.label, self.path)
        }
    }
}

struct Walk<'a> {
    old_doc: &'a Value,
    new_doc: &'a Value,
    changes: Vec<Change>,
    /// Component schemas already walked for the current operation, per side. It
    /// stops recursive schemas, and reports a shared schema once per operation and side.
    visited: HashSet<(String, bool)>,
}

impl<'a> Walk<'a> {
    fn report(
        &mut self,
        rule: &'static Rule,
        site: &Site,
        old: Option<String>,
        new: Option<String>,
    ) {
        self.changes.push(Change {
            rule,
            operation: Some(site.operation.to_string()),
            location: site.location(),
            schema: site.owner.clone(),
            old,
            new,
        });
    }

    /// A change that the rule and the site say all about.
    fn mark(&mut self, rule: &'static Rule, site: &Site) {
        self.report(rule, site, None, None);
    }

    fn operations(&mut self) {
        let (old_ops, new_ops) = (operations(self.old_doc), operations(self.new_doc));
        let keys: BTreeSet<_> = old_ops.keys().chain(new_ops.keys()).collect();
        for key in keys {
            let label = format!("{} {}", METHODS[key.1].to_uppercase(), key.0);
            // The part only picks rules for schemas; the operation's own changes have none.
            let site = Site::new(&label, Part::Parameter, "operation");
            match (old_ops.get(key), new_ops.get(key)) {
                (Some(_), None) => self.mark(&rules::OPERATION_REMOVED, &site),
                (None, Some(_)) => self.mark(&rules::OPERATION_ADDED, &site),
                (Some(old), Some(new)) => {
                    self.visited.clear();
                    self.operation(&site, old, new);
                }
                (None, None) => unreachable!("the key came from one of the maps"),
            }
        }
    }

    fn operation(&mut self, site: &Site, old: &Operation<'a>, new: &Operation<'a>) {
        let (old_id, new_id) = (old.node.get("operationId"), new.node.get("operationId"));
        if old_id != new_id {
            self.report(
                &rules::OPERATION_RENAMED,
                site,
                old_id.map(display),
                new_id.map(display),
            );
        }
        let handled = ["parameters", "requestBody", "responses", "operationId"];
        self.keywords(
            site,
            &keywords(old.node, &handled),
            &keywords(new.node, &handled),
        );
        self.parameters(site.operation, old, new);
        self.request_body(site.operation, old.node, new.node);
        self.responses(site.operation, old.node, new.node);
    }

    fn parameters(&mut self, operation: &str, old: &Operation<'a>, new: &Operation<'a>) {
        let (old_params, new_params) =
            (parameters(self.old_doc, old), parameters(self.new_doc, new));
        let keys: BTreeSet<_> = old_params.keys().chain(new_params.keys()).collect();
        for key in keys {
            let site = Site::new(
                operation,
                Part::Parameter,
                format!("{} parameter {}", key.0, key.1),
            );
            match (old_params.get(key), new_params.get(key)) {
                (Some(old), None) => {
                    let rule = if is_required(old) {
                        &rules::PARAMETER_REMOVED_REQUIRED
                    } else {
                        &rules::PARAMETER_REMOVED_OPTIONAL
                    };
                    self.report(rule, &site, Some(describe(param_schema(old))), None);
                }
                (None, Some(new)) => {
                    let rule = if is_required(new) {
                        &rules::PARAMETER_ADDED_REQUIRED
                    } else {
                        &rules::PARAMETER_ADDED_OPTIONAL
                    };
                    self.report(rule, &site, None, Some(describe(param_schema(new))));
                }
                (Some(old), Some(new)) => {
                    match (is_required(old), is_required(new)) {
                        (false, true) => self.mark(&rules::PARAMETER_MADE_REQUIRED, &site),
                        (true, false) => self.mark(&rules::PARAMETER_MADE_OPTIONAL, &site),
                        _ => {}
                    }
                    let handled = ["name", "in", "required", "schema"];
                    self.keywords(&site, &keywords(old, &handled), &keywords(new, &handled));
                    self.schema(&site, param_schema(old), param_schema(new));
                }
                (None, None) => unreachable!("the key came from one of the maps"),
            }
        }
    }

    fn request_body(&mut self, operation: &str, old: &'a Value, new: &'a Value) {
        let old_body = old.get("requestBody").map(|b| resolve(self.old_doc, b));
        let new_body = new.get("requestBody").map(|b| resolve(self.new_doc, b));
        let site = Site::new(operation, Part::RequestBody, "request body");
        if let (Some(o), Some(n)) = (old_body, new_body) {
            self.keywords(
                &site,
                &keywords(o, &["content"]),
                &keywords(n, &["content"]),
            );
        }
        let content = |body: Option<&'a Value>| body.and_then(|b| b.get("content"));
        self.content(&site, content(old_body), content(new_body));
    }

    fn responses(&mut self, operation: &str, old: &'a Value, new: &'a Value) {
        let listed = |doc: &'a Value, op: &'a Value| -> BTreeMap<&'a str, &'a Value> {
            let responses = op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten();
            responses
                .map(|(status, r)| (status.as_str(), resolve(doc, r)))
                .collect()
        };
        let (old_responses, new_responses) = (listed(self.old_doc, old), listed(self.new_doc, new));
        let statuses: BTreeSet<&str> = old_responses
            .keys()
            .chain(new_responses.keys())
            .copied()
            .collect();
        for status in statuses {
            let site = Site::new(operation, Part::ResponseBody, format!("response {status}"));
            // progenitor matches 2xx (and `2XX`) as success; `default` and the rest decode as errors.
            let success = status.starts_with('2');
            match (old_responses.get(status), new_responses.get(status)) {
                (Some(_), None) if success => self.mark(&rules::SUCCESS_STATUS_REMOVED, &site),
                (Some(_), None) => self.mark(&rules::ERROR_STATUS_REMOVED, &site),
                (None, Some(_)) if success => self.mark(&rules::SUCCESS_STATUS_ADDED, &site),
                (None, Some(_)) => self.mark(&rules::ERROR_STATUS_ADDED, &site),
                (Some(o), Some(n)) => {
                    self.keywords(
                        &site,
                        &keywords(o, &["content"]),
                        &keywords(n, &["content"]),
                    );
                    self.content(&site, o.get("content"), n.get("content"));
                }
                (None, None) => unreachable!("the status came from one of the maps"),
            }
        }
    }

    /// Compares the media types of a request body or a response, then the schemas
    /// of the media types both sides declare.
    fn content(&mut self, site: &Site, old: Option<&Value>, new: Option<&Value>) {
        let empty = Map::new();
        let old = old.and_then(Value::as_object).unwrap_or(&empty);
        let new = new.and_then(Value::as_object).unwrap_or(&empty);
        let response = site.part == Part::ResponseBody;
        let kind_changed = response && body_kind(old) != body_kind(new);
        if kind_changed {
            let (was, is) = (body_kind(old).to_string(), body_kind(new).to_string());
            self.report(
                &rules::RESPONSE_BODY_KIND_CHANGED,
                site,
                Some(was),
                Some(is),
            );
        }
        let (added, removed) = if response {
            (
                &rules::RESPONSE_MEDIA_TYPE_ADDED,
                &rules::RESPONSE_MEDIA_TYPE_REMOVED,
            )
        } else {
            (
                &rules::REQUEST_MEDIA_TYPE_ADDED,
                &rules::REQUEST_MEDIA_TYPE_REMOVED,
            )
        };
        let media_types: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for media_type in media_types {
            match (old.get(media_type), new.get(media_type)) {
                // A changed body kind already says what the media types did to the method.
                (Some(_), None) if !kind_changed => {
                    self.report(removed, site, Some(media_type.clone()), None)
                }
                (None, Some(_)) if !kind_changed => {
                    self.report(added, site, None, Some(media_type.clone()))
                }
                (Some(o), Some(n)) => {
                    // JSON is what nearly every body is; only other media types are named.
                    let mut inner = site.clone();
                    if media_type != "application/json" {
                        inner.label = format!("{} {media_type}", site.label);
                    }
                    self.keywords(&inner, &keywords(o, &["schema"]), &keywords(n, &["schema"]));
                    let (o, n) = (
                        o.get("schema").unwrap_or(&ANY),
                        n.get("schema").unwrap_or(&ANY),
                    );
                    self.schema(&inner, o, n);
                }
                _ => {}
            }
        }
    }

    /// Compares the two schemas found at `site`.
    fn schema<'v>(&mut self, site: &Site, old: &'v Value, new: &'v Value)
    where
        'a: 'v,
    {
        let (old_inner, new_inner) = (unwrap_all_of(old), unwrap_all_of(new));
        self.keywords(
            site,
            &schema_keywords(old, old_inner),
            &schema_keywords(new, new_inner),
        );
        let (old, new) = (old_inner, new_inner);
        match (ref_name(old), ref_name(new)) {
            (Some(a), Some(b)) if a == b => {
                if !self.visited.insert((a.to_string(), site.part.is_request())) {
                    return;
                }
                let (o, n) = (resolve(self.old_doc, old), resolve(self.new_doc, new));
                // An unresolvable reference (an external file) names the same thing on both sides.
                if ref_name(o).is_none() && ref_name(n).is_none() {
                    self.schema(&site.owned_by(a), o, n);
                }
                return;
            }
            (None, None) => {}
            // typify names a referenced type after its schema and an inline one after
            // where it appears, so any change of reference is a change of Rust type.
            _ => {
                self.report(
                    site.part.retyped(),
                    site,
                    Some(describe(old)),
                    Some(describe(new)),
                );
                return;
            }
        }
        if shape(old) != shape(new) {
            self.report(
                site.part.retyped(),
                site,
                Some(describe(old)),
                Some(describe(new)),
            );
            return;
        }
        self.enum_values(site, old, new);
        self.properties(site, old, new);
        match (old.get("items"), new.get("items")) {
            (Some(o), Some(n)) => self.schema(&site.child("[]"), o, n),
            (None, None) => {}
            (o, n) => self.report(
                site.part.retyped(),
                &site.child("[]"),
                o.map(describe),
                n.map(describe),
            ),
        }
        if let (Some(o @ Value::Object(_)), Some(n @ Value::Object(_))) = (
            old.get("additionalProperties"),
            new.get("additionalProperties"),
        ) {
            self.schema(&site.child("{}"), o, n);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            // `shape` already compared the number of variants; compare them pairwise.
            if let (Some(Value::Array(o)), Some(Value::Array(n))) = (old.get(key), new.get(key)) {
                for (o, n) in o.iter().zip(n) {
                    self.schema(site, o, n);
                }
            }
        }
    }

    fn enum_values(&mut self, site: &Site, old: &Value, new: &Value) {
        let values = |node: &Value| {
            node.get("enum")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let (old_values, new_values) = (values(old), values(new));
        for value in new_values.iter().filter(|v| !old_values.contains(v)) {
            self.report(site.part.enum_value(true), site, None, Some(display(value)));
        }
        for value in old_values.iter().filter(|v| !new_values.contains(v)) {
            self.report(
                site.part.enum_value(false),
                site,
                Some(display(value)),
                None,
            );
        }
    }

    fn properties<'v>(&mut self, site: &Site, old: &'v Value, new: &'v Value)
    where
        'a: 'v,
    {
        let empty = Map::new();
        let props = |node: &'v Value| node.get("properties").and_then(Value::as_object);
        let (old_props, new_props) = (props(old).unwrap_or(&empty), props(new).unwrap_or(&empty));
        let (old_required, new_required) = (required_names(old), required_names(new));
        let names: BTreeSet<&String> = old_props.keys().chain(new_props.keys()).collect();
        for name in names {
            let child = site.child(name);
            let (was, is) = (
                old_required.contains(name.as_str()),
                new_required.contains(name.as_str()),
            );
            match (old_props.get(name), new_props.get(name)) {
                (Some(o), None) => self.report(
                    site.part.property_removed(was),
                    &child,
                    Some(describe(o)),
                    None,
                ),
                (None, Some(n)) => self.report(
                    site.part.property_added(is),
                    &child,
                    None,
                    Some(describe(n)),
                ),
                (Some(o), Some(n)) => {
                    if was != is {
                        self.mark(site.part.property_required(is), &child);
                    }
                    self.schema(&child, o, n);
                }
                (None, None) => unreachable!("the name came from one of the maps"),
            }
        }
    }

    /// Reports keywords the walk does not otherwise compare, one change per keyword.
    fn keywords(
        &mut self,
        site: &Site,
        old: &BTreeMap<String, Value>,
        new: &BTreeMap<String, Value>,
    ) {
        let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for name in names {
            let (o, n) = (old.get(name), new.get(name));
            if o != n {
                let show = |v: Option<&Value>| v.map(|v| format!("{name} = {}", display(v)));
                self.report(&rules::KEYWORD_CHANGED, site, show(o), show(n));
            }
        }
    }

    fn component_schemas(&mut self) {
        let names = |doc: &'a Value| -> BTreeSet<&'a String> {
            let schemas = doc
                .pointer("/components/schemas")
                .and_then(Value::as_object);
            schemas.map(|m| m.keys().collect()).unwrap_or_default()
        };
        let (old, new) = (names(self.old_doc), names(self.new_doc));
        let removed = old
            .difference(&new)
            .map(|name| (&rules::SCHEMA_REMOVED, name));
        let added = new
            .difference(&old)
            .map(|name| (&rules::SCHEMA_ADDED, name));
        self.changes
            .extend(removed.chain(added).map(|(rule, name)| Change {
                rule,
                operation: None,
                location: format!("schema {name}"),
                schema: Some(name.to_string()),
                old: None,
                new: None,
            }));
    }
}

/// An operation and the parameters its path item declares for every method.
struct Operation<'a> {
    node: &'a Value,
    path_parameters: Option<&'a Value>,
}

/// Operations keyed by (path, index into METHODS), so they sort by path, then method.
fn operations(doc: &Value) -> BTreeMap<(String, usize), Operation<'_>> {
    let mut found = BTreeMap::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let item = resolve(doc, item);
        for (index, method) in METHODS.iter().enumerate() {
            if let Some(node) = item.get(*method) {
                found.insert(
                    (path.clone(), index),
                    Operation {
                        node,
                        path_parameters: item.get("parameters"),
                    },
                );
            }
        }
    }
    found
}

/// Parameters keyed by (location, name); the operation's own override the path item's.
fn parameters<'a>(doc: &'a Value, op: &Operation<'a>) -> BTreeMap<(String, String), &'a Value> {
    let mut found = BTreeMap::new();
    for list in [op.path_parameters, op.node.get("parameters")]
        .into_iter()
        .flatten()
    {
        for param in list.as_array().into_iter().flatten() {
            let param = resolve(doc, param);
            if let (Some(location), Some(name)) = (
                param.get("in").and_then(Value::as_str),
                param.get("name").and_then(Value::as_str),
            ) {
                found.insert((location.to_string(), name.to_string()), param);
            }
        }
    }
    found
}

fn is_required(param: &Value) -> bool {
    // Path parameters are required whatever the document says.
    param.get("in").and_then(Value::as_str) == Some("path")
        || param.get("required").and_then(Value::as_bool) == Some(true)
}

fn param_schema(param: &Value) -> &Value {
    param.get("schema").unwrap_or(&ANY)
}

/// Stands in for a missing schema: it has no keywords, so it reads as "any value".
static ANY: Value = Value::Null;

/// Follows local `$ref`s (`#/components/...`) to the node they name. A chain is
/// followed a bounded number of steps so a reference cycle cannot hang the walk.
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..16 {
        let target = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p));
        match target {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// The last segment of a reference: the component schema's name.
fn ref_name(node: &Value) -> Option<&str> {
    node.get("$ref")
        .and_then(Value::as_str)
        .map(|r| r.rsplit('/').next().unwrap_or(r))
}

/// FastAPI wraps a referenced schema in a one-element `allOf` to hang a description
/// or default beside it; typify generates the referenced type either way.
fn unwrap_all_of(node: &Value) -> &Value {
    match node.get("allOf").and_then(Value::as_array) {
        Some(items)
            if items.len() == 1
                && !["type", "properties", "items", "enum"]
                    .iter()
                    .any(|k| node.get(*k).is_some()) =>
        {
            &items[0]
        }
        _ => node,
    }
}

/// The keywords of `node` not in `handled` and not prose.
fn keywords(node: &Value, handled: &[&str]) -> BTreeMap<String, Value> {
    node.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !handled.contains(&k.as_str()) && !PROSE_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The keywords a schema carries beyond those the walk compares, merging a
/// one-element `allOf` wrapper with what it wraps (a `$ref` is compared on its target).
fn schema_keywords(outer: &Value, inner: &Value) -> BTreeMap<String, Value> {
    let mut found = keywords(outer, SCHEMA_KEYWORDS);
    if !std::ptr::eq(outer, inner) && ref_name(inner).is_none() {
        found.extend(keywords(inner, SCHEMA_KEYWORDS));
    }
    found
}

fn required_names(node: &Value) -> BTreeSet<&str> {
    node.get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// What progenitor returns for a response with these media types.
fn body_kind(content: &Map<String, Value>) -> &'static str {
    if content
        .keys()
        .any(|k| k == "application/json" || k.starts_with("application/json;"))
    {
        "typed JSON"
    } else if content.is_empty() {
        "no body"
    } else {
        "raw bytes"
    }
}

/// Everything about a schema node (not a `$ref`) that decides the Rust type typify
/// generates for it, apart from what the walk compares by recursing (properties,
/// items, variants). Two nodes with different shapes are different Rust types.
fn shape(node: &Value) -> String {
    let base = match node.get("type").and_then(Value::as_str) {
        Some(t) => t.to_string(),
        None if node.get("properties").is_some() => "object".into(),
        None if node.get("items").is_some() => "array".into(),
        None => ["anyOf", "oneOf", "allOf"]
            .iter()
            .find_map(|k| {
                node.get(*k)
                    .and_then(Value::as_array)
                    .map(|v| format!("{k} of {}", v.len()))
            })
            .unwrap_or_else(|| "any".into()),
    };
    let mut details = Vec::new();
    if let Some(format) = node.get("format").and_then(Value::as_str) {
        details.push(format.to_string());
    }
    if node.get("nullable").and_then(Value::as_bool) == Some(true) {
        details.push("nullable".into());
    }
    if node.get("enum").is_some() {
        details.push("enum".into());
    }
    // typify picks the integer type from the bounds, and wraps constrained strings in a newtype.
    for key in [
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "pattern",
        "minLength",
        "maxLength",
    ] {
        if let Some(value) = node.get(key) {
            details.push(format!("{key} {}", display(value)));
        }
    }
    match node.get("additionalProperties") {
        Some(Value::Bool(false)) => details.push("no additional properties".into()),
        Some(Value::Object(schema)) if !schema.is_empty() => details.push("map".into()),
        _ => {}
    }
    if details.is_empty() {
        base
    } else {
        format!("{base} ({})", details.join(", "))
    }
}

/// A short description of a schema for the report: its reference name or its shape,
/// with the element type of arrays.
fn describe(node: &Value) -> String {
    let node = unwrap_all_of(node);
    if let Some(name) = ref_name(node) {
        return name.to_string();
    }
    match node.get("items") {
        Some(items) => format!("{} of {}", shape(node), describe(items)),
        None => shape(node),
    }
}

/// A JSON value as the report shows it: strings bare, anything else as compact JSON.
fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
