//! Walks two OpenAPI 3.0 documents side by side and collects what changed.
//!
//! Operations are matched by method + path, parameters by (location, name),
//! properties by name. Schemas are followed through `$ref`, so a change deep in a
//! shared schema is reported on every operation that reaches it, once for the
//! request side and once for the response side, because the two sides rank the
//! same change differently.

use super::keywords::{self, Object, PROSE};
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

pub(crate) const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub fn changes(old: &Value, new: &Value) -> Vec<Change> {
    let mut walk = Walk {
        old_doc: old,
        new_doc: new,
        answer_only: (answer_only(old), answer_only(new)),
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
                PROSE.iter().filter(|k| o.get(**k) != n.get(**k)).count()
            };
            let nested: usize = o
                .iter()
                .filter(|(key, _)| names || !PROSE.contains(&key.as_str()))
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

    /// `scalar`: the field is text, a number or a boolean on the side where it
    /// is required, which the decoder reads as its empty value when absent.
    fn property_added(self, required: bool, scalar: bool) -> &'static Rule {
        match (self.is_request(), required) {
            (true, true) => &rules::REQUEST_PROPERTY_ADDED_REQUIRED,
            (true, false) => &rules::REQUEST_PROPERTY_ADDED_OPTIONAL,
            (false, true) if scalar => &rules::RESPONSE_SCALAR_ADDED_REQUIRED,
            (false, true) => &rules::RESPONSE_PROPERTY_ADDED_REQUIRED,
            (false, false) => &rules::RESPONSE_PROPERTY_ADDED_OPTIONAL,
        }
    }

    fn property_removed(self, was_required: bool, scalar: bool) -> &'static Rule {
        match (self.is_request(), was_required) {
            (true, true) => &rules::REQUEST_PROPERTY_REMOVED_REQUIRED,
            (true, false) => &rules::REQUEST_PROPERTY_REMOVED_OPTIONAL,
            (false, true) if scalar => &rules::RESPONSE_SCALAR_REMOVED_REQUIRED,
            (false, true) => &rules::RESPONSE_PROPERTY_REMOVED_REQUIRED,
            (false, false) => &rules::RESPONSE_PROPERTY_REMOVED_OPTIONAL,
        }
    }

    fn property_required(self, now_required: bool, scalar: bool) -> &'static Rule {
        match (self.is_request(), now_required) {
            (true, true) => &rules::REQUEST_PROPERTY_MADE_REQUIRED,
            (true, false) => &rules::REQUEST_PROPERTY_MADE_OPTIONAL,
            (false, true) if scalar => &rules::RESPONSE_SCALAR_MADE_REQUIRED,
            (false, true) => &rules::RESPONSE_PROPERTY_MADE_REQUIRED,
            (false, false) if scalar => &rules::RESPONSE_SCALAR_MADE_OPTIONAL,
            (false, false) => &rules::RESPONSE_PROPERTY_MADE_OPTIONAL,
        }
    }

    /// A constraint that changed without changing the Rust type. `enforced`:
    /// the answer's type checks it when decoding (a constrained string kept in
    /// a newtype because requests use the schema too).
    fn constraint(self, tightened: bool, enforced: bool) -> &'static Rule {
        match (self.is_request(), tightened) {
            (true, true) => &rules::REQUEST_CONSTRAINT_TIGHTENED,
            (true, false) => &rules::REQUEST_CONSTRAINT_RELAXED,
            (false, _) if enforced => &rules::RESPONSE_CONSTRAINT_ENFORCED,
            (false, _) => &rules::RESPONSE_CONSTRAINT_OBSERVED,
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
    /// Per side (old, new): whether generation keeps the constraints of the
    /// node here in its type; build adaptation 13 strips those of answers.
    kept: (bool, bool),
    /// Per side: whether the node is an optional parameter or property, which
    /// typify makes `Option<T>` whether or not it is nullable.
    optional: (bool, bool),
}

impl<'o> Site<'o> {
    fn new(operation: &'o str, part: Part, label: impl Into<String>) -> Self {
        Site {
            operation,
            part,
            label: label.into(),
            path: String::new(),
            owner: None,
            kept: (true, true),
            optional: (false, false),
        }
    }

    /// A node below this one: `name` for a property, `[]` for array items, `{}`
    /// for map values. Only a property can be optional; the caller says so.
    fn child(&self, step: &str) -> Self {
        let path = if self.path.is_empty() || step.starts_with(['[', '{']) {
            format!("{}{step}", self.path)
        } else {
            format!("{}.{step}", self.path)
        };
        Site {
            path,
            optional: (false, false),
            ..self.clone()
        }
    }

    fn optional(self, optional: (bool, bool)) -> Self {
        Site { optional, ..self }
    }

    /// Inside the component schema `schema`; `answer_only` says, per side,
    /// whether only answers use it (and generation drops its constraints).
    fn owned_by(&self, schema: &str, answer_only: (bool, bool)) -> Self {
        Site {
            owner: Some(schema.to_string()),
            kept: (!answer_only.0, !answer_only.1),
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
    /// Per side, the component schemas only 2xx answers reach (build adaptation 13).
    answer_only: (BTreeSet<String>, BTreeSet<String>),
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
        self.keywords(
            site,
            &listed(old.node, Object::Operation),
            &listed(new.node, Object::Operation),
        );
        self.security(site, old.node, new.node);
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
                    self.keywords(
                        &site,
                        &listed(old, Object::Parameter),
                        &listed(new, Object::Parameter),
                    );
                    let site = site.optional((!is_required(old), !is_required(new)));
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
                &listed(o, Object::RequestBody),
                &listed(n, Object::RequestBody),
            );
        }
        let content = |body: Option<&'a Value>| body.and_then(|b| b.get("content"));
        self.content(&site, content(old_body), content(new_body));
    }

    fn responses(&mut self, operation: &str, old: &'a Value, new: &'a Value) {
        let declared = |doc: &'a Value, op: &'a Value| -> BTreeMap<&'a str, &'a Value> {
            let responses = op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten();
            responses
                .map(|(status, r)| (status.as_str(), resolve(doc, r)))
                .collect()
        };
        let (old_responses, new_responses) =
            (declared(self.old_doc, old), declared(self.new_doc, new));
        let (old_result, new_result) = (result(&old_responses), result(&new_responses));
        let result_changed = old_result.0 != new_result.0 && old_result.1 != new_result.1;
        if result_changed {
            let site = Site::new(operation, Part::ResponseBody, "result");
            let show = |(status, kind): (Option<&str>, &str)| {
                Some(status.map_or(format!("{kind} (no success status)"), |s| {
                    format!("{kind} ({s})")
                }))
            };
            self.report(
                &rules::SUCCESS_RESULT_CHANGED,
                &site,
                show(old_result),
                show(new_result),
            );
        }
        let statuses: BTreeSet<&str> = old_responses
            .keys()
            .chain(new_responses.keys())
            .copied()
            .collect();
        for status in statuses {
            let mut site = Site::new(operation, Part::ResponseBody, format!("response {status}"));
            // progenitor matches 2xx (and `2XX`) as success; `default` and the rest decode as errors.
            let success = status.starts_with('2');
            // Build adaptation 13 strips the constraints of a success answer's inline schemas.
            site.kept = (!success, !success);
            // The status that decided a result that changed is that change.
            let decided = result_changed && [old_result.0, new_result.0].contains(&Some(status));
            match (old_responses.get(status), new_responses.get(status)) {
                (Some(_), None) | (None, Some(_)) if success && decided => {}
                (Some(_), None) if success => self.mark(&rules::SUCCESS_STATUS_REMOVED, &site),
                (Some(_), None) => self.mark(&rules::ERROR_STATUS_REMOVED, &site),
                (None, Some(_)) if success => self.mark(&rules::SUCCESS_STATUS_ADDED, &site),
                (None, Some(_)) => self.mark(&rules::ERROR_STATUS_ADDED, &site),
                (Some(o), Some(n)) => {
                    self.keywords(
                        &site,
                        &listed(o, Object::Response),
                        &listed(n, Object::Response),
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
        let (kind, kind_rule) = if response {
            (
                body_kind as fn(&Map<String, Value>) -> &'static str,
                &rules::RESPONSE_BODY_KIND_CHANGED,
            )
        } else {
            (
                sent_kind as fn(&Map<String, Value>) -> &'static str,
                &rules::REQUEST_BODY_KIND_CHANGED,
            )
        };
        let kind_changed = kind(old) != kind(new);
        if kind_changed {
            let (was, is) = (kind(old).to_string(), kind(new).to_string());
            self.report(kind_rule, site, Some(was), Some(is));
        }
        // A request's schemas matter in the media type the client sends only.
        let sent = (!response).then(|| sent_media_type(new));
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
                (Some(_), Some(_))
                    if sent.is_some_and(|sent| sent != Some(media_type.as_str())) => {}
                (Some(o), Some(n)) => {
                    // JSON is what nearly every body is; only other media types are named.
                    let mut inner = site.clone();
                    if media_type != "application/json" {
                        inner.label = format!("{} {media_type}", site.label);
                    }
                    self.keywords(
                        &inner,
                        &listed(o, Object::MediaType),
                        &listed(n, Object::MediaType),
                    );
                    let (o, n) = (
                        o.get("schema").unwrap_or(&ANY),
                        n.get("schema").unwrap_or(&ANY),
                    );
                    if response && !is_json(media_type) {
                        // Returned as bytes or text: the schema types nothing.
                        if without_prose(o) != without_prose(n) {
                            self.mark(&rules::RESPONSE_RAW_SCHEMA_CHANGED, &inner);
                        }
                    } else {
                        self.schema(&inner, o, n);
                    }
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
                    let answer_only = (
                        self.answer_only.0.contains(a),
                        self.answer_only.1.contains(a),
                    );
                    self.schema(&site.owned_by(a, answer_only), o, n);
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
        let (kept, optional) = (site.kept, site.optional);
        if rust_type(old, kept.0, optional.0) != rust_type(new, kept.1, optional.1) {
            self.report(
                site.part.retyped(),
                site,
                Some(describe(old)),
                Some(describe(new)),
            );
            return;
        }
        // The same Rust type: a format typify does not map (`email`), or
        // nullability on an optional field, changed nothing it generates.
        if old.get("format") != new.get("format") {
            let show = |v: &Value| v.get("format").map(|f| format!("format = {}", display(f)));
            self.report(&rules::KEYWORD_CHANGED, site, show(old), show(new));
        }
        if is_nullable(old) != is_nullable(new) {
            let show = |v: &Value| Some(format!("nullable = {}", is_nullable(v)));
            self.report(
                &rules::OPTIONAL_NULLABLE_CHANGED,
                site,
                show(old),
                show(new),
            );
        }
        self.constraints(site, old, new);
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
            let (was, is) = (
                old_required.contains(name.as_str()),
                new_required.contains(name.as_str()),
            );
            let child = site.child(name).optional((!was, !is));
            let (old_scalar, new_scalar) = (
                |o: &Value| decodes_absent_as_empty(o, site.kept.0),
                |n: &Value| decodes_absent_as_empty(n, site.kept.1),
            );
            match (old_props.get(name), new_props.get(name)) {
                (Some(o), None) => self.report(
                    site.part.property_removed(was, old_scalar(o)),
                    &child,
                    Some(describe(o)),
                    None,
                ),
                (None, Some(n)) => self.report(
                    site.part.property_added(is, new_scalar(n)),
                    &child,
                    None,
                    Some(describe(n)),
                ),
                (Some(o), Some(n)) => {
                    if was != is {
                        // Judged on the side where the field is required.
                        let scalar = if is { new_scalar(n) } else { old_scalar(o) };
                        self.mark(site.part.property_required(is, scalar), &child);
                    }
                    self.schema(&child, o, n);
                }
                (None, None) => unreachable!("the name came from one of the maps"),
            }
        }
    }

    /// Compares the constraints of two nodes of the same Rust type: each one
    /// that changed is tightened or relaxed (a request), observed or enforced
    /// (an answer). One on a type it does not apply to constrains nothing.
    fn constraints(&mut self, site: &Site, old: &Value, new: &Value) {
        for &(key, domain, bound) in CONSTRAINTS {
            let (o, n) = (old.get(key), new.get(key));
            if o == n {
                continue;
            }
            let show = |v: Option<&Value>| v.map(|v| format!("{key} = {}", display(v)));
            if !applies(domain, old) && !applies(domain, new) {
                self.report(&rules::KEYWORD_CHANGED, site, show(o), show(n));
                continue;
            }
            let tightened = match (bound, o, n) {
                (_, _, Some(Value::Bool(b))) => *b,
                (_, _, None) => false,
                (_, None, Some(_)) => true,
                (Bound::Lower, Some(a), Some(b)) => b.as_f64() > a.as_f64(),
                (Bound::Upper, Some(a), Some(b)) => b.as_f64() < a.as_f64(),
                // A pattern or a multiple that changed may refuse a value the old one took.
                (Bound::Other, Some(_), Some(_)) => true,
            };
            let enforced = domain == "string"
                && (checked_string(old, site.kept.0) || checked_string(new, site.kept.1));
            self.report(
                site.part.constraint(tightened, enforced),
                site,
                show(o),
                show(n),
            );
        }
    }

    /// The operation's security requirement, its own or the document's: the
    /// client sends its key as a bearer token on every request, so what counts
    /// is whether that meets the requirement on each side.
    fn security(&mut self, site: &Site, old: &Value, new: &Value) {
        let (o, n) = (
            requirement(self.old_doc, old),
            requirement(self.new_doc, new),
        );
        let (was_met, is_met) = (met(self.old_doc, &o), met(self.new_doc, &n));
        if o == n && was_met == is_met {
            return;
        }
        let rule = if was_met && !is_met {
            &rules::SECURITY_ADDED_UNMET
        } else {
            &rules::SECURITY_CHANGED
        };
        let show = |r: &[Value]| Some(Value::Array(r.to_vec()).to_string());
        let site = Site::new(site.operation, Part::Parameter, "security");
        self.report(rule, &site, show(&o), show(&n));
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

/// The keywords of `node` that the inventory leaves to `keyword-changed`.
fn listed(node: &Value, object: Object) -> BTreeMap<String, Value> {
    node.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| keywords::listed(object, k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The listed keywords of a schema, merging a one-element `allOf` wrapper with
/// what it wraps (a `$ref` is compared on its target).
fn schema_keywords(outer: &Value, inner: &Value) -> BTreeMap<String, Value> {
    let mut found = listed(outer, Object::Schema);
    if !std::ptr::eq(outer, inner) && ref_name(inner).is_none() {
        found.extend(listed(inner, Object::Schema));
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

/// Whether progenitor types a body of this media type (it decodes JSON only).
fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

/// What the client sends for a request body with these media types, as
/// build adaptation 1 picks it: JSON when declared, else the multipart form.
fn sent_kind(content: &Map<String, Value>) -> &'static str {
    match sent_media_type(content) {
        Some("application/json") => "JSON",
        Some(_) => "multipart form",
        None if content.is_empty() => "no body",
        None => "no body it can send",
    }
}

/// The media type the client sends a request body in (see `sent_kind`).
fn sent_media_type(content: &Map<String, Value>) -> Option<&'static str> {
    ["application/json", "multipart/form-data"]
        .into_iter()
        .find(|m| content.contains_key(*m))
}

/// What progenitor returns for a response with these media types.
fn body_kind(content: &Map<String, Value>) -> &'static str {
    if content.keys().any(|k| is_json(k)) {
        "typed JSON"
    } else if content.is_empty() {
        "no body"
    } else {
        "raw bytes"
    }
}

/// The success status generation keeps for an operation's result, and the
/// result's kind, as build adaptation 12 picks it among the 2xx answers: the
/// body-less one when every other carries any JSON at all, else the first. With
/// no success status the result is `()`.
fn result<'a>(responses: &BTreeMap<&'a str, &'a Value>) -> (Option<&'a str>, &'static str) {
    let content = |r: &Value| r.get("content").and_then(Value::as_object).cloned();
    let json = |r: &Value| {
        content(r).and_then(|c| {
            c.iter()
                .find(|(k, _)| is_json(k))
                .map(|(_, m)| without_prose(m.get("schema").unwrap_or(&ANY)))
        })
    };
    let successes: Vec<(&str, &Value)> = responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .map(|(s, r)| (*s, *r))
        .collect();
    let anything = |s: &Option<Value>| {
        s.as_ref()
            .is_none_or(|s| s.as_object().is_some_and(Map::is_empty))
    };
    let kept = if successes.iter().all(|(_, r)| anything(&json(r))) {
        successes
            .iter()
            .find(|(_, r)| json(r).is_none())
            .or(successes.first())
    } else {
        successes.first()
    };
    match kept {
        Some((status, r)) => (Some(status), body_kind(&content(r).unwrap_or_default())),
        None => (None, "no body"),
    }
}

/// A schema without its prose, to compare what it says.
fn without_prose(node: &Value) -> Value {
    fn strip(node: &Value, names: bool) -> Value {
        match node {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| names || !PROSE.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), strip(v, !names && k == "properties")))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| strip(v, false)).collect()),
            other => other.clone(),
        }
    }
    strip(node, false)
}

/// A schema node (not a `$ref`) as the report shows it: its JSON type with the
/// format, nullability, enum and constraints it carries. Whether two nodes are
/// one Rust type is `rust_type`'s to say.
fn shape(node: &Value) -> String {
    let types = json_types(node);
    let base = if types.is_empty() {
        base_kind(node)
    } else {
        types.join(" or ")
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
    for (key, _, _) in CONSTRAINTS {
        if let Some(value) = node.get(*key) {
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

#[derive(Clone, Copy)]
enum Bound {
    /// Raising it refuses more values.
    Lower,
    /// Lowering it refuses more values.
    Upper,
    /// Any change may refuse a value the old one took.
    Other,
}

/// The constraints the walk compares: the JSON type they apply to (JSON Schema
/// ignores them on any other) and which way they bound. typify folds only some
/// into the Rust type (`rust_type`); the rest are checked by the server, or
/// observed in answers.
const CONSTRAINTS: &[(&str, &str, Bound)] = &[
    ("minimum", "number", Bound::Lower),
    ("exclusiveMinimum", "number", Bound::Lower),
    ("maximum", "number", Bound::Upper),
    ("exclusiveMaximum", "number", Bound::Upper),
    ("multipleOf", "number", Bound::Other),
    ("pattern", "string", Bound::Other),
    ("minLength", "string", Bound::Lower),
    ("maxLength", "string", Bound::Upper),
    ("minItems", "array", Bound::Lower),
    ("maxItems", "array", Bound::Upper),
    ("uniqueItems", "array", Bound::Other),
    ("minProperties", "object", Bound::Lower),
    ("maxProperties", "object", Bound::Upper),
];

/// The JSON types a node declares, without `null` (OpenAPI 3.1 spells
/// nullability as a type).
fn json_types(node: &Value) -> Vec<&str> {
    match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    }
}

fn is_nullable(node: &Value) -> bool {
    node.get("nullable").and_then(Value::as_bool) == Some(true)
        || node
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.iter().any(|t| t == "null"))
}

/// Whether a constraint on `domain` (`number` covers `integer`) applies to the
/// node: it declares that type, or none.
fn applies(domain: &str, node: &Value) -> bool {
    let types = json_types(node);
    types.is_empty()
        || types
            .iter()
            .any(|t| *t == domain || (domain == "number" && *t == "integer"))
}

/// String formats typify maps to a type of their own; that type checks no length or pattern.
const NATIVE_STRING_FORMATS: &[(&str, &str)] = &[
    ("uuid", "Uuid"),
    ("date", "NaiveDate"),
    ("date-time", "DateTime<Utc>"),
    ("ip", "IpAddr"),
    ("ipv4", "Ipv4Addr"),
    ("ipv6", "Ipv6Addr"),
];

/// Whether typify makes the node a checked string newtype: a string with a
/// length or pattern generation keeps (`kept`), and no format of its own.
fn checked_string(node: &Value, kept: bool) -> bool {
    let format = node.get("format").and_then(Value::as_str);
    kept && json_types(node) == ["string"]
        && !NATIVE_STRING_FORMATS
            .iter()
            .any(|(f, _)| Some(*f) == format)
        && ["pattern", "minLength", "maxLength"]
            .iter()
            .any(|k| node.get(*k).is_some())
}

/// typify's integer widths, most to least restrictive: format, type, the
/// non-zero type it takes for `minimum: 1`, the type's bounds.
const INTEGERS: &[(&str, &str, &str, f64, f64)] = &[
    ("int8", "i8", "NonZeroU8", i8::MIN as f64, i8::MAX as f64),
    ("uint8", "u8", "NonZeroU8", 0.0, u8::MAX as f64),
    (
        "int16",
        "i16",
        "NonZeroU16",
        i16::MIN as f64,
        i16::MAX as f64,
    ),
    ("uint16", "u16", "NonZeroU16", 0.0, u16::MAX as f64),
    ("int", "i32", "NonZeroU32", i32::MIN as f64, i32::MAX as f64),
    (
        "int32",
        "i32",
        "NonZeroU32",
        i32::MIN as f64,
        i32::MAX as f64,
    ),
    ("uint", "u32", "NonZeroU32", 0.0, u32::MAX as f64),
    ("uint32", "u32", "NonZeroU32", 0.0, u32::MAX as f64),
    (
        "int64",
        "i64",
        "NonZeroU64",
        i64::MIN as f64,
        i64::MAX as f64,
    ),
    ("uint64", "u64", "NonZeroU64", 0.0, u64::MAX as f64),
];

/// The integer type typify 0.8 picks (`convert_integer`): the format's type
/// when the bounds fit it (non-zero for `minimum: 1`), else the type whose
/// bounds the schema's equal exactly (`minimum: 0` is `u64`, `minimum: 1`
/// `NonZeroU64`), else `i64`. Bounds generation drops (`kept` false) count as absent.
fn integer_type(node: &Value, kept: bool) -> &'static str {
    let number = |k: &str| node.get(k).and_then(Value::as_f64).filter(|_| kept);
    // OpenAPI 3.0 spells an exclusive bound as a boolean beside it, 3.1 as the bound.
    let exclusive = |k: &str, bound: Option<f64>| match node.get(k).filter(|_| kept) {
        Some(Value::Bool(true)) => bound.map(|b| (b, true)),
        Some(v) => v.as_f64().map(|e| (e, true)).or(bound.map(|b| (b, false))),
        None => bound.map(|b| (b, false)),
    };
    let mut min = match exclusive("exclusiveMinimum", number("minimum")) {
        Some((e, true)) => Some(number("minimum").map_or(e + 1.0, |m| m.max(e + 1.0))),
        other => other.map(|(m, _)| m),
    };
    let mut max = match exclusive("exclusiveMaximum", number("maximum")) {
        Some((e, true)) => Some(number("maximum").map_or(e - 1.0, |m| m.min(e - 1.0))),
        other => other.map(|(m, _)| m),
    };
    let format = node.get("format").and_then(Value::as_str);
    if let Some(&(_, ty, non_zero, lo, hi)) = INTEGERS.iter().find(|i| Some(i.0) == format) {
        let fits = min.is_none_or(|m| m >= lo) && max.is_none_or(|m| m <= hi);
        if number("multipleOf").is_none() && fits {
            return if min == Some(1.0) { non_zero } else { ty };
        }
        min = min.or(Some(lo));
        max = max.or(Some(hi));
    }
    let exact = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() <= f64::EPSILON);
    INTEGERS
        .iter()
        .rev()
        .find_map(|&(_, ty, non_zero, lo, hi)| match (min, max) {
            (None, None) => None,
            (Some(1.0), _) => Some(non_zero),
            (None, Some(_)) => exact(max, hi).then_some(ty),
            (Some(_), None) => exact(min, lo).then_some(ty),
            (Some(_), Some(_)) => (exact(min, lo) && exact(max, hi)).then_some(ty),
        })
        .unwrap_or("i64")
}

/// The Rust type typify generates for a schema node (not a `$ref`), as far as
/// the node itself decides it; what the walk compares by recursing (properties,
/// items, variants) is left out. `kept`: generation keeps the node's
/// constraints (build adaptation 13 drops those of answers). `optional`: an
/// optional field or parameter, which is `Option<T>` nullable or not.
fn rust_type(node: &Value, kept: bool, optional: bool) -> String {
    let types = json_types(node);
    let format = node.get("format").and_then(Value::as_str);
    let mut base = match (types.as_slice(), node.get("x-threatjammer-value")) {
        // Build adaptation 14's typed values.
        (["array"], Some(value)) => format!("Vec<{}>", display(value)),
        (_, Some(value)) => display(value),
        (["integer"], None) => integer_type(node, kept).to_string(),
        (["number"], None) if format == Some("float") => "f32".into(),
        (["number"], None) => "f64".into(),
        (["boolean"], None) => "bool".into(),
        (["string"], None) => match NATIVE_STRING_FORMATS
            .iter()
            .find(|(f, _)| Some(*f) == format)
        {
            Some((_, ty)) => ty.to_string(),
            None if checked_string(node, kept) => "String (checked)".into(),
            None => "String".into(),
        },
        ([one], None) => one.to_string(),
        ([], None) => base_kind(node),
        (many, None) => format!("one of {}", many.join(", ")),
    };
    if node.get("enum").is_some() {
        base += " enum";
    }
    if is_nullable(node) && !optional {
        base = format!("Option<{base}>");
    }
    match node.get("additionalProperties") {
        Some(Value::Bool(false)) => base += " without additional properties",
        Some(Value::Object(schema)) if !schema.is_empty() => base += " map",
        _ => {}
    }
    base
}

/// What a node without `type` is, by the keywords it has.
fn base_kind(node: &Value) -> String {
    if node.get("properties").is_some() {
        "object".into()
    } else if node.get("items").is_some() {
        "array".into()
    } else {
        ["anyOf", "oneOf", "allOf"]
            .iter()
            .find_map(|k| {
                node.get(*k)
                    .and_then(Value::as_array)
                    .map(|v| format!("{k} of {}", v.len()))
            })
            .unwrap_or_else(|| "any".into())
    }
}

/// Whether an answer field that is absent decodes as its empty value: build
/// adaptation 13 defaults the fields typed `String`, `i64`, `f64`, `bool`, a
/// timestamp or a link.
fn decodes_absent_as_empty(node: &Value, kept: bool) -> bool {
    let node = unwrap_all_of(node);
    ref_name(node).is_none()
        && ["String", "i64", "f64", "bool", "timestamp-ms", "link"]
            .contains(&rust_type(node, kept, false).as_str())
}

/// An operation's security requirement (its own, else the document's), each
/// alternative in a stable order.
fn requirement(doc: &Value, op: &Value) -> Vec<Value> {
    let mut alternatives: Vec<Value> = op
        .get("security")
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    alternatives.sort_by_key(Value::to_string);
    alternatives
}

/// Whether the client's `Authorization: Bearer <key>` meets a requirement: no
/// requirement, an empty alternative, or one whose every scheme is HTTP bearer.
fn met(doc: &Value, requirement: &[Value]) -> bool {
    let bearer = |name: &str| {
        let scheme = doc.pointer(&format!("/components/securitySchemes/{name}"));
        let scheme = scheme.map(|s| resolve(doc, s));
        scheme.is_some_and(|s| {
            s.get("type").and_then(Value::as_str) == Some("http")
                && s.get("scheme")
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case("bearer"))
        })
    };
    requirement.is_empty()
        || requirement.iter().any(|alternative| {
            alternative
                .as_object()
                .is_some_and(|schemes| schemes.keys().all(|name| bearer(name)))
        })
}

/// The component schemas that only success answers reach, as build adaptation
/// 13 finds them: generation leaves their constraints out of the types. A
/// request body counts in the media type the client sends it as JSON; a form
/// the builders write from the spec (adaptation 1) types no schema.
fn answer_only(doc: &Value) -> BTreeSet<String> {
    let (mut answers, mut requests) = (BTreeSet::new(), BTreeSet::new());
    for op in operations(doc).values() {
        let json_body = op
            .node
            .pointer("/requestBody")
            .map(|b| resolve(doc, b))
            .and_then(|b| b.pointer("/content/application~1json"));
        for (status, response) in op
            .node
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if status.starts_with('2') {
                schema_refs(doc, response, &mut answers);
            }
        }
        for part in [json_body, op.node.get("parameters"), op.path_parameters]
            .into_iter()
            .flatten()
        {
            schema_refs(doc, part, &mut requests);
        }
    }
    answers.difference(&requests).cloned().collect()
}

/// Adds the component schemas `node` reaches, through references of any kind, to `found`.
fn schema_refs(doc: &Value, node: &Value, found: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let name = reference.strip_prefix("#/components/schemas/");
                let new = name.is_none_or(|n| found.insert(n.to_string()));
                if new {
                    if let Some(target) = reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                        schema_refs(doc, target, found);
                    }
                }
            }
            map.values().for_each(|v| schema_refs(doc, v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| schema_refs(doc, v, found)),
        _ => {}
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
