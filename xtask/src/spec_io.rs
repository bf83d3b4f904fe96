//! Reading OpenAPI documents and writing the spec of record.
//!
//! YAML is read with a YAML 1.2 reader: under YAML 1.1 the country code `NO`
//! (Norway) in the upstream enums becomes the boolean `false` (docs/upstream-defects.md, defect 5).

use anyhow::{Context, Result};
use serde_json::Value;
use std::path::Path;

/// Reads an OpenAPI document, YAML (as 1.2) or JSON, into a JSON value.
pub fn read_document(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_document(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Parses a document's text. JSON is a subset of YAML 1.2, but a JSON parser
/// is stricter and faster, so it gets the first try.
pub fn parse_document(text: &str) -> Result<Value> {
    if text.trim_start().starts_with('{') {
        return Ok(serde_json::from_str(text)?);
    }
    Ok(serde_yaml_ng::from_str(text)?)
}

/// The canonical text of a document: keys sorted at every level (serde_json's
/// map is ordered), two-space indentation, one trailing newline. A re-import of
/// the same input is byte-identical, and a version bump diffs line by line.
pub fn canonical_text(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("a JSON value always serialises");
    text.push('\n');
    text
}
