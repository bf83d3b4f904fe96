//! `cargo xtask spec diff` on the two published upstream documents, through the
//! command line and its documented JSON shape.
//!
//! The upstream README says 1.2.27 adds one operation, optional paging parameters,
//! one schema and one required response property. Read precisely, that is: `PUT
//! /v1/origin/status` with its body schema; `page` and `page_size` on the two
//! private list-content reads; and `subscriptions`, required, in
//! `v1__models__source__SourceOutput`, which the two source reads return. The rest
//! of the textual difference is prose (six descriptions).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("running xtask");
    assert!(output.status.code().is_some(), "xtask was killed");
    output
}

fn diff_json(old: &Path, new: &Path) -> Value {
    let output = xtask(&[
        "spec",
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

/// The pinned 1.2.20 and 1.2.27 documents (openapi/upstream/README.md).
fn documents() -> (PathBuf, PathBuf) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/upstream");
    (
        dir.join("threatjammer-user-api-1.2.20.yaml"),
        dir.join("threatjammer-user-api-1.2.27.yaml"),
    )
}

/// (operation, location, rule, schema) of every change, in output order.
fn changes(report: &Value) -> Vec<(String, String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                text(&c["operation"]),
                text(&c["location"]),
                text(&c["rule"]),
                text(&c["schema"]),
            )
        })
        .collect()
}

const ALLOW: &str = "GET /v1/allowlist/private/{allowlist_id}/content";
const DENY: &str = "GET /v1/denylist/private/{denylist_id}/content";
const SOURCE: &str = "v1__models__source__SourceOutput";
const BODY: &str = "Body_update_origin_status_v1_origin_status_put";

/// The changes, in the order the report lists them (by path, then method, then kind),
/// with the rule for the forward and for the reverse direction.
fn expected() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
)> {
    vec![
        (
            ALLOW,
            "query parameter page",
            "parameter-added-optional",
            "parameter-removed-optional",
            "",
        ),
        (
            ALLOW,
            "query parameter page_size",
            "parameter-added-optional",
            "parameter-removed-optional",
            "",
        ),
        (
            DENY,
            "query parameter page",
            "parameter-added-optional",
            "parameter-removed-optional",
            "",
        ),
        (
            DENY,
            "query parameter page_size",
            "parameter-added-optional",
            "parameter-removed-optional",
            "",
        ),
        (
            "PUT /v1/origin/status",
            "operation",
            "operation-added",
            "operation-removed",
            "",
        ),
        (
            "GET /v1/source/ip",
            "response 200: sources[].subscriptions",
            "response-property-added-required",
            "response-property-removed-required",
            SOURCE,
        ),
        (
            "GET /v1/source/ip/{source}",
            "response 200: subscriptions",
            "response-property-added-required",
            "response-property-removed-required",
            SOURCE,
        ),
        (
            "",
            "schema Body_update_origin_status_v1_origin_status_put",
            "schema-added",
            "schema-removed",
            BODY,
        ),
    ]
}

#[test]
fn upstream_1_2_20_to_1_2_27_finds_each_real_change_and_nothing_else() {
    let (old, new) = documents();
    let report = diff_json(&old, &new);
    let want: Vec<_> = expected()
        .into_iter()
        .map(|(op, loc, fwd, _, schema)| {
            (
                op.to_string(),
                loc.to_string(),
                fwd.to_string(),
                schema.to_string(),
            )
        })
        .collect();
    assert_eq!(changes(&report), want);
    assert_eq!(report["api"]["old"], "1.2.20");
    assert_eq!(report["api"]["new"], "1.2.27");
    // The optional `page` and `page_size` on two operations are setters on their request
    // builders, so no code breaks; the required `subscriptions` breaks a new client talking
    // to an old server, on two operations.
    assert_eq!(report["summary"]["source_breaking"], 0);
    assert_eq!(report["summary"]["wire_breaking"], 2);
    assert_eq!(report["summary"]["prose_changes"], 6);
    for change in report["changes"].as_array().unwrap() {
        if change["rule"]
            .as_str()
            .unwrap()
            .starts_with("parameter-added")
        {
            assert_eq!(change["new"], "integer");
        }
        if change["rule"] == "response-property-added-required" {
            assert_eq!(change["new"], "array of string (enum)");
        }
    }
    assert!(report["semver"]["suggested"]
        .as_str()
        .unwrap()
        .ends_with("+api.1.2.27"));
    assert_ne!(
        report["semver"]["bump"], "patch",
        "breaking changes never make a patch release"
    );
}

#[test]
fn upstream_1_2_27_to_1_2_20_ranks_the_same_changes_the_other_way() {
    let (old, new) = documents();
    let report = diff_json(&new, &old);
    let want: Vec<_> = expected()
        .into_iter()
        .map(|(op, loc, _, rev, schema)| {
            (
                op.to_string(),
                loc.to_string(),
                rev.to_string(),
                schema.to_string(),
            )
        })
        .collect();
    assert_eq!(changes(&report), want);
    // Every removal breaks code; the removed operation and the required field a
    // new server leaves out also break the wire.
    assert_eq!(report["summary"]["source_breaking"], 8);
    assert_eq!(report["summary"]["wire_breaking"], 3);
    assert_eq!(report["summary"]["prose_changes"], 6);
}

#[test]
fn markdown_is_the_default_and_fail_on_sets_the_exit_code() {
    let (old, new) = documents();
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());

    let output = xtask(&["spec", "diff", old, new]);
    assert!(output.status.success());
    let markdown = String::from_utf8(output.stdout).unwrap();
    assert!(
        markdown.starts_with("## ThreatJammer.com User API 1.2.20 → 1.2.27\n"),
        "{markdown}"
    );
    assert!(markdown.contains(
        "| `GET /v1/source/ip` | response 200: sources[].subscriptions (in v1__models__source__SourceOutput) | response field added (required): `array of string (enum)` | no | **breaking** | `response-property-added-required` |"
    ));
    assert!(markdown.contains(
        "Prose-only changes (descriptions, summaries, titles, examples): 6, not listed."
    ));

    // The release breaks the wire (a required response field) and no code.
    for (fail_on, code) in [("source", 0), ("wire", 1), ("any", 1)] {
        assert_eq!(
            xtask(&["spec", "diff", old, new, "--fail-on", fail_on])
                .status
                .code(),
            Some(code),
            "--fail-on {fail_on}"
        );
        // A document against itself trips nothing.
        assert_eq!(
            xtask(&["spec", "diff", new, new, "--fail-on", fail_on])
                .status
                .code(),
            Some(0),
            "--fail-on {fail_on}"
        );
    }
}

/// Needs no upstream documents: two tiny specs where only an optional query
/// parameter is added, which breaks source but not the wire.
#[test]
fn fail_on_tells_source_from_wire() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{"openapi": "3.0.2", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {"operationId": "get_x", "responses": {"200": {"description": "OK"}}}}}}"#;
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.yaml"));
    std::fs::write(&old, json).unwrap();
    // YAML on one side: either format is read. A renamed operation breaks code
    // (the method's name) and not the wire (the same request).
    let yaml = "openapi: 3.0.2\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: fetch_x\n      responses:\n        '200': {description: OK}\n";
    std::fs::write(&new, yaml).unwrap();
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let code = |fail_on: &str| {
        xtask(&["spec", "diff", old, new, "--fail-on", fail_on])
            .status
            .code()
    };
    assert_eq!(code("source"), Some(1));
    assert_eq!(code("wire"), Some(0));
    assert_eq!(code("any"), Some(1));
    let neutral = xtask(&["spec", "diff", new, new, "--fail-on", "any"]);
    assert_eq!(neutral.status.code(), Some(0));
}
