//! The spec of record as the service holds requests and answers to it.
//!
//! FastAPI checks every request against the operation's declared parameters
//! and body before a handler runs, and answers `422` with pydantic's
//! `{"detail": [{"loc", "msg", "type"}]}` listing every failure. The mock does
//! the same from `openapi/threatjammer.json` with the jsonschema crate: values
//! of path, query and header parameters are read the way FastAPI reads them
//! (text to integer, number or boolean) and then validated against their
//! schemas, the body against its media type's schema. The same schemas tell
//! which answers the mock may give by default ([`Contract::conforms`]).
//!
//! The operations themselves, their ids, methods and path templates, are the
//! client's table ([`threatjammer::operations`]); a [`Contract`] is what the
//! spec says about one of them.
//!
//! Each operation is compiled the first time it is needed, once per process:
//! a test binary that calls five operations compiles five.

use super::{Body, MockRequest, MockResponse};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::OnceLock;
use threatjammer::operations::{Operation, OPERATIONS};
use threatjammer::OperationId;
use threatjammer_fixtures::{decoded, fit, resolve};

/// The spec of record (`mock/threatjammer.json` links to it; the package holds a copy).
static SPEC: &str = include_str!("../threatjammer.json");

pub(super) fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::from_str(SPEC).unwrap_or(Value::Null))
}

/// The contract of the operation with this id, or `None` when the spec of
/// record does not have it.
pub(super) fn of(id: &str) -> Option<&'static Contract> {
    static TABLE: OnceLock<HashMap<&'static str, OnceLock<Contract>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        OPERATIONS
            .iter()
            .map(|op| (op.id, OnceLock::new()))
            .collect()
    });
    let cell = table.get(id)?;
    let op = OPERATIONS.iter().find(|op| op.id == id)?;
    Some(cell.get_or_init(|| Contract::compile(op)))
}

/// The typed id of an operation of the table.
pub(super) fn id_of(op: &Operation) -> OperationId {
    op.id
        .parse()
        .expect("every id of the operation table is an OperationId")
}

/// The operation a request is for. The path template matching `path` with the
/// most literal segments decides when it has `method`; when it does not, a
/// template with placeholders that has the method takes the request if each
/// segment is a value of its parameter as a generic JSON Schema validator reads
/// the parameter's schema (type, enum, pattern, the standard formats such as
/// `uuid`; not pydantic's address formats, which the operation then refuses
/// with `422`). Otherwise `Err` with the methods of the best template (`405`,
/// with them in `Allow`), or with none when no template matches (`404`). So
/// `PUT /v1/denylist/private/all` is `405` (`all` is no UUID), while
/// `GET /v1/ua/csv` reads the user agent `csv`.
pub(super) fn route(method: &str, path: &str) -> Result<&'static Operation, Vec<&'static str>> {
    const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    // Each method's best template, with how many of its segments are literal.
    let matching: Vec<(usize, &'static Operation)> = METHODS
        .iter()
        .filter_map(|m| resolve(m, path))
        .filter_map(|op| Some((fit(op.path, path)?.literal, op)))
        .collect();
    let Some(best) = matching.iter().map(|(literal, _)| *literal).max() else {
        return Err(Vec::new());
    };
    // Starlette answers HEAD as it answers GET (hyper leaves the body out).
    let method = if method.eq_ignore_ascii_case("HEAD") {
        "GET"
    } else {
        method
    };
    let wanted = matching
        .iter()
        .find(|(_, op)| op.method.eq_ignore_ascii_case(method));
    if let Some(&(literal, op)) = wanted {
        let fits = || of(op.id).is_some_and(|contract| contract.placeholders_fit(path));
        if literal == best || fits() {
            return Ok(op);
        }
    }
    let mut allowed: Vec<&'static str> = matching
        .iter()
        .filter(|(literal, _)| *literal == best)
        .map(|(_, op)| op.method)
        .collect();
    if allowed.contains(&"GET") {
        allowed.push("HEAD");
    }
    Err(allowed)
}

type Validator = jsonschema::Validator;

#[derive(Clone, Copy, PartialEq)]
enum Location {
    Path,
    Query,
    Header,
}

impl Location {
    fn name(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

struct Parameter {
    name: String,
    location: Location,
    required: bool,
    /// The schema's `type`, which says how the text of the value is read.
    kind: String,
    validator: Validator,
    /// For a path parameter: the schema without pydantic's formats, for routing.
    route: Option<Validator>,
}

struct RequestBody {
    required: bool,
    json: Option<Validator>,
    multipart: Option<Validator>,
    /// The `maxItems` of a list body: the service refuses a longer list with
    /// `413` where the operation declares it, before validating the entries.
    max_items: Option<usize>,
}

struct Answer {
    /// `None`: declared without content.
    json: Option<Validator>,
    media: Vec<String>,
}

/// What the spec of record says of one operation: what a request must be and
/// which answers it may get.
pub(super) struct Contract {
    template: &'static str,
    parameters: Vec<Parameter>,
    body: Option<RequestBody>,
    answers: BTreeMap<u16, Answer>,
}

fn compile(schema: &Value) -> Option<Validator> {
    compile_with(schema, true)
}

/// `schema` compiled, with pydantic's formats (`ip`, `ipvanyaddress`,
/// `ipvanynetwork`) checked or, without `pydantic`, ignored as unknown.
fn compile_with(schema: &Value, pydantic: bool) -> Option<Validator> {
    // OpenAPI 3.0's schema keywords that this spec uses mean the same in
    // 2020-12; `$ref`s point into the document's components.
    let root = if schema.to_string().contains("\"$ref\"") {
        json!({ "allOf": [schema], "components": document()["components"] })
    } else {
        schema.clone()
    };
    let mut options = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true);
    if pydantic {
        options = options
            .with_format("ip", |s| s.parse::<IpAddr>().is_ok())
            .with_format("ipvanyaddress", |s| s.parse::<IpAddr>().is_ok())
            .with_format("ipvanynetwork", is_network);
    }
    options
        .build(&root)
        .map_err(|error| tracing::warn!(%error, "mock: a schema of the spec does not compile"))
        .ok()
}

/// What pydantic's `IPvAnyNetwork` takes: an address, or a network without
/// host bits.
fn is_network(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
        || s.parse::<ipnet::IpNet>()
            .is_ok_and(|net| net.trunc() == net)
}

impl Contract {
    fn compile(op: &'static Operation) -> Contract {
        let spec = &document()["paths"][op.path][op.method.to_ascii_lowercase()];
        let parameters = spec["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let location = match p["in"].as_str()? {
                    "path" => Location::Path,
                    "query" => Location::Query,
                    "header" => Location::Header,
                    _ => return None,
                };
                Some(Parameter {
                    name: p["name"].as_str()?.to_string(),
                    location,
                    required: p["required"]
                        .as_bool()
                        .unwrap_or(location == Location::Path),
                    kind: p["schema"]["type"].as_str().unwrap_or("string").to_string(),
                    validator: compile(&p["schema"])?,
                    route: (location == Location::Path)
                        .then(|| compile_with(&p["schema"], false))
                        .flatten(),
                })
            })
            .collect();
        let body = spec.get("requestBody").map(|body| {
            let schema = |media: &str| body["content"].get(media).map(|m| &m["schema"]);
            RequestBody {
                required: body["required"].as_bool().unwrap_or(false),
                json: schema("application/json").and_then(compile),
                multipart: schema("multipart/form-data").and_then(compile),
                max_items: schema("application/json")
                    .and_then(|s| s["maxItems"].as_u64())
                    .and_then(|n| usize::try_from(n).ok()),
            }
        });
        let answers = spec["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(status, answer)| {
                let content = answer["content"].as_object();
                Some((
                    status.parse().ok()?,
                    Answer {
                        json: content
                            .and_then(|c| c.get("application/json"))
                            .and_then(|m| compile(&m["schema"])),
                        media: content
                            .map(|c| c.keys().cloned().collect())
                            .unwrap_or_default(),
                    },
                ))
            })
            .collect();
        Contract {
            template: op.path,
            parameters,
            body,
            answers,
        }
    }

    /// Whether every placeholder segment of `path` is a value of its
    /// parameter, by the routing schema (see [`route`]).
    fn placeholders_fit(&self, path: &str) -> bool {
        let Some(fit) = fit(self.template, path) else {
            return false;
        };
        fit.placeholders.into_iter().all(|(name, segment)| {
            let Some(parameter) = self.parameters.iter().find(|p| p.name == name) else {
                return true;
            };
            let text = decoded(segment);
            match (&parameter.route, read_scalar(&parameter.kind, &text)) {
                (Some(route), Ok(value)) => route.is_valid(&value),
                (None, Ok(_)) => true,
                (_, Err(_)) => false,
            }
        })
    }

    /// Whether the spec of record declares `status` for this operation.
    pub(super) fn declares(&self, status: u16) -> bool {
        self.answers.contains_key(&status)
    }

    /// Why `response` is not an answer the spec of record allows, if it is not:
    /// its status is declared, and a JSON body validates against that status's
    /// schema (a text body is allowed where a text media type is declared).
    pub(super) fn conforms(&self, response: &MockResponse) -> Result<(), String> {
        let answer = self
            .answers
            .get(&response.status)
            .ok_or_else(|| format!("status {} is not declared", response.status))?;
        let text_declared = answer.media.iter().any(|m| m.starts_with("text/"));
        let json = match &response.body {
            Body::Empty => return Ok(()),
            Body::Json(value) => value.clone(),
            Body::Text(text) => match serde_json::from_str(text) {
                Ok(value) if answer.json.is_some() => value,
                _ if text_declared => return Ok(()),
                _ => return Err("a text body where none is declared".to_string()),
            },
        };
        let Some(validator) = &answer.json else {
            return Err(format!("status {} declares no JSON body", response.status));
        };
        let first = validator
            .iter_errors(&json)
            .next()
            .map(|error| format!("{error} at {}", error.instance_path()));
        first.map_or(Ok(()), Err)
    }

    /// `Err` with the service's refusal when `request` does not validate: `422`
    /// with every failure, or `413` for a list body past its limit.
    pub(super) fn check(&self, request: &MockRequest) -> Result<(), MockResponse> {
        let mut failures = Vec::new();
        // The router sent the request here because its path fits the template.
        let placeholders = fit(self.template, &request.path)
            .map(|fit| fit.placeholders)
            .unwrap_or_default();
        let query: Vec<(String, String)> =
            url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        for parameter in &self.parameters {
            let text = match parameter.location {
                Location::Path => placeholders
                    .iter()
                    .find(|(name, _)| *name == parameter.name)
                    .map(|(_, segment)| decoded(segment).into_owned()),
                // A scalar parameter given twice takes its last value, as Starlette's do.
                Location::Query => query
                    .iter()
                    .rev()
                    .find(|(name, _)| *name == parameter.name)
                    .map(|(_, value)| value.clone()),
                Location::Header => request
                    .headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&parameter.name))
                    .map(|(_, value)| value.clone()),
            };
            let loc = json!([parameter.location.name(), parameter.name]);
            let Some(text) = text else {
                if parameter.required {
                    failures.push(missing(loc));
                }
                continue;
            };
            match read_scalar(&parameter.kind, &text) {
                Ok(value) => failures.extend(errors(&parameter.validator, &value, &loc)),
                Err(failure) => failures.push(failure.at(loc)),
            }
        }
        if let Some(body) = &self.body {
            self.check_body(body, request, &mut failures)?;
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(MockResponse::json(422, json!({ "detail": failures })))
        }
    }

    fn check_body(
        &self,
        body: &RequestBody,
        request: &MockRequest,
        failures: &mut Vec<Value>,
    ) -> Result<(), MockResponse> {
        let loc = json!(["body"]);
        let content_type = request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.to_ascii_lowercase())
            .unwrap_or_default();
        if request.body.is_empty() {
            if body.required {
                failures.push(missing(loc));
            }
            return Ok(());
        }
        if let Some(validator) = &body.multipart {
            let Some(form) = multipart_form(&content_type, &request.body) else {
                failures.push(missing(loc));
                return Ok(());
            };
            failures.extend(errors(validator, &form, &loc));
            return Ok(());
        }
        let Some(validator) = &body.json else {
            return Ok(());
        };
        // FastAPI reads a body as JSON only when it says it is; anything else
        // stays bytes, which no schema of this spec takes.
        let is_json = content_type.starts_with("application/json")
            || (content_type.starts_with("application/") && content_type.contains("+json"));
        let value = if is_json {
            match serde_json::from_slice::<Value>(&request.body) {
                Ok(value) => value,
                Err(error) => {
                    failures.push(json!({
                        "loc": ["body", error.column()],
                        "msg": error.to_string(),
                        "type": "value_error.jsondecode",
                    }));
                    return Ok(());
                }
            }
        } else {
            Value::String(String::from_utf8_lossy(&request.body).into_owned())
        };
        if let (Some(max), Some(entries), true) =
            (body.max_items, value.as_array(), self.declares(413))
        {
            if entries.len() > max {
                return Err(MockResponse::problem(
                    413,
                    "Payload Too Large",
                    &format!(
                        "At most {max} entries per request; this one has {}.",
                        entries.len()
                    ),
                ));
            }
        }
        failures.extend(errors(validator, &value, &loc));
        Ok(())
    }
}

/// A failure before validation: the text is not of the parameter's type.
struct Failure {
    msg: &'static str,
    kind: &'static str,
}

impl Failure {
    fn at(self, loc: Value) -> Value {
        json!({ "loc": loc, "msg": self.msg, "type": self.kind })
    }
}

fn missing(loc: Value) -> Value {
    json!({ "loc": loc, "msg": "field required", "type": "value_error.missing" })
}

/// The text of a parameter as the value pydantic makes of it for `kind`.
fn read_scalar(kind: &str, text: &str) -> Result<Value, Failure> {
    match kind {
        "integer" => {
            let digits = text.trim();
            let unsigned = digits.strip_prefix(['-', '+']).unwrap_or(digits);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Failure {
                    msg: "value is not a valid integer",
                    kind: "type_error.integer",
                });
            }
            // Python's integers have no limit; past 64 bits the value is kept
            // as a float, which the schema's integer type still accepts.
            Ok(digits
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| digits.parse::<u64>().map(Value::from))
                .unwrap_or_else(|_| {
                    digits
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map_or(Value::Null, Value::Number)
                }))
        }
        "number" => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or(Failure {
                msg: "value is not a valid float",
                kind: "type_error.float",
            }),
        "boolean" => match text.trim().to_ascii_lowercase().as_str() {
            "1" | "on" | "t" | "true" | "y" | "yes" => Ok(Value::Bool(true)),
            "0" | "off" | "f" | "false" | "n" | "no" => Ok(Value::Bool(false)),
            _ => Err(Failure {
                msg: "value could not be parsed to a boolean",
                kind: "type_error.bool",
            }),
        },
        _ => Ok(Value::String(text.to_string())),
    }
}

/// Every failure of `value` against `validator`, in pydantic's words, under `loc`.
fn errors(validator: &Validator, value: &Value, loc: &Value) -> Vec<Value> {
    validator
        .iter_errors(value)
        .map(|error| {
            use jsonschema::error::{TypeKind, ValidationErrorKind as Kind};
            let mut at: Vec<Value> = loc.as_array().cloned().unwrap_or_default();
            for segment in error.instance_path().to_string().split('/').skip(1) {
                let segment = segment.replace("~1", "/").replace("~0", "~");
                at.push(
                    segment
                        .parse::<u64>()
                        .map_or(Value::String(segment), Value::from),
                );
            }
            let (msg, kind) = match error.kind() {
                Kind::Required { property } => {
                    at.push(property.clone());
                    ("field required".to_string(), "value_error.missing")
                }
                Kind::Type { kind } => {
                    let expected = match kind {
                        TypeKind::Single(t) => t.to_string(),
                        TypeKind::Multiple(_) => String::new(),
                    };
                    match expected.as_str() {
                        "integer" => ("value is not a valid integer".into(), "type_error.integer"),
                        "number" => ("value is not a valid float".into(), "type_error.float"),
                        "boolean" => (
                            "value could not be parsed to a boolean".into(),
                            "type_error.bool",
                        ),
                        "array" => ("value is not a valid list".into(), "type_error.list"),
                        "object" => ("value is not a valid dict".into(), "type_error.dict"),
                        "string" => ("str type expected".into(), "type_error.str"),
                        _ => ("value is not of a valid type".into(), "type_error"),
                    }
                }
                Kind::Enum { options } => {
                    let permitted: Vec<String> = options
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|o| format!("'{}'", o.as_str().map_or(o.to_string(), str::to_string)))
                        .collect();
                    (
                        format!(
                            "value is not a valid enumeration member; permitted: {}",
                            permitted.join(", ")
                        ),
                        "type_error.enum",
                    )
                }
                Kind::Minimum { limit } => (
                    format!("ensure this value is greater than or equal to {limit}"),
                    "value_error.number.not_ge",
                ),
                Kind::Maximum { limit } => (
                    format!("ensure this value is less than or equal to {limit}"),
                    "value_error.number.not_le",
                ),
                Kind::ExclusiveMinimum { limit } => (
                    format!("ensure this value is greater than {limit}"),
                    "value_error.number.not_gt",
                ),
                Kind::ExclusiveMaximum { limit } => (
                    format!("ensure this value is less than {limit}"),
                    "value_error.number.not_lt",
                ),
                Kind::MinLength { limit } => (
                    format!("ensure this value has at least {limit} characters"),
                    "value_error.any_str.min_length",
                ),
                Kind::MaxLength { limit } => (
                    format!("ensure this value has at most {limit} characters"),
                    "value_error.any_str.max_length",
                ),
                Kind::MinItems { limit } => (
                    format!("ensure this value has at least {limit} items"),
                    "value_error.list.min_items",
                ),
                Kind::MaxItems { limit } => (
                    format!("ensure this value has at most {limit} items"),
                    "value_error.list.max_items",
                ),
                Kind::UniqueItems => (
                    "the list has duplicated items".into(),
                    "value_error.list.unique_items",
                ),
                Kind::Pattern { pattern } => (
                    format!("string does not match regex \"{pattern}\""),
                    "value_error.str.regex",
                ),
                Kind::Format { format } => match format.as_str() {
                    "uuid" => ("value is not a valid uuid".into(), "type_error.uuid"),
                    "ip" | "ipvanyaddress" => (
                        "value is not a valid IPv4 or IPv6 address".into(),
                        "value_error.ipvanyaddress",
                    ),
                    "ipvanynetwork" => (
                        "value is not a valid IPv4 or IPv6 network".into(),
                        "value_error.ipvanynetwork",
                    ),
                    "uri" => (
                        "invalid or missing URL scheme".into(),
                        "value_error.url.scheme",
                    ),
                    _ => (format!("value is not a valid {format}"), "value_error"),
                },
                _ => (error.to_string(), "value_error"),
            };
            json!({ "loc": at, "msg": msg, "type": kind })
        })
        .collect()
}

/// The fields of a `multipart/form-data` body, each as text; `None` when the
/// body is not one.
fn multipart_form(content_type: &str, body: &[u8]) -> Option<Value> {
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut form = Map::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let name = head.split(';').find_map(|p| {
            p.trim()
                .strip_prefix("name=")
                .map(|n| n.trim_matches('"').to_string())
        });
        if let Some(name) = name {
            let content = content.strip_suffix("\r\n").unwrap_or(content);
            form.insert(name, Value::String(content.to_string()));
        }
    }
    Some(Value::Object(form))
}

/// An entry of a list's content (`append` and `remove` carry text) as the
/// content answer holds it, if it is one for a list of `resource_type`.
pub(super) fn content_entry(resource_type: &str, text: &str) -> Option<Value> {
    static ITEMS: OnceLock<HashMap<&'static str, Option<Validator>>> = OnceLock::new();
    let field = super::lists::content_field(resource_type)?;
    let items = ITEMS.get_or_init(|| {
        let properties =
            &document()["components"]["schemas"]["PrivateAclListCollectionOutput"]["properties"];
        [
            "cidrs",
            "countries",
            "continents",
            "asns",
            "datacenters",
            "user_agents",
        ]
        .into_iter()
        .map(|field| (field, compile(&properties[field]["items"])))
        .collect()
    });
    let value = if field == "asns" {
        Value::from(text.trim().parse::<i64>().ok()?)
    } else {
        Value::String(text.to_string())
    };
    items
        .get(field)?
        .as_ref()?
        .is_valid(&value)
        .then_some(value)
}
