//! Sending a fixture's request through the real client and judging what
//! happened. Shared, by `#[path]`, between `cargo xtask conformance` and the
//! conformance tests, so a fixture passes or fails the same way in both.

use super::fixture::{query_text, Fixture, Outcome, Request, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use threatjammer::{ApiKey, Client, Error, RetryPolicy};
use wiremock::{Match, Mock, MockServer, ResponseTemplate};

/// The key clients use against mock servers: the documented format, no secret.
pub const MOCK_KEY: &str = "tja_ConformanceReplayKey0000000000000000";

/// What replaying one fixture produced.
#[derive(Debug, Default)]
pub struct Replay {
    /// The operation id the request resolved to.
    pub operation: Option<&'static str>,
    /// `None` when no call was made (no operation, unusable arguments) or the
    /// error is one no fixture outcome names.
    pub outcome: Option<Outcome>,
    /// The decoded answer re-serialised, or the typed error's fields.
    pub value: Value,
    /// Each way the exchange differs from the fixture; empty when it matches.
    pub differences: Vec<String>,
    /// What the mock server received (empty against a real server).
    pub received: Vec<wiremock::Request>,
}

/// The judgement on a replay, taking a declared client defect into account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// The fixture exposes a known client defect and the client still fails it.
    KnownDefect,
    /// The fixture is listed under a client defect but the client now gets it right.
    DefectGone,
}

impl Verdict {
    /// Whether the run as a whole stays green with this verdict.
    pub fn passes(self) -> bool {
        matches!(self, Verdict::Pass | Verdict::KnownDefect)
    }
}

impl Replay {
    /// `defect`: the client defect the fixture is listed under, if any.
    pub fn verdict(&self, defect: Option<&str>) -> Verdict {
        match (self.differences.is_empty(), defect.is_some()) {
            (true, false) => Verdict::Pass,
            (false, false) => Verdict::Fail,
            (false, true) => Verdict::KnownDefect,
            (true, true) => Verdict::DefectGone,
        }
    }
}

/// Replays `fixture` against a fresh mock server that answers its request,
/// and only its request (method, raw path and query): anything else gets
/// wiremock's empty 404. The request the client sent is compared with the
/// fixture's, body included. Retries are off: a fixture is one exchange, and
/// a 429 or 502 fixture must show what the client makes of that answer.
pub async fn replay(fixture: &Fixture) -> Replay {
    let server = MockServer::start().await;
    Mock::given(Exact::from(&fixture.request))
        .respond_with(answer(&fixture.response))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(MOCK_KEY).expect("MOCK_KEY has the documented format"))
        .retry(RetryPolicy::disabled())
        // The documented refusals (a 413 for 501 addresses) are requests the
        // client would refuse itself; replayed, they show how it reads the answer.
        .check_arguments(false)
        .build()
        .expect("a client of a loopback mock server always builds");
    let mut replay = call(fixture, &client).await;
    replay.received = server.received_requests().await.unwrap_or_default();
    if replay.outcome.is_some() {
        match replay.received.as_slice() {
            [one] => {
                let differences = compare_request(&fixture.request, one);
                replay.differences.extend(differences);
            }
            other => replay.differences.push(format!(
                "the client sent {} requests, expected exactly one",
                other.len()
            )),
        }
    }
    replay
}

/// Calls the fixture's operation through `client` with the fixture's
/// arguments, and compares the outcome with the expected one.
pub async fn call(fixture: &Fixture, client: &Client) -> Replay {
    let mut replay = Replay::default();
    let prepared = fixture.expected_outcome().and_then(|expected| {
        let operation = fixture.operation()?;
        Ok((expected, operation, fixture.arguments(operation)?))
    });
    let (expected, operation, args) = match prepared {
        Ok(prepared) => prepared,
        Err(why) => {
            replay.differences.push(why);
            return replay;
        }
    };
    replay.operation = Some(operation.id);
    let result = client.call(operation.id, &args).await;
    replay.outcome = Outcome::of(&result);
    replay.value = match &result {
        Ok(value) => value.clone(),
        Err(error) => render_error(error),
    };
    match (replay.outcome, &result) {
        (Some(outcome), _) if outcome == expected => {}
        (Some(outcome), _) => replay
            .differences
            .push(format!("outcome {outcome}, expected {expected}")),
        (None, Err(error)) => replay
            .differences
            .push(format!("the client did not make the call: {error}")),
        (None, Ok(_)) => unreachable!("a successful call always has the outcome ok"),
    }
    replay
}

/// The typed error as JSON: its variant, the status, and the fields it keeps
/// (the server's problem, `Retry-After` in seconds, where decoding failed...).
pub fn render_error(error: &Error) -> Value {
    let status = error.status().map(|s| s.as_u16());
    match error {
        Error::Unauthorized(problem) => {
            json!({"error": "Unauthorized", "status": status, "problem": problem})
        }
        Error::Forbidden(problem) => {
            json!({"error": "Forbidden", "status": status, "problem": problem})
        }
        Error::NotFound(problem) => {
            json!({"error": "NotFound", "status": status, "problem": problem})
        }
        Error::Api { problem, .. } => json!({"error": "Api", "status": status, "problem": problem}),
        Error::RateLimited {
            retry_after,
            problem,
            ..
        } => json!({
            "error": "RateLimited",
            "status": status,
            "retry_after": retry_after.map(|d| d.as_secs()),
            "problem": problem,
        }),
        Error::Validation(errors) => {
            json!({"error": "Validation", "status": status, "errors": errors})
        }
        Error::UnexpectedResponse {
            content_type, body, ..
        } => json!({
            "error": "UnexpectedResponse",
            "status": status,
            "content_type": content_type,
            "body": body,
        }),
        Error::Decode {
            operation,
            path,
            message,
        } => json!({"error": "Decode", "operation": operation, "path": path, "message": message}),
        Error::Timeout => json!({"error": "Timeout"}),
        Error::Connection(message) => json!({"error": "Connection", "message": message}),
        Error::Request(message) => json!({"error": "Request", "message": message}),
        Error::Argument {
            operation,
            name,
            message,
        } => json!({"error": "Argument", "operation": operation, "name": name, "message": message}),
        // `Error` is non-exhaustive: a variant added later still renders, by its Debug text.
        other => json!({"error": format!("{other:?}"), "status": status}),
    }
}

/// The fixture's answer as a wiremock response.
fn answer(response: &Response) -> ResponseTemplate {
    let mut template = ResponseTemplate::new(response.status);
    let mut content_type = None;
    for (name, value) in &response.headers {
        if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.as_str());
        } else {
            template = template.insert_header(name.as_str(), value.as_str());
        }
    }
    match &response.body {
        Some(Value::String(text)) if !text.is_empty() => template.set_body_raw(
            text.as_bytes().to_vec(),
            content_type.unwrap_or("text/plain"),
        ),
        Some(json) if !json.is_null() && !json.is_string() => template.set_body_raw(
            serde_json::to_vec(json).expect("a JSON value always serialises"),
            content_type.unwrap_or("application/json"),
        ),
        // No body, or an empty one: no content type either, unless the fixture gives one.
        _ => match content_type {
            Some(mime) => template.insert_header("content-type", mime),
            None => template,
        },
    }
}

/// Matches the fixture's method, raw path and query, and nothing else.
struct Exact {
    method: String,
    path: String,
    query: Vec<(String, String)>,
}

impl From<&Request> for Exact {
    fn from(request: &Request) -> Self {
        Exact {
            method: request.method.to_ascii_uppercase(),
            path: request.path.clone(),
            query: expected_query(request),
        }
    }
}

impl Match for Exact {
    fn matches(&self, request: &wiremock::Request) -> bool {
        request.method.as_str() == self.method
            && request.url.path() == self.path
            && received_query(request) == self.query
    }
}

fn expected_query(request: &Request) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = request
        .query
        .iter()
        .map(|(k, v)| (k.clone(), query_text(v)))
        .collect();
    pairs.sort();
    pairs
}

fn received_query(request: &wiremock::Request) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

/// Each way the received request differs from the fixture's: method, raw
/// path, decoded query, and the JSON or multipart body.
pub fn compare_request(expected: &Request, got: &wiremock::Request) -> Vec<String> {
    let mut differences = Vec::new();
    if !got.method.as_str().eq_ignore_ascii_case(&expected.method) {
        differences.push(format!(
            "method {}, expected {}",
            got.method, expected.method
        ));
    }
    if got.url.path() != expected.path {
        differences.push(format!(
            "path {}, expected {}",
            got.url.path(),
            expected.path
        ));
    }
    let (query, wanted) = (received_query(got), expected_query(expected));
    if query != wanted {
        differences.push(format!("query {query:?}, expected {wanted:?}"));
    }
    let content_type = got
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match (&expected.multipart, &expected.body) {
        (Some(parts), _) => match multipart_fields(content_type, &got.body) {
            Ok(fields) => {
                let wanted: BTreeMap<String, String> = parts
                    .iter()
                    .map(|(k, v)| (k.clone(), query_text(v)))
                    .collect();
                if fields != wanted {
                    differences.push(format!("multipart fields {fields:?}, expected {wanted:?}"));
                }
            }
            Err(why) => differences.push(why),
        },
        (None, Some(body)) if !body.is_null() => {
            if !content_type.starts_with("application/json") {
                differences.push(format!(
                    "body sent as {content_type:?}, expected application/json"
                ));
            }
            match serde_json::from_slice::<Value>(&got.body) {
                Ok(sent) if &sent == body => {}
                Ok(sent) => differences.push(format!("body {sent}, expected {body}")),
                Err(e) => differences.push(format!("body is not JSON: {e}")),
            }
        }
        _ if !got.body.is_empty() => differences.push(format!(
            "a body of {} bytes was sent, expected none",
            got.body.len()
        )),
        _ => {}
    }
    differences
}

/// The fields of a `multipart/form-data` body, by name, as text.
pub fn multipart_fields(
    content_type: &str,
    body: &[u8],
) -> Result<BTreeMap<String, String>, String> {
    let boundary = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| rest.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"'))
        .ok_or_else(|| format!("body sent as {content_type:?}, expected multipart/form-data"))?;
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    let mut fields = BTreeMap::new();
    // Parts sit between delimiters; the last delimiter is followed by `--`.
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let (head, content) = part
            .split_once("\r\n\r\n")
            .ok_or("a multipart part has no blank line after its headers")?;
        let name = head
            .split(';')
            .find_map(|p| p.trim().strip_prefix("name=\""))
            .and_then(|p| p.split('"').next())
            .ok_or("a multipart part has no name")?;
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        fields.insert(name.to_string(), content.to_string());
    }
    Ok(fields)
}
