//! Observing an answer while it is decoded: the flags the generated types
//! raise, the status and content-type check, and when to walk.

use super::log::Found;
use super::spec::{AnswerSpec, Answers};
use super::walk::walk;
use super::DriftKind;
use crate::call::HookState;
use reqwest::header::HeaderValue;
use reqwest::StatusCode;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use std::cell::Cell;
use std::fmt;
use std::str::FromStr;

thread_local! {
    // Decoding is synchronous, so the flag is set and read on one thread
    // within one `decode`.
    static ODD: Cell<bool> = const { Cell::new(false) };
}

/// The decoder of every open enum (build adaptation 4): a listed value by the
/// enum's `FromStr`, any other text kept whole in its catch-all variant.
pub(crate) fn open_enum<'de, D, T>(
    deserializer: D,
    unrecognized: fn(String) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
{
    struct Text<T>(fn(String) -> T);
    impl<T: FromStr> Visitor<'_> for Text<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        // An owned string comes here too (serde's default): a copy, but only
        // of a value the spec does not list.
        fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
            Ok(text.parse().unwrap_or_else(|_| {
                ODD.set(true);
                (self.0)(text.to_owned())
            }))
        }
    }
    deserializer.deserialize_str(Text(unrecognized))
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
    content_type: Option<&HeaderValue>,
    body: &[u8],
) -> serde_json::Result<T> {
    let Some(log) = &state.drift else {
        return serde_json::from_slice(body);
    };
    let answers = Answers::get();
    let spec = answers.operation(operation);
    ODD.set(false);
    // Looking for undeclared fields is the one costly check (serde_ignored
    // names every key it passes); it runs on a sample of the answers, and the
    // walk reports them for the same sample only, however often it runs.
    let sampled = spec.is_some_and(|s| log.sample_fields(s.index));
    let decoded = if sampled {
        let mut de = serde_json::Deserializer::from_slice(body);
        serde_ignored::deserialize(&mut de, |_| ODD.set(true)).and_then(|value| {
            de.end()?;
            Ok(value)
        })
    } else {
        serde_json::from_slice(body)
    };
    let odd = ODD.replace(false);
    let value = decoded?;
    let mut found = envelope(spec, status, content_type);
    if let Some(spec) = spec.filter(|s| odd || s.constrained) {
        let schema = spec
            .declared
            .iter()
            .find(|d| d.status == status.as_u16() && !d.schema.is_null())
            .or_else(|| spec.declared.iter().find(|d| !d.schema.is_null()))
            .map(|d| &d.schema);
        if let (Some(schema), Ok(json)) = (schema, serde_json::from_slice(body)) {
            walk(answers, schema, &json, sampled, &mut found);
        }
    }
    if !found.is_empty() {
        log.record(operation, found, &state.redactor);
    }
    Ok(value)
}

/// Notes a status or content type `operation` does not declare, for an
/// answer that is not decoded as JSON (no body, or text).
pub(crate) fn check_answer(
    state: &HookState,
    operation: &'static str,
    status: StatusCode,
    content_type: Option<&HeaderValue>,
) {
    if let Some(log) = &state.drift {
        let found = envelope(Answers::get().operation(operation), status, content_type);
        if !found.is_empty() {
            log.record(operation, found, &state.redactor);
        }
    }
}

/// The status and content type against what the operation declares.
fn envelope(
    spec: Option<&AnswerSpec>,
    status: StatusCode,
    content_type: Option<&HeaderValue>,
) -> Vec<Found> {
    let declared = spec.map_or(&[][..], |s| s.declared.as_slice());
    let Some(this) = declared.iter().find(|d| d.status == status.as_u16()) else {
        return vec![Found {
            kind: DriftKind::UndeclaredStatus,
            path: String::new(),
            example: status.as_u16().to_string(),
            values: Default::default(),
        }];
    };
    if this.media.is_empty() {
        return Vec::new();
    }
    let sent = content_type.and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = sent.split(';').next().unwrap_or("").trim();
    if this.media.iter().any(|m| m.eq_ignore_ascii_case(essence)) {
        return Vec::new();
    }
    vec![Found {
        kind: DriftKind::UndeclaredContentType,
        path: String::new(),
        example: if sent.is_empty() {
            "(none)".to_string()
        } else {
            sent.to_string()
        },
        values: Default::default(),
    }]
}
