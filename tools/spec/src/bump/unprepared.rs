//! `spec bump` on an additive release nobody prepared: the overlays are the
//! repository's, untouched, and know nothing of what the release adds. The
//! release is generated from upstream 1.2.27 by picking what to change from
//! the document itself, not written by hand.

use super::*;
use crate::diff::Level;
use crate::semver_checks::{Tool, TOOL_VERSION};
use serde_json::json;
use std::process::Command;

/// FastAPI's operationId for a handler, by the rule the build reads it back with.
fn fastapi_id(handler: &str, method: &str, path: &str) -> String {
    format!("{handler}{}", names::fastapi_suffix(method, path))
}

/// Operations as (path, method), in the document's order.
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            all.push((path.clone(), method.clone()));
        }
    }
    all
}

/// What the generated release adds, for the assertions.
struct Release {
    doc: Value,
    /// `METHOD /path` of the operation added under an existing tag, and under a new one.
    in_old_tag: String,
    in_new_tag: String,
    new_tag: String,
    schemas: Vec<String>,
    /// The operation given new optional parameters, one of each location.
    with_parameters: String,
    with_status: String,
    deprecated: String,
}

/// Upstream 1.2.27 made 1.2.28 by additions only: a GET next to the first GET
/// that takes one path parameter, in its tag, answering a new schema that
/// lists its answers; a listing under a tag no operation has, answering
/// another new schema; an optional query, header and cookie parameter on the
/// first GET that has none; `201` beside the `200` of the first POST that
/// answers JSON; the last GET marked deprecated.
fn additive_release(upstream: &Value) -> Release {
    let mut doc = upstream.clone();
    // What to change is chosen in upstream's document, so the changes made
    // so far do not steer the later choices.
    let ops = operations(upstream);
    let get = |(_, method): &&(String, String)| method == "get";
    let params = |path: &str, method: &str, location: &str| -> usize {
        upstream["paths"][path][method]["parameters"]
            .as_array()
            .map_or(0, |ps| ps.iter().filter(|p| p["in"] == location).count())
    };

    let (template_path, _) = ops
        .iter()
        .filter(get)
        .find(|(path, method)| {
            params(path, method, "path") == 1 && params(path, method, "query") == 0
        })
        .expect("a GET with one path parameter")
        .clone();
    let template = upstream["paths"][&template_path]["get"].clone();
    let answered = template["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .expect("the template answers a component schema")
        .to_string();
    let history = format!("{answered}History");
    let history_path = format!("{template_path}/history");
    let mut added = template.clone();
    added["operationId"] = json!(fastapi_id("get_history", "get", &history_path));
    added["summary"] = json!("Get the history of what the parent answers.");
    added["responses"]["200"]["content"]["application/json"]["schema"] =
        json!({ "$ref": format!("#/components/schemas/{history}") });
    doc["paths"][&history_path] = json!({ "get": added });
    doc["components"]["schemas"][&history] = json!({
        "title": history,
        "type": "object",
        "required": ["entries"],
        "properties": {
            "entries": { "title": "Entries", "type": "array", "items": { "$ref": format!("#/components/schemas/{answered}") } },
            "since": { "title": "Since", "type": "integer" },
        },
    });

    let new_tag = "Threat feeds".to_string();
    let feed = "ThreatFeedOutput".to_string();
    let feeds_path = "/v1/feed/all".to_string();
    let mut listing = template.clone();
    listing.as_object_mut().unwrap().remove("parameters");
    listing["operationId"] = json!(fastapi_id("get_all_feeds", "get", &feeds_path));
    listing["summary"] = json!("List the threat feeds.");
    listing["tags"] = json!([new_tag]);
    listing["responses"]["200"]["content"]["application/json"]["schema"] = json!({ "title": "Response Get All Feeds", "type": "array", "items": { "$ref": format!("#/components/schemas/{feed}") } });
    doc["paths"][&feeds_path] = json!({ "get": listing });
    doc["components"]["schemas"][&feed] = json!({
        "title": feed,
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": { "title": "Name", "type": "string" },
            "entries": { "title": "Entries", "type": "integer" },
        },
    });

    let (parameters_path, _) = ops
        .iter()
        .filter(get)
        .find(|(path, method)| {
            params(path, method, "query") == 0 && params(path, method, "header") == 0
        })
        .expect("a GET without query parameters")
        .clone();
    let op = &mut doc["paths"][&parameters_path]["get"];
    if op.get("parameters").is_none() {
        op["parameters"] = json!([]);
    }
    let list = op["parameters"].as_array_mut().unwrap();
    list.push(json!({ "in": "query", "name": "verbose", "required": false, "schema": { "title": "Verbose", "type": "boolean" } }));
    list.push(json!({ "in": "header", "name": "x-correlation-id", "required": false, "schema": { "title": "X-Correlation-Id", "type": "string" } }));
    list.push(json!({ "in": "cookie", "name": "tj_session", "required": false, "schema": { "title": "Tj Session", "type": "string" } }));

    let (status_path, _) = ops
        .iter()
        .find(|(path, method)| {
            method == "post"
                && upstream["paths"][path][method]
                    .pointer("/responses/200/content/application~1json")
                    .is_some()
        })
        .expect("a POST answering JSON")
        .clone();
    let ok = doc["paths"][&status_path]["post"]["responses"]["200"].clone();
    doc["paths"][&status_path]["post"]["responses"]["201"] = ok;

    let (deprecated_path, _) = ops.iter().rfind(get).expect("a GET").clone();
    doc["paths"][&deprecated_path]["get"]["deprecated"] = json!(true);

    let version = doc["info"]["version"].as_str().unwrap().to_string();
    let (head, patch) = version.rsplit_once('.').unwrap();
    doc["info"]["version"] = json!(format!("{head}.{}", patch.parse::<u32>().unwrap() + 1));
    Release {
        doc,
        in_old_tag: format!("GET {history_path}"),
        in_new_tag: format!("GET {feeds_path}"),
        new_tag,
        schemas: vec![history, feed],
        with_parameters: format!("GET {parameters_path}"),
        with_status: format!("POST {status_path}"),
        deprecated: format!("GET {deprecated_path}"),
    }
}

/// `cargo ARGS` in `dir`, building into `target`; panics with cargo's output on failure.
fn cargo(dir: &Path, target: &Path, args: &[&str]) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(dir)
        .args(args)
        .arg("--target-dir")
        .arg(target)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("running cargo");
    assert!(
        out.status.success(),
        "cargo {} failed:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "builds the crate four times and runs cargo-semver-checks (minutes): .ci/run runs it"]
fn an_unprepared_additive_release_is_bumped_as_a_patch() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target"));
    // The copy's builds need a target directory of their own: cargo names a
    // workspace member's build by its path in the workspace, so the copy's
    // library would replace the checkout's in a shared one. It stays between
    // runs, so only the first compiles the dependencies.
    let temp = target.join("unprepared-release");
    let root = temp.join("workspace");
    std::fs::remove_dir_all(&root).ok();
    let target = temp.join("target");
    crate::copy_workspace(&repo, &root).unwrap();
    let release =
        additive_release(&spec_io::read_document(&import::pinned_upstream("1.2.27")).unwrap());
    let upstream = temp.join("threatjammer-user-api-1.2.28.json");
    std::fs::write(&upstream, spec_io::canonical_text(&release.doc)).unwrap();

    let tool = Tool::find().unwrap().unwrap_or_else(|| {
        panic!("cargo-semver-checks {TOOL_VERSION} is needed: .ci/run installs it (THREATJAMMER_SEMVER_CHECKS)")
    });
    let verdicts = std::cell::RefCell::new(Vec::new());
    let check = |old: &str, new: &str| {
        let findings = semver_check(&tool, &root, old, new)?;
        verdicts.borrow_mut().push(findings.lines());
        Ok(Some(findings))
    };
    let Bumped {
        report,
        suggestion,
        undecided,
    } = bump(&upstream, &root, &check)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .expect("the release changes the spec of record");

    // Non-breaking by the model, and cargo-semver-checks agrees (the gate
    // lets no contradiction through; it ran once and found no major change).
    let breaking: Vec<_> = report
        .changes
        .iter()
        .filter(|c| c.rule.source_breaking || c.rule.wire_breaking)
        .map(|c| format!("{:?} {} {}", c.operation, c.location, c.rule.id))
        .collect();
    assert!(breaking.is_empty(), "{breaking:#?}");
    assert_eq!(suggestion.level, Level::Patch);
    assert_eq!(suggestion.next.to_string(), "0.1.1+api.1.2.28");
    let verdicts = verdicts.into_inner();
    assert_eq!(verdicts.len(), 1);
    assert!(verdicts[0].is_empty(), "{:#?}", verdicts[0]);
    assert_eq!(
        crate::manifest::current_version(&root).unwrap().to_string(),
        "0.1.1+api.1.2.28"
    );

    // Every addition is in the report, ranked as the model says.
    let listed: Vec<String> = report
        .changes
        .iter()
        .map(|c| format!("{:?} | {} | {}", c.operation, c.location, c.rule.id))
        .collect();
    let has = |op: &str, location: &str, rule: &str| {
        report.changes.iter().any(|c| {
            c.operation.as_deref() == Some(op) && c.location == location && c.rule.id == rule
        })
    };
    assert!(
        has(&release.in_old_tag, "operation", "operation-added"),
        "{listed:#?}"
    );
    assert!(
        has(&release.in_new_tag, "operation", "operation-added"),
        "{listed:#?}"
    );
    for (location, name) in [
        ("query", "verbose"),
        ("header", "x-correlation-id"),
        ("cookie", "tj_session"),
    ] {
        assert!(
            has(
                &release.with_parameters,
                &format!("{location} parameter {name}"),
                "parameter-added-optional"
            ),
            "{location} {name}"
        );
    }
    assert!(
        has(&release.with_status, "response 201", "success-status-added"),
        "{listed:#?}"
    );
    assert!(report.changes.iter().any(|c| c.operation.as_deref()
        == Some(release.deprecated.as_str())
        && c.rule.id == "keyword-changed"));
    for schema in &release.schemas {
        assert!(
            report
                .changes
                .iter()
                .any(|c| c.location == format!("schema {schema}") && c.rule.id == "schema-added"),
            "{schema}"
        );
    }

    // What is left to decide is listed: both new operations' names and facts,
    // the new schemas' descriptions, the cookie the build leaves out.
    let sorted = |mut list: Vec<String>| {
        list.sort();
        list
    };
    assert_eq!(
        sorted(
            undecided
                .names
                .iter()
                .map(|(op, name)| format!("{op} {name}"))
                .collect()
        ),
        sorted(vec![
            format!("{} get_all_feeds", release.in_new_tag),
            format!("{} get_history", release.in_old_tag),
        ])
    );
    assert_eq!(
        sorted(undecided.facts.clone()),
        sorted(vec![release.in_new_tag.clone(), release.in_old_tag.clone()])
    );
    assert_eq!(
        sorted(undecided.schemas.clone()),
        sorted(release.schemas.clone())
    );
    assert_eq!(
        undecided.cookies,
        [format!("{}: tj_session", release.with_parameters)]
    );

    // The crate builds on the new spec of record, with every feature a user
    // may turn on, and its tests pass: the library's own, and the ones that
    // send and decode through the client (errors, pages, drift). The
    // gates that name what is left to decide (tests/operation_facts.rs,
    // tests/schema_docs.rs, the fixture coverage, the public API snapshot)
    // fail until it is decided, as they should; the new tag's area is
    // generated from the tag.
    cargo(
        &root,
        &target,
        &[
            "build",
            "--locked",
            "--quiet",
            "-p",
            "threatjammer",
            "-p",
            "threatjammer-cli",
            "--features",
            "threatjammer/dynamic,threatjammer/cache,threatjammer/schemars",
        ],
    );
    cargo(
        &root,
        &target,
        &[
            "test",
            "--locked",
            "--quiet",
            "-p",
            "threatjammer",
            "--lib",
            "--test",
            "face_errors",
            "--test",
            "face_pages",
            "--test",
            "drift",
        ],
    );
    let spec = std::fs::read_to_string(root.join("openapi/threatjammer.json")).unwrap();
    assert!(spec.contains(&format!("\"{}\"", release.new_tag)));
}
