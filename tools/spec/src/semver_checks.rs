//! cargo-semver-checks on the generated crate, for a spec of our choosing.
//!
//! The crate's public API is generated from `openapi/threatjammer.json`, so the
//! question "does this spec change break users?" is answered by building the
//! crate on each spec and comparing the two builds. A scratch copy of the crate
//! (standalone: its own workspace, the repository's lock file) gets the spec
//! written in, and rustdoc writes its JSON; cargo-semver-checks then compares two
//! such files. Every build shares one target directory outside the repository,
//! so the dependencies compile once and later runs only redo the crate itself.
//!
//! `cargo xtask semver-model` and `cargo xtask spec bump` both use this.

use anyhow::{bail, ensure, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use toml_edit::DocumentMut;

/// The release the rule → lint table in docs/regenerating.md was measured
/// with, and the one .ci/run installs. It reads rustdoc JSON formats 57, 60 and
/// 61; the stable toolchain (1.95) writes 57.
pub const TOOL_VERSION: &str = "0.51.0";

/// What the crate copy is built with: the default features, as a user who adds
/// the crate to their `Cargo.toml` gets it. The generated face does not depend
/// on features; `mock` and `dynamic` only add hand-written items.
const FEATURES: &[&str] = &[];

/// The installed cargo-semver-checks.
pub struct Tool {
    path: PathBuf,
}

impl Tool {
    /// Finds the pinned release: `$THREATJAMMER_SEMVER_CHECKS` (a path to the
    /// binary), else the cache .ci/run installs into, else `PATH`. Ok(None) when
    /// none is there; an error when one is there but reports another version,
    /// because the expectations are for the pinned one.
    pub fn find() -> Result<Option<Tool>> {
        let candidates: Vec<PathBuf> = std::env::var_os("THREATJAMMER_SEMVER_CHECKS")
            .map(PathBuf::from)
            .into_iter()
            .chain(ci_cache_binary())
            .chain(on_path("cargo-semver-checks"))
            .collect();
        let Some(path) = candidates.into_iter().find(|p| p.is_file()) else {
            return Ok(None);
        };
        let out = Command::new(&path)
            .args(["semver-checks", "--version"])
            .output()
            .with_context(|| format!("running {} --version", path.display()))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let version = text.split_whitespace().last().unwrap_or("");
        ensure!(
            version == TOOL_VERSION,
            "{} is cargo-semver-checks {version:?}; this project pins {TOOL_VERSION} \
             (cargo install --locked cargo-semver-checks --version {TOOL_VERSION})",
            path.display()
        );
        Ok(Some(Tool { path }))
    }

    /// The major-level findings of cargo-semver-checks between two rustdoc JSON
    /// files. `--release-type minor` selects exactly the lints whose required
    /// update is major: a minor release may do what the others report.
    pub fn major_findings(&self, baseline: &Path, current: &Path) -> Result<Findings> {
        let started = Instant::now();
        let out = Command::new(&self.path)
            .args([
                "semver-checks",
                "--color",
                "never",
                "--release-type",
                "minor",
            ])
            .arg("--baseline-rustdoc")
            .arg(baseline)
            .arg("--current-rustdoc")
            .arg(current)
            .output()
            .context("running cargo-semver-checks")?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let lints = parse(&stdout);
        // The exit status and the parsed report must agree, or the parser has
        // missed a format change and would read a breaking release as clean.
        let failed = lints.iter().any(|l| l.level == LintLevel::Failure);
        ensure!(
            out.status.success() != failed,
            "cargo-semver-checks exited {} but its report parsed as {} failing lint(s):\n{stdout}\n{stderr}",
            out.status,
            lints.iter().filter(|l| l.level == LintLevel::Failure).count()
        );
        ensure!(
            stderr.contains("Summary"),
            "cargo-semver-checks printed no summary:\n{stdout}\n{stderr}"
        );
        Ok(Findings {
            lints,
            took: started.elapsed(),
        })
    }
}

fn ci_cache_binary() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(
        cache
            .join("threatjammer-ci")
            .join(format!("cargo-semver-checks-{TOOL_VERSION}"))
            .join("bin")
            .join("cargo-semver-checks"),
    )
}

fn on_path(name: &str) -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintLevel {
    /// Denied by default: the tool's exit status fails.
    Failure,
    /// Reported, but the tool's exit status stays 0.
    Warning,
}

/// One lint that fired, with every place it fired at.
#[derive(Debug, Clone)]
pub struct Lint {
    pub id: String,
    pub level: LintLevel,
    /// The tool's one line per item ("method threatjammer::Client::get_asn now takes ...").
    pub instances: Vec<String>,
}

pub struct Findings {
    pub lints: Vec<Lint>,
    pub took: Duration,
}

impl Findings {
    /// The tool's verdict: a deny-level lint fired. Warn-level ones (such as
    /// `partial_ord_enum_variants_reordered`) are printed but, as in the tool's
    /// own summary, do not require the release.
    pub fn is_breaking(&self) -> bool {
        self.lints.iter().any(|l| l.level == LintLevel::Failure)
    }

    /// `lint: instance` lines, for reports: the first few of each lint, and
    /// how many more (an operation added in the middle moves every later
    /// variant of `OperationId`, a hundred lines of one cause).
    pub fn lines(&self) -> Vec<String> {
        const SHOWN: usize = 4;
        let mut out = Vec::new();
        for l in &self.lints {
            let tag = match l.level {
                LintLevel::Failure => "",
                LintLevel::Warning => " (warning)",
            };
            for i in l.instances.iter().take(SHOWN) {
                out.push(format!("{}{tag}: {i}", l.id));
            }
            if l.instances.len() > SHOWN {
                out.push(format!(
                    "{}{tag}: ... and {} more",
                    l.id,
                    l.instances.len() - SHOWN
                ));
            }
        }
        out
    }
}

/// Reads the human report (the tool has no machine-readable one): a section per
/// lint, `--- failure ID: name ---` or `--- warning ID: name ---`, whose
/// `Failed in:` list has one indented line per item.
fn parse(stdout: &str) -> Vec<Lint> {
    let mut lints: Vec<Lint> = Vec::new();
    let mut listing = false;
    for line in stdout.lines() {
        let header = line
            .strip_prefix("--- ")
            .and_then(|rest| rest.strip_suffix(" ---"));
        if let Some(header) = header {
            let (level, rest) = if let Some(rest) = header.strip_prefix("failure ") {
                (LintLevel::Failure, rest)
            } else if let Some(rest) = header.strip_prefix("warning ") {
                (LintLevel::Warning, rest)
            } else {
                continue;
            };
            let id = rest.split(':').next().unwrap_or(rest).trim().to_string();
            lints.push(Lint {
                id,
                level,
                instances: Vec::new(),
            });
            listing = false;
        } else if line.trim_end() == "Failed in:" {
            listing = true;
        } else if listing {
            match (line.strip_prefix("  "), lints.last_mut()) {
                (Some(item), Some(lint)) if !item.trim().is_empty() => {
                    lint.instances.push(item.trim().to_string())
                }
                _ => listing = false,
            }
        }
    }
    lints
}

/// A scratch copy of the crate to build on other specs, and where its builds go.
pub struct Workbench {
    crate_dir: PathBuf,
    target: PathBuf,
    out: PathBuf,
}

impl Workbench {
    /// Copies the crate at `root` into `scratch/crate`. `target` is shared by
    /// every build (and every run, when it persists).
    pub fn new(root: &Path, scratch: &Path, target: &Path) -> Result<Workbench> {
        let crate_dir = scratch.join("crate");
        if crate_dir.exists() {
            std::fs::remove_dir_all(&crate_dir)
                .with_context(|| format!("clearing {}", crate_dir.display()))?;
        }
        let manifest =
            std::fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
        // What the package ships (Cargo.toml's `include`), which is all the
        // library build reads: read from the manifest, so that a file the build
        // starts to need (build.rs moved to the top) comes along without an edit
        // here. Tests, benches and the other members stay behind.
        for part in package_include(&manifest)? {
            copy_included(root, &crate_dir, &part)?;
        }
        std::fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock"))
            .context("copying Cargo.lock")?;
        std::fs::write(
            crate_dir.join("Cargo.toml"),
            standalone_manifest(&manifest)?,
        )
        .context("writing the copy's Cargo.toml")?;
        let out = scratch.join("rustdoc");
        std::fs::create_dir_all(&out)?;
        Ok(Workbench {
            crate_dir,
            target: target.to_path_buf(),
            out,
        })
    }

    /// Builds the copy on `spec` (the text of a spec of record) and returns the
    /// rustdoc JSON, saved as `<name>.json` beside the copy, with the build's time.
    pub fn rustdoc(&self, spec: &str, name: &str) -> Result<(PathBuf, Duration)> {
        std::fs::write(self.crate_dir.join("openapi/threatjammer.json"), spec)
            .context("writing the variant's spec")?;
        let started = Instant::now();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .current_dir(&self.crate_dir)
            .args(["rustdoc", "--quiet", "--lib", "-j2"])
            .arg("--target-dir")
            .arg(&self.target)
            .args(features_args())
            .args(["--", "-Z", "unstable-options", "--output-format", "json"])
            // Rustdoc JSON is unstable; naming the crate lets this one rustdoc use
            // it on the stable toolchain, as `cargo xtask public-api` does.
            .env("RUSTC_BOOTSTRAP", "threatjammer")
            // The copy is its own workspace; an outer target directory setting
            // would send the build back into the repository's.
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .context("running cargo rustdoc on the crate copy")?;
        if !out.status.success() {
            bail!(
                "the crate does not build on the {name} spec:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let built = self.target.join("doc").join("threatjammer.json");
        let kept = self.out.join(format!("{name}.json"));
        std::fs::copy(&built, &kept).with_context(|| format!("copying {}", built.display()))?;
        Ok((kept, started.elapsed()))
    }

    /// Type-checks `program` (a library's `src/lib.rs`) in a crate that depends
    /// on the copy as it was last built, as a user's crate would: Err with the
    /// compiler's messages when it does not compile.
    pub fn check_downstream(&self, program: &str) -> Result<std::result::Result<(), String>> {
        let dir = self.beside("downstream");
        self.user_crate(&dir, "", "", "src/lib.rs", program)?;
        let out = self
            .cargo(&dir, "check")
            .args(["--lib", "--message-format", "short"])
            .output()
            .context("running cargo check on the downstream crate")?;
        Ok(if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        })
    }

    /// Builds `program` (a binary's `src/main.rs`, given tokio's runtime,
    /// reqwest and serde_json) against the copy as it was last built, with the `dynamic`
    /// feature, and keeps the executable beside the copy as `<name>-client`.
    /// Debug information is left out: nothing reads it, and it is most of
    /// the build's size.
    pub fn build_client(&self, program: &str, name: &str) -> Result<(PathBuf, Duration)> {
        let dir = self.beside("client");
        self.user_crate(
            &dir,
            ", features = [\"dynamic\"]",
            "reqwest = { version = \"0.13\", default-features = false }\nserde_json = \"1\"\ntokio = { version = \"1\", features = [\"rt\", \"net\", \"time\"] }\n",
            "src/main.rs",
            program,
        )?;
        let started = Instant::now();
        let out = self
            .cargo(&dir, "build")
            .env("CARGO_PROFILE_DEV_DEBUG", "0")
            // Built once per copy, so incremental state would only take disk.
            .env("CARGO_INCREMENTAL", "0")
            .output()
            .context("running cargo build on the client program")?;
        if !out.status.success() {
            bail!(
                "the client program does not build against the {name} copy:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let built = self
            .target
            .join("debug")
            .join(format!("client{}", std::env::consts::EXE_SUFFIX));
        let kept = self
            .out
            .join(format!("{name}-client{}", std::env::consts::EXE_SUFFIX));
        std::fs::copy(&built, &kept).with_context(|| format!("copying {}", built.display()))?;
        Ok((kept, started.elapsed()))
    }

    fn beside(&self, name: &str) -> PathBuf {
        self.out.parent().expect("beside the copy").join(name)
    }

    /// Writes a crate named after `dir` that depends on the copy (with
    /// `features`, a TOML tail of the dependency's table) and on `more`
    /// (TOML lines), with `program` at `source`.
    fn user_crate(
        &self,
        dir: &Path,
        features: &str,
        more: &str,
        source: &str,
        program: &str,
    ) -> Result<()> {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .context("a crate directory's name")?;
        std::fs::create_dir_all(dir.join("src"))?;
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
                 [dependencies]\nthreatjammer = {{ path = {:?}{features} }}\n{more}\n[workspace]\n",
                self.crate_dir.display().to_string()
            ),
        )?;
        // The crate's lock file, so the shared dependencies resolve to the
        // versions already built in the target directory.
        if !dir.join("Cargo.lock").exists() {
            std::fs::copy(self.crate_dir.join("Cargo.lock"), dir.join("Cargo.lock"))?;
        }
        std::fs::write(dir.join(source), program)?;
        Ok(())
    }

    /// `cargo <subcommand>` in `dir`, quiet, on two jobs, building into the
    /// shared target directory.
    fn cargo(&self, dir: &Path, subcommand: &str) -> Command {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .current_dir(dir)
            .args([subcommand, "--quiet", "-j2"])
            .arg("--target-dir")
            .arg(&self.target)
            // The crate is its own workspace; an outer target directory
            // setting would send the build back into the repository's.
            .env_remove("CARGO_TARGET_DIR");
        command
    }
}

fn features_args() -> Vec<String> {
    if FEATURES.is_empty() {
        Vec::new()
    } else {
        vec!["--features".into(), FEATURES.join(",")]
    }
}

/// The root manifest, made a workspace of its own: no members (cli, xtask and tools/
/// are not copied), no registered benches or examples and no dev-dependencies
/// (their files and the crates they name, such as the mock, stay behind; the
/// library's rustdoc needs none of them).
fn standalone_manifest(text: &str) -> Result<String> {
    let mut manifest: DocumentMut = text.parse().context("parsing Cargo.toml")?;
    manifest.remove("bench");
    manifest.remove("example");
    manifest.remove("dev-dependencies");
    manifest["workspace"] = toml_edit::table();
    Ok(manifest.to_string())
}

/// The package's `include` patterns, without their leading `/`.
fn package_include(manifest: &str) -> Result<Vec<String>> {
    let doc: DocumentMut = manifest.parse().context("parsing Cargo.toml")?;
    let include = doc["package"]["include"]
        .as_array()
        .context("Cargo.toml's package has no `include` list")?;
    include
        .iter()
        .map(|v| {
            v.as_str()
                .map(|p| p.trim_start_matches('/').to_string())
                .context("an `include` entry is not a string")
        })
        .collect()
}

/// Copies one `include` entry from `root` to `to`: a file, a directory, or a
/// pattern with one `*` in its last segment (`openapi/*.overlay.yaml`); the
/// manifest is written apart, made standalone.
fn copy_included(root: &Path, to: &Path, part: &str) -> Result<()> {
    if part == "Cargo.toml" {
        return Ok(());
    }
    let (dir, name) = part.rsplit_once('/').unwrap_or(("", part));
    if let Some((prefix, suffix)) = name.split_once('*') {
        let from = root.join(dir);
        for entry in
            std::fs::read_dir(&from).with_context(|| format!("reading {}", from.display()))?
        {
            let entry = entry?;
            let file = entry.file_name();
            let file = file.to_string_lossy();
            if file.starts_with(prefix) && file.ends_with(suffix) && entry.file_type()?.is_file() {
                std::fs::create_dir_all(to.join(dir))?;
                std::fs::copy(entry.path(), to.join(dir).join(&*file))
                    .with_context(|| format!("copying {}", entry.path().display()))?;
            }
        }
        return Ok(());
    }
    let from = root.join(part);
    if from.is_dir() {
        copy_tree(&from, &to.join(part))
    } else {
        if let Some(parent) = to.join(part).parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&from, to.join(part))
            .map(drop)
            .with_context(|| format!("copying {part}"))
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Where the copies build unless told otherwise: outside the repository, kept
/// between runs so that only the crate itself is rebuilt.
pub fn default_target_dir() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("threatjammer-semver").join("target")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of a 0.51 report, abridged from a real run.
    const REPORT: &str = "\
     Parsing threatjammer v0.1.0 (current)

--- failure inherent_method_missing: pub method removed or renamed ---

Description:
A publicly-visible method or associated fn is no longer available under its prior name.
        ref: https://doc.rust-lang.org/cargo/reference/semver.html#item-remove
       impl: https://github.com/obi1kenobi/cargo-semver-checks/tree/v0.51.0/src/lints/inherent_method_missing.ron

Failed in:
  Client::delete_all_reported_ips, previously in file /tmp/x/src/generated.rs:10
  Client::other, previously in file /tmp/x/src/generated.rs:20

--- warning struct_missing: pub struct removed or renamed ---

Description:
A publicly-visible struct can no longer be imported by its prior path.
       impl: https://github.com/obi1kenobi/cargo-semver-checks/tree/v0.51.0/src/lints/struct_missing.ron

Failed in:
  struct threatjammer::request::DeleteAllReportedIps, previously in file /tmp/x/out/face.rs:1
";

    #[test]
    fn the_report_is_read_lint_by_lint_and_item_by_item() {
        let lints = parse(REPORT);
        assert_eq!(lints.len(), 2);
        assert_eq!(lints[0].id, "inherent_method_missing");
        assert_eq!(lints[0].level, LintLevel::Failure);
        assert_eq!(lints[0].instances.len(), 2);
        assert!(lints[0].instances[0].starts_with("Client::delete_all_reported_ips,"));
        assert_eq!(lints[1].id, "struct_missing");
        assert_eq!(lints[1].level, LintLevel::Warning);
        assert_eq!(
            lints[1].instances,
            ["struct threatjammer::request::DeleteAllReportedIps, previously in file /tmp/x/out/face.rs:1"]
        );
        assert!(parse("     Summary no semver update required\n").is_empty());
    }

    #[test]
    fn ci_installs_the_pinned_release() {
        let ci = include_str!("../../../.ci/run");
        assert!(
            ci.contains(&format!("\nSEMVER_CHECKS_VERSION={TOOL_VERSION}\n")),
            ".ci/run installs another cargo-semver-checks than {TOOL_VERSION}"
        );
    }

    #[test]
    fn the_copy_takes_what_the_package_includes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let include = package_include(&manifest).unwrap();
        for needed in ["build.rs", "build", "src", "openapi/threatjammer.json"] {
            assert!(include.iter().any(|p| p == needed), "{needed}: {include:?}");
        }
        let scratch = tempfile::tempdir().unwrap();
        copy_included(&root, scratch.path(), "openapi/*.overlay.yaml").unwrap();
        let copied = std::fs::read_dir(scratch.path().join("openapi"))
            .unwrap()
            .count();
        let overlays = std::fs::read_dir(root.join("openapi"))
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().ends_with(".overlay.yaml")
            })
            .count();
        assert_eq!(copied, overlays);
    }

    #[test]
    fn the_copy_is_a_workspace_of_its_own() {
        let text = "[package]\nname = \"threatjammer\"\n\n[workspace]\nmembers = [\".\", \"cli\"]\n\n[dev-dependencies]\nthreatjammer-mock = { path = \"mock\" }\n\n[[bench]]\nname = \"client\"\nharness = false\n\n[[example]]\nname = \"axum_guard\"\n";
        let out = standalone_manifest(text).unwrap();
        let doc: DocumentMut = out.parse().unwrap();
        assert!(doc["workspace"].as_table().unwrap().is_empty(), "{out}");
        assert!(doc.get("bench").is_none(), "{out}");
        assert!(doc.get("example").is_none(), "{out}");
        assert!(doc.get("dev-dependencies").is_none(), "{out}");
        assert_eq!(doc["package"]["name"].as_str(), Some("threatjammer"));
    }
}
