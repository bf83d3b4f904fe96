//! Every operation of the spec, called through the real HTTP path against a
//! loopback server whose answer the caller sets: the harness of the decoding
//! property tests (`tests/decode_props.rs`) and of the fuzz target (`fuzz/`).
//! It expects `mod loopback` (support/loopback.rs) beside it.

// Each target that includes this file uses a different part of it.
#![allow(dead_code)]

use crate::loopback::{self, Loopback, Reply};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use threatjammer::{ApiKey, Client, Error};

/// What the loopback server answers next.
#[derive(Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
}

/// One operation of the spec, ready to call.
pub struct Call {
    pub id: String,
    pub args: Map<String, Value>,
    /// The status of its success answer and the schema of its body, if it has one.
    pub success: (u16, Option<Value>),
}

pub struct Harness {
    runtime: tokio::runtime::Runtime,
    answer: Arc<Mutex<Answer>>,
    client: Client,
    pub operations: Vec<Call>,
    pub spec: Value,
    _server: Loopback,
}

impl Harness {
    /// Starts the server and derives the calls from `spec`, the spec of record's text.
    pub fn start(spec: &str) -> Harness {
        let spec: Value = serde_json::from_str(spec).expect("the spec is JSON");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let answer = Arc::new(Mutex::new(Answer::default()));
        let serving = answer.clone();
        let server = runtime.block_on(Loopback::start(move |_| {
            let a = serving.lock().expect("answer").clone();
            let headers: Vec<(&str, &str)> = a
                .content_type
                .map(|ct| ("content-type", ct))
                .into_iter()
                .collect();
            Reply::Bytes(loopback::response(a.status, &headers, &a.body).into())
        }));
        // Retries off: a served 429/502 is to be decoded once, not waited out.
        let client = Client::builder()
            .retry(threatjammer::RetryPolicy::disabled())
            .base_url(server.uri())
            .api_key(ApiKey::unchecked("tja_decode_props"))
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let operations = operations(&spec);
        Harness {
            runtime,
            answer,
            client,
            operations,
            spec,
            _server: server,
        }
    }

    /// Serves `answer` to `operation` and checks what the client made of it.
    pub fn serve(&self, operation: &Call, answer: Answer) -> Result<(), String> {
        let status = answer.status;
        *self.answer.lock().expect("answer") = answer;
        let outcome = self
            .runtime
            .block_on(self.client.call(&operation.id, &operation.args));
        agrees(status, &outcome).map_err(|why| format!("{} answered {status}: {why}", operation.id))
    }

    pub fn serve_all(&self, answer: &Answer) -> Result<(), String> {
        for operation in &self.operations {
            self.serve(operation, answer.clone())?;
        }
        Ok(())
    }
}

/// A value only for a success status; an error that carries a status, only
/// with the status served; a decoding error only for a success status; never
/// a transport error or a complaint about the arguments.
pub fn agrees(status: u16, outcome: &Result<Value, Error>) -> Result<(), String> {
    let success = (200..300).contains(&status);
    match outcome {
        Ok(_) if success => Ok(()),
        Err(Error::Decode { .. }) if success => Ok(()),
        Err(e) if e.status().map(|s| s.as_u16()) == Some(status) => Ok(()),
        other => Err(format!("{other:?}")),
    }
}

/// Every operation of the spec with plausible arguments derived from its parameters.
fn operations(spec: &Value) -> Vec<Call> {
    let mut out = Vec::new();
    for (_, item) in spec["paths"].as_object().expect("paths") {
        for (_, op) in item.as_object().expect("path item") {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            let mut args = Map::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" || p["required"] == true {
                    let name = p["name"].as_str().expect("parameter name");
                    args.insert(name.to_string(), example(spec, &p["schema"]));
                }
            }
            let content = &op["requestBody"]["content"];
            if let Some(schema) = content["application/json"].get("schema") {
                args.insert("body".to_string(), example(spec, schema));
            } else if content.get("multipart/form-data").is_some() {
                args.insert("csv_file".to_string(), "212.231.12.22\n".into());
            }
            let (code, response) = op["responses"]
                .as_object()
                .and_then(|r| r.iter().find(|(code, _)| code.starts_with('2')))
                .expect("a success response");
            let schema = response["content"]["application/json"]
                .get("schema")
                .cloned();
            out.push(Call {
                id: id.to_string(),
                args,
                success: (code.parse().expect("numeric status"), schema),
            });
        }
    }
    out
}

pub fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => spec
            .pointer(r.trim_start_matches('#'))
            .unwrap_or(&Value::Null),
        None => schema,
    }
}

/// A valid value for `schema`, for the kinds of schema the spec's arguments use.
pub fn example(spec: &Value, schema: &Value) -> Value {
    let schema = resolve(spec, schema);
    if let Some(first) = schema["enum"].get(0) {
        return first.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = schema[key].get(0) {
            return example(spec, first);
        }
    }
    match schema["type"].as_str().unwrap_or("object") {
        "integer" => schema["minimum"].as_i64().unwrap_or(1).into(),
        "number" => 1.5.into(),
        "boolean" => false.into(),
        "array" => Value::Array(vec![example(spec, &schema["items"])]),
        "string" => match (schema["format"].as_str(), schema["pattern"].as_str()) {
            (Some("uuid"), _) => "9b2f7c43-5a0e-4a39-9a1c-0d2f8e6b7a10".into(),
            (Some("ip" | "ipv4" | "ipvanyaddress"), _) => "212.231.12.22".into(),
            (Some("ipv6"), _) => "2001:db8::1".into(),
            (Some("ipvanynetwork"), _) => "212.231.0.0/16".into(),
            (Some("uri"), _) => "https://example.com".into(),
            // The spec's patterns: dates as YYYYMMDD, and upper-case codes.
            (_, Some(p)) if p.contains("\\d{4}") => "20240101".into(),
            (_, Some(_)) => "ABC".into(),
            _ => "x".into(),
        },
        _ => {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let object = schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(name, _)| required.contains(&name.as_str()))
                .map(|(name, s)| (name.clone(), example(spec, s)))
                .collect();
            Value::Object(object)
        }
    }
}
