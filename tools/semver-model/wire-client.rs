//! The wire check's client program, built against each crate copy with the
//! `dynamic` feature (so every operation is reachable by its id and its answer
//! goes through the version's own decoder). Usage: `client BASE_URL CALLS`,
//! where CALLS is a JSON file holding `[{"operation": id, "args": {...},
//! "prefer": "example=NAME"}]` (`prefer`, optional, is sent as the `Prefer`
//! header, which tells Prism which of the answer's named examples to send);
//! it prints one JSON line per call, in order: `{"outcome": "ok"}`, or the
//! kind of failure and the client's message.

use serde_json::{json, Map, Value};
use threatjammer::{ApiKey, Client, Error, RetryPolicy};

/// How a call failed, in the words of wire-measured.json: the server refused
/// the request (with its status), or the client could not read the answer.
fn kind(error: &Error) -> String {
    let status = match error {
        Error::Unauthorized(_) => 401,
        Error::Forbidden(_) => 403,
        Error::NotFound(_) => 404,
        Error::Validation(_) => 422,
        Error::RateLimited { .. } => 429,
        Error::Api { status, .. } | Error::UnexpectedResponse { status, .. } => status.as_u16(),
        Error::Decode { .. } => return "undecodable".into(),
        _ => return "failed".into(),
    };
    if (400..500).contains(&status) {
        format!("refused ({status})")
    } else {
        format!("unexpected answer ({status})")
    }
}

fn main() -> Result<(), String> {
    let mut argv = std::env::args().skip(1);
    let (Some(base), Some(calls)) = (argv.next(), argv.next()) else {
        return Err("usage: client BASE_URL CALLS.json".into());
    };
    let text = std::fs::read_to_string(&calls).map_err(|e| format!("{calls}: {e}"))?;
    let calls: Vec<Value> = serde_json::from_str(&text).map_err(|e| format!("{calls}: {e}"))?;
    // A client per call, as the `Prefer` header is the HTTP client's.
    let client = |prefer: Option<&str>| -> Result<Client, String> {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(prefer) = prefer {
            let value = prefer.parse().map_err(|e| format!("{prefer}: {e}"))?;
            headers.insert("prefer", value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .map_err(|e| e.to_string())?;
        Client::builder()
            .base_url(base.clone())
            .api_key(ApiKey::unchecked("tja_wire_check"))
            .http_client(http)
            // One attempt: the question is what one request and one answer do.
            .retry(RetryPolicy::new().max_attempts(1))
            .build()
            .map_err(|e| e.to_string())
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let empty = Map::new();
    for call in &calls {
        let operation = call["operation"].as_str().unwrap_or_default();
        let args = call["args"].as_object().unwrap_or(&empty);
        let client = client(call["prefer"].as_str())?;
        let line = match runtime.block_on(client.call(operation, args)) {
            Ok(_) => json!({ "outcome": "ok" }),
            Err(e) => json!({ "outcome": kind(&e), "error": e.to_string() }),
        };
        println!("{line}");
    }
    Ok(())
}
