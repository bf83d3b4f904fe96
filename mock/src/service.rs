//! The HTTP side of the mock: accepting connections and answering requests.
//!
//! hyper rather than wiremock: wiremock runs its server on a thread of its own
//! with its own runtime, so its clock would not be the test's paused clock, and
//! the quota windows and delays here must be. hyper is already in the tree
//! through reqwest; only its server half is added.

use super::lookups::{AddressAnswer, Kind, Lookup};
use super::{synth, Body, MockRequest, MockResponse, RecordedRequest, State};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use threatjammer::bulk::is_public;
use threatjammer::{ApiKey, OperationId};
use threatjammer_fixtures::decoded;
use tokio::time::Instant;

/// Accepts connections until the task is aborted; dropping the set of
/// connection tasks then aborts them too.
pub(super) async fn serve(listener: tokio::net::TcpListener, state: Arc<State>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors and the like: wait for some to free up.
                tracing::warn!(%error, "mock server: accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let state = state.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request| handle(state.clone(), request));
            let io = hyper_util::rt::TokioIo::new(stream);
            // A client closing its connection is not the mock's concern.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
        while connections.try_join_next().is_some() {}
    }
}

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let received_at = Instant::now();
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let path = parts.uri.path().to_string();
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = if name == hyper::header::AUTHORIZATION {
                "<redacted>".to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.to_string(), value)
        })
        .collect();
    let request = MockRequest {
        method: parts.method.to_string(),
        operation: super::contract::route(parts.method.as_str(), &path)
            .ok()
            .map(super::contract::id_of),
        path,
        query: parts.uri.query().map(str::to_string),
        headers,
        body,
    };
    let authorized = parts
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok()?.strip_prefix("Bearer "))
        .is_some_and(|key| ApiKey::unchecked(key) == state.key);
    let mut response = answer(&state, &request, authorized, received_at);
    if response.delay.is_none() {
        response.delay = state.lock().latency;
    }
    if state.record {
        state.lock().received.push(RecordedRequest {
            request,
            status: response.status,
            received_at,
        });
    }
    if let Some(delay) = response.delay {
        tokio::time::sleep(delay).await;
    }
    Ok(into_http(response))
}

fn into_http(response: MockResponse) -> Response<Full<Bytes>> {
    let (content_type, bytes) = match response.body {
        Body::Empty => (None, Vec::new()),
        Body::Json(value) => (Some("application/json"), value.to_string().into_bytes()),
        Body::Text(text) => (Some("text/plain; charset=utf-8"), text.into_bytes()),
    };
    let mut builder = Response::builder().status(response.status);
    let has_type = response
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
    if let (Some(content_type), false) = (content_type, has_type) {
        builder = builder.header(hyper::header::CONTENT_TYPE, content_type);
    }
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(bytes)))
        .unwrap_or_else(|e| {
            let mut broken = Response::new(Full::new(Bytes::from(format!(
                "the mock could not build its answer: {e}"
            ))));
            *broken.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            broken
        })
}

/// The answer to one request, in the order the module documentation gives.
fn answer(state: &State, request: &MockRequest, authorized: bool, now: Instant) -> MockResponse {
    let Some(operation) = request.operation else {
        let allowed = super::contract::route(&request.method, &request.path)
            .err()
            .unwrap_or_default();
        if allowed.is_empty() {
            return MockResponse::json(404, json!({ "detail": "Not Found" }));
        }
        return MockResponse::json(405, json!({ "detail": "Method Not Allowed" }))
            .header("allow", allowed.join(", "));
    };
    if !authorized {
        return MockResponse::problem(
            401,
            "Unauthorized",
            "The bearer token is missing, malformed, unknown or of another region.",
        );
    }
    let hooks = {
        let mut mutable = state.lock();
        let fault = mutable
            .faults
            .iter_mut()
            .find(|f| f.remaining > 0 && f.operation.is_none_or(|op| op == operation));
        if let Some(fault) = fault {
            fault.remaining -= 1;
            let response = fault.response.clone();
            mutable.faults.retain(|f| f.remaining > 0);
            return response;
        }
        mutable.hooks.clone()
    };
    // Called without the lock, so that a hook may use the server.
    if let Some(response) = hooks.iter().find_map(|hook| hook(request)) {
        return response;
    }
    let overridden = {
        let mut mutable = state.lock();
        if let Some(quota) = mutable.quota.as_mut() {
            if let Err(refusal) = super::quota::admit(quota, now) {
                return MockResponse::problem(
                    429,
                    "Too Many Requests",
                    &format!(
                        "The {} quota of {} requests is spent.",
                        refusal.limit, refusal.allowed
                    ),
                )
                .retry_after(refusal.retry_after());
            }
        }
        mutable.overrides.get(&operation).cloned()
    };
    // The operation's id as the spec spells it, which the answers below go by.
    let operation = operation.as_str();
    if let Some(contract) = super::contract::of(operation) {
        if let Err(refusal) = contract.check(request) {
            return refusal;
        }
    }
    if let Some(response) = overridden {
        return response;
    }
    if let Some(response) = super::lists::answer(state, operation, request, wall_millis()) {
        return response;
    }
    // The token's counts are live whenever a quota is kept; otherwise a
    // fixture that matches exactly wins over anything derived.
    if operation == OperationId::GET_TOKEN.as_str() {
        if let Some(response) = token(state, request, now) {
            return response;
        }
    }
    if let Some(response) = state.fixtures.best(operation, request, true) {
        return response.clone();
    }
    match super::lookups::of(operation) {
        Some(Lookup::One {
            kind: Kind::Address(answer),
            parameter,
        }) => one_address(state, request, answer, parameter),
        Some(Lookup::One {
            kind: Kind::UserAgent,
            ..
        }) => {
            let encoded = request.path.rsplit('/').next().unwrap_or("");
            MockResponse::json(200, agent(state, &decoded(encoded)))
        }
        Some(Lookup::Many {
            kind: Kind::Address(answer),
            path,
        }) => many_addresses(state, request, answer, path),
        Some(Lookup::Many {
            kind: Kind::UserAgent,
            path,
        }) => many_agents(state, request, path),
        None => from_fixtures(state, operation, request),
    }
}

fn from_fixtures(state: &State, operation: &str, request: &MockRequest) -> MockResponse {
    match state.fixtures.best(operation, request, false) {
        Some(response) => response.clone(),
        None => MockResponse::problem(
            501,
            "Not Implemented",
            &format!("The mock server has no fixture for {operation}."),
        ),
    }
}

/// The fixtures' answer about `ip`, or one derived from it.
fn about_address(state: &State, answer: AddressAnswer, ip: IpAddr) -> Value {
    let (known, derive): (_, fn(IpAddr) -> Value) = match answer {
        AddressAnswer::Assessment => (&state.fixtures.assessments, synth::assessment),
        AddressAnswer::Location => (&state.fixtures.locations, synth::location),
    };
    known.get(&ip).cloned().unwrap_or_else(|| derive(ip))
}

fn agent(state: &State, agent: &str) -> Value {
    state
        .fixtures
        .agents
        .get(agent)
        .cloned()
        .unwrap_or_else(|| synth::user_agent(agent))
}

/// FastAPI's answer to arguments that do not validate.
fn invalid(loc: Value, msg: &str, kind: &str) -> MockResponse {
    MockResponse::json(
        422,
        json!({ "detail": [{ "loc": loc, "msg": msg, "type": kind }] }),
    )
}

fn one_address(
    state: &State,
    request: &MockRequest,
    answer: AddressAnswer,
    parameter: &str,
) -> MockResponse {
    let text = decoded(request.path.rsplit('/').next().unwrap_or(""));
    let Ok(ip) = text.parse::<IpAddr>() else {
        return invalid(
            json!(["path", parameter]),
            "value is not a valid IPv4 or IPv6 address",
            "value_error.ipvanyaddress",
        );
    };
    if !is_public(ip) {
        return MockResponse::problem(
            400,
            "Bad Request",
            &format!("{ip} is not a public IP address."),
        );
    }
    MockResponse::json(200, about_address(state, answer, ip))
}

/// The entries of a batch body that `parse` takes. The request validated
/// against the spec of record before it got here, so that is every entry.
fn list_body<T>(request: &MockRequest, parse: impl Fn(&str) -> Option<T>) -> Vec<T> {
    request
        .json()
        .and_then(|body| body.as_array().cloned())
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.as_str().and_then(&parse))
        .collect()
}

fn many_addresses(
    state: &State,
    request: &MockRequest,
    answer: AddressAnswer,
    path: &str,
) -> MockResponse {
    let mut addresses = list_body(request, |s| s.parse::<IpAddr>().ok());
    // Address order rather than request order: clients must match results by
    // their `self` link, and this makes sure they do.
    addresses.retain(|ip| is_public(*ip));
    addresses.sort();
    let results: Vec<Value> = addresses
        .into_iter()
        .map(|ip| about_address(state, answer, ip))
        .collect();
    MockResponse::json(200, json!({ "self": path, "results": results }))
}

fn many_agents(state: &State, request: &MockRequest, path: &str) -> MockResponse {
    let mut agents = list_body(request, |s| Some(s.to_string()));
    agents.sort();
    let results: Vec<Value> = agents.iter().map(|a| agent(state, a)).collect();
    MockResponse::json(200, json!({ "self": path, "results": results }))
}

/// `GET /v1/token` with the quota's live counts, over the bundled token
/// fixture when there is one; `None` when no quota is enforced.
fn token(state: &State, request: &MockRequest, now: Instant) -> Option<MockResponse> {
    let (plan, [(minute_used, minute_refresh_in), (month_used, month_refresh_in)]) = {
        let mut mutable = state.lock();
        let quota = mutable.quota.as_mut()?;
        (quota.policy(), quota.usage(now))
    };
    let millis = millis_of;
    let wall = SystemTime::now();
    let mut body = match state
        .fixtures
        .best(OperationId::GET_TOKEN.as_str(), request, false)
    {
        Some(MockResponse {
            body: Body::Json(body),
            ..
        }) => body.clone(),
        _ => json!({ "self": "/v1/token", "region_id": "mock", "status": "ENABLED" }),
    };
    body["last_minute_bucket_init_value"] = json!(plan.per_minute().unwrap_or(0));
    body["last_minute_bucket_value"] = json!(minute_used);
    body["last_minute_bucket_refill_ratio"] = json!(1);
    body["last_minute_bucket_refresh"] = json!(millis(wall + minute_refresh_in));
    body["last_month_bucket_init_value"] = json!(plan.per_month().unwrap_or(0));
    body["last_month_bucket_value"] = json!(month_used);
    body["last_month_bucket_refresh"] = json!(millis(wall + month_refresh_in));
    body["created_at"] = json!(millis(state.started));
    body["updated_at"] = json!(millis(wall));
    Some(MockResponse::json(200, body))
}

fn millis_of(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn wall_millis() -> u64 {
    millis_of(SystemTime::now())
}
