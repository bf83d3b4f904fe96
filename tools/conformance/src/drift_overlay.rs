//! `cargo xtask conformance --base-url URL --drift FILE`: turns what the
//! client saw differ from the spec of record into an Overlay 1.0 document
//! that would make the spec describe it. Each action says what was seen, where
//! and when; the overlay is a proposal to review before it joins the others
//! in tools/spec/src/import.rs (docs/regenerating.md, "From drift to spec").

use serde_json::{json, Value};
use threatjammer::drift::{DriftFinding, DriftKind, DriftReport, ValueTypes};

/// The findings, one a line, for the run's output.
pub fn describe(report: &DriftReport) -> String {
    let mut text = String::new();
    for f in &report.findings {
        let at = if f.path.is_empty() {
            String::new()
        } else {
            format!(" at {}", f.path)
        };
        text.push_str(&format!(
            "drift  {}  {}{at}: {} ({} answers)\n",
            f.operation, f.kind, f.example, f.count
        ));
    }
    if report.unkept > 0 {
        text.push_str(&format!(
            "drift  {} more findings were counted but not kept\n",
            report.unkept
        ));
    }
    text
}

/// The proposed overlay, as YAML. `seen` says where and when the answers
/// came from ("https://dublin.api.threatjammer.com on 2026-12-02").
/// Findings that come to the same change of one schema (a field several
/// operations' answers carry, a value several list) are one action, the
/// first finding's reason; a field's proposed type fits the values of all.
pub fn propose(spec: &Value, report: &DriftReport, seen: &str) -> String {
    let mut actions: Vec<Value> = Vec::new();
    // (target, field) of each proposed field, with every value seen of it.
    let mut fields: Vec<(String, String, ValueTypes, usize)> = Vec::new();
    for f in &report.findings {
        let Some(action) = action(spec, f, seen) else {
            continue;
        };
        let target = action["target"].as_str().unwrap_or_default().to_string();
        if f.kind == DriftKind::UnknownField {
            let field = split_last(&f.path).1.to_string();
            match fields
                .iter_mut()
                .find(|(t, n, ..)| *t == target && *n == field)
            {
                Some((.., values, at)) => {
                    values.add(f.values);
                    actions[*at]["update"][&field] = schema_of(values);
                }
                None => {
                    fields.push((target, field, f.values, actions.len()));
                    actions.push(action);
                }
            }
        } else if !actions.iter().any(|a| {
            a["target"] == action["target"]
                && a["update"] == action["update"]
                && a["remove"] == action["remove"]
        }) {
            actions.push(action);
        }
    }
    let overlay = json!({
        "overlay": "1.0.0",
        "info": {"title": format!("what the service answered ({seen})"), "version": "1.0.0"},
        "actions": actions,
    });
    serde_yaml_ng::to_string(&overlay).unwrap_or_default()
}

fn action(spec: &Value, f: &DriftFinding, seen: &str) -> Option<Value> {
    let (path, method, operation) = find_operation(spec, f.operation.as_str())?;
    let op_target = format!("$.paths['{path}'].{method}");
    let reason = |what: String| format!("{what}: declared by what the service answered, {seen}");
    let responses = operation["responses"].as_object()?;
    // The declared success an answer's body is described by.
    let (status, success) = responses
        .iter()
        .find(|(s, r)| {
            s.starts_with('2') && r.pointer("/content/application~1json/schema").is_some()
        })
        .or_else(|| responses.iter().find(|(s, _)| s.starts_with('2')))?;
    let body = format!("{op_target}.responses['{status}'].content['application/json'].schema");
    let json_schema = success.pointer("/content/application~1json/schema");
    // The JSONPath of the schema at a finding's path in the answer's body.
    let at = |path: &str| Some(locate(spec, &body, json_schema?, path)?.0);
    Some(match f.kind {
        DriftKind::UndeclaredStatus => json!({
            "target": format!("{op_target}.responses"),
            "description": reason(format!("{} answers {}", f.operation, f.example)),
            "update": {f.example.clone(): {
                "description": format!("Seen from the service, {seen}."),
                "content": success.get("content").cloned().unwrap_or(json!({})),
            }},
        }),
        DriftKind::UndeclaredContentType => {
            let media = f
                .example
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let schema = json_schema.cloned().unwrap_or(json!({}));
            json!({
                "target": format!("{op_target}.responses['{status}'].content"),
                "description": reason(format!("{} answers as {media}", f.operation)),
                "update": {media: {"schema": schema}},
            })
        }
        DriftKind::UnknownField => {
            let (parent, name) = split_last(&f.path);
            let target = at(parent)?;
            json!({
                "target": format!("{target}.properties"),
                "description": reason(format!("{} answers carry `{}`", f.operation, f.path)),
                "update": {name: schema_of(&f.values)},
            })
        }
        DriftKind::MissingField => {
            let (parent, name) = split_last(&f.path);
            let target = at(parent)?;
            json!({
                "target": format!("{target}.required[?@ == '{name}']"),
                "description": reason(format!("{} answers without `{}`", f.operation, f.path)),
                "remove": true,
            })
        }
        DriftKind::UnlistedValue => {
            let target = at(&f.path)?;
            json!({
                "target": format!("{target}.enum"),
                "description": reason(format!("{} answers `{}` at {}", f.operation, f.example, f.path)),
                "update": [f.example.clone()],
            })
        }
        DriftKind::BrokenConstraint(constraint) => {
            let target = at(&f.path)?;
            json!({
                "target": format!("{target}.{constraint}"),
                "description": reason(format!("{} answers `{}` at {}, which its {constraint} refuses", f.operation, f.example, f.path)),
                "remove": true,
            })
        }
        _ => return None,
    })
}

fn find_operation<'a>(spec: &'a Value, id: &str) -> Option<(&'a str, &'a str, &'a Value)> {
    spec["paths"].as_object()?.iter().find_map(|(path, item)| {
        item.as_object()?.iter().find_map(|(method, op)| {
            (op["operationId"].as_str() == Some(id)).then_some((path.as_str(), method.as_str(), op))
        })
    })
}

/// `results[].reported` -> (`results[]`, `reported`).
fn split_last(path: &str) -> (&str, &str) {
    match path.rfind('.') {
        Some(dot) => (&path[..dot], &path[dot + 1..]),
        None => ("", path),
    }
}

/// The JSONPath of the schema at `path` (a finding's path) under `schema`,
/// itself at `target`, and that schema: the one that defines what is there,
/// found through `$ref`s into the component schemas, `allOf`s (the branch
/// that declares the next property) and the object or array branch of an
/// `anyOf`.
fn locate(spec: &Value, target: &str, schema: &Value, path: &str) -> Option<(String, Value)> {
    let mut target = target.to_string();
    let mut schema = schema.clone();
    let steps = path.split('.').filter(|s| !s.is_empty()).flat_map(|s| {
        let name = s.trim_end_matches("[]");
        let arrays = (s.len() - name.len()) / 2;
        std::iter::once(name)
            .filter(|n| !n.is_empty())
            .chain(std::iter::repeat_n("[]", arrays))
    });
    for step in steps {
        if step == "[]" {
            (target, schema) = follow(spec, target, schema, None);
            target.push_str(".items");
            schema = schema.get("items")?.clone();
        } else {
            (target, schema) = follow(spec, target, schema, Some(step));
            target.push_str(&format!(".properties['{step}']"));
            schema = schema
                .pointer(&format!(
                    "/properties/{}",
                    step.replace('~', "~0").replace('/', "~1")
                ))?
                .clone();
        }
    }
    Some(follow(spec, target, schema, None))
}

/// Through `$ref`s, `allOf`s and into the non-null branch of an
/// `anyOf`/`oneOf`, to the schema that says what the value is. Of several
/// `allOf` branches, the one declaring the property `entering` (the next
/// step), or with no step left the first that declares properties, since a
/// new property joins those.
fn follow(
    spec: &Value,
    mut target: String,
    mut schema: Value,
    entering: Option<&str>,
) -> (String, Value) {
    for _ in 0..16 {
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            target = format!("$.components.schemas['{name}']");
            schema = spec["components"]["schemas"][name].clone();
            continue;
        }
        let declares = |branch: &Value| {
            let branch = resolve(spec, branch);
            match entering {
                Some(name) => branch
                    .pointer(&format!(
                        "/properties/{}",
                        name.replace('~', "~0").replace('/', "~1")
                    ))
                    .is_some(),
                None => branch.get("properties").is_some(),
            }
        };
        let all = schema
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|branches| {
                let i = match branches.len() {
                    1 => 0,
                    _ => branches.iter().position(declares)?,
                };
                Some(("allOf".to_string(), i, branches[i].clone()))
            });
        let any = || {
            ["anyOf", "oneOf"].iter().find_map(|key| {
                let branches = schema.get(*key)?.as_array()?;
                branches
                    .iter()
                    .position(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                    .map(|i| (key.to_string(), i, branches[i].clone()))
            })
        };
        match all.or_else(any) {
            Some((key, i, next)) => {
                target = format!("{target}.{key}[{i}]");
                schema = next;
            }
            None => break,
        }
    }
    (target, schema)
}

/// A component schema a `$ref` names, or the schema itself.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => &spec["components"]["schemas"][name],
        None => schema,
    }
}

/// Integers seen before an undeclared number is proposed as an `integer`:
/// fewer could be the whole numbers of a field that also carries fractions
/// (`10782145`, then `10643737.3`).
const MANY_INTEGERS: u64 = 8;

/// The schema proposed for an undeclared field, one every value seen fits
/// and later ones likely will: a number is a `number` unless many integers
/// and nothing else were seen; a field seen once gets the widest schema of
/// its JSON type (a string of any form, an object or a list of anything);
/// a field seen with values of several types, or only as `null`, any value;
/// one also seen as `null` is nullable. Always optional: the action adds no
/// `required`.
fn schema_of(seen: &ValueTypes) -> Value {
    let kinds: Vec<(&str, u64)> = [
        ("boolean", seen.boolean),
        ("integer", seen.integer),
        ("number", seen.number),
        ("string", seen.string),
        ("array", seen.array),
        ("object", seen.object),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect();
    let numbers = seen.integer + seen.number;
    let kind = match kinds.as_slice() {
        [("integer", n)] if *n >= MANY_INTEGERS => "integer",
        [(kind, _)] if *kind != "integer" => *kind,
        _ if numbers > 0 && numbers + seen.null == seen.total() => "number",
        _ => return json!({}),
    };
    let mut schema = json!({ "type": kind });
    if kind == "array" {
        schema["items"] = json!({});
    }
    if seen.null > 0 {
        schema["nullable"] = json!(true);
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(values: &[Value]) -> Value {
        let mut types = ValueTypes::default();
        for v in values {
            *match v {
                Value::Null => &mut types.null,
                Value::Bool(_) => &mut types.boolean,
                Value::Number(n) if n.is_i64() => &mut types.integer,
                Value::Number(_) => &mut types.number,
                Value::String(_) => &mut types.string,
                Value::Array(_) => &mut types.array,
                Value::Object(_) => &mut types.object,
            } += 1;
        }
        schema_of(&types)
    }

    #[test]
    fn a_proposed_type_fits_every_value_and_likely_the_next() {
        // One whole number is no reason to refuse the next one's fraction.
        assert_eq!(seen(&[json!(10782145)]), json!({"type": "number"}));
        assert_eq!(seen(&[json!(1), json!(2.5)]), json!({"type": "number"}));
        let many: Vec<Value> = (0..8).map(|i| json!(i)).collect();
        assert_eq!(seen(&many), json!({"type": "integer"}));
        assert_eq!(seen(&[json!("abc")]), json!({"type": "string"}));
        assert_eq!(seen(&[json!({"a": 1})]), json!({"type": "object"}));
        assert_eq!(seen(&[json!([1])]), json!({"type": "array", "items": {}}));
        assert_eq!(seen(&[json!(true)]), json!({"type": "boolean"}));
        assert_eq!(
            seen(&[json!(null), json!("a")]),
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(seen(&[json!(null)]), json!({}));
        assert_eq!(seen(&[json!("a"), json!(1)]), json!({}));
    }

    #[test]
    fn a_field_under_a_wrapped_reference_is_declared_where_its_schema_is() {
        let spec = json!({"components": {"schemas": {
            "List": {"type": "object", "properties": {
                "origins": {"allOf": [{"$ref": "#/components/schemas/Origins"}], "description": "d"}
            }},
            "Origins": {"type": "object", "properties": {"count": {"type": "integer"}}},
            "Both": {"allOf": [
                {"$ref": "#/components/schemas/Origins"},
                {"type": "object", "properties": {"name": {"type": "string"}}}
            ]}
        }}});
        let list = json!({"$ref": "#/components/schemas/List"});
        let (target, _) = locate(&spec, "$.x", &list, "origins").unwrap();
        assert_eq!(target, "$.components.schemas['Origins']");
        let both = json!({"$ref": "#/components/schemas/Both"});
        let (target, _) = locate(&spec, "$.x", &both, "name").unwrap();
        assert_eq!(
            target,
            "$.components.schemas['Both'].allOf[1].properties['name']"
        );
        let (target, _) = locate(&spec, "$.x", &both, "").unwrap();
        assert_eq!(target, "$.components.schemas['Origins']");
    }
}

#[cfg(test)]
mod round_trip {
    use super::*;
    use threatjammer::{ApiKey, Client, RetryPolicy};
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn spec() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../openapi/threatjammer.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// A client answered, for every request, `status` with the documented AS
    /// changed in every way drift reports; the drift it saw.
    fn drift_of(status: u16, body: Value) -> DriftReport {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(status).set_body_json(body))
                .mount(&server)
                .await;
            let client = Client::builder()
                .base_url(server.uri())
                .api_key(ApiKey::new("tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123").unwrap())
                .retry(RetryPolicy::disabled())
                .build()
                .unwrap();
            client
                .get_asn(15169)
                .await
                .expect("a drifting answer still decodes");
            client.drift()
        })
    }

    #[test]
    fn the_proposal_makes_the_spec_describe_every_finding() {
        let body = json!({
            "self": "/v1/asn/15169", "description": "", "country_code": "US",
            "registry_date": "2000-03-30", "registry": "/v1/asn/registry/arin",
            "status": "/v1/asn/status/assigned", "prefixes": "/v1/asn/15169/prefixes",
            "score": 0, "risk": "EXTREME", "peers": 12,
        });
        let report = drift_of(201, body);
        let kinds: Vec<DriftKind> = report.findings.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                DriftKind::UnknownField,
                DriftKind::UnlistedValue,
                DriftKind::BrokenConstraint("pattern"),
                DriftKind::MissingField,
                DriftKind::UndeclaredStatus,
            ],
            "{report:#?}"
        );
        let proposal = propose(&spec(), &report, "a loopback test on 2026-12-02");
        let overlay = threatjammer_spec::overlay::parse(&proposal).unwrap();
        assert_eq!(overlay.actions.len(), 5, "{proposal}");
        assert!(overlay.actions.iter().all(|a| a
            .description
            .as_deref()
            .is_some_and(|d| d.contains("2026-12-02"))));
        let mut described = spec();
        // Every action selects something (apply fails otherwise) ...
        threatjammer_spec::overlay::apply(&mut described, &overlay)
            .unwrap_or_else(|e| panic!("{e:#}\n{proposal}"));
        // ... and afterwards the spec says what the service sent.
        let asn = &described["components"]["schemas"]["AutonomousSystemOutput"];
        // Seen once: a number, which a later fraction fits too.
        assert_eq!(asn["properties"]["peers"], json!({"type": "number"}));
        assert!(
            asn["properties"]["risk"].to_string().contains("EXTREME"),
            "{}",
            asn["properties"]["risk"]
        );
        assert!(asn["properties"]["registry_date"].get("pattern").is_none());
        assert!(!asn["required"].as_array().unwrap().contains(&json!("name")));
        let get = &described["paths"]["/v1/asn/{number}"]["get"]["responses"];
        assert!(get.get("201").is_some(), "{get}");
    }
}
