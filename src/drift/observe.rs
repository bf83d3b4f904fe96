//! Observing an answer while it is decoded: the status and content-type
//! check, when to walk the answer against its schema, and the second chance
//! an answer gets when a required field is missing.

use super::log::Found;
use super::spec::{AnswerSpec, Answers};
use super::walk::{fill_absent, walk};
use super::DriftKind;
use crate::call::ClientState;
use reqwest::header::HeaderValue;
use reqwest::StatusCode;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// Whether a decoded answer holds, anywhere, a value its enum does not list
/// (the catch-all `Unrecognized` of build adaptation 4). The build implements
/// it for every answer type; drift observation asks it after decoding, so the
/// decoder itself reports nothing beside the value it returns.
pub(crate) trait Unlisted {
    /// `true` when some enum in the value holds a value the spec does not list.
    fn unlisted(&self) -> bool;
}

impl<T: Unlisted> Unlisted for Option<T> {
    fn unlisted(&self) -> bool {
        self.as_ref().is_some_and(T::unlisted)
    }
}

impl<T: Unlisted> Unlisted for Vec<T> {
    fn unlisted(&self) -> bool {
        self.iter().any(T::unlisted)
    }
}

impl<T: Unlisted> Unlisted for Box<T> {
    fn unlisted(&self) -> bool {
        (**self).unlisted()
    }
}

/// Answers that are not generated types hold no enum of the spec's.
macro_rules! nothing_listed {
    ($($ty:ty),*) => {
        $(impl Unlisted for $ty {
            fn unlisted(&self) -> bool {
                false
            }
        })*
    };
}
nothing_listed!(Value, serde_json::Map<String, Value>, uuid::Uuid);

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
            Ok(text.parse().unwrap_or_else(|_| (self.0)(text.to_owned())))
        }
    }
    deserializer.deserialize_str(Text(unrecognized))
}

/// Decodes a JSON answer of `operation`, noting in the client's drift log
/// what it carried that the spec of record does not describe.
///
/// The answer is decoded as its type first. When that fails, it is read as
/// JSON and given its second chance: every required text, number or boolean
/// field it left out gets its empty value from the spec of record's schema
/// (build adaptation 13), and it is decoded again. Should that fail too, the
/// first error stands.
pub(crate) fn decode<T: DeserializeOwned + Unlisted>(
    state: &ClientState,
    operation: &'static str,
    status: StatusCode,
    content_type: Option<&HeaderValue>,
    body: &[u8],
) -> serde_json::Result<T> {
    let answers = Answers::get();
    let spec = answers.operation(operation);
    // Found only when it is needed: most answers are neither walked nor refilled.
    let schema = || spec.and_then(|s| schema_of(s, status));
    let Some(log) = &state.drift else {
        return serde_json::from_slice::<T>(body)
            .or_else(|error| second_chance(answers, schema(), body, error, |_| {}));
    };
    // Looking for undeclared fields is the one costly check: it runs on a
    // sample of the answers, and the walk reports them for the same sample
    // only, however often it runs. A sampled answer is decoded through
    // serde_ignored, which names every key the type leaves unread; the answer
    // is walked only when there was one.
    let sampled = spec.is_some_and(|s| log.sample_fields(s.index));
    let mut unread = false;
    let first = if sampled {
        let mut de = serde_json::Deserializer::from_slice(body);
        serde_ignored::deserialize(&mut de, |_| unread = true).and_then(|value| {
            de.end()?;
            Ok(value)
        })
    } else {
        serde_json::from_slice::<T>(body)
    };
    let mut found = envelope(spec, status, content_type);
    let decoded = match first {
        Ok(value) => {
            let look = unread || spec.is_some_and(|s| s.constrained) || value.unlisted();
            if let Some(schema) = look.then(schema).flatten() {
                if let Ok(json) = serde_json::from_slice(body) {
                    walk(answers, schema, &json, sampled, &mut found);
                }
            }
            Ok(value)
        }
        Err(error) => {
            let schema = schema();
            second_chance(answers, schema, body, error, |json| {
                if let Some(schema) = schema {
                    walk(answers, schema, json, sampled, &mut found);
                }
            })
        }
    };
    if !found.is_empty() {
        log.record(operation, found, &state.redactor);
    }
    decoded
}

/// The schema of the answer `status` (or the first declared one).
fn schema_of(spec: &AnswerSpec, status: StatusCode) -> Option<&Value> {
    spec.declared
        .iter()
        .find(|d| d.status == status.as_u16() && !d.schema.is_null())
        .or_else(|| spec.declared.iter().find(|d| !d.schema.is_null()))
        .map(|d| &d.schema)
}

/// Reads `body` as JSON, shows it to `observe` as it came, fills the absent
/// required fields that have an empty value, and decodes it again; `error`
/// when that does not decode either.
fn second_chance<T: DeserializeOwned>(
    answers: &Answers,
    schema: Option<&Value>,
    body: &[u8],
    error: serde_json::Error,
    observe: impl FnOnce(&Value),
) -> serde_json::Result<T> {
    let (Some(schema), Ok(mut json)) = (schema, serde_json::from_slice::<Value>(body)) else {
        return Err(error);
    };
    observe(&json);
    if !fill_absent(answers, schema, &mut json) {
        return Err(error);
    }
    serde_json::from_value(json).map_err(|_| error)
}

/// Notes a status or content type `operation` does not declare, for an
/// answer that is not decoded as JSON (no body, or text).
pub(crate) fn check_answer(
    state: &ClientState,
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
