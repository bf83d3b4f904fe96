//! `spec bump`: move the crate to a new upstream document in one command.
//!
//! Diffs the spec of record against the import of the new document, writes the
//! import, prepends the diff to CHANGELOG.md under the new version, and sets that
//! version in Cargo.toml (and Cargo.lock, so `--locked` builds keep working).
//! Every new file is prepared before the first is written, so a failure leaves the
//! workspace as it was. Before writing, it builds the crate on the old and on the
//! new spec and runs cargo-semver-checks on the two (`semver_checks`): a release
//! line that the tool contradicts (no breaking change where it finds one, or the
//! other way round) is refused. Then the command lists the public API the new
//! spec generates and prints how it differs from snapshots/public_api.snap, which
//! it rewrites.

use crate::diff::{self, render, Report, Suggestion};
use crate::import::{self, SpecFiles};
use crate::manifest::{package_version, read_toml};
use crate::public_api;
use crate::semver_checks::{self, Findings, Tool, Workbench};
use crate::spec_io;
use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use toml_edit::{value, DocumentMut};

/// The rule the build names unnamed operations by, from the build itself.
#[path = "../../../build/names.rs"]
mod names;

#[derive(clap::Args)]
pub struct BumpArgs {
    /// The new upstream OpenAPI document.
    upstream: PathBuf,
    /// The workspace to bump (default: this one).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Bump without cargo-semver-checks when it is not installed (it still runs
    /// when it is). Also THREATJAMMER_ALLOW_MISSING_SEMVER_CHECKS=1.
    #[arg(long)]
    allow_missing_semver_checks: bool,
}

pub fn run(args: &BumpArgs, default_root: &Path) -> Result<()> {
    let root = args.root.as_deref().unwrap_or(default_root);
    let allow_missing = args.allow_missing_semver_checks
        || std::env::var_os("THREATJAMMER_ALLOW_MISSING_SEMVER_CHECKS").is_some_and(|v| v == "1");
    let tool = Tool::find()?;
    if tool.is_none() {
        if !allow_missing {
            bail!(
                "spec bump checks its release line with cargo-semver-checks {v}, which is not installed: \
                 cargo install --locked cargo-semver-checks --version {v} \
                 (or, only where it cannot be installed, --allow-missing-semver-checks)",
                v = semver_checks::TOOL_VERSION
            );
        }
        eprintln!("{}", "!".repeat(78));
        eprintln!(
            "!! cargo-semver-checks {} is not installed: the release line below is\n\
             !! spec diff's model alone, NOT checked against the generated crate.\n\
             !! Install it and bump again before releasing.",
            semver_checks::TOOL_VERSION
        );
        eprintln!("{}", "!".repeat(78));
    }
    let check = |old: &str, new: &str| -> Result<Option<Findings>> {
        tool.as_ref()
            .map(|tool| semver_check(tool, root, old, new))
            .transpose()
    };
    match bump(&args.upstream, root, &check)? {
        None => println!(
            "openapi/ already matches {}; nothing to bump",
            args.upstream.display()
        ),
        Some(bumped) => {
            print_next_steps(&args.upstream, &bumped);
            show_api_change(root);
        }
    }
    Ok(())
}

/// cargo-semver-checks' findings on the crate at `root` built on the `old` and
/// on the `new` spec of record (texts), in a scratch copy.
pub fn semver_check(tool: &Tool, root: &Path, old: &str, new: &str) -> Result<Findings> {
    println!(
        "Building the crate on the old and the new spec for cargo-semver-checks {} ...",
        semver_checks::TOOL_VERSION
    );
    let scratch = std::env::temp_dir().join(format!("threatjammer-bump-{}", std::process::id()));
    let result = (|| {
        let bench = Workbench::new(root, &scratch, &semver_checks::default_target_dir())?;
        let (old_json, _) = bench.rustdoc(old, "old")?;
        let (new_json, _) = bench.rustdoc(new, "new")?;
        tool.major_findings(&old_json, &new_json)
    })();
    std::fs::remove_dir_all(&scratch).ok();
    result
}

/// Lists the public API the new spec generates, prints how it differs from the
/// snapshot, and writes the snapshot, so the commit shows users' side of the bump.
/// The bump itself is done by then: a failure here is reported, not undone.
fn show_api_change(root: &Path) {
    println!("\nListing the public API (cargo xtask public-api) ...");
    let listed = public_api::snapshot_listing(root).and_then(|before| {
        let after = public_api::listing(root)?;
        public_api::write_snapshot(root, &after)?;
        Ok((before, after))
    });
    match listed {
        Ok((before, after)) if before == after => println!("The public API is unchanged."),
        Ok((before, after)) => {
            let diff = similar::TextDiff::from_lines(&before, &after);
            println!(
                "Wrote {}; the public API changes so:\n\n{}",
                public_api::SNAPSHOT,
                diff.unified_diff()
                    .context_radius(0)
                    .header("public API before", "public API after")
            );
        }
        Err(e) => eprintln!(
            "Could not list the public API: {e:#}\nOnce the crate builds, run `cargo xtask public-api --write` and review the change."
        ),
    }
}

/// What a bump did.
pub struct Bumped {
    pub report: Report,
    pub suggestion: Suggestion,
    /// What the overlays do not say yet about the new spec of record, which
    /// the generated code takes defaults for.
    pub undecided: Undecided,
}

/// What is left to decide after a bump: what nobody prepared in the overlays,
/// for which the build took its defaults (build/facts.rs).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Undecided {
    /// `(METHOD /path, method name)` of every operation that still carries
    /// upstream's FastAPI operationId, with the name the build gives it
    /// (build/names.rs).
    pub names: Vec<(String, String)>,
    /// `METHOD /path` of every operation without the project's facts
    /// (`x-threatjammer`: area, whether it is safe to repeat, ...).
    pub facts: Vec<String>,
    /// Component schemas without a description.
    pub schemas: Vec<String>,
    /// `METHOD /path: name` of the cookie parameters the build leaves out.
    pub cookies: Vec<String>,
}

impl Undecided {
    /// Reads them off a spec of record.
    pub fn of(doc: &Value) -> Undecided {
        let mut found: Vec<(String, String, String)> = Vec::new();
        let mut undecided = Undecided::default();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(id) = op["operationId"].as_str() else {
                    continue;
                };
                let shown = format!("{} {path}", method.to_uppercase());
                if op.get("x-threatjammer").is_none() {
                    undecided.facts.push(shown.clone());
                }
                for param in op["parameters"].as_array().into_iter().flatten() {
                    if param["in"] == "cookie" {
                        undecided.cookies.push(format!(
                            "{shown}: {}",
                            param["name"].as_str().unwrap_or("?")
                        ));
                    }
                }
                found.push((method.clone(), path.clone(), id.to_string()));
            }
        }
        let listed: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|(m, p, i)| (m.as_str(), p.as_str(), i.as_str()))
            .collect();
        for ((method, path, id), name) in found.iter().zip(names::method_names(&listed)) {
            if names::fastapi_handler(id, method, path).is_some() {
                undecided
                    .names
                    .push((format!("{} {path}", method.to_uppercase()), name));
            }
        }
        undecided.schemas = doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, schema)| schema.get("description").is_none())
            .map(|(name, _)| name.clone())
            .collect();
        undecided
    }

    pub fn is_empty(&self) -> bool {
        *self == Undecided::default()
    }
}

/// What cargo-semver-checks makes of moving the crate from one spec of record
/// to another; None when it is not run (not installed, and allowed to be missing).
pub type SemverCheck<'a> = &'a dyn Fn(&str, &str) -> Result<Option<Findings>>;

/// Does the bump; None when the import would not change the spec of record.
pub fn bump(upstream: &Path, root: &Path, check: SemverCheck) -> Result<Option<Bumped>> {
    let files = SpecFiles::in_workspace(root);
    let old_text = std::fs::read_to_string(&files.spec)
        .with_context(|| format!("reading {}", files.spec.display()))?;
    let new_text = import::import_text(upstream, &files.overlays)?;
    if old_text == new_text {
        return Ok(None);
    }
    let new_doc = spec_io::parse_document(&new_text)?;
    let report = diff::compare(&spec_io::parse_document(&old_text)?, &new_doc);
    let undecided = Undecided::of(&new_doc);

    let manifest_path = root.join("Cargo.toml");
    let mut manifest = read_toml(&manifest_path)?;
    let suggestion = diff::suggest(&report, &package_version(&manifest)?)?;
    gate(&report, &suggestion, check(&old_text, &new_text)?.as_ref())?;
    let next = suggestion.next.to_string();
    let package = manifest["package"]["name"]
        .as_str()
        .ok_or_else(|| anyhow!("Cargo.toml has no package.name"))?
        .to_string();
    manifest["package"]["version"] = value(&next);

    let lock_path = root.join("Cargo.lock");
    let lock = if lock_path.exists() {
        let mut lock = read_toml(&lock_path)?;
        set_locked_version(&mut lock, &package, &next)?;
        Some(lock.to_string())
    } else {
        None
    };

    let changelog_path = root.join("CHANGELOG.md");
    let changelog = match std::fs::read_to_string(&changelog_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", changelog_path.display())),
    };
    let entry = format!(
        "## {next}\n\n{}",
        render::markdown(&report, Some(&suggestion), 3)
    );
    let changelog = with_entry(changelog.as_deref(), &entry);

    write(&files.spec, &new_text)?;
    write(&manifest_path, &manifest.to_string())?;
    if let Some(lock) = lock {
        write(&lock_path, &lock)?;
    }
    write(&changelog_path, &changelog)?;
    Ok(Some(Bumped {
        report,
        suggestion,
        undecided,
    }))
}

/// Refuses a release line that cargo-semver-checks contradicts: the model ranks
/// no change source-breaking while the tool finds a major change in the
/// generated crate, or the model ranks some source-breaking while the tool finds
/// none. Either way `spec diff`'s rules (tools/spec/src/diff/rules.rs) and the
/// generated face have parted, and `cargo xtask semver-model` says where.
/// Wire ranks are the model's alone: the tool does not see the wire.
pub fn gate(report: &Report, suggestion: &Suggestion, findings: Option<&Findings>) -> Result<()> {
    let Some(findings) = findings else {
        return Ok(());
    };
    let source = report.source_breaking();
    if findings.is_breaking() && source == 0 {
        bail!(
            "refusing the release line \"{} {} -> {}\": spec diff ranks no change source-breaking, \
             but cargo-semver-checks finds major changes in the generated crate:\n  {}\n\
             spec diff's model (tools/spec/src/diff/rules.rs) and the generated face disagree; \
             `cargo xtask semver-model` shows which change and which lint. Nothing was written.",
            suggestion.level.name(),
            suggestion.current,
            suggestion.next,
            findings.lines().join("\n  ")
        );
    }
    if !findings.is_breaking() && source > 0 {
        let listed: Vec<String> = report
            .changes
            .iter()
            .filter(|c| c.rule.source_breaking)
            .map(|c| {
                format!(
                    "{} {} ({})",
                    c.operation.as_deref().unwrap_or("—"),
                    c.location,
                    c.rule.id
                )
            })
            .collect();
        bail!(
            "refusing the release line \"{} {} -> {}\": spec diff ranks {source} change(s) source-breaking, \
             but cargo-semver-checks finds no major change in the generated crate:\n  {}\n\
             spec diff's model (tools/spec/src/diff/rules.rs) and the generated face disagree; \
             `cargo xtask semver-model` shows which change and which lint. Nothing was written.",
            suggestion.level.name(),
            suggestion.current,
            suggestion.next,
            listed.join("\n  ")
        );
    }
    Ok(())
}

/// Cargo.lock records each workspace member's version; one that disagrees with
/// Cargo.toml makes `cargo build --locked` fail.
fn set_locked_version(lock: &mut DocumentMut, package: &str, version: &str) -> Result<()> {
    let packages = lock
        .get_mut("package")
        .and_then(|p| p.as_array_of_tables_mut())
        .ok_or_else(|| anyhow!("Cargo.lock has no [[package]] entries"))?;
    // Registry packages carry a `source`; the workspace member does not.
    let member = packages
        .iter_mut()
        .find(|p| {
            p.get("name").and_then(|n| n.as_str()) == Some(package) && !p.contains_key("source")
        })
        .ok_or_else(|| anyhow!("Cargo.lock does not list the workspace package {package}"))?;
    member["version"] = value(version);
    Ok(())
}

/// Puts the entry above the newest one, below the file's title and introduction;
/// starts the file when there is none.
fn with_entry(changelog: Option<&str>, entry: &str) -> String {
    let Some(text) = changelog else {
        return format!("# Changelog\n\n{entry}");
    };
    let first_entry = text
        .match_indices("\n## ")
        .next()
        .map(|(i, _)| i + 1)
        .or_else(|| text.starts_with("## ").then_some(0));
    match first_entry {
        Some(at) => format!("{}{entry}\n{}", &text[..at], &text[at..]),
        None => format!("{}\n\n{entry}", text.trim_end()),
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn print_next_steps(upstream: &Path, bumped: &Bumped) {
    let Bumped {
        report,
        suggestion,
        undecided,
    } = bumped;
    println!(
        "Bumped {} -> {} ({}): {}.",
        suggestion.current,
        suggestion.next,
        suggestion.level.name(),
        suggestion.reason
    );
    println!("Wrote openapi/threatjammer.json, the version in Cargo.toml (and Cargo.lock) and a CHANGELOG.md entry.\n");
    println!("Still to do by hand:");
    println!("  - Read the CHANGELOG.md entry and add what users should know beyond the table.");
    if !undecided.is_empty() {
        println!(
            "  - Left to decide: the build took its defaults for what the overlays do not say yet"
        );
        println!(
            "    (build/facts.rs); decide each, then `cargo xtask spec import {}`.",
            upstream.display()
        );
        println!("    Renaming a method later is a breaking change, so name new operations before releasing.");
    }
    if !undecided.names.is_empty() {
        println!("    Names (openapi/operations.overlay.yaml; upstream's FastAPI operationId, and the method name the build gives):");
        for (op, name) in &undecided.names {
            println!("      {op}  ->  {name}");
        }
    }
    if !undecided.facts.is_empty() {
        println!("    Facts (`x-threatjammer` in openapi/operations.overlay.yaml; taken as not safe to repeat,");
        println!("    not paged, not cached, changing no lists, serving no link, in the area of its tag):");
        for op in &undecided.facts {
            println!("      {op}");
        }
    }
    if !undecided.schemas.is_empty() {
        println!("    Descriptions (openapi/schemas.overlay.yaml):");
        for schema in &undecided.schemas {
            println!("      {schema}");
        }
    }
    if !undecided.cookies.is_empty() {
        println!(
            "    Cookie parameters, which the build leaves out (progenitor cannot send them):"
        );
        for param in &undecided.cookies {
            println!("      {param}");
        }
    }
    println!("    A new area (tag) also wants its example in src/areas.rs and a row in build/docs_passes.rs.");
    let added: Vec<&str> = report.added_operations().collect();
    if !added.is_empty() {
        println!("  - Add a fixture under tests/fixtures/ for each new operation (the coverage gate names any without one):");
        for op in added {
            println!("      {op}");
        }
    }
    println!(
        "  - `cargo test`, then `cargo insta review` to accept or reject the snapshot changes."
    );
    println!(
        "  - Point the drift gate in .ci/run and `threatjammer spec check` (RECORDED in cli/src/spec_check.rs) at {}, and run .ci/run.",
        upstream.display()
    );
}

#[cfg(test)]
mod unprepared;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::current_version;
    use crate::semver_checks::{Lint, LintLevel};
    use semver::Version;
    use serde_json_path::JsonPath;

    #[test]
    fn a_new_entry_goes_above_the_newest_one() {
        let entry = "## 0.2.0\n\nnew\n";
        assert_eq!(with_entry(None, entry), "# Changelog\n\n## 0.2.0\n\nnew\n");
        assert_eq!(
            with_entry(Some("# Changelog\n\nIntro.\n\n## 0.1.0\n\nold\n"), entry),
            "# Changelog\n\nIntro.\n\n## 0.2.0\n\nnew\n\n## 0.1.0\n\nold\n"
        );
        assert_eq!(
            with_entry(Some("## 0.1.0\n\nold\n"), entry),
            "## 0.2.0\n\nnew\n\n## 0.1.0\n\nold\n"
        );
        assert_eq!(
            with_entry(Some("# Changelog\n\nIntro.\n"), entry),
            "# Changelog\n\nIntro.\n\n## 0.2.0\n\nnew\n"
        );
    }

    #[test]
    fn the_lock_file_follows_the_workspace_package_only() {
        let mut lock: DocumentMut = "version = 4\n\n[[package]]\nname = \"threatjammer\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"threatjammer\"\nversion = \"0.1.0+api.1.2.20\"\ndependencies = [\"bytes\"]\n".parse().unwrap();
        set_locked_version(&mut lock, "threatjammer", "0.2.0+api.1.2.27").unwrap();
        let text = lock.to_string();
        assert!(
            text.contains("name = \"threatjammer\"\nversion = \"1.0.0\"\nsource"),
            "{text}"
        );
        assert!(
            text.contains("name = \"threatjammer\"\nversion = \"0.2.0+api.1.2.27\"\ndependencies"),
            "{text}"
        );
        assert!(set_locked_version(&mut lock, "absent", "1.0.0").is_err());
    }

    #[test]
    fn upstream_operation_ids_are_told_from_the_projects() {
        let doc = serde_json::json!({ "paths": { "/v1/origin/status": {
            "put": { "operationId": "update_origin_status_v1_origin_status_put", "x-threatjammer": {} },
            "post": { "operationId": "query_origin_status", "x-threatjammer": {} }
        }, "/v1/source/ip/{source}": {
            "get": { "operationId": "get_source_info_v1_source_ip__source__get" },
            "put": { "operationId": "query_origin_status_v1_source_ip__source__put",
                     "parameters": [{ "in": "cookie", "name": "session" }] }
        } }, "components": { "schemas": { "Said": { "description": "d" }, "Unsaid": {} } } });
        let undecided = Undecided::of(&doc);
        assert_eq!(
            undecided.names,
            [
                (
                    "PUT /v1/origin/status".to_string(),
                    "update_origin_status".to_string()
                ),
                (
                    "GET /v1/source/ip/{source}".to_string(),
                    "get_source_info".to_string()
                ),
                // The handler's name is taken: the whole id, in snake case.
                (
                    "PUT /v1/source/ip/{source}".to_string(),
                    "query_origin_status_v1_source_ip_source_put".to_string()
                ),
            ]
        );
        assert_eq!(
            undecided.facts,
            ["GET /v1/source/ip/{source}", "PUT /v1/source/ip/{source}"]
        );
        assert_eq!(undecided.cookies, ["PUT /v1/source/ip/{source}: session"]);
        assert_eq!(undecided.schemas, ["Unsaid"]);
    }

    /// The overlays as they stood when 1.2.20 was current: the repository's, without
    /// the actions about parts of the API only 1.2.27 has (they select nothing in
    /// 1.2.20, which the import rightly treats as an error). Actions that select
    /// nothing in either raw document target what earlier actions add, and stay.
    fn overlay_before(text: &str, older: &Value, newer: &Value) -> String {
        let mut overlay: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).unwrap();
        let selects =
            |doc: &Value, target: &str| !JsonPath::parse(target).unwrap().query(doc).is_empty();
        let actions = overlay["actions"].as_sequence_mut().unwrap();
        actions.retain(|action| {
            let target = action["target"].as_str().unwrap();
            selects(older, target) || !selects(newer, target)
        });
        serde_yaml_ng::to_string(&overlay).unwrap()
    }

    /// A copy of the repository's spec files at 1.2.20 in `root`, with a changelog
    /// that has history; returns the spec of record it starts from.
    fn repository_at_1_2_20(root: &Path) -> String {
        let (older_path, newer_path) = (
            import::pinned_upstream("1.2.20"),
            import::pinned_upstream("1.2.27"),
        );
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let repo = repo.as_path();
        std::fs::create_dir(root.join("openapi")).unwrap();
        let files = SpecFiles::in_workspace(root);
        let repo_files = SpecFiles::in_workspace(repo);

        // The starting point: the repository at 1.2.20, with a changelog that has history.
        let (older, newer) = (
            spec_io::read_document(&older_path).unwrap(),
            spec_io::read_document(&newer_path).unwrap(),
        );
        for (theirs, ours) in repo_files.overlays.iter().zip(&files.overlays) {
            std::fs::write(
                ours,
                overlay_before(&std::fs::read_to_string(theirs).unwrap(), &older, &newer),
            )
            .unwrap();
        }
        let start = import::import_text(&older_path, &files.overlays)
            .expect("importing 1.2.20 with the overlays of its time");
        std::fs::write(&files.spec, &start).unwrap();
        for (theirs, ours) in repo_files.overlays.iter().zip(&files.overlays) {
            std::fs::copy(theirs, ours).unwrap();
        }
        let mut manifest: DocumentMut = std::fs::read_to_string(repo.join("Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
        manifest["package"]["version"] = value("0.1.0+api.1.2.20");
        std::fs::write(root.join("Cargo.toml"), manifest.to_string()).unwrap();
        let mut lock: DocumentMut = std::fs::read_to_string(repo.join("Cargo.lock"))
            .unwrap()
            .parse()
            .unwrap();
        set_locked_version(&mut lock, "threatjammer", "0.1.0+api.1.2.20").unwrap();
        std::fs::write(root.join("Cargo.lock"), lock.to_string()).unwrap();
        let history = "## 0.1.0+api.1.2.20\n\nFirst release.\n";
        std::fs::write(
            root.join("CHANGELOG.md"),
            format!("# Changelog\n\nAll notable changes.\n\n{history}"),
        )
        .unwrap();
        start
    }

    /// cargo-semver-checks' verdict, as the tests hand it to the bump.
    fn verdict(lints: &[(&str, &str)]) -> Findings {
        Findings {
            lints: lints
                .iter()
                .map(|(id, item)| Lint {
                    id: id.to_string(),
                    level: LintLevel::Failure,
                    instances: vec![item.to_string()],
                })
                .collect(),
            took: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn bump_moves_a_copy_of_the_repository_from_1_2_20_to_1_2_27() {
        let newer_path = import::pinned_upstream("1.2.27");
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        let files = SpecFiles::in_workspace(root);
        let start = repository_at_1_2_20(root);
        let history = "## 0.1.0+api.1.2.20\n\nFirst release.\n";
        // The tool's verdict on the generated crate: nothing breaks (the real one
        // is taken in `cargo xtask semver-model`, which builds the crate).
        let clean = |_: &str, _: &str| Ok(Some(verdict(&[])));

        let Bumped {
            report,
            suggestion,
            undecided,
        } = bump(&newer_path, root, &clean)
            .unwrap()
            .expect("1.2.27 changes the spec of record");

        // The spec of record is the import of 1.2.27.
        let spec = std::fs::read_to_string(&files.spec).unwrap();
        assert_eq!(
            spec,
            import::import_text(&newer_path, &files.overlays).unwrap()
        );
        // The optional page parameters are setters on the request builders and
        // break no code, but 1.2.27 adds a required response field, which a
        // client on 1.2.27 cannot decode from a 1.2.20 server: a 0.x crate moves
        // to the next minor for it.
        assert_eq!(suggestion.next.to_string(), "0.2.0+api.1.2.27");
        assert_eq!(
            current_version(root).unwrap().to_string(),
            "0.2.0+api.1.2.27"
        );
        let lock: DocumentMut = std::fs::read_to_string(root.join("Cargo.lock"))
            .unwrap()
            .parse()
            .unwrap();
        let member = lock["package"]
            .as_array_of_tables()
            .unwrap()
            .iter()
            .find(|p| p["name"].as_str() == Some("threatjammer"))
            .unwrap();
        assert_eq!(member["version"].as_str(), Some("0.2.0+api.1.2.27"));

        // The entry sits between the introduction and the history, and is the diff of
        // the two specs of record.
        let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
        let entry = format!(
            "## 0.2.0+api.1.2.27\n\n{}",
            render::markdown(
                &diff::compare(
                    &spec_io::parse_document(&start).unwrap(),
                    &spec_io::parse_document(&spec).unwrap()
                ),
                Some(&suggestion),
                3
            )
        );
        assert_eq!(
            changelog,
            format!("# Changelog\n\nAll notable changes.\n\n{entry}\n{history}")
        );
        assert!(entry.contains("### ThreatJammer.com User API 1.2.20 → 1.2.27\n\n**Release:** minor, `0.1.0+api.1.2.20` → `0.2.0+api.1.2.27`: "), "{entry}");
        // The real changes, as the spec of record carries them.
        let rows: Vec<&str> = entry
            .lines()
            .filter(|l| l.starts_with("| `") || l.starts_with("| —"))
            .collect();
        let has = |op: &str, place: &str, rule: &str| {
            rows.iter().any(|r| {
                r.starts_with(&format!("| {op} | {place}")) && r.ends_with(&format!("| `{rule}` |"))
            })
        };
        assert!(
            has("`PUT /v1/origin/status`", "operation |", "operation-added"),
            "{entry}"
        );
        for op in [
            "GET /v1/allowlist/private/{allowlist_id}/content",
            "GET /v1/denylist/private/{denylist_id}/content",
        ] {
            for param in ["page", "page_size"] {
                assert!(
                    has(
                        &format!("`{op}`"),
                        &format!("query parameter {param} |"),
                        "parameter-added-optional"
                    ),
                    "{op} {param}: {entry}"
                );
            }
        }
        for (op, place) in [
            ("GET /v1/source/ip", "response 200: sources[].subscriptions"),
            ("GET /v1/source/ip/{source}", "response 200: subscriptions"),
        ] {
            assert!(
                rows.iter()
                    .any(|r| r.starts_with(&format!("| `{op}` | {place} "))
                        && r.contains("response field added")),
                "{op}: {entry}"
            );
        }
        assert!(
            has(
                "—",
                "schema Body_update_origin_status_v1_origin_status_put |",
                "schema-added"
            ),
            "{entry}"
        );
        assert_eq!(
            report.added_operations().collect::<Vec<_>>(),
            ["PUT /v1/origin/status"]
        );
        // The overlays already say everything about 1.2.27.
        assert!(undecided.is_empty(), "{undecided:?}");

        // Bumping again to the same document changes nothing.
        assert!(bump(&newer_path, root, &clean).unwrap().is_none());
        assert_eq!(
            std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap(),
            changelog
        );
        assert_eq!(
            current_version(root).unwrap().to_string(),
            "0.2.0+api.1.2.27"
        );
    }

    /// The files a bump writes, as they are now.
    fn written_files(root: &Path) -> Vec<String> {
        [
            "openapi/threatjammer.json",
            "Cargo.toml",
            "Cargo.lock",
            "CHANGELOG.md",
        ]
        .iter()
        .map(|f| std::fs::read_to_string(root.join(f)).unwrap())
        .collect()
    }

    #[test]
    fn a_release_line_the_tool_contradicts_is_not_written() {
        let newer_path = import::pinned_upstream("1.2.27");
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        repository_at_1_2_20(root);
        let before = written_files(root);
        // spec diff ranks nothing in 1.2.27 source-breaking; a tool that finds a
        // major change contradicts the minor release line.
        let major = |_: &str, _: &str| {
            Ok(Some(verdict(&[(
                "method_parameter_count_changed",
                "threatjammer::Client::get_private_allowlist_content now takes 2 parameters instead of 1",
            )])))
        };
        let err = bump(&newer_path, root, &major).err().expect("refused");
        let message = format!("{err:#}");
        assert!(message.contains("refusing the release line"), "{message}");
        assert!(
            message.contains("get_private_allowlist_content"),
            "{message}"
        );
        let after = written_files(root);
        assert_eq!(before, after, "a refused bump writes nothing");
        // A check that cannot run (the tool is missing, and allowed to be) lets the model's line through.
        let absent = |_: &str, _: &str| Ok(None);
        assert!(bump(&newer_path, root, &absent).unwrap().is_some());
    }

    #[test]
    fn the_gate_refuses_either_contradiction() {
        let doc = serde_json::json!({
            "openapi": "3.0.2", "info": { "title": "T", "version": "1" },
            "paths": { "/a": { "get": { "operationId": "a", "responses": { "204": { "description": "" } } } } }
        });
        let removed = diff::compare(
            &doc,
            &serde_json::json!({ "openapi": "3.0.2", "info": { "title": "T", "version": "2" }, "paths": {} }),
        );
        let same = diff::compare(&doc, &doc);
        let current = Version::parse("0.1.0").unwrap();
        let (breaking, clean) = (
            diff::suggest(&removed, &current).unwrap(),
            diff::suggest(&same, &current).unwrap(),
        );
        let lint = verdict(&[(
            "inherent_method_missing",
            "Client::a, previously in file x.rs:1",
        )]);
        let none = verdict(&[]);
        assert!(gate(&removed, &breaking, Some(&lint)).is_ok());
        assert!(gate(&same, &clean, Some(&none)).is_ok());
        let err = gate(&removed, &breaking, Some(&none))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ranks 1 change(s) source-breaking") && err.contains("GET /a operation"),
            "{err}"
        );
        let err = gate(&same, &clean, Some(&lint)).unwrap_err().to_string();
        assert!(err.contains("Client::a"), "{err}");
        assert!(gate(&same, &clean, None).is_ok());
    }
}
