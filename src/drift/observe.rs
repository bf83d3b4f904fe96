//! Observing an answer while it is decoded: the flags the generated types
//! raise, the status and content-type check, and when to walk.

use super::log::Found;
use super::spec::Answers;
use super::walk::walk;
use super::DriftKind;
use crate::call::HookState;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use std::cell::Cell;

thread_local! {
    // Decoding is synchronous, so the flag is set and read on one thread
    // within one `decode`.
    static ODD: Cell<bool> = const { Cell::new(false) };
}

/// The decoder of every open enum's `Unrecognized` variant (build adaptation 4).
pub(crate) fn unlisted<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = String::deserialize(deserializer)?;
    ODD.set(true);
    Ok(value)
}

/// The default of a required answer field the service left out (build
/// adaptation 13).
pub(crate) fn absent<T: Default>() -> T {
    ODD.set(true);
    T::default()
}

/// Decodes a JSON answer of `operation`, noting in the client's drift log
/// what it carried that the spec of record does not describe.
pub(crate) fn decode<T: DeserializeOwned>(
    state: &HookState,
    operation: &'static str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> serde_json::Result<T> {
    let Some(log) = &state.drift else {
        return serde_json::from_slice(body);
    };
    ODD.set(false);
    let mut de = serde_json::Deserializer::from_slice(body);
    // An ignored field is one the type does not declare.
    let decoded = serde_ignored::deserialize(&mut de, |_| ODD.set(true)).and_then(|value| {
        de.end()?;
        Ok(value)
    });
    let odd = ODD.replace(false);
    let value = decoded?;
    let answers = Answers::get();
    let mut found = envelope(answers, operation, status, headers);
    if odd || answers.constrained(operation) {
        let declared = answers.declared(operation);
        let schema = declared
            .iter()
            .find(|d| d.status == status.as_u16() && !d.schema.is_null())
            .or_else(|| declared.iter().find(|d| !d.schema.is_null()))
            .map(|d| &d.schema);
        if let (Some(schema), Ok(json)) = (schema, serde_json::from_slice(body)) {
            walk(answers, schema, &json, &mut found);
        }
    }
    if !found.is_empty() {
        log.record(operation, found, &state.redactor);
    }
    Ok(value)
}

/// Notes a status or content type `operation` does not declare, for an
/// answer that is not decoded as JSON (no body, or text).
pub(crate) fn check_answer(state: &HookState, operation: &'static str, status: StatusCode, headers: &HeaderMap) {
    if let Some(log) = &state.drift {
        let found = envelope(Answers::get(), operation, status, headers);
        if !found.is_empty() {
            log.record(operation, found, &state.redactor);
        }
    }
}

/// The status and content type against what the operation declares.
fn envelope(answers: &Answers, operation: &str, status: StatusCode, headers: &HeaderMap) -> Vec<Found> {
    let declared = answers.declared(operation);
    let Some(this) = declared.iter().find(|d| d.status == status.as_u16()) else {
        return vec![Found {
            kind: DriftKind::UndeclaredStatus,
            path: String::new(),
            example: status.as_u16().to_string(),
        }];
    };
    if this.media.is_empty() {
        return Vec::new();
    }
    let sent = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = sent.split(';').next().unwrap_or("").trim();
    if this.media.iter().any(|m| m.eq_ignore_ascii_case(essence)) {
        return Vec::new();
    }
    vec![Found {
        kind: DriftKind::UndeclaredContentType,
        path: String::new(),
        example: if sent.is_empty() { "(none)".to_string() } else { sent.to_string() },
    }]
}
