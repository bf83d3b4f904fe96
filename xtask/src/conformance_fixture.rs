//! The fixture format (README, "Adding a fixture"): one recorded or derived
//! exchange a file. Shared, by `#[path]`, between `cargo xtask conformance` and the
//! conformance tests of the `threatjammer` package, so both read fixtures,
//! find their operation and turn their request into arguments the same way.

use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use threatjammer::operations::{resolve, Operation};

/// One exchange: what the client should send and what the server answers.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Where the exchange comes from (a documentation page, or the schema it was derived from).
    pub source: String,
    pub request: Request,
    pub response: Response,
    #[serde(default)]
    pub expect: Option<Expect>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub method: String,
    /// Concrete and percent-encoded exactly as a correct client puts it on the wire.
    pub path: String,
    /// Decoded query parameters; values are strings as in a URL (numbers and booleans are accepted).
    #[serde(default)]
    pub query: Map<String, Value>,
    /// The JSON body; absent or `null` when the request has none.
    #[serde(default)]
    pub body: Option<Value>,
    /// The parts of a `multipart/form-data` body, by field name, as text.
    #[serde(default)]
    pub multipart: Option<Map<String, Value>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON string is sent as raw text (an HTML page, CSV, a truncated body);
    /// anything else as JSON. Absent or `null`: an empty body.
    #[serde(default)]
    pub body: Option<Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub outcome: Outcome,
}

/// How a call ended: the fixture format's `expect.outcome`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    ApiError,
    ValidationError,
    RateLimited,
    Unexpected,
    DecodeError,
    TransportError,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ApiError => "api_error",
            Outcome::ValidationError => "validation_error",
            Outcome::RateLimited => "rate_limited",
            Outcome::Unexpected => "unexpected",
            Outcome::DecodeError => "decode_error",
            Outcome::TransportError => "transport_error",
        }
    }

    /// The outcome of a call that returned `result`, or `None` for an error the
    /// runner cannot classify (an argument the client refused, a new variant).
    pub fn of(result: &Result<Value, threatjammer::Error>) -> Option<Outcome> {
        use threatjammer::Error as E;
        let Err(error) = result else {
            return Some(Outcome::Ok);
        };
        Some(match error {
            E::Unauthorized(_) | E::Forbidden(_) | E::NotFound(_) | E::Api { .. } => {
                Outcome::ApiError
            }
            E::Validation(_) => Outcome::ValidationError,
            E::RateLimited { .. } => Outcome::RateLimited,
            E::UnexpectedResponse { .. } => Outcome::Unexpected,
            E::Decode { .. } => Outcome::DecodeError,
            E::Timeout | E::Connection(_) | E::Request(_) => Outcome::TransportError,
            _ => return None,
        })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Fixture {
    pub fn load(path: &Path) -> Result<Fixture, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("not a fixture: {e}"))
    }

    /// `expect.outcome`, or `ok` for a 2xx answer when the fixture does not say.
    pub fn expected_outcome(&self) -> Result<Outcome, String> {
        match &self.expect {
            Some(expect) => Ok(expect.outcome),
            None if (200..300).contains(&self.response.status) => Ok(Outcome::Ok),
            None => Err(format!(
                "status {} is not 2xx, so the fixture must say expect.outcome",
                self.response.status
            )),
        }
    }

    /// The operation of the spec of record that the request is for.
    pub fn operation(&self) -> Result<&'static Operation, String> {
        resolve(&self.request.method, &self.request.path).ok_or_else(|| {
            format!(
                "no operation in openapi/ matches {} {}",
                self.request.method, self.request.path
            )
        })
    }

    /// The named arguments of `Client::call` that make the client send this
    /// request: path parameters (percent-decoded), query parameters, `body`,
    /// and the multipart fields.
    pub fn arguments(&self, operation: &Operation) -> Result<Map<String, Value>, String> {
        let mut args = Map::new();
        let mut put = |name: &str, value: Value| match args.insert(name.to_string(), value) {
            None => Ok(()),
            Some(_) => Err(format!("argument `{name}` is given twice")),
        };
        for (name, raw) in path_parameters(operation.path, &self.request.path)? {
            let decoded = percent_encoding::percent_decode_str(raw)
                .decode_utf8()
                .map_err(|e| format!("path parameter `{name}` is not UTF-8 once decoded: {e}"))?;
            put(name, Value::String(decoded.into_owned()))?;
        }
        for (name, value) in &self.request.query {
            put(name, value.clone())?;
        }
        if let Some(body) = self.request.body.as_ref().filter(|b| !b.is_null()) {
            put("body", body.clone())?;
        }
        for (name, value) in self.request.multipart.iter().flatten() {
            put(name, value.clone())?;
        }
        Ok(args)
    }
}

/// The raw (still percent-encoded) segments of `path` that fill the
/// placeholders of `template`, by placeholder name.
pub fn path_parameters<'t, 'p>(
    template: &'t str,
    path: &'p str,
) -> Result<Vec<(&'t str, &'p str)>, String> {
    let wanted: Vec<&str> = template.split('/').collect();
    let given: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if wanted.len() != given.len() {
        return Err(format!("{path} does not have the segments of {template}"));
    }
    Ok(wanted
        .into_iter()
        .zip(given)
        .filter_map(|(t, p)| Some((t.strip_prefix('{')?.strip_suffix('}')?, p)))
        .collect())
}

/// Every `*.json` file under `dirs`, recursively, in a stable order.
pub fn find_fixtures(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.is_dir() {
                walk(&path, found)?;
            } else if path.extension().is_some_and(|e| e == "json") {
                found.push(path);
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    for dir in dirs {
        walk(dir, &mut found)?;
    }
    found.sort();
    Ok(found)
}

/// A defect of the client that correct fixtures expose, and those fixtures.
///
/// A fixture says what the service does and what a correct client sends; it is
/// never bent to fit the client. While a defect stands, its fixtures pass only
/// by still failing ("known"), so every run lists them, and a fix shows up as a
/// failure asking for the name to be removed here. The six documented fixtures
/// cannot carry a marker of their own (they are kept as printed), hence a
/// table rather than a field in the fixture.
pub struct ClientDefect {
    pub what: &'static str,
    /// Fixture names, relative to `tests/fixtures`.
    pub fixtures: &'static [&'static str],
}

pub const CLIENT_DEFECTS: &[ClientDefect] = &[];

/// The defect that the fixture at `path` exposes, if any. Matched on the
/// path's last components (`tests/fixtures/<name>`), so the answer does not
/// depend on which folder was given to the runner or the current directory.
pub fn client_defect(path: &Path) -> Option<&'static str> {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    CLIENT_DEFECTS
        .iter()
        .find(|d| {
            d.fixtures
                .iter()
                .any(|name| path.ends_with(Path::new("tests/fixtures").join(name)))
        })
        .map(|d| d.what)
}

/// The text of a query value as it travels in a URL.
pub fn query_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
