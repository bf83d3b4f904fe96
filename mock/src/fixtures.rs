//! The recorded exchanges the mock answers from: the bundled fixtures,
//! embedded at compile time so the mock works wherever the binary runs, and
//! any directory given at start. Read as `threatjammer-fixtures` reads them.

use super::lookups::{self, AddressAnswer, Kind, Lookup};
use super::{Body, MockRequest, MockResponse};
use include_dir::{include_dir, Dir};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;
use threatjammer::OperationId;
use threatjammer_fixtures::{decoded as decoded_or_raw, resolve, Fixture as Exchange};

/// `tests/fixtures` (`mock/fixtures` links to it; the package holds a copy). A fixture whose content changes
/// is re-embedded on the next build; a fixture *added* is picked up when
/// anything else in the crate is rebuilt (stable Rust cannot watch a directory).
static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures");

type Query = BTreeMap<String, Vec<String>>;

struct Fixture {
    /// Which of several fixtures of one request answers: one from a directory
    /// given at start (2), one recorded from the live service, whose `source`
    /// says "documented" (1), one derived from the schema (0).
    rank: u8,
    path: String,
    query: Query,
    body: Option<Value>,
    response: MockResponse,
    operation: &'static str,
    /// Whether the spec of record allows the answer, found out the first time
    /// it matters: compiling an operation's schemas is the costly part of a
    /// start, and most runs use few operations.
    allowed: std::sync::OnceLock<bool>,
}

impl Fixture {
    fn allowed(&self) -> bool {
        *self.allowed.get_or_init(|| {
            let verdict = super::contract::of(self.operation)
                .map_or(Ok(()), |contract| contract.conforms(&self.response));
            if let Err(deviation) = &verdict {
                tracing::debug!(
                    operation = self.operation,
                    path = %self.path,
                    deviation,
                    "mock: fixture answered only when asked for"
                );
            }
            verdict.is_ok()
        })
    }
}

/// Success exchanges by operation, plus the single results they contain, so
/// that derived answers agree with the fixtures wherever a fixture exists.
#[derive(Default)]
pub(super) struct Fixtures {
    by_operation: HashMap<&'static str, Vec<Fixture>>,
    pub(super) assessments: HashMap<IpAddr, Value>,
    pub(super) locations: HashMap<IpAddr, Value>,
    pub(super) agents: HashMap<String, Value>,
    /// Every success fixture by its name (its path below the fixture folder,
    /// without `.json`), for tests that ask for one: the only way a fixture the
    /// spec of record does not allow is answered.
    pub(super) named: BTreeMap<String, (OperationId, MockResponse)>,
    /// The allow- and denylists the answered fixtures name in their paths:
    /// `(kind, public, id)`. These exist when the server starts.
    lists: std::collections::HashSet<(String, bool, String)>,
}

impl Fixtures {
    /// The bundled fixtures. One that does not load is skipped here; the test
    /// `bundled_fixtures_all_load` is where that is caught.
    pub(super) fn bundled() -> Fixtures {
        let mut files = Vec::new();
        embedded_json(&BUNDLED, &mut files);
        files.sort();
        let mut fixtures = Fixtures::default();
        for (name, text) in files {
            if let Err(message) = fixtures.add(&name, text, false) {
                tracing::warn!(fixture = name, message, "bundled fixture skipped");
            }
        }
        fixtures
    }

    /// Every `*.json` below `dir`, in name order.
    pub(super) fn add_dir(&mut self, dir: &Path) -> Result<(), String> {
        let mut files = Vec::new();
        disk_json(dir, &mut files).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            let name = path.strip_prefix(dir).unwrap_or(&path).with_extension("");
            self.add(&name.display().to_string(), &text, true)?;
        }
        Ok(())
    }

    /// How many fixtures are answered by default (this compiles the schemas
    /// of every operation that has one).
    pub(super) fn len(&self) -> usize {
        self.by_operation
            .values()
            .flatten()
            .filter(|f| f.allowed())
            .count()
    }

    /// Adds one fixture if it records a success; says why not when it is malformed.
    pub(super) fn add(&mut self, name: &str, text: &str, from_dir: bool) -> Result<(), String> {
        let exchange: Exchange = text.parse().map_err(|e| format!("{name}: {e}"))?;
        let Exchange {
            source,
            request,
            response,
            expect,
            ..
        } = exchange;
        let status = response.status;
        let success = match expect {
            Some(expect) => expect.outcome == threatjammer_fixtures::Outcome::Ok,
            None => (200..300).contains(&status),
        };
        if !success {
            return Ok(());
        }
        let method = request.method.as_str();
        let (path, inline_query) = request.path.split_once('?').unwrap_or((&request.path, ""));
        let operation = resolve(method, path)
            .ok_or_else(|| format!("{name}: {method} {path} is no operation of the spec"))?;
        let mut query = parse_query(inline_query);
        for (key, value) in &request.query {
            let values = match value {
                Value::Array(items) => items.iter().map(plain).collect(),
                other => vec![plain(other)],
            };
            query.entry(key.clone()).or_default().extend(values);
        }
        let mut answer = MockResponse {
            status,
            headers: Vec::new(),
            body: match response.body {
                None | Some(Value::Null) => Body::Empty,
                Some(Value::String(text)) => Body::Text(text),
                Some(json) => Body::Json(json),
            },
            delay: None,
        };
        for (key, value) in response.headers {
            answer = answer.header(key, value);
        }
        let response = answer;
        let name = name.strip_suffix(".json").unwrap_or(name).to_string();
        self.named.insert(
            name.clone(),
            (super::contract::id_of(operation), response.clone()),
        );
        if let [_, "v1", kind @ ("allowlist" | "denylist"), scope @ ("private" | "public"), id, ..] =
            path.split('/').collect::<Vec<_>>()[..]
        {
            if let Ok(id) = uuid::Uuid::parse_str(id) {
                self.lists
                    .insert((kind.to_string(), scope == "public", id.to_string()));
            }
        }
        let fixture = Fixture {
            rank: if from_dir {
                2
            } else {
                u8::from(source.contains("documented"))
            },
            path: decoded_or_raw(path).into_owned(),
            query,
            body: request.body.filter(|b| !b.is_null()),
            response,
            operation: operation.id,
            allowed: std::sync::OnceLock::new(),
        };
        if let (Body::Json(body), true) =
            (&fixture.response.body, lookups::of(operation.id).is_some())
        {
            if fixture.allowed() {
                self.learn(operation.id, path, body);
            }
        }
        self.by_operation
            .entry(operation.id)
            .or_default()
            .push(fixture);
        Ok(())
    }

    /// Whether a fixture names this list (`id` as `Uuid` prints it).
    pub(super) fn knows_list(&self, kind: &str, public: bool, id: &str) -> bool {
        self.lists
            .contains(&(kind.to_string(), public, id.to_string()))
    }

    /// Keeps the results of a lookup's fixture (`super::lookups`), one or
    /// a list of them, for the answers the mock derives for any value.
    fn learn(&mut self, operation: &str, path: &str, body: &Value) {
        let (kind, single) = match lookups::of(operation) {
            Some(Lookup::One { kind, .. }) => (kind, Some(body)),
            Some(Lookup::Many { kind, .. }) => (kind, None),
            None => return,
        };
        let results = single
            .into_iter()
            .chain(body["results"].as_array().into_iter().flatten());
        match kind {
            Kind::Address(answer) => {
                let known = match answer {
                    AddressAnswer::Assessment => &mut self.assessments,
                    AddressAnswer::Location => &mut self.locations,
                };
                let asked = lookups::address_named(answer, path);
                for result in results {
                    // Only results whose `self` link names their address (the one
                    // asked for, when one was): the bulk methods match by that link.
                    let named = result["self"]
                        .as_str()
                        .and_then(|link| lookups::address_named(answer, link));
                    match named {
                        Some(ip) if single.is_none() || asked == Some(ip) => {
                            known.insert(ip, result.clone());
                        }
                        _ => {}
                    }
                }
            }
            Kind::UserAgent => {
                for result in results {
                    if let Some(agent) = result["string"].as_str() {
                        self.agents.insert(agent.to_string(), result.clone());
                    }
                }
            }
        }
    }

    /// The fixture of `operation` that matches `request` best: same path, then
    /// same query, then same body. With `exact`, only one that matches in all three.
    /// Among equals the higher rank wins (see `Fixture::rank`), then the one
    /// added last.
    pub(super) fn best(
        &self,
        operation: &str,
        request: &MockRequest,
        exact: bool,
    ) -> Option<&MockResponse> {
        let path = decoded_or_raw(&request.path);
        let query = parse_query(request.query.as_deref().unwrap_or(""));
        let body = request.json();
        self.by_operation
            .get(operation)?
            .iter()
            .map(|f| {
                let score = 4 * u8::from(f.path == path)
                    + 2 * u8::from(f.query == query)
                    + u8::from(f.body == body);
                (score, f)
            })
            .filter(|(score, f)| (!exact || *score == 7) && f.allowed())
            .max_by_key(|(score, f)| (*score, f.rank))
            .map(|(_, f)| &f.response)
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn parse_query(query: &str) -> Query {
    let mut parsed = Query::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        parsed
            .entry(key.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    parsed
}

fn embedded_json(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static str)>) {
    for file in dir.files() {
        let is_json = file.path().extension().is_some_and(|e| e == "json");
        if let (true, Some(text)) = (is_json, file.contents_utf8()) {
            out.push((file.path().display().to_string(), text));
        }
    }
    for sub in dir.dirs() {
        embedded_json(sub, out);
    }
}

fn disk_json(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            disk_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fixtures_all_load() {
        let mut files = Vec::new();
        embedded_json(&BUNDLED, &mut files);
        assert!(!files.is_empty(), "fixtures are embedded");
        let mut fixtures = Fixtures::default();
        for (name, text) in files {
            fixtures.add(&name, text, false).unwrap();
        }
        assert!(fixtures.len() >= 6, "{} fixtures", fixtures.len());
        let documented: IpAddr = "212.231.12.22".parse().unwrap();
        assert_eq!(fixtures.assessments[&documented]["score"], 70);
    }

    /// The bundled fixture `name` with its answer's `self` link changed to `link`.
    fn answer_linking(name: &str, link: &str) -> String {
        let file = BUNDLED.get_file(format!("{name}.json")).unwrap();
        let mut exchange: Value = serde_json::from_str(file.contents_utf8().unwrap()).unwrap();
        exchange["response"]["body"]["self"] = Value::from(link);
        exchange.to_string()
    }

    #[test]
    fn only_results_that_name_their_address_are_learned() {
        let mut fixtures = Fixtures::default();
        let placeholder = answer_linking("documented/assess-ip-212.231.12.22", "string");
        let other = answer_linking("derived/geolocate-ip", "/v1/geo/9.9.9.9");
        fixtures.add("placeholder", &placeholder, false).unwrap();
        fixtures.add("other", &other, false).unwrap();
        assert_eq!(fixtures.len(), 2, "each still answers its own request");
        assert!(fixtures.assessments.is_empty());
        assert!(fixtures.locations.is_empty());
    }

    #[test]
    fn answers_the_spec_does_not_allow_are_given_only_by_name() {
        let mut fixtures = Fixtures::default();
        let broken = r#"{"request": {"method": "GET", "path": "/v1/asn/1"},
            "response": {"status": 200, "body": {"self": "/v1/asn/1", "name": 7}}}"#;
        fixtures.add("edge/broken.json", broken, false).unwrap();
        assert_eq!(fixtures.len(), 0);
        let request = MockRequest {
            method: "GET".into(),
            path: "/v1/asn/1".into(),
            query: None,
            operation: Some(OperationId::GET_ASN),
            headers: Vec::new(),
            body: Vec::new(),
        };
        assert!(fixtures.best("get_asn", &request, false).is_none());
        let (operation, response) = &fixtures.named["edge/broken"];
        assert_eq!((*operation, response.status), (OperationId::GET_ASN, 200));
    }

    #[test]
    fn failures_are_not_answers() {
        let mut fixtures = Fixtures::default();
        let refused = r#"{"request": {"method": "GET", "path": "/v1/asn/1"},
            "response": {"status": 404, "body": {"title": "Not Found"}}}"#;
        let declared = r#"{"request": {"method": "GET", "path": "/v1/asn/1"},
            "response": {"status": 200, "body": "<html>"}, "expect": {"outcome": "decode_error"}}"#;
        fixtures.add("refused", refused, false).unwrap();
        fixtures.add("declared", declared, false).unwrap();
        assert_eq!(fixtures.len(), 0);
        let nowhere =
            r#"{"request": {"method": "GET", "path": "/v2/x"}, "response": {"status": 200}}"#;
        assert!(fixtures
            .add("nowhere", nowhere, false)
            .unwrap_err()
            .contains("no operation"));
    }
}
