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
    /// components the reconciliations add, such as the shared error response),
    /// then the project's descriptions of the schemas and their properties
    /// (which describe properties the reconciliations add), then what the
    /// values of answer fields are (timestamps, addresses, links), which
    /// build.rs turns into Rust types.
    pub overlays: Vec<PathBuf>,
}

impl SpecFiles {
    pub fn in_workspace(root: &Path) -> Self {
        let dir = root.join("openapi");
        SpecFiles {
            spec: dir.join("threatjammer.json"),
            overlays: vec![
                dir.join("reconcile.overlay.yaml"),
                dir.join("operations.overlay.yaml"),
                dir.join("schemas.overlay.yaml"),
                dir.join("values.overlay.yaml"),
            ],
        }
    }
}

/// The pinned upstream document of `version` in this checkout (see
/// `openapi/upstream/README.md`), which the tests import and compare.
#[cfg(test)]
pub fn pinned_upstream(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../openapi/upstream")
        .join(format!("threatjammer-user-api-{version}.yaml"))
}

/// Keys that only carry prose. They are dropped everywhere except where they are
/// names of schema properties (`properties.description` is a real field).
const PROSE_KEYS: &[&str] = &["description", "summary"];

/// Keys APIs.guru added to its copy of the service's document; not facts of the API.
const DIRECTORY_ARTEFACTS: &[&str] = &[
    "x-apisguru-categories",
    "x-logo",
    "x-origin",
    "x-providerName",
];

/// Produces the canonical text of the spec of record from an upstream document.
pub fn import_text(upstream: &Path, overlay_paths: &[PathBuf]) -> Result<String> {
    let mut doc = spec_io::read_document(upstream)?;
    if !doc
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.0"))
    {
        bail!("{} is not an OpenAPI 3.0 document", upstream.display());
    }
    strip_prose(&mut doc, false);
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        for key in DIRECTORY_ARTEFACTS {
            info.remove(*key);
        }
    }
    for path in overlay_paths {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let overlay =
            overlay::parse(&text).with_context(|| format!("parsing {}", path.display()))?;
        overlay::apply(&mut doc, &overlay).with_context(|| {
            format!(
                "applying {} ({} {})",
                path.display(),
                overlay.info.title,
                overlay.info.version
            )
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
    let Some(map) = responses.as_object_mut() else {
        return;
    };
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
    std::fs::write(&files.spec, text)
        .with_context(|| format!("writing {}", files.spec.display()))?;
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
            .header(
                "openapi/threatjammer.json (checked in)",
                "import of upstream",
            )
            .to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn operations(doc: &Value) -> BTreeSet<(String, String)> {
        let mut set = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
                if item.get(method).is_some() {
                    set.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
        set
    }

    #[test]
    fn spec_of_record_has_exactly_the_upstream_operations() {
        let upstream = spec_io::read_document(&pinned_upstream("1.2.27")).unwrap();
        let files = SpecFiles::in_workspace(&root());
        let ours = spec_io::read_document(&files.spec).unwrap();
        assert_eq!(operations(&upstream).len(), 97);
        assert_eq!(operations(&ours), operations(&upstream));
    }

    #[test]
    fn reimport_is_byte_identical_and_current() {
        let files = SpecFiles::in_workspace(&root());
        let upstream = pinned_upstream("1.2.27");
        let first = import_text(&upstream, &files.overlays).unwrap();
        let second = import_text(&upstream, &files.overlays).unwrap();
        assert_eq!(first, second);
        assert_eq!(check(&upstream, &files).unwrap(), None, "openapi/ is stale");
    }

    #[test]
    fn norway_survives_the_yaml_reader() {
        let doc = spec_io::parse_document("enum: [NL, NO, NZ]\n").unwrap();
        assert_eq!(doc["enum"][1], "NO");
    }

    #[test]
    fn prose_goes_but_properties_named_description_stay() {
        let mut doc: Value = serde_json::json!({
            "description": "upstream prose",
            "properties": {"description": {"type": "string", "description": "prose"}},
            "responses": {"200": {"description": "Successful Response"}}
        });
        strip_prose(&mut doc, false);
        assert_eq!(
            doc,
            serde_json::json!({
                "properties": {"description": {"type": "string"}},
                "responses": {"200": {"description": "OK"}}
            })
        );
    }

    #[test]
    fn an_action_with_a_dead_target_fails_with_its_name() {
        let dir = std::env::temp_dir().join(format!("tj-overlay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let upstream = dir.join("up.json");
        std::fs::write(
            &upstream,
            r#"{"openapi": "3.0.2", "info": {"title": "t", "version": "1"}, "paths": {}}"#,
        )
        .unwrap();
        let overlay = dir.join("o.yaml");
        std::fs::write(
            &overlay,
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: \"$.paths['/v1/gone'].get\"\n    description: rename the gone operation\n    update: {operationId: gone}\n",
        )
        .unwrap();
        let error = format!("{:#}", import_text(&upstream, &[overlay]).unwrap_err());
        assert!(error.contains("rename the gone operation"), "{error}");
        assert!(error.contains("selects nothing"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
