//! `spec import` and `spec check`: upstream document + overlay -> spec of record.

use crate::{overlay, spec_io};
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Where the spec of record and its overlays live.
pub struct SpecFiles {
    pub spec: PathBuf,
    /// Applied in this order: first the reconciliations of upstream defects,
    /// then the project's operation names and prose (which may refer to
    /// components the reconciliations add, such as the shared error response).
    pub overlays: Vec<PathBuf>,
}

impl SpecFiles {
    pub fn in_workspace(root: &Path) -> Self {
        let dir = root.join("openapi");
        SpecFiles {
            spec: dir.join("threatjammer.json"),
            overlays: vec![dir.join("reconcile.overlay.yaml"), dir.join("operations.overlay.yaml")],
        }
    }
}

/// Keys that only carry prose. They are dropped everywhere except where they are
/// names of schema properties (`properties.description` is a real field).
const PROSE_KEYS: &[&str] = &["description", "summary"];

/// Keys APIs.guru added to its copy of the service's document; not facts of the API.
const DIRECTORY_ARTEFACTS: &[&str] = &["x-apisguru-categories", "x-logo", "x-origin", "x-providerName"];

/// Produces the canonical text of the spec of record from an upstream document.
pub fn import_text(upstream: &Path, overlay_paths: &[PathBuf]) -> Result<String> {
    let mut doc = spec_io::read_document(upstream)?;
    if !doc.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.0")) {
        bail!("{} is not an OpenAPI 3.0 document", upstream.display());
    }
    strip_prose(&mut doc, false);
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        for key in DIRECTORY_ARTEFACTS {
            info.remove(*key);
        }
    }
    for path in overlay_paths {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let overlay = overlay::parse(&text).with_context(|| format!("parsing {}", path.display()))?;
        overlay::apply(&mut doc, &overlay).with_context(|| {
            format!("applying {} ({} {})", path.display(), overlay.info.title, overlay.info.version)
        })?;
    }
    Ok(spec_io::canonical_text(&doc))
}

/// Removes prose recursively. `in_properties` is true when the map being visited
/// is a schema's `properties`, whose keys are field names, not keywords.
fn strip_prose(node: &mut Value, in_properties: bool) {
    match node {
        Value::Object(map) => {
            if !in_properties {
                for key in PROSE_KEYS {
                    if map.get(*key).is_some_and(Value::is_string) {
                        map.remove(*key);
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                strip_prose(child, !in_properties && key == "properties");
                if !in_properties && key == "responses" {
                    describe_responses(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| strip_prose(item, false)),
        _ => {}
    }
}

/// OpenAPI 3.0 requires a description on every response object. Once the
/// upstream text is gone, the status code's reason phrase stands in for it.
fn describe_responses(responses: &mut Value) {
    let Some(map) = responses.as_object_mut() else { return };
    for (status, response) in map.iter_mut() {
        if let Some(response) = response.as_object_mut().filter(|r| !r.contains_key("$ref")) {
            let phrase = match status.as_str() {
                "200" => "OK",
                "201" => "Created",
                "202" => "Accepted",
                "204" => "No Content",
                "422" => "Validation Error",
                "default" => "Any other response",
                _ => "Response",
            };
            response.insert("description".into(), Value::String(phrase.into()));
        }
    }
}

pub fn import(upstream: &Path, files: &SpecFiles) -> Result<()> {
    let text = import_text(upstream, &files.overlays)?;
    std::fs::write(&files.spec, text).with_context(|| format!("writing {}", files.spec.display()))?;
    println!("wrote {}", files.spec.display());
    Ok(())
}

/// Returns the differing lines, or None when the checked-in spec is current.
pub fn check(upstream: &Path, files: &SpecFiles) -> Result<Option<String>> {
    let expected = import_text(upstream, &files.overlays)?;
    let actual = std::fs::read_to_string(&files.spec)
        .with_context(|| format!("reading {}", files.spec.display()))?;
    if expected == actual {
        return Ok(None);
    }
    let diff = similar::TextDiff::from_lines(&actual, &expected);
    Ok(Some(
        diff.unified_diff()
            .context_radius(2)
            .header("openapi/threatjammer.json (checked in)", "import of upstream")
            .to_string(),
    ))
}
