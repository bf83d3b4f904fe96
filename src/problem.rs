//! The error body the service sends, in its two shapes.

use serde::{Deserialize, Serialize};

/// The body of an error response.
///
/// Documented errors carry `title`, `detail` and `type`; one real body spells
/// the last key `"type:"`, which is read into the same field. FastAPI's
/// validation errors (422) carry `detail` as a list instead of a sentence.
/// Hand-written rather than generated: typify would turn both spellings of
/// `type` into two fields of the same name (build.rs, adaptation 2).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Problem {
    /// Short summary of the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What went wrong: a sentence, or the list of validation failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<ProblemDetail>,
    /// The kind of problem.
    #[serde(
        default,
        rename = "type",
        alias = "type:",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
}

/// The `detail` of a [`Problem`].
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum ProblemDetail {
    /// A human-readable explanation.
    Text(String),
    /// FastAPI's list of validation failures.
    Validation(Vec<crate::types::ValidationError>),
    /// Any other JSON the service put there, kept rather than rejected.
    Other(serde_json::Value),
}
