//! The drift loop, whole, against a server nobody here wrote: Prism in
//! dynamic mode (which also invents fields of its own in every open object)
//! serving a copy of upstream 1.2.27 that has moved on: fields added to an
//! answer at its top level, to the items of a listed answer and under a
//! schema another refers to (which the spec of record wraps in an `allOf`),
//! and an enum's values replaced. In a copy of the workspace: observe
//! (`conformance --operations --drift`), import the proposal (`spec import
//! --overlay`), rebuild, observe again. Every planted change must be reported
//! and proposed, the proposal must import, and the second run must report
//! nothing the first did, with every operation succeeding both times.
//!
//! Needs Prism: `.ci/prism` installs it and runs this test with
//! THREATJAMMER_PRISM set to its binary.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// (component schema, property) whose enum values are all replaced (`ip` by
/// `ip_V2`), so that whichever one Prism picks is one the spec of record does
/// not list.
const ENUM_REPLACED: (&str, &str) = ("DatasetTypeOutput", "status");

/// (component schema, field, its schema) added to answers; required in the
/// served document, so that Prism always sends them.
fn planted_fields() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        // The geolocation answer, at its top level.
        ("GeoIPOutput", "accuracy_km", json!({"type": "number"})),
        // Every item of the private lists' listing (and the answer for one list).
        (
            "PrivateAclGroupListOutput",
            "owner",
            json!({"type": "string"}),
        ),
        // Under `origins`, a `$ref` the schemas overlay wraps in an `allOf`.
        (
            "AclGroupOriginCollectionOutput",
            "total",
            json!({"type": "integer"}),
        ),
    ]
}

/// Upstream's document with the planted changes.
fn drifted(upstream: &Value) -> Value {
    let mut doc = upstream.clone();
    let schemas = &mut doc["components"]["schemas"];
    for (schema, field, shape) in planted_fields() {
        schemas[schema]["properties"][field] = shape;
        schemas[schema]["required"]
            .as_array_mut()
            .expect("a schema with required fields")
            .push(json!(field));
    }
    let (schema, property) = ENUM_REPLACED;
    let values = &mut schemas[schema]["properties"][property]["enum"];
    *values = Value::Array(
        values
            .as_array()
            .expect("an enum")
            .iter()
            .map(|v| json!(format!("{}_V2", v.as_str().expect("text"))))
            .collect(),
    );
    doc
}

/// Prism on a free loopback port, ended when dropped.
struct Prism {
    child: Child,
    url: String,
}

impl Prism {
    fn start(prism: &Path, document: &Path) -> Prism {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(prism)
            .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--dynamic", "--seed", "1"])
            .arg(document)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting Prism");
        let prism = Prism {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "Prism did not start within two minutes"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        prism
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// One finding line of the run: (operation, kind, path).
type Finding = (String, String, String);

struct Run {
    findings: BTreeSet<Finding>,
    /// Every finding line as printed, for messages.
    lines: Vec<String>,
    tally: String,
    succeeded: bool,
}

/// `cargo xtask conformance --base-url URL --operations --drift OVERLAY` in
/// the workspace copy.
fn observe(root: &Path, target: &Path, url: &str, overlay: &Path) -> Run {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .args([
            "xtask",
            "conformance",
            "--base-url",
            url,
            "--operations",
            "--drift",
        ])
        .arg(overlay)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("running cargo xtask conformance");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tally = stdout
        .lines()
        .find(|l| l.contains("operations succeeded"))
        .unwrap_or_else(|| panic!("no tally:\n{stdout}\n{stderr}"))
        .to_string();
    let mut run = Run {
        findings: BTreeSet::new(),
        lines: Vec::new(),
        tally,
        succeeded: out.status.success(),
    };
    // `drift  <operation>  <kind>[ at <path>]: <example> (<n> answers)`
    for line in stdout.lines().filter_map(|l| l.strip_prefix("drift  ")) {
        run.lines.push(line.to_string());
        let Some((operation, rest)) = line.split_once("  ") else {
            continue;
        };
        let head = rest.split(": ").next().unwrap_or(rest);
        let (kind, path) = head.split_once(" at ").unwrap_or((head, ""));
        // An unlisted value's finding is its value: two values, two findings.
        let path = if kind == "unlisted value" {
            format!(
                "{path}={}",
                rest.split(": ")
                    .nth(1)
                    .unwrap_or("")
                    .rsplit_once(" (")
                    .map_or("", |(v, _)| v)
            )
        } else {
            path.to_string()
        };
        run.findings
            .insert((operation.to_string(), kind.to_string(), path));
    }
    run
}

#[test]
#[ignore = "needs Prism (THREATJAMMER_PRISM) and builds the conformance tool twice: .ci/prism runs it"]
fn the_drift_loop_closes_on_a_noisy_server() {
    let prism = PathBuf::from(
        std::env::var_os("THREATJAMMER_PRISM")
            .expect("THREATJAMMER_PRISM: the Prism binary (.ci/prism installs it)"),
    );
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target"));
    // The copy's builds need a target directory of their own: cargo names a
    // workspace member's build by its path in the workspace, so the copy's
    // library would replace the checkout's in a shared one. It stays between
    // runs, so only the first compiles the dependencies.
    let scratch = target.join("drift-loop");
    let root = scratch.join("workspace");
    std::fs::remove_dir_all(&root).ok();
    let target = scratch.join("target");
    threatjammer_spec::copy_workspace(&repo, &root).unwrap();
    let upstream = repo.join("openapi/upstream/threatjammer-user-api-1.2.27.yaml");
    let served = scratch.join("drifted.json");
    let document = drifted(&threatjammer_spec::spec_io::read_document(&upstream).unwrap());
    std::fs::write(&served, serde_json::to_string_pretty(&document).unwrap()).unwrap();
    let proposal = scratch.join("proposal.yaml");

    // Observe.
    let first = {
        let server = Prism::start(&prism, &served);
        observe(&root, &target, &server.url, &proposal)
    };
    assert!(first.succeeded, "{}\n{:#?}", first.tally, first.lines);

    // Every planted change is reported and proposed where its schema is.
    let text = std::fs::read_to_string(&proposal).unwrap();
    let overlay: Value = serde_yaml_ng::from_str(&text).unwrap();
    let actions = overlay["actions"].as_array().expect("actions");
    for (schema, field, _) in planted_fields() {
        assert!(
            first
                .findings
                .iter()
                .any(|(_, kind, path)| kind == "unknown field"
                    && path.rsplit('.').next() == Some(field)),
            "{field} not reported:\n{:#?}",
            first.lines
        );
        assert!(
            actions.iter().any(|a| a["target"]
                == format!("$.components.schemas['{schema}'].properties")
                && a["update"].get(field).is_some()),
            "{schema}.{field} not proposed:\n{text}"
        );
    }
    let (schema, property) = ENUM_REPLACED;
    assert!(
        first
            .findings
            .iter()
            .any(|(_, kind, path)| kind == "unlisted value"
                && path.contains(&format!("{property}="))
                && path.ends_with("_V2")),
        "the replaced {schema}.{property} not reported:\n{:#?}",
        first.lines
    );
    assert!(
        actions.iter().any(|a| a["target"]
            == format!("$.components.schemas['{schema}'].properties['{property}'].enum")),
        "the replaced {schema}.{property} not proposed:\n{text}"
    );

    // Import the proposal: the spec of record now says what the service sends.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(&cargo)
        .current_dir(&root)
        .args(["xtask", "spec", "import"])
        .arg(&upstream)
        .arg("--overlay")
        .arg(&proposal)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the proposal does not import:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Rebuild (the runner links the library, built from the new spec of
    // record) and observe the same server again, from the same start.
    let second = {
        let server = Prism::start(&prism, &served);
        observe(&root, &target, &server.url, &scratch.join("again.yaml"))
    };
    assert!(second.succeeded, "{}\n{:#?}", second.tally, second.lines);
    let left: Vec<&Finding> = first.findings.intersection(&second.findings).collect();
    assert!(
        left.is_empty(),
        "still reported after importing the proposal:\n{left:#?}\n{text}"
    );
    assert!(!first.findings.is_empty());
    eprintln!(
        "first run: {} findings, {} ({}); second run: {} findings, none of the first's",
        first.findings.len(),
        actions.len(),
        first.tally,
        second.findings.len()
    );
}
